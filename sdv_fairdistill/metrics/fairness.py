"""Demographic parity and equalized odds metrics for single tables, in SDMetrics' style.

The numbers are fairlearn's (``fairlearn.metrics.demographic_parity_difference`` and
friends, with their defaults ``method='between_groups'``): a *difference* is the largest
minus the smallest group rate, a *ratio* the smallest over the largest. Equalized odds
looks at two rates, the true positive rate (TPR) and the false positive rate (FPR);
``agg='worst_case'`` keeps the larger difference (the smaller ratio), ``agg='mean'``
averages the two. Several sensitive columns define intersectional groups (each joint
tuple of values is a group).

Three settings:

* data level (``DemographicParityDifference``, ...): the labels inside a table, e.g. the
  positive-label rate of each group in the synthetic table. ``compute`` returns the value
  of ``synthetic_data``; the breakdown also has ``real_data``'s. Equalized odds at data
  level needs a ``prediction_column`` (a decision recorded in the table) to compare with
  the target.
* train on synthetic, test on real (``TSTRDemographicParityDifference``, ...): a
  classifier fitted on ``synthetic_data`` predicts a real validation table, and the
  fairness of those predictions is measured against its real labels and groups.
* improvement (``DemographicParityDifferenceImprovement``, ...): as SDMetrics'
  ``EqualizedOddsImprovement``, a classifier trained on the real training data and one
  trained on ``synthetic_data`` are compared on the real validation table;
  ``score = (fair_synthetic - fair_real) / 2 + 0.5`` where ``fair = 1 - difference`` or
  ``fair = ratio``, so 0.5 = no change, 1 = from maximally unfair to perfectly fair.

When ``real_validation_data`` is None, 30 % of ``real_data`` is held out as validation
(stratified by label and group, seed ``random_state``) and the real-trained model is fitted
on the other 70 %.

Groups that are too small (fewer than ``min_group_size`` rows, or for equalized odds fewer
than ``min_group_size`` positive or negative rows) raise a ValueError naming the group
in the worst-case *difference* forms, because leaving a group out would understate the
worst case; the ratio and ``agg='mean'`` forms skip such groups with a warning naming them.
"""

import warnings
from functools import cached_property

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    count,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sdmetrics.goal import Goal
from sdmetrics.single_table.base import SingleTableMetric

from sdv_fairdistill.metrics._classifier import (
    classifier_name,
    feature_types,
    train_and_predict,
)
from sdv_fairdistill.metrics._inputs import (
    as_column_list,
    binary_labels,
    check_binary_target,
    check_both_labels,
    check_column_name,
    check_columns_exist,
    check_groups_known,
    check_not_datetime,
    check_positive_label_occurs,
    check_tables,
    drop_missing_target,
    group_names,
    holdout_split,
    parse_datetimes,
    resolve_positive_label,
    sensitive_frame,
    single_table_metadata,
    single_tables,
)

DEMOGRAPHIC_PARITY = 'demographic_parity'
EQUALIZED_ODDS = 'equalized_odds'
_AGGREGATIONS = ('worst_case', 'mean')
_CRITERION_NAMES = {DEMOGRAPHIC_PARITY: 'demographic parity', EQUALIZED_ODDS: 'equalized odds'}
_FAIRLEARN_FUNCTIONS = {
    (DEMOGRAPHIC_PARITY, 'difference'): demographic_parity_difference,
    (DEMOGRAPHIC_PARITY, 'ratio'): demographic_parity_ratio,
    (EQUALIZED_ODDS, 'difference'): equalized_odds_difference,
    (EQUALIZED_ODDS, 'ratio'): equalized_odds_ratio,
}


# --------------------------------------------------------------------------------------
# Group rates and fairlearn's measures
# --------------------------------------------------------------------------------------
def positive_rate(y_true, y_pred):
    """Share of rows whose true label is positive (the base rate of a group)."""
    return selection_rate(y_true, y_true, pos_label=1)


def defined_true_positive_rate(y_true, y_pred):
    """fairlearn's TPR, NaN (not 0) for a group without positive rows."""
    if not np.any(np.asarray(y_true) == 1):
        return np.nan
    return true_positive_rate(y_true, y_pred, pos_label=1)


def defined_false_positive_rate(y_true, y_pred):
    """fairlearn's FPR, NaN (not 0) for a group without negative rows."""
    if not np.any(np.asarray(y_true) == 0):
        return np.nan
    return false_positive_rate(y_true, y_pred, pos_label=1)


#: The per-group rates ``group_rates`` can compute, and the fairlearn function of each.
RATES = {
    'Size': count,
    'Positive Rate': positive_rate,
    'Selection Rate': selection_rate,
    'TPR': defined_true_positive_rate,
    'FPR': defined_false_positive_rate,
}
# The rates a criterion compares between groups.
_CRITERION_RATES = {DEMOGRAPHIC_PARITY: ('Selection Rate',), EQUALIZED_ODDS: ('TPR', 'FPR')}


def group_rates(y_true, y_pred, sensitive, rates=tuple(RATES)):
    """Per-group rates via fairlearn's MetricFrame.

    Args:
        y_true, y_pred (numpy.ndarray):
            0/1 true labels and predictions (the labels themselves at data level).
        sensitive (pandas.DataFrame):
            The sensitive columns as text, one row per label.
        rates (tuple[str]):
            Which of ``Size``, ``Positive Rate`` (of the true labels), ``Selection Rate``
            (of the predictions), ``TPR`` and ``FPR`` to compute. Each costs a pass of
            fairlearn over the rows, so callers ask only for what they show.

    Returns:
        pandas.DataFrame:
            One row per group: a ``Group`` name, the sensitive columns and the rates.
    """
    frame = MetricFrame(
        metrics={name: RATES[name] for name in rates},
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=sensitive,
    )
    by_group = frame.by_group.reset_index()
    by_group.insert(0, 'Group', group_names(by_group[list(sensitive.columns)]))
    if 'Size' in by_group:
        by_group['Size'] = by_group['Size'].astype(int)

    return by_group


def fairness_value(
    y_true,
    y_pred,
    sensitive,
    criterion,
    form,
    agg='worst_case',
    by_group=None,
    table_name='the table',
):
    """Return fairlearn's demographic parity / equalized odds difference or ratio.

    A ratio is 0 / 0 when every group has rate 0 (e.g. a classifier that never predicts
    the positive label); fairlearn then returns NaN, or for equalized odds ignores that
    rate. Both are reported with a warning instead of silently.

    Args:
        y_true, y_pred (numpy.ndarray):
            0/1 labels and predictions.
        sensitive (pandas.DataFrame):
            The sensitive columns.
        criterion (str):
            ``'demographic_parity'`` or ``'equalized_odds'``.
        form (str):
            ``'difference'`` or ``'ratio'``.
        agg (str):
            ``'worst_case'`` or ``'mean'`` (equalized odds only).
        by_group (pandas.DataFrame or None):
            ``group_rates`` of the same rows with the criterion's rates, if already
            computed; used to detect undefined ratios without another pass.
        table_name (str):
            Name of the table for the warning.
    """
    function = _FAIRLEARN_FUNCTIONS[criterion, form]
    kwargs = {'agg': agg} if criterion == EQUALIZED_ODDS else {}
    with warnings.catch_warnings():
        # 0 / 0 inside fairlearn: reported below with a clearer message.
        warnings.simplefilter('ignore', RuntimeWarning)
        value = float(function(y_true, y_pred, sensitive_features=sensitive, **kwargs))

    if form == 'ratio':
        needed = _CRITERION_RATES[criterion]
        if by_group is None or not set(needed).issubset(by_group.columns):
            by_group = group_rates(y_true, y_pred, sensitive, needed)
        undefined = [
            rate.replace('Selection Rate', 'selection rate')
            for rate in needed
            if not np.nanmax(by_group[rate].to_numpy()) > 0
        ]
        if undefined:
            warnings.warn(
                f'In {table_name}, the {" and ".join(undefined)} '
                f'{"are" if len(undefined) > 1 else "is"} 0 in every group, so the '
                f'ratio is undefined (0 / 0); fairlearn gives {value} from the remaining '
                'rates (NaN when none).',
                stacklevel=2,
            )

    return value


def check_groups(
    y_true,
    sensitive,
    *,
    criterion,
    min_group_size,
    strict,
    table_name,
    expected_groups=(),
):
    """Return the rows of the groups on which ``criterion`` can be computed.

    Demographic parity needs ``min_group_size`` rows per group; equalized odds needs
    ``min_group_size`` positive and as many negative rows per group to estimate its TPR and
    FPR. An invalid group raises a ValueError naming it when ``strict`` (worst-case
    differences, which would be understated without it); otherwise it is skipped with a
    warning that names it.

    Args:
        y_true (numpy.ndarray):
            0/1 true labels of the table the rates are computed on.
        sensitive (pandas.DataFrame):
            Its sensitive columns as text.
        criterion (str):
            ``'demographic_parity'`` or ``'equalized_odds'``.
        min_group_size (int):
            The minimum count described above.
        strict (bool):
            Raise rather than skip.
        table_name (str):
            Name of the table for messages.
        expected_groups (iterable):
            Groups that must be present although this table may lack them (the groups of
            the real data when checking a synthetic table): they count as 0 rows.

    Returns:
        tuple[numpy.ndarray, list]:
            Boolean row mask of the kept groups and the names of the skipped groups.
    """
    groups = group_names(sensitive)
    counts = pd.DataFrame({'group': groups.to_numpy(), 'positive': y_true})
    counts = counts.groupby('group')['positive'].agg(rows='size', positive='sum')
    counts = counts.reindex(counts.index.union(pd.Index(list(expected_groups))), fill_value=0)
    counts['negative'] = counts['rows'] - counts['positive']

    if criterion == DEMOGRAPHIC_PARITY:
        invalid = counts[counts['rows'] < min_group_size]
        need = f'at least {min_group_size} rows'
    else:
        invalid = counts[(counts['positive'] < min_group_size)
                         | (counts['negative'] < min_group_size)]
        need = (
            f'at least {min_group_size} rows with the positive label and {min_group_size} '
            'without it to estimate its TPR and FPR'
        )

    columns = ' x '.join(sensitive.columns)
    described = _describe_groups(invalid)
    criterion_name = _CRITERION_NAMES[criterion]
    if len(invalid) and strict:
        raise ValueError(
            f'In {table_name}, too few rows in the group(s) of {columns}: {described}. '
            f'{criterion_name.capitalize()} needs {need} per group. '
            f'{_group_fix(table_name, counts)}'
        )

    kept = counts.index.difference(invalid.index)
    if len(kept) < 2:
        raise ValueError(
            f'In {table_name}, {criterion_name} needs two groups of {columns} with {need}; '
            f'found {list(kept)}' + (f' ({described})' if described else '') + '. '
            + _group_fix(table_name, counts)
        )

    if len(invalid):
        warnings.warn(
            f'Skipped from {criterion_name} in {table_name} (each group needs {need}): '
            f'{described}. Computed over the groups {list(kept)}.',
            stacklevel=2,
        )

    return groups.isin(kept).to_numpy(), list(invalid.index)


def _describe_groups(invalid, limit=10):
    """The first ``limit`` too-small groups with their counts, for a message."""
    described = '; '.join(
        f'{group!r} has {row.rows} rows ({row.positive} positive, {row.negative} negative)'
        for group, row in invalid.head(limit).iterrows()
    )
    if len(invalid) > limit:
        described += f'; ... ({len(invalid) - limit} more groups)'
    return described


def _group_fix(table_name, counts):
    """What to do about too-small groups, which depends on the table they are in."""
    if len(counts) < 2:
        return (
            f'{table_name} has a single group: choose sensitive columns with at least two '
            'values.'
        )
    if len(counts) > 20:
        # Typically a numerical or free-text column used as sensitive attribute.
        return (
            f'The sensitive columns have {len(counts)} groups: bin a numerical column into a '
            'few groups first (e.g. pd.cut) in every table, or merge rare values.'
        )
    if table_name == 'synthetic_data':
        # The real data have enough rows of every group (checked separately); the
        # synthesizer produced too few of them.
        return (
            'Sample more synthetic rows, or condition the sampling on the sensitive columns '
            "so that every group of real_data is present; or lower min_group_size (the "
            "ratio and agg='mean' forms skip such groups with a warning)."
        )
    return (
        'Merge rare values, use fewer sensitive columns or lower min_group_size; the ratio '
        "and agg='mean' forms skip such groups with a warning."
    )


def evaluate(
    y_true,
    y_pred,
    sensitive,
    *,
    criterion,
    forms=('difference',),
    agg='worst_case',
    min_group_size=5,
    strict=True,
    table_name='the table',
    expected_groups=(),
    rates=None,
):
    """Check the groups, then return fairlearn's values and the per-group rates.

    Args:
        forms (tuple[str]):
            ``'difference'`` and / or ``'ratio'``.
        rates (tuple[str] or None):
            The per-group rates to return (see ``group_rates``); by default the
            criterion's own (selection rate, or TPR and FPR) and the group size.
        Others: see ``check_groups`` and ``fairness_value``.

    Returns:
        dict:
            One value per form (``'difference'``, ``'ratio'``), ``by_group`` (rates of the
            kept groups) and ``skipped_groups`` (list).
    """
    mask, skipped = check_groups(
        y_true,
        sensitive,
        criterion=criterion,
        min_group_size=min_group_size,
        strict=strict,
        table_name=table_name,
        expected_groups=expected_groups,
    )
    y_true, y_pred = y_true[mask], y_pred[mask]
    kept = sensitive.loc[mask].reset_index(drop=True)
    rates = rates or ('Size', *_CRITERION_RATES[criterion])
    by_group = group_rates(y_true, y_pred, kept, rates)
    result = {
        form: fairness_value(y_true, y_pred, kept, criterion, form, agg, by_group, table_name)
        for form in forms
    }
    result.update(by_group=by_group, skipped_groups=skipped)
    return result


# --------------------------------------------------------------------------------------
# Validated inputs shared by the metrics and the report
# --------------------------------------------------------------------------------------
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
        # Each table may come as {table_name: DataFrame}, as SDV 2 samples it.
        tables, data_table_name = single_tables(
            {
                'real_data': real_data,
                'synthetic_data': synthetic_data,
                'real_validation_data': real_validation_data,
            },
            table_name,
        )
        check_tables(tables)
        check_column_name(target_column, 'target_column')
        if prediction_column is not None:
            check_column_name(prediction_column, 'prediction_column')
        self.sensitive_columns = as_column_list(sensitive_columns)
        if target_column in self.sensitive_columns:
            raise ValueError(
                f'The target column {target_column!r} cannot also be sensitive: pass another '
                'sensitive column.'
            )

        roles = {'target_column': [target_column], 'sensitive_columns': self.sensitive_columns}
        if prediction_column is not None:
            roles['prediction_column'] = [prediction_column]
        check_columns_exist(tables, roles)
        check_not_datetime(tables, roles)

        self.metadata = single_table_metadata(metadata, table_name or data_table_name)
        tables = parse_datetimes(tables, self.metadata)
        tables = {name: drop_missing_target(table, target_column, name)
                  for name, table in tables.items()}
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

        self.tables = tables
        self.prediction_column = prediction_column
        self.classifier = classifier
        self.classifier_name = classifier_name(classifier)
        self.validation_size = validation_size
        self.random_state = random_state
        self.include_sensitive_columns = include_sensitive_columns
        self.validation_given = real_validation_data is not None
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
        return sorted(set(group_names(frames['real_data'])))

    # ---------------------------------------------------------------- TSTR
    @cached_property
    def split(self):
        """``(real training table, real validation table)``."""
        if self.validation_given:
            return self.tables['real_data'], self.tables['real_validation_data']

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
    def validation(self):
        """``(y_true, sensitive)`` of the real validation table."""
        validation = self.split[1]
        y_true = binary_labels(validation[self.target_column], self.positive_label)
        check_both_labels(
            y_true,
            self.validation_name,
            self.target_column,
            self.positive_label,
            'AUROC and equalized odds are undefined on it',
        )
        return y_true, sensitive_frame(validation, self.sensitive_columns)

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
        return feature_types(self.tables['real_data'], self.metadata, excluded)

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
                self.validation[0],
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
        )
        evaluation['value'] = evaluation.pop(form)
        evaluation.update(accuracy=result.accuracy, f1=result.f1, auroc=result.auroc)
        return evaluation


# --------------------------------------------------------------------------------------
# Metric classes
# --------------------------------------------------------------------------------------
def _check_options(agg, min_group_size):
    if agg not in _AGGREGATIONS:
        raise ValueError(f"agg must be 'worst_case' or 'mean', not {agg!r}.")
    if not (isinstance(min_group_size, (int, np.integer)) and min_group_size >= 1):
        raise ValueError(f'min_group_size must be a positive integer, not {min_group_size!r}.')


class _FairnessMetric(SingleTableMetric):
    """Shared parts of the fairness metrics; subclasses set the criterion and the form."""

    _criterion = None  # DEMOGRAPHIC_PARITY or EQUALIZED_ODDS
    _form = None  # 'difference' or 'ratio'

    @classmethod
    def _strict(cls, agg):
        # Only a worst-case difference would be silently understated by a skipped group.
        return cls._form == 'difference' and agg == 'worst_case'


class _DataFairnessMetric(_FairnessMetric):
    """Fairness of the labels inside a table (data level)."""

    @classmethod
    def compute_breakdown(
        cls,
        real_data,
        synthetic_data,
        metadata=None,
        table_name=None,
        *,
        target_column,
        sensitive_columns,
        positive_label=None,
        prediction_column=None,
        agg='worst_case',
        min_group_size=5,
    ):
        """Compute the measure on the labels of the real and of the synthetic table.

        Args:
            real_data (pandas.DataFrame):
                The real table (its value is reported as a reference).
            synthetic_data (pandas.DataFrame):
                The synthetic table, with the same columns.
            metadata (dict, sdv.metadata.Metadata or None):
                Accepted for SDMetrics' calling convention; not needed at data level.
            table_name (str or None):
                Table to use from a multi-table metadata.
            target_column (str):
                The binary target.
            sensitive_columns (str or list[str]):
                One column, or several for intersectional groups.
            positive_label (object or None):
                The positive class. None is allowed for a two-valued target and picks the
                larger value in sorted order (``'>50K'`` on Adult, True, 1).
            prediction_column (str or None):
                A decision column in the tables to use as prediction (required for
                equalized odds); demographic parity uses the labels themselves when None.
            agg (str):
                ``'worst_case'`` or ``'mean'`` over TPR and FPR (equalized odds only;
                demographic parity has a single rate, for which both are the same).
            min_group_size (int):
                Minimum rows per group (for equalized odds: positive and negative rows).

        Returns:
            dict:
                ``score`` (the synthetic table's value), ``real_data`` and
                ``synthetic_data`` (each ``value``, ``by_group``, ``skipped_groups``) and
                ``positive_label``.
        """
        _check_options(agg, min_group_size)
        if cls._criterion == EQUALIZED_ODDS and prediction_column is None:
            raise ValueError(
                'Equalized odds of a table compares its labels with a decision recorded in '
                'it: pass prediction_column=. To evaluate a classifier trained on the '
                f'synthetic data use TSTR{cls.__name__} instead.'
            )

        task = FairnessTask(
            real_data,
            synthetic_data,
            metadata,
            table_name,
            target_column=target_column,
            sensitive_columns=sensitive_columns,
            positive_label=positive_label,
            prediction_column=prediction_column,
        )
        expected_groups = task.expected_groups
        breakdown = {'positive_label': task.positive_label}
        for name in ('real_data', 'synthetic_data'):
            y_true, y_pred, sensitive = task.labels(name)
            breakdown[name] = evaluate(
                y_true,
                y_pred,
                sensitive,
                criterion=cls._criterion,
                forms=(cls._form,),
                agg=agg,
                min_group_size=min_group_size,
                strict=cls._strict(agg),
                table_name=name,
                expected_groups=expected_groups,
            )
            breakdown[name]['value'] = breakdown[name].pop(cls._form)

        breakdown['score'] = breakdown['synthetic_data']['value']
        return breakdown

    @classmethod
    def compute(cls, real_data, synthetic_data, metadata=None, table_name=None, **kwargs):
        """Return the measure on the synthetic table's labels (see ``compute_breakdown``)."""
        return cls.compute_breakdown(
            real_data, synthetic_data, metadata, table_name, **kwargs
        )['score']


class _ModelFairnessMetric(_FairnessMetric):
    """Fairness of classifiers evaluated on real validation data (TSTR and improvement)."""

    @classmethod
    def _breakdown(cls, task, score_sources, agg, min_group_size):
        breakdown = {
            'positive_label': task.positive_label,
            'classifier': task.classifier_name,
            'num_rows_validation': len(task.validation[0]),
        }
        for source in score_sources:
            breakdown[source] = task.tstr_fairness(
                source,
                criterion=cls._criterion,
                form=cls._form,
                agg=agg,
                min_group_size=min_group_size,
                strict=cls._strict(agg),
            )
        return breakdown

    @classmethod
    def compute_breakdown(
        cls,
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
        agg='worst_case',
        min_group_size=5,
        validation_size=0.3,
        random_state=0,
        include_sensitive_columns=True,
    ):
        """Compute the measure of classifiers' predictions on the real validation table.

        Args:
            real_data (pandas.DataFrame):
                The real training table.
            synthetic_data (pandas.DataFrame):
                The synthetic table, with the same columns.
            metadata (dict, sdv.metadata.Metadata or None):
                Column sdtypes for the feature preprocessing (dtypes are used when None).
            table_name (str or None):
                Table to use from a multi-table metadata.
            target_column (str):
                The binary target.
            sensitive_columns (str or list[str]):
                One column, or several for intersectional groups.
            positive_label (object or None):
                The positive class. None is allowed for a two-valued target and picks the
                larger value in sorted order (``'>50K'`` on Adult, True, 1).
            real_validation_data (pandas.DataFrame or None):
                Real hold-out table. When None, ``validation_size`` of ``real_data`` is held
                out (stratified by label and group, seed ``random_state``) and the
                real-trained classifier is fitted on the rest.
            classifier (str, estimator or None):
                ``'HistGradientBoosting'`` (default, scikit-learn), ``'XGBoost'`` (if
                installed), ``'RandomForest'``, ``'LogisticRegression'`` or an
                sklearn-style estimator (cloned before fitting).
            agg (str):
                ``'worst_case'`` or ``'mean'`` over TPR and FPR (equalized odds only).
            min_group_size (int):
                Minimum rows per group in the validation table (for equalized odds:
                positive and negative rows).
            validation_size (float):
                Share of ``real_data`` held out when there is no validation table.
            random_state (int):
                Seed of the split and of the default classifiers.
            include_sensitive_columns (bool):
                Whether the classifiers see the sensitive columns (True, as SDMetrics'
                ``EqualizedOddsImprovement``).

        Returns:
            dict:
                ``score``; per trained model (``synthetic_data``, and ``real_data`` for the
                improvement) its ``value``, ``by_group``, ``skipped_groups``, ``accuracy``,
                ``f1`` and ``auroc``; ``positive_label``, ``classifier`` and
                ``num_rows_validation``.
        """
        _check_options(agg, min_group_size)
        task = FairnessTask(
            real_data,
            synthetic_data,
            metadata,
            table_name,
            target_column=target_column,
            sensitive_columns=sensitive_columns,
            positive_label=positive_label,
            real_validation_data=real_validation_data,
            classifier=classifier,
            validation_size=validation_size,
            random_state=random_state,
            include_sensitive_columns=include_sensitive_columns,
        )
        breakdown = cls._breakdown(task, cls._sources, agg, min_group_size)
        breakdown['score'] = cls._score(breakdown)
        return breakdown

    @classmethod
    def compute(cls, real_data, synthetic_data, metadata=None, table_name=None, **kwargs):
        """Return the score (see ``compute_breakdown``)."""
        return cls.compute_breakdown(
            real_data, synthetic_data, metadata, table_name, **kwargs
        )['score']


class _TSTRFairnessMetric(_ModelFairnessMetric):
    """The synthetic-trained classifier's fairness on the real validation table."""

    _sources = ('synthetic_data',)

    @classmethod
    def _score(cls, breakdown):
        return breakdown['synthetic_data']['value']


class _ImprovementFairnessMetric(_ModelFairnessMetric):
    """Synthetic-trained versus real-trained classifier, as ``EqualizedOddsImprovement``."""

    goal = Goal.MAXIMIZE
    min_value = 0.0
    max_value = 1.0
    _sources = ('real_data', 'synthetic_data')

    @classmethod
    def _score(cls, breakdown):
        real = breakdown['real_data']['value']
        synthetic = breakdown['synthetic_data']['value']
        if cls._form == 'difference':  # fairness = 1 - difference
            return (real - synthetic) / 2 + 0.5
        return (synthetic - real) / 2 + 0.5


class _DifferenceForm:
    """Largest minus smallest group rate: 0 is fair. Listed first so it sets the goal."""

    goal = Goal.MINIMIZE
    min_value = 0.0
    max_value = 1.0
    _form = 'difference'


class _RatioForm:
    """Smallest over largest group rate: 1 is fair. Listed first so it sets the goal."""

    goal = Goal.MAXIMIZE
    min_value = 0.0
    max_value = 1.0
    _form = 'ratio'


# Data level -----------------------------------------------------------------------------
class DemographicParityDifference(_DifferenceForm, _DataFairnessMetric):
    """Largest minus smallest positive-label rate of the groups in the synthetic table.

    0 = every group has the same positive rate. With ``prediction_column`` the rate of
    that decision column is used instead of the labels.
    """

    name = 'Demographic Parity Difference'
    _criterion = DEMOGRAPHIC_PARITY


class DemographicParityRatio(_RatioForm, _DataFairnessMetric):
    """Smallest over largest positive-label rate of the groups in the synthetic table.

    1 = every group has the same positive rate (the "80 % rule" asks for >= 0.8).
    """

    name = 'Demographic Parity Ratio'
    _criterion = DEMOGRAPHIC_PARITY


class EqualizedOddsDifference(_DifferenceForm, _DataFairnessMetric):
    """Equalized odds difference of a decision column against the labels inside the table.

    For tables that record both an outcome (``target_column``) and a decision
    (``prediction_column``): the larger (``agg='worst_case'``) or mean of the TPR and FPR
    gaps between groups.
    """

    name = 'Equalized Odds Difference'
    _criterion = EQUALIZED_ODDS


class EqualizedOddsRatio(_RatioForm, _DataFairnessMetric):
    """Equalized odds ratio of a decision column against the labels inside the table."""

    name = 'Equalized Odds Ratio'
    _criterion = EQUALIZED_ODDS


# Train on synthetic, test on real ---------------------------------------------------------
class TSTRDemographicParityDifference(_DifferenceForm, _TSTRFairnessMetric):
    """Selection-rate gap of a synthetic-trained classifier on real validation data."""

    name = 'TSTR Demographic Parity Difference'
    _criterion = DEMOGRAPHIC_PARITY


class TSTRDemographicParityRatio(_RatioForm, _TSTRFairnessMetric):
    """Selection-rate ratio of a synthetic-trained classifier on real validation data."""

    name = 'TSTR Demographic Parity Ratio'
    _criterion = DEMOGRAPHIC_PARITY


class TSTREqualizedOddsDifference(_DifferenceForm, _TSTRFairnessMetric):
    """TPR/FPR gap of a synthetic-trained classifier on real validation data."""

    name = 'TSTR Equalized Odds Difference'
    _criterion = EQUALIZED_ODDS


class TSTREqualizedOddsRatio(_RatioForm, _TSTRFairnessMetric):
    """TPR/FPR ratio of a synthetic-trained classifier on real validation data."""

    name = 'TSTR Equalized Odds Ratio'
    _criterion = EQUALIZED_ODDS


# Improvement over the real-trained classifier -------------------------------------------
class DemographicParityDifferenceImprovement(_ImprovementFairnessMetric):
    """``(DPD_real - DPD_synthetic) / 2 + 0.5`` of the real- and synthetic-trained models."""

    name = 'Demographic Parity Difference Improvement'
    _criterion = DEMOGRAPHIC_PARITY
    _form = 'difference'


class DemographicParityRatioImprovement(_ImprovementFairnessMetric):
    """``(DPR_synthetic - DPR_real) / 2 + 0.5`` of the real- and synthetic-trained models."""

    name = 'Demographic Parity Ratio Improvement'
    _criterion = DEMOGRAPHIC_PARITY
    _form = 'ratio'


class EqualizedOddsDifferenceImprovement(_ImprovementFairnessMetric):
    """``(EOD_real - EOD_synthetic) / 2 + 0.5``; with ``agg='worst_case'`` this is SDMetrics'
    ``EqualizedOddsImprovement`` for any number of groups and intersectional groups."""

    name = 'Equalized Odds Difference Improvement'
    _criterion = EQUALIZED_ODDS
    _form = 'difference'


class EqualizedOddsRatioImprovement(_ImprovementFairnessMetric):
    """``(EOR_synthetic - EOR_real) / 2 + 0.5`` of the real- and synthetic-trained models."""

    name = 'Equalized Odds Ratio Improvement'
    _criterion = EQUALIZED_ODDS
    _form = 'ratio'


__all__ = (
    'DemographicParityDifference',
    'DemographicParityRatio',
    'EqualizedOddsDifference',
    'EqualizedOddsRatio',
    'TSTRDemographicParityDifference',
    'TSTRDemographicParityRatio',
    'TSTREqualizedOddsDifference',
    'TSTREqualizedOddsRatio',
    'DemographicParityDifferenceImprovement',
    'DemographicParityRatioImprovement',
    'EqualizedOddsDifferenceImprovement',
    'EqualizedOddsRatioImprovement',
    'FairnessTask',
)
