"""How a sensitive group is named, the same in the synthesizers' diagnostics and in the
fairness metrics. Kept apart from both: the metrics never import SDV, the synthesizers never
import the metrics (each is loaded by its own entry point)."""

import pandas as pd

#: Name of the group of rows whose sensitive value is missing: a group of its own.
MISSING_GROUP = '(missing)'

#: Separator of the values of an intersectional group, e.g. ``'Female, Black'``.
GROUP_SEPARATOR = ', '


def group_name(values):
    """The name of the group with these sensitive ``values`` (one per sensitive column)."""
    return GROUP_SEPARATOR.join(MISSING_GROUP if pd.isna(value) else str(value) for value in values)
