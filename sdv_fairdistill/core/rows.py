"""Where the training stages read their rows: tensors in memory, or shards on disk.

``TensorRows`` holds the encoded table in memory (a ``fit`` on a DataFrame). ``ShardedRows``
holds it in shard files that ``ShardWriter`` wrote one chunk at a time, and keeps one shard
in memory at a time (a fit on a table larger than memory, ``fit_from_parquet``). Both give the
stages the same batches: dicts of tensors ``x`` (features), ``y`` (target), ``y_in`` (what
the encoders are conditioned on), ``s`` (one-hot joint group), ``marginals`` (one-hot of each
sensitive column, with several) and, where the source holds them, per-row extras such as the
frozen teacher's posterior.
"""

import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from sdv_fairdistill.core import distributed


class TensorRows:
    """The training rows as tensors (this process's shard of them, data-parallel).

    Args:
        x, y, y_in, s (torch.Tensor): features, target, encoder condition, one-hot group.
        marginals (list[torch.Tensor]): one-hot of each sensitive column (several only).
        row_weights (torch.Tensor or None): reweighing weights; an epoch then draws its rows
            with these weights (with replacement) instead of a permutation.
    """

    def __init__(self, x, y, y_in, s, marginals=(), row_weights=None):
        self.columns = {'x': x, 'y': y, 'y_in': y_in, 's': s}
        self.marginals = list(marginals)
        self.row_weights = row_weights

    def __len__(self):
        return len(self.columns['x'])

    def add(self, **columns):
        """Per-row tensors handed out with every batch (e.g. the teacher's posterior)."""
        self.columns.update(columns)

    def batches(self, batch_size, device):
        """One epoch: batches of ``batch_size`` rows (one process's share of it)."""
        n_rows = len(self)
        if self.row_weights is not None:
            # An epoch of rows drawn with the reweighing weights: the reweighed distribution.
            order = torch.multinomial(self.row_weights, n_rows, replacement=True)
        else:
            order = torch.randperm(n_rows)
        for start in range(0, n_rows, batch_size):
            rows = order[start : start + batch_size]
            if len(rows) > 1:  # distance covariance needs at least two rows
                rows = rows.to(device)
                batch = {name: tensor[rows] for name, tensor in self.columns.items()}
                batch['marginals'] = [marginal[rows] for marginal in self.marginals]
                yield batch


def _one_hot(codes, size):
    return F.one_hot(torch.as_tensor(codes, dtype=torch.long), size).float()


class ShardWriter:
    """Writes encoded chunks into ``n_shards`` shard files, each row to a random shard.

    Rows are dealt out at random, so every shard is a uniform sample of the whole table
    whatever its order (a table sorted by group would otherwise give batches of one group,
    whose distance covariance with the group is zero). Each shard is four flat binary
    files appended chunk by chunk: nothing but one chunk is ever in memory.
    """

    def __init__(self, folder, n_shards, seed):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.n_shards = n_shards
        self._rng = np.random.default_rng(seed)
        self.rows = np.zeros(n_shards, dtype=np.int64)
        self.widths = None

    def _path(self, shard, name):
        return self.folder / f'shard{shard:05d}_{name}.bin'

    def write(self, x, y, groups, column_groups):
        arrays = {
            'x': np.asarray(x, dtype=np.float32),
            'y': np.asarray(y, dtype=np.float32),
            'groups': np.asarray(groups, dtype=np.int64),
            'column_groups': np.asarray(column_groups, dtype=np.int64).reshape(len(x), -1),
        }
        widths = {name: array.shape[1:] for name, array in arrays.items()}
        if self.widths is None:
            self.widths = widths
        shard_of_row = self._rng.integers(self.n_shards, size=len(x))
        for shard in np.unique(shard_of_row):
            rows = shard_of_row == shard
            for name, array in arrays.items():
                with open(self._path(shard, name), 'ab') as handle:
                    array[rows].tofile(handle)
            self.rows[shard] += int(rows.sum())

    def finish(self, n_groups, column_sizes, total_rows=None):
        """The shards written, as ``ShardedRows``."""
        shards = [
            {name: self._path(shard, name) for name in ('x', 'y', 'groups', 'column_groups')}
            for shard in range(self.n_shards) if self.rows[shard] > 0
        ]
        return ShardedRows(
            shards, [int(n) for n in self.rows if n > 0], self.widths, n_groups,
            column_sizes, total_rows=total_rows,
        )


class ShardedRows:
    """Encoded rows in shard files (written by ``ShardWriter``), one shard in memory at a time.

    An epoch visits this process's shards in a random order and each shard's rows in a random
    order (drawn with ``cell_weights[group, class]`` when reweighing); it yields as many
    batches as one pass over the rows of *every* process holds, divided by the number of
    processes, so that data-parallel processes step in lock-step whatever their shards' sizes.

    Args:
        shards (list[dict]): file paths of each shard's arrays.
        shard_rows (list[int]): rows of each shard.
        widths (dict): trailing shape of each array.
        n_groups (int): number of joint groups.
        column_sizes (list[int]): groups of each sensitive column (one-hot marginals are
            built when there are several).
        total_rows (int or None): rows of every process together (data-parallel); defaults
            to this process's rows.

    The model that trains on it sets ``encoder_condition`` (``(y, s) -> y_in``) and, when it
    reweighs, ``cell_weights`` (the weight of each (group, target class)).
    """

    def __init__(self, shards, shard_rows, widths, n_groups, column_sizes, total_rows=None):
        self.shards = shards
        self.shard_rows = list(shard_rows)
        self.widths = widths
        self.n_groups = n_groups
        self.column_sizes = list(column_sizes)
        self.encoder_condition = None
        self.cell_weights = None
        self.total_rows = sum(self.shard_rows) if total_rows is None else total_rows

    def __len__(self):
        return self.total_rows

    def load(self, index):
        """Shard ``index`` as a ``TensorRows`` (its row weights included when reweighing)."""
        arrays = {}
        for name, path in self.shards[index].items():
            dtype = np.float32 if name in ('x', 'y') else np.int64
            arrays[name] = np.fromfile(path, dtype=dtype).reshape(
                self.shard_rows[index], *self.widths[name]
            )
        x, y = torch.from_numpy(arrays['x']), torch.from_numpy(arrays['y'])
        s = _one_hot(arrays['groups'], self.n_groups)
        marginals = (
            [_one_hot(arrays['column_groups'][:, j], size)
             for j, size in enumerate(self.column_sizes)]
            if len(self.column_sizes) > 1 else []
        )
        weights = None
        if self.cell_weights is not None:
            classes = arrays['y'].argmax(axis=1)
            weights = torch.as_tensor(self.cell_weights[arrays['groups'], classes],
                                      dtype=torch.float32)
        return TensorRows(x, y, self.encoder_condition(y, s), s, marginals, weights)

    def batches(self, batch_size, device):
        steps = max(1, math.ceil(self.total_rows / (batch_size * distributed.world_size())))
        done = 0
        while done < steps:
            before = done
            for index in torch.randperm(len(self.shards)).tolist():
                shard = self.load(index)
                shard.columns = {name: t.to(device) for name, t in shard.columns.items()}
                shard.marginals = [marginal.to(device) for marginal in shard.marginals]
                for batch in shard.batches(batch_size, device):
                    yield batch
                    done += 1
                    if done == steps:
                        return
            if done == before:
                raise ValueError('The shards hold no batch of two rows or more.')
