"""Reading and writing tables, checking output paths and columns, loading SDV metadata."""

import os
import tempfile
import warnings
from collections import Counter
from pathlib import Path

from sdv_fairdistill.cli._base import CLIError, _one_line

TABLE_SUFFIXES = ('.csv', '.csv.gz', '.parquet', '.pq')


def check_not_an_input(path, option, inputs):
    """Refuse an output path that is one of the command's input files (``{option: path}``,
    None for an option not given) or another of its outputs: writing it would destroy the
    input (a fitted synthesizer saved over the table it was fitted on)."""
    if path is None:
        return
    target = Path(path).resolve()
    for other, given in inputs.items():
        if given is not None and other != option and Path(given).resolve() == target:
            raise CLIError(f"{option} '{path}' is also {other}: writing it would replace that "
                           'file. Choose another output path.')


def check_writable_folder(path, option):
    """Fail before any long work if files cannot be written into the folder ``path`` (created
    on writing where it is missing): it must not be a file, nor lie under one, and the
    nearest existing folder must take new files."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise CLIError(f"{option} '{path}' is a file: give a folder")
    existing = path.absolute()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise CLIError(f"{option} '{path}' cannot be created: '{existing}' is a file, not a "
                       'folder; choose another path')
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise CLIError(f"{option} '{path}' cannot be written ({error.strerror or error} in "
                       f"'{existing}'); choose a writable location")


def check_writable(path, option):
    """Fail before any long work if a file cannot be written at ``path``.

    The parent directory may be missing (it is created on writing) but the nearest existing
    ancestor must be a directory we can create files in. Probing with a real temporary file
    catches what permission bits do not tell: read-only mounts and ACLs.
    """
    if str(path).endswith(('/', os.sep)):  # Path() drops the slash: 'new/' read as a file
        raise CLIError(f"{option} '{path}' names a folder (it ends with "
                       f"'{str(path)[-1]}'): give a file name inside it")
    path = Path(path)
    if path.is_dir():
        raise CLIError(f"{option} '{path}' is a directory: give a file name inside it")
    existing = path.absolute().parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise CLIError(
            f"{option} '{path}' cannot be written: '{existing}' is a file, not a directory; "
            'choose another path'
        )
    try:
        if path.exists():
            with open(path, 'ab'):  # append mode: checks without truncating
                pass
        else:
            with tempfile.TemporaryFile(dir=existing):
                pass
    except OSError as error:
        where = path if path.exists() else existing
        raise CLIError(
            f"{option} '{path}' cannot be written ({error.strerror or error} in '{where}'); "
            'choose a writable location'
        )


def _suffix(path):
    name = Path(path).name.lower()
    return next((suffix for suffix in TABLE_SUFFIXES if name.endswith(suffix)), None)


def read_table(path, numbers=(), as_text=None):
    """Read a CSV (optionally gzipped) or Parquet file, or a folder of Parquet files, into a
    DataFrame.

    A CSV column of codes written with leading zeros is read as text (``_read_csv``), except
    the ``numbers`` (the metadata's numerical and datetime columns); ``as_text`` gives the
    columns to read as text instead (those of another file of the same table). The columns
    read so are in ``table.attrs['text_codes']``.
    """
    import pandas as pd

    path = Path(path)
    if path.is_dir():  # a folder of Parquet files: one table, read as fit streams it
        import numpy as np

        from sdv_fairdistill.cli._parquet import _table

        table = _table(path)  # the files' common schema (a float in one, an int in another)
        if table.num_rows == 0:
            raise CLIError(f"'{path}' holds no rows: give a CSV or Parquet file, or a folder "
                           'of Parquet files')
        return table.read_rows(np.arange(table.num_rows))
    if not path.is_file():
        raise CLIError(f"no such file: '{path}'")
    suffix = _suffix(path)
    if suffix is None:
        raise CLIError(f"'{path}' is neither CSV nor Parquet (use {', '.join(TABLE_SUFFIXES)})")
    try:
        if suffix in ('.parquet', '.pq'):
            return pd.read_parquet(path)
        return _read_csv(path, numbers, as_text)
    except ImportError:
        raise CLIError(f"reading '{path}' needs a Parquet engine: pip install pyarrow")
    except (ValueError, OSError) as error:
        raise CLIError(f"cannot read '{path}': {_one_line(error)}")


def same_datetimes(reference, table):
    """``table`` with the columns that are dates in ``reference`` and text in ``table`` (a
    CSV beside a Parquet file) parsed as dates, in ``reference``'s time zone. Left as text,
    SDMetrics scores such a column as nothing and averages the quality over the others; text
    that does not parse as dates is left so, with a warning."""
    import pandas as pd

    text_dates = [
        column for column in reference.columns.intersection(table.columns)
        if pd.api.types.is_datetime64_any_dtype(reference[column])
        and (pd.api.types.is_object_dtype(table[column])
             or pd.api.types.is_string_dtype(table[column]))
    ]
    if text_dates:
        table = table.copy()
    for column in text_dates:
        parsed = _dates(table[column], getattr(reference[column].dtype, 'tz', None))
        if parsed is None:
            warnings.warn(f"column '{column}' holds dates in one file and text that does not "
                          'parse as dates in the other: the quality report leaves it out. '
                          'Write both files alike.')
        else:
            table[column] = parsed
    return table


def _dates(values, zone):
    """``values`` (text) as dates in ``zone`` (None: without a zone), or None when they do not
    parse: text without an offset is read as times in ``zone``; text with offsets (mixed ones,
    summer and winter time) as instants, shown in ``zone`` (in UTC without one)."""
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # pandas' advice on guessed and mixed formats
        try:
            parsed = pd.to_datetime(values, format='mixed')
        except (ValueError, TypeError):
            return None
        if not pd.api.types.is_datetime64_any_dtype(parsed):  # offsets that differ
            try:
                parsed = pd.to_datetime(values, format='mixed', utc=True)
            except (ValueError, TypeError):
                return None
    own = parsed.dt.tz
    if own is None:
        return parsed.dt.tz_localize(zone) if zone is not None else parsed
    return parsed.dt.tz_convert(zone) if zone is not None else parsed.dt.tz_convert(None)


#: A code: digits only, the first a zero (``01``, ``02134``); every value of the column is
#: then as many digits long (fixed-width codes), so ``0.5``, ``-01`` or ``7, 12`` are numbers.
_CODE = r'0\d+'


def _read_csv(path, numbers=(), as_text=None):
    """pandas' reading of a CSV, except that a column of codes written with leading zeros
    (``01``, ``02134``) stays text: read as numbers they would become other values (``1``,
    ``2134``), and the groups or codes would come out renamed."""
    import pandas as pd

    # The header as written: as text, 'NA' and empty names kept (pandas reads them as NaN).
    names = pd.read_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False).iloc[0]
    repeated = sorted(name for name, count in Counter(names).items() if count > 1 and name)
    if repeated:  # pandas would read the second as 'sex.1', a column nobody named
        raise CLIError(f"'{path}' names more than one column {', '.join(map(repr, repeated))}: "
                       'rename or drop the repeated ones')
    if as_text is not None:  # another file's code columns
        header = set(names)
        table = pd.read_csv(path, dtype={column: str for column in as_text if column in header})
        table.attrs['text_codes'] = list(as_text)
        _warn_of_unnamed_columns(path, names, table)
        return table
    table = pd.read_csv(path)
    _warn_of_unnamed_columns(path, names, table)
    candidates = [column for column in table.columns
                  if pd.api.types.is_numeric_dtype(table[column])
                  and not pd.api.types.is_bool_dtype(table[column]) and column not in numbers]
    codes = []
    if candidates:
        text = pd.read_csv(path, dtype=str, usecols=lambda name: name in candidates)
        for column in candidates:
            values = text[column].dropna().str.strip()
            if (values.str.fullmatch(_CODE).any() and values.str.fullmatch(r'\d+').all()
                    and values.str.len().nunique() == 1):
                table[column] = text[column]
                codes.append(column)
    table.attrs['text_codes'] = codes
    return table


def _warn_of_unnamed_columns(path, names, table):
    """A header cell left empty (pandas calls the column 'Unnamed: N') is said, and one over
    increasing whole numbers is called what it most likely is: a row index pandas saved with
    the table (``to_csv`` writes one unless ``index=False``), which ``fit`` would learn and
    generate and ``report`` would give its classifiers as a feature."""
    import pandas as pd

    for position, name in enumerate(names):
        if name.strip():
            continue
        column = table.columns[position]
        values = table[column]
        index_like = (pd.api.types.is_integer_dtype(values) and values.is_unique
                      and values.is_monotonic_increasing)
        advice = (' and holds increasing whole numbers, like a row index saved with the table '
                  '(pandas writes one unless index=False): drop it, or it is a column like the '
                  'others (fit learns and generates it, report gives it to the classifiers)'
                  if index_like else ': give it a name in the header')
        warnings.warn(f"column {position + 1} of '{path}' has no name in its header (it is read "
                      f'as {column!r}){advice}.', UserWarning, stacklevel=3)


def metadata_numbers(path):
    """The columns a metadata JSON file calls numerical or datetime (none without a file, or
    with one that cannot be read: ``load_metadata`` then says what is wrong)."""
    import json

    try:
        tables = json.loads(Path(path).read_text()).get('tables', {}) if path else {}
    except (OSError, ValueError, AttributeError):
        return ()
    return tuple(
        column for table in tables.values() if isinstance(table, dict)
        for column, spec in (table.get('columns') or {}).items()
        if isinstance(spec, dict) and spec.get('sdtype') in ('numerical', 'datetime')
    )


def check_output_table(path):
    """Fail before any long work if ``path`` cannot be written as a table."""
    suffix = _suffix(path)
    if suffix is None:
        raise CLIError(f"'{path}': give a file name ending in one of {', '.join(TABLE_SUFFIXES)}")
    if suffix in ('.parquet', '.pq'):
        import importlib.util

        if not any(importlib.util.find_spec(engine) for engine in ('pyarrow', 'fastparquet')):
            raise CLIError(f"writing '{path}' needs a Parquet engine: pip install pyarrow")


def write_table(table, path):
    """Write a DataFrame as CSV or Parquet, chosen by the file name."""
    path = Path(path)
    suffix = _suffix(path)
    if suffix is None:
        raise CLIError(f"'{path}': give a file name ending in one of {', '.join(TABLE_SUFFIXES)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix in ('.parquet', '.pq'):
            table.to_parquet(path, index=False)
        else:
            table.to_csv(path, index=False)
    except ImportError:
        raise CLIError(f"writing '{path}' needs a Parquet engine: pip install pyarrow")
    except OSError as error:  # checked before the work; this is the race that is left
        raise CLIError(f"cannot write '{path}': {error.strerror or _one_line(error)}")


#: What SDV's detection records about the rows it saw, and checks every later row against
#: (without ``range_is_nullable`` a column may hold missing values).
SAMPLE_BOUNDS = ('range_min', 'range_max', 'range_values', 'decimal_places', 'range_is_nullable')


def load_metadata(path, data, table_name, part_of_table=False):
    """SDV ``Metadata`` from a JSON file, or detected from ``data`` when ``path`` is None.

    ``part_of_table``: ``data`` is a sample of a larger table (a streamed Parquet file).
    SDV's detection records the sample's ranges, categories, decimal places and that it has
    no missing values, and every later batch is checked against them: a value outside the
    sample would stop the fit. Those bounds are left out of what is detected from a sample.
    """
    from sdv.metadata import Metadata

    if path is None:
        metadata = Metadata.detect_from_dataframes({table_name: data})
        if not part_of_table:
            return metadata
        described = metadata.to_dict()
        for column in described['tables'][table_name]['columns'].values():
            for bound in SAMPLE_BOUNDS:
                column.pop(bound, None)
        return Metadata.load_from_dict(described)
    path = Path(path)
    if not path.is_file():
        raise CLIError(f"no such metadata file: '{path}'")
    try:
        metadata = Metadata.load_from_json(path)
    except Exception as error:  # noqa: BLE001 - SDV raises several kinds for a bad file
        raise CLIError(f"invalid metadata file '{path}': {_one_line(error)}")
    if len(metadata.tables) != 1:
        raise CLIError(f"'{path}' describes {len(metadata.tables)} tables; give one table")
    return metadata


def _table_name(metadata):
    return next(iter(metadata.tables))


def check_columns(data, columns, path, option):
    """Fail with the available columns when ``columns`` are not all in ``data``."""
    missing = [column for column in columns if column not in data.columns]
    if missing:
        separator = next((mark for mark in (';', '\t', '|') if len(data.columns) == 1
                          and mark in str(data.columns[0])), None)
        hint = (f" (one column named with {separator!r} in it: the file separates its values "
                f'with {separator!r}; write it with commas)' if separator else '')
        raise CLIError(
            f"{option}: column(s) {', '.join(map(repr, missing))} not in '{path}'; "
            f"columns are: {', '.join(map(str, data.columns))}{hint}"
        )


def positive_label_of(value, column):
    """The positive label as typed on the command line, converted to the column's type."""
    if value is None:
        return None
    import pandas as pd

    if pd.api.types.is_bool_dtype(column):
        words = {'true': True, '1': True, 'yes': True, 'false': False, '0': False, 'no': False}
        if value.lower() not in words:
            raise CLIError(f'--positive-label {value!r} is not a value of the yes / no target: '
                           'give true or false')
        return words[value.lower()]
    if pd.api.types.is_numeric_dtype(column):
        try:
            number = float(value)
        except ValueError:
            raise CLIError(f"--positive-label {value!r} is not a value of the numeric target")
        return int(number) if number.is_integer() else number
    return value
