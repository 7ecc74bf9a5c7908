"""Probe (not a product feature): generate the label from the generated features.

A downstream classifier learns ``p(y | x, s)`` of the synthetic table; even with equal label
rates in every group (a small label gap) its thresholded predictions can differ by group,
because the groups' score distributions differ in shape. The probe replaces FairDistill's
generated label by a draw from a score of the generated row, made fair by the demographic-
parity optimal transport of scores: each group's scores mapped monotonically onto the
barycenter of the groups' score distributions (quantile averaging).

Variants, on the same fit and the same generated features (``base``: FairDistill's label):

- ``relabel_real``: gradient boosting fitted on the real training rows scores the generated
  rows; the quantile maps are fitted on those generated scores;
- ``relabel_synth``: the same, with the score model fitted on the generated table itself;
- ``relabel_real_maps``: score model on the real rows; the quantile maps fitted on its
  5-fold cross-validated scores of the real rows (the groups' real score distributions).

Usage (the benchmark's split, evaluator and seeds; JSON lines on stdout)::

    python benchmarks/probe_relabel.py compas detected 0 1 2 3 4 >> records.jsonl

Results: ``benchmarks/results/stability/relabel_probe/records.jsonl``; docs/method.md.
"""

import json
import sys
import warnings

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import cross_val_predict

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.benchmark.evaluation import Evaluator
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset
from sdv_fairdistill.datasets import get_dataset

GRID = np.linspace(0, 1, 1001)


def features(table, columns, reference):
    """Numbers stay numbers; everything else becomes a category of the real table's values."""
    out = pd.DataFrame(index=table.index)
    for column in columns:
        if pd.api.types.is_numeric_dtype(reference[column]) and reference[column].nunique() > 10:
            out[column] = pd.to_numeric(table[column], errors='coerce')
        else:
            categories = pd.Categorical(reference[column].astype(str)).categories
            out[column] = pd.Categorical(table[column].astype(str), categories=categories)
    return out


def group_names(table, dataset):
    return table[list(dataset.sensitive_columns)].astype(str).agg('|'.join, axis=1).to_numpy()


def barycenter_maps(score, groups, reference_score, reference_groups):
    """Each row's score mapped from its group's reference distribution onto the barycenter."""
    names, counts = np.unique(reference_groups, return_counts=True)
    weights = counts / counts.sum()
    barycenter = sum(weight * np.quantile(reference_score[reference_groups == name], GRID)
                     for name, weight in zip(names, weights))
    aligned = np.empty_like(score)
    for name in names:
        rows = groups == name
        reference = np.sort(reference_score[reference_groups == name])
        ranks = (np.searchsorted(reference, score[rows], 'left')
                 + np.searchsorted(reference, score[rows], 'right')) / (2 * len(reference))
        aligned[rows] = np.interp(ranks, GRID, barycenter)
    return aligned


def relabel(synthetic, score_table, real, dataset, seed, maps_on_real):
    columns = [column for column in real.columns if column != dataset.target_column]
    labels = (score_table[dataset.target_column] == dataset.positive_label).astype(int)
    model = HistGradientBoostingClassifier(categorical_features='from_dtype', random_state=seed)
    model.fit(features(score_table, columns, real), labels)
    score = model.predict_proba(features(synthetic, columns, real))[:, 1]
    groups = group_names(synthetic, dataset)
    if maps_on_real:
        reference_score = cross_val_predict(
            HistGradientBoostingClassifier(categorical_features='from_dtype', random_state=seed),
            features(real, columns, real), labels, cv=5, method='predict_proba')[:, 1]
        aligned = barycenter_maps(score, groups, reference_score, group_names(real, dataset))
    else:
        aligned = barycenter_maps(score, groups, score, groups)
    positive = np.random.default_rng(seed).random(len(score)) < aligned
    negative = next(v for v in real[dataset.target_column].unique() if v != dataset.positive_label)
    out = synthetic.copy()
    out[dataset.target_column] = pd.Series(
        np.where(positive, dataset.positive_label, negative), index=out.index
    ).astype(real[dataset.target_column].dtype)
    return out


def main():
    warnings.simplefilter('ignore')
    name, kind, seeds = sys.argv[1], sys.argv[2], [int(seed) for seed in sys.argv[3:]]
    dataset = get_dataset(name)
    for seed in seeds:
        train, test, curated = split_dataset(dataset, None, 0.3, seed)
        evaluator = Evaluator(train, test, curated, dataset, random_state=seed)
        synthesizer = FairDistillSynthesizer(
            generator_metadata(kind, curated, train, dataset),
            sensitive_columns=list(dataset.sensitive_columns),
            target_column=dataset.target_column, seed=seed,
        )
        synthesizer.fit({dataset.table_name: train})
        synthetic = synthesizer.sample(len(train))[dataset.table_name]
        variants = {
            'base': synthetic,
            'relabel_real': relabel(synthetic, train, train, dataset, seed, False),
            'relabel_synth': relabel(synthetic, synthetic, train, dataset, seed, False),
            'relabel_real_maps': relabel(synthetic, train, train, dataset, seed, True),
        }
        for variant, table in variants.items():
            scores = evaluator.evaluate(table, fidelity=False)
            print(json.dumps({
                'dataset': name, 'kind': kind, 'seed': seed, 'variant': variant,
                **{key: round(float(scores[key]), 4) for key in
                   ('accuracy', 'f1', 'auroc', 'dp_difference', 'label_gap') if key in scores},
            }), flush=True)


if __name__ == '__main__':
    main()
