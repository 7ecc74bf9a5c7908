"""Downstream calibration: per-group offsets on the generated label's log-odds, so that a
classifier trained on generated rows selects the same share of every real group.

Why: the penalty makes the generated label (nearly) independent of the group, but equal label
rates are not equal selection rates of a thresholding classifier. A classifier trained on the
generated table learns ``p(y | x, s)``; where the features ``x`` tell less about the fair latent
in one group than in another, that probability is blurred differently in each group, and so
are the shares of rows above the threshold (COMPAS, seed 0: label gap 0.010 in the generated
table, yet a classifier trained and tested on it selected the groups 0.085 apart).

How (after training, two-class target, demographic parity): sample a table, train a
gradient-boosting classifier on it (features and group -> label), and compute its log-odds on
the real training rows. For each group ``g`` the shift ``d_g`` that gives ``g``'s real rows
the pooled selection rate is a quantile of its log-odds (the group-specific threshold of
Hardt et al.'s post-processing, moved into the data). It is added to the log-odds of group
``g``'s generated labels, and the classifier is trained again on a new sample: a classifier
responds to a shift of the labels' log-odds by at most that shift (the log-odds of a mixture of
shifted logistic curves moves by less than the shift), so a second round measures what is
left. Groups with few real rows get a shrunken offset (``n / (n + SHRINK_ROWS)``).

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
from sklearn.ensemble import HistGradientBoostingClassifier

from sdv_fairdistill.core import spans as span_ops

ROUND_WEIGHTS = (1.0, 0.5)  # how much of each round's mean shift is added
MAX_ROWS = 50_000  # real training rows measured, at most
#: Rows of a generated table, at most: above some ten thousand rows a classifier's gap hardly
#: depends on the size any more, and the classifiers are most of the calibration's time.
MAX_TABLE_ROWS = 25_000
ROWS_PER_ROUND = 40_000  # generated rows per round: as many tables as that takes...
MIN_TABLES, MAX_TABLES = 3, 8  # ...within these bounds
MIN_GROUP_ROWS = 10  # real rows a group needs to get an offset at all
#: A group's offset is scaled by n / (n + SHRINK_ROWS) (n: its real training rows). The gap
#: measured on n training rows is uncertain by about sqrt(r (1 - r) / n) from the rows alone,
#: and a little larger than on new people, since the generator reproduces its training rows'
#: (biased) labels in part (COMPAS: +0.015 on average); on COMPAS's 1,500-2,200 rows a group
#: that is as much as the gaps to remove. Measured: with 50, COMPAS's downstream DP rose from
#: 0.032 to 0.058 (curated, 5 seeds), while Adult's (11,000-23,000 rows a group) fell.
SHRINK_ROWS = 2000
MAX_OFFSET = 4.0  # log-odds; a larger shift would mean the classifier ignores the label


def calibratable(spans, fairness_criterion):
    """Whether the calibration applies: one two-class target under demographic parity."""
    return (
        fairness_criterion == 'demographic_parity'
        and len(spans) == 1
        and spans[0].kind == span_ops.CATEGORICAL
        and spans[0].width == 2
    )


def selection_offsets(log_odds, groups, n_groups):
    """Per-group shifts of ``log_odds`` that give every group the pooled selection rate."""
    pooled_rate = float(np.mean(log_odds > 0))
    offsets = np.zeros(n_groups)
    for group in range(n_groups):
        values = log_odds[groups == group]
        if len(values) < MIN_GROUP_ROWS:
            continue
        # The shift that leaves a share ``pooled_rate`` of the group's rows above zero: minus
        # the (1 - rate) quantile of its log-odds (between two order statistics).
        threshold = np.quantile(values, 1.0 - pooled_rate)
        shrink = len(values) / (len(values) + SHRINK_ROWS)
        offsets[group] = -threshold * shrink
    return offsets


def draw_seed(seed, draw):
    """The seed of table ``draw``: inside NumPy's range (a user's seed may be 2**32 - 1)."""
    return (seed + draw) % 2**32


def tables_per_round(table_rows):
    """How many generated tables of ``table_rows`` rows a round trains classifiers on."""
    return int(np.clip(np.ceil(ROWS_PER_ROUND / max(table_rows, 1)), MIN_TABLES, MAX_TABLES))


def fit_offsets(sample, real_matrix, real_groups, n_groups, categorical, seed, tables):
    """The per-group log-odds offsets of a generated two-class label (``np.ndarray``).

    Each round trains ``tables`` classifiers, each on its own generated table, and averages
    their per-group shifts: one classifier's selection-rate gap moves by a few hundredths
    from table to table (COMPAS: 0.03 to 0.08 standard deviation at its 3,694 training rows),
    as much as the gap to remove. The first round's mean shift is taken whole (a classifier
    follows a shift of the labels' log-odds almost one for one); the second, measured with
    it, is added at half weight, so that its own table-to-table noise is halved.

    Args:
        sample (callable): ``sample(offsets, draw)`` -> ``(matrix, labels)``: a generated
            table's classifier matrix and its labels (1 for the second class of the target's
            one-hot), generated with ``offsets``; ``draw`` numbers the tables (a seed).
        real_matrix (np.ndarray): the real training rows' classifier matrix.
        real_groups (np.ndarray[int]): their groups.
        n_groups (int): number of groups.
        categorical (np.ndarray[bool]): which columns of the matrices are categorical codes.
        seed (int): seeds the classifiers.
        tables (int): generated tables (and classifiers) per round.
    """
    offsets = np.zeros(n_groups)
    for round_, weight in enumerate(ROUND_WEIGHTS):
        shifts = []
        for index in range(tables):
            draw = round_ * tables + index
            matrix, labels = sample(offsets, draw)
            if np.unique(labels).size < 2:
                continue  # nothing to classify
            classifier = HistGradientBoostingClassifier(
                categorical_features=categorical, random_state=draw_seed(seed, draw)
            )
            classifier.fit(matrix, labels)
            log_odds = classifier.decision_function(real_matrix)
            shifts.append(selection_offsets(log_odds, real_groups, n_groups))
        if not shifts:
            break
        offsets = np.clip(offsets + weight * np.mean(shifts, axis=0), -MAX_OFFSET, MAX_OFFSET)
    return offsets


def apply_offsets(output, offsets, groups):
    """The target head's two logits ``(n, 2)`` of rows of ``groups``, with each group's offset
    added to the second class's log-odds."""
    shift = offsets[torch.as_tensor(np.asarray(groups), dtype=torch.long)]
    return torch.stack([output[:, 0], output[:, 1] + shift], dim=1)
