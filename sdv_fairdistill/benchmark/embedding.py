"""A numeric embedding of mixed-type tables: one-hot categoricals, standardised numbers.

Fitted on the real table only, so that real and synthetic rows land in the same space (a
category the real data lack is ignored; numbers are scaled with the real mean and spread).
It serves the nearest-neighbour fidelity metrics and the benchmark's classifiers.
"""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

_CATEGORICAL_SDTYPES = ('categorical', 'boolean')
_NUMERICAL_SDTYPES = ('numerical', 'datetime')
MISSING_CATEGORY = '(missing)'


def column_types(metadata_columns, columns, exclude=()):
    """``{column: 'categorical' | 'numerical' | 'datetime'}`` from SDV sdtypes.

    Columns of other sdtypes (ids, PII, free text) are left out: they carry no distribution
    a generator should reproduce. A column absent from the metadata is typed by its values
    later (numeric dtype -> numerical, anything else -> categorical).
    """
    types = {}
    for column in columns:
        if column in exclude:
            continue
        sdtype = metadata_columns.get(column, {}).get('sdtype')
        if sdtype in _CATEGORICAL_SDTYPES:
            types[column] = 'categorical'
        elif sdtype in _NUMERICAL_SDTYPES:
            types[column] = sdtype
        elif sdtype is None:
            types[column] = None
    return types


def _as_text(values):
    # 1 and '1' (or True and 'True') from two tables must be one category.
    return values.astype(str).where(values.notna(), MISSING_CATEGORY)


def _as_number(values, sdtype):
    if sdtype == 'datetime':
        values = pd.to_datetime(values, errors='coerce')
        seconds = values.astype('int64').astype(float) / 1e9
        return seconds.where(values.notna(), np.nan)
    return pd.to_numeric(values, errors='coerce').astype(float)


class TableEmbedding(TransformerMixin, BaseEstimator):
    """One-hot encode categoricals and standardise numbers (median-imputed) of a table.

    Args:
        types (dict): ``{column: 'categorical' | 'numerical' | 'datetime' | None}``, see
            ``column_types``; None means "decide from the fitted table's dtype".
    """

    def __init__(self, types):
        self.types = types

    def fit(self, table, y=None):
        self.types_ = {
            column: sdtype
            or ('numerical' if pd.api.types.is_numeric_dtype(table[column])
                and not pd.api.types.is_bool_dtype(table[column]) else 'categorical')
            for column, sdtype in self.types.items()
        }
        categorical = [c for c, t in self.types_.items() if t == 'categorical']
        numerical = [c for c, t in self.types_.items() if t != 'categorical']
        if not categorical and not numerical:
            raise ValueError('The table has no categorical or numerical column to embed.')
        self.transformer_ = ColumnTransformer(
            [
                ('categorical', OneHotEncoder(handle_unknown='ignore'), categorical),
                ('numerical', make_pipeline(SimpleImputer(strategy='median'), StandardScaler()),
                 numerical),
            ],
            sparse_threshold=0.0,
        )
        self.transformer_.fit(self._frame(table))
        return self

    def _frame(self, table):
        missing = [column for column in self.types_ if column not in table.columns]
        if missing:
            raise ValueError(f'The table lacks the column(s) {missing}.')
        columns = {}
        for column, sdtype in self.types_.items():
            if sdtype == 'categorical':
                columns[column] = _as_text(table[column])
            else:
                # A column with no number at all would be dropped by the imputer: keep its
                # width stable by reading it as zeros.
                number = _as_number(table[column], sdtype)
                columns[column] = number if number.notna().any() else number.fillna(0.0)
        return pd.DataFrame(columns, index=table.index)

    def transform(self, table):
        return np.asarray(self.transformer_.transform(self._frame(table)), dtype=np.float64)
