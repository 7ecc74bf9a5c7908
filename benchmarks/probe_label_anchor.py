"""Probe: which label rate the label drawn from the features is anchored at, paired on one
trained model per seed.

Arms (the label's alignment and the calibration refitted on the same trained model, the
sampling reseeded as after a fit, ``tables`` tables scored with the benchmark's Evaluator):

- ``scorer_mean``: each group keeps the classifier's mean on its generated rows (the
  behaviour before 2026-12-07: ``real_class_shares`` patched to give None);
- ``group_rates``: each group moved to its real rows' label rate, then pooled (the default);
- ``pooled_rate``: every group moved to the real pooled rate, then pooled.

Each record also holds the generated label rate of the first table beside the real training
rows' rate (the favourable label, as the Evaluator reads it).

    python benchmarks/probe_label_anchor.py adult detected 0 1 2 \\
        > benchmarks/results/feature_labels/label_anchor/adult_detected.jsonl

(The unseen tables are registered on import, as ``unseen_tables.py --run`` does.)
"""

import argparse
import json
import sys
import time
import warnings
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # this folder's probes

import unseen_tables  # noqa: E402
from probe_core_option import fit, score  # noqa: E402

from sdv_fairdistill.benchmark.evaluation import Evaluator  # noqa: E402
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset  # noqa: E402
from sdv_fairdistill.datasets import DATASETS, get_dataset  # noqa: E402
from sdv_fairdistill.synthesizers import _calibration, _feature_labels  # noqa: E402

for spec in unseen_tables.SPECS:  # what `unseen_tables.py --run` does
    DATASETS.setdefault(spec.name, spec)

SHIPPED_SHARES = _feature_labels.real_class_shares


def pooled_shares(synthesizer, processed_data, codes):
    """Every group at the real pooled class shares."""
    own = SHIPPED_SHARES(synthesizer, processed_data, codes)
    prior = np.bincount(np.asarray(codes), minlength=len(own)) / len(codes)
    return np.tile(prior @ own, (len(own), 1))


ARMS = {
    'scorer_mean': lambda synthesizer, processed_data, codes: None,
    'group_rates': SHIPPED_SHARES,
    'pooled_rate': pooled_shares,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('dataset')
    parser.add_argument('metadata', choices=['curated', 'detected'])
    parser.add_argument('seeds', type=int, nargs='+')
    parser.add_argument('--arms', nargs='+', default=list(ARMS), choices=list(ARMS))
    parser.add_argument('--tables', type=int, default=2)
    args = parser.parse_args()
    warnings.simplefilter('ignore')
    dataset = get_dataset(args.dataset)
    for seed in args.seeds:
        train, test, curated = split_dataset(dataset, None, 0.3, seed)
        evaluator = Evaluator(train, test, curated, dataset, random_state=seed)
        captured = {}
        original = _calibration.label_and_calibrate

        def capture(synth, processed_data, codes, calibration_seed):
            captured.update(data=processed_data, codes=codes, seed=calibration_seed)
            return original(synth, processed_data, codes, calibration_seed)

        start = time.perf_counter()
        with mock.patch.object(_calibration, 'label_and_calibrate', capture):
            synthesizer = fit(dataset, generator_metadata(args.metadata, curated, train, dataset),
                              train, seed, core_options={}, parameters={})
        fit_seconds = time.perf_counter() - start
        real_rate = float(evaluator.labels(train).mean())
        for arm in args.arms:
            start = time.perf_counter()
            with mock.patch.object(_feature_labels, 'real_class_shares', ARMS[arm]):
                labelled, _, _ = _calibration.label_and_calibrate(
                    synthesizer, captured['data'], captured['codes'], captured['seed'])
            synthesizer._seed_sampling()  # every arm samples as after a fit
            first = synthesizer.sample(len(train))[dataset.table_name]
            synthesizer._seed_sampling()
            print(json.dumps({
                'dataset': args.dataset, 'metadata': args.metadata, 'seed': seed, 'arm': arm,
                'labelled': bool(labelled), 'tables': args.tables,
                'real_label_rate': round(real_rate, 4),
                'generated_label_rate': round(float(evaluator.labels(first).mean()), 4),
                **score(synthesizer, evaluator, dataset, len(train), args.tables),
                'fit_seconds': round(fit_seconds, 1),
                'arm_seconds': round(time.perf_counter() - start, 1),
            }), flush=True)


if __name__ == '__main__':
    main()
