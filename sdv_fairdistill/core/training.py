"""The training stages of ``FairDistillModel``: the fair teacher, the student, the density.

Stage 1 (``train_teacher``): the teacher VAE learns a latent independent of the sensitive
group through a distance-covariance penalty. Stage 2 (``distill_student``): a smaller student
encoder is distilled from it with a latent-matching *quality* loss and an output-space KL
*utility* loss through the frozen, shared decoder. Stage 3 (``fit_latent_densities``): the
per-group density of the student's latent. Each takes the model and reads its settings and
networks. Inside ``distributed.data_parallel()`` stages 1 and 2 train on this process's
shard under DDP, the penalty covers the global batch, and stage 3 is fitted once by rank 0
and broadcast. See ``docs/method.md``.
"""

import math

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from sdv_fairdistill.core import distributed
from sdv_fairdistill.core import spans as span_ops
from sdv_fairdistill.core.dcov import dcov2_centered, double_centered_one_hot_distances
from sdv_fairdistill.core.density import GroupedGaussianMixture
from sdv_fairdistill.core.rows import TensorRows


class TrainingDivergedError(RuntimeError):
    """The training loss became NaN or infinite."""


def kl_to_standard_normal(mu, logvar):
    return -0.5 * (1 + logvar - mu**2 - logvar.exp()).sum(dim=1)


def balancing_cell_weights(target_spans, y, groups, n_groups):
    """Reweighing weight ``p(s) p(c) / p(s, c)`` of each (group, class) cell of a
    one-categorical target, as an ``(n_groups, n_classes)`` array."""
    if len(target_spans) != 1 or target_spans[0].kind != span_ops.CATEGORICAL:
        raise ValueError(
            'balance_target=True needs one categorical target (its classes are balanced '
            f'across the sensitive groups); this target is {[s.kind for s in target_spans]}.'
        )
    classes = y.argmax(dim=1).cpu().numpy()
    joint = np.zeros((n_groups, y.shape[1]))
    np.add.at(joint, (np.asarray(groups), classes), 1.0)
    expected = np.outer(joint.sum(axis=1), joint.sum(axis=0)) / len(classes)
    with np.errstate(divide='ignore', invalid='ignore'):
        # An empty cell has no rows to weigh.
        return np.where(joint > 0, expected / joint, 0.0)


def balancing_weights(target_spans, y, groups, n_groups):
    """Reweighing weights ``p(s) p(c) / p(s, c)`` of each row of a one-categorical target."""
    cells = balancing_cell_weights(target_spans, y, groups, n_groups)
    weights = cells[np.asarray(groups), y.argmax(dim=1).cpu().numpy()]
    return torch.as_tensor(weights, dtype=torch.float32)


def _adam(parameters, learning_rate):
    """Adam with its fused kernel where torch has one for these parameters: it updates all
    of them in one pass, where the default loops over the tensors (on a CPU about 6x
    faster for the teacher's networks, a few per cent of a fit; docs/scale.md)."""
    parameters = list(parameters)
    try:
        return torch.optim.Adam(parameters, lr=learning_rate, fused=True)
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.Adam(parameters, lr=learning_rate)


def _batches(model, rows):
    # Data-parallel, each process takes its share of the batch: the global batch is batch_size.
    return rows.batches(distributed.local_batch_size(model.batch_size), model.device)


def _check_finite(loss, stage, epoch):
    # Data-parallel, a loss that diverges in one process stops them all (none waits forever).
    if not distributed.all_processes(torch.isfinite(loss)):
        raise TrainingDivergedError(
            f'Training diverged in the {stage} stage at epoch {epoch}: the loss became '
            f'{loss.item()}. Lower learning_rate or fairness_weight, or check the data '
            'for extreme values.'
        )


def _step(optimizer, loss, terms, sums):
    """One optimiser step; adds each term's value to ``sums``."""
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    for name, value in terms.items():
        sums[name] = sums.get(name, 0.0) + value.item()


def _epoch_row(row, sums, batches):
    row.update({name: total / max(batches, 1) for name, total in sums.items()})
    return row


def _dcov2_with_groups(pieces, views):
    """``dCov^2`` of each piece with each one-hot view of the groups, summed."""
    total = 0.0
    for view in views:
        centered = double_centered_one_hot_distances(view)
        total = total + sum(dcov2_centered(piece, centered) for piece in pieces)
    return total


def fairness_penalty(model, z_fair, target_activation, s, y, marginals=()):
    """``dCov^2`` between the fair latent (and the target head's output) and the group.

    Demographic parity: over the whole batch, ``z_fair`` independent of ``s``. Equalized
    odds: inside each target class, ``z_fair`` independent of ``s`` given ``y`` (one term per
    class, each with weight 1 so a rare class is held as firmly as a common one); a
    classifier of the target from ``z_fair`` then has the same true- and false-positive
    rates in every group. Equal opportunity: the positive class's term only (equal
    true-positive rates). A class with fewer than two rows in the batch adds nothing.

    ``marginals``: with several sensitive columns, the one-hot of each column alone (rows as
    ``s``), penalised beside the joint groups ``s``. A joint group's term weighs about the
    square of its share of the batch, so the many small intersections of two columns hold
    little of the penalty; the columns' own terms hold the fair latent as independent of
    each attribute as a single sensitive column would be (see docs/method.md).
    """
    pieces = [z_fair] if target_activation is None else [z_fair, target_activation]
    views = [s, *marginals]
    if model.fairness_criterion == 'demographic_parity':
        return _dcov2_with_groups(pieces, views)
    classes = y.argmax(dim=1)
    kept = (
        [model.positive_class]
        if model.fairness_criterion == 'equal_opportunity'
        else range(y.shape[1])
    )
    penalty = z_fair.new_zeros(())
    for value in kept:
        rows = classes == value
        if int(rows.sum()) > 1:
            penalty = penalty + _dcov2_with_groups(
                [piece[rows] for piece in pieces], [view[rows] for view in views]
            )
    return penalty


class _TeacherStep(nn.Module):
    """The teacher's networks and the per-row part of its loss, as one module: DDP wraps a
    module whose forward uses its parameters (the heads' ``log_sigma`` included)."""

    def __init__(self, model):
        super().__init__()
        self.teacher_encoder = model.teacher_encoder
        self.feature_decoder = model.feature_decoder
        self.target_decoder = model.target_decoder
        self.adapter = model.adapter
        self.spans = model.target_spans

    def forward(self, x, y, y_in, s):
        """Feature, target and KL losses (batch means), the latent and the target output."""
        mu, logvar = self.teacher_encoder(x, y_in)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        feature = self.adapter.feature_loss(
            self.feature_decoder, self.feature_decoder(z, s), x
        ).mean()
        target_output = self.target_decoder(z) if self.spans else None
        target = (
            span_ops.reconstruction_loss(
                target_output, y, self.spans, self.target_decoder.log_sigma
            ).mean()
            if self.spans
            else feature.new_zeros(())
        )
        kl = kl_to_standard_normal(mu, logvar).mean()
        return feature, target, kl, z, target_output


def train_teacher(model, rows):
    """Stage 1: the teacher encoder, the feature head and the target head.

    ``rows``: a ``core/rows.py`` source (its batches' ``marginals`` are the one-hot of each
    sensitive column alone, when there are several: see ``fairness_penalty``).
    Data-parallel, it holds this process's shard; the penalty is computed on the batch
    gathered from every process (``distributed.gather_rows``)."""
    step = _TeacherStep(model)
    optimizer = _adam(step.parameters(), model.learning_rate)
    step = distributed.wrap(step)
    gather = distributed.gather_rows
    warmup_epochs = max(1, math.ceil(model.fairness_warmup * model.epochs))
    spans = model.target_spans
    for epoch in tqdm(range(model.epochs), desc='Teacher', disable=not model.verbose):
        fairness_weight = model.fairness_weight * min(1.0, (epoch + 1) / warmup_epochs)
        sums, batches = {}, 0
        for batch in _batches(model, rows):
            feature, target, kl, z, target_output = step(
                batch['x'], batch['y'], batch['y_in'], batch['s']
            )
            fairness = fairness_penalty(
                model,
                gather(z[:, : model.fair_latent_dim]),
                gather(span_ops.activate(target_output, spans))
                if spans and model.penalize_target_output else None,
                gather(batch['s']),
                gather(batch['y']),
                [gather(marginal) for marginal in batch['marginals']],
            )
            loss = feature + model.target_weight * target + model.beta * kl
            loss = loss + fairness_weight * fairness
            _check_finite(loss, 'teacher', epoch)
            terms = {
                'Feature Loss': feature,
                'Target Loss': target,
                'KL Loss': kl,
                'Fairness Loss (dCov^2)': fairness,
                'Total Loss': loss,
            }
            _step(optimizer, loss, terms, sums)
            batches += 1
        row = {'Stage': 'teacher', 'Epoch': epoch, 'Fairness Weight': fairness_weight}
        model._loss_rows.append(_epoch_row(row, sums, batches))


def distill_student(model, rows):
    """Stage 2: the student encoder, through the frozen teacher and shared decoder."""
    for module in (model.teacher_encoder, model.feature_decoder, model.target_decoder):
        if module is not None:
            module.requires_grad_(False)
    optimizer = _adam(model.student_encoder.parameters(), model.learning_rate)
    student = distributed.wrap(model.student_encoder)
    spans = model.target_spans
    if isinstance(rows, TensorRows):
        # The frozen teacher gives every row the same posterior in every epoch: encode once
        # (rows streamed from shards are encoded batch by batch instead).
        teacher_mu, teacher_logvar = model._encode(
            model.teacher_encoder, rows.columns['x'], rows.columns['y_in'], logvar=True
        )
        rows.add(teacher_mu=teacher_mu, teacher_logvar=teacher_logvar)
    for epoch in tqdm(range(model.distill_epochs), desc='Student', disable=not model.verbose):
        sums, batches = {}, 0
        for batch in _batches(model, rows):
            x, y_in, s = batch['x'], batch['y_in'], batch['s']
            with torch.no_grad():
                if 'teacher_mu' in batch:
                    mu_t, logvar_t = batch['teacher_mu'], batch['teacher_logvar']
                else:
                    mu_t, logvar_t = model.teacher_encoder(x, y_in)
                teacher_features = model.feature_decoder(mu_t, s)
                teacher_target = model.target_decoder(mu_t) if spans else None
            mu_s, logvar_s = student(x, y_in)
            quality = ((mu_s - mu_t) ** 2).sum(dim=1) + ((logvar_s - logvar_t) ** 2).sum(dim=1)
            utility = model.adapter.feature_distillation_kl(
                model.feature_decoder,
                teacher_features,
                model.feature_decoder(mu_s, s),
                model.temperature,
            )
            if spans:
                utility = utility + span_ops.distillation_kl(
                    teacher_target,
                    model.target_decoder(mu_s),
                    spans,
                    model.target_decoder.log_sigma,
                    model.temperature,
                )
            loss = quality.mean() + model.utility_weight * utility.mean()
            _check_finite(loss, 'student', epoch)
            terms = {'Quality Loss': quality.mean(), 'Utility Loss': utility.mean(), 'Total Loss': loss}
            _step(optimizer, loss, terms, sums)
            batches += 1
        model._loss_rows.append(_epoch_row({'Stage': 'student', 'Epoch': epoch}, sums, batches))
    model.student_encoder.requires_grad_(False)


def fit_latent_densities(model, x, y_in, groups, n_groups, row_weights):
    """Stage 3: the per-group density of the student's latent (and the teacher's, if kept).

    Fitted on one draw of the posterior of every row (all rows, not a shard); data-parallel,
    rank 0 fits it and broadcasts it, so every process holds the same model.
    """
    fitted = None
    if distributed.is_main():
        density_seed = 0 if model.seed is None else model.seed
        # The latent density learns from the same (reweighed) rows as the networks.
        rows = np.arange(len(x))
        if row_weights is not None:
            weights = row_weights.cpu().numpy().astype(float)
            rows = np.random.RandomState(density_seed).choice(
                len(x), len(x), replace=True, p=weights / weights.sum()
            )
            # A draw with replacement can miss a group of a few rows altogether; its own
            # rows then stand for it, so that every group keeps a latent density.
            absent = np.setdiff1d(np.arange(n_groups), np.asarray(groups)[rows])
            if absent.size:
                rows = np.concatenate([rows, np.flatnonzero(np.isin(groups, absent))])
        density_groups = np.asarray(groups)[rows]
        density = GroupedGaussianMixture(model.max_components, random_state=density_seed)
        density.fit(
            model._posterior_samples(model.student_encoder, x[rows], y_in[rows]),
            density_groups,
            n_groups,
        )
        teacher_density = None
        if model.keep_teacher:
            teacher_density = GroupedGaussianMixture(
                model.max_components, random_state=density_seed
            ).fit(
                model._posterior_samples(model.teacher_encoder, x[rows], y_in[rows]),
                density_groups,
                n_groups,
            )
        fitted = density, teacher_density
    model.density, model.teacher_density = distributed.broadcast_object(fitted)
