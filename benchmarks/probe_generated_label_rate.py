"""Probe: does the generated table keep the real label rate? FairDistill at its defaults,
fitted as the benchmark fits it (split, metadata and seed; ``probe_sample_spread``), one table
of the training table's size; the favourable label's share in the real training rows and in
that table. JSON lines on stdout.

Usage (the unseen tables need their registration)::

    OMP_NUM_THREADS=1 python benchmarks/unseen_tables.py --run probe_generated_label_rate.py \\
        loanapp compas recid pension_401k happiness \\
        > benchmarks/results/unseen/round5_probes/generated_label_rate.jsonl
"""

import argparse
import json
import warnings

from probe_sample_spread import as_the_benchmark  # this folder
from sdv_fairdistill.datasets import get_dataset


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('datasets', nargs='+')
    parser.add_argument('--metadata', choices=['detected', 'curated'], default='detected')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    for name in args.datasets:
        dataset = get_dataset(name)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            train, _, evaluator, synthesizer = as_the_benchmark(dataset, args.metadata, args.seed)
            synthesizer.fit({dataset.table_name: train})
            table = synthesizer.sample(len(train))[dataset.table_name]
        print(json.dumps({
            'dataset': name, 'metadata': args.metadata, 'seed': args.seed,
            'real_rate': round(float(evaluator.labels(train).mean()), 3),
            'generated_rate': round(float(evaluator.labels(table).mean()), 3),
        }), flush=True)


if __name__ == '__main__':
    main()
