"""Base classes of the fairness metrics: one per setting (data level, TSTR, improvement).

Every metric is a subclass of a setting's class with its criterion and form as class
keywords, from which ``FairnessMetric`` derives its SDMetrics ``name`` and ``goal``::

    class TSTREqualizedOddsRatio(TSTRMetric, criterion=EQUALIZED_ODDS, form=RATIO):
        \"\"\"TPR/FPR ratio of a synthetic-trained classifier on real validation data.\"\"\"

``metric_classes`` creates the twelve of ``fairness.py`` that way, from their docstrings.
"""

from sdmetrics.goal import Goal
from sdmetrics.single_table.base import SingleTableMetric

from sdv_fairdistill.metrics._group_checks import check_min_group_size
from sdv_fairdistill.metrics._rates import (
    DEMOGRAPHIC_PARITY,
    DIFFERENCE,
    EQUALIZED_ODDS,
    RATIO,
    evaluate,
    improvement,
)
from sdv_fairdistill.metrics._task import FairnessTask

_AGGREGATIONS = ('worst_case', 'mean')
_CRITERION_TITLES = {DEMOGRAPHIC_PARITY: 'Demographic Parity', EQUALIZED_ODDS: 'Equalized Odds'}
_FORM_TITLES = {DIFFERENCE: 'Difference', RATIO: 'Ratio'}
# The FairnessTask keywords of every setting; each setting adds its own (_task_options).
_COMMON_TASK_OPTIONS = ('target_column', 'sensitive_columns', 'positive_label')
#: SDMetrics' own names for arguments these metrics call otherwise.
_SDMETRICS_NAMES = {
    'real_training_data': 'real_data',
    'prediction_column_name': 'prediction_column',
    'sensitive_column_name': 'sensitive_columns',
}


def _check_options(agg, min_group_size):
    if agg not in _AGGREGATIONS:
        raise ValueError(f"agg must be 'worst_case' or 'mean', not {agg!r}.")
    check_min_group_size(min_group_size)


class FairnessMetric(SingleTableMetric):
    """Shared parts of the fairness metrics; a metric's class keywords set its measure.

    Class keywords ``criterion`` (``DEMOGRAPHIC_PARITY`` or ``EQUALIZED_ODDS``) and ``form``
    (``DIFFERENCE``: 0 = fair, or ``RATIO``: 1 = fair) give the SDMetrics ``name`` (the
    setting's ``_name_pattern`` around e.g. ``'Equalized Odds Ratio'``; the class name is
    the name without spaces) and the ``goal``. Every value lies in [0, 1].
    """

    min_value = 0.0
    max_value = 1.0
    _criterion = None
    _form = None
    _name_pattern = '{}'
    _task_options = ()

    def __init_subclass__(cls, *, criterion=None, form=None, **kwargs):
        super().__init_subclass__(**kwargs)
        if criterion is None and form is None:
            return  # the base class of a setting

        cls._criterion, cls._form = criterion, form
        cls.name = cls.metric_name(criterion, form)
        cls.goal = cls._goal()
        if cls.__name__ != cls.name.replace(' ', ''):
            raise TypeError(
                f"The class of the {cls.name!r} metric must be named {cls.name.replace(' ', '')}."
            )

    @classmethod
    def metric_name(cls, criterion, form):
        """The SDMetrics name of this setting's metric of ``criterion`` and ``form``."""
        if criterion not in _CRITERION_TITLES or form not in _FORM_TITLES:
            raise TypeError(
                f'criterion must be one of {list(_CRITERION_TITLES)} and form one of '
                f'{list(_FORM_TITLES)}, not {criterion!r} and {form!r}.'
            )
        return cls._name_pattern.format(f'{_CRITERION_TITLES[criterion]} {_FORM_TITLES[form]}')

    @classmethod
    def _goal(cls):
        return Goal.MINIMIZE if cls._form == DIFFERENCE else Goal.MAXIMIZE

    @classmethod
    def _strict(cls, agg):
        # Only a worst-case difference would be silently understated by a skipped group.
        return cls._form == DIFFERENCE and agg == 'worst_case'

    @classmethod
    def _check_task_options(cls, options):
        for option in options:
            if option in _SDMETRICS_NAMES:
                raise TypeError(
                    f'{cls.__name__}.compute_breakdown() got {option!r}, SDMetrics\' name: '
                    f'pass it as {_SDMETRICS_NAMES[option]!r}.'
                )
        for option in ('target_column', 'sensitive_columns'):
            if option not in options:
                raise TypeError(
                    f'{cls.__name__}.compute_breakdown() missing the required keyword '
                    f'argument {option!r}.'
                )
        allowed = (*_COMMON_TASK_OPTIONS, *cls._task_options)
        for option in options:
            if option not in allowed:
                raise TypeError(
                    f'{cls.__name__}.compute_breakdown() got an unexpected keyword argument '
                    f'{option!r}; it takes {", ".join(allowed)}, agg and min_group_size.'
                )

    @classmethod
    def compute_breakdown(
        cls,
        real_data=None,
        synthetic_data=None,
        metadata=None,
        table_name=None,
        *,
        agg='worst_case',
        min_group_size=5,
        **task_options,
    ):
        """Compute the measure and what it is made of.

        Besides SDMetrics' arguments (``metadata``: column sdtypes for the classifiers'
        preprocessing) it takes ``target_column``, ``sensitive_columns`` and the keyword
        arguments of docs/fairness_metrics.md (Parameters): ``positive_label``, ``agg``,
        ``min_group_size``, and at data level ``prediction_column``, for the models
        ``real_validation_data``, ``classifier``, ``validation_size``, ``random_state``
        and ``include_sensitive_columns``.

        Returns:
            dict:
                ``score``, ``positive_label``, and per table (data level: ``real_data``
                and ``synthetic_data``) or trained model (``synthetic_data``; for the
                improvement also ``real_data``) its ``value``, ``by_group`` (one row per
                group: ``Group``, the sensitive columns, ``Size``, the compared rates) and
                ``skipped_groups``. The models add ``accuracy``, ``f1`` and ``auroc`` each,
                and the breakdown ``classifier`` and ``num_rows_validation``.
        """
        _check_options(agg, min_group_size)
        cls._check_task_options(task_options)
        if real_data is None or synthetic_data is None:  # optional only to name SDMetrics' names
            raise TypeError(f'{cls.__name__}.compute_breakdown() needs real_data and '
                            'synthetic_data.')
        task = FairnessTask(real_data, synthetic_data, metadata, table_name, **task_options)
        breakdown = cls._breakdown(task, agg=agg, min_group_size=min_group_size)
        breakdown['score'] = cls._score(breakdown)
        return breakdown

    @classmethod
    def compute(cls, real_data=None, synthetic_data=None, metadata=None, table_name=None,
                **kwargs):
        """Return the ``score`` of ``compute_breakdown``, which takes the same arguments."""
        return cls.compute_breakdown(
            real_data, synthetic_data, metadata, table_name, **kwargs
        )['score']

    @classmethod
    def _score(cls, breakdown):
        return breakdown['synthetic_data']['value']


class DataMetric(FairnessMetric):
    """Fairness of the labels (or of a recorded decision) inside a table: data level."""

    _task_options = ('prediction_column',)

    @classmethod
    def _check_task_options(cls, options):
        super()._check_task_options(options)
        if cls._criterion == EQUALIZED_ODDS and options.get('prediction_column') is None:
            raise ValueError(
                'Equalized odds of a table compares its labels with a decision recorded in '
                'it: pass prediction_column=. To evaluate a classifier trained on the '
                f'synthetic data use TSTR{cls.__name__} instead.'
            )

    @classmethod
    def _breakdown(cls, task, agg, min_group_size):
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

        return breakdown


class ModelMetric(FairnessMetric):
    """Fairness of classifiers evaluated on real validation data (TSTR and improvement)."""

    _task_options = (
        'real_validation_data',
        'classifier',
        'validation_size',
        'random_state',
        'include_sensitive_columns',
    )
    _sources = ()  # the trained models a setting compares: 'real_data', 'synthetic_data'

    @classmethod
    def _breakdown(cls, task, agg, min_group_size):
        breakdown = {
            'positive_label': task.positive_label,
            'classifier': task.classifier_name,
            'num_rows_validation': len(task.validation[0]),
        }
        for source in cls._sources:
            breakdown[source] = task.tstr_fairness(
                source,
                criterion=cls._criterion,
                form=cls._form,
                agg=agg,
                min_group_size=min_group_size,
                strict=cls._strict(agg),
            )
        return breakdown


class TSTRMetric(ModelMetric):
    """The synthetic-trained classifier's fairness on the real validation table."""

    _name_pattern = 'TSTR {}'
    _sources = ('synthetic_data',)


class ImprovementMetric(ModelMetric):
    """Synthetic-trained versus real-trained classifier, as ``EqualizedOddsImprovement``."""

    _name_pattern = '{} Improvement'
    _sources = ('real_data', 'synthetic_data')

    @classmethod
    def _goal(cls):
        return Goal.MAXIMIZE  # 1 = from maximally unfair to perfectly fair

    @classmethod
    def _score(cls, breakdown):
        return improvement(
            breakdown['real_data']['value'], breakdown['synthetic_data']['value'], cls._form
        )


def metric_classes(module, docstrings):
    """Create the metric of every setting, criterion and form, named as SDMetrics shows it.

    Args:
        module (str):
            The module the classes belong to (``__name__``), so that they pickle.
        docstrings (dict):
            ``{class name: docstring}``, one for each metric and no other.

    Returns:
        dict:
            ``{class name: class}`` in the order of ``docstrings``.
    """
    measures = {
        setting.metric_name(criterion, form).replace(' ', ''): (setting, criterion, form)
        for setting in (DataMetric, TSTRMetric, ImprovementMetric)
        for criterion in _CRITERION_TITLES
        for form in _FORM_TITLES
    }
    if set(measures) != set(docstrings):
        raise TypeError(
            f'One docstring per metric: missing {sorted(set(measures) - set(docstrings))}, '
            f'unknown {sorted(set(docstrings) - set(measures))}.'
        )

    classes = {}
    for class_name, docstring in docstrings.items():
        setting, criterion, form = measures[class_name]
        namespace = {'__module__': module, '__qualname__': class_name, '__doc__': docstring}
        classes[class_name] = type(
            class_name, (setting,), namespace, criterion=criterion, form=form
        )
    return classes
