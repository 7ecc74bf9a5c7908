"""How precisely the downstream calibration measures each group's shift (the first round's
standard error, log-odds), per fit, with the label from the features forced on or off:
what the default's rule (``calibration.MAX_LABEL_SHIFT_ERROR``) judges. Records every
round's mean shift and standard error (``calibration.shrunk_mean``'s inputs) and the
benchmark's scores, one JSON line per seed:

    python benchmarks/probe_label_certainty.py adult_small detected equal_opportunity lff 0 1 2 3 4 \\
        > benchmarks/results/criteria/if_certain/probes/adult_small_eopp_lff.jsonl

With ``--time`` instead: the fit time of the default and of ``label_from_features=False``
on seed 0, one after the other (run it alone on the machine):

    python benchmarks/probe_label_certainty.py --time german detected equalized_odds
"""

import json
import sys
import time
import warnings

import numpy as np
import torch

import criteria
from sdv_fairdistill.core import calibration
from sdv_fairdistill.synthesizers.tabular import FairDistillSynthesizer

RECORDS = []
_SHRUNK_MEAN = calibration.shrunk_mean


def _recording(shifts, errors, passed=None):
    mean, variance = calibration.mean_and_variance(shifts, errors)
    RECORDS.append({'mean': mean.tolist(), 'se': np.sqrt(variance).tolist()})
    return _SHRUNK_MEAN(shifts, errors, passed)


def probe(dataset_name, metadata_kind, criterion, label, seeds):
    torch.set_num_threads(1)  # fairness numbers reproducible to the digit
    calibration.shrunk_mean = _recording
    options = {'label_from_features': label == 'lff'}
    for seed in seeds:
        RECORDS.clear()
        dataset, train, metadata, evaluator = criteria._setup(dataset_name, metadata_kind, seed, None)
        row = criteria.fairdistill_rows(dataset, train, metadata, evaluator, seed, criterion,
                                        300.0, **options)[0]
        scores = {key: row.get(key) for key in
                  ('accuracy', 'auroc', 'eo_difference', 'tpr_difference', 'dp_difference')}
        print(json.dumps({'dataset': dataset_name, 'metadata': metadata_kind,
                          'criterion': criterion, 'label': label, 'seed': seed,
                          'rounds': list(RECORDS), **scores}), flush=True)


def time_fits(dataset_name, metadata_kind, criterion):
    dataset, train, metadata, _ = criteria._setup(dataset_name, metadata_kind, 0, None)
    for arm, options in (('default', {}), ('head', {'label_from_features': False})):
        synthesizer = FairDistillSynthesizer(
            metadata, sensitive_columns=list(dataset.sensitive_columns),
            target_column=dataset.target_column, fairness_criterion=criterion,
            positive_label=dataset.positive_label, seed=0, **options)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            synthesizer.fit({dataset.table_name: train})
        print(json.dumps({'dataset': dataset_name, 'criterion': criterion, 'arm': arm,
                          'fit_seconds': round(time.perf_counter() - start, 1),
                          'label_source': synthesizer.get_fairness_diagnostics()['label_source']}),
              flush=True)


if __name__ == '__main__':
    if sys.argv[1] == '--time':
        time_fits(*sys.argv[2:5])
    else:
        probe(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], [int(s) for s in sys.argv[5:]])
