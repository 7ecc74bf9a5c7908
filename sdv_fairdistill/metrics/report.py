"""``FairnessReport``: fairness of synthetic data beside SDMetrics' ``QualityReport``.

Four properties, each scored in [0, 1] (higher is better); a number as the target has two,
Demographic Parity (the groups' means) and Downstream Utility (R^2), ``_report_numbers.py``:

* **Demographic Parity** = mean of ``1 - DPD(synthetic labels)`` (data level: the
  positive-label rate of each group inside the synthetic table) and
  ``1 - DPD(synthetic-trained model)`` (TSTR: the selection rate of each group when a
  classifier trained on the synthetic table predicts the real validation table).
* **Equalized Odds** = ``1 - EOD(synthetic-trained model)``, worst case of the TPR and FPR
  gaps on the real validation table.
* **Equal Opportunity** = ``1 - TPR difference(synthetic-trained model)`` on the real
  validation table.
* **Downstream Utility** = ``max(0, 2 * AUROC - 1)`` of the synthetic-trained model on the
  real validation table: 0 at chance level, 1 for a perfect ranking.

DPD and EOD are fairlearn's ``demographic_parity_difference`` and
``equalized_odds_difference`` (between groups, max - min). The overall score is

    sqrt(fairness * utility),

where fairness is the property of the report's ``fairness_criterion``, or by default the
mean of Demographic Parity and Equalized Odds,
the geometric mean of fairness and utility (see ``FairnessReport`` for why). The real data
and a classifier trained on the real training data are evaluated the same way and reported
as references (``get_details``, ``get_summary``) but do not enter the scores.

Two explanations (``_explanations.py``), with figures and details but no score: **Feature
Attributions** (each column's share of the SHAP values of the real- and of the
synthetic-trained classifier on the real validation rows) and **Proxy Strength** (AUROC of
the sensitive group from each column alone, in the real and the synthetic table).
"""

import sys

import numpy as np
import pandas as pd
from sdmetrics.reports.base_report import BaseReport

from sdv_fairdistill.metrics._evaluation import FairnessEvaluation
from sdv_fairdistill.metrics._report_numbers import NumberTargetMixin
from sdv_fairdistill.metrics._report_explanations import ExplanationsMixin
from sdv_fairdistill.metrics.html import report_sections, write_html
from sdv_fairdistill.metrics._properties import (
    DemographicParity,
    DownstreamUtility,
    EqualizedOdds,
    EqualOpportunity,
)
from sdv_fairdistill.metrics._group_checks import check_groups, check_min_group_size
from sdv_fairdistill.metrics._rates import DEMOGRAPHIC_PARITY, EQUALIZED_ODDS
from sdv_fairdistill.metrics._tables import (
    check_metadata_columns,
    single_table_metadata,
    single_tables,
)
from sdv_fairdistill.metrics._task import FairnessTask
from sdv_fairdistill.metrics.regression import is_number_target


class FairnessReport(NumberTargetMixin, ExplanationsMixin, BaseReport):
    """Fairness report for single-table synthetic data, used like SDMetrics' QualityReport.

    Properties (each in [0, 1], higher is better):

    * ``'Demographic Parity'``: mean of ``1 - DPD`` of the synthetic table's labels and
      ``1 - DPD`` of a classifier trained on the synthetic table, predicting real
      validation data (a number as the target, without ``positive_label``: the groups'
      mean target and mean prediction of a regressor, in standard deviations,
      ``regression.py``);
    * ``'Equalized Odds'``: ``1 - EOD`` (worst case of the TPR and FPR gaps) of that
      classifier;
    * ``'Equal Opportunity'``: ``1 - `` the TPR gap of that classifier;
    * ``'Downstream Utility'``: ``max(0, 2 * AUROC - 1)`` of that classifier, 0 at chance
      (a number: ``max(0, R^2)`` of the regressor).

    A number as the target has only these two properties (the error rates are those of
    classes) and no explanations.

    DPD / EOD are fairlearn's demographic parity / equalized odds differences (largest
    minus smallest group rate). Overall score::

        sqrt(fairness * utility)

    with fairness the score of the ``fairness_criterion`` property, or (None) the mean of
    Demographic Parity and Equalized Odds.

    The real data and a classifier trained on the real training data are measured the
    same way as references in ``get_details`` and ``get_summary``.

    Explanations, with ``get_visualization`` and ``get_details`` like the properties but
    without a score (they stay out of ``get_properties`` and the overall score):

    * ``'Feature Attributions'``: each feature column's share of the mean absolute SHAP
      value of a gradient-boosting classifier trained on the real training rows and of one
      trained on the synthetic table, both on the same real validation rows
      (scikit-learn's permutation importance when ``shap`` is not installed);
    * ``'Proxy Strength'``: AUROC of the sensitive group from each column alone, in the
      real and in the synthetic table (0.5: the column says nothing of the group).

    Args:
        validation_size (float):
            Share of ``real_data`` held out as validation data when ``generate`` gets no
            ``real_validation_data`` (stratified by label and group). Defaults to 0.3.
        random_state (int):
            Seed of that split and of the default classifier. Defaults to 0.
        min_group_size (int):
            Minimum rows of a group (demographic parity), and minimum positive and negative
            rows of a group in the validation data (equalized odds). A smaller group
            raises a ValueError naming it. Defaults to 5.
        include_sensitive_columns (bool):
            Whether the classifiers see the sensitive columns as features. Defaults to True.
        fairness_criterion (str or None):
            The criterion the data were made fair for (``FairDistillSynthesizer``'s
            ``fairness_criterion``): 'demographic_parity', 'equalized_odds' or
            'equal_opportunity'. Its property alone is the fairness of the overall score,
            and the printed score names it. Defaults to None (the mean of Demographic
            Parity and Equalized Odds).
        explain (bool):
            Whether ``generate`` also computes the explanations of a class-label target (on
            Adult they add 6 s to a report of 4 s, see docs/explanations.md; a number
            target's report has none). Defaults to True.
    """

    #: The property each criterion scores with.
    CRITERION_PROPERTIES = {
        'demographic_parity': 'Demographic Parity',
        'equalized_odds': 'Equalized Odds',
        'equal_opportunity': 'Equal Opportunity',
    }

    def __init__(
        self,
        validation_size=0.3,
        random_state=0,
        min_group_size=5,
        include_sensitive_columns=True,
        fairness_criterion=None,
        explain=True,
    ):
        super().__init__()
        if fairness_criterion is not None and fairness_criterion not in self.CRITERION_PROPERTIES:
            raise ValueError(
                f'fairness_criterion must be None or one of '
                f'{", ".join(self.CRITERION_PROPERTIES)}; got {fairness_criterion!r}.'
            )
        check_min_group_size(min_group_size)
        self.fairness_criterion = fairness_criterion
        self.validation_size = validation_size
        self.random_state = random_state
        self.min_group_size = min_group_size
        self.include_sensitive_columns = include_sensitive_columns
        self.explain = explain
        self._explanations = {}
        self._properties = self._class_properties()

    @staticmethod
    def _class_properties():
        return {
            'Demographic Parity': DemographicParity(),
            'Equalized Odds': EqualizedOdds(),
            'Equal Opportunity': EqualOpportunity(),
            'Downstream Utility': DownstreamUtility(),
        }

    def _compute_overall_score(self):
        """Geometric mean of the fairness (mean of the two fairness properties) and utility.

        Why not SDMetrics' plain average: a classifier that learned nothing is trivially
        fair (a synthetic table whose labels are noise has parity near 1), so averaging
        let useless data score about as high as useful data. Fairness is only worth
        something in a model that is useful, so the two are multiplied: zero utility
        (chance-level AUROC) gives 0, and so does maximal unfairness. The square root keeps
        the score on the scale of the properties (fairness = utility = x gives x), unlike
        the bare product; unlike the harmonic mean it trades a relative loss of one for the
        same relative gain of the other, without letting the smaller one dominate.
        """
        scores = {name: prop._compute_average() for name, prop in self._properties.items()}
        if 'Equalized Odds' not in scores:  # a number as the target
            fairness = scores['Demographic Parity']
        elif self.fairness_criterion is None:
            fairness = (scores['Demographic Parity'] + scores['Equalized Odds']) / 2
        else:
            fairness = scores[self.CRITERION_PROPERTIES[self.fairness_criterion]]
        return float(np.sqrt(fairness * scores['Downstream Utility']))

    def _print_results(self, verbose):
        # BaseReport.generate stores the mean of the properties just before calling this;
        # the report's own overall score replaces it before it is printed or returned.
        self._overall_score = self._compute_overall_score()
        if verbose:
            sys.stdout.write(
                f'Overall Score (sqrt of fairness x utility; fairness: {self._fairness_name()}): '
                f'{round(self._overall_score * 100, 2)}%\n\n'
            )

    def _fairness_name(self):
        if 'Equalized Odds' not in self._properties:
            return 'Demographic Parity (group means of a number)'
        if self.fairness_criterion is None:
            return 'mean of Demographic Parity and Equalized Odds'
        return self.CRITERION_PROPERTIES[self.fairness_criterion]

    def _check_groups(self, task):
        """Fail before training if a group is too small for any of the measures."""
        expected_groups = task.expected_groups
        for name in ('real_data', 'synthetic_data'):
            y_true, _, sensitive = task.labels(name)
            check_groups(
                y_true,
                sensitive,
                criterion=DEMOGRAPHIC_PARITY,
                min_group_size=self.min_group_size,
                strict=True,
                table_name=name,
                expected_groups=expected_groups,
            )

        y_true, sensitive = task.validation
        for criterion in (DEMOGRAPHIC_PARITY, EQUALIZED_ODDS):
            check_groups(
                y_true,
                sensitive,
                criterion=criterion,
                min_group_size=self.min_group_size,
                strict=True,
                table_name=task.validation_name,
                expected_groups=task.real_groups,
            )

    def generate(
        self,
        real_data,
        synthetic_data,
        metadata,
        sensitive_columns,
        target_column,
        positive_label=None,
        real_validation_data=None,
        classifier=None,
        verbose=True,
    ):
        """Generate the report.

        Args:
            real_data (pandas.DataFrame or dict):
                The real table the synthesizer learned from, or ``{table_name: DataFrame}``
                with that one table (as SDV 2 returns).
            synthetic_data (pandas.DataFrame or dict):
                The synthetic table, with the same columns (or a one-table dict).
            metadata (dict or sdv.metadata.Metadata):
                SDV ``Metadata`` (anything with ``to_dict()``) or a ``{'tables': ...}`` dict
                describing the table (when it describes several, the table is the one named
                by the data's dict key), or SDMetrics' single-table dict
                ``{'columns': {...}}``. The sdtypes drive the classifier's preprocessing.
            sensitive_columns (str or list[str]):
                The sensitive column, or several for intersectional groups (each joint
                tuple of values is a group).
            target_column (str):
                The column to predict.
            positive_label (object or None):
                The favourable label. None is allowed for a two-valued target and picks
                the larger value in sorted order (``'>50K'`` on Adult, True, 1); a target
                with more values needs it (the other values become negative), except a
                number of more than ten values, which None measures as a number.
            real_validation_data (pandas.DataFrame, dict or None):
                Real data the synthesizer never saw, to test the classifiers on (a
                DataFrame or a one-table dict). When None,
                ``validation_size`` of ``real_data`` is held out (and the real-trained
                classifier learns from the rest).
            classifier (str, estimator or None):
                ``'HistGradientBoosting'`` (default), ``'XGBoost'`` (if installed),
                ``'RandomForest'``, ``'LogisticRegression'`` or an sklearn-style estimator.
            verbose (bool):
                Whether to print progress and the scores.
        """
        # A report generated again (for a class label after a number, or after a failed
        # try) keeps nothing of the last one.
        self.is_generated = False
        self._explanations = {}
        tables, table_name = single_tables({
            'real_data': real_data,
            'synthetic_data': synthetic_data,
            'real_validation_data': real_validation_data,
        })
        real_data, synthetic_data = tables['real_data'], tables['synthetic_data']
        real_validation_data = tables.get('real_validation_data')
        table_metadata = single_table_metadata(metadata, table_name)
        if table_metadata is None:
            raise TypeError(
                "The FairnessReport needs metadata (SDV Metadata or {'columns': {...}}), as "
                "SDMetrics' reports do; SDV's Metadata.detect_from_dataframes({name: table}) "
                'builds one.'
            )
        # SDMetrics checks this too, but without saying which side lacks which column.
        check_metadata_columns(table_metadata, real_data)
        if is_number_target(real_data, target_column, positive_label, table_metadata):
            self._generate_number(real_data, synthetic_data, table_metadata, sensitive_columns,
                                  target_column, real_validation_data, classifier, verbose)
            return
        task = FairnessTask(
            real_data,
            synthetic_data,
            table_metadata,
            target_column=target_column,
            sensitive_columns=sensitive_columns,
            positive_label=positive_label,
            real_validation_data=real_validation_data,
            classifier=classifier,
            validation_size=self.validation_size,
            random_state=self.random_state,
            include_sensitive_columns=self.include_sensitive_columns,
        )
        self._check_groups(task)
        self._properties = self._class_properties()
        self.report_info.update({
            'target_column': target_column,
            'target_kind': 'class label',
            'positive_label': task.positive_label,
            'sensitive_columns': task.sensitive_columns,
            'fairness_criterion': self.fairness_criterion,
            'fairness': self._fairness_name(),
            'classifier': task.classifier_name,
            'validation_data': task.validation_name,
            'num_rows_validation': len(task.validation[0]),
        })
        self._run(FairnessEvaluation(task, self.min_group_size), real_data, synthetic_data,
                  table_metadata, verbose, task if self.explain else None)

    def _run(self, evaluation, real_data, synthetic_data, metadata, verbose, explained_task):
        """Score the properties from ``evaluation``; explain ``explained_task`` (None: not)."""
        for property_instance in self._properties.values():
            property_instance._evaluation = evaluation
        try:
            super().generate(real_data, synthetic_data, metadata, verbose=verbose)
            self._explanations = (
                self._explain(explained_task, verbose) if explained_task is not None else {}
            )
        finally:
            # Keep neither the tables nor the fitted models in the (pickled) report.
            for property_instance in self._properties.values():
                property_instance._evaluation = None

    def save_html(self, filepath, quality_report=None, extra_figures=None,
                  title='Fairness report', quality_table=None):
        """Write every figure and table of the report to one self-contained HTML file.

        Args:
            filepath (str or Path): the ``.html`` file to write.
            quality_report (sdmetrics.reports.QualityReport or None): a generated quality
                report of the same tables, whose column shapes and pair trends follow
                (SDMetrics' single-table report works too). Defaults to None.
            extra_figures (dict or None): ``{heading: plotly figure}`` appended at the end,
                e.g. ``synthesizer.get_latent_plot(...)``. Defaults to None.
            title (str): the page title. Defaults to 'Fairness report'.
            quality_table (str or None): the table to show from ``quality_report`` (needed
                by ``sdmetrics.reports.QualityReport``). Defaults to None.
        """
        self._check_report_generated()
        extra_figures = extra_figures or {}
        if not isinstance(extra_figures, dict) or not all(
                isinstance(heading, str) and hasattr(figure, 'to_html')
                for heading, figure in extra_figures.items()):
            raise TypeError(
                'extra_figures takes a dict of {heading (text): plotly figure}, e.g. '
                "{'Latent view': synthesizer.get_latent_plot(data)}; got a "
                f'{type(extra_figures).__name__}'
                + (' holding other values' if isinstance(extra_figures, dict) else '') + '.'
            )
        sections = report_sections(self, quality_report, quality_table)
        sections += [(heading, '', figure) for heading, figure in extra_figures.items()]
        write_html(filepath, sections, title=title)

    def get_summary(self):
        """Return every fairness and utility number of the report.

        Returns:
            pandas.DataFrame:
                Columns ``Property``, ``Setting`` (``'Data'`` or ``'TSTR'``), ``Source``
                (real / synthetic data, real- / synthetic-trained model), ``Metric`` and
                ``Value``.
        """
        self._check_report_generated()
        summaries = []
        for property_name, property_instance in self._properties.items():
            summary = property_instance.summary.copy()
            summary.insert(0, 'Property', property_name)
            summaries.append(summary)

        explanations = self._explanation_summary()
        if explanations:
            summaries.append(pd.DataFrame(explanations))
        return pd.concat(summaries, ignore_index=True)
