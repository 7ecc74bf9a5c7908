"""Categories as text: 1, 1.0 and '1' are one category, True stays 'True' beside 1, and a
missing value stays missing, however the column mixes its values (the fast path renders each
distinct value once; the expected texts here are written out per cell)."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sdv_fairdistill.metrics._features import _as_text


def expected_text(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 1.0 is the category '1'
    return str(value)


CELLS = {
    'text': st.sampled_from(['a', 'b', '1', 'True', '(missing)']),
    'integers': st.integers(-3, 3),
    'floats': st.sampled_from([0.0, 1.0, 1.5, -2.0, np.nan]),
    'booleans': st.booleans(),
    'missing': st.none(),
}


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(sorted(CELLS)), min_size=1, max_size=3).flatmap(
    lambda kinds: st.lists(st.one_of(*[CELLS[kind] for kind in kinds]), max_size=30)))
def test_every_cell_gets_its_own_text(cells):
    column = pd.Series(cells, dtype=object, index=np.arange(len(cells)) * 2)
    texts = _as_text(column)
    assert list(texts.index) == list(column.index)
    got = [None if pd.isna(text) else text for text in texts]
    assert got == [expected_text(cell) for cell in cells]


def test_typed_columns_match_their_object_form():
    for column in (pd.Series([1, 2, 1]), pd.Series([1.0, np.nan, 2.5]),
                   pd.Series([True, False]), pd.Series([1, None, 3], dtype='Int64'),
                   pd.Series(pd.Categorical(['x', None, 'y']))):
        got = [None if pd.isna(text) else text for text in _as_text(column)]
        assert got == [expected_text(None if pd.isna(cell) else
                                     (float(cell) if isinstance(cell, (float, np.floating))
                                      else cell.item() if isinstance(cell, np.generic) else cell))
                       for cell in column.astype(object)]
