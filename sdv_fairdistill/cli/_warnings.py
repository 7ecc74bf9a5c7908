"""Warnings as one line each on stderr; known third-party chatter hidden by name."""

import sys
import warnings
from contextlib import contextmanager

from sdv_fairdistill.cli._base import PROG, _one_line


def _hidden_warnings():
    """Third-party warnings a CLI user can do nothing about, hidden by name.

    Every other warning (above all the package's own) is shown, one line each. Items are
    (message regex, category, module regex) as for ``warnings.filterwarnings``.
    """
    from sklearn.exceptions import ConvergenceWarning  # imported late: keeps --help fast

    return (
        # Library deprecations are for the package's code, not for the person running the CLI.
        ('', DeprecationWarning, r'(?!sdv_fairdistill\b)'),
        ('', PendingDeprecationWarning, r'(?!sdv_fairdistill\b)'),
        ('', FutureWarning, r'(?!sdv_fairdistill\b)'),
        # pandas guessing datetime formats while SDV detects the metadata or checks sdtypes.
        ('Could not infer format', UserWarning, ''),
        # SDV asks to save detected metadata: "fit" saves it next to the synthesizer.
        ('We strongly recommend saving the metadata', UserWarning, ''),
        # sklearn's GaussianMixture (the latent density) on short fits; its advice (max_iter,
        # tol) names no option a CLI user has.
        ('', ConvergenceWarning, r'sklearn\.mixture'),
    )


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f'{PROG}: warning: {_one_line(message)}', file=sys.stderr, flush=True)


@contextmanager
def _user_warnings():
    """Warnings as one line each on stderr, with the named third-party chatter hidden."""
    with warnings.catch_warnings():
        for message, category, module in _hidden_warnings():
            warnings.filterwarnings('ignore', message, category, module)
        warnings.showwarning = _show_warning
        yield
