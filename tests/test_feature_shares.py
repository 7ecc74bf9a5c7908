"""A number's missing values, and on request every category, come out at the real rows'
shares (``core/feature_shares.py``), whatever the training left in the decoder."""

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sdv.metadata import Metadata

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.core import feature_shares
from sdv_fairdistill.core.feature_shares import real_shares

GENERATED_ROWS = 20_000
#: Sampling noise of a share near 0.5 over GENERATED_ROWS rows is 0.0035; the offsets are
#: learnt on draws of their own, so twice that again.
TOLERANCE = 0.015


@pytest.fixture(scope='module')
def survey():
    """Skewed categories (one at 3 %), a flag, a number 25 % missing and a number target 20 %
    missing (both kept as missing values by a ``.is_null`` flag, ``_raw_columns.py``)."""
    rng = np.random.default_rng(3)
    rows = 2000
    sex = rng.choice(['F', 'M'], rows, p=[0.35, 0.65])
    table = pd.DataFrame({
        'sex': sex,
        'edu': rng.choice(['hs', 'ba', 'ms', 'phd'], rows, p=[0.55, 0.27, 0.15, 0.03]),
        'union': rng.choice(['yes', 'no'], rows, p=[0.2, 0.8]),
        'hours': np.round(rng.normal(40, 8, rows), 1),
        'wage': np.round(20 + 8 * (sex == 'M') + rng.normal(0, 5, rows), 2),
    })
    table.loc[rng.random(rows) < 0.25, 'hours'] = np.nan
    table.loc[rng.random(rows) < 0.2, 'wage'] = np.nan
    return table


def _fit(survey):
    metadata = Metadata.detect_from_dataframes({'t': survey})
    # Two teacher epochs: the decoder is far from the real shares; the offsets are not.
    synthesizer = FairDistillSynthesizer(
        metadata, 'sex', 'wage', epochs=2, distill_epochs=1, batch_size=200, seed=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        synthesizer.fit({'t': survey})
    return synthesizer


def test_missing_values_come_out_at_their_real_shares(survey):
    synthesizer = _fit(survey)
    generated = synthesizer.sample(GENERATED_ROWS)['t']
    for column in ('hours', 'wage'):  # a feature's, and the target's (its flag is a feature)
        assert abs(generated[column].isna().mean() - survey[column].isna().mean()) < TOLERANCE
    # Only the two flags got offsets (the categories keep the decoder's shares by default).
    offsets = synthesizer._model.feature_offsets
    assert int((offsets != 0).sum()) == 4
    # A synthesizer saved before the offsets existed has no such attribute: it samples as
    # it did (the decoder's own shares).
    del synthesizer._model.feature_offsets
    assert len(synthesizer.sample(100)['t']) == 100


def test_every_category_at_its_real_share_when_all_are_matched(survey, monkeypatch):
    monkeypatch.setattr(feature_shares, 'MATCHED', 'all')
    synthesizer = _fit(survey)
    generated = synthesizer.sample(GENERATED_ROWS)['t']
    for column in ('edu', 'union'):  # ('sex', a sensitive column, is drawn at its prior)
        real = survey[column].value_counts(normalize=True)
        drawn = generated[column].value_counts(normalize=True).reindex(real.index, fill_value=0)
        np.testing.assert_allclose(drawn.to_numpy(), real.to_numpy(), atol=TOLERANCE,
                                   err_msg=column)
    for column in ('hours', 'wage'):
        assert abs(generated[column].isna().mean() - survey[column].isna().mean()) < TOLERANCE


def test_real_shares_weigh_each_group_at_the_prior():
    # Group 0 is three rows of a sample that topped it up; the table holds it at 10 %.
    x = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    groups = np.array([0, 0, 0, 1, 1, 1])
    # Group 0: shares (2/3, 1/3); group 1: (1/3, 2/3); at 10 % / 90 %:
    expected = [0.1 * 2 / 3 + 0.9 * 1 / 3, 0.1 * 1 / 3 + 0.9 * 2 / 3]
    np.testing.assert_allclose(real_shares(x, groups, [0.1, 0.9]).numpy(), expected)
    # A group with no row in the sample leaves the others' weights to share.
    np.testing.assert_allclose(
        real_shares(x[3:], groups[3:], [0.1, 0.9]).numpy(), [1 / 3, 2 / 3]
    )


@pytest.mark.parametrize('matched, expected', [
    ('missing', ['hours.is_null', 'wage.is_null']),
    ('columns', ['edu', 'hours.is_null', 'wage.is_null']),
    ('all', ['edu', 'hours.component', 'hours.is_null', 'wage.is_null']),
])
def test_which_spans_each_setting_matches(matched, expected, monkeypatch):
    from sdv_fairdistill.core.spans import Span

    spans = [Span(4, 'categorical', 'edu'), Span(1, 'continuous', 'hours'),
             Span(9, 'categorical', 'hours.component'), Span(2, 'categorical', 'hours.is_null'),
             Span(2, 'categorical', 'wage.is_null')]  # a number target's flag, without modes
    monkeypatch.setattr(feature_shares, 'MATCHED', matched)
    found = feature_shares.matched_spans(spans)
    assert [span.column for span, _, _ in found] == expected
    starts = {'edu': 0, 'hours.component': 5, 'hours.is_null': 14, 'wage.is_null': 16}
    assert [start for _, start, _ in found] == [starts[column] for column in expected]


def test_missing_values_of_constrained_numbers_come_out_at_their_share():
    # An Inequality replaces the columns' .is_null flags by one '<low>#<high>.nan_component'.
    from sdv.cag import Inequality

    rng = np.random.default_rng(5)
    rows = 1500
    low = rng.normal(10, 2, rows)
    table = pd.DataFrame({'sex': rng.choice(['F', 'M'], rows), 'low': low,
                          'high': low + rng.gamma(2, 2, rows), 'y': rng.choice(['a', 'b'], rows)})
    table.loc[rng.random(rows) < 0.2, 'low'] = np.nan
    synthesizer = FairDistillSynthesizer(Metadata.detect_from_dataframes({'t': table}), 'sex',
                                         'y', epochs=2, distill_epochs=1, seed=0)
    synthesizer.add_constraints([Inequality('low', 'high')])
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        synthesizer.fit({'t': table})
    generated = synthesizer.sample(GENERATED_ROWS)['t']
    assert abs(generated['low'].isna().mean() - table['low'].isna().mean()) < TOLERANCE
    present = generated.dropna(subset=['low'])
    assert (present['low'] < present['high']).all()
