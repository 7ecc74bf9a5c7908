"""Fairness metrics and the ``FairnessReport``, an SDMetrics add-on.

After ``pip install sdv-fairdistill`` they are also importable from SDMetrics::

    from sdmetrics.single_table import DemographicParityDifference
    from sdmetrics.reports import FairnessReport

This package never imports SDV or torch: SDMetrics loads it from inside its own
``__init__`` (see ``sdmetrics._find_addons``), so it may only use SDMetrics submodules
that exist by then, and SDV's add-on loader must not reach it.
"""

# Finish importing SDMetrics (and so its add-on loading) before our modules: were
# ``sdv_fairdistill.metrics.fairness`` imported first, its ``from sdmetrics...`` line would
# start SDMetrics, whose add-on loader would find this very module half-initialized and
# fail to register the metrics ("Failed to load ...").
import sdmetrics  # noqa: F401, I001

from sdv_fairdistill.metrics.fairness import (
    DemographicParityDifference,
    DemographicParityDifferenceImprovement,
    DemographicParityRatio,
    DemographicParityRatioImprovement,
    EqualizedOddsDifference,
    EqualizedOddsDifferenceImprovement,
    EqualizedOddsRatio,
    EqualizedOddsRatioImprovement,
    TSTRDemographicParityDifference,
    TSTRDemographicParityRatio,
    TSTREqualizedOddsDifference,
    TSTREqualizedOddsRatio,
)
from sdv_fairdistill.metrics.regression import MeanDifference, TSTRMeanDifference
from sdv_fairdistill.metrics.report import FairnessReport

__all__ = (
    'DemographicParityDifference',
    'DemographicParityDifferenceImprovement',
    'DemographicParityRatio',
    'DemographicParityRatioImprovement',
    'EqualizedOddsDifference',
    'EqualizedOddsDifferenceImprovement',
    'EqualizedOddsRatio',
    'EqualizedOddsRatioImprovement',
    'FairnessReport',
    'MeanDifference',
    'TSTRDemographicParityDifference',
    'TSTRDemographicParityRatio',
    'TSTREqualizedOddsDifference',
    'TSTREqualizedOddsRatio',
    'TSTRMeanDifference',
)
