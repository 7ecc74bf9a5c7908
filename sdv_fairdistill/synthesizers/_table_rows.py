"""The processed table -> the model's rows: encoders fitted once, then any rows encoded.

``fit`` fits the encoders and encodes the same table; ``fit_from_parquet`` fits them on a
sample and encodes the whole table chunk by chunk with them. Either way a row gets the same
encoding, group code and column codes.
"""

import math
import warnings

import numpy as np
import pandas as pd
import torch
from sdv.errors import InvalidDataError

from sdv_fairdistill.adapters.tabular_encoding import SPIKE_SHARE, TableEncoder
from sdv_fairdistill.synthesizers import _tabular_inputs as inputs
from sdv_fairdistill.synthesizers._missing_flags import filled_flags

#: Default training length: MIN_EPOCHS teacher epochs, but at least MIN_STEPS and at most
#: MAX_STEPS optimiser steps. On a 200,000-row table utility and quality were flat from 2,000
#: teacher steps and the DP difference lowest at 4,000 (8,000 no better); Adult's default had
#: 4,140 (docs/scale.md): a large table trains for a fixed number of steps, and the cost of a
#: fit stops growing with its rows.
MIN_EPOCHS = 60
MIN_STEPS = 1500
MAX_STEPS = 4000

#: A column encoded wider than this (one one-hot column per distinct value) is named in a
#: warning: every training step, and the label classifier and diagnostics after the fit,
#: read each of its columns, so a text column of thousands of values detected as
#: categorical makes a small table's fit take minutes.
WIDE_COLUMN = 1000


def warn_wide_columns(encoder):
    """Name the columns ``encoder`` one-hot encodes wider than ``WIDE_COLUMN``, with the fix."""
    wide = {column: width for column, width in encoder.widths_.items() if width > WIDE_COLUMN}
    if wide:
        listed = ', '.join(f"'{column}' ({width:,} values)" for column, width in wide.items())
        warnings.warn(
            f'{listed}: each value is a column of its own in the encoded table, and the fit '
            'takes time and memory in proportion. If the column is free text or an '
            "identifier, mark it 'id' or 'text' in the metadata (SDV then makes its values "
            'up); otherwise merge its rare values.'
        )


#: The most memory the encoded rows may take at once (float32), and any one column's one-hot
#: while RDT builds it (int64). A column of nearly unique text detected as categorical
#: (``movies``' 56,007 titles in 58,788 rows) would otherwise need 24.5 GiB and fail with a
#: MemoryError from inside RDT.
MAX_ENCODED_BYTES = 4 * 2**30


def default_epochs(n_rows, batch_size):
    """Teacher epochs of the default training length for a table of ``n_rows`` rows."""
    batches_per_epoch = math.ceil(n_rows / batch_size)
    epochs = min(MIN_EPOCHS, math.ceil(MAX_STEPS / batches_per_epoch))
    return max(epochs, math.ceil(MIN_STEPS / batches_per_epoch))


def sensitive_values(frame, columns):
    """``frame``'s sensitive ``columns``, a missing value in a text column always NaN: a table
    may spell it None, and None and NaN would make two groups (or two levels of a column)."""
    sensitive = frame[columns].copy()
    for column in columns:
        values = sensitive[column]
        if values.dtype == object and values.isna().any():
            sensitive[column] = values.where(values.notna(), np.nan)
    return sensitive


class TableRowsMixin:
    """``_fit_encoders`` on a processed table, then ``_encode_rows`` of any processed rows."""

    def _fit_encoders(self, processed_data):
        """The groups, their prior, and the feature and target encoders."""
        sensitive = sensitive_values(processed_data, self.sensitive_columns)
        # A missing sensitive value is a group of its own, as in the fairness metrics: its
        # rows are made as fair as the others' and generated at their share, not dropped.
        codes, uniques = pd.MultiIndex.from_frame(sensitive).factorize(use_na_sentinel=False)
        self._groups = pd.DataFrame(list(uniques), columns=self.sensitive_columns)
        self._group_prior = np.bincount(codes, minlength=len(uniques)) / len(codes)
        self._column_levels = [pd.unique(sensitive[column]) for column in self.sensitive_columns]
        self._feature_columns = [
            column
            for column in processed_data.columns
            if column not in self.sensitive_columns and column != self.target_column
        ]
        columns = self._get_table_metadata().columns
        transformers = self._data_processor._hyper_transformer.field_transformers
        self._feature_encoder = TableEncoder(
            column_kinds=inputs.column_kinds(self._feature_columns, columns, transformers),
            ordinal_orders=inputs.ordinal_orders(self._feature_columns, columns),
            random_state=self.seed or 0,
            filled_flags=filled_flags(self._feature_columns, transformers),
        ).fit(processed_data[self._feature_columns])
        warn_wide_columns(self._feature_encoder)
        self._target_encoder, self._target_spans, self._positive_class = None, [], None
        if self.target_column is None:
            return
        target = processed_data[[self.target_column]]
        kinds = inputs.column_kinds([self.target_column], columns, transformers)
        if getattr(self, '_class_target', False):
            kinds[self.target_column] = 'categorical'
        # A numerical target's spikes (its zeros) come back exactly, as a feature's do: a
        # number drawn from the features is shifted by the calibration before it is mapped
        # onto the real values (core/feature_labels.py, ValueAlignment). Without spikes where
        # SDV filled in its missing values: their flag is another column, which this encoder
        # does not see, and the filled mean must not become a spike.
        filled = self.target_column in filled_flags(processed_data.columns, transformers)
        self._target_encoder = TableEncoder(
            column_kinds=kinds, spike_share=None if filled else SPIKE_SHARE
        ).fit(target)
        self._target_spans = self._target_encoder.spans
        if self.fairness_criterion == 'equal_opportunity':
            self._positive_class = inputs.positive_class_index(
                self._target_encoder.categories(self.target_column),
                target[self.target_column], self.positive_label,
            )

    def _check_encoded_size(self, n_rows):
        """Refuse rows whose encoding would not fit in memory, before encoding them."""
        widths = dict(self._feature_encoder.widths_)
        if self._target_encoder is not None:
            widths.update(self._target_encoder.widths_)
        total = sum(widths.values())
        widest = max(widths, key=widths.get, default=None)
        if widest is None or (
            n_rows * total * 4 <= MAX_ENCODED_BYTES and n_rows * widths[widest] * 8 <= MAX_ENCODED_BYTES
        ):
            return
        raise InvalidDataError([
            f'{n_rows:,} rows encoded as {total:,} columns would take '
            f'{n_rows * total * 4 / 2**30:.1f} GiB, more than FairDistillSynthesizer holds in '
            f'memory ({MAX_ENCODED_BYTES / 2**30:.0f} GiB). The widest column is '
            f"'{widest}' ({widths[widest]:,} encoded columns, one per distinct value). Mark a "
            "column of nearly unique values 'id' or 'text' in the metadata (SDV then makes its "
            'values up) or drop it; a long table fits in shards with fit_from_parquet.'
        ])

    def _encode_rows(self, processed_data):
        """Encoded features and target, joint group codes and each column's group codes."""
        self._check_encoded_size(len(processed_data))
        x = self._feature_encoder.transform(processed_data[self._feature_columns])
        if self._target_encoder is not None:
            y = self._target_encoder.transform(processed_data[[self.target_column]])
        else:
            y = np.zeros((len(processed_data), 0), dtype=np.float32)
        sensitive = sensitive_values(processed_data, self.sensitive_columns)
        codes = pd.MultiIndex.from_frame(self._groups).get_indexer(
            pd.MultiIndex.from_frame(sensitive)
        )
        column_codes = np.column_stack([
            pd.Index(levels).get_indexer(sensitive[column])
            for levels, column in zip(self._column_levels, self.sensitive_columns)
        ])
        unknown = codes < 0
        if unknown.any():
            example = sensitive[unknown].iloc[0].to_dict()
            raise InvalidDataError([
                f'{int(unknown.sum())} rows belong to a sensitive group the encoders were not '
                f'fitted on (e.g. {example}). Fit on a sample that holds every group.'
            ])
        return torch.from_numpy(x), torch.from_numpy(y), codes, column_codes
