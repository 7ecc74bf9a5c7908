"""``label_repair``: a label drawn from the features moved only part of the way to equal rates.

Feldman et al.'s partial repair: each group's scores are mapped onto ``(1 - a) Q_group +
a Q_barycenter`` (``core/feature_labels.ScoreAlignment``; a number's predictions likewise,
``ValueAlignment``; more than two classes: each group's class shares ``(1 - a)`` its own
plus ``a`` the pooled ones, ``ClassShareAlignment``), and the calibration aims each group's
downstream selection rate (a number: its mean prediction) at ``1 - a`` of its real gap
(``core/partial_repair.kept_gaps``; more than two classes are not calibrated). ``a = 1``,
the default, is equal rates. Measured in docs/cases.md, "Partial repair".
"""

import numbers

from sdv_fairdistill.core.feature_labels import MAX_CLASSES, continuous, labelable
from sdv_fairdistill.synthesizers import _parameters
from sdv_fairdistill.synthesizers._tabular_inputs import resolve_label_from_features


def check_parameter(synthesizer):
    """``label_repair`` is a number from 0 to 1, and below 1 only where a label is drawn at
    equal rates: demographic parity with the penalty on."""
    value = synthesizer.label_repair
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
        _parameters._fail('label_repair', 'a number from 0 to 1', value)
    if value == 1:
        return
    if synthesizer.target_column is None or synthesizer.label_from_features is False:
        raise _parameters.InvalidParameterError(
            f'label_repair={value!r} moves a label drawn from the features part of the way to '
            'equal rates: it needs target_column= and label_from_features=None or True. '
            'Leave label_repair=1.'
        )
    if synthesizer.fairness_criterion != 'demographic_parity' or synthesizer.fairness_weight == 0:
        raise _parameters.InvalidParameterError(
            f'label_repair={value!r} moves the groups part of the way to '
            "equal label rates, under fairness_criterion='demographic_parity' with "
            'fairness_weight > 0 only (got fairness_criterion='
            f'{synthesizer.fairness_criterion!r}, fairness_weight='
            f'{synthesizer.fairness_weight!r}): leave label_repair=1.'
        )


def check_target(synthesizer, target_spans):
    """Before training: ``label_repair`` below 1 needs a label drawn from the features (a
    categorical target of 2 to ``MAX_CLASSES`` classes, or a number that is not an ordinal's
    ranks); the target head's label has no partial repair."""
    if getattr(synthesizer, 'label_repair', 1.0) >= 1:
        return
    ranks = synthesizer._target_encoder.column_kinds.get(synthesizer.target_column) == 'ordinal'
    drawn = labelable(target_spans) and not (continuous(target_spans) and ranks)
    if not drawn or resolve_label_from_features(synthesizer) is not True:
        raise _parameters.InvalidParameterError(
            f'label_repair={synthesizer.label_repair!r} applies to a target drawn from the '
            "features (label_from_features=None or True): a category of 2 to "
            f"{MAX_CLASSES} classes or a number; '{synthesizer.target_column}' is not one here "
            '(more classes, an ordinal of many levels encoded by its ranks, or a number whose '
            'missing values the encoder keeps). Leave label_repair=1.'
        )
