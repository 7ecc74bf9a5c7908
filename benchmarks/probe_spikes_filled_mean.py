"""Probe: the mean SDV fills in for missing numbers, taken as a spike or not.

The table of ``tests/test_users_tables.py``'s missing-wages case (2,000 rows; wages missing
for 70 % of the young and 10 % of the others, 40 % in all), detected metadata, the test's
training (30 + 10 epochs, batch 200, seed 0), a 4,000-row sample. Three arms:

- ``gaussian``: every value in Gaussian modes (the encoding before spikes);
- ``filled_as_spike``: spikes found on every row, the filled mean included;
- ``shipped``: spikes found on the rows ``<column>.is_null`` does not flag.

Printed per arm: the share of missing generated wages, and among the others the share
within 0.25 of the real mean (a twentieth of the standard deviation) and exactly at it.

Usage::

    python benchmarks/probe_spikes_filled_mean.py
"""

import warnings
from unittest import mock

import numpy as np
import pandas as pd
from sdv.metadata import Metadata

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.adapters import tabular_encoding
from sdv_fairdistill.synthesizers import _tabular_inputs


def main():
    warnings.simplefilter('ignore')
    rng = np.random.RandomState(9)  # as the test's fixture draws it
    age = rng.choice(['young', 'old'], 2000)
    wages = rng.normal(20, 5, 2000)
    wages[rng.uniform(size=2000) < np.where(age == 'young', 0.7, 0.1)] = np.nan
    table = pd.DataFrame({
        'group': rng.choice(['a', 'b'], 2000), 'age': age, 'wages': wages,
        'label': rng.choice(['yes', 'no'], 2000),
    })
    mean = table['wages'].mean()
    arms = {
        'gaussian': mock.patch.object(tabular_encoding._Spikes, 'find', return_value=[]),
        'filled_as_spike': mock.patch.object(_tabular_inputs, 'filled_flags', return_value={}),
        'shipped': mock.patch.dict({}),
    }
    for arm, patch in arms.items():
        with patch:
            synthesizer = FairDistillSynthesizer(
                Metadata.detect_from_dataframes({'t': table}), 'group', 'label',
                epochs=30, distill_epochs=10, batch_size=200, seed=0)
            synthesizer.fit({'t': table})
        generated = synthesizer.sample(4000)['t']['wages']
        values = generated.dropna()
        print(arm, 'missing', round(generated.isna().mean(), 3),
              'near_mean', round((abs(values - mean) < 0.25).mean(), 3),
              'exactly_mean', round((abs(values - mean) < 1e-6).mean(), 3), flush=True)


if __name__ == '__main__':
    main()
