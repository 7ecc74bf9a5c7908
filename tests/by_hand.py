"""Fairness values counted with pandas from their definitions, independently of fairlearn
and of the package, for tests to compare the package's numbers with.

Per group g: selection rate P(pred = 1 | g), TPR P(pred = 1 | y = 1, g), FPR
P(pred = 1 | y = 0, g). A difference is the largest minus the smallest group value, a
ratio the smallest over the largest; equalized odds takes the worse (``agg='worst_case'``)
or the mean (``agg='mean'``) of its TPR and FPR values.
"""

import numpy as np
import pandas as pd


def group_rates(y_true, y_pred, groups):
    """DataFrame indexed by group: Size, Selection Rate, TPR, FPR."""
    if isinstance(groups, pd.DataFrame):
        groups = groups.astype(str).agg(', '.join, axis=1)
    frame = pd.DataFrame({
        'y': np.asarray(y_true), 'p': np.asarray(y_pred), 'g': np.asarray(groups),
    })
    rates = {}
    for group, rows in frame.groupby('g'):
        positives, negatives = rows[rows['y'] == 1], rows[rows['y'] == 0]
        rates[group] = {
            'Size': len(rows),
            'Selection Rate': rows['p'].mean(),
            'TPR': positives['p'].mean() if len(positives) else np.nan,
            'FPR': negatives['p'].mean() if len(negatives) else np.nan,
        }
    return pd.DataFrame.from_dict(rates, orient='index')


def _difference(values):
    return values.max() - values.min()


def _ratio(values):
    return values.min() / values.max()


def dp_difference(y_true, y_pred, groups):
    return _difference(group_rates(y_true, y_pred, groups)['Selection Rate'])


def dp_ratio(y_true, y_pred, groups):
    return _ratio(group_rates(y_true, y_pred, groups)['Selection Rate'])


def tpr_difference(y_true, y_pred, groups):
    return _difference(group_rates(y_true, y_pred, groups)['TPR'])


def eo_difference(y_true, y_pred, groups, agg='worst_case'):
    rates = group_rates(y_true, y_pred, groups)
    values = [_difference(rates['TPR']), _difference(rates['FPR'])]
    return max(values) if agg == 'worst_case' else float(np.mean(values))


def eo_ratio(y_true, y_pred, groups, agg='worst_case'):
    rates = group_rates(y_true, y_pred, groups)
    values = [_ratio(rates['TPR']), _ratio(rates['FPR'])]
    return min(values) if agg == 'worst_case' else float(np.mean(values))


def dcov2(x, s):
    """Squared distance covariance (V-statistic), Szekely et al. 2007, eq. 2.8, in NumPy."""
    def centred(values):
        d = np.linalg.norm(values[:, None, :] - values[None, :, :], axis=2)
        return d - d.mean(axis=0) - d.mean(axis=1)[:, None] + d.mean()

    return float((centred(x) * centred(s)).mean())
