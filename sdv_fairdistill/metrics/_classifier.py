"""Train-on-X / test-on-real classification for the fairness metrics and the benchmark.

A classifier is fitted on one table (real training data or synthetic data) to predict the
binary target and is evaluated on the real validation table, on the features of
``_features.py``: ``HistGradientBoosting`` (the default) and ``XGBoost`` in their native
form (ordinal codes, NaN for missing), any other estimator in the generic one (one-hot,
imputed, standardised).
"""

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

from sdv_fairdistill.metrics._features import (
    empty_columns,
    generic_encoder,
    generic_frame,
    native_matrices,
)

DEFAULT_CLASSIFIER = 'HistGradientBoosting'
CLASSIFIER_NAMES = ('HistGradientBoosting', 'XGBoost', 'RandomForest', 'LogisticRegression')


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


def utility_scores(y_true, y_pred, y_score):
    """Accuracy, F1 of the positive class and AUROC (NaN without scores) on ``y_true``."""
    return {
        'accuracy': float(accuracy_score(y_true, y_pred)),
        'f1': float(f1_score(y_true, y_pred, pos_label=1, zero_division=0.0)),
        'auroc': np.nan if y_score is None else float(roc_auc_score(y_true, y_score)),
    }


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

    warn_empty_columns(train, types, train_name, 'classifier')
    estimator, native = make_classifier(classifier, random_state)
    x_train, x_test = encode_for(estimator, native, train, test, types)
    estimator.fit(x_train, y_train)
    y_pred = np.asarray(estimator.predict(x_test)).astype(int)
    y_score = _positive_scores(estimator, x_test)
    if y_score is None:
        warnings.warn(
            f'{type(estimator).__name__} has neither predict_proba nor decision_function; '
            'AUROC is NaN.'
        )
    return TSTRResult(y_pred=y_pred, y_score=y_score, **utility_scores(y_test, y_pred, y_score))


def warn_empty_columns(train, types, train_name, learner):
    """Warn when feature columns of ``train`` have no usable value (``empty_columns``): the
    ``learner`` ('classifier', 'regressor') trained on it cannot use them."""
    empty = empty_columns(train, types)
    if empty:
        warnings.warn(
            f'{train_name} has no usable value in the feature column(s) {empty} (all missing, '
            'or no number where the metadata says numerical, as when SDV generates fake values '
            f'for a column it marks as PII); the {learner} trained on it cannot use them.'
        )


def encode_for(estimator, native, train, test, types):
    """Return ``(x_train, x_test)``, the features of ``train`` and ``test`` in the form the
    estimator takes (``_features.py``), fitted on ``train``; a HistGradientBoosting
    estimator is told which native columns are categorical."""
    if native:
        x_train, x_test, categorical = native_matrices(train, test, types)
        if isinstance(estimator, (HistGradientBoostingClassifier, HistGradientBoostingRegressor)):
            estimator.set_params(categorical_features=categorical if categorical.any() else None)
        return x_train, x_test

    encoder = generic_encoder(types).fit(generic_frame(train, types))
    return tuple(
        np.asarray(encoder.transform(generic_frame(table, types)), dtype=np.float64)
        for table in (train, test)
    )


def _positive_scores(estimator, features):
    """Score of the positive class: predict_proba, else decision_function, else None."""
    if hasattr(estimator, 'predict_proba'):
        classes = list(estimator.classes_)
        return estimator.predict_proba(features)[:, classes.index(1)]

    if hasattr(estimator, 'decision_function'):
        return np.asarray(estimator.decision_function(features), dtype=float)

    return None
