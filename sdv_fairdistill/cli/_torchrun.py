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
import threading

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
    """Run ``command`` until it ends, passing SIGTERM, SIGHUP and SIGINT on to it (torchrun
    then stops its workers; left running, they would train on and save unseen). A terminal's
    Ctrl-C reaches torchrun itself too; ``kill -INT`` or an IDE's stop reaches only this
    process. Outside the main thread (no signal handlers there) signals are not passed on.

    Returns:
        tuple: its exit code, and the name of the first signal passed on (None if none).
    """
    process, stopped = None, []

    def stop(signum, frame):
        stopped.append(signal.Signals(signum).name)
        if process is not None:
            process.send_signal(signum)

    handled = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, 'SIGHUP') else [])
    main_thread = threading.current_thread() is threading.main_thread()
    # Installed before the process starts, so that no SIGTERM leaves it running.
    previous = {signum: signal.signal(signum, stop) for signum in handled} if main_thread else {}
    try:
        process = subprocess.Popen(command)
        if stopped:  # a signal came while it was starting: pass it on now
            process.send_signal(signal.Signals[stopped[0]])
        try:
            while True:
                try:
                    returncode = process.wait()
                    break
                except KeyboardInterrupt:
                    stopped.append('SIGINT')
                    process.send_signal(signal.SIGINT)
        except BaseException:
            process.kill()
            raise
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return returncode, (stopped[0] if stopped else None)
