"""The table encoder's fast paths against the RDT transformers they stand in for."""

import warnings

import numpy as np
import pandas as pd
import pytest
from rdt.transformers import OneHotEncoder

from sdv_fairdistill.adapters.tabular_encoding import (
    SPIKE_SHARE,
    _Spikes,
    TableEncoder,
    reverse_one_hot,
    seeded_transforms,
)

COLUMNS = {
    'strings with missing': pd.Series(['a', 'b', None, 'c', np.nan] * 4, dtype=object),
    'strings': pd.Series(['x', 'y', 'z', 'x'] * 5, dtype=object),
    'integers': pd.Series([3, 1, 2, 7] * 5),
    'integers with missing': pd.Series([3.0, np.nan, 2.0, 7.0] * 5),
    'booleans': pd.Series([True, False, True, True] * 5),
    'booleans with missing': pd.Series([True, None, False, True] * 5, dtype=object),
    'mixed objects': pd.Series(['a', 1, 2.5, None, True] * 4, dtype=object),
    'pandas categorical': pd.Series(['lo', 'hi', None, 'mid'] * 5, dtype='category'),
    'nullable integers': pd.Series([1, None, 3, 4] * 5, dtype='Int64'),
    'nullable strings': pd.Series(['p', None, 'q', 'r'] * 5, dtype='string'),
}


@pytest.mark.parametrize('name', list(COLUMNS))
@pytest.mark.parametrize('only_some', [False, True])
def test_reverse_one_hot_equals_rdt(name, only_some):
    series = COLUMNS[name]
    encoder = OneHotEncoder()
    encoder.fit(series.to_frame('column'), 'column')
    width = len(encoder.dummies)
    rng = np.random.default_rng(0)
    # Noisy decoder-like scores; with only_some, a sample that misses some categories
    # (the missing one among them), whose values alone infer another dtype in RDT's map.
    block = rng.normal(size=(500, width))
    if only_some:
        block[:, -1] -= 100
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        expected = encoder.reverse_transform(
            pd.DataFrame(block, columns=list(encoder.get_output_sdtypes()))
        )['column']
    got = reverse_one_hot(encoder, block).rename('column')
    pd.testing.assert_series_equal(got, expected, check_exact=True)
    assert list(got.map(type)) == list(expected.map(type))


# Spikes: a numerical value many rows share is a mode of its own, decoded exactly.

def _zero_inflated(n=2000, seed=0):
    """A capital-gain-like column: 90 % zeros, the rest log-normal amounts; and a
    hours-like column with a spike at 40 on top of a spread of whole numbers."""
    rng = np.random.default_rng(seed)
    gain = np.where(rng.random(n) < 0.9, 0.0, np.round(rng.lognormal(8, 1, n)))
    hours = np.where(rng.random(n) < 0.5, 40.0, np.round(rng.normal(40, 12, n)).clip(1, 99))
    return pd.DataFrame({'gain': gain, 'hours': hours})


def _encoder(data, **options):
    return TableEncoder({column: 'numerical' for column in data}, **options).fit(data)


def test_spikes_are_on_by_default():
    assert TableEncoder().spike_share == SPIKE_SHARE
    assert _encoder(_zero_inflated())._plans[0][4][2].values == [0.0]


def test_point_masses_are_spikes_and_peaks_of_smooth_counts_are_not():
    data = _zero_inflated()
    encoder = _encoder(data)
    spikes = {plan[1]: plan[4][2] for plan in encoder._plans}
    assert spikes['gain'].values == [0.0]
    assert spikes['hours'].values == [40.0]
    # Whole-number ages, each of the commonest held by over 5 % of the rows as their
    # neighbours are: a smooth distribution, no point mass.
    ages = pd.DataFrame({'age': np.round(np.random.default_rng(3).normal(30, 4, 3000))})
    shares = ages['age'].value_counts(normalize=True)
    assert (shares >= 0.05).sum() >= 5
    assert _encoder(ages)._plans[0][4][2] is None
    # The same ages with a third of the rows at 18 (a floor): 18 is a spike.
    ages.loc[:999, 'age'] = 18.0
    assert _encoder(ages)._plans[0][4][2].values == [18.0]
    # A continuous column has no repeated value, so no spike.
    noise = pd.DataFrame({'x': np.random.default_rng(1).normal(size=500)})
    assert _encoder(noise)._plans[0][4][2] is None
    # Two values only: both would be spikes and leave the Gaussian modes nothing; no spikes.
    two = pd.DataFrame({'y': [0.0] * 300 + [5.0] * 200})
    assert _encoder(two)._plans[0][4][2] is None


def test_a_constant_column_has_no_spike_and_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # numpy's median of no neighbours warned
        assert _Spikes.find(pd.Series([3.0] * 50)) == []
        assert _Spikes.find(pd.Series([3.0] * 50 + [4.0] * 50)) == []


def test_values_sdv_filled_in_for_missing_numbers_are_no_spike():
    # SDV fills a missing number with the mean and flags the row in '<column>.is_null'
    # (missing_value_generation='from_column'). 40 % filled rows are not a point mass of the
    # real column; its real zeros (20 % of the rows) still are.
    rng = np.random.default_rng(4)
    wages = np.where(rng.random(3000) < 0.2, 0.0, np.round(rng.normal(20, 5, 3000), 2))
    missing = rng.random(3000) < 0.4
    filled = np.where(missing, wages[~missing].mean(), wages)
    data = pd.DataFrame({'wages': filled, 'wages.is_null': missing.astype(float)})
    encoder = TableEncoder({'wages': 'numerical', 'wages.is_null': 'numerical'},
                           filled_flags={'wages': 'wages.is_null'}).fit(data)
    assert encoder._plans[0][4][2].values == [0.0]
    # Without the flag the same values are taken at face value: the filled mean is a spike.
    alone = _encoder(data[['wages']])
    assert sorted(alone._plans[0][4][2].values) == [0.0, wages[~missing].mean()]


def test_spike_rows_round_trip_exactly_and_encode_to_their_own_mode():
    data = _zero_inflated()
    encoder = _encoder(data)
    matrix = encoder.transform(data)
    back = encoder.reverse_transform(matrix)
    zeros = data['gain'] == 0
    assert (back.loc[zeros, 'gain'] == 0).all()
    np.testing.assert_allclose(back['gain'], data['gain'], rtol=1e-6, atol=1e-6)
    # The scalar of a spike row is 0 and its mode the one after the Gaussian modes.
    plan = encoder._plans[0]
    n_modes = int(plan[2].valid_component_indicator.sum())
    assert np.all(matrix[zeros.to_numpy(), 0] == 0)
    assert np.all(matrix[zeros.to_numpy(), 1 + n_modes] == 1)


def test_a_decoded_spike_mode_gives_the_exact_value_whatever_the_scalar():
    data = _zero_inflated()
    encoder = _encoder(data)
    matrix = encoder.transform(data.iloc[:200]).copy()
    n_modes = int(encoder._plans[0][2].valid_component_indicator.sum())
    width = encoder.widths_['gain']
    matrix[:, :width] = 0
    matrix[:, 0] = np.random.default_rng(2).uniform(-1, 1, 200)  # noisy decoder scalars
    matrix[:, 1 + n_modes] = 1  # the spike's mode
    assert (encoder.reverse_transform(matrix)['gain'] == 0).all()


def test_an_encoder_saved_before_spikes_still_encodes_and_decodes():
    # Saved encoders hold (ranks, dtype) for a numerical column; they had no spikes.
    data = _zero_inflated()
    encoder = _encoder(data, spike_share=None)
    with seeded_transforms(encoder.transformers(), 0):  # the same modes drawn for the rows
        expected = encoder.reverse_transform(encoder.transform(data))
    encoder._plans = [(*plan[:4], plan[4][:2]) if plan[0] == 'numerical' else plan
                      for plan in encoder._plans]
    with seeded_transforms(encoder.transformers(), 0):
        got = encoder.reverse_transform(encoder.transform(data))
    pd.testing.assert_frame_equal(got, expected)


def test_gaussian_modes_learn_from_every_other_value_of_a_long_column():
    # 20,000 rows, 90 % zeros: the modes of the 2,000 amounts are fitted on all of them, not
    # on the 500 a 5,000-row subset would leave.
    data = _zero_inflated(n=20000)
    encoder = _encoder(data[['gain']])
    seen = []
    normalizer = encoder._plans[0][2]
    original = type(normalizer).fit

    def recording_fit(self, frame, column):
        seen.append(len(frame))
        return original(self, frame, column)

    from unittest import mock
    with mock.patch.object(type(normalizer), 'fit', recording_fit):
        _encoder(data[['gain']])
    assert seen == [int((data['gain'] != 0).sum())]


def test_spikes_with_missing_values_and_nullable_dtypes():
    data = _zero_inflated(n=1000)
    data.loc[:49, 'gain'] = np.nan
    for dtype in ('float64', 'Float64'):
        table = data.astype(dtype)
        encoder = _encoder(table)
        back = encoder.reverse_transform(encoder.transform(table))
        assert back['gain'].isna().sum() == 50
        kept = table['gain'].notna().to_numpy()
        zeros = (table['gain'][kept] == 0).to_numpy(dtype=bool)
        np.testing.assert_array_equal(back['gain'][kept].to_numpy() == 0, zeros)
    # A row decoded into a spike's mode but marked missing stays missing.
    table = data.astype('float64')
    encoder = _encoder(table)
    matrix = encoder.transform(table)
    n_modes = int(encoder._plans[0][2].valid_component_indicator.sum())
    width = encoder.widths_['gain']
    matrix[:, 1:width - 2] = 0
    matrix[:, 1 + n_modes] = 1  # the spike's mode...
    matrix[:, width - 2:width] = [0, 1]  # ...and the null indicator on
    assert encoder.reverse_transform(matrix)['gain'].isna().all()
