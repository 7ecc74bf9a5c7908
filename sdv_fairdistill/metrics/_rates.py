"""Group rates and fairlearn's fairness measures: the numbers behind every metric and report.

A *difference* is the largest minus the smallest group rate, a *ratio* the smallest over
the largest (fairlearn's defaults, ``method='between_groups'``); equalized odds compares
two rates, TPR and FPR, kept by ``agg='worst_case'`` (the worse one) or ``agg='mean'``.
Definitions: docs/fairness_metrics.md; which groups are compared: ``_group_checks.py``.
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

# The criteria's names are imported from here across the package (and by users' code).
from sdv_fairdistill.metrics._criteria import (  # noqa: F401
    DEMOGRAPHIC_PARITY,
    DIFFERENCE,
    EQUAL_OPPORTUNITY,
    EQUALIZED_ODDS,
    RATIO,
)
from sdv_fairdistill.metrics._group_checks import check_groups
from sdv_fairdistill.metrics._groups import group_names


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
