"""Rendering of values, shared by the input checks: for messages (``show``, ``shorten``)
and for comparing values across tables (``value_text``)."""

import numpy as np


def value_text(value):
    """Render a group value so that 1, 1.0 and '1' of different tables are one group.

    Synthesizers often return an integer column as floats (or as text after a CSV round
    trip); rendering integral floats without the '.0' keeps the groups comparable.
    """
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


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
