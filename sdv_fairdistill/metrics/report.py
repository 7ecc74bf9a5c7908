"""``FairnessReport``: fairness of synthetic data beside SDMetrics' ``QualityReport``.

Three properties, each scored in [0, 1] (higher is better):

* **Demographic Parity** = mean of ``1 - DPD(synthetic labels)`` (data level: the
  positive-label rate of each group inside the synthetic table) and
  ``1 - DPD(synthetic-trained model)`` (TSTR: the selection rate of each group when a
  classifier trained on the synthetic table predicts the real validation table).
* **Equalized Odds** = ``1 - EOD(synthetic-trained model)``, worst case of the TPR and FPR
  gaps on the real validation table.
* **Downstream Utility** = ``max(0, 2 * AUROC - 1)`` of the synthetic-trained model on the
  real validation table: 0 at chance level, 1 for a perfect ranking.

DPD and EOD are fairlearn's ``demographic_parity_difference`` and
``equalized_odds_difference`` (between groups, max - min). The overall score is

    sqrt(fairness * utility),   fairness = (Demographic Parity + Equalized Odds) / 2,

the geometric mean of fairness and utility (see ``FairnessReport`` for why). The real data
and a classifier trained on the real training data are evaluated the same way and reported
as references (``get_details``, ``get_summary``) but do not enter the scores.
"""

import sys
from functools import cached_property

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from sdmetrics.reports.base_report import BaseReport
from sdmetrics.reports.single_table._properties.base import BaseSingleTableProperty
from sdmetrics.reports.utils import PlotConfig
from sklearn.metrics import roc_auc_score

from sdv_fairdistill.metrics._inputs import (
    check_metadata_columns,
    single_table_metadata,
    single_tables,
)
from sdv_fairdistill.metrics._rates import (
    DEMOGRAPHIC_PARITY,
    DIFFERENCE,
    EQUALIZED_ODDS,
    RATES,
    check_groups,
    evaluate,
    improvement,
)
from sdv_fairdistill.metrics._task import FairnessTask

_DATA_SOURCES = {'real_data': 'Real data', 'synthetic_data': 'Synthetic data'}
_MODEL_SOURCES = {'real_data': 'Real-trained model', 'synthetic_data': 'Synthetic-trained model'}
_COLORS = {
    'Real data': PlotConfig.DATACEBO_DARK,
    'Synthetic data': PlotConfig.DATACEBO_GREEN,
    'Real-trained model': PlotConfig.DATACEBO_DARK,
    'Synthetic-trained model': PlotConfig.DATACEBO_GREEN,
}


class _FairnessEvaluation:
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
        for name in _DATA_SOURCES:
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
            name = self.task.validation_name
            demographic_parity = self._evaluate(
                y_true, result.y_pred, sensitive, DEMOGRAPHIC_PARITY, name, rates=tuple(RATES)
            )
            equalized_odds = self._evaluate(
                y_true, result.y_pred, sensitive, EQUALIZED_ODDS, name, rates=('TPR', 'FPR')
            )
            cache[source] = {
                'dp_difference': demographic_parity['difference'],
                'dp_ratio': demographic_parity['ratio'],
                'eo_difference': equalized_odds['difference'],
                'eo_ratio': equalized_odds['ratio'],
                'accuracy': result.accuracy,
                'f1': result.f1,
                'auroc': result.auroc,
                # An estimator without scores (no predict_proba / decision_function) still
                # gets a utility: the AUROC of its 0/1 predictions, i.e. balanced accuracy.
                'utility_auroc': (
                    result.auroc if np.isfinite(result.auroc)
                    else float(roc_auc_score(y_true, result.y_pred))
                ),
                'by_group': demographic_parity['by_group'],
            }

        return cache[source]


def _labelled(rates, setting, source):
    rates = rates.copy()
    rates.insert(0, 'Source', source)
    rates.insert(0, 'Setting', setting)
    return rates


def _summary_rows(setting, source, values):
    return [
        {'Setting': setting, 'Source': source, 'Metric': metric, 'Value': value}
        for metric, value in values.items()
    ]


def _improvement_rows(evaluation, metric, key):
    """The summary row of ``metric``: the improvement of the models' difference ``key``."""
    real, synthetic = (evaluation.model(source)[key] for source in _MODEL_SOURCES)
    return _summary_rows('TSTR', 'Synthetic vs real-trained model', {
        metric: improvement(real, synthetic, DIFFERENCE),
    })


class _FairnessProperty(BaseSingleTableProperty):
    """A report property whose numbers come from the report's shared evaluation."""

    _num_iteration_case = 'table'

    def __init__(self):
        super().__init__()
        self.summary = pd.DataFrame()
        self._score = np.nan
        self._evaluation = None  # set by FairnessReport.generate, removed afterwards

    def _compute_average(self):
        return self._score

    def get_score(self, real_data, synthetic_data, metadata, progress_bar=None):
        """Compute the property from the report's evaluation; the tables are already in it."""
        self.details, self.summary, self._score = self._evaluate(self._evaluation)
        if progress_bar is not None:
            progress_bar.update()

        return self._score

    def _bars(self, figure, details, value_column, sources, row, col, show_legend):
        for source in sources:
            rows = details[details['Source'] == source]
            figure.add_trace(
                go.Bar(
                    x=rows['Group'],
                    y=rows[value_column],
                    name=source,
                    legendgroup=source,
                    showlegend=show_legend,
                    marker_color=_COLORS[source],
                    customdata=rows['Size'],
                    hovertemplate=(
                        f'%{{x}}<br>{value_column}: %{{y:.3f}}<br>rows: %{{customdata}}'
                    ),
                ),
                row=row,
                col=col,
            )

    def _layout(self, figure, title):
        figure.update_yaxes(range=[0, 1])
        figure.update_layout(
            title=f'{title} (Score={round(self._score, 2)})',
            barmode='group',
            plot_bgcolor=PlotConfig.BACKGROUND_COLOR,
            font={'size': PlotConfig.FONT_SIZE},
            margin={'t': 150},
        )
        return figure


class DemographicParity(_FairnessProperty):
    """Positive rate of each group in the tables and in the models' predictions.

    Score = mean of ``1 - DPD`` of the synthetic table's labels and ``1 - DPD`` of the
    synthetic-trained model's predictions on the real validation table.
    """

    def _evaluate(self, evaluation):
        data, details, summary = evaluation.data_level, [], []
        for name, source in _DATA_SOURCES.items():
            details.append(_labelled(data[name]['by_group'], 'Data', source))
            summary += _summary_rows('Data', source, {
                'Demographic Parity Difference': data[name]['dp_difference'],
                'Demographic Parity Ratio': data[name]['dp_ratio'],
            })

        for name, source in _MODEL_SOURCES.items():
            model = evaluation.model(name)
            details.append(_labelled(model['by_group'], 'TSTR', source))
            summary += _summary_rows('TSTR', source, {
                'Demographic Parity Difference': model['dp_difference'],
                'Demographic Parity Ratio': model['dp_ratio'],
            })

        summary += _improvement_rows(
            evaluation, 'Demographic Parity Difference Improvement', 'dp_difference'
        )
        score = np.mean([
            1 - data['synthetic_data']['dp_difference'],
            1 - evaluation.model('synthetic_data')['dp_difference'],
        ])
        return pd.concat(details, ignore_index=True), pd.DataFrame(summary), float(score)

    def get_visualization(self):
        """Grouped bars: label rate per group in the tables, selection rate of the models."""
        figure = make_subplots(
            rows=1,
            cols=2,
            subplot_titles=(
                'Data: positive-label rate in the table',
                'TSTR: predicted positive rate on real validation',
            ),
        )
        data = self.details[self.details['Setting'] == 'Data']
        models = self.details[self.details['Setting'] == 'TSTR']
        self._bars(figure, data, 'Positive Rate', _DATA_SOURCES.values(), 1, 1, True)
        self._bars(figure, models, 'Selection Rate', _MODEL_SOURCES.values(), 1, 2, True)
        return self._layout(figure, 'Fairness: Demographic Parity')


class EqualizedOdds(_FairnessProperty):
    """TPR and FPR of each group for the real- and the synthetic-trained model.

    Score = ``1 - EOD`` (worst case of the TPR and FPR gaps) of the synthetic-trained
    model's predictions on the real validation table.
    """

    def _evaluate(self, evaluation):
        details, summary = [], []
        for name, source in _MODEL_SOURCES.items():
            model = evaluation.model(name)
            details.append(_labelled(model['by_group'], 'TSTR', source))
            summary += _summary_rows('TSTR', source, {
                'Equalized Odds Difference': model['eo_difference'],
                'Equalized Odds Ratio': model['eo_ratio'],
            })

        summary += _improvement_rows(
            evaluation, 'Equalized Odds Difference Improvement', 'eo_difference'
        )
        score = 1 - evaluation.model('synthetic_data')['eo_difference']
        return pd.concat(details, ignore_index=True), pd.DataFrame(summary), float(score)

    def get_visualization(self):
        """Grouped bars of TPR and FPR per group for both models."""
        figure = make_subplots(
            rows=1,
            cols=2,
            subplot_titles=('True positive rate', 'False positive rate'),
        )
        self._bars(figure, self.details, 'TPR', _MODEL_SOURCES.values(), 1, 1, True)
        self._bars(figure, self.details, 'FPR', _MODEL_SOURCES.values(), 1, 2, False)
        return self._layout(figure, 'Fairness: Equalized Odds')


def rescaled_auroc(auroc):
    """``max(0, 2 * AUROC - 1)``: 0 for a classifier no better than chance, 1 for a perfect one.

    Accuracy and F1 reward a classifier that learned nothing (a constant one is 76 %
    accurate on Adult), and AUROC itself gives chance 0.5; rescaled, a table whose labels
    are noise scores near 0, so the overall score can tell it from useful data.
    """
    return max(0.0, 2.0 * auroc - 1.0)


class DownstreamUtility(_FairnessProperty):
    """Accuracy, F1 and AUROC on the real validation table.

    Score = ``max(0, 2 * AUROC - 1)`` of the synthetic-trained model (AUROC from
    ``predict_proba``; of the 0/1 predictions for an estimator without scores), so that
    chance level scores 0. Accuracy and F1 are shown as references.
    """

    _METRICS = {'Accuracy': 'accuracy', 'F1': 'f1', 'AUROC': 'auroc'}
    #: The row of the details that holds the score.
    SCORE_METRIC = 'AUROC above chance (2 AUROC - 1)'

    def _evaluate(self, evaluation):
        real, synthetic = evaluation.model('real_data'), evaluation.model('synthetic_data')
        metrics = [*self._METRICS, self.SCORE_METRIC]
        details = pd.DataFrame({
            'Metric': metrics,
            'Real-trained model': [
                *(real[key] for key in self._METRICS.values()),
                rescaled_auroc(real['utility_auroc']),
            ],
            'Synthetic-trained model': [
                *(synthetic[key] for key in self._METRICS.values()),
                rescaled_auroc(synthetic['utility_auroc']),
            ],
        })
        summary = []
        for source in _MODEL_SOURCES.values():
            summary += _summary_rows('TSTR', source, dict(zip(details['Metric'], details[source])))

        score = rescaled_auroc(synthetic['utility_auroc'])
        return details, pd.DataFrame(summary), float(score)

    def get_visualization(self):
        """Grouped bars of each utility metric for both models."""
        figure = go.Figure()
        for source in _MODEL_SOURCES.values():
            figure.add_trace(
                go.Bar(
                    x=self.details['Metric'],
                    y=self.details[source],
                    name=source,
                    marker_color=_COLORS[source],
                    hovertemplate='%{x}: %{y:.3f}',
                )
            )
        return self._layout(figure, 'Downstream Utility (real validation data)')


class FairnessReport(BaseReport):
    """Fairness report for single-table synthetic data, used like SDMetrics' QualityReport.

    Properties (each in [0, 1], higher is better):

    * ``'Demographic Parity'``: mean of ``1 - DPD`` of the synthetic table's labels and
      ``1 - DPD`` of a classifier trained on the synthetic table, predicting real
      validation data;
    * ``'Equalized Odds'``: ``1 - EOD`` (worst case of the TPR and FPR gaps) of that
      classifier;
    * ``'Downstream Utility'``: ``max(0, 2 * AUROC - 1)`` of that classifier, 0 at chance.

    DPD / EOD are fairlearn's demographic parity / equalized odds differences (largest
    minus smallest group rate). Overall score::

        sqrt(fairness * utility),  fairness = (Demographic Parity + Equalized Odds) / 2

    The real data and a classifier trained on the real training data are measured the
    same way as references in ``get_details`` and ``get_summary``.

    Args:
        validation_size (float):
            Share of ``real_data`` held out as validation data when ``generate`` gets no
            ``real_validation_data`` (stratified by label and group). Defaults to 0.3.
        random_state (int):
            Seed of that split and of the default classifier. Defaults to 0.
        min_group_size (int):
            Minimum rows of a group (demographic parity), and minimum positive and negative
            rows of a group in the validation data (equalized odds). A smaller group
            raises a ValueError naming it. Defaults to 5.
        include_sensitive_columns (bool):
            Whether the classifiers see the sensitive columns as features. Defaults to True.
    """

    def __init__(
        self,
        validation_size=0.3,
        random_state=0,
        min_group_size=5,
        include_sensitive_columns=True,
    ):
        super().__init__()
        self.validation_size = validation_size
        self.random_state = random_state
        self.min_group_size = min_group_size
        self.include_sensitive_columns = include_sensitive_columns
        self._properties = {
            'Demographic Parity': DemographicParity(),
            'Equalized Odds': EqualizedOdds(),
            'Downstream Utility': DownstreamUtility(),
        }

    def _compute_overall_score(self):
        """Geometric mean of the fairness (mean of the two fairness properties) and utility.

        Why not SDMetrics' plain average: a classifier that learned nothing is trivially
        fair (a synthetic table whose labels are noise has parity near 1), so averaging
        let useless data score about as high as useful data. Fairness is only worth
        something in a model that is useful, so the two are multiplied: zero utility
        (chance-level AUROC) gives 0, and so does maximal unfairness. The square root keeps
        the score on the scale of the properties (fairness = utility = x gives x), unlike
        the bare product; unlike the harmonic mean it trades a relative loss of one for the
        same relative gain of the other, without letting the smaller one dominate.
        """
        scores = {name: prop._compute_average() for name, prop in self._properties.items()}
        fairness = (scores['Demographic Parity'] + scores['Equalized Odds']) / 2
        return float(np.sqrt(fairness * scores['Downstream Utility']))

    def _print_results(self, verbose):
        # BaseReport.generate stores the mean of the properties just before calling this;
        # the report's own overall score replaces it before it is printed or returned.
        self._overall_score = self._compute_overall_score()
        if verbose:
            sys.stdout.write(
                'Overall Score (sqrt of fairness x utility): '
                f'{round(self._overall_score * 100, 2)}%\n\n'
            )

    def _check_groups(self, task):
        """Fail before training if a group is too small for any of the measures."""
        expected_groups = task.expected_groups
        for name in ('real_data', 'synthetic_data'):
            y_true, _, sensitive = task.labels(name)
            check_groups(
                y_true,
                sensitive,
                criterion=DEMOGRAPHIC_PARITY,
                min_group_size=self.min_group_size,
                strict=True,
                table_name=name,
                expected_groups=expected_groups,
            )

        y_true, sensitive = task.validation
        for criterion in (DEMOGRAPHIC_PARITY, EQUALIZED_ODDS):
            check_groups(
                y_true,
                sensitive,
                criterion=criterion,
                min_group_size=self.min_group_size,
                strict=True,
                table_name=task.validation_name,
            )

    def generate(
        self,
        real_data,
        synthetic_data,
        metadata,
        sensitive_columns,
        target_column,
        positive_label=None,
        real_validation_data=None,
        classifier=None,
        verbose=True,
    ):
        """Generate the report.

        Args:
            real_data (pandas.DataFrame or dict):
                The real table the synthesizer learned from, or ``{table_name: DataFrame}``
                with that one table (as SDV 2 returns).
            synthetic_data (pandas.DataFrame or dict):
                The synthetic table, with the same columns (or a one-table dict).
            metadata (dict or sdv.metadata.Metadata):
                SDV ``Metadata`` (anything with ``to_dict()``) or a ``{'tables': ...}`` dict
                describing the table (when it describes several, the table is the one named
                by the data's dict key), or SDMetrics' single-table dict
                ``{'columns': {...}}``. The sdtypes drive the classifier's preprocessing.
            sensitive_columns (str or list[str]):
                The sensitive column, or several for intersectional groups (each joint
                tuple of values is a group).
            target_column (str):
                The column to predict.
            positive_label (object or None):
                The favourable label. None is allowed for a two-valued target and picks
                the larger value in sorted order (``'>50K'`` on Adult, True, 1); a target
                with more values needs it (the other values become negative).
            real_validation_data (pandas.DataFrame, dict or None):
                Real data the synthesizer never saw, to test the classifiers on (a
                DataFrame or a one-table dict). When None,
                ``validation_size`` of ``real_data`` is held out (and the real-trained
                classifier learns from the rest).
            classifier (str, estimator or None):
                ``'HistGradientBoosting'`` (default), ``'XGBoost'`` (if installed),
                ``'RandomForest'``, ``'LogisticRegression'`` or an sklearn-style estimator.
            verbose (bool):
                Whether to print progress and the scores.
        """
        tables, table_name = single_tables({
            'real_data': real_data,
            'synthetic_data': synthetic_data,
            'real_validation_data': real_validation_data,
        })
        real_data, synthetic_data = tables['real_data'], tables['synthetic_data']
        real_validation_data = tables.get('real_validation_data')
        table_metadata = single_table_metadata(metadata, table_name)
        if table_metadata is None:
            raise TypeError(
                "The FairnessReport needs metadata (SDV Metadata or {'columns': {...}}), as "
                "SDMetrics' reports do; SDV's Metadata.detect_from_dataframe builds one."
            )
        # SDMetrics checks this too, but without saying which side lacks which column.
        check_metadata_columns(table_metadata, real_data)
        task = FairnessTask(
            real_data,
            synthetic_data,
            table_metadata,
            target_column=target_column,
            sensitive_columns=sensitive_columns,
            positive_label=positive_label,
            real_validation_data=real_validation_data,
            classifier=classifier,
            validation_size=self.validation_size,
            random_state=self.random_state,
            include_sensitive_columns=self.include_sensitive_columns,
        )
        self._check_groups(task)
        evaluation = _FairnessEvaluation(task, self.min_group_size)
        for property_instance in self._properties.values():
            property_instance._evaluation = evaluation

        self.report_info.update({
            'target_column': target_column,
            'positive_label': task.positive_label,
            'sensitive_columns': task.sensitive_columns,
            'classifier': task.classifier_name,
            'validation_data': task.validation_name,
            'num_rows_validation': len(task.validation[0]),
        })
        try:
            super().generate(real_data, synthetic_data, table_metadata, verbose=verbose)
        finally:
            # Keep neither the tables nor the fitted models in the (pickled) report.
            for property_instance in self._properties.values():
                property_instance._evaluation = None

    def get_summary(self):
        """Return every fairness and utility number of the report.

        Returns:
            pandas.DataFrame:
                Columns ``Property``, ``Setting`` (``'Data'`` or ``'TSTR'``), ``Source``
                (real / synthetic data, real- / synthetic-trained model), ``Metric`` and
                ``Value``.
        """
        self._check_report_generated()
        summaries = []
        for property_name, property_instance in self._properties.items():
            summary = property_instance.summary.copy()
            summary.insert(0, 'Property', property_name)
            summaries.append(summary)

        return pd.concat(summaries, ignore_index=True)
