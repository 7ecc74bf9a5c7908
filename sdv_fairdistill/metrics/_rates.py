"""Group rates and fairlearn's fairness measures: the numbers behind every metric and report.

A *difference* is the largest minus the smallest group rate, a *ratio* the smallest over
the largest (fairlearn's defaults, ``method='between_groups'``); equalized odds compares
two rates, TPR and FPR, kept by ``agg='worst_case'`` (the worse one) or ``agg='mean'``.
Definitions and the small-group rules: docs/fairness_metrics.md.
"""

import warnings

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    count,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)

from sdv_fairdistill.metrics._groups import group_names

DEMOGRAPHIC_PARITY = 'demographic_parity'
EQUALIZED_ODDS = 'equalized_odds'
EQUAL_OPPORTUNITY = 'equal_opportunity'
DIFFERENCE = 'difference'
RATIO = 'ratio'
_CRITERION_NAMES = {
    DEMOGRAPHIC_PARITY: 'demographic parity',
    EQUALIZED_ODDS: 'equalized odds',
    EQUAL_OPPORTUNITY: 'equal opportunity',
}


def positive_rate(y_true, y_pred):
    """Share of rows whose true label is positive (the base rate of a group)."""
    return selection_rate(y_true, y_true, pos_label=1)


def defined_true_positive_rate(y_true, y_pred):
    """fairlearn's TPR, NaN (not 0) for a group without positive rows."""
    if not np.any(np.asarray(y_true) == 1):
        return np.nan
    return true_positive_rate(y_true, y_pred, pos_label=1)


def defined_false_positive_rate(y_true, y_pred):
    """fairlearn's FPR, NaN (not 0) for a group without negative rows."""
    if not np.any(np.asarray(y_true) == 0):
        return np.nan
    return false_positive_rate(y_true, y_pred, pos_label=1)


#: The per-group rates ``group_rates`` can compute, and the fairlearn function of each.
RATES = {
    'Size': count,
    'Positive Rate': positive_rate,
    'Selection Rate': selection_rate,
    'TPR': defined_true_positive_rate,
    'FPR': defined_false_positive_rate,
}
# The rates a criterion compares between groups.
_CRITERION_RATES = {
    DEMOGRAPHIC_PARITY: ('Selection Rate',),
    EQUALIZED_ODDS: ('TPR', 'FPR'),
    EQUAL_OPPORTUNITY: ('TPR',),
}


def rate_frame(y_true, y_pred, sensitive, rates=tuple(RATES)):
    """fairlearn's ``MetricFrame`` of the per-group ``rates`` (names of ``RATES``).

    Every number of the engine comes from such a frame: its ``by_group`` gives the rates
    (``group_rates``) and its ``difference()`` / ``ratio()`` the criteria's values
    (``criterion_value``), so the rows go through fairlearn once per table, not once more for
    every value (fairlearn's ``demographic_parity_difference`` and its siblings each build a
    frame of their own: on 200,000 rows about 0.4 s a rate).
    """
    return MetricFrame(
        metrics={name: RATES[name] for name in rates},
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=sensitive,
    )


def group_rates(y_true, y_pred, sensitive, rates=tuple(RATES), frame=None):
    """Per-group rates via fairlearn's MetricFrame.

    Args:
        y_true, y_pred (numpy.ndarray):
            0/1 true labels and predictions (the labels themselves at data level).
        sensitive (pandas.DataFrame):
            The sensitive columns as text, one row per label.
        rates (tuple[str]):
            Which of ``Size``, ``Positive Rate`` (of the true labels), ``Selection Rate``
            (of the predictions), ``TPR`` and ``FPR`` to compute. Each costs a pass of
            fairlearn over the rows, so callers ask only for what they show.
        frame (fairlearn.metrics.MetricFrame or None):
            A ``rate_frame`` of the same rows with at least these rates, if already built.

    Returns:
        pandas.DataFrame:
            One row per group: a ``Group`` name, the sensitive columns and the rates.
    """
    if frame is None:
        frame = rate_frame(y_true, y_pred, sensitive, rates)
    by_group = frame.by_group[list(rates)].reset_index()
    columns = list(sensitive.columns)
    # With several columns, fairlearn lays out every combination of their values; one that
    # no row has (say, no 'M' with 'y') gets NaN rates and is not a group.
    present = pd.MultiIndex.from_frame(sensitive.drop_duplicates())
    by_group = by_group[pd.MultiIndex.from_frame(by_group[columns]).isin(present)]
    by_group = by_group.reset_index(drop=True)
    by_group.insert(0, 'Group', group_names(by_group[columns]))
    if 'Size' in by_group:
        by_group['Size'] = by_group['Size'].astype(int)

    return by_group


def criterion_value(frame, criterion, form, agg='worst_case'):
    """fairlearn's demographic parity / equalized odds / equal opportunity difference or
    ratio, read from a ``rate_frame`` holding the criterion's rates.

    The definitions of ``fairlearn.metrics.demographic_parity_difference`` and its siblings
    (``method='between_groups'``): the frame's ``difference()`` or ``ratio()`` of the
    selection rate, of the TPR, or of TPR and FPR, the worse of the two (``max`` of the
    differences, ``min`` of the ratios) or their mean for equalized odds. The frame's TPR and
    FPR are NaN (fairlearn's 0) in a group without positive / negative rows; the group check
    keeps such groups out of every criterion that reads them, so the values are fairlearn's.
    """
    needed = list(_CRITERION_RATES[criterion])
    with warnings.catch_warnings():
        # 0 / 0 inside fairlearn: reported by fairness_value with a clearer message.
        warnings.simplefilter('ignore', RuntimeWarning)
        per_rate = frame.difference() if form == DIFFERENCE else frame.ratio()
    per_rate = per_rate[needed]
    if criterion != EQUALIZED_ODDS:
        return float(per_rate.iloc[0])
    if agg == 'mean':
        return float(per_rate.mean())
    # fairlearn's builtin max / min over (TPR, FPR), NaN handling included.
    return float(max(per_rate) if form == DIFFERENCE else min(per_rate))


def fairness_value(frame, criterion, form, agg='worst_case', table_name='the table'):
    """``criterion_value``, with a warning where a ratio is undefined.

    A ratio is 0 / 0 when every group has rate 0 (e.g. a classifier that never predicts
    the positive label); fairlearn then returns NaN, or for equalized odds ignores that
    rate. Both are reported with a warning instead of silently.

    Args:
        frame (fairlearn.metrics.MetricFrame):
            ``rate_frame`` of the rows with the criterion's rates.
        criterion (str):
            ``'demographic_parity'``, ``'equalized_odds'`` or ``'equal_opportunity'``.
        form (str):
            ``'difference'`` or ``'ratio'``.
        agg (str):
            ``'worst_case'`` or ``'mean'`` (equalized odds only).
        table_name (str):
            Name of the table for the warning.
    """
    value = criterion_value(frame, criterion, form, agg)
    if form == RATIO:
        needed = _CRITERION_RATES[criterion]
        undefined = [
            rate.replace('Selection Rate', 'selection rate')
            for rate in needed
            # A combination of sensitive values no row has is NaN: not a group.
            if not np.nanmax(frame.by_group[rate].to_numpy(dtype=float)) > 0
        ]
        if undefined:
            warnings.warn(
                f'In {table_name}, the {" and ".join(undefined)} '
                f'{"are" if len(undefined) > 1 else "is"} 0 in every group, so the '
                f'ratio is undefined (0 / 0); fairlearn gives {value} from the remaining '
                'rates (NaN when none).',
                stacklevel=2,
            )

    return value


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


def evaluate(
    y_true,
    y_pred,
    sensitive,
    *,
    criterion,
    forms=(DIFFERENCE,),
    agg='worst_case',
    min_group_size=5,
    strict=True,
    table_name='the table',
    expected_groups=(),
    rates=None,
):
    """Check the groups, then return fairlearn's values and the per-group rates.

    Args:
        forms (tuple[str]):
            ``'difference'`` and / or ``'ratio'``.
        rates (tuple[str] or None):
            The per-group rates to return (see ``group_rates``); by default the
            criterion's own (selection rate, or TPR and FPR) and the group size.
        Others: see ``check_groups`` and ``fairness_value``.

    Returns:
        dict:
            One value per form (``'difference'``, ``'ratio'``), ``by_group`` (rates of the
            kept groups) and ``skipped_groups`` (list).
    """
    mask, skipped = check_groups(
        y_true,
        sensitive,
        criterion=criterion,
        min_group_size=min_group_size,
        strict=strict,
        table_name=table_name,
        expected_groups=expected_groups,
    )
    y_true, y_pred = y_true[mask], y_pred[mask]
    kept = sensitive.loc[mask].reset_index(drop=True)
    needed = _CRITERION_RATES[criterion]
    rates = rates or ('Size', *needed)
    # One frame for the shown rates and the criterion's (in RATES' order).
    frame = rate_frame(y_true, y_pred, kept,
                       [rate for rate in RATES if rate in rates or rate in needed])
    by_group = group_rates(y_true, y_pred, kept, rates, frame=frame)
    result = {
        form: fairness_value(frame, criterion, form, agg, table_name)
        for form in forms
    }
    result.update(by_group=by_group, skipped_groups=skipped)
    return result



def improvement(real, synthetic, form):
    """SDMetrics' improvement form of two values of one measure: 0.5 = unchanged.

    ``(fair_synthetic - fair_real) / 2 + 0.5`` with ``fair = 1 - difference`` or
    ``fair = ratio`` (as SDMetrics' ``EqualizedOddsImprovement``): 1 = from maximally unfair
    to perfectly fair.

    Args:
        real, synthetic (float):
            The measure of the real-trained and of the synthetic-trained model.
        form (str):
            ``'difference'`` or ``'ratio'``: the form of both values.
    """
    if form == DIFFERENCE:  # fairness = 1 - difference
        return (real - synthetic) / 2 + 0.5
    return (synthetic - real) / 2 + 0.5
