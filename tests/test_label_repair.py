"""label_repair: a two-class label moved only part of the way to equal rates (Feldman et al.'s
partial repair), in the alignment, in the calibration's aim and in the synthesizer. Expected
values come from the inputs: group means of probabilities and label rates."""

import warnings
from unittest import mock

import numpy as np
import pytest

from sdv_fairdistill.core.calibration import criterion_shifts
from sdv_fairdistill.core.feature_labels import GroupSharpening, ScoreAlignment
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


@pytest.mark.parametrize('target, options', [
    ('education', {}),  # sixteen classes
    ('age', {}),  # a number
])
def test_targets_without_a_partial_repair_are_refused_before_training(
        adult_sample, target, options):
    data, metadata = adult_sample
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns='sex', target_column=target, label_repair=0.5,
        **options, **TINY,
    )
    with pytest.raises(InvalidParameterError, match='label_repair=0.5 applies to a target'):
        synthesizer.fit({'adult': data})
    assert synthesizer._model is None  # nothing trained


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
                                         target_column='education', label_repair=0.5, **TINY)
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
