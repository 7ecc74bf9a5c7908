"""Which groups a fairness criterion can compare: the group-size checks and their messages
(each names the groups, their counts and the fix). Definitions: docs/fairness_metrics.md."""

import warnings

import numpy as np
import pandas as pd

from sdv_fairdistill.metrics._criteria import (
    _CRITERION_NAMES,
    DEMOGRAPHIC_PARITY,
    EQUAL_OPPORTUNITY,
)
from sdv_fairdistill.metrics._groups import group_names


def check_min_group_size(min_group_size):
    """Refuse a ``min_group_size`` below 1: every criterion's rates assume that each group it
    compares has a row (of each class the criterion's rates read)."""
    if not (isinstance(min_group_size, (int, np.integer)) and not isinstance(min_group_size, bool)
            and min_group_size >= 1):
        raise ValueError(f'min_group_size must be a positive integer, not {min_group_size!r}.')


def check_groups(
    y_true,
    sensitive,
    *,
    criterion,
    min_group_size,
    strict,
    table_name,
    expected_groups=(),
):
    """Return the rows of the groups on which ``criterion`` can be computed.

    Demographic parity needs ``min_group_size`` rows per group; equalized odds needs
    ``min_group_size`` positive and as many negative rows per group to estimate its TPR and
    FPR; equal opportunity, ``min_group_size`` positive rows (its TPR). An invalid group raises a ValueError naming it when ``strict`` (worst-case
    differences, which would be understated without it); otherwise it is skipped with a
    warning that names it.

    Args:
        y_true (numpy.ndarray):
            0/1 true labels of the table the rates are computed on.
        sensitive (pandas.DataFrame):
            Its sensitive columns as text.
        criterion (str):
            ``'demographic_parity'`` or ``'equalized_odds'``.
        min_group_size (int):
            The minimum count described above.
        strict (bool):
            Raise rather than skip.
        table_name (str):
            Name of the table for messages.
        expected_groups (iterable):
            Groups that must be present although this table may lack them (the groups of
            the real data when checking a synthetic table): they count as 0 rows.

    Returns:
        tuple[numpy.ndarray, list]:
            Boolean row mask of the kept groups and the names of the skipped groups.
    """
    groups = group_names(sensitive)
    counts = pd.DataFrame({'group': groups.to_numpy(), 'positive': y_true})
    counts = counts.groupby('group')['positive'].agg(rows='size', positive='sum')
    counts = counts.reindex(counts.index.union(pd.Index(list(expected_groups))), fill_value=0)
    counts['negative'] = counts['rows'] - counts['positive']

    if criterion == DEMOGRAPHIC_PARITY:
        invalid = counts[counts['rows'] < min_group_size]
        need = f'at least {_rows(min_group_size)}'
    elif criterion == EQUAL_OPPORTUNITY:
        invalid = counts[counts['positive'] < min_group_size]
        need = f'at least {_rows(min_group_size)} with the positive label to estimate its TPR'
    else:
        invalid = counts[(counts['positive'] < min_group_size)
                         | (counts['negative'] < min_group_size)]
        need = (
            f'at least {_rows(min_group_size)} with the positive label and {min_group_size} '
            'without it to estimate its TPR and FPR'
        )

    columns = ' x '.join(sensitive.columns)
    described = _describe_groups(invalid)
    criterion_name = _CRITERION_NAMES[criterion]
    kept = counts.index.difference(invalid.index)
    # Skipping the small groups (the ratio and mean forms) helps only where two groups stay.
    fix = _group_fix(table_name, counts, min_group_size, criterion, invalid,
                     skipping_helps=len(kept) >= 2)
    if len(invalid) and strict:
        raise ValueError(
            f'In {table_name}, too few rows in the group(s) of {columns}: {described}. '
            f'{criterion_name.capitalize()} needs {need} per group. {fix}'
        )

    if len(kept) < 2:
        raise ValueError(
            f'In {table_name}, {criterion_name} needs two groups of {columns} with {need}; '
            f'found {list(kept)}' + (f' ({described})' if described else '') + f'. {fix}'
        )

    if len(invalid):
        warnings.warn(
            f'Skipped from {criterion_name} in {table_name} (each group needs {need}): '
            f'{described}. Computed over the groups {list(kept)}.',
            stacklevel=2,
        )

    return groups.isin(kept).to_numpy(), list(invalid.index)


def _describe_groups(invalid, limit=10):
    """The first ``limit`` too-small groups with their counts, for a message."""
    described = '; '.join(
        f'{group!r} has {row.rows} rows ({row.positive} positive, {row.negative} negative)'
        for group, row in invalid.head(limit).iterrows()
    )
    if len(invalid) > limit:
        described += f'; ... ({len(invalid) - limit} more groups)'
    return described


def _rows(count):
    return f'{count} row' if count == 1 else f'{count} rows'


def _group_fix(table_name, counts, min_group_size, criterion, invalid, skipping_helps=True):
    """What to do about too-small groups, which depends on the table they are in (and,
    at ``min_group_size`` 1, on the criterion: a group without a class stays without it).
    A group with no row at all is not helped by a lower ``min_group_size``; the forms that
    skip small groups are named only where ``skipping_helps`` (two groups stay)."""
    skip = (" The ratio and agg='mean' forms skip such groups with a warning."
            if skipping_helps else '')
    empty = bool((invalid['rows'] == 0).any())
    lower = ' or lower min_group_size' if min_group_size > 1 and not empty else ''
    if not lower and not empty and criterion != DEMOGRAPHIC_PARITY:
        lower = (' or compare selection rates (demographic parity), which need no row of '
                 'either label')
    if (counts['rows'] > 0).sum() < 2 and table_name not in ('real_data', 'synthetic_data'):
        # Validation rows: the table lacks rows of the groups, not the column its values.
        return (f'{table_name} has rows of a single group: a gap needs two; give it rows of '
                'every group.')
    if len(counts) < 2:
        return (
            f'{table_name} has a single group: choose sensitive columns with at least two '
            'values.'
        )
    if len(counts) > 20:
        # Typically a numerical or free-text column used as sensitive attribute.
        return (
            f'The sensitive columns have {len(counts)} groups: bin a numerical column into a '
            'few groups first (e.g. pd.cut) in every table, or merge rare values.'
        )
    if table_name == 'synthetic_data':
        # The real data have enough rows of every group (checked separately); the
        # synthesizer produced too few of them.
        return (
            'Sample more synthetic rows, or condition the sampling on the sensitive columns '
            f'so that every group of real_data is present{lower}.{skip}'
        )
    return f'Merge rare values, use fewer sensitive columns{lower}.{skip}'
