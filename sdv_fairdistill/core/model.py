"""The teacher-student core: fair teacher VAE, distilled student, latent density.

Kind-agnostic: a ``DataAdapter`` builds the encoders and the feature head; this module builds
the model, has ``core/training.py`` train it (stage 1: the fair teacher; stage 2: the
distilled student) and fits the latent density (stage 3); ``core/model_sampling.py`` samples.
See ``docs/method.md``.
"""

import contextlib

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from sdv_fairdistill.core import distributed, training
from sdv_fairdistill.core.alignment import alignable, fit_alignment
from sdv_fairdistill.core.criteria import check_criterion
from sdv_fairdistill.core.feature_labels import fit_score_alignment
from sdv_fairdistill.core.model_sampling import ModelSamplingMixin
# TargetDecoder is imported here too: synthesizers saved before it moved name it from here.
from sdv_fairdistill.core.networks import TargetDecoder
from sdv_fairdistill.core.rows import TensorRows
from sdv_fairdistill.core.training import TrainingDivergedError, kl_to_standard_normal

__all__ = ['FairDistillModel', 'TargetDecoder', 'TrainingDivergedError', 'kl_to_standard_normal']


class FairDistillModel(ModelSamplingMixin):
    """Fair teacher, distilled student, shared decoder and latent density.

    Args:
        adapter (DataAdapter): builds the networks that touch the data.
        target_spans (list[Span]): layout of the encoded target; empty (the default): no target.
        latent_dim (int): size of the latent ``z``. Defaults to 16.
        fair_latent_dim (int or None): the first ``fair_latent_dim`` dimensions of ``z`` are
            the fair part: the penalty covers them and the target head reads only them; the
            rest may carry what the features share with ``s``. Defaults to None (all of ``z``).
        fairness_weight (float): weight ``lambda`` of ``dCov^2(z, s)`` in the teacher loss.
            Defaults to 1.0.
        fairness_criterion (str): what the penalty makes independent of the group:
            'demographic_parity' (the fair latent), 'equalized_odds' (the fair latent inside
            each target class) or 'equal_opportunity' (inside ``positive_class``); the last
            two need one categorical target. Defaults to 'demographic_parity'.
        positive_class (int or None): column of the positive class in the one-hot target,
            for 'equal_opportunity'. Defaults to None.
        fairness_warmup (float): fraction of the teacher epochs over which ``lambda`` ramps up
            linearly from 0. Defaults to 0.2.
        beta (float): weight of the KL to ``N(0, I)``. Defaults to 1.0.
        target_weight (float): weight of the target's reconstruction loss. Defaults to 1.0.
        utility_weight (float): weight ``gamma`` of the output-space KL in distillation.
            Defaults to 1.0.
        temperature (float): softmax temperature of that KL. Defaults to 2.0.
        epochs (int): teacher epochs. Defaults to 100.
        distill_epochs (int): student epochs. Defaults to 50.
        batch_size (int): rows per batch. Defaults to 500.
        learning_rate (float): Adam's learning rate. Defaults to 1e-3.
        max_components (int): largest Gaussian mixture tried for the latent density.
            Defaults to 16.
        encode_target (bool): whether the encoders see the target; if not, the target head is
            a calibrated classifier of the target from the fair latent. Defaults to True.
        encode_sensitive (bool): whether the encoders also see the one-hot sensitive group
            (appended to the target they condition on). Defaults to False.
        penalize_target_output (bool): also penalise ``dCov^2`` between the target head's
            output distribution and ``s``. Defaults to True.
        balance_target (bool): train on rows reweighed so that the target's classes are
            independent of the sensitive group (Kamiran & Calders: a row of group ``s`` and
            class ``c`` weighs ``p(s) p(c) / p(s, c)``), in the batches and the rows of the
            latent density; needs one categorical target. Defaults to False.
        align_target (bool): after training, map each group's target scores monotonically
            onto their pooled distribution (``core/alignment.py``), so that the generated
            target has the same distribution in every group. Defaults to False.
        keep_teacher (bool): keep the teacher after distillation, to generate from its latent
            space (the ablation). Defaults to False.
        device (str): torch device. Defaults to 'cpu'.
        verbose (bool): show progress bars. Defaults to False.
        seed (int or None): seed of training (weights, batches, mixture). Defaults to None
            (the global torch state).
    """

    def __init__(
        self,
        adapter,
        target_spans=(),
        latent_dim=16,
        fair_latent_dim=None,
        fairness_weight=1.0,
        fairness_criterion='demographic_parity',
        positive_class=None,
        fairness_warmup=0.2,
        beta=1.0,
        target_weight=1.0,
        utility_weight=1.0,
        temperature=2.0,
        epochs=100,
        distill_epochs=50,
        batch_size=500,
        learning_rate=1e-3,
        max_components=16,
        encode_target=True,
        encode_sensitive=False,
        penalize_target_output=True,
        balance_target=False,
        align_target=False,
        keep_teacher=False,
        device='cpu',
        verbose=False,
        seed=None,
    ):
        self.adapter = adapter
        self.target_spans = list(target_spans)
        self.latent_dim = latent_dim
        self.fair_latent_dim = latent_dim if fair_latent_dim is None else fair_latent_dim
        self.fairness_weight = fairness_weight
        self.fairness_criterion = fairness_criterion
        self.positive_class = positive_class
        self.fairness_warmup = fairness_warmup
        self.beta = beta
        self.target_weight = target_weight
        self.utility_weight = utility_weight
        self.temperature = temperature
        self.epochs = epochs
        self.distill_epochs = distill_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.max_components = max_components
        self.encode_target = encode_target
        self.encode_sensitive = encode_sensitive
        self.penalize_target_output = penalize_target_output
        self.balance_target = balance_target
        self.align_target = align_target
        self.keep_teacher = keep_teacher
        self.device = torch.device(device)
        self.verbose = verbose
        self.seed = seed
        self.set_random_state(None)

    # ------------------------------------------------------------------ training
    def fit(self, x, y, groups, n_groups, column_groups=None, rows=None):
        """Train all three stages.

        Args:
            x (torch.Tensor): encoded features, ``(n, ...)``.
            y (torch.Tensor): encoded target, ``(n, target_width)`` (zero columns if none).
            groups (np.ndarray[int]): sensitive group of each row, in ``[0, n_groups)``.
            n_groups (int): number of sensitive groups.
            column_groups (np.ndarray[int] or None): with several sensitive columns, the
                group of each row in each column alone, ``(n, columns)`` (codes from 0);
                the penalty then also covers each column's groups. Defaults to None.
            rows (ShardedRows or None): where stages 1 and 2 read their rows, when the table
                is streamed from shard files (``core/rows.py``); ``x``, ``y`` and ``groups``
                are then a sample of it, on which the latent density is fitted.
                Defaults to None (train on ``x``, ``y`` and ``groups``).
        """
        check_criterion(self.fairness_criterion, self.target_spans, self.positive_class)
        self.n_groups = n_groups
        with torch.random.fork_rng() if self.seed is not None else contextlib.nullcontext():
            if self.seed is not None:
                torch.manual_seed(self.seed)
            x, y = x.to(self.device), y.to(self.device)
            group_codes = torch.as_tensor(groups, dtype=torch.long)
            s = F.one_hot(group_codes, n_groups).float().to(self.device)
            y_in = self._encoder_condition(y, s)
            distributed.check_same_rows(x, 'encoded tables')
            row_weights = self._balancing_weights(y, groups, n_groups)
            if rows is not None:
                rows.encoder_condition = self._encoder_condition
                if row_weights is not None:
                    rows.cell_weights = training.balancing_cell_weights(
                        self.target_spans, y, groups, n_groups
                    )
            target_dim = y_in.shape[1]
            self.teacher_encoder = self.adapter.build_teacher_encoder(self.latent_dim, target_dim)
            self.student_encoder = self.adapter.build_student_encoder(self.latent_dim, target_dim)
            self.feature_decoder = self.adapter.build_feature_decoder(self.latent_dim, n_groups)
            # No target, no target head (an empty linear layer only makes torch warn).
            self.target_decoder = (
                TargetDecoder(self.fair_latent_dim, self.target_spans) if self.target_spans else None
            )
            for module in self._modules():
                module.to(self.device)

            self._loss_rows = []
            columns = [] if column_groups is None else np.asarray(column_groups).T
            marginals = [
                F.one_hot(torch.as_tensor(codes, dtype=torch.long)).float().to(self.device)
                for codes in (columns if len(columns) > 1 else [])
            ]
            # Data-parallel, this process trains on its shard of the rows (else all of them).
            shard = distributed.local_rows(len(x), self.seed)
            local = (lambda t: t) if shard is None else (lambda t: t[shard.to(t.device)])
            distributed.seed_this_process(self.seed)
            if rows is None:
                rows = TensorRows(
                    local(x), local(y), local(y_in), local(s), [local(m) for m in marginals],
                    None if row_weights is None else local(row_weights),
                )
            training.train_teacher(self, rows)
            training.distill_student(self, rows)
            training.fit_latent_densities(self, x, y_in, groups, n_groups, row_weights)
            if not self.keep_teacher:
                self.teacher_encoder = None
            density_seed = 0 if self.seed is None else self.seed
            self.target_alignment = self._fit_alignment(self.density, density_seed)
            self.teacher_target_alignment = self._fit_alignment(self.teacher_density, density_seed)
            # Per-group log-odds offsets of a two-class target, set by a calibration after
            # the fit (``core/calibration.py``); None: the head's output as it is.
            self.target_offsets = None
            # Log-offsets of the features' categories, set after the fit (feature_shares.py).
            self.feature_offsets = None
            # A classifier of the real rows that draws the label instead of the head, set
            # after the fit (``use_label_scorer``); None: the head draws it.
            self.label_scorer = self.label_alignment = None

        self.loss_values = pd.DataFrame(self._loss_rows)
        del self._loss_rows
        return self

    def use_label_scorer(self, scorer, seed, sharpness=1.0, repair=1.0, class_shares=None):
        """Draw the target from ``scorer(features, groups)`` (a class's logits, or a number)
        instead of the target head, aligned as ``fit_score_alignment`` says (the student's
        rows; the teacher, an ablation, keeps its head)."""
        self.label_alignment = fit_score_alignment(self, scorer, seed, sharpness, repair,
                                                   class_shares)
        self.label_scorer = scorer

    def _fit_alignment(self, density, seed):
        """The target alignment on draws of ``density`` (None when it is off or impossible)."""
        if not (self.align_target and density is not None and alignable(self.target_spans)):
            return None
        return fit_alignment(self.target_decoder, density, self.target_spans[0], seed, self.device)

    def _modules(self):
        names = ('teacher_encoder', 'student_encoder', 'feature_decoder', 'target_decoder')
        return [getattr(self, name) for name in names if getattr(self, name, None) is not None]

    def _balancing_weights(self, y, groups, n_groups):
        """Reweighing weights ``p(s) p(c) / p(s, c)`` of each row, or None (no balancing).

        Without a target there is nothing to balance across the groups: None.
        """
        if not self.balance_target or not self.target_spans:
            return None
        return training.balancing_weights(self.target_spans, y, groups, n_groups)

    @torch.no_grad()
    def _posterior_samples(self, encoder, x, y, chunk=10000):
        """One draw of ``z ~ q(z | x, y)`` per row: a sample of the aggregate posterior.

        The decoder was trained on such draws, not on the means: when the posterior spread is
        not small against the spread of the means (a strongly penalised latent), a density
        fitted on the means alone would feed the decoder latents it never saw.
        """
        draws = []
        for start in range(0, len(x), chunk):
            mu, logvar = encoder(x[start : start + chunk], y[start : start + chunk])
            draws.append(mu + torch.randn_like(mu) * torch.exp(0.5 * logvar))
        return torch.cat(draws).cpu().numpy()

    @torch.no_grad()
    def _encode(self, encoder, x, y, chunk=10000, logvar=False):
        """Latent means as a NumPy array, or ``(mu, logvar)`` tensors on the device."""
        outputs = [encoder(x[i : i + chunk], y[i : i + chunk]) for i in range(0, len(x), chunk)]
        mu = torch.cat([output[0] for output in outputs])
        if logvar:
            return mu, torch.cat([output[1] for output in outputs])
        return mu.cpu().numpy()

    def _encoder_condition(self, y, s):
        """What the encoders see besides ``x``: the target and / or the sensitive one-hot."""
        pieces = [y if self.encode_target else y[:, :0]]
        if self.encode_sensitive:
            pieces.append(s)
        return torch.cat(pieces, dim=1)

    def parameter_counts(self):
        """Number of parameters of each network (the teacher only if kept)."""
        names = ('teacher_encoder', 'student_encoder', 'feature_decoder', 'target_decoder')
        return {name: sum(p.numel() for p in module.parameters()) for name in names
                if (module := getattr(self, name, None)) is not None}

    def to(self, device):
        """Move every network to ``device`` (e.g. after loading on a machine without a GPU)."""
        self.device = torch.device(device)
        for module in self._modules():
            module.to(self.device)
        return self
