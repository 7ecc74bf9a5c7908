"""Sampling in batches: ``sample``'s default batches and ``sample_to_parquet``."""

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sdv.errors import SynthesizerInputError

from sdv_fairdistill.synthesizers import _streaming


@pytest.fixture(scope='module')
def fitted(tiny_fitted):
    return tiny_fitted


def test_sample_makes_default_sized_batches(fitted, monkeypatch, tmp_path):
    """Without batch_size, sample() generates and reverse-transforms at most SAMPLE_BATCH_SIZE
    rows at a time (its memory beyond the returned table is one batch's), in equal batches
    (700 rows: 3 of 234, not 3 of 300 of which 200 would be thrown away), and returns the rows
    of an explicit batch_size of that size; sample_to_parquet's default is the same."""
    monkeypatch.setattr(_streaming, 'SAMPLE_BATCH_SIZE', 300)
    sizes = []
    model_sample = type(fitted)._sample

    def spy(self, num_rows, *args, **kwargs):
        sizes.append(num_rows)
        return model_sample(self, num_rows, *args, **kwargs)

    monkeypatch.setattr(type(fitted), '_sample', spy)
    fitted.reset_sampling()
    default = fitted.sample(700)['adult']
    assert sizes == [234, 234, 234]
    fitted.reset_sampling()
    explicit = fitted.sample(700, batch_size=234)['adult']
    assert len(default) == 700
    pd.testing.assert_frame_equal(default, explicit)
    fitted.reset_sampling()
    fitted.sample_to_parquet(700, tmp_path / 'default.parquet', show_progress_bar=False)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / 'default.parquet'), default)


def test_sample_to_parquet_writes_the_rows_of_sample(fitted, tmp_path):
    path = tmp_path / 'synthetic.parquet'
    fitted.reset_sampling()
    written = fitted.sample_to_parquet(700, path, batch_size=300, show_progress_bar=False)
    fitted.reset_sampling()
    expected = fitted.sample(700, batch_size=300)['adult']

    assert written == 700
    # One row group per batch, the last one cut to the rows asked for.
    metadata = pq.ParquetFile(path).metadata
    assert [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)] == [
        300, 300, 100
    ]
    assert pq.read_schema(path).remove_metadata() == pa.Schema.from_pandas(
        expected, preserve_index=False
    ).remove_metadata()
    pd.testing.assert_frame_equal(pd.read_parquet(path), expected)
    assert not list(tmp_path.glob('.*partial'))


def test_sample_to_parquet_is_reproducible_with_a_seed(fitted, tmp_path):
    first, second = tmp_path / 'a.parquet', tmp_path / 'b.parquet'
    for path in (first, second):
        fitted._set_random_state(7)
        fitted.sample_to_parquet(250, path, batch_size=100, show_progress_bar=False)
    pd.testing.assert_frame_equal(pd.read_parquet(first), pd.read_parquet(second))


def test_sample_to_parquet_refuses_bad_inputs_before_writing(fitted, tmp_path):
    with pytest.raises(SynthesizerInputError, match="'num_rows' must be a positive integer"):
        fitted.sample_to_parquet(0, tmp_path / 'x.parquet')
    with pytest.raises(SynthesizerInputError, match="'batch_size' must be a positive integer"):
        fitted.sample_to_parquet(10, tmp_path / 'x.parquet', batch_size=0)
    with pytest.raises(SynthesizerInputError, match='does not exist'):
        fitted.sample_to_parquet(10, tmp_path / 'missing' / 'x.parquet')
    assert not list(tmp_path.iterdir())


def test_interrupted_sample_to_parquet_leaves_no_file(fitted, tmp_path, monkeypatch):
    calls = []
    sample_batch = type(fitted)._sample_batch

    def failing(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return sample_batch(self, *args, **kwargs)

    monkeypatch.setattr(type(fitted), '_sample_batch', failing)
    with pytest.raises(KeyboardInterrupt):
        fitted.sample_to_parquet(200, tmp_path / 'x.parquet', batch_size=100,
                                 show_progress_bar=False)
    assert not list(tmp_path.iterdir())


def test_a_sparse_yes_no_column_keeps_its_type_in_small_batches(tmp_path):
    """A column of True / False that is mostly missing has no value in a one-row batch: the
    first batches are held until it has one, so its type in the file is boolean (it was
    typed as text from the first batch, and the first True refused)."""
    import numpy as np
    from sdv.metadata import Metadata

    from sdv_fairdistill import FairDistillSynthesizer

    rng = np.random.default_rng(0)
    table = pd.DataFrame({
        'age': rng.integers(18, 80, 300), 'sex': rng.choice(['F', 'M'], 300),
        'y': rng.choice(['no', 'yes'], 300),
        'smoker': pd.Series(rng.choice([True, False], 300), dtype=object),
    })
    table.loc[rng.random(300) < 0.8, 'smoker'] = np.nan
    synthesizer = FairDistillSynthesizer(
        Metadata.detect_from_dataframes({'t': table}), sensitive_columns='sex',
        target_column='y', epochs=1, distill_epochs=1, label_from_features=False,
        calibrate_target=False,
    )
    synthesizer.fit({'t': table})
    # A random state whose first row has no smoker value (the case that failed).
    seed = next(seed for seed in range(50) if _first_smoker_missing(synthesizer, seed))
    path = tmp_path / 'rows.parquet'
    synthesizer._set_random_state(seed)
    assert synthesizer.sample_to_parquet(40, path, batch_size=1, show_progress_bar=False) == 40
    synthesizer._set_random_state(seed)
    expected = synthesizer.sample(40, batch_size=1)['t']
    assert pq.read_schema(path).field('smoker').type == pa.bool_()
    assert expected['smoker'].notna().any()
    pd.testing.assert_frame_equal(pd.read_parquet(path).astype(object), expected.astype(object))


def _first_smoker_missing(synthesizer, seed):
    synthesizer._set_random_state(seed)
    return pd.isna(synthesizer.sample(1, batch_size=1)['t']['smoker'].iloc[0])
