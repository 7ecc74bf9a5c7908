"""The ``FairnessReport``'s explanations (``_explanations.py``): computed after its
properties, shown by ``get_visualization`` / ``get_details`` like them, but without a score,
so they stay out of ``get_properties`` and the overall score."""

import sys
import time

from sdv_fairdistill.metrics._explanation_figures import attributions_figure, proxies_figure
from sdv_fairdistill.metrics._explanations import (
    attribution_summary,
    explain_models,
    proxy_strength,
)


class ExplanationsMixin:
    """Explanations of a report whose ``generate`` sets ``self._explanations`` from
    ``self._explain(task, verbose)``."""

    #: The explanations: figures and details, no score.
    EXPLANATIONS = ('Feature Attributions', 'Proxy Strength')

    def _explain(self, task, verbose):
        if verbose:
            sys.stdout.write('Explaining: Feature Attributions, Proxy Strength\n')
        started = time.perf_counter()
        attributions, effect = explain_models(task)
        proxies = proxy_strength(task)
        self.report_info['explanation_time'] = time.perf_counter() - started
        return {
            'Feature Attributions': attributions,
            'Proxy Strength': proxies,
            'Attribution Summary': attribution_summary(
                attributions, proxies, task.sensitive_columns
            ),
            'Sensitive Effect': effect,
        }

    def _check_property_name(self, property_name):
        if property_name in self.EXPLANATIONS:
            if self.is_generated and not self._explanations:
                raise ValueError(
                    f"'{property_name}' is an explanation, computed only for a class label "
                    'as the target, when the report is created with explain=True (the default).'
                )
            return
        try:
            super()._check_property_name(property_name)
        except ValueError as error:
            names = "', '".join(self.EXPLANATIONS)
            raise ValueError(f"{error} Explanations (no score): '{names}'.") from None

    def get_visualization(self, property_name):
        """Return the figure of a property or of an explanation.

        Args:
            property_name (str):
                A property (``get_properties``) or ``'Feature Attributions'`` /
                ``'Proxy Strength'``.

        Returns:
            plotly.graph_objects.Figure
        """
        if property_name in self.EXPLANATIONS:
            self._validate_property_generated(property_name)
            if property_name == 'Feature Attributions':
                return attributions_figure(self._explanations[property_name])
            return proxies_figure(self._explanations[property_name])
        return super().get_visualization(property_name)

    def get_details(self, property_name):
        """Return the details of a property or of an explanation.

        ``'Feature Attributions'``: ``Column``, ``Sensitive``, the share of each model and
        the ``Method``; ``'Proxy Strength'``: ``Column``, the ``Real data`` and ``Synthetic
        data`` AUROCs and ``Target``.
        """
        if property_name in self.EXPLANATIONS:
            self._validate_property_generated(property_name)
            return self._explanations[property_name].copy()
        return super().get_details(property_name)

    def get_attribution_summary(self):
        """The attribution share of the sensitive columns and of the three strongest
        proxies (highest real proxy AUROC), for the real- and the synthetic-trained model."""
        self._validate_property_generated('Feature Attributions')
        return self._explanations['Attribution Summary'].copy()

    def get_sensitive_effect(self):
        """The mean SHAP value (log-odds) of the sensitive columns in each group, for the
        real- and the synthetic-trained model: how each model moves a group's scores for
        being that group (empty without ``shap``)."""
        self._validate_property_generated('Feature Attributions')
        return self._explanations['Sensitive Effect'].copy()

    def _explanation_summary(self):
        """``get_summary`` rows of the explanations: the attribution share of the sensitive
        columns and the strongest proxies, and the group's AUROC from all columns."""
        if not self._explanations:
            return []
        rows = []
        for _, row in self._explanations['Attribution Summary'].iterrows():
            for source in ('Real-trained model', 'Synthetic-trained model'):
                rows.append({
                    'Property': 'Feature Attributions', 'Setting': 'TSTR', 'Source': source,
                    'Metric': f"Attribution Share of {row['Column']} ({row['Role']})",
                    'Value': row[source],
                })
        # The last row is every column together (``proxy_strength``).
        together = self._explanations['Proxy Strength'].iloc[-1]
        for source in ('Real data', 'Synthetic data'):
            rows.append({
                'Property': 'Proxy Strength', 'Setting': 'Data', 'Source': source,
                'Metric': 'Group AUROC from all columns', 'Value': together[source],
            })
        return rows
