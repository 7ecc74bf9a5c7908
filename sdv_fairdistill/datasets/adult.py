"""UCI Adult (Becker & Kohavi 1996, CC BY 4.0): train and test files joined, 48,842 rows.

Sensitive attribute: ``sex`` (also ``race``); target: ``income`` (``'>50K'`` / ``'<=50K'``).
Missing values (``?`` in the raw files) are NaN.
"""

from importlib.resources import files

import pandas as pd

from sdv_fairdistill.datasets._metadata import curated_metadata

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
    """
    with files('sdv_fairdistill.datasets').joinpath('data/adult.csv.gz').open('rb') as file:
        data = pd.read_csv(file, compression='gzip')
    if num_rows is not None:
        data = data.sample(num_rows, random_state=random_state).reset_index(drop=True)
    return data, adult_metadata(data)
