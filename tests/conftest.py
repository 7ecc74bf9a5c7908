import os
from importlib.resources import files

# dcor (the independent dCov reference of test_core.py) compiles its numba functions at import
# and caches them in its own folder. On a fresh install two xdist workers importing it at once
# wrote that cache together and corrupted it ("LLVM ERROR: Symbol not found", both workers
# aborted); importing it here first compiles it once, in pytest's main process.
import dcor  # noqa: F401
import numpy as np
import pandas as pd
import pytest
import torch

# Tests share 2 cores with nothing else. Under pytest-xdist each worker takes one thread, so
# that two workers do not oversubscribe the cores.
_DEFAULT_THREADS = '1' if os.environ.get('PYTEST_XDIST_WORKER') else '2'
torch.set_num_threads(int(os.environ.get('SDV_FAIRDISTILL_TEST_THREADS', _DEFAULT_THREADS)))


@pytest.fixture(scope='session')
def adult_sample():
    """1500 Adult rows and their SDV metadata, as ``load_adult`` gives them."""
    from sdv_fairdistill.datasets import load_adult

    return load_adult(num_rows=1500, random_state=0)


@pytest.fixture(scope='session')
def _adult_split_once():
    from sklearn.model_selection import train_test_split

    with files('sdv_fairdistill.datasets').joinpath('data/adult.csv.gz').open('rb') as file:
        data = pd.read_csv(file, compression='gzip')
    data = data.sample(3000, random_state=0).reset_index(drop=True)
    train, validation = train_test_split(
        data, test_size=0.3, random_state=1, stratify=data['income']
    )
    return train.reset_index(drop=True), validation.reset_index(drop=True)


@pytest.fixture(scope='module')
def adult(_adult_split_once):
    """3000 rows of the bundled Adult file split 70 / 30 (stratified on ``income``) into real
    training and real validation data. Read once per session; each module gets its own
    copies, so a module that edits them in place cannot change another's."""
    train, validation = _adult_split_once
    return train.copy(), validation.copy()


@pytest.fixture(scope='module')
def tiny_fitted(adult_sample):
    """A FairDistillSynthesizer fitted in seconds (few epochs) on ``adult_sample``; one per
    module, so a module that samples from it cannot change another's random state."""
    from sdv.single_table import FairDistillSynthesizer

    data, metadata = adult_sample
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns='sex', target_column='income', seed=0,
        epochs=2, distill_epochs=1, batch_size=250,
    )
    synthesizer.fit({'adult': data})
    return synthesizer


def proxy_step_table():
    """1,500 rows whose label is a step of ``x``, and group 'a' has larger ``x`` (a proxy)."""
    rng = np.random.RandomState(3)
    group = rng.choice(['a', 'b'], 1500, p=[0.6, 0.4])
    x = rng.normal(size=1500) + 1.2 * (group == 'a')
    noise = rng.uniform(size=1500)
    label = np.where(x > 0.6, 'yes', 'no')
    return pd.DataFrame({'group': group, 'x': x, 'noise': noise, 'label': label})


def fit_detected(table, sensitive, target, batch_size=200, **parameters):
    """A FairDistillSynthesizer fitted on ``table`` (named 't') with the metadata SDV detects,
    30 teacher and 10 student epochs, seed 0, its warnings silenced."""
    import warnings

    from sdv.metadata import Metadata

    from sdv_fairdistill.synthesizers.tabular import FairDistillSynthesizer

    metadata = Metadata.detect_from_dataframes({'t': table})
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive, target, epochs=30, distill_epochs=10, batch_size=batch_size,
        seed=0, **parameters,
    )
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        synthesizer.fit({'t': table})
    return synthesizer


def assert_loaded_copy_samples_the_same(synthesizer, tmp_path):
    """Save ``synthesizer`` (fitted on table 't'), load it, and check both draw the same rows
    from the same seed."""
    import pandas as pd
    from sdv.utils import load_synthesizer

    path = tmp_path / 'model.pkl'
    synthesizer.save(path)
    loaded = load_synthesizer(str(path))
    synthesizer._set_random_state(5)
    loaded._set_random_state(5)
    pd.testing.assert_frame_equal(synthesizer.sample(300)['t'], loaded.sample(300)['t'])
