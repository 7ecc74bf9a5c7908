"""The bundled tables: shapes, columns, valid metadata, and the registry's column roles."""

import numpy as np
import pandas as pd
import pytest

from sdv_fairdistill.datasets import (
    DATASETS,
    get_dataset,
    load_adult,
    load_adult_rare,
    load_adult_small,
    load_compas,
    load_german_credit,
)
from sdv_fairdistill.datasets.compas import COLUMNS as COMPAS_COLUMNS
from sdv_fairdistill.datasets.compas import prepare_compas
from sdv_fairdistill.datasets.german import RAW_COLUMNS, prepare_german_credit

EXPECTED_SHAPES = {
    'adult': (48842, 15), 'compas': (5278, 10), 'german': (1000, 22),
    # 37,155 negative rows of Adult and round(0.12 * 37,155 / 0.88) = 5,067 positive ones.
    'adult_rare': (42222, 15), 'adult_small': (1000, 15), 'adult_intersectional': (48842, 15),
    'compas_sex': (5278, 10), 'compas_races': (6172, 10), 'german_age': (1000, 23),
}


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
    everything, _ = spec.load(num_rows=10**7)  # the registry's num_rows is a cap
    assert len(everything) == EXPECTED_SHAPES[name][0]
    with pytest.raises(ValueError, match='num_rows must be a whole number'):
        spec.load(num_rows=0)


def test_get_dataset_unknown_name():
    names = ('adult, adult_intersectional, adult_rare, adult_small, compas, compas_races, '
             'compas_sex, german, german_age')
    with pytest.raises(ValueError, match=f'Available datasets: {names}'):
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
    # One name is one race (it was read letter by letter); none is refused (it was an empty
    # table that failed later).
    caucasian, _ = load_compas(races='Caucasian')
    assert set(caucasian['race']) == {'Caucasian'} and len(caucasian) == 2103
    assert len(load_compas(races=(race for race in ['Caucasian']))[0]) == 2103
    with pytest.raises(ValueError, match='races is empty'):
        load_compas(races=())


@pytest.mark.parametrize('loader, name, rows', [
    (load_adult, 'Adult', 48842), (load_compas, 'COMPAS', 5278),
    (load_german_credit, 'German Credit', 1000), (load_adult_rare, 'adult_rare', 42222),
    (load_adult_small, 'adult_small', 1000),
])
def test_loaders_refuse_a_subset_they_cannot_draw_naming_the_parameter(loader, name, rows):
    # pandas' words before: "Cannot take a larger sample than population", "`n` >= 0", ...
    with pytest.raises(ValueError, match=f'num_rows={rows + 1:,} is more than the {rows:,} '
                                         f'rows of {name}'):
        loader(num_rows=rows + 1)
    for bad in (0, -1, 2.0, '5', True):
        with pytest.raises(ValueError, match=f'num_rows must be a whole number of at least 1 '
                                             rf'.*got {bad!r}'):
            loader(num_rows=bad)
    for bad in (-1, 2**32, 1.5):
        with pytest.raises(ValueError, match=f'random_state must be a whole number from 0 to '
                                             f'4294967295.*got {bad!r}'):
            loader(num_rows=5, random_state=bad)
    assert len(loader(num_rows=np.int64(rows))[0]) == rows  # every row, as numpy counts them
    # numpy's generators are seeds pandas takes.
    drawn = loader(num_rows=5, random_state=np.random.RandomState(3))[0]
    assert drawn.equals(loader(num_rows=5, random_state=np.random.RandomState(3))[0])


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


def test_prepare_compas_applies_propublicas_filter():
    # The bundled rows, given the raw file's filter columns with values the filter keeps
    # (its bounds included), followed by one row failing each of the four conditions.
    bundled, _ = load_compas(races=None)
    kept = bundled.assign(
        days_b_screening_arrest=np.resize([-30, 0, 30], len(bundled)),
        is_recid=bundled['two_year_recid'], score_text='Low', extra='dropped',
    )
    failing = pd.DataFrame([
        {**kept.iloc[0].to_dict(), **change}
        for change in (
            {'days_b_screening_arrest': 31}, {'days_b_screening_arrest': -31},
            {'is_recid': -1}, {'c_charge_degree': 'O'}, {'score_text': 'N/A'},
        )
    ])
    raw = pd.concat([kept.iloc[:100], failing, kept.iloc[100:]], ignore_index=True)
    pd.testing.assert_frame_equal(prepare_compas(raw), bundled)


def test_prepare_german_credit_decodes_codes_and_splits_attribute_9():
    # Encode the bundled table back into codes (A0, A1... per column, as german.data has
    # them), with a values map of those codes: decoding must give the bundled table back.
    bundled, _ = load_german_credit()
    raw = bundled.copy()
    raw.insert(RAW_COLUMNS.index('status_sex'), 'status_sex',
               raw.pop('sex') + ' : ' + raw.pop('personal_status'))
    values_maps = {}
    for column in raw.columns:
        if column in ('telephone', 'foreign_worker') or raw[column].dtype == object:
            values = sorted(raw[column].unique(), key=str)
            codes = {value: f'A{index}' for index, value in enumerate(values)}
            raw[column] = raw[column].map(codes)
            values_maps['status' if column == 'checking_account' else column] = {
                code: value for value, code in codes.items()
            }
    # The documentation's stray spaces are stripped from the decoded labels.
    values_maps['purpose'] = {code: f' {value} ' for code, value in values_maps['purpose'].items()}
    assert list(raw.columns) == list(RAW_COLUMNS)
    pd.testing.assert_frame_equal(prepare_german_credit(raw, values_maps), bundled)

    values_maps['purpose'].pop('A0')
    with pytest.raises(ValueError, match="Column 'purpose' has codes missing from the values map"):
        prepare_german_credit(raw, values_maps)


def test_load_colored_mnist_from_the_datasets_package_forwards_its_arguments():
    # The registry module's entry point (imported on call) is the loader itself.
    import sdv_fairdistill.datasets as datasets
    from sdv_fairdistill.datasets import colored_mnist

    arguments = dict(size=7, test_size=200, p_train=0.8, p_test=0.3, random_state=5)
    got = datasets.load_colored_mnist(**arguments)
    expected = colored_mnist.load_colored_mnist(**arguments)
    for got_split, expected_split in zip(got, expected):
        for got_array, expected_array in zip(got_split, expected_split):
            np.testing.assert_array_equal(got_array, expected_array)
    (x_train, _, _), (x_test, _, _) = got
    assert x_train.shape == (4800, 7, 7, 3) and x_test.shape == (200, 7, 7, 3)


# ---------------------------------------------------------------- tables derived from Adult
def _positive(data):
    return data['income'] == '>50K'


def test_adult_rare_has_12_percent_positives_and_every_negative_row():
    adult, _ = load_adult()
    rare, metadata = load_adult_rare()
    assert abs(_positive(rare).mean() - 0.12) <= 0.005
    # Every negative row of Adult, in Adult's order, and only those.
    pd.testing.assert_frame_equal(
        rare[~_positive(rare)].reset_index(drop=True),
        adult[~_positive(adult)].reset_index(drop=True),
    )
    # The positives are Adult rows (each at most as often as in Adult).
    key = list(adult.columns)
    counts = adult.fillna('NA').value_counts(key)
    kept = rare[_positive(rare)].fillna('NA').value_counts(key)
    assert (kept <= counts.reindex(kept.index, fill_value=0)).all()
    pd.testing.assert_frame_equal(load_adult_rare()[0], rare)  # fixed seed: the same table
    assert metadata.to_dict() == load_adult()[1].to_dict()


def test_adult_small_has_1000_rows_at_adults_positive_share():
    adult, _ = load_adult()
    small, metadata = load_adult_small()
    assert len(small) == 1000
    assert abs(_positive(small).mean() - _positive(adult).mean()) <= 0.01
    pd.testing.assert_frame_equal(load_adult_small()[0], small)
    metadata.validate_data({'adult': small})


def test_adult_intersectional_has_two_sensitive_columns():
    spec = get_dataset('adult_intersectional')
    assert spec.sensitive_columns == ('sex', 'race')
    assert (spec.target_column, spec.positive_label) == ('income', '>50K')
    data, _ = spec.load()
    assert data.groupby(list(spec.sensitive_columns)).ngroups == 10
