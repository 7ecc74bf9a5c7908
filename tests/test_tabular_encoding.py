"""The table encoder's fast paths against the RDT transformers they stand in for."""

import warnings

import numpy as np
import pandas as pd
import pytest
from rdt.transformers import OneHotEncoder

from sdv_fairdistill.adapters.tabular_encoding import reverse_one_hot

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
