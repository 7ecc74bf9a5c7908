"""Probe: the signed selection-rate gap of downstream models, with and without calibration.

The benchmark reports ``|rate(group 1) - rate(group 2)|`` of one classifier per seed, which
mixes a bias (the gap a downstream model has on average, what a generator can remove) with
the chance of training one classifier on one table. Here, for each seed, one FairDistill fit
(its calibration on, the default) and ``N_TABLES`` tables of ``ROWS`` rows (0: the training
table's size) from the calibrated model and from the same model with its offsets removed;
for each table the benchmark's classifier, and its signed gap (first group in sorted order
minus the second) on the real test rows and on the real training rows.

Usage::

    python benchmarks/probe_signed_gap.py compas 0 10 0 1 2 3 4 curated >> records.jsonl

(dataset, ROWS, N_TABLES, seeds, and optionally the metadata: detected by default). Results: ``benchmarks/results/stability/calibration_probe/``.
"""

import json
import sys
import warnings

import numpy as np

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.benchmark.evaluation import Evaluator
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset
from sdv_fairdistill.datasets import get_dataset


METADATA = 'detected'


def signed_gap(evaluator, table, real):
    """The signed gap of the classifier trained on ``table``, on ``real``, and its AUROC."""
    result = evaluator.tstr_evaluation(table).task.tstr('synthetic_data')
    groups = evaluator.groups(real)
    first, second = sorted(set(groups))[:2]
    gap = result.y_pred[groups == first].mean() - result.y_pred[groups == second].mean()
    return float(gap), result.auroc


def main():
    global METADATA
    warnings.simplefilter('ignore')
    dataset = get_dataset(sys.argv[1])
    if sys.argv[-1] in ('curated', 'detected'):
        METADATA = sys.argv.pop()
    rows, n_tables = int(sys.argv[2]), int(sys.argv[3])
    for seed in [int(value) for value in sys.argv[4:]]:
        train, test, curated = split_dataset(dataset, None, 0.3, seed)
        on_test = Evaluator(train, test, curated, dataset, random_state=seed)
        on_train = Evaluator(train, train, curated, dataset, random_state=seed)
        synthesizer = FairDistillSynthesizer(
            generator_metadata(METADATA, curated, train, dataset),
            sensitive_columns=list(dataset.sensitive_columns),
            target_column=dataset.target_column, seed=seed,
        )
        synthesizer.fit({dataset.table_name: train})
        offsets = synthesizer._model.target_offsets
        for arm, arm_offsets in (('cal', offsets), ('uncal', None)):
            synthesizer._model.target_offsets = arm_offsets
            synthesizer._set_random_state(seed)
            gaps = []
            for _ in range(n_tables):
                table = synthesizer.sample(rows or len(train))[dataset.table_name]
                test_gap, auroc = signed_gap(on_test, table, test)
                gaps.append((test_gap, signed_gap(on_train, table, train)[0], auroc))
            gaps = np.array(gaps)
            print(json.dumps({
                'dataset': sys.argv[1], 'metadata': METADATA, 'seed': seed, 'arm': arm, 'rows': rows or len(train),
                'test_mean': round(gaps[:, 0].mean(), 4), 'test_sd': round(gaps[:, 0].std(), 4),
                'train_mean': round(gaps[:, 1].mean(), 4),
                'abs_test_mean': round(np.abs(gaps[:, 0]).mean(), 4),
                'auroc': round(gaps[:, 2].mean(), 4),
            }), flush=True)
        synthesizer._model.target_offsets = offsets


if __name__ == '__main__':
    main()
