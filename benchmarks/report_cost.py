"""What ``FairnessReport.generate`` costs on large tables with many groups: seconds and peak
memory, without and with the explanations, each in a fresh process.

The table (``report_table``): ``rows`` rows, 20 numbers and 5 categories that carry a latent
score, a sensitive column of ``groups`` groups that shifts it (a proxy-rich table, as real
ones are), a 0/1 target. The "synthetic" table is an independent draw of the same generator
(another seed), so the report's classifiers, rates and explanations do the work they do on a
real synthesizer's output; no synthesizer is fitted.

Usage (compare code versions by running it with another tree first on ``PYTHONPATH``)::

    python benchmarks/report_cost.py --rows 200000 --groups 2 50 >> cost.jsonl
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


def report_table(rows, groups, seed):
    rng = np.random.default_rng(seed)
    group = rng.integers(0, groups, rows)
    latent = rng.normal(size=rows) + 0.6 * (group % 2) + 0.02 * group
    table = {'group': np.array([f'g{k:02d}' for k in range(groups)])[group]}
    for i in range(20):
        table[f'num{i}'] = np.round(latent * rng.uniform(0.2, 1.0) + rng.normal(size=rows), 3)
    for i in range(5):
        noisy = latent + rng.normal(size=rows)
        table[f'cat{i}'] = np.digitize(noisy, np.quantile(noisy, [0.2, 0.4, 0.6, 0.8])).astype(str)
    table['y'] = (latent + 0.7 * rng.normal(size=rows) > 0.5).astype(int)
    return pd.DataFrame(table)


def metadata(table):
    from sdv.metadata import Metadata

    return Metadata.load_from_dict({'tables': {'table': {'columns': {
        column: {'sdtype': 'numerical' if column.startswith('num') else 'categorical'}
        for column in table.columns
    }}}})


def run(rows, groups, explain):
    from sdv_fairdistill.metrics import FairnessReport

    real, synthetic = report_table(rows, groups, 0), report_table(rows, groups, 1)
    report = FairnessReport(explain=explain)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        report.generate(real, synthetic, metadata(real), sensitive_columns=['group'],
                        target_column='y', positive_label=1, verbose=False)
    seconds = time.perf_counter() - start
    record = {
        'rows': rows, 'groups': groups, 'explain': explain, 'seconds': round(seconds, 1),
        'score': round(float(report.get_score()), 6),
        'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    if explain:  # the proxy AUROC of every column together, real and synthetic
        proxies = report.get_details('Proxy Strength')
        together = proxies.iloc[-1]
        record['all_columns_auroc'] = [round(float(together['Real data']), 4),
                                       round(float(together['Synthetic data']), 4)]
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rows', type=int, nargs='+', default=[200_000])
    parser.add_argument('--groups', type=int, nargs='+', default=[2, 50])
    parser.add_argument('--explain', choices=['off', 'on', 'both'], default='both')
    parser.add_argument('--one', nargs=3, metavar=('ROWS', 'GROUPS', 'EXPLAIN'),
                        help=argparse.SUPPRESS)  # a single measurement, in this process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run(int(args.one[0]), int(args.one[1]), args.one[2] == 'on')))
        return
    explains = ['off', 'on'] if args.explain == 'both' else [args.explain]
    for rows in args.rows:
        for groups in args.groups:
            for explain in explains:
                # A fresh process each: its peak memory is its own.
                out = subprocess.run(
                    [sys.executable, __file__, '--one', str(rows), str(groups), explain],
                    check=True, capture_output=True, text=True,
                )
                print(out.stdout.strip(), flush=True)


if __name__ == '__main__':
    main()
