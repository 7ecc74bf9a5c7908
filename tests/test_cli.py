"""The ``sdv-fairdistill`` command line: help, the fast demo, and one-line input errors."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

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
    err = capsys.readouterr().err.strip().splitlines()
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


@pytest.mark.parametrize('command', ['fit', 'sample', 'report', 'benchmark', 'demo'])
def test_command_help_explains_options(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, '--help'])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert '--quiet' in out and 'usage:' in out


def test_demo_fast_fits_samples_and_reports(tmp_path, capsys):
    assert main(['demo', '--fast', '--quiet', '--output', str(tmp_path)]) == 0
    for name in ('real_train.csv', 'real_test.csv', 'synthesizer.pkl',
                 'synthesizer.pkl.metadata.json', 'synthetic.csv', 'report.json'):
        assert (tmp_path / name).is_file(), name
    scores = json.loads((tmp_path / 'report.json').read_text())
    assert 0 <= scores['fairness_score'] <= 1 and 0 <= scores['quality_score'] <= 1
    assert 'Fairness score' in capsys.readouterr().out


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


def test_bad_output_name_fails_before_loading(tmp_path, capsys):
    assert main(['sample', str(tmp_path / 'missing.pkl'), '-n', '5', '-o', str(tmp_path / 'o.xlsx')]) == 2
    assert 'give a file name ending in one of' in _error_line(capsys)


def test_fit_options_reach_the_saved_synthesizer(german_csv, tmp_path):
    from sdv.utils import load_synthesizer

    output = tmp_path / 'fair.pkl'
    code = main(['fit', str(german_csv), '--sensitive', 'sex', '--target', 'credit',
                 '--fairness-weight', '100', '--balance-target', '--no-encode-target',
                 '--epochs', '1', '--distill-epochs', '1', '--quiet', '-o', str(output)])
    assert code == 0
    parameters = load_synthesizer(str(output)).get_parameters()
    assert parameters['fairness_weight'] == 100
    assert parameters['balance_target'] is True and parameters['encode_target'] is False
