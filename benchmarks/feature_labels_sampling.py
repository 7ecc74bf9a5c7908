"""Sampling speed of a default Adult fit with the label from the features and without it.

Usage (alone on the machine)::

    python benchmarks/feature_labels_sampling.py > benchmarks/results/feature_labels/sampling_speed.json

Results: docs/scale.md.
"""

import json
import time
import warnings

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.datasets import get_dataset

ROWS = 100_000


def main():
    warnings.simplefilter('ignore')
    dataset = get_dataset('adult')
    data, metadata = dataset.load()
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns=['sex'], target_column='income', seed=0
    )
    synthesizer.fit({dataset.table_name: data})
    model = synthesizer._model
    scorer = model.label_scorer
    speeds = {}
    # The same fit with its label scorer, without it (the head's label), and with it again.
    for arm in ('labels', 'head', 'labels_again'):
        model.label_scorer = None if arm == 'head' else scorer
        synthesizer.sample(1000)  # warm up
        start = time.perf_counter()
        synthesizer.sample(ROWS)
        speeds[arm] = round(ROWS / (time.perf_counter() - start))
    print(json.dumps({'sample_100000_rows_per_second': speeds}))


if __name__ == '__main__':
    main()
