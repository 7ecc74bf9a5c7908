"""The ``fit`` and ``sample`` commands: train and save a synthesizer, sample a saved one."""

import inspect
import re
import secrets
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

from sdv_fairdistill.cli import _torchrun
from sdv_fairdistill.cli._base import COMMON_WORDS, MAX_SEED, CLIError, _one_line, _say, reworded
from sdv_fairdistill.cli._parquet import header, read_fit_table
from sdv_fairdistill.cli._io import (
    _suffix,
    _table_name,
    check_columns,
    check_output_table,
    check_not_an_input,
    check_writable,
    load_metadata,
    metadata_numbers,
    positive_label_of,
    write_table,
)

#: The synthesizer parameters fit's options set (passed through as given).
FIT_OPTIONS = {
    'fairness_weight': '--fairness-weight',
    'fairness_criterion': '--criterion',
    'positive_label': '--positive-label',
    'epochs': '--epochs',
    'distill_epochs': '--distill-epochs',
    'batch_size': '--batch-size',
    'latent_dim': '--latent-dim',
    'encode_target': '--encode-target',
    'balance_target': '--balance-target',
    'align_target': '--align-target',
    'calibrate_target': '--calibrate-target',
    'label_from_features': '--label-from-features',
    'label_sharpness': '--label-sharpness',
    'label_repair': '--label-repair',
}


#: The synthesizer's advice in Python words (regular expressions), as the command line says it.
CLI_WORDS = {
    re.escape('pass target_column=None if there is no label'):
        'leave out --target if there is no label',
    re.escape('pass target_column=,'): 'pass --target,',
    re.escape('lower fair_latent_dim or raise latent_dim'): 'raise --latent-dim',
    r'mark it categorical in the metadata \(metadata\.update_column\([^)]*\)\)':
        'mark it categorical in the metadata file ("sdtype": "categorical"; without '
        '--metadata, the one saved next to --output) and pass it with --metadata',
    re.escape('The target_column '): 'The --target column ',
    re.escape('(label_from_features=None or True)'): '(without --no-label-from-features)',
    re.escape('Leave label_repair=1.'): 'Leave out --label-repair.',
    re.escape('needs target_column= and label_from_features=None or True'):
        'needs --target and no --no-label-from-features',
    re.escape(': leave label_repair=1.'): ': leave out --label-repair.',
    r'\blabel_repair=([\d.]+)': r'--label-repair \1',
    re.escape('fairness_weight > 0'): '--fairness-weight above 0',
    r'\bfairness_weight=([\d.]+)': r'--fairness-weight \1',
    r'\bsensitive_columns\b': '--sensitive',
    **COMMON_WORDS,
    # The command line converts the text it is given: the type hint is Python's.
    r"; \d+ is not '\d+'\)": ')',
    # The parameter's own check: on the command line, None is leaving the option out.
    r'(must be an integer of at least \d+) or None': r'\1',
    re.escape('use align_target=None or False'): 'leave out --align-target or pass '
    '--no-align-target',
    r'\balign_target=True\b': '--align-target',
}


def _name_fit_options(error, given):
    """Prefix the options behind a SynthesizerInputError (it names the Python parameter), and
    word its advice with the command line's options."""
    message = _one_line(error)
    message = reworded(message, CLI_WORDS)
    names = {**FIT_OPTIONS, 'seed': '--seed'}
    named = [
        names[name] if isinstance(value, bool) else f'{names[name]} {value}'
        for name, value in given.items()
        if re.search(rf'(?<![\w-]){name}(?!\w)', message)
    ]
    return f"{', '.join(named)}: {message}" if named else message


def command_fit(args):
    from sdv.errors import InvalidDataError, SynthesizerInputError
    from sdv.single_table import FairDistillSynthesizer

    # Before reading and training: a path that cannot be written would waste the whole fit.
    check_not_an_input(args.output, '--output', {'the table': args.data,
                                                 '--metadata': args.metadata})
    check_writable(args.output, '--output')
    distributed = _torchrun.in_torchrun()
    if args.nproc_per_node is not None and not distributed:
        _check_processes(args, FairDistillSynthesizer)
        if args.nproc_per_node > 1:
            return _torchrun.launch(args)
    if distributed and _torchrun.rank() != 0:
        args.quiet = True  # one voice: rank 0's messages, warnings and progress bars
        warnings.simplefilter('ignore')
    if args.metadata is None:  # the detected metadata is saved next to the synthesizer
        check_writable(f'{args.output}.metadata.json', '--output')
    data, streamed = read_fit_table(args.data, args.sample_rows, args.seed,
                                    metadata_numbers(args.metadata))
    check_columns(data, args.sensitive, args.data, '--sensitive')
    if args.target is not None:
        check_columns(data, [args.target], args.data, '--target')
    table_name = args.table_name or Path(args.data).name.split('.')[0]
    metadata = load_metadata(args.metadata, data, table_name,
                             part_of_table=streamed is not None and len(data) < streamed.num_rows)
    if args.table_name and args.metadata and _table_name(metadata) != args.table_name:
        # The metadata file names its table: a different --table-name would be ignored.
        raise CLIError(f"--table-name {args.table_name} is not the table of --metadata "
                       f"{args.metadata} ('{_table_name(metadata)}'): drop --table-name or "
                       'give that name')
    if args.positive_label is not None:
        if args.target is None:
            raise CLIError('--positive-label needs --target (the column it is a class of).')
        args.positive_label = positive_label_of(args.positive_label, data[args.target])
    if args.metadata is None and _torchrun.rank() == 0:
        # Saved first: a refusal that asks for another sdtype then has a file to edit.
        metadata_path = Path(f'{args.output}.metadata.json')
        metadata_path.parent.mkdir(parents=True, exist_ok=True)
        metadata_path.unlink(missing_ok=True)  # SDV refuses to overwrite
        metadata.save_to_json(metadata_path)
        _say(args, f'Detected metadata saved to {metadata_path} (check it; pass it back with '
                   '--metadata)')
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
    rows = len(data) if streamed is None else streamed.num_rows
    how = '' if streamed is None else ', read in batches'
    _say(args, f'Fitting FairDistillSynthesizer on {rows:,} rows of {args.data}{how} ...')
    start = time.perf_counter()
    # A Parquet table is streamed from its path; anything else is fitted as a DataFrame.
    source = {_table_name(metadata): data} if streamed is None else streamed.path
    try:
        if distributed:  # each process trains on its shard of the rows
            from sdv_fairdistill.synthesizers._distributed import fit_distributed

            fit_distributed(synthesizer, source)
        elif streamed is not None:
            synthesizer.fit_from_parquet(source)
        else:
            synthesizer.fit(source)
    except (SynthesizerInputError, InvalidDataError) as error:
        raise CLIError(_name_fit_options(error, given))
    if _torchrun.rank() != 0:  # every process holds the same fitted model: rank 0 saves it
        return 0
    try:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        synthesizer.save(args.output)
    except OSError as error:  # checked before fitting; this is the race that is left
        raise CLIError(f"cannot write '{args.output}': {error.strerror or _one_line(error)}")
    _say(args, f'Fitted in {time.perf_counter() - start:.1f} s; saved to {args.output}')
    return 0


def _check_processes(args, synthesizer_class):
    """``--nproc-per-node`` against ``--batch-size``, before torchrun starts anything."""
    processes = args.nproc_per_node
    if processes < 1:
        raise CLIError(f'--nproc-per-node must be at least 1, got {processes}')
    if not Path(args.data).exists():  # said once here, not once by every process
        raise CLIError(f"no such file or folder: '{args.data}'")
    columns = header(args.data, args.sample_rows)
    check_columns(columns, args.sensitive, args.data, '--sensitive')
    if args.target is not None:
        check_columns(columns, [args.target], args.data, '--target')
    batch_size = args.batch_size or (
        inspect.signature(synthesizer_class).parameters['batch_size'].default
    )
    if batch_size // processes < 2:
        raise CLIError(
            f'--batch-size {batch_size} gives each of the {processes} processes fewer than 2 '
            f'rows a step (the global batch is split between them): give --batch-size '
            f'{2 * processes} or more'
        )


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
    check_not_an_input(args.output, '--output', {'the synthesizer': args.synthesizer})
    check_output_table(args.output)
    check_writable(args.output, '--output')
    if args.num_rows < 1:
        raise CLIError(f'--num-rows must be at least 1, got {args.num_rows}')
    if args.batch_size is not None and args.batch_size < 1:
        raise CLIError(f'--batch-size must be at least 1, got {args.batch_size}')
    if args.seed is not None and not 0 <= args.seed <= MAX_SEED:
        raise CLIError(f'--seed must be between 0 and {MAX_SEED}, got {args.seed}')
    synthesizer = _load_synthesizer(args.synthesizer)
    # SDV restarts a loaded synthesizer's random state at one fixed seed, so every run would
    # write the same rows. Without --seed draw a fresh one (and tell it, to repeat the run).
    # SDV has no public setter: _set_random_state is what its own sampling calls.
    seed = secrets.randbelow(MAX_SEED + 1) if args.seed is None else args.seed
    synthesizer._set_random_state(seed)
    _say(args, f'Sampling {args.num_rows:,} rows (seed {seed}) ...')
    if _suffix(args.output) in ('.parquet', '.pq') and hasattr(synthesizer, 'sample_to_parquet'):
        # Batch by batch into the file: any number of rows in the memory of one batch.
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        batch = {} if args.batch_size is None else {'batch_size': args.batch_size}
        written = synthesizer.sample_to_parquet(
            args.num_rows, args.output, show_progress_bar=not args.quiet, **batch
        )
        _say(args, f'Wrote {written:,} rows to {args.output}')
        return 0
    batch = {} if args.batch_size is None else {'batch_size': min(args.batch_size, args.num_rows)}
    with _progress_bars_hidden(args.quiet):
        sampled = synthesizer.sample(args.num_rows, **batch)
    table = next(iter(sampled.values())) if isinstance(sampled, dict) else sampled
    write_table(table, args.output)
    _say(args, f'Wrote {len(table):,} rows to {args.output}')
    return 0


@contextmanager
def _progress_bars_hidden(hidden):
    """Hide tqdm's bars while ``hidden`` (``--quiet``): SDV's ``sample`` shows one whenever it
    samples in batches and has no option to hide it."""
    if not hidden:
        yield
        return
    import tqdm

    shown = tqdm.tqdm.__init__

    def quiet(self, *args, **kwargs):
        shown(self, *args, **{**kwargs, 'disable': True})

    tqdm.tqdm.__init__ = quiet
    try:
        yield
    finally:
        tqdm.tqdm.__init__ = shown
