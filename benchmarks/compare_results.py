"""Compare two benchmark results.json cell by cell: which scores are identical, how far the others moved.

Used to check that a refactor reproduces an earlier run (same seeded command, same cells):

    python benchmarks/compare_results.py benchmarks/results/parts/fd_small/results.json \
        benchmarks/results/reproduction/after_refactor/fd_small/results.json

Prints, per metric, how many cells present in both runs have the identical value, and the
largest absolute difference; then every cell whose label gap or quality (properties of the
synthetic table alone, not of the downstream classifier) differs.
"""

import argparse
import json
import math

METRICS = ('accuracy', 'f1', 'auroc', 'dp_difference', 'eo_difference', 'label_gap',
           'tsts_accuracy', 'tsts_dp_difference', 'quality', 'density', 'coverage')
TABLE_ONLY = ('label_gap', 'quality')


def _records(path):
    with open(path) as handle:
        records = json.load(handle)['records']
    return {(r['dataset'], r['generator'], r['seed']): r for r in records}


def _same(a, b):
    """Equal, counting two missing or two NaN values as equal."""
    if a is None or b is None:
        return a is b
    return a == b or (math.isnan(a) and math.isnan(b))


def compare(before, after):
    """Rows ``(metric, identical, compared, largest difference)`` and the table-level changes."""
    shared = sorted(set(before) & set(after))
    rows, changed = [], []
    for metric in METRICS:
        pairs = [(before[key].get(metric), after[key].get(metric)) for key in shared]
        pairs = [(a, b) for a, b in pairs if a is not None and b is not None]
        identical = sum(_same(a, b) for a, b in pairs)
        largest = max((abs(a - b) for a, b in pairs if not _same(a, b)
                       and not (math.isnan(a) or math.isnan(b))), default=0.0)
        rows.append((metric, identical, len(pairs), largest))
    for key in shared:
        for metric in TABLE_ONLY:
            a, b = before[key].get(metric), after[key].get(metric)
            if not _same(a, b):
                changed.append((key, metric, a, b))
    return rows, changed, len(shared)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('before')
    parser.add_argument('after')
    args = parser.parse_args()
    rows, changed, cells = compare(_records(args.before), _records(args.after))
    print(f'{cells} cells in both runs\n')
    print('| metric | identical | largest difference |')
    print('|---|---:|---:|')
    for metric, identical, compared, largest in rows:
        print(f'| {metric} | {identical} / {compared} | {largest:.4f} |')
    for key, metric, a, b in changed:
        print(f'changed {metric}: {key}: {a} -> {b}')


if __name__ == '__main__':
    main()
