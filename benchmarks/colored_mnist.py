"""Measure FairDistillImageSynthesizer on Colored-MNIST built from 5,000 real MNIST digits.

Usage:
    python benchmarks/colored_mnist.py [--fairness-weights 0 300 700 1000]
        [--conditioning tint|input] [--no-balance-target] [--epochs 30] [--threads N]
        [--output results/colored_mnist_tint.json] [--grid-dir results/colored_mnist]

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
  generated images (every number is the mean over ``--draws`` independent sample sets, which
  are kept in the JSON: the classifier moves with the draw) and tested on (a) the colour-reversed real test set and (b) a
  colour-balanced test set, every held-out digit once in each colour. On (b) the label is
  independent of the colour, so the demographic-parity difference there is the classifier's
  own use of the colour; on (a) the true labels themselves differ by 0.8 between colours, so
  a classifier that reads the digits well must show a large difference there.
  The same classifier trained on the biased real training set is the baseline; trained on
  the real training digits with random colours, the ceiling;
- fit time (this CPU, all its threads unless --threads) and sampling time; parameter counts.

Reference, not the method: "recoloured" decodes the unpenalised model's latents, pooled over
both colours, with colours drawn independently of them (possible only with the 'tint' head,
which cannot draw colour-specific content). It shows what these data permit when the colour
is decoupled at sampling instead of being removed from the latent.
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
    if len(np.unique(groups)) < 2:  # a collapsed generator: the classifier is a constant
        model = None
    else:
        model = LogisticRegression(C=0.1, max_iter=3000).fit(flat(images), groups)
    results = {}
    for name, (test_images, colours, digits) in test_sets.items():
        if model is None:
            predicted = np.full(len(test_images), groups[0])
        else:
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


def score(images, colours, digits, reader, test_sets):
    """Data-level fairness, recognisability and TSTR of generated images."""
    groups = label_group(digits)
    read = reader.predict(flat(to_grey(images)))
    rates, gap = group_rate_gap(colours, groups)
    read_rates, read_gap = group_rate_gap(colours, label_group(read))
    return {
        'colour_share': {c: float(np.mean(colours == c)) for c in ('red', 'green')},
        'label_group_rate': rates,
        'gap': gap,
        'read_label_group_rate': read_rates,
        'read_gap': read_gap,
        'recognised': float(np.mean(read == digits)),
        'recognised_label_group': float(np.mean(label_group(read) == groups)),
        'tstr': tstr(images, groups, test_sets),
    }


def average(scores):
    """Mean of every number over several draws; the draws themselves are kept too."""
    if len(scores) == 1:
        return dict(scores[0])
    first = scores[0]
    if isinstance(first, dict):
        return {key: average([score[key] for score in scores]) for key in first}
    return float(np.mean(scores))


def evaluate(synthesizer, train, test_sets, reader, num_rows, draws):
    start = time.perf_counter()
    synthesizer.fit(*train)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    sampled = synthesizer.sample(num_rows)
    sample_seconds = time.perf_counter() - start
    parameters = synthesizer.get_parameters()
    result = {
        'parameters': {key: parameters[key] for key in REPORTED_PARAMETERS},
        'fit_seconds': fit_seconds,
        'sample_seconds': sample_seconds,
        'parameter_counts': synthesizer.get_parameter_counts(),
    }
    # The downstream classifier moves with the draw: score several independent draws.
    scores = [score(*sampled, reader, test_sets)]
    scores += [score(*synthesizer.sample(num_rows), reader, test_sets) for _ in range(draws - 1)]
    result.update(average(scores))
    result['draws'] = scores
    return result, sampled


@torch.no_grad()
def recoloured(synthesizer, num_rows, seed):
    """The reference above: pooled latents, independent colours (reaches into the model)."""
    model = synthesizer._model
    rng = np.random.RandomState(seed)
    latents, _ = model.density.sample(num_rows, rng)  # each row from its own group's mixture
    groups = rng.randint(0, model.n_groups, num_rows)  # then a colour independent of it
    z = torch.from_numpy(latents).to(model.device)
    s = torch.nn.functional.one_hot(torch.from_numpy(groups), model.n_groups).float()
    pixels = torch.sigmoid(model.feature_decoder(z, s.to(model.device))).cpu()
    images = np.round(pixels.permute(0, 2, 3, 1).numpy() * 255).astype(np.uint8)
    target = model.target_decoder(z).argmax(dim=1).cpu().numpy()
    return images, synthesizer._sensitive_values[groups], synthesizer._target_values[target]


REPORTED_PARAMETERS = (
    'fairness_weight', 'sensitive_conditioning', 'epochs', 'distill_epochs', 'beta',
    'target_weight', 'latent_dim', 'batch_size', 'seed',
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--fairness-weights', type=float, nargs='+', default=[0, 300, 700, 1000])
    parser.add_argument('--conditioning', default='tint', choices=('input', 'tint'))
    parser.add_argument('--epochs', type=int, default=30)
    parser.add_argument('--distill-epochs', type=int, default=15)
    parser.add_argument('--beta', type=float, default=0.3)
    parser.add_argument('--target-weight', type=float, default=5.0)
    parser.add_argument('--no-balance-target', dest='balance_target', action='store_false',
                        help='train without reweighing the images so that the digit is '
                        'independent of the colour (the default reweighs)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--num-rows', type=int, default=4000)
    parser.add_argument('--draws', type=int, default=3, help='sample sets scored per model')
    parser.add_argument('--threads', type=int, default=None, help='torch threads (default: all)')
    parser.add_argument('--output', default=None, help='JSON report (default: results/...)')
    parser.add_argument('--grid-dir', default='results/colored_mnist')
    parser.add_argument('--check', action='store_true',
                        help='exit non-zero unless the penalty (weights >= 300) brings the label '
                        'gap to 0.05 or less while the unpenalised model keeps it above 0.5')
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
        sensitive_conditioning=args.conditioning,
        epochs=args.epochs,
        distill_epochs=args.distill_epochs,
        beta=args.beta,
        target_weight=args.target_weight,
        balance_target=args.balance_target,
        seed=args.seed,
        keep_teacher=True,  # only to report the teacher's size beside the student's
    )
    os.makedirs(args.grid_dir, exist_ok=True)
    for weight in args.fairness_weights:
        name = f'{args.conditioning}_{weight:g}'
        synthesizer = FairDistillImageSynthesizer(fairness_weight=weight, **settings)
        result, sampled = evaluate(
            synthesizer, train, test_sets, reader, args.num_rows, args.draws
        )
        report['synthesizers'][name] = result
        save_image_grid(sampled, os.path.join(args.grid_dir, f'{name}.png'), per_cell=6)
        print(name, json.dumps(result), flush=True)
        if weight == 0 and args.conditioning == 'tint' and not args.balance_target:
            draws = [recoloured(synthesizer, args.num_rows, args.seed + k) for k in range(args.draws)]
            scores = [score(*images, reader, test_sets) for images in draws]
            report['synthesizers']['recoloured_reference'] = dict(average(scores), draws=scores)
            save_image_grid(draws[0], os.path.join(args.grid_dir, 'recoloured.png'), per_cell=6)
            print('recoloured', json.dumps(report['synthesizers']['recoloured_reference']))

    print(json.dumps(report['real'], indent=1))
    baseline = report['real']['tstr_biased_train']['reversed']['accuracy']
    failures = []
    for name, result in report['synthesizers'].items():
        result['criteria'] = {
            'gap <= 0.05': result['gap'] <= 0.05,
            'TSTR beats biased real (reversed test)':
                result['tstr']['reversed']['accuracy'] > baseline,
            'DP <= 0.1 (reversed test)': result['tstr']['reversed']['dp_difference'] <= 0.1,
            'DP <= 0.1 (balanced test)': result['tstr']['balanced']['dp_difference'] <= 0.1,
            'most digits recognised': result['recognised'] > 0.5,
        }
        print(name, result['criteria'])
        # The fairness assertion: the penalty must remove the bias the unpenalised model keeps.
        weight = result.get('parameters', {}).get('fairness_weight')
        if weight == 0 and not args.balance_target and result['gap'] < 0.5:
            failures.append(f'{name}: the unpenalised model lost the bias (gap {result["gap"]:.3f})')
        if weight is not None and weight >= 300 and result['gap'] > 0.05:
            failures.append(f'{name}: label gap {result["gap"]:.3f} > 0.05')
    output = args.output or f'results/colored_mnist_{args.conditioning}.json'
    os.makedirs(os.path.dirname(output) or '.', exist_ok=True)
    with open(output, 'w') as file:
        json.dump(report, file, indent=2)
    if args.check and failures:
        raise SystemExit('Fairness check failed: ' + '; '.join(failures))


if __name__ == '__main__':
    main()
