"""The ``report`` command: SDMetrics' quality report and the fairness report of synthetic data."""

import json
import re
from pathlib import Path

from sdv_fairdistill.cli._base import CLIError, _one_line, _say
from sdv_fairdistill.cli._io import (
    _table_name,
    check_columns,
    check_writable,
    load_metadata,
    positive_label_of,
    read_table,
)


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
    positive_label = positive_label_of(args.positive_label, real[args.target])
    verbose = not args.quiet

    _say(args, 'Quality report (SDMetrics):')
    quality = _quality_report(real, synthetic, metadata, verbose)
    _say(args, 'Fairness report:')
    fairness = FairnessReport(
        fairness_criterion=args.criterion,
        **({} if args.min_group_size is None else {'min_group_size': args.min_group_size}),
    )
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
    print(f"Fairness score: {fairness.get_score():.3f} (sqrt of fairness x utility; fairness: "
          f"{fairness.get_info()['fairness']})")
    print(fairness.get_properties().to_string(index=False))
    print(summary.to_string(index=False))
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
