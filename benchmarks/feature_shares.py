"""Do the generated columns keep the real rows' category shares and missing shares?

Each seed fits FairDistill (defaults, the metadata SDV detects) on Adult, COMPAS, German
Credit and the 1,500-row survey of ``probe_missing_target.py`` (a wage 20 % missing as the
target), with the spans ``--matched`` names matched (``core/feature_shares.MATCHED``:
'missing', the default, 'columns' or 'all'), then samples 20,000 rows twice from the same fit: with
the share offsets and without them (``feature_offsets`` set to None; the label's classifier
and calibration were fitted with them, which moves no feature). Printed per fit, one JSON
line: for every column with at most 20 values (categories, flags, few-valued counts) the
total variation distance between its real and generated shares, and for every column with
missing values its real and generated missing shares::

    python benchmarks/feature_shares.py --matched all --seeds 0 1 2 > \\
        benchmarks/results/feature_shares/all_spans.jsonl
    python benchmarks/feature_shares.py --tables survey --seeds 0 1 2 > \\
        benchmarks/results/feature_shares/missing.jsonl

(Adult, COMPAS and German Credit have no number with missing values: at the default nothing
is matched on them.)
"""

import argparse
import json
import warnings

import numpy as np
import torch
from sdv.metadata import Metadata

from probe_missing_target import survey
from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.core import feature_shares
from sdv_fairdistill.datasets import get_dataset

ROWS = 20_000
MAX_VALUES = 20


def tables():
    for name in ('adult', 'compas', 'german'):
        spec = get_dataset(name)
        yield name, spec.loader()[0], list(spec.sensitive_columns), spec.target_column
    yield 'survey', survey(), ['sex'], 'wage'


def total_variation(real, generated):
    real = real.astype(str).value_counts(normalize=True)
    generated = generated.astype(str).value_counts(normalize=True)
    values = real.index.union(generated.index)
    difference = real.reindex(values, fill_value=0) - generated.reindex(values, fill_value=0)
    return 0.5 * float(difference.abs().sum())


def compare(real, generated):
    shares = {}
    for column in real.columns:
        if real[column].nunique(dropna=False) <= MAX_VALUES:
            shares[column] = round(total_variation(real[column], generated[column]), 4)
    missing = {
        column: [round(real[column].isna().mean(), 4), round(generated[column].isna().mean(), 4)]
        for column in real.columns if real[column].isna().any()
    }
    return shares, missing


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0])
    parser.add_argument('--tables', nargs='+', default=['adult', 'compas', 'german', 'survey'])
    parser.add_argument('--matched', choices=['missing', 'columns', 'all'], default='missing')
    args = parser.parse_args()
    feature_shares.MATCHED = args.matched
    warnings.filterwarnings('ignore')
    torch.set_num_threads(1)
    for name, table, sensitive, target in tables():
        if name not in args.tables:
            continue
        metadata = Metadata.detect_from_dataframes({'t': table})
        for seed in args.seeds:
            synthesizer = FairDistillSynthesizer(metadata, sensitive, target, seed=seed)
            synthesizer.fit({'t': table})
            record = {'table': name, 'seed': seed, 'target': target, 'matched': args.matched}
            for arm in ('with_offsets', 'without_offsets'):
                if arm == 'without_offsets':
                    synthesizer._model.feature_offsets = None
                synthesizer.reset_sampling()
                shares, missing = compare(table, synthesizer.sample(ROWS)['t'])
                values = [v for column, v in shares.items() if column != target]
                record[arm] = {
                    'mean_tv_features': round(float(np.mean(values)), 4),
                    'max_tv_features': round(float(np.max(values)), 4),
                    'tv': shares, 'missing': missing,
                }
            print(json.dumps(record), flush=True)


if __name__ == '__main__':
    main()
