"""The label drawn from the features (``core/feature_labels.py``) for a tabular fit: a
gradient-boosting classifier of the real training rows, reading SDV's processed columns as a
downstream model reads them (``_classifier_columns.py``), scores the generated rows."""

import warnings

import numpy as np
import pandas as pd
import torch
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.model_selection import KFold, cross_val_predict

from sdv_fairdistill.adapters.tabular_encoding import seeded_transforms
from sdv_fairdistill.core import distributed
from sdv_fairdistill.core.feature_labels import GRID, continuous, labelable
from sdv_fairdistill.synthesizers._missing_flags import filled_flags
from sdv_fairdistill.synthesizers._classifier_columns import (
    ClassifierColumns,
    class_codes,
    enforced,
)

MAX_ROWS = 50_000  # real training rows the classifier learns from, at most (a random subset)
CLASSIFIER_OPTIONS = {}  # keyword arguments of the gradient-boosting classifier (or regressor)
RESIDUAL_FOLDS = 3  # a continuous target's residuals are out-of-fold over this many folds


#: Probabilities are kept this far from 0 before their log is taken (a class the classifier
#: never predicts, or one absent from the rows it learnt from, stays drawable in principle).
MIN_PROBABILITY = 1e-6


class ProcessedColumnsScorer:
    """``scorer(features, groups) -> (n, classes)`` logits of generated rows: their encoded
    features decoded into processed columns, the group's sensitive values added, read by
    ``classifier``. Two classes: ``[0, log-odds of the second class]``; more: the
    log-probabilities of the target's classes in the order of its one-hot. Holds no real rows
    (it is saved with the synthesizer).

    Args:
        feature_encoder: the synthesizer's ``TableEncoder`` of the feature columns.
        groups (pandas.DataFrame): the sensitive values of each group code, one row a group.
        reader (ClassifierColumns): fitted on the real training rows.
        classifier: a fitted scikit-learn classifier of the class codes (``class_codes``);
            with two classes it is read through ``decision_function``, with more through
            ``predict_proba``.
        n_classes (int): the target's classes. Defaults to 2.
    """

    def __init__(self, feature_encoder, groups, reader, classifier, n_classes=2):
        self.feature_encoder = feature_encoder
        self.groups = groups.reset_index(drop=True)
        self.reader = reader
        self.classifier = classifier
        self.n_classes = n_classes

    def _read(self, features, groups):
        """The classifier matrix of generated rows (their features decoded, groups added)."""
        table = self.feature_encoder.reverse_transform(features.numpy())
        sensitive = self.groups.iloc[np.asarray(groups)]
        for column in self.groups.columns:
            table[column] = sensitive[column].to_numpy()
        # Kept for the synthesizer, which decodes the same rows next (``take_decoded``):
        # decoding costs a third as much as the scoring itself.
        self._decoded = (features, table)
        return self.reader.transform(table)

    def __call__(self, features, groups):
        matrix = self._read(features, groups)
        if getattr(self, 'n_classes', 2) == 2:  # saved before more classes were drawn: 2
            log_odds = torch.as_tensor(
                self.classifier.decision_function(matrix), dtype=torch.float32
            )
            return torch.stack([torch.zeros_like(log_odds), log_odds], dim=1)
        probabilities = np.full((len(matrix), self.n_classes), MIN_PROBABILITY)
        probabilities[:, self.classifier.classes_] = np.maximum(
            self.classifier.predict_proba(matrix), MIN_PROBABILITY
        )
        return torch.as_tensor(np.log(probabilities), dtype=torch.float32)

    def take_decoded(self, features):
        """The processed table the last call decoded, if it was of ``features`` (the same
        tensor), else None; either way it is not kept."""
        decoded, self._decoded = getattr(self, '_decoded', None), None
        if decoded is None or decoded[0] is not features:
            return None
        return decoded[1]

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop('_decoded', None)  # generated rows are not saved with the synthesizer
        return state


class ProcessedColumnsRegressor(ProcessedColumnsScorer):
    """A continuous target's scorer: ``scorer(features, groups) -> (n,)`` a regressor's
    predictions of generated rows (read as ``ProcessedColumnsScorer`` reads them).

    Args:
        feature_encoder, groups, reader: as ``ProcessedColumnsScorer``.
        regressor: a fitted scikit-learn regressor of the target.
        target_encoder: the synthesizer's ``TableEncoder`` of the target, which encodes the
            drawn values as the model's target (``encode_target``).
        residual_quantiles (np.ndarray): quantiles of the real rows' out-of-fold residuals at
            ``core.feature_labels.GRID`` (no rows: a summary, like a normalizer's modes).
        target_quantiles (np.ndarray or None): the real rows' target at the same quantiles,
            onto which the drawn values are mapped (``ValueAlignment``). Defaults to None.
        null_column (str or None): the processed column that marks a missing target (SDV's
            ``from_column``), or None: the rows it marks are predicted as NaN (they come out
            missing, so they take no part in the alignment). Defaults to None.
    """

    def __init__(self, feature_encoder, groups, reader, regressor, target_encoder,
                 residual_quantiles, null_column=None, target_quantiles=None):
        super().__init__(feature_encoder, groups, reader, regressor, n_classes=0)
        self.target_encoder = target_encoder
        self.residual_quantiles = residual_quantiles
        self.null_column = null_column
        self.target_quantiles = target_quantiles

    def __call__(self, features, groups):
        predicted = self.classifier.predict(self._read(features, groups))
        if self.null_column is not None:
            missing = self._decoded[1][self.null_column].to_numpy() == 1
            predicted = np.where(missing, np.nan, predicted)
        return predicted

    def encode_target(self, values, rng):
        """Values of the target, encoded as the model's target (a value and its mode); the
        mode is drawn from ``rng`` (a ``np.random.RandomState``), so a seed gives the same
        encoding (RDT's own stream is not reset by ``reset_sampling``)."""
        column = self.target_encoder.columns_[0]
        with seeded_transforms(self.target_encoder.transformers(), int(rng.randint(2**31))):
            encoded = self.target_encoder.transform(pd.DataFrame({column: values}))
        return torch.as_tensor(encoded, dtype=torch.float32)


def draws_a_number(synthesizer):
    """Whether the fitted synthesizer's target is a number a regressor can draw: a continuous
    span, not an ordinal target of many levels (encoded by its ranks: no number to predict)."""
    kind = synthesizer._target_encoder.column_kinds.get(synthesizer.target_column)
    return continuous(synthesizer._model.target_spans) and kind != 'ordinal'


def use_feature_labels(synthesizer, processed_data, codes, seed):
    """Fit the scorer on the real training rows (their groups: ``codes``) and make the model
    draw its label from it (two classes: each group at its real label rate). Returns whether
    it did (a categorical target of 2 to ``MAX_CLASSES`` classes, two of them at least among
    the rows, or a number without missing values)."""
    model = synthesizer._model
    if not labelable(model.target_spans):
        return False
    if model.fairness_criterion != 'demographic_parity' and model.target_spans[0].width != 2:
        # The error-rate criteria's label (``GroupSharpening``) is two-class.
        if getattr(synthesizer, 'label_from_features', None) is True:  # asked for: say so
            warnings.warn(
                f'label_from_features=True draws a two-class target under '
                f"fairness_criterion={model.fairness_criterion!r}; '{synthesizer.target_column}' "
                f'has {model.target_spans[0].width} classes, so the target head draws it.'
            )
        return False
    scorer = None
    if distributed.is_main():  # every process gets rank 0's classifier
        scorer = _fit_scorer(synthesizer, processed_data, seed)
    scorer = distributed.broadcast_object(scorer)
    if scorer is None:
        if getattr(synthesizer, 'label_repair', 1.0) < 1:  # it would do nothing: say so
            warnings.warn(
                f"label_repair={synthesizer.label_repair!r} does nothing here: fewer than two "
                f"classes of '{synthesizer.target_column}' have two rows, so the target head "
                'draws the label, which has no partial repair.'
            )
        return False
    shares = None if continuous(model.target_spans) else real_class_shares(
        synthesizer, processed_data, codes)
    model.use_label_scorer(scorer, seed, synthesizer.label_sharpness,
                           getattr(synthesizer, 'label_repair', 1.0), shares)
    return True


def real_class_shares(synthesizer, processed_data, codes):
    """Each group's shares of the target's classes among its real rows, ``(groups, classes)``
    in the order of the target's one-hot; a group without rows here (a streamed table's
    sample may lack one) gets the pooled shares."""
    categories = synthesizer._target_encoder.categories(synthesizer.target_column)
    labels = class_codes(processed_data[synthesizer.target_column], categories)
    counts = np.zeros((len(synthesizer._groups), len(categories)))
    known = labels >= 0
    np.add.at(counts, (np.asarray(codes)[known], labels[known]), 1.0)
    counts[counts.sum(axis=1) == 0] = counts.sum(axis=0)
    return counts / counts.sum(axis=1, keepdims=True)


def stop_feature_labels(synthesizer):
    """Make the target head draw the label again (undoes ``use_feature_labels``)."""
    synthesizer._model.label_scorer = synthesizer._model.label_alignment = None


def _fit_scorer(synthesizer, processed_data, seed):
    target = synthesizer.target_column
    real = processed_data.reset_index(drop=True)
    if len(real) > MAX_ROWS:
        rows = np.random.RandomState(seed).choice(len(real), MAX_ROWS, replace=False)
        real = real.iloc[np.sort(rows)].reset_index(drop=True)
    columns = [column for column in real.columns if column != target]
    reader = ClassifierColumns(columns, *enforced(synthesizer)).fit(real)
    if continuous(synthesizer._model.target_spans):
        number = draws_a_number(synthesizer)
        return _fit_regressor(synthesizer, real, reader, seed) if number else None
    categories = synthesizer._target_encoder.categories(target)
    labels = class_codes(real[target], categories)
    # A class of one row is left to the scorer's floor (``MIN_PROBABILITY``): above 10,000
    # rows the classifier holds out a stratified tenth for early stopping, which needs two.
    # (Code -1, a value the encoder does not know, cannot occur: it was fitted on these rows.)
    values, counts = np.unique(labels, return_counts=True)
    learnable = values[(counts >= 2) & (values >= 0)]
    if learnable.size < 2:  # one class among the rows read: nothing to classify
        return None
    kept = np.isin(labels, learnable)
    real, labels = real[kept].reset_index(drop=True), labels[kept]
    classifier = HistGradientBoostingClassifier(
        categorical_features=reader.categorical_, random_state=seed % 2**32, **CLASSIFIER_OPTIONS
    )
    classifier.fit(reader.transform(real), labels)
    return ProcessedColumnsScorer(
        synthesizer._feature_encoder, synthesizer._groups, reader, classifier, len(categories)
    )


def _fit_regressor(synthesizer, real, reader, seed):
    """A gradient-boosting regressor of the target, and its out-of-fold residuals' quantiles
    (in-sample residuals of boosted trees are too small: the generated target would be too
    narrow)."""
    # A target with many missing values (``_raw_columns.py``) is mean-filled in the processed
    # table, its ``.is_null`` column drawn with the row: only the rows it has are learnt.
    transformers = synthesizer._data_processor._hyper_transformer.field_transformers
    null_column = filled_flags(real.columns, transformers).get(synthesizer.target_column)
    if null_column is not None:
        real = real[real[null_column] != 1].reset_index(drop=True)
    matrix, target = reader.transform(real), real[synthesizer.target_column].to_numpy(float)
    regressor = HistGradientBoostingRegressor(
        categorical_features=reader.categorical_, random_state=seed % 2**32, **CLASSIFIER_OPTIONS
    )
    folds = KFold(RESIDUAL_FOLDS, shuffle=True, random_state=seed % 2**32)
    residuals = target - cross_val_predict(regressor, matrix, target, cv=folds)
    regressor.fit(matrix, target)
    return ProcessedColumnsRegressor(
        synthesizer._feature_encoder, synthesizer._groups, reader, regressor,
        synthesizer._target_encoder, np.quantile(residuals, GRID), null_column,
        np.quantile(target, GRID),
    )
