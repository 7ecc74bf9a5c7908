"""The latent density used for generation: a Gaussian mixture with ``p(s | component)``.

A VAE's aggregate posterior is not ``N(0, I)``, so generation draws from a Gaussian mixture
fitted on the encoded training latents (components chosen by BIC). Each component also keeps
the distribution of the sensitive groups among the training rows it explains, so that ``s``
is drawn from ``p(s | z)`` and not independently of ``z``: when the latent is fair those
distributions equal the marginal ``p(s)``; when it is not (``fairness_weight=0``) the bias is
reproduced rather than hidden. Conditioning on ``s`` is native: ``p(component | s)`` by Bayes.
"""

import numpy as np
from sklearn.mixture import GaussianMixture


class GroupedGaussianMixture:
    """Gaussian mixture over latents, with a categorical sensitive group per component.

    Args:
        max_components (int): largest number of components tried.
        max_rows (int): rows used to fit (a random subset of the latents when larger).
        random_state (int): seed for the fit.
    """

    def __init__(self, max_components=16, max_rows=20000, random_state=0):
        self.max_components = max_components
        self.max_rows = max_rows
        self.random_state = random_state

    def fit(self, latents, groups, n_groups):
        rng = np.random.RandomState(self.random_state)
        if len(latents) > self.max_rows:
            keep = rng.choice(len(latents), self.max_rows, replace=False)
            latents, groups = latents[keep], groups[keep]

        selection = latents[rng.choice(len(latents), min(len(latents), 5000), replace=False)]
        candidates = sorted({c for c in (1, 2, 4, 8, 12, 16, 24, 32) if c <= self.max_components})
        candidates = [c for c in candidates if c <= max(1, len(selection) // 20)] or [1]
        scores = {}
        for n_components in candidates:
            mixture = GaussianMixture(n_components, random_state=self.random_state, reg_covar=1e-4)
            scores[n_components] = mixture.fit(selection).bic(selection)
        self.n_components_ = min(scores, key=scores.get)

        self.mixture_ = GaussianMixture(
            self.n_components_, random_state=self.random_state, reg_covar=1e-4
        ).fit(latents)
        responsibilities = self.mixture_.predict_proba(latents)
        counts = responsibilities.T @ np.eye(n_groups)[groups]
        # A small prior keeps every group possible in every component.
        counts += 1e-3 * np.bincount(groups, minlength=n_groups) / len(groups)
        self.group_given_component_ = counts / counts.sum(axis=1, keepdims=True)
        self.n_groups_ = n_groups
        return self

    def sample(self, num_rows, rng, groups=None):
        """Draw latents and groups; ``groups`` (an int array) fixes the group of each row.

        Returns:
            tuple[np.ndarray, np.ndarray]: latents ``(num_rows, m)`` and groups ``(num_rows,)``.
        """
        weights = self.mixture_.weights_
        if groups is None:
            components = rng.choice(len(weights), size=num_rows, p=weights)
            cumulative = self.group_given_component_[components].cumsum(axis=1)
            draws = rng.random_sample((num_rows, 1))
            groups = np.minimum((draws > cumulative).sum(axis=1), self.n_groups_ - 1)
        else:
            groups = np.asarray(groups, dtype=int)
            joint = weights[:, None] * self.group_given_component_  # (K, G)
            component_given_group = joint / joint.sum(axis=0, keepdims=True)
            components = np.empty(num_rows, dtype=int)
            for group in np.unique(groups):
                rows = np.flatnonzero(groups == group)
                components[rows] = rng.choice(
                    len(weights), size=len(rows), p=component_given_group[:, group]
                )

        means = self.mixture_.means_[components]
        cholesky = np.linalg.cholesky(self.mixture_.covariances_)[components]
        noise = rng.standard_normal(means.shape)
        latents = means + np.einsum('nij,nj->ni', cholesky, noise)
        return latents.astype(np.float32), groups
