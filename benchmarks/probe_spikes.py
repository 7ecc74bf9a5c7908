"""Probe: numerical spikes as modes of their own (the shipped encoding) against every value
in Gaussian modes (the encoding before it), on the same split and seed.

For each seed and arm, one FairDistill fit at the defaults and ``--tables`` synthetic tables
(default 1) of the training table's size, scored by the benchmark's evaluator (the first with
fidelity: QualityReport, density / coverage; the fairness and utility scores are the tables'
mean, each table's DP listed), plus the spikes the fitted encoders found (``spikes_found``)
and the real and generated shares of every value that holds 5 % of a numeric column
(``spikes``: candidates whatever their neighbours, not the encoder's spikes). JSON lines on
stdout.

Usage::

    python benchmarks/probe_spikes.py adult detected 0 1 2 > records.jsonl
    python benchmarks/unseen_tables.py --run probe_spikes.py fair_affairs detected 0 1 2 3 4 \
        --tables 5 > records.jsonl
    python benchmarks/probe_spikes.py adult detected 0 --found-only  # the encoders' spikes
"""

import argparse
import contextlib
import json
import time
import warnings
from unittest import mock

import numpy as np

from sdmetrics.single_column import KSComplement

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.adapters import tabular_encoding
from sdv_fairdistill.core import spans
from sdv_fairdistill.benchmark.evaluation import Evaluator
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset
from sdv_fairdistill.datasets import get_dataset

SCORES = ('accuracy', 'f1', 'auroc', 'dp_difference', 'dp_difference_large_groups', 'label_gap',
          'quality', 'density', 'coverage')


def spike_shares(real, synthetic):
    """Per numeric column with a value of 5 % of the rows (a spike whatever the neighbours,
    and whatever the column's sdtype): each such value's real and generated share."""
    shares = {}
    for column in real.columns:
        # A column SDV anonymises (an integer code detected as a place, say) comes back as
        # text; it has no shares to compare.
        if real[column].dtype.kind not in 'if' or synthetic[column].dtype.kind not in 'if':
            continue
        for value in tabular_encoding._Spikes.find(real[column], ratio=0):
            shares[f'{column}={value}'] = [
                round(float((real[column] == value).mean()), 3),
                round(float((synthetic[column] == value).mean()), 3),
            ]
    return shares


def encoder_spikes(synthesizer):
    """The spike values the fitted synthesizer's encoders found, per column."""
    found = {}
    for encoder in (synthesizer._feature_encoder, synthesizer._target_encoder):
        for kind, column, _, _, extra in (encoder._plans if encoder is not None else ()):
            spikes = tabular_encoding._numerical_extra(extra)[2] if kind == 'numerical' else None
            if spikes is not None:
                found[column] = [float(value) for value in spikes.values]
    return found


def numerical_shapes(real, synthetic):
    """SDMetrics' KS complement of every numeric column with a spike in the real rows."""
    return {
        column: round(float(KSComplement.compute(real[column], synthetic[column])), 4)
        for column in real.columns
        if real[column].dtype.kind in 'if' and synthetic[column].dtype.kind in 'if'
        and tabular_encoding._Spikes.find(real[column], ratio=0)
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('dataset')
    parser.add_argument('metadata', choices=['curated', 'detected'])
    parser.add_argument('seeds', type=int, nargs='+')
    parser.add_argument('--arms', nargs='+', default=['gaussian_modes', 'spikes'],
                        choices=['gaussian_modes', 'spikes'])
    parser.add_argument('--spike-ratio', type=float, default=tabular_encoding.SPIKE_RATIO,
                        help='the neighbour ratio of the spikes arm (0: share alone)')
    parser.add_argument('--loss-on-spike-rows', action='store_true',
                        help="spike rows' scalars kept in the loss (the unmasked variant)")
    parser.add_argument('--found-only', action='store_true',
                        help="only the spikes the shipped encoders find on each seed's "
                             'training split (a one-epoch fit; no scores)')
    parser.add_argument('--tables', type=int, default=1,
                        help='synthetic tables scored per fit (a 4-group DP moves by 0.02-0.03 '
                             'between tables of one fit)')
    args = parser.parse_args()
    warnings.simplefilter('ignore')
    dataset = get_dataset(args.dataset)
    for seed in args.seeds:
        train, test, curated = split_dataset(dataset, None, 0.3, seed)
        evaluator = Evaluator(train, test, curated, dataset, random_state=seed)
        metadata = generator_metadata(args.metadata, curated, train, dataset)
        if args.found_only:
            synthesizer = FairDistillSynthesizer(
                metadata, sensitive_columns=list(dataset.sensitive_columns),
                target_column=dataset.target_column, seed=seed, epochs=1,
                calibrate_target=False)
            synthesizer.fit({dataset.table_name: train})
            print(json.dumps({'dataset': args.dataset, 'metadata': args.metadata, 'seed': seed,
                              'spikes_found': encoder_spikes(synthesizer)}), flush=True)
            continue
        for arm in args.arms:
            stack = contextlib.ExitStack()
            if arm == 'gaussian_modes':
                stack.enter_context(
                    mock.patch.object(tabular_encoding._Spikes, 'find', return_value=[]))
            else:
                encoder_init = tabular_encoding.TableEncoder.__init__
                stack.enter_context(mock.patch.object(
                    tabular_encoding.TableEncoder, '__init__',
                    lambda self, *a, **k: encoder_init(
                        self, *a, **{'spike_share': tabular_encoding.SPIKE_SHARE, **k})))
                find = tabular_encoding._Spikes.find.__func__
                stack.enter_context(mock.patch.object(
                    tabular_encoding._Spikes, 'find', classmethod(
                        lambda cls, series, share=tabular_encoding.SPIKE_SHARE:
                        find(cls, series, share, args.spike_ratio))))
                if args.loss_on_spike_rows:
                    stack.enter_context(mock.patch.object(
                        spans, '_outside_spikes',
                        lambda probabilities, span: probabilities.new_ones(len(probabilities))))
            start = time.perf_counter()
            with stack:
                synthesizer = FairDistillSynthesizer(
                    metadata, sensitive_columns=list(dataset.sensitive_columns),
                    target_column=dataset.target_column, seed=seed)
                synthesizer.fit({dataset.table_name: train})
            fit_seconds = time.perf_counter() - start
            table = synthesizer.sample(len(train))[dataset.table_name]
            scores = evaluator.evaluate(table, fidelity=True)
            more = [evaluator.evaluate(synthesizer.sample(len(train))[dataset.table_name],
                                       fidelity=False) for _ in range(args.tables - 1)]
            fairness = {k: round(float(np.mean([s[k] for s in [scores, *more]])), 4)
                        for k in SCORES if k in scores and all(k in s for s in more)}
            print(json.dumps({
                'dataset': args.dataset, 'metadata': args.metadata, 'seed': seed, 'arm': arm,
                'spike_ratio': args.spike_ratio, 'loss_on_spike_rows': args.loss_on_spike_rows,
                **{k: round(float(scores[k]), 4) for k in SCORES if k in scores},
                **fairness, 'tables': args.tables,
                'dp_per_table': [round(float(s['dp_difference']), 4) for s in [scores, *more]],
                'spikes_found': encoder_spikes(synthesizer),
                'spikes': spike_shares(train, table), 'shapes': numerical_shapes(train, table),
                'fit_seconds': round(fit_seconds, 1),
            }), flush=True)


if __name__ == '__main__':
    main()
