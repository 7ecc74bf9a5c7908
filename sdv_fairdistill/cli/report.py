"""The ``report`` command: SDMetrics' quality report and the fairness report of synthetic data."""

import json
import re
import warnings
from contextlib import contextmanager
from pathlib import Path

from sdv_fairdistill.cli._base import (
    COMMON_WORDS,
    CLIError,
    _one_line,
    _say,
    check_classifier,
    reworded,
)
from sdv_fairdistill.cli._io import (
    _table_name,
    check_columns,
    check_not_an_input,
    check_writable,
    load_metadata,
    metadata_numbers,
    positive_label_of,
    read_table,
    same_datetimes,
)
from sdv_fairdistill.metrics._tables import check_metadata_columns


#: The report's advice about its other arguments, as the command line says it.
REPORT_WORDS = {
    r"Use None or 'demographic_parity'": 'Leave out --criterion or use demographic_parity',
    r'classifier= applies to class labels: leave it None': (
        '--classifier applies to class labels: leave it out'),
    **COMMON_WORDS,
}


def _report_vocabulary(args):
    """The report's Python names (parameters, tables) and what the user typed for them."""
    names = {
        'min_group_size': '--min-group-size',
        'positive_label': '--positive-label',
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
    message = reworded(message, REPORT_WORDS)
    for pattern, words in vocabulary.items():
        message = re.sub(pattern, lambda _, words=words: words, message)
    return message


@contextmanager
def _worded_warnings(vocabulary):
    """The report's warnings, as its errors, with the CLI's options and files for Python's
    names (``real_validation_data`` is the --validation file)."""
    show = warnings.showwarning

    def worded(message, category, filename, lineno, file=None, line=None):
        show(_in_cli_words(str(message), vocabulary), category, filename, lineno, file, line)

    warnings.showwarning = worded
    try:
        yield
    finally:
        warnings.showwarning = show


def _warn_disjoint_categories(args, real, synthetic, table_metadata):
    """Warn about a categorical column whose synthetic values share none with the real ones
    (True against 'True', '01' against 1): SDMetrics scores them as different categories.
    The sensitive and target columns are checked, and refused, by the fairness report.
    Returns the columns whose values differ as text too: the fairness report's classifier
    would warn about them again, so this warning says its consequence as well."""
    different = []
    for column, spec in table_metadata['columns'].items():
        if spec.get('sdtype') not in ('categorical', 'boolean') or column in (
                *args.sensitive, args.target):
            continue
        ours, theirs = real[column].dropna(), synthetic[column].dropna()
        if ours.empty or theirs.empty or ours.isin(set(theirs)).any():
            continue
        alike = ours.astype(str).isin(set(theirs.astype(str))).any()
        # numpy scalars as Python's (np.True_ -> True), as a user would write them
        plain = [value.item() if hasattr(value, 'item') else value
                 for value in (theirs.iloc[0], ours.iloc[0])]
        also = ('' if alike else ', and the fairness report\'s classifier, trained on one, '
                'reads every value of the other as an unseen category')
        if not alike:
            different.append(column)
        warnings.warn(
            f"'{args.synthetic}'[{column!r}] shares no value with '{args.real}'[{column!r}] "
            f'(e.g. {plain[0]!r} against {plain[1]!r}'
            f"{', the same text as another type' if alike else ''}): the quality report "
            f'counts them as different categories{also}. Write both files with the same values.'
        )
    return different


def _quality_report(real, synthetic, metadata, verbose):
    from sdmetrics.reports import QualityReport

    name = _table_name(metadata)
    report = QualityReport()
    report.generate({name: real}, {name: synthetic[list(real.columns)]}, metadata.to_dict(),
                    verbose=verbose)
    return report


def _latent_synthesizers(args, real):
    """``[(file name, synthesizer)]`` of ``--synthesizer`` and ``--compare``, loaded
    and checked against the real table before any report is computed."""
    from sdv.utils import load_synthesizer

    synthesizers = []
    for option in ('synthesizer', 'compare'):
        path = getattr(args, option)
        if path is None:
            continue
        try:
            synthesizer = load_synthesizer(path)
        except Exception as error:  # noqa: BLE001 (any unreadable pickle)
            raise CLIError(f"--{option} '{path}' is not a saved synthesizer: {_one_line(error)}")
        if not hasattr(synthesizer, 'get_latent_plot'):
            raise CLIError(f"--{option} '{path}' is a {type(synthesizer).__name__}, not a "
                           'FairDistillSynthesizer: it has no latent space to show.')
        lacking = [c for c in synthesizer._get_table_metadata().columns if c not in real]
        if lacking:
            raise CLIError(f"--{option} '{path}' was fitted on columns that '{args.real}' "
                           f'lacks: {lacking}. Give the synthesizer fitted on this table.')
        synthesizers.append((Path(path).name, synthesizer))
    return synthesizers


def _latent_figures(args, real, synthesizers):
    """The latent view of ``--synthesizer`` (beside ``--compare``), on the real rows."""
    names = tuple(f'{name} (fairness_weight={s.fairness_weight:g})'
                  for name, s in synthesizers)
    try:
        figure = synthesizers[0][1].get_latent_plot(
            real, method=args.latent_method,
            compare_to=synthesizers[1][1] if len(synthesizers) > 1 else None, names=names,
        )
    except ValueError as error:  # SDV's SynthesizerInputError is a ValueError
        raise CLIError(f'latent view (--synthesizer, --compare): {_one_line(error)}')
    return {'Latent view: the fair part of the student latent, by sensitive group': figure}


def _write_html(args, fairness, quality, real, metadata, synthesizers):
    extra = _latent_figures(args, real, synthesizers) if synthesizers else {}
    try:
        Path(args.html).parent.mkdir(parents=True, exist_ok=True)
        fairness.save_html(args.html, quality_report=quality, extra_figures=extra,
                           title=f'Fairness report: {Path(args.synthetic).name}',
                           quality_table=_table_name(metadata))
    except OSError as error:
        raise CLIError(f"cannot write '{args.html}': {error.strerror or _one_line(error)}")
    _say(args, f'Saved the HTML report to {args.html}')


def command_report(args):
    from sdv_fairdistill.metrics import FairnessReport

    inputs = {'the real table': args.real, 'the synthetic table': args.synthetic,
              '--validation': args.validation, '--metadata': args.metadata,
              '--synthesizer': args.synthesizer, '--compare': args.compare}
    check_not_an_input(args.output, '--output', {**inputs, '--html': args.html})
    check_not_an_input(args.html, '--html', inputs)
    if args.output:
        check_writable(args.output, '--output')
    if args.html:
        check_writable(args.html, '--html')
    if (args.synthesizer or args.compare) and not args.html:
        raise CLIError('--synthesizer and --compare add the latent view to the HTML report: '
                       'add --html FILE.')
    if args.compare and not args.synthesizer:
        raise CLIError('--compare needs --synthesizer (the synthesizer it is compared with).')
    if args.min_group_size is not None and args.min_group_size < 1:
        raise CLIError(f'--min-group-size must be at least 1, got {args.min_group_size}')
    check_classifier(args.classifier)
    real = read_table(args.real, metadata_numbers(args.metadata))
    # The other files read the real file's code columns as text too (whatever they hold).
    codes = real.attrs.get('text_codes', [])
    synthetic = read_table(args.synthetic, as_text=codes)
    validation = read_table(args.validation, as_text=codes) if args.validation else None
    # Dates of a Parquet file beside the same dates as text in a CSV: compared as dates.
    synthetic = same_datetimes(real, synthetic)
    real = same_datetimes(synthetic, real)
    validation = same_datetimes(real, validation) if validation is not None else None
    for path, table in ((args.real, real), (args.synthetic, synthetic),
                        (args.validation, validation)):
        if table is not None and table.empty:  # before the quality report averages nothing
            raise CLIError(f"'{path}' has no rows: give a table with rows")
    columns = [*args.sensitive, args.target]
    check_columns(real, args.sensitive, args.real, '--sensitive')
    check_columns(real, [args.target], args.real, '--target')
    check_columns(synthetic, list(real.columns), args.synthetic, 'synthetic data')
    # Before the reports' minutes of work, not after them.
    synthesizers = _latent_synthesizers(args, real) if args.synthesizer else []
    if validation is not None:
        check_columns(validation, columns, args.validation, '--validation')
    metadata = load_metadata(args.metadata, real, Path(args.real).name.split('.')[0])
    table_metadata = metadata.to_dict()['tables'][_table_name(metadata)]
    try:  # before SDMetrics' QualityReport, which says neither the file nor the column
        check_metadata_columns(table_metadata, real, f"'{args.real}'")
    except ValueError as error:
        raise CLIError(f'--metadata {args.metadata}: {_one_line(error)}')
    positive_label = positive_label_of(args.positive_label, real[args.target])
    verbose = not args.quiet

    said = _warn_disjoint_categories(args, real, synthetic, table_metadata)
    _say(args, 'Quality report (SDMetrics):')
    quality = _quality_report(real, synthetic, metadata, verbose)
    _say(args, 'Fairness report:')
    fairness = FairnessReport(
        fairness_criterion=args.criterion,
        explain=args.explain,
        **({} if args.min_group_size is None else {'min_group_size': args.min_group_size}),
    )
    vocabulary = _report_vocabulary(args)
    try:
        with _worded_warnings(vocabulary), warnings.catch_warnings():
            for column in said:  # warned about above, with this consequence: once is enough
                warnings.filterwarnings('ignore', message=re.escape(
                    f'synthetic_data[{column!r}] shares no value with real_data['))
            fairness.generate(
                real, synthetic, metadata,
                sensitive_columns=args.sensitive, target_column=args.target,
                positive_label=positive_label, real_validation_data=validation,
                classifier=args.classifier, verbose=verbose,
            )
    except ValueError as error:
        raise CLIError(_in_cli_words(_one_line(error), vocabulary))

    summary = fairness.get_summary()
    print(f'Quality score:  {quality.get_score():.3f}')
    info = fairness.get_info()
    print(f"Fairness score: {fairness.get_score():.3f} (sqrt of fairness x utility; fairness: "
          f"{info['fairness']})")
    if info.get('target_kind') == 'class label':  # which class the rates count, always said
        how = ('--positive-label' if args.positive_label is not None else
               "the larger of its two values; choose the other with --positive-label")
        print(f"Positive label: {info['positive_label']!r} of '{args.target}' ({how})")
    elif args.explain:  # a number: nothing would say why the attribution rows are absent
        print(f"Explanations: none for the number '{args.target}' (computed for class labels)")
    print(fairness.get_properties().to_string(index=False))
    print(summary.to_string(index=False))
    if args.html:
        _write_html(args, fairness, quality, real, metadata, synthesizers)
    if args.output:
        payload = {
            'quality_score': quality.get_score(),
            'quality_properties': quality.get_properties().to_dict(orient='records'),
            'fairness_score': fairness.get_score(),
            'fairness_criterion': args.criterion,
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
