"""The ``FairnessReport`` of a number as the target: its ``generate`` on ``regression.py``'s
``RegressionTask`` and ``NumberEvaluation``, with the properties of ``_number_properties.py``
(group means, R^2) in place of the four of a class label."""

from sdv_fairdistill.metrics._number_properties import MeanParity, NumberUtility
from sdv_fairdistill.metrics.regression import NumberEvaluation, RegressionTask


class NumberTargetMixin:
    """``_generate_number`` of a report whose ``_run(evaluation, ...)`` scores its properties."""

    def _generate_number(self, real_data, synthetic_data, metadata, sensitive_columns,
                         target_column, real_validation_data, classifier, verbose):
        """``generate`` for a number as the target: group means and a regressor's R^2."""
        if self.fairness_criterion not in (None, 'demographic_parity'):
            raise ValueError(
                f'fairness_criterion={self.fairness_criterion!r} compares error rates inside '
                f'the classes of a target; {target_column!r} is a number. Use None or '
                "'demographic_parity', or pass positive_label= to measure classes."
            )
        if classifier is not None:
            raise ValueError(
                f'{target_column!r} is a number, measured with a gradient-boosting regressor; '
                'classifier= applies to class labels: leave it None, or pass positive_label=.'
            )
        task = RegressionTask(
            real_data, synthetic_data, metadata, target_column=target_column,
            sensitive_columns=sensitive_columns, real_validation_data=real_validation_data,
            validation_size=self.validation_size, random_state=self.random_state,
            min_group_size=self.min_group_size,
            include_sensitive_columns=self.include_sensitive_columns,
        )
        self._properties = {'Demographic Parity': MeanParity(),
                            'Downstream Utility': NumberUtility()}
        self.report_info.update({
            'target_column': target_column, 'target_kind': 'number', 'positive_label': None,
            'sensitive_columns': task.sensitive_columns,
            'fairness_criterion': self.fairness_criterion, 'fairness': self._fairness_name(),
            'classifier': 'HistGradientBoostingRegressor',
            'validation_data': task.validation_name,
            'num_rows_validation': len(task.validation),
        })
        self._run(NumberEvaluation(task), real_data, synthetic_data, metadata, verbose, None)
