"""Squared sample distance covariance (Szekely, Rizzo & Bakirov 2007), in torch.

``dcov2(x, y)`` is zero when the batch of ``x`` and the batch of ``y`` are independent (in the
population), works for vector-valued ``x`` and ``y`` and is differentiable, so it serves as
the fairness penalty between latents and one-hot sensitive attributes.
"""

import torch


def _double_center(distances):
    return (
        distances
        - distances.mean(dim=0, keepdim=True)
        - distances.mean(dim=1, keepdim=True)
        + distances.mean()
    )


def double_centered_distances(x):
    """Pairwise Euclidean distances of the rows of ``x``, double-centred (the ``A`` of dCov)."""
    x = x.reshape(x.shape[0], -1).float()
    return _double_center(torch.cdist(x, x))


def double_centered_one_hot_distances(one_hot):
    """``double_centered_distances`` of one-hot rows, without ``cdist``.

    Two one-hot rows are ``sqrt(2)`` apart when their groups differ and 0 apart otherwise, so
    the distances are a matrix product: a fifth of the cost, paid on every training step.
    """
    return _double_center((1.0 - one_hot @ one_hot.T) * (2.0**0.5))


def dcov2(x, y):
    """Squared sample distance covariance ``mean(A * B)`` (the V-statistic).

    Args:
        x (torch.Tensor): shape ``(n, p)``.
        y (torch.Tensor): shape ``(n, q)``.

    Returns:
        torch.Tensor: a scalar, equal to ``dcor.distance_covariance_sqr(x, y)``.
    """
    if x.shape[0] != y.shape[0]:
        raise ValueError(f'dcov2 needs as many rows in x ({x.shape[0]}) as in y ({y.shape[0]}).')
    x = x.reshape(x.shape[0], -1).float()
    y = y.reshape(y.shape[0], -1).float()
    return (double_centered_distances(x) * double_centered_distances(y)).mean()


def dcov2_centered(x, y_centered):
    """``dcov2(x, y)`` from ``y``'s precomputed ``double_centered_distances``.

    Because ``y_centered`` has zero row and column means, ``mean(A * B)`` equals
    ``mean(D * B)`` with ``D`` the raw distances of ``x``: the penalty skips centring ``x``
    and, when several terms share one ``y`` (the sensitive groups of a batch), ``y``'s
    distances are computed once. Half the cost of ``dcov2`` with its gradient.
    """
    if x.shape[0] != y_centered.shape[0]:
        raise ValueError(
            f'dcov2 needs as many rows in x ({x.shape[0]}) as y had ({y_centered.shape[0]}).'
        )
    x = x.reshape(x.shape[0], -1).float()
    return (torch.cdist(x, x) * y_centered).mean()

