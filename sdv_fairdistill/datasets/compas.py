"""COMPAS recidivism data (ProPublica, "Machine Bias", 2016), two-year general recidivism.

The bundled ``data/compas.csv.gz`` holds the 6,172 defendants left by ProPublica's own filter
(see ``prepare_compas``) and the columns most fairness studies keep. Sensitive attribute:
``race``; target: ``two_year_recid`` (1 = re-offended within two years, the positive class).

By default only African-American and Caucasian defendants are returned (5,278 rows), the
comparison ProPublica's analysis is about. The four other groups are small (Native American:
11 rows, Asian: 31), and fairness metrics defined as max - min over groups are then dominated
by the sampling noise of a handful of test rows. Pass ``races=None`` for all 6,172 rows.
"""

from importlib.resources import files

import pandas as pd

from sdv_fairdistill.datasets._metadata import curated_metadata
from sdv_fairdistill.datasets._rows import check_subset_options, random_rows

TABLE_NAME = 'compas'
SENSITIVE_COLUMNS = ('race',)
TARGET_COLUMN = 'two_year_recid'
POSITIVE_LABEL = 1
DEFAULT_RACES = ('African-American', 'Caucasian')

COLUMNS = (
    'sex', 'age', 'age_cat', 'race', 'juv_fel_count', 'juv_misd_count', 'juv_other_count',
    'priors_count', 'c_charge_degree', 'two_year_recid',
)
_NUMERICAL = ('age', 'juv_fel_count', 'juv_misd_count', 'juv_other_count', 'priors_count')


def prepare_compas(raw):
    """Apply ProPublica's filter to the raw ``compas-scores-two-years.csv`` and keep ``COLUMNS``.

    The filter is the one of ProPublica's analysis notebook: charge within 30 days of the
    screening, a known recidivism status, no ordinary traffic offence ('O') and a score.
    This is how ``data/compas.csv.gz`` was made (kept here so the copy can be rebuilt).
    """
    keep = (
        raw['days_b_screening_arrest'].between(-30, 30)
        & (raw['is_recid'] != -1)
        & (raw['c_charge_degree'] != 'O')
        & (raw['score_text'] != 'N/A')
    )
    return raw.loc[keep, list(COLUMNS)].reset_index(drop=True)


def compas_metadata(data):
    """SDV metadata: counts and age numerical, everything else (the target too) categorical."""
    return curated_metadata(TABLE_NAME, data.columns, numerical=_NUMERICAL)


def load_compas(num_rows=None, random_state=0, races=DEFAULT_RACES):
    """Return the COMPAS table and its SDV ``Metadata``.

    Args:
        num_rows (int or None): a random subset of this many rows (all rows when None).
        random_state (int): seed of that subset.
        races (str, sequence of str or None): keep only defendants of these races (default:
            African-American and Caucasian); None keeps all six groups.

    Raises:
        ValueError: for a race COMPAS lacks, an empty ``races``, or a ``num_rows`` beyond
            the rows kept.
    """
    with files('sdv_fairdistill.datasets').joinpath('data/compas.csv.gz').open('rb') as file:
        data = pd.read_csv(file, compression='gzip')
    check_subset_options(num_rows, random_state)
    if isinstance(races, str):  # one race, not its letters
        races = [races]
    elif races is not None:
        races = list(races)  # a generator is read once
    if races is not None and len(races) == 0:
        raise ValueError('races is empty: name at least one race, or pass None for all six.')
    if races is not None:
        unknown = set(races) - set(data['race'].unique())
        if unknown:
            raise ValueError(
                f'Unknown race(s) {sorted(unknown)}; COMPAS has {sorted(data["race"].unique())}.'
            )
        data = data[data['race'].isin(races)].reset_index(drop=True)
    data = random_rows(data, num_rows, random_state, 'COMPAS (of these races)')
    return data, compas_metadata(data)
