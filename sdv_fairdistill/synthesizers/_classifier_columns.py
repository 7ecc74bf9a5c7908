"""The columns of SDV's processed table as a gradient-boosting classifier reads them: numbers
as numbers, any other column as codes of the real table's values. One encoding, shared by the
downstream calibration (``_calibration.py``), the label drawn from the features
(``_feature_labels.py``) and the fit's diagnostics (``_diagnostics.py``, ``DownstreamTables``):
all must read a generated table the way a downstream model reads it,
not in the model's own encoding (where a number is split into a mode and a position inside it).
"""

import numpy as np
import pandas as pd

from sdv_fairdistill.group_names import MISSING_GROUP
from sdv_fairdistill.synthesizers._missing_flags import filled_flags

#: Categories a column may have to be read as categorical by gradient boosting (its limit).
MAX_CATEGORIES = 255


class ClassifierColumns:
    """The classifier matrix of tables with ``columns`` (fitted on the real table: which
    columns are numbers, their range and whether they are whole, and the values of the
    others; no rows are kept).

    Generated numbers are read as the user gets them: rounded where the real column holds
    whole numbers and clipped to its range, as SDV's ``enforce_rounding`` and
    ``enforce_min_max_values`` do after sampling. A model reading them unrounded sees other
    rows than the user's (COMPAS, count columns marked numerical: a generated juvenile-felony
    count of 0.6 is a 1 to a classifier of the real rows and a 0 in the table; labels drawn
    for the unrounded rows raised the benchmark's DP difference from 0.037 to 0.072).

    Args:
        columns (list[str]): the columns read, in order.
        round_integers (bool): round numbers of columns whose real values are whole.
            Defaults to True.
        clip (bool): clip numbers to the real column's range. Defaults to True.
    """

    def __init__(self, columns, round_integers=True, clip=True):
        self.columns = list(columns)
        self.round_integers = round_integers
        self.clip = clip

    def fit(self, reference):
        """Learn each column's kind, and the values of the non-numeric ones, from ``reference``."""
        self.levels_, self.numbers_ = {}, {}
        for column in self.columns:
            known = reference[column]
            if pd.api.types.is_numeric_dtype(known) and not pd.api.types.is_bool_dtype(known):
                self.levels_[column] = None
                values = pd.to_numeric(known, errors='coerce').to_numpy(dtype=float)
                values = values[np.isfinite(values)]
                whole = values.size > 0 and bool(np.all(values == np.round(values)))
                low, high = (values.min(), values.max()) if values.size else (-np.inf, np.inf)
                self.numbers_[column] = (whole, low, high)
            else:
                self.levels_[column] = pd.Index(pd.unique(_as_text(known)))
        # More values than gradient boosting takes as categories: the codes are read as numbers.
        self.categorical_ = np.array([
            levels is not None and len(levels) <= MAX_CATEGORIES for levels in self.levels_.values()
        ])
        return self

    def transform(self, table):
        """``table``'s matrix: numbers (NaN where not a number), codes (NaN for an unknown value)."""
        values = []
        for column, levels in self.levels_.items():
            series = table[column]
            if levels is None:
                numbers = pd.to_numeric(series, errors='coerce').to_numpy(dtype=float)
                whole, low, high = self.numbers_[column]
                if self.round_integers and whole:
                    numbers = np.round(numbers)
                if self.clip:
                    numbers = np.clip(numbers, low, high)
                values.append(numbers)
                continue
            codes = levels.get_indexer(_as_text(series)).astype(float)
            codes[codes < 0] = np.nan
            values.append(codes)
        return np.column_stack(values)


def _as_text(series):
    """Values as text, every missing value (None, NaN, NaT) one category: the real rows may
    hold None where the generated ones hold NaN, and ``astype(str)`` tells them apart."""
    return series.astype(str).where(series.notna(), MISSING_GROUP)


def classifier_matrix(table, columns, reference, **options):
    """``(matrix, categorical)`` of ``table`` read with ``reference``'s column kinds and values
    (``options``: those of ``ClassifierColumns``)."""
    reader = ClassifierColumns(columns, **options).fit(reference)
    return reader.transform(table), reader.categorical_


def second_class_labels(values, second):
    """1 where ``values`` (a target column) holds ``second``, the second class of the target's
    one-hot (NaN may be a class), else 0: the label whose log-odds the model shifts."""
    return (values.isna() if pd.isna(second) else values == second).to_numpy(dtype=int)


def class_codes(values, categories):
    """Each value's index in ``categories`` (a target column's classes in the order of its
    one-hot; NaN may be one). For two classes, 1 where the value is the second class: the
    label whose log-odds the model shifts. A value that is none of ``categories`` gets -1.
    """
    codes = np.full(len(values), -1)
    for index, category in enumerate(categories):
        matches = values.isna() if pd.isna(category) else values.eq(category).fillna(False)
        codes[matches.to_numpy(dtype=bool)] = index
    return codes


def enforced(synthesizer):
    """``(round_integers, clip)``: what the synthesizer's sampling does to numbers (SDV's
    ``enforce_rounding`` and ``enforce_min_max_values``)."""
    return (
        getattr(synthesizer, 'enforce_rounding', True),
        getattr(synthesizer, 'enforce_min_max_values', True),
    )


class DownstreamTables:
    """What the diagnostics' downstream model reads: SDV's processed columns but the target
    (a number's ``.is_null`` flag too, 0 in every generated row kept), through
    ``ClassifierColumns`` as the calibration reads them, of the real training rows
    (``processed_data``, in the order of the encoded rows) and of generated tables
    (``synthesizer._sample``)."""

    def __init__(self, synthesizer, processed_data):
        self.synthesizer = synthesizer
        self.target = synthesizer.target_column
        self.real = processed_data.reset_index(drop=True)
        columns = [column for column in self.real.columns if column != self.target]
        self.reader = ClassifierColumns(columns, *enforced(synthesizer)).fit(self.real)
        transformers = synthesizer._data_processor._hyper_transformer.field_transformers
        # A number's missing values (its ``.is_null`` column) are neither learnt nor measured.
        self.null_column = filled_flags(self.real.columns, transformers).get(self.target)
        encoder = synthesizer._target_encoder
        # A class target's values in the order of its one-hot (the real rows' ``y``).
        self.classes = (encoder.categories(self.target)
                        if encoder is not None and synthesizer._target_spans
                        and synthesizer._target_spans[0].kind == 'categorical' else None)

    def real_matrix(self, rows):
        return self.reader.transform(self.real.iloc[rows])

    def generated(self, num_rows, seed):
        """``(matrix, target values)`` of a generated table of ``num_rows`` rows, drawn with a
        sampling state of its own; a number's missing values left out."""
        with self.synthesizer._model.sampling_state(seed):
            table = self.synthesizer._sample(num_rows)
        if self.null_column is not None:
            table = table[table[self.null_column] != 1]
        return self.reader.transform(table), table[self.target]
