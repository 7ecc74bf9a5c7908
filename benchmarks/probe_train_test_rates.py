"""Where a calibrated fit's downstream fairness is lost between the training rows and the test
rows: per large group, the selection rate on the real training rows and on the real test rows
of the benchmark's classifier trained on a FairDistill table (defaults, one table of the
training table's size), beside the same classifier trained on the real training rows.

The calibration (``core/calibration.py``) equalises the selection rates it measures on the
training rows. If the downstream model's test rates move away from its training rates by much
more than a real-trained model's do, the generated table reproduces the training rows' own
labels (what a model of the training rows learns in-sample), and offsets measured there
correct a gap the test rows do not have.

    python benchmarks/probe_train_test_rates.py adult_intersectional curated 4 \\
        >> benchmarks/results/stability/eighth_session/train_test_rates.jsonl
"""

import argparse
import json
import warnings

import numpy as np

from sdv_fairdistill.benchmark.evaluation import LARGE_GROUP_ROWS, Evaluator
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset
from sdv_fairdistill.datasets import get_dataset
from sdv_fairdistill.metrics._classifier import encode_for, make_classifier

from probe_core_option import fit  # the same fit, from this folder


def selection_rates(evaluator, source):
    """Per group: the benchmark's classifier trained on ``source``, its selection rate on the
    real training rows and on the real test rows."""
    rates = {}
    for name, rows in (('train', evaluator.real_train), ('test', evaluator.real_test)):
        estimator, native = make_classifier(evaluator.classifier, evaluator.random_state)
        x_source, x_rows = encode_for(estimator, native, source, rows, evaluator.feature_types)
        estimator.fit(x_source, evaluator.labels(source))
        predicted = estimator.predict(x_rows)
        groups = evaluator.groups(rows)
        rates[name] = {g: float(np.mean(predicted[groups == g])) for g in np.unique(groups)}
    return rates


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('dataset')
    parser.add_argument('metadata', choices=['curated', 'detected'])
    parser.add_argument('seeds', type=int, nargs='+')
    args = parser.parse_args()
    warnings.simplefilter('ignore')
    dataset = get_dataset(args.dataset)
    for seed in args.seeds:
        train, test, curated = split_dataset(dataset, None, 0.3, seed)
        evaluator = Evaluator(train, test, curated, dataset, random_state=seed)
        synthesizer = fit(  # the defaults
            dataset, generator_metadata(args.metadata, curated, train, dataset), train, seed,
            core_options={}, parameters={},
        )
        synthetic = synthesizer.sample(len(train))[dataset.table_name]
        test_groups, train_groups = evaluator.groups(test), evaluator.groups(train)
        large = [g for g in np.unique(test_groups) if np.sum(test_groups == g) >= LARGE_GROUP_ROWS]
        record = {'dataset': args.dataset, 'metadata': args.metadata, 'seed': seed, 'groups': {}}
        by_source = {'synthetic': selection_rates(evaluator, synthetic),
                     'real': selection_rates(evaluator, train)}
        for group in large:
            record['groups'][group] = {
                'train_rows': int(np.sum(train_groups == group)),
                'test_rows': int(np.sum(test_groups == group)),
                'label_rate_train': round(float(evaluator.labels(train)[train_groups == group].mean()), 4),
                'label_rate_test': round(float(evaluator.labels(test)[test_groups == group].mean()), 4),
                'label_rate_synthetic': round(float(evaluator.labels(synthetic)[
                    evaluator.groups(synthetic) == group].mean()), 4),
                **{f'{source}_{rows}': round(rates[rows][group], 4)
                   for source, rates in by_source.items() for rows in ('train', 'test')},
            }
        for source in by_source:
            for rows in ('train', 'test'):
                values = [record['groups'][g][f'{source}_{rows}'] for g in large]
                record[f'dp_large_{source}_{rows}'] = round(max(values) - min(values), 4)
        print(json.dumps(record), flush=True)


if __name__ == '__main__':
    main()
