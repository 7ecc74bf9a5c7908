"""How far the benchmark's downstream DP difference moves by chance alone.

The benchmark scores one synthetic table per seed: a gradient-boosting classifier trained on
it (as many rows as the real training table), its demographic-parity difference measured on
the real test split. Two sources of chance in that number do not depend on the generator:

- **the test rows**: a classifier that selects every group at exactly the same rate ``r`` on
  the population still shows binomially different rates on a finite test split. Simulated
  exactly, with each seed's test-split group sizes and ``r`` the training table's positive
  rate (for several sensitive columns: the largest minus the smallest rate over the joint
  groups with at least 100 test rows, the benchmark's ``dp_difference_large_groups``);
- **the classifier's training rows**: the same classifier trained on another sample of the
  same size from the same population selects the groups differently. Measured by training the
  benchmark's classifier on ``--bootstraps`` resamples (with replacement) of the real training
  table and taking the standard deviation of its DP difference on the fixed test split.

With both (independent), a generator whose population is exactly fair still gives a DP
difference ``|N(0, sd)|`` per seed for two groups, with ``sd = sqrt(sd_test^2 + sd_train^2)``:
mean ``0.80 sd``, and the worst of 5 seeds at most 0.05 with probability
``P(|N(0, sd)| <= 0.05)^5``. For joint groups only the test rows' part is simulated (a lower
bound: the bootstrap of unfair real rows measures the real bias as much as chance).

Usage::

    python benchmarks/noise_floor.py compas adult german adult_intersectional \
        --seeds 0 1 2 3 4 --bootstraps 10 -o benchmarks/results/noise_floor

Results: ``benchmarks/results/noise_floor/``; docs/method.md ("Known limits").
"""

import argparse
import json
import pathlib
import warnings

import numpy as np
from scipy.stats import norm

from sdv_fairdistill.benchmark.evaluation import LARGE_GROUP_ROWS, Evaluator
from sdv_fairdistill.benchmark.runner import split_dataset
from sdv_fairdistill.datasets import get_dataset

SIMULATIONS = 20_000
TARGET = 0.05
SEEDS_PER_RUN = 5


def test_noise(group_sizes, rate, rng):
    """Simulated gaps (largest minus smallest group rate) of a classifier selecting every
    group at ``rate``, on test groups of ``group_sizes`` rows."""
    rates = np.stack([rng.binomial(size, rate, SIMULATIONS) / size for size in group_sizes])
    return rates.max(axis=0) - rates.min(axis=0)


def seed_record(name, seed, bootstraps):
    dataset = get_dataset(name)
    train, test, curated = split_dataset(dataset, None, 0.3, seed)
    evaluator = Evaluator(train, test, curated, dataset, random_state=seed)
    rate = float(evaluator.labels(train).mean())
    _, sizes = np.unique(evaluator.groups(test), return_counts=True)
    intersectional = evaluator.many_groups  # more than two groups: those of 100+ test rows
    if intersectional:
        sizes = sizes[sizes >= LARGE_GROUP_ROWS]
    gaps = test_noise(sizes, rate, np.random.default_rng(seed))
    record = {
        'dataset': name, 'seed': seed, 'positive_rate': round(rate, 4),
        'test_group_sizes': sizes.tolist(),
        'test_noise_mean_gap': round(float(gaps.mean()), 4),
        'test_noise_p_gap_at_most_target': round(float(np.mean(gaps <= TARGET)), 4),
    }
    if not intersectional:
        # The signed gap of two groups is symmetric around 0: its sd from the binomial.
        record['test_noise_sd'] = round(float(np.sqrt(sum(rate * (1 - rate) / sizes))), 4)
        rng = np.random.RandomState(seed)
        values = []
        for _ in range(bootstraps):
            resample = train.sample(len(train), replace=True, random_state=rng)
            values.append(evaluator.tstr(resample.reset_index(drop=True))['dp_difference'])
        record['bootstrap_dp'] = [round(float(v), 4) for v in values]
        record['bootstrap_sd'] = round(float(np.std(values, ddof=1)), 4)
    return record


def summary(records):
    """Per dataset: the implied mean and worst-of-5 chances of a population-fair generator."""
    out = {}
    for name in dict.fromkeys(r['dataset'] for r in records):
        rows = [r for r in records if r['dataset'] == name]
        entry = {
            'seeds': len(rows),
            'test_noise_mean_gap': round(float(np.mean([r['test_noise_mean_gap'] for r in rows])), 4),
            'p_worst_of_5_at_most_target_test_noise_only': round(
                float(np.mean([r['test_noise_p_gap_at_most_target'] for r in rows])) ** SEEDS_PER_RUN, 4
            ),
        }
        if 'bootstrap_sd' in rows[0]:
            sd_test = float(np.sqrt(np.mean([r['test_noise_sd'] ** 2 for r in rows])))
            sd_train = float(np.sqrt(np.mean([r['bootstrap_sd'] ** 2 for r in rows])))
            sd = float(np.hypot(sd_test, sd_train))
            inside = 2 * norm.cdf(TARGET / sd) - 1
            entry.update({
                'sd_test_rows': round(sd_test, 4), 'sd_training_rows': round(sd_train, 4),
                'sd_both': round(sd, 4), 'expected_mean_dp': round(sd * np.sqrt(2 / np.pi), 4),
                'p_worst_of_5_at_most_target': round(inside ** SEEDS_PER_RUN, 4),
            })
        out[name] = entry
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('datasets', nargs='+')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    parser.add_argument('--bootstraps', type=int, default=10)
    parser.add_argument('-o', '--output', type=pathlib.Path, required=True)
    args = parser.parse_args()
    warnings.simplefilter('ignore')
    args.output.mkdir(parents=True, exist_ok=True)
    records = []
    for name in args.datasets:
        for seed in args.seeds:
            records.append(seed_record(name, seed, args.bootstraps))
            print(json.dumps(records[-1]), flush=True)
    result = {'records': records, 'summary': summary(records)}
    (args.output / 'noise_floor.json').write_text(json.dumps(result, indent=1))
    print(json.dumps(result['summary'], indent=1))


if __name__ == '__main__':
    main()
