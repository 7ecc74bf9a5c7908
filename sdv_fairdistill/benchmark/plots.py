"""The fairness-utility trade-off plot: sweep ``fairness_weight``, compare with the others."""

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sdv_fairdistill.benchmark.config import DETECTED_SUFFIX

_LABELS = {
    'accuracy': 'Accuracy (TSTR)', 'auroc': 'AUROC (TSTR)', 'f1': 'F1 (TSTR)',
    'dp_difference': 'Demographic-parity difference (TSTR)',
    'eo_difference': 'Equalized-odds difference (TSTR)',
    'label_gap': 'Positive-label gap between groups in the data',
}
_SYMBOLS = ('diamond', 'square', 'triangle-up', 'cross', 'x', 'star', 'circle-open', 'hexagon')


def _has(row, metric):
    """Whether a summary row has a mean of ``metric`` to place."""
    return (metric, 'mean') in row.index and row[(metric, 'mean')] == row[(metric, 'mean')]


def _sweep_name(result):
    """The sweep's legend entry, naming detected metadata where the sweep learned with it."""
    kinds = {record.get('metadata', 'curated') for record in result.sweep}
    suffix = DETECTED_SUFFIX if kinds == {'detected'} else ''
    return f'FairDistill, fairness_weight sweep{suffix}'


def tradeoff_figure(result, x='dp_difference', y='accuracy', datasets=None):
    """Utility against unfairness: FairDistill's sweep as a line, other generators as points.

    Lower-right is fair but useless, upper-left useful but unfair; a better method moves the
    curve up and to the left. Points are means over seeds, bars one standard deviation.

    Args:
        result (BenchmarkResult): a benchmark result (its sweep and its main records).
        x (str): fairness metric on the horizontal axis (lower is fairer).
        y (str): utility metric on the vertical axis.
        datasets (list[str] or None): panels to draw (default: every dataset swept, else
            every dataset benchmarked).

    Returns:
        plotly.graph_objects.Figure
    """
    sweep = result.sweep_summary()
    summary = result.summary()
    if datasets is None:
        source = sweep if len(sweep) else summary
        datasets = list(source.index.get_level_values('dataset').unique()) if len(source) else []
    if not datasets:
        raise ValueError('The result has no record to plot.')

    figure = make_subplots(rows=1, cols=len(datasets), subplot_titles=datasets,
                           horizontal_spacing=0.08)
    shown = set()
    for column, dataset in enumerate(datasets, start=1):
        # (A sweep whose every cell failed has rows but no scores: its errors are in the table.)
        if (len(sweep) and (x, 'mean') in sweep.columns
                and dataset in sweep.index.get_level_values('dataset')):
            curve = sweep.loc[dataset].sort_index()
            figure.add_trace(go.Scatter(
                x=curve[(x, 'mean')], y=curve[(y, 'mean')],
                error_x=dict(array=curve[(x, 'std')].fillna(0)),
                error_y=dict(array=curve[(y, 'std')].fillna(0)),
                mode='lines+markers+text', text=[f'λ={w:g}' for w in curve.index],
                textposition='top right', name=_sweep_name(result),
                line=dict(color='#1f77b4'), legendgroup='sweep', showlegend='sweep' not in shown,
            ), row=1, col=column)
            shown.add('sweep')
        if len(summary) and dataset in summary.index.get_level_values('dataset'):
            for index, (generator, row) in enumerate(summary.loc[dataset].iterrows()):
                if not _has(row, x) or not _has(row, y):
                    continue  # its fairness or utility part was refused (see its errors)
                figure.add_trace(go.Scatter(
                    x=[row[(x, 'mean')]], y=[row[(y, 'mean')]],
                    error_x=dict(array=[0 if row[(x, 'std')] != row[(x, 'std')] else row[(x, 'std')]]),
                    error_y=dict(array=[0 if row[(y, 'std')] != row[(y, 'std')] else row[(y, 'std')]]),
                    mode='markers', name=generator, legendgroup=generator,
                    marker=dict(size=11, symbol=_SYMBOLS[index % len(_SYMBOLS)]),
                    showlegend=generator not in shown,
                ), row=1, col=column)
                shown.add(generator)
        figure.update_xaxes(title_text=_LABELS.get(x, x), row=1, col=column)
        figure.update_yaxes(title_text=_LABELS.get(y, y) if column == 1 else None, row=1, col=column)
    figure.update_layout(
        title='Fairness-utility trade-off (up and left is better)',
        template='plotly_white', height=500, width=max(600, 450 * len(datasets)),
    )
    return figure
