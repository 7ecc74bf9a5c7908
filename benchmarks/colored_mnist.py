"""Measure FairDistillImageSynthesizer on Colored-MNIST built from 5,000 real MNIST digits.

Usage:
    python benchmarks/colored_mnist.py [--epochs 30] [--fairness-weight 300]
        [--conditioning tint] [--no-ablations] [--threads N]
        [--output results/colored_mnist.json] [--grid docs/colored_mnist_grid.png]

Data: ``load_colored_mnist()``: 14x14 RGB digits, 4,000 for training where the colour agrees
with the label group (digit >= 5) 90 % of the time, 1,000 held out where it agrees 10 % of the
time (the bias reversed). Colour is the sensitive attribute, the digit the target.

Measured, for the synthesizer and its ablations (no penalty; the plain ``'input'`` head):
- data level: the rate of the label group by colour among the generated images, from the
  generated labels ('gap') and as read from the pixels by a digit classifier trained on real
  grey digits ('read gap': is the drawn content fair too, or only the labels?);
- recognisability: how often that classifier reads the generated digit as the digit it was
  generated as;
- TSTR: a logistic regression on the RGB pixels, predicting the label group, trained on 4,000
  generated images and tested on (a) the colour-reversed real test set and (b) a
  colour-balanced test set, every held-out digit once in each colour. On (b) the label is
  independent of the colour, so the demographic-parity difference there is the classifier's
  own use of the colour; on (a) the true labels themselves differ by 0.8 between colours, so
  a classifier that reads the digits well must show a large difference there.
  The same classifier trained on the biased real training set is the baseline; trained on
  the real training digits with random colours, the ceiling;
- fit time (this CPU, all its threads unless --threads) and sampling time; parameter counts.
"""

import argparse
import json
import os
import platform
import time

import numpy as np
import torch
from fairlearn.metrics import demographic_parity_difference
from sklearn.linear_model import LogisticRegression

from sdv_fairdistill import FairDistillImageSynthesizer
from sdv_fairdistill.datasets.colored_mnist import (
    colourize,
    label_group,
    load_colored_mnist,
    to_grey,
)
from sdv_fairdistill.visualization import save_image_grid


def flat(images):
    return np.asarray(images, dtype=np.float32).reshape(len(images), -1) / 255


def group_rate_gap(colours, groups):
    rates = {colour: float(np.mean(groups[colours == colour])) for colour in ('red', 'green')}
    return rates, abs(rates['red'] - rates['green'])


def tstr(images, groups, test_sets):
    """Train the downstream classifier on ``images``; accuracy and DP on each test set."""
    model = LogisticRegression(C=0.1, max_iter=3000).fit(flat(images), groups)
    results = {}
    for name, (test_images, colours, digits) in test_sets.items():
        predicted = model.predict(flat(test_images))
        results[name] = {
            'accuracy': float(np.mean(predicted == label_group(digits))),
            'dp_difference': float(
                demographic_parity_difference(
                    label_group(digits), predicted, sensitive_features=colours
                )
            ),
        }
    return results


def evaluate(synthesizer, train, test_sets, reader, num_rows):
    start = time.perf_counter()
    synthesizer.fit(*train)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    images, colours, digits = synthesizer.sample(num_rows)
    sample_seconds = time.perf_counter() - start

    groups = label_group(digits)
    read = reader.predict(flat(to_grey(images)))
    rates, gap = group_rate_gap(colours, groups)
    read_rates, read_gap = group_rate_gap(colours, label_group(read))
    return {
        'parameters': {
            key: value
            for key, value in synthesizer.get_parameters().items()
            if key in ('fairness_weight', 'sensitive_conditioning', 'epochs', 'distill_epochs',
                       'beta', 'target_weight', 'latent_dim', 'batch_size', 'seed')
        },
        'fit_seconds': fit_seconds,
        'sample_seconds': sample_seconds,
        'parameter_counts': synthesizer.get_parameter_counts(),
        'colour_share': {c: float(np.mean(colours == c)) for c in ('red', 'green')},
        'label_group_rate': rates,
        'gap': gap,
        'read_label_group_rate': read_rates,
        'read_gap': read_gap,
        'recognised': float(np.mean(read == digits)),
        'recognised_label_group': float(np.mean(label_group(read) == groups)),
        'tstr': tstr(images, groups, test_sets),
    }, (images, colours, digits)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--epochs', type=int, default=30)
    parser.add_argument('--distill-epochs', type=int, default=15)
    parser.add_argument('--fairness-weight', type=float, default=300.0)
    parser.add_argument('--conditioning', default='tint', choices=('input', 'tint'))
    parser.add_argument('--beta', type=float, default=0.3)
    parser.add_argument('--target-weight', type=float, default=5.0)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--num-rows', type=int, default=4000)
    parser.add_argument('--threads', type=int, default=None, help='torch threads (default: all)')
    parser.add_argument('--no-ablations', action='store_true')
    parser.add_argument('--output', default='results/colored_mnist.json')
    parser.add_argument('--grid', default='docs/colored_mnist_grid.png')
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    train, test = load_colored_mnist()
    x_train, c_train, d_train = train
    x_test, c_test, d_test = test
    grey_test = to_grey(x_test)
    balanced = (
        np.concatenate([colourize(grey_test, ['red'] * len(grey_test)),
                        colourize(grey_test, ['green'] * len(grey_test))]),
        np.repeat(['red', 'green'], len(grey_test)),
        np.concatenate([d_test, d_test]),
    )
    test_sets = {'reversed': test, 'balanced': balanced}

    # The digit reader: a classifier of real grey digits, to check what the images show.
    reader = LogisticRegression(max_iter=3000).fit(flat(to_grey(x_train)), d_train)
    rng = np.random.RandomState(args.seed)
    random_colours = np.where(rng.random_sample(len(x_train)) < 0.5, 'red', 'green')
    real_rates, real_gap = group_rate_gap(c_train, label_group(d_train))
    report = {
        'device': f'CPU ({platform.processor() or platform.machine()}), '
        f'{torch.get_num_threads()} torch threads, {os.cpu_count()} cores; GPU: not measured',
        'real': {
            'colour_predicts_label_group': float(
                np.mean((c_train == 'green') == (label_group(d_train) == 1))
            ),
            'label_group_rate': real_rates,
            'gap': real_gap,
            'reader_accuracy_on_real_test': float(
                np.mean(reader.predict(flat(grey_test)) == d_test)
            ),
            'tstr_biased_train': tstr(x_train, label_group(d_train), test_sets),
            'tstr_random_colours_ceiling': tstr(
                colourize(to_grey(x_train), random_colours), label_group(d_train), test_sets
            ),
        },
        'synthesizers': {},
    }

    settings = dict(
        epochs=args.epochs,
        distill_epochs=args.distill_epochs,
        beta=args.beta,
        target_weight=args.target_weight,
        seed=args.seed,
        keep_teacher=True,  # only to report the teacher's size beside the student's
    )
    runs = {'main': (args.fairness_weight, args.conditioning)}
    if not args.no_ablations:
        runs['no_penalty'] = (0.0, args.conditioning)
        if args.conditioning != 'input':
            runs['input_head'] = (args.fairness_weight, 'input')
    for name, (weight, conditioning) in runs.items():
        synthesizer = FairDistillImageSynthesizer(
            fairness_weight=weight, sensitive_conditioning=conditioning, **settings
        )
        report['synthesizers'][name], sampled = evaluate(
            synthesizer, train, test_sets, reader, args.num_rows
        )
        print(name, json.dumps(report['synthesizers'][name], indent=1), flush=True)
        if name == 'main' and args.grid:
            save_image_grid(sampled, args.grid, per_cell=6, scale=3)

    print(json.dumps(report['real'], indent=1))
    if args.output:
        os.makedirs(os.path.dirname(args.output) or '.', exist_ok=True)
        with open(args.output, 'w') as file:
            json.dump(report, file, indent=2)


if __name__ == '__main__':
    main()
