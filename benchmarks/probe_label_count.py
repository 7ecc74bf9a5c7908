"""Probe: does fixing each group's label count in a sampled table make the downstream model
fairer? (A lead, closed: benchmarks/results/stability/utility_probes.md, sixth session.)

One default fit per seed (``probe_core_option.fit``), then ``TABLES`` tables of the training
table's size per arm, scored by the benchmark's evaluator (``probe_core_option.score``):

- ``iid``: the product's draw (each row's label drawn on its own with its probability).
- ``systematic``: the same per-row probabilities, drawn by systematic sampling inside each
  group in a random order (Madow): every row keeps its probability, and a group's count of
  positive labels is the sum of its probabilities rounded down or up.
- ``systematic_in_call`` (``--in-call``): also each group's probabilities aligned on the rows
  of the call itself (their own ranks, not the fitted map), so each group's expected count
  is the barycenter's rate to the row.

Usage (JSON lines on stdout)::

    python benchmarks/probe_label_count.py adult_small detected 6 0 1 2 3 4 --in-call
    python benchmarks/probe_label_count.py compas detected 3 0 1 2 3 4 --seeded-sampling
"""

import argparse
import json
import time
import warnings

import numpy as np
import torch

import probe_core_option
from sdv_fairdistill.benchmark.evaluation import Evaluator
from sdv_fairdistill.benchmark.runner import generator_metadata, split_dataset
from sdv_fairdistill.core import calibration, feature_labels
from sdv_fairdistill.core import model_sampling as model_module
from sdv_fairdistill.core.model import FairDistillModel
from sdv_fairdistill.datasets import get_dataset

PRODUCT_DRAW = FairDistillModel._draw_target
PRODUCT_ALIGNED = model_module.aligned_logits


def systematic(probabilities, rng):
    """Labels with ``P(label_i) = probabilities[i]`` whose count is the sum rounded."""
    order = rng.permutation(len(probabilities))
    upper = np.cumsum(probabilities[order])
    lower = upper - probabilities[order]
    start = rng.uniform()
    # Row i is positive when a point start + k (k = 0, 1, ...) falls in (lower_i, upper_i].
    chosen = np.floor(upper - start) > np.floor(lower - start)
    labels = np.zeros(len(probabilities), dtype=bool)
    labels[order] = chosen
    return labels


def draw_systematic(self, target_output, groups, alignment, offsets):
    if alignment is not None or target_output.shape[1] != 2:
        return PRODUCT_DRAW(self, target_output, groups, alignment, offsets)
    if offsets is not None:
        target_output = calibration.apply_offsets(target_output, offsets, groups)
    probabilities = torch.sigmoid(target_output[:, 1] - target_output[:, 0]).double().numpy()
    rng = np.random.RandomState(int(torch.randint(2**31 - 1, (1,), generator=self._torch_rng)))
    groups = np.asarray(groups)
    labels = np.zeros(len(probabilities), dtype=bool)
    for group in np.unique(groups):
        rows = groups == group
        labels[rows] = systematic(probabilities[rows], rng)
    drawn = torch.zeros_like(target_output)
    drawn[torch.as_tensor(labels), 1] = 1.0
    drawn[torch.as_tensor(~labels), 0] = 1.0
    return drawn


def aligned_in_call(scorer_logits, alignment, groups):
    probabilities = torch.sigmoid(scorer_logits[:, 1] - scorer_logits[:, 0]).double().numpy()
    groups = np.asarray(groups)
    fitted = alignment.sorted_
    try:
        alignment.sorted_ = [
            np.sort(probabilities[groups == g]) if np.any(groups == g) else values
            for g, values in enumerate(fitted)
        ]
        aligned = alignment.transform(probabilities, groups)
    finally:
        alignment.sorted_ = fitted
    aligned = np.clip(aligned, feature_labels.EPSILON, 1 - feature_labels.EPSILON)
    log_odds = torch.as_tensor(np.log(aligned / (1 - aligned)), dtype=torch.float32)
    return torch.stack([torch.zeros_like(log_odds), log_odds], dim=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('dataset')
    parser.add_argument('metadata', choices=['curated', 'detected'])
    parser.add_argument('tables', type=int)
    parser.add_argument('seeds', type=int, nargs='+')
    parser.add_argument('--in-call', action='store_true', help='add the in-call alignment arm')
    parser.add_argument('--seeded-sampling', action='store_true',
                        help="start each seed's sampling from its own stream (2**20 + seed) "
                        "instead of SDV's fixed one, shared by every seed's fit")
    args = parser.parse_args()
    warnings.simplefilter('ignore')
    arms = {
        'iid': (PRODUCT_DRAW, PRODUCT_ALIGNED),
        'systematic': (draw_systematic, PRODUCT_ALIGNED),
    }
    if args.in_call:
        arms['systematic_in_call'] = (draw_systematic, aligned_in_call)
    dataset = get_dataset(args.dataset)
    for seed in args.seeds:
        train, test, curated = split_dataset(dataset, None, 0.3, seed)
        evaluator = Evaluator(train, test, curated, dataset, random_state=seed)
        metadata = generator_metadata(args.metadata, curated, train, dataset)
        start = time.perf_counter()
        synthesizer = probe_core_option.fit(dataset, metadata, train, seed, {}, {})
        fit_seconds = round(time.perf_counter() - start, 1)
        for arm, (draw, aligned) in arms.items():
            FairDistillModel._draw_target, model_module.aligned_logits = draw, aligned
            synthesizer.reset_sampling()
            if args.seeded_sampling:
                synthesizer._set_random_state(2**20 + seed)
            try:
                scores = probe_core_option.score(
                    synthesizer, evaluator, dataset, len(train), args.tables
                )
            finally:
                FairDistillModel._draw_target = PRODUCT_DRAW
                model_module.aligned_logits = PRODUCT_ALIGNED
            print(json.dumps({
                'dataset': args.dataset, 'metadata': args.metadata, 'seed': seed, 'arm': arm,
                'seeded_sampling': args.seeded_sampling, **scores, 'fit_seconds': fit_seconds,
            }), flush=True)


if __name__ == '__main__':
    main()
