"""Gaps between sensitive groups, and the gap a group-blind label or classifier shows by chance.

The fit's diagnostics (``_diagnostics.py``) compare groups with these; the noise functions
say how large a gap the same rows give when the group plays no part, so that ``fit`` does not
warn on noise (docs/method.md, "After the fit").
"""

import numpy as np

#: ``share_gap_noise`` and ``mean_gap_noise``: the gap a group-blind label reaches in this
#: share of ``NOISE_DRAWS`` simulated draws.
NOISE_QUANTILE, NOISE_DRAWS = 0.95, 200


def largest_share_gap(classes, groups, n_classes, keep):
    """The largest difference, over the classes, between two groups of ``keep`` of the share
    of their rows in a class (``classes``: codes ``0 .. n_classes - 1``, one a row)."""
    rates = np.array([
        np.bincount(classes[groups == g], minlength=n_classes) / max((groups == g).sum(), 1)
        for g in keep
    ])
    return float((rates.max(axis=0) - rates.min(axis=0)).max())


def largest_mean_gap(values, groups, keep):
    """The largest difference between two groups' means of ``values`` (missing values left out)."""
    means = [np.nanmean(values[groups == g]) for g in keep]
    return float(max(means) - min(means))


def largest_error_rate_gap(predicted, real_classes, groups, n_classes, keep, true_classes):
    """Largest gap between groups of the share of each predicted class among the rows of a
    true class (for 0/1 labels and both classes: fairlearn's equalized-odds difference)."""
    gaps = []
    for true_class in true_classes:
        rows = real_classes == true_class
        kept = [g for g in keep if np.sum(rows & (groups == g)) > 0]
        if len(kept) > 1:
            gaps.append(largest_share_gap(predicted[rows], groups[rows], n_classes, kept))
    return max(gaps) if gaps else float('nan')


def share_gap_noise(classes, groups, n_classes, keep, seed):
    """The ``largest_share_gap`` that a label blind to the group reaches in ``NOISE_QUANTILE``
    of samples of these groups' sizes (each group's classes drawn from the pooled shares):
    the gap is the largest of many groups' differences, and over hundreds of groups their
    noise alone passes 0.1."""
    rows = np.isin(groups, keep)
    shares = np.bincount(classes[rows], minlength=n_classes) / rows.sum()
    sizes = np.bincount(groups)[keep]
    counts = np.random.default_rng(seed).multinomial(sizes, shares, size=(NOISE_DRAWS, len(keep)))
    rates = counts / sizes[None, :, None]
    gaps = (rates.max(axis=1) - rates.min(axis=1)).max(axis=1)
    return float(np.quantile(gaps, NOISE_QUANTILE))


def mean_gap_noise(values, groups, keep, seed):
    """``share_gap_noise`` of a number's group means (the pooled spread, each group's count)."""
    present = np.isfinite(values) & np.isin(groups, keep)
    spread = float(np.std(values[present]))
    sizes = np.maximum(np.bincount(groups[present], minlength=max(keep) + 1)[keep], 1)
    means = np.random.default_rng(seed).normal(0.0, spread / np.sqrt(sizes),
                                               size=(NOISE_DRAWS, len(keep)))
    return float(np.quantile(np.ptp(means, axis=1), NOISE_QUANTILE))
