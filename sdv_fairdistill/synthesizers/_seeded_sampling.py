"""A fitted synthesizer's sampling sequence, seeded by its ``seed``.

SDV starts every synthesizer's sampling from one fixed number (``FIXED_RNG_SEED``) after
``fit`` and ``reset_sampling``, so fits with different seeds drew their rows' groups and
labels with the same random numbers (docs/method.md, Stage 3). With a seed, the sequence is
the fit's own, on a stream apart from those the fit itself used (calibration and
diagnostics draw with ``seed + k``). Without one, SDV's fixed start stays.
"""

import numpy as np


def sampling_seed(seed):
    """The first sampling's seed for a fit seeded with ``seed``."""
    return int(np.random.SeedSequence([seed, 1]).generate_state(1)[0])


class SeededSamplingMixin:
    """``reset_sampling`` and the end of ``fit`` start sampling from ``sampling_seed``."""

    def _seed_sampling(self):
        if self.seed is not None:
            self._set_random_state(sampling_seed(self.seed))

    def reset_sampling(self):
        super().reset_sampling()
        if self._fitted:
            self._seed_sampling()
