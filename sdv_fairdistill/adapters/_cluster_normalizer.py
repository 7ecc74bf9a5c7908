"""RDT's ``ClusterBasedNormalizer`` with the mode of every row drawn at once.

RDT draws each row's mode with its own ``np.random.choice`` call in a Python loop: about
20 microseconds a row and column, most of the encoding time of a table (Adult: seconds; a
million rows: minutes). Here the modes are drawn by inverse CDF for all rows in one
vectorised step, with the arithmetic of ``np.random.choice`` (normalised probabilities with
RDT's ``1e-6`` floor, their cumulative sum divided by its last value, one uniform number per
row, a right-sided search) and from the same global NumPy stream that RDT's ``random_state``
wrapper seeds: the same modes as RDT's loop draws (tested), in about a fifteenth of the time.
"""

import numpy as np
from rdt.transformers import ClusterBasedNormalizer


def draw_components(probabilities, uniform):
    """Index of the component of each row: inverse CDF of ``probabilities`` (rows) at
    ``uniform`` (one number in [0, 1) per row), as ``np.random.choice(p=...)`` computes it."""
    probabilities = probabilities + 1e-6
    probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)
    cumulative = np.cumsum(probabilities, axis=1)
    cumulative /= cumulative[:, -1:]
    return (uniform[:, None] >= cumulative).sum(axis=1)


class VectorisedClusterBasedNormalizer(ClusterBasedNormalizer):
    """``ClusterBasedNormalizer`` whose ``transform`` draws every row's mode at once."""

    def _transform(self, data):
        data = super(ClusterBasedNormalizer, self)._transform(data)  # FloatFormatter's
        if data.ndim > 1:
            data, model_missing_values = data[:, 0], data[:, 1]
        data = data.reshape((len(data), 1))
        valid = self.valid_component_indicator
        means = self._bgm_transformer.means_.reshape((1, self.max_clusters))[:, valid]
        stds = np.sqrt(self._bgm_transformer.covariances_).reshape((1, self.max_clusters))
        stds = stds[:, valid]
        normalized_values = (data - means) / (self.STD_MULTIPLIER * stds)
        probabilities = self._bgm_transformer.predict_proba(data)[:, valid]
        selected = draw_components(probabilities, np.random.random(len(data)))
        normalized = np.clip(normalized_values[np.arange(len(data)), selected], -0.99, 0.99)
        rows = [normalized, selected]
        if self.null_transformer and self.null_transformer.models_missing_values():
            rows.append(model_missing_values)
        return np.stack(rows, axis=1)
