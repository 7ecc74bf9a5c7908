"""Time a default fit on a whole bundled table, and the downstream calibration inside it.

Usage (alone on the machine; JSON on stdout)::

    python benchmarks/calibration_cost.py adult
    python benchmarks/calibration_cost.py compas

Results: docs/method.md ("Stage 4"), docs/scale.md.
"""

import json
import sys
import time
import warnings

import torch

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.datasets import get_dataset
from sdv_fairdistill.synthesizers import _calibration

SPENT = {}


def timed(original):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        result = original(*args, **kwargs)
        SPENT['calibration'] = time.perf_counter() - start
        return result
    return wrapper


def main():
    warnings.simplefilter('ignore')
    _calibration.calibrate = timed(_calibration.calibrate)  # the synthesizer calls it by module
    dataset = get_dataset(sys.argv[1])
    data, metadata = dataset.load()
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns=list(dataset.sensitive_columns),
        target_column=dataset.target_column, seed=0,
    )
    start = time.perf_counter()
    synthesizer.fit({dataset.table_name: data})
    print(json.dumps({
        'dataset': sys.argv[1], 'rows': len(data),
        'fit_seconds': round(time.perf_counter() - start, 1),
        'calibration_seconds': round(SPENT.get('calibration', 0.0), 1),
        'torch_threads': torch.get_num_threads(),
    }))


if __name__ == '__main__':
    main()
