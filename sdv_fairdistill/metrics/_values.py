"""Rendering of values for the input checks' messages (``show``, ``shorten``); a group value
for comparing tables is rendered by ``group_names.value_text``."""

import numpy as np


def show(value):
    """``repr`` of a value for a message, numpy scalars as the Python value (1, not
    np.int64(1))."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def shorten(values, limit=10):
    """Render at most ``limit`` values for an error message."""
    shown = ', '.join(show(value) for value in values[:limit])
    if len(values) > limit:
        shown += f', ... ({len(values) - limit} more)'

    return shown
