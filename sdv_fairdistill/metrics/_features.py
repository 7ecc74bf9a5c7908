"""Tables as matrices for the downstream classifiers and the fidelity embedding: one encoding
of mixed-type tables, fitted on the training table only.

* Column types come from the metadata ``sdtype`` (``categorical``/``boolean`` ->
  categorical, ``numerical`` -> number, ``datetime`` -> number, ``ordinal`` -> number when
  every value is one, else categorical); ``id`` columns, the
  primary key and any other sdtype (PII such as ``email``) are dropped, except the sensitive
  columns (an ``id`` or PII sensitive column is categorical). Columns missing
  from the metadata, or all columns when there is no metadata, are typed from their dtype.
* Datetimes become seconds since the epoch.
* Native form (``HistGradientBoosting``, ``XGBoost``): categoricals as ordinal codes of the
  categories of the *training* table (an unseen category is missing) and missing values as
  NaN, which both handle natively (HistGradientBoosting treats the codes as categories
  unless a column has more than 255 of them, then as ordered numbers).
* Generic form (any other estimator, and the fidelity embedding): categoricals one-hot
  encoded (unseen categories ignored), numbers imputed with the training median plus a
  missing-indicator column, then standardized.
"""

import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sdv_fairdistill.group_names import value_text
from sdv_fairdistill.metrics._values import show

_CATEGORICAL_SDTYPES = ('categorical', 'boolean')
_MAX_NATIVE_CATEGORIES = 255
MISSING_CATEGORY = '(missing)'


def feature_types(table, metadata, excluded=(), groups=()):
    """Return ``{column: 'categorical' | 'numerical' | 'datetime'}`` of the feature columns.

    Args:
        table (pandas.DataFrame):
            A table with all columns.
        metadata (dict or None):
            Single-table metadata ``{'columns': {...}}``.
        excluded (list):
            Columns that are not features (the target, maybe the sensitive columns).
        groups (list):
            Columns kept as categories where their sdtype would drop them (the sensitive
            columns: marked ``id`` or PII they are still the groups, as the synthesizer
            learns them, and a classifier without them would look fair).
    """
    columns_meta = (metadata or {}).get('columns', {})
    keys = {(metadata or {}).get('primary_key')}
    types = {}
    for column in table.columns:
        if column in excluded or column in keys:
            continue

        sdtype = columns_meta.get(column, {}).get('sdtype')
        if sdtype is None:
            sdtype = _sdtype_from_dtype(table[column])

        if sdtype in _CATEGORICAL_SDTYPES:
            types[column] = 'categorical'
        elif column in groups and sdtype not in ('ordinal', 'numerical', 'datetime'):
            types[column] = 'categorical'
        elif sdtype == 'ordinal':
            # SDV detects whole-number columns with few values as ordinal: numbers stay
            # numbers (their order is what a classifier splits on), text is categories.
            types[column] = 'numerical' if _all_numbers(table[column]) else 'categorical'
        elif sdtype in ('numerical', 'datetime'):
            types[column] = sdtype
        # ids and PII carry no signal a model should learn; other sdtypes are dropped too.

    return types


def _all_numbers(column):
    """Whether every present value of ``column`` is a number (booleans are not)."""
    if pd.api.types.is_bool_dtype(column):
        return False
    present = column.dropna()
    return bool(pd.to_numeric(present, errors='coerce').notna().all())


def _sdtype_from_dtype(column):
    """Guess an sdtype from a pandas dtype, as SDMetrics does without metadata."""
    if pd.api.types.is_bool_dtype(column):
        return 'boolean'
    if pd.api.types.is_datetime64_any_dtype(column):
        return 'datetime'
    if pd.api.types.is_numeric_dtype(column):
        return 'numerical'
    return 'categorical'


def _to_number(column, sdtype):
    """Return a numerical or datetime column as floats (seconds for datetimes, NaN if missing)."""
    if sdtype == 'datetime':
        if not pd.api.types.is_datetime64_any_dtype(column):
            column = pd.to_datetime(column, errors='coerce')
        seconds = column.astype('int64').astype(float) / 1e9
        return seconds.where(column.notna(), np.nan)

    return pd.to_numeric(column, errors='coerce').astype(float)


#: Kinds of column (pandas' ``infer_dtype``) whose equal values have one text: ``value_text``
#: of each distinct value serves all its rows. Other mixes may hold values that are equal but
#: print apart (``True == 1``), so each of their rows is rendered.
_ONE_TEXT_PER_VALUE = ('string', 'integer', 'floating', 'mixed-integer-float', 'boolean')


def _as_text(column):
    """Categorical values as text so that 1, 1.0 and '1' of two tables are one category, as
    they are one group (``value_text``)."""
    values = column.astype(object)
    if pd.api.types.infer_dtype(values, skipna=True) not in _ONE_TEXT_PER_VALUE:
        return values.map(value_text, na_action='ignore').where(column.notna(), np.nan)
    # Each distinct value rendered once (a 200,000-row report rendered 6.6 million cells).
    codes, distinct = pd.factorize(values)
    texts = np.array([value_text(value) for value in distinct] + [np.nan], dtype=object)
    return pd.Series(texts[codes], index=column.index, dtype=object)


def warn_disjoint_categories(tables, types, reference='real_data'):
    """Warn about a categorical feature of which no value of a table occurs in ``reference``
    (codes against names, upper case against lower): a classifier trained on one reads the
    other's values as unseen categories, and its scores move with no other sign."""
    for column, sdtype in types.items():
        if sdtype != 'categorical':
            continue
        known = set(_as_text(tables[reference][column]).dropna())
        for name, table in tables.items():
            if name == reference or table is None or column not in table:
                continue
            values = _as_text(table[column]).dropna()
            if known and len(values) and not values.isin(known).any():
                warnings.warn(
                    f'{name}[{column!r}] shares no value with {reference}[{column!r}] (e.g. '
                    f'{show(table[column].dropna().iloc[0])} against '
                    f'{show(tables[reference][column].dropna().iloc[0])}): a classifier trained '
                    'on one reads every value of the other as an unseen category. Write both '
                    'tables with the same values.'
                )


def _codes(text, categories):
    """Codes of ``text`` in ``categories`` as floats, NaN for missing and unseen values."""
    codes = categories.get_indexer(text).astype(float)
    codes[codes < 0] = np.nan
    return codes


def empty_columns(table, types):
    """The feature columns of ``table`` without a single usable value: all missing, or no
    number where ``types`` says numerical (e.g. the fake values SDV generates for a column its
    detected metadata marks as PII, such as integer state codes)."""
    return [
        column for column, sdtype in types.items()
        if (table[column].isna() if sdtype == 'categorical'
            else _to_number(table[column], sdtype).isna()).all()
    ]


def native_matrices(train, test, types):
    """Ordinal-coded float frames of ``train`` and ``test`` and the categorical mask.

    A column without a usable value in ``train`` (``empty_columns``) is zeros in both: a
    classifier can learn nothing from it, and HistGradientBoosting fails on a column with no
    value at all (the generic form keeps it as zeros too).
    """
    train_columns, test_columns, categorical = {}, {}, []
    for column, sdtype in types.items():
        if sdtype == 'categorical':
            train_text, test_text = _as_text(train[column]), _as_text(test[column])
            categories = pd.Index(train_text.dropna().unique())
            train_columns[column] = _codes(train_text, categories)
            test_columns[column] = _codes(test_text, categories)
            # HistGradientBoosting bins categories into at most 255 bins; a column with
            # more is read as ordered codes.
            categorical.append(0 < len(categories) <= _MAX_NATIVE_CATEGORIES)
        else:
            train_columns[column] = _to_number(train[column], sdtype).to_numpy()
            test_columns[column] = _to_number(test[column], sdtype).to_numpy()
            categorical.append(False)
        if np.isnan(train_columns[column]).all():  # no usable value: see the docstring
            train_columns[column] = np.zeros(len(train))
            test_columns[column] = np.zeros(len(test))

    train_matrix = pd.DataFrame(train_columns, index=train.index)
    test_matrix = pd.DataFrame(test_columns, index=test.index)
    return train_matrix, test_matrix, np.array(categorical, dtype=bool)


def generic_frame(table, types):
    """``table`` with categoricals as text and numbers as floats, for ``generic_encoder``."""
    missing = [column for column in types if column not in table.columns]
    if missing:
        raise ValueError(f'The table lacks the column(s) {missing}.')

    converted = {}
    for column, sdtype in types.items():
        if sdtype == 'categorical':
            converted[column] = _as_text(table[column]).fillna(MISSING_CATEGORY)
        else:
            converted[column] = _to_number(table[column], sdtype)
    return pd.DataFrame(converted, index=table.index)


def generic_encoder(types):
    """An unfitted one-hot / median-imputed / standardised encoder of ``generic_frame``s."""
    categorical = [column for column, sdtype in types.items() if sdtype == 'categorical']
    numerical = [column for column, sdtype in types.items() if sdtype != 'categorical']
    # keep_empty_features: a column with no number at all keeps its width (as zeros).
    imputer = SimpleImputer(strategy='median', add_indicator=True, keep_empty_features=True)
    return ColumnTransformer(
        [
            ('categorical', OneHotEncoder(handle_unknown='ignore'), categorical),
            ('numerical', make_pipeline(imputer, StandardScaler()), numerical),
        ],
        sparse_threshold=0.0,
    )


class TableEmbedding:
    """Every column of a table in one numeric space, fitted on the real table only.

    The generic encoding above (one-hot categoricals, standardised numbers), so that real
    and synthetic rows land in the same space for the nearest-neighbour fidelity metrics.

    Args:
        types (dict):
            ``{column: 'categorical' | 'numerical' | 'datetime'}``, see ``feature_types``.
    """

    def __init__(self, types):
        if not types:
            raise ValueError('The table has no categorical or numerical column to embed.')
        self.types = types

    def fit(self, table):
        self.encoder_ = generic_encoder(self.types).fit(generic_frame(table, self.types))
        return self

    def transform(self, table):
        return np.asarray(
            self.encoder_.transform(generic_frame(table, self.types)), dtype=np.float64
        )
