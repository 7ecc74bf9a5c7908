"""Probe: the same split and seed fitted with the defaults and with core options changed.

For each seed, one FairDistill fit per arm (``default`` and each ``--arm NAME:KEY=VALUE,...``,
whose options go to the teacher-student core, ``core/model.py``), ``--tables`` synthetic tables
of the training table's size from each, scored by the benchmark's evaluator (TSTR, gradient
boosting). JSON lines on stdout, one per seed and arm (means over the tables, the tables' DP).

Usage::

    python benchmarks/probe_core_option.py adult_rare detected 0 1 2 \\
        --arm no_output_penalty:penalize_target_output=False >> records.jsonl
"""

import argparse
import ast
import json
import time
import warnings
from unittest import mock

import numpy as np

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.benchmark.evaluation import Evaluator
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset
from sdv_fairdistill.core.model import FairDistillModel
from sdv_fairdistill.datasets import get_dataset
from sdv_fairdistill.synthesizers import _shared

SCORES = ('accuracy', 'f1', 'auroc', 'dp_difference', 'dp_difference_large_groups', 'label_gap',
          'quality', 'density', 'coverage')


def parse_arm(text):
    name, _, options = text.partition(':')
    parsed = {}
    for item in filter(None, options.split(',')):
        key, _, value = item.partition('=')
        parsed[key] = ast.literal_eval(value)
    return name, parsed


def fit(dataset, metadata, train, seed, core_options, parameters):
    synthesizer = FairDistillSynthesizer(
        metadata,
        sensitive_columns=list(dataset.sensitive_columns),
        target_column=dataset.target_column, seed=seed, **parameters,
    )

    def build(*args, **kwargs):
        kwargs.update(core_options)
        return FairDistillModel(*args, **kwargs)

    with mock.patch.object(_shared, 'FairDistillModel', build):
        synthesizer.fit({dataset.table_name: train})
    return synthesizer


def score(synthesizer, evaluator, dataset, num_rows, tables, fidelity=False):
    """Mean scores of ``tables`` generated tables of ``num_rows`` rows, each table's DP, and
    the calibration's offsets."""
    records = []
    for _ in range(tables):
        table = synthesizer.sample(num_rows)[dataset.table_name]
        scores = evaluator.evaluate(table, fidelity=fidelity)
        records.append({key: float(scores[key]) for key in SCORES if key in scores})
    summary = {name: round(float(np.mean([r[name] for r in records])), 4) for name in records[0]}
    key = 'dp_difference_large_groups' if 'dp_difference_large_groups' in records[0] else 'dp_difference'
    summary['dp_tables'] = [round(r[key], 4) for r in records]
    offsets = synthesizer._model.target_offsets
    summary['offsets'] = None if offsets is None else [round(float(v), 3) for v in offsets]
    summary['components'] = synthesizer._model.density.n_components_
    return summary


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('dataset')
    parser.add_argument('metadata', choices=['curated', 'detected'])
    parser.add_argument('seeds', type=int, nargs='+')
    parser.add_argument('--arm', action='append', default=[], type=parse_arm,
                        help='NAME:KEY=VALUE,... core options of one arm')
    parser.add_argument('--parameter', action='append', default=[],
                        help='KEY=VALUE synthesizer parameter of every arm')
    parser.add_argument('--tables', type=int, default=2)
    parser.add_argument('--no-default', action='store_true', help='skip the default arm')
    parser.add_argument('--fidelity', action='store_true',
                        help='also score the QualityReport and density / coverage')
    args = parser.parse_args()
    warnings.simplefilter('ignore')
    parameters = dict(parse_arm(':' + ','.join(args.parameter))[1])
    arms = ([] if args.no_default else [('default', {})]) + args.arm
    dataset = get_dataset(args.dataset)
    for seed in args.seeds:
        train, test, curated = split_dataset(dataset, None, 0.3, seed)
        evaluator = Evaluator(train, test, curated, dataset, random_state=seed)
        metadata = generator_metadata(args.metadata, curated, train, dataset)
        for arm, core_options in arms:
            start = time.perf_counter()
            synthesizer = fit(dataset, metadata, train, seed, core_options, parameters)
            fit_seconds = time.perf_counter() - start
            print(json.dumps({
                'dataset': args.dataset, 'metadata': args.metadata, 'seed': seed, 'arm': arm,
                'options': core_options, 'parameters': parameters, 'tables': args.tables,
                **score(synthesizer, evaluator, dataset, len(train), args.tables, args.fidelity),
                'fit_seconds': round(fit_seconds, 1),
            }), flush=True)


if __name__ == '__main__':
    main()
