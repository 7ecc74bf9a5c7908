"""Does FairDistill copy its training rows more than TVAE? SDMetrics' distance-to-closest-record
metrics on the benchmark's splits.

FairDistill labels its generated rows with a classifier trained on the real rows (method.md,
Stage 4), and a probe with pure-noise labels showed it learns the training rows' labels. This
script asks the privacy question that raises, for the whole row: each generator is fitted on
the benchmark's training split (SDV-detected metadata, defaults, seeded as the benchmark seeds
them), samples as many rows, and SDMetrics 0.32 scores:

- ``DCROverfittingProtection``: the share of synthetic rows whose closest real row is a
  training row rather than a held-out (test) row, turned into a score; 1.0 means the synthetic
  rows are no closer to the rows learned from than to new rows from the same population (the
  score is ``min(1, 2 * (1 - closer_to_training))``). Training rows, test rows and synthetic
  rows are each drawn at the test split's size (three draws, averaged), so that the larger
  training split is not closer by its size alone.
- ``DCRBaselineProtection``: the median distance of a synthetic row to its closest training row,
  against that of uniformly random rows (1.0: as far as random data).

Also: the share of synthetic rows closer to a training row with the target column left out
(``closer_to_training_without_target``: is a copied label the cause?) and the shares of
synthetic rows that copy a training row or a test row in every column (training rows drawn
at the test split's size).

One JSON line per (dataset, seed, generator)::

    python benchmarks/privacy_dcr.py --datasets german compas adult --seeds 0 1 2 \\
        --generators FairDistill TVAE > benchmarks/results/privacy/dcr.jsonl

Adult is subsampled to ``--adult-rows`` rows (10,000 by default) before the 70 / 30 split.
"""

import argparse
import json
import warnings

import numpy as np


def overfitting_protection(train, synthetic, test, metadata, table_name, drop=None):
    """DCROverfittingProtection's score and share of synthetic rows closer to a training row,
    on every column or on all but ``drop``."""
    from sdmetrics.single_table import DCROverfittingProtection

    metadata_dict = metadata.to_dict()
    if drop is not None:
        del metadata_dict['tables'][table_name]['columns'][drop]
        train, synthetic, test = (table.drop(columns=drop) for table in (train, synthetic, test))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        # Training and test rows are compared at equal numbers (the test split's), else the
        # larger training split would be closer by its size alone; 3 draws, averaged.
        breakdown = DCROverfittingProtection.compute_breakdown(
            train, synthetic, test, metadata_dict, table_name,
            num_rows_subsample=len(test), num_iterations=3,
        )
    shares = breakdown['synthetic_data_percentages']
    return {'score': round(float(breakdown['score']), 4),
            'closer_to_training': round(float(shares['closer_to_training']), 4)}


def copied_share(reference, synthetic):
    """Share of synthetic rows equal to some row of ``reference`` in every column."""
    columns = list(reference.columns)
    seen = set(map(tuple, reference[columns].astype(str).to_numpy()))
    rows = map(tuple, synthetic[columns].astype(str).to_numpy())
    return round(sum(row in seen for row in rows) / len(synthetic), 4)


def score(dataset_name, generator_name, seed, adult_rows):
    from sdmetrics.single_table import DCRBaselineProtection
    from sdv.metadata import Metadata

    from sdv_fairdistill.benchmark import split_dataset
    from sdv_fairdistill.benchmark.generators import get_generator
    from sdv_fairdistill.benchmark.runner import run_generator
    from sdv_fairdistill.datasets import get_dataset

    dataset = get_dataset(dataset_name)
    num_rows = adult_rows if dataset_name == 'adult' else None
    train, test, _ = split_dataset(dataset, num_rows, 0.3, seed)
    metadata = Metadata.detect_from_dataframes({dataset.table_name: train})
    synthetic, timing = run_generator(
        get_generator(generator_name), dataset, metadata, train, seed, {}, False
    )
    np.random.seed(seed)  # SDMetrics draws its subsamples from NumPy's global generator
    overfitting = overfitting_protection(train, synthetic, test, metadata, dataset.table_name)
    without_target = overfitting_protection(
        train, synthetic, test, metadata, dataset.table_name, drop=dataset.target_column
    )
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        baseline = DCRBaselineProtection.compute_breakdown(
            train, synthetic, metadata.to_dict(), dataset.table_name
        )
    return {
        'dataset': dataset_name, 'seed': seed, 'generator': generator_name,
        'training_rows': len(train), 'test_rows': len(test),
        'overfitting_protection': overfitting['score'],
        'closer_to_training': overfitting['closer_to_training'],
        'closer_to_training_without_target': without_target['closer_to_training'],
        # Copies of a training row against copies of a test row, at equal numbers of rows.
        'copies_of_training_rows': copied_share(train.sample(len(test), random_state=seed),
                                                synthetic),
        'copies_of_test_rows': copied_share(test, synthetic),
        'baseline_protection': round(float(baseline['score']), 4),
        'median_dcr_synthetic': round(float(baseline['median_DCR_to_real_data']['synthetic_data']), 4),
        'median_dcr_random': round(float(baseline['median_DCR_to_real_data']['random_data_baseline']), 4),
        'fit_seconds': round(timing['fit_seconds'], 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--datasets', nargs='+', default=['german', 'compas', 'adult'])
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--generators', nargs='+', default=['FairDistill', 'TVAE'])
    parser.add_argument('--adult-rows', type=int, default=10000)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    for dataset_name in args.datasets:
        for seed in args.seeds:
            for generator_name in args.generators:
                row = score(dataset_name, generator_name, seed, args.adult_rows)
                print(json.dumps(row), flush=True)


if __name__ == '__main__':
    main()
