"""Sensitive columns with missing values: the missing rows are a group of their own.

Real tables often lack a person's group for some rows (a survey question left blank, a
field not collected). FairDistill treats those rows as a group of their own, as the fairness
report does (``'(missing)'``), instead of refusing the table. These cases measure whether the
group is then held as fair as the others, on the bundled tables with the group removed where
it hurts most: more often for the rows with the positive label, so that the missing group's
label rate is far from both real groups' (missing not at random).

- ``adult_missing_sex``: Adult, ``sex`` missing for 25 % of the ``>50K`` rows and 5 % of the
  others (9.8 % of the rows; their positive rate 0.61 against 0.09 for women, 0.26 for men).
- ``compas_missing_race``: COMPAS, ``race`` missing for 25 % of the rows that reoffended
  and 5 % of the others (14.9 % of the rows; recidivism 0.83 against 0.46 and 0.33).

Each removal is drawn with the fixed seed ``BUILD_SEED``, so the tables are the same in
every run. They run through the benchmark's own runner and evaluation (``run_benchmark``;
the DP difference is taken over every group with at least 100 test rows, the missing one
included), beside the SDV recipe, the real data and fairlearn's demographic-parity ceiling::

    python benchmarks/missing_groups.py --seeds 0 1 2 -o benchmarks/results/missing_groups
"""

import argparse
import sys
from pathlib import Path

import numpy as np

from sdv_fairdistill.datasets import DATASETS, DatasetSpec, adult, compas, load_adult, load_compas

sys.path.insert(0, str(Path(__file__).parent))
from unseen_tables import run_tables  # noqa: E402  (this folder's runner of registered tables)

#: Seed of the rows whose group is removed.
BUILD_SEED = 0
#: Share of the positive rows, and of the others, whose group is removed.
MISSING_SHARES = (0.25, 0.05)
GENERATORS = ('FairDistill', 'TVAE (cells at p(s) p(y))')


def without_some_groups(loader, module):
    """A loader of ``module``'s table with its sensitive column removed on some rows."""
    def load():
        data, metadata = loader()
        column = module.SENSITIVE_COLUMNS[0]
        positive = (data[module.TARGET_COLUMN] == module.POSITIVE_LABEL).to_numpy()
        share = np.where(positive, *MISSING_SHARES)
        removed = np.random.default_rng(BUILD_SEED).random(len(data)) < share
        data[column] = data[column].where(~removed)
        return data, metadata
    return load


SPECS = (
    DatasetSpec('adult_missing_sex', without_some_groups(load_adult, adult), adult.TABLE_NAME,
                adult.SENSITIVE_COLUMNS, adult.TARGET_COLUMN, adult.POSITIVE_LABEL,
                'Adult, sex missing for 25 % of >50K rows and 5 % of the others'),
    DatasetSpec('compas_missing_race', without_some_groups(load_compas, compas),
                compas.TABLE_NAME, compas.SENSITIVE_COLUMNS, compas.TARGET_COLUMN,
                compas.POSITIVE_LABEL,
                'COMPAS, race missing for 25 % of those who reoffended and 5 % of the others'),
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--datasets', nargs='+', default=[spec.name for spec in SPECS])
    parser.add_argument('--generators', nargs='+', default=list(GENERATORS))
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--metadata', nargs='+', default=['detected'])
    parser.add_argument('-o', '--output', default='benchmarks/results/missing_groups')
    args = parser.parse_args()
    for spec in SPECS:  # registered for this process only
        DATASETS.setdefault(spec.name, spec)
    run_tables(args)


if __name__ == '__main__':
    main()
