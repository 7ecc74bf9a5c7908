"""label_repair: a label drawn from the features moved only part of the way to equal rates
(Feldman et al.'s partial repair): two classes, more classes and numbers, in the alignment,
in the calibration's aim and in the synthesizer. Expected values come from the inputs: group
means of probabilities, class shares, numbers and label rates."""

import warnings
from unittest import mock

import numpy as np
import pandas as pd
import pytest

import torch

from sdv_fairdistill.core.calibration import criterion_shifts, mean_shifts
from sdv_fairdistill.core.feature_labels import (
    GRID,
    ClassShareAlignment,
    GroupSharpening,
    ScoreAlignment,
    ValueAlignment,
)
from sdv_fairdistill.core.partial_repair import kept_gaps
from sdv_fairdistill.synthesizers._parameters import InvalidParameterError
from sdv_fairdistill.synthesizers.tabular import FairDistillSynthesizer

TINY = {'epochs': 2, 'distill_epochs': 1, 'seed': 0}


@pytest.fixture(scope='module')
def scores():
    rng = np.random.default_rng(0)
    by_group = [rng.beta(2, 5, 3000), rng.beta(5, 3, 1000)]  # means 0.286 and 0.625
    return by_group, np.concatenate(by_group), np.repeat([0, 1], [3000, 1000])


@pytest.mark.parametrize('repair', [0.0, 0.3, 0.5, 0.8, 1.0])
@pytest.mark.parametrize('sharpness', [1.0, 3.0])
def test_each_group_keeps_one_minus_repair_of_its_gap(scores, repair, sharpness):
    by_group, values, groups = scores
    aligned = ScoreAlignment(sharpness, repair).fit(by_group, [3000, 1000]).transform(values, groups)
    pooled = 0.75 * by_group[0].mean() + 0.25 * by_group[1].mean()
    for group, own in enumerate(by_group):
        expected = (1 - repair) * own.mean() + repair * pooled
        assert aligned[groups == group].mean() == pytest.approx(expected, abs=0.005)


def test_the_ends_are_the_pooled_and_the_groups_own_maps(scores):
    by_group, values, groups = scores
    full = ScoreAlignment(3.0).fit(by_group, [3000, 1000]).transform(values, groups)
    own = GroupSharpening(3.0).fit(by_group, [3000, 1000]).transform(values, groups)
    assert np.array_equal(ScoreAlignment(3.0, 1.0).fit(by_group, [3000, 1000]).transform(
        values, groups), full)
    assert np.allclose(ScoreAlignment(3.0, 0.0).fit(by_group, [3000, 1000]).transform(
        values, groups), own)


@pytest.mark.parametrize('repair', [0.0, 0.5, 1.0])
def test_the_calibration_aims_at_one_minus_repair_of_the_real_gap(repair):
    rng = np.random.default_rng(1)
    groups = np.repeat([0, 1], [4000, 2000])
    labels = np.concatenate([rng.random(4000) < 0.5, rng.random(2000) < 0.2]).astype(int)
    log_odds = rng.normal(size=6000) + 0.3 * (groups == 0)
    shifts, _ = criterion_shifts(log_odds, groups, labels, 2, 'demographic_parity', repair=repair)
    selected = (log_odds + shifts[groups]) > 0
    pooled = np.mean(log_odds > 0)
    for group in (0, 1):
        gap = labels[groups == group].mean() - labels.mean()
        assert selected[groups == group].mean() == pytest.approx(
            pooled + (1 - repair) * gap, abs=2 / 2000)


@pytest.mark.parametrize('options', [
    {'label_repair': 1.5}, {'label_repair': -0.1}, {'label_repair': 'half'},
    {'label_repair': True}, {'label_repair': float('nan')},
    {'label_repair': 0.5, 'fairness_criterion': 'equalized_odds'},
    {'label_repair': 0.5, 'fairness_weight': 0},
])
def test_bad_values_and_criteria_are_refused_when_made(adult_sample, options):
    _, metadata = adult_sample
    with pytest.raises(InvalidParameterError, match='label_repair'):
        FairDistillSynthesizer(metadata, sensitive_columns='sex', target_column='income',
                               **options)


def test_targets_without_a_partial_repair_are_refused_before_training(adult_sample):
    data, metadata = adult_sample
    synthesizer = FairDistillSynthesizer(  # 30+ classes: the target head draws it
        metadata, sensitive_columns='sex', target_column='native-country', label_repair=0.5,
        **TINY)
    with pytest.raises(InvalidParameterError, match='label_repair=0.5 applies to a target'):
        synthesizer.fit({'adult': data})
    assert synthesizer._model is None  # nothing trained


@pytest.mark.parametrize('repair', [0.0, 0.4, 1.0])
@pytest.mark.parametrize('sharpness', [1.0, 3.0])
def test_more_classes_keep_one_minus_repair_of_their_share_gaps(repair, sharpness):
    generator = torch.Generator().manual_seed(0)
    by_group = [torch.randn(4000, 4, generator=generator) + torch.tensor(shift)
                for shift in ([1.0, 0.0, 0.0, -1.0], [-1.0, 0.5, 0.0, 1.0])]
    alignment = ClassShareAlignment(sharpness, repair).fit(by_group, [3, 1])
    own = [np.exp(g.numpy()) / np.exp(g.numpy()).sum(axis=1, keepdims=True) for g in by_group]
    pooled = 0.75 * own[0].mean(axis=0) + 0.25 * own[1].mean(axis=0)
    for group, logits in enumerate(by_group):
        aligned = torch.softmax(alignment.transform(logits, np.full(4000, group)), dim=1)
        expected = (1 - repair) * own[group].mean(axis=0) + repair * pooled
        assert aligned.mean(dim=0).numpy() == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize('repair', [0.0, 0.5, 1.0])
def test_a_numbers_groups_keep_one_minus_repair_of_their_mean_gap(repair):
    rng = np.random.default_rng(3)
    by_group = [rng.normal(40, 8, 3000), rng.normal(30, 5, 1000)]
    values, groups = np.concatenate(by_group), np.repeat([0, 1], [3000, 1000])
    alignment = ValueAlignment(np.zeros(3), repair=repair).fit(by_group, [3000, 1000])
    aligned = alignment.transform(values, groups)
    pooled = 0.75 * by_group[0].mean() + 0.25 * by_group[1].mean()
    for group, own in enumerate(by_group):
        expected = (1 - repair) * own.mean() + repair * pooled
        assert aligned[groups == group].mean() == pytest.approx(expected, abs=0.05)


def test_a_repaired_number_mapped_onto_the_real_values_keeps_their_spread():
    # The map onto the real values is built from the draws the groups make: drawn from the
    # barycenter, a partial repair's wider draws came out stretched (at 0 the gap 10.5 for
    # the real 9.2, the spread 10.4 for 9.2).
    rng = np.random.default_rng(5)
    predicted = [rng.normal(40, 8, 30000), rng.normal(30, 5, 10000)]
    values, groups = np.concatenate(predicted), np.repeat([0, 1], [30000, 10000])
    real = values + rng.normal(0, 4, values.size)
    real_gap = real[groups == 0].mean() - real[groups == 1].mean()
    for repair in (0.0, 0.5):
        alignment = ValueAlignment(np.quantile(real - values, GRID), np.quantile(real, GRID),
                                   repair=repair).fit(predicted, [3, 1])
        drawn = alignment.draw(values, groups, np.random.RandomState(0))
        assert drawn.std() == pytest.approx(real.std(), rel=0.03)
        gap = drawn[groups == 0].mean() - drawn[groups == 1].mean()
        assert gap == pytest.approx((1 - repair) * real_gap, abs=0.06 * real_gap)


@pytest.mark.parametrize('target, kind', [('hours-per-week', ValueAlignment),
                                          ('marital-status', ClassShareAlignment)])
def test_a_number_and_more_classes_take_a_partial_repair(adult_sample, target, kind):
    data, metadata = adult_sample
    synthesizer = FairDistillSynthesizer(metadata, sensitive_columns='sex', target_column=target,
                                         label_repair=0.5, **TINY)
    synthesizer.fit({'adult': data})
    alignment = synthesizer._model.label_alignment
    assert isinstance(alignment, kind) and alignment.repair == 0.5
    assert synthesizer.get_parameters()['label_repair'] == 0.5


def test_a_label_the_head_draws_after_all_is_warned_on(adult_sample):
    data, metadata = adult_sample
    one_class = data.assign(income='<=50K')
    one_class.loc[0, 'income'] = '>50K'  # one row of the other class: nothing to classify
    synthesizer = FairDistillSynthesizer(metadata, sensitive_columns='sex',
                                         target_column='income', label_repair=0.5, **TINY)
    with pytest.warns(UserWarning, match='label_repair=0.5 does nothing here'):
        synthesizer.fit({'adult': one_class})


def test_a_numbers_calibration_aims_at_part_of_the_real_mean_gap():
    rng = np.random.default_rng(4)
    groups = np.repeat([0, 1], [3000, 1000])
    real = np.where(groups == 0, rng.normal(42, 10, 4000), rng.normal(36, 10, 4000))
    gaps, variances = kept_gaps(real, groups, 2, repair=0.25)
    for group in (0, 1):  # three quarters of the group's real gap kept, and its noise
        rows = real[groups == group]
        assert gaps[group] == pytest.approx(0.75 * (rows.mean() - real.mean()))
        assert variances[group] == pytest.approx(0.75**2 * rows.var() / rows.size)
    predictions = rng.normal(38, 3, 4000)
    shifts, errors = mean_shifts(predictions, groups, 2, gaps, variances)
    _, plain_errors = mean_shifts(predictions, groups, 2)
    for group in (0, 1):
        shifted = predictions[groups == group].mean() + shifts[group]
        assert shifted == pytest.approx(predictions.mean() + gaps[group])
    assert np.all(errors > plain_errors)
    # A 0 / 1 label's variance is the binomial one.
    labels = (rng.random(4000) < np.where(groups == 0, 0.4, 0.1)).astype(int)
    _, binomial = kept_gaps(labels, groups, 2, repair=0.0)
    rate = labels[groups == 1].mean()
    assert binomial[1] == pytest.approx(rate * (1 - rate) / 1000)


def _fit_sample(data, metadata, target, repair):
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns='sex', target_column=target, label_repair=repair,
        epochs=30, distill_epochs=15, seed=0,
    )
    synthesizer.fit({'adult': data})
    return synthesizer.sample(6000)['adult']


@pytest.mark.slow
def test_a_number_keeps_part_of_its_real_gap_downstream(adult_sample):
    """The calibration aims a regressor of the generated rows at half the real mean gap on
    the real rows (measured on one thread: 0.55 of it at this seed; equal rates give about
    0, no repair 0.8)."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    data, metadata = adult_sample
    table = _fit_sample(data, metadata, 'hours-per-week', 0.5)
    features = [column for column in data.columns if column != 'hours-per-week']
    both = pd.concat([table[features], data[features]], ignore_index=True)
    codes = both.apply(lambda c: c.astype('category').cat.codes if c.dtype == object else c)
    regressor = HistGradientBoostingRegressor(random_state=0).fit(
        codes.iloc[:len(table)], table['hours-per-week'])
    predicted = pd.Series(regressor.predict(codes.iloc[len(table):]), index=data.index)

    def gap(values):
        means = values.groupby(data['sex']).mean()
        return means['Male'] - means['Female']

    assert 0.3 * gap(data['hours-per-week']) < gap(predicted) < 0.72 * gap(data['hours-per-week'])


@pytest.mark.slow
def test_more_classes_keep_part_of_their_share_gap(adult_sample):
    """Not calibrated: the table keeps 1 - a of the gap its generated rows score (measured:
    total variation 0.27 at a = 0, 0.12 at 0.5, 0.02 at 1; the real rows' 0.49)."""
    data, metadata = adult_sample

    def distance(frame):  # total variation between the groups' class shares
        shares = pd.crosstab(frame['sex'], frame['marital-status'], normalize='index')
        return 0.5 * (shares.loc['Male'] - shares.loc['Female']).abs().sum()

    kept = {a: distance(_fit_sample(data, metadata, 'marital-status', a)) for a in (0.0, 0.5)}
    assert kept[0.0] > 0.15
    assert 0.3 * kept[0.0] < kept[0.5] < 0.7 * kept[0.0]


def test_the_generated_label_keeps_part_of_the_gap(adult_sample):
    data, metadata = adult_sample
    gaps = {}
    for repair in (0.0, 0.5, 1.0):
        synthesizer = FairDistillSynthesizer(
            metadata, sensitive_columns='sex', target_column='income', label_repair=repair,
            calibrate_target=False, epochs=40, distill_epochs=20, seed=0,
        )
        synthesizer.fit({'adult': data})
        assert synthesizer.get_parameters()['label_repair'] == repair
        table = synthesizer.sample(6000)['adult']
        rates = (table['income'] == '>50K').groupby(table['sex']).mean()
        gaps[repair] = rates['Male'] - rates['Female']
    # Equal rates at 1 (a binomial spread of about 0.012 on these counts), the groups' own
    # gap at 0, half of it at 0.5.
    assert abs(gaps[1.0]) < 0.04
    assert gaps[0.0] > 0.1
    assert gaps[0.5] == pytest.approx(gaps[0.0] / 2, abs=0.05)


def test_the_aims_noise_widens_the_error_and_one_keeps_it_unchanged():
    rng = np.random.default_rng(2)
    groups = np.repeat([0, 1, 2], [300, 60, 40])
    labels = (rng.random(400) < 0.3).astype(int)
    log_odds = rng.normal(size=400)
    plain, plain_errors = criterion_shifts(log_odds, groups, labels, 3, 'demographic_parity')
    same, same_errors = criterion_shifts(log_odds, groups, labels, 3, 'demographic_parity',
                                         repair=1.0)
    assert np.array_equal(plain, same) and np.array_equal(plain_errors, same_errors)
    _, errors = criterion_shifts(log_odds, groups, labels, 3, 'demographic_parity', repair=0.0)
    assert np.all(errors >= plain_errors) and np.any(errors > plain_errors)


@pytest.mark.parametrize('options', [{'target_column': None},
                                     {'target_column': 'income', 'label_from_features': False}])
def test_a_label_not_drawn_from_the_features_is_refused_when_made(adult_sample, options):
    _, metadata = adult_sample
    with pytest.raises(InvalidParameterError, match='needs target_column= and'):
        FairDistillSynthesizer(metadata, sensitive_columns='sex', label_repair=0.5, **options)


def test_the_target_is_checked_before_any_row_is_streamed(adult_sample):
    data, metadata = adult_sample
    synthesizer = FairDistillSynthesizer(metadata, sensitive_columns='sex',
                                         target_column='native-country', label_repair=0.5,
                                         **TINY)
    streamed = AssertionError('rows were streamed before the check')
    with mock.patch.object(FairDistillSynthesizer, '_streamed_rows', side_effect=streamed):
        with pytest.raises(InvalidParameterError, match='label_repair=0.5 applies'):
            synthesizer.fit({'adult': data})


def test_with_the_calibration_the_kept_gap_is_not_warned_on(adult_sample):
    data, metadata = adult_sample
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns='sex', target_column='income', label_repair=0.0,
        epochs=40, distill_epochs=20, seed=0,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        synthesizer.fit({'adult': data})
    assert not any('less fair than intended' in str(w.message) for w in caught)
    table = synthesizer.sample(6000)['adult']
    rates = (table['income'] == '>50K').groupby(table['sex']).mean()
    real = (data['income'] == '>50K').groupby(data['sex']).mean()
    # The calibration aims at the real gap at 0 (without the repair's aim it would pull the
    # groups to equal selection rates, and the table's gap with them).
    assert rates['Male'] - rates['Female'] > 0.5 * (real['Male'] - real['Female'])


def test_a_repaired_numbers_calibration_offset_moves_each_groups_mean_by_itself():
    # A skewed target zero for 30 % of the rows: the groups keep their gap (repair 0), so one
    # sits mostly on the zeros, where a shift before the map moves little, the other on the
    # tail; each group's shift is found along its own draws, not the pooled ones.
    rng = np.random.default_rng(6)
    predicted = [rng.normal(0, 1, 30000), rng.normal(2.5, 1, 10000)]
    values, groups = np.concatenate(predicted), np.repeat([0, 1], [30000, 10000])
    real = np.where(rng.uniform(size=40000) < 0.3, 0.0, rng.lognormal(3, 1, size=40000))
    alignment = ValueAlignment(np.quantile(rng.normal(size=100_000), GRID),
                               np.quantile(real, GRID), repair=0.0).fit(predicted, [3, 1])
    plain = alignment.draw(values, groups, np.random.RandomState(7))
    for offsets in ([5.0, 0.0], [0.0, 5.0]):
        alignment.offsets_ = np.array(offsets)
        shifted = alignment.draw(values, groups, np.random.RandomState(7))
        for group, offset in enumerate(offsets):
            moved = shifted[groups == group].mean() - plain[groups == group].mean()
            assert moved == pytest.approx(offset, abs=0.25)
