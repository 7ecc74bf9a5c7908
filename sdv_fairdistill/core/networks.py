"""Network building blocks shared by the core and the adapters."""

import warnings

import torch
from torch import nn

from sdv_fairdistill.core import spans as span_ops


def mlp(input_dim, hidden_dims, output_dim, activation=nn.ReLU):
    """A plain fully connected network: ``hidden_dims`` layers of ``activation``."""
    layers = []
    for hidden_dim in hidden_dims:
        layers += [_linear(input_dim, hidden_dim), activation()]
        input_dim = hidden_dim
    layers.append(_linear(input_dim, output_dim))
    return nn.Sequential(*layers)


def _linear(input_dim, output_dim):
    # A table of only its sensitive and target columns has no feature to encode or decode: a
    # layer of width 0 is then right (its output is its bias, or nothing), and torch's note
    # that initialising its empty weights does nothing is not for the user.
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', 'Initializing zero-element tensors')
        return nn.Linear(input_dim, output_dim)


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
