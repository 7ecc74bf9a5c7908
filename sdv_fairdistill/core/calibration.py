"""Downstream calibration: per-group offsets on the generated label's log-odds, so that a
classifier trained on generated rows selects the same share of every real group (under the
error-rate criteria: the same share inside each true class).

Why: the penalty makes the generated label (nearly) independent of the group, but equal label
rates are not equal selection rates of a thresholding classifier. A classifier trained on the
generated table learns ``p(y | x, s)``; where the features ``x`` tell less about the fair latent
in one group than in another, that probability is blurred differently in each group, and so
are the shares of rows above the threshold (COMPAS, seed 0: label gap 0.010 in the generated
table, yet a classifier trained and tested on it selected the groups 0.085 apart).

How (after training, two-class target; demographic parity first): sample a table, train a
gradient-boosting classifier on it (features and group -> label), and compute its log-odds on
the real training rows. For each group ``g`` the shift ``d_g`` that gives ``g``'s real rows
the pooled selection rate is a quantile of its log-odds (the group-specific threshold of
Hardt et al.'s post-processing, moved into the data). It is added to the log-odds of group
``g``'s generated labels, and the classifier is trained again on a new sample: a classifier
responds to a shift of the labels' log-odds by at most that shift (the log-odds of a mixture of
shifted logistic curves moves by less than the shift), so a second round measures what is
left. Each group's shift is shrunk by how certain it is (``offset_shrinkage.shrunk_mean``): a
gap well outside its measurement noise is removed almost whole, one within it not at all.

The error-rate criteria are calibrated the same way on the rates they compare
(``criterion_shifts``): 'equal_opportunity' matches each group's selection rate among its
real rows of the positive class (the true-positive rate), 'equalized_odds' the rates among
the rows of each class as nearly as one shift per group can (on Adult under 'equalized_odds'
it halved a downstream classifier's EO difference; docs/criteria.md).

A number drawn from the features (``feature_labels.ValueAlignment``) is calibrated the same
way with a gradient-boosting regressor: each group's shift is the pooled mean prediction on
the real training rows minus the group's (``mean_shifts``), added to its generated values.

The classifier reads the table as a downstream model does (numbers as numbers, categories as
categories; ``synthesizers/_calibration.py`` builds those matrices), not the model's encoding:
in the encoding a number is split into a mode and a position inside it, and a classifier
reading that measured gaps on Adult that a model on the real columns did not have (the
offsets then made the downstream model less fair; docs/method.md).

The rows the classifier is measured on are the training rows: no rows are held out, since
on small tables the held-out estimate of a rate gap would be noisier than the gap.
"""

import numpy as np
import torch
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

from sdv_fairdistill.core import spans as span_ops
from sdv_fairdistill.core.offset_shrinkage import mean_and_variance, passes_the_cut, shrunk_mean
from sdv_fairdistill.core.partial_repair import kept_gaps

ROUND_WEIGHTS = (1.0, 0.5)  # how much of each round's mean shift is added
MAX_ROWS = 50_000  # real training rows measured, at most
#: Rows of a generated table, at most: above some ten thousand rows a classifier's gap hardly
#: depends on the size any more, and the classifiers are most of the calibration's time.
MAX_TABLE_ROWS = 25_000
ROWS_PER_ROUND = 40_000  # generated rows per round: as many tables as that takes...
MIN_TABLES, MAX_TABLES = 3, 8  # ...within these bounds
ERROR_RATE_TABLES = 2  # times as many under the error-rate criteria (``tables_per_round``)
MIN_GROUP_ROWS = 10  # real rows a group needs to get an offset at all
MAX_OFFSET = 4.0  # log-odds; a larger shift would mean the classifier ignores the label
#: Under the error-rate criteria the label from the features carries the real table's bias,
#: which only the calibration removes: it is kept when every group's first-round shift is
#: measured to within this standard error (log-odds; ``certain``). The largest group error
#: per fit with that label (docs/criteria.md): Adult 0.14-0.21, COMPAS 0.09-0.17, German
#: Credit 0.42-0.55 and ``adult_small`` 1.04-1.41, where the real bias had passed through.
MAX_LABEL_SHIFT_ERROR = 0.25


def calibratable(spans):
    """Whether the calibration applies: one two-class target, under any criterion (each
    equalises its own rates, ``criterion_shifts``)."""
    return len(spans) == 1 and spans[0].kind == span_ops.CATEGORICAL and spans[0].width == 2


def selection_shifts(log_odds, groups, n_groups, gaps=None, gap_variances=None):
    """Per-group shifts of ``log_odds`` that give every group the pooled selection rate (plus
    ``gaps[g]``, the rate each group is to keep above it, where given), and the standard
    error of each from the group's rows alone (and ``gap_variances[g]``, the variance of a
    measured gap, where given).

    Returns:
        tuple: ``(shifts, errors)``, arrays of ``n_groups``; a group with fewer than
        ``MIN_GROUP_ROWS`` rows gets shift 0 and error ``inf`` (no offset), and so does
        every group when the classifier selects all rows or none (no rate to match).
    """
    base_level = 1.0 - float(np.mean(log_odds > 0))  # one minus the pooled selection rate
    shifts, errors = np.zeros(n_groups), np.full(n_groups, np.inf)
    if base_level in (0.0, 1.0):
        return shifts, errors
    for group in range(n_groups):
        values = log_odds[groups == group]
        if len(values) < MIN_GROUP_ROWS:
            continue
        level = base_level if gaps is None else float(np.clip(base_level - gaps[group], 0, 1))
        # The shift that leaves a share ``1 - level`` of the group's rows above zero: minus
        # the ``level`` quantile of its log-odds (between two order statistics).
        shifts[group] = -np.quantile(values, level)
        # Its error from the rows (delta method): the rate is known to +-sqrt(r (1 - r) / n),
        # so the quantile to the half-distance between the quantiles that far apart.
        # At least one row's share: tied log-odds would otherwise read as certainty.
        variance = level * (1.0 - level) / len(values)
        if gap_variances is not None:  # an aim measured on the group's rows is noisy too
            variance += gap_variances[group]
        half = max(np.sqrt(variance), 1.0 / len(values))
        low, high = np.quantile(values, [max(level - half, 0.0), min(level + half, 1.0)])
        errors[group] = (high - low) / 2
    return shifts, errors


def criterion_shifts(log_odds, groups, labels, n_groups, criterion, positive=1, repair=1.0):
    """``selection_shifts`` for ``criterion``: per-group shifts (and errors) of ``log_odds``
    that equalise what the criterion compares between groups.

    - 'demographic_parity': the selection rate over all rows;
    - 'equal_opportunity': the selection rate among the rows of the positive class
      (``labels == positive``): the true-positive rate, Hardt et al.'s per-group threshold
      for equal opportunity (selecting the second class at equal rates among the positive
      rows is selecting the positive one at equal rates, whichever class it is);
    - 'equalized_odds': both rates among the rows of each class. One shift per group cannot
      match both where the groups' ROC curves differ (Hardt et al. randomise for that): the
      shift taken is the one between the two classes' shifts that makes the larger of the
      two gaps smallest (``_minimax_weight``).

    Args:
        labels (np.ndarray[int]): the real rows' classes, 1 for the second class of the
            target's one-hot (the class whose log-odds are shifted).
        positive (int): the positive class, 0 or 1 in ``labels``. Defaults to 1.
        repair (float): under demographic parity, below 1 each group keeps ``1 - repair`` of
            its real label rate's gap to the pooled one (``partial_repair.kept_gaps``),
            which needs ``labels``. Defaults to 1.
    """
    if criterion == 'demographic_parity':
        if repair >= 1.0:
            return selection_shifts(log_odds, groups, n_groups)
        return selection_shifts(log_odds, groups, n_groups,
                                *kept_gaps(labels, groups, n_groups, repair))
    if criterion not in ('equalized_odds', 'equal_opportunity'):
        raise ValueError(f'Unknown fairness criterion {criterion!r}.')
    if labels is None:
        raise ValueError(f'{criterion!r} compares rates inside the classes: labels are needed.')
    labels = np.asarray(labels)
    if criterion == 'equal_opportunity':
        rows = labels == positive
        if not rows.any():  # no real row of the positive class: no rate to match
            return np.zeros(n_groups), np.full(n_groups, np.inf)
        return selection_shifts(log_odds[rows], groups[rows], n_groups)
    negative = labels == 0
    if negative.all() or not negative.any():  # one class only: no rates to match
        return np.zeros(n_groups), np.full(n_groups, np.inf)
    shifts0, errors0 = selection_shifts(log_odds[negative], groups[negative], n_groups)
    shifts1, errors1 = selection_shifts(log_odds[~negative], groups[~negative], n_groups)
    # Each class's pooled rate, the level its groups are matched to.
    pooled0, pooled1 = np.mean(log_odds[negative] > 0), np.mean(log_odds[~negative] > 0)
    shifts, errors = np.zeros(n_groups), np.full(n_groups, np.inf)
    for group in range(n_groups):
        if not np.isfinite(errors0[group]) and not np.isfinite(errors1[group]):
            continue  # neither class measured: no shift
        if not np.isfinite(errors0[group]) or not np.isfinite(errors1[group]):
            weight = 1.0 if np.isfinite(errors1[group]) else 0.0  # the measured class alone
        else:
            weight = _minimax_weight(
                log_odds[negative & (groups == group)], log_odds[~negative & (groups == group)],
                pooled0, pooled1, shifts0[group], shifts1[group],
            )
        shifts[group] = (1 - weight) * shifts0[group] + weight * shifts1[group]
        # The two classes' rows are disjoint: their errors add in quadrature (a class with
        # weight 0 adds nothing, though unmeasured).
        parts = [(1 - weight, errors0[group]), (weight, errors1[group])]
        errors[group] = np.sqrt(sum((w * e) ** 2 for w, e in parts if w > 0))
    return shifts, errors


def _minimax_weight(negatives, positives, pooled0, pooled1, shift0, shift1, points=101):
    """The weight ``w`` of ``shift1`` in ``(1 - w) shift0 + w shift1`` that minimises the
    larger of a group's two gaps (its false-positive rate from ``pooled0``, its true-positive
    rate from ``pooled1``, after the shift): each gap grows with the shift and is 0 at its
    own class's shift, so the best point lies between the two."""
    weights = np.linspace(0.0, 1.0, points)
    shifted = shift0 + weights * (shift1 - shift0)

    def rate(values, shift):  # the share of ``values + shift`` above 0, for every shift
        ordered = np.sort(values)
        return 1.0 - np.searchsorted(ordered, -shift, side='right') / len(ordered)

    gap0 = np.abs(rate(negatives, shifted) - pooled0)
    gap1 = np.abs(rate(positives, shifted) - pooled1)
    return float(weights[np.argmin(np.maximum(gap0, gap1))])


def mean_shifts(predictions, groups, n_groups, gaps=None, gap_variances=None):
    """A continuous target's ``selection_shifts``: per-group shifts that give every group the
    pooled mean prediction (plus ``gaps[g]`` where given; a regressor responds to a shift of
    one group's target one for one), and the standard error of each group's mean (with
    ``gap_variances[g]`` added). A group with fewer than ``MIN_GROUP_ROWS`` rows gets shift 0
    and error ``inf``."""
    pooled = float(np.mean(predictions))
    shifts, errors = np.zeros(n_groups), np.full(n_groups, np.inf)
    for group in range(n_groups):
        values = predictions[groups == group]
        if len(values) < MIN_GROUP_ROWS:
            continue
        shifts[group] = pooled + (0.0 if gaps is None else gaps[group]) - values.mean()
        error = values.std(ddof=1) / np.sqrt(len(values))
        if gap_variances is not None:  # an aim measured on the group's rows is noisy too
            error = np.sqrt(error**2 + gap_variances[group])
        # At least a hair: identical predictions would otherwise read as certainty of 0 / 0.
        errors[group] = max(error, 1e-12)
    return shifts, errors


def certain(errors):
    """Whether every group's shift was measured (``fit_offsets``' errors) to within
    ``MAX_LABEL_SHIFT_ERROR``: a group not measured (error inf: fewer than
    ``MIN_GROUP_ROWS`` real rows of a class it is compared in, or classifiers that select
    all of a class's rows or none) is not."""
    errors = np.asarray(errors, dtype=float)
    return bool(errors.size) and bool(np.all(np.isfinite(errors) & (errors <= MAX_LABEL_SHIFT_ERROR)))


def draw_seed(seed, draw):
    """The seed of table ``draw``: inside NumPy's range (a user's seed may be 2**32 - 1)."""
    return (seed + draw) % 2**32


def tables_per_round(table_rows, criterion='demographic_parity'):
    """How many generated tables of ``table_rows`` rows a round trains classifiers on: under
    the error-rate criteria ``ERROR_RATE_TABLES`` times as many, since a rate inside one
    class moves more from table to table than a selection rate over all rows (Adult,
    'equal_opportunity', seed 2: the women's shift had a standard deviation of 0.09 over a
    round's three tables, and with three tables a round measured 0.17 where the round before
    had measured 0.00 with the same offsets; the offset then overshot)."""
    tables = int(np.clip(np.ceil(ROWS_PER_ROUND / max(table_rows, 1)), MIN_TABLES, MAX_TABLES))
    return tables if criterion == 'demographic_parity' else ERROR_RATE_TABLES * tables


def fit_offsets(sample, real_matrix, real_groups, n_groups, categorical, seed, tables,
                regression=False, real_labels=None, criterion='demographic_parity', positive=1,
                return_errors=False, repair=1.0):
    """The per-group log-odds offsets of a generated two-class label (``np.ndarray``), or with
    ``regression`` the per-group shifts of a generated number (in its own units; a
    gradient-boosting regressor and ``mean_shifts`` take the classifier's and
    ``selection_shifts``' place, and nothing clips them).

    Each round trains ``tables`` classifiers, each on its own generated table, and takes
    the shrunk mean of their per-group shifts (``shrunk_mean``): one classifier's
    selection-rate gap moves by a few hundredths from table to table (COMPAS: 0.03 to 0.08
    standard deviation at its 3,694 training rows), as much as the gap to remove. The first
    round's shift is added whole (a classifier follows a shift of the labels' log-odds
    almost one for one); the second, measured with it, at half weight, so that its own
    table-to-table noise is halved.

    Args:
        sample (callable): ``sample(offsets, draw)`` -> ``(matrix, labels)``: a generated
            table's classifier matrix and its labels (1 for the second class of the target's
            one-hot; with ``regression``, the numbers), generated with ``offsets``; ``draw``
            numbers the tables (a seed).
        real_matrix (np.ndarray): the real training rows' classifier matrix.
        real_groups (np.ndarray[int]): their groups.
        n_groups (int): number of groups.
        categorical (np.ndarray[bool]): which columns of the matrices are categorical codes.
        seed (int): seeds the classifiers (regressors).
        tables (int): generated tables (and classifiers) per round.
        real_labels (np.ndarray or None): the real rows' classes (1 for the second class),
            which the error-rate criteria compare inside, or with ``regression`` and
            ``repair`` below 1 their numbers. Defaults to None.
        criterion (str): the rates equalised (``criterion_shifts``). Defaults to
            'demographic_parity'.
        positive (int): the positive class in ``real_labels`` ('equal_opportunity').
            Defaults to 1.
        return_errors (bool): also return each group's standard error of the first round's
            mean shift (inf where it was not measured), what ``certain`` judges. Defaults to
            False.
        repair (float): the partial repair (``partial_repair.kept_gaps``; two classes:
            ``criterion_shifts``'). Defaults to 1.
    """
    offsets, first_errors = np.zeros(n_groups), np.full(n_groups, np.inf)
    # Groups whose gap passed the cut in the first round: the second round measures what is
    # left of a gap found, not whether there is one (tested again, the intersections lost
    # part of their top-ups: +0.003 downstream DP on the mean).
    established = np.zeros(n_groups, dtype=bool)
    # A number's partial repair: each group's mean aimed at part of its real gap.
    aims = kept_gaps(real_labels, real_groups, n_groups, repair) if (
        regression and repair < 1.0) else (None, None)
    for round_, weight in enumerate(ROUND_WEIGHTS):
        shifts, errors = [], []
        for index in range(tables):
            draw = round_ * tables + index
            matrix, labels = sample(offsets, draw)
            if np.unique(labels).size < 2:
                continue  # nothing to learn
            learner = HistGradientBoostingRegressor if regression else HistGradientBoostingClassifier
            model = learner(categorical_features=categorical, random_state=draw_seed(seed, draw))
            model.fit(matrix, labels)
            if regression:
                shift, error = mean_shifts(model.predict(real_matrix), real_groups, n_groups,
                                           *aims)
            else:
                shift, error = criterion_shifts(
                    model.decision_function(real_matrix), real_groups, real_labels, n_groups,
                    criterion, positive, repair,
                )
            shifts.append(shift)
            errors.append(error)
        if not shifts:
            break
        mean, variance = mean_and_variance(np.array(shifts), np.array(errors))
        passed = passes_the_cut(mean, variance) | established
        if round_ == 0:
            first_errors = np.sqrt(variance)
            established = passed
        offsets = offsets + weight * shrunk_mean(np.array(shifts), np.array(errors), passed)
        if not regression:
            offsets = np.clip(offsets, -MAX_OFFSET, MAX_OFFSET)
    return (offsets, first_errors) if return_errors else offsets


def apply_offsets(output, offsets, groups):
    """The target head's two logits ``(n, 2)`` of rows of ``groups``, with each group's offset
    added to the second class's log-odds."""
    shift = offsets[torch.as_tensor(np.asarray(groups), dtype=torch.long)]
    return torch.stack([output[:, 0], output[:, 1] + shift], dim=1)
