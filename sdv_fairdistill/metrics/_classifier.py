"""Train-on-X / test-on-real classification for the fairness metrics.

A classifier is fitted on one table (real training data or synthetic data) to predict the
binary target and is evaluated on the real validation table. Feature preprocessing:

* Column types come from the metadata ``sdtype`` (``categorical``/``boolean`` ->
  categorical, ``numerical`` -> number, ``datetime`` -> number); ``id`` columns, the
  primary key and any other sdtype (PII such as ``email``) are dropped. Columns missing
  from the metadata, or all columns when there is no metadata, are typed from their dtype.
* Datetimes become seconds since the epoch.
* ``HistGradientBoosting`` (the default) and ``XGBoost`` see categoricals as ordinal codes
  of the categories of the *training* table (an unseen category is missing) and missing
  values as NaN, which both handle natively; HistGradientBoosting treats the codes as
  categories unless a column has more than 255 of them, then as ordered numbers.
* Any other estimator gets a dense numeric matrix: categoricals one-hot encoded (unseen
  categories ignored), numbers imputed with the training median plus a missing-indicator
  column, then standardized.
"""

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

DEFAULT_CLASSIFIER = 'HistGradientBoosting'
CLASSIFIER_NAMES = ('HistGradientBoosting', 'XGBoost', 'RandomForest', 'LogisticRegression')

# HistGradientBoosting bins categories into at most 255 bins.
_MAX_NATIVE_CATEGORIES = 255
_CATEGORICAL_SDTYPES = ('categorical', 'boolean')


@dataclass
class TSTRResult:
    """Predictions of one classifier on the real validation table, and its utility."""

    y_pred: np.ndarray
    y_score: np.ndarray
    accuracy: float
    f1: float
    auroc: float


def make_classifier(classifier=None, random_state=0):
    """Return ``(unfitted estimator, native)`` for a name or an sklearn-style estimator.

    ``native`` says whether the estimator takes ordinal codes with NaN (tree boosters)
    rather than the one-hot, imputed, scaled matrix.
    """
    if classifier is None or classifier == 'HistGradientBoosting':
        return HistGradientBoostingClassifier(random_state=random_state), True

    if classifier == 'XGBoost':
        try:
            from xgboost import XGBClassifier
        except ImportError as error:
            raise ImportError(
                "classifier='XGBoost' needs XGBoost: pip install xgboost "
                '(or sdmetrics[xgboost]), or leave classifier=None for HistGradientBoosting.'
            ) from error

        return XGBClassifier(random_state=random_state, n_jobs=1), True

    if classifier == 'RandomForest':
        return RandomForestClassifier(random_state=random_state), False

    if classifier == 'LogisticRegression':
        return LogisticRegression(max_iter=1000), False

    if isinstance(classifier, str):
        raise ValueError(
            f'Unknown classifier {classifier!r}: use one of {list(CLASSIFIER_NAMES)} '
            'or pass an sklearn-style estimator with fit / predict.'
        )

    if not (hasattr(classifier, 'fit') and hasattr(classifier, 'predict')):
        raise TypeError(
            'classifier must be a name or an sklearn-style estimator with fit and predict, '
            f'not {type(classifier).__name__}.'
        )

    native = isinstance(classifier, HistGradientBoostingClassifier)
    return clone(classifier), native


def classifier_name(classifier):
    """Return a readable name of the classifier argument."""
    if classifier is None:
        return DEFAULT_CLASSIFIER

    return classifier if isinstance(classifier, str) else type(classifier).__name__


def feature_types(table, metadata, excluded):
    """Return ``{column: 'categorical' | 'numerical' | 'datetime'}`` of the feature columns.

    Args:
        table (pandas.DataFrame):
            A table with all columns.
        metadata (dict or None):
            Single-table metadata ``{'columns': {...}}``.
        excluded (list):
            Columns that are not features (the target, maybe the sensitive columns).
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
        elif sdtype in ('numerical', 'datetime'):
            types[column] = sdtype
        # ids and PII carry no signal a model should learn; other sdtypes are dropped too.

    return types


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


def _as_text(column):
    """Categorical values as text so that 1 and '1' of two tables are one category."""
    return column.astype(str).where(column.notna(), np.nan)


def _native_matrices(train, test, types):
    """Ordinal-coded float matrices and the HistGradientBoosting categorical mask."""
    train_columns, test_columns, categorical = {}, {}, []
    for column, sdtype in types.items():
        if sdtype == 'categorical':
            train_text, test_text = _as_text(train[column]), _as_text(test[column])
            categories = pd.Index(train_text.dropna().unique())
            train_columns[column] = _codes(train_text, categories)
            test_columns[column] = _codes(test_text, categories)
            categorical.append(len(categories) <= _MAX_NATIVE_CATEGORIES)
        else:
            train_columns[column] = _to_number(train[column], sdtype).to_numpy()
            test_columns[column] = _to_number(test[column], sdtype).to_numpy()
            categorical.append(False)

    train_matrix = pd.DataFrame(train_columns, index=train.index)
    test_matrix = pd.DataFrame(test_columns, index=test.index)
    return train_matrix, test_matrix, np.array(categorical, dtype=bool)


def _codes(text, categories):
    """Codes of ``text`` in ``categories`` as floats, NaN for missing and unseen values."""
    codes = categories.get_indexer(text).astype(float)
    codes[codes < 0] = np.nan
    return codes


def _generic_frames(train, test, types):
    """Frames with categoricals as text and numbers as floats, for the one-hot pipeline."""

    def convert(table):
        converted = {}
        for column, sdtype in types.items():
            if sdtype == 'categorical':
                converted[column] = _as_text(table[column]).fillna('(missing)')
            else:
                converted[column] = _to_number(table[column], sdtype)
        return pd.DataFrame(converted, index=table.index)

    return convert(train), convert(test)


def _generic_pipeline(estimator, types):
    """Wrap ``estimator`` in one-hot encoding, median imputation and scaling."""
    categorical = [column for column, sdtype in types.items() if sdtype == 'categorical']
    numerical = [column for column, sdtype in types.items() if sdtype != 'categorical']
    preprocess = ColumnTransformer(
        [
            ('categorical', OneHotEncoder(handle_unknown='ignore'), categorical),
            (
                'numerical',
                make_pipeline(
                    SimpleImputer(strategy='median', add_indicator=True), StandardScaler()
                ),
                numerical,
            ),
        ],
        sparse_threshold=0.0,
    )
    return Pipeline([('preprocess', preprocess), ('classifier', estimator)])


def train_and_predict(
    train,
    test,
    y_train,
    y_test,
    types,
    classifier=None,
    random_state=0,
    train_name='synthetic_data',
):
    """Fit a classifier on ``train`` and evaluate it on ``test``.

    Args:
        train (pandas.DataFrame):
            Training table (real training data or synthetic data).
        test (pandas.DataFrame):
            Real validation table.
        y_train, y_test (numpy.ndarray):
            0/1 labels (1 = positive label).
        types (dict):
            Feature columns and their types, see ``feature_types``.
        classifier (str, estimator or None):
            See ``make_classifier``.
        random_state (int):
            Seed of the default classifiers.
        train_name (str):
            Name of the training table for error messages.

    Returns:
        TSTRResult
    """
    if np.unique(y_train).size < 2:
        missing = 'positive' if y_train.sum() == 0 else 'negative'
        raise ValueError(
            f'{train_name} has no row with a {missing} label, so no classifier can be '
            'trained on it.'
        )
    if not types:
        raise ValueError('No feature column is left besides the target to train a classifier.')

    estimator, native = make_classifier(classifier, random_state)
    if native:
        x_train, x_test, categorical = _native_matrices(train, test, types)
        if isinstance(estimator, HistGradientBoostingClassifier):
            estimator.set_params(categorical_features=categorical if categorical.any() else None)
    else:
        x_train, x_test = _generic_frames(train, test, types)
        estimator = _generic_pipeline(estimator, types)

    estimator.fit(x_train, y_train)
    y_pred = np.asarray(estimator.predict(x_test)).astype(int)
    y_score = _positive_scores(estimator, x_test)
    if y_score is None:
        warnings.warn(
            f'{type(estimator).__name__} has neither predict_proba nor decision_function; '
            'AUROC is NaN.'
        )
        auroc = np.nan
    else:
        auroc = float(roc_auc_score(y_test, y_score))

    return TSTRResult(
        y_pred=y_pred,
        y_score=y_score,
        accuracy=float(accuracy_score(y_test, y_pred)),
        f1=float(f1_score(y_test, y_pred, pos_label=1, zero_division=0.0)),
        auroc=auroc,
    )


def _positive_scores(estimator, features):
    """Score of the positive class: predict_proba, else decision_function, else None."""
    if hasattr(estimator, 'predict_proba'):
        classes = list(estimator.classes_)
        return estimator.predict_proba(features)[:, classes.index(1)]

    if hasattr(estimator, 'decision_function'):
        return np.asarray(estimator.decision_function(features), dtype=float)

    return None
