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

import argparse
import json
import re
import secrets
import shlex
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

EXIT_USAGE = 2
PROG = 'sdv-fairdistill'
TABLE_SUFFIXES = ('.csv', '.csv.gz', '.parquet', '.pq')
#: numpy's RandomState takes seeds in [0, 2**32).
MAX_SEED = 2**32 - 1
#: A saved synthesizer is a pickle (SDV's format); unpickling runs code, as SDV's docs warn.
PICKLE_WARNING = "loading a synthesizer runs code from its pickle file: only load files you trust"


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


class CLIError(Exception):
    """A problem with the user's input: reported in one line, exit code 2."""


# ---------------------------------------------------------------------------- input / output
def check_writable(path, option):
    """Fail before any long work if a file cannot be written at ``path``.

    The parent directory may be missing (it is created on writing) but the nearest existing
    ancestor must be a directory we can create files in. Probing with a real temporary file
    catches what permission bits do not tell: read-only mounts and ACLs.
    """
    path = Path(path)
    if path.is_dir():
        raise CLIError(f"{option} '{path}' is a directory: give a file name inside it")
    existing = path.absolute().parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise CLIError(
            f"{option} '{path}' cannot be written: '{existing}' is a file, not a directory; "
            'choose another path'
        )
    try:
        if path.exists():
            with open(path, 'ab'):  # append mode: checks without truncating
                pass
        else:
            with tempfile.TemporaryFile(dir=existing):
                pass
    except OSError as error:
        where = path if path.exists() else existing
        raise CLIError(
            f"{option} '{path}' cannot be written ({error.strerror or error} in '{where}'); "
            'choose a writable location'
        )


def _suffix(path):
    name = Path(path).name.lower()
    return next((suffix for suffix in TABLE_SUFFIXES if name.endswith(suffix)), None)


def read_table(path):
    """Read a CSV (optionally gzipped) or Parquet file into a DataFrame."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise CLIError(f"no such file: '{path}'")
    suffix = _suffix(path)
    if suffix is None:
        raise CLIError(f"'{path}' is neither CSV nor Parquet (use {', '.join(TABLE_SUFFIXES)})")
    try:
        if suffix in ('.parquet', '.pq'):
            return pd.read_parquet(path)
        return pd.read_csv(path)
    except ImportError:
        raise CLIError(f"reading '{path}' needs a Parquet engine: pip install pyarrow")
    except (ValueError, OSError) as error:
        raise CLIError(f"cannot read '{path}': {_one_line(error)}")


def check_output_table(path):
    """Fail before any long work if ``path`` cannot be written as a table."""
    suffix = _suffix(path)
    if suffix is None:
        raise CLIError(f"'{path}': give a file name ending in one of {', '.join(TABLE_SUFFIXES)}")
    if suffix in ('.parquet', '.pq'):
        import importlib.util

        if not any(importlib.util.find_spec(engine) for engine in ('pyarrow', 'fastparquet')):
            raise CLIError(f"writing '{path}' needs a Parquet engine: pip install pyarrow")


def write_table(table, path):
    """Write a DataFrame as CSV or Parquet, chosen by the file name."""
    path = Path(path)
    suffix = _suffix(path)
    if suffix is None:
        raise CLIError(f"'{path}': give a file name ending in one of {', '.join(TABLE_SUFFIXES)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix in ('.parquet', '.pq'):
            table.to_parquet(path, index=False)
        else:
            table.to_csv(path, index=False)
    except ImportError:
        raise CLIError(f"writing '{path}' needs a Parquet engine: pip install pyarrow")
    except OSError as error:  # checked before the work; this is the race that is left
        raise CLIError(f"cannot write '{path}': {error.strerror or _one_line(error)}")


def load_metadata(path, data, table_name):
    """SDV ``Metadata`` from a JSON file, or detected from ``data`` when ``path`` is None."""
    from sdv.metadata import Metadata

    if path is None:
        return Metadata.detect_from_dataframes({table_name: data})
    path = Path(path)
    if not path.is_file():
        raise CLIError(f"no such metadata file: '{path}'")
    try:
        metadata = Metadata.load_from_json(path)
    except Exception as error:  # noqa: BLE001 - SDV raises several kinds for a bad file
        raise CLIError(f"invalid metadata file '{path}': {_one_line(error)}")
    if len(metadata.tables) != 1:
        raise CLIError(f"'{path}' describes {len(metadata.tables)} tables; give one table")
    return metadata


def _table_name(metadata):
    return next(iter(metadata.tables))


def check_columns(data, columns, path, option):
    """Fail with the available columns when ``columns`` are not all in ``data``."""
    missing = [column for column in columns if column not in data.columns]
    if missing:
        raise CLIError(
            f"{option}: column(s) {', '.join(map(repr, missing))} not in '{path}'; "
            f"columns are: {', '.join(map(str, data.columns))}"
        )


def _one_line(error):
    return ' '.join(str(error).split())


def _positive_label(value, column):
    """The positive label as typed on the command line, converted to the column's type."""
    if value is None:
        return None
    import pandas as pd

    if pd.api.types.is_bool_dtype(column):
        return value.lower() in ('true', '1', 'yes')
    if pd.api.types.is_numeric_dtype(column):
        try:
            number = float(value)
        except ValueError:
            raise CLIError(f"--positive-label {value!r} is not a value of the numeric target")
        return int(number) if number.is_integer() else number
    return value


def _report_vocabulary(args):
    """The report's Python names (parameters, tables) and what the user typed for them."""
    names = {
        'min_group_size': '--min-group-size',
        'positive_label=?': '--positive-label',
        'sensitive_columns': '--sensitive',
        'target_column': '--target',
        'real_validation_data': str(args.validation) if args.validation else '--validation',
        'real_data': str(args.real),
        'synthetic_data': str(args.synthetic),
    }
    return {rf'\b{name}(?!\w)': option for name, option in names.items()}


def _in_cli_words(message, vocabulary):
    """A library message with its Python names replaced by the CLI's options and files."""
    # FairnessReport's advice about the ratio / agg='mean' forms: the CLI has no such option.
    message = re.sub(r";? ?the ratio and agg='mean' forms[^.]*", '', message)
    for pattern, words in vocabulary.items():
        message = re.sub(pattern, lambda _, words=words: words, message)
    return message


def _say(args, message):
    if not getattr(args, 'quiet', False):
        print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- commands
#: The synthesizer parameters fit's options set (passed through as given).
FIT_OPTIONS = {
    'fairness_weight': '--fairness-weight',
    'epochs': '--epochs',
    'distill_epochs': '--distill-epochs',
    'batch_size': '--batch-size',
    'latent_dim': '--latent-dim',
    'encode_target': '--encode-target',
    'balance_target': '--balance-target',
}


def _name_fit_options(error, given):
    """Prefix the options behind a SynthesizerInputError (it names the Python parameter)."""
    message = _one_line(error)
    names = {**FIT_OPTIONS, 'seed': '--seed'}
    named = [
        names[name] if isinstance(value, bool) else f'{names[name]} {value}'
        for name, value in given.items()
        if re.search(rf'(?<![\w-]){name}(?!\w)', message)
    ]
    return f"{', '.join(named)}: {message}" if named else message


def command_fit(args):
    from sdv.errors import SynthesizerInputError
    from sdv.single_table import FairDistillSynthesizer

    # Before reading and training: a path that cannot be written would waste the whole fit.
    check_writable(args.output, '--output')
    if args.metadata is None:  # the detected metadata is saved next to the synthesizer
        check_writable(f'{args.output}.metadata.json', '--output')
    data = read_table(args.data)
    check_columns(data, args.sensitive, args.data, '--sensitive')
    if args.target is not None:
        check_columns(data, [args.target], args.data, '--target')
    table_name = args.table_name or Path(args.data).name.split('.')[0]
    metadata = load_metadata(args.metadata, data, table_name)
    options = {name: getattr(args, name) for name in FIT_OPTIONS}
    options = {name: value for name, value in options.items() if value is not None}
    given = {**options, **({} if args.seed is None else {'seed': args.seed})}
    try:
        # The synthesizer checks its parameters: one set of rules, worded with the CLI's names.
        synthesizer = FairDistillSynthesizer(
            metadata,
            sensitive_columns=args.sensitive,
            target_column=args.target,
            enable_gpu=args.gpu,
            verbose=not args.quiet,
            seed=args.seed,
            **options,
        )
    except SynthesizerInputError as error:
        raise CLIError(_name_fit_options(error, given))
    if args.metadata is None:
        metadata_path = Path(f'{args.output}.metadata.json')
        metadata_path.parent.mkdir(parents=True, exist_ok=True)
        metadata_path.unlink(missing_ok=True)  # SDV refuses to overwrite
        metadata.save_to_json(metadata_path)
        _say(args, f'Detected metadata saved to {metadata_path} (check it; pass it back with '
                   '--metadata)')
    _say(args, f'Fitting FairDistillSynthesizer on {len(data):,} rows of {args.data} ...')
    start = time.perf_counter()
    try:
        synthesizer.fit({_table_name(metadata): data})
    except SynthesizerInputError as error:
        raise CLIError(_name_fit_options(error, given))
    try:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        synthesizer.save(args.output)
    except OSError as error:  # checked before fitting; this is the race that is left
        raise CLIError(f"cannot write '{args.output}': {error.strerror or _one_line(error)}")
    _say(args, f'Fitted in {time.perf_counter() - start:.1f} s; saved to {args.output}')
    return 0


def _type_name(value):
    kind = type(value)
    module = kind.__module__.split('.')[0]
    return kind.__qualname__ if module == 'builtins' else f'{module}.{kind.__qualname__}'


def _load_synthesizer(path):
    """A fitted SDV single-table synthesizer from ``path``; anything else is refused.

    Any pickle loads, and many objects have a ``sample`` method (a pickled DataFrame would
    have its *real* rows written as synthetic ones), so the type is checked.
    """
    from sdv.multi_table.base import BaseMultiTableSynthesizer
    from sdv.single_table.base import BaseSingleTableSynthesizer
    from sdv.utils import load_synthesizer

    from sdv_fairdistill.synthesizers.image import FairDistillImageSynthesizer

    path = Path(path)
    if not path.is_file():
        raise CLIError(f"no such synthesizer file: '{path}'")
    # SDV tags what it loads (a DataFrame gets a pandas warning): warnings wait for the check.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try:
            synthesizer = load_synthesizer(str(path))
        except Exception as error:  # noqa: BLE001 - a corrupt or foreign pickle
            raise CLIError(f"cannot load a synthesizer from '{path}': {_one_line(error)}")
    advice = "give a file saved by 'sdv-fairdistill fit' or by an SDV synthesizer's save()"
    if isinstance(synthesizer, FairDistillImageSynthesizer):
        raise CLIError(
            f"'{path}' holds a FairDistillImageSynthesizer: it makes images, not table rows; "
            'sample it in Python (FairDistillImageSynthesizer.load(path).sample(n))'
        )
    if isinstance(synthesizer, BaseMultiTableSynthesizer):
        raise CLIError(
            f"'{path}' holds a multi-table synthesizer ({_type_name(synthesizer)}); the CLI "
            'samples one table: use sample(scale=...) in Python'
        )
    if not isinstance(synthesizer, BaseSingleTableSynthesizer):
        raise CLIError(
            f"'{path}' holds a {_type_name(synthesizer)}, not an SDV single-table "
            f'synthesizer: {advice}'
        )
    if not synthesizer._fitted:
        raise CLIError(
            f"the synthesizer in '{path}' was saved before fitting: save it after fit(), or "
            "make one with 'sdv-fairdistill fit'"
        )
    for warning in caught:  # a synthesizer's warnings (e.g. an SDV version mismatch) matter
        warnings.warn_explicit(warning.message, warning.category, warning.filename,
                               warning.lineno)
    return synthesizer


def command_sample(args):
    check_output_table(args.output)
    check_writable(args.output, '--output')
    if args.num_rows < 1:
        raise CLIError(f'--num-rows must be at least 1, got {args.num_rows}')
    if args.seed is not None and not 0 <= args.seed <= MAX_SEED:
        raise CLIError(f'--seed must be between 0 and {MAX_SEED}, got {args.seed}')
    synthesizer = _load_synthesizer(args.synthesizer)
    # SDV restarts a loaded synthesizer's random state at one fixed seed, so every run would
    # write the same rows. Without --seed draw a fresh one (and tell it, to repeat the run).
    # SDV has no public setter: _set_random_state is what its own sampling calls.
    seed = secrets.randbelow(MAX_SEED + 1) if args.seed is None else args.seed
    synthesizer._set_random_state(seed)
    _say(args, f'Sampling {args.num_rows:,} rows (seed {seed}) ...')
    sampled = synthesizer.sample(args.num_rows)
    table = next(iter(sampled.values())) if isinstance(sampled, dict) else sampled
    write_table(table, args.output)
    _say(args, f'Wrote {len(table):,} rows to {args.output}')
    return 0


def _quality_report(real, synthetic, metadata, verbose):
    from sdmetrics.reports import QualityReport

    name = _table_name(metadata)
    report = QualityReport()
    report.generate({name: real}, {name: synthetic[list(real.columns)]}, metadata.to_dict(),
                    verbose=verbose)
    return report


def command_report(args):
    from sdv_fairdistill.metrics import FairnessReport

    if args.output:
        check_writable(args.output, '--output')
    if args.min_group_size is not None and args.min_group_size < 1:
        raise CLIError(f'--min-group-size must be at least 1, got {args.min_group_size}')
    real = read_table(args.real)
    synthetic = read_table(args.synthetic)
    validation = read_table(args.validation) if args.validation else None
    columns = [*args.sensitive, args.target]
    check_columns(real, args.sensitive, args.real, '--sensitive')
    check_columns(real, [args.target], args.real, '--target')
    check_columns(synthetic, list(real.columns), args.synthetic, 'synthetic data')
    if validation is not None:
        check_columns(validation, columns, args.validation, '--validation')
    metadata = load_metadata(args.metadata, real, Path(args.real).name.split('.')[0])
    positive_label = _positive_label(args.positive_label, real[args.target])
    verbose = not args.quiet

    _say(args, 'Quality report (SDMetrics):')
    quality = _quality_report(real, synthetic, metadata, verbose)
    _say(args, 'Fairness report:')
    fairness = FairnessReport(**(
        {} if args.min_group_size is None else {'min_group_size': args.min_group_size}
    ))
    try:
        fairness.generate(
            real, synthetic, metadata,
            sensitive_columns=args.sensitive, target_column=args.target,
            positive_label=positive_label, real_validation_data=validation,
            classifier=args.classifier, verbose=verbose,
        )
    except ValueError as error:
        raise CLIError(_in_cli_words(_one_line(error), _report_vocabulary(args)))

    summary = fairness.get_summary()
    print(f'Quality score:  {quality.get_score():.3f}')
    print(f'Fairness score: {fairness.get_score():.3f}')
    print(fairness.get_properties().to_string(index=False))
    print(summary.to_string(index=False))
    if args.output:
        payload = {
            'quality_score': quality.get_score(),
            'quality_properties': quality.get_properties().to_dict(orient='records'),
            'fairness_score': fairness.get_score(),
            'fairness_properties': fairness.get_properties().to_dict(orient='records'),
            'fairness_summary': summary.to_dict(orient='records'),
        }
        try:
            Path(args.output).parent.mkdir(parents=True, exist_ok=True)
            Path(args.output).write_text(json.dumps(payload, indent=2, default=float))
        except OSError as error:  # checked before the report; this is the race that is left
            raise CLIError(f"cannot write '{args.output}': {error.strerror or _one_line(error)}")
        _say(args, f'Saved the scores to {args.output}')
    return 0


def command_benchmark(args):
    from sdv_fairdistill.benchmark import BenchmarkConfig, BenchmarkResult, run_benchmark

    if args.merge:
        # Parts of one benchmark run separately (e.g. one dataset per process) into one table.
        parts = []
        for directory in args.merge:
            path = Path(directory) / 'results.json'
            if not path.is_file():
                raise CLIError(f'{path} does not exist: give directories written by "benchmark".')
            parts.append(BenchmarkResult.from_json(path.read_text()))
        try:
            merged = BenchmarkResult.combine(parts)
        except ValueError as error:
            raise CLIError(str(error)) from None
        _write_benchmark(args, merged)
        return 0
    overrides = {
        name: value
        for name, value in (
            ('datasets', args.datasets), ('generators', args.generators), ('seeds', args.seeds),
            ('num_rows', args.num_rows), ('classifier', args.classifier),
            ('sweep_datasets', args.sweep_datasets), ('sweep_seeds', args.sweep_seeds),
            ('sweep_weights', args.sweep_weights),
        )
        if value is not None
    }
    if args.no_sweep:
        overrides['sweep_weights'] = ()
    if args.gpu:
        overrides['enable_gpu'] = True
    try:
        config = (BenchmarkConfig.quick if args.quick else BenchmarkConfig.full)(**overrides)
    except ValueError as error:
        raise CLIError(_one_line(error))
    _say(args, f"Benchmark ({'quick' if args.quick else 'full'} mode): "
               f"{', '.join(config.datasets)} x {', '.join(config.generators)}, "
               f"seeds {list(config.seeds)}")
    result = run_benchmark(config, progress=not args.quiet)
    _write_benchmark(args, result)
    return 1 if len(result.errors()) else 0


def _write_benchmark(args, result):
    paths = result.save(args.output)
    print(result.to_markdown())
    _say(args, 'Wrote ' + ', '.join(str(path) for path in paths.values()))


def command_demo(args):
    from sklearn.model_selection import train_test_split

    from sdv_fairdistill.datasets import get_dataset

    spec = get_dataset('adult')
    num_rows = 1500 if args.fast else args.num_rows
    data, _ = spec.load(num_rows=num_rows, random_state=args.seed)
    train, test = train_test_split(data, test_size=0.3, random_state=args.seed,
                                   stratify=data[spec.target_column])
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    write_table(train, out / 'real_train.csv')
    write_table(test, out / 'real_test.csv')
    _say(args, f'Adult: {len(train):,} training and {len(test):,} held-out rows in {out}/')

    sensitive = list(spec.sensitive_columns)
    fit = ['fit', str(out / 'real_train.csv'), '--sensitive', *sensitive,
           '--target', spec.target_column, '--table-name', spec.table_name,
           '--seed', str(args.seed), '--output', str(out / 'synthesizer.pkl')]
    if args.fast:
        fit += ['--epochs', '3', '--distill-epochs', '2']
    sample = ['sample', str(out / 'synthesizer.pkl'), '--num-rows', str(len(train)),
              '--output', str(out / 'synthetic.csv')]
    report = ['report', str(out / 'real_train.csv'), str(out / 'synthetic.csv'),
              '--sensitive', *sensitive, '--target', spec.target_column,
              '--positive-label', str(spec.positive_label),
              '--validation', str(out / 'real_test.csv'), '--output', str(out / 'report.json')]
    quiet = ['--quiet'] if args.quiet else []
    for step in (fit, sample, report):
        _say(args, f'\n$ {PROG} ' + shlex.join(step))
        _dispatch(build_parser().parse_args(step + quiet))
    return 0


# ---------------------------------------------------------------------------- parser
def build_parser():
    parser = argparse.ArgumentParser(
        prog=PROG,
        description='Fair synthetic tables with FairDistillSynthesizer (an SDV add-on): fit, '
        'sample, evaluate fairness and quality, benchmark.',
        epilog=f'Run "{PROG} COMMAND --help" for the options of a command.',
    )
    commands = parser.add_subparsers(dest='command', metavar='COMMAND', required=True)

    def add(name, help_text, function, details=''):
        sub = commands.add_parser(name, help=help_text, description=f'{help_text} {details}')
        sub.set_defaults(function=function)
        sub.add_argument('-q', '--quiet', action='store_true',
                         help='no progress bars or progress messages')
        return sub

    fit = add('fit', 'Fit a FairDistillSynthesizer on a CSV or Parquet table and save it.',
              command_fit)
    fit.add_argument('data', help='the real table (.csv, .csv.gz, .parquet)')
    fit.add_argument('-s', '--sensitive', nargs='+', required=True, metavar='COLUMN',
                     help='sensitive column(s); several form joint (intersectional) groups')
    fit.add_argument('-t', '--target', metavar='COLUMN',
                     help='the label a downstream model will learn (made independent of the '
                     'sensitive groups in the synthetic data)')
    fit.add_argument('-m', '--metadata', metavar='JSON',
                     help='SDV metadata file (default: detected from the data)')
    fit.add_argument('--table-name', help='table name in the metadata (default: file name)')
    fit.add_argument('-o', '--output', required=True, metavar='PKL',
                     help='where to save the fitted synthesizer, a pickle (load it with '
                     'sdv.utils.load_synthesizer; checked to be writable before fitting)')
    fit.add_argument('--fairness-weight', type=float, metavar='W',
                     help='weight of the fairness penalty; 0 = no fairness (default: the '
                     "synthesizer's)")
    fit.add_argument('--epochs', type=int, metavar='N', help='teacher epochs')
    fit.add_argument('--distill-epochs', type=int, metavar='N', help='student epochs')
    fit.add_argument('--batch-size', type=int, metavar='N', help='batch size')
    fit.add_argument('--latent-dim', type=int, metavar='N', help='size of the latent space')
    fit.add_argument('--encode-target', action=argparse.BooleanOptionalAction, default=None,
                     help='let the encoders read the target column (default: no; see '
                     'FairDistillSynthesizer)')
    fit.add_argument('--balance-target', action=argparse.BooleanOptionalAction, default=None,
                     help='reweigh rows so the target is independent of the sensitive groups '
                     '(default: no; categorical targets only)')
    fit.add_argument('--seed', type=int, default=None, help='seed for a reproducible fit')
    fit.add_argument('--gpu', action='store_true', help='train on a CUDA GPU if there is one')

    sample = add('sample', 'Sample rows from a saved synthesizer into a CSV or Parquet file.',
                 command_sample, f'Careful: {PICKLE_WARNING}.')
    sample.add_argument('synthesizer',
                        help='a synthesizer saved by "fit" (or SDV\'s save), a pickle; '
                        f'{PICKLE_WARNING}')
    sample.add_argument('-n', '--num-rows', type=int, required=True, help='rows to generate')
    sample.add_argument('-o', '--output', required=True, metavar='FILE',
                        help='output table (.csv, .csv.gz, .parquet)')
    sample.add_argument('--seed', type=int, default=None,
                        help='seed for reproducible rows (default: a fresh seed each run, '
                        'printed unless --quiet)')

    report = add('report', "Fairness report and SDMetrics' quality report of synthetic data.",
                 command_report)
    report.add_argument('real', help='the real table the synthesizer learned from')
    report.add_argument('synthetic', help='the synthetic table')
    report.add_argument('-s', '--sensitive', nargs='+', required=True, metavar='COLUMN',
                        help='sensitive column(s)')
    report.add_argument('-t', '--target', required=True, metavar='COLUMN',
                        help='the column a downstream classifier predicts')
    report.add_argument('--positive-label', metavar='VALUE',
                        help='the favourable target value (needed when the target has more '
                        'than two values)')
    report.add_argument('--validation', metavar='FILE',
                        help='real rows the synthesizer never saw, to test classifiers on '
                        '(default: 30%% of the real table is held out)')
    report.add_argument('-m', '--metadata', metavar='JSON',
                        help='SDV metadata file (default: detected from the real data)')
    report.add_argument('--classifier', default=None,
                        choices=['HistGradientBoosting', 'RandomForest', 'LogisticRegression',
                                 'XGBoost'],
                        help='downstream classifier (default: HistGradientBoosting)')
    report.add_argument('--min-group-size', type=int, metavar='N',
                        help='fewest rows a sensitive group may have (for equalized odds: '
                        'positive and negative rows in the validation data) to be measured '
                        '(default: 5)')
    report.add_argument('-o', '--output', metavar='JSON', help='also save the scores as JSON')

    bench = add('benchmark', 'Benchmark FairDistill, its ablations and SDV synthesizers on '
                'Adult, COMPAS and German Credit.', command_benchmark)
    bench.add_argument('--quick', action='store_true',
                       help='small data, few epochs, two seeds: minutes, for a smoke test '
                       '(default: the full benchmark, hours on a CPU)')
    bench.add_argument('--datasets', nargs='+', metavar='NAME',
                       help='subset of: adult compas german')
    bench.add_argument('--generators', nargs='+', metavar='NAME',
                       help="subset of the generators (quote names with spaces, e.g. "
                       "'FairDistill (teacher)')")
    bench.add_argument('--seeds', nargs='+', type=int, metavar='SEED', help='seeds to run')
    bench.add_argument('--num-rows', type=int, metavar='N', help='rows per dataset at most')
    bench.add_argument('--classifier',
                       choices=['HistGradientBoosting', 'LogisticRegression', 'RandomForest'],
                       help='downstream classifier')
    bench.add_argument('--no-sweep', action='store_true',
                       help='skip the fairness_weight sweep (no trade-off curve)')
    bench.add_argument('--sweep-datasets', nargs='+', metavar='NAME',
                       help='datasets of the sweep (default: adult)')
    bench.add_argument('--sweep-seeds', nargs='+', type=int, metavar='SEED',
                       help='seeds of the sweep (default: the mode\'s)')
    bench.add_argument('--sweep-weights', nargs='+', type=float, metavar='W',
                       help='fairness_weight values of the sweep (default: 0 100 300 1000 3000)')
    bench.add_argument('--merge', nargs='+', metavar='DIR',
                       help='run nothing: combine the results.json of earlier runs (e.g. one '
                       'dataset each) into one table in --output')
    bench.add_argument('--gpu', action='store_true', help='train on a CUDA GPU if there is one')
    bench.add_argument('-o', '--output', default='benchmark_results', metavar='DIR',
                       help='where to write results.json, results.md, tradeoff.html '
                       '(default: %(default)s)')

    demo = add('demo', 'Fit, sample and report on the bundled Adult data, showing the '
               'commands it runs.', command_demo)
    demo.add_argument('--fast', action='store_true',
                      help='1,500 rows and 3 epochs: seconds, to check the installation')
    demo.add_argument('--num-rows', type=int, default=10000, metavar='N',
                      help='Adult rows to use without --fast (default: %(default)s)')
    demo.add_argument('--seed', type=int, default=0, help='seed (default: %(default)s)')
    demo.add_argument('-o', '--output', default='fairdistill_demo', metavar='DIR',
                      help='where the tables, synthesizer and report go (default: %(default)s)')
    return parser


def _dispatch(args):
    return args.function(args)


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


def main(argv=None):
    """Run the command line; return the exit code (0 ok, 2 bad input, 1 failed cells)."""
    parser = build_parser()
    args = parser.parse_args(argv)
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
