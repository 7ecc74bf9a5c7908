"""A number as the target: the regression metrics and the FairnessReport, values against
pandas / numpy / scikit-learn computations of their definitions, and the errors."""

import numpy as np
import pandas as pd
import pytest
import sdmetrics
import sdmetrics.single_table
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import r2_score

from sdv_fairdistill.metrics import (
    FairnessReport,
    MeanDifference,
    TSTRDemographicParityDifference,
    TSTRMeanDifference,
)
from sdv_fairdistill.metrics import regression


def _table(n, gap, seed):
    """Group ``a`` earns ``gap`` more on average, through its feature ``x`` (a proxy)."""
    rng = np.random.default_rng(seed)
    group = rng.choice(['a', 'b'], n, p=[0.4, 0.6])
    x = rng.normal(size=n) + gap * (group == 'a')
    return pd.DataFrame({
        'group': group, 'x': x, 'z': rng.normal(size=n), 'wage': 10 + x + 0.3 * rng.normal(size=n),
    })


def _by_hand_gap(table, column, scale):
    means = table.groupby('group')[column].mean()
    return (means.max() - means.min()) / scale


def _by_hand_ks(a, b):
    """Largest distance between the two empirical CDFs, on every value of either sample."""
    points = np.concatenate([a, b])
    cdf_a = np.searchsorted(np.sort(a), points, side='right') / len(a)
    cdf_b = np.searchsorted(np.sort(b), points, side='right') / len(b)
    return np.abs(cdf_a - cdf_b).max()


def test_mean_difference_is_the_group_mean_gap_in_real_standard_deviations():
    real, synthetic = _table(600, 1.0, 0), _table(500, 0.5, 1)
    breakdown = MeanDifference.compute_breakdown(real, synthetic, None, 'wage', 'group')
    scale = real['wage'].std()
    assert breakdown['score'] == pytest.approx(_by_hand_gap(synthetic, 'wage', scale))
    assert breakdown['real_data']['difference'] == pytest.approx(_by_hand_gap(real, 'wage', scale))
    by_group = breakdown['synthetic_data']['by_group']
    assert by_group['Size'].to_dict() == synthetic['group'].value_counts().to_dict()
    rows = synthetic.groupby('group')['wage']
    assert breakdown['synthetic_data']['ks_distance'] == pytest.approx(
        _by_hand_ks(rows.get_group('a').to_numpy(), rows.get_group('b').to_numpy())
    )
    assert MeanDifference.compute(real, synthetic, target_column='wage',
                                  sensitive_columns='group') == breakdown['score']


def test_several_sensitive_columns_make_joint_groups():
    real = _table(800, 1.0, 0).assign(age=lambda t: np.where(t['z'] > 0, 'old', 'young'))
    breakdown = MeanDifference.compute_breakdown(real, real, None, 'wage', ['group', 'age'])
    means = real.groupby(['group', 'age'])['wage'].mean()
    assert len(breakdown['real_data']['by_group']) == 4
    assert breakdown['score'] == pytest.approx((means.max() - means.min()) / real['wage'].std())


def test_tstr_mean_difference_is_small_for_a_table_without_the_bias():
    real = _table(3000, 1.0, 0)
    unbiased = _table(3000, 0.0, 1)  # x (and so wage) no longer depends on the group
    unbiased['x'] = np.random.default_rng(2).normal(size=len(unbiased))
    biased = MeanDifference.compute_breakdown(real, real, None, 'wage', 'group')['score']
    breakdown = TSTRMeanDifference.compute_breakdown(
        real, unbiased, None, 'wage', 'group', include_sensitive_columns=True,
    )
    # The real-trained regressor carries the real gap (through x); the validation rows keep
    # x's dependence on the group, so the synthetic-trained one does too, unless it learnt
    # wage from something else: here it learnt 10 + x, the same function.
    assert breakdown['real_data']['difference'] == pytest.approx(biased, abs=0.15)
    assert breakdown['real_data']['r2'] > 0.8

    noise = real.assign(wage=np.random.default_rng(3).normal(10, 1, len(real)))
    fair = TSTRMeanDifference.compute_breakdown(real, noise, None, 'wage', 'group')
    assert fair['score'] < 0.1 < biased  # a target unrelated to the features and the group
    assert fair['synthetic_data']['r2'] < 0.05  # ... and useless


def test_the_entry_points_register_them_in_sdmetrics():
    assert sdmetrics.single_table.MeanDifference is MeanDifference
    assert sdmetrics.single_table.TSTRMeanDifference is TSTRMeanDifference
    real = _table(400, 1.0, 0)
    scores = sdmetrics.compute_metrics({'mean': MeanDifference}, real, real,
                                       target_column='wage', sensitive_columns='group')
    assert scores['error'].isna().all()


def test_a_class_label_is_refused_with_a_pointer_to_the_classification_metrics():
    real = _table(400, 1.0, 0).assign(wage=lambda t: np.where(t['x'] > 0, 'high', 'low'))
    with pytest.raises(ValueError, match=r"real_data\['wage'\] is not a number.*FairnessReport"):
        MeanDifference.compute(real, real, target_column='wage', sensitive_columns='group')


def test_a_group_too_small_for_a_mean_is_named():
    real = _table(400, 1.0, 0)
    real.loc[:2, 'group'] = 'c'
    with pytest.raises(ValueError, match=r"'c' \(3 rows\).*min_group_size"):
        MeanDifference.compute(real, real, target_column='wage', sensitive_columns='group')


def test_a_synthetic_group_the_real_data_lack_is_named():
    real, synthetic = _table(400, 1.0, 0), _table(400, 1.0, 1)
    synthetic.loc[:9, 'group'] = 'c'
    with pytest.raises(ValueError, match=r"synthetic_data\['group'\].*'c' \(10 rows\)"):
        TSTRMeanDifference.compute(real, synthetic, target_column='wage',
                                   sensitive_columns='group')


def test_the_classification_metrics_point_a_number_at_the_regression_metrics():
    real = _table(400, 1.0, 0)
    with pytest.raises(ValueError, match='TSTRMeanDifference'):
        TSTRDemographicParityDifference.compute(real, real, target_column='wage',
                                                sensitive_columns='group')


METADATA = {'columns': {'group': {'sdtype': 'categorical'}, 'x': {'sdtype': 'numerical'},
                        'z': {'sdtype': 'numerical'}, 'wage': {'sdtype': 'numerical'}}}


def test_the_fairness_report_scores_a_number_by_group_means_and_r2():
    real, validation = _table(1500, 1.0, 0), _table(600, 1.0, 5)
    synthetic = _table(1500, 1.0, 1)
    synthetic['wage'] = synthetic['wage'].where(synthetic['group'] == 'b',
                                                synthetic['wage'] - 0.5)  # a smaller gap
    report = FairnessReport(include_sensitive_columns=False)
    report.generate(real, synthetic, METADATA, 'group', 'wage',
                    real_validation_data=validation, verbose=False)
    assert list(report.get_properties()['Property']) == ['Demographic Parity',
                                                         'Downstream Utility']
    # The same regressor and the same gaps, computed here from their definitions.
    regressor = HistGradientBoostingRegressor(random_state=0)
    predicted = regressor.fit(synthetic[['x', 'z']], synthetic['wage']).predict(validation[['x', 'z']])
    tstr_gap = _by_hand_gap(validation.assign(p=predicted), 'p', validation['wage'].std())
    data_gap = _by_hand_gap(synthetic, 'wage', real['wage'].std())
    parity = np.mean([max(0, 1 - data_gap), max(0, 1 - tstr_gap)])
    utility = max(0, r2_score(validation['wage'], predicted))
    scores = report.get_properties().set_index('Property')['Score']
    assert scores['Demographic Parity'] == pytest.approx(parity)
    assert scores['Downstream Utility'] == pytest.approx(utility)
    assert report.get_score() == pytest.approx(np.sqrt(parity * utility))
    details = report.get_details('Demographic Parity')
    data = details[(details['Setting'] == 'Data') & (details['Source'] == 'Synthetic data')]
    assert data.set_index('Group')['Size'].to_dict() == synthetic['group'].value_counts().to_dict()
    assert report.get_info()['fairness'] == 'Demographic Parity (group means of a number)'
    for name in ('Demographic Parity', 'Downstream Utility'):
        assert report.get_visualization(name).data


def test_the_fairness_report_of_a_number_refuses_the_error_rate_criteria_and_a_classifier():
    real = _table(400, 1.0, 0)
    with pytest.raises(ValueError, match="'wage' is a number"):
        FairnessReport(fairness_criterion='equalized_odds').generate(
            real, real, METADATA, 'group', 'wage', verbose=False)
    with pytest.raises(ValueError, match='classifier= applies to class labels'):
        FairnessReport().generate(real, real, METADATA, 'group', 'wage',
                                  classifier='RandomForest', verbose=False)


def test_group_mean_difference_of_a_constant_target_is_zero():
    sensitive = pd.DataFrame({'group': ['a', 'b', 'a', 'b']})
    assert regression.group_mean_difference(np.ones(4), sensitive, 0.0)['difference'] == 0.0
