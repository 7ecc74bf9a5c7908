"""Fairness metrics: values equal the rates counted by hand (tests/by_hand.py), clear errors,
SDMetrics registration."""

import gc
import re
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from by_hand import dp_difference, dp_ratio, eo_difference, eo_ratio, group_rates
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

import sdmetrics
import sdmetrics.single_table
from sdmetrics.goal import Goal
from sdv_fairdistill.metrics import fairness
from sdv_fairdistill.metrics._base import TSTRMetric, metric_classes
from sdv_fairdistill.metrics._rates import EQUALIZED_ODDS, RATIO
from sdv_fairdistill.metrics.regression import TSTRMeanDifference
from sdv_fairdistill.metrics.fairness import (
    DemographicParityDifference,
    DemographicParityDifferenceImprovement,
    DemographicParityRatio,
    DemographicParityRatioImprovement,
    EqualizedOddsDifference,
    EqualizedOddsDifferenceImprovement,
    EqualizedOddsRatio,
    EqualizedOddsRatioImprovement,
    FairnessTask,
    TSTRDemographicParityDifference,
    TSTRDemographicParityRatio,
    TSTREqualizedOddsDifference,
    TSTREqualizedOddsRatio,
)

ALL_METRICS = [name for name in fairness.__all__ if name != 'FairnessTask']


# ------------------------------------------------------------------------------- fixtures
@pytest.fixture
def small():
    """Two sexes x two races; an outcome ``y`` and a recorded decision ``decision``."""
    rng = np.random.default_rng(0)
    n = 400
    sex = rng.choice(['F', 'M'], n)
    race = rng.choice(['A', 'B'], n)
    score = rng.normal(size=n) + 0.8 * (sex == 'M') + 0.3 * (race == 'A')
    y = np.where(score + rng.normal(scale=0.7, size=n) > 0.6, 'yes', 'no')
    decision = np.where(score + 0.4 * (sex == 'M') > 0.6, 'yes', 'no')
    return pd.DataFrame({
        'x': score,
        'sex': sex,
        'race': race,
        'y': y,
        'decision': decision,
    })



@pytest.fixture(scope='module')
def adult_synthetic(adult):
    """A stand-in 'synthetic' table: real training rows with 10 % of the labels flipped."""
    train, _ = adult
    synthetic = train.copy()
    flip = np.random.default_rng(2).random(len(synthetic)) < 0.1
    synthetic.loc[flip, 'income'] = synthetic.loc[flip, 'income'].map(
        {'>50K': '<=50K', '<=50K': '>50K'}
    )
    return synthetic


@pytest.fixture(scope='module')
def adult_task(adult, adult_synthetic):
    """The metrics' own inputs and both classifiers' predictions (same seed as the metrics)."""
    train, validation = adult
    task = FairnessTask(
        train,
        adult_synthetic,
        target_column='income',
        sensitive_columns='sex',
        real_validation_data=validation,
    )
    task.tstr('real_data'), task.tstr('synthetic_data')
    return task


def with_values(table, column, value, stop):
    """A copy of ``table`` with ``value`` in ``column`` of the rows up to the label ``stop``
    (also used by test_fairness_report)."""
    changed = table.copy()
    changed.loc[:stop, column] = value
    return changed


def _labels(table, column='y', positive='yes'):
    return (table[column] == positive).astype(int).to_numpy()


# ------------------------------------------------------------------------- data level
def test_data_level_demographic_parity_equals_the_rates_counted_by_hand(small):
    synthetic = small.sample(frac=1.0, random_state=3, replace=True)
    kwargs = {'target_column': 'y', 'sensitive_columns': 'sex', 'positive_label': 'yes'}

    difference = DemographicParityDifference.compute_breakdown(small, synthetic, **kwargs)
    ratio = DemographicParityRatio.compute(small, synthetic, **kwargs)

    y = _labels(synthetic)
    rates = synthetic.assign(p=y).groupby('sex')['p'].mean()
    assert difference['score'] == pytest.approx(rates.max() - rates.min(), abs=1e-12)
    assert difference['score'] == pytest.approx(dp_difference(
        y, y, synthetic['sex']
    ))
    assert ratio == pytest.approx(dp_ratio(y, y, synthetic['sex']))
    y_real = _labels(small)
    assert difference['real_data']['value'] == pytest.approx(dp_difference(
        y_real, y_real, small['sex']
    ))
    by_group = difference['synthetic_data']['by_group'].set_index('Group')
    assert by_group['Size'].to_dict() == synthetic['sex'].value_counts().to_dict()
    assert by_group['Selection Rate'].to_dict() == pytest.approx(rates.to_dict())


def test_data_level_intersectional_groups(small):
    kwargs = {'target_column': 'y', 'sensitive_columns': ['sex', 'race'], 'positive_label': 'yes'}

    breakdown = DemographicParityDifference.compute_breakdown(small, small, **kwargs)

    y = _labels(small)
    expected = pytest.approx(dp_difference(y, y, small[['sex', 'race']]))
    assert breakdown['score'] == expected
    by_group = breakdown['synthetic_data']['by_group']
    assert sorted(by_group['Group']) == ['F, A', 'F, B', 'M, A', 'M, B']
    assert by_group['Size'].sum() == len(small)


@pytest.mark.parametrize('agg', ['worst_case', 'mean'])
def test_data_level_equalized_odds_of_a_decision_column(small, agg):
    kwargs = {
        'target_column': 'y',
        'sensitive_columns': ['sex', 'race'],
        'positive_label': 'yes',
        'prediction_column': 'decision',
        'agg': agg,
    }

    difference = EqualizedOddsDifference.compute(small, small, **kwargs)
    ratio = EqualizedOddsRatio.compute(small, small, **kwargs)

    y, decision, groups = _labels(small), _labels(small, 'decision'), small[['sex', 'race']]
    assert difference == pytest.approx(eo_difference(y, decision, groups, agg=agg))
    assert ratio == pytest.approx(eo_ratio(y, decision, groups, agg=agg))
    assert 0 < difference < 1


def test_data_level_equalized_odds_needs_a_prediction_column(small):
    with pytest.raises(ValueError, match='prediction_column=.*TSTREqualizedOddsDifference'):
        EqualizedOddsDifference.compute(
            small, small, target_column='y', sensitive_columns='sex', positive_label='yes'
        )


# ------------------------------------------------------------------------------- TSTR
def test_tstr_metrics_equal_the_rates_counted_by_hand(adult, adult_synthetic, adult_task):
    train, validation = adult
    kwargs = {
        'target_column': 'income',
        'sensitive_columns': 'sex',
        'real_validation_data': validation,
    }
    task = adult_task
    prediction = task.tstr('synthetic_data')
    y_true = (validation['income'] == '>50K').astype(int).to_numpy()
    sex = validation['sex']

    breakdown = TSTREqualizedOddsDifference.compute_breakdown(train, adult_synthetic, **kwargs)

    assert task.positive_label == '>50K'  # the larger of '<=50K' and '>50K'
    assert TSTRDemographicParityDifference.compute(
        train, adult_synthetic, **kwargs
    ) == pytest.approx(dp_difference(y_true, prediction.y_pred, sex))
    assert TSTRDemographicParityRatio.compute(
        train, adult_synthetic, **kwargs
    ) == pytest.approx(dp_ratio(y_true, prediction.y_pred, sex))
    assert breakdown['score'] == pytest.approx(eo_difference(
        y_true, prediction.y_pred, sex
    ))
    assert TSTREqualizedOddsRatio.compute(
        train, adult_synthetic, agg='mean', **kwargs
    ) == pytest.approx(eo_ratio(y_true, prediction.y_pred, sex, agg='mean'))

    counted = group_rates(y_true, prediction.y_pred, sex)
    by_group = breakdown['synthetic_data']['by_group'].set_index('Group')
    pd.testing.assert_series_equal(by_group['TPR'], counted['TPR'], check_names=False)
    pd.testing.assert_series_equal(by_group['FPR'], counted['FPR'], check_names=False)

    synthetic = breakdown['synthetic_data']
    assert synthetic['accuracy'] == accuracy_score(y_true, prediction.y_pred)
    assert synthetic['f1'] == f1_score(y_true, prediction.y_pred)
    assert synthetic['auroc'] == roc_auc_score(y_true, prediction.y_score)
    assert synthetic['auroc'] > 0.8  # a useful classifier, not a constant one
    assert breakdown['classifier'] == 'HistGradientBoosting'
    assert breakdown['num_rows_validation'] == len(validation)


def test_improvement_follows_the_sdmetrics_formula(adult, adult_synthetic, adult_task):
    train, validation = adult
    kwargs = {
        'target_column': 'income',
        'sensitive_columns': 'sex',
        'real_validation_data': validation,
    }

    dp = DemographicParityDifferenceImprovement.compute_breakdown(train, adult_synthetic, **kwargs)
    eor = EqualizedOddsRatioImprovement.compute_breakdown(train, adult_synthetic, **kwargs)

    # SDMetrics' EqualizedOddsImprovement: (fairness_synthetic - fairness_real) / 2 + 0.5,
    # with fairness = 1 - difference, or the ratio itself.
    real, synthetic = dp['real_data']['value'], dp['synthetic_data']['value']
    assert dp['score'] == pytest.approx(((1 - synthetic) - (1 - real)) / 2 + 0.5)
    real, synthetic = eor['real_data']['value'], eor['synthetic_data']['value']
    assert eor['score'] == pytest.approx((synthetic - real) / 2 + 0.5)

    # The real-trained model is fitted on the real training data, tested on validation.
    y_true = (validation['income'] == '>50K').astype(int).to_numpy()
    real_pred = adult_task.tstr('real_data').y_pred
    synthetic_pred = adult_task.tstr('synthetic_data').y_pred
    sex = validation['sex']
    assert dp['real_data']['value'] == pytest.approx(dp_difference(
        y_true, real_pred, sex
    ))
    assert eor['synthetic_data']['value'] == pytest.approx(eo_ratio(
        y_true, synthetic_pred, sex
    ))
    assert dp['real_data']['accuracy'] == accuracy_score(y_true, real_pred)


def test_improvement_is_one_half_for_the_real_data_itself(adult):
    train, validation = adult
    value = EqualizedOddsDifferenceImprovement.compute(
        train, train, target_column='income', sensitive_columns='sex',
        real_validation_data=validation,
    )
    assert value == 0.5


def test_holdout_is_reproducible_and_stratified(adult):
    train, _ = adult
    kwargs = {'target_column': 'income', 'sensitive_columns': 'sex'}

    first = FairnessTask(train, train, **kwargs)
    second = FairnessTask(train, train, **kwargs)

    real_train, validation = first.split
    assert len(validation) == round(0.3 * len(train))
    assert validation.index.equals(second.split[1].index)
    assert set(real_train.index).isdisjoint(validation.index)
    for table in (real_train, validation):
        rates = table.groupby('sex')['income'].apply(lambda s: (s == '>50K').mean())
        overall = train.groupby('sex')['income'].apply(lambda s: (s == '>50K').mean())
        assert rates.to_numpy() == pytest.approx(overall.to_numpy(), abs=0.01)
    value = TSTRDemographicParityDifference.compute(train, train, **kwargs)
    assert value == TSTRDemographicParityDifference.compute(train, train, **kwargs)


def test_testing_on_rows_of_real_data_is_said(small):
    # The held-out part of real_data is usually rows the synthesizer learned from: a
    # synthetic table copying them (here: the real table itself) then scores as the real
    # table does, so the user is told to pass rows kept out of the fit.
    kwargs = {'target_column': 'y', 'sensitive_columns': 'sex', 'positive_label': 'yes'}
    fit_rows, unseen = small.iloc[:300], small.iloc[300:]
    with pytest.warns(UserWarning, match='No real_validation_data.*kept out of the'):
        TSTRDemographicParityDifference.compute(fit_rows, fit_rows, **kwargs)
    number = {'target_column': 'x', 'sensitive_columns': 'sex'}
    with pytest.warns(UserWarning, match='No real_validation_data'):
        TSTRMeanDifference.compute(fit_rows, fit_rows, **number)
    with warnings.catch_warnings():
        warnings.filterwarnings('error', message='No real_validation_data')
        TSTRDemographicParityDifference.compute(fit_rows, fit_rows,
                                                real_validation_data=unseen, **kwargs)
        TSTRMeanDifference.compute(fit_rows, fit_rows, real_validation_data=unseen, **number)
        DemographicParityDifference.compute(fit_rows, fit_rows, **kwargs)  # no classifier


def test_validation_rows_that_are_rows_of_real_data_are_said(small):
    # Passed the real table again, the real-trained model was tested on its own training
    # rows (on COMPAS its AUROC read 0.97 instead of 0.64), with no word.
    kwargs = {'target_column': 'y', 'sensitive_columns': 'sex', 'positive_label': 'yes'}
    fit_rows, unseen = small.iloc[:300], small.iloc[300:]
    for metric, options in ((TSTRDemographicParityDifference, kwargs),
                            (TSTRMeanDifference, {'target_column': 'x', 'sensitive_columns': 'sex'})):
        with pytest.warns(UserWarning, match='300 of the 300 rows of real_validation_data are '
                                             'rows of real_data'):
            metric.compute(fit_rows, fit_rows, real_validation_data=fit_rows, **options)
        with warnings.catch_warnings():
            warnings.filterwarnings('error', message='.*rows of real_validation_data')
            metric.compute(fit_rows, fit_rows, real_validation_data=unseen, **options)


def test_a_feature_whose_values_no_table_shares_is_said(small):
    kwargs = {'target_column': 'y', 'sensitive_columns': 'sex', 'positive_label': 'yes',
              'real_validation_data': small.iloc[300:]}
    real = small.iloc[:300].assign(race=lambda t: t['race'].map({'A': 'north', 'B': 'south'}))
    validation = kwargs['real_validation_data'].assign(
        race=lambda t: t['race'].map({'A': 'north', 'B': 'south'}))
    kwargs['real_validation_data'] = validation
    codes = real.assign(race=real['race'].map({'north': 0, 'south': 1}))  # codes for names
    with pytest.warns(UserWarning, match=r"synthetic_data\['race'\] shares no value with "
                                         r"real_data\['race'\] \(e.g. 1 against 'south'\)"):
        TSTRDemographicParityDifference.compute(real, codes, **kwargs)
    # Whole numbers read back as floats are the same categories: no warning, same numbers.
    numbers = real.assign(race=real['race'].map({'north': 3, 'south': 7}))
    valid_numbers = validation.assign(race=validation['race'].map({'north': 3, 'south': 7}))
    metadata = {'columns': {'race': {'sdtype': 'categorical'}, 'x': {'sdtype': 'numerical'},
                            'sex': {'sdtype': 'categorical'}, 'y': {'sdtype': 'categorical'},
                            'decision': {'sdtype': 'categorical'}}}
    options = {**kwargs, 'real_validation_data': valid_numbers}
    with warnings.catch_warnings():
        warnings.filterwarnings('error', message='.*shares no value')
        as_floats = TSTREqualizedOddsDifference.compute(
            numbers, numbers.assign(race=numbers['race'].astype(float)), metadata, **options)
        as_ints = TSTREqualizedOddsDifference.compute(numbers, numbers, metadata, **options)
    assert as_floats == as_ints


def test_a_sensitive_column_named_twice_is_refused(small):
    with pytest.raises(ValueError, match=r"sensitive_columns names \['sex'\] more than once"):
        DemographicParityDifference.compute(small, small, target_column='y',
                                            sensitive_columns=['sex', 'sex'])


def test_validation_rows_with_groups_the_real_rows_lack_are_refused(small):
    # Recoded groups in the validation rows were measured as groups no classifier had seen:
    # the real-trained model's DP difference read 0.02 where it is 0.18 (a CLI probe).
    kwargs = {'target_column': 'y', 'sensitive_columns': 'sex', 'positive_label': 'yes'}
    fit_rows, unseen = small.iloc[:300], small.iloc[300:].copy()
    recoded = unseen.assign(sex=unseen['sex'].map({'F': 'Female', 'M': 'Male'}))
    with pytest.raises(ValueError, match=r"real_validation_data\['sex'\] has sensitive values "
                                         r"that real_data does not have: .*'Female'"):
        TSTRDemographicParityDifference.compute(fit_rows, fit_rows,
                                                real_validation_data=recoded, **kwargs)
    # More missing values than a split leaves out of real_data by chance (0.25 ** 20).
    unseen.loc[unseen.index[:20], 'sex'] = None
    with pytest.raises(ValueError, match=r"real_validation_data\['sex'\] has sensitive values "
                                         r"that real_data does not have: '\(missing\)' \(20 "
                                         r"rows\) \(more rows than a split .* by chance\); "
                                         r"real_validation_data\['sex'\] has missing values"):
        TSTRDemographicParityDifference.compute(fit_rows, fit_rows,
                                                real_validation_data=unseen, **kwargs)


def _rare_in_validation(small, rows):
    """``small``'s first 300 rows to fit and its last 100 to validate, ``rows`` of which are of
    a race (``'C'``) the fitted rows lack: a rare value a split put only in the test rows."""
    fit_rows, unseen = small.iloc[:300], small.iloc[300:].copy()
    unseen.loc[unseen.index[:rows], 'race'] = 'C'
    return fit_rows, unseen


def test_a_rare_group_only_in_the_validation_rows_is_measured(small):
    # A random split of a 17-nation table put two nations only in its test rows: refused,
    # with the accuracy, F1 and AUROC. The classifiers predict those rows; they are measured.
    fit_rows, unseen = _rare_in_validation(small, 5)  # 0.25 ** 5: a split does it by chance
    kwargs = {'target_column': 'y', 'sensitive_columns': 'race', 'positive_label': 'yes',
              'real_validation_data': unseen}
    breakdown = TSTRDemographicParityDifference.compute_breakdown(fit_rows, fit_rows, **kwargs)

    task = FairnessTask(fit_rows, fit_rows, **kwargs)
    y_true, y_pred = _labels(unseen), task.tstr('synthetic_data').y_pred
    assert breakdown['score'] == pytest.approx(dp_difference(y_true, y_pred, unseen['race']))
    by_group = breakdown['synthetic_data']['by_group'].set_index('Group')
    assert list(by_group.index) == ['A', 'B', 'C']
    assert by_group.loc['C', 'Size'] == 5
    assert breakdown['synthetic_data']['accuracy'] == accuracy_score(y_true, y_pred)
    assert task.expected_groups == ['A', 'B']  # the data-level groups are real_data's
    # Intersectional: the new race makes new groups of sex x race, measured too.
    intersectional = TSTRDemographicParityDifference.compute_breakdown(
        fit_rows, fit_rows, **{**kwargs, 'sensitive_columns': ['sex', 'race']}, min_group_size=1)
    groups = intersectional['synthetic_data']['by_group']['Group']
    assert groups.str.contains('C').any()


def test_a_rare_validation_group_still_needs_min_group_size(small):
    fit_rows, unseen = _rare_in_validation(small, 1)
    kwargs = {'target_column': 'y', 'sensitive_columns': 'race', 'positive_label': 'yes',
              'real_validation_data': unseen}
    with pytest.raises(ValueError, match=r"In real_validation_data, too few rows in the "
                                         r"group\(s\) of race: 'C' has 1 rows"):
        TSTRDemographicParityDifference.compute(fit_rows, fit_rows, **kwargs)
    # The mean skips it with a warning; a lower min_group_size measures it.
    with pytest.warns(UserWarning, match=r"Skipped .* in real_validation_data .* 'C' has 1 rows"):
        mean = TSTRDemographicParityDifference.compute_breakdown(fit_rows, fit_rows, agg='mean',
                                                                 **kwargs)
    assert list(mean['synthetic_data']['by_group']['Group']) == ['A', 'B']
    lower = TSTRDemographicParityDifference.compute_breakdown(fit_rows, fit_rows,
                                                              min_group_size=1, **kwargs)
    assert 'C' in set(lower['synthetic_data']['by_group']['Group'])
    # The utility alone never depends on the groups, not even on a recoded table the fairness
    # metrics refuse: the same predictions, scored against the validation labels.
    recoded = unseen.assign(race=unseen['race'].map({'A': 'Alpha', 'B': 'Beta', 'C': 'C'}))
    for validation in (unseen, recoded):
        task = FairnessTask(fit_rows, fit_rows, **{**kwargs, 'real_validation_data': validation})
        result = task.tstr('synthetic_data')
        assert result.accuracy == accuracy_score(_labels(validation), result.y_pred)
    with pytest.raises(ValueError, match=r"sensitive values that real_data does not have: "
                                         r"'Alpha' \(\d+ rows\), 'Beta'"):
        TSTRDemographicParityDifference.compute(fit_rows, fit_rows,
                                                **{**kwargs, 'real_validation_data': recoded})


def test_a_real_group_the_validation_rows_lack_is_not_left_out_silently(small):
    # A group of real_data that no validation row has gets no rate: a worst case over the
    # other groups would look better than it is, so it is named (or skipped with a warning).
    fit_rows, unseen = small.iloc[:300].copy(), small.iloc[300:]
    fit_rows.loc[fit_rows.index[:10], 'race'] = 'C'
    kwargs = {'target_column': 'y', 'sensitive_columns': 'race', 'positive_label': 'yes',
              'real_validation_data': unseen}
    with pytest.raises(ValueError, match=r"In real_validation_data, too few rows in the "
                                         r"group\(s\) of race: 'C' has 0 rows"):
        TSTRDemographicParityDifference.compute(fit_rows, fit_rows, **kwargs)
    from sdv_fairdistill.metrics.report import FairnessReport

    metadata = {'columns': {'x': {'sdtype': 'numerical'}, **{
        column: {'sdtype': 'categorical'} for column in fit_rows.columns if column != 'x'}}}
    with pytest.raises(ValueError, match=r"'C' has 0 rows"):
        FairnessReport().generate(fit_rows, fit_rows, metadata, target_column='y',
                                  sensitive_columns='race', positive_label='yes',
                                  real_validation_data=unseen, verbose=False)
    with pytest.warns(UserWarning, match=r"Skipped .* in real_validation_data .* 'C' has 0 rows"):
        mean = TSTRDemographicParityDifference.compute_breakdown(fit_rows, fit_rows, agg='mean',
                                                                 **kwargs)
    y_pred = FairnessTask(fit_rows, fit_rows, **kwargs).tstr('synthetic_data').y_pred
    by_group = mean['synthetic_data']['by_group'].set_index('Group')['Selection Rate']
    expected = pd.Series(y_pred, index=unseen.index).groupby(unseen['race']).mean()
    assert list(by_group.index) == ['A', 'B']
    assert by_group.to_numpy() == pytest.approx(expected[['A', 'B']].to_numpy())


def test_advice_for_a_table_short_of_groups_fits_the_table(small):
    kwargs = {'target_column': 'y', 'sensitive_columns': 'sex', 'positive_label': 'yes'}
    fit_rows, unseen = small.iloc[:300], small.iloc[300:]
    # Validation rows of one group: the column has two values; the table lacks rows.
    with pytest.raises(ValueError, match='real_validation_data has rows of a single group: a '
                                         'gap needs two; give it rows of every group.') as error:
        TSTRDemographicParityDifference.compute(
            fit_rows, fit_rows, real_validation_data=unseen[unseen['sex'] == 'F'], **kwargs)
    assert 'choose sensitive columns' not in str(error.value)
    # A synthetic joint group with no row: a lower min_group_size cannot help it.
    joint = {**kwargs, 'sensitive_columns': ['sex', 'race']}
    no_female_a = small[~((small['sex'] == 'F') & (small['race'] == 'A'))]
    with pytest.raises(ValueError, match=r"'F, A' has 0 rows") as error:
        DemographicParityDifference.compute(small, no_female_a, **joint)
    assert 'min_group_size' not in str(error.value)
    assert 'Sample more synthetic rows, or condition the sampling' in str(error.value)


def test_a_sensitive_column_marked_id_or_pii_is_still_a_feature(small):
    # Dropped as an id, the classifiers could not use the group and looked fair (a probe:
    # the real-trained DP difference read 0.047 instead of 0.276).
    columns = {'x': {'sdtype': 'numerical'}, 'race': {'sdtype': 'categorical'},
               'y': {'sdtype': 'categorical'}, 'decision': {'sdtype': 'categorical'}}
    kwargs = {'target_column': 'y', 'sensitive_columns': 'sex', 'positive_label': 'yes'}
    fit_rows, unseen = small.iloc[:300], small.iloc[300:]
    values = [
        TSTRDemographicParityDifference.compute_breakdown(
            fit_rows, fit_rows, {'columns': {**columns, 'sex': {'sdtype': sdtype}}},
            real_validation_data=unseen, **kwargs)['synthetic_data']['value']
        for sdtype in ('categorical', 'id', 'first_name')
    ]
    assert values[1] == values[0] and values[2] == values[0]


@pytest.mark.parametrize('classifier', ['RandomForest', LogisticRegression(max_iter=500)])
def test_other_classifiers_and_feature_types(classifier):
    rng = np.random.default_rng(1)
    n = 600
    table = pd.DataFrame({
        'amount': rng.normal(size=n),
        'when': pd.Timestamp('2020-01-01') + pd.to_timedelta(rng.integers(0, 900, n), 'D'),
        'kind': rng.choice(['a', 'b', 'c'], n),
        'sex': rng.choice(['F', 'M'], n),
        'label': rng.random(n) < 0.4,
    })
    table.loc[rng.random(n) < 0.1, 'amount'] = np.nan
    table.loc[rng.random(n) < 0.1, 'kind'] = np.nan
    table['label'] = table['label'] | (table['amount'] > 1)
    metadata = {
        'columns': {
            'amount': {'sdtype': 'numerical'},
            'when': {'sdtype': 'datetime', 'datetime_format': '%Y-%m-%d'},
            'kind': {'sdtype': 'categorical'},
            'sex': {'sdtype': 'categorical'},
            'label': {'sdtype': 'boolean'},
        }
    }
    kwargs = {'target_column': 'label', 'sensitive_columns': 'sex', 'classifier': classifier}

    breakdown = TSTRDemographicParityDifference.compute_breakdown(table, table, metadata, **kwargs)
    native = TSTRDemographicParityDifference.compute_breakdown(
        table, table, metadata, target_column='label', sensitive_columns='sex'
    )

    assert bool(breakdown['positive_label']) is True  # the larger of False / True
    assert 0 <= breakdown['score'] <= 1
    assert breakdown['synthetic_data']['auroc'] > 0.6
    assert native['synthetic_data']['auroc'] > 0.6


def test_a_feature_the_synthetic_table_faked_is_named_and_ignored():
    # SDV's detected metadata marks integer state codes as PII (administrative_unit), so
    # every SDV synthesizer writes fake state names there; the real table's metadata says
    # numerical. The classifier trained on the synthetic table cannot use the column: the
    # scores are those of the tables without it, and the column is named.
    rng = np.random.default_rng(4)
    n = 400
    amount = rng.normal(size=n)
    table = pd.DataFrame({
        'state': rng.integers(1, 60, n),
        'amount': amount,
        'sex': rng.choice(['F', 'M'], n),
        'label': np.where(amount + rng.normal(size=n) > 0, 'yes', 'no'),
    })
    faked = table.assign(state=rng.choice(['CA', 'NY', 'TX'], n))
    metadata = {'columns': {
        'state': {'sdtype': 'numerical'}, 'amount': {'sdtype': 'numerical'},
        'sex': {'sdtype': 'categorical'}, 'label': {'sdtype': 'categorical'},
    }}
    kwargs = {'target_column': 'label', 'sensitive_columns': 'sex', 'positive_label': 'yes'}
    with pytest.warns(UserWarning, match=r"synthetic_data has no usable value in the feature "
                                         r"column\(s\) \['state'\]"):
        with_fake = TSTRDemographicParityDifference.compute_breakdown(
            table, faked, metadata, **kwargs
        )
    without = {'columns': {c: v for c, v in metadata['columns'].items() if c != 'state'}}
    expected = TSTRDemographicParityDifference.compute_breakdown(
        table.drop(columns='state'), faked.drop(columns='state'), without, **kwargs
    )
    assert with_fake['score'] == expected['score']
    assert with_fake['synthetic_data']['auroc'] == expected['synthetic_data']['auroc']


def test_columns_detected_as_ordinal_are_features():
    # SDV's detection marks whole numbers with few values 'ordinal' (and may mark text so in
    # a user's metadata): they are read as numbers (text: categories), as the same columns
    # marked numerical or categorical are, not left out.
    rng = np.random.default_rng(5)
    n = 600
    level = rng.integers(1, 6, n)
    table = pd.DataFrame({
        'level': level,
        'grade': np.array(['low', 'mid', 'high'])[rng.integers(0, 3, n)],
        'sex': rng.choice(['F', 'M'], n),
        'label': np.where(level + rng.normal(size=n) > 3, 'yes', 'no'),
    })
    kwargs = {'target_column': 'label', 'sensitive_columns': 'sex', 'positive_label': 'yes'}

    def breakdown(level_sdtype, grade_sdtype):
        metadata = {'columns': {
            'level': {'sdtype': level_sdtype}, 'grade': {'sdtype': grade_sdtype},
            'sex': {'sdtype': 'categorical'}, 'label': {'sdtype': 'categorical'},
        }}
        return TSTRDemographicParityDifference.compute_breakdown(table, table, metadata, **kwargs)

    ordinal = breakdown('ordinal', 'ordinal')
    expected = breakdown('numerical', 'categorical')
    assert ordinal['synthetic_data']['auroc'] == expected['synthetic_data']['auroc']
    assert ordinal['score'] == expected['score']
    assert ordinal['synthetic_data']['auroc'] > 0.75  # the level carries the signal


def test_datetimes_as_text_are_parsed_and_bad_ones_named():
    rng = np.random.default_rng(3)
    n = 300
    days = rng.integers(0, 900, n)
    table = pd.DataFrame({
        'when': pd.Timestamp('2020-01-01') + pd.to_timedelta(days, 'D'),
        'sex': rng.choice(['F', 'M'], n),
        'label': np.where(days + rng.normal(scale=200, size=n) > 450, 'yes', 'no'),
    })
    metadata = {'columns': {
        'when': {'sdtype': 'datetime', 'datetime_format': '%Y-%m-%d'},
        'sex': {'sdtype': 'categorical'},
        'label': {'sdtype': 'categorical'},
    }}
    kwargs = {'target_column': 'label', 'sensitive_columns': 'sex', 'positive_label': 'yes'}
    # A CSV round trip turns the synthetic datetimes into text in the metadata's format.
    as_text = table.assign(when=table['when'].dt.strftime('%Y-%m-%d'))

    from_text = TSTRDemographicParityDifference.compute_breakdown(
        table, as_text, metadata, **kwargs
    )
    from_datetimes = TSTRDemographicParityDifference.compute_breakdown(
        table, table, metadata, **kwargs
    )
    assert from_text['score'] == from_datetimes['score']
    assert from_text['synthetic_data']['auroc'] == from_datetimes['synthetic_data']['auroc']
    assert from_text['synthetic_data']['auroc'] > 0.7  # the dates carry the signal

    broken = with_values(as_text, 'when', '31/12/2020', stop=1)
    with pytest.raises(ValueError, match=(
        r"synthetic_data\['when'\] has 2 values that are not the metadata's datetime_format "
        r"'%Y-%m-%d', e\.g\. '31/12/2020'\. Convert the column in synthetic_data"
    )):
        TSTRDemographicParityDifference.compute(table, broken, metadata, **kwargs)


def test_xgboost_is_used_when_asked(adult, adult_synthetic):
    train, validation = adult
    kwargs = {
        'target_column': 'income',
        'sensitive_columns': 'sex',
        'real_validation_data': validation,
        'classifier': 'XGBoost',
    }
    try:
        import xgboost  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match='pip install xgboost'):
            TSTRDemographicParityDifference.compute(train, adult_synthetic, **kwargs)
        return

    breakdown = TSTRDemographicParityDifference.compute_breakdown(train, adult_synthetic, **kwargs)
    assert breakdown['classifier'] == 'XGBoost'
    assert breakdown['synthetic_data']['auroc'] > 0.8


# ------------------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    ('kwargs', 'message'),
    [
        ({'target_column': 'income', 'sensitive_columns': 'gender'},
         "sensitive_columns 'gender' is not a column of real_data"),
        ({'target_column': 'salary', 'sensitive_columns': 'sex'},
         "target_column 'salary' is not a column of real_data"),
        ({'target_column': 'income', 'sensitive_columns': 'sex', 'positive_label': '>50k'},
         r"positive label '>50k' does not occur in real_data\['income'\]"),
        ({'target_column': 'education', 'sensitive_columns': 'sex'},
         "'education' has 16 distinct values in real_data .*pass positive_label="),
        ({'target_column': 'sex', 'sensitive_columns': 'sex'}, 'cannot also be sensitive'),
    ],
)
def test_bad_columns_and_labels(adult, kwargs, message):
    train, _ = adult
    with pytest.raises(ValueError, match=message):
        DemographicParityDifference.compute(train, train, **kwargs)


def test_multiclass_target_with_a_positive_label_is_one_vs_rest(adult):
    train, _ = adult
    value = DemographicParityDifference.compute(
        train, train, target_column='education', sensitive_columns='sex',
        positive_label='Bachelors',
    )
    y = (train['education'] == 'Bachelors').astype(int)
    assert value == pytest.approx(dp_difference(y, y, train['sex']))


def test_positive_label_missing_from_synthetic_data(adult):
    train, validation = adult
    synthetic = train.assign(income='<=50K')
    with pytest.raises(ValueError, match=r"does not occur in synthetic_data\['income'\]"):
        TSTRDemographicParityDifference.compute(
            train, synthetic, target_column='income', sensitive_columns='sex',
            real_validation_data=validation,
        )


def test_tables_with_different_columns(adult):
    train, validation = adult
    with pytest.raises(ValueError, match=(
        r"synthetic_data lacks the columns \['fnlwgt'\] of real_data\. Select the same "
        r"columns in every table, e\.g\. synthetic_data\[real_data\.columns\]"
    )):
        DemographicParityDifference.compute(
            train, train.drop(columns='fnlwgt'), target_column='income', sensitive_columns='sex'
        )
    with pytest.raises(ValueError, match=(
        r"real_validation_data has columns that real_data lacks: \['extra'\]"
    )):
        TSTRDemographicParityDifference.compute(
            train, train, target_column='income', sensitive_columns='sex',
            real_validation_data=validation.assign(extra=1),
        )


def test_one_table_dicts_and_table_name(small):
    kwargs = {'target_column': 'y', 'sensitive_columns': 'sex', 'positive_label': 'yes'}
    synthetic = small.sample(frac=1.0, random_state=4, replace=True)
    y = _labels(synthetic)
    expected = pytest.approx(dp_difference(y, y, synthetic['sex']))

    assert DemographicParityDifference.compute(
        {'people': small}, {'people': synthetic}, **kwargs
    ) == expected
    # table_name picks the table of multi-table dicts and of multi-table metadata.
    metadata = {'tables': {
        'people': {'columns': {column: {'sdtype': 'categorical'} for column in small}},
        'other': {'columns': {}},
    }}
    assert DemographicParityDifference.compute(
        {'people': small, 'other': small}, {'people': synthetic, 'other': small}, metadata,
        'people', **kwargs
    ) == expected
    with pytest.raises(ValueError, match=r"real_data has no table 'persons'; its tables are"):
        DemographicParityDifference.compute({'people': small}, small, None, 'persons', **kwargs)


def test_integer_groups_read_back_as_floats_are_the_same_groups(small):
    # Synthesizers often return an integer column as floats: 1 and 1.0 are one group.
    real = small.assign(sex=(small['sex'] == 'M').astype(int))
    synthetic = real.assign(sex=real['sex'].astype(float))
    kwargs = {'target_column': 'y', 'sensitive_columns': 'sex', 'positive_label': 'yes'}

    breakdown = DemographicParityDifference.compute_breakdown(real, synthetic, **kwargs)

    y = _labels(synthetic)
    assert breakdown['score'] == pytest.approx(dp_difference(
        y, y, synthetic['sex']
    ))
    assert sorted(breakdown['synthetic_data']['by_group']['Group']) == ['0', '1']


def test_boolean_target_read_back_as_zero_and_one(small):
    real = small.assign(y=small['y'] == 'yes')
    synthetic = real.assign(y=real['y'].astype(int))  # True == 1: the same labels
    value = DemographicParityDifference.compute(
        real, synthetic, target_column='y', sensitive_columns='sex'
    )
    y = synthetic['y'].to_numpy()
    assert value == pytest.approx(dp_difference(y, y, synthetic['sex']))


def test_one_group_empty_tables_and_a_list_as_target(small):
    kwargs = {'target_column': 'y', 'sensitive_columns': 'sex', 'positive_label': 'yes'}
    one_group = small.assign(sex='F')
    with pytest.raises(ValueError, match=(
        r"In real_data, demographic parity needs two groups of sex .*found \['F'\]\. "
        r"real_data has a single group: choose sensitive columns with at least two values"
    )):
        DemographicParityDifference.compute(one_group, one_group, **kwargs)
    with pytest.raises(ValueError, match='synthetic_data has no rows'):
        DemographicParityDifference.compute(small, small.iloc[:0], **kwargs)
    with pytest.raises(TypeError, match='target_column must be the name of one column, not list'):
        DemographicParityDifference.compute(
            small, small, target_column=['y'], sensitive_columns='sex'
        )


def test_repeated_column_names_are_refused_with_the_name(small):
    # pandas allows them (e.g. after a concat); small['x'] would then be a frame.
    repeated = pd.concat([small, small[['x']]], axis=1)
    with pytest.raises(ValueError, match=r"synthetic_data has more than one column named \['x'\]"):
        DemographicParityDifference.compute(
            small, repeated, target_column='y', sensitive_columns='sex', positive_label='yes'
        )


def test_sensitive_value_unknown_to_the_real_data_is_blamed_on_synthetic_data(small):
    synthetic = small.assign(sex=small['sex'].replace({'F': 'female'}))
    message = (
        r"^synthetic_data\['sex'\] has sensitive values that real_data does not have: "
        r"'female' \(\d+ rows\); map them to the values of real_data\['sex'\] \('F', 'M'\)"
    )
    with pytest.raises(ValueError, match=message):
        DemographicParityDifference.compute(
            small, synthetic, target_column='y', sensitive_columns='sex', positive_label='yes'
        )


def test_label_messages_name_the_table_and_the_fix(small):
    kwargs = {'sensitive_columns': 'sex'}
    numbers = small.assign(y=(small['y'] == 'yes').astype(int))
    # A label of another type than the column's: the message proposes the right one.
    with pytest.raises(ValueError, match=(
        r"does not occur in real_data\['y'\] .*Pass positive_label=1 \(the type of the column\)"
    )):
        DemographicParityDifference.compute(
            numbers, numbers, target_column='y', positive_label='1', **kwargs
        )
    # A numerical target: binarize it.
    with pytest.raises(ValueError, match=(
        r"'x' has 400 distinct values in real_data .*add a binary column such as x > threshold"
    )):
        DemographicParityDifference.compute(
            small, small, target_column='x', sensitive_columns='sex'
        )
    # Too few positive rows in real_data to hold some out as validation data.
    rare = small.assign(y='no')
    rare.loc[rare.index[:1], 'y'] = 'yes'
    with pytest.raises(ValueError, match=(
        r"real_data\['y'\] has 1 row\(s\) with the positive label: too few to hold some "
        r"out .*Pass real_validation_data="
    )):
        TSTRDemographicParityDifference.compute(
            rare, rare, target_column='y', positive_label='yes', **kwargs
        )


def test_small_group_raises_for_worst_case_difference(small):
    table = small.copy()
    table.loc[table.index[:3], 'race'] = 'C'  # a group of three rows
    kwargs = {'target_column': 'y', 'sensitive_columns': 'race', 'positive_label': 'yes'}

    with pytest.raises(ValueError, match=r"group\(s\) of race: 'C' has 3 rows .* at least 5 rows"):
        DemographicParityDifference.compute(table, table, **kwargs)


def test_small_group_is_skipped_with_a_warning_by_ratio_and_mean(small):
    table = small.copy()
    table.loc[table.index[:3], 'race'] = 'C'
    kwargs = {'target_column': 'y', 'sensitive_columns': 'race', 'positive_label': 'yes'}

    with pytest.warns(UserWarning, match=r"Skipped .* 'C' has 3 rows"):
        ratio = DemographicParityRatio.compute_breakdown(table, table, **kwargs)

    kept = table[table['race'] != 'C']
    y = _labels(kept)
    assert ratio['score'] == pytest.approx(dp_ratio(y, y, kept['race']))
    assert ratio['synthetic_data']['skipped_groups'] == ['C']

    eo_kwargs = dict(kwargs, prediction_column='decision', agg='mean')
    with pytest.warns(UserWarning, match=r"Skipped from equalized odds .* 'C'"):
        EqualizedOddsDifference.compute(table, table, **eo_kwargs)


def test_group_without_negatives_raises_for_equalized_odds(small):
    table = small.copy()
    table.loc[table.index[:8], 'race'] = 'C'
    table.loc[table.index[:8], 'y'] = 'yes'  # 8 rows, no negative: no FPR
    kwargs = {
        'target_column': 'y', 'sensitive_columns': 'race', 'positive_label': 'yes',
        'prediction_column': 'decision',
    }
    with pytest.raises(ValueError, match=r"'C' has 8 rows \(8 positive, 0 negative\).*TPR and FPR"):
        EqualizedOddsDifference.compute(table, table, **kwargs)


def test_group_missing_from_the_synthetic_table_is_named(small):
    synthetic = small[small['race'] != 'B']
    message = r"In synthetic_data, too few rows in the group\(s\) of race: 'B' has 0 rows"
    with pytest.raises(ValueError, match=message):
        DemographicParityDifference.compute(
            small, synthetic, target_column='y', sensitive_columns='race', positive_label='yes'
        )


def test_undefined_ratio_warns_instead_of_silent_nan(small):
    table = small.assign(decision='no')  # nobody is selected: 0 / 0 in every group
    with pytest.warns(UserWarning) as record:
        value = DemographicParityRatio.compute(
            table, table, target_column='y', sensitive_columns='sex', positive_label='yes',
            prediction_column='decision',
        )

    messages = [str(warning.message) for warning in record]
    for table_name in ('real_data', 'synthetic_data'):
        assert f'In {table_name}, the selection rate is 0 in every group' in ' '.join(messages)
    assert np.isnan(value)


def test_bad_options(small, adult):
    kwargs = {'target_column': 'y', 'sensitive_columns': 'sex', 'positive_label': 'yes'}
    with pytest.raises(ValueError, match="agg must be 'worst_case' or 'mean'"):
        DemographicParityDifference.compute(small, small, agg='max', **kwargs)
    with pytest.raises(ValueError, match='Unknown classifier'), warnings.catch_warnings():
        # Refused before the warning about splitting real_data (it came first).
        warnings.simplefilter('error')
        TSTRDemographicParityDifference.compute(small, small, classifier='SVM', **kwargs)
    for share in (0, 1.5, 100):
        with pytest.raises(ValueError, match=f'a number between 0 and 1, got {share}'):
            TSTRDemographicParityDifference.compute(small, small, validation_size=share,
                                                    **kwargs)


def test_keywords_a_metric_does_not_take_are_named(small):
    kwargs = {'target_column': 'y', 'sensitive_columns': 'sex', 'positive_label': 'yes'}
    with pytest.raises(TypeError, match="unexpected keyword argument 'classifier'"):
        DemographicParityDifference.compute(small, small, classifier='RandomForest', **kwargs)
    with pytest.raises(TypeError, match="unexpected keyword argument 'prediction_column'"):
        TSTRDemographicParityDifference.compute(small, small, prediction_column='y', **kwargs)
    with pytest.raises(TypeError, match="missing the required keyword argument 'target_column'"):
        DemographicParityRatio.compute(small, small, sensitive_columns='sex')
    # SDMetrics' own names and argument order are named, not Python's positional message.
    with pytest.raises(TypeError, match="got 'real_training_data', SDMetrics' name: pass it as "
                                        "'real_data'"):
        DemographicParityDifference.compute(real_training_data=small, synthetic_data=small,
                                            **kwargs)
    with pytest.raises(TypeError, match=re.escape('metadata got a table (a DataFrame)')):
        DemographicParityDifference.compute(small, small, small, **kwargs)


# ------------------------------------------------------------------------- SDMetrics
def test_metrics_follow_sdmetrics_conventions():
    for name in ALL_METRICS:
        metric = getattr(fairness, name)
        assert issubclass(metric, sdmetrics.single_table.SingleTableMetric)
        assert (metric.min_value, metric.max_value) == (0.0, 1.0)
        if name.endswith('Difference'):
            assert metric.goal == Goal.MINIMIZE
            assert metric.normalize(0.2) == pytest.approx(0.8)
        else:
            assert metric.goal == Goal.MAXIMIZE
            assert metric.normalize(0.7) == pytest.approx(0.7)


def test_metric_names_and_goals_follow_setting_criterion_and_form():
    for name in ALL_METRICS:
        metric = getattr(fairness, name)
        assert metric.__name__ == metric.__qualname__ == metric.name.replace(' ', '') == name
        assert metric.__module__ == 'sdv_fairdistill.metrics.fairness'
        assert metric.__doc__ and '\n' not in metric.__doc__
    assert TSTREqualizedOddsRatio.name == 'TSTR Equalized Odds Ratio'
    assert DemographicParityRatioImprovement.name == 'Demographic Parity Ratio Improvement'
    assert DemographicParityRatioImprovement.goal == Goal.MAXIMIZE

    # A class named unlike its measure, or a docstring table with a gap, fails at import.
    with pytest.raises(TypeError, match='must be named TSTREqualizedOddsRatio'):
        class Misnamed(TSTRMetric, criterion=EQUALIZED_ODDS, form=RATIO):
            pass
    gc.collect()  # SDMetrics lists subclasses: let the failed class go
    docstrings = {name: 'doc' for name in ALL_METRICS if name != 'EqualizedOddsRatio'}
    with pytest.raises(TypeError, match=r"missing \['EqualizedOddsRatio'\]"):
        metric_classes(__name__, docstrings)


def test_metrics_are_registered_in_sdmetrics():
    for name in ALL_METRICS:
        assert getattr(sdmetrics.single_table, name) is getattr(fairness, name)

    # SDMetrics' own metric of that family is not shadowed.
    assert sdmetrics.single_table.EqualizedOddsImprovement.__module__.startswith('sdmetrics')


def test_compute_metrics_runs_them(small):
    scores = sdmetrics.compute_metrics(
        {'dpd': DemographicParityDifference, 'dpr': DemographicParityRatio},
        small,
        small,
        target_column='y',
        sensitive_columns='sex',
        positive_label='yes',
    )
    assert scores['error'].isna().all()
    assert scores.set_index('metric')['normalized_score']['dpd'] == pytest.approx(
        1 - scores.set_index('metric')['raw_score']['dpd']
    )


_IMPORT_CHECK = """
import sys
import warnings
warnings.simplefilter('always')
with warnings.catch_warnings(record=True) as caught:
    import sdv_fairdistill.metrics.fairness
    import sdmetrics.single_table
    from sdmetrics.reports import FairnessReport
    from sdmetrics.single_table import DemographicParityDifference
failed = [str(w.message) for w in caught if 'Failed to' in str(w.message)]
assert not failed, failed
assert DemographicParityDifference is sdv_fairdistill.metrics.fairness.DemographicParityDifference
assert FairnessReport.__module__ == 'sdv_fairdistill.metrics.report'
assert 'sdv' not in sys.modules, 'the metrics imported sdv'
"""


def test_entry_points_load_when_our_module_is_imported_first():
    # The circular case: importing our module starts SDMetrics, whose add-on loader must
    # still register the metrics; and nothing here may import SDV (whose own add-on loader
    # would then reach this package). The SDMetrics-first order is this test process's.
    result = subprocess.run(
        [sys.executable, '-c', _IMPORT_CHECK], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_no_warning_for_valid_inputs(small):
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        DemographicParityRatio.compute(
            small, small, target_column='y', sensitive_columns=['sex', 'race'],
            positive_label='yes',
        )


def test_a_group_without_a_label_at_the_smallest_group_size_gets_advice_that_can_help():
    from sdv_fairdistill.metrics._group_checks import check_groups

    sensitive = pd.DataFrame({'sex': ['F', 'F', 'M', 'M']})
    y_true = np.array([0, 0, 1, 0])  # no woman has the positive label
    with pytest.raises(ValueError) as raised:
        check_groups(y_true, sensitive, criterion=EQUALIZED_ODDS, min_group_size=1,
                         strict=True, table_name='real_validation_data')
    message = str(raised.value)
    assert 'needs at least 1 row with the positive label and 1 without it' in message
    assert 'lower min_group_size' not in message
    assert 'compare selection rates (demographic parity)' in message
    with pytest.raises(ValueError, match='or lower min_group_size'):
        check_groups(np.array([0, 1, 1, 0]), sensitive, criterion=EQUALIZED_ODDS,
                         min_group_size=2, strict=True, table_name='real_validation_data')


def test_a_decision_column_that_holds_no_label_is_refused(small):
    """A decision written as True / False (or a score) beside a text label never equals the
    positive label: every rate would read 0 and the table perfectly fair."""
    kwargs = {'target_column': 'y', 'sensitive_columns': 'sex', 'positive_label': 'yes',
              'prediction_column': 'decision'}
    as_bool = small.assign(decision=small['decision'] == 'yes')
    with pytest.raises(ValueError, match=re.escape(
            "real_data['decision'] holds decisions that are not labels of 'y'")):
        EqualizedOddsDifference.compute(as_bool, as_bool, **kwargs)
    # Compared as the rates compare them: the text '1' is not the label 1.
    numbers = small.assign(y=(small['y'] == 'yes').astype(int),
                           decision=(small['decision'] == 'yes').astype(int).astype(str))
    with pytest.raises(ValueError, match=r"not labels of 'y': '[01]', '[01]' \(its labels: "):
        EqualizedOddsDifference.compute(numbers, numbers, **dict(kwargs, positive_label=1))
    partly_missing = small.assign(decision=small['decision'].where(small.index > 3))
    with pytest.raises(ValueError, match=re.escape("synthetic_data['decision'] has 4 missing")):
        DemographicParityDifference.compute(small, partly_missing, **kwargs)
    # Labels written as the target writes them are taken.
    assert EqualizedOddsDifference.compute(small, small, **kwargs) >= 0


def test_the_skipping_forms_are_advised_only_where_two_groups_would_stay(small):
    from sdv_fairdistill.metrics import DemographicParityRatio

    kwargs = {'target_column': 'y', 'sensitive_columns': 'race', 'positive_label': 'yes'}
    # Two races, one of 2 rows in the synthetic table: skipping it leaves one group, so the
    # ratio form, which skips, fails too and must not advise itself.
    two = pd.concat([small[small['race'] == 'A'], small[small['race'] == 'B'].head(2)])
    with pytest.raises(ValueError, match='needs two groups of race') as raised:
        DemographicParityRatio.compute(small, two, **kwargs)
    assert 'forms skip such groups' not in str(raised.value)
    with pytest.raises(ValueError, match='too few rows') as raised:
        DemographicParityDifference.compute(small, two, **kwargs)
    assert 'forms skip such groups' not in str(raised.value)
    # A third race of 2 rows: skipping it leaves two, so the advice stands.
    three = small.copy()
    three.loc[three.index[:2], 'race'] = 'C'
    with pytest.raises(ValueError, match="The ratio and agg='mean' forms skip such groups"):
        DemographicParityDifference.compute(three, three, **kwargs)
