"""The kind-agnostic core: the penalty, the span heads, the latent density, the plugins."""

import dcor
import numpy as np
import pytest
import torch

from sdv_fairdistill.core import spans as span_ops
from sdv_fairdistill.core.dcov import (
    dcov2,
    dcov2_centered,
    double_centered_distances,
    double_centered_one_hot_distances,
)
from sdv_fairdistill.core.density import GroupedGaussianMixture
from sdv_fairdistill.plugins import get_adapter_class, list_adapters


@pytest.mark.parametrize('seed', [0, 1])
def test_dcov2_matches_the_dcor_package(seed):
    rng = np.random.RandomState(seed)
    latents = rng.normal(size=(64, 5))
    groups = np.eye(3)[rng.randint(0, 3, size=64)]
    latents[:, 0] += 2 * groups[:, 1]  # some dependence

    ours = dcov2(torch.tensor(latents), torch.tensor(groups)).item()
    reference = dcor.distance_covariance_sqr(latents, groups)
    assert ours == pytest.approx(reference, rel=1e-4)  # float32 inside
    # The training penalty's shortcut (the groups' distances centred once) is the same number.
    shortcut = dcov2_centered(torch.tensor(latents), double_centered_distances(torch.tensor(groups)))
    assert shortcut.item() == pytest.approx(reference, rel=1e-4)
    one_hot = double_centered_one_hot_distances(torch.tensor(groups, dtype=torch.float32))
    assert dcov2_centered(torch.tensor(latents), one_hot).item() == pytest.approx(reference, rel=1e-4)


def test_dcov2_of_two_rows_by_hand():
    # Two rows: both distance matrices are [[0, d], [d, 0]], double-centred to
    # [[-d/2, d/2], [d/2, -d/2]], so dCov^2 = mean(A * B) = d_x * d_y / 4.
    x = torch.tensor([[0.0, 0.0], [3.0, 4.0]])  # 5 apart
    groups = torch.tensor([[1.0, 0.0], [0.0, 1.0]])  # sqrt(2) apart
    expected = 5 * 2**0.5 / 4
    assert dcov2(x, groups).item() == pytest.approx(expected, rel=1e-6)
    assert dcov2_centered(x, double_centered_one_hot_distances(groups)).item() == pytest.approx(
        expected, rel=1e-6
    )
    # The same group twice: no spread in y, nothing to depend on.
    assert dcov2(x, torch.tensor([[1.0, 0.0], [1.0, 0.0]])).item() == 0.0


def test_dcov2_is_near_zero_for_independent_and_differentiable():
    generator = torch.Generator().manual_seed(0)
    latents = torch.randn(2000, 4, generator=generator, requires_grad=True)
    groups = torch.nn.functional.one_hot(torch.randint(0, 2, (2000,), generator=generator)).float()
    dependent = torch.cat([latents[:, :3], groups[:, :1] * 3], dim=1)
    independent_value = dcov2(latents, groups)
    assert independent_value.item() < 0.1 * dcov2(dependent, groups).item()
    independent_value.backward()
    assert torch.isfinite(latents.grad).all()


def test_dcov2_rejects_mismatched_rows():
    with pytest.raises(ValueError, match='as many rows'):
        dcov2(torch.zeros(3, 2), torch.zeros(4, 2))
    with pytest.raises(ValueError, match='as many rows'):
        dcov2_centered(torch.zeros(3, 2), torch.zeros(4, 4))


def test_a_spike_rows_scalar_adds_nothing_to_the_loss():
    # A scalar followed by its modes, the last of which is a spike (Span.spikes=1).
    spans = [span_ops.Span(1, 'continuous', spikes=1), span_ops.Span(3, 'categorical')]
    log_sigma = torch.tensor([-1.0], requires_grad=True)
    spike_row = torch.tensor([[0.0, 0.0, 0.0, 1.0]])
    gaussian_row = torch.tensor([[0.5, 1.0, 0.0, 0.0]])
    logits = [0.0, 0.0, 0.0]
    far, near = torch.tensor([[3.0, *logits]]), torch.tensor([[0.0, *logits]])
    # The spike row's loss is the cross-entropy of its mode alone, whatever the scalar...
    cross_entropy = np.log(3)
    for output in (far, near):
        loss = span_ops.reconstruction_loss(output, spike_row, spans, log_sigma)
        assert loss.item() == pytest.approx(cross_entropy, abs=1e-6)
    # ...so sigma learns from the other rows only.
    span_ops.reconstruction_loss(far, spike_row, spans, log_sigma).sum().backward()
    assert log_sigma.grad.item() == 0
    # A row of a Gaussian mode keeps its Gaussian NLL: (0.5^2 / (2 e^-2)) - 1.
    loss = span_ops.reconstruction_loss(near, gaussian_row, spans, log_sigma.detach())
    assert loss.item() == pytest.approx(0.25 / (2 * np.exp(-2.0)) - 1 + cross_entropy, abs=1e-5)
    # Distillation weighs the scalar by the teacher's probability of a Gaussian mode (2/3).
    sigma_one = torch.zeros(1)
    kl = span_ops.distillation_kl(far, near, spans, sigma_one, 2.0).item()
    assert kl == pytest.approx(9 / 2 * (2 / 3), abs=1e-5)


@pytest.mark.parametrize('after', [
    [],  # the scalar is the last span
    [span_ops.Span(1, 'continuous')],  # no modes after it
    [span_ops.Span(1, 'categorical')],  # no room for a Gaussian mode besides the spike
])
def test_spikes_without_their_modes_are_refused(after):
    spans = [span_ops.Span(1, 'continuous', column='amount', spikes=1), *after]
    width = span_ops.total_width(spans)
    rows = torch.zeros(2, width)
    with pytest.raises(ValueError, match=r"'amount'\) has 1 spike"):
        span_ops.reconstruction_loss(rows, rows, spans, torch.zeros(2))
    with pytest.raises(ValueError, match=r"'amount'\) has 1 spike"):
        span_ops.distillation_kl(rows, rows, spans, torch.zeros(2), 2.0)


def test_span_heads_loss_kl_and_sampling():
    spans = [span_ops.Span(1, 'continuous'), span_ops.Span(3, 'categorical')]
    target = torch.tensor([[0.5, 0.0, 1.0, 0.0]])
    log_sigma = torch.zeros(1)
    good = torch.tensor([[0.5, -5.0, 5.0, -5.0]])
    bad = torch.tensor([[-0.5, 5.0, -5.0, -5.0]])
    assert span_ops.reconstruction_loss(good, target, spans, log_sigma) < span_ops.reconstruction_loss(
        bad, target, spans, log_sigma
    )
    assert span_ops.distillation_kl(good, good, spans, log_sigma, 2.0).item() == pytest.approx(0.0)
    assert span_ops.distillation_kl(good, bad, spans, log_sigma, 2.0).item() > 0
    sampled = span_ops.sample(good.repeat(50, 1), spans, log_sigma, torch.Generator().manual_seed(0))
    assert sampled.shape == (50, 4)
    assert torch.all(sampled[:, 1:].sum(dim=1) == 1)
    assert sampled[:, 2].mean() > 0.9


def test_density_keeps_the_dependence_between_latent_and_group():
    rng = np.random.RandomState(0)
    groups = rng.randint(0, 2, size=3000)
    latents = rng.normal(size=(3000, 2)) + 4 * groups[:, None]  # latent reveals the group
    density = GroupedGaussianMixture(max_components=4).fit(latents, groups, 2)
    sampled, sampled_groups = density.sample(2000, np.random.RandomState(1))
    # Groups are drawn from p(s | z), not independently of z.
    assert np.corrcoef(sampled[:, 0], sampled_groups)[0, 1] > 0.8
    conditioned, fixed = density.sample(500, np.random.RandomState(2), groups=np.ones(500, int))
    assert (fixed == 1).all() and conditioned[:, 0].mean() > 3


def test_a_single_row_group_gets_one_gaussian_with_the_pooled_spread():
    rng = np.random.RandomState(0)
    groups = np.r_[np.zeros(500, int), np.ones(500, int), [2]]  # group 2: a single row
    latents = rng.normal(size=(1001, 2)) * [1.0, 3.0] + 5 * groups[:, None]
    density = GroupedGaussianMixture(max_components=4).fit(latents, groups, 3)
    assert density.n_components_[2] == 1
    # Expected: mean at the lone row, covariance of everyone around their own group's mean.
    centred = latents.copy()
    for group in range(3):
        centred[groups == group] -= latents[groups == group].mean(axis=0)
    pooled = centred.T @ centred / (1001 - 3)
    sampled, _ = density.sample(20000, np.random.RandomState(1), groups=np.full(20000, 2))
    np.testing.assert_allclose(sampled.mean(axis=0), latents[-1], atol=0.1)
    np.testing.assert_allclose(np.cov(sampled.T), pooled, atol=0.15)


def test_builtin_adapters_are_registered_as_plugins():
    assert 'tabular' in list_adapters()
    assert get_adapter_class('tabular').kind == 'tabular'
    with pytest.raises(ValueError, match="No data adapter named 'audio'"):
        get_adapter_class('audio')


def test_third_party_plugin_can_register_an_adapter():
    from sdv_fairdistill.adapters.base import DataAdapter
    from sdv_fairdistill.plugins import hookimpl, plugin_manager

    class ToyAdapter(DataAdapter):
        kind = 'toy'

    class ToyPlugin:
        @hookimpl
        def register_adapters(self, register):
            register('toy', ToyAdapter)

    plugin = ToyPlugin()
    plugin_manager.register(plugin)
    try:
        assert get_adapter_class('toy') is ToyAdapter
    finally:
        plugin_manager.unregister(plugin)
    assert 'toy' not in list_adapters()


def _registered(plugin):
    """``(adapters, warnings)`` while ``plugin`` is registered."""
    import warnings

    from sdv_fairdistill.plugins import plugin_manager

    plugin_manager.register(plugin)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            adapters = list_adapters()
    finally:
        plugin_manager.unregister(plugin)
    return adapters, [str(warning.message) for warning in caught]


@pytest.mark.parametrize('hook_body, problem', [
    (lambda register: (_ for _ in ()).throw(RuntimeError('plugin broke')),
     'RuntimeError: plugin broke'),
    (lambda register: register('audio', 42), "register('audio', ...) takes a subclass of "
     'sdv_fairdistill.adapters.base.DataAdapter, got 42'),
    (lambda register: register(['audio'], dict), 'takes a name as kind'),
    (lambda register: {'audio': object}, 'returned a value instead of calling register'),
])
def test_a_broken_plugin_is_skipped_by_name_and_the_builtin_adapters_work(hook_body, problem):
    from sdv_fairdistill.plugins import hookimpl

    class BrokenPlugin:
        @hookimpl
        def register_adapters(self, register):
            return hook_body(register)

    adapters, messages = _registered(BrokenPlugin())
    # It stopped every synthesizer before (its error raised from get_adapter_class).
    assert {'tabular', 'image'} <= set(adapters) and 'audio' not in adapters
    assert any('was skipped' in message and problem in message for message in messages)


def test_plugins_are_called_through_pluggy_after_the_builtin_ones():
    from sdv_fairdistill.adapters.base import DataAdapter
    from sdv_fairdistill.plugins import hookimpl

    class ToyAdapter(DataAdapter):
        kind = 'toy'

    class WrapperPlugin:  # a hookwrapper: was taken for a hook that returned a value
        @hookimpl(wrapper=True)
        def register_adapters(self, register):
            register('toy', ToyAdapter)
            return (yield)

    adapters, messages = _registered(WrapperPlugin())
    assert 'toy' in adapters and not messages

    class ClaimsTabular:  # registered before the built-ins were looked up, it stopped them
        @hookimpl
        def register_adapters(self, register):
            register('tabular', ToyAdapter)

    adapters, messages = _registered(ClaimsTabular())
    assert get_adapter_class('tabular').kind == 'tabular'
    assert any("plugin 'ClaimsTabular' was skipped: ValueError: Two plugins register a data "
               "adapter named 'tabular'" in message for message in messages)


def test_an_entry_point_that_fails_to_import_is_skipped_by_name(monkeypatch):
    import warnings
    from types import SimpleNamespace

    from sdv_fairdistill.plugins import manager

    def load():
        raise ImportError("No module named 'audio_plugin'")

    broken = SimpleNamespace(name='audio', load=load)
    monkeypatch.setattr(manager, 'entry_points', lambda group: [broken])
    monkeypatch.setattr(manager, '_loaded', False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        assert {'tabular', 'image'} <= set(list_adapters())  # pluggy's loader stopped here
    assert any("plugin 'audio' was skipped: ImportError: No module named 'audio_plugin'"
               in str(warning.message) for warning in caught)


def _toy_biased_rows(n=600, seed=0):
    """Two groups, a binary target that agrees with the group 80 % of the time, and one
    continuous feature that carries the target (so it is biased too)."""
    rng = np.random.RandomState(seed)
    groups = rng.randint(0, 2, size=n)
    classes = np.where(rng.random_sample(n) < 0.8, groups, 1 - groups)
    x = torch.tensor(rng.normal(size=(n, 1)) + 2 * classes[:, None], dtype=torch.float32)
    y = torch.nn.functional.one_hot(torch.tensor(classes), 2).float()
    return x, y, groups, classes


def _toy_model(**kwargs):
    from sdv_fairdistill.core.model import FairDistillModel
    from sdv_fairdistill.core.spans import Span

    adapter = get_adapter_class('tabular')([Span(1, 'continuous', 'x')], (16,), (8,), (16,))
    options = dict(latent_dim=4, epochs=2, distill_epochs=1, batch_size=100, seed=0)
    options.update(kwargs)
    return FairDistillModel(adapter, target_spans=[Span(2, 'categorical', 'y')], **options)


def test_reweighing_makes_the_target_independent_of_the_group():
    x, y, groups, classes = _toy_biased_rows()
    model = _toy_model(balance_target=True)
    weights = model._balancing_weights(y, groups, 2).numpy()
    joint = np.zeros((2, 2))
    np.add.at(joint, (groups, classes), weights)
    joint /= joint.sum()
    # Under the weights the joint distribution is the product of its marginals...
    assert joint == pytest.approx(np.outer(joint.sum(axis=1), joint.sum(axis=0)), abs=1e-6)
    # ...and the groups keep their real shares.
    assert joint.sum(axis=1) == pytest.approx(np.bincount(groups) / len(groups), abs=1e-6)
    # Training runs on the reweighed rows and keeps the groups' real shares for sampling.
    model.fit(x, y, groups, 2)
    assert model.density.group_prior_ == pytest.approx(np.bincount(groups) / len(groups), abs=0.05)
    assert model.sample(10)[1].shape == (10, 2)


def test_reweighing_needs_a_categorical_target():
    from sdv_fairdistill.core.model import FairDistillModel
    from sdv_fairdistill.core.spans import Span

    adapter = get_adapter_class('tabular')([Span(1, 'continuous', 'x')], (16,), (8,), (16,))
    model = FairDistillModel(adapter, target_spans=[Span(1, 'continuous', 'y')], balance_target=True)
    x, _, groups, classes = _toy_biased_rows()
    with pytest.raises(ValueError, match='needs one categorical target'):
        model.fit(x, torch.tensor(classes[:, None], dtype=torch.float32), groups, 2)
