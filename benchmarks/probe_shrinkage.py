"""Run at commit e3c88aa, where ``calibration.shrunk_mean`` shipped; it was taken back before
landing (docs/method.md, Stage 5, "Measured, not shipped"), so this script needs that commit
(``git worktree add /tmp/e3c88aa e3c88aa``).

Probe: the calibration's per-group shrinkage set by the offsets' measured uncertainty
instead of the group's row count.

The calibration (``core/calibration.py``) used to scale a group's offset by
``n / (n + 2000)`` (``n``: its real training rows; arm ``rows2000``). On COMPAS (groups of
1,500-2,200 rows) that kept noise out; on the intersections it also left the mid-size joint
groups (Black women, ~1,600 rows) half uncorrected, however large and certain their measured
gap. The alternative scales each by ``m^2 / (m^2 + k se^2)`` (``calibration.shrunk_mean``, ``k`` =
``NOISE_WEIGHT``; arms ``spread_k<k>``, and ``_w<w>`` with weight ``w`` on the second
round's shift).

For each seed, one FairDistill fit (its calibration is the ``default`` arm's), then the
calibration refitted under each arm on the same fit and ``--tables`` tables sampled from it
with the same seeds; scored by the benchmark's evaluator. JSON lines on stdout.

Usage::

    python benchmarks/probe_shrinkage.py compas detected 0 1 2 3 4 --k 1 4 >> records.jsonl
"""

import argparse
import json
import time
import warnings
from unittest import mock

import numpy as np

from sdv_fairdistill.benchmark.evaluation import Evaluator
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset
from sdv_fairdistill.core import calibration
from sdv_fairdistill.datasets import get_dataset
from sdv_fairdistill.synthesizers import _calibration

from probe_core_option import fit, score  # the same fit and scores, from this folder

SHRUNK_MEAN = calibration.shrunk_mean


def spread_shrinkage(k):
    """The shipped shrinkage (``calibration.shrunk_mean``) with noise weight ``k``."""
    def shrink(shifts, errors):
        with mock.patch.object(calibration, 'NOISE_WEIGHT', k):
            return SHRUNK_MEAN(shifts, errors)
    return shrink


def row_shrinkage(counts, shrink_rows=2000):
    """The rule before: each group's mean shift scaled by ``n / (n + shrink_rows)``, ``n``
    its real training rows (``counts``)."""
    def shrink(shifts, errors):
        return shifts.mean(axis=0) * counts / (counts + shrink_rows)
    return shrink


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('dataset')
    parser.add_argument('metadata', choices=['curated', 'detected'])
    parser.add_argument('seeds', type=int, nargs='+')
    parser.add_argument('--k', type=float, nargs='+', default=[1.0],
                        help='spread arms: shrink m^2 / (m^2 + k se^2)')
    parser.add_argument('--second-weight', type=float, nargs='*', default=[],
                        help='more spread arms (k: the first of --k) with this weight on '
                             "the second round's shift")
    parser.add_argument('--tables', type=int, default=2)
    args = parser.parse_args()
    warnings.simplefilter('ignore')
    dataset = get_dataset(args.dataset)
    for seed in args.seeds:
        train, test, curated = split_dataset(dataset, None, 0.3, seed)
        evaluator = Evaluator(train, test, curated, dataset, random_state=seed)
        captured = {}
        calibrate = _calibration.calibrate

        def capture(synth, processed_data, codes, calibration_seed):
            captured.update(data=processed_data, codes=codes, seed=calibration_seed)
            return calibrate(synth, processed_data, codes, calibration_seed)

        start = time.perf_counter()
        with mock.patch.object(_calibration, 'calibrate', capture):
            synthesizer = fit(  # the defaults
                dataset, generator_metadata(args.metadata, curated, train, dataset), train,
                seed, core_options={}, parameters={},
            )
        fit_seconds = time.perf_counter() - start
        counts = np.bincount(np.asarray(captured['codes']), minlength=synthesizer._model.n_groups)
        arms = [('default', None, None), ('rows2000', row_shrinkage(counts), None)]
        arms += [(f'spread_k{k:g}', spread_shrinkage(k), None) for k in args.k]
        arms += [(f'spread_k{args.k[0]:g}_w{w:g}', spread_shrinkage(args.k[0]), (1.0, w))
                 for w in args.second_weight]
        for arm, shrink, weights in arms:
            start = time.perf_counter()
            if shrink is not None:
                with mock.patch.object(calibration, 'shrunk_mean', shrink), \
                        mock.patch.object(calibration, 'ROUND_WEIGHTS',
                                          weights or calibration.ROUND_WEIGHTS):
                    calibrate(
                        synthesizer, captured['data'], captured['codes'], captured['seed']
                    )
            synthesizer._set_random_state(seed)  # every arm samples the same draws
            print(json.dumps({
                'dataset': args.dataset, 'metadata': args.metadata, 'seed': seed, 'arm': arm,
                'tables': args.tables,
                **score(synthesizer, evaluator, dataset, len(train), args.tables),
                'fit_seconds': round(fit_seconds, 1),
                'calibration_seconds': round(time.perf_counter() - start, 1),
            }), flush=True)


if __name__ == '__main__':
    main()
