"""The ``FairnessReport``'s properties: their scores and details from the report's
``FairnessEvaluation``, and their figures."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from sdmetrics.reports.single_table._properties.base import BaseSingleTableProperty
from sdmetrics.reports.utils import PlotConfig

from sdv_fairdistill.metrics._evaluation import DATA_SOURCES, MODEL_SOURCES
from sdv_fairdistill.metrics._rates import DIFFERENCE, improvement

_COLORS = {
    'Real data': PlotConfig.DATACEBO_DARK,
    'Synthetic data': PlotConfig.DATACEBO_GREEN,
    'Real-trained model': PlotConfig.DATACEBO_DARK,
    'Synthetic-trained model': PlotConfig.DATACEBO_GREEN,
}


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
    real, synthetic = (evaluation.model(source)[key] for source in MODEL_SOURCES)
    return _summary_rows('TSTR', 'Synthetic vs real-trained model', {
        metric: improvement(real, synthetic, DIFFERENCE),
    })


def _model_rows(evaluation, criterion, key):
    """Per-group rates and summary rows of both models for ``criterion``, then the row of
    its improvement; ``key`` is the prefix of the numbers (``'dp'``, ``'eo'``)."""
    details, summary = [], []
    for name, source in MODEL_SOURCES.items():
        model = evaluation.model(name)
        details.append(_labelled(model['by_group'], 'TSTR', source))
        summary += _summary_rows('TSTR', source, {
            f'{criterion} Difference': model[f'{key}_difference'],
            f'{criterion} Ratio': model[f'{key}_ratio'],
        })

    summary += _improvement_rows(
        evaluation, f'{criterion} Difference Improvement', f'{key}_difference'
    )
    return details, summary


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
        for name, source in DATA_SOURCES.items():
            details.append(_labelled(data[name]['by_group'], 'Data', source))
            summary += _summary_rows('Data', source, {
                'Demographic Parity Difference': data[name]['dp_difference'],
                'Demographic Parity Ratio': data[name]['dp_ratio'],
            })

        model_details, model_summary = _model_rows(evaluation, 'Demographic Parity', 'dp')
        details += model_details
        summary += model_summary
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
        self._bars(figure, data, 'Positive Rate', DATA_SOURCES.values(), 1, 1, True)
        self._bars(figure, models, 'Selection Rate', MODEL_SOURCES.values(), 1, 2, True)
        return self._layout(figure, 'Fairness: Demographic Parity')


class EqualizedOdds(_FairnessProperty):
    """TPR and FPR of each group for the real- and the synthetic-trained model.

    Score = ``1 - EOD`` (worst case of the TPR and FPR gaps) of the synthetic-trained
    model's predictions on the real validation table.
    """

    def _evaluate(self, evaluation):
        details, summary = _model_rows(evaluation, 'Equalized Odds', 'eo')
        score = 1 - evaluation.model('synthetic_data')['eo_difference']
        return pd.concat(details, ignore_index=True), pd.DataFrame(summary), float(score)

    def get_visualization(self):
        """Grouped bars of TPR and FPR per group for both models."""
        figure = make_subplots(
            rows=1,
            cols=2,
            subplot_titles=('True positive rate', 'False positive rate'),
        )
        self._bars(figure, self.details, 'TPR', MODEL_SOURCES.values(), 1, 1, True)
        self._bars(figure, self.details, 'FPR', MODEL_SOURCES.values(), 1, 2, False)
        return self._layout(figure, 'Fairness: Equalized Odds')


class EqualOpportunity(_FairnessProperty):
    """TPR of each group for the real- and the synthetic-trained model.

    Score = ``1 - TPR difference`` of the synthetic-trained model's predictions on the real
    validation table (equalized odds without the false-positive rates).
    """

    def _evaluate(self, evaluation):
        details, summary = _model_rows(evaluation, 'Equal Opportunity', 'tpr')
        score = 1 - evaluation.model('synthetic_data')['tpr_difference']
        return pd.concat(details, ignore_index=True), pd.DataFrame(summary), float(score)

    def get_visualization(self):
        """Grouped bars of the TPR per group for both models."""
        figure = go.Figure()
        self._bars(figure, self.details, 'TPR', MODEL_SOURCES.values(), None, None, True)
        return self._layout(figure, 'Fairness: Equal Opportunity (true positive rate)')


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
        for source in MODEL_SOURCES.values():
            summary += _summary_rows('TSTR', source, dict(zip(details['Metric'], details[source])))

        score = rescaled_auroc(synthetic['utility_auroc'])
        return details, pd.DataFrame(summary), float(score)

    def get_visualization(self):
        """Grouped bars of each utility metric for both models."""
        figure = go.Figure()
        for source in MODEL_SOURCES.values():
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
