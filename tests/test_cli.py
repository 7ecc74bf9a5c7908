"""The ``sdv-fairdistill`` command line: help, the fast demo, and one-line input errors."""

import json
import os
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sdv_fairdistill.cli import main
from sdv_fairdistill.datasets import load_german_credit


@pytest.fixture(scope='module')
def german_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp('data') / 'german.csv'
    data, _ = load_german_credit(num_rows=300)
    data.to_csv(path, index=False)
    return path


def _error_line(capsys):
    """The one line of the error on stderr (warnings before it are one line each)."""
    err = [line for line in capsys.readouterr().err.strip().splitlines()
           if not line.startswith('sdv-fairdistill: warning:')]
    assert len(err) == 1, err
    return err[0]


def test_console_script_help():
    # The script sits beside the interpreter of a virtual environment that may not be on PATH.
    beside = Path(sys.executable).parent / 'sdv-fairdistill'
    script = str(beside) if beside.is_file() else shutil.which('sdv-fairdistill')
    if script is None:
        pytest.skip('the package is not installed with its console script')
    result = subprocess.run([script, '--help'], capture_output=True, text=True, check=True)
    for command in ('fit', 'sample', 'report', 'benchmark', 'demo'):
        assert command in result.stdout


@pytest.mark.parametrize('module', ['sdv_fairdistill', 'sdv_fairdistill.cli'])
def test_python_dash_m_is_the_command(module):
    result = subprocess.run([sys.executable, '-m', module, '--help'], capture_output=True,
                            text=True, check=True)
    assert result.stdout.startswith('usage: sdv-fairdistill')


#: The options a user of each command needs: the required ones and the usual knobs.
NEEDED_OPTIONS = {
    'fit': ('--sensitive', '--target', '--metadata', '--output', '--fairness-weight', '--epochs',
            '--seed', '--gpu', '--quiet'),
    'sample': ('--num-rows', '--output', '--seed', '--quiet'),
    'report': ('--sensitive', '--target', '--positive-label', '--validation', '--classifier',
               '--min-group-size', '--output', '--quiet'),
    'benchmark': ('--quick', '--datasets', '--generators', '--seeds', '--merge', '--output',
                  '--quiet'),
    'demo': ('--fast', '--num-rows', '--seed', '--output', '--quiet'),
}


@pytest.mark.parametrize('command', sorted(NEEDED_OPTIONS))
def test_command_help_lists_the_options_a_user_needs(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, '--help'])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    missing = [option for option in NEEDED_OPTIONS[command] if option not in out]
    assert not missing, missing


def test_demo_fast_fits_samples_and_reports(tmp_path, capsys):
    assert main(['demo', '--fast', '--quiet', '--output', str(tmp_path)]) == 0
    for name in ('real_train.csv', 'real_test.csv', 'synthesizer.pkl',
                 'synthesizer.pkl.metadata.json', 'synthetic.csv', 'report.json'):
        assert (tmp_path / name).is_file(), name
    scores = json.loads((tmp_path / 'report.json').read_text())
    assert 0 <= scores['fairness_score'] <= 1 and 0 <= scores['quality_score'] <= 1
    assert 'Fairness score' in capsys.readouterr().out


def test_demo_refuses_too_few_rows_and_a_file_as_its_folder(tmp_path, capsys):
    for rows in ('0', '-3', '5'):
        assert main(['demo', '--num-rows', rows, '-o', str(tmp_path / 'd')]) == 2
        assert f'--num-rows must be at least 500 (the demo holds out 30 % of the rows and ' \
               f'fits on the rest), got {rows}' in _error_line(capsys)
    a_file = tmp_path / 'real.csv'
    a_file.write_text('x')
    assert main(['demo', '--fast', '-o', str(a_file)]) == 2
    assert "is a file: give a folder" in _error_line(capsys)
    assert a_file.read_text() == 'x'
    # A folder under a file, and a seed numpy cannot take: tracebacks before.
    assert main(['demo', '--fast', '-o', str(a_file / 'sub')]) == 2
    assert "cannot be created: '" in _error_line(capsys)
    for seed in ('-1', str(2**32)):
        assert main(['demo', '--fast', '--seed', seed, '-o', str(tmp_path / 'd')]) == 2
        assert f'--seed must be between 0 and 4294967295, got {seed}' in _error_line(capsys)
    assert not (tmp_path / 'd').exists()


def test_a_benchmark_output_under_a_file_is_refused_before_the_run(tmp_path, capsys):
    # It was a NotADirectoryError traceback when the results were saved, after the run.
    a_file = tmp_path / 'afile'
    a_file.write_text('x')
    assert main(['benchmark', '--quick', '--datasets', 'german', '-o', str(a_file / 'sub')]) == 2
    assert f"--output '{a_file / 'sub'}' cannot be created: '{a_file}' is a file" in \
        _error_line(capsys)


def test_fit_output_naming_a_folder_is_refused_before_fitting(tmp_path, capsys):
    # 'newdir/' passed the check (Path drops the slash), the fit ran, the metadata file
    # created the folder, and the save failed at the end.
    table = tmp_path / 'people.csv'
    table.write_text('sex,label,x\n' + ''.join(f'{"FM"[i % 2]},{i % 3 == 0},{i}\n'
                                                  for i in range(40)))
    output = f'{tmp_path}/newdir/'
    assert main(['fit', str(table), '--sensitive', 'sex', '-o', output]) == 2
    assert "names a folder (it ends with '/'): give a file name inside it" in _error_line(capsys)
    assert not (tmp_path / 'newdir').exists()


def test_missing_file_is_a_one_line_error(tmp_path, capsys):
    code = main(['fit', str(tmp_path / 'nope.csv'), '--sensitive', 'sex', '-o', 'x.pkl'])
    assert code == 2
    assert _error_line(capsys) == f"sdv-fairdistill: error: no such file: '{tmp_path / 'nope.csv'}'"


def test_unknown_column_is_a_one_line_error(german_csv, tmp_path, capsys):
    code = main(['fit', str(german_csv), '--sensitive', 'gender', '--target', 'credit',
                 '-o', str(tmp_path / 's.pkl')])
    assert code == 2
    line = _error_line(capsys)
    assert "--sensitive: column(s) 'gender' not in" in line and 'personal_status' in line

    code = main(['report', str(german_csv), str(german_csv), '--sensitive', 'sex',
                 '--target', 'risk'])
    assert code == 2
    assert "--target: column(s) 'risk' not in" in _error_line(capsys)


def test_other_bad_inputs_are_one_line_errors(german_csv, tmp_path, capsys):
    text_file = tmp_path / 'table.txt'
    text_file.write_text('a,b\n1,2\n')
    assert main(['fit', str(text_file), '--sensitive', 'a', '-o', 'x.pkl']) == 2
    assert 'neither CSV nor Parquet' in _error_line(capsys)

    assert main(['sample', str(german_csv), '-n', '5', '-o', str(tmp_path / 'o.csv')]) == 2
    assert 'cannot load a synthesizer' in _error_line(capsys)

    # A continuous sensitive column is refused by the synthesizer itself: still one line.
    assert main(['fit', str(german_csv), '--sensitive', 'credit_amount', '--quiet',
                 '--epochs', '1', '-o', str(tmp_path / 's.pkl')]) == 2
    assert 'looks continuous' in _error_line(capsys)

    assert main(['benchmark', '--quick', '--datasets', 'mnist', '-o', str(tmp_path)]) == 2
    assert 'Unknown dataset' in _error_line(capsys)

    # Benchmark values that would fail after the run (or deep inside it): before any work.
    quick = ['benchmark', '--quick', '--datasets', 'german', '--generators', 'GaussianCopula']
    for options, message in (
        (['--seeds', '-1'], 'seeds must be between 0 and 4294967295, got [-1]'),
        # A repeated option adds up (argparse kept the last one: seed 1 alone ran).
        (['--seeds', '0', '--seeds', '1', '0'], 'seeds names [0] more than once'),
        (['--num-rows', '0'], 'num_rows must be at least 1'),
        (['--sweep-weights', '-3'], 'sweep_weights must be at least 0, got [-3.0]'),
        (['--sweep-repairs', '1.5'], 'sweep_repairs must be between 0 and 1, got [1.5]'),
        (['-o', str(text_file)], f"--output '{text_file}' is a file"),
    ):
        arguments = [*quick, *options] + ([] if '-o' in options else ['-o', str(tmp_path)])
        assert main(arguments) == 2
        assert message in _error_line(capsys)
    broken = tmp_path / 'cut'
    broken.mkdir()
    (broken / 'results.json').write_text('{"records": [')
    assert main(['benchmark', '--merge', str(broken), '-o', str(tmp_path / 'merged')]) == 2
    assert 'results.json is not a benchmark result' in _error_line(capsys)


def test_benchmark_part_without_the_reference_row(tmp_path, capsys):
    """A part of a run split over processes can leave the 'Real data' row to another part
    (merging refuses a cell that two parts both have); a second run into the same folder is
    refused before any work unless --overwrite."""
    import json

    out = tmp_path / 'part'
    command = ['benchmark', '--quick', '--datasets', 'german', '--generators', 'GaussianCopula',
               '--seeds', '0', '--num-rows', '300', '--no-reference', '--no-sweep',
               '--metadata', 'detected', '--quiet', '-o', str(out)]
    assert main(command) == 0
    records = json.loads((out / 'results.json').read_text())['records']
    assert [record['generator'] for record in records] == ['GaussianCopula · detected metadata']

    # The same command again would replace hours of results: refused before any work ...
    (out / 'results.json').write_text(json.dumps({'records': []}))  # a stand-in earlier run
    assert main(command) == 2
    assert 'already holds a benchmark' in _error_line(capsys)
    assert json.loads((out / 'results.json').read_text()) == {'records': []}
    # ... unless asked for.
    assert main([*command, '--overwrite']) == 0
    assert len(json.loads((out / 'results.json').read_text())['records']) == 1


def test_benchmark_refuses_options_another_option_makes_meaningless(tmp_path, capsys):
    out = str(tmp_path / 'b')
    assert main(['benchmark', '--no-sweep', '--sweep-weights', '1', '2', '-o', out]) == 2
    assert _error_line(capsys).endswith(
        '--no-sweep skips the sweep that --sweep-weights configure: drop one or the other')
    assert main(['benchmark', '--no-sweep', '--sweep-repairs', '-o', out]) == 2
    assert _error_line(capsys).endswith(
        '--no-sweep skips the sweep that --sweep-repairs configure: drop one or the other')
    assert main(['benchmark', '--merge', out, '--datasets', 'adult', '--quick', '-o', out]) == 2
    assert _error_line(capsys).endswith(
        '--merge runs nothing, it combines earlier results: drop --quick, --datasets')
    assert not (tmp_path / 'b').exists()


@pytest.mark.parametrize('options, repairs', [
    ([], (0.9, 0.75, 0.5)), (['--sweep-repairs'], ()),
    (['--sweep-repairs', '0.8', '0.6'], (0.8, 0.6)), (['--no-sweep'], ()),
])
def test_benchmark_sweeps_the_repairs_asked(options, repairs, tmp_path, monkeypatch):
    from sdv_fairdistill import benchmark
    from sdv_fairdistill.benchmark import BenchmarkResult

    asked = []  # the command imports run_benchmark from the package when it runs
    monkeypatch.setattr(benchmark, 'run_benchmark', lambda config, progress: (
        asked.append(config) or BenchmarkResult(records=[])))
    assert main(['benchmark', '--quick', '--datasets', 'german', '--quiet', *options,
                 '-o', str(tmp_path)]) == 0
    assert asked[0].sweep_repairs == repairs


def test_report_of_a_file_without_rows_is_one_clear_line(german_csv, tmp_path, capsys):
    empty = tmp_path / 'empty.csv'
    empty.write_text(german_csv.read_text().splitlines()[0] + '\n')
    assert main(['report', str(german_csv), str(empty), '-s', 'sex', '-t', 'credit']) == 2
    assert capsys.readouterr().err.strip() == (
        f"sdv-fairdistill: error: '{empty}' has no rows: give a table with rows")


def test_bad_output_name_fails_before_loading(tmp_path, capsys):
    assert main(['sample', str(tmp_path / 'missing.pkl'), '-n', '5', '-o', str(tmp_path / 'o.xlsx')]) == 2
    assert 'give a file name ending in one of' in _error_line(capsys)


def test_fit_options_reach_the_saved_synthesizer(german_csv, tmp_path):
    from sdv.utils import load_synthesizer

    output = tmp_path / 'fair.pkl'
    code = main(['fit', str(german_csv), '--sensitive', 'sex', '--target', 'credit',
                 '--fairness-weight', '100', '--balance-target', '--no-encode-target',
                 '--no-calibrate-target',
                 '--epochs', '1', '--distill-epochs', '1', '--quiet', '-o', str(output)])
    assert code == 0
    synthesizer = load_synthesizer(str(output))
    parameters = synthesizer.get_parameters()
    assert parameters['fairness_weight'] == 100
    assert parameters['balance_target'] is True and parameters['encode_target'] is False
    assert parameters['calibrate_target'] is False
    assert 'target_offsets' not in synthesizer.get_fairness_diagnostics()


def test_fit_criterion_and_positive_label_reach_the_synthesizer(german_csv, tmp_path, capsys):
    from sdv.utils import load_synthesizer

    output = tmp_path / 'eo.pkl'
    code = main(['fit', str(german_csv), '--sensitive', 'sex', '--target', 'credit',
                 '--criterion', 'equal_opportunity', '--positive-label', 'good',
                 '--epochs', '1', '--distill-epochs', '1', '--quiet', '-o', str(output)])
    assert code == 0
    synthesizer = load_synthesizer(str(output))
    parameters = synthesizer.get_parameters()
    assert parameters['fairness_criterion'] == 'equal_opportunity'
    assert parameters['positive_label'] == 'good'
    assert synthesizer.get_fairness_diagnostics()['criterion'] == 'equal_opportunity'
    # A label the target does not have is refused before training, naming the option.
    code = main(['fit', str(german_csv), '--sensitive', 'sex', '--target', 'credit',
                 '--criterion', 'equal_opportunity', '--positive-label', 'great',
                 '--quiet', '-o', str(output)])
    assert code == 2
    assert _error_line(capsys) == ("sdv-fairdistill: error: --positive-label 'great' is not a "
                                   "class of 'credit' (classes: ['bad', 'good']).")


# ---------------------------------------------------------------------------- tables users bring
FAST_FIT = ['--epochs', '2', '--distill-epochs', '1', '--quiet']


@pytest.fixture(scope='module')
def synthesizer_pkl(german_csv, tmp_path_factory):
    path = tmp_path_factory.mktemp('fitted') / 'german.pkl'
    assert main(['fit', str(german_csv), '--sensitive', 'sex', '--target', 'credit',
                 *FAST_FIT, '-o', str(path)]) == 0
    return path


def _sample(synthesizer_pkl, output, *seed):
    assert main(['sample', str(synthesizer_pkl), '-n', '50', '--quiet', *seed,
                 '-o', str(output)]) == 0
    return output.read_bytes()


def test_sample_refuses_a_pickle_that_is_not_a_synthesizer(german_csv, tmp_path, capsys):
    # A DataFrame has its own .sample(n): real rows must not come out as "synthetic" ones.
    import pandas as pd

    pickled_table = tmp_path / 'table.pkl'
    pd.read_csv(german_csv).to_pickle(pickled_table)
    output = tmp_path / 'out.csv'
    assert main(['sample', str(pickled_table), '-n', '5', '-o', str(output)]) == 2
    line = _error_line(capsys)
    assert 'holds a pandas.DataFrame, not an SDV single-table synthesizer' in line
    assert not output.exists()


def test_sample_help_says_loading_runs_pickle_code(capsys):
    with pytest.raises(SystemExit):
        main(['sample', '--help'])
    assert 'only load files you trust' in ' '.join(capsys.readouterr().out.split())


def test_sample_without_seed_draws_fresh_rows(synthesizer_pkl, tmp_path):
    first = _sample(synthesizer_pkl, tmp_path / 'a.csv')
    second = _sample(synthesizer_pkl, tmp_path / 'b.csv')
    assert first != second


def test_sample_seed_makes_rows_reproducible(synthesizer_pkl, tmp_path):
    seven = _sample(synthesizer_pkl, tmp_path / 'a.csv', '--seed', '7')
    assert _sample(synthesizer_pkl, tmp_path / 'b.csv', '--seed', '7') == seven
    assert _sample(synthesizer_pkl, tmp_path / 'c.csv', '--seed', '8') != seven


def test_quiet_sample_in_batches_shows_no_progress_bar(synthesizer_pkl, tmp_path, capsys):
    # SDV's sample() shows a bar whenever it samples in batches; --quiet hides it.
    assert main(['sample', str(synthesizer_pkl), '-n', '50', '--batch-size', '20', '--seed',
                 '7', '--quiet', '-o', str(tmp_path / 'a.csv')]) == 0
    assert capsys.readouterr().err == ''
    assert main(['sample', str(synthesizer_pkl), '-n', '50', '--batch-size', '20', '--seed',
                 '7', '-o', str(tmp_path / 'b.csv')]) == 0
    assert 'Sampling rows' in capsys.readouterr().err
    assert (tmp_path / 'a.csv').read_bytes() == (tmp_path / 'b.csv').read_bytes()


def test_sample_to_parquet_streams_the_rows_sample_returns(synthesizer_pkl, tmp_path, capsys):
    """A .parquet output is written batch by batch (one row group each, a progress bar on
    stderr) and holds the rows the synthesizer's sample() gives with that seed."""
    import pyarrow.parquet as pq
    from sdv.utils import load_synthesizer

    output = tmp_path / 'out' / 'synthetic.parquet'
    assert main(['sample', str(synthesizer_pkl), '-n', '50', '--seed', '7',
                 '--batch-size', '20', '-o', str(output)]) == 0
    assert 'Sampling rows to Parquet' in capsys.readouterr().err
    assert pq.ParquetFile(output).metadata.num_row_groups == 3
    synthesizer = load_synthesizer(str(synthesizer_pkl))
    synthesizer._set_random_state(7)
    expected = synthesizer.sample(50, batch_size=20)
    expected = next(iter(expected.values())) if isinstance(expected, dict) else expected
    pd.testing.assert_frame_equal(pd.read_parquet(output), expected)
    assert main(['sample', str(synthesizer_pkl), '-n', '5', '--batch-size', '0',
                 '-o', str(tmp_path / 'x.parquet')]) == 2
    assert '--batch-size must be at least 1, got 0' in capsys.readouterr().err


def test_package_warnings_reach_stderr_as_one_line_each(german_csv, tmp_path, capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip('--gpu only warns where there is no CUDA GPU')
    # --balance-target cannot apply to a continuous target: the synthesizer says so.
    code = main(['fit', str(german_csv), '--sensitive', 'sex', '--target', 'credit_amount',
                 '--gpu', '--balance-target', *FAST_FIT, '-o', str(tmp_path / 's.pkl')])
    assert code == 0
    lines = capsys.readouterr().err.strip().splitlines()
    # --quiet: nothing but the warnings, each on one line, the third-party chatter hidden.
    assert all(line.startswith('sdv-fairdistill: warning: ') for line in lines), lines
    assert any('GPU' in line for line in lines), lines
    assert any('balance_target' in line and 'continuous' in line for line in lines), lines
    assert not any('Could not infer format' in line or 'save_to_json' in line for line in lines)


@pytest.mark.parametrize('command', ['fit', 'sample', 'report'])
def test_output_under_a_file_fails_fast(command, german_csv, tmp_path, capsys):
    a_file = tmp_path / 'somefile.txt'
    a_file.write_text('not a directory')
    output = a_file / 'out'
    arguments = {
        # Epochs enough for minutes of training: the check must come before any of it.
        'fit': ['fit', str(german_csv), '--sensitive', 'sex', '--target', 'credit', '--quiet',
                '--epochs', '20000', '-o', f'{output}.pkl'],
        'sample': ['sample', str(tmp_path / 'any.pkl'), '-n', '5', '-o', f'{output}.csv'],
        'report': ['report', str(german_csv), str(german_csv), '--sensitive', 'sex',
                   '--target', 'credit', '--quiet', '-o', f'{output}.json'],
    }[command]
    start = time.perf_counter()
    assert main(arguments) == 2
    assert time.perf_counter() - start < 10
    line = _error_line(capsys)
    assert line.startswith("sdv-fairdistill: error: --output '")
    assert f"'{a_file}' is a file, not a directory" in line


def test_output_that_is_a_directory_or_read_only_is_refused(german_csv, tmp_path, capsys):
    fit = ['fit', str(german_csv), '--sensitive', 'sex', '--quiet', '--epochs', '20000']
    assert main([*fit, '-o', str(tmp_path)]) == 2
    assert 'is a directory: give a file name inside it' in _error_line(capsys)

    # A path that cannot be created (under a file): refused before training, as root too.
    a_file = tmp_path / 'a_file'
    a_file.write_text('x')
    assert main([*fit, '-o', str(a_file / 'new' / 's.pkl')]) == 2
    line = _error_line(capsys)
    assert 'cannot be written' in line and "is a file, not a directory" in line
    if os.geteuid() != 0:  # root writes into read-only directories
        read_only = tmp_path / 'read_only'
        read_only.mkdir()
        read_only.chmod(0o500)
        try:
            assert main([*fit, '-o', str(read_only / 'new' / 's.pkl')]) == 2
            assert 'cannot be written' in _error_line(capsys)
        finally:
            read_only.chmod(0o700)


def test_an_output_that_is_an_input_file_is_refused_and_the_input_kept(
        german_csv, synthesizer_pkl, tmp_path, capsys):
    table = tmp_path / 'german.csv'
    table.write_bytes(german_csv.read_bytes())
    fit = ['fit', str(table), '--sensitive', 'sex', '--quiet', '--epochs', '20000']
    assert main([*fit, '-o', str(table)]) == 2
    assert _error_line(capsys) == (
        f"sdv-fairdistill: error: --output '{table}' is also the table: writing it would "
        'replace that file. Choose another output path.')
    assert table.read_bytes() == german_csv.read_bytes()
    # The same file by another name (a relative path) is the same file.
    relative = os.path.relpath(table)
    assert main(['sample', str(synthesizer_pkl), '-n', '10', '-o', relative,
                 '--quiet']) == 0  # not the synthesizer: written
    assert main(['sample', str(synthesizer_pkl), '-n', '10', '-o',
                 os.path.relpath(synthesizer_pkl)]) == 2
    assert 'is also the synthesizer' in _error_line(capsys)
    report = ['report', str(german_csv), relative, '--sensitive', 'sex', '--target', 'credit',
              '--quiet']
    assert main([*report, '-o', relative]) == 2
    assert 'is also the synthetic table' in _error_line(capsys)
    html = str(tmp_path / 'r.html')
    assert main([*report, '-o', html, '--html', html]) == 2
    assert f"--output '{html}' is also --html" in _error_line(capsys)


@pytest.mark.parametrize('option, value', [
    ('--epochs', '0'), ('--batch-size', '1'), ('--fairness-weight', '-1'), ('--latent-dim', '1'),
])
def test_bad_fit_values_name_the_option(option, value, german_csv, tmp_path, capsys):
    output = tmp_path / 's.pkl'
    code = main(['fit', str(german_csv), '--sensitive', 'sex', '--target', 'credit',
                 *FAST_FIT, option, value, '-o', str(output)])
    assert code == 2
    # The option as given (-1 as the float -1.0) leads the synthesizer's own message.
    assert _error_line(capsys).startswith(f'sdv-fairdistill: error: {option} {value}')
    assert not output.exists()


PYTHON_NAMES = ('sensitive_columns', 'fairness_criterion', 'positive_label', 'or None',
                'classifier=', 'Use None', 'align_target', 'label_repair', 'fairness_weight')


@pytest.mark.parametrize('arguments, advice', [
    (['-s', 'sex', '-t', 'sex'], 'remove it from --sensitive.'),
    (['-s', 'sex', 'sex', '-t', 'credit'], "--sensitive repeats a column: ['sex', 'sex']."),
    (['-s', 'sex', '-t', 'duration', '--criterion', 'equalized_odds'],
     'Use --criterion demographic_parity, or bin the target.'),
    (['-s', 'sex', '-t', 'purpose', '--criterion', 'equal_opportunity'],
     'pass --positive-label, one of'),
    (['-s', 'sex', '-t', 'credit', '--epochs', '0'],
     "--epochs 0: 'epochs' must be an integer of at least 1, got 0."),
    (['-s', 'sex', '-t', 'credit', '--criterion', 'equal_opportunity', '--positive-label', '7'],
     "--positive-label '7' is not a class of 'credit' (classes: ['bad', 'good'])."),
    # Checked under every criterion now (it was kept and never used).
    (['-s', 'sex', '-t', 'credit', '--positive-label', 'nope'],
     "--positive-label 'nope' is not a class of 'credit' (classes: ['bad', 'good'])."),
    (['-s', 'sex', '-t', 'credit', '--criterion', 'equalized_odds', '--align-target'],
     'leave out --align-target or pass --no-align-target.'),
    # (A target of ten classes takes it since label_repair covers more classes and numbers.)
    (['-s', 'sex', '-t', 'credit', '--label-repair', '0.5', '--no-label-from-features'],
     'it needs --target and no --no-label-from-features. Leave out --label-repair.'),
    (['-s', 'sex', '-t', 'credit', '--label-repair', '0.5', '--fairness-weight', '0'],
     'with --fairness-weight above 0 only'),
])
def test_fit_advice_is_in_the_command_lines_words(arguments, advice, german_csv, tmp_path,
                                                  capsys):
    assert main(['fit', str(german_csv), *FAST_FIT, *arguments, '-o',
                 str(tmp_path / 's.pkl')]) == 2
    line = _error_line(capsys)
    assert advice in line
    assert not any(name in line for name in PYTHON_NAMES), line


@pytest.mark.parametrize('arguments, advice', [
    (['--criterion', 'equalized_odds'],
     "--criterion equalized_odds compares error rates inside the classes of a target; "
     "'duration' is a number. Leave out --criterion or use demographic_parity"),
    (['--classifier', 'RandomForest'],
     '--classifier applies to class labels: leave it out, or pass --positive-label.'),
])
def test_report_advice_on_a_number_target_is_in_the_command_lines_words(
        arguments, advice, german_csv, capsys):
    assert main(['report', str(german_csv), str(german_csv), '-s', 'sex', '-t', 'duration',
                 '--quiet', *arguments]) == 2
    line = _error_line(capsys)
    assert advice in line
    assert not any(name in line for name in PYTHON_NAMES), line


def test_report_advice_names_an_option_the_cli_has(german_csv, tmp_path, capsys):
    import pandas as pd

    # A few columns keep the quality report short.
    real = pd.read_csv(german_csv)[['sex', 'age', 'duration', 'credit_amount', 'credit']]
    real_csv = tmp_path / 'real.csv'
    real.to_csv(real_csv, index=False)
    # Three women in the synthetic table: fewer than the report's default of 5 per group.
    synthetic = real.assign(sex='male')
    synthetic.loc[:2, 'sex'] = 'female'
    synthetic_csv = tmp_path / 'synthetic.csv'
    synthetic.to_csv(synthetic_csv, index=False)
    report = ['report', str(real_csv), str(synthetic_csv), '--sensitive', 'sex',
              '--target', 'credit', '--classifier', 'LogisticRegression', '--quiet']

    assert main(report) == 2
    line = _error_line(capsys)
    assert 'lower --min-group-size' in line and str(synthetic_csv) in line
    assert 'min_group_size' not in line and "agg='mean'" not in line

    assert main([*report, '--min-group-size', '0']) == 2
    assert '--min-group-size must be at least 1' in _error_line(capsys)

    assert main([*report, '--min-group-size', '3']) == 0
    captured = capsys.readouterr()
    assert 'Fairness score' in captured.out
    # The class the rates count is said (credit is 'good' / 'bad': 'good' sorts last).
    assert ("Positive label: 'good' of 'credit' (the larger of its two values; choose the other "
            'with --positive-label)') in captured.out
    # Warnings too are worded with the command line's options and files.
    assert f'tested on the held-out 30% of {real_csv}' in captured.err
    assert 'Pass --validation: real rows kept out' in captured.err
    assert 'real_validation_data' not in captured.err

    output = tmp_path / 'scores.json'
    assert main([*report, '--min-group-size', '3', '--criterion', 'equal_opportunity',
                 '-o', str(output)]) == 0
    assert 'fairness: Equal Opportunity' in capsys.readouterr().out
    assert main([*report, '--min-group-size', '3', '--positive-label', 'bad']) == 0
    assert "Positive label: 'bad' of 'credit' (--positive-label)" in capsys.readouterr().out


def test_report_refuses_a_missing_classifier_library_and_metadata_of_other_columns(
        german_csv, tmp_path, capsys, monkeypatch):
    import pandas as pd
    from sdv.metadata import Metadata

    real = pd.read_csv(german_csv)[['sex', 'age', 'duration', 'credit']]
    real_csv = tmp_path / 'real.csv'
    real.to_csv(real_csv, index=False)
    report = ['report', str(real_csv), str(real_csv), '--sensitive', 'sex', '--target', 'credit',
              '--quiet']
    monkeypatch.setitem(sys.modules, 'xgboost', None)  # as if it were not installed
    assert main([*report, '--classifier', 'XGBoost']) == 2
    assert _error_line(capsys) == (
        'sdv-fairdistill: error: --classifier XGBoost needs XGBoost: pip install xgboost, or '
        'leave out --classifier (HistGradientBoosting)')
    assert main(['benchmark', '--quick', '--classifier', 'XGBoost', '-o',
                 str(tmp_path / 'b')]) == 2
    assert 'needs XGBoost: pip install xgboost' in _error_line(capsys)
    # Metadata of another table: named before SDMetrics' QualityReport runs.
    metadata = Metadata.detect_from_dataframes({'real': real.drop(columns='age')})
    metadata.save_to_json(tmp_path / 'm.json')
    assert main([*report, '-m', str(tmp_path / 'm.json')]) == 2
    assert _error_line(capsys) == (
        f"sdv-fairdistill: error: --metadata {tmp_path / 'm.json'}: The metadata does not "
        f"match '{real_csv}': '{real_csv}' has columns the metadata does not describe: ['age']. "
        'Add or remove them in the metadata (or select the described columns of the tables).')


def test_report_html_has_every_figure_and_the_latent_view(german_csv, synthesizer_pkl,
                                                          tmp_path, capsys):
    from sdv_fairdistill.metrics.html import read_figures

    synthetic = tmp_path / 'synthetic.csv'
    assert main(['sample', str(synthesizer_pkl), '-n', '300', '--seed', '0', '--quiet',
                 '-o', str(synthetic)]) == 0
    page = tmp_path / 'out' / 'report.html'
    report = ['report', str(german_csv), str(synthetic), '--sensitive', 'sex',
              '--target', 'credit', '--quiet', '--html', str(page)]

    assert main([*report[:-2], '--synthesizer', str(synthesizer_pkl)]) == 2
    assert 'add --html FILE' in _error_line(capsys)
    assert main([*report, '--compare', str(synthesizer_pkl)]) == 2
    assert '--compare needs --synthesizer' in _error_line(capsys)
    assert main([*report, '--synthesizer', str(german_csv)]) == 2
    assert 'is not a saved synthesizer' in _error_line(capsys)

    # Refused before the reports' work (it came after them), naming the option.
    from sdv_fairdistill.cli import report as report_module

    def no_report(*args, **kwargs):
        raise AssertionError('the reports ran before the synthesizers were checked')

    real = pd.read_csv(german_csv)
    fewer = tmp_path / 'fewer.csv'
    real.drop(columns='purpose').to_csv(fewer, index=False)
    synthetic_fewer = tmp_path / 'synthetic_fewer.csv'
    pd.read_csv(synthetic).drop(columns='purpose').to_csv(synthetic_fewer, index=False)
    original = report_module._quality_report
    report_module._quality_report = no_report
    try:
        assert main([*report, '--synthesizer', str(german_csv)]) == 2
        assert 'is not a saved synthesizer' in _error_line(capsys)
        assert main(['report', str(fewer), str(synthetic_fewer), '--sensitive', 'sex',
                     '--target', 'credit', '--quiet', '--html', str(page), '--synthesizer',
                     str(synthesizer_pkl)]) == 2
        assert (f"--synthesizer '{synthesizer_pkl}' was fitted on columns that '{fewer}' "
                "lacks: ['purpose']") in _error_line(capsys)
    finally:
        report_module._quality_report = original

    assert main([*report, '--synthesizer', str(synthesizer_pkl),
                 '--compare', str(synthesizer_pkl)]) == 0
    figures = read_figures(page)
    titles = [figure['layout']['title']['text'] for figure in figures]
    # Four fairness properties, two explanations, two quality figures, the latent view.
    assert len(figures) == 9 and all(figure['data'] for figure in figures)
    assert any(title.startswith('Feature Attributions') for title in titles)
    assert any(title.startswith('Proxy Strength') for title in titles)
    assert titles[-1].startswith('Fair part of the student latent')
    panels = [annotation['text'] for annotation in figures[-1]['layout']['annotations']]
    assert len(panels) == 2 and all('leakage AUROC' in panel for panel in panels)


# ---------------------------------------------------------------------------- large tables
def _parquet_folder(folder, rows=600):
    """A table split across three Parquet files (several row groups each)."""
    import numpy as np

    rng = np.random.default_rng(0)
    sex = rng.choice(['F', 'M'], rows)
    table = pd.DataFrame({
        'row': np.arange(rows), 'age': rng.integers(18, 70, rows), 'sex': sex,
        'label': np.where(rng.random(rows) < np.where(sex == 'M', 0.6, 0.3), 'yes', 'no'),
    })
    folder.mkdir()
    for part, rows_of_part in enumerate(np.array_split(np.arange(rows), 3)):
        table.iloc[rows_of_part].to_parquet(folder / f'part{part}.parquet', index=False,
                                            row_group_size=70)
    return table


def test_report_reads_a_parquet_folder_as_one_table(tmp_path, capsys):
    table = _parquet_folder(tmp_path / 'real')
    table.to_csv(tmp_path / 'real.csv', index=False)
    table.to_csv(tmp_path / 'synthetic.csv', index=False)
    scores = []
    for real in ('real', 'real.csv'):
        output = tmp_path / f'{real}.json'
        assert main(['report', str(tmp_path / real), str(tmp_path / 'synthetic.csv'), '-s', 'sex',
                     '-t', 'label', '--no-explain', '--quiet', '-o', str(output)]) == 0
        scores.append(json.loads(output.read_text())['fairness_summary'])
    assert scores[0] == scores[1]
    capsys.readouterr()
    (tmp_path / 'empty').mkdir()
    assert main(['report', str(tmp_path / 'empty'), str(tmp_path / 'synthetic.csv'), '-s', 'sex',
                 '-t', 'label']) == 2
    assert "empty' holds no rows" in _error_line(capsys)
    # Files of one folder may differ in type (an int in one, floats in another) and lie in
    # sub-folders: read as fit reads them (their common schema), not refused.
    mixed = tmp_path / 'mixed'
    (mixed / 'y=1').mkdir(parents=True)
    pd.DataFrame({'a': [1, 2]}).to_parquet(mixed / 'y=1' / 'p0.parquet')
    pd.DataFrame({'a': [1.5, 2.5]}).to_parquet(mixed / 'y=1' / 'p1.parquet')
    from sdv_fairdistill.cli._io import read_table
    assert read_table(mixed)['a'].tolist() == [1.0, 2.0, 1.5, 2.5]
    # A number target has no explanations; the report says so rather than leave them out.
    assert main(['report', str(tmp_path / 'real'), str(tmp_path / 'synthetic.csv'), '-s', 'sex',
                 '-t', 'age', '--quiet']) == 0
    assert "Explanations: none for the number 'age' (computed for class labels)" in \
        capsys.readouterr().out


def test_sample_rows_draws_a_seeded_sample_of_a_parquet_folder(tmp_path):
    from sdv_fairdistill.cli import _parquet

    table = _parquet_folder(tmp_path / 'table')
    sample, streamed = _parquet.read_fit_table(tmp_path / 'table', 100, seed=3)
    # 100 distinct rows of the table, in its order, with their values.
    assert streamed is None
    assert len(sample) == 100 and sample['row'].is_unique and sample['row'].is_monotonic_increasing
    pd.testing.assert_frame_equal(sample, table.iloc[sample['row']].reset_index(drop=True))
    pd.testing.assert_frame_equal(_parquet.read_fit_table(tmp_path / 'table', 100, 3)[0], sample)
    assert not _parquet.read_fit_table(tmp_path / 'table', 100, seed=4)[0].equals(sample)
    # Without --sample-rows a folder is streamed: the rows read are only for the checks.
    checked, streamed = _parquet.read_fit_table(tmp_path / 'table')
    assert streamed.num_rows == len(table) and len(checked) == len(table)


def test_fit_learns_from_a_sample_of_a_parquet_folder(tmp_path, capsys):
    from sdv.utils import load_synthesizer

    table = _parquet_folder(tmp_path / 'table')
    output = tmp_path / 'fitted.pkl'
    assert main(['fit', str(tmp_path / 'table'), '--sensitive', 'sex', '--target', 'label',
                 '--sample-rows', '200', '--seed', '0', '--batch-size', '50', *FAST_FIT,
                 '-o', str(output)]) == 0
    assert load_synthesizer(str(output)).sample(10)['table']['sex'].isin(['F', 'M']).all()
    # Without --sample-rows the folder is streamed: every row, read in batches.
    assert main(['fit', str(tmp_path / 'table'), '--sensitive', 'sex', '--target', 'label',
                 '--seed', '0', '--batch-size', '50', *FAST_FIT, '-o', str(output)]) == 0
    fitted = load_synthesizer(str(output))
    prior = dict(zip(fitted._groups['sex'], fitted._group_prior))
    assert prior == pytest.approx(table['sex'].value_counts(normalize=True).to_dict())
    csv = tmp_path / 'table.csv'
    pd.DataFrame({'sex': ['F', 'M']}).to_csv(csv, index=False)
    assert main(['fit', str(csv), '--sensitive', 'sex', '--sample-rows', '10',
                 '-o', str(output)]) == 2
    assert "--sample-rows reads Parquet files in batches; " in _error_line(capsys)


def test_streamed_fit_detects_metadata_that_holds_every_row(tmp_path, monkeypatch):
    """Metadata detected from the rows read to check a streamed table leaves out what only
    those rows show (SDV checks every later batch against it): a value beyond the sample's
    range, a category it lacks or a missing value elsewhere in the table must not stop the
    fit."""
    import numpy as np

    from sdv_fairdistill.cli import _parquet

    monkeypatch.setattr(_parquet, 'CHECK_ROWS', 100)
    table = _parquet_folder(tmp_path / 'table')
    checked, _ = _parquet.read_fit_table(tmp_path / 'table', seed=0)
    # Rows the check did not read get a larger wage, a new job and a missing wage.
    beyond = table.index[~table['row'].isin(checked['row'])][:3]
    table['wage'] = np.linspace(10.0, 20.0, len(table)).round(2)
    table['job'] = 'clerk'
    table.loc[beyond[0], 'wage'] = 99.5
    table.loc[beyond[1], 'job'] = 'pilot'
    table.loc[beyond[2], 'wage'] = np.nan
    for part in sorted((tmp_path / 'table').iterdir()):
        rows = pd.read_parquet(part)['row']
        table.set_index('row').loc[rows].reset_index().to_parquet(part, index=False)
    assert _parquet.read_fit_table(tmp_path / 'table', seed=0)[0]['row'].equals(checked['row'])
    output = tmp_path / 'fitted.pkl'
    assert main(['fit', str(tmp_path / 'table'), '--sensitive', 'sex', '--target', 'label',
                 '--seed', '0', '--batch-size', '50', '--quiet', *FAST_FIT,
                 '-o', str(output)]) == 0
    detected = json.loads(Path(f'{output}.metadata.json').read_text())
    for column in detected['tables']['table']['columns'].values():
        assert not {'range_min', 'range_max', 'range_values', 'decimal_places',
                    'range_is_nullable'} & set(column)


def test_codes_with_leading_zeros_stay_text(tmp_path):
    """Region and zip codes written with leading zeros ('01', '02134', every value as many
    digits long) are read as text, so a group '01' is not learnt and written back as 1;
    numbers (0.5, -01, 7 and 12) and yes / no stay as pandas reads them, and so does a
    column the metadata calls numerical. Another file of the table reads the same columns
    as text, whatever its values."""
    from sdv_fairdistill.cli._io import metadata_numbers, read_table, write_table

    table = pd.DataFrame({
        'zip': ['02134', '00501', '10001'], 'region': ['01', '02', '10'],
        'share': [0.5, 1.0, 2.5], 'count': [7, 12, 3], 'flag': [True, False, True],
        'hour': ['00', '15', '30'],
    })
    path = tmp_path / 'codes.csv'
    table.to_csv(path, index=False)
    pd.DataFrame({'x': ['-01', '2'], 'y': ['05.5', '1']}).to_csv(tmp_path / 'n.csv', index=False)
    assert read_table(tmp_path / 'n.csv').dtypes.tolist() == ['int64', 'float64']

    read = read_table(path)
    pd.testing.assert_frame_equal(read, table)
    assert read.attrs['text_codes'] == ['zip', 'region', 'hour']
    write_table(read, tmp_path / 'again.csv')
    pd.testing.assert_frame_equal(read_table(tmp_path / 'again.csv'), table)
    assert pd.read_csv(path)['region'].tolist() == [1, 2, 10]  # what pandas alone reads

    metadata = tmp_path / 'metadata.json'
    metadata.write_text(json.dumps({'tables': {'codes': {'columns': {
        'hour': {'sdtype': 'numerical'}, 'region': {'sdtype': 'categorical'}}}}}))
    assert read_table(path, metadata_numbers(metadata))['hour'].tolist() == [0, 15, 30]
    other = tmp_path / 'other.csv'
    pd.DataFrame({'zip': ['10001'], 'region': ['10']}).to_csv(other, index=False)
    assert read_table(other, as_text=['zip', 'region', 'hour'])['region'].tolist() == ['10']


def test_positive_label_of_a_yes_no_target_must_be_true_or_false():
    from sdv_fairdistill.cli._base import CLIError
    from sdv_fairdistill.cli._io import positive_label_of

    column = pd.Series([True, False, True])
    assert positive_label_of('True', column) is True
    assert positive_label_of('no', column) is False
    with pytest.raises(CLIError, match="'maybe' is not a value of the yes / no target"):
        positive_label_of('maybe', column)


def test_fit_errors_give_the_command_lines_advice(tmp_path, capsys):
    table = pd.DataFrame({'x': range(60), 'sex': ['F', 'M'] * 30, 'y': ['yes'] * 60})
    table.to_csv(tmp_path / 'one_class.csv', index=False)
    assert main(['fit', str(tmp_path / 'one_class.csv'), '--sensitive', 'sex', '--target', 'y',
                 *FAST_FIT, '-o', str(tmp_path / 's.pkl')]) == 2
    line = _error_line(capsys)
    assert "'y' has a single class" in line and 'leave out --target' in line
    assert 'target_column' not in line
    # Months written as text, detected as datetimes: the detected metadata is saved before
    # the refusal, which says to mark the column categorical there.
    table = pd.DataFrame({'x': range(60), 'sex': ['F', 'M'] * 30,
                          'cohort': ['2020-01', '2020-02', '2020-03'] * 20})
    table.to_csv(tmp_path / 'months.csv', index=False)
    assert main(['fit', str(tmp_path / 'months.csv'), '--sensitive', 'sex', '--target',
                 'cohort', *FAST_FIT, '-o', str(tmp_path / 'm.pkl')]) == 2
    line = _error_line(capsys)
    assert "The --target column 'cohort' has sdtype 'datetime'" in line
    assert ('mark it categorical in the metadata file ("sdtype": "categorical"; without '
            '--metadata, the one saved next to --output) and pass it with --metadata; if it '
            'is a date') in line
    assert 'update_column' not in line
    saved = json.loads((tmp_path / 'm.pkl.metadata.json').read_text())
    assert saved['tables']['months']['columns']['cohort']['sdtype'] == 'datetime'


def test_a_semicolon_separated_file_is_named_as_such(tmp_path, capsys):
    path = tmp_path / 'semi.csv'
    path.write_text('age;sex;y\n30;F;yes\n40;M;no\n')
    assert main(['fit', str(path), '--sensitive', 'sex', *FAST_FIT,
                 '-o', str(tmp_path / 's.pkl')]) == 2
    assert "the file separates its values with ';'; write it with commas" in _error_line(capsys)


def test_a_csv_that_repeats_a_column_name_is_refused(tmp_path, capsys):
    # pandas reads the second as 'sex.1': a column nobody named, learnt and generated.
    path = tmp_path / 'repeated.csv'
    # Headers that only look alike as numbers or missing values are different names.
    alike = tmp_path / 'alike.csv'
    alike.write_text('id,01,1,NA,null,True,true\n1,2,3,4,5,6,7\n')
    from sdv_fairdistill.cli._io import read_table
    assert list(read_table(alike).columns) == ['id', '01', '1', 'NA', 'null', 'True', 'true']
    path.write_text('age,sex,y,sex\n30,F,yes,F\n40,M,no,M\n')
    for command in (['fit', str(path), '--sensitive', 'sex', *FAST_FIT, '-o',
                     str(tmp_path / 's.pkl')],
                    ['report', str(path), str(path), '-s', 'sex', '-t', 'y']):
        assert main(command) == 2
        assert _error_line(capsys) == (f"sdv-fairdistill: error: '{path}' names more than one "
                                       "column 'sex': rename or drop the repeated ones")


def test_report_warns_about_a_category_written_as_another_type(tmp_path, capsys):
    # Real booleans against synthetic text 'True' / 'False': SDMetrics' column shape is 0.
    rng = np.random.default_rng(0)
    real = pd.DataFrame({'sex': rng.choice(['F', 'M'], 300), 'union': rng.random(300) < 0.3,
                         'age': rng.integers(18, 70, 300), 'y': rng.choice(['no', 'yes'], 300)})
    real.to_parquet(tmp_path / 'real.parquet')
    real.assign(union=real['union'].astype(str)).to_parquet(tmp_path / 'synthetic.parquet')
    assert main(['report', str(tmp_path / 'real.parquet'), str(tmp_path / 'synthetic.parquet'),
                 '-s', 'sex', '-t', 'y', '--no-explain', '--quiet']) == 0
    err = capsys.readouterr().err
    assert (f"'{tmp_path / 'synthetic.parquet'}'['union'] shares no value with "
            f"'{tmp_path / 'real.parquet'}'['union'] (e.g. 'True' against True, the same text "
            'as another type)') in ' '.join(err.split())
    real.to_parquet(tmp_path / 'synthetic.parquet')
    assert main(['report', str(tmp_path / 'real.parquet'), str(tmp_path / 'synthetic.parquet'),
                 '-s', 'sex', '-t', 'y', '--no-explain', '--quiet']) == 0
    assert 'shares no value' not in capsys.readouterr().err


def test_report_warns_once_about_a_category_whose_values_all_differ(tmp_path, capsys):
    # Different values, not only types: the quality report and the fairness report's
    # classifier both read them as other categories; one warning says both.
    rng = np.random.default_rng(0)
    real = pd.DataFrame({'sex': rng.choice(['F', 'M'], 300), 'job': rng.choice(['a', 'b'], 300),
                         'age': rng.integers(18, 70, 300), 'y': rng.choice(['no', 'yes'], 300)})
    real.to_parquet(tmp_path / 'real.parquet')
    real.assign(job=rng.choice(['x', 'z'], 300)).to_parquet(tmp_path / 'synthetic.parquet')
    assert main(['report', str(tmp_path / 'real.parquet'), str(tmp_path / 'synthetic.parquet'),
                 '-s', 'sex', '-t', 'y', '--no-explain', '--quiet']) == 0
    err = ' '.join(capsys.readouterr().err.split())
    assert err.count('shares no value') == 1
    assert ("['job'] shares no value with" in err and 'the quality report counts them as '
            "different categories, and the fairness report's classifier, trained on one, reads "
            'every value of the other as an unseen category' in err)


@pytest.mark.parametrize('zone', [None, 'UTC', 'Europe/Paris'])  # Paris: summer and winter
def test_report_compares_dates_of_a_parquet_file_with_the_same_dates_in_a_csv(tmp_path, zone):
    # Read as text, the CSV's dates were left out of the quality score, with no word.
    rng = np.random.default_rng(0)
    real = pd.DataFrame({
        'sex': rng.choice(['F', 'M'], 300), 'y': rng.choice(['no', 'yes'], 300),
        'age': rng.integers(18, 70, 300),
        'joined': pd.Timestamp('2020-01-01', tz=zone)
        + pd.to_timedelta(rng.integers(0, 900, 300), unit='D'),
    })
    real.to_parquet(tmp_path / 'real.parquet')
    synthetic = real.assign(age=real['age'] + 20)  # a column shape below 1: each one counts
    synthetic.to_parquet(tmp_path / 'synthetic.parquet')
    synthetic.to_csv(tmp_path / 'synthetic.csv', index=False)
    scores = []
    for synthetic in ('synthetic.parquet', 'synthetic.csv'):
        output = tmp_path / f'{synthetic}.json'
        assert main(['report', str(tmp_path / 'real.parquet'), str(tmp_path / synthetic), '-s',
                     'sex', '-t', 'y', '--no-explain', '--quiet', '-o', str(output)]) == 0
        scores.append(json.loads(output.read_text())['quality_score'])
    assert scores[0] == scores[1]


def test_text_that_is_no_date_beside_dates_is_left_and_said():
    from sdv_fairdistill.cli._io import same_datetimes

    dates = pd.DataFrame({'joined': pd.to_datetime(['2020-01-01', '2020-02-01'])})
    text = pd.DataFrame({'joined': ['soon', 'later']})
    with pytest.warns(UserWarning, match="column 'joined' holds dates in one file and text"):
        kept = same_datetimes(dates, text)
    assert kept['joined'].tolist() == ['soon', 'later']


def test_a_table_name_the_metadata_file_does_not_have_is_refused(german_csv, tmp_path, capsys):
    from sdv.metadata import Metadata

    metadata = Metadata.detect_from_dataframes({'credit_table': pd.read_csv(german_csv)})
    metadata.save_to_json(tmp_path / 'm.json')
    assert main(['fit', str(german_csv), '-s', 'sex', '-m', str(tmp_path / 'm.json'),
                 '--table-name', 'german', *FAST_FIT, '-o', str(tmp_path / 's.pkl')]) == 2
    assert _error_line(capsys) == (
        f"sdv-fairdistill: error: --table-name german is not the table of --metadata "
        f"{tmp_path / 'm.json'} ('credit_table'): drop --table-name or give that name")


def test_a_column_without_a_name_is_said_and_a_saved_index_called_one(tmp_path):
    # A CSV saved with pandas' default index=True: its index was learned and generated as
    # the column 'Unnamed: 0', without a word.
    from sdv_fairdistill.cli._io import read_table

    table = pd.DataFrame({'sex': ['F', 'M', 'F'], 'x': [1.5, 2.5, 3.5]})
    table.to_csv(tmp_path / 'indexed.csv')
    message = (r"column 1 of '.*indexed.csv' has no name in its header \(it is read as "
               r"'Unnamed: 0'\) and holds increasing whole numbers, like a row index")
    with pytest.warns(UserWarning, match=message):
        read = read_table(tmp_path / 'indexed.csv')
    assert list(read.columns) == ['Unnamed: 0', 'sex', 'x']
    # The other files of a report, and an index saved after filtering (5, 9, 12).
    with pytest.warns(UserWarning, match=message):
        read_table(tmp_path / 'indexed.csv', as_text=())
    table.set_axis([5, 9, 12]).to_csv(tmp_path / 'filtered.csv')
    with pytest.warns(UserWarning, match='like a row index saved with the table'):
        read_table(tmp_path / 'filtered.csv')
    (tmp_path / 'blank.csv').write_text('sex,,x\nF,7,1.5\nM,3,2.5\n')
    with pytest.warns(UserWarning, match=r"column 2 .* read as 'Unnamed: 1'\): give it a "
                                         'name in the header'):
        read_table(tmp_path / 'blank.csv')
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        table.to_csv(tmp_path / 'plain.csv', index=False)
        read_table(tmp_path / 'plain.csv')
