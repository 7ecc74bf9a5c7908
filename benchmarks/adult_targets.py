"""Measure FairDistillSynthesizer against TVAE on the full Adult data (issue 2's targets).

Usage:
    python benchmarks/adult_targets.py [--skip-tvae] [--fairness-weights 0 1 10 ...]
        [--epochs N] [--output results/adult_targets.json]

70/30 stratified split of the 48,842 Adult rows (sensitive: sex, target: income). For every
generator: fit time, sampling time for as many rows as the training set, the gap in the
>50K rate between women and men inside the synthetic table, a gradient-boosted classifier
trained on the synthetic rows and tested on the real held-out rows (accuracy, AUROC,
demographic-parity difference by sex, from fairlearn), and SDMetrics' QualityReport score.
"""

import argparse
import json
import os
import time

import numpy as np
import pandas as pd
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference
from sdmetrics.reports import QualityReport
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.model_selection import train_test_split

from sdv_fairdistill.datasets import load_adult

SENSITIVE, TARGET, POSITIVE = 'sex', 'income', '>50K'


def tstr(train, test):
    """Train a gradient-boosted classifier on ``train``, evaluate it on real ``test``."""
    features = [c for c in train.columns if c != TARGET]
    categorical = [c for c in features if not pd.api.types.is_numeric_dtype(train[c])]

    def encode(frame):
        encoded = frame[features].copy()
        for column in categorical:
            encoded[column] = pd.Categorical(encoded[column], categories=categories[column])
        return encoded

    categories = {c: sorted(pd.concat([train[c], test[c]]).dropna().unique()) for c in categorical}
    model = HistGradientBoostingClassifier(categorical_features='from_dtype', random_state=0)
    model.fit(encode(train), (train[TARGET] == POSITIVE).astype(int))
    proba = model.predict_proba(encode(test))[:, 1]
    predicted = (proba >= 0.5).astype(int)
    truth = (test[TARGET] == POSITIVE).astype(int)
    return {
        'accuracy': accuracy_score(truth, predicted),
        'f1': f1_score(truth, predicted),
        'auroc': roc_auc_score(truth, proba),
        'dp_difference': demographic_parity_difference(
            truth, predicted, sensitive_features=test[SENSITIVE]
        ),
        'eo_difference': equalized_odds_difference(
            truth, predicted, sensitive_features=test[SENSITIVE]
        ),
    }


def data_gap(table):
    rates = (table[TARGET] == POSITIVE).groupby(table[SENSITIVE]).mean()
    return float(rates.max() - rates.min())


def evaluate(name, synthetic, train, test, metadata, fit_seconds, sample_seconds, extra=None):
    report = QualityReport()
    report.generate({'adult': train}, {'adult': synthetic}, metadata.to_dict(), verbose=False)
    row = {
        'generator': name,
        'fit_seconds': fit_seconds,
        'sample_seconds': sample_seconds,
        'data_gap': data_gap(synthetic),
        'quality': report.get_score(),
        **tstr(synthetic, test),
        **(extra or {}),
    }
    print(json.dumps(row), flush=True)
    return row


def fit_and_sample(synthesizer, train):
    start = time.perf_counter()
    synthesizer.fit({'adult': train})
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    synthetic = synthesizer.sample(len(train))['adult']
    return synthetic, fit_seconds, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--fairness-weights', type=float, nargs='*', default=None)
    parser.add_argument('--skip-tvae', action='store_true')
    parser.add_argument('--epochs', type=int, default=None)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--output', default='results/adult_targets.json')
    args = parser.parse_args()

    from sdv.single_table import FairDistillSynthesizer, TVAESynthesizer

    data, metadata = load_adult()
    train, test = train_test_split(
        data, test_size=0.3, random_state=args.seed, stratify=data[[SENSITIVE, TARGET]]
    )
    train, test = train.reset_index(drop=True), test.reset_index(drop=True)
    rows = [evaluate('real', train, train, test, metadata, 0.0, 0.0)]

    overrides = {'epochs': args.epochs} if args.epochs else {}
    default = FairDistillSynthesizer(metadata, SENSITIVE, TARGET, keep_teacher=True, seed=args.seed, **overrides)
    synthetic, fit_s, sample_s = fit_and_sample(default, train)
    counts = default.get_parameter_counts()
    rows.append(evaluate('FairDistill (default, student)', synthetic, train, test, metadata, fit_s, sample_s, {'parameters': counts}))
    start = time.perf_counter()
    from_teacher = default.sample_from_teacher(len(train))['adult']
    rows.append(evaluate('FairDistill (default, teacher)', from_teacher, train, test, metadata, fit_s, time.perf_counter() - start))

    weights = args.fairness_weights if args.fairness_weights is not None else [0.0]
    for weight in weights:
        synthesizer = FairDistillSynthesizer(metadata, SENSITIVE, TARGET, fairness_weight=weight, seed=args.seed, **overrides)
        synthetic, fit_s, sample_s = fit_and_sample(synthesizer, train)
        rows.append(evaluate(f'FairDistill (fairness_weight={weight:g})', synthetic, train, test, metadata, fit_s, sample_s))

    if not args.skip_tvae:
        synthetic, fit_s, sample_s = fit_and_sample(TVAESynthesizer(metadata), train)
        rows.append(evaluate('TVAE (SDV defaults)', synthetic, train, test, metadata, fit_s, sample_s))

    os.makedirs(os.path.dirname(args.output) or '.', exist_ok=True)
    with open(args.output, 'w') as file:
        json.dump(rows, file, indent=2, default=str)
    print(markdown_table(rows))


def markdown_table(rows):
    columns = ['generator', 'data_gap', 'dp_difference', 'eo_difference', 'accuracy', 'f1',
               'auroc', 'quality', 'fit_seconds', 'sample_seconds']
    lines = ['| ' + ' | '.join(columns) + ' |', '|' + '---|' * len(columns)]
    for row in rows:
        cells = [row[c] if isinstance(row[c], str) else f'{row[c]:.3f}' for c in columns]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


if __name__ == '__main__':
    main()
