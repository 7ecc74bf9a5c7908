"""Where does FairDistill's fairness / utility curve flatten in the number of teacher steps?

Command (from the repository root; about 40 minutes on 2 CPU cores):

    PYTHONPATH=. python benchmarks/step_budget.py \
        [--workdir /tmp/fairdistill_step_budget] [--output benchmarks/results/step_budget] \
        [--threads 1]

The default training length used to be at least 60 epochs and 1,500 steps of 500 rows: it
grew with the table without end (120,000 teacher steps on 1M rows). This script measured what
fewer steps cost, to choose the step budget for large tables (now at most 4,000 steps):

1. Adult (sensitive 'sex', target 'income') split 70 / 30, stratified on the target, with
   seed 0 (``benchmark.runner.split_dataset``, as the benchmark splits); one ``Evaluator``
   of that split scores every table (TSTR and the label gap on the real test rows,
   QualityReport against the real training rows).
2. A default FairDistillSynthesizer (seed 0) fitted on the real training rows samples a
   200,000-row Adult-like table (``<workdir>/adult_like_200k.parquet``; reused when there).
3. On the Adult-like table (400 batches an epoch): ``epochs=E, distill_epochs=max(1, E // 2)``
   for E = 5, 10, 20 (2,000 / 4,000 / 8,000 teacher steps), seeds 0 and 1, and E = 2 seed 0.
4. On the real training rows (69 batches an epoch): E = 30 (2,070 steps) and the default
   (60 epochs, 4,140 steps), seeds 0, 1, 2.

Each fit samples as many rows as it learned from (at most 100,000) and is scored with
``Evaluator.evaluate(synthetic, fidelity=True)``. A 100,000-row subset of the Adult-like table
itself is scored too (what a perfect generator of it would reach). Records are appended to
``<output>/results.json`` as they come (a rerun skips those already there);
``<output>/results.md`` gives the mean and the worst over the seeds of each setting.
Fit seconds are wall-clock on a shared machine: noisy.
"""

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sdv_fairdistill.benchmark.evaluation import Evaluator
from sdv_fairdistill.benchmark.generators import get_generator, seed_everything
from sdv_fairdistill.benchmark.runner import fit_generator, split_dataset
from sdv_fairdistill.datasets import get_dataset

ADULT_LIKE_ROWS = 200_000
MAX_SAMPLE_ROWS = 100_000
BATCH_SIZE = 500  # FairDistillSynthesizer's default
#: (table, epochs or None for the default, seed), in the order they run: the runs to drop
#: first when time is short come last.
RUNS = [
    *[('adult_like', e, 0) for e in (5, 10, 20)],
    *[('adult_like', e, 1) for e in (5, 10)],
    *[('adult', e, s) for e in (30, None) for s in (0, 1, 2)],
    ('adult_like', 20, 1),
    ('adult_like', 2, 0),
]
SCORES = ('accuracy', 'auroc', 'f1', 'dp_difference', 'label_gap', 'quality')
#: Whether a larger value is worse (for the 'worst over seeds' column).
LARGER_IS_WORSE = {'dp_difference': True, 'label_gap': True}


def fit_and_sample(dataset, metadata, table, epochs, seed):
    """Fit FairDistill (benchmark defaults) on ``table``; sample min(len, 100k) rows."""
    params = {} if epochs is None else {'epochs': epochs, 'distill_epochs': max(1, epochs // 2)}
    synthesizer, fit_seconds = fit_generator(
        get_generator('FairDistill'), dataset, metadata, table, seed, params, False
    )
    seed_everything(seed)
    sampled = synthesizer.sample(min(len(table), MAX_SAMPLE_ROWS))
    sampled = sampled[dataset.table_name] if isinstance(sampled, dict) else sampled
    teacher_epochs = int(synthesizer._model.epochs)
    return synthesizer, sampled, {
        'fit_seconds': round(fit_seconds, 1),
        'teacher_epochs': teacher_epochs,
        'teacher_steps': teacher_epochs * math.ceil(len(table) / BATCH_SIZE),
    }


def adult_like_table(path, dataset, metadata, real_train):
    """The 200k-row Adult-like table, sampled once from a default fit on the real rows."""
    if not path.exists():
        synthesizer, _, costs = fit_and_sample(dataset, metadata, real_train, None, 0)
        print(f'source model fitted: {costs}', flush=True)
        synthesizer._set_random_state(0)
        synthesizer.sample_to_parquet(ADULT_LIKE_ROWS, path, show_progress_bar=False)
    return pd.read_parquet(path)


def _scores(record):
    return {k: (None if v is None or isinstance(v, dict) else float(v))
            for k, v in record.items() if k in SCORES}


def summary(records):
    """Markdown table: per setting, the mean and the worst over seeds of each score."""
    lines = [
        '| table | epochs | teacher steps | seeds | ' + ' | '.join(SCORES)
        + ' | fit s (mean) |',
        '|' + '---|' * (len(SCORES) + 5),
    ]
    settings = {}
    for record in records:
        settings.setdefault((record['table'], record['teacher_steps']), []).append(record)
    for (table, steps), group in sorted(settings.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        cells = []
        for name in SCORES:
            values = np.array([r[name] for r in group if r.get(name) is not None], dtype=float)
            if not len(values):
                cells.append('–')
                continue
            worst = values.max() if LARGER_IS_WORSE.get(name) else values.min()
            cells.append(f'{values.mean():.3f}' + (f' ({worst:.3f})' if len(values) > 1 else ''))
        epochs = group[0]['teacher_epochs']
        seeds = ','.join(str(r['seed']) for r in group) if steps else '–'
        fit = f"{np.mean([r['fit_seconds'] for r in group]):.0f}" if steps else '–'
        lines.append(f'| {table} | {epochs if steps else "–"} | {steps or "source table"} | '
                     f'{seeds} | ' + ' | '.join(cells) + f' | {fit} |')
    return '\n'.join(lines) + (
        '\n\nMean over seeds (worst seed in brackets: highest dp_difference / label_gap, lowest '
        'otherwise). TSTR scores on the real Adult test split (seed 0); quality against the '
        'real Adult training split. Fit seconds: wall-clock on a shared 2-core machine.\n'
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--workdir', default='/tmp/fairdistill_step_budget')
    parser.add_argument('--output', default='benchmarks/results/step_budget')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch threads (default 1: on a shared machine, more threads '
                        'than free cores made the steps several times slower)')
    parser.add_argument('--runs', nargs='+', metavar='TABLE:EPOCHS:SEED',
                        help="run only these, in this order (e.g. adult_like:10:0 "
                        "adult:default:1); default: all of RUNS")
    args = parser.parse_args()
    runs = RUNS if not args.runs else [
        (t, None if e == 'default' else int(e), int(s))
        for t, e, s in (run.split(':') for run in args.runs)
    ]
    import torch

    torch.set_num_threads(args.threads)
    work, output = Path(args.workdir), Path(args.output)
    work.mkdir(parents=True, exist_ok=True)
    output.mkdir(parents=True, exist_ok=True)
    results_path = output / 'results.json'
    records = json.loads(results_path.read_text()) if results_path.exists() else []
    done = {(r['table'], r['epochs'], r['seed']) for r in records}

    dataset = get_dataset('adult')
    real_train, real_test, metadata = split_dataset(dataset, None, 0.3, 0)
    evaluator = Evaluator(real_train, real_test, metadata, dataset, random_state=0)
    tables = {
        'adult': real_train,
        'adult_like': adult_like_table(work / 'adult_like_200k.parquet', dataset, metadata,
                                       real_train),
    }

    def save(record):
        records.append(record)
        results_path.write_text(json.dumps(records, indent=1))
        (output / 'results.md').write_text(summary(records))
        print(json.dumps(record), flush=True)

    if ('adult_like', 'source', None) not in done:
        source = tables['adult_like'].sample(MAX_SAMPLE_ROWS, random_state=0)
        scores = evaluator.evaluate(source, fidelity=True)
        save({'table': 'adult_like', 'epochs': 'source', 'seed': None, 'teacher_epochs': None,
              'teacher_steps': 0, 'fit_seconds': None, **_scores(scores),
              'errors': scores.get('errors')})
    for table, epochs, seed in runs:
        if (table, epochs, seed) in done:
            continue
        print(f'{time.strftime("%H:%M:%S")} fitting {table} epochs={epochs} seed={seed}',
              flush=True)
        _, synthetic, costs = fit_and_sample(dataset, metadata, tables[table], epochs, seed)
        scores = evaluator.evaluate(synthetic, fidelity=True)
        save({'table': table, 'epochs': epochs, 'seed': seed, 'train_rows': len(tables[table]),
              **costs, **_scores(scores), 'errors': scores.get('errors'),
              'threads': args.threads, 'finished': time.strftime('%H:%M:%S')})


if __name__ == '__main__':
    main()
