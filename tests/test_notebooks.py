"""Every notebook in notebooks/ runs from top to bottom (fast mode: small data, few epochs)."""

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip('nbformat')
nbclient = pytest.importorskip('nbclient')
pytest.importorskip('ipykernel')

NOTEBOOKS = sorted((Path(__file__).parents[1] / 'notebooks').glob('*.ipynb'))


@pytest.mark.slow
@pytest.mark.parametrize('path', NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_notebook_executes(path, monkeypatch):
    # The kernel inherits this process's environment.
    monkeypatch.setenv('SDV_FAIRDISTILL_FAST', '1')
    monkeypatch.setenv('OMP_NUM_THREADS', os.environ.get('OMP_NUM_THREADS', '1'))
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name='python3',
        resources={'metadata': {'path': str(path.parent)}},
    )
    client.execute()  # raises CellExecutionError with the failing cell's traceback
    errors = [
        output for cell in notebook.cells if cell.cell_type == 'code'
        for output in cell.get('outputs', []) if output.get('output_type') == 'error'
    ]
    assert not errors


def test_there_is_a_notebook():
    assert NOTEBOOKS, 'notebooks/ has no notebook'
