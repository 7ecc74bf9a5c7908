"""The random subset every loader draws (``num_rows``, ``random_state``), checked alike."""

import numbers

import numpy as np

MAX_SEED = 2**32 - 1  # numpy's RandomState takes seeds up to this


def check_subset_options(num_rows, random_state):
    """Refuse a ``num_rows`` that is no positive whole number (or None), and a
    ``random_state`` that is no seed numpy takes (or None), naming the parameter."""
    if num_rows is not None and (isinstance(num_rows, bool)
                                 or not isinstance(num_rows, numbers.Integral) or num_rows < 1):
        raise ValueError(f'num_rows must be a whole number of at least 1 (or None for every '
                         f'row), got {num_rows!r}.')
    if isinstance(random_state, (np.random.RandomState, np.random.Generator)):
        return  # pandas draws from a generator the caller holds
    if random_state is not None and (isinstance(random_state, bool)
                                     or not isinstance(random_state, numbers.Integral)
                                     or not 0 <= random_state <= MAX_SEED):
        raise ValueError(f'random_state must be a whole number from 0 to {MAX_SEED}, a numpy '
                         f'RandomState or Generator, or None; got {random_state!r}.')


def random_rows(data, num_rows, random_state, table):
    """``num_rows`` rows of ``data`` drawn at random with ``random_state`` (all rows when
    None), renumbered from 0. More rows than ``table`` has are refused, naming its size
    (pandas said only "Cannot take a larger sample than population")."""
    check_subset_options(num_rows, random_state)
    if num_rows is None:
        return data
    if num_rows > len(data):
        raise ValueError(f'num_rows={num_rows:,} is more than the {len(data):,} rows of '
                         f'{table}: pass at most {len(data):,}, or None for every row.')
    return data.sample(int(num_rows), random_state=random_state).reset_index(drop=True)
