"""Probe: spikes on a 1,100-row Adult fit, the setup of the slow test
``test_penalty_removes_the_real_bias_and_keeps_the_signal``, on more seeds and more test rows.

One fit per seed and arm (``gauss``: every value in Gaussian modes, the encoding before
spikes; ``spikes``: the shipped encoding) on the first 1,100 of 6,000 Adult rows (curated
metadata, default training, batch 250), a 4,000-row table, and a logistic regression on four
numbers and the sex trained on it. Printed per fit: the generated label gap between the
sexes, that model's demographic-parity difference on the next 400 real rows (the test's
held-out rows until 2026-12-05) and on the 4,500 after them, the calibration's offsets
(log-odds; men, women) and the share of zero capital gains.

Usage::

    python benchmarks/probe_spikes_small_fit.py spikes 0 1 2 3 4 5
    python benchmarks/probe_spikes_small_fit.py gauss 0 1 2 3 4 5
"""

import sys
import warnings
from unittest import mock

import numpy as np
import pandas as pd
from fairlearn.metrics import demographic_parity_difference
from sklearn.linear_model import LogisticRegression

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.adapters import tabular_encoding
from sdv_fairdistill.datasets import load_adult

FEATURES = ['age', 'education-num', 'hours-per-week', 'capital-gain']


def rich(table):
    return table['income'].str.strip().str.startswith('>50K').to_numpy()


def label_gap(table):
    rates = pd.Series(rich(table)).groupby(table['sex'].to_numpy()).mean()
    return rates.max() - rates.min()


def downstream_dp(synthetic, test):
    def features(table):
        return np.column_stack([table[FEATURES].to_numpy(float), table['sex'] == 'Female'])

    model = LogisticRegression(max_iter=2000).fit(features(synthetic), rich(synthetic))
    return demographic_parity_difference(
        rich(test), model.predict(features(test)), sensitive_features=test['sex'])


def main():
    warnings.simplefilter('ignore')
    arm, seeds = sys.argv[1], [int(seed) for seed in sys.argv[2:]]
    data, metadata = load_adult(num_rows=6000, random_state=0)
    train, test, test_big = data.iloc[:1100], data.iloc[1100:1500], data.iloc[1500:]
    for seed in seeds:
        patch = (mock.patch.object(tabular_encoding._Spikes, 'find', return_value=[])
                 if arm == 'gauss' else mock.patch.dict({}))
        with patch:
            synthesizer = FairDistillSynthesizer(
                metadata, sensitive_columns='sex', target_column='income', seed=seed,
                batch_size=250)
            synthesizer.fit({'adult': train})
        table = synthesizer.sample(4000)['adult']
        print(arm, seed, 'gap', round(label_gap(table), 3),
              'ddp400', round(downstream_dp(table, test), 3),
              'ddp4500', round(downstream_dp(table, test_big), 3),
              'offsets', np.round(synthesizer._model.target_offsets, 2).tolist(),
              'zeros', round((table['capital-gain'] == 0).mean(), 3), flush=True)


if __name__ == '__main__':
    main()
