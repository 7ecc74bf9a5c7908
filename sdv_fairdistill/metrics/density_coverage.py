"""Density and coverage (Naeem, Oh, Uh, Choi & Yoo, ICML 2020), plus precision and recall.

With ``NND_k(x)`` the distance from a real sample ``x`` to its k-th nearest real neighbour
(itself excluded) and ``B(x, r)`` the ball of radius ``r`` around ``x``:

* density  = 1 / (k M) * sum_j sum_i 1[y_j in B(x_i, NND_k(x_i))]   (M synthetic samples y_j)
* coverage = 1 / N     * sum_i 1[exists j: y_j in B(x_i, NND_k(x_i))] (N real samples x_i)

Density is about 1 when the synthetic samples are distributed like the real ones (above 1
when they crowd dense real regions), coverage is the share of real neighbourhoods that some
synthetic sample reaches. Precision and recall (Kynkaanniemi et al. 2019) come from the same
distances and are returned too.

We implement the formula with ``sklearn.neighbors.NearestNeighbors`` rather than depend on
the ``prdc`` package (0.2, last released in 2020), which prints on every call, always uses 8
jobs and builds dense N x M distance matrices. Two deliberate differences with ``prdc``:
the balls are closed (``<=``), because mixed-type tables have many exact duplicate rows,
whose k-th neighbour distance is 0, and a synthetic copy of such a row must count as inside
its ball; and the samples are subsampled to ``max_rows`` for speed (the metrics are means, so
a few thousand rows give them to about a percent).
"""

import numpy as np
from sklearn.neighbors import NearestNeighbors

DEFAULT_K = 5


def _subsample(matrix, max_rows, rng):
    if max_rows is None or len(matrix) <= max_rows:
        return matrix
    return matrix[rng.choice(len(matrix), size=max_rows, replace=False)]


def density_coverage(real, synthetic, k=DEFAULT_K, max_rows=None, random_state=0):
    """Density, coverage, precision and recall of ``synthetic`` against ``real``.

    Args:
        real, synthetic (numpy.ndarray): embeddings, one row per sample (see
            ``metrics._features.TableEmbedding``), in the same space.
        k (int): neighbours defining the balls (5 as in the paper).
        max_rows (int or None): subsample each set to at most this many rows.
        random_state (int): seed of the subsample.

    Returns:
        dict: ``density``, ``coverage``, ``precision``, ``recall`` (floats).
    """
    rng = np.random.default_rng(random_state)
    real = _subsample(np.asarray(real, dtype=np.float64), max_rows, rng)
    synthetic = _subsample(np.asarray(synthetic, dtype=np.float64), max_rows, rng)
    if real.shape[1] != synthetic.shape[1]:
        raise ValueError(
            f'real and synthetic embeddings differ in width ({real.shape[1]} vs '
            f'{synthetic.shape[1]}): embed both with the same fitted TableEmbedding.'
        )
    if min(len(real), len(synthetic)) <= k:
        raise ValueError(
            f'density and coverage need more than k={k} real and synthetic rows, got '
            f'{len(real)} and {len(synthetic)}.'
        )

    # k + 1 neighbours of a real sample among the real ones: the first is itself.
    real_radii = _kth_neighbour_distance(real, k)
    synthetic_radii = _kth_neighbour_distance(synthetic, k)

    # Which real balls contain each synthetic sample: every real point within the largest
    # radius is a candidate, then each candidate is checked against its own radius.
    real_index = NearestNeighbors().fit(real)
    distances, indices = real_index.radius_neighbors(synthetic, radius=real_radii.max())
    inside_counts = np.zeros(len(synthetic))
    covered = np.zeros(len(real), dtype=bool)
    for row, (distance, index) in enumerate(zip(distances, indices)):
        inside = distance <= real_radii[index]
        inside_counts[row] = inside.sum()
        covered[index[inside]] = True

    # Recall: real samples inside some synthetic ball (synthetic k-NN radii).
    nearest_synthetic = NearestNeighbors().fit(synthetic)
    distances, indices = nearest_synthetic.radius_neighbors(real, radius=synthetic_radii.max())
    recalled = np.array([
        bool((distance <= synthetic_radii[index]).any())
        for distance, index in zip(distances, indices)
    ])

    return {
        'density': float(inside_counts.sum() / (k * len(synthetic))),
        'coverage': float(covered.mean()),
        'precision': float((inside_counts > 0).mean()),
        'recall': float(recalled.mean()),
    }


def _kth_neighbour_distance(matrix, k):
    distances, _ = NearestNeighbors(n_neighbors=k + 1).fit(matrix).kneighbors(matrix)
    return distances[:, k]
