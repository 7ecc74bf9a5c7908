"""Reference rows that are not generators: fairlearn's constrained classifiers on real rows.

``ExponentiatedGradient`` (Agarwal et al. 2018) trains the benchmark's classifier on the real
training rows under a fairness constraint: the in-processing ceiling a fair generator's
downstream model is compared with (same split, features and test rows). Its predictions are
randomised over the classifiers it found; they are drawn with the seed, and its probability
of the positive class ranks the rows for AUROC.
"""

import warnings

from sdv_fairdistill.benchmark.evaluation import MIN_GROUP_SIZE, large_group_dp
from sdv_fairdistill.metrics._classifier import utility_scores
from sdv_fairdistill.metrics._evaluation import model_fairness
from sdv_fairdistill.metrics._groups import group_names, sensitive_frame

#: Constraint of each fairness criterion (fairlearn.reductions class names).
CONSTRAINTS = {
    'demographic_parity': 'DemographicParity',
    'equalized_odds': 'EqualizedOdds',
    'equal_opportunity': 'TruePositiveRateParity',
}


def ceiling_name(criterion):
    return f'fairlearn ExponentiatedGradient ({CONSTRAINTS[criterion]})'


def ceiling_predictions(evaluator, real_train, criterion, random_state=0):
    """fairlearn's classifier trained on ``real_train`` under ``criterion``: its 0/1
    predictions of the real test rows (drawn with ``random_state``) and its probability of
    the positive class.

    Args:
        evaluator (Evaluator): the split's evaluator (features, test rows, classifier).
        real_train (pandas.DataFrame): the real training rows.
        criterion (str): a key of ``CONSTRAINTS``.
        random_state (int): seed of the classifier and of the randomised predictions.
    """
    import fairlearn.reductions as reductions

    if criterion not in CONSTRAINTS:
        raise ValueError(f'Unknown criterion {criterion!r}; use one of {", ".join(CONSTRAINTS)}.')
    estimator, x_train, x_test = evaluator.encoded(real_train)
    model = reductions.ExponentiatedGradient(
        estimator, getattr(reductions, CONSTRAINTS[criterion])()
    )
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # fairlearn warns on every degenerate inner fit
        model.fit(x_train, evaluator.labels(real_train),
                  sensitive_features=evaluator.groups(real_train))
    predicted = model.predict(x_test, random_state=random_state).astype(int)
    return predicted, model._pmf_predict(x_test)[:, 1]


def fairlearn_ceiling(evaluator, real_train, criterion, random_state=0):
    """TSTR-style scores of fairlearn's classifier trained on ``real_train`` under ``criterion``
    (``ceiling_predictions``), with the evaluator's error policy: a fairness part the metrics
    refuse (a test group too small) is recorded under ``errors`` and the other scores kept.
    With more than two groups, also the DP difference over the groups of 100 test rows.
    """
    predicted, score = ceiling_predictions(evaluator, real_train, criterion, random_state)
    y_test = evaluator.labels(evaluator.real_test)
    columns = list(evaluator.dataset.sensitive_columns)
    sensitive = sensitive_frame(evaluator.real_test, columns)
    # The training rows' groups, as the generators' TSTR scores check them (``real_groups``).
    trained = sorted(set(group_names(sensitive_frame(real_train, columns))))
    scores, errors = utility_scores(y_test, predicted, score), {}
    try:
        fairness = model_fairness(y_test, predicted, sensitive, MIN_GROUP_SIZE,
                                  'the real test table', trained)
    except ValueError as error:
        errors['tstr'] = str(error)
    else:
        fairness.pop('by_group')
        fairness.pop('tpr_ratio')
        scores.update(fairness)
    if evaluator.many_groups:
        try:
            scores.update(large_group_dp(y_test, predicted, sensitive))
        except ValueError as error:
            errors['tstr_large_groups'] = str(error)
    if errors:
        scores['errors'] = errors
    return scores
