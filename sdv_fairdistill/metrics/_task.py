"""``FairnessTask``: the validated inputs of one fairness evaluation, shared by the metrics
and the report, and its classifiers, trained once per source and cached."""

from functools import cached_property

import pandas as pd

from sdv_fairdistill.metrics._classifier import (
    classifier_name,
    make_classifier,
    train_and_predict,
)
from sdv_fairdistill.metrics._features import feature_types, warn_disjoint_categories
from sdv_fairdistill.metrics._columns import (
    as_column_list,
    binary_labels,
    check_binary_target,
    check_both_labels,
    check_column_name,
    check_columns_exist,
    check_not_datetime,
    check_positive_label_occurs,
    check_prediction_column,
    drop_missing_target,
    holdout_split,
    resolve_positive_label,
    warn_validation_from_real_data,
    warn_validation_overlap,
)
from sdv_fairdistill.metrics._groups import check_groups_known, group_names, sensitive_frame
from sdv_fairdistill.metrics._tables import (
    check_tables,
    parse_datetimes,
    single_table_metadata,
    single_tables,
)
from sdv_fairdistill.metrics._rates import evaluate


def check_validation_size(validation_size, real_validation_data):
    """Refuse a ``validation_size`` that is not a share of real_data (when it is used: there is
    no ``real_validation_data``), before scikit-learn's ``test_size`` message would."""
    if real_validation_data is None and (isinstance(validation_size, bool) or not (
            isinstance(validation_size, (float, int)) and 0 < validation_size < 1)):
        raise ValueError(
            'validation_size is the share of real_data held out to test the models when '
            f'there is no real_validation_data: a number between 0 and 1, got '
            f'{validation_size!r}.'
        )


class FairnessTask:
    """The validated inputs of a fairness evaluation and its (cached) classifiers.

    Args:
        real_data (pandas.DataFrame):
            The real table (the synthesizer's training data).
        synthetic_data (pandas.DataFrame):
            The synthetic table; same columns as ``real_data``.
        metadata (dict, sdv.metadata.Metadata or None):
            Column sdtypes for the classifier's preprocessing (dtypes when None).
        table_name (str or None):
            The table to use from a multi-table metadata.
        target_column (str):
            The binary (or one-vs-rest) target.
        sensitive_columns (str or list[str]):
            One or several sensitive columns (several = intersectional groups).
        positive_label (object or None):
            The positive class; None allowed for a two-valued target (the larger value).
        real_validation_data (pandas.DataFrame or None):
            Real hold-out table; when None 30 % of ``real_data`` is held out.
        classifier (str, estimator or None):
            ``'HistGradientBoosting'`` (default), ``'XGBoost'``, ``'RandomForest'``,
            ``'LogisticRegression'`` or an sklearn-style estimator.
        validation_size (float):
            Share of ``real_data`` held out when there is no validation table.
        random_state (int):
            Seed of the hold-out split and of the default classifiers.
        include_sensitive_columns (bool):
            Whether the classifiers see the sensitive columns as features.
        prediction_column (str or None):
            A decision column inside the tables, for data-level equalized odds.
    """

    def __init__(
        self,
        real_data,
        synthetic_data,
        metadata=None,
        table_name=None,
        *,
        target_column,
        sensitive_columns,
        positive_label=None,
        real_validation_data=None,
        classifier=None,
        validation_size=0.3,
        random_state=0,
        include_sensitive_columns=True,
        prediction_column=None,
    ):
        check_validation_size(validation_size, real_validation_data)
        make_classifier(classifier, random_state)  # an unknown name refused before any warning
        tables, self.metadata, self.sensitive_columns = validated_inputs(
            {'real_data': real_data, 'synthetic_data': synthetic_data,
             'real_validation_data': real_validation_data},
            metadata, table_name, target_column, sensitive_columns, prediction_column,
        )
        self.target_column = target_column
        self.positive_label = resolve_positive_label(
            target_column, positive_label, tables['real_data'][target_column]
        )
        if positive_label is None:
            # The positive label was inferred from real_data's two values; any third value
            # elsewhere would silently count as negative.
            check_binary_target(
                tables, target_column, pd.unique(tables['real_data'][target_column].dropna())
            )
        check_positive_label_occurs(tables, target_column, self.positive_label)
        if prediction_column is not None:
            check_prediction_column(tables, prediction_column, target_column)

        self.tables = tables
        self.prediction_column = prediction_column
        self.classifier = classifier
        self.classifier_name = classifier_name(classifier)
        self.validation_size = validation_size
        self.random_state = random_state
        self.include_sensitive_columns = include_sensitive_columns
        self.validation_given = real_validation_data is not None
        if self.validation_given:
            warn_validation_overlap(tables['real_data'], tables['real_validation_data'])
        self._tstr_cache = {}  # trained once per source: 'real_data' / 'synthetic_data'

    # ---------------------------------------------------------------- data level
    def labels(self, table_name):
        """Return ``(y_true, y_pred, sensitive)`` of a table; y_pred is its prediction
        column when there is one, else the labels themselves."""
        table = self.tables[table_name]
        y_true = binary_labels(table[self.target_column], self.positive_label)
        if self.prediction_column is None:
            y_pred = y_true
        else:
            y_pred = binary_labels(table[self.prediction_column], self.positive_label)

        return y_true, y_pred, sensitive_frame(table, self.sensitive_columns)

    @cached_property
    def real_groups(self):
        """The groups of real_data, which the validation rows' rates must cover too: a group
        a split left out of them has no measured rate, and a worst case without it would
        look better than it is (refused, or skipped with a warning, as a small group is)."""
        return sorted(set(group_names(sensitive_frame(self.tables['real_data'],
                                                      self.sensitive_columns))))

    @cached_property
    def expected_groups(self):
        """The groups of the real data, which every table compared at data level must have.

        A synthetic group the real data lack raises here, naming synthetic_data, the
        column and the value (rather than a group of 0 rows in real_data).
        """
        frames = {
            name: sensitive_frame(self.tables[name], self.sensitive_columns)
            for name in ('real_data', 'synthetic_data')
        }
        check_groups_known(frames, self.sensitive_columns)
        return self.real_groups

    # ---------------------------------------------------------------- TSTR
    @cached_property
    def split(self):
        """``(real training table, real validation table)``."""
        if self.validation_given:
            return self.tables['real_data'], self.tables['real_validation_data']

        warn_validation_from_real_data(self.validation_size)
        real = self.tables['real_data']
        labels = binary_labels(real[self.target_column], self.positive_label)
        groups = group_names(sensitive_frame(real, self.sensitive_columns))
        train, validation = holdout_split(
            real, labels, groups, self.validation_size, self.random_state, self.target_column
        )
        check_positive_label_occurs(
            {'the real training part of real_data': train,
             'the held-out validation part of real_data': validation},
            self.target_column,
            self.positive_label,
        )
        return train, validation

    @cached_property
    def validation_labels(self):
        """0/1 labels of the real validation table (all the utility needs)."""
        y_true = binary_labels(self.split[1][self.target_column], self.positive_label)
        check_both_labels(
            y_true,
            self.validation_name,
            self.target_column,
            self.positive_label,
            'AUROC and equalized odds are undefined on it',
        )
        return y_true

    @cached_property
    def validation(self):
        """``(y_true, sensitive)`` of the real validation table, whose groups are measured.

        A group of ``real_validation_data`` that real_data lack is one of them where a split
        explains it (a rare value whose few rows all fell in the validation rows); one with
        more rows than chance explains (recoded 'F' -> 'Female', measured as a group no
        classifier learnt: every model looks fair) raises (``check_groups_known``). The
        utility (``tstr``) does not depend on the groups.
        """
        sensitive = sensitive_frame(self.split[1], self.sensitive_columns)
        if self.validation_given:
            check_groups_known(
                {'real_data': sensitive_frame(self.tables['real_data'], self.sensitive_columns),
                 'real_validation_data': sensitive},
                self.sensitive_columns,
                held_out=('real_validation_data',),
            )
        return self.validation_labels, sensitive

    @property
    def validation_name(self):
        """How the validation table is called in messages."""
        if self.validation_given:
            return 'real_validation_data'
        return f'the held-out {self.validation_size:.0%} of real_data'

    @cached_property
    def _feature_types(self):
        excluded = [self.target_column]
        if self.prediction_column is not None:
            excluded.append(self.prediction_column)
        if not self.include_sensitive_columns:
            excluded.extend(self.sensitive_columns)
        types = feature_types(self.tables['real_data'], self.metadata, excluded,
                              groups=self.sensitive_columns)
        warn_disjoint_categories(self.tables, types)  # once, before the first classifier
        return types

    def tstr(self, source):
        """Train on ``'real_data'`` (its training part) or ``'synthetic_data'``, predict the
        real validation table; cached per source.

        Returns:
            sdv_fairdistill.metrics._classifier.TSTRResult
        """
        cache = self._tstr_cache
        if source not in cache:
            train = self.split[0] if source == 'real_data' else self.tables['synthetic_data']
            train_name = (
                ('real_data' if self.validation_given else 'the real training part of real_data')
                if source == 'real_data' else source
            )
            y_train = binary_labels(train[self.target_column], self.positive_label)
            check_both_labels(
                y_train, train_name, self.target_column, self.positive_label,
                'no classifier can be trained on it',
            )
            validation = self.split[1]
            cache[source] = train_and_predict(
                train,
                validation,
                y_train,
                self.validation_labels,
                self._feature_types,
                classifier=self.classifier,
                random_state=self.random_state,
                train_name=train_name,
            )
        return cache[source]

    def tstr_fairness(self, source, *, criterion, form, agg, min_group_size, strict):
        """Fairness and utility of the classifier trained on ``source``, on real validation."""
        result = self.tstr(source)
        y_true, sensitive = self.validation
        evaluation = evaluate(
            y_true,
            result.y_pred,
            sensitive,
            criterion=criterion,
            forms=(form,),
            agg=agg,
            min_group_size=min_group_size,
            strict=strict,
            table_name=self.validation_name,
            expected_groups=self.real_groups,
        )
        evaluation['value'] = evaluation.pop(form)
        evaluation.update(accuracy=result.accuracy, f1=result.f1, auroc=result.auroc)
        return evaluation


def validated_inputs(tables, metadata, table_name, target_column, sensitive_columns,
                     prediction_column=None):
    """The checked inputs of an evaluation, shared by ``FairnessTask`` and the regression
    metrics' ``RegressionTask``: ``(tables, single-table metadata, sensitive column list)``.

    Each table may come as ``{table_name: DataFrame}`` (as SDV 2 samples it); the role
    columns must exist in every table and not be datetimes; metadata datetimes held as text
    are parsed; rows without a target are dropped with a warning.
    """
    tables, data_table_name = single_tables(tables, table_name)
    check_tables(tables)
    check_column_name(target_column, 'target_column')
    if prediction_column is not None:
        check_column_name(prediction_column, 'prediction_column')
    sensitive_columns = as_column_list(sensitive_columns)
    if target_column in sensitive_columns:
        raise ValueError(
            f'The target column {target_column!r} cannot also be sensitive: pass another '
            'sensitive column.'
        )

    roles = {'target_column': [target_column], 'sensitive_columns': sensitive_columns}
    if prediction_column is not None:
        roles['prediction_column'] = [prediction_column]
    check_columns_exist(tables, roles)
    check_not_datetime(tables, roles)

    metadata = single_table_metadata(metadata, table_name or data_table_name)
    tables = parse_datetimes(tables, metadata)
    tables = {name: drop_missing_target(table, target_column, name)
              for name, table in tables.items()}
    return tables, metadata, sensitive_columns
