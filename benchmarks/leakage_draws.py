"""The fit's leakage diagnostic on posterior draws (what the decoder and the latent density
see; since 2026-12-07) against the latent means (the diagnostic before), at the defaults and
for the unfair ablation (``fairness_weight=0``).

For each table and seed, one fit per arm; the record has both leakage AUROCs (the same rows,
logistic regression, 3-fold cross-validated), the fit's label gap and downstream DP on
training rows, and the downstream DP of the benchmark's classifier trained on a generated
table of the training table's size and scored on the held-out real test rows.

Tables: the bundled ones through the benchmark's split (``adult``, ``compas``, ``german``,
detected metadata), and ``no_features``: 3,000 rows of a sensitive column and a label alone
(the label's rate 0.30 / 0.45 by group), where the latent has nothing to encode.

Usage::

    python benchmarks/leakage_draws.py --tables compas german no_features adult \\
        --seeds 0 1 2 > benchmarks/results/diagnostics/leakage_draws.jsonl
"""

import argparse
import json
import warnings

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from sdv.metadata import Metadata

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.benchmark.evaluation import Evaluator
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset
from sdv_fairdistill.datasets import get_dataset
from sdv_fairdistill.synthesizers._latent_leakage import leakage_auroc


def means_leakage(synthesizer, table, seed):
    """The diagnostic as it was: the AUROC of the group from the fair part of the latent
    means of the (at most 5,000) training rows, on the rows the diagnostics use."""
    model = synthesizer._model
    rows = np.random.RandomState(seed).permutation(len(table))[:5000]
    x, y, codes = synthesizer._encoded_rows(table.iloc[np.sort(rows)], seed)
    codes = np.asarray(codes)
    s = F.one_hot(torch.as_tensor(codes, dtype=torch.long), len(synthesizer._groups)).float()
    condition = model._encoder_condition(y.to(model.device), s.to(model.device))
    means = model._encode(model.student_encoder, x.to(model.device), condition)
    keep = np.flatnonzero(np.bincount(codes) >= 2)
    return leakage_auroc(means[:, : model.fair_latent_dim], codes, keep, seed)


def no_features_split(seed):
    rng = np.random.default_rng(seed)
    sex = rng.choice(['F', 'M'], 4000)
    label = (rng.random(4000) < np.where(sex == 'F', 0.30, 0.45)).astype(int)
    table = pd.DataFrame({'sex': sex, 'label': label})
    return table.iloc[:3000], table.iloc[3000:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--tables', nargs='+', default=['compas', 'german', 'no_features'])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    args = parser.parse_args()
    warnings.simplefilter('ignore')
    for name in args.tables:
        for seed in args.seeds:
            if name == 'no_features':
                train, test = no_features_split(seed)
                metadata = Metadata.detect_from_dataframes({'t': train})
                table_name, sensitive, target, evaluator = 't', ['sex'], 'label', None
            else:
                dataset = get_dataset(name)
                train, test, curated = split_dataset(dataset, None, 0.3, seed)
                metadata = generator_metadata('detected', curated, train, dataset)
                evaluator = Evaluator(train, test, curated, dataset, random_state=seed)
                table_name = dataset.table_name
                sensitive, target = list(dataset.sensitive_columns), dataset.target_column
            for weight in (None, 0.0):
                kwargs = {} if weight is None else {'fairness_weight': weight}
                synthesizer = FairDistillSynthesizer(
                    metadata, sensitive_columns=sensitive, target_column=target, seed=seed,
                    **kwargs)
                synthesizer.fit({table_name: train})
                diagnostics = synthesizer.get_fairness_diagnostics()
                record = {
                    'table': name, 'seed': seed,
                    'arm': 'defaults' if weight is None else 'fairness_weight=0',
                    'leakage_draws': round(diagnostics['latent_leakage_auroc'], 4),
                    'leakage_means': round(means_leakage(synthesizer, train, seed), 4),
                    'label_gap': round(diagnostics.get('label_gap', float('nan')), 4),
                    'downstream_dp_training_rows': round(
                        diagnostics.get('downstream_dp_difference', float('nan')), 4),
                }
                if evaluator is not None:
                    synthetic = synthesizer.sample(len(train))[table_name]
                    record['heldout_dp'] = round(
                        float(evaluator.evaluate(synthetic, fidelity=False)['dp_difference']), 4)
                print(json.dumps(record), flush=True)


if __name__ == '__main__':
    main()
