"""FairDistill with curated against SDV-detected metadata, several seeds, on the bundled tables.

SDV's ``Metadata.detect_from_dataframes`` marks whole-number columns with few values (counts,
0/1 labels, integer codes) ``ordinal``: this script measures what that costs, the way a user
who runs the defaults once would meet it. Every run is scored by the benchmark's evaluator
(the same split, classifier and curated column roles for both metadata), so the two rows of a
seed differ only in the metadata the synthesizer was given.

    python benchmarks/detected_metadata.py --datasets compas german --seeds 0 1 2 \
        -o benchmarks/results/detected_metadata/after.json

Pass ``--adult-rows N`` to include Adult subsampled to N rows.
"""

import argparse
import json
import time
import warnings

import numpy as np


def run(dataset_name, metadata_kind, seed, num_rows):
    from sdv.metadata import Metadata

    from sdv_fairdistill.benchmark import Evaluator, split_dataset
    from sdv_fairdistill.benchmark.generators import seed_everything
    from sdv_fairdistill.datasets import get_dataset
    from sdv_fairdistill.synthesizers.tabular import FairDistillSynthesizer

    dataset = get_dataset(dataset_name)
    train, test, curated = split_dataset(dataset, num_rows, 0.3, seed)
    if metadata_kind == 'detected':
        metadata = Metadata.detect_from_dataframes({dataset.table_name: train})
    else:
        metadata = curated
    sdtypes = {
        column: info['sdtype']
        for column, info in metadata.to_dict()['tables'][dataset.table_name]['columns'].items()
    }
    seed_everything(seed)
    synthesizer = FairDistillSynthesizer(
        metadata,
        sensitive_columns=list(dataset.sensitive_columns),
        target_column=dataset.target_column,
        seed=seed,
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        synthesizer.fit({dataset.table_name: train})
    fit_seconds = time.perf_counter() - start
    synthetic = synthesizer.sample(len(train))[dataset.table_name]
    evaluator = Evaluator(train, test, curated, dataset, random_state=seed)
    scores = evaluator.evaluate(synthetic, fidelity=True)
    diagnostics = getattr(synthesizer, 'get_fairness_diagnostics', lambda: {})()
    return {
        **{f'diagnostics_{k}': v for k, v in diagnostics.items() if isinstance(v, float)},
        'dataset': dataset_name,
        'metadata': metadata_kind,
        'seed': seed,
        'ordinal_columns': sorted(c for c, t in sdtypes.items() if t == 'ordinal'),
        'fit_seconds': fit_seconds,
        **{k: float(v) for k, v in scores.items() if isinstance(v, (int, float, np.floating))},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--datasets', nargs='+', default=['compas', 'german'])
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--metadata', nargs='+', default=['curated', 'detected'])
    parser.add_argument('--adult-rows', type=int, default=None)
    parser.add_argument('-o', '--output', required=True)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    rows = []
    datasets = list(args.datasets) + (['adult'] if args.adult_rows else [])
    for name in datasets:
        for kind in args.metadata:
            for seed in args.seeds:
                num_rows = args.adult_rows if name == 'adult' else None
                row = run(name, kind, seed, num_rows)
                rows.append(row)
                print(json.dumps({k: row[k] for k in ('dataset', 'metadata', 'seed')} | {
                    k: round(row[k], 3) for k in ('accuracy', 'auroc', 'dp_difference', 'eo_difference', 'label_gap', 'quality', 'fit_seconds', 'diagnostics_label_gap', 'diagnostics_latent_leakage_auroc', 'diagnostics_downstream_dp_difference') if k in row
                }), flush=True)
                with open(args.output, 'w') as handle:
                    json.dump(rows, handle, indent=1)


if __name__ == '__main__':
    main()
