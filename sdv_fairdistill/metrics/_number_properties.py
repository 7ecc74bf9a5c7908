"""The ``FairnessReport``'s properties for a number as the target (``regression.py``'s
``NumberEvaluation``): demographic parity as equal group means, utility as R^2. Equalized
odds and equal opportunity compare error rates inside classes, which a number has not."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sdv_fairdistill.metrics._evaluation import DATA_SOURCES, MODEL_SOURCES
from sdv_fairdistill.metrics._properties import (
    _COLORS,
    _FairnessProperty,
    _labelled,
    _summary_rows,
)

#: The summary's name of the gap of group means.
MEAN_GAP = 'Mean Difference (standard deviations)'


def _groups(result, setting, source):
    return _labelled(result['by_group'].reset_index().rename(columns={'group': 'Group'}),
                     setting, source)


def _parity(gap):
    """``1 - gap``, at least 0: a gap of a whole standard deviation or more scores 0."""
    return max(0.0, 1.0 - gap)


class MeanParity(_FairnessProperty):
    """Mean of each group's target in the tables and of its predictions by the regressors.

    Score = mean of ``1 - MeanDifference`` of the synthetic table's target and ``1 -
    TSTRMeanDifference`` of the synthetic-trained regressor on the real validation rows (each
    a gap in standard deviations, at most 1 counted).
    """

    def _evaluate(self, evaluation):
        details, summary = [], []
        settings = (('Data', DATA_SOURCES, evaluation.data_level),
                    ('TSTR', MODEL_SOURCES, {name: evaluation.model(name) for name in MODEL_SOURCES}))
        for setting, sources, results in settings:
            for name, source in sources.items():
                details.append(_groups(results[name], setting, source))
                summary += _summary_rows(setting, source, {
                    MEAN_GAP: results[name]['difference'],
                    'Largest Kolmogorov-Smirnov Distance': results[name]['ks_distance'],
                })
        score = np.mean([_parity(evaluation.data_level['synthetic_data']['difference']),
                         _parity(evaluation.model('synthetic_data')['difference'])])
        return pd.concat(details, ignore_index=True), pd.DataFrame(summary), float(score)

    def get_visualization(self):
        """Grouped bars: each group's mean target in the tables, mean prediction of the models."""
        figure = make_subplots(rows=1, cols=2, subplot_titles=(
            'Data: mean target in the table', 'TSTR: mean prediction on real validation'))
        for col, (setting, sources) in enumerate((('Data', DATA_SOURCES), ('TSTR', MODEL_SOURCES)), 1):
            self._bars(figure, self.details[self.details['Setting'] == setting], 'Mean',
                       sources.values(), 1, col, True)
        figure = self._layout(figure, 'Fairness: Demographic Parity (group means)')
        return figure.update_yaxes(range=None, autorange=True)  # a number's own scale


class NumberUtility(_FairnessProperty):
    """R^2 of the real- and the synthetic-trained regressor on the real validation rows.

    Score = ``max(0, R^2)`` of the synthetic-trained regressor: 0 for one no better than
    predicting the mean.
    """

    def _evaluate(self, evaluation):
        real, synthetic = evaluation.model('real_data'), evaluation.model('synthetic_data')
        details = pd.DataFrame({'Metric': ['R^2'], 'Real-trained model': [real['r2']],
                                'Synthetic-trained model': [synthetic['r2']]})
        summary = []
        for name, source in MODEL_SOURCES.items():
            summary += _summary_rows('TSTR', source, {'R^2': evaluation.model(name)['r2']})
        return details, pd.DataFrame(summary), float(max(0.0, synthetic['r2']))

    def get_visualization(self):
        """Bars of the two regressors' R^2."""
        figure = go.Figure([
            go.Bar(x=self.details['Metric'], y=self.details[source], name=source,
                   marker_color=_COLORS[source], hovertemplate='%{x}: %{y:.3f}')
            for source in MODEL_SOURCES.values()
        ])
        figure = self._layout(figure, 'Downstream Utility (real validation data)')
        return figure.update_yaxes(range=None, autorange=True)  # R^2 may be negative
