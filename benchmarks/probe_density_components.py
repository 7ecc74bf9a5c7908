"""Probe: the latent density's number of components, fixed instead of chosen by BIC.

For each seed, one FairDistill fit (defaults) whose per-group Gaussian mixtures are refitted
with each ``--components`` size (``0``: the shipped BIC choice), everything else the same
fit; one synthetic table of the training table's size per size, scored by the benchmark's
evaluator with fidelity (QualityReport, density / coverage). JSON lines on stdout.

Usage::

    python benchmarks/probe_density_components.py adult detected 0 --components 0 4 16 64
"""

import argparse
import json
import time
import warnings

from sklearn.mixture import GaussianMixture

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.benchmark.evaluation import Evaluator
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset
from sdv_fairdistill.core import density as density_module
from sdv_fairdistill.datasets import get_dataset

SCORES = ('accuracy', 'f1', 'auroc', 'dp_difference', 'dp_difference_large_groups', 'label_gap',
          'quality', 'density', 'coverage')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('dataset')
    parser.add_argument('metadata', choices=['curated', 'detected'])
    parser.add_argument('seeds', type=int, nargs='+')
    parser.add_argument('--components', type=int, nargs='+', default=[0, 16])
    parser.add_argument('--covariance', default='full')
    args = parser.parse_args()
    warnings.simplefilter('ignore')
    dataset = get_dataset(args.dataset)
    shipped = density_module._fit_mixture
    for seed in args.seeds:
        train, test, curated = split_dataset(dataset, None, 0.3, seed)
        evaluator = Evaluator(train, test, curated, dataset, random_state=seed)
        metadata = generator_metadata(args.metadata, curated, train, dataset)
        for size in args.components:
            if size:
                def fixed(latents, max_components, random_state, size=size):
                    n = max(1, min(size, len(latents) // 20))
                    return GaussianMixture(n, covariance_type=args.covariance,
                                           random_state=random_state, reg_covar=1e-4).fit(latents)
                density_module._fit_mixture = fixed
            else:
                density_module._fit_mixture = shipped
            start = time.perf_counter()
            synthesizer = FairDistillSynthesizer(
                metadata, sensitive_columns=list(dataset.sensitive_columns),
                target_column=dataset.target_column, seed=seed)
            synthesizer.fit({dataset.table_name: train})
            fit_seconds = time.perf_counter() - start
            table = synthesizer.sample(len(train))[dataset.table_name]
            scores = evaluator.evaluate(table, fidelity=True)
            print(json.dumps({
                'dataset': args.dataset, 'metadata': args.metadata, 'seed': seed,
                'components': size, 'covariance': args.covariance,
                'chosen': synthesizer._model.density.n_components_,
                **{k: round(float(scores[k]), 4) for k in SCORES if k in scores},
                'fit_seconds': round(fit_seconds, 1),
            }), flush=True)


if __name__ == '__main__':
    main()
