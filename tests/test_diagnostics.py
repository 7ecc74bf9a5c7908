"""get_fairness_diagnostics(): what a fit achieved, and the warning when it is off target."""

import contextlib
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sdv.metadata import Metadata
from sdv.sampling import Condition

from sklearn.ensemble import HistGradientBoostingClassifier

from sdv_fairdistill.core import calibration
from sdv_fairdistill.synthesizers import _diagnostics, _fit_warnings, _group_gaps
from sdv_fairdistill.synthesizers._diagnostics import _rows_per_group
from sdv_fairdistill.synthesizers._group_gaps import largest_share_gap
from sdv_fairdistill.synthesizers.tabular import FairDistillSynthesizer


def test_largest_gap_by_hand():
    # Group 0: classes 0,0,1 -> shares (2/3, 1/3); group 1: 1,1 -> (0, 1); group 2 skipped.
    classes = np.array([0, 0, 1, 1, 1, 0])
    groups = np.array([0, 0, 0, 1, 1, 2])
    assert largest_share_gap(classes, groups, 2, keep=[0, 1]) == pytest.approx(2 / 3)
    assert largest_share_gap(classes, groups, 2, keep=[0]) == 0


@pytest.fixture(scope='module')
def biased_table():
    """The group shifts a feature, and the label follows the feature (real gap ~0.68)."""
    rng = np.random.RandomState(0)
    group = rng.choice(['a', 'b'], 800)
    x = rng.normal(size=800) + 2 * (group == 'a')
    label = np.where(x + 0.3 * rng.normal(size=800) > 1, 'yes', 'no')
    return pd.DataFrame({'group': group, 'x': x, 'label': label})


def _fit(table, **parameters):
    metadata = Metadata.detect_from_dataframes({'t': table})
    synthesizer = FairDistillSynthesizer(
        metadata, 'group', 'label', epochs=40, distill_epochs=10, batch_size=200, seed=0,
        **parameters,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        synthesizer.fit({'t': table})
    return synthesizer, [str(w.message) for w in caught]


def test_diagnostics_see_the_bias_of_the_ablation_and_its_removal(biased_table):
    unfair, unfair_warnings = _fit(biased_table, fairness_weight=0.0)
    fair, fair_warnings = _fit(biased_table)
    unfair_d, fair_d = unfair.get_fairness_diagnostics(), fair.get_fairness_diagnostics()
    assert unfair_d['criterion'] == fair_d['criterion'] == 'demographic_parity'
    # The ablation's latent reveals the group (x does; its posterior draws, which the
    # decoder sees, less sharply than their means) and its data keep a label gap.
    assert unfair_d['latent_leakage_auroc'] > 0.6
    assert unfair_d['label_gap'] > 0.1 and unfair_d['downstream_dp_difference'] > 0.2
    # The penalty shrinks each of them. The calibration's offsets then trade label gap for
    # equal downstream selection rates: the penalty's own gap is the one before them.
    assert 'label_gap_before_offsets' not in unfair_d  # no offsets without a penalty
    assert fair_d['label_gap_before_offsets'] < unfair_d['label_gap']
    assert fair_d['downstream_dp_difference'] < unfair_d['downstream_dp_difference'] / 2
    assert fair_d['latent_leakage_auroc'] < unfair_d['latent_leakage_auroc']
    # The ablation is unfair on purpose: no warning for it. Nor for the fair fit, whose
    # sample's gap comes from the offsets (the one before them is small).
    assert not [m for m in unfair_warnings if 'less fair than intended' in m]
    assert fair_d['label_gap_before_offsets'] <= 0.1
    assert not [m for m in fair_warnings if 'less fair than intended' in m]
    # The measured label gap is the one the synthesizer then samples (5,000 rows each), and
    # the downstream gap the one of a user's classifier trained on such a sample (the
    # table's columns) and applied to the real rows (three samples: one moves by +-0.05).
    real = np.column_stack([biased_table['group'] == 'a', biased_table['x']])
    for synthesizer, measured in ((unfair, unfair_d), (fair, fair_d)):
        sampled = synthesizer.sample(5000)['t']
        rates = sampled.groupby('group')['label'].apply(lambda v: (v == 'yes').mean())
        assert abs((rates.max() - rates.min()) - measured['label_gap']) < 0.06
        users = []
        for _ in range(3):
            sampled = synthesizer.sample(5000)['t']
            model = HistGradientBoostingClassifier(random_state=0).fit(
                np.column_stack([sampled['group'] == 'a', sampled['x']]), sampled['label'])
            selected = pd.Series(model.predict(real) == 'yes').groupby(biased_table['group'])
            users.append(np.ptp(selected.mean()))
        assert abs(np.mean(users) - measured['downstream_dp_difference']) < 0.1


def test_a_fit_that_keeps_a_label_gap_warns_and_says_what_is_off(biased_table):
    # A penalty far too weak to matter, and the label drawn by the target head (the label from
    # the features is aligned across groups whatever the penalty): the data keep the gap,
    # and fit says so.
    _, messages = _fit(biased_table, fairness_weight=1e-3, label_from_features=False,
                       calibrate_target=False)
    assert [m for m in messages if re.search(r'less fair than intended: label_gap 0\.\d+ '
                                             r'\(target: at most 0\.1\)', m)]


def test_a_fit_whose_calibration_hits_its_limit_warns(biased_table, monkeypatch):
    # With next to no penalty the features carry the group (x is shifted by it) into the
    # latent: the calibration needs offsets of about 1.6 log-odds here, so with the limit at
    # 1 it stops there (at the shipped 4 that took the label rate the classifier read from
    # generated rows, before the label kept the real rate).
    monkeypatch.setattr(calibration, 'MAX_OFFSET', 1.0)
    weak, messages = _fit(biased_table, fairness_weight=1e-3)
    offsets = weak.get_fairness_diagnostics()['target_offsets']
    assert max(abs(value) for value in offsets.values()) == pytest.approx(1.0)
    assert [m for m in messages if 'target_offsets at their limit' in m]


def test_diagnostics_without_a_target_report_the_leakage(biased_table):
    table = biased_table.drop(columns='label')
    metadata = Metadata.detect_from_dataframes({'t': table})
    synthesizer = FairDistillSynthesizer(metadata, 'group', epochs=2, distill_epochs=1, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        synthesizer.fit({'t': table})
    diagnostics = synthesizer.get_fairness_diagnostics()
    assert set(diagnostics) == {'criterion', 'latent_leakage_auroc'}
    assert 0 <= diagnostics['latent_leakage_auroc'] <= 1


def test_a_latent_with_nothing_to_encode_does_not_leak_the_group():
    # No feature column: the fair latent carries nothing the decoder uses, and its means
    # differ by group only in their last digits. The leakage is read from the posterior
    # draws the decoder sees, so it is chance (0.5), not the 1.0 a scale-blind classifier
    # reads from such means.
    rng = np.random.default_rng(0)
    group = rng.choice(['F', 'M'], 3000)
    label = (rng.random(3000) < np.where(group == 'F', 0.30, 0.45)).astype(int)
    table = pd.DataFrame({'group': group, 'label': label})
    synthesizer, _ = _fit(table)
    assert abs(synthesizer.get_fairness_diagnostics()['latent_leakage_auroc'] - 0.5) < 0.05


def test_small_fair_groups_are_measured_on_rows_of_their_own():
    # Three groups of 0.6 % of the rows each and a label independent of the group: a random
    # sample of 5,000 rows gives each some 30 rows, whose label shares alone are uncertain by
    # 0.09. The diagnostic measures each group on rows generated for it, and so matches rows
    # sampled per group (and does not warn).
    rng = np.random.RandomState(1)
    group = np.where(rng.rand(4000) < 0.018, rng.choice(['s1', 's2', 's3'], 4000),
                     rng.choice(['a', 'b'], 4000))
    x = rng.normal(size=4000)
    label = np.where(x + rng.normal(size=4000) > 0.5, 'yes', 'no')
    table = pd.DataFrame({'group': group, 'x': x, 'label': label})
    synthesizer, messages = _fit(table)
    measured = synthesizer.get_fairness_diagnostics()['label_gap']
    rates = []
    for value in ('a', 'b', 's1', 's2', 's3'):
        rows = synthesizer.sample_from_conditions([Condition({'group': value}, num_rows=2000)])
        rates.append((rows['t']['label'] == 'yes').mean())
    assert abs((max(rates) - min(rates)) - measured) < 0.05
    assert measured < 0.1
    assert not [m for m in messages if 'less fair than intended' in m]


def test_with_one_group_large_enough_nothing_is_measured_and_nothing_warns():
    # 'b' has 6 rows, under the 10 a group needs to be measured: a gap needs two groups, so
    # the diagnostics are NaN (not 0, which would read as perfectly fair), and fit does not warn.
    rng = np.random.RandomState(2)
    group = np.array(['a'] * 294 + ['b'] * 6)
    x = rng.normal(size=300)
    table = pd.DataFrame({'group': group, 'x': x, 'label': np.where(x > 0, 'yes', 'no')})
    synthesizer, messages = _fit(table)
    diagnostics = synthesizer.get_fairness_diagnostics()
    for name in ('latent_leakage_auroc', 'label_gap', 'downstream_dp_difference'):
        assert np.isnan(diagnostics[name])
    assert not [m for m in messages if 'less fair than intended' in m or 'could not' in m]


def test_many_groups_without_a_gap_get_no_calibration_offsets():
    # 30 groups of 20 rows that tell nothing of the label: one error's cut gave 9 of them
    # offsets of up to 1.7 log-odds, and the generated label gap rose from 0.05 to 0.25.
    rng = np.random.default_rng(0)
    rows = 600
    table = pd.DataFrame({'group': [f'g{i % 30}' for i in range(rows)],
                          'age': rng.integers(18, 70, rows),
                          'hours': rng.normal(40, 8, rows).round(1)})
    table['label'] = np.where(rng.random(rows) < 1 / (1 + np.exp(-0.05 * (table['age'] - 40))),
                              'high', 'low')
    synthesizer = FairDistillSynthesizer(Metadata.detect_from_dataframes({'t': table}),
                                         'group', 'label', epochs=2, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # the groups are small: warned, as they should be
        synthesizer.fit({'t': table})
    offsets = synthesizer.get_fairness_diagnostics()['target_offsets']
    assert len(offsets) == 30
    assert max(abs(offset) for offset in offsets.values()) < 0.3


def test_the_downstream_classifier_reads_a_category_as_one_column():
    # A column of 300 values is 300 columns of the model's encoding; the diagnostics' classifier
    # reads the table as a user's model does (and took most of such a fit's time otherwise).
    rng = np.random.RandomState(1)
    table = pd.DataFrame({
        'group': rng.choice(['a', 'b'], 600), 'x': rng.normal(size=600),
        'city': [f'city {i}' for i in rng.randint(0, 300, 600)],
    })
    table['label'] = np.where(table['x'] + (table['group'] == 'a') > 0.5, 'yes', 'no')
    metadata = Metadata.detect_from_dataframes({'t': table})
    metadata.update_column('city', sdtype='categorical', table_name='t')
    widths = []

    class Recorded(HistGradientBoostingClassifier):
        def fit(self, X, y, **kwargs):
            widths.append(np.asarray(X).shape[1])
            return super().fit(X, y, **kwargs)

    synthesizer = FairDistillSynthesizer(metadata, 'group', 'label', epochs=2, distill_epochs=1,
                                         seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_diagnostics, 'HistGradientBoostingClassifier', Recorded)
            synthesizer.fit({'t': table})
    assert widths == [3] * _diagnostics.DOWNSTREAM_TABLES  # group, x, city: all but the label
    assert 0 <= synthesizer.get_fairness_diagnostics()['downstream_dp_difference'] <= 1


def test_the_label_gap_sample_is_capped_over_many_groups():
    # 2,000 generated rows a group up to 500 groups; beyond, a million rows shared out.
    assert [_rows_per_group(k) for k in (2, 500, 501, 5000, 2_000_000)] == [2000, 2000, 1996,
                                                                           200, 1]


def test_the_advice_names_small_groups_when_most_groups_are_small():
    off = {'label_gap': 0.2}
    with pytest.warns(UserWarning, match=r'40 of the 60 sensitive groups have fewer than 50 '
                                         r'rows.*merge the small groups'):
        _fit_warnings.warn_if_off_target(off, None, np.r_[[20] * 40, [500] * 20, [0] * 3])
    for counts in (np.r_[[20] * 30, [500] * 30], None):  # half small, or not known
        with pytest.warns(UserWarning, match=r'label_gap 0\.200 .*Train longer \(epochs\)'):
            _fit_warnings.warn_if_off_target(off, None, counts)


class _FairStub:
    """A model whose labels do not depend on the group (each class with probability 1/2)."""

    def set_random_state(self, state):
        self.rng = np.random.RandomState(0 if state is None else state)

    @contextlib.contextmanager
    def sampling_state(self, state):
        self.set_random_state(state)
        yield

    def sample(self, num_rows, groups):
        import torch

        classes = self.rng.randint(0, 2, num_rows)
        return None, torch.nn.functional.one_hot(torch.as_tensor(classes), 2), np.asarray(groups)


@pytest.mark.parametrize('n_groups', [2, 300, 500])
def test_a_fair_label_stays_under_the_warning_however_many_groups(n_groups):
    # The gap is the largest of many groups' differences: with too few rows a group, a fair
    # label's noise alone would pass 0.1 and warn (300 groups of 666 rows: 0.11).
    gap = _diagnostics._label_gap(_FairStub(), np.arange(n_groups), 2, seed=0)
    assert gap < 0.1


def test_the_label_gap_noise_is_the_range_a_group_blind_label_reaches():
    # Two groups: the gap of two rates of n rows is |N(0, 2 p (1 - p) / n)|, whose 95th
    # percentile is 1.96 standard deviations; a number's two means likewise.
    rng = np.random.default_rng(5)
    groups = np.repeat([0, 1], 2000)
    classes = (rng.random(4000) < 0.3).astype(int)
    expected = 1.96 * np.sqrt(2 * 0.3 * 0.7 / 2000)
    assert _group_gaps.share_gap_noise(classes, groups, 2, [0, 1], 0) == pytest.approx(
        expected, rel=0.15)
    values = rng.normal(0, 2, 4000)
    assert _group_gaps.mean_gap_noise(values, groups, [0, 1], 0) == pytest.approx(
        1.96 * 2 * np.sqrt(2 / 2000), rel=0.15)
    # Many groups: a group-blind label's gap stays under its noise, which passes 0.1.
    stub = _FairStub()
    stub.set_random_state(None)
    _, target, sampled = stub.sample(500 * 400, np.repeat(np.arange(500), 400))
    many = target.argmax(dim=1).numpy()
    noise = _group_gaps.share_gap_noise(many, sampled, 2, np.arange(500), 0)
    assert largest_share_gap(many, sampled, 2, np.arange(500)) < noise and noise > 0.1


def test_no_warning_on_a_gap_within_its_noise():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        _fit_warnings.warn_if_off_target({'label_gap': 0.12, 'label_gap_noise': 0.15})
    with pytest.warns(UserWarning, match=r'label_gap 0\.200 \(target: at most 0\.1\)'):
        _fit_warnings.warn_if_off_target({'label_gap': 0.2, 'label_gap_noise': 0.15})
    with pytest.warns(UserWarning, match=r'label_gap_before_offsets 0\.200'):
        _fit_warnings.warn_if_off_target({'label_gap': 0.3, 'label_gap_before_offsets': 0.2,
                                          'label_gap_noise': 0.03})


def test_a_downstream_gap_above_its_target_and_noise_warns_with_its_own_advice():
    """Under demographic parity a classifier trained on the generated rows that selects the
    real groups 0.25 apart warns, though the label is fair; within its noise, or for a
    number's downstream gap (no noise measured), it does not."""
    fair_label = {'label_gap': 0.01, 'label_gap_noise': 0.03}
    with pytest.warns(UserWarning, match=r'downstream_dp_difference 0\.250 \(target: at most '
                                         r'0\.1\).*few distinct values.*FairnessReport'):
        _fit_warnings.warn_if_off_target({**fair_label, 'downstream_dp_difference': 0.25,
                                          'downstream_dp_difference_noise': 0.04})
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        _fit_warnings.warn_if_off_target({**fair_label, 'downstream_dp_difference': 0.25,
                                          'downstream_dp_difference_noise': 0.3})
        _fit_warnings.warn_if_off_target({**fair_label, 'downstream_dp_difference': 0.09,
                                          'downstream_dp_difference_noise': 0.02})
        _fit_warnings.warn_if_off_target({**fair_label, 'downstream_dp_difference': 0.25})
    # With an unfair label too, the advice is the penalty's.
    with pytest.warns(UserWarning, match=r'label_gap 0\.200.*downstream_dp_difference 0\.250'
                                         r'.*Train longer'):
        _fit_warnings.warn_if_off_target({'label_gap': 0.2, 'label_gap_noise': 0.03,
                                          'downstream_dp_difference': 0.25,
                                          'downstream_dp_difference_noise': 0.04})


# Berkeley's graduate admissions of 1973 (R's datasets::UCBAdmissions): applicants per
# department, gender, admitted and rejected.
UCB_COUNTS = {
    'A': {'Male': (512, 313), 'Female': (89, 19)}, 'B': {'Male': (353, 207), 'Female': (17, 8)},
    'C': {'Male': (120, 205), 'Female': (202, 391)}, 'D': {'Male': (138, 279), 'Female': (131, 244)},
    'E': {'Male': (53, 138), 'Female': (94, 299)}, 'F': {'Male': (22, 351), 'Female': (24, 317)},
}


def test_a_fair_label_on_a_few_cells_warns_that_downstream_models_are_not_fair():
    """One categorical feature (the department): the generated label is fair, but a
    classifier trained on the generated rows admits or rejects whole (department, gender)
    cells, and selects real men and women far apart. The fit says so, and it is true: a
    classifier trained on a sample, applied to the real rows, selects them as far apart."""
    rows = [(dept, gender, outcome) for dept, by_gender in UCB_COUNTS.items()
            for gender, counts in by_gender.items()
            for outcome, count in zip(('Admitted', 'Rejected'), counts) for _ in range(count)]
    table = pd.DataFrame(rows, columns=['Dept', 'Gender', 'Admit'])
    metadata = Metadata.detect_from_dataframes({'ucb': table})
    synthesizer = FairDistillSynthesizer(metadata, 'Gender', 'Admit', epochs=30,
                                         distill_epochs=10, seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        synthesizer.fit({'ucb': table})
    messages = [str(w.message) for w in caught if 'less fair than intended' in str(w.message)]
    assert len(messages) == 1 and 'downstream_dp_difference' in messages[0]
    assert 'label_gap' not in messages[0] and 'few distinct values' in messages[0]
    diagnostics = synthesizer.get_fairness_diagnostics()  # the penalty's gap: before offsets
    assert diagnostics.get('label_gap_before_offsets', diagnostics['label_gap']) < 0.1
    sample = synthesizer.sample(5000)['ucb']
    encode = lambda frame: pd.get_dummies(frame[['Dept', 'Gender']]).astype(float)
    from sklearn.ensemble import HistGradientBoostingClassifier
    classifier = HistGradientBoostingClassifier(random_state=0)
    classifier.fit(encode(sample), sample['Admit'] == 'Admitted')
    rates = pd.Series(classifier.predict(encode(table))).groupby(table['Gender']).mean()
    assert rates.max() - rates.min() > 0.1
