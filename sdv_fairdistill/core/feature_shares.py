"""A number's missing values (and, on request, every category) generated at the real rows'
shares.

The decoder draws each categorical span (a column's categories, a number's modes and spikes,
the flag of a number's missing values) from its logits of a latent drawn from the group's
latent density. That density is a mixture fitted to the student's latents of the real rows;
it does not give back their distribution exactly, and what the decoder makes of the
difference shifts the shares of categories, and of a number's missing values, by more than
sampling noise (measured in docs/method.md, Stage 3, "Missing values at their share").

So, after the fit, one log-offset per category (the prior-shift adjustment of Saerens et al.,
2002, as the target's class shares get in ``core/alignment.py``) is learnt on seeded draws of
the densities, at the groups' prior, so that each span's mean probability is its share among
the real rows (each group's share weighted by the prior: a sample in which small groups were
topped up counts at the whole table's shares). The offsets are the same for every group: they
move a column's share in the table, not how the column depends on the group. By default only
the flags of numbers' missing values are matched (``MATCHED``): whether a value is missing
was otherwise lost in part (a target's too), while matching every category, though it
brought every column to its real shares, cost fairness on two of three tables.
"""

import numpy as np
import torch

from sdv_fairdistill.core import distributed
from sdv_fairdistill.core import spans as span_ops
from sdv_fairdistill.core.alignment import class_share_offsets

#: Latent draws the offsets are learnt on (seeded; decoding them takes well under a second).
DRAWS = 20_000
#: Logits of the draws held at once, at most: a table whose one-hots are very wide (a column
#: of 40,000 categories) gets fewer draws, at least MIN_DRAWS, rather than gigabytes.
MAX_VALUES = 20_000_000
MIN_DRAWS = 1_000
#: Draws decoded at a time (as ``FairDistillModel.sample`` decodes).
CHUNK = 4096
#: The spans matched: 'missing', the flags of numbers' missing values (the default),
#: 'columns', those and the categorical columns' categories (not the numbers' modes), or
#: 'all' categorical spans. Matching all of them brought every column's shares to the real
#: ones but made COMPAS and German Credit less fair (docs/method.md, Stage 3).
MATCHED = 'missing'
#: A category's real share is kept at least this (a log-offset of a share of 0 is -inf).
MIN_SHARE = 1e-6


def matched_spans(spans):
    """``(span, start, end)`` of the categorical spans whose shares are matched: every one
    with ``MATCHED`` 'all', the columns' categories and the flags with 'columns', else the
    flags of numbers' missing values (SDV's ``<column>.is_null``, two classes, a number
    target's among the features; a constraint's ``.nan_component``)."""
    def matched(span):
        # SDV's flag of a number's missing values, and its constraints' (Inequality, Range:
        # which of the constrained columns are missing, '<a>#<b>.nan_component').
        flag = ((span.column.endswith('.is_null') and span.width == 2)
                or span.column.endswith('.nan_component'))
        modes = span.column.endswith('.component')  # a number's modes and spikes
        return MATCHED == 'all' or flag or (MATCHED == 'columns' and not modes)

    return [(span, start, end) for span, start, end in span_ops._iter(spans)
            if span.kind == span_ops.CATEGORICAL and matched(span)]


def real_shares(x, groups, prior):
    """``(width,)`` the prior-weighted mean over groups of each group's mean encoded row."""
    x = torch.as_tensor(x)
    groups = np.asarray(groups)
    shares = torch.zeros(x.shape[1], dtype=torch.float64)
    present = [g for g in range(len(prior)) if np.any(groups == g)]
    weights = np.asarray(prior, dtype=float)[present]
    for weight, group in zip(weights / weights.sum(), present):
        rows = x[torch.as_tensor(groups == group)]
        shares += weight * rows.sum(dim=0, dtype=torch.float64).cpu() / len(rows)
    return shares


def fit_feature_offsets(model, x, groups, seed):
    """``(width,)`` log-offsets added to the decoder's output before its categorical spans are
    drawn (zeros on continuous spans), learnt as the module docstring says; None when the
    features have no categorical span.

    Args:
        model (FairDistillModel): fitted; its student density draws the latents.
        x (torch.Tensor): the real rows' encoded features (or a sample of them).
        groups (np.ndarray[int]): each row's group.
        seed (int): seeds the draws.
    """
    spans = matched_spans(model.adapter.feature_spans)
    if not spans:
        return None
    wanted = real_shares(x, groups, model.density.group_prior_)
    columns = torch.cat([torch.arange(start, end) for _, start, end in spans])
    draws = max(MIN_DRAWS, min(DRAWS, MAX_VALUES // len(columns)))
    latents, drawn_groups = model.density.sample(draws, np.random.RandomState(seed))
    pieces = []  # only the categorical spans' logits are kept
    with torch.no_grad():
        for begin in range(0, draws, CHUNK):
            z = torch.from_numpy(latents[begin:begin + CHUNK]).to(model.device)
            s = torch.nn.functional.one_hot(
                torch.as_tensor(drawn_groups[begin:begin + CHUNK]), model.n_groups
            ).float().to(model.device)
            pieces.append(model.feature_decoder(z, s)[:, columns.to(model.device)].cpu())
    logits = torch.cat(pieces)
    offsets = torch.zeros(len(wanted))
    position = 0
    for _, start, end in spans:
        shares = wanted[start:end].clamp_min(MIN_SHARE)
        block = logits[:, position:position + end - start]
        offsets[start:end] = class_share_offsets(block, shares / shares.sum()).float()
        position += end - start
    return offsets


def match_feature_shares(model, x, groups, seed):
    """Set ``model.feature_offsets`` (``fit_feature_offsets``); with several processes,
    rank 0's, so that every process holds the same model."""
    offsets = fit_feature_offsets(model, x, groups, seed) if distributed.is_main() else None
    model.feature_offsets = distributed.broadcast_object(offsets)
