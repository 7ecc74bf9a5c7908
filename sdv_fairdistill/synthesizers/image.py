"""``FairDistillImageSynthesizer``: fair synthetic images from the teacher-student core.

The images go through the same core as tables (``FairDistillModel``) with the image adapter
(convolutional encoders, transposed-convolution head). Each image has a sensitive label
(e.g. the colour of a digit) and optionally a target label (e.g. the digit): the target is
decoded from the fair latent alone, so in the generated images it does not depend on the
sensitive label. Scikit-learn conventions: the constructor only stores its arguments,
``fit`` learns, ``get_parameters`` returns them.

Images in, images out: arrays ``(N, H, W)``, ``(N, H, W, C)`` or ``(N, C, H, W)`` with
1 to 4 channels, ``uint8`` 0-255 (any integer type within 0-255) or float in ``[0, 1]``.
``sample`` returns a NumPy array of the same layout and dtype (0-255 for integer input,
``[0, 1]`` for float input); the pixels are the decoder's per-pixel means (probabilities),
so the images are smooth grey levels, except for boolean input, where a pixel is set when
its mean is 0.5 or more.
"""

import inspect
import pickle
import warnings
from collections.abc import Hashable

import cloudpickle
import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from sklearn.exceptions import NotFittedError

from sdv_fairdistill.adapters.image import encode_labels, from_model_layout, to_model_layout
from sdv_fairdistill.group_names import shown, shown_list
from sdv_fairdistill.core.spans import Span
from sdv_fairdistill.plugins import get_adapter_class
from sdv_fairdistill.synthesizers import _parameters as checks
from sdv_fairdistill.synthesizers._shared import FairModelMixin

#: A sensitive group with fewer images than this gets a warning, as a small group of a table
#: does: what the model learns of it, and how fair that is, rests on a handful of images.
MIN_GROUP_IMAGES = 10


class FairDistillImageSynthesizer(FairModelMixin):
    """Fair synthetic images from a distilled, distance-covariance-regularised latent space.

    Args:
        fairness_weight (float): weight of the distance-covariance penalty between the latent
            and the sensitive label; 0 disables it (a plain conditional VAE, which reproduces
            the bias). 300 is the least that closed the label gap on Colored-MNIST (at the
            cost of the digits' legibility: see ``docs/images.md``).
        fairness_criterion (str): 'demographic_parity' (the target labels independent of the
            sensitive label), 'equalized_odds' (the fair latent independent of it inside each
            target class) or 'equal_opportunity' (inside the class ``positive_label``); the
            last two need ``target`` in ``fit``. Defaults to 'demographic_parity'.
        positive_label: the target class of 'equal_opportunity'. Defaults to None.
        latent_dim (int): size of the latent space.
        fair_latent_dim (int or None): how many of the latent dimensions are made fair (the
            target head reads only those); None: all of them.
        epochs (int): teacher epochs. distill_epochs (int): student epochs.
        batch_size (int), learning_rate (float): optimisation settings.
        beta (float): weight of the KL term of the teacher. Below 1 the latent keeps more of
            each image, which makes the generated images sharper.
        target_weight (float): weight of the target's reconstruction, so the latent carries
            the target (the digit) and the drawn image agrees with the generated label.
        utility_weight (float): weight of the KL utility loss in distillation.
        sensitive_conditioning (str): how the sensitive label enters the image head.
            ``'input'`` (default): it joins the latent at the head's input, so the images
            keep whatever relation to the sensitive label the real ones have (the method's
            default). ``'tint'``: the head draws one grey picture from the latent alone and
            the sensitive label only sets each colour channel's brightness (a weight in
            ``[0, 1]`` per channel that multiplies the picture's pixel means). Use it
            when the sensitive attribute is an appearance (the colour of Colored-MNIST):
            otherwise the head learns to draw the content the group is biased towards, and
            the generated images stay biased even though the labels are fair (see
            ``docs/images.md``). It renders one hue per image, so not for natural colour
            images.
        encode_target (bool): whether the encoders see the target label besides the image.
        balance_target (bool): train on images reweighed so that the target (the digit) is
            independent of the sensitive label (Kamiran & Calders' reweighing, see
            ``FairDistillModel``): the fair latent can then keep the digit's shape. Without it
            a latent independent of a colour that agrees 90 % with the label group cannot
            carry the digit (37 % of the generated digits recognised, against 64 % with it;
            ``docs/images.md``). Set it and ``fairness_weight=0`` to False / 0 for the unfair
            ablation.
        teacher_channels, student_channels, decoder_channels (tuple[int]): channels of the
            two convolutions of each network. teacher_hidden (int): the teacher's dense
            layer (the student has none).
        keep_teacher (bool): keep the teacher after distillation (the ablation).
        enable_gpu (bool): train and sample on a CUDA GPU when one is available.
        verbose (bool): show progress bars.
        seed (int or None): seed of training and sampling: the same seed, data and machine
            give the same model and the same samples.
    """

    def __init__(
        self,
        fairness_weight=300.0,
        fairness_criterion='demographic_parity',
        positive_label=None,
        latent_dim=16,
        fair_latent_dim=None,
        epochs=30,
        distill_epochs=15,
        batch_size=64,
        learning_rate=1e-3,
        beta=0.3,
        target_weight=5.0,
        utility_weight=1.0,
        sensitive_conditioning='input',
        encode_target=True,
        balance_target=True,
        teacher_channels=(32, 64),
        teacher_hidden=256,
        student_channels=(8, 16),
        decoder_channels=(64, 32),
        keep_teacher=False,
        enable_gpu=False,
        verbose=False,
        seed=None,
    ):
        self.fairness_weight = fairness_weight
        self.fairness_criterion = fairness_criterion
        self.positive_label = positive_label
        self.latent_dim = latent_dim
        self.fair_latent_dim = fair_latent_dim
        self.epochs = epochs
        self.distill_epochs = distill_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.beta = beta
        self.target_weight = target_weight
        self.utility_weight = utility_weight
        self.sensitive_conditioning = sensitive_conditioning
        self.encode_target = encode_target
        self.balance_target = balance_target
        self.teacher_channels = teacher_channels
        self.teacher_hidden = teacher_hidden
        self.student_channels = student_channels
        self.decoder_channels = decoder_channels
        self.keep_teacher = keep_teacher
        self.enable_gpu = enable_gpu
        self.verbose = verbose
        self.seed = seed
        self._model = None
        self._validate_parameters()

    def get_parameters(self):
        """The constructor's arguments, as a dict."""
        names = inspect.signature(type(self).__init__).parameters
        return {name: getattr(self, name) for name in names if name != 'self'}

    def _validate_parameters(self):
        checks.check_shared_parameters(self)
        checks.check_choice('sensitive_conditioning', self.sensitive_conditioning, ('input', 'tint'))
        # Each network has exactly two convolutions (adapters/image.py).
        for name in ('teacher_channels', 'student_channels', 'decoder_channels'):
            checks.check_layer_sizes(name, getattr(self, name), length=2)
        checks.check_integer('teacher_hidden', self.teacher_hidden, 1)

    # ------------------------------------------------------------------ fitting
    def fit(self, images, sensitive, target=None):
        """Learn from images, their sensitive labels and (optionally) their target labels.

        Args:
            images (array-like): ``(N, H, W)``, ``(N, H, W, C)`` or ``(N, C, H, W)``; ``uint8``
                0-255 or float in ``[0, 1]``; at least 8x8 pixels.
            sensitive (array-like): ``N`` labels of any hashable type (e.g. ``'red'``); at
                least two groups.
            target (array-like or None): ``N`` labels of any hashable type (e.g. the digit).
        """
        # Everything is checked, and the new model trained, before any state is set: a fit
        # that fails (bad labels, an interrupted training) leaves the previous fit as it was.
        x, image_format = to_model_layout(images)
        if len(x) < 2:
            raise ValueError(f'Got {len(x)} image; pass at least 2 images to learn from.')
        groups, sensitive_values = encode_labels(sensitive, 'sensitive', len(x))
        if len(sensitive_values) < 2:
            raise ValueError(
                f'sensitive has a single group ({shown(sensitive_values[0])}). Fairness '
                'needs at least two groups.'
            )
        small = sensitive_values[np.bincount(groups) < MIN_GROUP_IMAGES]
        if len(small):
            named = (f'groups {", ".join(map(shown, small))} have' if len(small) > 1
                     else f'group {shown(small[0])} has')
            warnings.warn(
                f'The sensitive {named} fewer than {MIN_GROUP_IMAGES} images: too few to '
                'learn their images from, or to make them fair. Pass more images of them, or '
                'merge them into another group.'
            )
        y, target_values, target_spans, positive_class = self._encode_target(target, len(x))
        adapter = get_adapter_class('image')(
            tuple(x.shape[1:]),
            teacher_channels=self.teacher_channels,
            teacher_hidden=self.teacher_hidden,
            student_channels=self.student_channels,
            decoder_channels=self.decoder_channels,
            sensitive_conditioning=self.sensitive_conditioning,
        )
        model = self._build_model(adapter, target_spans, positive_class)
        model.fit(x, y, groups, len(sensitive_values))
        self._model, self._image_shape, self._image_format = model, tuple(x.shape[1:]), image_format
        self._sensitive_values, self._target_values = sensitive_values, target_values
        self.reset_sampling()
        return self

    def _encode_target(self, target, num_images):
        """``(y, target_values, target_spans, positive_class)`` of the target labels (a
        zero-width ``y`` and no values without them), checked against the criterion."""
        if target is None:
            if self.fairness_criterion != 'demographic_parity':
                raise ValueError(
                    f'fairness_criterion={self.fairness_criterion!r} compares error rates '
                    'inside the target classes: pass target to fit.'
                )
            return torch.zeros(num_images, 0), None, [], None
        codes, target_values = encode_labels(target, 'target', num_images)
        values = np.asarray(target_values)
        if values.dtype.kind == 'f' and np.any(values != np.round(values)):
            raise ValueError(
                f'target holds numbers that are not whole '
                f'({values[values != np.round(values)][0]:g}): the target of images is a '
                'class label. Bin the numbers into classes first '
                '(e.g. np.digitize), or pass target=None.'
            )
        if len(target_values) < 2:
            raise ValueError(
                f'target has a single class ({shown(target_values[0])}). Pass at least '
                'two classes, or target=None if there is no label.'
            )
        positive_class = None
        if self.fairness_criterion == 'equal_opportunity':
            known = target_values.tolist()
            if self.positive_label not in known:
                raise ValueError(
                    f"fairness_criterion='equal_opportunity' needs positive_label, one "
                    f'of the target classes {shown_list(known)}; got '
                    f'{shown(self.positive_label)}.'
                )
            positive_class = known.index(self.positive_label)
        n_classes = len(target_values)
        y = F.one_hot(torch.from_numpy(codes), n_classes).float()
        return y, target_values, [Span(n_classes, 'categorical', 'target')], positive_class

    def _check_fitted(self):
        if self._model is None:
            raise NotFittedError(
                'This FairDistillImageSynthesizer is not fitted yet: call fit(images, '
                'sensitive, target) first.'
            )

    # ------------------------------------------------------------------ sampling
    def reset_sampling(self):
        """Restart the sampling sequence: with a seed, ``sample`` then repeats its output."""
        self._check_fitted()
        self._model.set_random_state(self.seed)

    def _groups_for(self, num_rows, sensitive):
        if sensitive is None:
            return None
        known = {value: code for code, value in enumerate(self._sensitive_values.tolist())}
        # A tuple is one label only if it is a known one; otherwise a sequence of labels.
        one_label = isinstance(sensitive, Hashable) and not isinstance(sensitive, tuple)
        if one_label or (isinstance(sensitive, tuple) and sensitive in known):
            labels = np.empty(num_rows, dtype=object)
            labels.fill(sensitive)
        elif hasattr(sensitive, 'shape'):
            labels = np.asarray(sensitive, dtype=object)
        else:
            labels = pd.Series(list(sensitive), dtype=object).to_numpy()
        if labels.ndim != 1 or len(labels) != num_rows:
            raise ValueError(
                f'sensitive must be one label or {num_rows} labels (one per row), got shape '
                f'{labels.shape}.'
            )
        unknown = sorted({str(label) for label in labels if label not in known})
        if unknown:
            raise ValueError(
                f'Unknown sensitive labels {unknown}; the synthesizer was fitted on '
                f'{self._sensitive_values.tolist()}.'
            )
        return np.array([known[label] for label in labels])

    def sample(self, num_rows, sensitive=None):
        """Generate images with their sensitive and target labels.

        Args:
            num_rows (int): number of images.
            sensitive: None (the groups are drawn with the latent), one label (every image
                gets it) or ``num_rows`` labels.

        Returns:
            tuple: ``(images, sensitive_labels, target_labels)``; images a NumPy array in
            the layout and dtype given to ``fit`` (a torch tensor's too); ``target_labels``
            is None without a target.
        """
        self._check_fitted()
        if (isinstance(num_rows, bool) or not isinstance(num_rows, (int, np.integer))
                or num_rows < 1):
            raise ValueError(f'num_rows must be a positive integer, got {num_rows!r}.')
        groups = self._groups_for(num_rows, sensitive)
        pixels, target, groups = self._model.sample(num_rows, groups=groups)
        images = from_model_layout(pixels, self._image_format)
        target_labels = None
        if self._target_values is not None:
            target_labels = self._target_values[target.argmax(dim=1).numpy()]
        return images, self._sensitive_values[groups], target_labels

    # ------------------------------------------------------------------ persistence
    def save(self, path):
        """Save the synthesizer to ``path`` (cloudpickle), with its networks on the CPU."""
        with self._networks_on_cpu(), open(path, 'wb') as file:
            cloudpickle.dump(self, file)

    @classmethod
    def load(cls, path):
        """Load a synthesizer saved by ``save``; on the GPU if it asked for one and one exists."""
        with open(path, 'rb') as file:
            try:
                synthesizer = cloudpickle.load(file)
            except (pickle.UnpicklingError, EOFError, AttributeError, ImportError) as error:
                raise ValueError(
                    f'{path} is not a file written by FairDistillImageSynthesizer.save '
                    f'({error}).'
                ) from error
        if not isinstance(synthesizer, cls):
            raise ValueError(f'{path} holds a {type(synthesizer).__name__}, not a {cls.__name__}.')
        if synthesizer._model is not None and synthesizer.enable_gpu and torch.cuda.is_available():
            synthesizer._model.to('cuda')
        return synthesizer
