"""What a fit achieved: fairness measured right after training, and a warning when it is off.

Measured on the training rows (no data is held out of training), each group's rows counted
up to ``ROWS_PER_GROUP`` (a small group is measured on all its rows, not on its share of a
random subset):

- ``label_gap``: the largest difference, over the target's classes, between the share of a
  class in two sensitive groups of generated rows, ``ROWS_PER_GROUP`` rows of each group (0:
  demographic parity in the data). Equal rows, because a 1 % group got some 50 rows of a
  5,000-row sample (RAND health table, race 'other': a gap of 0.20, against 0.025 on more).
- ``label_gap_noise``: the label gap that a label blind to the group reaches in 95 % of
  samples of the same sizes (each group's classes drawn from the pooled shares; for a number,
  means of the pooled spread). The gap is the largest of many groups' differences: over 300
  groups of 666 rows such a label shows 0.11, over 50 groups a number's mean gap 0.10 in
  standard deviations. ``fit`` warns only on a gap above both the target and this.
- ``label_gap_before_offsets`` (only when the downstream calibration set a non-zero
  offset, or for a number a non-zero shift): the same gap of rows drawn without the
  offsets, i.e. what the penalty and the label's drawing (docs/method.md, Stage 4)
  achieved. The offsets move each group's label rate on purpose, so that a classifier
  trained on the data selects the groups at equal rates (under the error-rate criteria:
  inside each true class); where the features tell the groups apart that costs a label gap
  (docs/method.md, "After the fit").
- ``latent_leakage_auroc``: AUROC of predicting the sensitive group from the fair part of
  the student's latent, one posterior draw per row (what the decoder and the latent density
  see; ``fair_latent_draws``), by logistic regression, 3-fold cross-validated (macro
  one-vs-rest for several groups). 0.5: the fair part tells nothing of the group.
- ``downstream_dp_difference``: a gradient-boosting classifier trained on a generated sample
  (features and group -> target), applied to the real training rows: the largest gap of its
  positive-prediction rates between real groups (several classes: of any class); the mean
  over ``DOWNSTREAM_TABLES`` samples, as are the error-rate gaps below. It reads the tables
  as a user's model does (SDV's processed columns, ``ClassifierColumns``), not the model's
  encoding (a category of 5,000 values would be 5,000 columns).
- ``downstream_dp_difference_noise`` (a class target): the gap that a classifier blind to the
  group (its pooled prediction shares on the same rows) reaches in 95 % of draws (the mean
  of the tables': a little above the noise of their mean, so the warning errs on silence).
- For a numerical target, ``label_gap`` and ``downstream_dp_difference`` are the largest gap
  between two groups' mean generated value, and mean prediction of a gradient-boosting
  regressor trained on the generated rows, in standard deviations of the real target.
- ``downstream_eo_difference`` (criterion 'equalized_odds') and ``downstream_tpr_difference``
  ('equal_opportunity'): the same classifier's largest gap between real groups of the rate at
  which it predicts a class among the rows of each true class (of the positive class only).

``fit`` warns on these through ``_fit_warnings.py``; the gaps and their noise are computed in
``_group_gaps.py``.
"""

import warnings

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

from sdv_fairdistill.group_names import group_name
from sdv_fairdistill.synthesizers._classifier_columns import DownstreamTables, class_codes
from sdv_fairdistill.synthesizers._feature_labels import draws_a_number
from sdv_fairdistill.synthesizers._fit_warnings import warn_if_off_target
from sdv_fairdistill.synthesizers._group_gaps import (
    largest_error_rate_gap, largest_mean_gap, largest_share_gap, mean_gap_noise,
    share_gap_noise,
)
from sdv_fairdistill.synthesizers._latent_leakage import fair_latent_draws, leakage_auroc

MAX_ROWS = 5000  # generated rows the downstream classifier is trained on...
DOWNSTREAM_TABLES = 3  # ...in each of this many tables (the downstream gaps: their mean)
#: Real rows of each group measured, and generated rows of each for the label gap, at most.
ROWS_PER_GROUP = 2000
#: Generated rows of the label gap, at most: beyond 500 groups each gets fewer than
#: ``ROWS_PER_GROUP``. Not sooner: with fewer a fair fit's noise passes the warning's 0.1
#: (300 groups of 666 rows: 0.11; of 2,000 rows: 0.07).
MAX_GAP_ROWS = 1_000_000
MIN_GROUP_ROWS = 10  # groups with fewer rows are left out of the leakage and DP estimates


def _rows_of_groups(groups, keep, rng):
    """The indices of every row of the groups ``keep``, at most ``ROWS_PER_GROUP`` of each (a
    random subset), in order."""
    picked = []
    for group in keep:
        rows = np.flatnonzero(groups == group)
        picked.append(rng.choice(rows, min(len(rows), ROWS_PER_GROUP), replace=False))
    return np.sort(np.concatenate(picked))


def _label_gap(model, keep, n_classes, seed, noise=False):
    """``label_gap`` of ``_rows_per_group`` generated rows of each group of ``keep``; with
    ``noise``, ``(gap, label_gap_noise)``."""
    _, target, groups = _sample_of_groups(model, keep, seed)
    classes = target.argmax(dim=1).numpy()
    gap = largest_share_gap(classes, groups, n_classes, keep)
    return (gap, share_gap_noise(classes, groups, n_classes, keep, seed)) if noise else gap


def _leakage(model, x, y_in, groups, keep, seed):
    return leakage_auroc(fair_latent_draws(model, x, y_in, seed), groups, keep, seed)


def _rows_per_group(n_groups):
    """Generated rows of each group for the label gap: ``ROWS_PER_GROUP``, fewer where the
    groups would take more than ``MAX_GAP_ROWS`` together."""
    return max(1, min(ROWS_PER_GROUP, MAX_GAP_ROWS // max(n_groups, 1)))


def _sample_of_groups(model, keep, seed):
    """``_rows_per_group`` generated rows of each group of ``keep``, drawn with a sampling
    state of their own (the user's is left as it was)."""
    each = _rows_per_group(len(keep))
    with model.sampling_state(seed):
        return model.sample(each * len(keep), groups=np.repeat(keep, each))


def _measure_number(model, decode, y, groups, keep, seed, tables, rows):
    """``label_gap`` and ``downstream_dp_difference`` of a numerical target (``decode``: the
    encoded target -> its values), in standard deviations of the real target: the largest
    gap between two groups' mean generated value (``_rows_per_group`` rows of each), and
    between their mean prediction on the real rows ``rows`` by a gradient-boosting regressor
    trained on a generated table (``tables``, a ``DownstreamTables``); with the calibration's
    shifts, ``label_gap_before_offsets`` as for a class label."""
    _, target, sampled = _sample_of_groups(model, keep, seed)
    scale = float(np.nanstd(decode(y.cpu().numpy()))) or 1.0
    generated = decode(target.numpy())
    result = {'label_gap': largest_mean_gap(generated, sampled, keep) / scale,
              'label_gap_noise': mean_gap_noise(generated, sampled, keep, seed) / scale}
    alignment = getattr(model, 'label_alignment', None)
    offsets = getattr(alignment, 'offsets_', None)
    if offsets is not None and np.any(offsets != 0):
        alignment.offsets_ = None
        try:
            _, before, _ = _sample_of_groups(model, keep, seed)
        finally:
            alignment.offsets_ = offsets
        gap = largest_mean_gap(decode(before.numpy()), sampled, keep)
        result['label_gap_before_offsets'] = gap / scale
    matrix, values = tables.generated(MAX_ROWS, seed)
    values = pd.to_numeric(values, errors='coerce').to_numpy(dtype=float)
    present = np.isfinite(values)
    regressor = HistGradientBoostingRegressor(
        max_iter=100, categorical_features=tables.reader.categorical_, random_state=seed,
    ).fit(matrix[present], values[present])
    predicted = regressor.predict(tables.real_matrix(rows))
    result['downstream_dp_difference'] = largest_mean_gap(predicted, groups, keep) / scale
    return result


def measure(model, x, y, groups, n_groups, seed, tables, decode=None):
    """The diagnostics of a fitted ``FairDistillModel`` on its (encoded) training rows, the
    downstream model's on the same rows of ``tables`` (a ``DownstreamTables``); ``decode``
    (the encoded target -> its values) for a numerical target."""
    groups = np.asarray(groups)
    counts = np.bincount(groups, minlength=n_groups)
    keep = np.flatnonzero(counts >= MIN_GROUP_ROWS)
    has_class_target = len(model.target_spans) == 1 and model.target_spans[0].kind == 'categorical'
    if len(keep) < 2:  # every measurement compares two groups of MIN_GROUP_ROWS rows or more
        unmeasured = ['latent_leakage_auroc']
        if has_class_target or decode is not None:
            unmeasured += ['label_gap', 'downstream_dp_difference']
        return dict.fromkeys(unmeasured, float('nan'))
    rows = _rows_of_groups(groups, keep, np.random.RandomState(seed))
    x, y, groups = x[rows], y[rows], groups[rows]
    s = F.one_hot(torch.as_tensor(groups, dtype=torch.long), n_groups).float()
    y_in = model._encoder_condition(y.to(model.device), s.to(model.device))
    result = {'latent_leakage_auroc': _leakage(model, x.to(model.device), y_in, groups, keep, seed)}
    if decode is not None and model.target_spans:
        return {**result, **_measure_number(model, decode, y, groups, keep, seed, tables, rows)}
    if not has_class_target:
        return result
    n_classes = y.shape[1]
    result['label_gap'], result['label_gap_noise'] = _label_gap(model, keep, n_classes, seed,
                                                                noise=True)
    offsets = getattr(model, 'target_offsets', None)
    if offsets is not None and bool(torch.any(offsets != 0)):
        model.target_offsets = None
        try:
            result['label_gap_before_offsets'] = _label_gap(model, keep, n_classes, seed)
        finally:
            model.target_offsets = offsets
    # The mean over a few tables: where a few cells hold every row, one table's classifier
    # flips whole cells (``ucb_admissions``: 0.067 on one table, 0.242 on others).
    downstream = [_downstream(model, tables, rows, y, groups, n_classes, keep, seed + k)
                  for k in range(DOWNSTREAM_TABLES)]
    measured = [gaps for gaps in downstream if len(gaps) > 1] or downstream[:1]  # 1: one class
    for key in measured[0]:
        result[key] = float(np.mean([gaps[key] for gaps in measured]))
    return result


def _downstream(model, tables, rows, y, groups, n_classes, keep, seed):
    """The downstream gaps (and the DP's noise) of a classifier trained on one generated
    table of sampling seed ``seed``, on the real ``rows``."""
    matrix, values = tables.generated(MAX_ROWS, seed)
    # The classes as the one-hot orders them, the real rows' ``y`` too.
    sampled_classes = class_codes(values, tables.classes)
    if np.unique(sampled_classes).size < 2:
        return {'downstream_dp_difference': float('nan')}
    classifier = HistGradientBoostingClassifier(
        max_iter=100, categorical_features=tables.reader.categorical_, random_state=seed,
    )
    predicted = classifier.fit(matrix, sampled_classes).predict(tables.real_matrix(rows))
    result = {'downstream_dp_difference': largest_share_gap(predicted, groups, n_classes, keep),
              # What a classifier blind to the group shows on these rows (its pooled shares).
              'downstream_dp_difference_noise': share_gap_noise(predicted, groups, n_classes,
                                                                keep, seed)}
    if model.fairness_criterion != 'demographic_parity':
        name, true_classes = _error_rate_classes(model, n_classes)
        result[name] = largest_error_rate_gap(
            predicted, y.argmax(dim=1).cpu().numpy(), groups, n_classes, keep, true_classes
        )
    return result


def _error_rate_classes(model, n_classes):
    if model.fairness_criterion == 'equal_opportunity':
        return 'downstream_tpr_difference', [model.positive_class]
    return 'downstream_eo_difference', list(range(n_classes))


def measure_after_fit(model, x, y, groups, n_groups, seed, tables, warn=True, decode=None,
                      judge_gap=True):
    """``measure``, named with the criterion (``tables``: a callable that returns the
    ``DownstreamTables``); a failure is reported, never raised: a measurement must not lose a
    finished fit. ``judge_gap=False``: a gap kept on purpose (``label_repair``) is not
    warned on; the offsets still are."""
    try:
        measured = measure(model, x, y, groups, n_groups, seed, tables(), decode)
    except Exception as error:  # noqa: BLE001
        measured = {'error': f'{type(error).__name__}: {error}'}
        warnings.warn(f'The fairness diagnostics could not be computed ({measured["error"]}).')
    else:
        if warn:  # gaps (label, downstream) under demographic parity only; offsets always
            judged = measured if (
                judge_gap and model.fairness_criterion == 'demographic_parity') else {}
            warn_if_off_target(judged, getattr(model, 'target_offsets', None),
                               np.bincount(np.asarray(groups), minlength=n_groups))
    return {'criterion': model.fairness_criterion, **measured}


class DiagnosticsMixin:
    """``get_fairness_diagnostics`` of a synthesizer whose fit stores
    ``_fairness_diagnostics`` (``_diagnose_fit``)."""

    def get_fairness_diagnostics(self):
        """What the fit achieved, measured right after training on the training rows.

        Returns:
            dict: ``criterion`` (``fairness_criterion``); ``label_gap`` (largest class-share
            gap between groups of a generated sample), and with non-zero calibration offsets
            ``label_gap_before_offsets`` (the same without them; the one ``fit`` warns on);
            ``label_gap_noise`` (the gap a label blind to the group reaches in 95 % of
            samples of the same sizes: ``fit`` does not warn on a gap below it);
            ``latent_leakage_auroc`` (AUROC of predicting the group from the fair part of the
            latent's posterior draws, 0.5 = none);
            ``downstream_dp_difference`` (a classifier trained on a generated sample, applied
            to the real training rows: gap of its prediction rates between groups; ``fit``
            warns above 0.1 and ``downstream_dp_difference_noise``), and under
            the other criteria ``downstream_eo_difference`` or ``downstream_tpr_difference``
            (the same classifier's error-rate gaps); for a numerical target the label gap
            and the downstream difference are gaps of means, in standard deviations of the
            real target (a regressor's predictions). With a target, ``label_source``:
            ``'features'`` (the label drawn from a classifier of the real rows,
            ``label_from_features``) or ``'target head'``; with the downstream calibration,
            ``target_offsets`` (per group) and ``target_offset_errors`` (each group's
            standard error of the first round's measured shift, in log-odds, for a number
            in its units; inf: not measured). Under the error-rate criteria the default
            tries the label from the features and keeps it where every group's error is at
            most 0.25; where it is not kept, ``label_from_features_errors`` holds that try's
            errors. See docs/method.md and docs/criteria.md.
        """
        self._check_fitted()
        return dict(self._fairness_diagnostics)

    def _diagnose_fit(self, x, y, codes, processed_data, labelled, calibrated, declined=None):
        """``_fairness_diagnostics`` of a tabular fit (``processed_data``: the rows of ``x``,
        SDV's processed columns): ``measure_after_fit``, which way the
        label was drawn (``labelled``), the calibration's ``(offsets, errors)`` (or None) and
        the errors of a label from the features tried and not kept (``declined``, or None)."""
        decode = None
        if self.target_column is not None and draws_a_number(self):
            def decode(matrix):  # a number: its values, as the user's table has them
                values = self._target_encoder.reverse_transform(matrix)[self.target_column]
                return values.to_numpy(dtype=float)
        report = measure_after_fit(
            self._model, x, y, codes, len(self._groups), self.seed or 0,
            lambda: DownstreamTables(self, processed_data),
            # The unfair ablation is unfair on purpose: no warning for it; a partial repair
            # keeps a label gap on purpose: no warning on the gap.
            warn=self.fairness_weight > 0, decode=decode,
            judge_gap=getattr(self, 'label_repair', 1.0) >= 1,
        )
        if self.target_column is not None:
            # Which of the two ways the label was drawn (docs/method.md, Stage 4).
            report['label_source'] = 'features' if labelled else 'target head'
        if calibrated is not None:
            # Keyed by the group's sensitive values, joined by ', ' for several columns.
            names = [group_name(row) for row in self._groups.itertuples(index=False)]
            offsets, errors = calibrated
            report['target_offsets'] = dict(zip(names, offsets))
            report['target_offset_errors'] = dict(zip(names, errors))
            if declined is not None:
                report['label_from_features_errors'] = dict(zip(names, declined))
        return report
