"""What the fit's diagnostics cost on wide categories and many groups: fit seconds, the
seconds spent in ``measure_after_fit`` and peak memory, one epoch each, alone on the machine.

Cases: ``zip`` (10,000 rows, a categorical column of 5,071 values drawn Zipf-like from
20,000, marked categorical; sensitive ``sex``), ``groups`` (10,000 rows, a sensitive column of
500 random groups of some 20 rows) and ``adult`` (the bundled Adult, detected metadata).

Usage::

    python benchmarks/diagnostics_cost.py zip groups adult >> cost.jsonl
"""

import argparse
import json
import resource
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd


def zip_table(n=10_000, values=20_000, seed=0):
    rng = np.random.default_rng(seed)
    sex = rng.choice(['F', 'M'], n, p=[0.4, 0.6])
    latent = rng.normal(size=n) + 0.8 * (sex == 'M')
    table = {'sex': sex}
    for i in range(5):
        table[f'num{i}'] = np.round(latent * rng.uniform(0.3, 1.5) + 2 * rng.normal(size=n), 3)
    for i in range(3):
        z = latent + rng.normal(size=n)
        table[f'cat{i}'] = np.digitize(z, np.quantile(z, [0.2, 0.4, 0.6, 0.8])).astype(str)
    weights = 1 / np.arange(1, values + 1) ** 0.8
    drawn = rng.choice(values, n, p=weights / weights.sum())
    table['zip'] = [f'Z{k:05d}' for k in drawn]
    table['y'] = (1.2 * (latent + 0.3 * (drawn % 7 == 0)) - 0.5
                  + 0.5 * rng.normal(size=n) > 0).astype(int)
    return pd.DataFrame(table), 'sex', 'y', ['zip']


def groups_table(n=10_000, groups=500, seed=1):
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    table = pd.DataFrame({
        'x1': x1.round(3), 'x2': x2.round(3), 'c1': rng.choice(['a', 'b'], n),
        'zip': [f'Z{k:04d}' for k in rng.integers(0, groups, n)],
        'y': (x1 + 0.5 * x2 + 0.5 * rng.normal(size=n) > 0).astype(int),
    })
    return table, 'zip', 'y', ['zip']


def adult_table():
    from sdv_fairdistill.datasets import load_adult

    return load_adult()[0], 'sex', 'income', []


def run(case):
    import torch
    from sdv.metadata import Metadata

    from sdv_fairdistill import FairDistillSynthesizer
    from sdv_fairdistill.synthesizers import _diagnostics

    torch.set_num_threads(2)
    table, sensitive, target, categorical = {
        'zip': zip_table, 'groups': groups_table, 'adult': adult_table}[case]()
    metadata = Metadata.detect_from_dataframes({'t': table})
    for column in categorical:
        metadata.update_column(column, sdtype='categorical', table_name='t')
    spent, measure = [], _diagnostics.measure_after_fit

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return measure(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    _diagnostics.measure_after_fit = timed
    synthesizer = FairDistillSynthesizer(metadata, sensitive, target, epochs=1, distill_epochs=1,
                                         seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        start = time.perf_counter()
        synthesizer.fit({'t': table})
    diagnostics = synthesizer.get_fairness_diagnostics()
    return {
        'case': case, 'fit_seconds': round(time.perf_counter() - start, 1),
        'diagnostics_seconds': round(spent[0], 1),
        'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        'label_gap': round(diagnostics['label_gap'], 3),
        'downstream_dp_difference': round(diagnostics['downstream_dp_difference'], 3),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('cases', nargs='+', choices=['zip', 'groups', 'adult'])
    parser.add_argument('--one', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run(args.cases[0])))
        return
    for case in args.cases:  # each in a process of its own: its own peak memory
        subprocess.run([sys.executable, __file__, case, '--one'], check=True)


if __name__ == '__main__':
    main()
