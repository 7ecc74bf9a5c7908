"""The teacher-student core: fair teacher VAE, distilled student, latent density.

Kind-agnostic: a ``DataAdapter`` builds the encoders and the feature head; this module trains
them (stage 1: the teacher learns a latent independent of the sensitive group through a
distance-covariance penalty; stage 2: a smaller student encoder is distilled from it with a
latent-matching *quality* loss and an output-space KL *utility* loss through the frozen,
shared decoder), fits the latent density (stage 3) and samples. See ``docs/method.md``.
"""

import contextlib
import math

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from sdv_fairdistill.adapters.base import mlp
from sdv_fairdistill.core import spans as span_ops
from sdv_fairdistill.core.dcov import dcov2_centered, double_centered_one_hot_distances
from sdv_fairdistill.core.density import GroupedGaussianMixture


class TrainingDivergedError(RuntimeError):
    """The training loss became NaN or infinite."""


class TargetDecoder(nn.Module):
    """Target head of the shared decoder: it sees only ``z``, never ``s``."""

    def __init__(self, fair_latent_dim, target_spans, hidden_dims=(64,)):
        super().__init__()
        self.fair_latent_dim = fair_latent_dim
        self.spans = list(target_spans)
        self.net = mlp(fair_latent_dim, hidden_dims, span_ops.total_width(self.spans))
        self.log_sigma = nn.Parameter(torch.zeros(span_ops.count_continuous(self.spans)))

    def forward(self, z):
        return self.net(z[:, : self.fair_latent_dim])


def kl_to_standard_normal(mu, logvar):
    return -0.5 * (1 + logvar - mu**2 - logvar.exp()).sum(dim=1)


class FairDistillModel:
    """Fair teacher, distilled student, shared decoder and latent density.

    Args:
        adapter (DataAdapter): builds the networks that touch the data.
        target_spans (list[Span]): layout of the encoded target (empty: no target).
        latent_dim (int): size of the latent ``z``.
        fair_latent_dim (int or None): the first ``fair_latent_dim`` dimensions of ``z`` form
            the fair part: the penalty covers them and the target head reads only them. The
            rest is free to carry what the features share with ``s`` (fidelity). None: all
            of ``z`` is fair.
        fairness_weight (float): weight ``lambda`` of ``dCov^2(z, s)`` in the teacher loss.
        fairness_warmup (float): fraction of the teacher epochs over which ``lambda`` ramps up
            linearly from 0, so the latent first learns the data, then is made fair.
        beta (float): weight of the KL to ``N(0, I)``.
        target_weight (float): weight of the target's reconstruction loss.
        utility_weight (float): weight ``gamma`` of the output-space KL in distillation.
        temperature (float): softmax temperature of that KL.
        epochs (int): teacher epochs. distill_epochs (int): student epochs.
        batch_size (int), learning_rate (float): optimisation settings.
        max_components (int): largest Gaussian mixture tried for the latent density.
        penalize_target_output (bool): also penalise ``dCov^2`` between the target head's
            output distribution and ``s``: what the target head reads of the latent is what
            must be fair, and on Adult this halved the label gap left in generated data.
        encode_sensitive (bool): whether the encoders see the one-hot sensitive group too
            (appended to the target they condition on). An encoder that knows the group can
            make its latent fair by a group-specific map (e.g. rank within the group) instead
            of discarding everything that correlates with the group: on COMPAS, whose features
            exclude race, this is the difference between keeping and losing most of the
            target's signal.
        encode_target (bool): whether the encoders see the target. When they do not, the
            target head is a calibrated classifier of the target from the fair latent.
        balance_target (bool): train on the rows reweighed so that the target's classes are
            independent of the sensitive group (Kamiran & Calders' reweighing: a row of group
            ``s`` and class ``c`` weighs ``p(s) p(c) / p(s, c)``), by drawing batches and the
            rows of the latent density with those weights. The latent can then keep what
            tells the classes apart and still be independent of the group, instead of losing
            whatever the group's share of each class gives away (on Colored-MNIST, the digit
            itself). Needs a categorical target. The generated data follow the reweighed
            distribution: its label rates are the same in every group by construction.
        keep_teacher (bool): keep the teacher after distillation, to generate from its latent
            space (the ablation); the deployed artefact otherwise needs only the student.
        device (str): torch device.
        verbose (bool): show progress bars.
        seed (int or None): seed of training (weights, batches, mixture); None uses the
            global torch state.
    """

    def __init__(
        self,
        adapter,
        target_spans=(),
        latent_dim=16,
        fair_latent_dim=None,
        fairness_weight=1.0,
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
        self.keep_teacher = keep_teacher
        self.device = torch.device(device)
        self.verbose = verbose
        self.seed = seed
        self.set_random_state(None)

    # ------------------------------------------------------------------ training
    def fit(self, x, y, groups, n_groups):
        """Train all three stages.

        Args:
            x (torch.Tensor): encoded features, ``(n, ...)``.
            y (torch.Tensor): encoded target, ``(n, target_width)`` (zero columns if none).
            groups (np.ndarray[int]): sensitive group of each row, in ``[0, n_groups)``.
            n_groups (int): number of sensitive groups.
        """
        self.n_groups = n_groups
        rng_context = torch.random.fork_rng() if self.seed is not None else contextlib.nullcontext()
        with rng_context:
            if self.seed is not None:
                torch.manual_seed(self.seed)
            x = x.to(self.device)
            y = y.to(self.device)
            s = F.one_hot(torch.as_tensor(groups, dtype=torch.long), n_groups).float()
            s = s.to(self.device)
            y_in = self._encoder_condition(y, s)
            self._row_weights = self._balancing_weights(y, groups, n_groups)
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
            self._train_teacher(x, y, y_in, s)
            self._distill_student(x, y_in, s)

            density_seed = 0 if self.seed is None else self.seed
            # The latent density learns from the same (reweighed) rows as the networks.
            rows = np.arange(len(x))
            if self._row_weights is not None:
                weights = self._row_weights.cpu().numpy().astype(float)
                rows = np.random.RandomState(density_seed).choice(
                    len(x), len(x), replace=True, p=weights / weights.sum()
                )
                # A draw with replacement can miss a group of a few rows altogether; its own
                # rows then stand for it, so that every group keeps a latent density.
                absent = np.setdiff1d(np.arange(n_groups), np.asarray(groups)[rows])
                if absent.size:
                    rows = np.concatenate([rows, np.flatnonzero(np.isin(groups, absent))])
            density_groups = np.asarray(groups)[rows]
            self.density = GroupedGaussianMixture(self.max_components, random_state=density_seed)
            self.density.fit(
                self._posterior_samples(self.student_encoder, x[rows], y_in[rows]),
                density_groups,
                n_groups,
            )
            self.teacher_density = None
            if self.keep_teacher:
                self.teacher_density = GroupedGaussianMixture(
                    self.max_components, random_state=density_seed
                ).fit(
                    self._posterior_samples(self.teacher_encoder, x[rows], y_in[rows]),
                    density_groups,
                    n_groups,
                )
            else:
                self.teacher_encoder = None
            del self._row_weights

        self.loss_values = pd.DataFrame(self._loss_rows)
        del self._loss_rows
        return self

    def _modules(self):
        names = ('teacher_encoder', 'student_encoder', 'feature_decoder', 'target_decoder')
        return [getattr(self, name) for name in names if getattr(self, name, None) is not None]

    def _balancing_weights(self, y, groups, n_groups):
        """Reweighing weights ``p(s) p(c) / p(s, c)`` of each row, or None (no balancing).

        Without a target there is nothing to balance across the groups: None.
        """
        if not self.balance_target or not self.target_spans:
            return None
        if len(self.target_spans) != 1 or self.target_spans[0].kind != span_ops.CATEGORICAL:
            raise ValueError(
                'balance_target=True needs one categorical target (its classes are balanced '
                f'across the sensitive groups); this target is {[s.kind for s in self.target_spans]}.'
            )
        classes = y.argmax(dim=1).cpu().numpy()
        groups = np.asarray(groups)
        joint = np.zeros((n_groups, y.shape[1]))
        np.add.at(joint, (groups, classes), 1.0)
        expected = np.outer(joint.sum(axis=1), joint.sum(axis=0)) / len(classes)
        weights = expected[groups, classes] / joint[groups, classes]
        return torch.as_tensor(weights, dtype=torch.float32)

    def _batches(self, n_rows):
        if self._row_weights is not None:
            # An epoch of rows drawn with the reweighing weights: the reweighed distribution.
            order = torch.multinomial(self._row_weights, n_rows, replacement=True)
        else:
            order = torch.randperm(n_rows)
        for start in range(0, n_rows, self.batch_size):
            rows = order[start : start + self.batch_size]
            if len(rows) > 1:  # distance covariance needs at least two rows
                yield rows.to(self.device)

    def _check_finite(self, loss, stage, epoch):
        if not torch.isfinite(loss):
            raise TrainingDivergedError(
                f'Training diverged in the {stage} stage at epoch {epoch}: the loss became '
                f'{loss.item()}. Lower learning_rate or fairness_weight, or check the data '
                'for extreme values.'
            )

    def _target_loss(self, output, y):
        return span_ops.reconstruction_loss(
            output, y, self.target_spans, self.target_decoder.log_sigma
        )

    def _train_teacher(self, x, y, y_in, s):
        parameters = [
            p
            for module in (self.teacher_encoder, self.feature_decoder, self.target_decoder)
            if module is not None
            for p in module.parameters()
        ]
        optimizer = torch.optim.Adam(parameters, lr=self.learning_rate)
        warmup_epochs = max(1, math.ceil(self.fairness_warmup * self.epochs))
        for epoch in tqdm(range(self.epochs), desc='Teacher', disable=not self.verbose):
            fairness_weight = self.fairness_weight * min(1.0, (epoch + 1) / warmup_epochs)
            sums, batches = {}, 0
            for rows in self._batches(len(x)):
                mu, logvar = self.teacher_encoder(x[rows], y_in[rows])
                z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
                feature = self.adapter.feature_loss(
                    self.feature_decoder, self.feature_decoder(z, s[rows]), x[rows]
                ).mean()
                target_output = self.target_decoder(z) if self.target_spans else None
                target = (
                    self._target_loss(target_output, y[rows]).mean()
                    if self.target_spans
                    else feature.new_zeros(())
                )
                kl = kl_to_standard_normal(mu, logvar).mean()
                s_centered = double_centered_one_hot_distances(s[rows])
                fairness = dcov2_centered(z[:, : self.fair_latent_dim], s_centered)
                if self.target_spans and self.penalize_target_output:
                    fairness = fairness + dcov2_centered(
                        span_ops.activate(target_output, self.target_spans), s_centered
                    )
                loss = feature + self.target_weight * target + self.beta * kl
                loss = loss + fairness_weight * fairness
                self._check_finite(loss, 'teacher', epoch)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                terms = {
                    'Feature Loss': feature,
                    'Target Loss': target,
                    'KL Loss': kl,
                    'Fairness Loss (dCov^2)': fairness,
                    'Total Loss': loss,
                }
                for name, value in terms.items():
                    sums[name] = sums.get(name, 0.0) + value.item()
                batches += 1
            row = {'Stage': 'teacher', 'Epoch': epoch, 'Fairness Weight': fairness_weight}
            row.update({name: total / max(batches, 1) for name, total in sums.items()})
            self._loss_rows.append(row)

    def _distill_student(self, x, y, s):
        for module in (self.teacher_encoder, self.feature_decoder, self.target_decoder):
            if module is not None:
                module.requires_grad_(False)
        optimizer = torch.optim.Adam(self.student_encoder.parameters(), lr=self.learning_rate)
        # The frozen teacher gives every row the same posterior in every epoch: encode once.
        teacher_mu, teacher_logvar = self._encode(self.teacher_encoder, x, y, logvar=True)
        for epoch in tqdm(range(self.distill_epochs), desc='Student', disable=not self.verbose):
            sums, batches = {}, 0
            for rows in self._batches(len(x)):
                mu_t, logvar_t = teacher_mu[rows], teacher_logvar[rows]
                with torch.no_grad():
                    teacher_features = self.feature_decoder(mu_t, s[rows])
                    teacher_target = self.target_decoder(mu_t) if self.target_spans else None
                mu_s, logvar_s = self.student_encoder(x[rows], y[rows])
                quality = ((mu_s - mu_t) ** 2).sum(dim=1) + ((logvar_s - logvar_t) ** 2).sum(dim=1)
                utility = self.adapter.feature_distillation_kl(
                    self.feature_decoder,
                    teacher_features,
                    self.feature_decoder(mu_s, s[rows]),
                    self.temperature,
                )
                if self.target_spans:
                    utility = utility + span_ops.distillation_kl(
                        teacher_target,
                        self.target_decoder(mu_s),
                        self.target_spans,
                        self.target_decoder.log_sigma,
                        self.temperature,
                    )
                loss = quality.mean() + self.utility_weight * utility.mean()
                self._check_finite(loss, 'student', epoch)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                terms = {'Quality Loss': quality.mean(), 'Utility Loss': utility.mean(), 'Total Loss': loss}
                for name, value in terms.items():
                    sums[name] = sums.get(name, 0.0) + value.item()
                batches += 1
            row = {'Stage': 'student', 'Epoch': epoch}
            row.update({name: total / max(batches, 1) for name, total in sums.items()})
            self._loss_rows.append(row)
        self.student_encoder.requires_grad_(False)

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

    # ------------------------------------------------------------------ sampling
    def set_random_state(self, random_state):
        """Seed sampling: an int, a ``(np.random.RandomState, torch.Generator)`` or None."""
        if random_state is None:
            self._numpy_rng = np.random.RandomState()
            self._torch_rng = torch.Generator().manual_seed(int(self._numpy_rng.randint(2**31)))
        elif isinstance(random_state, int):
            self._numpy_rng = np.random.RandomState(random_state)
            self._torch_rng = torch.Generator().manual_seed(random_state)
        elif (
            isinstance(random_state, tuple)
            and isinstance(random_state[0], np.random.RandomState)
            and isinstance(random_state[1], torch.Generator)
        ):
            self._numpy_rng, self._torch_rng = random_state
        else:
            raise TypeError(
                '`random_state` must be an int, None, or a tuple of '
                f'(np.random.RandomState, torch.Generator); got {random_state!r}.'
            )

    @torch.no_grad()
    def sample(self, num_rows, groups=None, source='student', chunk=4096):
        """Generate rows in the encoded space.

        Args:
            num_rows (int): number of rows.
            groups (np.ndarray[int] or None): fixes the sensitive group of each row.
            source (str): 'student' (default) or 'teacher' latent space.

        Returns:
            tuple: features ``(num_rows, ...)``, target ``(num_rows, target_width)`` (CPU
            tensors) and the groups (``np.ndarray``).
        """
        density = self.density if source == 'student' else self._teacher_density_or_error()
        latents, groups = density.sample(num_rows, self._numpy_rng, groups)
        # Small chunks reuse the same few buffers; one huge chunk spends longer page-faulting
        # fresh memory than multiplying (measured on Adult: 0.37 s against 0.45-0.8 s).
        features, targets = [], []
        for start in range(0, num_rows, chunk):
            z = torch.from_numpy(latents[start : start + chunk]).to(self.device)
            s = F.one_hot(torch.as_tensor(groups[start : start + chunk]), self.n_groups).float()
            output = self.feature_decoder(z, s.to(self.device)).cpu()
            features.append(
                self.adapter.feature_sample(self.feature_decoder, output, self._torch_rng)
            )
            if self.target_spans:
                target_output = self.target_decoder(z).cpu()
                targets.append(
                    span_ops.sample(
                        target_output,
                        self.target_spans,
                        self.target_decoder.log_sigma.cpu(),
                        self._torch_rng,
                    )
                )
            else:
                targets.append(torch.zeros(len(z), 0))
        return torch.cat(features), torch.cat(targets), groups

    def _teacher_density_or_error(self):
        if getattr(self, 'teacher_density', None) is None:
            raise ValueError(
                'No teacher latent density: fit with keep_teacher=True to sample from the '
                'teacher latent space.'
            )
        return self.teacher_density

    def parameter_counts(self):
        """Number of parameters of each network (the teacher only if kept)."""
        counts = {}
        for name in ('teacher_encoder', 'student_encoder', 'feature_decoder', 'target_decoder'):
            module = getattr(self, name, None)
            if module is not None:
                counts[name] = sum(p.numel() for p in module.parameters())
        return counts

    def to(self, device):
        """Move every network to ``device`` (e.g. after loading on a machine without a GPU)."""
        self.device = torch.device(device)
        for module in self._modules():
            module.to(self.device)
        return self
