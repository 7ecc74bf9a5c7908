"""Group alignment of the target (``align_target``) and the per-column penalty terms of
several sensitive columns: the maps' defining properties, checked against values computed
here with NumPy, and their effect on a fitted synthesizer."""

import warnings

import numpy as np
import pytest
import torch
from scipy.special import expit, softmax
from scipy.stats import spearmanr

from by_hand import dcov2 as dcov2_by_hand

from sdv_fairdistill.core.alignment import QUANTILES, TargetAlignment
from sdv_fairdistill.core.spans import CATEGORICAL, CONTINUOUS, Span
from sdv_fairdistill.core.training import fairness_penalty
from sdv_fairdistill.synthesizers._parameters import InvalidParameterError
from sdv_fairdistill.synthesizers._tabular_inputs import resolve_align_target
from sdv_fairdistill.synthesizers.tabular import FairDistillSynthesizer

PRIOR = np.array([0.6, 0.3, 0.1])


def _groups_of(sizes):
    return np.repeat(np.arange(len(sizes)), sizes)


def _binary_logits(rng, sizes):
    """Two logits per row; the score (second minus first) is N(g, 1 + g) in group g."""
    pieces = [rng.normal(g, 1 + g, size=n) for g, n in enumerate(sizes)]
    score = np.concatenate(pieces)
    return np.stack([np.zeros_like(score), score], axis=1), pieces


def test_binary_alignment_gives_every_group_the_pooled_distribution():
    rng = np.random.RandomState(0)
    fit_logits, fit_pieces = _binary_logits(rng, [20000] * 3)
    alignment = TargetAlignment().fit(
        [torch.tensor(fit_logits[i * 20000:(i + 1) * 20000]) for i in range(3)],
        PRIOR, Span(2, CATEGORICAL),
    )
    # The pooled quantile function: the prior-weighted mean of the groups' own (NumPy here).
    pooled = sum(p * np.quantile(piece, QUANTILES) for p, piece in zip(PRIOR, fit_pieces))

    logits, pieces = _binary_logits(np.random.RandomState(1), [5000] * 3)
    groups = _groups_of([5000] * 3)
    output = alignment.transform(torch.tensor(logits, dtype=torch.float32), groups).numpy()
    aligned = output[:, 1] - output[:, 0]
    for group, piece in enumerate(pieces):
        rows = groups == group
        # Same distribution in every group: the pooled one, checked at its deciles.
        deciles = np.quantile(aligned[rows], [0.1, 0.3, 0.5, 0.7, 0.9])
        expected = np.interp([0.1, 0.3, 0.5, 0.7, 0.9], QUANTILES, pooled)
        assert deciles == pytest.approx(expected, abs=0.1)
        # Monotone inside a group: who is more likely positive than whom does not change.
        assert spearmanr(piece, aligned[rows]).correlation > 0.9999
    positive_rates = [expit(aligned[groups == g]).mean() for g in range(3)]
    assert max(positive_rates) - min(positive_rates) < 0.02


def test_multiclass_offsets_give_every_group_the_pooled_class_shares():
    rng = np.random.RandomState(0)
    # Three classes whose logits favour class g in group g.
    outputs = [rng.normal(size=(4000, 3)) + 2.0 * np.eye(3)[g] for g in range(3)]
    pooled = sum(p * softmax(out, axis=1).mean(axis=0) for p, out in zip(PRIOR, outputs))
    alignment = TargetAlignment().fit(
        [torch.tensor(out, dtype=torch.float32) for out in outputs], PRIOR, Span(3, CATEGORICAL)
    )
    for group, out in enumerate(outputs):
        shifted = alignment.transform(
            torch.tensor(out, dtype=torch.float32), np.full(len(out), group)
        ).numpy()
        assert softmax(shifted, axis=1).mean(axis=0) == pytest.approx(pooled, abs=1e-3)
        # One offset per class for the whole group: every row's odds move alike.
        assert np.ptp(shifted - out.astype(np.float32), axis=0).max() < 1e-5


def test_continuous_target_means_get_the_pooled_distribution():
    rng = np.random.RandomState(0)
    means = [rng.exponential(1 + g, size=(20000, 1)) for g in range(3)]
    alignment = TargetAlignment().fit(
        [torch.tensor(m, dtype=torch.float32) for m in means], PRIOR, Span(1, CONTINUOUS)
    )
    medians = []
    for group, m in enumerate(means):
        aligned = alignment.transform(torch.tensor(m, dtype=torch.float32),
                                      np.full(len(m), group)).numpy()
        assert aligned.shape == m.shape
        medians.append(np.median(aligned))
    pooled_median = np.interp(
        0.5, QUANTILES, sum(p * np.quantile(m, QUANTILES) for p, m in zip(PRIOR, means))
    )
    assert medians == pytest.approx([pooled_median] * 3, abs=0.05)


def test_a_group_whose_scores_are_all_equal_maps_to_the_pooled_median():
    # Group 0 always scores 0, group 1 spreads over [1, 3]: the pooled quantile function is
    # their mean, whose median is (0 + 2) / 2 = 1.
    outputs = [torch.zeros(100, 2), torch.tensor(np.c_[np.zeros(100), np.linspace(1, 3, 100)])]
    alignment = TargetAlignment().fit(outputs, np.array([0.5, 0.5]), Span(2, CATEGORICAL))
    aligned = alignment.transform(torch.zeros(5, 2), np.zeros(5, dtype=int)).numpy()
    assert aligned[:, 1] - aligned[:, 0] == pytest.approx([1.0] * 5, abs=1e-3)


class _DemographicParity:
    fairness_criterion = 'demographic_parity'
    positive_class = None


def test_several_sensitive_columns_add_each_columns_own_term():
    rng = np.random.RandomState(0)
    z = rng.normal(size=(60, 3))
    sex, race = rng.randint(0, 2, 60), rng.randint(0, 3, 60)
    joint = np.eye(6)[sex * 3 + race]
    got = fairness_penalty(
        _DemographicParity(), torch.tensor(z), None, torch.tensor(joint, dtype=torch.float32),
        None, [torch.tensor(np.eye(2)[sex]), torch.tensor(np.eye(3)[race])],
    )
    expected = (dcov2_by_hand(z, joint) + dcov2_by_hand(z, np.eye(2)[sex])
                + dcov2_by_hand(z, np.eye(3)[race]))
    assert float(got) == pytest.approx(expected, rel=1e-4)  # float32 distances


def _fit(adult_sample, **kwargs):
    data, metadata = adult_sample
    synthesizer = FairDistillSynthesizer(
        metadata, target_column='income', epochs=3, distill_epochs=2, seed=0, **kwargs
    )
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        synthesizer.fit({'adult': data.head(800)})
    return synthesizer


@pytest.fixture(scope='module')
def intersectional(adult_sample):
    return _fit(adult_sample, sensitive_columns=['sex', 'race'])


@pytest.mark.parametrize('sensitive, options, n_groups, expected', [
    (['sex', 'race'], {}, 10, True),
    ('race', {}, 5, False),  # one column: off (docs/method.md)
    ('sex', {}, 2, False),
    (['sex', 'race'], {'fairness_weight': 0.0}, 10, False),  # the unfair ablation stays unfair
    (['sex', 'race'], {'fairness_criterion': 'equalized_odds'}, 10, False),
    ('sex', {'align_target': True}, 2, True),
    (['sex', 'race'], {'align_target': False}, 10, False),
])
def test_the_default_aligns_the_groups_of_several_columns_under_demographic_parity(
    adult_sample, sensitive, options, n_groups, expected
):
    _, metadata = adult_sample
    synthesizer = FairDistillSynthesizer(metadata, sensitive, target_column='income', **options)
    assert resolve_align_target(synthesizer, n_groups) is expected


def test_fitted_models_align_as_resolved(adult_sample, intersectional):
    assert intersectional._model.target_alignment is not None
    one_column = _fit(adult_sample, sensitive_columns='sex')
    assert one_column._model.target_alignment is None
    assert one_column.get_parameters()['align_target'] is None


def test_a_synthesizer_saved_before_alignment_existed_samples_and_refits(
    adult_sample, intersectional
):
    """Pickles of earlier versions lack the attributes: they sample unaligned and refit with
    the default."""
    import copy

    old = copy.deepcopy(intersectional)
    del old.align_target
    del old._model.target_alignment, old._model.teacher_target_alignment
    assert len(old.sample(50)['adult']) == 50
    data, _ = adult_sample
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        old.fit({'adult': data.head(400)})
    assert old._model.target_alignment is not None


def test_align_target_is_refused_under_the_error_rate_criteria(adult_sample):
    _, metadata = adult_sample
    with pytest.raises(InvalidParameterError, match='align_target=True'):
        FairDistillSynthesizer(metadata, ['sex', 'race'], target_column='income',
                               fairness_criterion='equalized_odds', align_target=True)


def test_aligned_groups_are_generated_with_the_same_label_rate(intersectional):
    model = intersectional._model
    rng = np.random.RandomState(1)  # fresh draws, not those the maps were fitted on
    rates = {True: [], False: []}
    with torch.no_grad():
        for group in range(model.n_groups):
            groups = np.full(4000, group)
            latents, _ = model.density.sample(4000, rng, groups=groups)
            output = model.target_decoder(torch.from_numpy(latents))
            aligned = model.target_alignment.transform(output, groups)
            # Expected share of the second class, without the noise of drawing labels.
            rates[False].append(float(torch.softmax(output, 1)[:, 1].mean()))
            rates[True].append(float(torch.softmax(aligned, 1)[:, 1].mean()))
    # Every group, those of a few rows too, gets the pooled rate, up to the error of maps
    # fitted on 4,000 draws.
    assert np.ptp(rates[True]) < 0.02
    assert np.ptp(rates[True]) < np.ptp(rates[False])


@pytest.mark.parametrize('value', ['yes', 1])
def test_align_target_must_be_a_bool_or_none(adult_sample, value):
    _, metadata = adult_sample
    with pytest.raises(InvalidParameterError, match='align_target'):
        FairDistillSynthesizer(metadata, 'sex', target_column='income', align_target=value)


@pytest.mark.slow
def test_real_adult_intersections_get_close_label_rates():
    """Adult, sex x race, defaults: the generated positive rates of the joint groups (those
    with at least 400 of 20,000 generated rows) span far less than the real ones."""
    from sdv_fairdistill.datasets import load_adult

    data, metadata = load_adult(num_rows=8000, random_state=0)
    synthesizer = FairDistillSynthesizer(
        metadata, ['sex', 'race'], target_column='income', seed=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        synthesizer.fit({'adult': data})
    synthetic = synthesizer.sample(20000)['adult']

    def rates(table):
        groups = table['sex'].astype(str) + ', ' + table['race'].astype(str)
        return (table['income'] == '>50K').groupby(groups).mean(), groups.value_counts()

    synthetic_rates, sizes = rates(synthetic)
    large = sizes.index[sizes >= 400]
    real_rates, _ = rates(data)
    real_spread = np.ptp(real_rates[large])
    synthetic_spread = np.ptp(synthetic_rates[large])
    assert len(large) >= 4
    assert real_spread > 0.2  # the bias is there to remove
    assert synthetic_spread < 0.1


def test_only_one_target_of_two_classes_or_more_or_a_number_is_aligned():
    from sdv_fairdistill.core.alignment import alignable

    assert alignable([Span(2, CATEGORICAL)]) and alignable([Span(1, CONTINUOUS)])
    assert not alignable([Span(1, CATEGORICAL)])  # one class: nothing to align
    assert not alignable([]) and not alignable([Span(2, CATEGORICAL), Span(1, CONTINUOUS)])
