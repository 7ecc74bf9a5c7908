"""UCI Adult (Becker & Kohavi 1996, CC BY 4.0): train and test files joined, 48,842 rows.

Sensitive attribute: ``sex`` (also ``race``); target: ``income`` (``'>50K'`` / ``'<=50K'``).
Missing values (``?`` in the raw files) are NaN.
"""

from importlib.resources import files

import pandas as pd

from sdv_fairdistill.datasets._metadata import curated_metadata
from sdv_fairdistill.datasets._rows import random_rows

TABLE_NAME = 'adult'
SENSITIVE_COLUMNS = ('sex',)
TARGET_COLUMN = 'income'
POSITIVE_LABEL = '>50K'

_NUMERICAL = ('age', 'fnlwgt', 'education-num', 'capital-gain', 'capital-loss', 'hours-per-week')


def adult_metadata(data):
    """SDV metadata: the six numbers numerical, everything else (the target too) categorical."""
    return curated_metadata(TABLE_NAME, data.columns, numerical=_NUMERICAL)


def load_adult(num_rows=None, random_state=0):
    """Return the Adult table and its SDV ``Metadata``.

    Args:
        num_rows (int or None): a random subset of this many rows (all rows when None).
        random_state (int): seed of that subset.

    Raises:
        ValueError: when ``num_rows`` is not a whole number from 1 to the table's 48,842
            rows, or ``random_state`` is no seed.
    """
    with files('sdv_fairdistill.datasets').joinpath('data/adult.csv.gz').open('rb') as file:
        data = pd.read_csv(file, compression='gzip')
    data = random_rows(data, num_rows, random_state, 'Adult')
    return data, adult_metadata(data)
