"""A Parquet file or folder of Parquet files read batch by batch: never the whole table.

``fit_from_parquet`` reads a table three times, each pass holding one batch at a time: a scan
of the sensitive and target columns (their groups and classes, and how many rows each has),
a seeded sample of rows (to fit SDV's data processor, the encoders and the latent density),
and the encoding of every row into shards (``core/rows.py``).
"""

import os
from pathlib import Path

import numpy as np
import pandas as pd

#: Rows pyarrow reads at a time.
READ_BATCH_ROWS = 65_536


def pa_schema_of(schema, columns):
    """The fields of ``schema`` named in ``columns``, in that order."""
    import pyarrow as pa

    return pa.schema([schema.field(name) for name in columns], metadata=schema.metadata)


def common_schema(fragments, counts):
    """The schema every file of a folder is read with: the files' own, with a column's types
    widened where they differ (``int64`` and ``double``: ``double``). Files without rows say
    nothing (pandas writes an empty frame's text as the null type). A file that lacks some of
    the columns (or has others), or types that do not widen into one (text and numbers), is
    refused, naming the file and the column: reading it as it is would invent missing values
    or fail inside pyarrow."""
    import pyarrow as pa

    names = _file_names([fragment.path for fragment in fragments])
    schemas = [(names[fragment.path], _decoded(fragment.physical_schema))
               for fragment, count in zip(fragments, counts) if count]
    if not schemas:
        return _decoded(fragments[0].physical_schema)
    first_path, first = schemas[0]
    for path, schema in schemas[1:]:
        if set(schema.names) != set(first.names):
            lacks = [name for name in first.names if name not in schema.names]
            extra = [name for name in schema.names if name not in first.names]
            raise ValueError(
                f"'{path}' does not have the columns of '{first_path}'"
                + (f'; it lacks {lacks}' if lacks else '') + (f'; it adds {extra}' if extra else '')
                + '. Every file of the table must hold the same columns (missing values '
                'are written as nulls in the column).'
            )
    try:
        unified = pa.unify_schemas([schema for _, schema in schemas],
                                   promote_options='permissive')
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        for name in first.names:
            types = {}
            for path, schema in schemas:
                types.setdefault(str(schema.field(name).type), path)
            try:
                pa.unify_schemas([pa.schema([schema.field(name)]) for _, schema in schemas],
                                 promote_options='permissive')
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                listed = ', '.join(f'{kind} in {path!r}' for kind, path in types.items())
                raise ValueError(
                    f"Column '{name}' has types that do not fit one column: {listed}. Write it "
                    'with one type in every file.'
                ) from None
        raise
    # The first file's column order, and its schema metadata (pandas' dtypes).
    return pa.schema([unified.field(name) for name in first.names], metadata=first.metadata)


def _file_names(paths):
    """Each file's name in messages: its base name, or its whole path where two files of the
    table share a base name (``2024/part-0.parquet`` and ``2025/part-0.parquet``)."""
    bases = [Path(path).name for path in paths]
    return {path: base if bases.count(base) == 1 else str(path)
            for path, base in zip(paths, bases)}


def _decoded(schema):
    """``schema`` without the index pandas saved (``__index_level_0__`` of a filtered frame:
    no column of the table, and one file may have it where another does not), and with
    dictionary-encoded columns (pandas' ``category``) as their values' type: a column is
    text in one file and categories of text in another, and reads as text."""
    import pyarrow as pa

    index = {name for name in (schema.pandas_metadata or {}).get('index_columns', [])
             if isinstance(name, str)}
    fields = [field.with_type(field.type.value_type) if pa.types.is_dictionary(field.type)
              else field for field in schema if field.name not in index]
    return pa.schema(fields, metadata=schema.metadata)


def _check_file_list(paths):
    if not paths:
        raise ValueError('The list of Parquet files is empty: pass a file, a folder, or a '
                         'list of files.')
    seen = set()
    for item in paths:
        if not item.is_file():
            kind = 'a folder' if item.is_dir() else 'no such file'
            raise ValueError(f"'{item}' in the list of Parquet files is {kind}: a list "
                             'holds files (pass a folder on its own, not in a list).')
        if item.resolve() in seen:
            raise ValueError(f"'{item}' is in the list of Parquet files twice: its rows "
                             'would count twice. Name each file once.')
        seen.add(item.resolve())


class ParquetTable:
    """A Parquet file, a folder of them read as one table (files in name order), or a list
    of Parquet files read as one table (in the order given).

    Args:
        path (str, pathlib.Path or list): the file, the folder, or a list of files.
        batch_rows (int): rows read at a time. Defaults to READ_BATCH_ROWS.

    Raises:
        ValueError: when the path does not exist or is not Parquet, or a list is empty,
            names a file twice, or names something that is not a file.
    """

    def __init__(self, path, batch_rows=READ_BATCH_ROWS):
        import pyarrow as pa
        import pyarrow.dataset as ds

        if isinstance(path, (list, tuple)):
            wrong = [item for item in path if not isinstance(item, (str, os.PathLike))]
            if wrong:
                raise ValueError(f'A list of Parquet files holds paths (str or pathlib.Path), '
                                 f'not {wrong[0]!r}.')
            self.path = [Path(item) for item in path]
            source = [str(item) for item in self.path]
            _check_file_list(self.path)
            order = {name: position for position, name in enumerate(source)}
        else:
            self.path = Path(path)
            if not self.path.exists():
                raise ValueError(f"No such file or folder: '{self.path}'.")
            source, order = str(self.path), None
        try:
            self.dataset = ds.dataset(source, format='parquet')
        except (pa.ArrowInvalid, OSError) as error:
            raise ValueError(f"Cannot read '{path}' as Parquet: {error}") from None

        def in_order(dataset):  # the same order on every pass: row positions depend on it
            key = (lambda f: order[f.path]) if order else (lambda f: f.path)
            return sorted(dataset.get_fragments(), key=key)

        self.fragments = in_order(self.dataset)
        self.batch_rows = batch_rows
        counts = [fragment.count_rows() for fragment in self.fragments]
        self.num_rows = sum(counts)
        if len(self.fragments) > 1:  # pyarrow takes the folder's schema from one file
            schema = common_schema(self.fragments, counts)
            self.dataset = ds.dataset(source, format='parquet', schema=schema)
            self.fragments = in_order(self.dataset)

    def __str__(self):
        """The path as messages show it: a list's files joined by commas."""
        if isinstance(self.path, list):
            return ', '.join(str(item) for item in self.path)
        return str(self.path)

    @property
    def column_names(self):
        return list(self.dataset.schema.names)

    def batches(self, columns=None):
        """The table's record batches, in order (only ``columns``, if given), each cast to
        the folder's common schema.

        Read with ``ParquetFile.iter_batches``: memory is one row group's column chunks and
        one batch. (The dataset scanner's ``to_batches`` decodes a whole row group ahead of
        the batches: 270 MB more for a million-row row group, 880 MB for five million.)
        """
        import pyarrow.parquet as pq

        schema = self.dataset.schema
        if columns is not None:
            schema = pa_schema_of(schema, columns)
        for fragment in self.fragments:
            reader = pq.ParquetFile(fragment.path)
            if not set(schema.names) <= set(reader.schema_arrow.names):
                # Only a file without rows may lack columns (common_schema refuses any other):
                # nothing to read. (Its scanner gave a batch of 0 rows, which reached the
                # encoder's mixture models.)
                continue
            for batch in reader.iter_batches(batch_size=self.batch_rows, columns=schema.names):
                if batch.num_rows:
                    yield batch if batch.schema.equals(schema) else batch.cast(schema)

    def frames(self, columns=None, every=1, offset=0):
        """The table as pandas DataFrames, a batch at a time; with ``every`` > 1 only the
        rows whose position is ``offset`` modulo ``every`` (a data-parallel process's share:
        dealt by row rather than by batch, so that a table of one batch still gives every
        process rows)."""
        import pyarrow as pa

        start = 0
        for batch in self.batches(columns):
            if every > 1:
                first = (offset - start) % every
                rows = pa.array(np.arange(first, batch.num_rows, every))
                start += batch.num_rows
                batch = batch.take(rows)
                if batch.num_rows == 0:  # a batch shorter than the processes: none here
                    continue
            yield batch.to_pandas()

    def strata(self, columns):
        """The distinct combinations of ``columns`` and the combination of every row.

        Returns:
            tuple: the combinations (a DataFrame) and one ``int32`` code per row (4 bytes a
            row: the only part of ``fit_from_parquet`` that grows with the table).
        """
        known, codes = {}, []
        for frame in self.frames(columns):
            # A missing value is a stratum of its own; NaN is keyed as None, since each batch's
            # NaN is another object and would start another stratum.
            local_codes, uniques = pd.MultiIndex.from_frame(frame[columns]).factorize(
                use_na_sentinel=False
            )
            mapping = np.array([
                known.setdefault(tuple(None if pd.isna(v) else v for v in key), len(known))
                for key in uniques
            ], dtype=np.int32)
            codes.append(mapping[local_codes])
        combinations = pd.DataFrame(list(known), columns=columns)
        return combinations, np.concatenate(codes) if codes else np.zeros(0, np.int32)

    def read_rows(self, chosen):
        """The rows at the sorted positions ``chosen``, as one DataFrame."""
        import pyarrow as pa

        pieces, start = [], 0
        for batch in self.batches():
            low, high = np.searchsorted(chosen, [start, start + batch.num_rows])
            if high > low:
                pieces.append(batch.take(pa.array(chosen[low:high] - start)))
            start += batch.num_rows
        return pa.Table.from_batches(pieces, schema=self.dataset.schema).to_pandas()


def choose_sample(num_rows, sample_rows, seed, strata=None, min_rows=0):
    """Sorted row positions of a seeded sample of ``sample_rows`` rows of ``num_rows``.

    With ``strata`` (a code per row), a stratum the uniform draw leaves with fewer than
    ``min_rows`` rows (or all of its rows, if it has fewer) gets random rows of its own
    added, so that every group and class of the table reaches the encoders.
    """
    rng = np.random.default_rng(seed)
    chosen = rng.choice(num_rows, min(sample_rows, num_rows), replace=False)
    if strata is not None and min_rows > 0:
        drawn = np.bincount(strata[chosen], minlength=strata.max() + 1)
        extra = []
        for stratum in np.flatnonzero(drawn < min_rows):
            rows = np.setdiff1d(np.flatnonzero(strata == stratum), chosen)
            missing = min(min_rows - drawn[stratum], len(rows))
            extra.append(rng.choice(rows, missing, replace=False))
        chosen = np.concatenate([chosen, *extra])
    return np.sort(chosen)
