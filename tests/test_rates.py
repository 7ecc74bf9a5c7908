"""The engine's values are fairlearn's: every criterion, form and aggregation read from one
``MetricFrame`` per table equals fairlearn's own function (``demographic_parity_difference``
and its siblings, each of which builds a frame of its own) on the rows of the kept groups,
over random labels, predictions and one or two sensitive columns (combinations without rows
and groups without a class included)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equal_opportunity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sdv_fairdistill.metrics._evaluation import model_fairness
from sdv_fairdistill.metrics._rates import evaluate

FAIRLEARN = {
    ('demographic_parity', 'difference'): demographic_parity_difference,
    ('demographic_parity', 'ratio'): demographic_parity_ratio,
    ('equalized_odds', 'difference'): equalized_odds_difference,
    ('equalized_odds', 'ratio'): equalized_odds_ratio,
    ('equal_opportunity', 'difference'): equal_opportunity_difference,
    ('equal_opportunity', 'ratio'): equal_opportunity_ratio,
}


@st.composite
def labelled_rows(draw):
    """0/1 labels and predictions of 2-60 rows, with one or two text sensitive columns of
    2-4 values each; rates of 0 and 1 in a group are likely (few rows, skewed draws)."""
    rows = draw(st.integers(2, 60))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    y_true = (rng.random(rows) < draw(st.sampled_from([0.0, 0.1, 0.5, 0.9]))).astype(int)
    y_pred = (rng.random(rows) < draw(st.sampled_from([0.0, 0.2, 0.5, 1.0]))).astype(int)
    columns = {}
    for name in ['sex', 'race'][:draw(st.integers(1, 2))]:
        values = [f'{name}{index}' for index in range(draw(st.integers(2, 4)))]
        columns[name] = rng.choice(values, rows)
    return y_true, y_pred, pd.DataFrame(columns)


def kept_rows(y_true, sensitive, criterion):
    """Rows of the groups a criterion can read at ``min_group_size=1``: any row for
    demographic parity, a positive row for equal opportunity, one of each class for
    equalized odds."""
    joint = sensitive.astype(str).agg('|'.join, axis=1)
    positives = pd.Series(y_true).groupby(joint.to_numpy()).agg(['sum', 'size'])
    needs = {
        'demographic_parity': positives['size'] >= 1,
        'equal_opportunity': positives['sum'] >= 1,
        'equalized_odds': (positives['sum'] >= 1) & (positives['size'] - positives['sum'] >= 1),
    }[criterion]
    return joint.isin(positives.index[needs]).to_numpy(), int(needs.sum())


def fairlearn_value(y_true, y_pred, sensitive, criterion, form, agg):
    kwargs = {'agg': agg} if criterion == 'equalized_odds' else {}
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return float(FAIRLEARN[criterion, form](
            y_true, y_pred, sensitive_features=sensitive, **kwargs))


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=labelled_rows(),
       criterion=st.sampled_from(['demographic_parity', 'equalized_odds', 'equal_opportunity']),
       agg=st.sampled_from(['worst_case', 'mean']))
def test_every_value_is_fairlearns_on_the_kept_groups(data, criterion, agg):
    y_true, y_pred, sensitive = data
    mask, groups = kept_rows(y_true, sensitive, criterion)
    kept = sensitive[mask].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # skipped groups and undefined ratios warn
        if groups < 2:
            with pytest.raises(ValueError, match='needs two groups'):
                evaluate(y_true, y_pred, sensitive, criterion=criterion, min_group_size=1,
                         strict=False)
            return
        result = evaluate(y_true, y_pred, sensitive, criterion=criterion,
                          forms=('difference', 'ratio'), agg=agg, min_group_size=1,
                          strict=False, rates=('Size', 'Positive Rate'))
    for form in ('difference', 'ratio'):
        expected = fairlearn_value(y_true[mask], y_pred[mask], kept, criterion, form, agg)
        np.testing.assert_equal(result[form], expected)
    # The shown rates are the ones asked for, of the kept groups only.
    assert list(result['by_group'].columns[-2:]) == ['Size', 'Positive Rate']
    assert result['by_group']['Size'].sum() == mask.sum()
    assert len(result['by_group']) == groups


@settings(max_examples=40, deadline=None, derandomize=True)
@given(data=labelled_rows())
def test_a_models_six_values_are_fairlearns(data):
    y_true, y_pred, sensitive = data
    # A classifier's groups are checked strictly: every group needs both classes.
    _, groups = kept_rows(y_true, sensitive, 'equalized_odds')
    joint_groups = len(sensitive.drop_duplicates())
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        if groups < joint_groups or groups < 2:
            with pytest.raises(ValueError):
                model_fairness(y_true, y_pred, sensitive, 1, 'validation rows')
            return
        scores = model_fairness(y_true, y_pred, sensitive.set_axis(
            np.arange(len(sensitive)) + 100), 1, 'validation rows')
    for key, criterion in (('dp', 'demographic_parity'), ('eo', 'equalized_odds'),
                           ('tpr', 'equal_opportunity')):
        for form in ('difference', 'ratio'):
            expected = fairlearn_value(y_true, y_pred, sensitive, criterion, form, 'worst_case')
            np.testing.assert_equal(scores[f'{key}_{form}'], expected)
    rates = scores['by_group']
    assert rates['Size'].sum() == len(y_true)
    assert list(rates.columns[-5:]) == ['Size', 'Positive Rate', 'Selection Rate', 'TPR', 'FPR']
