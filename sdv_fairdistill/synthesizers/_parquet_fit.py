"""``fit_from_parquet``: learn from every row of a table larger than memory.

SDV's ``fit`` takes a DataFrame, so the whole table (and SDV's processed copy of it, and its
encoding) must fit in memory. ``fit_from_parquet`` reads a Parquet file or folder batch by
batch (``_parquet_source.py``):

1. it scans the sensitive columns (and a class-label target) for their groups and classes;
2. it reads a seeded sample of rows, topped up so that every group and class has rows, and
   runs ``fit`` on it: SDV's data processor, the encoders and (after training) the latent
   density and the diagnostics learn from the sample;
3. inside that ``fit``, before training, every row of the table is processed and encoded a
   batch at a time, with the processor and encoders just fitted, and dealt out at random to
   shard files (``core/rows.py``); the teacher and the student train on the shards, one shard
   in memory at a time. The groups' prior is counted over every row.

Memory is the sample's, one batch's and one shard's, plus 4 bytes a row for the scan.
Data-parallel (``fit_distributed``), each process encodes every ``world_size``-th batch: its
own shard of the table.
"""

import os
import shutil
import tempfile
import warnings

import numpy as np
import pyarrow.compute as pc
from sdv.errors import InvalidDataError

from sdv_fairdistill.core import distributed
from sdv_fairdistill.core.density import MIN_MIXTURE_ROWS
from sdv_fairdistill.core.rows import ShardWriter
from sdv_fairdistill.synthesizers import _parameters as checks
from sdv_fairdistill.synthesizers import _tabular_inputs as inputs
from sdv_fairdistill.synthesizers._parquet_source import (
    READ_BATCH_ROWS, ParquetTable, choose_sample,
)

#: Rows the data processor, the encoders and the latent density learn from by default.
FIT_SAMPLE_ROWS = 100_000

#: Added to a batch's InvalidDataError: metadata detected from part of a table (its first
#: rows, say) records that part's ranges and categories, and SDV checks every row against them.
SAMPLE_BOUNDS_ADVICE = (
    "If the metadata was detected from part of the table, it records that part's ranges, "
    'categories and decimal places: detect it from rows that hold every value, or remove '
    "'range_min', 'range_max', 'range_values', 'decimal_places' and 'range_is_nullable' from "
    'the columns named above.'
)


def _with_bounds_advice(error):
    """SDV's error about rows outside the metadata's bounds, with SAMPLE_BOUNDS_ADVICE."""
    bounds = ('Out of range values', 'exceed the allowed decimal places', 'Invalid null values')
    if SAMPLE_BOUNDS_ADVICE in error.errors:  # said already (a batch's, inside the fit)
        return error
    if any(phrase in str(message) for message in error.errors for phrase in bounds):
        return InvalidDataError([*error.errors, SAMPLE_BOUNDS_ADVICE])
    return error


def _few_distinct(table, column, limit):
    """Whether ``column`` has at most ``limit`` distinct values (stops counting past it)."""
    seen = set()
    for batch in table.batches([column]):
        seen.update(pc.unique(batch.column(0)).to_pylist())
        if len(seen) > limit + 1:  # + 1: a missing value is not a class of its own
            return False
    return len(seen - {None}) <= limit


def _warn_once_for_new_categories(caught, sample_rows):
    """One warning for the categories the sample missed (RDT warns once per column and
    batch; those of every process counted), and the other warnings as they were."""
    new = [w for w in caught if 'new categories' in str(w.message)]
    for other in (w for w in caught if 'new categories' not in str(w.message)):
        warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
    # Every process encodes its own share; rank 0, which warns, may hold none of them.
    count = int(distributed.sum_over_processes(np.array([len(new)], dtype=float))[0])
    if count:
        first = f' (first: {new[0].message})' if new else ''
        warnings.warn(
            f'{count} times a column of a batch of the table held categories that the '
            f'{sample_rows:,}-row sample the encoders learned from does not{first}. Those '
            'values are encoded as no category and are never generated; raise sample_rows to '
            'learn them.'
        )


class ParquetFitMixin:
    """``fit_from_parquet`` for a synthesizer whose ``_fit`` asks ``_streamed_rows``."""

    def fit_from_parquet(self, path, sample_rows=FIT_SAMPLE_ROWS, batch_rows=READ_BATCH_ROWS,
                         workdir=None):
        """Fit on every row of a Parquet file or a folder (or list) of Parquet files, in bounded
        memory.

        SDV's data processor, the encoders and the latent density learn from a seeded sample
        of ``sample_rows`` rows (with rows of every sensitive group and target class added if
        the draw misses them); the networks train on every row, streamed from encoded shard
        files of ``batch_rows`` rows (written to a temporary folder and deleted after the
        fit). With the default ``epochs=None`` a large table trains for a fixed number of
        optimiser steps, so the time of a fit stops growing with its rows.

        Args:
            path (str, pathlib.Path or list): a Parquet file, a folder of them (read as one
                table, files in name order), or a list of Parquet files (read as one table,
                in the order given).
            sample_rows (int): rows of the sample. Defaults to 100,000.
            batch_rows (int): rows read, processed and encoded at a time, and rows of a shard.
                Defaults to 65,536.
            workdir (str or None): where the shard files go (they take about 4 bytes per
                encoded value: the table's rows times the encoding's width). Defaults to None
                (the system's temporary folder).

        Raises:
            ValueError: when the path is not Parquet or holds no rows.
            sdv.errors.InvalidDataError: when the sample or a batch does not match the
                metadata, as ``fit`` would say.
        """
        checks.check_integer('sample_rows', sample_rows, 2)
        checks.check_integer('batch_rows', batch_rows, 2)
        if workdir is not None and not os.path.isdir(workdir):  # before the sample is read
            raise ValueError(f"workdir '{workdir}' is not a folder: create it, or pass None "
                             "(the system's temporary folder).")
        table = ParquetTable(path, batch_rows)
        if table.num_rows == 0:
            raise ValueError(f"'{table}' holds no rows.")
        missing = [c for c in self._roles() if c not in table.column_names]
        if missing:
            raise ValueError(f"'{table}' has no column {missing}; its columns: "
                             f'{table.column_names}.')
        strata_columns = list(self.sensitive_columns)
        if self.target_column is not None and _few_distinct(
                table, self.target_column, inputs.MAX_CLASSES):
            strata_columns.append(self.target_column)
        _, strata = table.strata(strata_columns)
        seed = self.seed or 0
        chosen = choose_sample(table.num_rows, sample_rows, seed, strata, MIN_MIXTURE_ROWS)
        del strata
        sample = table.read_rows(chosen)
        self._stream = {'table': table, 'workdir': workdir, 'seed': seed, 'sample': sample}
        try:
            self.fit({self._table_name: sample})
        except InvalidDataError as error:
            raise _with_bounds_advice(error) from None
        finally:
            folder = self._stream.get('folder')
            del self._stream
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)

    def _roles(self):
        return list(self.sensitive_columns) + inputs.as_list(self.target_column)

    def _process_rows(self, frame):
        """SDV's processing of more rows with the processor ``fit`` fitted (as sampling
        reverses it): the metadata's checks, constraints, then the data processor's
        transformers. (``validate`` would also refit the constraints on the batch, and ask
        every batch for two groups.)"""
        try:
            self._original_metadata.validate_data({self._table_name: frame})
        except InvalidDataError as error:
            raise _with_bounds_advice(error) from None
        frame = self._validate_transform_constraints(frame)
        return self._data_processor.transform(frame)

    def _streamed_rows(self):
        """The whole table encoded into shards (``ShardedRows``), or None outside
        ``fit_from_parquet``. Sets the groups' prior from every row."""
        stream = getattr(self, '_stream', None)
        if stream is None:
            return None
        table = stream['table']
        stream['folder'] = tempfile.mkdtemp(prefix='fairdistill_shards_', dir=stream['workdir'])
        world, rank = distributed.world_size(), distributed.rank()
        if table.num_rows // world < 2:  # every process decides alike: none waits on another
            raise ValueError(
                f'The table has {table.num_rows} rows, dealt out to {world} processes: each '
                'needs at least 2 to train on. Use at most '
                f'{max(1, table.num_rows // 2)} processes (--nproc-per-node), or fit in one.'
            )
        local_rows = -(-table.num_rows // world)
        writer = ShardWriter(stream['folder'], max(1, -(-local_rows // table.batch_rows)),
                             stream['seed'] + rank)
        counts = np.zeros(len(self._groups))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            for frame in table.frames(every=world, offset=rank):
                x, y, codes, column_codes = self._encode_rows(self._process_rows(frame))
                writer.write(x.numpy(), y.numpy(), codes, column_codes)
                counts += np.bincount(codes, minlength=len(counts))
        _warn_once_for_new_categories(caught, len(stream['sample']))
        counts = distributed.sum_over_processes(counts)
        self._group_prior = counts / counts.sum()
        return writer.finish(len(self._groups), [len(levels) for levels in self._column_levels],
                             total_rows=int(counts.sum()))
