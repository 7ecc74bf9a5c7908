"""Data-parallel training across processes: torch.distributed, launched by torchrun.

Inside ``data_parallel()`` (with a process group initialised, e.g. by torchrun and
``torch.distributed.init_process_group``), ``FairDistillModel.fit`` trains each process on
its shard of the rows and DDP averages the gradients. Everything here is a no-op outside
``data_parallel()``, so the single-process fit runs exactly as before.

The fairness penalty is a distance covariance: a statistic of the *whole* batch (every pair
of rows), not a mean of per-row terms, so it cannot be computed per shard and averaged.
``gather_rows`` gathers the batch of every process with
``torch.distributed.nn.functional.all_gather``, which passes gradients back to the process
each row came from (``torch.distributed.all_gather`` would detach them), and every process
computes the penalty of the global batch. Its backward sums the gradients the
``world_size`` identical penalties send to each row, so each process holds ``world_size``
times the penalty's gradient for its rows; DDP's averaging over the processes divides it back:
when the processes' batches are as long, the averaged gradient is the single-process gradient
of the concatenated batch (tested in ``tests/test_distributed.py``). A shard's last, shorter
batch weighs its rows' mean loss as much as the others' (DDP averages per process).
"""

import contextlib
import warnings

import torch
import torch.distributed as dist
from torch.distributed.nn.functional import all_gather as all_gather_with_gradients
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DistributedSampler

_active = False


@contextlib.contextmanager
def data_parallel():
    """Fit models data-parallel across the initialised default process group.

    Raises:
        RuntimeError: when no process group is initialised.
    """
    global _active
    if not (dist.is_available() and dist.is_initialized()):
        raise RuntimeError(
            'data_parallel() needs an initialised process group: launch with torchrun and '
            'call torch.distributed.init_process_group() first.'
        )
    previous, _active = _active, True
    try:
        yield
    finally:
        _active = previous


def active():
    """Whether models train data-parallel now (inside ``data_parallel()``)."""
    return _active


def rank():
    return dist.get_rank() if _active else 0


def world_size():
    return dist.get_world_size() if _active else 1


def is_main():
    """Whether this process fits what is fitted once (the latent density) and saves."""
    return rank() == 0


def local_rows(n_rows, seed):
    """This process's shard of ``range(n_rows)``, or None outside ``data_parallel()``.

    ``DistributedSampler`` shuffles the rows with ``seed`` (the same on every process) and
    deals them out; it repeats a few rows so that every shard has the same size, as the
    all-gather of the penalty and DDP's lock-step need the same number of batches
    everywhere.
    """
    if not _active:
        return None
    sampler = DistributedSampler(
        range(n_rows), num_replicas=world_size(), rank=rank(), shuffle=True,
        seed=0 if seed is None else seed,
    )
    return torch.as_tensor(list(sampler), dtype=torch.long)


def local_batch_size(batch_size):
    """Rows per step on this process: the global batch (``batch_size``) split evenly, so
    a step sees as many rows, and an epoch has as many steps, as in one process."""
    return max(1, batch_size // world_size())


def seed_this_process(seed):
    """Give each process its own stream (its noise and batch order), from ``seed``.

    Called after the networks are built: their initial weights are the same everywhere
    (DDP also broadcasts rank 0's)."""
    if _active and seed is not None:
        torch.manual_seed(seed + rank())


def wrap(module):
    """``module`` under DDP (gradients averaged across the processes), or as it is."""
    if not _active:
        return module
    # static_graph: a zero-width parameter (no continuous column, no log-sigma) is unused in
    # every step; DDP then knows it once instead of waiting for its gradient.
    return DistributedDataParallel(module, static_graph=True)


def gather_rows(tensor):
    """The rows of ``tensor`` from every process, concatenated in rank order.

    With gradients (through ``torch.distributed.nn.functional.all_gather``) when ``tensor``
    requires them; the same tensor outside ``data_parallel()``. The processes may hold
    different numbers of rows (a shard's last batch is shorter, and shards differ by a row
    when the table does not divide evenly): each is gathered padded to the longest and cut
    back, since the all-gather itself needs equal shapes.
    """
    if not _active:
        return tensor
    size = torch.tensor([len(tensor)], dtype=torch.long, device=tensor.device)
    sizes = [torch.empty_like(size) for _ in range(world_size())]
    dist.all_gather(sizes, size)
    sizes = [int(size.item()) for size in sizes]
    if max(sizes) > len(tensor):
        padding = tensor.new_zeros((max(sizes) - len(tensor), *tensor.shape[1:]))
        tensor = torch.cat([tensor, padding])
    if tensor.requires_grad:
        with warnings.catch_warnings():
            # torch 2.13 deprecates it for torch.distributed._functional_collectives, a
            # private module; it remains the public all-gather that passes gradients.
            warnings.filterwarnings('ignore', 'torch.distributed.nn.functional.all_gather',
                                    FutureWarning)
            pieces = all_gather_with_gradients(tensor)
    else:
        pieces = [torch.empty_like(tensor) for _ in range(world_size())]
        dist.all_gather(pieces, tensor.contiguous())
    return torch.cat([piece[:rows] for piece, rows in zip(pieces, sizes)])


def all_processes(flag):
    """Whether ``flag`` holds in every process (so all stop together, none waits forever)."""
    if not _active:
        return bool(flag)
    value = torch.tensor([1 if flag else 0], dtype=torch.int32)
    if dist.get_backend() == 'nccl':
        value = value.cuda()
    dist.all_reduce(value, op=dist.ReduceOp.MIN)
    return bool(value.item())


def sum_over_processes(values):
    """``values`` (a NumPy array) summed over every process (as it is outside
    ``data_parallel()``)."""
    if not _active:
        return values
    total = torch.as_tensor(values, dtype=torch.float64)
    if dist.get_backend() == 'nccl':
        total = total.cuda()
    dist.all_reduce(total)
    return total.cpu().numpy()


def broadcast_object(value):
    """``value`` of rank 0, in every process (pickled; for small fitted objects)."""
    if not _active:
        return value
    holder = [value]
    dist.broadcast_object_list(holder, src=0)
    return holder[0]


def check_same_rows(tensor, what):
    """Refuse to train when the processes do not hold the same ``what``: each process must
    read the same table in the same order, or its shard is not the rows the others left."""
    if not _active:
        return
    # nansum: a missing value left in the encoding must not make equal tables look unequal.
    checksum = torch.tensor([float(tensor.double().nansum()), float(len(tensor))],
                            dtype=torch.float64)
    if dist.get_backend() == 'nccl':
        checksum = checksum.cuda()
    checksums = [torch.empty_like(checksum) for _ in range(world_size())]
    dist.all_gather(checksums, checksum)
    if any(not torch.equal(other, checksums[0]) for other in checksums):
        raise RuntimeError(
            f'The processes hold different {what}: every process must read the same table, '
            'in the same order, with the same seed.'
        )
