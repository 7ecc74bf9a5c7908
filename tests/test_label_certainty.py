"""Under the error-rate criteria the default tries the label from the features and keeps it
only where the downstream calibration measured every group's shift precisely
(``calibration.certain``); otherwise the target head draws the label, as if it had never
been tried."""

import numpy as np
import pandas as pd
import pytest
from sdv.metadata import Metadata

from conftest import fit_detected, proxy_step_table
from sdv_fairdistill.core import calibration
from sdv_fairdistill.core.feature_labels import GroupSharpening
from sdv_fairdistill.synthesizers import _tabular_inputs as inputs
from sdv_fairdistill.synthesizers.tabular import FairDistillSynthesizer

ERROR_RATES = {'fairness_criterion': 'equal_opportunity', 'positive_label': 'yes'}


@pytest.fixture(scope='module')
def table():
    """``proxy_step_table`` with a noisy label: the chance of 'yes' rises with ``x``."""
    step = proxy_step_table()
    rng = np.random.RandomState(4)
    noisy = rng.uniform(size=len(step)) < 1 / (1 + np.exp(-1.5 * (step['x'] - 0.6)))
    return step.assign(label=np.where(noisy, 'yes', 'no'))


def _fit(table, **parameters):
    return fit_detected(table, 'group', 'label', batch_size=250, **parameters)


@pytest.mark.parametrize('parameters, expected', [
    ({}, True),  # demographic parity: on
    ({'label_from_features': False}, False),
    (ERROR_RATES, inputs.IF_CERTAIN),
    ({**ERROR_RATES, 'calibrate_target': True}, inputs.IF_CERTAIN),
    # Nothing would remove that label's bias: without the calibration, or without the penalty.
    ({**ERROR_RATES, 'calibrate_target': False}, False),
    ({**ERROR_RATES, 'fairness_weight': 0.0}, False),
    ({**ERROR_RATES, 'label_from_features': True}, True),
    ({**ERROR_RATES, 'label_from_features': False}, False),
])
def test_which_label_each_setting_asks_for(table, parameters, expected):
    metadata = Metadata.detect_from_dataframes({'t': table})
    synthesizer = FairDistillSynthesizer(metadata, 'group', 'label', **parameters)
    assert inputs.resolve_label_from_features(synthesizer) == expected


@pytest.mark.slow
def test_an_uncertain_try_gives_the_heads_fit_and_a_certain_one_keeps_the_label(
    table, monkeypatch
):
    # On these 1,500 rows the try's shifts are not measured precisely enough: the fit is
    # then the target head's, sample for sample, and says why.
    default = _fit(table, **ERROR_RATES)
    diagnostics = default.get_fairness_diagnostics()
    assert diagnostics['label_source'] == 'target head'
    assert default._model.label_scorer is None
    declined = diagnostics['label_from_features_errors']
    assert max(declined.values()) > calibration.MAX_LABEL_SHIFT_ERROR
    head = _fit(table, label_from_features=False, **ERROR_RATES)
    assert head.get_fairness_diagnostics()['target_offsets'] == diagnostics['target_offsets']
    pd.testing.assert_frame_equal(default.sample(500)['t'], head.sample(500)['t'])
    # With a bound above every error measured, the label from the features is kept.
    monkeypatch.setattr(calibration, 'MAX_LABEL_SHIFT_ERROR', 2 * max(declined.values()))
    kept = _fit(table, **ERROR_RATES)
    kept_diagnostics = kept.get_fairness_diagnostics()
    assert kept_diagnostics['label_source'] == 'features'
    assert isinstance(kept._model.label_alignment, GroupSharpening)
    assert 'label_from_features_errors' not in kept_diagnostics
    assert max(kept_diagnostics['target_offset_errors'].values()) <= (
        calibration.MAX_LABEL_SHIFT_ERROR)
    # Without the calibration nothing could remove that label's bias: the head draws it.
    uncalibrated = _fit(table, calibrate_target=False, **ERROR_RATES)
    assert uncalibrated.get_fairness_diagnostics()['label_source'] == 'target head'


def test_a_try_whose_rates_cannot_be_measured_is_not_kept():
    # Group 'b' has 6 real rows of the positive class, fewer than the calibration measures a
    # true-positive rate on (``MIN_GROUP_ROWS``): its shift is not measured (error inf),
    # whatever the bound, so the try is not kept; group 'a' is measured.
    rng = np.random.RandomState(5)
    group = np.repeat(['a', 'b'], [900, 600])
    positive = np.concatenate([rng.uniform(size=900) < 0.4, np.arange(600) < 6])
    x = rng.normal(size=1500) + 2.0 * positive
    table = pd.DataFrame({'group': group, 'x': x, 'label': np.where(positive, 'yes', 'no')})
    assert calibration.MIN_GROUP_ROWS > 6
    fitted = _fit(table, **ERROR_RATES)
    diagnostics = fitted.get_fairness_diagnostics()
    assert diagnostics['label_source'] == 'target head'
    errors = diagnostics['label_from_features_errors']
    assert np.isinf(errors['b']) and np.isfinite(errors['a'])
    assert np.isfinite(diagnostics['target_offset_errors']['a'])
