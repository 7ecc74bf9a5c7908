"""Fairness of a number as the target (regression), in SDMetrics' style.

Demographic parity for a number: a fair prediction does not depend on the group, so every
group has the same mean prediction. Two metrics, 0 = fair:

* ``MeanDifference`` (data level): the largest difference between two groups' mean target
  in the synthetic table;
* ``TSTRMeanDifference`` (train on synthetic, test on real): the largest difference between
  two groups' mean prediction of a regressor fitted on the synthetic table, on a real
  validation table.

Both are in standard deviations of the real target (of the validation table for TSTR), so
they read the same whatever the unit: 0.2 means one group's mean sits a fifth of the
target's spread above another's. ``compute_breakdown`` adds the real data's value (data
level) or the real-trained regressor's (TSTR), each group's mean and size, the largest
Kolmogorov-Smirnov distance between two groups' distributions (the whole distribution, not
only its mean) and, for TSTR, the regressors' R^2. Definitions: docs/fairness_metrics.md.

A two-class target is the classification metrics' (``fairness.py``); a number given to
them is refused there with a pointer here.
"""

import itertools
from functools import cached_property

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame
from scipy.stats import ks_2samp
from sdmetrics.goal import Goal
from sdmetrics.single_table.base import SingleTableMetric
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

from sdv_fairdistill.metrics._classifier import encode_for, warn_empty_columns
from sdv_fairdistill.metrics._columns import (
    NUMBER_VALUES,
    warn_validation_from_real_data,
    warn_validation_overlap,
)
from sdv_fairdistill.metrics._features import feature_types, warn_disjoint_categories
from sdv_fairdistill.metrics._groups import check_groups_known, group_names, sensitive_frame
from sdv_fairdistill.metrics._task import check_validation_size, validated_inputs


def group_mean_difference(values, sensitive, scale):
    """Largest minus smallest group mean of ``values``, divided by ``scale``.

    Args:
        values (array-like): the target or a model's predictions, one per row.
        sensitive (pandas.DataFrame): the rows' sensitive columns (``sensitive_frame``).
        scale (float): the unit, the real target's standard deviation (positive).

    Returns:
        dict: ``difference`` and ``by_group`` (each group's ``Size`` and ``Mean``).
    """
    values = np.asarray(values, dtype=float)
    groups = group_names(sensitive).to_numpy()
    frame = MetricFrame(
        metrics={'Size': lambda y_true, y_pred: len(y_pred),
                 'Mean': lambda y_true, y_pred: float(np.mean(y_pred))},
        y_true=values, y_pred=values, sensitive_features=pd.Series(groups, name='group'),
    )
    by_group = frame.by_group.astype({'Size': int, 'Mean': float})
    spread = float(by_group['Mean'].max() - by_group['Mean'].min())
    return {'difference': spread / scale, 'by_group': by_group}


def group_ks_distance(values, sensitive):
    """Largest Kolmogorov-Smirnov distance between two groups' values (0 = the same
    distribution in every group; 1 = two groups with no value in common range)."""
    values = np.asarray(values, dtype=float)
    groups = group_names(sensitive).to_numpy()
    by_group = [values[groups == group] for group in pd.unique(groups)]
    return max((float(ks_2samp(a, b).statistic) for a, b in itertools.combinations(by_group, 2)),
               default=0.0)


class RegressionTask:
    """The validated inputs of a regression fairness evaluation and its regressors.

    Args:
        real_data, synthetic_data (pandas.DataFrame or one-table dict): the tables.
        metadata (dict, sdv.metadata.Metadata or None): column sdtypes for the regressor's
            features (dtypes when None).
        table_name (str or None): the table to use from a multi-table metadata.
        target_column (str): the number to predict.
        sensitive_columns (str or list[str]): one or several (intersectional) columns.
        real_validation_data (pandas.DataFrame or None): real rows to test on; when None,
            ``validation_size`` of ``real_data`` is held out (stratified by group where
            every group has two rows).
        validation_size (float), random_state (int), include_sensitive_columns (bool): as
            in ``FairnessTask``.
        min_group_size (int): the rows every group of the real data needs in each table
            compared (a group missing from one counts as 0 rows), as does a group of the
            validation rows that a split left out of real_data; else a ValueError names it.
        tstr (bool): whether regressors are trained (and the real data split for them);
            False for the data-level metric.
    """

    def __init__(self, real_data, synthetic_data, metadata=None, table_name=None, *,
                 target_column, sensitive_columns, real_validation_data=None,
                 validation_size=0.3, random_state=0, min_group_size=5,
                 include_sensitive_columns=True, tstr=True):
        if tstr:
            check_validation_size(validation_size, real_validation_data)
        tables, self.metadata, self.sensitive_columns = validated_inputs(
            {'real_data': real_data, 'synthetic_data': synthetic_data,
             'real_validation_data': real_validation_data},
            metadata, table_name, target_column, sensitive_columns,
        )
        self.tables = {name: _numeric_target(table, target_column, name)
                       for name, table in tables.items()}
        self.target_column = target_column
        self.validation_size = validation_size
        self.random_state = random_state
        self.include_sensitive_columns = include_sensitive_columns
        # Validation rows may hold a rare group a split left out of real_data (measured).
        check_groups_known({name: self.sensitive(table) for name, table in self.tables.items()},
                           self.sensitive_columns, held_out=('real_validation_data',))
        checked = {name: self.tables[name] for name in ('real_data', 'synthetic_data')}
        if tstr:
            if real_validation_data is not None:
                warn_validation_overlap(self.tables['real_data'],
                                        self.tables['real_validation_data'])
            self.train, self.validation = self._split(real_validation_data is not None)
            self.validation_name = ('real_validation_data' if real_validation_data is not None
                                    else f'the held-out {validation_size:.0%} of real_data')
            checked[self.validation_name] = self.validation
        expected = pd.unique(group_names(self.sensitive(self.tables['real_data'])))
        if len(expected) < 2:
            raise ValueError(
                f'real_data has one sensitive group ({expected[0]!r}): a gap between groups '
                'needs two. Choose a sensitive column with several values.'
            )
        for name, table in checked.items():
            groups = expected if name == 'synthetic_data' else pd.unique(
                np.concatenate([expected, group_names(self.sensitive(table)).to_numpy()]))
            self._check_group_sizes(table, name, groups, min_group_size)
            if name != 'synthetic_data':  # the tables whose spread is the unit of the gaps
                _check_spread(table[target_column], name, target_column)

    def sensitive(self, table):
        """The sensitive columns of ``table`` as text (``sensitive_frame``)."""
        return sensitive_frame(table, self.sensitive_columns)

    def _check_group_sizes(self, table, name, expected, min_group_size):
        """Every group of the real data has ``min_group_size`` rows in ``table`` (a missing
        one, 0 rows: leaving it out would hide its gap)."""
        sizes = group_names(self.sensitive(table)).value_counts().reindex(expected, fill_value=0)
        small = sizes[sizes < min_group_size]
        if not small.empty:
            described = ', '.join(f'{group!r} ({count} rows)' for group, count in small.items())
            fix = ('pass real_validation_data= or a larger validation_size'
                   if name.startswith('the held-out') else
                   'merge or drop those groups in every table')
            raise ValueError(
                f'{name} has sensitive groups under min_group_size={min_group_size} rows: '
                f'{described}; a group mean of so few rows says nothing. {fix[0].upper()}'
                f'{fix[1:]}, or lower min_group_size.'
            )

    def _split(self, validation_given):
        real = self.tables['real_data']
        if validation_given:
            return real, self.tables['real_validation_data']
        warn_validation_from_real_data(self.validation_size)
        groups = group_names(self.sensitive(real))
        stratify = groups.to_numpy() if groups.value_counts().min() >= 2 else None
        return train_test_split(real, test_size=self.validation_size,
                                random_state=self.random_state, stratify=stratify)

    @cached_property
    def _feature_types(self):
        """The regressors' feature columns and their types (``feature_types``), once."""
        excluded = [self.target_column]
        if not self.include_sensitive_columns:
            excluded += self.sensitive_columns
        types = feature_types(self.tables['real_data'], self.metadata, excluded,
                              groups=self.sensitive_columns)
        warn_disjoint_categories(self.tables, types)  # once, before the first regressor
        if not types:
            raise ValueError(
                'No feature column is left besides the target to train a regressor: the '
                'tables need feature columns (or include_sensitive_columns=True).'
            )
        return types

    def predictions(self, source):
        """A regressor fitted on ``'real_data'`` (its training part) or ``'synthetic_data'``
        predicts the real validation table: ``(predictions, R^2)``."""
        train = self.train if source == 'real_data' else self.tables['synthetic_data']
        warn_empty_columns(train, self._feature_types, source, 'regressor')
        regressor = HistGradientBoostingRegressor(random_state=self.random_state)
        x_train, x_test = encode_for(regressor, True, train, self.validation, self._feature_types)
        regressor.fit(x_train, train[self.target_column].to_numpy(dtype=float))
        predicted = regressor.predict(x_test)
        return predicted, float(r2_score(self.validation[self.target_column], predicted))


class NumberEvaluation:
    """Every number of a regression evaluation, computed once: the group means of the real and
    the synthetic target (data level) and of the real- and synthetic-trained regressors'
    predictions on the real validation rows (TSTR), shared by the metrics and the report."""

    def __init__(self, task):
        self.task = task
        self._models = {}

    def _gaps(self, values, table, scale):
        sensitive = self.task.sensitive(table)
        return {**group_mean_difference(values, sensitive, scale),
                'ks_distance': group_ks_distance(values, sensitive)}

    @cached_property
    def data_level(self):
        """``{'real_data': ..., 'synthetic_data': ...}``: each table's own target, in standard
        deviations of the real target."""
        target = self.task.target_column
        scale = float(self.task.tables['real_data'][target].std())
        return {name: self._gaps(self.task.tables[name][target], self.task.tables[name], scale)
                for name in ('real_data', 'synthetic_data')}

    def model(self, source):
        """The regressor trained on ``source`` (``'real_data'``, ``'synthetic_data'``) on the
        real validation rows: its gaps in their target's standard deviations and its R^2."""
        if source not in self._models:
            predicted, r2 = self.task.predictions(source)
            validation = self.task.validation
            scale = float(validation[self.task.target_column].std())
            self._models[source] = {**self._gaps(predicted, validation, scale), 'r2': r2}
        return self._models[source]


def is_number_target(table, target, positive_label=None, metadata=None):
    """Whether the fairness of ``table[target]`` is a regression's: no ``positive_label``, a
    column the metadata (single-table dict) calls ``numerical`` or does not describe, and more
    than ``NUMBER_VALUES`` distinct numbers."""
    try:
        column = table[target]
    except (KeyError, TypeError):  # not a column: the classification checks say why
        return False
    sdtype = ((metadata or {}).get('columns', {}).get(target) or {}).get('sdtype', 'numerical')
    return (positive_label is None and sdtype == 'numerical' and isinstance(column, pd.Series)
            and pd.api.types.is_numeric_dtype(column)
            and not pd.api.types.is_bool_dtype(column)
            and column.nunique(dropna=True) > NUMBER_VALUES)


def _numeric_target(table, target, name):
    """``table`` with its target as floats; a target that is not a finite number raises."""
    values = pd.to_numeric(table[target], errors='coerce')
    text = table[target][values.isna()]
    if not text.empty or pd.api.types.is_bool_dtype(table[target]):
        raise ValueError(
            f'{name}[{target!r}] is not a number (e.g. {text.iloc[0] if len(text) else True!r}):'
            ' the regression metrics compare group means of a number. For a class label use '
            'the classification metrics (DemographicParityDifference, ..., FairnessReport).'
        )
    if not np.isfinite(values).all():
        raise ValueError(
            f'{name}[{target!r}] has {int((~np.isfinite(values)).sum())} infinite value(s): a '
            'group mean of them is not a number. Drop those rows or replace them.'
        )
    return table.assign(**{target: values.astype(float)})


def _check_spread(values, name, target):
    """The gaps are in standard deviations of the target: it must vary."""
    if not values.std() > 0:
        raise ValueError(
            f'{name}[{target!r}] has a single value: the gaps are measured in standard '
            'deviations of the target, and it has none. Choose a target that varies.'
        )


class _RegressionMetric(SingleTableMetric):
    """Shared parts: 0 = every group has the same mean; in standard deviations. The
    arguments follow the class metrics': ``(real_data, synthetic_data, metadata=None,
    table_name=None, *, target_column, sensitive_columns, ...)``."""

    goal = Goal.MINIMIZE
    min_value = 0.0
    max_value = float('inf')

    @classmethod
    def compute(cls, real_data, synthetic_data, metadata=None, table_name=None, **kwargs):
        """The synthetic side's value (``compute_breakdown`` has the details)."""
        return cls.compute_breakdown(real_data, synthetic_data, metadata, table_name,
                                     **kwargs)['score']


class MeanDifference(_RegressionMetric):
    """Largest difference between two groups' mean target in the synthetic table, in
    standard deviations of the real target."""

    name = 'Mean Difference'

    @classmethod
    def compute_breakdown(cls, real_data, synthetic_data, metadata=None, table_name=None, *,
                          target_column, sensitive_columns, min_group_size=5):
        task = RegressionTask(real_data, synthetic_data, metadata, table_name,
                              target_column=target_column, sensitive_columns=sensitive_columns,
                              min_group_size=min_group_size, tstr=False)
        return _breakdown(NumberEvaluation(task).data_level)


class TSTRMeanDifference(_RegressionMetric):
    """Largest difference between two groups' mean prediction of a regressor trained on the
    synthetic table, on real validation rows, in standard deviations of their target."""

    name = 'TSTR Mean Difference'

    @classmethod
    def compute_breakdown(cls, real_data, synthetic_data, metadata=None, table_name=None, *,
                          target_column, sensitive_columns, real_validation_data=None,
                          validation_size=0.3, random_state=0, min_group_size=5,
                          include_sensitive_columns=True):
        task = RegressionTask(
            real_data, synthetic_data, metadata, table_name, target_column=target_column,
            sensitive_columns=sensitive_columns, real_validation_data=real_validation_data,
            validation_size=validation_size, random_state=random_state,
            min_group_size=min_group_size, include_sensitive_columns=include_sensitive_columns,
        )
        evaluation = NumberEvaluation(task)
        return _breakdown({name: evaluation.model(name) for name in ('real_data', 'synthetic_data')})


def _breakdown(sides):
    """The class metrics' shape: each side's score also under ``value`` (a loop over every
    metric's breakdown reads ``breakdown['synthetic_data']['value']``), in new dicts so that the
    evaluation's cached numbers are not changed."""
    sides = {name: {**side, 'value': side['difference']} for name, side in sides.items()}
    return {'score': sides['synthetic_data']['value'], **sides}
