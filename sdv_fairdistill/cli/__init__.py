"""``sdv-fairdistill``: fit, sample, evaluate and benchmark fair synthetic tables from a shell.

    sdv-fairdistill fit adult.csv --sensitive sex --target income -o synthesizer.pkl
    sdv-fairdistill sample synthesizer.pkl -n 10000 -o synthetic.csv
    sdv-fairdistill report adult.csv synthetic.csv --sensitive sex --target income
    sdv-fairdistill benchmark --quick -o benchmark_results
    sdv-fairdistill demo --fast

A wrong input (missing file, unknown column, bad value, an output path that cannot be
written) ends with exit code 2 and a one-line message on stderr, as argparse does for a bad
option, before any long work. The package's warnings (a GPU that is not there, an option
that cannot apply) reach stderr as one line each; known third-party chatter is hidden.

``sample`` loads a pickle (SDV's format for a saved synthesizer), which runs code from the
file: only load files you trust.
"""

import sys

from sdv_fairdistill.cli._base import (
    EXIT_USAGE,
    MAX_SEED,
    PICKLE_WARNING,
    PROG,
    CLIError,
    _one_line,
)
from sdv_fairdistill.cli._warnings import _user_warnings
from sdv_fairdistill.cli.benchmark_demo import command_benchmark, command_demo
from sdv_fairdistill.cli.fit_sample import FIT_OPTIONS, command_fit, command_sample
from sdv_fairdistill.cli.parser import _dispatch, build_parser
from sdv_fairdistill.cli.report import command_report

#: Reading, writing and checking tables: sdv_fairdistill.cli._io; warnings: ._warnings.
__all__ = [
    'CLIError', 'EXIT_USAGE', 'FIT_OPTIONS', 'MAX_SEED', 'PICKLE_WARNING', 'PROG',
    'build_parser', 'command_benchmark', 'command_demo', 'command_fit', 'command_report',
    'command_sample', 'main',
]


def main(argv=None):
    """Run the command line; return the exit code (0 ok, 2 bad input, 1 failed cells)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # for torchrun to run it again
    try:
        with _user_warnings():
            return _dispatch(args)
    except CLIError as error:
        print(f'{PROG}: error: {error}', file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:
        # SDV's own input errors (a sensitive column that is continuous, data that do not
        # match the metadata...) are the user's to fix: one line, not a traceback.
        from sdv.errors import InvalidDataError, SynthesizerInputError

        if isinstance(error, (InvalidDataError, SynthesizerInputError)):
            print(f'{PROG}: error: {_one_line(error)}', file=sys.stderr)
            return EXIT_USAGE
        raise


if __name__ == '__main__':
    sys.exit(main())
