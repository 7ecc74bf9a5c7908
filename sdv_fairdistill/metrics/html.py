"""One self-contained HTML file with every figure of a ``FairnessReport`` (and optionally of
SDMetrics' ``QualityReport`` and of other plotly figures, such as a synthesizer's latent
view).

Self-contained: plotly.js is embedded once (no network is needed to open the file), and each
figure is stored as plotly JSON in a ``<script type="application/json"
class="figure-json">`` block that a small script draws, so a test (or a user) can read the
figures back with ``read_figures``.
"""

import html
import json
import re
from pathlib import Path

import plotly.io as pio
from plotly.offline import get_plotlyjs

from sdv_fairdistill.metrics._explanations import shap_available

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
h1 { color: #000036; } h2 { border-bottom: 2px solid #01E0C9; padding-bottom: 4px; }
table { border-collapse: collapse; font-size: 13px; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th { background: #f0f0f5; } .figure { margin: 1em 0 2em; } p.note { color: #555; }
"""

_DRAW = """
document.querySelectorAll('script.figure-json').forEach(function (block) {
  var figure = JSON.parse(block.textContent);
  Plotly.newPlot(block.dataset.target, figure.data, figure.layout, {responsive: true});
});
"""


def _json_in_script(text):
    # "</script>" inside the JSON would end the block early.
    return text.replace('</', '<\\/')


def _table(frame):
    return frame.to_html(index=False, float_format=lambda value: f'{value:.3f}', border=0)


#: The per-table properties of SDMetrics' quality reports, whose figures the page shows.
QUALITY_FIGURES = ('Column Shapes', 'Column Pair Trends')


def _positive(info):
    if info.get('target_kind') == 'number':
        return 'a number'
    return f"positive: {info['positive_label']}"


def report_sections(fairness_report, quality_report=None, table_name=None):
    """``(heading, note, figure or DataFrame)`` sections of the reports, in reading order.

    ``quality_report`` is SDMetrics' single-table ``QualityReport``, or its multi-table one
    with ``table_name`` the table to show; the figures of its column shapes and column pair
    trends are shown.
    """
    info = fairness_report.get_info()
    scores = fairness_report.get_properties()
    sections = [(
        'Scores',
        f"Overall fairness score {fairness_report.get_score():.3f} (sqrt of fairness x "
        f"utility; fairness: {info['fairness']}). Target '{info['target_column']}' "
        f"({_positive(info)}), sensitive {info['sensitive_columns']}, "
        f"classifier {info['classifier']}, tested on {info['validation_data']}.",
        scores,
    )]
    for name in scores['Property']:
        sections.append((name, '', fairness_report.get_visualization(name)))
    if fairness_report._explanations:
        effect = fairness_report.get_sensitive_effect()
        sections += [
            ('Feature Attributions', 'Which columns the downstream model relies on, trained on '
             'the real rows and on the synthetic table, on the same real validation rows.',
             fairness_report.get_visualization('Feature Attributions')),
            ('Attribution share of the sensitive columns and the strongest proxies', '',
             fairness_report.get_attribution_summary()),
            ('Effect of the sensitive columns by group', 'Mean SHAP value (log-odds) of the '
             'sensitive columns among the rows of each group: how each model moves a '
             "group's scores for being that group."
             + (' Not computed: it needs shap (pip install "sdv-fairdistill[explain]").'
                if effect.empty and not shap_available() else ''), effect),
            ('Proxy Strength', 'How well each column alone tells the sensitive group (AUROC; '
             '0.5 = not at all), in the real and in the synthetic table.',
             fairness_report.get_visualization('Proxy Strength')),
        ]
    sections.append(('Every number', '', fairness_report.get_summary()))
    if quality_report is not None:
        sections.append((
            'Fidelity (SDMetrics QualityReport)',
            f'Quality score {quality_report.get_score():.3f}.',
            quality_report.get_properties(),
        ))
        where = {} if table_name is None else {'table_name': table_name}
        for name in QUALITY_FIGURES:
            sections.append((name, '', quality_report.get_visualization(name, **where)))
    return sections


def write_html(filepath, sections, title='Fairness report'):
    """Write ``sections`` (``(heading, note, plotly figure or DataFrame)``) as one HTML file.

    Args:
        filepath (str or Path): where to write.
        sections (list[tuple]): see ``report_sections``; a figure is drawn, a DataFrame
            shown as a table.
        title (str): the page title. Defaults to 'Fairness report'.
    """
    body = []
    for index, (heading, note, content) in enumerate(sections):
        body.append(f'<h2>{html.escape(heading)}</h2>')
        if note:
            body.append(f'<p class="note">{html.escape(note)}</p>')
        if hasattr(content, 'to_plotly_json'):
            target = f'figure-{index}'
            body.append(f'<div class="figure" id="{target}"></div>')
            body.append(
                f'<script type="application/json" class="figure-json" data-target="{target}">'
                f'{_json_in_script(pio.to_json(content, validate=False))}</script>'
            )
        else:
            body.append(_table(content))
    page = (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}'
        f'</title><style>{_STYLE}</style>\n<script>{get_plotlyjs()}</script></head>\n'
        f'<body><h1>{html.escape(title)}</h1>\n' + '\n'.join(body) +
        f'\n<script>{_DRAW}</script></body></html>\n'
    )
    Path(filepath).write_text(page, encoding='utf-8')


def read_figures(filepath):
    """The figures of a file written by ``write_html``, as plotly JSON dicts."""
    text = Path(filepath).read_text(encoding='utf-8')
    blocks = re.findall(
        r'<script type="application/json" class="figure-json"[^>]*>(.*?)</script>', text, re.S
    )
    return [json.loads(block.replace('<\\/', '</')) for block in blocks]
