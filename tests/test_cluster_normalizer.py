"""The vectorised mode draw of ``ClusterBasedNormalizer`` gives RDT's own encoding."""

import numpy as np
import pandas as pd
import pytest
from rdt.transformers import ClusterBasedNormalizer

from sdv_fairdistill.adapters._cluster_normalizer import (
    VectorisedClusterBasedNormalizer, draw_components,
)


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_same_encoding_as_rdt_on_random_mixtures_with_missing_values(seed):
    rng = np.random.default_rng(seed)
    modes = rng.integers(1, 5)
    values = np.concatenate([rng.normal(rng.uniform(-50, 50), rng.uniform(0.1, 5), 800)
                             for _ in range(modes)])
    values[rng.random(len(values)) < 0.05] = np.nan
    table = pd.DataFrame({'v': values})
    encoded = []
    for normalizer_class in (ClusterBasedNormalizer, VectorisedClusterBasedNormalizer):
        normalizer = normalizer_class(max_clusters=10, weight_threshold=0.005,
                                      missing_value_generation='from_column')
        normalizer.fit(table, 'v')
        encoded.append(normalizer.transform(table))
        pd.testing.assert_frame_equal(normalizer.reverse_transform(encoded[-1])[['v']].isna(),
                                      table.isna())
    pd.testing.assert_frame_equal(encoded[0], encoded[1])


def test_draw_components_follows_the_probabilities():
    rng = np.random.default_rng(0)
    probabilities = np.tile([[0.2, 0.5, 0.3, 0.0]], (100_000, 1))
    drawn = draw_components(probabilities, rng.random(100_000))
    np.testing.assert_allclose(np.bincount(drawn, minlength=4) / 100_000,
                               [0.2, 0.5, 0.3, 0.0], atol=0.005)
    # The edges: a uniform number of 0 takes the first mode, one just below 1 the last.
    assert list(draw_components(probabilities[:2], np.array([0.0, 1 - 1e-12]))) == [0, 3]


@pytest.mark.parametrize('spread', [1e-12, 1e-4, 1e-2])
def test_a_narrowly_spread_column_gets_modes_of_its_own_spread(spread):
    """scikit-learn's mixture adds 1e-6 to every mode's variance, so RDT's normalizer gives a
    column spread by 1e-4 modes ten times its spread, and squeezes its normalised values
    into a tenth of their range. Here the modes are found on the column scaled up by a
    power of ten: they have the column's own spread, and the values come back in their
    units."""
    rng = np.random.default_rng(0)
    values = rng.normal(5 * spread, spread, 3000)
    values[rng.random(len(values)) < 0.05] = np.nan
    table = pd.DataFrame({'v': values})
    stds = {}
    for normalizer_class in (ClusterBasedNormalizer, VectorisedClusterBasedNormalizer):
        normalizer = normalizer_class(max_clusters=10, weight_threshold=0.005,
                                      missing_value_generation='from_column')
        normalizer.fit(table, 'v')
        mixture = normalizer._bgm_transformer
        scale = getattr(normalizer, '_scale', 1.0)
        stds[normalizer_class] = (np.sqrt(mixture.covariances_.ravel()) / scale)[
            normalizer.valid_component_indicator] / spread
    encoded = normalizer.transform(table)
    back = normalizer.reverse_transform(encoded)['v'].to_numpy()
    inside = np.abs(encoded['v.normalized'].to_numpy()) < 0.99  # RDT clips beyond
    np.testing.assert_allclose(back[inside], values[inside], rtol=1e-9)
    assert stds[VectorisedClusterBasedNormalizer].max() < 2
    assert 0.15 < encoded['v.normalized'].std() < 0.35
    if spread < 1e-3:  # what RDT's own normalizer does with it
        assert stds[ClusterBasedNormalizer].min() > 5


def test_a_constant_column_is_not_scaled():
    from sdv_fairdistill.adapters._cluster_normalizer import spread_scale

    assert np.std(np.full(300, 0.1)) > 0  # float noise, not a spread
    assert spread_scale(np.full(300, 0.1)) == 1.0
    assert spread_scale(np.full(300, 123.456)) == 1.0
    assert spread_scale(np.array([1e-12, 3e-12, 2e-12])) == 1e13  # spread 8.2e-13 -> 8.2
    assert spread_scale(np.array([1.0, 2.0, 3.0])) == 1.0
