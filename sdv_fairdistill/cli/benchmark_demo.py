"""The ``benchmark`` command (run, or merge earlier runs) and ``demo`` (fit, sample, report)."""

import shlex
from pathlib import Path

from sdv_fairdistill.cli._base import (
    MAX_SEED,
    PROG,
    CLIError,
    _one_line,
    _say,
    check_classifier,
)
from sdv_fairdistill.cli._io import check_writable_folder, write_table


def command_benchmark(args):
    from sdv_fairdistill.benchmark import (
        BenchmarkConfig, BenchmarkResult, check_datasets, run_benchmark,
    )

    output = Path(args.output)
    check_writable_folder(output, '--output')  # before hours of work, not after
    if (output / 'results.json').exists() and not args.overwrite:
        # A run takes hours: replacing one is a choice, not what a repeated command does.
        raise CLIError(f"--output '{output}' already holds a benchmark's results.json: give "
                       'another folder, or --overwrite to replace it.')
    _check_contradictions(args)
    if args.merge:
        # Parts of one benchmark run separately (e.g. one dataset per process) into one table.
        parts = []
        for directory in args.merge:
            path = Path(directory) / 'results.json'
            if not path.is_file():
                raise CLIError(f'{path} does not exist: give directories written by "benchmark".')
            try:
                parts.append(BenchmarkResult.from_json(path.read_text()))
            except ValueError as error:  # a file cut short by an interrupted run, say
                raise CLIError(f'{path} is not a benchmark result: {_one_line(error)}') from None
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
            ('sweep_weights', args.sweep_weights), ('sweep_repairs', args.sweep_repairs),
            ('ceilings', args.ceilings),
            ('metadata', args.metadata),
        )
        if value is not None
    }
    if args.classifier is not None:
        check_classifier(args.classifier)
    if args.no_sweep:
        overrides['sweep_weights'] = overrides['sweep_repairs'] = ()
    if args.no_reference:
        overrides['reference'] = False
    if args.gpu:
        overrides['enable_gpu'] = True
    try:
        config = (BenchmarkConfig.quick if args.quick else BenchmarkConfig.full)(**overrides)
    except ValueError as error:
        raise CLIError(_one_line(error))
    _say(args, f"Benchmark ({'quick' if args.quick else 'full'} mode): "
               f"{', '.join(config.datasets)} x {', '.join(config.generators)}, "
               f"seeds {list(config.seeds)}")
    try:
        check_datasets(config)
    except ValueError as error:
        raise CLIError(_one_line(error))
    result = run_benchmark(config, progress=not args.quiet)
    _write_benchmark(args, result)
    # A cell that failed as a whole; a part the metrics refused (a group too small to
    # measure) is listed in results.md but is no failure of the run.
    records = (*result.records, *result.sweep)
    failed = any(isinstance(record.get('error'), str) for record in records)
    return 1 if failed else 0


#: The options that say what to run (``--merge`` runs nothing) and those of the sweep.
RUN_OPTIONS = ('quick', 'datasets', 'generators', 'seeds', 'num_rows', 'classifier', 'ceilings',
               'metadata', 'no_reference', 'no_sweep', 'sweep_datasets', 'sweep_seeds',
               'sweep_weights', 'sweep_repairs', 'gpu')
SWEEP_OPTIONS = ('sweep_datasets', 'sweep_seeds', 'sweep_weights', 'sweep_repairs')


def _option(name):
    return '--' + name.replace('_', '-')


def _check_contradictions(args):
    """Refuse options that another option given makes meaningless (silently ignored, a
    run would not be what the command line says)."""
    given = [name for name in RUN_OPTIONS if getattr(args, name) not in (None, False)]
    if args.merge and given:
        raise CLIError(f"--merge runs nothing, it combines earlier results: drop "
                       f"{', '.join(_option(name) for name in given)}")
    sweep = [name for name in SWEEP_OPTIONS if getattr(args, name) is not None]
    if args.no_sweep and sweep:
        raise CLIError(f"--no-sweep skips the sweep that {', '.join(map(_option, sweep))} "
                       'configure: drop one or the other')


def _write_benchmark(args, result):
    paths = result.save(args.output)
    print(result.to_markdown())
    _say(args, 'Wrote ' + ', '.join(str(path) for path in paths.values()))


#: The fewest Adult rows the demo runs on (its fast mode takes 1,500).
DEMO_MIN_ROWS = 500


def command_demo(args):
    from sklearn.model_selection import train_test_split

    from sdv_fairdistill.cli.parser import _dispatch, build_parser  # late: the parser imports this

    from sdv_fairdistill.datasets import get_dataset

    spec = get_dataset('adult')
    num_rows = 1500 if args.fast else args.num_rows
    if num_rows < DEMO_MIN_ROWS:
        raise CLIError(f'--num-rows must be at least {DEMO_MIN_ROWS} (the demo holds out 30 % '
                       f'of the rows and fits on the rest), got {num_rows}')
    if not 0 <= args.seed <= MAX_SEED:
        raise CLIError(f'--seed must be between 0 and {MAX_SEED}, got {args.seed}')
    check_writable_folder(args.output, '--output')
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
