"""Probe (not a product feature): the label drawn from a real-row classifier's aligned score
of the generated row (``probe_relabel.py``'s ``relabel_real``), then calibrated downstream
with the product's per-group offsets (``core/calibration.py``) on that score's log-odds.

Arms on the same fit, ``--tables`` tables of the training table's size each: ``base`` (the
synthesizer's own, calibrated label), ``relabel`` (aligned score, no offsets),
``relabel_calibrated`` (aligned score plus offsets fitted as the product fits its own).
JSON lines on stdout.

Usage::

    python benchmarks/probe_relabel_calibrated.py compas detected 0 1 2 3 4 >> records.jsonl
"""

import argparse
import json
import warnings

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

from probe_relabel import barycenter_maps, features, group_names
from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.benchmark.evaluation import Evaluator
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset
from sdv_fairdistill.core import calibration
from sdv_fairdistill.datasets import get_dataset
from sdv_fairdistill.synthesizers._classifier_columns import classifier_matrix

SCORES = ('accuracy', 'f1', 'auroc', 'dp_difference', 'dp_difference_large_groups', 'label_gap')
EPS = 1e-6


class Relabeler:
    def __init__(self, real, dataset, seed):
        self.real, self.dataset, self.seed = real, dataset, seed
        self.columns = [column for column in real.columns if column != dataset.target_column]
        labels = (real[dataset.target_column] == dataset.positive_label).astype(int)
        self.model = HistGradientBoostingClassifier(categorical_features='from_dtype', random_state=seed)
        self.model.fit(features(real, self.columns, real), labels)
        self.negative = next(
            v for v in real[dataset.target_column].unique() if v != dataset.positive_label
        )
        self.group_codes = {name: code for code, name in enumerate(sorted(set(group_names(real, dataset))))}

    def codes(self, table):
        return np.array([self.group_codes.get(name, 0) for name in group_names(table, self.dataset)])

    def __call__(self, synthetic, offsets, draw):
        score = self.model.predict_proba(features(synthetic, self.columns, self.real))[:, 1]
        groups = group_names(synthetic, self.dataset)
        aligned = np.clip(barycenter_maps(score, groups, score, groups), EPS, 1 - EPS)
        logit = np.log(aligned / (1 - aligned))
        if offsets is not None:
            logit = logit + np.asarray(offsets)[self.codes(synthetic)]
        probability = 1 / (1 + np.exp(-logit))
        positive = np.random.default_rng(self.seed + 1000 * draw).random(len(score)) < probability
        out = synthetic.copy()
        out[self.dataset.target_column] = pd.Series(
            np.where(positive, self.dataset.positive_label, self.negative), index=out.index
        ).astype(self.real[self.dataset.target_column].dtype)
        return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('dataset')
    parser.add_argument('metadata', choices=['curated', 'detected'])
    parser.add_argument('seeds', type=int, nargs='+')
    parser.add_argument('--tables', type=int, default=2)
    args = parser.parse_args()
    warnings.simplefilter('ignore')
    dataset = get_dataset(args.dataset)
    target = dataset.target_column
    for seed in args.seeds:
        train, test, curated = split_dataset(dataset, None, 0.3, seed)
        evaluator = Evaluator(train, test, curated, dataset, random_state=seed)
        synthesizer = FairDistillSynthesizer(
            generator_metadata(args.metadata, curated, train, dataset),
            sensitive_columns=list(dataset.sensitive_columns), target_column=target, seed=seed,
        )
        synthesizer.fit({dataset.table_name: train})
        relabeler = Relabeler(train, dataset, seed)
        columns = [column for column in train.columns if column != target]
        real_matrix, categorical = classifier_matrix(train, columns, train)
        real_groups = relabeler.codes(train)
        n_groups = len(relabeler.group_codes)
        rows = min(len(train), calibration.MAX_TABLE_ROWS)

        def sample(offsets, draw):
            synthesizer._set_random_state(seed + 10_000 + draw)
            table = relabeler(synthesizer.sample(rows)[dataset.table_name], offsets, 10_000 + draw)
            labels = (table[target] == dataset.positive_label).to_numpy(dtype=int)
            return classifier_matrix(table, columns, train)[0], labels

        offsets = calibration.fit_offsets(
            sample, real_matrix, real_groups, n_groups, categorical, seed,
            calibration.tables_per_round(rows),
        )
        arms = {'base': None, 'relabel': None, 'relabel_calibrated': offsets}
        for arm, arm_offsets in arms.items():
            synthesizer._set_random_state(seed)
            records = []
            for draw in range(args.tables):
                table = synthesizer.sample(len(train))[dataset.table_name]
                if arm != 'base':
                    table = relabeler(table, arm_offsets, draw)
                scores = evaluator.evaluate(table, fidelity=False)
                records.append({key: float(scores[key]) for key in SCORES if key in scores})
            summary = {k: round(float(np.mean([r[k] for r in records])), 4) for k in records[0]}
            key = 'dp_difference_large_groups' if 'dp_difference_large_groups' in records[0] else 'dp_difference'
            summary['dp_tables'] = [round(r[key], 4) for r in records]
            print(json.dumps({
                'dataset': args.dataset, 'metadata': args.metadata, 'seed': seed, 'arm': arm,
                **summary,
                'offsets': None if arm_offsets is None else [round(float(v), 3) for v in arm_offsets],
            }), flush=True)


if __name__ == '__main__':
    main()
