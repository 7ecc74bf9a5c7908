"""Time FairDistill on a GPU against the CPU: Adult and Colored-MNIST, short and prepared.

Usage:
    python benchmarks/gpu.py [--quick] [--devices cpu gpu] [--threads N]
        [--output benchmarks/results/gpu.json]

For each device, in this process one after the other:
- Adult: the default ``FairDistillSynthesizer`` (sensitive 'sex', target 'income') on the
  whole table; fit seconds and the seconds to sample 100,000 rows;
- Colored-MNIST: the default ``FairDistillImageSynthesizer`` on the 4,000 training digits
  (14x14 RGB, colour sensitive, digit target); fit seconds and the seconds to sample 4,000
  images.
``gpu`` is ``enable_gpu=True``; without a CUDA GPU it is skipped (and said so in the JSON).
Both devices fit with the same seed, so the CPU and GPU rows differ only by the device. Fit
times include the warm-up of CUDA (the first fit on the GPU pays it: the Adult fit goes
first, and a tiny fit before it pays the context creation).

``--quick``: 2,000 Adult rows, 1,000 digits, 2 epochs: a minute, to check the script.
"""

import argparse
import json
import os
import platform
import time
from pathlib import Path

import torch


def _synchronise():
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def _timed(function):
    _synchronise()
    start = time.perf_counter()
    result = function()
    _synchronise()
    return round(time.perf_counter() - start, 2), result


def time_adult(enable_gpu, quick):
    from sdv_fairdistill import FairDistillSynthesizer
    from sdv_fairdistill.datasets import load_adult

    data, metadata = load_adult(num_rows=2_000 if quick else None, random_state=0)
    options = {'epochs': 2, 'distill_epochs': 1} if quick else {}
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns='sex', target_column='income', seed=0,
        enable_gpu=enable_gpu, **options,
    )
    fit_seconds, _ = _timed(lambda: synthesizer.fit({'adult': data}))
    rows = 5_000 if quick else 100_000
    sample_seconds, _ = _timed(lambda: synthesizer.sample(rows))
    return {'rows': len(data), 'teacher_epochs': int(synthesizer._model.epochs),
            'fit_seconds': fit_seconds, 'sample_rows': rows, 'sample_seconds': sample_seconds}


def time_colored_mnist(enable_gpu, quick):
    from sdv_fairdistill import FairDistillImageSynthesizer
    from sdv_fairdistill.datasets import load_colored_mnist

    (images, colours, digits), _ = load_colored_mnist()
    if quick:
        images, colours, digits = images[:1_000], colours[:1_000], digits[:1_000]
    options = {'epochs': 2, 'distill_epochs': 1} if quick else {}
    synthesizer = FairDistillImageSynthesizer(seed=0, enable_gpu=enable_gpu, **options)
    fit_seconds, _ = _timed(lambda: synthesizer.fit(images, colours, digits))
    sample_seconds, _ = _timed(lambda: synthesizer.sample(len(images)))
    return {'images': len(images), 'epochs': synthesizer.epochs, 'fit_seconds': fit_seconds,
            'sample_images': len(images), 'sample_seconds': sample_seconds}


def _warm_up_cuda():
    """Create the CUDA context before timing (seconds the first CUDA call would add)."""
    seconds, _ = _timed(lambda: torch.ones(1, device='cuda') @ torch.ones(1, device='cuda'))
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='tiny sizes, about a minute')
    parser.add_argument('--devices', nargs='+', choices=['cpu', 'gpu'], default=['cpu', 'gpu'])
    parser.add_argument('--threads', type=int, default=os.cpu_count(),
                        help='torch CPU threads (default: all CPUs)')
    parser.add_argument('--output', default='benchmarks/results/gpu.json')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    report = {
        'mode': 'quick' if args.quick else 'full', 'threads': args.threads,
        'machine': platform.platform(), 'torch': torch.__version__,
        'cuda_available': torch.cuda.is_available(),
        'gpu': torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        'results': {},
    }
    for device in args.devices:
        if device == 'gpu' and not torch.cuda.is_available():
            report['results']['gpu'] = 'skipped: no CUDA GPU (torch.cuda.is_available() is False)'
            print('gpu skipped: no CUDA GPU', flush=True)
            continue
        enable_gpu = device == 'gpu'
        results = {}
        if enable_gpu:
            results['cuda_context_seconds'] = _warm_up_cuda()
        results['adult'] = time_adult(enable_gpu, args.quick)
        print(device, 'adult', json.dumps(results['adult']), flush=True)
        results['colored_mnist'] = time_colored_mnist(enable_gpu, args.quick)
        print(device, 'colored_mnist', json.dumps(results['colored_mnist']), flush=True)
        report['results'][device] = results
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=2))
    print(f'Saved {args.output}')


if __name__ == '__main__':
    main()
