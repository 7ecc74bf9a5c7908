"""Network building blocks shared by the core and the adapters."""

from torch import nn


def mlp(input_dim, hidden_dims, output_dim, activation=nn.ReLU):
    """A plain fully connected network: ``hidden_dims`` layers of ``activation``."""
    layers = []
    for hidden_dim in hidden_dims:
        layers += [nn.Linear(input_dim, hidden_dim), activation()]
        input_dim = hidden_dim
    layers.append(nn.Linear(input_dim, output_dim))
    return nn.Sequential(*layers)
