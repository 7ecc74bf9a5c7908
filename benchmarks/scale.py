"""Measure how FairDistillSynthesizer scales: fit and sampling time, peak memory, processes.

Usage:
    python benchmarks/scale.py [--quick] [--parts adult sampling sizes parquet torchrun steps]
        [--threads N] [--workdir DIR] [--output benchmarks/results/scale.json]

Measured (every measurement in a fresh Python process, so that its peak resident memory,
``ru_maxrss``, is its own):

- ``adult``: fit time of the default FairDistillSynthesizer on Adult (sensitive 'sex', target
  'income') beside SDV's default TVAESynthesizer's;
- ``sampling``: rows per second of ``sample`` for both fitted models;
- ``sizes``: the default FairDistillSynthesizer fitted with ``fit_from_parquet`` (streamed,
  bounded memory) on 10k, 100k and 1M rows of an Adult-like table: fit time, peak memory
  (measured right after the fit), and the fairness and utility of 100k rows it samples,
  scored by the benchmark's evaluator on the real Adult test rows. The Adult-like table is
  sampled, with ``sample_to_parquet``, from a default FairDistillSynthesizer fitted on the
  benchmark's seed-0 training split of Adult (so the test rows are unseen by both fits);
  ``--seeds`` fits each size with several seeds;
- ``parquet``: ``sample_to_parquet`` of 10M rows: rows per second and peak memory (bounded by
  one 100k-row batch, whatever the number of rows);
- ``steps``: seconds per teacher and per student optimiser step at several batch sizes (one
  process, Adult rows; a process of an N-process fit computes batches of ``500 / N``), and
  the networks' parameter counts: the inputs of the scaling estimate in docs/scale.md;
- ``torchrun``: ``sdv-fairdistill fit --nproc-per-node N`` for N = 1 and 2 on the 100k-row
  table (a Parquet file: streamed), with the same threads in all (``--threads`` split between
  the processes), each fit scored like the sizes.

The full run takes about an hour on 2 CPU cores; run it alone on the machine. ``--quick``
runs every part on tiny sizes and few epochs in minutes, to check the script. The results go to ``--output`` as JSON, with the
machine.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FULL = {
    'adult_rows': None, 'epochs': None, 'tvae_epochs': None, 'sample_rows': 100_000,
    'sizes': [10_000, 100_000, 1_000_000], 'parquet_rows': 10_000_000,
    'torchrun_rows': 100_000, 'processes': [1, 2], 'step_batches': [500, 250, 125, 64],
    'step_rows': 20_000,
}
QUICK = {
    'adult_rows': 2_000, 'epochs': 2, 'tvae_epochs': 2, 'sample_rows': 5_000,
    'sizes': [1_000, 2_000, 4_000], 'parquet_rows': 250_000,
    'torchrun_rows': 2_000, 'processes': [1, 2], 'step_batches': [500, 250], 'step_rows': 2_000,
}
PARTS = ('adult', 'sampling', 'sizes', 'parquet', 'torchrun', 'steps')


def peak_rss_mb(who=resource.RUSAGE_SELF):
    # Linux reports ru_maxrss in KiB (macOS in bytes).
    scale = 1 / 2**20 if sys.platform == 'darwin' else 1 / 2**10
    return round(resource.getrusage(who).ru_maxrss * scale, 1)


# ---------------------------------------------------------------------------- child processes
def _adult_metadata(data):
    from sdv_fairdistill.datasets.adult import adult_metadata

    return adult_metadata(data)


def _read_rows(path, num_rows):
    import pandas as pd
    import pyarrow.parquet as pq

    if str(path) == 'adult':
        from sdv_fairdistill.datasets import load_adult

        return load_adult(num_rows=num_rows, random_state=0)[0]
    table = pq.read_table(path)
    return table.slice(0, num_rows).to_pandas() if num_rows else pd.DataFrame(table.to_pandas())


def child_fit(options):
    """Fit one synthesizer; save it if asked. Returns the fit seconds and the peak memory."""
    import torch

    torch.set_num_threads(options['threads'])
    if options.get('stream'):
        return _fit_streamed(options)
    data = _read_rows(options['data'], options['rows'])
    metadata = _adult_metadata(data)
    if options['kind'] == 'tvae':
        from sdv.single_table import TVAESynthesizer

        extra = {} if options['epochs'] is None else {'epochs': options['epochs']}
        synthesizer = TVAESynthesizer(metadata, **extra)
    else:
        from sdv_fairdistill import FairDistillSynthesizer

        extra = {} if options['epochs'] is None else {
            'epochs': options['epochs'], 'distill_epochs': max(1, options['epochs'] // 2)}
        synthesizer = FairDistillSynthesizer(
            metadata, sensitive_columns='sex', target_column='income', seed=0, **extra
        )
    start = time.perf_counter()
    synthesizer.fit({'adult': data})
    seconds = time.perf_counter() - start
    if options.get('save'):
        synthesizer.save(options['save'])
    result = {'rows': len(data), 'fit_seconds': round(seconds, 2)}
    if options['kind'] == 'fairdistill':
        result['teacher_epochs'] = int(synthesizer._model.epochs)
    return result


def _adult_split():
    """The benchmark's seed-0 split of Adult: (train, test, metadata, dataset spec)."""
    from sdv_fairdistill.benchmark.runner import split_dataset
    from sdv_fairdistill.datasets import get_dataset

    dataset = get_dataset('adult')
    train, test, metadata = split_dataset(dataset, None, 0.3, 0)
    return train, test, metadata, dataset


def score_on_real_adult(synthesizer, rows=100_000):
    """Fairness, utility and quality of ``rows`` sampled rows on the real Adult test split."""
    from sdv_fairdistill.benchmark.evaluation import Evaluator

    train, test, metadata, dataset = _adult_split()
    synthesizer._set_random_state(0)
    synthetic = synthesizer.sample(rows)[dataset.table_name]
    scores = Evaluator(train, test, metadata, dataset).evaluate(synthetic)
    kept = ('accuracy', 'f1', 'auroc', 'dp_difference', 'label_gap', 'quality', 'density',
            'coverage')
    return {name: round(float(scores[name]), 4) for name in kept if name in scores}


def _fit_streamed(options):
    """``fit_from_parquet`` on the first ``rows`` rows of the Adult-like table, then scored."""
    from sdv_fairdistill import FairDistillSynthesizer

    train = _adult_split()[0]
    synthesizer = FairDistillSynthesizer(
        _adult_metadata(train), sensitive_columns='sex', target_column='income',
        seed=options['seed'], **({} if options['epochs'] is None else {
            'epochs': options['epochs'], 'distill_epochs': max(1, options['epochs'] // 2)}),
    )
    start = time.perf_counter()
    synthesizer.fit_from_parquet(options['data'], workdir=options.get('workdir'))
    seconds = time.perf_counter() - start
    result = {'rows': options['rows'], 'seed': options['seed'],
              'fit_seconds': round(seconds, 2), 'peak_rss_mb_fit': peak_rss_mb(),
              'teacher_epochs': int(synthesizer._model.epochs)}
    result.update(score_on_real_adult(synthesizer, min(options['rows'], 100_000)))
    return result


def child_steps(options):
    """Seconds per teacher and per student step at ``batch_size``: the median time between
    consecutive optimiser steps in one epoch of each stage (the first steps' warm-up and the
    stages' set-up left out)."""
    import numpy as np
    import torch

    from sdv_fairdistill import FairDistillSynthesizer
    from sdv_fairdistill.core import training

    torch.set_num_threads(options['threads'])
    data = _read_rows('adult', options['rows'])
    ended, step = [], training._step

    def timed_step(*args):
        step(*args)
        ended.append(time.perf_counter())

    synthesizer = FairDistillSynthesizer(
        _adult_metadata(data), sensitive_columns='sex', target_column='income', seed=0,
        epochs=1, distill_epochs=1, batch_size=options['batch_size'], keep_teacher=True)
    training._step = timed_step
    try:
        synthesizer.fit({'adult': data})
    finally:
        training._step = step
    steps = len(ended) // 2  # one epoch of each stage, as many steps each
    teacher, student = np.diff(ended[:steps]), np.diff(ended[steps:])
    return {
        'batch_size': options['batch_size'], 'steps_per_stage': steps,
        'teacher_ms_per_step': round(1000 * float(np.median(teacher)), 3),
        'student_ms_per_step': round(1000 * float(np.median(student)), 3),
        'parameters': synthesizer.get_parameter_counts(),
    }


def child_source(options):
    """The Adult-like table's source: a default fit on the seed-0 Adult training split."""
    import torch

    from sdv_fairdistill import FairDistillSynthesizer

    torch.set_num_threads(options['threads'])
    train = _adult_split()[0]
    synthesizer = FairDistillSynthesizer(
        _adult_metadata(train), sensitive_columns='sex', target_column='income', seed=0,
        **({} if options['epochs'] is None else {'epochs': options['epochs']}),
    )
    synthesizer.fit({'adult': train})
    synthesizer._set_random_state(0)
    synthesizer.sample_to_parquet(options['rows'], options['parquet'], show_progress_bar=False)
    return {'rows': options['rows'], 'source_scores': score_on_real_adult(synthesizer)}


def child_score(options):
    """Score a saved synthesizer on the real Adult test split."""
    from sdv.utils import load_synthesizer

    return score_on_real_adult(load_synthesizer(options['synthesizer']))


def child_sample(options):
    """Sample from a saved synthesizer into memory or into a Parquet file."""
    import torch
    from sdv.utils import load_synthesizer

    torch.set_num_threads(options['threads'])
    synthesizer = load_synthesizer(options['synthesizer'])
    synthesizer._set_random_state(0)
    rows = options['rows']
    start = time.perf_counter()
    if options.get('parquet'):
        written = synthesizer.sample_to_parquet(rows, options['parquet'],
                                                show_progress_bar=False)
    else:
        written = len(synthesizer.sample(rows)['adult'])
    seconds = time.perf_counter() - start
    return {'rows': written, 'seconds': round(seconds, 2),
            'rows_per_second': round(written / seconds)}


def child_torchrun(options):
    """``sdv-fairdistill fit --nproc-per-node N`` (torchrun) on the Adult-like table."""
    processes = options['processes']
    env = dict(os.environ, OMP_NUM_THREADS=str(max(1, options['threads'] // processes)))
    command = [
        sys.executable, '-m', 'torch.distributed.run', '--standalone',
        '--nproc-per-node', str(processes), '-m', 'sdv_fairdistill.cli', 'fit',
        options['data'], '--sensitive', 'sex', '--target', 'income', '--seed', '0',
        '--metadata', options['metadata'], '--table-name', 'adult', '--quiet',
        '-o', options['output'],
    ]
    if options['epochs'] is not None:
        command += ['--epochs', str(options['epochs']),
                    '--distill-epochs', str(max(1, options['epochs'] // 2))]
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env)
    return {
        'processes': processes, 'threads_per_process': int(env['OMP_NUM_THREADS']),
        'fit_seconds_with_start': round(time.perf_counter() - start, 2),
        # The largest of the processes (torchrun's and the trainers), not their sum.
        'peak_rss_mb_largest_process': peak_rss_mb(resource.RUSAGE_CHILDREN),
    }


CHILDREN = {'fit': child_fit, 'sample': child_sample, 'torchrun': child_torchrun,
            'source': child_source, 'score': child_score, 'steps': child_steps}


def run_child(name, options):
    """Run one measurement in a fresh process; its JSON result with its peak memory."""
    result = subprocess.run(
        [sys.executable, __file__, '--child', name, json.dumps(options)],
        check=True, capture_output=True, text=True,
    )
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    print(name, json.dumps(measured), flush=True)
    return measured


# ---------------------------------------------------------------------------- the parts
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='tiny sizes, minutes')
    parser.add_argument('--parts', nargs='+', choices=PARTS, default=list(PARTS))
    parser.add_argument('--threads', type=int, default=os.cpu_count(),
                        help='torch threads of each measurement (default: all CPUs)')
    parser.add_argument('--workdir', help='where fitted models and tables go (default: a '
                        'temporary folder, removed at the end)')
    parser.add_argument('--output', default='benchmarks/results/scale.json')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0],
                        help='seeds of the sizes part (default: 0)')
    parser.add_argument('--child', nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        name, options = args.child
        result = CHILDREN[name](json.loads(options))
        if name != 'torchrun':
            result['peak_rss_mb'] = peak_rss_mb()
        print(json.dumps(result))
        return
    settings = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(args.workdir or temporary)
        work.mkdir(parents=True, exist_ok=True)
        report = {
            'mode': 'quick' if args.quick else 'full', 'settings': settings,
            'threads': args.threads, 'machine': platform.platform(),
            'processor': platform.processor(), 'cpus': os.cpu_count(),
        }
        report.update(run_parts(args, settings, work))
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=2))
    print(f'Saved {args.output}')


def run_parts(args, settings, work):
    report = {}
    common = {'threads': args.threads}
    fitted = {kind: str(work / f'adult_{kind}.pkl') for kind in ('fairdistill', 'tvae')}
    parts = set(args.parts)
    needs_model = parts & {'sampling', 'parquet'}
    if 'adult' in parts or needs_model:
        report['adult_fit'] = {
            kind: run_child('fit', {
                **common, 'kind': kind, 'data': 'adult', 'rows': settings['adult_rows'],
                'epochs': settings['tvae_epochs' if kind == 'tvae' else 'epochs'],
                'save': fitted[kind],
            })
            for kind in (('fairdistill', 'tvae') if 'adult' in parts or 'sampling' in parts
                         else ('fairdistill',))
        }
    if 'sampling' in parts:
        report['sampling'] = {
            kind: run_child('sample', {**common, 'synthesizer': path,
                                       'rows': settings['sample_rows']})
            for kind, path in fitted.items()
        }
    table = work / 'adult_like.parquet'
    largest = max(settings['sizes'] + [settings['torchrun_rows']])
    if parts & {'sizes', 'torchrun'}:
        report['source'] = run_child('source', {**common, 'rows': largest,
                                                'epochs': settings['epochs'],
                                                'parquet': str(table)})
    if 'sizes' in parts:
        report['sizes'] = []
        for rows in settings['sizes']:
            subset = work / f'adult_like_{rows}.parquet'
            _write_subset(table, subset, rows)
            for seed in args.seeds:
                report['sizes'].append(run_child('fit', {
                    **common, 'stream': True, 'data': str(subset), 'rows': rows,
                    'seed': seed, 'epochs': settings['epochs'], 'workdir': str(work),
                }))
    if 'parquet' in parts:
        report['parquet'] = run_child('sample', {
            **common, 'synthesizer': fitted['fairdistill'], 'rows': settings['parquet_rows'],
            'parquet': str(work / 'sampled.parquet'),
        })
        (work / 'sampled.parquet').unlink(missing_ok=True)
    if 'steps' in parts:
        report['steps'] = [
            run_child('steps', {**common, 'rows': settings['step_rows'], 'batch_size': batch})
            for batch in settings['step_batches']
        ]
    if 'torchrun' in parts:
        subset = work / 'torchrun.parquet'
        _write_subset(table, subset, settings['torchrun_rows'])
        metadata = work / 'adult_metadata.json'
        _save_metadata(subset, metadata)
        report['torchrun'] = []
        for processes in settings['processes']:
            fitted_path = str(work / f'torchrun_{processes}.pkl')
            measured = run_child('torchrun', {
                **common, 'processes': processes, 'data': str(subset),
                'metadata': str(metadata), 'epochs': settings['epochs'],
                'output': fitted_path,
            })
            measured.update(run_child('score', {'synthesizer': fitted_path}))
            report['torchrun'].append(measured)
    return report


def _write_subset(table, subset, rows):
    import pyarrow.parquet as pq

    pq.write_table(pq.read_table(table).slice(0, rows), subset)


def _save_metadata(table, path):
    import pandas as pd

    Path(path).unlink(missing_ok=True)  # SDV refuses to overwrite
    _adult_metadata(pd.read_parquet(table)).save_to_json(path)


if __name__ == '__main__':
    main()
