"""Which fits warn, and with what diagnostics: FairDistill at its defaults, fitted as the
benchmark fits it (the same split, metadata and seed), its ``get_fairness_diagnostics()`` and
every warning of ``fit`` but SDV's own, beside the benchmark's downstream DP of its first
sampled table on the real test rows. JSON lines on stdout.

Usage (``benchmarks/unseen_tables.py --run fit_warnings.py ...`` for the unseen tables)::

    python benchmarks/fit_warnings.py compas german --metadata detected --seeds 0 1 2 3 4 \\
        >> benchmarks/results/diagnostics/fit_warnings_bundled.jsonl
"""

import argparse
import json
import time
import warnings

from probe_sample_spread import as_the_benchmark, selection_rates_on_test  # this folder

from sdv_fairdistill.datasets import get_dataset


def run(dataset, metadata_kind, seed):
    train, test, evaluator, synthesizer = as_the_benchmark(dataset, metadata_kind, seed)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        synthesizer.fit({dataset.table_name: train})
    seconds = time.perf_counter() - start
    table = synthesizer.sample(len(train))[dataset.table_name]
    rates = selection_rates_on_test(evaluator, test, table)
    return {
        'dataset': dataset.name, 'metadata': metadata_kind, 'seed': seed,
        'fit_seconds': round(seconds, 1),
        'diagnostics': {k: v for k, v in synthesizer.get_fairness_diagnostics().items()
                        if not isinstance(v, dict)},
        'test_dp': round(float(rates.max() - rates.min()), 4),
        'warnings': [str(w.message) for w in caught if 'save_to_json' not in str(w.message)],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('datasets', nargs='+')
    parser.add_argument('--metadata', choices=['detected', 'curated'], default='detected')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    for name in args.datasets:
        for seed in args.seeds:
            print(json.dumps(run(get_dataset(name), args.metadata, seed)), flush=True)


if __name__ == '__main__':
    main()
