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

Also here: the checks and conversions between the images users pass (``(N, H, W)``,
``(N, H, W, C)`` or ``(N, C, H, W)``; ``uint8`` or float) and that layout
(``to_model_layout``, ``from_model_layout``), and the coding of their labels
(``encode_labels``).
"""

import math
from collections.abc import Hashable

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from sdv_fairdistill.adapters.base import DataAdapter
from sdv_fairdistill.plugins.hookspecs import hookimpl

#: Smallest side the two stride-2 convolutions of the encoders can work with.
MIN_IMAGE_SIDE = 8

#: The channel axis of a 4-D array is the one with at most this many entries.
MAX_CHANNELS = 4


def _find_layout(shape):
    if len(shape) == 3:
        return 'NHW'
    if len(shape) != 4:
        raise ValueError(
            f'images must be a 3-D (N, H, W) or 4-D (N, H, W, C) / (N, C, H, W) array, got '
            f'{len(shape)} dimensions {shape}. Stack the images into one array first; for a '
            'single image, add the batch axis with images[None].'
        )
    last, second = shape[3] <= MAX_CHANNELS, shape[1] <= MAX_CHANNELS
    if last and not second:
        return 'NHWC'
    if second and not last:
        return 'NCHW'
    if last and second:  # both axes small: the images are too small whatever the layout
        raise ValueError(
            f'images of shape {shape} are smaller than {MIN_IMAGE_SIDE}x{MIN_IMAGE_SIDE} '
            'pixels, the least the convolutional networks work with. Upsample them first '
            '(e.g. np.kron with a block of ones).'
        )
    raise ValueError(
        f'Cannot tell the channel axis of images of shape {shape}: neither axis 1 nor axis 3 '
        f'has 1 to {MAX_CHANNELS} entries. Pass (N, H, W, C) or (N, C, H, W) with at most '
        f'{MAX_CHANNELS} channels, or (N, H, W) for grey images.'
    )


def to_model_layout(images):
    """Check images and convert them to what the network learns from.

    Returns:
        tuple: a float32 tensor ``(N, C, H, W)`` in ``[0, 1]`` and the input's format
        ``{'layout': 'NHW' | 'NHWC' | 'NCHW', 'integer': bool, 'dtype': numpy dtype string}``.
    """
    if isinstance(images, torch.Tensor):  # one that requires grad, or lives on a GPU
        images = images.detach().cpu()
    try:
        array = np.asarray(images)
    except ValueError:  # numpy refuses ragged sequences
        array = np.empty(0, dtype=object)
    if array.dtype == object and array.ndim > 1:  # stacked, but as Python objects:
        array = np.asarray(array.tolist())  # their own type (ints stay ints)
    if array.dtype == object:
        raise ValueError(
            'images could not be stacked into one numeric array (are they of different '
            'sizes?). Resize them to one height and width first.'
        )
    layout = _find_layout(array.shape)
    if len(array) == 0:
        raise ValueError('images is empty: pass at least 2 images.')
    if (not (np.issubdtype(array.dtype, np.number) or array.dtype == bool)
            or np.iscomplexobj(array)):
        raise ValueError(f'images must hold real numbers, got dtype {array.dtype}.')
    integer = np.issubdtype(array.dtype, np.integer)
    if integer:
        low, high = array.min(), array.max()
        if low < 0 or high > 255:
            raise ValueError(
                f'Integer pixel values must be 0-255, got values from {low} to {high}. '
                'Rescale them to 0-255 (uint8) or to floats in [0, 1].'
            )
        pixels = array.astype(np.float32) / 255
    else:
        # Checked before the float32 cast, which would make a finite 1e300 infinite.
        bad = ~np.isfinite(array)
        if bad.any():
            rows = np.flatnonzero(bad.reshape(len(array), -1).any(axis=1))
            raise ValueError(
                f'{int(bad.sum())} pixel values are NaN or infinite (in images '
                f'{rows[:5].tolist()}{"..." if len(rows) > 5 else ""}). Drop those images or '
                'replace the values (e.g. np.nan_to_num) before fitting.'
            )
        low, high = array.min(), array.max()
        # As float32 holds them: 1 + 2**-52 (a resize's rounding) is 1, 1e300 is too large.
        with np.errstate(over='ignore'):
            outside = np.float32(low) < 0 or np.float32(high) > 1
        if outside:
            raise ValueError(
                f'Float pixel values must be in [0, 1], got values from {float(low):g} to '
                f'{float(high):g}. Divide 0-255 images by 255, or pass them as uint8.'
            )
        pixels = array.astype(np.float32)
    if layout == 'NHW':
        pixels = pixels[:, None]
    elif layout == 'NHWC':
        pixels = pixels.transpose(0, 3, 1, 2)
    height, width = pixels.shape[2:]
    if min(height, width) < MIN_IMAGE_SIDE:
        one_image = ''
        if layout == 'NHW' and width <= MAX_CHANNELS and height >= MIN_IMAGE_SIDE:
            # (H, W, C) of one colour image reads as H grey images of W x C pixels.
            one_image = (f' If this is one colour image of {array.shape[0]}x{array.shape[1]} '
                         f'pixels with {width} channels, add the batch axis: images[None].')
        raise ValueError(
            f'Images of {height}x{width} pixels are too small: the convolutional networks need '
            f'at least {MIN_IMAGE_SIDE}x{MIN_IMAGE_SIDE}. Upsample them first (e.g. np.kron '
            f'with a block of ones).{one_image}'
        )
    image_format = {'layout': layout, 'integer': integer, 'dtype': array.dtype.str}
    return torch.from_numpy(np.ascontiguousarray(pixels)), image_format


def from_model_layout(pixels, image_format):
    """Float ``(N, C, H, W)`` pixels in ``[0, 1]`` back to the format given to ``fit``."""
    array = pixels.numpy()
    if image_format['layout'] == 'NHW':
        array = array[:, 0]
    elif image_format['layout'] == 'NHWC':
        array = array.transpose(0, 2, 3, 1)
    array = np.ascontiguousarray(array)
    # The dtype given to fit (fits saved before it was recorded: uint8 or float32).
    dtype = np.dtype(image_format.get('dtype', '|u1' if image_format['integer'] else '<f4'))
    if dtype == bool:  # a mean pixel of 0.5 or more is set
        return array >= 0.5
    if image_format['integer']:  # 0-255, within what the dtype holds (int8: 0-127)
        return np.clip(np.round(array * 255), 0, min(np.iinfo(dtype).max, 255)).astype(dtype)
    return array.astype(dtype)


def encode_labels(values, name, num_images):
    """Codes ``0..k-1`` and the sorted distinct labels of a 1-D array of hashable labels."""
    if isinstance(values, (str, bytes)):  # one label for all, read as its characters
        raise ValueError(
            f'{name} got the text {values!r}: pass one label per image, e.g. '
            f'[{values!r}] * {num_images}.'
        )
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu()
    if hasattr(values, 'shape'):  # numpy array, pandas Series, torch tensor
        array = np.asarray(values)
    else:
        # pandas infers one dtype per list without numpy's casts ([1, 'x'] stays mixed) and
        # keeps tuples as labels instead of making a 2-D array.
        array = pd.Series(list(values), dtype=None if values else object).to_numpy()
    if array.ndim != 1:
        raise ValueError(
            f'{name} must be a 1-D array with one label per image, got shape {array.shape}.'
        )
    if len(array) != num_images:
        raise ValueError(
            f'There are {num_images} images but {len(array)} {name} labels: pass exactly one '
            f'{name} label per image, in the same order.'
        )
    missing = pd.isna(pd.Series(array, dtype=object))
    if missing.any():
        raise ValueError(
            f'{name} has {int(missing.sum())} missing labels. Give them an explicit label (e.g. '
            '"unknown") or drop those images.'
        )
    if array.dtype == object and not all(isinstance(value, Hashable) for value in array):
        raise ValueError(f'{name} labels must be hashable (str, int, tuple...), not lists or arrays.')
    try:
        codes, uniques = pd.factorize(array, sort=True)
    except TypeError:  # labels of mixed, unorderable types
        codes, uniques = pd.factorize(array)
    uniques = np.asarray(uniques)
    if array.dtype != object:
        uniques = uniques.astype(array.dtype)
    return codes, uniques



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
