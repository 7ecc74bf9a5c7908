"""Mixed-type table <-> float matrix with known spans, built from RDT transformers.

How a column is encoded follows its kind (from the metadata's sdtype, not the pandas dtype: a
categorical column of integer codes is still categorical):

- ``'categorical'``: a one-hot through RDT's ``OneHotEncoder`` (missing values are a category
  of their own), so only values of the real column can come out.
- ``'ordinal'``: ordered discrete values. With at most ``max_one_hot_levels`` levels a one-hot
  as above (exact values, any shape of distribution); with more, the rank of the value in its
  order, modelled as a number and rounded back to the nearest rank, so again only real values
  come out.
- ``'numerical'``: RDT's ``ClusterBasedNormalizer`` (mode-specific normalisation, as CTGAN and
  TVAE; its modes drawn vectorised, ``_cluster_normalizer.py``): a scalar within the chosen
  mode plus a one-hot of the mode, and a null indicator when the column has missing values.
  A point mass (a value at least ``spike_share`` of the rows hold, ``SPIKE_RATIO`` times as
  many as its neighbours: the zeros of a capital gain, a standard 40-hour week) is a mode of
  its own that decodes to exactly that value, as CTAB-GAN's mixed-type encoding does; its
  rows are left out of the scalar's loss. In a Gaussian mode the decoder's noise blurs a
  spike into made-up values near it (docs/method.md, "Spikes"). The ranks of a long ordinal
  column get spikes the same way (a level of 5 % of the rows comes back exactly); values SDV
  filled in for missing numbers (``filled_flags``) are not counted as one.

Every column maps to one to three spans, so the decoder knows which outputs form a softmax
and which a Gaussian.
"""

from contextlib import contextmanager

import numpy as np
import pandas as pd
from rdt.transformers import OneHotEncoder
from rdt.transformers.utils import try_convert_to_dtype

from sdv_fairdistill.adapters._cluster_normalizer import VectorisedClusterBasedNormalizer
from sdv_fairdistill.core.spans import CATEGORICAL, CONTINUOUS, Span

KINDS = ('categorical', 'ordinal', 'numerical')


def reverse_one_hot(encoder, block):
    """The column RDT's ``encoder.reverse_transform`` returns for the one-hot ``block``.

    RDT maps each row's argmax to its category with a Python call per row (``Series.map``), a
    quarter of ``sample``'s time on Adult; a lookup into the categories array gives the same
    values. ``infer_objects`` stands for the dtype inference of that ``map``, and RDT's own
    cast then restores the column's dtype, so dtypes and missing values are RDT's.
    """
    categories = pd.Series(encoder.dummies, dtype=object).to_numpy()
    values = pd.Series(categories[np.argmax(block, axis=1)]).infer_objects()
    return try_convert_to_dtype(values, encoder.dtype)


@contextmanager
def seeded_transforms(transformers, seed):
    """Run RDT ``transform``s from a seeded state (some sample, e.g. the mode of a value),
    then give each transformer its own state back, so sampling is not disturbed."""
    saved = [(t, t.random_states['transform']) for t in transformers
             if isinstance(getattr(t, 'random_states', None), dict)]
    for transformer, _ in saved:
        transformer.random_states['transform'] = np.random.RandomState(seed)
    try:
        yield
    finally:
        for transformer, state in saved:
            transformer.random_states['transform'] = state


def kind_from_dtype(series):
    """The kind of a column that has no sdtype (e.g. one a constraint created)."""
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        return 'categorical'
    return 'numerical'


def ordered_levels(series, order=None):
    """The distinct non-missing values of ``series`` in their order.

    Numbers are ordered by value (SDV's detection lists an integer column's values in the
    order they appear, which is no order). Other values follow ``order`` (an ordinal column's
    ``range_values`` in SDV metadata), then the values it does not list, sorted as text.
    """
    values = list(pd.unique(series.dropna()))
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return sorted(values)
    order = list(order or [])
    present = set(values)
    listed = [value for value in order if value in present]
    rest = sorted((value for value in values if value not in set(order)), key=str)
    return listed + rest


class _Ranks:
    """An ordinal column <-> the rank of each value in its order (missing stays missing)."""

    def __init__(self, levels):
        self.levels = list(levels)
        self._rank = {value: rank for rank, value in enumerate(self.levels)}

    def to_ranks(self, series):
        return series.map(self._rank).astype(float)

    def from_ranks(self, ranks, dtype):
        ranks = np.asarray(ranks, dtype=float)
        missing = np.isnan(ranks)
        index = np.clip(np.rint(np.where(missing, 0, ranks)), 0, len(self.levels) - 1).astype(int)
        values = pd.Series(np.asarray(self.levels, dtype=object)[index])
        values[missing] = np.nan
        if not missing.any():
            values = values.astype(dtype)
        return values.to_numpy()


#: A numerical value held by at least this share of a column's non-missing rows is a spike...
SPIKE_SHARE = 0.05
#: ...if it also holds this many times the median share of its nearest values (two on each
#: side): a point mass, not the peak of a smooth count. The Gaussian modes around a spike
#: still generate its value now and then, on top of the spike's own share; next to a point
#: mass that is little, inside a smooth peak (an age held by as many rows as the ages
#: around it) it would nearly double the value's share.
SPIKE_RATIO = 3


class _Spikes:
    """The spike values of a numerical column <-> extra modes after the Gaussian ones."""

    def __init__(self, values, first_mode):
        self.values = list(values)
        self.first_mode = first_mode
        self._index = pd.Index(self.values)

    @classmethod
    def find(cls, series, share=SPIKE_SHARE, ratio=SPIKE_RATIO):
        """The values of ``series`` held by at least ``share`` of its non-missing rows and
        ``ratio`` times the median share of their nearest values, most frequent first;
        none where the other values would leave fewer than two distinct values for the
        Gaussian modes (such a column is all spikes: the plain modes fit it)."""
        by_share = series.dropna().value_counts(normalize=True)
        if len(by_share) < 3:  # a spike needs two other values left (and neighbours)
            return []
        shares = by_share.sort_index()
        values, held = shares.index, shares.to_numpy()
        spikes = {
            values[i] for i in np.flatnonzero(held >= share)
            if held[i] >= ratio * np.median(np.r_[held[max(i - 2, 0) : i], held[i + 1 : i + 3]])
        }
        if len(values) - len(spikes) < 2:
            return []
        return [value for value in by_share.index if value in spikes]

    def positions(self, values):
        """Each value's spike number, -1 for a value that is no spike (missing included)."""
        return self._index.get_indexer(pd.Series(values).to_numpy())

    def encode(self, normalized, components, values):
        """A spike row's mode becomes its spike's and its scalar 0 (no spread to learn)."""
        spike = self.positions(values)
        at = spike >= 0
        components[at] = self.first_mode + spike[at]
        normalized[at] = 0.0
        return normalized, components

    def split(self, components):
        """Decoded modes -> (the Gaussian mode to reverse, each row's spike number or -1)."""
        components = np.asarray(components, dtype=float).astype(int)
        spike = np.where(components >= self.first_mode, components - self.first_mode, -1)
        return np.where(spike >= 0, 0, components), spike

    def decode(self, values, spike):
        """Put each spike row's exact value back (a row decoded as missing stays missing)."""
        values = np.array(values, copy=True)
        at = (spike >= 0) & ~pd.isna(values)
        values[at] = np.asarray(self.values, dtype=object)[spike[at]]
        return values


def _numerical_extra(extra):
    """A numerical plan's ``(ranks, dtype, spikes)``; an encoder saved before spikes existed
    holds ``(ranks, dtype)``."""
    return (*extra, None)[:3]


class TableEncoder:
    """Encode some columns of a table into a float matrix with spans, and decode back.

    Args:
        column_kinds (dict[str, str]): the kind of each column, one of ``KINDS``; columns it
            does not name are 'categorical' unless numeric. Defaults to no kinds.
        ordinal_orders (dict[str, list]): the order of ordinal columns' values (values it does
            not list are sorted after it). Defaults to sorting every ordinal column.
        max_one_hot_levels (int): an ordinal column with more levels is modelled through its
            ranks instead of a one-hot. Defaults to 50.
        max_clusters (int): modes tried per numerical column. Defaults to 10.
        max_fit_rows (int): rows (a random subset) used to find the modes of a column.
            Defaults to 5000.
        random_state (int): seed of that subset. Defaults to 0.
        filled_flags (dict[str, str]): for a numerical column whose missing values SDV
            filled in, the column that flags those rows. SDV's ``FloatFormatter`` with
            ``missing_value_generation='from_column'`` fills a missing number (with the mean,
            by default) and flags its row in ``<column>.is_null``. The filled value is no
            point mass of the real column: as a spike it came out exactly wherever the model
            drew the mode but not the flag (13 % of the non-missing values of a 40 %-missing
            column, where the Gaussian mode gave as many values near the mean), so spikes are
            found on the rows not flagged. Defaults to no flags.
        spike_share (float or None): a numerical value held by at least this share of the
            rows (and ``SPIKE_RATIO`` times the share of its neighbours) becomes a mode of its
            own, decoded exactly. None: no spikes (every value in Gaussian modes, as
            encoders saved before spikes existed hold). Defaults to ``SPIKE_SHARE`` (0.05),
            the measured choice (docs/method.md, "Spikes").
    """

    def __init__(
        self,
        column_kinds=None,
        ordinal_orders=None,
        max_one_hot_levels=50,
        max_clusters=10,
        max_fit_rows=5000,
        random_state=0,
        filled_flags=None,
        spike_share=SPIKE_SHARE,
    ):
        self.column_kinds = dict(column_kinds or {})
        self.ordinal_orders = dict(ordinal_orders or {})
        self.max_one_hot_levels = max_one_hot_levels
        self.max_clusters = max_clusters
        self.max_fit_rows = max_fit_rows
        self.random_state = random_state
        self.filled_flags = dict(filled_flags or {})
        self.spike_share = spike_share

    def fit(self, data):
        self.columns_ = list(data.columns)
        self._plans = []
        self.spans = []
        self.widths_ = {}  # encoded width of each column (its spans' widths together)
        for column in self.columns_:
            first_span = len(self.spans)
            kind = self.column_kinds.get(column) or kind_from_dtype(data[column])
            ranks = None
            if kind == 'ordinal':
                levels = ordered_levels(data[column], self.ordinal_orders.get(column))
                kind = 'categorical' if len(levels) <= self.max_one_hot_levels else 'ranked'
                ranks = _Ranks(levels) if kind == 'ranked' else None
            if kind == 'categorical':
                self._fit_one_hot(data[[column]], column)
            else:
                values = data[column] if ranks is None else ranks.to_ranks(data[column])
                flag = self.filled_flags.get(column)
                self._fit_numerical(
                    values.to_frame(column), column, ranks, data[column].dtype,
                    filled=None if flag is None else data[flag].to_numpy() == 1,
                )
            self.widths_[column] = sum(span.width for span in self.spans[first_span:])
        return self

    def _fit_one_hot(self, series, column):
        encoder = OneHotEncoder()
        encoder.fit(series, column)
        self._plans.append(('categorical', column, encoder, None, None))
        self.spans.append(Span(len(encoder.get_output_sdtypes()), CATEGORICAL, column))

    def _fit_numerical(self, series, column, ranks, dtype, filled=None):
        has_nan = bool(series[column].isna().any())
        n_values = int(series[column].nunique())
        if n_values == 0:
            # An all-missing column: nothing to find modes in; it comes back all missing.
            self._plans.append(('missing', column, None, None, None))
            return
        # The modes of a column are found as well on a few thousand rows, and the Bayesian
        # mixture behind them is the slowest step of preprocessing.
        def subset(rows):
            if len(rows) > self.max_fit_rows:
                return rows.sample(self.max_fit_rows, random_state=self.random_state)
            return rows

        fit_rows = subset(series)
        spike_values = []
        if self.spike_share:
            candidates = fit_rows if filled is None else subset(series[~filled])
            spike_values = _Spikes.find(candidates[column], self.spike_share)
        if spike_values:
            # The Gaussian modes learn from the other values, as many of them as any column's
            # modes do (a 92 % spike would leave them 400 of a 5,000-row subset).
            rest = series[~series[column].isin(spike_values)]
            n_values = int(rest[column].nunique())
            fit_rows = subset(rest)
        normalizer = VectorisedClusterBasedNormalizer(
            max_clusters=min(self.max_clusters, n_values),
            weight_threshold=0.005,
            missing_value_generation='from_column' if has_nan else None,
        )
        normalizer.fit(fit_rows, column)
        n_modes = int(np.sum(normalizer.valid_component_indicator))
        spikes = _Spikes(spike_values, n_modes) if spike_values else None
        component_encoder = OneHotEncoder()
        component_encoder.fit(
            pd.DataFrame({
                f'{column}.component': np.arange(n_modes + len(spike_values), dtype=float)
            }),
            f'{column}.component',
        )
        width = len(component_encoder.get_output_sdtypes())
        self._plans.append(
            ('numerical', column, normalizer, component_encoder, (ranks, dtype, spikes))
        )
        self.spans.append(Span(1, CONTINUOUS, column, spikes=len(spike_values)))
        self.spans.append(Span(width, CATEGORICAL, f'{column}.component'))
        if has_nan:
            self.spans.append(Span(2, CATEGORICAL, f'{column}.is_null'))

    def transformers(self):
        """The RDT transformers behind the columns (normalizers and one-hot encoders)."""
        return [piece for plan in self._plans for piece in plan[2:4] if piece is not None]

    def categories(self, column):
        """The values of a one-hot encoded column, in the order of its one-hot columns."""
        for kind, name, encoder, _, _ in self._plans:
            if name == column and kind == 'categorical':
                return list(encoder.dummies)
        raise ValueError(f"Column '{column}' is not one-hot encoded.")

    def transform(self, data):
        blocks = []
        for kind, column, transformer, component_encoder, extra in self._plans:
            if kind == 'missing':
                continue
            if kind == 'categorical':
                blocks.append(transformer.transform(data[[column]]).to_numpy(dtype=np.float32))
                continue
            ranks, _, spikes = _numerical_extra(extra)
            values = data[column] if ranks is None else ranks.to_ranks(data[column])
            normalized = transformer.transform(values.to_frame(column))
            if spikes is not None:
                scalars, modes = spikes.encode(
                    normalized[f'{column}.normalized'].to_numpy(dtype=float, copy=True),
                    normalized[f'{column}.component'].to_numpy(dtype=float, copy=True),
                    values,
                )
                normalized[f'{column}.normalized'] = scalars
                normalized[f'{column}.component'] = modes
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
        # Kept in its own dtype: a float64 copy of a whole batch cost more than decoding
        # it; one-hots only meet an argmax, and the values are cast below.
        matrix = np.asarray(matrix)
        output = {}
        start = 0

        def take(width):
            nonlocal start
            block = matrix[:, start : start + width]
            start += width
            return block

        for kind, column, transformer, component_encoder, extra in self._plans:
            if kind == 'missing':
                output[column] = np.full(len(matrix), np.nan)
                continue
            if kind == 'categorical':
                block = take(len(transformer.dummies))
                output[column] = reverse_one_hot(transformer, block).to_numpy()
                continue
            normalized = np.clip(take(1)[:, 0].astype(np.float64), -1, 1)
            components = reverse_one_hot(component_encoder, take(len(component_encoder.dummies)))
            ranks, dtype, spikes = _numerical_extra(extra)
            components = components.to_numpy()
            if spikes is not None:
                components, spike = spikes.split(components)
            frame = pd.DataFrame({
                f'{column}.normalized': normalized,
                f'{column}.component': components,
            })
            if transformer.missing_value_generation == 'from_column':
                frame[f'{column}.is_null'] = take(2).argmax(axis=1).astype(float)
            values = transformer.reverse_transform(frame)[column].to_numpy()
            if spikes is not None:
                values = spikes.decode(values, spike)
            output[column] = values if ranks is None else ranks.from_ranks(values, dtype)
        return pd.DataFrame(output, columns=self.columns_)
