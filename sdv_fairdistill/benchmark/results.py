"""Benchmark results: per-seed records, their mean and spread, Markdown, JSON and a plot."""

import json
import math
import platform
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sdv_fairdistill.benchmark.evaluation import METRICS

COSTS = ('fit_seconds', 'sample_seconds', 'rows_per_second', 'parameters')
#: The settings a record's numbers depend on: parts of one result must share them.
MEASURING = ('num_rows', 'test_size', 'classifier', 'use_sensitive_feature', 'params',
             'quality_rows', 'embedding_rows', 'nearest_k')
_KEYS = ['dataset', 'generator']
#: The FairDistill parameters a sweep point sets.
SWEPT = ('fairness_weight', 'label_repair')
#: Columns whose Markdown cell also gives the worst seed (a user runs once: the bad seed is
#: the run they may get).
_WORST_SHOWN = ('accuracy', 'auroc', 'dp_difference', 'dp_difference_large_groups',
                'eo_difference')
#: Columns shown for a dataset only when some generator has a value there: the evaluator
#: measures them only with more than two groups (``Evaluator.many_groups``).
_SHOWN_WHEN_MEASURED = ('dp_difference_large_groups', 'large_group_count')

#: The two Markdown tables per dataset: (title, [(column, header, digits)]).
_TABLES = (
    ('Downstream utility and fairness (train on synthetic, test on real)', [
        ('accuracy', 'Accuracy ↑', 3), ('f1', 'F1 ↑', 3), ('auroc', 'AUROC ↑', 3),
        ('dp_difference', 'DP diff ↓', 3), ('dp_ratio', 'DP ratio ↑', 3),
        ('dp_difference_large_groups', 'DP diff, groups ≥ 100 rows ↓', 3),
        ('large_group_count', 'Groups ≥ 100 rows', 0),
        ('eo_difference', 'EO diff ↓', 3), ('eo_ratio', 'EO ratio ↑', 3),
    ]),
    ('Fairness in the data (label gap; train and test on synthetic), fidelity and cost', [
        ('label_gap', 'Label gap ↓', 3), ('tsts_accuracy', 'TSTS acc. ↑', 3),
        ('tsts_dp_difference', 'TSTS DP diff ↓', 3), ('tsts_eo_difference', 'TSTS EO diff ↓', 3),
        ('quality', 'Quality ↑', 3), ('density', 'Density', 3), ('coverage', 'Coverage ↑', 3),
        ('fit_seconds', 'Fit (s)', 1), ('rows_per_second', 'Sampling (rows/s)', 0),
        ('parameters', 'Parameters', 0),
    ]),
)

#: The sweep's table: utility and fairness only (the sweep measures no fidelity).
_SWEEP_COLUMNS = [c for c in _TABLES[0][1] if c[0] in ('accuracy', 'f1', 'auroc', 'dp_difference')]
_SWEEP_COLUMNS.append(('label_gap', 'Label gap ↓', 3))


def _environment():
    import sdv
    import sklearn
    import torch

    import sdv_fairdistill

    return {
        'python': platform.python_version(),
        'platform': platform.platform(),
        'sdv_fairdistill': sdv_fairdistill.__version__,
        'sdv': sdv.__version__,
        'torch': torch.__version__,
        'scikit-learn': sklearn.__version__,
        'device': torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'cpu',
    }


def _json_safe(value):
    """NaN and numpy scalars made JSON-friendly (NaN -> null)."""
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _format(mean, std, digits):
    if mean is None or pd.isna(mean):
        return '–'
    if digits == 0:
        text = f'{mean:,.0f}'
        return text if pd.isna(std) or std == 0 or mean >= 1e5 else f'{text} ± {std:,.0f}'
    text = f'{mean:.{digits}f}'
    return text if pd.isna(std) else f'{text} ± {std:.{digits}f}'


@dataclass
class BenchmarkResult:
    """What ``run_benchmark`` returns.

    Attributes:
        records (list[dict]): one per dataset x seed x generator; metric values, costs, and
            ``error`` when the cell failed, ``errors`` (``{part: reason}``) when the
            metrics refused some of its scores (see ``Evaluator.evaluate``).
        sweep (list[dict]): one per dataset x seed x point (``fairness_weight``,
            ``label_repair``) of the sweep.
        config (dict): the ``BenchmarkConfig`` used.
        environment (dict): library versions and device.
    """

    records: list
    sweep: list = field(default_factory=list)
    config: dict = field(default_factory=dict)
    environment: dict = field(default_factory=_environment)

    def to_frame(self):
        """The per-seed records as a DataFrame."""
        return pd.DataFrame(self.records)

    def sweep_frame(self):
        """The sweep records as a DataFrame (with ``label_repair`` in runs from before it was
        swept: what they fitted)."""
        return pd.DataFrame(_with_repair(self.sweep, self.config))

    def summary(self):
        """Mean and standard deviation over seeds per dataset and generator.

        Returns:
            pandas.DataFrame: index (dataset, generator); columns (metric, 'mean' | 'std'),
            ``'worst'`` for the metrics with a direction (the worst seed's value), plus
            ('seeds', 'ok'), the number of seeds that ran without error. The generator
            order is the configuration's.
        """
        return _summarise(self.to_frame(), _KEYS)

    def sweep_summary(self):
        """Mean and standard deviation per dataset and point (``fairness_weight``,
        ``label_repair``) of the sweep."""
        return _summarise(self.sweep_frame(), ['dataset', *SWEPT])

    def errors(self):
        """The failed cells and parts: dataset, seed, generator and error message.

        A cell that failed as a whole has its ``error``; a part the metrics refused (e.g.
        TSTS of a table without a positive label) is listed as ``part: reason``.
        """
        rows = []
        for record in (*self.records, *self.sweep):
            failures = []
            if isinstance(record.get('error'), str):
                failures.append(record['error'])
            if isinstance(record.get('errors'), dict):
                failures.extend(f'{part}: {reason}' for part, reason in record['errors'].items())
            generator = record.get('generator')
            if 'fairness_weight' in record:  # a sweep point: which one
                generator = f"{generator} ({', '.join(f'{k}={record[k]:g}' for k in SWEPT if k in record)})"
            rows.extend(
                {'dataset': record.get('dataset'), 'seed': record.get('seed'),
                 'generator': generator, 'error': failure}
                for failure in failures
            )
        return pd.DataFrame(rows, columns=['dataset', 'seed', 'generator', 'error'])

    def to_markdown(self):
        """Two tables per dataset (mean ± standard deviation over seeds), the sweep's, plus
        notes."""
        summary, sweep = self.summary(), self.sweep_summary()
        if summary.empty and sweep.empty:
            return 'No benchmark cell was run.\n'
        lines = []
        for dataset in (summary.index.get_level_values('dataset').unique()
                        if len(summary) else ()):
            block = summary.loc[dataset]
            # Per dataset: merged parts of a run may have run different seeds per dataset.
            totals = block[('seeds', 'total')].astype(int)
            seeds = int(totals.max())
            fewer = totals[totals < seeds]
            # Merged parts may also have run fewer seeds for some generators: say which.
            exceptions = ''.join(
                f'; {count} for {", ".join(fewer[fewer == count].index)}'
                for count in sorted(fewer.unique(), reverse=True)
            )
            lines.append(f'### {dataset}\n')
            for title, columns in _TABLES:
                columns = [c for c in columns if _shown(block, c[0])]
                worst = ' (in brackets: the worst seed)' if seeds > 1 and any(
                    c in _WORST_SHOWN for c, _, _ in columns) else ''
                lines.append(f'{title}; mean ± std over {seeds} seeds{exceptions}{worst}.\n')
                lines.append('| Generator | ' + ' | '.join(header for _, header, _ in columns) + ' |')
                lines.append('|---|' + '---:|' * len(columns))
                for generator, row in block.iterrows():
                    failed = row[('seeds', 'ok')] < row[('seeds', 'total')]
                    label = generator + (' (failed on some seeds)' if failed else '')
                    cells = [
                        _format(row[(c, 'mean')], row[(c, 'std')], d)
                        + _worst(row, c, d, row[('seeds', 'total')])
                        for c, _, d in columns
                    ]
                    lines.append(f'| {label} | ' + ' | '.join(cells) + ' |')
                lines.append('')
        lines.extend(_sweep_tables(sweep))
        errors = self.errors()
        if len(errors):
            lines.append('Failed cells:\n')
            lines.extend(
                f'- {row.dataset}, seed {row.seed}, {row.generator}: {row.error}'
                for row in errors.itertuples()
            )
            lines.append('')
        return '\n'.join(lines)

    def to_json(self):
        """Everything (configuration, environment, records, sweep, summary) as a JSON string."""
        summary = self.summary()
        summary_records = [
            {
                'dataset': dataset, 'generator': generator,
                **{f'{metric}_{stat}': row[(metric, stat)] for metric, stat in summary.columns},
            }
            for (dataset, generator), row in summary.iterrows()
        ]
        payload = {
            'config': self.config,
            'environment': self.environment,
            'records': self.records,
            'sweep': self.sweep,
            'summary': summary_records,
        }
        return json.dumps(_json_safe(payload), indent=2, default=str)

    @classmethod
    def from_json(cls, text):
        """Read back what ``to_json`` wrote (null metrics become NaN)."""
        payload = json.loads(text)
        rows = (payload.get('records'), payload.get('sweep', [])) if isinstance(
            payload, dict) else (None,)
        if not all(isinstance(part, list) and all(isinstance(r, dict) for r in part)
                   for part in rows):
            raise ValueError(
                'This JSON is not a benchmark result: it has no list of records (a '
                "results.json written by the benchmark has 'config', 'records' and 'sweep')."
            )

        def nan(records):
            return [{k: (np.nan if v is None else v) for k, v in r.items()} for r in records]

        return cls(
            records=nan(payload['records']), sweep=nan(payload.get('sweep', [])),
            config=payload.get('config', {}), environment=payload.get('environment', {}),
        )

    @classmethod
    def combine(cls, results):
        """One result from runs of parts of a benchmark (e.g. one dataset per process).

        Records and sweeps are concatenated; the configuration keeps the union of datasets,
        generators, seeds, metadata, reference rows and the sweep's settings. Parts measured
        under different settings (``MEASURING``: rows, split, classifier, generator
        parameters, fidelity sizes) are refused, as is a cell in two parts.
        """
        results = list(results)
        if not results:
            raise ValueError('combine needs at least one BenchmarkResult.')
        _refuse_repeated_cells([r.records for r in results], ('dataset', 'seed', 'generator'))
        _refuse_repeated_cells([_with_repair(r.sweep, r.config) for r in results],
                               ('dataset', 'seed', *SWEPT))
        for key in MEASURING:
            settings = {json.dumps(_json_safe(r.config[key]), sort_keys=True, default=str)
                        for r in results if key in r.config}
            if len(settings) > 1:
                raise ValueError(
                    f"The runs were measured with different '{key}' "
                    f"({', '.join(sorted(settings))}): their numbers would not compare in one "
                    'table. Run the parts with the same '
                    'settings.'
                )
        config = dict(results[0].config)
        for key in ('datasets', 'generators', 'seeds', 'metadata', 'ceilings', 'sweep_datasets',
                    'sweep_seeds', 'sweep_weights', 'sweep_repairs'):
            values = []
            for result in results:
                values += [v for v in result.config.get(key, ()) if v not in values]
            config[key] = values
        config['reference'] = any(r.config.get('reference', False) for r in results)
        return cls(
            records=[record for result in results for record in result.records],
            sweep=[record for result in results for record in result.sweep],
            config=config,
            environment=results[0].environment,
        )

    def tradeoff_figure(self, **kwargs):
        """The fairness-utility trade-off plot (see ``plots.tradeoff_figure``)."""
        from sdv_fairdistill.benchmark.plots import tradeoff_figure

        return tradeoff_figure(self, **kwargs)

    def save(self, output_dir):
        """Write ``results.json``, ``results.md`` and ``tradeoff.html`` (and ``tradeoff.png``
        when plotly can export images offline, i.e. with kaleido installed).

        Returns:
            dict: file kind -> path written.
        """
        output_dir = Path(output_dir)
        output_dir.mkdir(parents=True, exist_ok=True)
        paths = {'json': output_dir / 'results.json', 'markdown': output_dir / 'results.md'}
        paths['json'].write_text(self.to_json())
        paths['markdown'].write_text(self.to_markdown())
        if self.sweep or self.records:
            figure = self.tradeoff_figure()
            paths['html'] = output_dir / 'tradeoff.html'
            # Plotly's JavaScript is embedded so the page opens without a network.
            figure.write_html(paths['html'], include_plotlyjs=True)
            try:
                figure.write_image(output_dir / 'tradeoff.png', width=1000, height=500)
                paths['png'] = output_dir / 'tradeoff.png'
            except Exception:  # noqa: BLE001 - no kaleido / browser: the HTML is the figure
                pass
        return paths


def _with_repair(sweep, config):
    """Sweep records with their ``label_repair``: a run from before it was swept has none,
    and fitted the one its ``params`` gave FairDistill (else 1)."""
    fitted = float(config.get('params', {}).get('FairDistill', {}).get('label_repair', 1.0))
    return [{'label_repair': fitted, **record} for record in sweep]


def _refuse_repeated_cells(parts, keys):
    """A cell (its ``keys``' values) in more than one part would count twice: refused."""
    seen = set()
    for records in parts:
        cells = {tuple(record[key] for key in keys) for record in records}
        for cell in sorted(cells & seen, key=str):  # the first, named the same every time
            raise ValueError(
                f"The cell {cell} ({', '.join(keys)}) is in more than one run: keep it in one "
                'of them, or its numbers would count twice.'
            )
        seen |= cells


def _shown(block, column):
    """Whether a dataset's table has ``column``: measured at all, and for the columns of
    ``_SHOWN_WHEN_MEASURED`` measured on this dataset (not a column of dashes)."""
    if column not in block.columns.get_level_values(0):
        return False
    return column not in _SHOWN_WHEN_MEASURED or block[(column, 'mean')].notna().any()


def _sweep_tables(sweep):
    """Markdown lines: per dataset swept, FairDistill's utility and fairness at each point."""
    columns = [c for c in _SWEEP_COLUMNS if (c[0], 'mean') in sweep.columns]
    lines = []
    for dataset in (sweep.index.get_level_values('dataset').unique() if len(columns) else ()):
        block = sweep.loc[dataset]
        seeds = int(block[('seeds', 'total')].max())
        worst = ' (in brackets: the worst seed)' if seeds > 1 else ''
        lines += [f'### {dataset}: FairDistill\'s trade-off sweep\n',
                  f'Mean ± std over {seeds} seeds{worst}.\n',
                  '| fairness_weight | label_repair | '
                  + ' | '.join(header for _, header, _ in columns) + ' |',
                  '|---:|---:|' + '---:|' * len(columns)]
        for (weight, repair), row in block.iterrows():
            cells = [_format(row[(c, 'mean')], row[(c, 'std')], d)
                     + _worst(row, c, d, row[('seeds', 'total')]) for c, _, d in columns]
            failed = ' (failed on some seeds)' if row[('seeds', 'ok')] < row[('seeds', 'total')] else ''
            lines.append(f'| {weight:g} | {repair:g}{failed} | ' + ' | '.join(cells) + ' |')
        lines.append('')
    return lines


def _worst(row, column, digits, seeds):
    if column not in _WORST_SHOWN or seeds < 2 or pd.isna(row.get((column, 'worst'))):
        return ''
    return f" (worst {row[(column, 'worst')]:.{digits}f})"


def _summarise(frame, keys):
    if frame.empty:
        return pd.DataFrame()
    columns = [c for c in (*METRICS, *COSTS) if c in frame.columns]
    ok = frame['error'].isna() if 'error' in frame else pd.Series(True, index=frame.index)
    numbers = frame[keys + columns].copy()
    numbers[columns] = numbers[columns].apply(pd.to_numeric, errors='coerce')
    grouped = numbers.groupby(keys, sort=False)[columns]
    ranked = [c for c in columns if METRICS.get(c) is not None]
    # The worst seed: the lowest of a higher-is-better metric, the highest of the others.
    by_key = numbers.groupby(keys, sort=False)
    worst = pd.concat(
        {c: (by_key[c].min() if METRICS[c] else by_key[c].max()) for c in ranked}, axis=1
    ) if ranked else pd.DataFrame(index=by_key.size().index)
    summary = pd.concat({'mean': grouped.mean(), 'std': grouped.std(), 'worst': worst}, axis=1)
    order = [(c, s) for c in columns for s in ('mean', 'std', 'worst')
             if s != 'worst' or c in ranked]
    summary = summary.swaplevel(axis=1)[order]
    summary[('seeds', 'ok')] = ok.groupby([frame[k] for k in keys], sort=False).sum()
    summary[('seeds', 'total')] = frame.groupby(keys, sort=False).size()
    return summary
