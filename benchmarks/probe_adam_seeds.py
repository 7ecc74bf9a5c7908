"""Probe: COMPAS (detected metadata) downstream DP per seed with torch's fused Adam (the
default since 2026-12-03) and with the plain one, to tell a change of the method from the
seed-to-seed spread. Usage: python benchmarks/probe_adam_seeds.py {plain|fused} SEED ...
Results: benchmarks/results/stability/adam_seeds.md."""
import sys, torch
import sdv_fairdistill.core.training as training
if sys.argv[1] == 'plain':
    training._adam = lambda parameters, learning_rate: torch.optim.Adam(list(parameters), lr=learning_rate)
from sdv_fairdistill.benchmark import BenchmarkConfig, run_benchmark
config = BenchmarkConfig.full(datasets=['compas'], generators=['FairDistill'], seeds=[int(s) for s in sys.argv[2:]],
                              metadata=('detected',), reference=False, ceilings=[], sweep_weights=[])
result = run_benchmark(config, progress=False)
for r in result.records:
    print(sys.argv[1], r['seed'], round(r['dp_difference'], 3), round(r['auroc'], 3), round(r['label_gap'], 3))
