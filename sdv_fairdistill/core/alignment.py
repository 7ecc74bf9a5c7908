"""Group alignment of the target head: every group gets the pooled distribution of scores.

The penalty makes the fair latent nearly independent of the sensitive group, but not exactly:
what is left differs from fit to fit, and a group with few rows weighs little in a batch's
distance covariance, so small groups (intersections) keep the most of it. After training,
this step removes what is left at the one place the target is generated.

For each group ``g``, draws of the group's latent density give the distribution of the
target head's score ``t`` (the logit of the second class for a two-class target, the mean for
a continuous one). A monotone map ``T_g = Q o F_g`` sends the group's distribution onto the
pooled one, whose quantile function ``Q`` is the group-prior-weighted mean of the groups'
quantile functions (their Wasserstein barycenter; Chzhen et al., 2020, "Fair regression with
Wasserstein barycenters"). Being monotone, it keeps the order of the rows inside a group (who
is more likely positive than whom); after it, the score has the same distribution in every
group, so the generated target does too, and a classifier that thresholds it selects the same
share of every group. A target of more than two classes gets per-group log-offsets instead,
so that each group's expected class shares equal the pooled shares (the prior-shift
adjustment of Saerens et al., 2002).
"""

import numpy as np
import torch

from sdv_fairdistill.core import spans as span_ops

#: Latent draws per group (fewer per group when there are many groups, at least MIN_DRAWS).
DRAWS_PER_GROUP = 4000
MAX_DRAWS = 200_000
MIN_DRAWS = 500
QUANTILES = np.linspace(0.0, 1.0, 513)
#: The class-share offsets' iterations stop when every share is within this factor (in log)
#: of the wanted one, or after ``OFFSET_ITERATIONS``: near-certain rows (a sharpened, confident
#: classifier) move their group's shares slowly, and 50 steps left a share at 0.13 for 0.10.
OFFSET_TOLERANCE = 1e-4
OFFSET_ITERATIONS = 2000


def alignable(spans):
    """Whether a target of these spans can be aligned: one continuous span, or one
    categorical span of at least two classes (a single class has nothing to align)."""
    return len(spans) == 1 and (spans[0].kind != span_ops.CATEGORICAL or spans[0].width > 1)


class TargetAlignment:
    """Per-group maps of the target head's output onto the pooled distribution.

    Fitted on draws of each group's latent density (``fit``), applied to the head's raw output
    before the target is drawn (``transform``).
    """

    def fit(self, scores_by_group, group_prior, span):
        """Learn the maps from the head's raw output on draws of each group.

        Args:
            scores_by_group (list[torch.Tensor]): the target head's output ``(draws, width)``
                for each group.
            group_prior (np.ndarray): the groups' shares, the weights of the pooled target.
            span (Span): the target's span.
        """
        self.span = span
        prior = np.asarray(group_prior, dtype=float) / np.sum(group_prior)
        if span.kind == span_ops.CATEGORICAL and span.width > 2:
            self._fit_offsets(scores_by_group, prior)
            return self
        values = [_score(output, span).numpy().astype(float) for output in scores_by_group]
        # Quantile functions at the same probabilities; their weighted mean is the pooled one.
        self.group_quantiles_ = np.stack([np.quantile(value, QUANTILES) for value in values])
        self.pooled_quantiles_ = prior @ self.group_quantiles_
        return self

    def _fit_offsets(self, scores_by_group, prior):
        pooled = pooled_class_shares(scores_by_group, prior)
        self.offsets_ = torch.stack(
            [class_share_offsets(output, pooled) for output in scores_by_group]
        ).float()

    def transform(self, output, groups):
        """The head's raw output ``(n, width)`` of rows of ``groups``, aligned."""
        span = self.span
        groups = np.asarray(groups)
        if span.kind == span_ops.CATEGORICAL and span.width > 2:
            return output + self.offsets_[torch.as_tensor(groups, dtype=torch.long)]
        score = _score(output, span).numpy().astype(float)
        aligned = score.copy()
        for group in np.unique(groups):
            rows = groups == group
            aligned[rows] = _quantile_map(
                score[rows], self.group_quantiles_[group], self.pooled_quantiles_
            )
        aligned = torch.as_tensor(aligned, dtype=output.dtype)
        if span.kind == span_ops.CATEGORICAL:
            # Two logits whose difference is the aligned score: the same softmax.
            return torch.stack([torch.zeros_like(aligned), aligned], dim=1)
        return aligned[:, None]


def pooled_class_shares(logits_by_group, prior):
    """The prior-weighted mean of the groups' mean class probabilities (``(width,)``)."""
    return sum(
        weight * torch.softmax(logits.double(), dim=1).mean(dim=0)
        for weight, logits in zip(prior, logits_by_group)
    )


def class_share_offsets(logits, shares):
    """Log-offsets ``(width,)`` that give rows of ``logits`` ``(n, width)`` the mean class
    probabilities ``shares`` (the prior-shift adjustment of Saerens et al., 2002: each step
    multiplies a class's odds by how far its share is from the wanted one)."""
    logits = logits.double()
    offset = torch.zeros(logits.shape[1], dtype=torch.float64)
    for _ in range(OFFSET_ITERATIONS):
        # A floor: a class no row can take (its probability underflows) must not give inf.
        share = torch.softmax(logits + offset, dim=1).mean(dim=0).clamp_min(1e-300)
        step = torch.log(shares) - torch.log(share)
        offset = offset + step
        if float(step.abs().max()) < OFFSET_TOLERANCE:
            break
    return offset - offset.mean()


def _score(output, span):
    if span.kind == span_ops.CATEGORICAL:
        return output[:, 1] - output[:, 0]
    return output[:, 0]


def _quantile_map(values, group_quantiles, pooled_quantiles):
    """``Q(F_g(values))``: the group's CDF by interpolation between its quantiles, then the
    pooled quantile function. Flat stretches of the group's quantiles (ties) map to their
    middle probability; values outside the group's range are clamped to its ends."""
    unique, first = np.unique(group_quantiles, return_index=True)
    last = len(group_quantiles) - 1 - np.unique(group_quantiles[::-1], return_index=True)[1]
    probability = (QUANTILES[first] + QUANTILES[last]) / 2
    if len(unique) == 1:
        return np.full_like(values, np.interp(0.5, QUANTILES, pooled_quantiles))
    return np.interp(np.interp(values, unique, probability), QUANTILES, pooled_quantiles)


def draws_per_group(n_groups):
    """How many latent draws each group's map is fitted on."""
    return int(max(MIN_DRAWS, min(DRAWS_PER_GROUP, MAX_DRAWS // max(n_groups, 1))))


@torch.no_grad()
def fit_alignment(target_decoder, density, span, seed, device='cpu'):
    """A ``TargetAlignment`` fitted on seeded draws of each group of ``density`` (a
    ``GroupedGaussianMixture``) through ``target_decoder``."""
    rng = np.random.RandomState(seed)
    draws = draws_per_group(density.n_groups_)
    outputs = []
    for group in range(density.n_groups_):
        latents, _ = density.sample(draws, rng, groups=np.full(draws, group))
        outputs.append(target_decoder(torch.from_numpy(latents).to(device)).cpu())
    return TargetAlignment().fit(outputs, density.group_prior_, span)
