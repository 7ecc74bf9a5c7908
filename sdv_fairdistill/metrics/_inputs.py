"""Input handling shared by the fairness metrics and the ``FairnessReport``.

Everything here is plain pandas / scikit-learn: this package is loaded by SDMetrics'
add-on mechanism from inside ``sdmetrics/__init__.py`` and must never import SDV or torch
itself.
"""

import warnings

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

#: Label of the group of rows whose sensitive value is missing.
MISSING_GROUP = '(missing)'

#: Separator of the values of an intersectional group, e.g. ``'Female, Black'``.
GROUP_SEPARATOR = ', '


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
                f'{argument} holds {len(names)} tables ({_shorten(names)}); fairness is '
                f'measured on one table: pass one of them, e.g. {argument}[{names[0]!r}] '
                '(the metrics also take table_name=).'
            )
        if table_name not in data:
            raise ValueError(
                f'{argument} has no table {table_name!r}; its tables are {_shorten(names)}.'
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
                    f'The metadata describes {len(names)} tables ({_shorten(names)}); '
                    "pass the metadata of one table (metadata['tables'][name] or "
                    'Metadata.get_table_metadata(name).to_dict()), give the data as '
                    '{name: DataFrame}, or table_name= to the metrics.'
                )
            table_name = names[0]
        elif table_name not in tables:
            if len(names) != 1:
                raise ValueError(
                    f'The metadata has no table {table_name!r} (the name of the data); '
                    f'its tables are {_shorten(names)}. Pass the metadata of that table.'
                )
            # One table described and one table given: the names are only labels.
            table_name = names[0]
        metadata = tables[table_name]

    if not isinstance(metadata.get('columns'), dict):
        raise ValueError(
            "The table metadata must have a 'columns' key mapping each column name to its "
            "{'sdtype': ...}; got the keys " f'{_shorten(list(metadata))}.'
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
    if only_metadata or only_table:
        problems = []
        if only_metadata:
            problems.append(f'the metadata describes columns that {name} lacks: {only_metadata}')
        if only_table:
            problems.append(f'{name} has columns the metadata does not describe: {only_table}')
        raise ValueError(
            f'The metadata does not match {name}: {"; ".join(problems)}. Add or remove '
            'them in the metadata (or select the described columns of the tables).'
        )


def check_column_name(column, role):
    """Check that ``column`` names one column (a common slip: ``target_column=['y']``)."""
    if isinstance(column, (list, tuple, set, dict, pd.Index, pd.Series)):
        raise TypeError(f'{role} must be the name of one column, not {type(column).__name__}.')


def as_column_list(sensitive_columns):
    """Return the sensitive columns as a non-empty list (a single name is allowed)."""
    if isinstance(sensitive_columns, str):
        return [sensitive_columns]

    columns = list(sensitive_columns or [])
    if not columns:
        raise ValueError('sensitive_columns must name at least one column.')

    return columns


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

    names = list(tables)
    reference_name = names[0]
    reference = list(tables[reference_name].columns)
    for name in names[1:]:
        columns = list(tables[name].columns)
        missing = [column for column in reference if column not in set(columns)]
        extra = [column for column in columns if column not in set(reference)]
        if missing or extra:
            problems = []
            if missing:
                problems.append(f'{name} lacks the columns {missing} of {reference_name}')
            if extra:
                problems.append(f'{name} has columns that {reference_name} lacks: {extra}')
            raise ValueError(
                f'{name} must have the columns of {reference_name}: {"; ".join(problems)}. '
                f'Select the same columns in every table, e.g. '
                f'{name}[{reference_name}.columns], or add the missing ones.'
            )


def check_columns_exist(tables, columns_by_role):
    """Check that the target, sensitive (and prediction) columns are in every table.

    Args:
        tables (dict[str, pandas.DataFrame]):
            The tables by name.
        columns_by_role (dict[str, list]):
            E.g. ``{'target_column': ['income'], 'sensitive_columns': ['sex']}``.
    """
    for role, columns in columns_by_role.items():
        for column in columns:
            for name, table in tables.items():
                if column not in table.columns:
                    raise ValueError(
                        f'The {role} {column!r} is not a column of {name}; pass one of its '
                        f'columns: {_shorten(list(table.columns), limit=30)}.'
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
                    f'e.g. {_shorten(list(pd.unique(failed)), limit=3)}. Convert the column '
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


def check_not_datetime(tables, columns_by_role):
    """Refuse datetime target and sensitive columns, which need to be turned into groups.

    Every timestamp would be a group of its own (or a class of the target), which the
    group-size checks would then report one by one.
    """
    for role, columns in columns_by_role.items():
        for column in columns:
            for name, table in tables.items():
                if pd.api.types.is_datetime64_any_dtype(table[column]):
                    raise ValueError(
                        f'The {role} {column!r} of {name} holds datetimes; fairness needs a '
                        'few groups (or two classes): derive one first, e.g. '
                        f'table[{column!r}].dt.year or pd.cut(...), in every table.'
                    )


def resolve_positive_label(target, positive_label, column, name='real_data'):
    """Return the positive label of a binary target.

    When ``positive_label`` is None the target must have exactly two values; the positive
    label is then the larger of them in sorted order, which is scikit-learn's convention
    (``True`` for booleans, ``1`` for 0/1, ``'>50K'`` for Adult's ``'<=50K'``/``'>50K'``).

    Args:
        target (str):
            Name of the target column (for messages).
        positive_label (object or None):
            The label given by the user.
        column (pandas.Series):
            The target column of the real data, which defines the task.
        name (str):
            Name of the table of ``column``.
    """
    if positive_label is not None:
        return positive_label

    values = list(pd.unique(column.dropna()))
    if len(values) != 2:
        if len(values) < 2:
            fix = (
                'a fairness measure needs a positive and a negative class: choose a target '
                'with two values'
            )
        else:
            fix = (
                'pass positive_label= to choose the positive class (every other value then '
                'counts as negative)'
            )
            if pd.api.types.is_numeric_dtype(column) and len(values) > 10:
                fix += f', or add a binary column such as {target} > threshold as the target'
        raise ValueError(
            f'The target column {target!r} has {len(values)} distinct values in {name} '
            f'({_shorten(values)}); {fix}.'
        )

    try:
        label = sorted(values)[-1]
    except TypeError:  # mixed types: sort by their text
        label = sorted(values, key=str)[-1]

    # A Python value rather than a numpy scalar: the same comparisons, readable messages.
    return label.item() if isinstance(label, np.generic) else label


def check_binary_target(tables, target, labels, name='real_data'):
    """Check that no table has target values outside the two ``labels`` of ``name``.

    Only for a target whose positive label was inferred from its two values: an explicit
    ``positive_label`` makes every other value negative (one-vs-rest), as documented.
    """
    allowed = {_label_key(value) for value in labels}
    for other, table in tables.items():
        values = table[target].dropna()
        unexpected = list(pd.unique(values[~values.map(_label_key).isin(allowed)]))
        if unexpected:
            raise ValueError(
                f'{other}[{target!r}] has values that {name}[{target!r}] does not have: '
                f'{_shorten(unexpected)} ({name} has only {_shorten(list(labels))}). Map them '
                f'to those values in {other}, or pass positive_label= to count every other '
                'value as negative.'
            )


def _label_key(value):
    """A label as text, booleans as 0 / 1: ``True == 1`` when the labels are compared."""
    if isinstance(value, (bool, np.bool_)):
        value = int(value)
    return _text(value)


def check_positive_label_occurs(tables, target, positive_label, reference='real_data'):
    """Raise a ValueError naming the table where the positive label never occurs.

    The fix depends on the table: a label missing from the real data is a wrong
    ``positive_label``; one missing from a synthetic or validation table is a problem of
    that table (too few rows, another encoding of the labels).
    """
    for name, table in tables.items():
        if (table[target] == positive_label).any():
            continue

        values = list(pd.unique(table[target].dropna()))
        problem = (
            f'The positive_label {show(positive_label)} does not occur in {name}[{target!r}] '
            f'(its values: {_shorten(values)}).'
        )
        if name == reference:
            same_text = [value for value in values if _text(value) == _text(positive_label)]
            if same_text:
                fix = f'Pass positive_label={show(same_text[0])} (the type of the column).'
            else:
                fix = f'Pass one of the values of {name}[{target!r}] as positive_label.'
        elif name == 'synthetic_data':
            fix = (
                f'The labels are those of {reference}; if synthetic_data encodes them '
                f'differently, convert its {target!r} to {reference}\'s values, otherwise '
                'sample synthetic data that contain the positive class (more rows, or '
                'conditional sampling on the target).'
            )
        elif name == 'real_validation_data':
            fix = 'Pass validation data that contain both classes.'
        else:
            fix = (
                f'{reference} has too few rows with that label to hold some out: pass more '
                'rows, or real_validation_data=.'
            )
        raise ValueError(f'{problem} {fix}')


def check_both_labels(y_true, name, target, positive_label, purpose):
    """Raise a ValueError naming the table and the column when a 0/1 label never occurs."""
    if y_true.min() == y_true.max():
        missing = 'without' if y_true.min() == 1 else 'with'
        raise ValueError(
            f'{name}[{target!r}] has no row {missing} the positive label {show(positive_label)}, '
            f'so {purpose}. Use a table with both classes'
            + (' (sample more synthetic rows, or condition the sampling on the target).'
               if name == 'synthetic_data' else '.')
        )


def drop_missing_target(table, target, name):
    """Return ``table`` without rows whose target is missing, warning how many were dropped."""
    missing = table[target].isna()
    if missing.any():
        warnings.warn(
            f'Dropped {int(missing.sum())} rows of {name} whose {target!r} is missing: '
            'they have no label to evaluate.',
            stacklevel=3,
        )
        return table.loc[~missing]

    return table


def binary_labels(column, positive_label):
    """Return ``column == positive_label`` as a 0/1 integer array (what fairlearn expects)."""
    return (column == positive_label).to_numpy().astype(int)


def _text(value):
    """Render a group value so that 1, 1.0 and '1' of different tables are one group.

    Synthesizers often return an integer column as floats (or as text after a CSV round
    trip); rendering integral floats without the '.0' keeps the groups comparable.
    """
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def sensitive_frame(table, sensitive_columns):
    """Return the sensitive columns as text, missing values as the group ``'(missing)'``.

    Text makes the groups of different tables comparable (an integer column read back as
    float gives the same groups, see ``_text``) and lets a missing value be a group of its
    own instead of silently dropping its rows.
    """
    frame = table[sensitive_columns].astype('object')
    frame = frame.apply(lambda column: column.map(_text)).where(frame.notna(), MISSING_GROUP)
    return frame.reset_index(drop=True)


def check_groups_known(frames, sensitive_columns, reference='real_data'):
    """Check that no table has a sensitive group that ``reference`` does not have.

    The groups of the real data define the fairness measure, so a synthetic group outside
    them (missing values where the real data have none, another spelling, an
    intersectional combination the real data lack) is reported against the table that
    has it, with the column and the value, rather than as a group with 0 rows in the
    real data.

    Args:
        frames (dict[str, pandas.DataFrame]):
            ``sensitive_frame`` of each table by name, including ``reference``.
        sensitive_columns (list[str]):
            The sensitive columns.
    """
    known = frames[reference]
    for name, frame in frames.items():
        if name == reference:
            continue

        for column in sensitive_columns:
            values = frame[column]
            unknown = values[~values.isin(set(known[column]))].value_counts()
            if unknown.empty:
                continue

            described = ', '.join(
                f'{value!r} ({count} rows)' for value, count in unknown.head(10).items()
            )
            if len(unknown) > 10:
                described += f', ... ({len(unknown) - 10} more)'
            if MISSING_GROUP in unknown.index:
                fix = (
                    f'{name}[{column!r}] has missing values where {reference} has none: '
                    f'drop or fill those rows of {name}'
                )
            else:
                fix = (
                    f'map them to the values of {reference}[{column!r}] '
                    f'({_shorten(sorted(set(known[column])))}) or drop those rows of {name}'
                )
            raise ValueError(
                f'{name}[{column!r}] has sensitive values that {reference} does not have: '
                f'{described}; {fix}.'
            )

        if len(sensitive_columns) > 1:
            groups = group_names(frame)
            unknown = groups[~groups.isin(set(group_names(known)))].value_counts()
            if not unknown.empty:
                described = ', '.join(
                    f'{group!r} ({count} rows)' for group, count in unknown.head(10).items()
                )
                raise ValueError(
                    f'{name} has groups of {" x ".join(sensitive_columns)} that {reference} '
                    f'does not have: {described}. Drop those rows of {name}, or use fewer '
                    'sensitive columns.'
                )


def group_names(frame):
    """Return one group name per row: the value, or the joined values when intersectional."""
    if frame.shape[1] == 1:
        return frame.iloc[:, 0]

    return frame.agg(GROUP_SEPARATOR.join, axis=1)


def holdout_split(table, labels, groups, validation_size, random_state, target='the target'):
    """Split the real data into a training part and a validation part, reproducibly.

    The split is stratified by label and sensitive group, so that every group keeps its
    positive rate in both parts; when some label-group cell has fewer than two rows it
    falls back to stratifying by label alone.

    Returns:
        tuple[pandas.DataFrame, pandas.DataFrame]:
            The training and the validation part.
    """
    counts = pd.Series(labels).value_counts().reindex([1, 0], fill_value=0)
    if counts.min() < 2:
        # Stratifying (and validating) needs each class on both sides of the split.
        side = 'with' if counts[1] < 2 else 'without'
        raise ValueError(
            f'real_data[{target!r}] has {counts.min()} row(s) {side} the positive label: too '
            'few to hold some out as validation data (each class needs 2). Pass '
            'real_validation_data=, or more rows.'
        )

    strata = pd.Series(labels, dtype=str).str.cat(groups.to_numpy().astype(str), sep='|')
    if strata.value_counts().min() < 2:
        strata = pd.Series(labels)

    train, validation = train_test_split(
        table,
        test_size=validation_size,
        random_state=random_state,
        stratify=strata.to_numpy(),
    )
    return train, validation


def show(value):
    """``repr`` of a value for a message, numpy scalars as the Python value (1, not
    np.int64(1))."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def _shorten(values, limit=10):
    """Render at most ``limit`` values for an error message."""
    shown = ', '.join(show(value) for value in values[:limit])
    if len(values) > limit:
        shown += f', ... ({len(values) - limit} more)'

    return shown

