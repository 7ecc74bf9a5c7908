"""TabFairGAN as a peer generator of the benchmark (``benchmark/peers.py``)."""

import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sdv_fairdistill.benchmark import BenchmarkConfig, run_benchmark
from sdv_fairdistill.benchmark.generators import (
    count_parameters,
    get_generator,
    seed_everything,
)
from sdv_fairdistill.benchmark.peers import INSTALL_HINT, TabFairGANPeer
from sdv_fairdistill.benchmark.runner import generator_metadata, run_generator
from sdv_fairdistill.datasets import get_dataset

pytest.importorskip('tabfairgan')

TINY = {'epochs': 3, 'fair_epochs': 1}


@pytest.fixture(scope='module')
def adult_rows():
    dataset = get_dataset('adult')
    data, metadata = dataset.load(num_rows=400)
    return dataset, data, metadata


@pytest.fixture(scope='module')
def fitted(adult_rows):
    dataset, data, metadata = adult_rows
    peer = TabFairGANPeer(metadata, dataset, seed=0, params=TINY)
    peer.fit({dataset.table_name: data})
    return peer, peer.sample(len(data))[dataset.table_name]


def test_samples_the_table_with_its_columns_dtypes_and_values(adult_rows, fitted):
    dataset, data, metadata = adult_rows
    peer, synthetic = fitted
    assert len(synthetic) == len(data)
    assert list(synthetic.columns) == list(data.columns)
    assert synthetic.dtypes.equals(data.dtypes)
    for column in data.select_dtypes('object'):
        # Missing values (workclass, occupation) are a category, learned and given back as NaN.
        real = set(data[column].dropna())
        assert set(synthetic[column].dropna()) <= real, column
    for role in (*dataset.sensitive_columns, dataset.target_column):
        assert set(synthetic[role]) == set(data[role]), role
    ages = synthetic['age']
    assert ages.between(data['age'].min(), data['age'].max()).all()
    # S_under is the group with the lower positive rate: women in Adult.
    assert peer._model.S_under == 'Female' and peer._model.Y_desire == '>50K'


def test_restores_int_coded_and_boolean_categories():
    # German Credit has boolean columns; an int-coded target and an int-coded sensitive
    # column (given a 'numerical' sdtype, which the roles override) must come back as ints.
    dataset = get_dataset('german')
    data, metadata = dataset.load(num_rows=300)
    data['sex'] = (data['sex'] == 'male').astype(int)
    metadata.update_column('sex', table_name=dataset.table_name, sdtype='numerical')
    coded = replace(dataset, positive_label=1, target_column='good')
    data['good'] = (data.pop('credit') == 'good').astype(int)
    metadata.add_column('good', table_name=dataset.table_name, sdtype='categorical')
    metadata.remove_column('credit', table_name=dataset.table_name)
    peer = TabFairGANPeer(metadata, coded, seed=1, params=TINY)
    peer.fit(data)
    synthetic = peer.sample(200)[dataset.table_name]
    assert synthetic.dtypes.equals(data.dtypes)
    assert set(synthetic['sex']) <= {0, 1} and set(synthetic['good']) <= {0, 1}
    assert synthetic['telephone'].dtype == bool
    assert peer._model.Y_desire == '1'


def test_same_seed_same_rows(adult_rows, fitted):
    dataset, data, metadata = adult_rows
    again = TabFairGANPeer(metadata, dataset, seed=0, params=TINY)
    state = np.random.get_state()[1].copy()
    again.fit({dataset.table_name: data})
    pd.testing.assert_frame_equal(again.sample(len(data))[dataset.table_name], fitted[1])
    # The next sampling gives new rows, and the caller's NumPy stream is left as it was.
    assert not again.sample(len(data))[dataset.table_name].equals(fitted[1])
    assert (np.random.get_state()[1] == state).all()


def test_refuses_a_three_group_sensitive_attribute(adult_rows):
    dataset, data, metadata = adult_rows
    race = replace(dataset, sensitive_columns=('race',))
    data = data[data['race'].isin(['White', 'Black', 'Asian-Pac-Islander'])]
    with pytest.raises(ValueError, match='one binary sensitive attribute.*3 groups'):
        TabFairGANPeer(metadata, race, params=TINY).fit(data)
    both = replace(dataset, sensitive_columns=('sex', 'race'))
    with pytest.raises(ValueError, match='one binary sensitive attribute.*2 sensitive columns'):
        TabFairGANPeer(metadata, both, params=TINY).fit(data)


def test_refuses_columns_it_cannot_learn(adult_rows):
    dataset, data, metadata = adult_rows
    data = data.assign(age=data['age'].astype(float).where(data.index > 0))
    with pytest.raises(ValueError, match="'age': 'missing numbers"):
        TabFairGANPeer(metadata, dataset, params=TINY).fit(data)
    with pytest.raises(ValueError, match='unknown keys'):
        TabFairGANPeer(metadata, dataset, params={'epoch': 3})


def test_batch_larger_than_the_rows_is_clamped(adult_rows):
    dataset, data, metadata = adult_rows
    peer = TabFairGANPeer(metadata, dataset, seed=0, params={**TINY, 'batch_size': 1000})
    peer.fit(data.head(50))
    assert peer._model.batch_size == 45  # TabFairGAN trains on 90 %
    assert len(peer.sample(10)[dataset.table_name]) == 10


def test_missing_package_says_how_to_install(adult_rows, monkeypatch):
    dataset, data, metadata = adult_rows
    monkeypatch.setitem(sys.modules, 'tabfairgan', None)
    monkeypatch.setitem(sys.modules, 'tabfairgan.main', None)
    with pytest.raises(ImportError, match=r"pip install 'sdv-fairdistill\[peers\]'"):
        TabFairGANPeer(metadata, dataset)
    # In a benchmark run the cell is recorded as failed with that message; the rest runs.
    config = BenchmarkConfig.quick(
        datasets=['german'], generators=['TabFairGAN'], seeds=(0,), num_rows=200,
        reference=False, sweep_weights=(),
    )
    with pytest.warns(UserWarning, match='TabFairGAN on german'):
        result = run_benchmark(config, progress=False)
    assert INSTALL_HINT in result.records[0]['error']


def test_benchmark_cell_has_scores_and_parameters():
    config = BenchmarkConfig.quick(
        datasets=['german'], generators=['TabFairGAN'], seeds=(0,), num_rows=300,
        params={'TabFairGAN': TINY}, quality_rows=200, embedding_rows=200,
        reference=False, sweep_weights=(), raise_errors=True,
    )
    record = run_benchmark(config, progress=False).records[0]
    assert record['generator'] == 'TabFairGAN' and 'error' not in record
    for key in ('accuracy', 'dp_difference', 'label_gap', 'quality', 'coverage'):
        assert np.isfinite(record[key]), key
    # 'parameters': the generator network only (input_dim^2 + biases and output heads).
    assert record['parameters'] > 0


def test_detected_metadata_and_parameter_count():
    # Detected metadata calls some integer columns 'ordinal': they are learned as categories.
    dataset = get_dataset('compas')
    data, curated = dataset.load(num_rows=300)
    detected = generator_metadata('detected', curated, data, dataset)
    spec = get_generator('TabFairGAN')
    seed_everything(0)
    synthetic, costs = run_generator(spec, dataset, detected, data, 0, TINY, False)
    assert synthetic.dtypes.equals(data.dtypes)
    assert set(synthetic['juv_fel_count']) <= set(data['juv_fel_count'])
    assert costs['parameters'] > 0
    peer = spec.build(detected, dataset, 0, TINY, False)
    assert count_parameters(spec, peer) is None  # nothing to count before fitting
