"""Image data adapter: convolutional encoders and a transposed-convolution image head.

Images reach the core as float tensors ``(n, C, H, W)`` with pixels in ``[0, 1]``. Each pixel
is a Bernoulli probability (as in the original VAE on MNIST): the head outputs one logit per
pixel, the reconstruction loss is the binary cross-entropy summed over the pixels of an
image, distillation compares the teacher's and the student's per-pixel Bernoulli
distributions, and sampling returns the per-pixel means (a sampled binary image would be
speckled noise, not a picture).

The networks work for any size from 8x8 up: two stride-2 convolutions take ``H x W`` to
``ceil(H/4) x ceil(W/4)``; the head grows it back with two stride-2 transposed convolutions
and crops to ``H x W``.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from sdv_fairdistill.adapters.base import DataAdapter
from sdv_fairdistill.plugins.hookspecs import hookimpl

#: Smallest side the two stride-2 convolutions of the encoders can work with.
MIN_IMAGE_SIDE = 8


class ConvEncoder(nn.Module):
    """``(x, y) -> (mu, logvar)``: two stride-2 convolutions, then ``y`` joins the features."""

    def __init__(self, image_shape, channels, hidden_dim, target_dim, latent_dim):
        super().__init__()
        in_channels, height, width = image_shape
        first, second = channels
        self.conv = nn.Sequential(
            nn.Conv2d(in_channels, first, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(first, second, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Flatten(),
        )
        width_in = second * math.ceil(height / 4) * math.ceil(width / 4) + target_dim
        layers = []
        if hidden_dim:  # the student has none: it goes straight to (mu, logvar)
            layers = [nn.Linear(width_in, hidden_dim), nn.ReLU()]
            width_in = hidden_dim
        self.head = nn.Sequential(*layers, nn.Linear(width_in, 2 * latent_dim))

    def forward(self, x, y):
        mu, logvar = self.head(torch.cat([self.conv(x), y], dim=1)).chunk(2, dim=1)
        return mu, logvar.clamp(-10, 10)


class ImageDecoder(nn.Module):
    """``(z, s) -> pixel logits (n, C, H, W)``: a linear layer to a small feature map, two
    stride-2 transposed convolutions, cropped to the image size."""

    def __init__(self, image_shape, latent_dim, n_groups, channels):
        super().__init__()
        self.image_shape = tuple(image_shape)
        out_channels, height, width = self.image_shape
        first, second = channels
        self.start = (first, math.ceil(height / 4), math.ceil(width / 4))
        self.project = nn.Sequential(
            nn.Linear(latent_dim + n_groups, first * self.start[1] * self.start[2]), nn.ReLU()
        )
        self.deconv = nn.Sequential(
            nn.ConvTranspose2d(first, second, 4, stride=2, padding=1),
            nn.ReLU(),
            nn.ConvTranspose2d(second, out_channels, 4, stride=2, padding=1),
        )

    def forward(self, z, s):
        hidden = self.project(torch.cat([z, s], dim=1)).view(-1, *self.start)
        _, height, width = self.image_shape
        return self.deconv(hidden)[:, :, :height, :width]


class TintDecoder(nn.Module):
    """``(z, s) -> pixel logits`` where ``s`` only sets the colour: every channel shows the
    same intensity map, drawn from ``z`` alone, times a weight in ``[0, 1]`` chosen by ``s``.

    With the plain head (``ImageDecoder``), ``s`` enters with ``z`` and the decoder may draw
    different content for each group; on data where content and group are correlated (the
    Colored-MNIST bias) it does exactly that, and the generated content follows the group.
    Here it cannot: the pixel probabilities are ``intensity(z) * colour(s)[channel]``, so two
    groups differ only by a per-channel brightness. (A per-channel gain and offset on logits
    was tried first: the offsets acted as group-specific thresholds on a multi-level map,
    and the head drew different digits per colour through them.)
    """

    def __init__(self, image_shape, latent_dim, n_groups, channels):
        super().__init__()
        out_channels, height, width = image_shape
        self.intensity = ImageDecoder((1, height, width), latent_dim, 0, channels)
        self.colour = nn.Linear(n_groups, out_channels)

    def forward(self, z, s):
        # log p = log intensity + log colour, returned as logits for the Bernoulli losses.
        log_p = F.logsigmoid(self.intensity(z, s[:, :0])) + F.logsigmoid(self.colour(s))[:, :, None, None]
        log_p = log_p.clamp(max=-1e-6)
        return log_p - torch.log1p(-torch.exp(log_p))


class ImageAdapter(DataAdapter):
    """Networks and per-pixel Bernoulli losses for images ``(C, H, W)`` in ``[0, 1]``.

    Args:
        image_shape (tuple[int]): ``(channels, height, width)``; sides of at least 8 pixels.
        teacher_channels (tuple[int]): channels of the teacher's two convolutions.
        teacher_hidden (int): width of the teacher's dense layer after the convolutions.
        student_channels (tuple[int]): channels of the student's two convolutions; the student
            has no dense hidden layer, so it is much smaller than the teacher.
        decoder_channels (tuple[int]): channels of the image head's two feature maps.
    """

    kind = 'image'

    def __init__(
        self,
        image_shape,
        teacher_channels=(32, 64),
        teacher_hidden=256,
        student_channels=(8, 16),
        decoder_channels=(64, 32),
        sensitive_conditioning='input',
    ):
        image_shape = tuple(int(side) for side in image_shape)
        if len(image_shape) != 3 or min(image_shape[1:]) < MIN_IMAGE_SIDE:
            raise ValueError(
                f'image_shape must be (channels, height, width) with sides of at least '
                f'{MIN_IMAGE_SIDE} pixels, got {image_shape}. Upsample smaller images first.'
            )
        self.image_shape = image_shape
        self.teacher_channels = tuple(teacher_channels)
        self.teacher_hidden = teacher_hidden
        self.student_channels = tuple(student_channels)
        self.decoder_channels = tuple(decoder_channels)
        self.sensitive_conditioning = sensitive_conditioning

    def build_teacher_encoder(self, latent_dim, target_dim):
        return ConvEncoder(
            self.image_shape, self.teacher_channels, self.teacher_hidden, target_dim, latent_dim
        )

    def build_student_encoder(self, latent_dim, target_dim):
        return ConvEncoder(self.image_shape, self.student_channels, 0, target_dim, latent_dim)

    def build_feature_decoder(self, latent_dim, n_groups):
        decoder = TintDecoder if self.sensitive_conditioning == 'tint' else ImageDecoder
        return decoder(self.image_shape, latent_dim, n_groups, self.decoder_channels)

    def feature_loss(self, decoder, output, x):
        # Bernoulli negative log-likelihood, summed over the pixels of each image.
        loss = F.binary_cross_entropy_with_logits(output, x, reduction='none')
        return loss.flatten(1).sum(dim=1)

    def feature_distillation_kl(self, decoder, teacher_output, student_output, temperature):
        """Per-pixel Bernoulli KL(teacher || student) of the tempered logits, summed per image.

        The binary analogue of the tempered-softmax KL used for categorical spans (scaled by
        ``temperature**2`` likewise, so the gradient size does not depend on the temperature).
        """
        teacher = teacher_output / temperature
        student = student_output / temperature
        p = torch.sigmoid(teacher)
        kl = p * (F.logsigmoid(teacher) - F.logsigmoid(student)) + (1 - p) * (
            F.logsigmoid(-teacher) - F.logsigmoid(-student)
        )
        return kl.flatten(1).sum(dim=1) * temperature**2

    def feature_sample(self, decoder, output, generator=None):
        # The per-pixel means: the picture the decoder draws (the generator is not needed).
        return torch.sigmoid(output)


@hookimpl
def register_adapters(register):
    register('image', ImageAdapter)
