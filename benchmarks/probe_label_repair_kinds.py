"""Probe: ``label_repair`` on a number and on a label of more than two classes (Adult, 1,500
rows, sensitive ``sex``, 30 + 15 epochs, seed 0), the numbers quoted in docs/method.md
(Stage 4, "A partial repair"):

    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 python benchmarks/probe_label_repair_kinds.py

- ``hours-per-week``: the gap (men minus women) of the mean prediction of a gradient-boosting
  regressor trained on 6,000 generated rows and applied to the real rows (what the
  calibration aims at ``1 - a`` of the real gap), beside the generated table's own gap;
- ``marital-status``: the total-variation distance between the groups' class shares in 6,000
  generated rows (such labels are not calibrated).
"""

import warnings

import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor

from sdv_fairdistill.datasets import load_adult
from sdv_fairdistill.synthesizers.tabular import FairDistillSynthesizer

REPAIRS = (1.0, 0.5, 0.0)


def mean_gap(values, sex):
    means = pd.Series(values, index=sex.index).groupby(sex).mean()
    return means['Male'] - means['Female']


def share_distance(frame, column):
    shares = pd.crosstab(frame['sex'], frame[column], normalize='index')
    return 0.5 * (shares.loc['Male'] - shares.loc['Female']).abs().sum()


def downstream_gap(table, data, target):
    features = [column for column in data.columns if column != target]
    both = pd.concat([table[features], data[features]], ignore_index=True)
    codes = both.apply(lambda c: c.astype('category').cat.codes if c.dtype == object else c)
    regressor = HistGradientBoostingRegressor(random_state=0).fit(
        codes.iloc[:len(table)], table[target])
    return mean_gap(regressor.predict(codes.iloc[len(table):]), data['sex'])


def main():
    warnings.simplefilter('ignore')
    data, metadata = load_adult(num_rows=1500, random_state=0)
    print('hours-per-week: real gap', round(mean_gap(data['hours-per-week'], data['sex']), 3))
    print('marital-status: real distance', round(share_distance(data, 'marital-status'), 3))
    for target in ('hours-per-week', 'marital-status'):
        for repair in REPAIRS:
            synthesizer = FairDistillSynthesizer(
                metadata, sensitive_columns='sex', target_column=target, label_repair=repair,
                epochs=30, distill_epochs=15, seed=0,
            )
            synthesizer.fit({'adult': data})
            table = synthesizer.sample(6000)['adult']
            if target == 'hours-per-week':
                print(target, repair, 'table', round(mean_gap(table[target], table['sex']), 3),
                      'downstream', round(downstream_gap(table, data, target), 3))
            else:
                print(target, repair, 'distance', round(share_distance(table, target), 3))


if __name__ == '__main__':
    main()
