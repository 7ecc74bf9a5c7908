"""``fit --nproc-per-node N``: the same command line again in N processes, by torchrun.

The launching process checks what it can without the data and starts
``python -m torch.distributed.run --standalone --nproc-per-node N -m sdv_fairdistill.cli fit
...``; in each process it starts (torchrun's environment tells them apart) ``fit`` trains
data-parallel through ``fit_distributed``, and only rank 0 talks and saves.
"""

import os
import signal
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
    returncode, stopped = run_passing_signals(command)
    if stopped and returncode != 0:
        raise CLIError(f'stopped by {stopped}: torchrun stopped the training processes '
                       'before they finished')
    if returncode != 0:
        raise CLIError(
            f'the {args.nproc_per_node} training processes failed (exit code '
            f'{returncode}; their messages are above)'
        )
    return 0


def run_passing_signals(command):
    """Run ``command`` until it ends, passing SIGTERM / SIGHUP on to it (torchrun then stops
    its workers; left running, they would train on and save unseen).

    Returns:
        tuple: its exit code, and the name of the first signal passed on (None if none).
    """
    process = subprocess.Popen(command)
    stopped = []

    def stop(signum, frame):
        stopped.append(signal.Signals(signum).name)
        process.send_signal(signum)

    handled = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, 'SIGHUP') else [])
    previous = {signum: signal.signal(signum, stop) for signum in handled}
    try:
        while True:
            try:
                returncode = process.wait()
                break
            except KeyboardInterrupt:  # Ctrl-C reaches torchrun too: wait for it to stop
                stopped.append('SIGINT')
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return returncode, (stopped[0] if stopped else None)
