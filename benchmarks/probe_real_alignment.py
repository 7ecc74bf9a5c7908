"""Probe (not a product option): the label's per-group maps fitted on the real training rows
instead of on generated rows.

The synthesizer maps each group's classifier probabilities of *generated* rows onto their
barycenter (``core/feature_labels.py``), so the groups' label rates in the table are equal,
but a downstream model's selection rates on real people then depend on how each group's
generated features sit against the classifier (Adult without the calibration: downstream DP
0.06 at a table gap of 0.003), which the calibration's offsets correct afterwards. Here the
maps are fitted on out-of-fold probabilities of the real training rows (as
``label_frontier.py`` labels the real rows), with and without the calibration.

Usage (JSON lines on stdout, the fields of ``probe_core_option.py``)::

    python benchmarks/probe_real_alignment.py adult detected 0 1 2 >> records.jsonl

Results: benchmarks/results/stability/utility_probes.md.
"""

import argparse
import json
import time
import warnings
from unittest import mock

import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from probe_core_option import fit, score
from sdv_fairdistill.benchmark.evaluation import Evaluator
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset
from sdv_fairdistill.core.feature_labels import ScoreAlignment
from sdv_fairdistill.datasets import get_dataset
from sdv_fairdistill.synthesizers import _feature_labels
from sdv_fairdistill.synthesizers._classifier_columns import (
    ClassifierColumns, enforced, second_class_labels,
)

ORIGINAL = _feature_labels.use_feature_labels


def use_real_maps(synthesizer, processed_data, group_codes, seed):
    """The synthesizer's own step, then its maps refitted on out-of-fold real probabilities."""
    if not ORIGINAL(synthesizer, processed_data, group_codes, seed):
        return False
    target = synthesizer.target_column
    real = processed_data.reset_index(drop=True)
    columns = [column for column in real.columns if column != target]
    reader = ClassifierColumns(columns, *enforced(synthesizer)).fit(real)
    second = synthesizer._target_encoder.categories(target)[1]
    labels = second_class_labels(real[target], second)
    classifier = HistGradientBoostingClassifier(categorical_features=reader.categorical_,
                                                random_state=seed % 2**32)
    folds = StratifiedKFold(5, shuffle=True, random_state=seed % 2**32)
    out_of_fold = cross_val_predict(classifier, reader.transform(real), labels, cv=folds,
                                    method='predict_proba')[:, 1]
    codes = pd.MultiIndex.from_frame(synthesizer._groups).get_indexer(
        pd.MultiIndex.from_frame(real[synthesizer.sensitive_columns])
    )
    model = synthesizer._model
    model.label_alignment = ScoreAlignment(synthesizer.label_sharpness).fit(
        [out_of_fold[codes == group] for group in range(model.n_groups)],
        model.density.group_prior_,
    )
    return True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('dataset')
    parser.add_argument('metadata', choices=['curated', 'detected'])
    parser.add_argument('seeds', type=int, nargs='+')
    parser.add_argument('--tables', type=int, default=2)
    args = parser.parse_args()
    warnings.simplefilter('ignore')
    dataset = get_dataset(args.dataset)
    arms = [('real_maps', {'calibrate_target': True}), ('real_maps_nocal', {'calibrate_target': False})]
    for seed in args.seeds:
        train, test, curated = split_dataset(dataset, None, 0.3, seed)
        evaluator = Evaluator(train, test, curated, dataset, random_state=seed)
        metadata = generator_metadata(args.metadata, curated, train, dataset)
        for arm, parameters in arms:
            start = time.perf_counter()
            with mock.patch.object(_feature_labels, 'use_feature_labels', use_real_maps):
                synthesizer = fit(dataset, metadata, train, seed, {}, parameters)
            fit_seconds = time.perf_counter() - start
            print(json.dumps({
                'dataset': args.dataset, 'metadata': args.metadata, 'seed': seed, 'arm': arm,
                'parameters': parameters, 'tables': args.tables,
                **score(synthesizer, evaluator, dataset, len(train), args.tables),
                'fit_seconds': round(fit_seconds, 1),
            }), flush=True)


if __name__ == '__main__':
    main()
