"""Validation of the constructor parameters both synthesizers share, with one error type.

Every check runs in ``__init__``, so a bad value is refused before any data is read, with a
message that names the parameter, what it must be and what it got.
"""

import numbers

from sdv.errors import SynthesizerInputError

from sdv_fairdistill.core.criteria import CRITERIA


class InvalidParameterError(SynthesizerInputError, ValueError):
    """A constructor parameter has the wrong type or is out of range.

    It is SDV's ``SynthesizerInputError`` (what SDV raises for bad synthesizer arguments) and a
    ``ValueError`` (what scikit-learn-style code catches).
    """


def _fail(name, expected, value):
    raise InvalidParameterError(f"'{name}' must be {expected}, got {value!r}.")


def check_integer(name, value, minimum, allow_none=False):
    """``value`` is an int (not a bool) of at least ``minimum``, or None when allowed."""
    if value is None and allow_none:
        return
    expected = f'an integer of at least {minimum}' + (' or None' if allow_none else '')
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        _fail(name, expected, value)


def check_number(name, value, minimum=0.0, strict=False):
    """``value`` is a finite real number ``>= minimum`` (``> minimum`` when ``strict``)."""
    expected = f"a number {'greater than' if strict else 'of at least'} {minimum:g}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value:
        _fail(name, expected, value)
    if value == float('inf') or value < minimum or (strict and value == minimum):
        _fail(name, expected, value)


def check_bool(name, value):
    if not isinstance(value, bool):
        _fail(name, 'True or False', value)


def check_optional_bool(name, value):
    """``value`` is None (chosen from the data) or a bool."""
    if value is not None:
        check_bool(name, value)


def check_layer_sizes(name, value, allow_empty=True, length=None):
    """``value`` is a tuple or list of positive integers (hidden layer sizes), of exactly
    ``length`` of them when given (a network whose layers are fixed in number)."""
    if length is not None:
        expected = f'a tuple of {length} positive integers'
    else:
        expected = 'a tuple of positive integers' + ('' if allow_empty else ' (at least one)')
    if (not isinstance(value, (tuple, list)) or (not value and not allow_empty)
            or (length is not None and len(value) != length)):
        _fail(name, expected, value)
    for size in value:
        if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
            _fail(name, expected, value)


def check_seed(value):
    """A seed is None or an integer in NumPy's range ``[0, 2**32 - 1]``."""
    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or not 0 <= value < 2**32
    ):
        _fail('seed', 'None or an integer between 0 and 2**32 - 1', value)


def check_choice(name, value, choices):
    if value not in choices:
        _fail(name, f"one of {', '.join(map(repr, choices))}", value)


def check_shared_parameters(synthesizer):
    """Check the parameters of the teacher-student core that every synthesizer passes on."""
    check_number('fairness_weight', synthesizer.fairness_weight)
    check_choice('fairness_criterion', synthesizer.fairness_criterion, CRITERIA)
    # A name from a numpy array or a DataFrame cell is numpy text: messages and
    # get_parameters() show the plain string.
    synthesizer.fairness_criterion = str(synthesizer.fairness_criterion)
    check_integer('latent_dim', synthesizer.latent_dim, 1)
    check_integer('fair_latent_dim', synthesizer.fair_latent_dim, 1, allow_none=True)
    if synthesizer.fair_latent_dim is not None and synthesizer.fair_latent_dim > synthesizer.latent_dim:
        raise InvalidParameterError(
            f"'fair_latent_dim' ({synthesizer.fair_latent_dim}) cannot exceed 'latent_dim' "
            f'({synthesizer.latent_dim}): lower fair_latent_dim or raise latent_dim.'
        )
    check_integer('epochs', synthesizer.epochs, 1, allow_none=True)
    check_integer('distill_epochs', synthesizer.distill_epochs, 1, allow_none=True)
    # Distance covariance compares rows of a batch with each other: a batch needs two rows.
    check_integer('batch_size', synthesizer.batch_size, 2)
    check_number('learning_rate', synthesizer.learning_rate, 0.0, strict=True)
    check_number('beta', synthesizer.beta)
    check_number('target_weight', synthesizer.target_weight)
    check_number('utility_weight', synthesizer.utility_weight)
    for name in ('encode_target', 'keep_teacher', 'enable_gpu', 'verbose'):
        check_bool(name, getattr(synthesizer, name))
    if synthesizer.balance_target is not None:  # None: chosen by the criterion
        check_bool('balance_target', synthesizer.balance_target)
    check_seed(synthesizer.seed)
