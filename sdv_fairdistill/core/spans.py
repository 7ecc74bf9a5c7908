"""Span-wise output heads: losses, distillation KL and sampling for mixed-type vectors.

A vector is a concatenation of spans. A ``'categorical'`` span of width ``k`` is a one-hot
(the head outputs ``k`` logits); a ``'continuous'`` span of width 1 is a real value (the head
outputs its mean, with a learned per-span standard deviation). The same code serves the
features of a table and the target of every data kind.
"""

from dataclasses import dataclass

import torch
import torch.nn.functional as F

CATEGORICAL = 'categorical'
CONTINUOUS = 'continuous'


@dataclass(frozen=True)
class Span:
    """One block of an encoded vector: ``kind`` is 'categorical' or 'continuous'.

    ``spikes`` (continuous spans only): the last ``spikes`` columns of the categorical span
    that follows are modes holding a single value (a column's zeros, say). A row in one of them
    has no scalar to learn, so it adds nothing to this span's loss, and its learned sigma is
    the spread of the other rows (with the spike rows' exact zeros in it, it shrank with their
    share and sharpened the loss on the other rows in proportion).
    """

    width: int
    kind: str
    column: str = ''
    spikes: int = 0


def total_width(spans):
    return sum(span.width for span in spans)


def _iter(spans):
    start = 0
    for span in spans:
        yield span, start, start + span.width
        start += span.width


def _outside_spikes(probabilities, span):
    """Each row's probability (or indicator) of a mode that is not a spike of ``span``."""
    return 1 - probabilities[:, probabilities.shape[1] - span.spikes :].sum(dim=1)


def _spike_modes(blocks, index):
    """Start and end of the categorical span after continuous span ``index``: its modes, the
    last ``spikes`` of them the spikes. Spans built any other way are refused, since the
    masks would read another column's one-hot."""
    span = blocks[index][0]
    modes = blocks[index + 1][0] if index + 1 < len(blocks) else None
    if modes is None or modes.kind != CATEGORICAL or modes.width <= span.spikes:
        raise ValueError(
            f'Span {index} ({span.column!r}) has {span.spikes} spike(s), but the span after it '
            'is not a categorical span of its modes with room for them.'
        )
    _, start, end = blocks[index + 1]
    return start, end


def reconstruction_loss(output, target, spans, log_sigma):
    """Per-row negative log-likelihood of ``target`` under the head ``output``.

    Cross-entropy for categorical spans; Gaussian NLL (learned sigma) for continuous spans,
    left out for rows in a spike mode (``Span.spikes``). ``log_sigma`` holds one value per
    continuous span, in order.
    """
    loss = output.new_zeros(output.shape[0])
    continuous_index = 0
    blocks = list(_iter(spans))
    for index, (span, start, end) in enumerate(blocks):
        if span.kind == CATEGORICAL:
            loss = loss + F.cross_entropy(
                output[:, start:end], target[:, start:end].argmax(dim=1), reduction='none'
            )
        else:
            sigma_log = log_sigma[continuous_index]
            continuous_index += 1
            squared = (output[:, start] - target[:, start]) ** 2
            term = squared / (2 * torch.exp(2 * sigma_log)) + sigma_log
            if span.spikes:
                mode_start, mode_end = _spike_modes(blocks, index)
                term = term * _outside_spikes(target[:, mode_start:mode_end], span)
            loss = loss + term
    return loss


def distillation_kl(teacher_output, student_output, spans, log_sigma, temperature):
    """Per-row KL(teacher head || student head), summed over spans.

    Categorical spans: KL between tempered softmaxes (scaled by ``temperature**2`` as in
    classic knowledge distillation). Continuous spans: KL between Gaussians with the shared
    sigma, which is the squared mean difference over ``2 sigma^2`` (times the teacher's
    probability of a mode that is not a spike, ``Span.spikes``).
    """
    kl = teacher_output.new_zeros(teacher_output.shape[0])
    continuous_index = 0
    blocks = list(_iter(spans))
    for index, (span, start, end) in enumerate(blocks):
        if span.kind == CATEGORICAL:
            teacher_log = F.log_softmax(teacher_output[:, start:end] / temperature, dim=1)
            student_log = F.log_softmax(student_output[:, start:end] / temperature, dim=1)
            kl = kl + (teacher_log.exp() * (teacher_log - student_log)).sum(dim=1) * temperature**2
        else:
            sigma = torch.exp(log_sigma[continuous_index])
            continuous_index += 1
            term = (teacher_output[:, start] - student_output[:, start]) ** 2 / (2 * sigma**2)
            if span.spikes:
                # Weighted by the teacher's probability of a mode whose scalar is used.
                mode_start, mode_end = _spike_modes(blocks, index)
                modes = F.softmax(teacher_output[:, mode_start:mode_end], dim=1)
                term = term * _outside_spikes(modes, span)
            kl = kl + term
    return kl


def sample(output, spans, log_sigma, generator=None, stochastic=True):
    """Turn a head's output into a vector in the encoded space.

    Categorical spans become one-hots (drawn from the softmax, or its argmax when
    ``stochastic`` is False); continuous spans are the mean plus Gaussian noise of the
    learned sigma (just the mean when ``stochastic`` is False).
    """
    # Every span is written into one zeroed tensor (a one-hot is a single scatter of ones):
    # one_hot, its cast and concatenating the pieces took as long as the drawing itself.
    sampled = torch.zeros_like(output)
    continuous_index = 0
    for span, start, end in _iter(spans):
        block = output[:, start:end]
        if span.kind == CATEGORICAL:
            if stochastic:
                # Inverse-CDF draw: one uniform per row, several times faster than multinomial.
                # The CDF is left unnormalised (the uniform is scaled instead): torch's softmax
                # over a few columns costs four times this exp and cumsum.
                cumulative = (block - block.amax(dim=1, keepdim=True)).exp().cumsum(dim=1)
                uniform = torch.rand(len(block), 1, generator=generator, device=block.device)
                # uniform < 1, so threshold <= the last cumulative value, which is never
                # counted: the count is a valid index without clamping.
                threshold = uniform * cumulative[:, -1:]
                choice = (cumulative < threshold).sum(dim=1, keepdim=True)
            else:
                choice = block.argmax(dim=1, keepdim=True)
            sampled[:, start:end].scatter_(1, choice, 1.0)
        else:
            value = block
            if stochastic:
                sigma = torch.exp(log_sigma[continuous_index])
                noise = torch.randn(block.shape, generator=generator, device=block.device)
                value = block + sigma * noise
            continuous_index += 1
            sampled[:, start:end] = value
    return sampled


def activate(output, spans):
    """The head's expected value: softmax probabilities per categorical span, means elsewhere."""
    pieces = []
    for span, start, end in _iter(spans):
        block = output[:, start:end]
        pieces.append(F.softmax(block, dim=1) if span.kind == CATEGORICAL else block)
    return torch.cat(pieces, dim=1) if pieces else output[:, :0]


def count_continuous(spans):
    return sum(span.kind == CONTINUOUS for span in spans)
