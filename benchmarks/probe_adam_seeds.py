"""Probe: COMPAS (detected metadata) downstream DP per seed with torch's fused Adam (the
default since 2026-12-03) and with the plain one, to tell a change of the method from the
seed-to-seed spread.

Usage::

    python benchmarks/probe_adam_seeds.py {plain|fused} SEED [SEED ...]

Prints one line per seed: optimiser, seed, DP difference, AUROC, label gap.
Results: benchmarks/results/stability/adam_seeds.md.
"""

import sys

import torch

import sdv_fairdistill.core.training as training
from sdv_fairdistill.benchmark import BenchmarkConfig, run_benchmark


def plain_adam(parameters, learning_rate):
    """torch's Adam without the fused kernel (the optimiser before 2026-12-03)."""
    return torch.optim.Adam(list(parameters), lr=learning_rate)


def main():
    optimiser, seeds = sys.argv[1], [int(seed) for seed in sys.argv[2:]]
    if optimiser not in ('plain', 'fused'):
        sys.exit("first argument: 'plain' or 'fused'")
    if optimiser == 'plain':
        training._adam = plain_adam
    config = BenchmarkConfig.full(
        datasets=['compas'], generators=['FairDistill'], seeds=seeds,
        metadata=('detected',), reference=False, ceilings=[], sweep_weights=[],
    )
    for record in run_benchmark(config, progress=False).records:
        print(optimiser, record['seed'], round(record['dp_difference'], 3),
              round(record['auroc'], 3), round(record['label_gap'], 3))


if __name__ == '__main__':
    main()
