"""Numbers that vary little in absolute terms (a rate of 5e-4 +- 1e-4, a measurement in
1e-12 units): does the generated column keep the real column's spread?

A 5,000-row table: ``sex``, a yes / no label at random, ``age`` (whole years), and four
normal columns whose spreads are 1e-12, 1e-4, 1e-2 and 100 (mean five spreads each).
FairDistill at its defaults (detected metadata) fits it and samples 5,000 rows; each record
has, per column, the generated standard deviation over the real one, the KS distance, and
the number of distinct generated values::

    python benchmarks/probe_narrow_columns.py --seeds 0 1 > \\
        benchmarks/results/encoding/narrow_columns.jsonl

Run it with ``PYTHONPATH`` set to a checkout of another commit to measure that commit.
"""

import argparse
import json
import time
import warnings

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp
from sdv.metadata import Metadata

from sdv_fairdistill import FairDistillSynthesizer

SPREADS = {'tiny': 1e-12, 'small': 1e-4, 'small2': 1e-2, 'mid': 100.0}


def table(seed, rows=5000):
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({'sex': rng.choice(['F', 'M'], rows), 'age': rng.integers(18, 80, rows)})
    for name, spread in SPREADS.items():
        data[name] = rng.normal(5 * spread, spread, rows)
    data['y'] = np.where(rng.random(rows) < 0.5, 'yes', 'no')
    return data


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0])
    args = parser.parse_args()
    for seed in args.seeds:
        real = table(seed)
        metadata = Metadata.detect_from_dataframes({'t': real})
        started = time.time()
        synthesizer = FairDistillSynthesizer(metadata, sensitive_columns='sex',
                                             target_column='y', seed=seed)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            synthesizer.fit({'t': real})
        synthetic = synthesizer.sample(len(real))['t']
        record = {'seed': seed, 'seconds': round(time.time() - started, 1)}
        for name in SPREADS:
            record[name] = {
                'std_ratio': round(float(synthetic[name].std() / real[name].std()), 3),
                'ks': round(float(ks_2samp(synthetic[name], real[name]).statistic), 3),
                'distinct': int(synthetic[name].nunique()),
            }
        print(json.dumps(record), flush=True)


if __name__ == '__main__':
    main()
