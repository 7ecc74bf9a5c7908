"""Probe: numerical spikes as modes of their own (the shipped encoding) against every value
in Gaussian modes (the encoding before it), on the same split and seed.

For each seed and arm, one FairDistill fit at the defaults and one synthetic table of the
training table's size, scored by the benchmark's evaluator with fidelity (QualityReport,
density / coverage), plus each numerical column's spike shares (real and generated).
JSON lines on stdout.

Usage::

    python benchmarks/probe_spikes.py adult detected 0 1 2 > records.jsonl
"""

import argparse
import json
import time
import warnings
from unittest import mock

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.adapters import tabular_encoding
from sdv_fairdistill.benchmark.evaluation import Evaluator
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset
from sdv_fairdistill.datasets import get_dataset

SCORES = ('accuracy', 'f1', 'auroc', 'dp_difference', 'dp_difference_large_groups', 'label_gap',
          'quality', 'density', 'coverage')


def spike_shares(real, synthetic):
    """Per numeric column with a spike in the real rows: each spike's real and generated share."""
    shares = {}
    for column in real.columns:
        if real[column].dtype.kind not in 'if':
            continue
        for value in tabular_encoding._Spikes.find(real[column]):
            shares[f'{column}={value}'] = [
                round(float((real[column] == value).mean()), 3),
                round(float((synthetic[column] == value).mean()), 3),
            ]
    return shares


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('dataset')
    parser.add_argument('metadata', choices=['curated', 'detected'])
    parser.add_argument('seeds', type=int, nargs='+')
    parser.add_argument('--arms', nargs='+', default=['gaussian_modes', 'spikes'],
                        choices=['gaussian_modes', 'spikes'])
    args = parser.parse_args()
    warnings.simplefilter('ignore')
    dataset = get_dataset(args.dataset)
    for seed in args.seeds:
        train, test, curated = split_dataset(dataset, None, 0.3, seed)
        evaluator = Evaluator(train, test, curated, dataset, random_state=seed)
        metadata = generator_metadata(args.metadata, curated, train, dataset)
        for arm in args.arms:
            patch = (mock.patch.object(tabular_encoding._Spikes, 'find', return_value=[])
                     if arm == 'gaussian_modes' else mock.patch.dict({}))
            start = time.perf_counter()
            with patch:
                synthesizer = FairDistillSynthesizer(
                    metadata, sensitive_columns=list(dataset.sensitive_columns),
                    target_column=dataset.target_column, seed=seed)
                synthesizer.fit({dataset.table_name: train})
            fit_seconds = time.perf_counter() - start
            table = synthesizer.sample(len(train))[dataset.table_name]
            scores = evaluator.evaluate(table, fidelity=True)
            print(json.dumps({
                'dataset': args.dataset, 'metadata': args.metadata, 'seed': seed, 'arm': arm,
                **{k: round(float(scores[k]), 4) for k in SCORES if k in scores},
                'spikes': spike_shares(train, table), 'fit_seconds': round(fit_seconds, 1),
            }), flush=True)


if __name__ == '__main__':
    main()
