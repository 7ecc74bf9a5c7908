"""``fit_distributed``: fit a synthesizer data-parallel, one process per torchrun worker.

    torchrun --standalone --nproc-per-node 2 fit_script.py

where ``fit_script.py`` builds the synthesizer and the table exactly as a one-process script
would and calls ``fit_distributed(synthesizer, data, filepath='synthesizer.pkl')``. Every
process preprocesses the whole table with the same seed (SDV's transformers and the
``TableEncoder`` are deterministic given it, and the processes check that their encoded
tables agree), trains on its shard of the rows under DDP, and receives the latent density
that rank 0 fits; rank 0 saves. See ``core/distributed.py``.
"""

import os
import warnings

import torch
import torch.distributed as dist

from sdv_fairdistill.core import distributed
from sdv_fairdistill.synthesizers._parameters import InvalidParameterError

#: The environment torchrun gives each process it starts.
TORCHRUN_VARIABLES = ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT')


#: Whether a call initialised a process group and destroyed it: torchrun's rendezvous serves
#: one initialisation, and a second fails to connect deep inside gloo (outside torchrun,
#: with the environment set by hand, a second one works).
_closed_a_group = False


def _is_parquet_source(data):
    """A path, or a list of paths: what ``fit_from_parquet`` reads."""
    # Any list is one (``fit_from_parquet`` then says what is wrong with it): ``fit`` takes
    # a DataFrame or a dict, never a list.
    return isinstance(data, (str, os.PathLike, list, tuple))


def _backend(synthesizer):
    # NCCL needs a GPU per process; gloo runs anywhere (and is what CPU training uses).
    return 'nccl' if synthesizer.enable_gpu and torch.cuda.is_available() else 'gloo'


def fit_distributed(synthesizer, data, filepath=None, backend=None, **parquet_options):
    """Fit ``synthesizer`` on ``data`` with every process torchrun started, then save it.

    Call it in each process, with the same synthesizer parameters (a ``seed`` included) and
    the same table. Only rank 0 warns (the fit's warnings are the same in every process;
    a Parquet fit's count of batches with unseen categories sums every process's).
    The rows are dealt out across the processes; each step trains on a global
    batch of ``batch_size`` rows (``batch_size // world_size`` per process), with the fairness
    penalty computed on the whole global batch. The fitted synthesizer is the same in every
    process.

    Args:
        synthesizer (FairDistillSynthesizer): an unfitted synthesizer.
        data (dict[str, pandas.DataFrame], pandas.DataFrame, str, pathlib.Path or list): the
            table, as ``fit`` takes it, or the path of a Parquet file or folder (or a list of
            Parquet files), which is fitted with ``fit_from_parquet`` (each process then
            reads, encodes and trains on its own share of the file's batches).
        filepath (str or None): where rank 0 saves the fitted synthesizer; the other
            processes wait until it is written. Defaults to None (not saved).
        backend (str or None): the ``torch.distributed`` backend when this call initialises
            the process group. Defaults to None ('nccl' with ``enable_gpu=True`` and a GPU,
            else 'gloo'). An already initialised process group is used as it is (and left
            initialised); one this call initialises is destroyed at its end, and a second
            call in the same process is then refused (initialise the group yourself to fit
            several synthesizers in one script).
        **parquet_options: ``sample_rows``, ``batch_rows`` and ``workdir``, passed to
            ``fit_from_parquet`` when ``data`` is Parquet (and refused for a table).

    Returns:
        FairDistillSynthesizer: ``synthesizer``, fitted.

    Raises:
        RuntimeError: when the process was not started by torchrun (no process group and
            no torchrun environment).
        InvalidParameterError: when ``batch_size`` leaves a process fewer than 2 rows a step.
        TypeError: when ``parquet_options`` name another option, or are given for a table.
    """
    parquet = _is_parquet_source(data)
    unknown = sorted(set(parquet_options) - {'sample_rows', 'batch_rows', 'workdir'})
    if unknown:
        raise TypeError(f'fit_distributed got unexpected options {unknown}: besides '
                        "filepath and backend it takes fit_from_parquet's sample_rows, "
                        'batch_rows and workdir.')
    if parquet_options and not parquet:
        raise TypeError(f'{sorted(parquet_options)} are options of a Parquet fit: pass the '
                        'path of a Parquet file or folder as data, or leave them out for a '
                        'table in memory.')
    initialise = not (dist.is_available() and dist.is_initialized())
    if initialise and not all(name in os.environ for name in TORCHRUN_VARIABLES):
        raise RuntimeError(
            'fit_distributed runs in the processes torchrun starts: launch the script with '
            "'torchrun --standalone --nproc-per-node N script.py' (or initialise "
            'torch.distributed yourself), or call synthesizer.fit(data) in one process.'
        )
    global _closed_a_group
    if initialise and _closed_a_group and 'TORCHELASTIC_RUN_ID' in os.environ:
        raise RuntimeError(
            'fit_distributed already started and closed torch.distributed once in this '
            'process, and under torchrun it cannot start again (gloo fails to connect). To fit '
            "several synthesizers in one script, call torch.distributed.init_process_group('"
            f"{backend or _backend(synthesizer)}') once before the first fit_distributed: "
            'every call then uses that process group and leaves it open.'
        )
    backend = backend or _backend(synthesizer)
    if initialise:
        if backend == 'nccl':  # 'cuda' then means this process's own GPU
            torch.cuda.set_device(int(os.environ['LOCAL_RANK']))
        dist.init_process_group(backend)
    try:
        world_size = dist.get_world_size()
        if synthesizer.batch_size // world_size < 2:
            raise InvalidParameterError(
                f"'batch_size' must be at least {2 * world_size} to train on {world_size} "
                f'processes (each step gives every process batch_size // {world_size} rows, '
                f'and the penalty needs 2); got {synthesizer.batch_size}.'
            )
        with distributed.data_parallel(), warnings.catch_warnings():
            if dist.get_rank() != 0:  # every process would warn the same: rank 0 says it
                warnings.simplefilter('ignore')
            if parquet:
                synthesizer.fit_from_parquet(data, **parquet_options)
            else:
                synthesizer.fit(data)
        if filepath is not None:
            error = None
            if dist.get_rank() == 0:
                try:
                    synthesizer.save(filepath)
                except OSError as caught:  # raised after the barrier: no process waits on
                    error = caught
            dist.barrier()
            if error is not None:
                raise error
    finally:
        if initialise:
            dist.destroy_process_group()
            _closed_a_group = True
    return synthesizer
