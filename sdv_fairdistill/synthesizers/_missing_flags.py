"""SDV's missing-value flags: the ``<column>.is_null`` columns a transformer adds with
``missing_value_generation='from_column'``, found from the transformers themselves."""


def filled_flags(columns, field_transformers):
    """``{column: its <column>.is_null}`` for each of ``columns`` whose missing values SDV
    filled in and flagged (what ``TableEncoder(filled_flags=...)`` takes), both under the
    names of SDV's processed columns."""
    flags = _flag_columns(field_transformers)
    return {flags[column]: column for column in columns if column in flags}


def is_null_indicator(column, field_transformers):
    """Whether ``column`` is the ``<column>.is_null`` a transformer adds with
    ``missing_value_generation='from_column'``."""
    return column in _flag_columns(field_transformers)


def _flag_columns(field_transformers):
    """``{flag column: value column}`` of every transformer that adds a ``.is_null`` column,
    read from the transformer's own output columns: where the table already has a column of
    that name, RDT renames the pair (``income#``, ``income#.is_null``), and splitting the
    name then found no transformer (the flag was learnt as a number, and the missing share
    drifted: 0.14 against 0.17)."""
    flags = {}
    for column, transformer in field_transformers.items():
        if getattr(transformer, 'missing_value_generation', None) != 'from_column':
            continue
        outputs = list(getattr(transformer, 'output_columns', None) or [])
        if not outputs:  # not fitted yet: the names it will take
            outputs = [column, f'{column}.is_null']
        value, flag = outputs[0], next((o for o in outputs[1:] if o.endswith('.is_null')), None)
        if flag is not None:
            flags[flag] = value
    return flags
