"""Tabular data adapter: MLP encoders and an MLP feature head over RDT-encoded spans."""

import torch
from torch import nn

from sdv_fairdistill.adapters.base import DataAdapter
from sdv_fairdistill.core.networks import mlp
from sdv_fairdistill.core import spans as span_ops
from sdv_fairdistill.plugins.hookspecs import hookimpl


class GaussianEncoder(nn.Module):
    """``(x, y) -> (mu, logvar)`` through an MLP."""

    def __init__(self, input_dim, hidden_dims, latent_dim):
        super().__init__()
        self.net = mlp(input_dim, hidden_dims, 2 * latent_dim)

    def forward(self, x, y):
        mu, logvar = self.net(torch.cat([x, y], dim=1)).chunk(2, dim=1)
        return mu, logvar.clamp(-4.6, 4.6)


class FeatureDecoder(nn.Module):
    """``(z, s) -> span outputs``; holds one learned sigma per continuous span."""

    def __init__(self, latent_dim, n_groups, hidden_dims, spans):
        super().__init__()
        self.spans = list(spans)
        self.net = mlp(latent_dim + n_groups, hidden_dims, span_ops.total_width(self.spans))
        self.log_sigma = nn.Parameter(torch.full((span_ops.count_continuous(self.spans),), -1.0))

    def forward(self, z, s):
        return self.net(torch.cat([z, s], dim=1))


class TabularAdapter(DataAdapter):
    """Networks and span losses for a table encoded by ``TableEncoder``.

    Args:
        feature_spans (list[Span]): layout of the encoded features.
        teacher_dims, student_dims, decoder_dims (tuple[int]): hidden layer sizes. The
            student is much smaller than the teacher: it only has to reproduce the teacher's
            (fair) latent means.
    """

    kind = 'tabular'

    def __init__(
        self, feature_spans, teacher_dims=(256, 256), student_dims=(64,), decoder_dims=(128, 128)
    ):
        self.feature_spans = list(feature_spans)
        self.teacher_dims = tuple(teacher_dims)
        self.student_dims = tuple(student_dims)
        self.decoder_dims = tuple(decoder_dims)

    @property
    def feature_dim(self):
        return span_ops.total_width(self.feature_spans)

    def build_teacher_encoder(self, latent_dim, target_dim):
        return GaussianEncoder(self.feature_dim + target_dim, self.teacher_dims, latent_dim)

    def build_student_encoder(self, latent_dim, target_dim):
        return GaussianEncoder(self.feature_dim + target_dim, self.student_dims, latent_dim)

    def build_feature_decoder(self, latent_dim, n_groups):
        return FeatureDecoder(latent_dim, n_groups, self.decoder_dims, self.feature_spans)

    def feature_loss(self, decoder, output, x):
        return span_ops.reconstruction_loss(output, x, self.feature_spans, decoder.log_sigma)

    def feature_distillation_kl(self, decoder, teacher_output, student_output, temperature):
        return span_ops.distillation_kl(
            teacher_output, student_output, self.feature_spans, decoder.log_sigma, temperature
        )

    def feature_sample(self, decoder, output, generator=None):
        return span_ops.sample(output, self.feature_spans, decoder.log_sigma.cpu(), generator)


@hookimpl
def register_adapters(register):
    register('tabular', TabularAdapter)
