"""Benchmark of fair synthetic data: FairDistill, its ablations and SDV's synthesizers.

For each dataset (Adult, COMPAS, German Credit), seed and generator: downstream utility and
fairness (train on synthetic, test on real), fairness inside the synthetic data, SDMetrics'
quality score, density / coverage, fit and sampling time and parameter count; then a sweep of
FairDistill's ``fairness_weight`` and ``label_repair`` for the fairness-utility trade-off
plot::

    from sdv_fairdistill.benchmark import BenchmarkConfig, run_benchmark

    result = run_benchmark(BenchmarkConfig.quick(datasets=['german']))
    print(result.to_markdown())
    result.save('benchmark_results')    # results.json, results.md, tradeoff.html

Every score comes from ``sdv_fairdistill.metrics`` (the metrics users install). See
docs/benchmark.md for the protocol.
"""

from sdv_fairdistill.benchmark.config import BenchmarkConfig
from sdv_fairdistill.benchmark.evaluation import CLASSIFIERS, METRICS, Evaluator
from sdv_fairdistill.benchmark.generators import GENERATORS, GeneratorSpec
from sdv_fairdistill.benchmark.plots import tradeoff_figure
from sdv_fairdistill.benchmark.results import BenchmarkResult
from sdv_fairdistill.benchmark.runner import (
    REFERENCE,
    check_datasets,
    run_benchmark,
    split_dataset,
)

__all__ = (
    'BenchmarkConfig',
    'BenchmarkResult',
    'CLASSIFIERS',
    'Evaluator',
    'GENERATORS',
    'GeneratorSpec',
    'METRICS',
    'REFERENCE',
    'check_datasets',
    'run_benchmark',
    'split_dataset',
    'tradeoff_figure',
)
