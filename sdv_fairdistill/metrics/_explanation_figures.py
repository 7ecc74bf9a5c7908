"""Plotly figures of the ``FairnessReport``'s explanations (``_explanations.py``).

Column names are escaped: plotly reads tags in labels (a column named ``<b>x</b>`` would
show bold, ``<br>`` would break the line)."""

import html

import plotly.graph_objects as go
from sdmetrics.reports.utils import PlotConfig

_COLORS = {
    'Real-trained model': PlotConfig.DATACEBO_DARK,
    'Synthetic-trained model': PlotConfig.DATACEBO_GREEN,
    'Real data': PlotConfig.DATACEBO_DARK,
    'Synthetic data': PlotConfig.DATACEBO_GREEN,
}


def _layout(figure, title, x_title, rows):
    figure.update_layout(
        title=title,
        barmode='group',
        xaxis_title=x_title,
        yaxis={'autorange': 'reversed'},  # the strongest first, at the top
        plot_bgcolor=PlotConfig.BACKGROUND_COLOR,
        font={'size': PlotConfig.FONT_SIZE},
        height=max(400, 32 * rows + 160),
        legend={'orientation': 'h', 'y': 1.02, 'yanchor': 'bottom'},
        margin={'t': 120},
    )
    return figure


def _bars(labels, frame, sources, value_name):
    """Horizontal bars of ``frame[source]`` for each source, side by side per label."""
    figure = go.Figure()
    for source in sources:
        figure.add_trace(go.Bar(
            y=labels, x=frame[source], name=source, orientation='h',
            marker_color=_COLORS[source],
            hovertemplate=f'%{{y}}<br>{value_name}: %{{x:.3f}}<extra>{source}</extra>',
        ))
    return figure


def attributions_figure(attributions):
    """Side-by-side bars of each column's attribution share, real- vs synthetic-trained."""
    frame = attributions.sort_values('Real-trained model', ascending=False)
    labels = [
        f'<b>{html.escape(str(column))}</b> (sensitive)' if sensitive else html.escape(str(column))
        for column, sensitive in zip(frame['Column'], frame['Sensitive'])
    ]
    figure = _bars(labels, frame, ('Real-trained model', 'Synthetic-trained model'), 'share')
    method = frame['Method'].iloc[0] if len(frame) else 'SHAP'
    what = 'mean |SHAP value|' if method == 'SHAP' else 'permutation importance (AUROC drop)'
    return _layout(
        figure,
        f'Feature Attributions of the downstream model ({what}, as a share of all columns)',
        'Share of the attribution on the real validation rows',
        len(frame),
    )


def proxies_figure(proxies):
    """Side-by-side bars of each column's AUROC of the sensitive group, real vs synthetic."""
    labels = [
        f'<b>{html.escape(str(column))}</b> (target)' if target else html.escape(str(column))
        for column, target in zip(proxies['Column'], proxies['Target'])
    ]
    figure = _bars(labels, proxies, ('Real data', 'Synthetic data'), 'AUROC')
    figure.add_vline(x=0.5, line_dash='dash', line_color='grey',
                     annotation_text='no information (0.5)', annotation_position='bottom right')
    # From 0.4, or lower where a column's AUROC is (a small table's noise falls below 0.4).
    lowest = proxies[['Real data', 'Synthetic data']].min().min()
    figure.update_xaxes(range=[min(0.4, lowest - 0.05) if lowest == lowest else 0.4, 1])
    return _layout(
        figure,
        'Proxy Strength: AUROC of the sensitive group from each column alone',
        'AUROC of the sensitive group (cross-validated)',
        len(proxies),
    )
