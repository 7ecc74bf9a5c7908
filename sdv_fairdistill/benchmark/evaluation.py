"""Score one synthetic table with the metrics users install (``sdv_fairdistill.metrics``).

The protocols (see docs/benchmark.md):

* TSTR, train on synthetic / test on real: the ``FairnessReport``'s classifier fitted on
  the synthetic table predicts the held-out real test table; accuracy, F1, AUROC, and the
  demographic-parity, equalized-odds and equal-opportunity difference and ratio of its
  predictions across the sensitive groups. With more than two groups, also the
  demographic-parity difference over the groups that have at least
  ``LARGE_GROUP_ROWS`` real test rows (``large_group_dp``).
* TSTS, train and test on synthetic: the same classifier fitted on 70 % of the synthetic table
  and scored on the other 30 %. Beside TSTR it separates "the generator's data are fair" from
  "a model trained on them is fair on real people".
* Data level: the positive-label rate gap between sensitive groups inside the table.
* Fidelity: SDMetrics' QualityReport, and density / coverage on the one-hot + standardised
  embedding fitted on the real training table.

Labels, groups, classifiers, features and fairness values all come from the metrics engine,
with its error policy: a part of a cell whose inputs the metrics refuse (a table without
positive labels, a group too small to measure) is recorded under ``errors`` with the
reason, and its scores are absent rather than invented.
"""

import warnings

import numpy as np
from sklearn.model_selection import train_test_split

from sdv_fairdistill.metrics._classifier import CLASSIFIER_NAMES, encode_for, make_classifier
from sdv_fairdistill.metrics._columns import binary_labels
from sdv_fairdistill.metrics._evaluation import FairnessEvaluation
from sdv_fairdistill.metrics._features import TableEmbedding, feature_types
from sdv_fairdistill.metrics._groups import group_names, sensitive_frame
from sdv_fairdistill.metrics._rates import DEMOGRAPHIC_PARITY
from sdv_fairdistill.metrics._rates import evaluate as evaluate_fairness
from sdv_fairdistill.metrics._task import FairnessTask
from sdv_fairdistill.metrics.density_coverage import DEFAULT_K, density_coverage

CLASSIFIERS = CLASSIFIER_NAMES
TSTS_TEST_SIZE = 0.3
#: The fairness metrics' own minimum group size (``FairnessReport(min_group_size=5)``).
MIN_GROUP_SIZE = 5
#: Fewest real test rows a joint group needs to count in ``dp_difference_large_groups``: the
#: selection rate of a smaller group is mostly noise (a 30-row group moves by 0.033 a
#: prediction), and max - min over many groups would report the noisiest one.
LARGE_GROUP_ROWS = 100

#: Metric names, in table order, and whether higher is better (None: neither).
METRICS = {
    'accuracy': True,
    'f1': True,
    'auroc': True,
    'dp_difference': False,
    'dp_ratio': True,
    'dp_difference_large_groups': False,
    'large_group_count': None,
    'eo_difference': False,
    'eo_ratio': True,
    'tpr_difference': False,
    'label_gap': False,
    'tsts_accuracy': True,
    'tsts_auroc': True,
    'tsts_dp_difference': False,
    'tsts_dp_ratio': True,
    'tsts_eo_difference': False,
    'tsts_eo_ratio': True,
    'quality': True,
    'density': None,
    'coverage': True,
    'precision': True,
    'recall': True,
}
_MODEL_SCORES = (
    'accuracy', 'f1', 'auroc', 'dp_difference', 'dp_ratio', 'eo_difference', 'eo_ratio',
    'tpr_difference',
)
_TSTS_SCORES = (
    'accuracy', 'auroc', 'dp_difference', 'dp_ratio', 'eo_difference', 'eo_ratio',
)


def large_group_dp(y_true, y_pred, sensitive, min_rows=LARGE_GROUP_ROWS,
                   table_name='the real test table'):
    """Demographic-parity difference over the groups with at least ``min_rows`` rows.

    The metrics engine's demographic parity (its group check, fairlearn's MetricFrame and
    difference) with ``min_rows`` as the group size and smaller groups skipped rather than
    refused: leaving them out is the definition here, not a failure.

    Args:
        y_true, y_pred (numpy.ndarray): 0/1 labels and predictions of the test rows.
        sensitive (pandas.DataFrame): their sensitive columns as text (joint groups when
            several).
        min_rows (int): rows a group needs in these rows to be kept.
        table_name (str): the table's name in messages.

    Returns:
        dict: ``dp_difference_large_groups`` (largest minus smallest selection rate of the
        kept groups) and ``large_group_count`` (how many groups were kept).

    Raises:
        ValueError: fewer than two groups have ``min_rows`` rows (the engine's message).
    """
    # One column of joint names: given the columns, fairlearn's MetricFrame lays out every
    # combination of the kept values, and a combination without rows (kept 'F, x' and
    # 'M, y' but not 'M, x') gets no size, which the engine's group_rates cannot read.
    joint = group_names(sensitive).to_frame('group')
    with warnings.catch_warnings():
        # The engine warns of every skipped group; skipping the small ones is the point.
        warnings.simplefilter('ignore', UserWarning)
        result = evaluate_fairness(
            y_true, y_pred, joint, criterion=DEMOGRAPHIC_PARITY, min_group_size=min_rows,
            strict=False, table_name=table_name, rates=('Size', 'Selection Rate'),
        )
    return {
        'dp_difference_large_groups': result['difference'],
        'large_group_count': len(result['by_group']),
    }


class Evaluator:
    """Scores tables against one real train / test split of a dataset.

    Args:
        real_train, real_test (pandas.DataFrame): the split; generators learn from
            ``real_train``, TSTR classifiers are scored on ``real_test``.
        metadata (sdv.metadata.Metadata): metadata of the table.
        dataset (DatasetSpec): column roles (sensitive, target, positive label).
        classifier (str): one of ``CLASSIFIERS``.
        use_sensitive_feature (bool): let the classifiers see the sensitive columns.
        quality_rows (int or None): subsample for the QualityReport (None: all rows).
        embedding_rows (int or None): subsample for density / coverage.
        nearest_k (int): k of density / coverage.
        random_state (int): seed of classifiers, splits and subsamples.
    """

    def __init__(self, real_train, real_test, metadata, dataset, classifier='HistGradientBoosting',
                 use_sensitive_feature=True, quality_rows=5000, embedding_rows=3000,
                 nearest_k=DEFAULT_K, random_state=0):
        make_classifier(classifier)  # fail early on an unknown name
        self.real_train = real_train
        self.real_test = real_test
        self.dataset = dataset
        self.classifier = classifier
        self.use_sensitive_feature = use_sensitive_feature
        self.quality_rows = quality_rows
        self.embedding_rows = embedding_rows
        self.nearest_k = nearest_k
        self.random_state = random_state
        self.table_metadata = metadata.to_dict()['tables'][dataset.table_name]
        excluded = [dataset.target_column]
        if not use_sensitive_feature:
            excluded += list(dataset.sensitive_columns)
        # Classifier features exclude the target; the fidelity embedding covers every column.
        groups = list(dataset.sensitive_columns)
        self.feature_types = feature_types(real_train, self.table_metadata, excluded, groups)
        self.embedding = TableEmbedding(feature_types(real_train, self.table_metadata,
                                                      groups=groups))
        self.embedding.fit(real_train)
        self._real_embedding = self.embedding.transform(real_train)
        # More than two groups (joint ones, or one column of many values) is where groups
        # under 100 test rows are the rule: then ``large_group_dp`` is measured too.
        self.many_groups = len(set(self.groups(real_train))) > 2

    def labels(self, table):
        """1 where the target equals the dataset's positive label (the metrics' rule)."""
        return binary_labels(table[self.dataset.target_column], self.dataset.positive_label)

    def groups(self, table):
        """One group name per row (joint values for several sensitive columns)."""
        return group_names(sensitive_frame(table, list(self.dataset.sensitive_columns))).to_numpy()

    def _evaluation(self, train, synthetic, validation):
        task = FairnessTask(
            train,
            synthetic,
            self.table_metadata,
            target_column=self.dataset.target_column,
            sensitive_columns=list(self.dataset.sensitive_columns),
            positive_label=self.dataset.positive_label,
            real_validation_data=validation,
            classifier=self.classifier,
            random_state=self.random_state,
            include_sensitive_columns=self.use_sensitive_feature,
        )
        return FairnessEvaluation(task, MIN_GROUP_SIZE)

    def tstr_evaluation(self, train):
        """The report's evaluation of a classifier trained on ``train``, tested on the real
        test table (its classifier is trained on first use, then cached)."""
        return self._evaluation(self.real_train, train, self.real_test)

    def tstr(self, train, evaluation=None):
        """Utility and fairness on the real test set of a classifier trained on ``train``.

        ``evaluation``: ``tstr_evaluation(train)`` when the caller already has it (so that
        the TSTR parts of ``evaluate`` share one trained classifier).
        """
        evaluation = self.tstr_evaluation(train) if evaluation is None else evaluation
        model = evaluation.model('synthetic_data')
        return {name: model[name] for name in _MODEL_SCORES}

    def tstr_utility(self, train, evaluation=None):
        """Accuracy, F1 and AUROC on the real test table of the classifier trained on ``train``.

        Its own part of ``evaluate``, as the fairlearn ceilings' utility is theirs: the group
        checks of ``tstr`` refuse a test table whose smallest group has under 5 rows (5
        positive ones for equalized odds: Adult's sex x race, a column of 17 nations on 384
        rows), and every score with them, while the utility does not depend on the groups.
        The same numbers as ``tstr``'s, from the same predictions.
        """
        evaluation = self.tstr_evaluation(train) if evaluation is None else evaluation
        result = evaluation.task.tstr('synthetic_data')
        return {'accuracy': result.accuracy, 'f1': result.f1, 'auroc': result.auroc}

    def tstr_large_groups(self, train, evaluation=None):
        """``large_group_dp`` of the classifier trained on ``train``, on the real test table:
        measured where the strict group checks of ``tstr`` refuse its smallest groups."""
        evaluation = self.tstr_evaluation(train) if evaluation is None else evaluation
        result = evaluation.task.tstr('synthetic_data')
        y_true, sensitive = evaluation.task.validation
        return large_group_dp(y_true, result.y_pred, sensitive)

    def tsts(self, table):
        """The same scores with train and test both drawn from ``table`` (70 / 30)."""
        labels = self.labels(table)
        stratify = labels if np.bincount(labels, minlength=2).min() >= 2 else None
        train, test = train_test_split(
            table, test_size=TSTS_TEST_SIZE, random_state=self.random_state, stratify=stratify
        )
        try:
            model = self._evaluation(train, train, test).model('real_data')
        except ValueError as error:
            # The task calls its test table real_validation_data; here it is synthetic rows.
            raise ValueError(str(error).replace(
                'real_validation_data', f'the synthetic table\'s {TSTS_TEST_SIZE:.0%} test part'
            )) from error
        return {f'tsts_{name}': model[name] for name in _TSTS_SCORES}

    def label_gap(self, table):
        """Positive-rate gap between sensitive groups inside ``table``."""
        data_level = self._evaluation(self.real_train, table, self.real_test).data_level
        return {'label_gap': data_level['synthetic_data']['dp_difference']}

    def encoded(self, train):
        """``(estimator, x_train, x_test)``: the benchmark's unfitted classifier and the
        features of ``train`` and of the real test table in its form (for reference rows
        such as fairlearn's constrained classifiers)."""
        estimator, native = make_classifier(self.classifier, self.random_state)
        x_train, x_test = encode_for(estimator, native, train, self.real_test, self.feature_types)
        return estimator, x_train, x_test

    def _subsample(self, table, rows):
        if rows is None or len(table) <= rows:
            return table
        return table.sample(rows, random_state=self.random_state)

    def quality(self, table):
        """SDMetrics' QualityReport score of ``table`` against the real training table."""
        from sdmetrics.reports import QualityReport

        name = self.dataset.table_name
        report = QualityReport()
        report.generate(
            {name: self._subsample(self.real_train, self.quality_rows)},
            {name: self._subsample(table[list(self.real_train.columns)], self.quality_rows)},
            {'tables': {name: self.table_metadata}},
            verbose=False,
        )
        return {'quality': float(report.get_score())}

    def density_coverage(self, table):
        """Density, coverage, precision and recall against the real training table."""
        return density_coverage(
            self._real_embedding, self.embedding.transform(table), k=self.nearest_k,
            max_rows=self.embedding_rows, random_state=self.random_state,
        )

    def evaluate(self, synthetic, fidelity=True, fidelity_table=None):
        """Every score of ``synthetic`` as a flat dict (keys of ``METRICS``), plus ``errors``
        (``{part: reason}``) for the parts the metrics refused.

        Args:
            synthetic (pandas.DataFrame): the generated table.
            fidelity (bool): also compute the QualityReport and density / coverage (the
                slow part; the fairness sweep skips it).
            fidelity_table (pandas.DataFrame or None): table to compare with the real
                training data instead of ``synthetic``. The real-data reference row passes
                the real test set: it scores what a perfect generator would.
        """
        missing = [c for c in self.real_train.columns if c not in synthetic.columns]
        if missing:
            raise ValueError(f'The synthetic table lacks the column(s) {missing}.')
        compared = synthetic if fidelity_table is None else fidelity_table
        shared = {}

        def tstr_evaluation(table):  # the TSTR parts share one classifier, trained once
            if 'evaluation' not in shared:
                shared['evaluation'] = self.tstr_evaluation(table)
            return shared['evaluation']

        parts = {
            'tstr_utility': lambda table: self.tstr_utility(table, tstr_evaluation(table)),
            'tstr': lambda table: self.tstr(table, tstr_evaluation(table)),
        }
        if self.many_groups:
            # With two groups, those of 100 test rows are usually both (the value would
            # repeat dp_difference), and where one is smaller (German Credit's ~93 women in
            # 300 test rows) a single group would be left: refused on every cell.
            parts['tstr_large_groups'] = (
                lambda table: self.tstr_large_groups(table, tstr_evaluation(table))
            )
        parts.update(label_gap=self.label_gap, tsts=self.tsts)
        if fidelity:
            parts.update(quality=self.quality, density_coverage=self.density_coverage)
        scores, errors, skipped = {}, {}, set()
        for part, score in parts.items():
            if part in skipped:
                continue
            table = compared if part in ('quality', 'density_coverage') else synthetic
            try:
                with warnings.catch_warnings():
                    # The metrics warn of an undefined ratio (0 / 0); its NaN says it here.
                    warnings.simplefilter('ignore', UserWarning)
                    scores.update(score(table))
            except ValueError as error:  # the metrics' refusal of these inputs, with its reason
                if part == 'tstr_utility':  # no classifier (one class, say): said once, as tstr's
                    part = 'tstr'
                    skipped.update(('tstr', 'tstr_large_groups'))
                errors[part] = str(error)
        if errors:
            scores['errors'] = errors
        return scores
