"""Sampling in bounded memory: ``sample`` in batches, and ``sample_to_parquet``.

SDV's ``sample`` generates and reverse-transforms every row at once unless it is given a
``batch_size``; then ``_sample_in_batches`` samples batch after batch through
``_sample_batch`` (reject sampling for constraints included) and concatenates the finished
tables. ``StreamingSampleMixin`` gives ``sample`` a default batch size, so that the memory a
large sample needs beyond the returned table is one batch's worth, and writes the same
batches to a Parquet file one row group at a time, without holding them all.
"""

import datetime
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import tqdm
from sdv.errors import SynthesizerInputError

#: Most rows generated and reverse-transformed at a time when ``sample`` is given no
#: ``batch_size``. Up to it ``sample`` draws exactly as it did unbatched.
SAMPLE_BATCH_SIZE = 100_000

#: Most rows ``sample_to_parquet`` holds to find every column's type (a column that is
#: missing in all of them is written as text).
SCHEMA_ROWS = 10_000


def default_batch_size(num_rows):
    """At most SAMPLE_BATCH_SIZE rows a batch, in batches of equal size: SDV samples every
    batch whole and cuts the last, so 150,000 rows are two batches of 75,000, not two of
    100,000 of which 50,000 would be thrown away."""
    batches = -(-num_rows // SAMPLE_BATCH_SIZE)
    return -(-num_rows // batches)


def check_num_rows(num_rows, name='num_rows', allow_zero=False):
    if (isinstance(num_rows, bool) or not isinstance(num_rows, (int, np.integer))
            or num_rows < (0 if allow_zero else 1)):
        raise SynthesizerInputError(f"'{name}' must be a positive integer, got {num_rows!r}.")


class StreamingSampleMixin:
    """Batched ``sample`` and ``sample_to_parquet`` on top of SDV's batch sampling."""

    def sample(self, num_rows, *args, **kwargs):
        # Rows are made batch_size at a time (at most 100,000 by default). 0 rows is an empty
        # table, as SDV's synthesizers give (a quota that came out 0).
        check_num_rows(num_rows, allow_zero=True)
        return super().sample(num_rows, *args, **kwargs)

    def _sample_with_progress_bar(
        self,
        num_rows,
        max_tries_per_batch=100,
        batch_size=None,
        output_file_path=None,
        show_progress_bar=True,
    ):
        if num_rows == 0:  # SDV's is a frame without columns: this one has the table's
            dtypes = self._data_processor._dtypes
            return pd.DataFrame({column: pd.Series(dtype=dtypes[column])
                                 for column in dtypes.index})
        # SDV decided whether to show a bar from the batch_size the user gave; only the
        # default changes here, from all rows at once to SAMPLE_BATCH_SIZE.
        if batch_size is None and num_rows:
            batch_size = default_batch_size(num_rows)
        return super()._sample_with_progress_bar(
            num_rows, max_tries_per_batch, batch_size, output_file_path, show_progress_bar
        )

    def sample_to_parquet(
        self,
        num_rows,
        filepath,
        batch_size=None,
        max_tries_per_batch=100,
        show_progress_bar=True,
    ):
        """Sample ``num_rows`` rows into a Parquet file, one row group per batch.

        Only one batch is in memory at a time, so any number of rows can be written; until
        every column has had a value (which fixes its type in the file) the first batches are
        held, at most 10,000 rows or one batch, and written as one row group. The
        file holds the rows ``sample(num_rows, batch_size=batch_size)`` would return after
        the same random state (with the default ``batch_size``, those of ``sample(num_rows)``),
        with the same column types. The rows go to a temporary file beside ``filepath`` that is
        renamed at the end: an interrupted run leaves no partial table behind.

        Args:
            num_rows (int): number of rows to write, at least 1.
            filepath (str or pathlib.Path): the Parquet file to write (replaced if it exists).
            batch_size (int or None): rows generated, reverse-transformed and written at a
                time (one Parquet row group each). Defaults to None (``sample``'s batches:
                equal batches of at most 100,000 rows).
            max_tries_per_batch (int): as in ``sample``: reject-sampling rounds per batch
                when constraints reject rows. Defaults to 100.
            show_progress_bar (bool): show a tqdm bar of the rows written. Defaults to True.

        Returns:
            int: the number of rows written (fewer than ``num_rows`` only when constraints
            rejected rows ``max_tries_per_batch`` times over, as in ``sample``).
        """
        check_num_rows(num_rows)
        if batch_size is None:
            batch_size = default_batch_size(num_rows)
        check_num_rows(batch_size, 'batch_size')
        self._validate_fit_before_sample()
        self._check_input_metadata_updated()
        path = Path(filepath)
        if not path.parent.is_dir():
            raise SynthesizerInputError(
                f"Cannot write '{path}': the folder '{path.parent}' does not exist."
            )
        original_columns = getattr(self, '_original_columns', pd.Index([]))
        not_text = [column for column in original_columns if not isinstance(column, str)]
        if not_text:  # pyarrow would fail after the first batch was sampled
            raise SynthesizerInputError(
                f'Parquet column names are text; the table was fitted with column names '
                f'{not_text[:5]} that are not. Fit on the table with its columns renamed '
                '(data.columns = data.columns.astype(str)), or write what sample() returns.'
            )
        partial = path.with_name(f'.{path.name}.partial')
        batch_size = min(batch_size, num_rows)
        written = 0
        start = datetime.datetime.now()
        try:
            with tqdm.tqdm(total=num_rows, disable=not show_progress_bar, unit='rows') as bar:
                bar.set_description('Sampling rows to Parquet')
                # valued: whether each column has had a value in the batches held so far.
                writer, held, sampled, valued = None, [], 0, None
                num_batches = -(-num_rows // batch_size)
                try:
                    # The batches of SDV's _sample_in_batches: every batch full-sized and the
                    # last one cut, so the rows are those of sample(num_rows, batch_size=...).
                    for index in range(num_batches):
                        batch = self._sample_batch(
                            batch_size=batch_size, max_tries=max_tries_per_batch
                        )
                        batch = batch.head(num_rows - sampled)
                        sampled += len(batch)
                        if not original_columns.empty:  # as sample() renames them
                            batch.columns = original_columns
                        if writer is None:
                            # The file's column types are the first rows': batches are held
                            # until every column has a value (a sparse yes / no column may
                            # have none in a small first batch, and no type then).
                            held.append(batch)
                            valued = batch.notna().any() if valued is None else (
                                valued | batch.notna().any())
                            if (not valued.all() and sampled < SCHEMA_ROWS
                                    and index < num_batches - 1):
                                continue
                            batch = pd.concat(held, ignore_index=True) if len(held) > 1 else batch
                            schema = _schema_of(batch)
                            writer = pq.ParquetWriter(partial, schema)
                        writer.write_table(
                            pa.Table.from_pandas(batch, schema=schema, preserve_index=False)
                        )
                        written += len(batch)
                        bar.update(len(batch))
                finally:
                    if writer is not None:
                        writer.close()
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        self._log_sample(start, written, len(schema))
        return written

    def _log_sample(self, start, num_rows, num_columns):
        """The event SDV's ``sample`` logs, for the rows written to a file."""
        from sdv.single_table.base import SYNTHESIZER_LOGGER

        SYNTHESIZER_LOGGER.info({
            'EVENT': 'Sample',
            'TIMESTAMP': start,
            'SYNTHESIZER CLASS NAME': self.__class__.__name__,
            'SYNTHESIZER ID': self._synthesizer_id,
            'TOTAL NUMBER OF TABLES': 1,
            'TOTAL NUMBER OF ROWS': num_rows,
            'TOTAL NUMBER OF COLUMNS': num_columns,
        })


def _schema_of(batch):
    """The Parquet schema of the first rows; a column with no value in them (all missing,
    which pyarrow would type as null and then refuse later batches' values for) is a
    string column: SDV returns the categories of such columns as Python objects."""
    schema = pa.Schema.from_pandas(batch, preserve_index=False)
    for index, field in enumerate(schema):
        if pa.types.is_null(field.type):
            schema = schema.set(index, field.with_type(pa.string()))
    return schema
