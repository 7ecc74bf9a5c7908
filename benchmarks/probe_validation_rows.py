"""How much testing on rows the synthesizer learned from flatters the synthetic-trained model.

A table whose label is pure noise (1,000 rows: two numbers, a count, a text column, ``sex``
and a yes / no label drawn at random): no model can predict the label on new rows. Each
seed fits FairDistill twice (``epochs=30, distill_epochs=15``, detected metadata) and scores
the downstream model with the ``FairnessReport``:

- ``fit on all rows, default validation``: fitted on all 1,000 rows, the report given no
  ``real_validation_data`` (it then tests on its held-out 30 % of those rows, and warns);
- ``fit on 700 rows, 300 kept out``: fitted on 700 rows, the other 300 passed as
  ``real_validation_data``.

One JSON line per seed and arm: the AUROC of the synthetic- and the real-trained model::

    python benchmarks/probe_validation_rows.py --seeds 0 1 2 > \\
        benchmarks/results/metrics/validation_rows.jsonl
"""

import argparse
import json
import warnings

import numpy as np
import pandas as pd
from sdv.metadata import Metadata

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.metrics import FairnessReport


def noise_table(seed, n=1000):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        'a': rng.normal(size=n).round(3), 'b': rng.normal(size=n).round(3),
        'c': rng.integers(0, 100, n), 'job': rng.choice(['x', 'y', 'z'], n),
        'sex': rng.choice(['M', 'F'], n), 'y': rng.choice(['no', 'yes'], n),
    })


def auroc(fit_rows, validation, seed):
    metadata = Metadata.detect_from_dataframes({'t': fit_rows})
    synthesizer = FairDistillSynthesizer(metadata, sensitive_columns='sex', target_column='y',
                                         epochs=30, distill_epochs=15, seed=seed)
    synthesizer.fit({'t': fit_rows})
    synthetic = synthesizer.sample(len(fit_rows))['t']
    report = FairnessReport(explain=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        report.generate(fit_rows, synthetic, metadata, sensitive_columns='sex',
                        target_column='y', real_validation_data=validation, verbose=False)
    details = report.get_details('Downstream Utility').set_index('Metric')
    return {
        'synthetic_auroc': round(float(details.loc['AUROC', 'Synthetic-trained model']), 3),
        'real_auroc': round(float(details.loc['AUROC', 'Real-trained model']), 3),
        'warned': any('No real_validation_data' in str(w.message) for w in caught),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    args = parser.parse_args()
    for seed in args.seeds:
        table = noise_table(seed)
        arms = {
            'fit on all rows, default validation': (table, None),
            'fit on 700 rows, 300 kept out': (table.iloc[:700], table.iloc[700:]),
        }
        for arm, (fit_rows, validation) in arms.items():
            print(json.dumps({'seed': seed, 'arm': arm, **auroc(fit_rows, validation, seed)}),
                  flush=True)


if __name__ == '__main__':
    main()
