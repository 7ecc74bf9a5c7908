"""How much of each group's measured offset the downstream calibration keeps (``calibration.py``).

A round of the calibration measures each group's shift on several generated tables; the
mean is noisy (the tables' spread, and the quantile's error on the group's real rows). Each
group keeps its mean shift scaled by how certain it is (``shrunk_mean``, a positive-part
James-Stein factor), and over more than two groups only if it passes Benjamini and
Hochberg's cut (``passes_the_cut``), so that noise does not move groups without a gap.
"""

import numpy as np

#: The two-sided rate at which a group without a gap passes the shrinkage's cut of one
#: standard error, 2 (1 - Phi(1)); over more than two groups, the Benjamini-Hochberg rate
#: (``passes_the_cut``).
FAMILY_RATE = 0.31731050786291415


def shrunk_mean(shifts, errors, passed=None):
    """The mean of a round's per-table shifts, each group's scaled by ``1 - se^2 / m^2``
    (at least 0), and by 0 for a group that fails the cut over many groups.

    ``m`` is the group's mean shift over the tables, ``se^2`` its variance: the tables'
    spread over their number (one classifier's selection gap moves by a few hundredths from
    table to table) plus the quantile's variance on the group's real rows (the same rows for
    every table, so not divided). Why this factor: the measured ``m^2`` is on average the
    true shift's square plus ``se^2``, so ``m^2 - se^2`` estimates the true square, and the
    empirical-Bayes factor ``true^2 / (true^2 + se^2)`` becomes ``1 - se^2 / m^2``
    (positive-part James-Stein). A gap several errors wide is removed almost whole, one
    within its error not at all. The group's row count alone cannot tell these apart:
    COMPAS's groups (1,500-2,200 training rows) carry gaps inside their noise, while a
    minority of 360 rows on a strongly biased table (``ofp``) or Adult's Black women (about
    1,600 rows, over sex x race) carry gaps well outside it (docs/method.md, Stage 5).

    Over more than two groups, a group's shift must also pass Benjamini and Hochberg's cut
    (``passes_the_cut``): among many groups without a gap, the few whose noise exceeds one
    error would otherwise be moved (30 groups of 20 rows, unrelated to the label: 9 got
    offsets of up to 1.7 log-odds, and the generated label gap rose from 0.05 to 0.25).

    Args:
        shifts, errors (np.ndarray): ``(tables, n_groups)``, from
            ``calibration.criterion_shifts``.
        passed (np.ndarray[bool] or None): the groups that pass; None takes
            ``passes_the_cut`` of this round (``calibration.fit_offsets`` adds, in its second
            round, the groups that passed the first). Defaults to None.
    """
    mean, variance = mean_and_variance(shifts, errors)
    with np.errstate(invalid='ignore', divide='ignore'):
        shrink = 1.0 - variance / mean**2
    # A group without a measurement (error inf) or without a shift (0 / 0) gets none.
    shrink = np.clip(np.nan_to_num(shrink, nan=0.0, neginf=0.0), 0.0, 1.0)
    if passed is None:
        passed = passes_the_cut(mean, variance)
    return np.where(passed, shrink * mean, 0.0)


def passes_the_cut(mean, variance):
    """Which groups' mean shifts pass Benjamini and Hochberg's cut at ``FAMILY_RATE``.

    Two groups make one comparison (each group's shift is measured against the pooled
    rate, so with two they carry one gap), and there is no cut besides the shrinkage's own:
    a shift within one error keeps nothing of itself, which noise passes at the two-sided
    rate ``FAMILY_RATE`` (0.317). ``k`` measured groups (a finite variance) make ``k - 1``
    comparisons: the two-sided p-values of the groups' ``m / se`` are sorted, and the ``i``
    smallest pass where the ``i``-th is at most ``i FAMILY_RATE / (k - 1)``, the largest such
    ``i`` (a shift measured without error passes; a shift of 0 does not). Where many groups
    carry clear gaps the cut stays near one error; where none does it rises (30 groups: 2.5
    errors for the first), and noise passes it in about ``FAMILY_RATE`` of the rounds.
    """
    from scipy.stats import norm

    measured = np.flatnonzero(np.isfinite(variance))
    comparisons = len(measured) - 1
    passed = np.zeros(len(mean), dtype=bool)
    if comparisons <= 1:
        passed[measured] = True
        return passed
    with np.errstate(invalid='ignore', divide='ignore'):
        z = np.abs(mean[measured]) / np.sqrt(variance[measured])
    p_values = 2 * norm.sf(np.nan_to_num(z, nan=0.0))  # 0 / 0: no shift, p = 1
    order = np.argsort(p_values, kind='stable')
    ranks = np.arange(1, len(order) + 1)
    below = np.flatnonzero(p_values[order] <= ranks * FAMILY_RATE / comparisons)
    if below.size:
        passed[measured[order[:below[-1] + 1]]] = True
    return passed


def mean_and_variance(shifts, errors):
    """Each group's mean shift over a round's tables and its variance (``shrunk_mean``)."""
    mean = shifts.mean(axis=0)
    between = shifts.var(axis=0, ddof=1) / len(shifts) if len(shifts) > 1 else 0.0
    return mean, between + np.mean(errors**2, axis=0)
