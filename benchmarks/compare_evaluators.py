"""Score the same synthetic tables with two versions of the benchmark's evaluator.

Isolates what a change of the evaluation alone does to the benchmark's numbers: the tables
are generated once (seed 0, the benchmark's split), saved, and scored by whichever
``sdv_fairdistill`` is first on ``PYTHONPATH``::

    git worktree add /tmp/previous <commit before the change>
    PYTHONPATH=/tmp/previous python benchmarks/compare_evaluators.py generate tables/ previous.json
    python benchmarks/compare_evaluators.py score tables/ current.json
    python benchmarks/compare_evaluators.py table previous.json current.json

(``generate`` also scores; ``score`` only reads the saved tables.)
"""

import json
import os
import sys
import warnings

CELLS = [(d, g) for d in ('compas', 'german') for g in ('FairDistill', 'GaussianCopula')]
KEYS = ('accuracy', 'f1', 'auroc', 'dp_difference', 'eo_difference', 'tpr_difference',
        'label_gap', 'tsts_accuracy', 'tsts_dp_difference', 'quality', 'density', 'coverage')


def score(mode, folder, output):
    import pandas as pd
    import torch

    from sdv_fairdistill.benchmark import split_dataset
    from sdv_fairdistill.benchmark.evaluation import Evaluator
    from sdv_fairdistill.benchmark.generators import get_generator
    from sdv_fairdistill.benchmark.runner import run_generator
    from sdv_fairdistill.datasets import get_dataset

    torch.set_num_threads(1)
    warnings.simplefilter('ignore')
    os.makedirs(folder, exist_ok=True)
    results = {}
    for name, generator in CELLS:
        dataset = get_dataset(name)
        train, test, metadata = split_dataset(dataset, None, 0.3, 0)
        path = os.path.join(folder, f'{name}_{generator}.pkl')
        if mode == 'generate' and not os.path.exists(path):
            synthetic, _ = run_generator(
                get_generator(generator), dataset, metadata, train, 0, {}, False
            )
            synthetic.to_pickle(path)
        synthetic = pd.read_pickle(path)
        evaluator = Evaluator(train, test, metadata, dataset, random_state=0)
        results[f'{name} / {generator}'] = evaluator.evaluate(synthetic)
        if generator == 'FairDistill':
            results[f'{name} / Real data'] = evaluator.evaluate(train, fidelity_table=test)
    with open(output, 'w') as handle:
        json.dump(results, handle, indent=1, default=str)


def table(before_path, after_path):
    before, after = (json.load(open(path)) for path in (before_path, after_path))
    print('| table | ' + ' | '.join(KEYS) + ' |')
    print('|---' * (len(KEYS) + 1) + '|')
    for cell in before:
        values = (f"{before[cell].get(k, float('nan')):.3f} → {after[cell].get(k, float('nan')):.3f}"
                  for k in KEYS)
        print(f'| {cell} | ' + ' | '.join(values) + ' |')


if __name__ == '__main__':
    if sys.argv[1] == 'table':
        table(sys.argv[2], sys.argv[3])
    else:
        score(sys.argv[1], sys.argv[2], sys.argv[3])
