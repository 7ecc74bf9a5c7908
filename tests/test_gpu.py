"""On a CUDA GPU: the default fit (calibration and label from the features included), sampling,
save and load, and the image synthesizer, all with ``enable_gpu=True``.

Skipped without CUDA (CI has none); the CPU-only behaviour of ``enable_gpu`` (a warning, the
fit on the CPU) and the device moves around ``save`` are tested in ``test_synthesizer.py``.
Run where a GPU is: ``pytest tests/test_gpu.py``.
"""

import numpy as np
import pandas as pd
import pytest
import torch

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA GPU')


@pytest.fixture(scope='module')
def gpu_fitted(adult_sample):
    from sdv.single_table import FairDistillSynthesizer

    data, metadata = adult_sample
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns='sex', target_column='income', seed=0, enable_gpu=True,
        epochs=3, distill_epochs=1, batch_size=250,
    )
    synthesizer.fit({'adult': data})
    return synthesizer


def test_the_default_fit_trains_and_samples_on_the_gpu(gpu_fitted, adult_sample):
    data, _ = adult_sample
    model = gpu_fitted._model
    assert model.device.type == 'cuda'
    assert all(p.device.type == 'cuda' for p in model.feature_decoder.parameters())
    # The default fit's later steps ran with the model there: the labels come from the
    # features and the calibration's offsets exist for both groups.
    diagnostics = gpu_fitted.get_fairness_diagnostics()
    assert diagnostics['label_source'] == 'features'
    assert set(diagnostics['target_offsets']) == set(data['sex'])
    table = gpu_fitted.sample(2_000)['adult']
    assert list(table.columns) == list(data.columns) and len(table) == 2_000
    assert set(table['sex']) <= set(data['sex']) and set(table['income']) <= set(data['income'])
    complete = data.columns[data.notna().all()]  # missing only where the real rows miss
    assert table[complete].notna().all().all()


def test_a_gpu_fit_saves_loads_and_samples_the_same_rows(gpu_fitted, tmp_path):
    from sdv.utils import load_synthesizer

    gpu_fitted.save(tmp_path / 'gpu.pkl')
    assert gpu_fitted._model.device.type == 'cuda'  # moved back after the file is written
    loaded = load_synthesizer(str(tmp_path / 'gpu.pkl'))
    gpu_fitted.reset_sampling()
    loaded.reset_sampling()
    pd.testing.assert_frame_equal(gpu_fitted.sample(300)['adult'], loaded.sample(300)['adult'])


def test_the_image_synthesizer_fits_and_samples_on_the_gpu():
    from sdv_fairdistill import FairDistillImageSynthesizer
    from sdv_fairdistill.datasets import load_colored_mnist

    (images, colours, digits), _ = load_colored_mnist(size=14, random_state=0)
    synthesizer = FairDistillImageSynthesizer(
        seed=0, enable_gpu=True, epochs=2, distill_epochs=1, batch_size=32, latent_dim=4
    ).fit(images[:256], colours[:256], digits[:256])
    assert synthesizer._model.device.type == 'cuda'
    pixels, colours_drawn, digits_drawn = synthesizer.sample(64)
    assert len(pixels) == len(colours_drawn) == len(digits_drawn) == 64
    assert np.isfinite(np.asarray(pixels, dtype=float)).all()
    assert set(colours_drawn) <= set(colours)
