"""The label drawn from the features (``label_from_features``): a classifier of the real rows
scores each generated row, each group's scores are mapped onto the groups' pooled
distribution (a target of more than two classes: shifted to the pooled class shares), and the
target is drawn from the result."""

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sdv.metadata import Metadata
from sklearn.metrics import roc_auc_score

from conftest import assert_loaded_copy_samples_the_same, fit_detected, proxy_step_table
from sdv_fairdistill.core.alignment import class_share_offsets
from sdv_fairdistill.core.feature_labels import (
    MAX_CLASSES,
    ClassShareAlignment,
    GroupSharpening,
    ScoreAlignment,
)
from sdv_fairdistill.synthesizers._classifier_columns import ClassifierColumns
from sdv_fairdistill.synthesizers._parameters import InvalidParameterError
from sdv_fairdistill.synthesizers.tabular import FairDistillSynthesizer


@pytest.fixture(scope='module')
def biased_table():
    return proxy_step_table()


def _fit(table, **parameters):
    return fit_detected(table, 'group', 'label', batch_size=250, **parameters)


def _rates(table):
    positive = table['label'] == 'yes'
    return positive[table['group'] == 'a'].mean(), positive[table['group'] == 'b'].mean()


def test_label_follows_the_features_within_each_group_at_equal_rates(biased_table):
    real_a, real_b = _rates(biased_table)
    assert real_a - real_b > 0.35  # the real table is strongly biased
    assert _fit(biased_table)._model.label_scorer is not None  # on by default
    # Without the calibration's offsets (which move the rates for a downstream model): the
    # aligned probabilities have the same mean in every group.
    synthesizer = _fit(biased_table, calibrate_target=False)
    table = synthesizer.sample(6000)['t']
    rate_a, rate_b = _rates(table)
    assert abs(rate_a - rate_b) < 0.03
    # Inside each group the label goes with x (the order the real classifier learned), much
    # more than the target head's label of the same fit does (it reads x through the fair
    # latent only).
    head = _fit(biased_table, label_from_features=False, calibrate_target=False).sample(6000)['t']
    for name in ('a', 'b'):
        assert _within_group_auroc(table, name) > _within_group_auroc(head, name) + 0.05
        assert _within_group_auroc(table, name) > 0.7


def _within_group_auroc(table, name):
    rows = table[table['group'] == name]
    return roc_auc_score(rows['label'] == 'yes', rows['x'])


def test_off_keeps_the_heads_label_and_the_same_features(biased_table):
    labelled = _fit(biased_table)
    plain = _fit(biased_table, label_from_features=False)
    assert plain._model.label_scorer is None
    # The fit says which way its label is drawn.
    assert labelled.get_fairness_diagnostics()['label_source'] == 'features'
    assert plain.get_fairness_diagnostics()['label_source'] == 'target head'
    first, again = labelled.sample(400)['t'], plain.sample(400)['t']
    pd.testing.assert_frame_equal(first[['group', 'x', 'noise']], again[['group', 'x', 'noise']])


@pytest.mark.parametrize('table', ['biased_table', 'three_class_table'])
def test_saved_synthesizer_draws_the_same_labels(table, request, tmp_path):
    assert_loaded_copy_samples_the_same(_fit(request.getfixturevalue(table)), tmp_path)


def test_label_from_features_is_checked():
    metadata = Metadata.detect_from_dataframes({'t': pd.DataFrame({'g': ['a'], 'y': ['n']})})
    with pytest.raises(InvalidParameterError, match='label_from_features'):
        FairDistillSynthesizer(metadata, 'g', 'y', label_from_features=1)
    # Every criterion may draw its label from the features (GroupSharpening for the others).
    synthesizer = FairDistillSynthesizer(
        metadata, 'g', 'y', label_from_features=True, fairness_criterion='equal_opportunity',
        positive_label='n',
    )
    assert synthesizer.get_parameters()['label_from_features'] is True
    # Under an error-rate criterion only the calibration removes that label's bias: turning it
    # off as well is allowed, with a warning that says so (none under demographic parity).
    with pytest.warns(UserWarning, match='calibrate_target=False the generated label keeps'):
        FairDistillSynthesizer(metadata, 'g', 'y', label_from_features=True,
                               calibrate_target=False, fairness_criterion='equalized_odds',
                               positive_label='n')
    with warnings.catch_warnings():
        warnings.simplefilter('error', UserWarning)
        FairDistillSynthesizer(metadata, 'g', 'y', label_from_features=True,
                               calibrate_target=False)


def test_classifier_columns_keep_no_rows_and_code_unknown_values_as_missing():
    real = pd.DataFrame({'n': [1.0, 2.0, 3.0], 'c': ['u', 'v', 'u']})
    reader = ClassifierColumns(['c', 'n']).fit(real)
    assert not any(isinstance(value, pd.DataFrame) for value in vars(reader).values())
    matrix = reader.transform(pd.DataFrame({'n': [2.0], 'c': ['w']}))
    assert np.isnan(matrix[0, 0]) and matrix[0, 1] == 2.0
    assert reader.categorical_.tolist() == [True, False]


def test_model_draws_from_the_scorer_aligned_across_groups(biased_table):
    # No calibration: its offsets would move the rates on purpose (for a downstream model).
    model = _fit(biased_table, label_from_features=False, calibrate_target=False)._model
    # A scorer that favours group 0 by 3 log-odds: the alignment takes it out.
    def scorer(features, groups):
        log_odds = torch.as_tensor(np.where(np.asarray(groups) == 0, 1.5, -1.5), dtype=torch.float32)
        log_odds = log_odds + torch.randn(len(groups), generator=torch.Generator().manual_seed(0))
        return torch.stack([torch.zeros_like(log_odds), log_odds], dim=1)

    model.use_label_scorer(scorer, seed=0)
    groups = np.repeat([0, 1], 4000)
    _, target, _ = model.sample(8000, groups=groups)
    positive = target.argmax(dim=1).numpy()
    assert abs(positive[groups == 0].mean() - positive[groups == 1].mean()) < 0.04


def test_alignment_gives_every_group_the_barycenter_mean_despite_ties():
    rng = np.random.RandomState(0)
    # Two-valued scores (a tree's), in very different shares, and a continuous group.
    first = np.where(rng.uniform(size=3000) < 0.8, 0.9, 0.2)
    second = np.where(rng.uniform(size=2000) < 0.3, 0.9, 0.2)
    third = rng.beta(2, 5, size=1000)
    alignment = ScoreAlignment().fit([first, second, third], [3, 2, 1])
    groups = np.repeat([0, 1, 2], [3000, 2000, 1000])
    aligned = alignment.transform(np.concatenate([first, second, third]), groups)
    # The barycenter's mean: the prior-weighted mean of the groups' means.
    expected = (3 * first.mean() + 2 * second.mean() + third.mean()) / 6
    for group in range(3):
        assert aligned[groups == group].mean() == pytest.approx(expected, abs=2e-3)
    # Monotone inside a group: the higher score keeps the higher aligned probability.
    order = np.argsort(third)
    assert np.all(np.diff(aligned[groups == 2][order]) >= -1e-12)


def test_classifier_columns_read_numbers_as_the_user_gets_them():
    real = pd.DataFrame({'count': [0, 1, 2, 5], 'amount': [0.5, 1.25, 2.0, 3.0]})
    generated = pd.DataFrame({'count': [0.6, -0.4, 7.2], 'amount': [0.6, -1.0, 3.5]})
    # Whole real values: rounded, then clipped to the real range; other numbers only clipped.
    matrix = ClassifierColumns(['count', 'amount']).fit(real).transform(generated)
    np.testing.assert_allclose(matrix, [[1.0, 0.6], [0.0, 0.5], [5.0, 3.0]])
    # Without SDV's rounding and clipping the user gets the numbers as they are.
    raw = ClassifierColumns(['count', 'amount'], round_integers=False, clip=False)
    np.testing.assert_allclose(raw.fit(real).transform(generated), generated.to_numpy())


def test_decoded_rows_are_reused_once_and_never_saved(biased_table):
    synthesizer = _fit(biased_table)
    scorer = synthesizer._model.label_scorer
    features, _, groups = synthesizer._model.sample(50, target=False)
    scorer(features, groups)
    assert scorer.take_decoded(features) is not None
    assert scorer.take_decoded(features) is None  # taken once
    scorer(features, groups)
    assert scorer.take_decoded(features.clone()) is None  # other rows: decoded again
    scorer(features, groups)
    assert '_decoded' not in scorer.__getstate__()


def test_reusing_the_decoded_rows_gives_the_rows_a_second_decoding_gives(biased_table, monkeypatch):
    synthesizer = _fit(biased_table)
    synthesizer._set_random_state(11)
    reused = synthesizer.sample(300)['t']
    monkeypatch.setattr(type(synthesizer._model.label_scorer), 'take_decoded', lambda self, f: None)
    synthesizer._set_random_state(11)
    pd.testing.assert_frame_equal(reused, synthesizer.sample(300)['t'])


def test_sharpened_alignment_keeps_every_groups_mean_and_order_and_spreads_the_probabilities():
    rng = np.random.RandomState(1)
    first = np.where(rng.uniform(size=3000) < 0.7, 0.8, 0.3)  # ties, as a tree gives
    second = rng.beta(2, 6, size=2000)
    groups = np.repeat([0, 1], [3000, 2000])
    scores = np.concatenate([first, second])
    plain = ScoreAlignment().fit([first, second], [3, 2]).transform(scores, groups)
    sharp = ScoreAlignment(sharpness=3.0).fit([first, second], [3, 2]).transform(scores, groups)
    expected = (3 * first.mean() + 2 * second.mean()) / 5  # the label rate stays
    for group in (0, 1):
        assert sharp[groups == group].mean() == pytest.approx(expected, abs=3e-3)
    # Further from one half than the plain alignment, in the same order inside a group.
    assert np.abs(sharp - 0.5).mean() > np.abs(plain - 0.5).mean() + 0.05
    order = np.argsort(second)
    assert np.all(np.diff(sharp[groups == 1][order]) >= -1e-12)
    assert np.array_equal(ScoreAlignment(sharpness=1.0).fit([first, second], [3, 2]).transform(
        scores, groups), plain)


def test_group_sharpening_keeps_each_groups_own_rate_and_order():
    # The error-rate criteria's label: no pooling, each group sharpened in place.
    rng = np.random.RandomState(2)
    first, second = rng.beta(5, 3, size=3000), rng.beta(2, 6, size=2000)
    groups = np.repeat([0, 1], [3000, 2000])
    scores = np.concatenate([first, second])
    sharp = GroupSharpening(sharpness=3.0).fit([first, second], [3, 2]).transform(scores, groups)
    for group, own in ((0, first), (1, second)):
        assert sharp[groups == group].mean() == pytest.approx(own.mean(), abs=3e-3)
        order = np.argsort(own)
        assert np.all(np.diff(sharp[groups == group][order]) >= -1e-12)
        # Sharpened: further from one half than the group's own probabilities.
        assert np.abs(sharp[groups == group] - 0.5).mean() > np.abs(own - 0.5).mean() + 0.05
    # Unsharpened, a group of distinct values is mapped (within the grid's resolution) to itself.
    plain = GroupSharpening(sharpness=1.0).fit([first, second], [3, 2]).transform(scores, groups)
    assert np.abs(plain - scores).mean() < 1e-3 and np.abs(plain - scores).max() < 0.03


@pytest.mark.slow
def test_error_rate_criteria_draw_the_label_from_the_features_when_asked(
    biased_table, three_class_table
):
    options = {'fairness_criterion': 'equalized_odds', 'positive_label': 'yes'}
    head = _fit(biased_table, label_from_features=False, **options)
    assert head._model.label_scorer is None  # the head, calibrated
    assert head._model.target_offsets is not None
    assert set(head.get_fairness_diagnostics()['target_offsets']) == {'a', 'b'}
    synthesizer = _fit(biased_table, label_from_features=True, **options)
    assert isinstance(synthesizer._model.label_alignment, GroupSharpening)
    assert 'target_offsets' in synthesizer.get_fairness_diagnostics()
    # Without reweighing and offsets the groups keep about their real rates (no pooling,
    # unlike demographic parity): the label follows x, which group 'a' has more of.
    with pytest.warns(UserWarning, match='the generated label keeps the real bias'):
        kept = _fit(biased_table, label_from_features=True, balance_target=False,
                    calibrate_target=False, **options)
    real_a, real_b = _rates(biased_table)
    generated_a, generated_b = _rates(kept.sample(6000)['t'])
    assert generated_a - generated_b > (real_a - real_b) / 2
    # More than two classes: the head draws the label (GroupSharpening is two-class).
    three = _fit(three_class_table, label_from_features=True, fairness_criterion='equalized_odds')
    assert three._model.label_scorer is None


def test_label_sharpness_makes_the_label_more_certain_at_the_same_rates(biased_table):
    # A noisy label (the real one is a step of x): its probability is what sharpening moves.
    rng = np.random.RandomState(4)
    noisy = rng.uniform(size=len(biased_table)) < 1 / (1 + np.exp(-1.5 * (biased_table['x'] - 0.6)))
    table = biased_table.assign(label=np.where(noisy, 'yes', 'no'))
    synthesizer = _fit(table, calibrate_target=False, label_sharpness=1.0)
    model = synthesizer._model
    assert model.label_alignment.sharpness == 1.0
    tables = {}
    for sharpness in (1.0, 10.0):
        model.use_label_scorer(model.label_scorer, 0, sharpness)
        synthesizer._set_random_state(2)
        tables[sharpness] = synthesizer.sample(6000)['t']
    soft, sharp = tables[1.0], tables[10.0]
    # The same generated rows (only the label's draw differs) ...
    pd.testing.assert_frame_equal(soft[['group', 'x']], sharp[['group', 'x']])
    # ... at the same, equal label rates, each group's label following x more closely.
    for name in ('a', 'b'):
        assert _within_group_auroc(sharp, name) > _within_group_auroc(soft, name) + 0.02
    assert abs(np.subtract(*_rates(sharp))) < 0.03
    assert (sharp['label'] == 'yes').mean() == pytest.approx((soft['label'] == 'yes').mean(), abs=0.03)


def test_label_sharpness_is_checked():
    metadata = Metadata.detect_from_dataframes({'t': pd.DataFrame({'g': ['a'], 'y': ['n']})})
    for bad in (0, -1.0, 'high', float('inf')):
        with pytest.raises(InvalidParameterError, match='label_sharpness'):
            FairDistillSynthesizer(metadata, 'g', 'y', label_sharpness=bad)


@pytest.fixture(scope='module')
def three_class_table():
    """A three-class label set by bins of ``x``; group 'a' has larger ``x``, so its rows are
    mostly 'high' and group 'b''s mostly 'low'."""
    rng = np.random.RandomState(5)
    group = rng.choice(['a', 'b'], 1500, p=[0.6, 0.4])
    x = rng.normal(size=1500) + 1.2 * (group == 'a')
    label = np.select([x < 0.0, x < 1.0], ['low', 'mid'], 'high')
    return pd.DataFrame({'group': group, 'x': x, 'noise': rng.uniform(size=1500), 'label': label})


def _class_shares(table, name):
    return table.loc[table['group'] == name, 'label'].value_counts(normalize=True)


def test_class_share_alignment_gives_every_group_the_pooled_shares_and_keeps_the_odds_order():
    rng = np.random.RandomState(2)
    # Three groups whose classifier log-probabilities favour different classes.
    logits = [torch.as_tensor(rng.normal(size=(n, 4)) + shift, dtype=torch.float32)
              for n, shift in ((3000, [2.0, 0, 0, 0]), (2000, [0, 1.5, 0, -1.0]), (500, 0.0))]
    prior = [3, 2, 1]
    groups = np.repeat([0, 1, 2], [3000, 2000, 500])
    stacked = torch.cat(logits)
    # The pooled shares: the prior-weighted mean of each group's mean probabilities.
    means = [torch.softmax(value.double(), dim=1).mean(dim=0).numpy() for value in logits]
    expected = (3 * means[0] + 2 * means[1] + means[2]) / 6
    for sharpness in (1.0, 3.0):
        aligned = ClassShareAlignment(sharpness).fit(logits, prior).transform(stacked, groups)
        probabilities = torch.softmax(aligned.double(), dim=1).numpy()
        for group in range(3):
            np.testing.assert_allclose(probabilities[groups == group].mean(axis=0), expected,
                                       atol=2e-3)
        # Inside a group the rows keep their order by any two classes' log-odds (up to
        # float32 rounding).
        rows = groups == 1
        before = (stacked[rows, 1] - stacked[rows, 3]).numpy()
        after = (aligned[rows, 1] - aligned[rows, 3]).numpy()
        assert np.all(np.diff(after[np.argsort(before)]) >= -1e-4)
        if sharpness == 1.0:
            plain = probabilities
    # Sharpened: each row's likeliest class is likelier.
    assert probabilities.max(axis=1).mean() > plain.max(axis=1).mean() + 0.1


def test_three_class_label_follows_the_features_at_equal_class_shares(three_class_table):
    real_a, real_b = _class_shares(three_class_table, 'a'), _class_shares(three_class_table, 'b')
    assert real_a['high'] - real_b['high'] > 0.3  # the real table is strongly biased
    synthesizer = _fit(three_class_table)
    assert synthesizer.get_fairness_diagnostics()['label_source'] == 'features'
    table = synthesizer.sample(6000)['t']
    shares_a, shares_b = _class_shares(table, 'a'), _class_shares(table, 'b')
    for name in ('low', 'mid', 'high'):
        assert abs(shares_a[name] - shares_b[name]) < 0.04
    # Inside each group the class goes with x (the real classifier's order), much more than
    # the target head's class of the same fit does.
    head = _fit(three_class_table, label_from_features=False).sample(6000)['t']
    for name in ('a', 'b'):
        assert _class_order_auroc(table, name) > _class_order_auroc(head, name) + 0.05
        # Group 'b' gets the pooled share of 'high' from rows of middling x, so not 1.
        assert _class_order_auroc(table, name) > 0.7


def _class_order_auroc(table, name):
    """How well x tells 'high' from 'low' rows inside group ``name``."""
    rows = table[(table['group'] == name) & table['label'].isin(['low', 'high'])]
    return roc_auc_score(rows['label'] == 'high', rows['x'])


def test_target_of_more_classes_than_a_scorer_draws_keeps_the_head():
    rng = np.random.RandomState(6)
    classes = MAX_CLASSES + 1
    table = pd.DataFrame({
        'group': rng.choice(['a', 'b'], 600),
        'x': rng.normal(size=600),
        'label': [f'c{value}' for value in np.arange(600) % classes],
    })
    synthesizer = fit_detected(table, 'group', 'label', batch_size=200)
    assert synthesizer._model.label_scorer is None
    assert synthesizer.get_fairness_diagnostics()['label_source'] == 'target head'
    assert set(synthesizer.sample(200)['t']['label']) <= set(table['label'])


def test_class_share_offsets_reach_the_shares_for_near_certain_rows():
    # A confident classifier, sharpened: most rows are almost one class; the offsets must
    # still bring the mean probabilities to the wanted shares (50 fixed steps left 0.13 for
    # 0.10 here).
    rng = np.random.RandomState(0)
    logits = torch.as_tensor(rng.normal(size=(4000, 5)) * 20 + [2, 0, 0, -1, -3])
    sharpened = 3 * torch.log_softmax(logits, dim=1)
    shares = torch.tensor([0.1, 0.25, 0.2, 0.15, 0.3], dtype=torch.float64)
    offsets = class_share_offsets(sharpened, shares)
    reached = torch.softmax(sharpened + offsets, dim=1).mean(dim=0)
    np.testing.assert_allclose(reached.numpy(), shares.numpy(), atol=1e-3)


def test_a_class_of_one_row_does_not_stop_the_fit_of_a_large_table():
    # Above 10,000 rows the scorer's classifier holds out a stratified tenth, which a class of
    # one row cannot be split into.
    rng = np.random.RandomState(8)
    rows = 10_500
    x = rng.normal(size=rows)
    label = np.where(x > 0.5, 'high', 'low').astype(object)
    label[0] = 'once'
    table = pd.DataFrame({'group': rng.choice(['a', 'b'], rows), 'x': x, 'label': label})
    metadata = Metadata.detect_from_dataframes({'t': table})
    synthesizer = FairDistillSynthesizer(
        metadata, 'group', 'label', epochs=1, distill_epochs=1, batch_size=1000, seed=0
    )
    synthesizer.fit({'t': table})
    assert synthesizer.get_fairness_diagnostics()['label_source'] == 'features'
    assert set(synthesizer.sample(500)['t']['label']) <= {'high', 'low', 'once'}


def test_a_scorer_saved_before_more_classes_were_drawn_scores_two_classes(biased_table):
    model = _fit(biased_table)._model
    scorer = model.label_scorer
    features, _, groups = model.sample(50, target=False)
    expected = scorer(features, groups)
    del scorer.n_classes  # as a synthesizer saved before the attribute existed
    torch.testing.assert_close(scorer(features, groups), expected)
