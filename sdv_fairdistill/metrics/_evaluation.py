"""``FairnessEvaluation``: every number of one ``FairnessReport``, computed once and
shared by its properties (data-level parity of the tables; fairness and utility of the
real- and of the synthetic-trained classifier)."""

from functools import cached_property

import numpy as np
from sklearn.metrics import roc_auc_score

from sdv_fairdistill.metrics._group_checks import check_groups
from sdv_fairdistill.metrics._rates import (
    DEMOGRAPHIC_PARITY,
    EQUAL_OPPORTUNITY,
    EQUALIZED_ODDS,
    RATES,
    evaluate,
    fairness_value,
    group_rates,
    rate_frame,
)

DATA_SOURCES = {'real_data': 'Real data', 'synthetic_data': 'Synthetic data'}
MODEL_SOURCES = {'real_data': 'Real-trained model', 'synthetic_data': 'Synthetic-trained model'}


class FairnessEvaluation:
    """Every number of one report, computed once (lazily) and shared by its properties."""

    def __init__(self, task, min_group_size):
        self.task = task
        self.min_group_size = min_group_size
        self._models = {}

    def _evaluate(self, y_true, y_pred, sensitive, criterion, table_name, rates, **kwargs):
        """Difference and ratio (groups checked strictly) and the per-group ``rates``."""
        return evaluate(
            y_true,
            y_pred,
            sensitive,
            criterion=criterion,
            forms=('difference', 'ratio'),
            min_group_size=self.min_group_size,
            strict=True,
            table_name=table_name,
            rates=rates,
            **kwargs,
        )

    @cached_property
    def data_level(self):
        """Demographic parity of the labels of the real and of the synthetic table."""
        expected_groups = self.task.expected_groups
        results = {}
        for name in DATA_SOURCES:
            y_true, y_pred, sensitive = self.task.labels(name)
            result = self._evaluate(
                y_true,
                y_pred,
                sensitive,
                DEMOGRAPHIC_PARITY,
                name,
                rates=('Size', 'Selection Rate'),
                expected_groups=expected_groups,
            )
            rates = result['by_group']
            # The labels are the predictions: positive rate = selection rate, and their
            # TPR / FPR against themselves (1 and 0) say nothing.
            rates.insert(rates.columns.get_loc('Selection Rate'), 'Positive Rate',
                         rates['Selection Rate'])
            rates[['TPR', 'FPR']] = np.nan
            results[name] = {
                'dp_difference': result['difference'],
                'dp_ratio': result['ratio'],
                'by_group': rates,
            }

        return results

    def model(self, source):
        """Fairness and utility of the classifier trained on ``source`` (cached)."""
        cache = self._models
        if source not in cache:
            result = self.task.tstr(source)
            y_true, sensitive = self.task.validation
            cache[source] = {
                **model_fairness(
                    y_true, result.y_pred, sensitive, self.min_group_size,
                    self.task.validation_name, self.task.real_groups,
                ),
                'accuracy': result.accuracy,
                'f1': result.f1,
                'auroc': result.auroc,
                # An estimator without scores (no predict_proba / decision_function) still
                # gets a utility: the AUROC of its 0/1 predictions, i.e. balanced accuracy.
                'utility_auroc': (
                    result.auroc if np.isfinite(result.auroc)
                    else float(roc_auc_score(y_true, result.y_pred))
                ),
            }

        return cache[source]


def model_fairness(y_true, y_pred, sensitive, min_group_size, table_name, expected_groups=()):
    """Demographic parity, equalized odds and equal opportunity of a classifier's predictions.

    Groups are checked strictly (``_rates.check_groups``): a group under ``min_group_size``
    rows (or, for the error rates, positive / negative rows) raises a ValueError naming it,
    as does a group of ``expected_groups`` (the real training rows' groups) with no row here:
    left out, it would make the worst case look better than it is.

    Returns:
        dict: ``dp_difference``, ``dp_ratio``, ``eo_difference``, ``eo_ratio``,
        ``tpr_difference``, ``tpr_ratio`` and ``by_group`` (every rate of every group).
    """
    sensitive = sensitive.reset_index(drop=True)
    criteria = {'dp': DEMOGRAPHIC_PARITY, 'eo': EQUALIZED_ODDS, 'tpr': EQUAL_OPPORTUNITY}
    for criterion in criteria.values():
        # Strict: every group passes each criterion's check or a ValueError names it, so all
        # rows stay and one frame of every rate serves the three criteria.
        check_groups(y_true, sensitive, criterion=criterion, min_group_size=min_group_size,
                     strict=True, table_name=table_name, expected_groups=expected_groups)
    frame = rate_frame(y_true, y_pred, sensitive, tuple(RATES))
    scores = {
        f'{key}_{form}': fairness_value(frame, criterion, form, table_name=table_name)
        for key, criterion in criteria.items() for form in ('difference', 'ratio')
    }
    scores['by_group'] = group_rates(y_true, y_pred, sensitive, tuple(RATES), frame=frame)
    return scores
