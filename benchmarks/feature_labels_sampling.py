"""Sampling speed of a default Adult fit with the label from the features and without it.

Usage (alone on the machine)::

    python benchmarks/feature_labels_sampling.py > benchmarks/results/feature_labels/sampling_speed.json

Results: docs/scale.md.
"""
import json
import time
import warnings

warnings.simplefilter('ignore')
from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.datasets import get_dataset
d = get_dataset('adult'); data, metadata = d.load()
s = FairDistillSynthesizer(metadata, sensitive_columns=['sex'], target_column='income', seed=0)
s.fit({d.table_name: data})
model = s._model
scorer = model.label_scorer
out = {}
for arm in ('labels', 'head', 'labels_again'):
    model.label_scorer = None if arm == 'head' else scorer
    s.sample(1000)
    start = time.perf_counter(); s.sample(100_000); t = time.perf_counter() - start
    out[arm] = round(100_000 / t)
print(json.dumps({'sample_100000_rows_per_second': out}))
