"""``FairDistillSynthesizer``: the SDV single-table synthesizer around the fair core.

It swaps into SDV code like ``TVAESynthesizer``: SDV's data processor handles metadata,
constraints, rounding and min/max; categorical and boolean columns reach the model raw and are
one-hot encoded (numerical columns mode-normalised) by RDT transformers in ``TableEncoder``.
The sensitive columns form joint groups (intersectional fairness); the target column, if any,
is decoded from the fair latent alone.
"""

import math
import warnings

import numpy as np
import pandas as pd
import plotly.express as px
import torch
from sdv.errors import InvalidDataError, NotFittedError, SynthesizerInputError
from sdv.single_table.base import BaseSingleTableSynthesizer

from sdv_fairdistill.adapters.tabular_encoding import TableEncoder
from sdv_fairdistill.core.model import FairDistillModel
from sdv_fairdistill.plugins import get_adapter_class

#: Default training length: at least MIN_EPOCHS epochs and at least MIN_STEPS optimiser steps.
MIN_EPOCHS = 60
MIN_STEPS = 1500

#: A numerical sensitive column with more distinct values than this is treated as continuous.
MAX_SENSITIVE_LEVELS = 20


def _as_list(columns):
    if columns is None:
        return []
    if isinstance(columns, str):
        return [columns]
    return list(columns)


class FairDistillSynthesizer(BaseSingleTableSynthesizer):
    """Fair synthetic tables from a distilled, distance-covariance-regularised latent space.

    Args:
        metadata (sdv.metadata.Metadata): metadata of the table.
        sensitive_columns (str or list[str]): the sensitive attribute(s); several columns are
            one joint attribute (their combinations are the groups).
        target_column (str or None): the label a downstream model will learn; it is decoded
            from the fair latent only, so in the synthetic table it is independent of the
            sensitive groups.
        fairness_weight (float): weight of the distance-covariance penalty; 0 disables it (a
            plain conditional VAE that reproduces the bias). The default 300 removes the label
            gap on Adult, COMPAS and German Credit; 1000 was no fairer downstream on Adult
            (seed 0: DP difference 0.020 against 0.002) and cost utility on COMPAS (AUROC
            0.652 against 0.716).
        latent_dim (int): size of the latent space.
        fair_latent_dim (int or None): how many latent dimensions form the fair part that the
            penalty covers and the target head reads (None: all). The other dimensions stay
            free to carry what the features share with the sensitive groups, which keeps
            fidelity while the target is decoded from the fair part alone. 4 (of 16) with
            ``target_weight=20`` keeps more of what predicts the target than 2 with 5 (Adult,
            seeds 0/1: downstream AUROC 0.872 / 0.858 -> 0.876 / 0.878).
        epochs (int or None): teacher epochs. None: at least 60 epochs and at least 1,500
            optimiser steps (60 epochs on Adult, 167 on COMPAS; small tables need the steps,
            or they stop before the target is learned and the penalty erases it).
        distill_epochs (int or None): student epochs. None: half the teacher's.
        batch_size (int), learning_rate (float): optimisation settings.
        beta (float): weight of the KL term of the teacher.
        target_weight (float): weight of the target's reconstruction. Much more than 20
            outweighs the penalty (50: Adult label gap 0.067 instead of 0.026).
        utility_weight (float): weight of the KL utility loss in distillation.
        teacher_dims, student_dims, decoder_dims (tuple[int]): hidden layer sizes.
        encode_target (bool): whether the encoders see the target column. By default they
            do not: the latent then holds only what the features (and group) say, and the
            target head is a classifier of the target from its fair part, so in the synthetic
            table the target depends on the features the same way in every group. A model
            trained on it predicts the positive class equally often in every group, on real
            rows too (Adult, seeds 0-2: downstream DP difference 0.002-0.008). An encoder
            that sees the target also stores target information the features do not show,
            and more of it for the group whose features predict the target worse: the label
            rates come out equal, but a model trained on the table does not (Adult: label gap
            0.01, yet DP difference 0.07-0.11 between synthetic groups and 0.009-0.073 on
            real rows).
        encode_sensitive (bool): whether the encoders see the sensitive group. They then make
            the latent fair by a group-specific map instead of discarding whatever correlates
            with the group (measured on COMPAS, whose features exclude race: downstream AUROC
            0.61-0.66 -> 0.67-0.69 at the same or lower demographic-parity difference).
        balance_target (bool): train on rows reweighed so that the target is independent of
            the sensitive groups (Kamiran & Calders' reweighing, ``p(s) p(y) / p(s, y)``). It
            helps when the encoders see the target (``encode_target=True``; Adult, 2 seeds:
            AUROC 0.870 -> 0.891, DP difference 0.067 -> 0.028), not by default: a model
            trained on reweighed rows is calibrated to a population with more positive rows
            in the disadvantaged group than real data have, so on real rows it predicts fewer
            positives there (Adult, with ``encode_target=False``: DP difference 0.084 with
            reweighing, 0.008 without). Applies to a categorical target (at most 20 values);
            with a continuous target it is skipped with a warning. ``fairness_weight=0``
            gives the unfair ablation that reproduces the bias.
        keep_teacher (bool): keep the teacher to generate from its latent space (ablation).
        enforce_min_max_values (bool), enforce_rounding (bool), locales: as in SDV.
        enable_gpu (bool): train and sample on a CUDA GPU when one is available.
        verbose (bool): show progress bars.
        seed (int or None): seed of training, for reproducible fits.
    """

    _model_sdtype_transformers = {'categorical': None, 'boolean': None}

    def __init__(
        self,
        metadata,
        sensitive_columns,
        target_column=None,
        fairness_weight=300.0,
        latent_dim=16,
        fair_latent_dim=4,
        epochs=None,
        distill_epochs=None,
        batch_size=500,
        learning_rate=1e-3,
        beta=1.0,
        target_weight=20.0,
        utility_weight=1.0,
        teacher_dims=(256, 256),
        student_dims=(64,),
        decoder_dims=(128, 128),
        encode_target=False,
        encode_sensitive=True,
        balance_target=False,
        keep_teacher=False,
        enforce_min_max_values=True,
        enforce_rounding=True,
        locales=['en_US'],
        enable_gpu=False,
        verbose=False,
        seed=None,
    ):
        super().__init__(
            metadata=metadata,
            enforce_min_max_values=enforce_min_max_values,
            enforce_rounding=enforce_rounding,
            locales=locales,
        )
        self.sensitive_columns = _as_list(sensitive_columns)
        self.target_column = target_column
        self.fairness_weight = fairness_weight
        self.latent_dim = latent_dim
        self.fair_latent_dim = fair_latent_dim
        self.epochs = epochs
        self.distill_epochs = distill_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.beta = beta
        self.target_weight = target_weight
        self.utility_weight = utility_weight
        self.teacher_dims = teacher_dims
        self.student_dims = student_dims
        self.decoder_dims = decoder_dims
        self.encode_target = encode_target
        self.encode_sensitive = encode_sensitive
        self.balance_target = balance_target
        self.keep_teacher = keep_teacher
        self.enable_gpu = enable_gpu
        self.verbose = verbose
        self.seed = seed
        self._model = None
        self._validate_parameters()

    # ------------------------------------------------------------------ validation
    def _validate_parameters(self):
        columns = self._get_table_metadata().columns
        if not self.sensitive_columns:
            raise SynthesizerInputError(
                "'sensitive_columns' is empty. Name at least one sensitive column (e.g. 'sex')."
            )
        for column in self.sensitive_columns + _as_list(self.target_column):
            if column not in columns:
                raise SynthesizerInputError(
                    f"Column '{column}' is not in the metadata. Use one of the table's columns: "
                    f'{sorted(columns)}.'
                )
        if self.target_column in self.sensitive_columns:
            raise SynthesizerInputError(
                f"Column '{self.target_column}' is both the target and a sensitive column. "
                'The target is what fairness is measured on: remove it from sensitive_columns.'
            )
        if self.fairness_weight < 0:
            raise SynthesizerInputError(
                f"'fairness_weight' must be 0 or positive, got {self.fairness_weight}."
            )
        if self.fair_latent_dim is not None and not 1 <= self.fair_latent_dim <= self.latent_dim:
            raise SynthesizerInputError(
                f"'fair_latent_dim' must be between 1 and latent_dim ({self.latent_dim}), "
                f'got {self.fair_latent_dim!r}.'
            )
        for name in ('epochs', 'distill_epochs', 'batch_size', 'latent_dim'):
            value = getattr(self, name)
            if value is None and 'epochs' in name:
                continue
            if not isinstance(value, (int, np.integer)) or value < (0 if 'epochs' in name else 2):
                raise SynthesizerInputError(f"'{name}' must be a positive integer, got {value!r}.")

    def _validate(self, data):
        """Check the sensitive and target columns before any training (SDV collects these)."""
        errors = []
        if len(data) < 2:
            errors.append(
                f'The table has {len(data)} rows; FairDistillSynthesizer needs at least 2 rows '
                'to learn from.'
            )
            return errors
        sdtypes = {column: info['sdtype'] for column, info in self._get_table_metadata().columns.items()}
        for column in self.sensitive_columns:
            values = data[column]
            if values.isna().any():
                errors.append(
                    f"Sensitive column '{column}' has {int(values.isna().sum())} missing values. "
                    'Fill them with an explicit group (e.g. "Unknown") or drop those rows first.'
                )
            levels = values.nunique(dropna=True)
            if sdtypes[column] in ('numerical', 'datetime') and levels > MAX_SENSITIVE_LEVELS:
                errors.append(
                    f"Sensitive column '{column}' looks continuous ({levels} distinct values). "
                    'Bin it into groups first (e.g. with pandas.cut) and mark it categorical.'
                )
            elif levels < 2:
                errors.append(
                    f"Sensitive column '{column}' has only one group ({values.dropna().unique()[:1]}). "
                    'Fairness needs at least two groups: choose another sensitive column.'
                )
        if self.target_column is not None:
            levels = data[self.target_column].nunique(dropna=True)
            if levels < 2:
                errors.append(
                    f"Target column '{self.target_column}' has a single class. A target needs at "
                    'least two classes; pass target_column=None if there is no label.'
                )
        return errors

    def add_constraints(self, constraints):
        super().add_constraints(constraints)
        # SDV rebuilds the data processor and forgets the model's own transformers.
        self._update_default_transformers()

    # ------------------------------------------------------------------ fitting
    def fit(self, data):
        table = data[self._table_name] if isinstance(data, dict) and self._table_name in data else data
        if isinstance(table, pd.DataFrame) and table.empty:
            raise InvalidDataError([
                'The table is empty. FairDistillSynthesizer needs rows to learn from.'
            ])
        super().fit(data)

    def _device(self):
        if self.enable_gpu and torch.cuda.is_available():
            return 'cuda'
        if self.enable_gpu:
            warnings.warn('enable_gpu=True but no CUDA GPU is available: training on the CPU.')
        return 'cpu'

    def _fit(self, processed_data):
        for column in self.sensitive_columns + _as_list(self.target_column):
            if column not in processed_data.columns:
                raise InvalidDataError([
                    f"Column '{column}' is missing after preprocessing (a constraint may have "
                    'merged or dropped it). Keep sensitive and target columns out of constraints '
                    'that transform them.'
                ])
        self._processed_columns = list(processed_data.columns)
        sensitive = processed_data[self.sensitive_columns]
        codes, uniques = pd.MultiIndex.from_frame(sensitive).factorize()
        self._groups = pd.DataFrame(list(uniques), columns=self.sensitive_columns)
        self._group_prior = np.bincount(codes, minlength=len(uniques)) / len(codes)

        feature_columns = [
            column
            for column in processed_data.columns
            if column not in self.sensitive_columns and column != self.target_column
        ]
        self._feature_encoder = TableEncoder(random_state=self.seed or 0).fit(
            processed_data[feature_columns]
        )
        x = torch.from_numpy(self._feature_encoder.transform(processed_data[feature_columns]))
        if self.target_column is not None:
            target = processed_data[[self.target_column]]
            self._target_encoder = TableEncoder(
                discrete_columns=[self.target_column]
                if target[self.target_column].nunique() <= MAX_SENSITIVE_LEVELS
                else []
            ).fit(target)
            y = torch.from_numpy(self._target_encoder.transform(target))
            target_spans = self._target_encoder.spans
        else:
            self._target_encoder = None
            y = torch.zeros(len(processed_data), 0)
            target_spans = []

        epochs = self.epochs
        if epochs is None:
            batches_per_epoch = math.ceil(len(processed_data) / self.batch_size)
            epochs = max(MIN_EPOCHS, math.ceil(MIN_STEPS / batches_per_epoch))
        adapter = get_adapter_class('tabular')(
            self._feature_encoder.spans,
            teacher_dims=self.teacher_dims,
            student_dims=self.student_dims,
            decoder_dims=self.decoder_dims,
        )
        balance_target = self.balance_target
        if balance_target and any(span.kind != 'categorical' for span in target_spans):
            warnings.warn(
                f"balance_target=True needs a categorical target; '{self.target_column}' is "
                'continuous, so the rows are not reweighed (the penalty alone makes it fair).'
            )
            balance_target = False
        self._model = FairDistillModel(
            adapter,
            target_spans=target_spans,
            latent_dim=self.latent_dim,
            # Without a target nothing reads a fair part alone: the whole latent is fair.
            fair_latent_dim=self.fair_latent_dim if self.target_column is not None else None,
            fairness_weight=self.fairness_weight,
            beta=self.beta,
            target_weight=self.target_weight,
            utility_weight=self.utility_weight,
            epochs=epochs,
            distill_epochs=self.distill_epochs if self.distill_epochs is not None else epochs // 2,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            encode_target=self.encode_target,
            encode_sensitive=self.encode_sensitive,
            balance_target=balance_target,
            keep_teacher=self.keep_teacher,
            device=self._device(),
            verbose=self.verbose,
            seed=self.seed,
        )
        self._model.fit(x, y, codes, len(uniques))

    # ------------------------------------------------------------------ sampling
    def sample(self, num_rows, *args, **kwargs):
        if isinstance(num_rows, bool) or not isinstance(num_rows, (int, np.integer)) or num_rows < 1:
            raise SynthesizerInputError(
                f"'num_rows' must be a positive integer, got {num_rows!r}."
            )
        return super().sample(num_rows, *args, **kwargs)

    def _validate_conditions(self, conditions):
        super()._validate_conditions(conditions)
        if not self._fitted:
            return
        known = {column: set(self._groups[column]) for column in self.sensitive_columns}
        for condition in conditions:
            for column in set(condition.columns) & set(self.sensitive_columns):
                unknown = set(condition[column]) - known[column]
                if unknown:
                    raise SynthesizerInputError(
                        f"No sensitive group matches the condition {column}={sorted(map(str, unknown))}. "
                        f"Known groups of '{column}': {sorted(map(str, known[column]))}."
                    )

    def _groups_for_conditions(self, num_rows, conditions):
        """Group of each row when ``conditions`` fix some sensitive columns, else None."""
        fixed = {c: v for c, v in (conditions or {}).items() if c in self.sensitive_columns}
        if not fixed:
            return None
        matches = np.ones(len(self._groups), dtype=bool)
        for column, value in fixed.items():
            matches &= (self._groups[column] == value).to_numpy()
        if not matches.any():
            known = sorted(map(str, self._groups[list(fixed)].drop_duplicates().itertuples(index=False)))
            raise SynthesizerInputError(
                f'No sensitive group matches the condition {fixed}. Known groups: {known}.'
            )
        prior = np.where(matches, self._group_prior, 0.0)
        return self._model._numpy_rng.choice(len(prior), size=num_rows, p=prior / prior.sum())

    def _sample(self, num_rows, conditions=None, source='student'):
        groups = self._groups_for_conditions(num_rows, conditions)
        # Conditions on other columns are met by SDV's reject sampling on the returned rows.
        features, target, groups = self._model.sample(num_rows, groups=groups, source=source)
        table = self._feature_encoder.reverse_transform(features.numpy())
        if self._target_encoder is not None:
            table[self.target_column] = self._target_encoder.reverse_transform(target.numpy())[
                self.target_column
            ].to_numpy()
        sensitive = self._groups.iloc[groups].reset_index(drop=True)
        for column in self.sensitive_columns:
            table[column] = sensitive[column].to_numpy()
        return table[self._processed_columns]

    def sample_from_teacher(self, num_rows):
        """Sample from the teacher's latent space (the ablation; needs ``keep_teacher=True``)."""
        self._validate_fit_before_sample()
        if not self._random_state_set:
            self._set_random_state(0)
        raw = self._sample(num_rows, source='teacher')
        sampled = self._data_processor.reverse_transform(raw)
        return {self._table_name: self.reverse_transform_constraints(sampled)}

    # ------------------------------------------------------------------ inspection
    def get_loss_values(self):
        """Loss terms per stage ('teacher', 'student') and epoch, as a DataFrame."""
        if not self._fitted:
            raise NotFittedError('Loss values are not available yet. Please fit your synthesizer first.')
        return self._model.loss_values.copy()

    def get_loss_values_plot(self, title='FairDistill loss terms'):
        """Plotly line chart of every loss term per epoch, one panel per stage."""
        loss = self.get_loss_values().melt(
            id_vars=['Stage', 'Epoch'], var_name='Term', value_name='Value'
        ).dropna()
        figure = px.line(loss, x='Epoch', y='Value', color='Term', facet_row='Stage', title=title)
        figure.update_yaxes(matches=None)
        return figure

    def get_parameter_counts(self):
        """Parameters of each network: the student is much smaller than the teacher."""
        if not self._fitted:
            raise NotFittedError('Please fit your synthesizer first.')
        return self._model.parameter_counts()
