"""The generated label drawn from what a classifier of the real rows reads in the generated row.

The target head draws the label from the fair latent: the groups get the same label rate, but the
latent holds less of what predicts the label than the features do (the penalty takes out of it
whatever tells the group), so a classifier trained on generated rows learns a weaker relation of
features to label than the real one (docs/method.md). With a label scorer, a classifier fitted on
the real training rows (features and group) scores each generated row instead, and the label is
drawn from that score made fair: each group's probabilities are mapped monotonically onto the
barycenter of the groups' distributions (``ScoreAlignment``, fitted on generated rows), so every
group gets the same distribution of probabilities and the same label rate, and the order of the
rows inside a group (who is more likely positive than whom) is the real classifier's. Each
group's distribution is first moved (its log-odds shifted) to the group's label rate in the real
rows: the classifier's mean on generated rows is not the real rate when the generated features
are not the real ones (on a loan table it read 8 % denials from generated rows against 12 %
from real ones, and 8 % came out; docs/method.md, Stage 4), so the barycenter's mean, the
generated label rate, is the real one (two classes; more keep the classifier's shares). The
downstream calibration's offsets (``core/calibration.py``) then apply to the aligned score as they
do to the head's. Under the error-rate criteria, which do not ask for equal label rates, each group
keeps its own distribution, sharpened (``GroupSharpening``; kept by default only where the
calibration measures every group precisely, ``synthesizers/_calibration.py``), and the
calibration's offsets alone equalise the error rates.

A target of more than two classes (``ClassShareAlignment``) has no one score to order the rows
by: the classifier's log-probabilities are sharpened and get per-group log-offsets that give
every group the pooled class shares (as the head's alignment does, ``core/alignment.py``);
the head alone cost such a target utility (``chile``, docs/cases.md).

A continuous target (``ValueAlignment``) comes from a regressor: each group's predictions are
mapped onto the barycenter of the groups' distributions as the two-class probabilities are,
and a residual of the real rows, the same for every group, gives back the target's spread;
the sum is then mapped by rank onto the real values, which gives back its shape. Drawn by
the head, with the penalty alone, such a target stayed unfair (``wages``, docs/cases.md).

The scorer itself lives where the rows can be read as a downstream model reads them (the
tabular synthesizer's processed columns: ``synthesizers/_feature_labels.py``); here it is any
callable ``scorer(features, groups) -> (n, classes)`` logits of generated encoded features;
for a number, ``(n,)`` predictions (NaN where the target comes out missing), and the scorer
has ``residual_quantiles``, ``target_quantiles`` and ``encode_target(values, rng)``.
"""

import numpy as np
import torch
from scipy.optimize import brentq

from sdv_fairdistill.core import spans as span_ops
from sdv_fairdistill.core.alignment import (
    class_share_offsets,
    draws_per_group,
    pooled_class_shares,
)
from sdv_fairdistill.core.quantile_functions import EPSILON, GRID, integral, sharpened



#: Classes a scorer draws at most: a gradient-boosting classifier of ``k`` classes grows ``k``
#: trees a round, so beyond this the head draws the target.
MAX_CLASSES = 20


def labelable(spans):
    """Whether a scorer can draw the target: one categorical column of 2 to ``MAX_CLASSES``
    classes, or a continuous column without missing values (a number and its mode)."""
    if len(spans) == 1:
        return spans[0].kind == span_ops.CATEGORICAL and 2 <= spans[0].width <= MAX_CLASSES
    return continuous(spans)


def continuous(spans):
    """Whether the target is a number without missing values: a value and a one-hot of its
    mode (``TableEncoder``'s numerical encoding; a null indicator would be a third span)."""
    return len(spans) == 2 and spans[0].kind == span_ops.CONTINUOUS


class ScoreAlignment:
    """Each group's probabilities mapped onto the barycenter of the groups' distributions,
    sharpened.

    Why in probability space, and why ties are spread: the label is drawn with the aligned
    probability, so what must be equal across groups is the mean of that probability. A
    group's value ``v`` covers the probabilities ``[F(v-), F(v)]`` of its distribution (a
    whole interval when a tree classifier gives many rows the same score); it is mapped to the
    mean of the barycenter's quantile function over that interval. Every group's aligned mean
    is then the barycenter's mean, exactly, however many ties there are (mapping a tie to one
    point of the interval would not keep it: a two-valued score gave two groups label rates
    0.63 and 0.84).

    Why sharpened: a label drawn with a classifier's probability is as noisy as the real
    label, and a downstream model trained on few or noisy labels learns a flatter, less
    certain score than the classifier had (its F1 suffers most where positives are rare). The
    barycenter's log-odds are multiplied by ``sharpness`` and shifted so that its mean, the
    label rate, stays: every group shares the sharpened barycenter, so the groups' label
    rates stay equal, and the order of the rows inside a group stays the classifier's
    (measurements: docs/method.md, Stage 4).

    Args:
        sharpness (float): factor on the barycenter's log-odds; 1 keeps the classifier's
            probabilities. Defaults to 1.
        repair (float): how far each group moves to the barycenter: below 1 it is mapped onto
            ``(1 - repair) Q_group + repair Q_barycenter`` (quantile functions; Feldman et
            al.'s partial repair), sharpened, so its label rate keeps ``1 - repair`` of its
            gap to the pooled one. Defaults to 1.
    """

    def __init__(self, sharpness=1.0, repair=1.0):
        self.sharpness = sharpness
        self.repair = repair

    def fit(self, probabilities_by_group, group_prior, label_rates=None):
        """Learn each group's distribution from ``probabilities_by_group[g]`` (draws), moved
        to ``label_rates[g]`` (its real rows' rate; None: not moved), and the barycenter
        (group-prior-weighted mean of their quantile functions), sharpened."""
        prior = np.asarray(group_prior, dtype=float) / np.sum(group_prior)
        self.sorted_ = [np.sort(np.asarray(p, dtype=float)) for p in probabilities_by_group]
        own = _moved_quantiles(self.sorted_, label_rates)
        barycenter = prior @ own
        quantiles = sharpened(barycenter, self.sharpness)
        # Integral of the quantile function from 0, for its mean over an interval.
        self.quantiles_ = quantiles
        self.integral_ = integral(quantiles)
        self.repaired_ = None if self.repair >= 1.0 else [
            (target, integral(target)) for target in (
                sharpened((1.0 - self.repair) * group + self.repair * barycenter, self.sharpness)
                for group in own
            )
        ]
        return self

    def transform(self, probabilities, groups):
        """The aligned probabilities of rows of ``groups``."""
        probabilities = np.asarray(probabilities, dtype=float)
        groups = np.asarray(groups)
        aligned = np.empty_like(probabilities)
        for group in np.unique(groups):
            rows = groups == group
            reference = self.sorted_[group]
            quantiles, integral = self._target(group)
            low = np.searchsorted(reference, probabilities[rows], 'left') / len(reference)
            high = np.searchsorted(reference, probabilities[rows], 'right') / len(reference)
            width = high - low
            mean = (
                np.interp(high, GRID, integral) - np.interp(low, GRID, integral)
            ) / np.where(width > 0, width, 1.0)
            aligned[rows] = np.where(width > 0, mean, np.interp(low, GRID, quantiles))
        return aligned

    def _target(self, group):
        """The quantile function ``group``'s rows are mapped onto, and its integral."""
        if getattr(self, 'repaired_', None) is not None:  # (absent from older saved fits)
            return self.repaired_[group]
        return self.quantiles_, self.integral_  # one barycenter for every group


class GroupSharpening(ScoreAlignment):
    """The error-rate criteria's two-class label: each group's probabilities mapped onto its
    own distribution sharpened, not onto a shared barycenter.

    Equalized odds and equal opportunity do not ask for equal label rates: a group keeps the
    classifier's rate and the order of its rows, and is sharpened as ``ScoreAlignment``
    sharpens the barycenter (its mean, the group's label rate, kept). What those criteria do
    ask for, equal rates of selection inside each true class, comes from the downstream
    calibration's per-group offsets (``core/calibration.py``), Hardt et al.'s per-group
    thresholds moved into the data.
    """

    def fit(self, probabilities_by_group, group_prior, label_rates=None):
        """Learn each group's distribution from ``probabilities_by_group[g]`` (draws), moved
        to ``label_rates[g]`` as ``ScoreAlignment`` moves it, and its sharpened quantile
        function (``group_prior`` is not needed: no pooling)."""
        del group_prior
        self.sorted_ = [np.sort(np.asarray(p, dtype=float)) for p in probabilities_by_group]
        own = [sharpened(q, self.sharpness) for q in _moved_quantiles(self.sorted_, label_rates)]
        self.own_ = [(quantiles, integral(quantiles)) for quantiles in own]
        return self

    def _target(self, group):
        return self.own_[group]


class ClassShareAlignment:
    """A target of more than two classes: the scorer's log-probabilities times ``sharpness``,
    plus per-group log-offsets that give every group the pooled class shares.

    The pooled shares are those of the unsharpened scores (the classifier's own class rates,
    as the two-class barycenter keeps its mean). Sharpening multiplies each row's
    log-probabilities, which makes its likeliest class likelier; the offsets then bring every
    group's mean back to the pooled shares, so the groups' class rates stay equal.

    Args:
        sharpness (float): factor on the log-probabilities; 1 keeps the classifier's.
            Defaults to 1.
        repair (float): how far each group's class shares move to the pooled ones: below 1
            a group gets ``(1 - repair) own + repair pooled`` (its own: the mean of its
            unsharpened probabilities). Defaults to 1.
    """

    def __init__(self, sharpness=1.0, repair=1.0):
        self.sharpness = sharpness
        self.repair = repair

    def fit(self, logits_by_group, group_prior):
        """Learn each group's offsets from ``logits_by_group[g]``, the scorer's ``(draws,
        classes)`` logits of rows generated for group ``g``."""
        prior = np.asarray(group_prior, dtype=float) / np.sum(group_prior)
        pooled = pooled_class_shares(logits_by_group, prior)

        def shares(logits):  # the group's aim
            if self.repair >= 1.0:
                return pooled
            own = torch.softmax(logits.double(), dim=1).mean(dim=0)
            return (1.0 - self.repair) * own + self.repair * pooled

        self.offsets_ = torch.stack([
            class_share_offsets(self.sharpness * torch.log_softmax(logits.double(), dim=1),
                                shares(logits))
            for logits in logits_by_group
        ]).float()
        return self

    def transform(self, logits, groups):
        """The aligned ``(n, classes)`` logits of rows of ``groups``."""
        offsets = self.offsets_[torch.as_tensor(np.asarray(groups), dtype=torch.long)]
        return self.sharpness * torch.log_softmax(logits.float(), dim=1) + offsets


class ValueAlignment(ScoreAlignment):
    """A continuous target: each group's predicted values (a regressor of the real rows) mapped
    onto the barycenter of the groups' distributions, plus a residual of the real rows.

    The map is ``ScoreAlignment``'s (ties spread, so every group's mean is the barycenter's):
    the aligned prediction, what a downstream regressor learns, has one distribution in every
    group. A prediction is a conditional mean, narrower than the target; the residual, drawn
    from the real rows' out-of-fold residuals whatever the group, gives the real spread back
    without telling the group. That has the right spread, not always the right shape (medical
    expenses zero for 23 % of the rows came out zero for 32 %, median 78 dollars against 32;
    docs/method.md). So, given ``target_quantiles``, each drawn value is mapped by its rank
    among the draws onto the real rows' values (one monotone map for every group, so the
    groups keep one distribution, and a value many rows share comes back at its share).

    Args:
        residual_quantiles (np.ndarray): quantiles of the real rows' residuals at ``GRID``.
        target_quantiles (np.ndarray or None): quantiles of the real rows' target at
            ``GRID``, or None: the draws are not mapped. Defaults to None.
        repair (float): ``ScoreAlignment``'s: below 1 each group's predictions are mapped
            only part of the way to the barycenter. Defaults to 1.
    """

    #: Draws of prediction plus residual that give their distribution's quantiles (seeded).
    MAP_DRAWS = 200_000

    def __init__(self, residual_quantiles, target_quantiles=None, repair=1.0):
        super().__init__(sharpness=1.0, repair=repair)
        self.residual_quantiles = np.asarray(residual_quantiles, dtype=float)
        self.target_quantiles = None if target_quantiles is None else np.asarray(
            target_quantiles, dtype=float)
        # Per-group shifts of the downstream calibration (``core/calibration.py``); None: none.
        self.offsets_ = None

    def fit(self, values_by_group, group_prior):
        """``ScoreAlignment.fit`` on each group's predictions that are not NaN (a NaN marks a
        row whose target comes out missing); a group with none gets the others' values.
        With ``target_quantiles``, also the quantiles of the draws before the map: the
        barycenter's values (with ``repair`` below 1, the groups' own repaired values at
        their prior: wider than the barycenter, which would stretch them) plus residuals."""
        present = [np.asarray(v, dtype=float)[~np.isnan(v)] for v in values_by_group]
        pooled = np.concatenate(present) if any(v.size for v in present) else np.zeros(1)
        super().fit([v if v.size else pooled for v in present], group_prior)
        if self.target_quantiles is not None:
            uniform = np.random.RandomState(0).uniform(size=(2, self.MAP_DRAWS))
            residuals = np.interp(uniform[1], GRID, self.residual_quantiles)
            self.group_draw_quantiles_ = None
            if self.repaired_ is None:
                centres = np.interp(uniform[0], GRID, self.quantiles_)
            else:  # every group's draws, then the pooled ones: each draw from a group at its prior
                own = np.array([np.interp(uniform[0], GRID, q) for q, _ in self.repaired_])
                prior = np.asarray(group_prior, dtype=float) / np.sum(group_prior)
                chosen = np.random.RandomState(1).choice(len(prior), self.MAP_DRAWS, p=prior)
                centres = own[chosen, np.arange(self.MAP_DRAWS)]
                # Repaired groups sit in different parts of the map: each shifts along its own.
                self.group_draw_quantiles_ = [np.quantile(c + residuals, GRID) for c in own]
            self.draw_quantiles_ = np.quantile(centres + residuals, GRID)
        return self

    def _to_target(self, drawn):
        """Drawn values -> the real target's values at the same rank (identity without
        ``target_quantiles``, as in a synthesizer saved before the map existed)."""
        if getattr(self, 'target_quantiles', None) is None:
            return drawn
        ranks = np.interp(drawn, self.draw_quantiles_, GRID)
        return np.interp(ranks, GRID, self.target_quantiles)

    def _shift_before_map(self, offset, group):
        """The shift of ``group``'s draws before the map that moves their mean after it by
        ``offset``: the calibration measures a group's gap, and shifts it, in the target's
        units, one for one; through the map a shift moves little across a value many rows
        share (the zeros) and much along a long tail. The draws' quantiles (the group's own
        where ``repair`` is below 1) stand for the draws; the furthest shift the target's
        range allows where ``offset`` asks more."""
        if getattr(self, 'target_quantiles', None) is None or offset == 0:
            return offset
        own = getattr(self, 'group_draw_quantiles_', None)  # None: saved before it existed
        draws = self.draw_quantiles_ if own is None else own[group]
        before = self._to_target(draws).mean()

        def moved(shift):
            return self._to_target(draws + shift).mean() - before - offset

        reach = draws[-1] - draws[0] + abs(offset) + 1.0  # beyond it every draw maps to an end
        if moved(-reach) >= 0:
            return -reach
        if moved(reach) <= 0:
            return reach
        return brentq(moved, -reach, reach, xtol=1e-12 * reach)

    def draw(self, values, groups, rng):
        """The generated target of rows of ``groups`` whose predictions are ``values`` (a NaN
        prediction, a row whose target comes out missing, gets the barycenter's median)."""
        groups = np.asarray(groups)
        values = np.asarray(values, dtype=float)
        residuals = np.interp(rng.uniform(size=len(values)), GRID, self.residual_quantiles)
        drawn = self.transform(values, groups) + residuals
        if self.offsets_ is not None:
            shifts = np.array([self._shift_before_map(offset, group)
                               for group, offset in enumerate(self.offsets_)])
            drawn = drawn + shifts[groups]
        drawn = self._to_target(drawn)
        return np.where(np.isnan(values), np.interp(0.5, GRID, self.quantiles_), drawn)


def _moved_quantiles(sorted_by_group, label_rates):
    """Each group's quantile function at ``GRID``, its log-odds shifted so that its mean is
    ``label_rates[g]`` (None: as it is)."""
    own = [np.quantile(values, GRID) for values in sorted_by_group]
    if label_rates is not None:
        own = [sharpened(q, 1.0, rate) for q, rate in zip(own, label_rates)]
    return np.stack(own)


def aligned_logits(scorer_logits, alignment, groups):
    """The scorer's logits of rows of ``groups``, aligned: ``(n, 2)`` logits of the aligned
    probability of the second class, or those of ``ClassShareAlignment``."""
    if isinstance(alignment, ClassShareAlignment):
        return alignment.transform(scorer_logits, groups)
    probability = torch.sigmoid(scorer_logits[:, 1] - scorer_logits[:, 0]).numpy()
    aligned = np.clip(alignment.transform(probability, groups), EPSILON, 1 - EPSILON)
    log_odds = torch.as_tensor(np.log(aligned / (1 - aligned)), dtype=torch.float32)
    return torch.stack([torch.zeros_like(log_odds), log_odds], dim=1)


@torch.no_grad()
def fit_score_alignment(model, scorer, seed, sharpness=1.0, repair=1.0, class_shares=None):
    """The per-group maps of ``scorer``'s probabilities onto their barycenter (its log-odds
    times ``sharpness``, partly with ``repair`` below 1; under the error-rate criteria
    ``GroupSharpening``; ``ClassShareAlignment`` for more than two classes, ``ValueAlignment``
    for a number, whose scorer predicts it and holds ``residual_quantiles``), fitted on seeded
    rows the trained ``model`` generates for each group (its sampling state is put back).
    ``class_shares`` ``(groups, classes)``: each group's class shares in the real rows; a
    two-class label's groups are moved to them (None: the scorer's own means on generated
    rows stay). More classes keep the classifier's shares: the real ones raised DP
    (docs/method.md, "Measured, not shipped: the real rows' class shares").

    Raises:
        ValueError: the model's target is not one a scorer can draw (``labelable``).
    """
    if not labelable(model.target_spans):
        raise ValueError(
            f'A label scorer draws a categorical target of 2 to {MAX_CLASSES} classes or a '
            'number without missing values only.'
        )
    with model.sampling_state(seed):
        draws = draws_per_group(model.n_groups)
        logits = []
        for group in range(model.n_groups):
            groups = np.full(draws, group)
            features = model.sample(draws, groups=groups, target=False)[0]
            logits.append(scorer(features, groups))
    prior = model.density.group_prior_
    if continuous(model.target_spans):  # the scorer predicts the number
        values = [np.asarray(value, dtype=float) for value in logits]
        return ValueAlignment(
            scorer.residual_quantiles, getattr(scorer, 'target_quantiles', None), repair
        ).fit(values, prior)
    if logits[0].shape[1] > 2:
        return ClassShareAlignment(sharpness, repair).fit(logits, prior)
    probabilities = [torch.sigmoid(value[:, 1] - value[:, 0]).numpy() for value in logits]
    rates = None if class_shares is None else np.asarray(class_shares, dtype=float)[:, 1]
    if model.fairness_criterion != 'demographic_parity':
        return GroupSharpening(sharpness).fit(probabilities, prior, rates)
    return ScoreAlignment(sharpness, repair).fit(probabilities, prior, rates)
