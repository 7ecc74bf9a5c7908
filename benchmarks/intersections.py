"""Fairness over many groups on Adult (sensitive sex x race, or other columns): each fit
sampled without and with the target alignment, scored over the groups with at least 100 real
test rows.

    python benchmarks/intersections.py --seeds 0 1 2 -o benchmarks/results/intersections/default.json
    python benchmarks/intersections.py --seeds 0 1 2 --joint-only \
        -o benchmarks/results/intersections/joint_only.json
    python benchmarks/intersections.py --sensitive race --seeds 0 1 2 \
        -o benchmarks/results/intersections/race_only.json

``--joint-only`` drops the per-column penalty terms (the penalty on the joint groups alone, as
before they were added). The split, the classifier and the fit are the benchmark's
(``adult_intersectional``); one synthetic table of the training table's size per fit and
setting, drawn with the same sampling seed. Per row: accuracy, F1, AUROC, ``dp_large`` (DP
difference over the large groups), ``label_span_large`` (spread of the generated label rates
of those groups), and both per group.
"""

import argparse
import json
import time
import warnings

import numpy as np


def run(seed, joint_only, sensitive):
    from fairlearn.metrics import MetricFrame, selection_rate

    from sdv_fairdistill.benchmark import Evaluator, split_dataset
    from sdv_fairdistill.benchmark.generators import seed_everything
    from sdv_fairdistill.core.model import FairDistillModel
    from sdv_fairdistill.datasets import get_dataset
    from sdv_fairdistill.synthesizers.tabular import FairDistillSynthesizer

    dataset = get_dataset('adult_intersectional')
    columns = list(sensitive or dataset.sensitive_columns)
    train, test, metadata = split_dataset(dataset, None, 0.3, seed)
    seed_everything(seed)
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns=columns, target_column=dataset.target_column, seed=seed
    )
    fit = FairDistillModel.fit
    if joint_only:  # the ablation: the model never hears of the columns' own groups
        FairDistillModel.fit = lambda self, x, y, g, n, column_groups=None: fit(self, x, y, g, n)
    try:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            synthesizer.fit({dataset.table_name: train})
        fit_seconds = time.perf_counter() - start
    finally:
        FairDistillModel.fit = fit
    evaluator = Evaluator(train, test, metadata, dataset, random_state=seed)
    model = synthesizer._model
    y_true = (test[dataset.target_column] == dataset.positive_label).to_numpy()
    groups = _group_names(test, columns)
    large = (groups.map(groups.value_counts()) >= 100).to_numpy()
    rows = []
    for aligned in (False, True):
        model.align_target = aligned
        model.target_alignment = model._fit_alignment(model.density, seed)
        synthesizer.reset_sampling()
        synthetic = synthesizer.sample(len(train))[dataset.table_name]
        result = evaluator.tstr_evaluation(synthetic).task.tstr('synthetic_data')
        frame = MetricFrame(metrics=selection_rate, y_true=y_true[large],
                            y_pred=np.asarray(result.y_pred)[large],
                            sensitive_features=groups[large])
        synthetic_groups = _group_names(synthetic, columns)
        labels = synthetic[dataset.target_column] == dataset.positive_label
        rates = labels.groupby(synthetic_groups).mean()[frame.by_group.index]
        rows.append({
            'seed': seed, 'aligned': aligned, 'joint_only': joint_only, 'sensitive': columns,
            'fit_s': round(fit_seconds, 1), 'accuracy': result.accuracy, 'f1': result.f1,
            'auroc': result.auroc, 'dp_large': float(frame.difference()),
            'label_span_large': float(rates.max() - rates.min()),
            'pred_rates': {k: float(v) for k, v in frame.by_group.items()},
            'syn_rates': {k: float(v) for k, v in rates.items()},
        })
    return rows


def _group_names(table, columns):
    return table[columns].astype(str).agg(', '.join, axis=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--joint-only', action='store_true')
    parser.add_argument('--sensitive', nargs='+', default=None,
                        help='sensitive columns (default: sex race)')
    parser.add_argument('-o', '--output', required=True)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    rows = []
    for seed in args.seeds:
        rows.extend(run(seed, args.joint_only, args.sensitive))
        print(json.dumps(rows[-2:]), flush=True)
        with open(args.output, 'w') as handle:
            json.dump(rows, handle, indent=1)


if __name__ == '__main__':
    main()
