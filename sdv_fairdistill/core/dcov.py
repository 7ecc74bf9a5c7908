"""Squared sample distance covariance (Szekely, Rizzo & Bakirov 2007), in torch.

``dcov2(x, y)`` is zero when the batch of ``x`` and the batch of ``y`` are independent (in the
population), works for vector-valued ``x`` and ``y`` and is differentiable, so it serves as
the fairness penalty between latents and one-hot sensitive attributes.
"""

import torch


def _double_centered_distances(x):
    distances = torch.cdist(x, x)
    return (
        distances
        - distances.mean(dim=0, keepdim=True)
        - distances.mean(dim=1, keepdim=True)
        + distances.mean()
    )


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
    return (_double_centered_distances(x) * _double_centered_distances(y)).mean()


def dcor2(x, y, eps=1e-12):
    """Squared sample distance correlation: ``dcov2(x, y) / sqrt(dcov2(x, x) dcov2(y, y))``.

    Unlike ``dcov2`` it does not shrink when ``x`` is scaled down, so an encoder cannot lower
    it by shrinking its latent.
    """
    x = x.reshape(x.shape[0], -1).float()
    y = y.reshape(y.shape[0], -1).float()
    a = _double_centered_distances(x)
    b = _double_centered_distances(y)
    return (a * b).mean() / torch.sqrt((a * a).mean() * (b * b).mean() + eps)
