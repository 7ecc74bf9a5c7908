"""Large tables for ``fit``: a Parquet file or folder is streamed (``fit_from_parquet``: the
networks learn from every row, read a batch at a time), or with ``--sample-rows N`` only a
seeded sample of N rows is read and learned from."""

from pathlib import Path

from sdv_fairdistill.cli._base import CLIError, _one_line
from sdv_fairdistill.cli._io import _suffix, read_table

#: Rows of a streamed table that the CLI reads to check its columns and detect metadata.
CHECK_ROWS = 100_000


def _table(path):
    from sdv_fairdistill.synthesizers._parquet_source import ParquetTable

    try:
        return ParquetTable(path)
    except ValueError as error:
        raise CLIError(_one_line(error))


def _sample(table, num_rows, seed):
    from sdv_fairdistill.synthesizers._parquet_source import choose_sample

    if table.num_rows == 0:
        raise CLIError(f"'{table.path}' holds no rows")
    return table.read_rows(choose_sample(table.num_rows, num_rows, seed))


def is_parquet(path):
    path = Path(path)
    return path.is_dir() or _suffix(path) in ('.parquet', '.pq')


def read_fit_table(path, sample_rows=None, seed=None, numbers=()):
    """What ``fit`` learns from: ``(table, streamed)``.

    A CSV file: the whole table, ``streamed`` None. A Parquet file or folder: a seeded
    sample of at most CHECK_ROWS rows (to check the columns and detect metadata) and
    ``streamed``, the ``ParquetTable`` to fit on with ``fit_from_parquet``. With
    ``sample_rows``: a seeded sample of that many rows of a Parquet file or folder, learned
    from as a table (``streamed`` None).
    """
    path = Path(path)
    seed = 0 if seed is None else seed
    if sample_rows is None:
        if not is_parquet(path):
            return read_table(path, numbers), None
        table = _table(path)
        return _sample(table, CHECK_ROWS, seed), table
    _check_sample_rows(path, sample_rows)
    return _sample(_table(path), sample_rows, seed), None


def _check_sample_rows(path, sample_rows):
    if sample_rows < 2:
        raise CLIError(f'--sample-rows must be at least 2, got {sample_rows}')
    if not is_parquet(path):
        raise CLIError(
            f"--sample-rows reads Parquet files in batches; '{path}' is not one: convert it "
            '(pandas.read_csv(...).to_parquet(...)) or drop --sample-rows'
        )


def header(path, sample_rows=None):
    """The columns of what ``fit`` would learn from, as an empty DataFrame, read without
    the rows; ``--sample-rows`` checked as ``read_fit_table`` checks it. (The launcher of
    several processes says once what each of them would say.)"""
    import pandas as pd

    path = Path(path)
    if sample_rows is not None:
        _check_sample_rows(path, sample_rows)
    if is_parquet(path):
        return pd.DataFrame(columns=_table(path).column_names)
    if _suffix(path) is None:
        return read_table(path)  # its error names the formats
    try:
        return pd.read_csv(path, nrows=0)
    except (ValueError, OSError) as error:
        raise CLIError(f"cannot read '{path}': {_one_line(error)}")
