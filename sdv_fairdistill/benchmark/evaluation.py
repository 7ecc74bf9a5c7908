"""Score one synthetic table: utility and fairness of a downstream classifier, fidelity.

The protocols (see docs/benchmark.md):

* TSTR, train on synthetic / test on real: a classifier fitted on the synthetic table predicts
  the held-out real test table; accuracy, F1, AUROC, and the demographic-parity and
  equalized-odds difference and ratio of its predictions across the sensitive groups.
* TSTS, train and test on synthetic: the same classifier fitted on 70 % of the synthetic table
  and scored on the other 30 %. Beside TSTR it separates "the generator's data are fair" from
  "a model trained on them is fair on real people".
* Data level: the positive-label rate gap between sensitive groups inside the table.
* Fidelity: SDMetrics' QualityReport, and density / coverage on the one-hot + standardised
  embedding (``TableEmbedding``, fitted on the real training table).
"""

import warnings

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.model_selection import train_test_split

from sdv_fairdistill.benchmark.density_coverage import DEFAULT_K, density_coverage
from sdv_fairdistill.benchmark.embedding import TableEmbedding, column_types

CLASSIFIERS = ('HistGradientBoosting', 'LogisticRegression', 'RandomForest')
TSTS_TEST_SIZE = 0.3

#: Metric names, in table order, and whether higher is better (None: neither).
METRICS = {
    'accuracy': True,
    'f1': True,
    'auroc': True,
    'dp_difference': False,
    'dp_ratio': True,
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


def make_classifier(name, random_state=0):
    """An unfitted classifier working on the embedding (``CLASSIFIERS`` names)."""
    if name == 'HistGradientBoosting':
        return HistGradientBoostingClassifier(random_state=random_state)
    if name == 'LogisticRegression':
        return LogisticRegression(max_iter=1000)
    if name == 'RandomForest':
        return RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=random_state)
    raise ValueError(f'Unknown classifier {name!r}. Use one of: {", ".join(CLASSIFIERS)}.')


def sensitive_groups(table, sensitive_columns):
    """One group label per row; several sensitive columns form joint (intersectional) groups."""
    text = table[list(sensitive_columns)].astype(str)
    return text.agg(' & '.join, axis=1).to_numpy()


def positive_labels(table, target_column, positive_label):
    """1 where the target equals the positive label (compared as text: 1 == '1' == 1.0)."""
    target = table[target_column]
    if pd.api.types.is_numeric_dtype(target) and not isinstance(positive_label, str):
        return (pd.to_numeric(target, errors='coerce') == positive_label).to_numpy(dtype=int)
    return (target.astype(str) == str(positive_label)).to_numpy(dtype=int)


def group_fairness(y_true, y_pred, groups):
    """Demographic parity and equalized odds, difference (max - min) and ratio (min / max).

    Fairlearn's definitions; equalized odds is the worst of the true- and false-positive-rate
    gaps, ``tpr_difference`` (equal opportunity) the true-positive-rate gap alone. A value
    that is undefined (a group without positives, say) is NaN.

    This is the seam to ``sdv_fairdistill.metrics``: the benchmark keeps fairlearn here so its
    numbers are fairlearn's by construction.
    """
    from fairlearn.metrics import (
        demographic_parity_difference,
        demographic_parity_ratio,
        equal_opportunity_difference,
        equalized_odds_difference,
        equalized_odds_ratio,
    )

    scores = {}
    for name, metric in (
        ('dp_difference', demographic_parity_difference),
        ('dp_ratio', demographic_parity_ratio),
        ('eo_difference', equalized_odds_difference),
        ('eo_ratio', equalized_odds_ratio),
        ('tpr_difference', equal_opportunity_difference),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            try:
                scores[name] = float(metric(y_true, y_pred, sensitive_features=groups))
            except (ValueError, ZeroDivisionError):
                scores[name] = np.nan
    return scores


def label_gap(labels, groups):
    """Largest difference between the groups' positive-label rates in a table."""
    rates = pd.Series(labels).groupby(groups).mean()
    return float(rates.max() - rates.min()) if len(rates) > 1 else np.nan


def _fit_predict(classifier, random_state, x_train, y_train, x_test):
    """Predictions and positive-class scores; a constant predictor if one class is missing."""
    if np.unique(y_train).size < 2:
        # A generator that emits a single label has learned nothing a classifier can use:
        # predict that label everywhere (AUROC is then 0.5) rather than fail the cell.
        constant = int(y_train[0]) if len(y_train) else 0
        return np.full(len(x_test), constant), np.full(len(x_test), float(constant))
    model = make_classifier(classifier, random_state).fit(x_train, y_train)
    return model.predict(x_test).astype(int), model.predict_proba(x_test)[:, 1]


def _utility(y_true, y_pred, y_score):
    return {
        'accuracy': float(accuracy_score(y_true, y_pred)),
        'f1': float(f1_score(y_true, y_pred, zero_division=0.0)),
        'auroc': float(roc_auc_score(y_true, y_score)) if np.unique(y_true).size > 1 else np.nan,
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
        self.quality_rows = quality_rows
        self.embedding_rows = embedding_rows
        self.nearest_k = nearest_k
        self.random_state = random_state
        self.table_metadata = metadata.to_dict()['tables'][dataset.table_name]
        columns = self.table_metadata['columns']
        excluded = [dataset.target_column]
        if not use_sensitive_feature:
            excluded += list(dataset.sensitive_columns)
        # Classifier features exclude the target; the fidelity embedding covers every column.
        self.features = TableEmbedding(column_types(columns, real_train.columns, excluded))
        self.features.fit(real_train)
        self.embedding = TableEmbedding(column_types(columns, real_train.columns))
        self.embedding.fit(real_train)
        self._real_embedding = self.embedding.transform(real_train)
        self._x_test = self.features.transform(real_test)
        self._y_test = self._labels(real_test)
        self._groups_test = sensitive_groups(real_test, dataset.sensitive_columns)

    def _labels(self, table):
        return positive_labels(table, self.dataset.target_column, self.dataset.positive_label)

    def _check_columns(self, table):
        missing = [c for c in self.real_train.columns if c not in table.columns]
        if missing:
            raise ValueError(f'The synthetic table lacks the column(s) {missing}.')

    def tstr(self, train):
        """Utility and fairness on the real test set of a classifier trained on ``train``."""
        y_pred, y_score = _fit_predict(
            self.classifier, self.random_state, self.features.transform(train),
            self._labels(train), self._x_test,
        )
        return {
            **_utility(self._y_test, y_pred, y_score),
            **group_fairness(self._y_test, y_pred, self._groups_test),
        }

    def tsts(self, table):
        """The same scores with train and test both drawn from ``table`` (70 / 30)."""
        labels = self._labels(table)
        stratify = labels if np.bincount(labels, minlength=2).min() >= 2 else None
        train, test = train_test_split(
            table, test_size=TSTS_TEST_SIZE, random_state=self.random_state, stratify=stratify
        )
        y_test = self._labels(test)
        y_pred, y_score = _fit_predict(
            self.classifier, self.random_state, self.features.transform(train),
            self._labels(train), self.features.transform(test),
        )
        scores = {
            **_utility(y_test, y_pred, y_score),
            **group_fairness(y_test, y_pred, sensitive_groups(test, self.dataset.sensitive_columns)),
        }
        kept = (name for name in scores if name not in ('f1', 'tpr_difference'))
        return {f'tsts_{name}': scores[name] for name in kept}

    def label_gap(self, table):
        """Positive-rate gap between sensitive groups inside ``table``."""
        return label_gap(self._labels(table), sensitive_groups(table, self.dataset.sensitive_columns))

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
        return float(report.get_score())

    def density_coverage(self, table):
        """Density, coverage, precision and recall against the real training table."""
        return density_coverage(
            self._real_embedding, self.embedding.transform(table), k=self.nearest_k,
            max_rows=self.embedding_rows, random_state=self.random_state,
        )

    def evaluate(self, synthetic, fidelity=True, fidelity_table=None):
        """Every score of ``synthetic`` as a flat dict (keys of ``METRICS``).

        Args:
            synthetic (pandas.DataFrame): the generated table.
            fidelity (bool): also compute the QualityReport and density / coverage (the
                slow part; the fairness sweep skips it).
            fidelity_table (pandas.DataFrame or None): table to compare with the real
                training data instead of ``synthetic``. The real-data reference row passes
                the real test set: it scores what a perfect generator would.
        """
        self._check_columns(synthetic)
        scores = {**self.tstr(synthetic), 'label_gap': self.label_gap(synthetic)}
        scores.update(self.tsts(synthetic))
        if fidelity:
            compared = synthetic if fidelity_table is None else fidelity_table
            scores['quality'] = self.quality(compared)
            scores.update(self.density_coverage(compared))
        return scores
