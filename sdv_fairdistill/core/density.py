"""The latent density used for generation: one Gaussian mixture per sensitive group.

A VAE's aggregate posterior is not ``N(0, I)``, so generation draws from Gaussian mixtures
fitted on draws of the encoded training latents (components chosen by BIC). Fitting one
mixture per sensitive group gives ``p(z | s)``: the group is drawn first (from its training
frequency, or fixed by a condition), then the latent from that group's mixture. When the
latent is fair the mixtures agree and ``z`` is independent of ``s``; when it is not
(``fairness_weight=0``) the bias is reproduced rather than hidden. (A single mixture with
``p(s | component)`` was measured first: its components blur the dependence, so even the
unpenalised model came out fair on Adult, which hides what the penalty does.)
"""

import numpy as np
from sklearn.mixture import GaussianMixture

_CANDIDATES = (1, 2, 4, 8, 16, 32)

#: A group with fewer rows gets one Gaussian at its mean with the pooled within-group
#: covariance: a mixture needs two rows at least, and a full covariance fitted on a handful
#: of latents is mostly noise.
MIN_MIXTURE_ROWS = 50


class _PooledGaussian:
    """One Gaussian, in the attributes ``GaussianMixture`` samples from."""

    n_components = 1

    def __init__(self, mean, covariance):
        self.weights_ = np.ones(1)
        self.means_ = mean[None, :]
        self.covariances_ = covariance[None, :, :]


def _fit_mixture(latents, max_components, random_state):
    """A Gaussian mixture whose number of components minimises BIC on a subset."""
    rng = np.random.RandomState(random_state)
    # BIC on a subset: choosing the size is the slow part, and 2,000 rows decide it.
    selection = latents[rng.choice(len(latents), min(len(latents), 2000), replace=False)]
    # At least 20 rows per component, so small groups get simple mixtures.
    candidates = [c for c in _CANDIDATES if c <= max_components and c <= len(selection) // 20]
    best, best_score = 1, np.inf
    for n_components in candidates or [1]:
        mixture = GaussianMixture(n_components, random_state=random_state, reg_covar=1e-4)
        score = mixture.fit(selection).bic(selection)
        if score >= best_score:
            # BIC is U-shaped in the size: once it rises, larger (and far slower: seconds for
            # 16 full-covariance components) mixtures only score worse.
            break
        best, best_score = n_components, score
    return GaussianMixture(best, random_state=random_state, reg_covar=1e-4).fit(latents)


def _pooled_covariance(latents, groups, n_groups):
    """Covariance of the latents around their group's mean (regularised like the mixtures)."""
    means = np.zeros((n_groups, latents.shape[1]))
    np.add.at(means, groups, latents)
    means /= np.maximum(np.bincount(groups, minlength=n_groups), 1)[:, None]
    centred = latents - means[groups]
    covariance = centred.T @ centred / max(len(latents) - n_groups, 1)
    return covariance + 1e-4 * np.eye(latents.shape[1])


class GroupedGaussianMixture:
    """One Gaussian mixture over latents per sensitive group, and the groups' frequencies.

    Args:
        max_components (int): largest number of components tried per group.
        max_rows (int): rows per group used to fit (a random subset when larger).
        random_state (int): seed for the fit.
    """

    def __init__(self, max_components=16, max_rows=10000, random_state=0):
        self.max_components = max_components
        self.max_rows = max_rows
        self.random_state = random_state

    def fit(self, latents, groups, n_groups):
        rng = np.random.RandomState(self.random_state)
        groups = np.asarray(groups, dtype=int)
        counts = np.bincount(groups, minlength=n_groups)
        if (counts == 0).any():
            raise ValueError(f'Groups {np.flatnonzero(counts == 0).tolist()} have no rows.')
        self.group_prior_ = counts / counts.sum()
        self.mixtures_ = []
        pooled = None
        for group in range(n_groups):
            rows = np.flatnonzero(groups == group)
            if len(rows) < MIN_MIXTURE_ROWS:
                if pooled is None:
                    pooled = _pooled_covariance(latents, groups, n_groups)
                self.mixtures_.append(_PooledGaussian(latents[rows].mean(axis=0), pooled))
                continue
            if len(rows) > self.max_rows:
                rows = rng.choice(rows, self.max_rows, replace=False)
            self.mixtures_.append(_fit_mixture(latents[rows], self.max_components, self.random_state))
        self.n_groups_ = n_groups
        return self

    @property
    def n_components_(self):
        return [mixture.n_components for mixture in self.mixtures_]

    def sample(self, num_rows, rng, groups=None):
        """Draw groups and latents; ``groups`` (an int array) fixes the group of each row.

        Returns:
            tuple[np.ndarray, np.ndarray]: latents ``(num_rows, m)`` and groups ``(num_rows,)``.
        """
        if groups is None:
            groups = rng.choice(self.n_groups_, size=num_rows, p=self.group_prior_)
        groups = np.asarray(groups, dtype=int)
        latents = np.empty((num_rows, self.mixtures_[0].means_.shape[1]), dtype=np.float32)
        for group in np.unique(groups):
            rows = np.flatnonzero(groups == group)
            mixture = self.mixtures_[group]
            components = rng.choice(len(mixture.weights_), size=len(rows), p=mixture.weights_)
            noise = rng.standard_normal((len(rows), latents.shape[1]))
            for component in np.unique(components):
                members = components == component
                cholesky = np.linalg.cholesky(mixture.covariances_[component])
                latents[rows[members]] = mixture.means_[component] + noise[members] @ cholesky.T
        return latents, groups
