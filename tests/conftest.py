import os

import pytest
import torch

# Tests share 2 cores with nothing else; one thread avoids oversubscription in CI.
torch.set_num_threads(int(os.environ.get('SDV_FAIRDISTILL_TEST_THREADS', '2')))


@pytest.fixture(scope='session')
def adult_sample():
    from sdv_fairdistill.datasets import load_adult

    return load_adult(num_rows=1500, random_state=0)
