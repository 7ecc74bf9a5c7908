"""Latent views of a fitted ``FairDistillSynthesizer``: where the rows of each sensitive group
land in the fair part of the student's latent space, and how well the group can be told
from it (the leakage).

The rows are encoded as in training (posterior draws ``z ~ q(z | x, ...)``, on which the
penalty acts and the latent density is fitted), the fair part is embedded in 2-D with
scikit-learn's PCA or t-SNE, and the leakage is the cross-validated AUROC of a logistic
regression of the group from the fair part (``_latent_leakage.leakage_auroc``): 0.5 when it
tells nothing of the group. Beside the unfair ablation (``fairness_weight=0``) the groups
separate; with the penalty they mix.
"""

import html

import numpy as np
import pandas as pd
import plotly.colors
import plotly.graph_objects as go
import torch
import torch.nn.functional as F
from plotly.subplots import make_subplots
from sdv.errors import SynthesizerInputError
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.manifold import TSNE

from sdv_fairdistill.adapters.tabular_encoding import seeded_transforms
from sdv_fairdistill.group_names import group_name
from sdv_fairdistill.synthesizers._table_rows import sensitive_values
from sdv_fairdistill.synthesizers._diagnostics import MIN_GROUP_ROWS
from sdv_fairdistill.synthesizers._latent_leakage import fair_latent_draws, leakage_auroc

METHODS = ('pca', 'tsne', 'discriminant')

#: Each method's axis titles (x, y). A one-dimensional fair latent is drawn along x alone.
AXIS_TITLES = {
    'pca': ('first principal component', 'second principal component'),
    'tsne': ('t-SNE 1 (no units: distances are local)', 't-SNE 2'),
    'discriminant': ('direction that best separates the groups',
                     'largest spread across that direction'),
}


def _discriminant_view(latent, codes, seed):
    """x: the first linear discriminant of the groups; y: the first principal component of
    what is left once that direction is removed."""
    if np.unique(codes).size < 2:
        return PCA(2, random_state=seed).fit_transform(latent)
    lda = LinearDiscriminantAnalysis(n_components=1).fit(latent, codes)
    direction = lda.scalings_[:, 0] / np.linalg.norm(lda.scalings_[:, 0])
    centred = latent - latent.mean(axis=0)
    along = centred @ direction
    across = PCA(1, random_state=seed).fit_transform(centred - np.outer(along, direction))
    return np.column_stack([along, across[:, 0]])


class LatentViewMixin:
    """``get_latent_embedding`` and ``get_latent_plot`` of a fitted tabular synthesizer."""

    def _user_table(self, data):
        table = data[next(iter(data))] if isinstance(data, dict) and len(data) == 1 else data
        if not isinstance(table, pd.DataFrame):
            raise SynthesizerInputError(
                f'data must be a DataFrame or {{table_name: DataFrame}}, not {type(data).__name__}.'
            )
        missing = [c for c in self._get_table_metadata().columns if c not in table.columns]
        if missing:
            raise SynthesizerInputError(
                f'data lacks the column(s) {missing} the synthesizer was fitted on.'
            )
        return table

    def _encoded_rows(self, table, seed):
        """``(x, y, group codes)`` of user rows, encoded as the training rows were."""
        encoders = [self._feature_encoder, self._target_encoder]
        transformers = [
            *self._data_processor._hyper_transformer.field_transformers.values(),
            *[piece for encoder in encoders if encoder is not None
              for piece in encoder.transformers()],
        ]
        with seeded_transforms(transformers, seed):
            return self._encode_table(table)

    def _encode_table(self, table):
        table = self._validate_transform_constraints(table.copy())
        processed = self._data_processor.transform(table)
        sensitive = pd.MultiIndex.from_frame(sensitive_values(processed, self.sensitive_columns))
        codes = pd.MultiIndex.from_frame(self._groups).get_indexer(sensitive)
        if (codes < 0).any():
            unknown = processed.loc[codes < 0, self.sensitive_columns].drop_duplicates()
            raise SynthesizerInputError(
                'data has sensitive groups the synthesizer never saw: '
                f'{unknown.head(5).to_dict(orient="records")}. Pass rows of the known groups '
                f'({len(self._groups)} in the training data).'
            )
        features = [c for c in self._processed_columns
                    if c not in self.sensitive_columns and c != self.target_column]
        x = torch.from_numpy(self._feature_encoder.transform(processed[features]))
        if self._target_encoder is not None:
            y = torch.from_numpy(self._target_encoder.transform(processed[[self.target_column]]))
        else:
            y = torch.zeros(len(processed), 0)
        return x, y, codes

    def _fair_latent(self, x, y, codes, seed):
        model = self._model
        s = F.one_hot(torch.as_tensor(codes, dtype=torch.long), len(self._groups)).float()
        condition = model._encoder_condition(y.to(model.device), s.to(model.device))
        return fair_latent_draws(model, x.to(model.device), condition, seed)

    def get_latent_embedding(self, data, method='pca', num_rows=2000, seed=0):
        """A 2-D embedding of the fair part of the student's latent, coloured by group.

        Args:
            data (pandas.DataFrame or dict): real rows to encode (typically the training
                table), with the columns the synthesizer was fitted on.
            method (str): ``'pca'`` (the two directions of largest spread), ``'tsne'``
                (scikit-learn's t-SNE: slower, shows clusters) or ``'discriminant'`` (x: the
                linear direction that best separates the groups, from scikit-learn's linear
                discriminant analysis; y: the direction of largest spread across it: shows
                the leakage by eye). Defaults to 'pca'.
            num_rows (int): rows embedded (a seeded random subset). Defaults to 2000.
            seed (int): seed of the subset, the posterior draws and the embedding.
                Defaults to 0.

        Returns:
            pandas.DataFrame: columns ``x``, ``y``, ``group`` and the sensitive columns;
            ``attrs['leakage_auroc']`` is the AUROC of predicting the group from the fair
            latent (0.5 = no information; NaN with fewer than two groups of at least
            10 rows), ``attrs['method']`` the embedding.
        """
        self._check_fitted()
        if method not in METHODS:
            raise SynthesizerInputError(
                f"method must be 'pca', 'tsne' or 'discriminant', got {method!r}."
            )
        if isinstance(num_rows, bool) or not isinstance(num_rows, (int, np.integer)) or num_rows < 10:
            raise SynthesizerInputError(f'num_rows must be an integer >= 10, got {num_rows!r}.')
        table = self._user_table(data)
        rows = np.sort(np.random.RandomState(seed).choice(len(table), min(len(table), num_rows),
                                                          replace=False))
        x, y, codes = self._encoded_rows(table.iloc[rows], seed)
        latent = self._fair_latent(x, y, codes, seed)
        counts = np.bincount(codes, minlength=len(self._groups))
        leakage = leakage_auroc(latent, codes, np.flatnonzero(counts >= MIN_GROUP_ROWS), seed)
        if latent.shape[1] == 1:
            points = np.column_stack([latent[:, 0], np.zeros(len(latent))])
        elif method == 'pca':
            points = PCA(2, random_state=seed).fit_transform(latent)
        elif method == 'discriminant':
            points = _discriminant_view(latent, codes, seed)
        else:
            points = TSNE(2, init='pca', perplexity=min(30, len(latent) - 1),
                          random_state=seed).fit_transform(latent)
        groups = self._groups.iloc[codes].reset_index(drop=True)
        frame = pd.DataFrame({'x': points[:, 0], 'y': points[:, 1]})
        frame['group'] = [group_name(row) for row in groups.itertuples(index=False)]
        for column in self.sensitive_columns:
            frame[column] = groups[column].to_numpy()
        frame.attrs.update(leakage_auroc=leakage, method=method,
                           latent_dimensions=latent.shape[1])
        return frame

    def get_latent_plot(self, data, method='pca', num_rows=2000, seed=0, compare_to=None,
                        names=('This synthesizer', 'Compared synthesizer')):
        """The latent embedding as a plotly scatter, beside another synthesizer's.

        Args:
            data, method, num_rows, seed: as ``get_latent_embedding``.
            compare_to (FairDistillSynthesizer or None): a second fitted synthesizer shown
                on the right, e.g. the unfair ablation (``fairness_weight=0``). Defaults to
                None.
            names (tuple[str, str]): the panels' titles. Defaults to ('This synthesizer',
                'Compared synthesizer').

        Returns:
            plotly.graph_objects.Figure
        """
        synthesizers = [self] if compare_to is None else [self, compare_to]
        if isinstance(names, str) or len(names) < len(synthesizers):
            raise ValueError(f'names needs a title for each of the {len(synthesizers)} '
                             f'panels, got {names!r}.')
        embeddings = [
            synthesizer.get_latent_embedding(data, method, num_rows, seed)
            for synthesizer in synthesizers
        ]
        titles = [f'{html.escape(str(name))}: {_leakage_text(embedding.attrs["leakage_auroc"])}'
                  for name, embedding in zip(names, embeddings)]
        figure = make_subplots(rows=1, cols=len(embeddings), subplot_titles=titles)
        # One colour per group in both panels (a group is coloured by its place among all).
        everyone = sorted({group for embedding in embeddings for group in embedding['group']})
        palette = ['#000036', '#01E0C9', '#FF6B6B', '#FFB000', '#7A5CFA', '#2CA02C', '#8C564B',
                   *plotly.colors.qualitative.Dark24]
        shown = set()  # each group once in the legend, from whichever panel has it first
        for col, embedding in enumerate(embeddings, start=1):
            for group, rows in embedding.groupby('group', sort=True):
                index = everyone.index(group)
                figure.add_trace(go.Scattergl(
                    x=rows['x'], y=rows['y'], mode='markers', name=group, legendgroup=group,
                    showlegend=group not in shown,
                    marker={'size': 4, 'opacity': 0.6, 'color': palette[index % len(palette)]},
                ), row=1, col=col)
                shown.add(group)
        label = {'pca': 'PCA', 'tsne': 't-SNE',
                 'discriminant': 'x: the direction that best separates the groups'}[method]
        for col, embedding in enumerate(embeddings, start=1):
            one_dimensional = embedding.attrs.get('latent_dimensions') == 1
            x_title, y_title = (('the fair latent (one dimension)', '')
                                if one_dimensional else AXIS_TITLES[method])
            figure.update_xaxes(title_text=x_title, row=1, col=col)
            figure.update_yaxes(title_text=y_title, row=1, col=col)
        figure.update_layout(
            title=f'Fair part of the student latent ({label}), coloured by sensitive group',
            height=500, legend={'itemsizing': 'constant'},
        )
        return figure


def _leakage_text(auroc):
    """The panel title's leakage: a cross-validated AUROC a little under 0.5 is chance (it
    runs low where there is nothing to find), and too few rows per group give none."""
    if auroc != auroc:
        return f'leakage not measured (groups of fewer than {MIN_GROUP_ROWS} rows)'
    return f'leakage AUROC {auroc:.3f}' + (' (chance)' if auroc <= 0.5 else '')
