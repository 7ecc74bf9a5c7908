"""How a sensitive group is named, the same in the synthesizers' diagnostics and in the
fairness metrics. Kept apart from both: the metrics never import SDV, the synthesizers never
import the metrics (each is loaded by its own entry point)."""

import numpy as np
import pandas as pd

#: Name of the group of rows whose sensitive value is missing: a group of its own.
MISSING_GROUP = '(missing)'

#: Separator of the values of an intersectional group, e.g. ``'Female, Black'``.
GROUP_SEPARATOR = ', '


def value_text(value):
    """Render a group value so that 1, 1.0 and '1' of different tables are one group.

    Synthesizers often return an integer column as floats (or as text after a CSV round
    trip); rendering integral floats without the '.0' keeps the groups comparable.
    """
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def group_name(values):
    """The name of the group with these sensitive ``values`` (one per sensitive column)."""
    return GROUP_SEPARATOR.join(
        MISSING_GROUP if pd.isna(value) else value_text(value) for value in values
    )


def shown(value):
    """A sensitive value as a message shows it: Python's repr of the plain value (``1``,
    ``'1'``, ``True``), "a missing value" for a missing one."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return 'a missing value'
    return repr(value.item() if isinstance(value, np.generic) else value)


def shown_list(values):
    """Values as a message lists them: ``[0, 1]``, ``['no', 'yes']`` (``shown``, sorted)."""
    return '[' + ', '.join(sorted(map(shown, values))) + ']'


def group_name_problem(table, sensitive_columns):
    """What makes two distinct sensitive groups of ``table`` one name (``group_name``), as
    a message with the fix, or None: values of a column that print alike (``1`` and ``'1'``;
    the text ``'(missing)'`` and a missing value), or, with several columns, values holding
    the separator of a joint group's name. Reports would silently merge such groups."""
    for column in sensitive_columns:
        present = table[column].dropna().drop_duplicates().tolist()
        missing = [None] if table[column].isna().any() else []  # None, NaN, NaT: one group
        values = pd.Series(present + missing, dtype=object)
        names = values.map(lambda value: group_name([value]))
        clashes = names[names.duplicated(keep=False)].unique()
        if len(clashes):
            alike = sorted(' and '.join(map(shown, values[names == name])) for name in clashes)
            return (
                f"Sensitive column '{column}' has distinct values that the fairness reports "
                f"would name alike: {'; '.join(alike)}. Map each set to one value (e.g. "
                f"data['{column}'] = data['{column}'].astype(str)) or rename one of them."
            )
    if len(sensitive_columns) > 1:
        sensitive = table[sensitive_columns].astype(object)
        combinations = sensitive.where(sensitive.notna(), None).drop_duplicates()
        names = pd.Series([group_name(row) for row in combinations.itertuples(index=False)])
        if names.duplicated().any():
            return (
                f'The joint groups of {sensitive_columns} are named by their values joined '
                f'with {GROUP_SEPARATOR!r}, and values holding it make two groups one name '
                f'({names[names.duplicated()].iloc[0]!r}). Replace {GROUP_SEPARATOR!r} in the '
                'values of those columns.'
            )
    return None
