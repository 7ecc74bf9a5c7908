"""``fit --nproc-per-node N``: the same command line again in N processes, by torchrun.

The launching process checks what it can without the data and starts
``python -m torch.distributed.run --standalone --nproc-per-node N -m sdv_fairdistill.cli fit
...``; in each process it starts (torchrun's environment tells them apart) ``fit`` trains
data-parallel through ``fit_distributed``, and only rank 0 talks and saves.
"""

import os
import subprocess
import sys

from sdv_fairdistill.cli._base import CLIError, _say

#: What torchrun sets in every process it starts.
TORCHRUN_VARIABLES = ('RANK', 'WORLD_SIZE', 'LOCAL_RANK')


def in_torchrun():
    return all(name in os.environ for name in TORCHRUN_VARIABLES)


def rank():
    return int(os.environ.get('RANK', 0))


def launch(args):
    """Run this ``fit`` command line in ``args.nproc_per_node`` processes; 0 when it worked."""
    command = [
        sys.executable, '-m', 'torch.distributed.run', '--standalone',
        '--nproc-per-node', str(args.nproc_per_node),
        '-m', 'sdv_fairdistill.cli', *args.argv,
    ]
    _say(args, f'Starting {args.nproc_per_node} training processes with torchrun ...')
    result = subprocess.run(command)
    if result.returncode != 0:
        raise CLIError(
            f'the {args.nproc_per_node} training processes failed (exit code '
            f'{result.returncode}; their messages are above)'
        )
    return 0
