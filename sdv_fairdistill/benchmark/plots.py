"""The fairness-utility trade-off plot: FairDistill's sweep as lines, the others as points."""

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


def _suffix(result):
    """What the sweep's legend entries add where the sweep learned with detected metadata."""
    kinds = {record.get('metadata', 'curated') for record in result.sweep}
    return DETECTED_SUFFIX if kinds == {'detected'} else ''


def _lines(points):
    """The sweep's lines through its points (index: fairness_weight, label_repair): the
    weights at each repair, then the repairs at each weight swept with more than one; a
    point on no line of two is drawn alone, as a weight at full repair (1) or as a repair.

    Returns:
        list[tuple]: (parameter varied, value of the other, rows sorted along the line).
    """
    weights = points.index.get_level_values('fairness_weight')
    repairs = points.index.get_level_values('label_repair')
    along_repairs = [('label_repair', weight, points[weights == weight].sort_index(ascending=False))
                     for weight in weights.unique() if (weights == weight).sum() > 1]
    on_a_line = {index for *_, rows in along_repairs for index in rows.index}
    lines = []
    for repair in repairs.unique():
        rows = points[repairs == repair].sort_index()
        if len(rows) > 1 or (repair == 1 and rows.index[0] not in on_a_line):
            lines.append(('fairness_weight', repair, rows))
        elif rows.index[0] not in on_a_line:
            along_repairs.append(('label_repair', rows.index[0][0], rows))
    return lines + along_repairs


def _line_trace(parameter, other, rows, x, y, suffix):
    if parameter == 'fairness_weight':
        name = 'FairDistill, fairness_weight sweep' + (
            f' (label_repair={other:g})' if other != 1 else '')
        text, color = [f'λ={w:g}' for w, _ in rows.index], '#1f77b4'
    else:
        name = f'FairDistill, label_repair sweep (fairness_weight={other:g})'
        text, color = [f'a={a:g}' for _, a in rows.index], '#d62728'
    return go.Scatter(
        x=rows[(x, 'mean')], y=rows[(y, 'mean')],
        error_x=dict(array=rows[(x, 'std')].fillna(0)),
        error_y=dict(array=rows[(y, 'std')].fillna(0)),
        mode='lines+markers+text', text=text, textposition='top right',
        name=name + suffix, line=dict(color=color), legendgroup=name,
    )


def tradeoff_figure(result, x='dp_difference', y='accuracy', datasets=None):
    """Utility against unfairness: FairDistill's sweep as lines (``fairness_weight``;
    ``label_repair`` at the run's weight), other generators as points.

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
            for line in _lines(sweep.loc[dataset]):
                trace = _line_trace(*line, x, y, _suffix(result))
                trace.showlegend = trace.name not in shown
                figure.add_trace(trace, row=1, col=column)
                shown.add(trace.name)
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
