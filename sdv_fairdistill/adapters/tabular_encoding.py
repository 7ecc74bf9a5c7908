"""Mixed-type table <-> float matrix with known spans, built from RDT transformers.

Categorical and boolean columns (missing values included, as their own category) become
one-hots through RDT's ``OneHotEncoder``. Numerical columns use RDT's
``ClusterBasedNormalizer`` (mode-specific normalisation, as CTGAN and TVAE): a scalar within
the chosen mode plus a one-hot of the mode. Every column maps to one or two spans, so the
decoder knows which outputs form a softmax and which a Gaussian.
"""

import numpy as np
import pandas as pd
from rdt.transformers import ClusterBasedNormalizer, OneHotEncoder

from sdv_fairdistill.core.spans import CATEGORICAL, CONTINUOUS, Span


def is_discrete(series, max_numeric_levels=0):
    """Whether a column is encoded as categories (not numbers)."""
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        return True
    return series.nunique(dropna=False) <= max_numeric_levels


class TableEncoder:
    """Encode some columns of a table into a float matrix with spans, and decode back.

    Args:
        max_clusters (int): modes tried per numerical column.
        discrete_columns (iterable[str]): columns to one-hot even when numeric.
        max_fit_rows (int): rows (a random subset) used to find the modes of a column.
        random_state (int): seed of that subset.
    """

    def __init__(self, max_clusters=10, discrete_columns=(), max_fit_rows=5000, random_state=0):
        self.max_clusters = max_clusters
        self.discrete_columns = set(discrete_columns)
        self.max_fit_rows = max_fit_rows
        self.random_state = random_state

    def fit(self, data):
        self.columns_ = list(data.columns)
        self.dtypes_ = data.dtypes
        self._plans = []
        self.spans = []
        for column in self.columns_:
            series = data[[column]]
            if column in self.discrete_columns or is_discrete(data[column]):
                encoder = OneHotEncoder()
                encoder.fit(series, column)
                width = len(encoder.get_output_sdtypes())
                self._plans.append(('categorical', column, encoder, None))
                self.spans.append(Span(width, CATEGORICAL, column))
            else:
                normalizer = ClusterBasedNormalizer(
                    max_clusters=min(self.max_clusters, max(1, data[column].nunique())),
                    weight_threshold=0.005,
                    missing_value_generation='from_column'
                    if data[column].isna().any()
                    else None,
                )
                # The modes of a column are found as well on a few thousand rows, and the
                # Bayesian mixture behind them is the slowest step of preprocessing.
                if len(series) > self.max_fit_rows:
                    series = series.sample(self.max_fit_rows, random_state=self.random_state)
                normalizer.fit(series, column)
                n_modes = int(np.sum(normalizer.valid_component_indicator))
                component_encoder = OneHotEncoder()
                component_encoder.fit(
                    pd.DataFrame({f'{column}.component': np.arange(n_modes, dtype=float)}),
                    f'{column}.component',
                )
                width = len(component_encoder.get_output_sdtypes())
                self._plans.append(('numerical', column, normalizer, component_encoder))
                self.spans.append(Span(1, CONTINUOUS, column))
                self.spans.append(Span(width, CATEGORICAL, f'{column}.component'))
                if normalizer.missing_value_generation == 'from_column':
                    self.spans.append(Span(2, CATEGORICAL, f'{column}.is_null'))
        return self

    @property
    def width(self):
        return sum(span.width for span in self.spans)

    def transform(self, data):
        blocks = []
        for kind, column, transformer, component_encoder in self._plans:
            series = data[[column]]
            if kind == 'categorical':
                blocks.append(transformer.transform(series).to_numpy(dtype=np.float32))
                continue
            normalized = transformer.transform(series)
            blocks.append(normalized[[f'{column}.normalized']].to_numpy(dtype=np.float32))
            components = component_encoder.transform(normalized[[f'{column}.component']])
            blocks.append(components.to_numpy(dtype=np.float32))
            if f'{column}.is_null' in normalized:
                is_null = normalized[f'{column}.is_null'].to_numpy().astype(int)
                blocks.append(np.eye(2, dtype=np.float32)[is_null])
        if not blocks:
            return np.zeros((len(data), 0), dtype=np.float32)
        return np.concatenate(blocks, axis=1)

    def reverse_transform(self, matrix):
        matrix = np.asarray(matrix, dtype=np.float64)
        output = {}
        start = 0

        def take(width):
            nonlocal start
            block = matrix[:, start : start + width]
            start += width
            return block

        for kind, column, transformer, component_encoder in self._plans:
            if kind == 'categorical':
                block = take(len(transformer.get_output_sdtypes()))
                frame = pd.DataFrame(block, columns=list(transformer.get_output_sdtypes()))
                output[column] = transformer.reverse_transform(frame)[column].to_numpy()
                continue
            normalized = np.clip(take(1)[:, 0], -1, 1)
            block = take(len(component_encoder.get_output_sdtypes()))
            frame = pd.DataFrame(block, columns=list(component_encoder.get_output_sdtypes()))
            components = component_encoder.reverse_transform(frame)[f'{column}.component']
            frame = pd.DataFrame({
                f'{column}.normalized': normalized,
                f'{column}.component': components.to_numpy(),
            })
            if transformer.missing_value_generation == 'from_column':
                frame[f'{column}.is_null'] = take(2).argmax(axis=1).astype(float)
            output[column] = transformer.reverse_transform(frame)[column].to_numpy()
        return pd.DataFrame(output, columns=self.columns_)
