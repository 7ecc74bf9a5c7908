"""The downstream calibration of a tabular fit (``core/calibration.py``): the generated tables
it learns from, in SDV's processed space (the columns the model learns from, before the data
processor's reverse transform), read by ``_classifier_columns.py``."""

import warnings

import numpy as np
import torch

from sdv_fairdistill.core import calibration, distributed
from sdv_fairdistill.core.feature_labels import ValueAlignment
from sdv_fairdistill.synthesizers import _feature_labels as feature_labels
from sdv_fairdistill.synthesizers import _tabular_inputs as inputs
from sdv_fairdistill.synthesizers._classifier_columns import (
    ClassifierColumns,
    enforced,
    second_class_labels,
)


def label_and_calibrate(synthesizer, processed_data, codes, seed):
    """Draw the label from the features where it is on (``use_feature_labels``) and fit the
    calibration where it is on (``calibrate``). Returns ``(labelled, calibrated,
    declined)``: whether the label comes from the features, ``calibrate``'s answer (None: not
    calibrated), and the per-group errors of the label from the features where it was tried
    and not kept (else None).

    Under the error-rate criteria by default (``inputs.IF_CERTAIN``) the label from the
    features is tried first and kept only if the calibration measured every group's shift
    to within ``calibration.MAX_LABEL_SHIFT_ERROR``: that label carries the real table's
    bias and only the calibration removes it, which on a small table it cannot see through
    the noise (German Credit, ``adult_small``; docs/criteria.md). Otherwise the target
    head, whose penalty removes the bias however small the table, draws it and the
    calibration is fitted again for it. A group the calibration cannot measure at all
    (fewer than ``calibration.MIN_GROUP_ROWS`` real rows of a class, as small intersections
    of several sensitive columns may have, or a class whose rows the classifiers all
    select) keeps the head too.
    """
    choice = inputs.resolve_label_from_features(synthesizer)
    labelled = bool(choice) and feature_labels.use_feature_labels(
        synthesizer, processed_data, codes, seed)
    calibrated = calibrate(synthesizer, processed_data, codes, seed) if (
        inputs.resolve_calibrate_target(synthesizer)) else None
    declined = None
    if labelled and choice == inputs.IF_CERTAIN and not (
            calibrated is not None and calibration.certain(calibrated[1])):
        declined = calibrated[1] if calibrated is not None else None
        feature_labels.stop_feature_labels(synthesizer)
        labelled = False
        calibrated = calibrate(synthesizer, processed_data, codes, seed)
    return labelled, calibrated, declined


def calibrate(synthesizer, processed_data, codes, seed):
    """Fit and set the model's per-group offsets (``target_offsets``; a number drawn from the
    features: its ``ValueAlignment``'s shifts). Returns ``(offsets, errors)`` as lists (the
    errors: each group's standard error of the first round's shift, ``fit_offsets``), or
    None when the calibration does not apply (neither a two-class target nor a number drawn
    from the features). The user's sampling state is left as it was."""
    model = synthesizer._model
    # A number drawn from the features: its shifts are the ``ValueAlignment``'s own.
    numbers = isinstance(getattr(model, 'label_alignment', None), ValueAlignment)
    if not (numbers or calibration.calibratable(model.target_spans)):
        if getattr(synthesizer, 'calibrate_target', None) is True:  # asked for, not defaulted
            what = (f"'{synthesizer.target_column}' is neither here"
                    if synthesizer.target_column is not None else 'there is no target_column')
            warnings.warn(
                f"calibrate_target=True calibrates a two-class target or a number drawn from "
                f'the features (label_from_features); {what}, so nothing is calibrated.'
            )
        return None
    fitted = None
    if distributed.is_main():  # every process gets rank 0's offsets
        fitted = _fit(synthesizer, model, processed_data, np.asarray(codes), seed, numbers)
    offsets, errors = distributed.broadcast_object(fitted)
    _set_offsets(model, offsets, numbers)
    return [float(offset) for offset in offsets], [float(error) for error in errors]


def _set_offsets(model, offsets, numbers):
    """Give the model ``offsets``: a number's shifts to its ``ValueAlignment``, a two-class
    label's log-odds offsets to ``target_offsets``."""
    if numbers:
        model.label_alignment.offsets_ = np.asarray(offsets, dtype=float)
    else:
        model.target_offsets = torch.as_tensor(offsets, dtype=torch.float32)


def _fit(synthesizer, model, processed_data, codes, seed, numbers):
    target = synthesizer.target_column
    columns = [column for column in processed_data.columns if column != target]
    rng = np.random.RandomState(seed)
    real = processed_data.reset_index(drop=True)
    # The downstream model the offsets are fitted for is trained on a table of the training
    # table's size (what the benchmark and most users sample): a classifier's selection gap
    # depends on how many rows it learns from (COMPAS: +0.01 on average at 3,694 rows, +0.05
    # at 20,000; docs/method.md), so offsets fitted for one size overshoot at another.
    table_rows = int(min(len(real), calibration.MAX_TABLE_ROWS))
    if len(real) > calibration.MAX_ROWS:
        rows = np.sort(rng.choice(len(real), calibration.MAX_ROWS, replace=False))
        real, codes = real.iloc[rows].reset_index(drop=True), codes[rows]
    # A number's missing values (its ``.is_null`` column) are neither learnt nor measured.
    null_column = getattr(model.label_scorer, 'null_column', None) if numbers else None
    if null_column is not None:
        present = (real[null_column] != 1).to_numpy()
        real, codes = real[present].reset_index(drop=True), codes[present]
    reader = ClassifierColumns(columns, *enforced(synthesizer)).fit(real)
    real_matrix, categorical = reader.transform(real), reader.categorical_
    # The offsets shift the log-odds of the second one-hot class: the label is that class.
    second = None if numbers else synthesizer._target_encoder.categories(target)[1]
    # The error-rate criteria compare rates inside the real rows' classes; a partial repair
    # aims at part of the real rows' gap (of a number: of its mean).
    real_labels = real[target].to_numpy(dtype=float) if numbers else second_class_labels(
        real[target], second)
    positive = model.positive_class if model.positive_class is not None else 1

    def sample(offsets, draw):
        _set_offsets(model, offsets, numbers)
        model.set_random_state(calibration.draw_seed(seed, draw))
        table = synthesizer._sample(table_rows)
        if numbers:
            present = np.ones(len(table), bool) if null_column is None else (
                table[null_column] != 1).to_numpy()
            return reader.transform(table)[present], table[target].to_numpy(dtype=float)[present]
        return reader.transform(table), second_class_labels(table[target], second)

    with model.sampling_state(seed):  # each table sets its own; the user's is restored after
        return calibration.fit_offsets(
            sample, real_matrix, codes, model.n_groups, categorical, seed,
            calibration.tables_per_round(table_rows, model.fairness_criterion), regression=numbers,
            real_labels=real_labels, criterion=model.fairness_criterion, positive=positive,
            return_errors=True, repair=getattr(synthesizer, 'label_repair', 1.0),
        )
