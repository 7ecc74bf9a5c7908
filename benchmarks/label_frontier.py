"""How far a fair label can take a downstream model on a split, without any generator: the
frontier the synthesizer's downstream scores are measured against.

Per dataset and seed (the benchmark's split, classifier and scores), three rows trained on the
real training rows' own features:

- ``real``: their real labels (the unfair reference).
- ``exact_dp_thresholds``: a classifier of the real rows with one threshold per group, all
  groups selected at the same rate (exact demographic parity), the rate chosen for accuracy on
  out-of-fold scores of the training rows: the accuracy-optimal exactly-fair classifier, up
  to the classifier's own error.
- ``fair_labels``: the training rows relabelled as the synthesizer labels generated rows
  (Stage 4 of docs/method.md: a gradient-boosting classifier's probability, out of fold, each
  group's mapped onto the groups' barycenter, sharpened by ``label_sharpness``, the label
  drawn from it), then the benchmark's classifier trained on them: what the synthesizer's
  labels would give if its features were the real rows. The gap between this row and the
  synthesizer's is the features' fidelity. ``--sharpness 1 2 3`` gives one such row per
  value (default: the synthesizer's default).
- ``--repair 0 0.25 0.5 0.75 1``: the same rows with each group's distribution moved only
  part of the way to the barycenter (Feldman et al.'s partial repair: the quantile function
  ``(1 - a) Q_group + a Q_barycenter``, then sharpened; ``a = 1`` is the synthesizer's label,
  ``a = 0`` each group's own, sharpened): the trade-off between fairness and the ranking of
  the real labels a fair label allows, where a target (AUROC near TVAE's) is not met at the
  synthesizer's full repair.

Usage (JSON lines on stdout)::

    python benchmarks/label_frontier.py adult compas german adult_rare adult_small \
        --seeds 0 1 2 3 4 > benchmarks/results/frontier/label_frontier.jsonl
    python benchmarks/unseen_tables.py --run label_frontier.py ofp --seeds 0 1 2 3 4 \
        --repair 0 0.25 0.5 0.75 0.9 1 > benchmarks/results/frontier/repair_ofp.jsonl

Results: docs/cases.md. ``--classifier-options '{"max_iter": 300}'`` probes other settings
of the label classifier (benchmarks/results/stability/utility_probes.md).
"""

import argparse
import inspect
import json
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from sdv_fairdistill.benchmark.evaluation import Evaluator
from sdv_fairdistill.benchmark.runner import split_dataset
from sdv_fairdistill.core.feature_labels import ScoreAlignment
from sdv_fairdistill.core.quantile_functions import GRID, integral, sharpened
from sdv_fairdistill.datasets import get_dataset
from sdv_fairdistill.synthesizers import _feature_labels
from sdv_fairdistill.synthesizers._classifier_columns import ClassifierColumns
from sdv_fairdistill.synthesizers.tabular import FairDistillSynthesizer

DEFAULT_SHARPNESS = inspect.signature(FairDistillSynthesizer).parameters['label_sharpness'].default

RATES = np.linspace(0.01, 0.99, 99)


def _scorer(categorical, seed):
    return HistGradientBoostingClassifier(
        categorical_features=categorical, random_state=seed, **_feature_labels.CLASSIFIER_OPTIONS
    )


class PartialRepair(ScoreAlignment):
    """``ScoreAlignment`` with each group mapped onto ``(1 - repair) Q_group + repair
    Q_barycenter`` (quantile functions), sharpened: at ``repair=1`` the synthesizer's label."""

    def __init__(self, sharpness, repair):
        super().__init__(sharpness)
        self.repair = repair

    def fit(self, probabilities_by_group, group_prior):
        super().fit(probabilities_by_group, group_prior)
        barycenter = self._barycenter(probabilities_by_group, group_prior)
        self.targets_ = []
        for values in self.sorted_:
            own = np.quantile(values, GRID)
            quantiles = sharpened((1 - self.repair) * own + self.repair * barycenter, self.sharpness)
            self.targets_.append((quantiles, integral(quantiles)))
        return self

    def _barycenter(self, probabilities_by_group, group_prior):
        prior = np.asarray(group_prior, dtype=float) / np.sum(group_prior)
        return prior @ np.stack([np.quantile(values, GRID) for values in self.sorted_])

    def _target(self, group):
        return self.targets_[group]


def _rate_thresholds(scores, groups, rate):
    selected = np.zeros(len(scores), dtype=int)
    for group in np.unique(groups):
        rows = groups == group
        selected[rows] = scores[rows] >= np.quantile(scores[rows], 1 - rate)
    return selected


def real_split(name, seed):
    """The benchmark's split of ``name`` read as its classifier reads it, and the out-of-fold
    probabilities of the label classifier on the training rows (what the labels are drawn
    from). Also used by ``probe_label_rate.py``."""
    dataset = get_dataset(name)
    train, test, metadata = split_dataset(dataset, None, 0.3, seed)
    evaluator = Evaluator(train, test, metadata, dataset, random_state=seed)
    reader = ClassifierColumns([c for c in train.columns if c != dataset.target_column])
    x_train, x_test = reader.fit(train).transform(train), reader.transform(test)
    y_train = evaluator.labels(train)
    groups_train = evaluator.groups(train)
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    out_of_fold = cross_val_predict(
        _scorer(reader.categorical_, seed), x_train, y_train, cv=folds, method='predict_proba'
    )[:, 1]
    return SimpleNamespace(
        dataset=dataset, train=train, test=test, evaluator=evaluator, reader=reader,
        x_train=x_train, x_test=x_test, y_train=y_train, y_test=evaluator.labels(test),
        groups_train=groups_train, groups_test=evaluator.groups(test),
        codes=pd.factorize(groups_train)[0], out_of_fold=out_of_fold,
    )


def run(name, seed, sharpness=(DEFAULT_SHARPNESS,), repair=(1.0,)):
    split = real_split(name, seed)
    dataset, train, evaluator, reader = split.dataset, split.train, split.evaluator, split.reader
    x_train, x_test, y_train, y_test = split.x_train, split.x_test, split.y_train, split.y_test
    groups_train, groups_test = split.groups_train, split.groups_test
    codes, out_of_fold = split.codes, split.out_of_fold
    rows = []

    def record(arm, scores):
        rows.append({'dataset': name, 'seed': seed, 'arm': arm, **scores})

    record('real', evaluator.tstr(train))
    # Exactly fair thresholds: the rate the out-of-fold scores of the training rows favour.
    accuracy = [accuracy_score(y_train, _rate_thresholds(out_of_fold, groups_train, r)) for r in RATES]
    rate = float(RATES[int(np.argmax(accuracy))])
    test_scores = _scorer(reader.categorical_, seed).fit(x_train, y_train).predict_proba(x_test)[:, 1]
    selected = _rate_thresholds(test_scores, groups_test, rate)
    rates = pd.Series(selected).groupby(groups_test).mean()
    record('exact_dp_thresholds', {
        'accuracy': accuracy_score(y_test, selected), 'f1': f1_score(y_test, selected),
        'dp_difference': float(rates.max() - rates.min()), 'rate': rate,
    })
    negative = train.loc[y_train == 0, dataset.target_column].iloc[0]
    draws = np.random.RandomState(seed).random_sample(len(train))
    by_group = [out_of_fold[codes == g] for g in range(codes.max() + 1)]
    for value in sharpness:
        for strength in repair:
            if strength == 1.0:  # the synthesizer's own alignment
                alignment = ScoreAlignment(value).fit(by_group, np.bincount(codes))
            else:
                alignment = PartialRepair(value, strength).fit(by_group, np.bincount(codes))
            aligned = alignment.transform(out_of_fold, codes)
            relabelled = train.copy()
            relabelled[dataset.target_column] = np.where(
                draws < aligned, dataset.positive_label, negative
            )
            record('fair_labels', {**evaluator.tstr(relabelled), 'sharpness': value,
                                   'repair': strength})
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('datasets', nargs='+')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    parser.add_argument('--sharpness', type=float, nargs='+', default=[DEFAULT_SHARPNESS],
                        help='label_sharpness values of the fair_labels rows')
    parser.add_argument('--repair', type=float, nargs='+', default=[1.0],
                        help='how far each group moves to the barycenter (1: the synthesizer)')
    parser.add_argument('--classifier-options', type=json.loads, default={},
                        help='JSON keyword arguments of the label classifier (a probe)')
    args = parser.parse_args()
    _feature_labels.CLASSIFIER_OPTIONS.update(args.classifier_options)
    warnings.simplefilter('ignore')
    for name in args.datasets:
        for seed in args.seeds:
            for row in run(name, seed, args.sharpness, args.repair):
                print(json.dumps({k: v for k, v in row.items() if not isinstance(v, dict)}), flush=True)


if __name__ == '__main__':
    main()
