"""Large tables for ``fit``: a folder of Parquet files as one table, and a seeded sample of
rows read batch by batch (``fit --sample-rows N``), so that a table larger than memory can be
learned from a sample of it."""

from pathlib import Path

from sdv_fairdistill.cli._base import CLIError, _one_line
from sdv_fairdistill.cli._io import _suffix, read_table

#: Rows pyarrow reads at a time while drawing a sample.
READ_BATCH_ROWS = 65_536


def _dataset(path):
    import pyarrow as pa
    import pyarrow.dataset as ds

    try:
        return ds.dataset(str(path), format='parquet')
    except (pa.ArrowInvalid, OSError) as error:
        raise CLIError(f"cannot read '{path}' as Parquet: {_one_line(error)}")


def read_sample(path, num_rows, seed):
    """``num_rows`` rows drawn without replacement (seeded), in the table's order.

    The files (sorted by name) are read a batch at a time and only the drawn rows are kept:
    the memory is the sample's and one batch's, whatever the size of the table.
    """
    import numpy as np
    import pyarrow as pa

    dataset = _dataset(path)
    fragments = sorted(dataset.get_fragments(), key=lambda fragment: fragment.path)
    total = sum(fragment.count_rows() for fragment in fragments)
    if total == 0:
        raise CLIError(f"'{path}' holds no rows")
    chosen = np.sort(np.random.default_rng(seed).choice(total, min(num_rows, total),
                                                        replace=False))
    pieces, start = [], 0
    for fragment in fragments:
        for batch in fragment.to_batches(schema=dataset.schema, batch_size=READ_BATCH_ROWS):
            low, high = np.searchsorted(chosen, [start, start + batch.num_rows])
            if high > low:
                pieces.append(batch.take(pa.array(chosen[low:high] - start)))
            start += batch.num_rows
    return pa.Table.from_batches(pieces, schema=dataset.schema).to_pandas()


def read_fit_table(path, sample_rows=None, seed=None):
    """The table ``fit`` learns from: a CSV or Parquet file, or a folder of Parquet files;
    with ``sample_rows``, a seeded sample of that many rows of a Parquet file or folder."""
    path = Path(path)
    if sample_rows is None:
        return _dataset(path).to_table().to_pandas() if path.is_dir() else read_table(path)
    if sample_rows < 2:
        raise CLIError(f'--sample-rows must be at least 2, got {sample_rows}')
    if not (path.is_dir() or _suffix(path) in ('.parquet', '.pq')):
        raise CLIError(
            f"--sample-rows reads Parquet files in batches; '{path}' is not one: convert it "
            '(pandas.read_csv(...).to_parquet(...)) or drop --sample-rows'
        )
    if not path.exists():
        raise CLIError(f"no such file or folder: '{path}'")
    return read_sample(path, sample_rows, 0 if seed is None else seed)
