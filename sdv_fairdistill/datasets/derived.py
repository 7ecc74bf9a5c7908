"""Benchmark tables derived from the bundled Adult: cases unlike Adult itself.

Adult has a 24 % positive class, 48,842 rows and one sensitive column in the benchmark. A
synthesizer tuned only there may lose more utility than fairness should cost elsewhere, so
the benchmark also runs on tables built from the same rows:

* ``adult_rare``: the positive rows (income ``'>50K'``) subsampled so that they are 12 % of
  the table, every negative row kept: a rare positive class with Adult's features.
* ``adult_small``: 1,000 rows, stratified on the target: a small table with Adult's
  positive share.
* ``adult_intersectional``: all of Adult with ``sex`` and ``race`` as sensitive columns
  (``DATASETS`` gives the roles; the rows are ``load_adult``'s).

These are benchmark datasets only: the synthesizer knows nothing of them. Each table is
built with the fixed seed ``BUILD_SEED``, so it is the same on every machine and run; the
loaders' ``num_rows`` / ``random_state`` then draw a subset of it, as ``load_adult`` does.
"""

import numpy as np
from sklearn.model_selection import train_test_split

from sdv_fairdistill.datasets._rows import random_rows
from sdv_fairdistill.datasets.adult import (
    POSITIVE_LABEL,
    TARGET_COLUMN,
    adult_metadata,
    load_adult,
)

#: Seed of the row selection that builds the derived tables (not of the loaders' subsets).
BUILD_SEED = 0
#: Share of positive rows in ``adult_rare``.
RARE_POSITIVE_SHARE = 0.12
#: Rows of ``adult_small``.
SMALL_ROWS = 1000
#: Sensitive columns of ``adult_intersectional`` (their joint values are the groups).
INTERSECTIONAL_COLUMNS = ('sex', 'race')


def _subset(data, num_rows, random_state, table):
    """``num_rows`` random rows of a derived table (all when None), as ``load_adult`` draws."""
    data = random_rows(data, num_rows, random_state, table)
    return data, adult_metadata(data)


def rare_positive_count(negatives, share=RARE_POSITIVE_SHARE):
    """How many positive rows make them ``share`` of a table with ``negatives`` negative rows.

    ``p / (negatives + p) = share`` gives ``p = share * negatives / (1 - share)``, rounded.
    """
    return int(round(share * negatives / (1 - share)))


def load_adult_rare(num_rows=None, random_state=0):
    """Adult with its positive rows subsampled to 12 % of the table, all negatives kept.

    The kept positives are a uniform random draw (seed ``BUILD_SEED``); rows stay in Adult's
    order, so the negative rows are exactly Adult's negative rows.

    Args:
        num_rows (int or None): a random subset of this many rows of the derived table.
        random_state (int): seed of that subset.
    """
    adult, _ = load_adult()
    positive = (adult[TARGET_COLUMN] == POSITIVE_LABEL).to_numpy()
    count = rare_positive_count(int((~positive).sum()))
    rng = np.random.default_rng(BUILD_SEED)
    kept = rng.choice(np.flatnonzero(positive), size=count, replace=False)
    mask = ~positive
    mask[kept] = True
    return _subset(adult[mask].reset_index(drop=True), num_rows, random_state, 'adult_rare')


def load_adult_small(num_rows=None, random_state=0):
    """1,000 random rows of Adult, stratified on the target (Adult's positive share).

    Args:
        num_rows (int or None): a random subset of this many of the 1,000 rows.
        random_state (int): seed of that subset.
    """
    adult, _ = load_adult()
    # Stratified so that the small table's positive share is Adult's to the row, not up to
    # the sampling noise of 1,000 draws (about +- 1.3 points).
    small, _ = train_test_split(
        adult, train_size=SMALL_ROWS, stratify=adult[TARGET_COLUMN], random_state=BUILD_SEED
    )
    return _subset(small.sort_index().reset_index(drop=True), num_rows, random_state,
                   'adult_small')
