"""What every part of the CLI shares: its name, exit code, limits, input error and messages."""

import re
import sys

EXIT_USAGE = 2
PROG = 'sdv-fairdistill'
#: numpy's RandomState takes seeds in [0, 2**32).
MAX_SEED = 2**32 - 1
#: A saved synthesizer is a pickle (SDV's format); unpickling runs code, as SDV's docs warn.
PICKLE_WARNING = "loading a synthesizer runs code from its pickle file: only load files you trust"


class CLIError(Exception):
    """A problem with the user's input: reported in one line, exit code 2."""


def _one_line(error):
    return ' '.join(str(error).split())


def _say(args, message):
    if not getattr(args, 'quiet', False):
        print(message, file=sys.stderr, flush=True)


def check_classifier(name):
    """Refuse, before any work, a ``--classifier`` whose library is not installed."""
    from sdv_fairdistill.metrics._classifier import make_classifier

    try:
        make_classifier(name)
    except ImportError:
        raise CLIError(f'--classifier {name} needs {name}: pip install {name.lower()}, or leave '
                       'out --classifier (HistGradientBoosting)') from None


#: Python argument names in the library's advice, as every command says them (regular
#: expressions and their replacements; the specific ``positive_label=`` patterns first).
COMMON_WORDS = {
    r"fairness_criterion='(\w+)'": r'--criterion \1',
    r'\bpositive_label=(?=[\s,.;:]|$)': '--positive-label',  # 'pass positive_label=,'
    r'\bpositive_label=': '--positive-label ',  # 'positive_label=7 is not a class'
}


def reworded(message, words):
    """``message`` with each pattern of ``words`` (``{regex: replacement}``, group references
    allowed) replaced, in order."""
    for python, cli in words.items():
        message = re.sub(python, lambda match, cli=cli: match.expand(cli), message)
    return message
