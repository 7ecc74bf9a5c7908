"""Table and metadata normalisation: one-table dicts, the metadata forms, the columns
shared by the tables, and datetime columns given as text."""

import warnings

import pandas as pd

from sdv_fairdistill.metrics._values import shorten


def single_table(data, argument, table_name=None):
    """Return ``(DataFrame, table name or None)`` of a table given alone or as ``{name: table}``.

    SDV 2's synthesizers sample ``{table_name: DataFrame}`` and SDMetrics' multi-table
    reports take such dicts, so a one-table dict is accepted wherever a table is.

    Args:
        data (pandas.DataFrame or dict):
            The table, or a dict of tables by name.
        argument (str):
            The argument's name for messages (``'real_data'``, ...).
        table_name (str or None):
            Which table to take from a dict with several.
    """
    if isinstance(data, pd.DataFrame):
        return data, None

    if isinstance(data, dict):
        names = list(data)
        if table_name is None and len(names) == 1:
            table_name = names[0]
        if not names:
            raise ValueError(
                f'{argument} is an empty dict; pass a pandas.DataFrame or {{name: DataFrame}}.'
            )
        if table_name is None:
            raise ValueError(
                f'{argument} holds {len(names)} tables ({shorten(names)}); fairness is '
                f'measured on one table: pass one of them, e.g. {argument}[{names[0]!r}] '
                '(the metrics also take table_name=).'
            )
        if table_name not in data:
            raise ValueError(
                f'{argument} has no table {table_name!r}; its tables are {shorten(names)}.'
            )
        table = data[table_name]
        if not isinstance(table, pd.DataFrame):
            raise TypeError(
                f'{argument}[{table_name!r}] must be a pandas.DataFrame, not '
                f'{type(table).__name__}: pass a DataFrame or {{table_name: DataFrame}}.'
            )
        return table, table_name

    raise TypeError(
        f'{argument} must be a pandas.DataFrame or a one-table dict {{table_name: DataFrame}}, '
        f'not {type(data).__name__}.'
    )


def single_tables(tables, table_name=None):
    """Unwrap every table with ``single_table``; return ``(tables, the common table name)``.

    Args:
        tables (dict[str, object]):
            The tables by argument name; None values (an absent validation table) are
            dropped.
        table_name (str or None):
            Which table to take from dicts with several.
    """
    unwrapped, names = {}, {}
    for argument, data in tables.items():
        if data is None:
            continue
        unwrapped[argument], name = single_table(data, argument, table_name)
        if name is not None:
            names[argument] = name

    if len(set(names.values())) > 1:
        described = ', '.join(f'{argument}: {name!r}' for argument, name in names.items())
        raise ValueError(
            f'The tables are named differently ({described}); pass the same table of each, '
            'e.g. real_data[name] and synthetic_data[name].'
        )

    return unwrapped, next(iter(names.values()), None)


def single_table_metadata(metadata, table_name=None):
    """Return the metadata of one table as an SDMetrics single-table dict, or None.

    Args:
        metadata (dict, sdv.metadata.Metadata or None):
            SDV ``Metadata`` (anything with ``to_dict()``, so SDV is never imported), a
            dict with the tables under ``'tables'``, or SDMetrics' single-table dict
            ``{'columns': {...}}``.
        table_name (str or None):
            Which table to use when ``metadata`` describes several (the name of the table
            when the data came as ``{name: DataFrame}``).

    Returns:
        dict or None:
            ``{'columns': {...}, ...}`` of the chosen table.
    """
    if metadata is None:
        return None

    if isinstance(metadata, pd.DataFrame):  # it has to_dict() too
        raise TypeError(
            'metadata got a table (a DataFrame). The metrics take (real_data, synthetic_data, '
            'metadata, ...); pass a hold-out table as real_validation_data= (SDMetrics\' '
            'EqualizedOddsImprovement takes it third).'
        )
    if not isinstance(metadata, dict) and hasattr(metadata, 'to_dict'):
        metadata = metadata.to_dict()

    if not isinstance(metadata, dict):
        raise TypeError(
            'metadata must be an SDV Metadata object (anything with to_dict()), a '
            "{'tables': {name: {'columns': ...}}} dict or a single-table "
            f"{{'columns': ...}} dict, not {type(metadata).__name__}."
        )

    if 'tables' in metadata:
        tables = metadata['tables']
        names = list(tables)
        if table_name is None:
            if len(names) != 1:
                raise ValueError(
                    f'The metadata describes {len(names)} tables ({shorten(names)}); '
                    "pass the metadata of one table (metadata['tables'][name] or "
                    'Metadata.get_table_metadata(name).to_dict()), give the data as '
                    '{name: DataFrame}, or table_name= to the metrics.'
                )
            table_name = names[0]
        elif table_name not in tables:
            if len(names) != 1:
                raise ValueError(
                    f'The metadata has no table {table_name!r} (the name of the data); '
                    f'its tables are {shorten(names)}. Pass the metadata of that table.'
                )
            # One table described and one table given: the names are only labels.
            table_name = names[0]
        metadata = tables[table_name]

    if not isinstance(metadata.get('columns'), dict):
        raise ValueError(
            "The table metadata must have a 'columns' key mapping each column name to its "
            "{'sdtype': ...}; got the keys " f'{shorten(list(metadata))}.'
        )

    return metadata


def check_metadata_columns(metadata, table, name='real_data'):
    """Check that the single-table ``metadata`` describes exactly the columns of ``table``.

    SDMetrics' reports require it and then name neither the table nor the side.
    """
    described = set(metadata['columns'])
    present = set(table.columns)
    only_metadata = sorted(described - present, key=str)
    only_table = sorted(present - described, key=str)
    problems = _mismatch([
        (only_metadata, lambda columns: f'the metadata describes columns that {name} lacks: '
                                        f'{columns}'),
        (only_table, lambda columns: f'{name} has columns the metadata does not describe: '
                                     f'{columns}'),
    ])
    if problems and {str(column) for column in only_table} == set(only_metadata):
        # SDV's metadata names columns as text; a table's 2024 (a pivot's year) is not '2024'.
        raise ValueError(
            f'{name} has columns named by numbers or other non-text names '
            f'({only_table}) that the metadata names as text: rename them in every table, '
            'e.g. table.columns = table.columns.astype(str).'
        )
    if problems:
        raise ValueError(
            f'The metadata does not match {name}: {problems}. Add or remove '
            'them in the metadata (or select the described columns of the tables).'
        )


def check_tables(tables):
    """Check that every table is a DataFrame with the columns of the first one.

    Args:
        tables (dict[str, pandas.DataFrame]):
            The tables by the name used in error messages (``'real_data'``, ...); the
            first one is the reference.
    """
    for name, table in tables.items():
        if not isinstance(table, pd.DataFrame):
            raise TypeError(f'{name} must be a pandas.DataFrame, not {type(table).__name__}.')

    for name, table in tables.items():
        if table.empty:
            raise ValueError(f'{name} has no rows; pass a table with rows.')
        # pandas keeps repeated names; selecting one then gives a frame, not a column.
        repeated = sorted(set(table.columns[table.columns.duplicated()].map(str)))
        if repeated:
            raise ValueError(
                f'{name} has more than one column named {repeated}; rename them so that '
                'every column name is unique.'
            )

    names = list(tables)
    reference_name = names[0]
    reference = list(tables[reference_name].columns)
    for name in names[1:]:
        columns = list(tables[name].columns)
        missing = [column for column in reference if column not in set(columns)]
        extra = [column for column in columns if column not in set(reference)]
        problems = _mismatch([
            (missing, lambda columns: f'{name} lacks the columns {columns} of {reference_name}'),
            (extra, lambda columns: f'{name} has columns that {reference_name} lacks: {columns}'),
        ])
        if problems:
            raise ValueError(
                f'{name} must have the columns of {reference_name}: {problems}. '
                f'Select the same columns in every table, e.g. '
                f'{name}[{reference_name}.columns], or add the missing ones.'
            )


def parse_datetimes(tables, metadata):
    """Return the tables with their metadata ``datetime`` columns as datetimes.

    Synthetic tables often hold datetimes as text (a CSV round trip, SDV's
    ``datetime_format``); the classifiers turn datetimes into seconds, and a value that
    does not parse would silently become missing. Text is parsed with the metadata's
    ``datetime_format`` when it has one; a value that does not parse raises, naming the
    table, the column and the value.

    Args:
        tables (dict[str, pandas.DataFrame]):
            The tables by name (not modified).
        metadata (dict or None):
            Single-table metadata.
    """
    columns = {
        column: meta
        for column, meta in ((metadata or {}).get('columns') or {}).items()
        if meta.get('sdtype') == 'datetime'
    }
    parsed_tables = {}
    for name, table in tables.items():
        parsed = {}
        for column, meta in columns.items():
            values = table.get(column)
            if values is None or pd.api.types.is_datetime64_any_dtype(values):
                continue
            if pd.api.types.is_numeric_dtype(values):
                continue  # numbers are already a time scale (e.g. seconds): kept as they are

            datetime_format = meta.get('datetime_format')
            converted = _to_datetime(values, datetime_format)
            if datetime_format is None and (values.notna() & converted.isna()).any():
                # pandas infers one format from the first value; parse value by value.
                converted = _to_datetime(values, 'mixed')
            failed = values[values.notna() & converted.isna()]
            if len(failed):
                expected = (
                    f"the metadata's datetime_format {datetime_format!r}"
                    if datetime_format else 'a datetime (the metadata gives no datetime_format)'
                )
                raise ValueError(
                    f'{name}[{column!r}] has {len(failed)} values that are not {expected}, '
                    f'e.g. {shorten(list(pd.unique(failed)), limit=3)}. Convert the column '
                    f'in {name} (pd.to_datetime) or set its datetime_format in the metadata.'
                )
            parsed[column] = converted
        parsed_tables[name] = table.assign(**parsed) if parsed else table

    return parsed_tables


def _to_datetime(values, datetime_format):
    with warnings.catch_warnings():
        # pandas warns when it has to guess the format; failures are reported by the caller.
        warnings.simplefilter('ignore', UserWarning)
        return pd.to_datetime(values, format=datetime_format, errors='coerce')


def _mismatch(sides):
    """Join the problems of ``sides``, ``(columns, describe)`` pairs, for the non-empty ones.

    ``describe(columns)`` renders one problem; returns '' when every side is empty.
    """
    return '; '.join(describe(columns) for columns, describe in sides if columns)
