"""The columns of SDV's processed table as a gradient-boosting classifier reads them: numbers
as numbers, any other column as codes of the real table's values. One encoding, shared by the
downstream calibration (``_calibration.py``) and the label drawn from the features
(``_feature_labels.py``): both must read a generated table the way a downstream model reads it,
not in the model's own encoding (where a number is split into a mode and a position inside it).
"""

import numpy as np
import pandas as pd

#: Categories a column may have to be read as categorical by gradient boosting (its limit).
MAX_CATEGORIES = 255


class ClassifierColumns:
    """The classifier matrix of tables with ``columns`` (fitted on the real table: which
    columns are numbers and the values of the others; no rows are kept).

    Args:
        columns (list[str]): the columns read, in order.
    """

    def __init__(self, columns):
        self.columns = list(columns)

    def fit(self, reference):
        """Learn each column's kind, and the values of the non-numeric ones, from ``reference``."""
        self.levels_ = {}
        for column in self.columns:
            known = reference[column]
            if pd.api.types.is_numeric_dtype(known) and not pd.api.types.is_bool_dtype(known):
                self.levels_[column] = None
            else:
                self.levels_[column] = pd.Index(pd.unique(known.astype(str)))
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
                values.append(pd.to_numeric(series, errors='coerce').to_numpy(dtype=float))
                continue
            codes = levels.get_indexer(series.astype(str)).astype(float)
            codes[codes < 0] = np.nan
            values.append(codes)
        return np.column_stack(values)


def classifier_matrix(table, columns, reference):
    """``(matrix, categorical)`` of ``table`` read with ``reference``'s column kinds and values."""
    reader = ClassifierColumns(columns).fit(reference)
    return reader.transform(table), reader.categorical_


def second_class_labels(values, second):
    """1 where ``values`` (a target column) holds ``second``, the second class of the target's
    one-hot (NaN may be a class), else 0: the label whose log-odds the model shifts."""
    return (values.isna() if pd.isna(second) else values == second).to_numpy(dtype=int)
