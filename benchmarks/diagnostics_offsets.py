"""The diagnostics of the tests' biased table (``tests/test_diagnostics.py``: 800 rows, the
group shifts the one feature by two standard deviations, the label follows the feature) with
and without the calibration's offsets, at the defaults and with a penalty far too weak.

Usage::

    python benchmarks/diagnostics_offsets.py
"""

import json
import warnings

import numpy as np
import pandas as pd
from sdv.metadata import Metadata

from sdv_fairdistill import FairDistillSynthesizer


def biased_table():
    rng = np.random.RandomState(0)
    group = rng.choice(['a', 'b'], 800)
    x = rng.normal(size=800) + 2 * (group == 'a')
    label = np.where(x + 0.3 * rng.normal(size=800) > 1, 'yes', 'no')
    return pd.DataFrame({'group': group, 'x': x, 'label': label})


def main():
    table = biased_table()
    metadata = Metadata.detect_from_dataframes({'t': table})
    arms = {
        'defaults': {},
        'defaults, no calibration': {'calibrate_target': False},
        'fairness_weight=1e-3': {'fairness_weight': 1e-3},
        'fairness_weight=1e-3, no calibration': {'fairness_weight': 1e-3,
                                                 'calibrate_target': False},
    }
    for name, parameters in arms.items():
        synthesizer = FairDistillSynthesizer(
            metadata, 'group', 'label', epochs=40, distill_epochs=10, batch_size=200, seed=0,
            **parameters,
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            synthesizer.fit({'t': table})
        diagnostics = synthesizer.get_fairness_diagnostics()
        print(json.dumps({
            'fit': name, **{k: v for k, v in diagnostics.items() if k != 'criterion'},
            'warned': [str(w.message) for w in caught if 'less fair' in str(w.message)],
        }, default=str), flush=True)


if __name__ == '__main__':
    main()
