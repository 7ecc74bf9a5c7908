"""Probe: the same fit with and without the downstream calibration (``calibrate_target``).

For each seed, one FairDistill fit on the benchmark's split (its calibration on, the default),
then ``--tables`` synthetic tables of each size in ``--rows`` (0: the training table's) from
the calibrated model and as many from the same model with its offsets removed: a paired
comparison, in which the test set's noise is shared by both arms. Large tables show what the
generator's population gives a downstream model; tables of the training table's size add the
chance of training a classifier on few rows (benchmarks/noise_floor.py). Scored by the benchmark's evaluator (TSTR, gradient
boosting). JSON lines on stdout, one per seed and arm (means over the tables, and the worst).

Usage::

    python benchmarks/probe_calibration.py compas detected 0 1 2 3 4 --rows 0 20000 >> records.jsonl

Results: ``benchmarks/results/stability/calibration_probe/``; docs/method.md.
"""

import argparse
import json
import time
import warnings

import numpy as np

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.benchmark.evaluation import Evaluator
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset
from sdv_fairdistill.datasets import get_dataset

SCORES = ('accuracy', 'f1', 'auroc', 'dp_difference', 'dp_difference_large_groups', 'label_gap')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('dataset')
    parser.add_argument('metadata', choices=['curated', 'detected'])
    parser.add_argument('seeds', type=int, nargs='+')
    parser.add_argument('--tables', type=int, default=3)
    parser.add_argument('--rows', type=int, nargs='+', default=[0],
                        help="rows per synthetic table, one arm each (0: the training table's)")
    args = parser.parse_args()
    warnings.simplefilter('ignore')
    dataset = get_dataset(args.dataset)
    for seed in args.seeds:
        train, test, curated = split_dataset(dataset, None, 0.3, seed)
        evaluator = Evaluator(train, test, curated, dataset, random_state=seed)
        synthesizer = FairDistillSynthesizer(
            generator_metadata(args.metadata, curated, train, dataset),
            sensitive_columns=list(dataset.sensitive_columns),
            target_column=dataset.target_column, seed=seed,
        )
        start = time.perf_counter()
        synthesizer.fit({dataset.table_name: train})
        fit_seconds = time.perf_counter() - start
        model = synthesizer._model
        offsets = model.target_offsets
        for rows in args.rows:
            for arm, arm_offsets in (('calibrated', offsets), ('uncalibrated', None)):
                model.target_offsets = arm_offsets
                synthesizer._set_random_state(seed)
                records = []
                for _ in range(args.tables):
                    table = synthesizer.sample(rows or len(train))[dataset.table_name]
                    scores = evaluator.evaluate(table, fidelity=False)
                    records.append({key: float(scores[key]) for key in SCORES if key in scores})
                summary = {
                    name: round(float(np.mean([r[name] for r in records])), 4) for name in records[0]
                }
                # Several sensitive columns: the gap over the large joint groups (the benchmark's).
                key = 'dp_difference_large_groups' if 'dp_difference_large_groups' in records[0] else 'dp_difference'
                summary['dp_tables'] = [round(r[key], 4) for r in records]
                print(json.dumps({
                    'dataset': args.dataset, 'metadata': args.metadata, 'seed': seed, 'arm': arm,
                    'rows': rows or len(train), 'tables': args.tables, **summary,
                    'fit_seconds': round(fit_seconds, 1),
                    'offsets': None if offsets is None else [round(float(v), 3) for v in offsets],
                }), flush=True)
        model.target_offsets = offsets


if __name__ == '__main__':
    main()
