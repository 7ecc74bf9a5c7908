"""The test rows' own noise over many groups: a classifier trained on the real rows and made
exactly fair on them by per-group thresholds (fairlearn's ``ThresholdOptimizer``, demographic
parity, Hardt et al. 2016), scored on the real test rows like every generator.

Its thresholds equalise the selection rates on the training rows; what is left on the test
rows is the test rows' composition (a group's 150 test people are not its 350 training
people) read through a classifier as sharp as the benchmark's. A generator's calibration
(``core/calibration.py``) can at best equalise the training rows in the same way, so this is
the DP difference a high-AUROC downstream model has to expect on that split. For contrast,
fairlearn's ``ExponentiatedGradient`` ceiling randomises between classifiers and reads the
features less sharply (lower AUROC).

    python benchmarks/postprocessing_floor.py adult_intersectional 0 1 2 3 4 \\
        > benchmarks/results/stability/seventh_session/postprocessing_floor.jsonl
"""

import argparse
import json
import warnings

import numpy as np

from sdv_fairdistill.benchmark.evaluation import Evaluator, large_group_dp
from sdv_fairdistill.benchmark.runner import split_dataset
from sdv_fairdistill.datasets import get_dataset
from sdv_fairdistill.metrics._classifier import utility_scores
from sdv_fairdistill.metrics._groups import sensitive_frame


def main():
    from fairlearn.postprocessing import ThresholdOptimizer

    parser = argparse.ArgumentParser()
    parser.add_argument('dataset')
    parser.add_argument('seeds', type=int, nargs='+')
    args = parser.parse_args()
    warnings.simplefilter('ignore')
    dataset = get_dataset(args.dataset)
    for seed in args.seeds:
        train, test, metadata = split_dataset(dataset, None, 0.3, seed)
        evaluator = Evaluator(train, test, metadata, dataset, random_state=seed)
        estimator, x_train, x_test = evaluator.encoded(train)
        optimizer = ThresholdOptimizer(
            estimator=estimator, constraints='demographic_parity',
            predict_method='predict_proba', objective='accuracy_score',
        )
        optimizer.fit(x_train, evaluator.labels(train), sensitive_features=evaluator.groups(train))
        y_test = evaluator.labels(test)
        scores = {}
        for rows, x, groups in (('train', x_train, evaluator.groups(train)),
                                ('test', x_test, evaluator.groups(test))):
            predicted = optimizer.predict(x, sensitive_features=groups, random_state=seed)
            frame = sensitive_frame(train if rows == 'train' else test,
                                    list(dataset.sensitive_columns))
            # On the training rows, the groups that are as large in proportion.
            min_rows = 100 if rows == 'test' else int(np.ceil(100 * len(train) / len(test)))
            scores[f'dp_large_{rows}'] = round(float(large_group_dp(
                evaluator.labels(train) if rows == 'train' else y_test, predicted, frame,
                min_rows=min_rows,
            )['dp_difference_large_groups']), 4)
            if rows == 'test':
                utility = utility_scores(
                    y_test, predicted, optimizer.estimator_.predict_proba(x)[:, 1]
                )
                scores.update({k: round(float(utility[k]), 4) for k in ('accuracy', 'f1')})
                scores['selection_rate'] = round(float(np.mean(predicted)), 4)
        print(json.dumps({'dataset': args.dataset, 'seed': seed,
                          'row': 'ThresholdOptimizer (DP) on real rows', **scores}), flush=True)


if __name__ == '__main__':
    main()
