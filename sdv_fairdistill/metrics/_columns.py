"""Column and label checks: the target and sensitive columns, the positive label, the
0/1 labels, and the hold-out split of the real data by label and group."""

import warnings

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from sdv_fairdistill.group_names import value_text
from sdv_fairdistill.metrics._values import show, shorten

#: More distinct values than this make a numeric target a number, not class labels (a 0/1
#: flag, a 1-5 score): the regression metrics and the report's number path measure it.
NUMBER_VALUES = 10


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
    repeated = sorted({str(c) for c in columns if columns.count(c) > 1})
    if repeated:
        raise ValueError(f'sensitive_columns names {repeated} more than once: name each '
                         'column once.')

    return columns


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
                        f'columns: {shorten(list(table.columns), limit=30)}.'
                    )


#: A sensitive column of at most this many dates is taken as groups (the synthesizer's
#: ``MAX_SENSITIVE_LEVELS``).
MAX_DATE_GROUPS = 20


def check_not_datetime(tables, columns_by_role):
    """Refuse datetime target and sensitive columns, which need to be turned into groups.

    Every timestamp would be a group of its own (or a class of the target), which the
    group-size checks would then report one by one. A sensitive column of a few dates
    (cohorts) is groups already.
    """
    for role, columns in columns_by_role.items():
        for column in columns:
            for name, table in tables.items():
                if not pd.api.types.is_datetime64_any_dtype(table[column]):
                    continue
                # A few dates (cohorts) are groups, as the synthesizer takes them.
                if role == 'sensitive_columns' and table[column].nunique() <= MAX_DATE_GROUPS:
                    continue
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
            if pd.api.types.is_numeric_dtype(column) and len(values) > NUMBER_VALUES:
                fix += (
                    f', or add a binary column such as {target} > threshold as the target, or '
                    'measure the number itself with the regression metrics (MeanDifference, '
                    'TSTRMeanDifference)'
                )
        raise ValueError(
            f'The target column {target!r} has {len(values)} distinct values in {name} '
            f'({shorten(values)}); {fix}.'
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
                f'{shorten(unexpected)} ({name} has only {shorten(list(labels))}). Map them '
                f'to those values in {other}, or pass positive_label= to count every other '
                'value as negative.'
            )


def check_prediction_column(tables, prediction, target):
    """Check that a decision column holds the target's labels, none missing: a ``True`` /
    ``False`` or a score beside a text label would otherwise count as negative everywhere,
    and every rate would read 0 (perfectly fair)."""
    # Every table's classes (one-vs-rest lets the others hold more), compared as
    # binary_labels compares them: '1' is not 1.
    labels = list(pd.unique(pd.concat([table[target] for table in tables.values()]).dropna()))
    for other, table in tables.items():
        values = table[prediction]
        if values.isna().any():
            raise ValueError(
                f'{other}[{prediction!r}] has {int(values.isna().sum())} missing decisions: '
                'drop those rows or fill them with a label of the target.'
            )
        unexpected = list(pd.unique(values[~values.isin(labels)]))
        if unexpected:
            raise ValueError(
                f'{other}[{prediction!r}] holds decisions that are not labels of '
                f'{target!r}: {shorten(unexpected)} (its labels: '
                f'{shorten(labels)}). The prediction column holds the predicted '
                f'label: map the decisions to those labels, e.g. with table[{prediction!r}]'
                '.map({...}).'
            )


def _label_key(value):
    """A label as text, booleans as 0 / 1: ``True == 1`` when the labels are compared."""
    if isinstance(value, (bool, np.bool_)):
        value = int(value)
    return value_text(value)


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
            f'The positive label {show(positive_label)} does not occur in {name}[{target!r}] '
            f'(its values: {shorten(values)}).'
        )
        if name == reference:
            same_text = [
                value for value in values if value_text(value) == value_text(positive_label)
            ]
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


def warn_validation_from_real_data(validation_size):
    """Say that the classifiers are tested on rows of ``real_data`` (no validation table).

    ``real_data`` is usually the table the synthesizer learned from: a synthetic table that
    is close to its rows (or a label classifier that memorised their labels) then scores
    better on this part than on new rows, so the synthetic-trained scores are optimistic.
    """
    warnings.warn(
        f'No real_validation_data: the downstream models are tested on the held-out '
        f'{validation_size:.0%} of real_data. If the synthesizer learned from real_data, it '
        'has seen those rows and the synthetic-trained scores come out higher than on new '
        'rows (a generator that copies its training rows scores as well as the real table). '
        "Pass real_validation_data: real rows kept out of the synthesizer's fit.",
        stacklevel=4,
    )


def warn_validation_overlap(real, validation):
    """Warn when most rows of ``validation`` are rows of ``real`` (the same table passed
    twice, or a hold-out drawn without removing it): the real-trained model is then tested
    on rows it learned from (on COMPAS its AUROC read 0.97 instead of 0.64). A table's own
    repeated rows set the bar, since a table of few distinct rows shares them by chance."""
    columns = [column for column in real.columns if column in validation.columns]
    hashes = pd.util.hash_pandas_object(real[columns], index=False)
    shared = pd.util.hash_pandas_object(validation[columns], index=False).isin(set(hashes))
    repeated = 1 - hashes.nunique() / max(len(hashes), 1)
    if len(shared) and shared.mean() > max(0.5, 2 * repeated):
        warnings.warn(
            f'{int(shared.sum()):,} of the {len(shared):,} rows of real_validation_data are '
            'rows of real_data: the real-trained model is tested on rows it learned from, and '
            'scores higher than on new rows. Pass real rows kept out of real_data (and out '
            "of the synthesizer's fit)."
        )


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
