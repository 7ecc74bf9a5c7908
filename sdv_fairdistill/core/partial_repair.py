"""What a partial repair (``label_repair`` below 1) leaves each group of its real gap.

Feldman et al.'s partial repair moves each group only part of the way to the groups' common
distribution (``feature_labels``: the quantile functions ``(1 - a) Q_group + a
Q_barycenter``, or a class's shares). The downstream calibration (``calibration``) then aims
each group's selection rate (a number: its mean prediction) at the pooled one plus
``1 - a`` of the group's real gap, measured on the real training rows: ``kept_gaps``.
"""

import numpy as np


def kept_gaps(values, groups, n_groups, repair):
    """Each group's aim above the pooled value, ``(1 - repair) (mean_g - mean)`` of the real
    rows' ``values`` (a two-class label as 0 / 1, or a number), and the variance of that aim
    (of the group's mean: ``(1 - repair)^2 var_g / n_g``; for a 0 / 1 label the binomial
    ``r (1 - r) / n``). A group without rows gets 0 and 0.

    Returns:
        tuple: ``(gaps, variances)``, arrays of ``n_groups``.
    """
    values, groups = np.asarray(values, dtype=float), np.asarray(groups)
    pooled, kept = values.mean(), 1.0 - repair
    gaps, variances = np.zeros(n_groups), np.zeros(n_groups)
    for group in range(n_groups):
        rows = values[groups == group]
        if rows.size:
            gaps[group] = kept * (rows.mean() - pooled)
            variances[group] = kept**2 * rows.var() / rows.size
    return gaps, variances
