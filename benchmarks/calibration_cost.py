"""Time a default fit on a whole bundled table, and the two steps after training inside it:
the label from the features and the downstream calibration.

Usage (alone on the machine; JSON on stdout)::

    python benchmarks/calibration_cost.py adult
    python benchmarks/calibration_cost.py compas
    python benchmarks/calibration_cost.py adult equalized_odds    # another fairness_criterion

Results: docs/method.md ("Stage 5"), docs/scale.md.
"""

import json
import sys
import time
import warnings

import torch

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.datasets import get_dataset
from sdv_fairdistill.synthesizers import _calibration, _feature_labels

SPENT = {}


def timed(original, name):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        result = original(*args, **kwargs)
        # Summed: a label from the features tried and not kept calibrates twice.
        SPENT[name] = SPENT.get(name, 0.0) + time.perf_counter() - start
        return result
    return wrapper


def main():
    warnings.simplefilter('ignore')
    # The synthesizer calls both by module.
    _calibration.calibrate = timed(_calibration.calibrate, 'calibration')
    _feature_labels.use_feature_labels = timed(_feature_labels.use_feature_labels, 'feature_labels')
    dataset = get_dataset(sys.argv[1])
    criterion = sys.argv[2] if len(sys.argv) > 2 else 'demographic_parity'
    data, metadata = dataset.load()
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns=list(dataset.sensitive_columns),
        target_column=dataset.target_column, positive_label=dataset.positive_label,
        fairness_criterion=criterion, seed=0,
    )
    start = time.perf_counter()
    synthesizer.fit({dataset.table_name: data})
    print(json.dumps({
        'dataset': sys.argv[1], 'criterion': criterion, 'rows': len(data),
        'fit_seconds': round(time.perf_counter() - start, 1),
        'feature_labels_seconds': round(SPENT.get('feature_labels', 0.0), 1),
        'calibration_seconds': round(SPENT.get('calibration', 0.0), 1),
        'torch_threads': torch.get_num_threads(),
    }))


if __name__ == '__main__':
    main()
