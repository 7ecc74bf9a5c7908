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
