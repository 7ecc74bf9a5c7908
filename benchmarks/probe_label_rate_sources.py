"""Probe: where the generated label rate comes from. FairDistill at its defaults, fitted as the
benchmark fits it (``probe_sample_spread.as_the_benchmark``); one JSON line: the real training
rows' rate of the favourable label, the label scorer's mean probability of its second class on
the real training rows and on each group's generated rows (the draws its alignment is fitted
on), the alignment's barycenter mean, the calibration's offsets, and the favourable label's
rate in a generated table of the training table's size, with and without the offsets.

    python benchmarks/unseen_tables.py --run probe_label_rate_sources.py loanapp detected 0

Records: ``benchmarks/results/feature_labels/label_anchor/sources.jsonl`` (``code``: the
commit the line was run at; before the label was anchored at the real rates, and after).
"""

import json
import sys
import warnings

import numpy as np

from probe_sample_spread import as_the_benchmark  # this folder
from sdv_fairdistill.core.quantile_functions import grid_mean
from sdv_fairdistill.datasets import get_dataset


def main():
    name, kind, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    dataset = get_dataset(name)
    warnings.simplefilter('ignore')
    train, _, evaluator, synthesizer = as_the_benchmark(dataset, kind, seed)
    synthesizer.fit({dataset.table_name: train})
    model = synthesizer._model
    alignment, scorer = model.label_alignment, model.label_scorer
    record = {'dataset': name, 'metadata': kind, 'seed': seed,
              'real_rate': float(evaluator.labels(train).mean()),
              'alignment': type(alignment).__name__,
              'prior': [float(p) for p in model.density.group_prior_],
              'scorer_mean_on_generated_rows': [float(s.mean()) for s in alignment.sorted_]}
    if hasattr(alignment, 'quantiles_'):
        record['barycenter_mean'] = grid_mean(alignment.quantiles_)
    matrix = scorer.reader.transform(synthesizer._data_processor.transform(train))
    record['scorer_mean_on_real_rows'] = float(
        np.mean(1 / (1 + np.exp(-scorer.classifier.decision_function(matrix)))))
    offsets = model.target_offsets
    record['offsets'] = None if offsets is None else offsets.tolist()
    table = synthesizer.sample(len(train))[dataset.table_name]
    record['generated_rate'] = float(evaluator.labels(table).mean())
    model.target_offsets = None
    synthesizer._set_random_state(seed)
    table = synthesizer.sample(len(train))[dataset.table_name]
    record['generated_rate_without_offsets'] = float(evaluator.labels(table).mean())
    print(json.dumps(record), flush=True)


if __name__ == '__main__':
    main()
