"""Network building blocks shared by the core and the adapters."""

import torch
from torch import nn

from sdv_fairdistill.core import spans as span_ops


def mlp(input_dim, hidden_dims, output_dim, activation=nn.ReLU):
    """A plain fully connected network: ``hidden_dims`` layers of ``activation``."""
    layers = []
    for hidden_dim in hidden_dims:
        layers += [nn.Linear(input_dim, hidden_dim), activation()]
        input_dim = hidden_dim
    layers.append(nn.Linear(input_dim, output_dim))
    return nn.Sequential(*layers)


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
