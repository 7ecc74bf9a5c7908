"""Probe: a missing-group table's downstream selection rates on the real training rows
(what the downstream calibration measures) and on the test rows (what the benchmark
reports), for one FairDistill fit per seed and a few generated tables.

Usage::

    python benchmarks/probe_missing_group.py compas_missing_race detected 3 4

(a table of ``missing_groups.py``, the metadata, the seeds; 4 tables a seed). One JSON line
per table: the seed, the fit's calibration offsets, and each group's share of rows the
benchmark's classifier (trained on the generated table) selects among the real training and
test rows.
"""

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import missing_groups  # noqa: E402  (this folder's script, for its tables)

from sdv_fairdistill import FairDistillSynthesizer  # noqa: E402
from sdv_fairdistill.benchmark.evaluation import Evaluator  # noqa: E402
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset  # noqa: E402
from sdv_fairdistill.datasets import DATASETS  # noqa: E402

TABLES = 4


def main():
    warnings.simplefilter('ignore')
    for spec in missing_groups.SPECS:
        DATASETS.setdefault(spec.name, spec)
    dataset, metadata_kind = DATASETS[sys.argv[1]], sys.argv[2]
    for seed in [int(value) for value in sys.argv[3:]]:
        train, test, curated = split_dataset(dataset, None, 0.3, seed)
        synthesizer = FairDistillSynthesizer(
            generator_metadata(metadata_kind, curated, train, dataset),
            sensitive_columns=list(dataset.sensitive_columns),
            target_column=dataset.target_column, positive_label=dataset.positive_label,
            seed=seed,
        )
        synthesizer.fit({dataset.table_name: train})
        offsets = synthesizer.get_fairness_diagnostics().get('target_offsets')
        for table_index in range(TABLES):
            table = synthesizer.sample(len(train))[dataset.table_name]
            rates = {}
            for name, real in (('train', train), ('test', test)):
                evaluator = Evaluator(train, real, curated, dataset, random_state=seed)
                result = evaluator.tstr_evaluation(table).task.tstr('synthetic_data')
                groups = np.asarray(evaluator.groups(real))
                rates[name] = pd.Series(result.y_pred).groupby(groups).mean().round(3).to_dict()
            print(json.dumps({
                'dataset': sys.argv[1], 'metadata': metadata_kind, 'seed': seed,
                'table': table_index, 'offsets': offsets, **rates,
            }, default=float), flush=True)


if __name__ == '__main__':
    main()
