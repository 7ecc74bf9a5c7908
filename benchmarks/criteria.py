"""The three fairness criteria side by side, with fairlearn's constrained classifiers as ceilings.

For each dataset, metadata (curated, SDV-detected) and seed, on the benchmark's split and with
its evaluator (HistGradientBoosting trained on the table, scored on the real test rows):

* FairDistill with ``fairness_criterion`` = 'demographic_parity', 'equalized_odds' and
  'equal_opportunity' (defaults otherwise), optionally at several ``fairness_weight`` values
  (the frontier);
* reference rows that are not generators: fairlearn's ``ExponentiatedGradient`` trained on the
  real training rows (same features, same HistGradientBoosting) under a
  ``DemographicParity``, ``EqualizedOdds`` and ``TruePositiveRateParity`` constraint.

    python benchmarks/criteria.py --datasets compas --seeds 0 1 2 3 4 \
        -o benchmarks/results/criteria/compas.json
"""

import argparse
import json
import time
import warnings


CRITERIA = ('demographic_parity', 'equalized_odds', 'equal_opportunity')
SCORES = ('accuracy', 'f1', 'auroc', 'dp_difference', 'eo_difference', 'tpr_difference', 'label_gap')


def _setup(dataset_name, metadata_kind, seed, num_rows):
    from sdv.metadata import Metadata

    from sdv_fairdistill.benchmark import Evaluator, split_dataset
    from sdv_fairdistill.datasets import get_dataset

    dataset = get_dataset(dataset_name)
    train, test, curated = split_dataset(dataset, num_rows, 0.3, seed)
    metadata = (
        Metadata.detect_from_dataframes({dataset.table_name: train})
        if metadata_kind == 'detected' else curated
    )
    evaluator = Evaluator(train, test, curated, dataset, random_state=seed)
    return dataset, train, metadata, evaluator


def _largest(errors):
    """The largest of a diagnostics dict of per-group errors; None if absent or not finite
    (a group not measured), which JSON cannot hold."""
    if not errors:
        return None
    largest = max(errors.values())
    return largest if largest < float('inf') else None


def fairdistill_rows(dataset, train, metadata, evaluator, seed, criterion, weight,
                     paired=False, **options):
    """One row of a FairDistill fit; with ``paired`` and calibration offsets, a second row of
    the same fit sampled without them."""
    from sdv_fairdistill.benchmark.generators import seed_everything
    from sdv_fairdistill.synthesizers.tabular import FairDistillSynthesizer

    seed_everything(seed)
    synthesizer = FairDistillSynthesizer(
        metadata,
        sensitive_columns=list(dataset.sensitive_columns),
        target_column=dataset.target_column,
        fairness_criterion=criterion,
        positive_label=dataset.positive_label,
        fairness_weight=weight,
        seed=seed,
        **options,
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        synthesizer.fit({dataset.table_name: train})
    seconds = time.perf_counter() - start
    synthetic = synthesizer.sample(len(train))[dataset.table_name]
    scores = {**evaluator.tstr(synthetic), **evaluator.label_gap(synthetic)}
    diagnostics = synthesizer.get_fairness_diagnostics()
    row = {'generator': f'FairDistill ({criterion})', 'fairness_weight': weight, **options,
           'label_source': diagnostics.get('label_source'),
           'largest_offset_error': _largest(diagnostics.get('target_offset_errors')),
           # Under the error-rate criteria: the label from the features tried and not kept.
           'largest_declined_error': _largest(diagnostics.get('label_from_features_errors')),
           'fit_seconds': seconds, **scores}
    if not paired or synthesizer._model.target_offsets is None:
        return [row]
    # The same fit without the calibration's offsets: what the calibration changed.
    synthesizer._model.target_offsets = None
    synthesizer.reset_sampling()
    synthetic = synthesizer.sample(len(train))[dataset.table_name]
    scores = {**evaluator.tstr(synthetic), **evaluator.label_gap(synthetic)}
    return [row, {**row, 'generator': f'FairDistill ({criterion}, offsets removed)', **scores}]


def fairlearn_row(evaluator, train, seed, criterion):
    """fairlearn's reductions approach on the real rows: the in-processing ceiling."""
    from sdv_fairdistill.benchmark.ceilings import ceiling_name, fairlearn_ceiling

    start = time.perf_counter()
    scores = fairlearn_ceiling(evaluator, train, criterion, random_state=seed)
    seconds = time.perf_counter() - start
    return {'generator': ceiling_name(criterion), 'fit_seconds': seconds, **scores}


def table(rows):
    """Markdown: per dataset, metadata and generator, the mean and the worst seed."""
    import pandas as pd

    frame = pd.DataFrame([row for row in rows if 'error' not in row])
    if 'fairness_weight' not in frame:  # only reference rows
        frame['fairness_weight'] = 0.0
    frame['fairness_weight'] = frame['fairness_weight'].fillna(0.0)
    if 'label_from_features' in frame:  # its own row, beside the default's
        chosen = frame['label_from_features'].eq(True)
        frame.loc[chosen, 'generator'] += ', label_from_features=True'
    if 'label_source' in frame:  # which label each fit drew, where the default chose
        sources = frame.groupby(['dataset', 'metadata', 'generator'], sort=False)['label_source']
        frame['generator'] += sources.transform(
            lambda column: '' if column.isna().all() else ', label: ' + ' / '.join(
                f'{source} x{count}' for source, count in column.value_counts().items()))
    lines = ['| dataset | metadata | generator | weight | seeds | accuracy | AUROC | DP diff. '
             '(mean / worst) | EO diff. (mean / worst) | TPR diff. (mean / worst) |',
             '|---|---|---|---|---|---|---|---|---|---|']
    keys = ['dataset', 'metadata', 'generator', 'fairness_weight']
    for key, group in frame.groupby(keys, sort=False):
        def pair(column):
            return f'{group[column].mean():.3f} / {group[column].max():.3f}'
        weight = '' if key[3] == 0 else f'{key[3]:g}'
        lines.append(
            f'| {key[0]} | {key[1]} | {key[2]} | {weight} | {len(group)} | '
            f"{group['accuracy'].mean():.3f} | {group['auroc'].mean():.3f} | "
            f"{pair('dp_difference')} | {pair('eo_difference')} | {pair('tpr_difference')} |"
        )
    return '\n'.join(lines)


def plot(rows, path):
    """DP difference against EO difference of every run, one colour per criterion: the
    conflict between the criteria, and each one's frontier over ``fairness_weight``."""
    import plotly.graph_objects as go

    figure = go.Figure()
    names = sorted({row['generator'] for row in rows if 'error' not in row})
    for name in names:
        chosen = [row for row in rows if row['generator'] == name and 'error' not in row]
        figure.add_trace(go.Scatter(
            x=[row['dp_difference'] for row in chosen],
            y=[row['eo_difference'] for row in chosen],
            mode='markers',
            name=name,
            text=[f"{row['dataset']} {row['metadata']} seed {row['seed']} "
                  f"weight {row.get('fairness_weight')} acc {row['accuracy']:.3f}" for row in chosen],
        ))
    figure.update_layout(
        title='Downstream DP difference against EO difference (real test rows)',
        xaxis_title='demographic-parity difference', yaxis_title='equalized-odds difference',
    )
    figure.write_html(path, include_plotlyjs='cdn')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--datasets', nargs='+', default=['compas'])
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument('--metadata', nargs='+', default=['detected', 'curated'])
    parser.add_argument('--criteria', nargs='+', default=list(CRITERIA))
    parser.add_argument('--weights', nargs='+', type=float, default=[300.0])
    parser.add_argument('--num-rows', type=int, default=None)
    parser.add_argument('--no-fairlearn', action='store_true')
    parser.add_argument('--only-fairlearn', action='store_true')
    parser.add_argument('--balance-target', action=argparse.BooleanOptionalAction, default=None,
                        help="FairDistill's balance_target (default: the synthesizer's)")
    parser.add_argument('--label-from-features', action=argparse.BooleanOptionalAction,
                        default=None, help="FairDistill's label_from_features (default: the "
                        "synthesizer's)")
    parser.add_argument('--paired-offsets', action='store_true',
                        help='also score each calibrated fit sampled without its offsets')
    parser.add_argument('-o', '--output', required=True)
    parser.add_argument('--plot', nargs='+', metavar='JSON',
                        help='only draw the DP-against-EO plot of these result files to OUTPUT')
    parser.add_argument('--table', nargs='+', metavar='JSON',
                        help='only write the mean / worst-seed table of these files to OUTPUT')
    args = parser.parse_args()
    if args.plot or args.table:
        rows = [row for path in (args.plot or args.table) for row in json.load(open(path))]
        if args.plot:
            plot(rows, args.output)
        else:
            with open(args.output, 'w') as handle:
                handle.write(table(rows) + '\n')
        return
    import torch

    torch.set_num_threads(1)
    rows = []
    for name in args.datasets:
        for kind in args.metadata:
            for seed in args.seeds:
                dataset, train, metadata, evaluator = _setup(name, kind, seed, args.num_rows)
                base = {'dataset': name, 'metadata': kind, 'seed': seed}
                cells = [] if args.only_fairlearn else [
                    ('fd', c, w) for c in args.criteria for w in args.weights
                ]
                if not args.no_fairlearn and kind == args.metadata[0]:
                    cells += [('fl', c, None) for c in args.criteria]
                for family, criterion, weight in cells:
                    try:
                        if family == 'fd':
                            options = {
                                name: value for name, value in (
                                    ('balance_target', args.balance_target),
                                    ('label_from_features', args.label_from_features),
                                ) if value is not None
                            }
                            new_rows = fairdistill_rows(
                                dataset, train, metadata, evaluator, seed, criterion, weight,
                                paired=args.paired_offsets, **options)
                        else:
                            new_rows = [fairlearn_row(evaluator, train, seed, criterion)]
                    except Exception as error:  # noqa: BLE001 -- a failed cell is recorded
                        new_rows = [{'generator': f'{family} {criterion}', 'error': repr(error)}]
                    for row in new_rows:
                        row = {**base, 'criterion': criterion, **row}
                        rows.append(row)
                        shown = (*base, 'generator', 'fairness_weight', 'balance_target', 'label_from_features',
                                 'fit_seconds', 'error', *SCORES)
                        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v
                                          for k, v in row.items() if k in shown}), flush=True)
                    with open(args.output, 'w') as handle:
                        json.dump(rows, handle, indent=1)


if __name__ == '__main__':
    main()
