"""Probe: the calibration's per-group shrinkage rules, paired on the same fits.

Until 2026-12-05 the calibration (``core/calibration.py``) scaled a group's offset by
``n / (n + 2000)`` (``n``: its real training rows). On ``ofp`` (Ecdat, 360 Black
respondents, real DP 0.52) that kept 15 % of a gap far outside its noise. The other rules
scale each group's mean shift ``m`` over a round's tables by a factor of ``m`` and ``se^2``,
the tables' variance over their number plus the quantile's variance on the group's rows
(delta method). This script re-implements them against the shipped code
(``calibration.fit_offsets`` patched), with arms:

- ``default``: the fit's own calibration (whatever the checked-out commit ships: the row
  rule up to 5ca66a3, ``stein`` after, ``gate`` from 0b5f651, ``sticky`` since 2026-12-07);
- ``rows``: ``n / (n + 2000)``;
- ``certainty``: ``m^2 / (m^2 + se^2)`` (measured at e3c88aa, docs/method.md, Stage 5);
- ``stein``: ``max(0, 1 - se^2 / m^2)`` (positive-part James-Stein; shipped since);
- ``hybrid``: the larger of the ``certainty`` and ``rows`` factors;
- ``capped<N>``: the ``certainty`` factor, at most ``n / (n + N)``;
- ``gate``: ``stein`` behind the Benjamini-Hochberg cut over more than two groups
  (``calibration.passes_the_cut``) in both rounds (the first form, 0b5f651);
- ``sticky``: ``gate``, except that a group that passed in the first round is topped up in
  the second without passing again (shipped since 2026-12-07);
- ``none``: no offsets (the calibration's classifiers are still trained, for its time).

Round weights as shipped. For each seed, one FairDistill fit with the defaults, then the
calibration refitted under each arm on the same fit, and ``--tables`` tables sampled from it
with the same seeds, scored by the benchmark's evaluator. JSON lines on stdout. The unseen
tables (``ofp``, ...) need ``benchmarks/unseen_tables.py --run``.

Usage::

    python benchmarks/unseen_tables.py --run probe_shrinkage_rules.py ofp detected \
        0 1 2 3 4 --tables 2 --arms rows certainty stein >> records.jsonl
"""

import argparse
import json
import time
import warnings
from unittest import mock

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from sdv_fairdistill.benchmark.evaluation import Evaluator
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset
from sdv_fairdistill.core import calibration
from sdv_fairdistill.datasets import get_dataset
from sdv_fairdistill.synthesizers import _calibration

from probe_core_option import fit, score  # the same fit and scores, from this folder

SHRINK_ROWS = 2000  # the row-count rule's constant (core/calibration.py until 2026-12-05)


def certainty_factor(shifts, errors):
    """``m^2 / (m^2 + se^2)`` of each group (``m``, ``se^2``: ``calibration.mean_and_variance``)."""
    mean, variance = calibration.mean_and_variance(shifts, errors)
    with np.errstate(invalid='ignore', divide='ignore'):
        factor = mean**2 / (mean**2 + variance)
    return np.nan_to_num(factor, nan=0.0)


def rule_offsets(rule):
    """``calibration.fit_offsets`` with the shrinkage ``rule`` (an arm name), called as the
    shipped calibration calls it. Re-implemented for a two-class label under demographic
    parity only; each table's shifts and errors, and the first round's errors it returns,
    are the shipped functions' (``calibration.selection_shifts``, ``mean_and_variance``)."""
    def fit_offsets(sample, real_matrix, real_groups, n_groups, categorical, seed, tables,
                    regression=False, real_labels=None, criterion='demographic_parity',
                    positive=1, return_errors=False):
        if regression or criterion != 'demographic_parity':
            raise SystemExit('probe_shrinkage_rules.py re-implements the calibration of a '
                             'two-class label under demographic parity only.')
        offsets, first_errors = np.zeros(n_groups), np.full(n_groups, np.inf)
        counts = np.bincount(real_groups, minlength=n_groups)  # each group's real rows
        passed_first = np.zeros(n_groups, dtype=bool)  # the 'sticky' arm's first-round passes
        for round_, weight in enumerate(calibration.ROUND_WEIGHTS):
            shifts, errors = [], []
            for index in range(tables):
                draw = round_ * tables + index
                matrix, labels = sample(offsets, draw)
                if np.unique(labels).size < 2:
                    continue
                classifier = HistGradientBoostingClassifier(
                    categorical_features=categorical,
                    random_state=calibration.draw_seed(seed, draw),
                )
                classifier.fit(matrix, labels)
                shift, error = calibration.selection_shifts(
                    classifier.decision_function(real_matrix), real_groups, n_groups
                )
                shifts.append(shift)
                errors.append(error)
            if not shifts:
                break
            shifts, errors = np.array(shifts), np.array(errors)
            if round_ == 0:
                first_errors = np.sqrt(calibration.mean_and_variance(shifts, errors)[1])
            factor = certainty_factor(shifts, errors)
            if rule == 'rows':  # the rule until 2026-12-05
                factor = counts / (counts + SHRINK_ROWS)
            elif rule == 'hybrid':
                factor = np.maximum(factor, counts / (counts + SHRINK_ROWS))
            elif rule.startswith('capped'):  # e.g. capped200: at most n / (n + 200)
                factor = np.minimum(factor, counts / (counts + float(rule[len('capped'):])))
            elif rule == 'stein':  # positive-part James-Stein: 1 - se^2 / m^2, at least 0
                factor = np.clip(2.0 - 1.0 / np.maximum(factor, 1e-12), 0.0, 1.0)
            elif rule in ('gate', 'sticky'):  # stein, over more than two groups behind the
                # Benjamini-Hochberg cut (calibration.passes_the_cut); 'sticky': a group that
                # passed in the first round is topped up in the second without passing again
                factor = np.clip(2.0 - 1.0 / np.maximum(factor, 1e-12), 0.0, 1.0)
                passed = calibration.passes_the_cut(
                    *calibration.mean_and_variance(shifts, errors))
                if rule == 'sticky':
                    passed = passed | passed_first
                    if round_ == 0:
                        passed_first = passed
                factor = np.where(passed, factor, 0.0)
            elif rule == 'none':
                factor = np.zeros_like(factor)
            factor[counts < calibration.MIN_GROUP_ROWS] = 0.0
            offsets = np.clip(offsets + weight * factor * shifts.mean(axis=0),
                              -calibration.MAX_OFFSET, calibration.MAX_OFFSET)
        return (offsets, first_errors) if return_errors else offsets
    return fit_offsets


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('dataset')
    parser.add_argument('metadata', choices=['curated', 'detected'])
    parser.add_argument('seeds', type=int, nargs='+')
    parser.add_argument('--tables', type=int, default=2)
    parser.add_argument('--arms', nargs='+', default=['rows', 'certainty', 'stein'])
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
            synthesizer = fit(
                dataset, generator_metadata(args.metadata, curated, train, dataset), train,
                seed, core_options={}, parameters={},
            )
        fit_seconds = time.perf_counter() - start
        for arm in ['default'] + args.arms:
            start = time.perf_counter()
            if arm != 'default':
                with mock.patch.object(calibration, 'fit_offsets', rule_offsets(arm)):
                    calibrate(synthesizer, captured['data'], captured['codes'], captured['seed'])
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
