"""Demographic parity and equalized odds metrics for single tables, in SDMetrics' style.

Twelve metrics: two criteria (demographic parity, equalized odds), two forms (difference:
largest minus smallest group rate, 0 = fair; ratio: smallest over largest, 1 = fair) and
three settings:

* data level (``DemographicParityDifference``, ...): the labels inside a table;
  ``compute`` returns the synthetic table's value, the breakdown also has the real one's.
* train on synthetic, test on real (``TSTRDemographicParityDifference``, ...): a
  classifier fitted on ``synthetic_data`` predicts a real validation table.
* improvement (``DemographicParityDifferenceImprovement``, ...): the synthetic-trained
  versus the real-trained classifier, ``(fair_synthetic - fair_real) / 2 + 0.5`` as
  SDMetrics' ``EqualizedOddsImprovement``.

The classes are that table (``_base.metric_classes``): each subclasses its setting's base
class with its criterion and form, which give its ``name``, ``goal`` and range [0, 1];
only the docstrings below are written per metric. The numbers are fairlearn's
(``_rates``); definitions, parameters and small groups: docs/fairness_metrics.md.
"""

from sdv_fairdistill.metrics._base import metric_classes
from sdv_fairdistill.metrics._task import FairnessTask

#: One line per metric, by class name: what it measures (its docstring).
_DOCSTRINGS = {
    # Data level: the labels (or a recorded decision) inside the synthetic table.
    'DemographicParityDifference':
        'Largest minus smallest positive-label rate of the groups in the synthetic table.',
    'DemographicParityRatio':
        'Smallest over largest positive-label rate of the groups in the synthetic table.',
    'EqualizedOddsDifference':
        'TPR/FPR gap between the groups of a decision column (``prediction_column``).',
    'EqualizedOddsRatio':
        'TPR/FPR ratio between the groups of a decision column (``prediction_column``).',
    # Train on synthetic, test on real.
    'TSTRDemographicParityDifference':
        'Selection-rate gap of a synthetic-trained classifier on real validation data.',
    'TSTRDemographicParityRatio':
        'Selection-rate ratio of a synthetic-trained classifier on real validation data.',
    'TSTREqualizedOddsDifference':
        'TPR/FPR gap of a synthetic-trained classifier on real validation data.',
    'TSTREqualizedOddsRatio':
        'TPR/FPR ratio of a synthetic-trained classifier on real validation data.',
    # Improvement over the real-trained classifier.
    'DemographicParityDifferenceImprovement':
        '``(DPD_real - DPD_synthetic) / 2 + 0.5`` of the real- and synthetic-trained models.',
    'DemographicParityRatioImprovement':
        '``(DPR_synthetic - DPR_real) / 2 + 0.5`` of the real- and synthetic-trained models.',
    'EqualizedOddsDifferenceImprovement':
        "``(EOD_real - EOD_synthetic) / 2 + 0.5``; worst case: ``EqualizedOddsImprovement``.",
    'EqualizedOddsRatioImprovement':
        '``(EOR_synthetic - EOR_real) / 2 + 0.5`` of the real- and synthetic-trained models.',
}
_METRICS = metric_classes(__name__, _DOCSTRINGS)
# Module attributes, so that `from ...fairness import DemographicParityDifference`, the
# entry points of pyproject.toml and pickle find each class by its name.
globals().update(_METRICS)

__all__ = (*_METRICS, 'FairnessTask')
