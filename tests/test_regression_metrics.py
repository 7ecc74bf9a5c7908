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
    breakdown = MeanDifference.compute_breakdown(real, synthetic, target_column='wage',
                                                sensitive_columns='group')
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


def test_each_side_has_its_value_under_the_class_metrics_key():
    # A loop over every metric reads breakdown[side]['value'], as for the class metrics.
    real, synthetic = _table(600, 1.0, 0), _table(500, 0.5, 1)
    scale = real['wage'].std()
    for metric in (MeanDifference, TSTRMeanDifference):
        breakdown = metric.compute_breakdown(real, synthetic, target_column='wage',
                                             sensitive_columns='group')
        for side in ('real_data', 'synthetic_data'):
            assert breakdown[side]['value'] == breakdown[side]['difference']
        assert breakdown['score'] == breakdown['synthetic_data']['value']
    data_level = MeanDifference.compute_breakdown(real, synthetic, target_column='wage',
                                                  sensitive_columns='group')
    assert data_level['synthetic_data']['value'] == pytest.approx(
        _by_hand_gap(synthetic, 'wage', scale))


def test_several_sensitive_columns_make_joint_groups():
    real = _table(800, 1.0, 0).assign(age=lambda t: np.where(t['z'] > 0, 'old', 'young'))
    breakdown = MeanDifference.compute_breakdown(real, real, target_column='wage',
                                                sensitive_columns=['group', 'age'])
    means = real.groupby(['group', 'age'])['wage'].mean()
    assert len(breakdown['real_data']['by_group']) == 4
    assert breakdown['score'] == pytest.approx((means.max() - means.min()) / real['wage'].std())


def test_tstr_mean_difference_follows_what_the_regressor_learnt():
    real = _table(3000, 1.0, 0)
    biased = MeanDifference.compute(real, real, target_column='wage', sensitive_columns='group')
    # A table whose wage is 10 + x but whose x no longer depends on the group: the regressor
    # learns the same function, and the real validation rows' x still carry the group, so
    # its predictions keep the real gap (a proxy a fair generator has to break, not only
    # the label's dependence on the group).
    unbiased = _table(3000, 0.0, 1)
    same_function = TSTRMeanDifference.compute_breakdown(
        real, unbiased, target_column='wage', sensitive_columns='group',
        include_sensitive_columns=False,
    )
    assert same_function['real_data']['difference'] == pytest.approx(biased, abs=0.15)
    assert same_function['score'] == pytest.approx(biased, abs=0.15)
    assert same_function['synthetic_data']['r2'] > 0.8

    noise = real.assign(wage=np.random.default_rng(3).normal(10, 1, len(real)))
    fair = TSTRMeanDifference.compute_breakdown(real, noise, target_column='wage',
                                                sensitive_columns='group')
    assert fair['score'] < 0.1 < biased  # a target unrelated to the features and the group
    assert fair['synthetic_data']['r2'] < 0.05  # ... and useless


def test_the_entry_points_register_them_in_sdmetrics():
    assert sdmetrics.single_table.MeanDifference is MeanDifference
    assert sdmetrics.single_table.TSTRMeanDifference is TSTRMeanDifference
    real = _table(400, 1.0, 0)
    synthetic = _table(400, 0.5, 1)
    scores = sdmetrics.compute_metrics({'mean': MeanDifference}, real, synthetic,
                                       target_column='wage', sensitive_columns='group')
    assert scores['error'].isna().all()
    assert scores['raw_score'].iloc[0] == pytest.approx(
        _by_hand_gap(synthetic, 'wage', real['wage'].std()))


def test_a_class_label_is_refused_with_a_pointer_to_the_classification_metrics():
    real = _table(400, 1.0, 0).assign(wage=lambda t: np.where(t['x'] > 0, 'high', 'low'))
    with pytest.raises(ValueError, match=r"real_data\['wage'\] is not a number.*FairnessReport"):
        MeanDifference.compute(real, real, target_column='wage', sensitive_columns='group')


def test_a_group_too_small_for_a_mean_is_named():
    real = _table(400, 1.0, 0)
    real.loc[:2, 'group'] = 'c'
    with pytest.raises(ValueError, match=r"'c' \(3 rows\).*min_group_size"):
        MeanDifference.compute(real, real, target_column='wage', sensitive_columns='group')


def test_a_validation_size_that_is_not_a_share_is_refused_before_any_split():
    real = _table(400, 1.0, 0)
    for share in (0, 1.5, 100, True):
        with pytest.raises(ValueError, match=f'a number between 0 and 1, got {share}'):
            TSTRMeanDifference.compute(real, real, target_column='wage',
                                       sensitive_columns='group', validation_size=share)
    # Given validation rows, validation_size is not used: not checked either.
    TSTRMeanDifference.compute(real, real, target_column='wage', sensitive_columns='group',
                               real_validation_data=real, validation_size=0)


def test_a_rare_group_only_in_the_validation_rows_is_measured_if_large_enough():
    # 300 real rows and 100 validation rows (0.25 ** 5: a split leaves 5 rows out by chance).
    real, validation = _table(300, 1.0, 0), _table(100, 1.0, 1)
    kwargs = {'target_column': 'wage', 'sensitive_columns': 'group'}
    validation.loc[:4, 'group'] = 'c'
    measured = TSTRMeanDifference.compute_breakdown(real, real, real_validation_data=validation,
                                                    **kwargs)
    assert list(measured['synthetic_data']['by_group'].index) == ['a', 'b', 'c']
    validation.loc[1:4, 'group'] = 'b'  # one row of 'c': too few for a group mean
    with pytest.raises(ValueError, match=r"real_validation_data has sensitive groups under "
                                         r"min_group_size=5 rows: 'c' \(1 rows\)"):
        TSTRMeanDifference.compute(real, real, real_validation_data=validation, **kwargs)
    TSTRMeanDifference.compute(real, real, real_validation_data=validation, min_group_size=1,
                               **kwargs)


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


def test_a_group_missing_from_a_table_is_named_not_scored_as_fair():
    real = _table(400, 1.0, 0)
    only_b = real[real['group'] == 'b']
    with pytest.raises(ValueError, match=r"synthetic_data.*'a'"):
        MeanDifference.compute(real, only_b, target_column='wage', sensitive_columns='group')
    with pytest.raises(ValueError, match=r"real_validation_data.*'a'"):
        TSTRMeanDifference.compute(real, real, target_column='wage', sensitive_columns='group',
                                   real_validation_data=only_b)


def test_a_target_without_spread_or_with_infinities_is_refused():
    real = _table(400, 1.0, 0)
    with pytest.raises(ValueError, match=r"real_data\['wage'\] has a single value"):
        MeanDifference.compute(real.assign(wage=3.0), real, target_column='wage',
                               sensitive_columns='group')
    with pytest.raises(ValueError, match=r"synthetic_data\['wage'\] has 1 infinite"):
        MeanDifference.compute(real, real.assign(wage=real['wage'].replace(
            real['wage'].iloc[0], np.inf)), target_column='wage', sensitive_columns='group')


def test_missing_targets_are_dropped_and_a_one_table_dict_is_read():
    real = _table(400, 1.0, 0)
    holed = real.copy()
    holed.loc[:49, 'wage'] = np.nan
    with pytest.warns(UserWarning, match="Dropped 50 rows of synthetic_data"):
        value = MeanDifference.compute(real, {'t': holed}, target_column='wage',
                                       sensitive_columns='group')
    assert value == pytest.approx(_by_hand_gap(holed.dropna(), 'wage', real['wage'].std()))


def test_a_report_generated_again_keeps_nothing_of_the_last_target():
    real = _table(1200, 1.0, 0).assign(high=lambda t: np.where(t['wage'] > 10.5, 'y', 'n'))
    metadata = {'columns': {**METADATA['columns'], 'high': {'sdtype': 'categorical'}}}
    report = FairnessReport(explain=False)
    report.generate(real, real, metadata, 'group', 'wage', verbose=False)
    assert report.get_info()['target_kind'] == 'number'
    report.generate(real, real, metadata, 'group', 'high', verbose=False)
    assert len(report.get_properties()) == 4
    assert report.get_info()['target_kind'] == 'class label'
    with pytest.raises(ValueError):
        report.generate(real, real, metadata, 'group', 'no_such_column', verbose=False)
    with pytest.raises(ValueError, match='has not been generated'):
        report.get_score()


def test_an_integer_coded_class_the_metadata_calls_categorical_stays_a_class():
    real = _table(400, 1.0, 0).assign(code=lambda t: np.arange(len(t)) % 12)
    metadata = {'columns': {**METADATA['columns'], 'code': {'sdtype': 'categorical'}}}
    with pytest.raises(ValueError, match='positive_label'):
        FairnessReport().generate(real, real, metadata, 'group', 'code', verbose=False)


def test_a_synthetic_feature_without_values_is_named_in_a_warning():
    # As for the classifiers: a regressor learns nothing from a column with no value (e.g.
    # the fake text SDV generates for a numerical column its detected metadata calls PII).
    real, synthetic = _table(600, 1.0, 0), _table(500, 0.5, 1)
    synthetic['z'] = np.nan
    with pytest.warns(UserWarning, match=r"synthetic_data has no usable value .*\['z'\].* regressor"):
        score = TSTRMeanDifference.compute(real, synthetic, target_column='wage',
                                           sensitive_columns='group')
    assert np.isfinite(score)
