"""Data-parallel training on 2 gloo processes: the penalty's gradient and an end-to-end fit."""

import sys
import time
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.core import distributed
from sdv_fairdistill.core.training import fairness_penalty

WORLD_SIZE = 2
DEMOGRAPHIC_PARITY = SimpleNamespace(fairness_criterion='demographic_parity')


def _spawn(worker, *args, timeout=240):
    """``mp.spawn`` of WORLD_SIZE processes that fails the test instead of hanging CI."""
    context = mp.spawn(worker, args=args, nprocs=WORLD_SIZE, join=False)
    deadline = time.monotonic() + timeout
    while not context.join(timeout=5):
        if time.monotonic() > deadline:
            for process in context.processes:
                process.kill()
            pytest.fail(f'{WORLD_SIZE} processes of {worker.__name__} still ran after {timeout} s')


def _join(rank, init_file):
    torch.set_num_threads(1)
    dist.init_process_group(
        'gloo', init_method=f'file://{init_file}', rank=rank, world_size=WORLD_SIZE
    )


def _batch():
    """The same global batch and linear layer in every process (and in the test)."""
    torch.manual_seed(0)
    x = torch.randn(10, 5)
    s = F.one_hot(torch.tensor([0, 1, 2, 0, 1, 1, 2, 0, 0, 1]), 3).float()
    layer = torch.nn.Linear(5, 3)
    return x, s, layer


def _loss(layer_or_ddp, x, s, gather=lambda t: t):
    """A per-row loss (a batch mean) plus 3 x the penalty of the (gathered) batch."""
    z = layer_or_ddp(x)
    return (z**2).mean() + 3 * fairness_penalty(DEMOGRAPHIC_PARITY, gather(z), None, gather(s), s)


def _gradients_worker(rank, init_file, out_dir):
    _join(rank, init_file)
    x, s, layer = _batch()
    rows = slice(5 * rank, 5 * rank + 5)
    with distributed.data_parallel():
        # The all-gather's own gradient: each process gets the sum of the gradients that the
        # WORLD_SIZE identical penalties send to its rows.
        z = layer(x[rows]).detach().requires_grad_()
        fairness_penalty(
            DEMOGRAPHIC_PARITY, distributed.gather_rows(z), None, distributed.gather_rows(s[rows]),
            s[rows],
        ).backward()
        # What training does: the local loss through DDP, the penalty on the gathered batch.
        ddp = distributed.wrap(layer)  # held: DDP's backward needs the wrapper alive
        _loss(ddp, x[rows], s[rows], distributed.gather_rows).backward()
        # Processes holding different numbers of rows (a shard's last batch): gathered whole,
        # in rank order, the gradient reaching each process's own rows.
        own = slice(0, 6) if rank == 0 else slice(6, 10)
        uneven = x[own].clone().requires_grad_()
        gathered = distributed.gather_rows(uneven)
        (gathered * torch.arange(1.0, 11.0)[:, None]).sum().backward()
        # The processes check that they encoded the same table (NaN included) ...
        same = torch.tensor([[1.0, float('nan')], [2.0, 3.0]])
        distributed.check_same_rows(same, 'encoded tables')
        # ... and all refuse to train when they did not.
        try:
            distributed.check_same_rows(same + rank, 'encoded tables')
            refusal = None
        except RuntimeError as error:
            refusal = str(error)
    torch.save(
        {'z': z.grad, 'weight': layer.weight.grad, 'bias': layer.bias.grad, 'refusal': refusal,
         'gathered': gathered.detach(), 'uneven_gradient': uneven.grad},
        f'{out_dir}/gradients{rank}.pt',
    )
    # DDP's reducer holds the process group: freed after the group is destroyed, it tears
    # gloo down while a gloo thread waits for the GIL to free a gathered tensor (a deadlock
    # seen once in CI). Free it first, and let every process finish its collectives.
    del ddp
    dist.barrier()
    dist.destroy_process_group()


def test_penalty_gradient_through_all_gather_equals_one_process_gradient(tmp_path):
    _spawn(_gradients_worker, str(tmp_path / 'init'), str(tmp_path))
    x, s, layer = _batch()
    z = layer(x).detach().requires_grad_()
    fairness_penalty(DEMOGRAPHIC_PARITY, z, None, s, s).backward()
    _loss(layer, x, s).backward()
    for rank in range(WORLD_SIZE):
        gradients = torch.load(tmp_path / f'gradients{rank}.pt')
        rows = slice(5 * rank, 5 * rank + 5)
        # Not the 1 / world_size of a gather layer that averages: world_size times the
        # gradient, which DDP's average over the processes divides back ...
        torch.testing.assert_close(gradients['z'], WORLD_SIZE * z.grad[rows])
        # ... so the parameters get the gradient of one process on the concatenated batch.
        torch.testing.assert_close(gradients['weight'], layer.weight.grad)
        torch.testing.assert_close(gradients['bias'], layer.bias.grad)
        assert gradients['refusal'].startswith('The processes hold different encoded tables')
        torch.testing.assert_close(gradients['gathered'], x)
        own = slice(0, 6) if rank == 0 else slice(6, 10)
        # Every process's identical loss sends its gradient: WORLD_SIZE times one's.
        expected = WORLD_SIZE * torch.arange(1.0, 11.0)[own, None].expand(-1, 5)
        torch.testing.assert_close(gradients['uneven_gradient'], expected)


def _table():
    rng = np.random.default_rng(0)
    sex = rng.choice(['F', 'M'], 240)
    return pd.DataFrame({
        'age': rng.integers(18, 70, 240),
        'hours': rng.normal(40, 8, 240).round(1),
        'job': rng.choice(['a', 'b', 'c'], 240),
        'sex': sex,
        'label': np.where(rng.random(240) < np.where(sex == 'M', 0.6, 0.3), 'yes', 'no'),
    })


def _synthesizer(**parameters):
    from sdv.metadata import Metadata

    from sdv_fairdistill import FairDistillSynthesizer

    metadata = Metadata.load_from_dict({'tables': {'people': {'columns': {
        'age': {'sdtype': 'numerical'}, 'hours': {'sdtype': 'numerical'},
        'job': {'sdtype': 'categorical'}, 'sex': {'sdtype': 'categorical'},
        'label': {'sdtype': 'categorical'},
    }}}})
    return FairDistillSynthesizer(
        metadata, sensitive_columns='sex', target_column='label', seed=0,
        epochs=2, distill_epochs=1, batch_size=40, **parameters,
    )


def _fit_worker(rank, init_file, out_dir):
    from sdv_fairdistill import fit_distributed

    _join(rank, init_file)
    shards = []
    local_rows = distributed.local_rows
    distributed.local_rows = lambda *args: shards.append(local_rows(*args)) or shards[-1]
    synthesizer = fit_distributed(_synthesizer(), {'people': _table()}, f'{out_dir}/fitted.pkl')
    model = synthesizer._model
    torch.save({
        'shard': shards[0],
        'weights': [p.detach().clone() for m in model._modules() for p in m.parameters()],
        'losses': synthesizer.get_loss_values(),
    }, f'{out_dir}/fitted{rank}.pt')
    dist.destroy_process_group()


def test_two_process_fit_end_to_end(tmp_path):
    from sdv.utils import load_synthesizer

    _spawn(_fit_worker, str(tmp_path / 'init'), str(tmp_path))
    first, second = (torch.load(tmp_path / f'fitted{rank}.pt', weights_only=False)
                     for rank in range(WORLD_SIZE))
    # Each process trained on its own half of the rows ...
    assert len(first['shard']) == len(second['shard']) == 120
    assert sorted(torch.cat([first['shard'], second['shard']]).tolist()) == list(range(240))
    assert not first['losses'].equals(second['losses'])
    # ... and DDP kept one model: the same weights in both.
    for a, b in zip(first['weights'], second['weights']):
        torch.testing.assert_close(a, b)
    # Rank 0 saved it; it samples the table's columns and groups.
    synthesizer = load_synthesizer(str(tmp_path / 'fitted.pkl'))
    sampled = synthesizer.sample(50)['people']
    assert list(sampled.columns) == list(_table().columns)
    assert set(sampled['sex']) <= {'F', 'M'}


def _criterion_fit_worker(rank, init_file, out_dir):
    from sdv_fairdistill import fit_distributed

    _join(rank, init_file)
    synthesizer = fit_distributed(
        _synthesizer(fairness_criterion='equal_opportunity', positive_label='yes'),
        {'people': _table()}, f'{out_dir}/fitted.pkl',
    )
    torch.save({
        'diagnostics': synthesizer.get_fairness_diagnostics(),
        'scorer': synthesizer._model.label_scorer is not None,
        'offsets': synthesizer._model.target_offsets,
    }, f'{out_dir}/fitted{rank}.pt')
    dist.destroy_process_group()


@pytest.mark.slow
def test_two_processes_choose_the_same_label_under_an_error_rate_criterion(tmp_path):
    # The label from the features is tried on rank 0's calibration and kept or dropped on
    # every rank alike (the choice reads the broadcast errors).
    _spawn(_criterion_fit_worker, str(tmp_path / 'init'), str(tmp_path))
    first, second = (torch.load(tmp_path / f'fitted{rank}.pt', weights_only=False)
                     for rank in range(WORLD_SIZE))
    for key in ('label_source', 'target_offsets', 'target_offset_errors'):
        assert first['diagnostics'][key] == second['diagnostics'][key]
    assert first['scorer'] == second['scorer'] == (
        first['diagnostics']['label_source'] == 'features')
    # On 240 rows the try is not measured precisely enough: the head draws the label.
    assert first['diagnostics']['label_source'] == 'target head'
    assert 'label_from_features_errors' in first['diagnostics']
    torch.testing.assert_close(first['offsets'], second['offsets'])


def _parquet_fit_worker(rank, init_file, out_dir):
    from sdv_fairdistill import fit_distributed
    from sdv_fairdistill.core import rows

    _join(rank, init_file)
    written = []
    write = rows.ShardWriter.write
    rows.ShardWriter.write = lambda self, x, *rest: written.append(len(x)) or write(self, x, *rest)
    synthesizer = fit_distributed(_synthesizer(), f'{out_dir}/people')
    model = synthesizer._model
    torch.save({
        'rows_encoded': sum(written),
        'weights': [p.detach().clone() for m in model._modules() for p in m.parameters()],
        'prior': synthesizer._group_prior,
        'groups': synthesizer._groups['sex'].tolist(),
    }, f'{out_dir}/fitted{rank}.pt')
    dist.destroy_process_group()


def test_two_process_fit_from_parquet_encodes_a_share_each(tmp_path):
    # A folder whose first file holds one row (a batch shorter than the processes: none for
    # rank 1) and an odd number of rows in all (shards of 121 and 120 rows, whose batches
    # differ in length at the ends of the shards).
    table = pd.concat([_table().sort_values('sex'), _table().iloc[[0]]], ignore_index=True)
    (tmp_path / 'people').mkdir()
    table.iloc[[-1]].to_parquet(tmp_path / 'people' / 'a.parquet', index=False)
    table.iloc[:-1].to_parquet(tmp_path / 'people' / 'b.parquet', index=False)
    _spawn(_parquet_fit_worker, str(tmp_path / 'init'), str(tmp_path))
    first, second = (torch.load(tmp_path / f'fitted{rank}.pt', weights_only=False)
                     for rank in range(WORLD_SIZE))
    # Each process read and encoded its own half of the rows ...
    assert (first['rows_encoded'], second['rows_encoded']) == (121, 120)
    # ... the groups' prior counts both halves, and DDP kept one model.
    expected = table['sex'].value_counts(normalize=True)
    np.testing.assert_allclose(first['prior'], expected[first['groups']].to_numpy())
    for a, b in zip(first['weights'], second['weights']):
        torch.testing.assert_close(a, b)


@pytest.mark.slow
def test_two_process_fit_is_reproducible_with_a_seed(tmp_path):
    weights = []
    for run in ('a', 'b'):
        (tmp_path / run).mkdir()
        _spawn(_fit_worker, str(tmp_path / run / 'init'), str(tmp_path / run))
        weights.append(torch.load(tmp_path / run / 'fitted0.pt', weights_only=False)['weights'])
    for a, b in zip(*weights):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


@pytest.mark.slow
def test_cli_fit_nproc_per_node_trains_in_torchrun_processes(tmp_path, capsys):
    from sdv.utils import load_synthesizer

    from sdv_fairdistill.cli import main

    csv = tmp_path / 'people.csv'
    _table().to_csv(csv, index=False)
    output = tmp_path / 'fitted.pkl'
    assert main(['fit', str(csv), '--sensitive', 'sex', '--target', 'label', '--epochs', '2',
                 '--distill-epochs', '1', '--batch-size', '40', '--seed', '0',
                 '--nproc-per-node', '2', '-o', str(output)]) == 0
    assert 'Starting 2 training processes with torchrun' in capsys.readouterr().err
    sampled = load_synthesizer(str(output)).sample(20)['people']
    assert list(sampled.columns) == list(_table().columns)


@pytest.mark.parametrize('options, message', [
    (['--nproc-per-node', '0'], '--nproc-per-node must be at least 1, got 0'),
    (['--nproc-per-node', '8', '--batch-size', '10'],
     '--batch-size 10 gives each of the 8 processes fewer than 2 rows a step'),
    # Said once by the launcher, not once by every process inside torchrun's traceback.
    (['--nproc-per-node', '2', '--target', 'Label'],
     "--target: column(s) 'Label' not in"),
    (['--nproc-per-node', '2', '--sample-rows', '100'],
     '--sample-rows reads Parquet files in batches'),
])
def test_cli_fit_refuses_process_counts_before_starting_torchrun(tmp_path, capsys, options,
                                                                  message):
    from sdv_fairdistill.cli import main

    csv = tmp_path / 'people.csv'
    _table().to_csv(csv, index=False)
    assert main(['fit', str(csv), '--sensitive', 'sex', *options,
                 '-o', str(tmp_path / 'x.pkl')]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize('signum', ['SIGTERM', 'SIGINT'])
def test_launcher_passes_a_termination_on_to_the_processes_it_started(signum):
    """A job stopped with SIGTERM (a scheduler's time limit, kill) or a SIGINT sent to the
    launcher alone (kill -INT, an IDE's stop button) stops torchrun and its workers, instead
    of leaving them to train on and save the output."""
    import os
    import signal
    import threading

    from sdv_fairdistill.cli._torchrun import run_passing_signals

    before = signal.getsignal(signal.SIGTERM)
    start = time.monotonic()
    threading.Timer(1.0, os.kill, (os.getpid(), getattr(signal, signum))).start()
    returncode, stopped = run_passing_signals([sys.executable, '-c', 'import time; time.sleep(60)'])
    assert stopped == signum and returncode != 0
    assert time.monotonic() - start < 30
    # The launcher's own handling of SIGTERM is given back afterwards.
    assert signal.getsignal(signal.SIGTERM) is before


def test_fit_distributed_outside_torchrun_says_how_to_launch(monkeypatch):
    from sdv_fairdistill import fit_distributed

    for name in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT'):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match='torchrun --standalone --nproc-per-node N'):
        fit_distributed(_synthesizer(), {'people': _table()})


def _one_process_environment(monkeypatch):
    """torchrun's environment for a group of one process on a free port, set by hand (not
    under torchrun: ``fit_distributed`` may initialise a group more than once)."""
    import socket

    from sdv_fairdistill.synthesizers import _distributed

    with socket.socket() as probe:  # a free port for the one-process group
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    environment = {'RANK': '0', 'WORLD_SIZE': '1', 'LOCAL_RANK': '0',
                   'MASTER_ADDR': '127.0.0.1', 'MASTER_PORT': str(port)}
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv('TORCHELASTIC_RUN_ID', raising=False)
    monkeypatch.setattr(_distributed, '_closed_a_group', False)


def test_a_second_fit_distributed_after_closing_its_group_says_what_to_do(monkeypatch):
    # Under torchrun a second init_process_group failed inside gloo ("connectFullMesh
    # failed ... Connection refused"); with the environment set by hand it works.
    from sdv_fairdistill import fit_distributed

    _one_process_environment(monkeypatch)
    for _ in range(2):
        assert fit_distributed(_synthesizer(), {'people': _table()})._fitted
    monkeypatch.setenv('TORCHELASTIC_RUN_ID', 'run')  # torchrun's
    with pytest.raises(RuntimeError, match=r"call torch.distributed.init_process_group\('gloo'\) "
                                           'once before the first fit_distributed'):
        fit_distributed(_synthesizer(), {'people': _table()})


def test_without_a_process_group_nothing_is_distributed():
    tensor = torch.ones(3, 2, requires_grad=True)
    assert distributed.gather_rows(tensor) is tensor
    assert distributed.local_rows(10, 0) is None
    assert distributed.local_batch_size(500) == 500
    with pytest.raises(RuntimeError, match='initialised process group'):
        with distributed.data_parallel():
            pass


def test_fit_distributed_passes_parquet_options_and_refuses_them_for_a_table(tmp_path,
                                                                             monkeypatch):
    from sdv_fairdistill import fit_distributed

    _one_process_environment(monkeypatch)
    with pytest.raises(TypeError, match=r"\['workdir'\] are options of a Parquet fit"):
        fit_distributed(_synthesizer(), {'people': _table()}, workdir=str(tmp_path))
    with pytest.raises(TypeError, match=r"unexpected options \['sample_row'\]"):
        fit_distributed(_synthesizer(), str(tmp_path), sample_row=10)

    _table().to_parquet(tmp_path / 'people.parquet', index=False)
    seen = {}
    fit_from_parquet = FairDistillSynthesizer.fit_from_parquet

    def spy(self, path, **options):
        seen.update(options)
        return fit_from_parquet(self, path, **options)

    monkeypatch.setattr(FairDistillSynthesizer, 'fit_from_parquet', spy)
    work = tmp_path / 'work'
    work.mkdir()
    fitted = fit_distributed(_synthesizer(), [tmp_path / 'people.parquet'], sample_rows=50,
                             batch_rows=64, workdir=str(work))
    assert fitted._fitted
    assert seen == {'sample_rows': 50, 'batch_rows': 64, 'workdir': str(work)}


if __name__ == '__main__':
    sys.exit(pytest.main([__file__, '-q']))
