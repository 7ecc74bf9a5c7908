"""Probe: how much of one benchmark cell's DP is the sample's luck, and where cells step.

For each seed, FairDistill is fitted as the benchmark fits it (the same split, metadata and
seed), and its first sampled table (the benchmark's own: as many rows as the training table)
is scored as the benchmark scores it (downstream DP on the real test rows, each group's label
rate in the table). Then ``--streams`` more tables of the same size are drawn, each from its
own sampling stream, to give the spread of the groups' label rates that the sample's size
alone causes. Where every feature is categorical (a table of a few cells, such as
``titanic`` or ``ucb_admissions``), also the generated label rate of each (feature values,
group) cell in a 20,000-row sample: a downstream classifier admits or rejects a cell whole.
JSON lines on stdout.

Usage (the unseen tables need their registration)::

    python benchmarks/unseen_tables.py --run probe_sample_spread.py salaries detected 1 \\
        --streams 60 >> benchmarks/results/unseen/round4_probes/sample_spread_salaries.jsonl
"""

import argparse
import json
import warnings

import pandas as pd

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.benchmark.evaluation import Evaluator
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset
from sdv_fairdistill.datasets import get_dataset

CELL_ROWS = 20_000


def label_rates(evaluator, table):
    rates = pd.Series(evaluator.labels(table)).groupby(evaluator.groups(table)).mean()
    return {str(name): round(float(rate), 4) for name, rate in rates.items()}


def cell_rates(evaluator, table, features):
    labels = pd.Series(evaluator.labels(table), index=table.index)
    keys = [table[c].astype(str) for c in features] + [pd.Series(evaluator.groups(table),
                                                                 index=table.index)]
    grouped = labels.groupby(keys)
    return [{'cell': [str(v) for v in key], 'rows': int(size), 'rate': round(float(rate), 3)}
            for (key, rate), size in zip(grouped.mean().items(), grouped.size())]


def as_the_benchmark(dataset, metadata_kind, seed):
    """The benchmark's split, evaluator and (unfitted) FairDistill at its defaults for a seed:
    ``(train, test, evaluator, synthesizer)``."""
    train, test, curated = split_dataset(dataset, None, 0.3, seed)
    evaluator = Evaluator(train, test, curated, dataset, random_state=seed)
    metadata = generator_metadata(metadata_kind, curated, train, dataset)
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns=list(dataset.sensitive_columns),
        target_column=dataset.target_column, seed=seed,
    )
    return train, test, evaluator, synthesizer


def selection_rates_on_test(evaluator, test, table):
    """Each real test group's selection rate by the benchmark's classifier trained on ``table``."""
    predicted = evaluator.tstr_evaluation(table).task.tstr('synthetic_data').y_pred
    return pd.Series(predicted).groupby(evaluator.groups(test)).mean()


def run(dataset, metadata_kind, seed, streams):
    train, test, evaluator, synthesizer = as_the_benchmark(dataset, metadata_kind, seed)
    synthesizer.fit({dataset.table_name: train})
    first = synthesizer.sample(len(train))[dataset.table_name]
    test_rates = selection_rates_on_test(evaluator, test, first)
    spread = []
    for stream in range(streams):
        synthesizer._set_random_state(1000 + stream)  # a stream of its own per table
        spread.append(label_rates(evaluator, synthesizer.sample(len(train))[dataset.table_name]))
    spread = pd.DataFrame(spread)
    record = {
        'dataset': dataset.name, 'metadata': metadata_kind, 'seed': seed,
        'train_rows': len(train),
        'diagnostics': {k: v for k, v in synthesizer.get_fairness_diagnostics().items()
                        if not isinstance(v, dict)},
        'first_table_label_rates': label_rates(evaluator, first),
        'first_table_selection_rates_on_test': {str(k): round(float(v), 4)
                                             for k, v in test_rates.items()},
        'first_table_dp': round(float(test_rates.max() - test_rates.min()), 4),
        'streams': streams,
        'stream_label_rates_mean': spread.mean().round(4).to_dict(),
        'stream_label_rates_sd': spread.std().round(4).to_dict(),
    }
    features = [c for c in train.columns
                if c != dataset.target_column and c not in dataset.sensitive_columns]
    if all(evaluator.feature_types.get(c) == 'categorical' for c in features):
        synthesizer.reset_sampling()
        big = synthesizer.sample(CELL_ROWS)[dataset.table_name]
        record['generated_cells'] = cell_rates(evaluator, big, features)
        record['real_cells'] = cell_rates(evaluator, train, features)
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('dataset')
    parser.add_argument('metadata', choices=['detected', 'curated'])
    parser.add_argument('seeds', type=int, nargs='+')
    parser.add_argument('--streams', type=int, default=30)
    args = parser.parse_args()
    dataset = get_dataset(args.dataset)
    for seed in args.seeds:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            print(json.dumps(run(dataset, args.metadata, seed, args.streams)), flush=True)


if __name__ == '__main__':
    main()
