"""Bytes communicated per optimiser step and the expected multi-machine scaling, on paper.

Reads the ``steps`` part of a ``benchmarks/scale.py`` result (milliseconds per teacher and
per student step at global batch 500 split over 1, 2, 4 and 8 processes, and the networks'
parameter counts) and writes the communication each process does per step and the step
time this predicts for N machines of the measured kind, one process each::

    python benchmarks/scaling_estimate.py benchmarks/results/scale/adult_sampling_steps_parquet.json

The model of a data-parallel step (DDP, one gradient bucket, ring collectives):

- compute: the measured time of a step on ``batch_size / N`` rows;
- gradients: a ring all-reduce sends and receives ``2 (N - 1) / N`` times the trainable
  parameters (float32), in ``2 (N - 1)`` hops;
- the teacher's penalty gathers, per row of the global batch, the fair latent
  (``fair_latent_dim`` floats), the generated target's distribution and the one-hot group and
  label (two classes each on Adult): ``(N - 1) / N`` of them arrive from the other processes,
  in four all-gathers of ``N - 1`` hops; the backward pass sends the gradients of the first
  two back (two reduce-scatters);
- each hop costs a latency ``alpha``; bytes cost ``1 / bandwidth``.

Gathered bytes are tiny beside the gradients: the penalty is cheap to distribute; the
gradient all-reduce and the per-hop latency decide the scaling of a model this small.
"""

import argparse
import json

FLOAT_BYTES = 4
FAIR_LATENT_DIM = 4
TARGET_CLASSES = 2
GROUPS = 2
GLOBAL_BATCH = 500
TEACHER_STEPS = 4000           # the default budget (sdv_fairdistill/synthesizers/_table_rows.py)
STUDENT_STEPS = 2000           # half the teacher's epochs
ALPHAS_MS = (0.05,)            # per-hop latency of TCP over Ethernet (gloo), assumed
BANDWIDTHS_GBIT = (1, 10)


def _ms_per_step(steps, processes, key):
    """Measured step time at the per-process batch nearest ``GLOBAL_BATCH / processes``."""
    local = GLOBAL_BATCH / processes
    nearest = min(steps, key=lambda row: abs(row['batch_size'] - local))
    return nearest[key]


def bytes_per_step(parameters, processes):
    """Bytes each process sends (= receives) per teacher and per student step."""
    share = (processes - 1) / processes
    teacher_parameters = (parameters['teacher_encoder'] + parameters['feature_decoder']
                          + parameters['target_decoder'])
    teacher_gradients = 2 * share * teacher_parameters * FLOAT_BYTES
    gathered_floats = FAIR_LATENT_DIM + TARGET_CLASSES + GROUPS + TARGET_CLASSES
    backward_floats = FAIR_LATENT_DIM + TARGET_CLASSES
    gathered = share * GLOBAL_BATCH * (gathered_floats + backward_floats) * FLOAT_BYTES
    student_gradients = 2 * share * parameters['student_encoder'] * FLOAT_BYTES
    return {'teacher_gradients': teacher_gradients, 'teacher_gathered': gathered,
            'teacher': teacher_gradients + gathered, 'student': student_gradients}


def hops_per_step(processes):
    """Latency-bound messages per teacher and per student step."""
    return {'teacher': 2 * (processes - 1) + 6 * (processes - 1), 'student': 2 * (processes - 1)}


def estimate(steps, processes, bandwidth_gbit, alpha_ms):
    sizes = bytes_per_step(steps[0]['parameters'], processes)
    hops = hops_per_step(processes)
    bytes_per_ms = bandwidth_gbit * 1e9 / 8 / 1e3
    row = {'processes': processes, 'bandwidth_gbit': bandwidth_gbit, 'alpha_ms': alpha_ms}
    for stage, key in (('teacher', 'teacher_ms_per_step'), ('student', 'student_ms_per_step')):
        compute = _ms_per_step(steps, processes, key)
        row[f'{stage}_kb'] = round(sizes[stage] / 1e3, 1)
        row[f'{stage}_ms'] = round(compute + hops[stage] * alpha_ms + sizes[stage] / bytes_per_ms, 2)
    one = _ms_per_step(steps, 1, 'teacher_ms_per_step') * TEACHER_STEPS + \
        _ms_per_step(steps, 1, 'student_ms_per_step') * STUDENT_STEPS
    fit = row['teacher_ms'] * TEACHER_STEPS + row['student_ms'] * STUDENT_STEPS
    row['training_seconds'] = round(fit / 1e3, 1)
    row['speedup'] = round(one / fit, 2)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('results', help="a scale.py results JSON with a 'steps' part")
    args = parser.parse_args()
    with open(args.results) as file:
        steps = json.load(file)['steps']
    sizes = bytes_per_step(steps[0]['parameters'], 2)
    print(f"N=2: teacher gradients {sizes['teacher_gradients'] / 1e3:.1f} kB, "
          f"gathered {sizes['teacher_gathered'] / 1e3:.1f} kB per step")
    columns = ['processes', 'bandwidth_gbit', 'alpha_ms', 'teacher_kb', 'teacher_ms',
               'student_kb', 'student_ms', 'training_seconds', 'speedup']
    print('| ' + ' | '.join(columns) + ' |')
    print('|' + '---|' * len(columns))
    for bandwidth in BANDWIDTHS_GBIT:
        for alpha in ALPHAS_MS:
            for processes in (1, 2, 4, 8):
                row = estimate(steps, processes, bandwidth, alpha)
                print('| ' + ' | '.join(str(row[column]) for column in columns) + ' |')


if __name__ == '__main__':
    main()
