"""Probe: where the sharpened label puts the downstream model's selection rate, and what
another anchor of the sharpening would give. (A lead, closed: utility_probes.md, sixth
session.)

On the real training rows (no generator), relabelled as ``label_frontier.py``'s
``fair_labels`` row does, at ``label_sharpness`` 3 with two anchors of the sharpening:

- ``mean_kept`` (the product): ``sigmoid(k logit(q) + shift)``, the shift keeping the
  barycenter's mean, so the table's label rate is the real one.
- ``crossing_kept``: ``sigmoid(k logit(q))``, which keeps the share of the barycenter above
  0.5, the accuracy-optimal common selection rate (the barycenter's quantiles are the groups'
  weighted mean quantiles, so where it crosses 0.5 the groups' thresholds average 0.5), at the
  cost of the label rate.

Per arm: the label rate, the downstream classifier's selection rate and its scores on the
real test rows, and its accuracy when it selects a fixed share of each group (``acc@r``).

Usage (JSON lines on stdout)::

    python benchmarks/probe_label_rate.py adult compas german adult_rare adult_small --seeds 0 1 2 3 4
"""

import argparse
import json
import warnings

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

import label_frontier
from sdv_fairdistill.core import feature_labels

SHARPNESS = 3.0
FIXED_RATES = (0.15, 0.17, 0.19, 0.21)


def crossing_kept(quantiles, sharpness):
    if sharpness == 1.0:
        return quantiles
    bounded = np.clip(quantiles, feature_labels.EPSILON, 1 - feature_labels.EPSILON)
    return expit(sharpness * logit(bounded))


ANCHORS = {'mean_kept': feature_labels.sharpened, 'crossing_kept': crossing_kept}


def run(name, seed):
    split = label_frontier.real_split(name, seed)
    train, reader = split.train, split.reader
    groups_test, codes, out_of_fold = np.asarray(split.groups_test), split.codes, split.out_of_fold
    draws = np.random.RandomState(seed).random_sample(len(train))
    for arm, anchor in ANCHORS.items():
        product = feature_labels.sharpened
        feature_labels.sharpened = anchor
        try:
            alignment = feature_labels.ScoreAlignment(SHARPNESS).fit(
                [out_of_fold[codes == g] for g in range(codes.max() + 1)], np.bincount(codes)
            )
        finally:
            feature_labels.sharpened = product
        labels = (draws < alignment.transform(out_of_fold, codes)).astype(int)
        scores = label_frontier._scorer(reader.categorical_, seed).fit(split.x_train, labels)
        scores = scores.predict_proba(split.x_test)[:, 1]
        selected = (scores > 0.5).astype(int)
        rates = pd.Series(selected).groupby(groups_test).mean()
        row = {
            'dataset': name, 'seed': seed, 'arm': arm, 'label_rate': float(labels.mean()),
            'selection_rate': float(selected.mean()),
            'accuracy': accuracy_score(split.y_test, selected),
            'f1': f1_score(split.y_test, selected), 'auroc': roc_auc_score(split.y_test, scores),
            'dp_difference': float(rates.max() - rates.min()),
        }
        for rate in FIXED_RATES:
            fixed = label_frontier._rate_thresholds(scores, groups_test, rate)
            row[f'acc@{rate}'] = accuracy_score(split.y_test, fixed)
        yield row


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('datasets', nargs='+')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    warnings.simplefilter('ignore')
    for name in args.datasets:
        for seed in args.seeds:
            for row in run(name, seed):
                rounded = {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}
                print(json.dumps(rounded), flush=True)


if __name__ == '__main__':
    main()
