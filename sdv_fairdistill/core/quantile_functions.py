"""Quantile functions of probabilities, kept on one grid of [0, 1]: their integrals (a mean
over an interval of ranks) and their log-odds sharpened or moved to a given mean. The label
drawn from the features maps each group's scores through them (``core/feature_labels.py``)."""

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit, logit

#: The barycenter's quantile function is kept on this many points of [0, 1].
GRID = np.linspace(0.0, 1.0, 2049)
#: Aligned probabilities are kept this far from 0 and 1 before their logit is taken.
EPSILON = 1e-6


def trapezoids(quantiles):
    """The integral of a quantile function over each step of ``GRID`` (trapezoid rule)."""
    return np.diff(GRID) * (quantiles[1:] + quantiles[:-1]) / 2


def integral(quantiles):
    """The integral of a quantile function from 0 to each point of ``GRID``."""
    return np.concatenate([[0.0], np.cumsum(trapezoids(quantiles))])


def grid_mean(quantiles):
    return float(np.sum(trapezoids(quantiles)))


def sharpened(quantiles, sharpness, mean=None):
    """The quantile function ``sigmoid(sharpness * logit(q) + shift)`` of probabilities,
    ``shift`` chosen so that its mean (over ``GRID``) is ``mean`` (kept within ``EPSILON``
    of 0 and 1), or None: that of ``quantiles``."""
    if mean is None:
        mean = grid_mean(quantiles)
        if sharpness == 1.0 or not EPSILON < mean < 1 - EPSILON:  # one class: nothing to do
            return quantiles
    mean = float(np.clip(mean, EPSILON, 1 - EPSILON))
    log_odds = logit(np.clip(quantiles, EPSILON, 1 - EPSILON))
    bound = sharpness * np.abs(log_odds).max() + 50.0  # beyond it every probability is 0 or 1
    shift = brentq(lambda b: grid_mean(expit(sharpness * log_odds + b)) - mean, -bound, bound)
    return expit(sharpness * log_odds + shift)
