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

import pandas as pd

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.benchmark.evaluation import Evaluator
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset
from sdv_fairdistill.datasets import get_dataset


def run(dataset, metadata_kind, seed):
    train, test, curated = split_dataset(dataset, None, 0.3, seed)
    evaluator = Evaluator(train, test, curated, dataset, random_state=seed)
    metadata = generator_metadata(metadata_kind, curated, train, dataset)
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns=list(dataset.sensitive_columns),
        target_column=dataset.target_column, seed=seed,
    )
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        synthesizer.fit({dataset.table_name: train})
    seconds = time.perf_counter() - start
    table = synthesizer.sample(len(train))[dataset.table_name]
    predicted = evaluator.tstr_evaluation(table).task.tstr('synthetic_data').y_pred
    rates = pd.Series(predicted).groupby(evaluator.groups(test)).mean()
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
