"""Probe: per-group selection rates of the downstream model, for the calibration's shrinkage.

Run at commit 5ca66a3 or before: it varies ``SHRINK_ROWS``, the row-count rule's constant,
which the shrinkage by certainty replaced on 2026-12-05 (``probe_shrinkage_rules.py``
compares the rules on today's code).

For each seed, FairDistill is fitted once per ``--shrink-rows`` value (the calibration's
``SHRINK_ROWS``; the fits are otherwise identical, the calibration runs after the model is
trained), ``--tables`` synthetic tables of the training table's size are drawn, and the
benchmark's classifier trained on each is scored on the real test rows. Per seed and arm:
the DP difference over the groups of 100+ test rows (or all groups with two), each group's
selection rate on the test rows, its label rate in the generated
tables, and the calibration's offsets. JSON lines on stdout.

Usage::

    python benchmarks/probe_group_rates.py compas_races detected 0 1 2 3 4 \\
        --shrink-rows 2000 200 >> records.jsonl
"""

import argparse
import json
import warnings
from unittest import mock

import numpy as np
import pandas as pd

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.benchmark.evaluation import LARGE_GROUP_ROWS, Evaluator
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset
from sdv_fairdistill.core import calibration
from sdv_fairdistill.datasets import get_dataset


def group_rates(predicted, groups):
    return {name: round(float(rate), 4) for name, rate in pd.Series(predicted).groupby(groups).mean().items()}


def run(dataset, metadata_kind, seed, shrink_rows, tables):
    train, test, curated = split_dataset(dataset, None, 0.3, seed)
    evaluator = Evaluator(train, test, curated, dataset, random_state=seed)
    metadata = generator_metadata(metadata_kind, curated, train, dataset)
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns=list(dataset.sensitive_columns),
        target_column=dataset.target_column, seed=seed,
    )
    with mock.patch.object(calibration, 'SHRINK_ROWS', shrink_rows):
        synthesizer.fit({dataset.table_name: train})
    test_groups, train_groups = evaluator.groups(test), evaluator.groups(train)
    counts = pd.Series(test_groups).value_counts()
    large = sorted(counts[counts >= LARGE_GROUP_ROWS].index)
    per_table = []
    for _ in range(tables):
        table = synthesizer.sample(len(train))[dataset.table_name]
        evaluation = evaluator.tstr_evaluation(table)
        model = evaluation.task.tstr('synthetic_data')
        test_rates = group_rates(model.y_pred, test_groups)
        label_rates = group_rates(evaluator.labels(table), evaluator.groups(table))
        large_dp = (  # the benchmark's DP: over groups of 100+ test rows where there are many
            evaluator.tstr_large_groups(table, evaluation)['dp_difference_large_groups']
            if evaluator.many_groups else evaluator.tstr(table, evaluation)['dp_difference']
        )
        per_table.append({
            'dp_large': large_dp, 'test_rates': test_rates,
            'label_rates': label_rates, 'auroc': float(model.auroc),
            'accuracy': float(model.accuracy),
        })
    mean = lambda key: {g: round(float(np.mean([t[key].get(g, np.nan) for t in per_table])), 4)
                        for g in per_table[0][key]}
    offsets = synthesizer._model.target_offsets
    return {
        'dataset': dataset.name, 'metadata': metadata_kind, 'seed': seed,
        'shrink_rows': shrink_rows, 'tables': tables,
        'dp_large': round(float(np.mean([t['dp_large'] for t in per_table])), 4),
        'dp_tables': [round(t['dp_large'], 4) for t in per_table],
        'accuracy': round(float(np.mean([t['accuracy'] for t in per_table])), 4),
        'auroc': round(float(np.mean([t['auroc'] for t in per_table])), 4),
        'large_groups': large, 'test_rows': {g: int(counts[g]) for g in counts.index},
        'train_rows': {g: int(n) for g, n in pd.Series(train_groups).value_counts().items()},
        'test_rates': mean('test_rates'), 'label_rates': mean('label_rates'),
        'real_test_rates': group_rates(evaluator.labels(test), test_groups),
        'offsets': None if offsets is None else [round(float(v), 3) for v in offsets],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('dataset')
    parser.add_argument('metadata', choices=['curated', 'detected'])
    parser.add_argument('seeds', type=int, nargs='+')
    parser.add_argument('--shrink-rows', type=float, nargs='+', default=[calibration.SHRINK_ROWS])
    parser.add_argument('--tables', type=int, default=2)
    args = parser.parse_args()
    warnings.simplefilter('ignore')
    dataset = get_dataset(args.dataset)
    for seed in args.seeds:
        for shrink_rows in args.shrink_rows:
            print(json.dumps(run(dataset, args.metadata, seed, shrink_rows, args.tables)),
                  flush=True)


if __name__ == '__main__':
    main()
