"""A continuous target drawn from the features (``label_from_features``): a regressor of the
real rows predicts each generated row, each group's predictions are mapped onto the groups'
pooled distribution, and a residual of the real rows is added."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp
from sdv.metadata import Metadata
from sklearn.ensemble import HistGradientBoostingRegressor

from conftest import assert_loaded_copy_samples_the_same, fit_detected
from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.core.calibration import mean_shifts
from sdv_fairdistill.core.feature_labels import GRID, ValueAlignment
from sdv_fairdistill.synthesizers._fit_warnings import TARGETS


@pytest.fixture(scope='module')
def wage_table():
    """``y`` follows ``x`` and the group, and group 'a' has larger ``x`` (a proxy)."""
    rng = np.random.RandomState(4)
    group = rng.choice(['a', 'b'], 1500, p=[0.6, 0.4])
    x = rng.normal(size=1500) + 1.0 * (group == 'a')
    y = 2.0 * x + 1.0 * (group == 'a') + rng.normal(scale=0.5, size=1500)
    return pd.DataFrame({'group': group, 'x': x, 'noise': rng.uniform(size=1500), 'y': y})


def _fit(table, **parameters):
    return fit_detected(table, 'group', 'y', batch_size=250, **parameters)


def _by_group(table):
    return [table.loc[table['group'] == name, 'y'].to_numpy() for name in ('a', 'b')]


def test_value_alignment_gives_every_group_the_barycenter_and_adds_the_residual():
    rng = np.random.RandomState(0)
    first, second = rng.normal(0, 1, 4000), np.round(rng.normal(3, 2, 4000))  # ties too
    alignment = ValueAlignment(np.zeros_like(GRID)).fit([first, second], [0.75, 0.25])
    aligned = [alignment.transform(values, np.full(4000, g)) for g, values in enumerate((first, second))]
    # The barycenter of two normals: their means and spreads weighted by the prior (spread
    # 0.75 * 1 + 0.25 * 2; the rounding of the second adds a little).
    for values in aligned:
        assert abs(values.mean() - (0.75 * first.mean() + 0.25 * second.mean())) < 0.01
        assert abs(values.std() - 1.25) < 0.1
    # Order inside a group is kept.
    assert np.all(np.diff(aligned[0][np.argsort(first)]) >= -1e-12)
    # A zero residual adds nothing; a standard normal one adds its spread.
    groups = np.zeros(4000, dtype=int)
    np.testing.assert_allclose(alignment.draw(first, groups, rng), aligned[0])
    noisy = ValueAlignment(np.quantile(rng.normal(size=100_000), GRID)).fit([first, second], [0.75, 0.25])
    drawn = noisy.draw(first, groups, rng)
    assert abs(drawn.std() - np.hypot(1.25, 1.0)) < 0.1


def test_drawn_values_are_mapped_onto_the_real_values_by_rank():
    """With the real target's quantiles, each group's draws come out with the real values'
    distribution, a value many rows share exactly at its share, in the order of the draws."""
    rng = np.random.RandomState(1)
    # A real target that is zero for 30 % of the rows and skewed above: not bell-shaped.
    real = np.where(rng.uniform(size=20_000) < 0.3, 0.0, rng.lognormal(3, 1, size=20_000))
    first, second = rng.normal(0, 1, 4000), rng.normal(2, 1, 4000)
    residuals = np.quantile(rng.normal(size=100_000), GRID)
    alignment = ValueAlignment(residuals, np.quantile(real, GRID)).fit(
        [first, second], [0.5, 0.5])
    for group, predicted in enumerate((first, second)):
        drawn = alignment.draw(predicted, np.full(4000, group), np.random.RandomState(group))
        assert abs((drawn == 0).mean() - 0.3) < 0.03  # exact zeros, at their share
        assert drawn.min() >= 0 and drawn.max() <= real.max()
        for q in (0.5, 0.75, 0.9):
            assert np.quantile(drawn, q) == pytest.approx(np.quantile(real, q), rel=0.1)
    # The map is monotone: the same uniform draws, a larger prediction, a value no smaller.
    groups = np.zeros(3, dtype=int)
    low = alignment.draw(np.array([-1.0, 0.0, 1.0]), groups, np.random.RandomState(5))
    high = alignment.draw(np.array([-0.5, 0.5, 1.5]), groups, np.random.RandomState(5))
    assert np.all(high >= low)
    # A calibration offset is in the target's units: it moves the group's mean value by
    # itself, through the map (across the zeros a shift before the map moves little).
    predicted, groups = rng.normal(0, 1, 20_000), np.zeros(20_000, dtype=int)
    plain = alignment.draw(predicted, groups, np.random.RandomState(7)).mean()
    alignment.offsets_ = np.array([5.0, 0.0])
    shifted = alignment.draw(predicted, groups, np.random.RandomState(7)).mean()
    assert shifted - plain == pytest.approx(5.0, rel=0.05)


def test_zero_inflated_target_keeps_its_zeros_and_its_shape():
    """A skewed number that is zero for 30 % of the rows (a year's medical expenses): the
    generated target has exact zeros at about that share, and the real quartiles, in both
    groups alike."""
    rng = np.random.RandomState(2)
    group = rng.choice(['a', 'b'], 1500, p=[0.6, 0.4])
    x = rng.normal(size=1500) + 0.8 * (group == 'a')
    spent = np.exp(2 + 0.8 * x + rng.normal(scale=0.7, size=1500)).round(2)
    y = np.where(rng.uniform(size=1500) < 1 / (1 + np.exp(1 + x)), 0.0, spent)
    table = pd.DataFrame({'group': group, 'x': x, 'y': y})
    synthesizer = _fit(table)
    assert synthesizer.get_fairness_diagnostics()['label_source'] == 'features'
    generated = synthesizer.sample(4000)['t']
    real_zeros = (table['y'] == 0).mean()
    assert abs((generated['y'] == 0).mean() - real_zeros) < 0.05
    for q in (0.5, 0.75):
        assert np.quantile(generated['y'], q) == pytest.approx(np.quantile(y, q), rel=0.25)
    zeros = generated['y'].eq(0).groupby(generated['group']).mean()
    assert abs(zeros['a'] - zeros['b']) < 0.06  # the zeros do not tell the group


def test_continuous_target_follows_the_features_at_equal_distributions(wage_table):
    real_a, real_b = _by_group(wage_table)
    scale = wage_table['y'].std()
    assert (real_a.mean() - real_b.mean()) / scale > 1.0  # strongly biased
    synthesizer = _fit(wage_table)
    assert synthesizer.get_fairness_diagnostics()['label_source'] == 'features'
    table = synthesizer.sample(6000)['t']
    generated_a, generated_b = _by_group(table)
    assert abs(generated_a.mean() - generated_b.mean()) / scale < 0.1
    assert ks_2samp(generated_a, generated_b).statistic < 0.1
    # The generated target keeps the real spread (the residual) ...
    assert abs(table['y'].std() / scale - 1) < 0.25
    # ... and inside each group it goes with x as the real one does, more than the head's.
    head = _fit(wage_table, label_from_features=False).sample(6000)['t']
    for name in ('a', 'b'):
        rows, head_rows = table[table['group'] == name], head[head['group'] == name]
        assert rows['x'].corr(rows['y']) > 0.8
        assert rows['x'].corr(rows['y']) > head_rows['x'].corr(head_rows['y']) + 0.05


def test_saved_synthesizer_draws_the_same_numbers(wage_table, tmp_path):
    assert_loaded_copy_samples_the_same(_fit(wage_table), tmp_path)


def test_target_with_many_missing_numbers_keeps_its_missing_share_and_spread(wage_table):
    # Missing more often in group 'b' (30 % against 10 %): SDV's ``from_column`` handling
    # (``_raw_columns.py``) mean-fills them in the processed table; they must not be learnt
    # as values (a regressor reading ``.is_null`` would predict them exactly, and their
    # near-zero residuals would narrow every generated value).
    table = wage_table.copy()
    rate = np.where(table['group'] == 'b', 0.3, 0.1)
    table.loc[np.random.RandomState(1).uniform(size=len(table)) < rate, 'y'] = np.nan
    synthesizer = _fit(table)
    diagnostics = synthesizer.get_fairness_diagnostics()
    assert diagnostics['label_source'] == 'features'
    # Measured (a failure would leave an 'error' and no gaps): the downstream regressor learns
    # the generated rows that have a number, their '.is_null' flag read as any column.
    assert 'error' not in diagnostics
    assert 0 <= diagnostics['downstream_dp_difference'] < 0.2
    assert 0 < diagnostics['label_gap_noise'] < 0.1
    generated = synthesizer.sample(6000)['t']
    for name, real_rate in (('a', 0.1), ('b', 0.3)):  # missingness follows the row's group
        rows = generated[generated['group'] == name]
        assert abs(rows['y'].isna().mean() - real_rate) < 0.07
    present = generated.dropna(subset=['y'])
    generated_a, generated_b = _by_group(present)
    scale = table['y'].std()
    assert abs(generated_a.mean() - generated_b.mean()) / scale < 0.15
    assert abs(present['y'].std() / scale - 1) < 0.25


def test_numbers_drawn_with_a_seed_are_the_same_exactly(wage_table):
    synthesizer = _fit(wage_table)
    synthesizer.reset_sampling()
    first = synthesizer.sample(500)['t']
    synthesizer.sample(700)  # RDT's own stream moves on; the seeded draw does not depend on it
    synthesizer.reset_sampling()
    pd.testing.assert_frame_equal(first, synthesizer.sample(500)['t'], check_exact=True)


def test_ordinal_target_of_many_ranks_keeps_the_head(wage_table):
    table = wage_table.assign(y=np.digitize(wage_table['y'], np.linspace(-4, 7, 59)))
    metadata = Metadata.detect_from_dataframes({'t': table})
    metadata.update_column('y', sdtype='ordinal', table_name='t')
    synthesizer = FairDistillSynthesizer(metadata, 'group', 'y', epochs=5, distill_epochs=2, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        synthesizer.fit({'t': table})
    assert synthesizer._model.label_scorer is None
    assert set(synthesizer.sample(200)['t']['y']) <= set(table['y'])


def test_mean_shifts_give_every_group_the_pooled_mean_prediction():
    predictions = np.concatenate([np.full(300, 1.0), np.full(100, 3.0), np.full(5, 9.0)])
    predictions[:300] += np.tile([-0.5, 0.5], 150)  # a spread: an error of 0.5 / sqrt(300)
    groups = np.repeat([0, 1, 2], [300, 100, 5])
    shifts, errors = mean_shifts(predictions, groups, 3)
    pooled = predictions.mean()
    np.testing.assert_allclose(shifts[:2], [pooled - 1.0, pooled - 3.0])
    assert abs(errors[0] - 0.5 / np.sqrt(300)) < 1e-3
    assert shifts[2] == 0 and errors[2] == np.inf  # too few rows to measure


def _downstream_gap(synthesizer, real):
    """Regressors trained on generated tables of the real table's size: the gap between the
    groups' mean predictions on the real rows, in the target's standard deviations (the
    mean over three tables: one table's gap moves by a few hundredths)."""
    columns, is_a, gaps = ['x', 'noise', 'is_a'], (real['group'] == 'a').to_numpy(), []
    for draw in range(3):
        synthesizer._set_random_state(draw)
        generated = synthesizer.sample(len(real))['t']
        regressor = HistGradientBoostingRegressor(random_state=0).fit(
            generated.assign(is_a=generated['group'] == 'a')[columns], generated['y']
        )
        predicted = regressor.predict(real.assign(is_a=real['group'] == 'a')[columns])
        gaps.append(abs(predicted[is_a].mean() - predicted[~is_a].mean()) / real['y'].std())
    return np.mean(gaps)


def test_calibration_evens_a_downstream_regressors_group_means(wage_table):
    calibrated = _fit(wage_table)
    offsets = calibrated.get_fairness_diagnostics()['target_offsets']
    assert set(offsets) == {'a', 'b'} and any(value != 0 for value in offsets.values())
    # The gap the shifts chose is reported beside the one before them (the one warned on).
    assert 'label_gap_before_offsets' in calibrated.get_fairness_diagnostics()
    plain = _fit(wage_table, calibrate_target=False)
    assert 'target_offsets' not in plain.get_fairness_diagnostics()
    assert _downstream_gap(calibrated, wage_table) < _downstream_gap(plain, wage_table)
    assert _downstream_gap(calibrated, wage_table) < 0.1


def test_diagnostics_measure_a_number_and_warn_when_it_is_unfair(wage_table):
    diagnostics = _fit(wage_table).get_fairness_diagnostics()
    assert diagnostics['label_gap'] < 0.1 and diagnostics['downstream_dp_difference'] < 0.1
    # The unfair ablation keeps much of the real gap (1.19 standard deviations here); a fit
    # whose number comes from the head with a weak penalty is warned about.
    unfair = _fit(wage_table, fairness_weight=0, label_from_features=False)
    assert unfair.get_fairness_diagnostics()['label_gap'] > 0.3
    assert unfair.get_fairness_diagnostics()['downstream_dp_difference'] > 0.3
    weak = FairDistillSynthesizer(
        Metadata.detect_from_dataframes({'t': wage_table}), 'group', 'y', fairness_weight=0.01,
        label_from_features=False, epochs=30, distill_epochs=10, batch_size=250, seed=0,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        weak.fit({'t': wage_table})
    assert weak.get_fairness_diagnostics()['label_gap'] > TARGETS['label_gap']
    assert any('less fair than intended' in str(w.message) for w in caught)


def test_calibration_asked_for_where_it_cannot_apply_says_so(wage_table):
    synthesizer = FairDistillSynthesizer(
        Metadata.detect_from_dataframes({'t': wage_table}), 'group', 'y', epochs=2,
        distill_epochs=1, label_from_features=False, calibrate_target=True, seed=0,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        synthesizer.fit({'t': wage_table})
    assert any('calibrate_target=True' in str(w.message) and "'y'" in str(w.message) for w in caught)
    assert 'target_offsets' not in synthesizer.get_fairness_diagnostics()
