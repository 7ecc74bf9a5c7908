"""Input handling shared by the fairness metrics and the ``FairnessReport``.

Everything here is plain pandas / scikit-learn: this package is loaded by SDMetrics'
add-on mechanism from inside ``sdmetrics/__init__.py`` and must never import SDV or torch
itself.
"""

import warnings

import pandas as pd
from sklearn.model_selection import train_test_split

#: Label of the group of rows whose sensitive value is missing.
MISSING_GROUP = '(missing)'

#: Separator of the values of an intersectional group, e.g. ``'Female, Black'``.
GROUP_SEPARATOR = ', '


def single_table_metadata(metadata, table_name=None):
    """Return the metadata of one table as an SDMetrics single-table dict, or None.

    Args:
        metadata (dict, sdv.metadata.Metadata or None):
            SDV ``Metadata`` (anything with ``to_dict()``), a dict with the tables under
            ``'tables'``, or SDMetrics' single-table dict ``{'columns': {...}}``.
        table_name (str or None):
            Which table to use when ``metadata`` describes several.

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
            f'metadata must be an SDV Metadata object or a dict, not {type(metadata).__name__}.'
        )

    if 'tables' in metadata:
        tables = metadata['tables']
        if table_name is None:
            if len(tables) != 1:
                raise ValueError(
                    f'The metadata describes {len(tables)} tables ({sorted(tables)}); '
                    "choose one: table_name= in the metrics, metadata['tables'][name] "
                    'for the report.'
                )
            table_name = next(iter(tables))
        elif table_name not in tables:
            raise ValueError(f'Unknown table {table_name!r}; the metadata has {sorted(tables)}.')
        metadata = tables[table_name]

    if 'columns' not in metadata:
        raise ValueError("The table metadata must have a 'columns' key mapping column names.")

    return metadata


def as_column_list(sensitive_columns):
    """Return the sensitive columns as a non-empty list (a single name is allowed)."""
    if isinstance(sensitive_columns, str):
        return [sensitive_columns]

    columns = list(sensitive_columns or [])
    if not columns:
        raise ValueError('sensitive_columns must name at least one column.')

    return columns


def check_tables(tables):
    """Check that every table is a DataFrame and that all have the same columns.

    Args:
        tables (dict[str, pandas.DataFrame]):
            The tables by the name used in error messages (``'real_data'``, ...).
    """
    for name, table in tables.items():
        if not isinstance(table, pd.DataFrame):
            raise TypeError(f'{name} must be a pandas.DataFrame, not {type(table).__name__}.')

    names = list(tables)
    reference = set(tables[names[0]].columns)
    for name in names[1:]:
        columns = set(tables[name].columns)
        if columns != reference:
            raise ValueError(
                f'{names[0]} and {name} must have the same columns. '
                f'Only in {names[0]}: {sorted(reference - columns, key=str)}; '
                f'only in {name}: {sorted(columns - reference, key=str)}. '
                'Select the same columns in every table.'
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
                        f'The {role} {column!r} is not a column of {name}. '
                        f'Its columns are: {list(table.columns)}.'
                    )


def resolve_positive_label(target, positive_label, column):
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
    """
    if positive_label is not None:
        return positive_label

    values = list(pd.unique(column.dropna()))
    if len(values) != 2:
        raise ValueError(
            f'The target column {target!r} has {len(values)} distinct values '
            f'({_shorten(values)}); pass positive_label= to choose the positive class '
            '(every other value then counts as negative).'
        )

    try:
        return sorted(values)[-1]
    except TypeError:  # mixed types: sort by their text
        return sorted(values, key=str)[-1]


def check_positive_label_occurs(tables, target, positive_label):
    """Raise a ValueError naming the table where the positive label never occurs."""
    for name, table in tables.items():
        if not (table[target] == positive_label).any():
            values = list(pd.unique(table[target].dropna()))
            raise ValueError(
                f'The positive_label {positive_label!r} does not occur in '
                f"{name}[{target!r}] (its values: {_shorten(values)}). "
                'Pass one of the values of the real data as positive_label.'
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


def sensitive_frame(table, sensitive_columns):
    """Return the sensitive columns as text, missing values as the group ``'(missing)'``.

    Text makes the groups of different tables comparable (an integer column read back as
    float still gives the same groups only if both are rendered alike) and lets a missing
    value be a group of its own instead of silently dropping its rows.
    """
    frame = table[sensitive_columns].astype('object')
    frame = frame.where(frame.notna(), MISSING_GROUP).astype(str)
    return frame.reset_index(drop=True)


def group_names(frame):
    """Return one group name per row: the value, or the joined values when intersectional."""
    if frame.shape[1] == 1:
        return frame.iloc[:, 0]

    return frame.agg(GROUP_SEPARATOR.join, axis=1)


def holdout_split(table, labels, groups, validation_size, random_state):
    """Split the real data into a training part and a validation part, reproducibly.

    The split is stratified by label and sensitive group, so that every group keeps its
    positive rate in both parts; when some label-group cell has fewer than two rows it
    falls back to stratifying by label alone.

    Returns:
        tuple[pandas.DataFrame, pandas.DataFrame]:
            The training and the validation part.
    """
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


def _shorten(values, limit=10):
    """Render at most ``limit`` values for an error message."""
    shown = ', '.join(repr(value) for value in values[:limit])
    if len(values) > limit:
        shown += f', ... ({len(values) - limit} more)'

    return shown

