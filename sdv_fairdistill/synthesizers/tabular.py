"""``FairDistillSynthesizer``: the SDV single-table synthesizer around the fair core.

It swaps into SDV code like ``TVAESynthesizer``: SDV's data processor handles metadata,
constraints, rounding and min/max. Categorical, boolean and ordinal columns, the sensitive
columns and a classification target reach the model as their raw values, and ``TableEncoder``
encodes each column by its sdtype (see ``adapters/tabular_encoding.py``). The sensitive
columns form joint groups (intersectional fairness); the target column, if any, is decoded
from the fair latent alone. The design and its measurements: ``docs/method.md``.
"""

import numpy as np
import pandas as pd
from sdv.errors import InvalidDataError, NotFittedError
from sdv.single_table.base import BaseSingleTableSynthesizer

from sdv_fairdistill.core.density import MIN_MIXTURE_ROWS
from sdv_fairdistill.core.feature_shares import match_feature_shares
from sdv_fairdistill.plugins import get_adapter_class
from sdv_fairdistill.synthesizers import _calibration as calibration
from sdv_fairdistill.synthesizers import _diagnostics as diagnostics
from sdv_fairdistill.synthesizers import _parameters as checks
from sdv_fairdistill.synthesizers import _column_roles as roles
from sdv_fairdistill.synthesizers import _label_repair as label_repair
from sdv_fairdistill.synthesizers import _tabular_inputs as inputs
from sdv_fairdistill.synthesizers._latent_view import LatentViewMixin
from sdv_fairdistill.synthesizers._raw_columns import RawColumnsMixin
from sdv_fairdistill.synthesizers._seeded_sampling import SeededSamplingMixin
from sdv_fairdistill.synthesizers._shared import FairModelMixin
from sdv_fairdistill.synthesizers._parquet_fit import ParquetFitMixin
from sdv_fairdistill.synthesizers._streaming import StreamingSampleMixin
from sdv_fairdistill.synthesizers._table_rows import TableRowsMixin, default_epochs


class FairDistillSynthesizer(LatentViewMixin, diagnostics.DiagnosticsMixin, RawColumnsMixin,
                             TableRowsMixin, ParquetFitMixin, StreamingSampleMixin,
                             SeededSamplingMixin, FairModelMixin, BaseSingleTableSynthesizer):
    """Fair synthetic tables from a distilled, distance-covariance-regularised latent space.

    Args:
        metadata (sdv.metadata.Metadata): metadata of the table.
        sensitive_columns (str or list[str]): the sensitive attribute(s); several columns are
            one joint attribute (their combinations are the groups). The groups are the raw
            values, whatever the column's sdtype.
        target_column (str or None): the label a downstream model will learn. By default
            it is drawn from a model of the real rows, its scores made equal across the
            groups (``label_from_features``), else decoded from the fair latent, so that in
            the synthetic table it meets ``fairness_criterion``. A target with at most 20
            distinct values is a class label, else a number; a datetime is refused.
            Defaults to None (no target: the whole latent is made fair).
        fairness_weight (float): weight of the distance-covariance penalty; 0 disables it (a
            plain conditional VAE that reproduces the bias: the unfair ablation).
            Defaults to 300.
        fairness_criterion (str): the fairness a classifier trained on the generated table
            should have on real people. 'demographic_parity': the same rate of each
            predicted class in every group (the generated labels are independent of the
            groups). 'equalized_odds': the same true- and false-positive rates in every group
            (the fair latent is independent of the groups inside each class).
            'equal_opportunity': the same true-positive rate of ``positive_label``. The last two need a class-label target.
            When the groups' label rates differ, no classifier better than chance meets
            demographic parity and equalized odds at once (see docs/method.md). Defaults to
            'demographic_parity'.
        positive_label: the target's positive class, for 'equal_opportunity'. Defaults to
            None (1 or True for a 0/1 or boolean target; other targets must name it).
        latent_dim (int): size of the latent space (TVAE's ``embedding_dim``). Defaults to 16.
        fair_latent_dim (int or None): how many latent dimensions form the fair part that the
            penalty covers and the target head reads (None: all). The other dimensions carry
            what the features share with the sensitive groups. Defaults to 4.
        epochs (int or None): teacher epochs. None: 60 epochs, but at least 1,500 and at
            most 4,000 optimiser steps (so 2 epochs of a million rows). Defaults to None.
        distill_epochs (int or None): student epochs. None: half the teacher's.
            Defaults to None.
        batch_size (int): rows per optimiser step, at least 2. Defaults to 500.
        learning_rate (float): Adam's learning rate, positive. Defaults to 0.001.
        beta (float): weight of the teacher's KL term. Defaults to 1.
        target_weight (float): weight of the target's reconstruction. Defaults to 20.
        utility_weight (float): weight of the KL utility loss in distillation. Defaults to 1.
        teacher_dims (tuple[int]): hidden layers of the teacher encoder (TVAE's
            ``compress_dims``). Defaults to (256, 256).
        student_dims (tuple[int]): hidden layers of the student encoder. Defaults to (64,).
        decoder_dims (tuple[int]): hidden layers of the shared decoder (TVAE's
            ``decompress_dims``). Defaults to (128, 128).
        encode_target (bool): whether the encoders see the target column. Defaults to False
            (the target head is then a classifier of the target from the fair latent).
        encode_sensitive (bool): whether the encoders see the sensitive group, so the latent
            can be made fair by a group-specific map. Defaults to True.
        balance_target (bool or None): train on rows reweighed so that the target is
            independent of the groups (Kamiran & Calders' reweighing); needs a class-label
            target and is skipped with a warning otherwise. None: on under 'equalized_odds' and
            'equal_opportunity' (a downstream model then cannot learn the groups' label rates
            and shift its errors by group), off under 'demographic_parity' (see
            docs/method.md). Defaults to None.
        align_target (bool or None): after training, map each group's target scores
            monotonically onto their pooled distribution, so that the generated target has the
            same distribution in every group, however small. None: on under demographic parity
            with several sensitive columns and fairness_weight > 0 (the penalty holds a group
            about as firmly as the square of its share, so small intersections keep some
            dependence), off with one sensitive column (where it added more noise than it
            removed; see docs/method.md). With several sensitive columns the penalty also
            covers each column's own groups, whatever this parameter. Defaults to None.
        calibrate_target (bool or None): after training, shift each group's log-odds of a
            two-class target so that a classifier trained on generated rows selects the same
            share of every group of the real training rows (equal label rates alone do not
            give that: docs/method.md), inside each true class under the error-rate criteria;
            a number from the features so that a regressor's mean prediction is the same in
            every group. None: on for such targets when fairness_weight > 0. Defaults to None.
        label_from_features (bool or None): after training, draw the target from a
            gradient-boosting model of the real training rows that scores each generated row
            instead of from the target head (the fair latent holds less of what predicts the
            target than the features do): a categorical target (2 to 20 classes) from a
            classifier, its scores mapped group by group onto the groups' pooled distribution
            (more classes: shifted to the pooled class shares); a number from a regressor,
            its predictions mapped likewise, plus a residual of the real rows (its missing
            values drawn with the row, at their share). Under 'equalized_odds' and 'equal_opportunity' (two classes) each
            group keeps its own scores, sharpened, and the calibration alone equalises the
            error rates: a higher AUROC, a fairness only as sure as the calibration. None: on
            under demographic parity with such a target and fairness_weight > 0; under the
            error-rate criteria (with the penalty and the calibration on) tried, and kept
            only where the calibration measured every group's shift to within 0.25 log-odds,
            else the target head draws it (see docs/method.md, docs/criteria.md). Defaults
            to None.
        label_sharpness (float): with the label from the features, the factor on the log-odds
            of the groups' pooled scores (under the error-rate criteria each group's own)
            before the label is drawn (the label rate stays; with more than two classes, on
            each row's class log-probabilities, and the class shares stay): 1 draws it with
            the classifier's probability, larger values make the label more certain where the
            classifier is, so a downstream model learns it more sharply (docs/method.md); a
            number is not sharpened. Defaults to 3.
        label_repair (float): under demographic parity, for a label from the features, how
            far (0 to 1) each group's scores move to the pooled ones: below 1 a group keeps
            ``1 - label_repair`` of its real gap (a label rate, a number's mean; of 3+ classes
            the shares' gap its generated rows score), trading fairness for utility
            (docs/cases.md, "Partial repair"; method.md, Stage 4). Defaults to 1 (equal rates).
        keep_teacher (bool): keep the teacher to generate from its latent space (ablation).
            Defaults to False.
        enforce_min_max_values (bool), enforce_rounding (bool), locales (list[str]): as in SDV.
        enable_gpu (bool): train and sample on a CUDA GPU when one is available (a warning
            when none is). Unlike TVAE's, it defaults to False, so that the same seed gives
            the same rows on every machine. Defaults to False.
        verbose (bool): show progress bars. Defaults to False.
        seed (int or None): seed of training and of the sampling after ``fit`` (and after
            ``reset_sampling``), for reproducible fits; two seeds give two independent
            sampling sequences. None: a random fit, sampled from SDV's fixed start. Defaults
            to None.
        **tvae_parameters: TVAE's ``embedding_dim``, ``compress_dims``, ``decompress_dims``
            and ``cuda`` are accepted under their TVAE names; others are refused.
    """

    _model_sdtype_transformers = {'categorical': None, 'boolean': None, 'ordinal': None}

    def __init__(
        self,
        metadata,
        sensitive_columns,
        target_column=None,
        fairness_weight=300.0,
        fairness_criterion='demographic_parity',
        positive_label=None,
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
        balance_target=None,
        align_target=None,
        calibrate_target=None,
        label_from_features=None,
        label_sharpness=3.0,
        label_repair=1.0,
        keep_teacher=False,
        enforce_min_max_values=True,
        enforce_rounding=True,
        locales=['en_US'],
        enable_gpu=False,
        verbose=False,
        seed=None,
        **tvae_parameters,
    ):
        ours = {'latent_dim': latent_dim, 'teacher_dims': teacher_dims,
                'decoder_dims': decoder_dims, 'enable_gpu': enable_gpu}
        aliases = inputs.translate_tvae_parameters(tvae_parameters, ours, type(self).__init__)
        latent_dim = aliases.get('latent_dim', latent_dim)
        teacher_dims = aliases.get('teacher_dims', teacher_dims)
        decoder_dims = aliases.get('decoder_dims', decoder_dims)
        enable_gpu = aliases.get('enable_gpu', enable_gpu)
        metadata, self._generated_sdtypes = roles.as_groups_and_classes(
            metadata, sensitive_columns, target_column
        )
        super().__init__(
            metadata=metadata,
            enforce_min_max_values=enforce_min_max_values,
            enforce_rounding=enforce_rounding,
            locales=locales,
        )
        self.sensitive_columns = inputs.as_list(sensitive_columns)
        self.target_column = target_column
        self.fairness_weight = fairness_weight
        self.fairness_criterion = fairness_criterion
        self.positive_label = positive_label
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
        self.align_target = align_target
        self.calibrate_target = calibrate_target
        self.label_from_features = label_from_features
        self.label_sharpness = label_sharpness
        self.label_repair = label_repair
        self.keep_teacher = keep_teacher
        self.enable_gpu = enable_gpu
        self.verbose = verbose
        self.seed = seed
        self._model = None
        try:
            self._validate_parameters()
        except checks.InvalidParameterError as error:
            raise inputs.with_tvae_names(error, tvae_parameters) from None

    def get_parameters(self):
        parameters = super().get_parameters()
        parameters.pop('tvae_parameters', None)  # stored under our own names
        return parameters

    # ------------------------------------------------------------------ validation
    def _validate_parameters(self):
        table = self._get_table_metadata()
        roles.check_column_roles(
            table.columns, self.sensitive_columns, self.target_column, table.primary_key,
            table.alternate_keys, table.column_relationships,
        )
        checks.check_shared_parameters(self)
        if self.fairness_criterion != 'demographic_parity' and self.target_column is None:
            raise checks.InvalidParameterError(
                f'fairness_criterion={self.fairness_criterion!r} compares error rates inside '
                "the classes of a target: pass target_column=, or use "
                "fairness_criterion='demographic_parity'."
            )
        checks.check_bool('encode_sensitive', self.encode_sensitive)
        inputs.check_align_target(self.align_target, self.fairness_criterion)
        inputs.check_label_options(self)
        label_repair.check_parameter(self)
        checks.check_number('label_sharpness', self.label_sharpness, 0.0, strict=True)
        checks.check_layer_sizes('teacher_dims', self.teacher_dims)
        checks.check_layer_sizes('student_dims', self.student_dims)
        checks.check_layer_sizes('decoder_dims', self.decoder_dims)

    def _validate(self, data):
        return roles.table_errors(
            data, self._get_table_metadata().columns, self.sensitive_columns, self.target_column,
            getattr(self, '_generated_sdtypes', None),  # (absent from older saved fits)
        )

    # ------------------------------------------------------------------ fitting
    def fit(self, data):
        table = data[self._table_name] if isinstance(data, dict) and self._table_name in data else data
        if isinstance(table, pd.DataFrame) and table.empty:
            raise InvalidDataError([
                'The table is empty. FairDistillSynthesizer needs rows to learn from.'
            ])
        if isinstance(table, pd.DataFrame) and self.target_column in table:
            # A parameter the table cannot satisfy: refused as a parameter, before SDV's work.
            inputs.check_criterion(self, table)
        super().fit(data)

    def _fit(self, processed_data):
        for column in self.sensitive_columns + inputs.as_list(self.target_column):
            if column not in processed_data.columns:
                raise InvalidDataError([
                    f"Column '{column}' is missing after preprocessing (a constraint may have "
                    'merged or dropped it). Keep sensitive and target columns out of constraints '
                    'that transform them.'
                ])
        self._processed_columns = list(processed_data.columns)
        self._fit_encoders(processed_data)
        label_repair.check_target(self, self._target_spans)  # before any row is streamed
        x, y, codes, column_groups = self._encode_rows(processed_data)
        # fit_from_parquet: the whole table, streamed from shards, its group prior from every
        # row (None: train on these rows).
        rows = self._streamed_rows()
        n_rows = len(processed_data) if rows is None else len(rows)
        counts = np.rint(self._group_prior * n_rows).astype(int)  # of the whole table
        roles.warn_missing_groups(self._groups, counts)
        roles.warn_small_groups(self._groups, counts, MIN_MIXTURE_ROWS)
        epochs = self.epochs if self.epochs is not None else default_epochs(n_rows, self.batch_size)
        target_spans, positive_class = self._target_spans, self._positive_class
        n_groups = len(self._groups)
        adapter = get_adapter_class('tabular')(
            self._feature_encoder.spans,
            teacher_dims=self.teacher_dims,
            student_dims=self.student_dims,
            decoder_dims=self.decoder_dims,
        )
        balance_target = inputs.resolve_balance_target(self, target_spans)
        self._model = self._build_model(
            adapter,
            target_spans,
            positive_class,
            # Without a target nothing reads a fair part alone: the whole latent is fair.
            fair_latent_dim=self.fair_latent_dim if self.target_column is not None else None,
            epochs=epochs,
            distill_epochs=self.distill_epochs if self.distill_epochs is not None else max(1, epochs // 2),
            balance_target=balance_target,
            align_target=inputs.resolve_align_target(self, n_groups),
            encode_sensitive=self.encode_sensitive,
        )
        # Each column's groups too: the penalty then holds every attribute, not only the
        # joint groups (whose small intersections weigh little in it).
        self._model.fit(x, y, codes, n_groups, column_groups=column_groups, rows=rows)
        if rows is not None:  # the densities learnt from the sample, where small groups were
            # topped up: rows are drawn at the groups' shares of the whole table.
            self._model.set_group_prior(self._group_prior)
        match_feature_shares(self._model, x, codes, self.seed or 0)  # before the label's fit
        labelled, calibrated, declined = calibration.label_and_calibrate(
            self, processed_data, codes, self.seed or 0
        )
        self._fairness_diagnostics = self._diagnose_fit(x, y, codes, processed_data, labelled,
                                                        calibrated, declined)
        self._seed_sampling()

    # ------------------------------------------------------------------ sampling
    def _validate_conditions(self, conditions):
        super()._validate_conditions(conditions)
        if self._fitted:
            roles.check_conditions(self, conditions)

    def _validate_known_columns(self, conditions):  # sample_remaining_columns' check
        super()._validate_known_columns(conditions)
        if self._fitted:
            roles.check_conditions(self, [conditions])

    def _groups_for_conditions(self, num_rows, conditions):
        """Group of each row when ``conditions`` fix some sensitive columns, else None."""
        prior = inputs.prior_given_conditions(self._groups, self._group_prior, conditions)
        if prior is None:
            return None
        return self._model._numpy_rng.choice(len(prior), size=num_rows, p=prior)

    def _sample(self, num_rows, conditions=None, source='student'):
        groups = self._groups_for_conditions(num_rows, conditions)
        # Conditions on other columns are met by SDV's reject sampling on the returned rows.
        features, target, groups = self._model.sample(num_rows, groups=groups, source=source)
        # The label scorer (label_from_features) has decoded these features already.
        scorer = getattr(self._model, 'label_scorer', None) if source == 'student' else None
        table = scorer.take_decoded(features) if scorer is not None else None
        if table is None:
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
    def _check_fitted(self):
        if not self._fitted:
            raise NotFittedError('Please fit your synthesizer first.')

    def save(self, filepath):
        """Save with SDV's format (cloudpickle), the networks on the CPU so any machine loads it.

        Loading runs code from the file (it is a pickle): only load files you trust.
        """
        with self._networks_on_cpu():
            super().save(filepath)
