"""fairness_criterion: the penalty of each criterion, its checks, and its effect on real data."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sdv.errors import InvalidDataError
from sdv.metadata import Metadata

from by_hand import dcov2 as dcov2_by_hand

from sdv_fairdistill.core.training import fairness_penalty
from sdv_fairdistill.synthesizers._parameters import InvalidParameterError
from sdv_fairdistill.synthesizers.tabular import FairDistillSynthesizer


class _Criterion:
    def __init__(self, criterion, positive_class=None):
        self.fairness_criterion = criterion
        self.positive_class = positive_class


@pytest.fixture
def batch():
    rng = np.random.RandomState(0)
    z = rng.normal(size=(40, 3))
    groups = rng.randint(0, 3, 40)
    classes = rng.randint(0, 2, 40)
    s = np.eye(3)[groups]
    y = np.eye(2)[classes]
    return z, s, y, classes


@pytest.mark.parametrize('criterion, kept', [
    ('demographic_parity', None),
    ('equalized_odds', [0, 1]),
    ('equal_opportunity', [1]),
])
def test_each_criterion_penalises_its_own_dcov(batch, criterion, kept):
    z, s, y, classes = batch
    got = fairness_penalty(
        _Criterion(criterion, positive_class=1), torch.tensor(z), None,
        torch.tensor(s, dtype=torch.float32), torch.tensor(y),
    )
    if kept is None:
        expected = dcov2_by_hand(z, s)
    else:  # one term per class, each over that class's rows only
        expected = sum(dcov2_by_hand(z[classes == c], s[classes == c]) for c in kept)
    assert float(got) == pytest.approx(expected, rel=1e-5)


def test_the_target_output_is_penalised_inside_the_classes_too(batch):
    z, s, y, classes = batch
    output = np.random.RandomState(1).uniform(size=(40, 2))
    got = fairness_penalty(
        _Criterion('equalized_odds'), torch.tensor(z), torch.tensor(output),
        torch.tensor(s, dtype=torch.float32), torch.tensor(y),
    )
    expected = sum(
        dcov2_by_hand(z[classes == c], s[classes == c])
        + dcov2_by_hand(output[classes == c], s[classes == c])
        for c in (0, 1)
    )
    assert float(got) == pytest.approx(expected, rel=1e-5)


@pytest.fixture(scope='module')
def table():
    """The group shifts a feature and the label rate (0.73 for 'a' against 0.27 for 'b')."""
    rng = np.random.RandomState(0)
    group = rng.choice(['a', 'b'], 600)
    x = rng.normal(size=600) + 1.5 * (group == 'a')
    label = (x + rng.normal(size=600) > 0.75).astype(int)
    return pd.DataFrame({'group': group, 'x': x, 'label': label,
                         'word': np.where(label == 1, 'yes', 'no')})


def _synthesizer(table, **parameters):
    metadata = Metadata.detect_from_dataframes({'t': table})
    return FairDistillSynthesizer(
        metadata, 'group', parameters.pop('target', 'label'), epochs=3, distill_epochs=1,
        seed=0, **parameters,
    )


def _fit(synthesizer, table):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        synthesizer.fit({'t': table})
    return synthesizer


def test_unknown_criterion_and_criterion_without_target_are_refused(table):
    with pytest.raises(InvalidParameterError, match="'fairness_criterion' must be one of"):
        _synthesizer(table, fairness_criterion='equal_odds')
    metadata = Metadata.detect_from_dataframes({'t': table})
    with pytest.raises(InvalidParameterError, match='pass target_column='):
        FairDistillSynthesizer(metadata, 'group', fairness_criterion='equalized_odds')


def test_criteria_on_a_continuous_target_are_refused_before_training(table):
    synthesizer = _synthesizer(table, target='x', fairness_criterion='equalized_odds')
    with pytest.raises(InvalidParameterError, match="'x' is continuous"):
        _fit(synthesizer, table)
    assert synthesizer._model is None  # refused before any training


def test_equal_opportunity_needs_a_positive_label_it_cannot_guess(table):
    data = table.drop(columns='label')
    synthesizer = _synthesizer(data, target='word', fairness_criterion='equal_opportunity')
    with pytest.raises(InvalidParameterError, match=r"pass positive_label=, one of \['no', 'yes'\]"):
        _fit(synthesizer, data)
    synthesizer = _synthesizer(data, target='word', fairness_criterion='equal_opportunity',
                               positive_label='maybe')
    with pytest.raises(InvalidParameterError, match="positive_label='maybe' is not a class of 'word'"):
        _fit(synthesizer, data)


@pytest.mark.parametrize('criterion', ['demographic_parity', 'equalized_odds'])
def test_a_positive_label_that_is_no_class_is_refused_under_every_criterion(table, criterion):
    # It was kept, saved and never checked outside 'equal_opportunity'.
    data = table.drop(columns='label')
    synthesizer = _synthesizer(data, target='word', fairness_criterion=criterion,
                               positive_label='nope')
    with pytest.raises(InvalidParameterError,
                       match=re.escape("positive_label='nope' is not a class of 'word' (classes: "
                                       "['no', 'yes']).")):  # no hint of 1 and '1' here
        _fit(synthesizer, data)
    assert synthesizer._model is None
    # A single class, or none: the table's error, which no positive_label can fix, and no
    # advice about groups before it (an all-missing target was max() of an empty set).
    with warnings.catch_warnings():
        warnings.filterwarnings('error', message='.*has no row whose')
        for single, label in ((data.assign(word='only'), 'nope'),
                              (data.assign(word=np.nan), None)):
            with pytest.raises(InvalidDataError, match="Target column 'word' has a single class"):
                _fit(_synthesizer(single, target='word', fairness_criterion=criterion,
                                  positive_label=label), single)
    number = _synthesizer(table, target='x', positive_label=1)
    if criterion == 'demographic_parity':  # the others refuse a number target anyway
        with pytest.raises(InvalidParameterError, match=r"positive_label=1 names a class, but "
                                                        r"'x' is a number"):
            _fit(number, table)


def test_a_positive_label_of_the_wrong_type_is_shown_as_values(table):
    data = table.drop(columns='word')
    synthesizer = _synthesizer(data, fairness_criterion='equal_opportunity', positive_label='1')
    with pytest.raises(InvalidParameterError,
                       match=re.escape("positive_label='1' is not a class of 'label' (classes: "
                                       "[0, 1]; 1 is not '1')")):
        _fit(synthesizer, data)


@pytest.mark.parametrize('criterion, rates, consequence', [
    ('equal_opportunity', 'true-positive rate', 'its rates cannot be measured or made equal '
     '(its calibration offset stays 0, its error is inf, and the diagnostics leave it out)'),
    # Its false-positive rate is still measured, calibrated and compared (the warning said
    # otherwise while the diagnostics showed a finite error and the group in EO).
    ('equalized_odds', 'true- and false-positive rates', 'its true-positive rate cannot be '
     'measured or made equal: its calibration matches its false-positive rate alone, and the '
     'diagnostics compare that rate'),
])
def test_a_group_without_a_class_is_said_before_training(table, monkeypatch, criterion, rates,
                                                         consequence):
    # Group 'b' never has label 1: its true-positive rate cannot be measured.
    data = table.drop(columns='word').assign(label=lambda t: np.where(t.group == 'b', 0, t.label))
    monkeypatch.setattr(FairDistillSynthesizer, '_fit', lambda self, processed: None)
    synthesizer = _synthesizer(data, fairness_criterion=criterion)
    message = (f"fairness_criterion='{criterion}' makes the {rates} of every group equal, but "
               f"group 'b' has no row whose 'label' is 1: {consequence}.")
    with pytest.warns(UserWarning, match=re.escape(message)):
        synthesizer.fit({'t': data})
    with warnings.catch_warnings():
        warnings.filterwarnings('error', message='.*makes the')
        _synthesizer(table.drop(columns='word'), fairness_criterion=criterion).fit(
            {'t': table.drop(columns='word')})
    # Without the sensitive column, SDV's validation says so (not pandas' groupby).
    with pytest.raises(InvalidDataError, match=r"\['group'\] are not present"):
        synthesizer.fit({'t': data.drop(columns='group')})


@pytest.mark.parametrize('criterion', ['equal_opportunity', 'equalized_odds'])
def test_error_rate_checks_read_the_tables_users_pass(table, monkeypatch, criterion):
    # A pyarrow-backed table (convert_dtypes, read_parquet(dtype_backend='pyarrow')) and one
    # whose index has a level named like the sensitive column (a groupby-apply's balancing)
    # are checked as the plain table is: its group 'b' without label 1 is named, no crash.
    data = table.drop(columns='word').assign(label=lambda t: np.where(t.group == 'b', 0, t.label))
    monkeypatch.setattr(FairDistillSynthesizer, '_fit', lambda self, processed: None)
    message = "group 'b' has no row whose 'label' is 1"
    for users_table in (data.convert_dtypes(dtype_backend='pyarrow'),
                        data.set_index('group', drop=False)):
        synthesizer = _synthesizer(data, fairness_criterion=criterion)
        with pytest.warns(UserWarning, match=re.escape(message)):
            synthesizer.fit({'t': users_table})


@pytest.mark.parametrize('target, positive_label, expected', [
    ('label', None, 1),        # a 0/1 target: 1 is the positive class
    ('word', 'yes', 'yes'),
    ('word', 'no', 'no'),
])
def test_equal_opportunity_penalises_the_positive_class(table, target, positive_label, expected):
    data = table.drop(columns='word' if target == 'label' else 'label')
    synthesizer = _fit(_synthesizer(data, target=target, fairness_criterion='equal_opportunity',
                                    positive_label=positive_label), data)
    categories = synthesizer._target_encoder.categories(target)
    assert categories[synthesizer._model.positive_class] == expected


def test_the_criterion_is_one_parameter_everywhere(table, tmp_path):
    from sdv.utils import load_synthesizer

    data = table.drop(columns='word')
    synthesizer = _fit(_synthesizer(data, fairness_criterion='equalized_odds'), data)
    assert synthesizer.get_parameters()['fairness_criterion'] == 'equalized_odds'
    diagnostics = synthesizer.get_fairness_diagnostics()
    assert diagnostics['criterion'] == 'equalized_odds'
    assert 0 <= diagnostics['downstream_eo_difference'] <= 1
    synthesizer.save(tmp_path / 'eo.pkl')
    loaded = load_synthesizer(str(tmp_path / 'eo.pkl'))
    assert loaded.get_parameters()['fairness_criterion'] == 'equalized_odds'
    assert loaded._model.fairness_criterion == 'equalized_odds'
    assert set(loaded.sample(50)['t']['label']) <= {0, 1}


def test_demographic_parity_is_the_default_and_unchanged(table):
    data = table.drop(columns='word')
    default = _fit(_synthesizer(data), data)
    explicit = _fit(_synthesizer(data, fairness_criterion='demographic_parity'), data)
    assert default.get_parameters()['fairness_criterion'] == 'demographic_parity'
    pd.testing.assert_frame_equal(default.sample(100)['t'], explicit.sample(100)['t'])


def test_image_synthesizer_takes_the_criterion():
    from sdv_fairdistill.synthesizers.image import FairDistillImageSynthesizer

    rng = np.random.RandomState(0)
    images = rng.uniform(size=(40, 8, 8)).astype(np.float32)
    colour = rng.choice(['red', 'green'], 40)
    digit = rng.choice([3, 7], 40)
    synthesizer = FairDistillImageSynthesizer(
        fairness_criterion='equal_opportunity', positive_label=7, epochs=1, distill_epochs=1,
        batch_size=20, seed=0,
    )
    synthesizer.fit(images, colour, digit)
    assert synthesizer.get_parameters()['fairness_criterion'] == 'equal_opportunity'
    assert synthesizer._model.positive_class == list(synthesizer._target_values).index(7)
    with pytest.raises(ValueError, match='needs positive_label, one of the target classes'):
        FairDistillImageSynthesizer(
            fairness_criterion='equal_opportunity', epochs=1, distill_epochs=1
        ).fit(images, colour, digit)
    with pytest.raises(ValueError, match='pass target to fit'):
        FairDistillImageSynthesizer(fairness_criterion='equalized_odds', epochs=1).fit(
            images, colour
        )


# ---------------------------------------------------------------- on real data
@pytest.mark.slow
def test_equalized_odds_closes_the_error_rate_gaps_on_real_compas_rows():
    """COMPAS (race): without the penalty a classifier trained on the synthetic rows has
    about the real data's gap in true- and false-positive rates between the groups on real
    held-out rows; with fairness_criterion='equalized_odds' the gap shrinks and the
    classifier still ranks the real rows."""
    from fairlearn.metrics import equalized_odds_difference
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    from sdv_fairdistill.datasets import load_compas

    data, metadata = load_compas()
    target = 'two_year_recid'
    train, test = train_test_split(data, test_size=0.3, random_state=0, stratify=data[target])
    features = [c for c in data.columns if c != target]
    encoded_columns = pd.get_dummies(train[features]).columns

    def encode(table):
        return pd.get_dummies(table[features]).reindex(columns=encoded_columns, fill_value=0)

    def scores(table):
        model = HistGradientBoostingClassifier(random_state=0)
        model.fit(encode(table), table[target].astype(int))
        y_true = test[target].astype(int)
        eo = equalized_odds_difference(y_true, model.predict(encode(test)),
                                       sensitive_features=test['race'])
        return eo, roc_auc_score(y_true, model.predict_proba(encode(test))[:, 1])

    synthetic = {}
    for name, options in (('none', {'fairness_weight': 0.0}),
                          ('eo', {'fairness_criterion': 'equalized_odds'})):
        synthesizer = FairDistillSynthesizer(metadata, 'race', target, seed=0, **options)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            synthesizer.fit({'compas': train})
        synthetic[name] = synthesizer.sample(len(train))['compas']
    real_eo, _ = scores(train)
    none_eo, _ = scores(synthetic['none'])
    eo_eo, eo_auroc = scores(synthetic['eo'])
    message = f'real {real_eo:.3f}, no penalty {none_eo:.3f}, equalized odds {eo_eo:.3f}'
    assert real_eo > 0.15 and none_eo > 0.15, message
    assert eo_eo < 0.6 * none_eo, message
    assert eo_auroc > 0.63, f'AUROC {eo_auroc:.3f}'


def test_a_target_the_group_decides_is_said_before_training(table, monkeypatch):
    from sdv_fairdistill.synthesizers._tabular_inputs import check_criterion

    # A copy (or recoding) of the sensitive column as target was fitted silently, and its
    # generated values told nothing of the real ones.
    monkeypatch.setattr(FairDistillSynthesizer, '_fit', lambda self, processed: None)
    data = table.drop(columns='word').assign(label=lambda t: np.where(t.group == 'a', 'A', 'B'))
    with pytest.warns(UserWarning, match=re.escape(
            "'label' has one value in every group of ['group']: the group decides it.")):
        _synthesizer(data).fit({'t': data})
    # One row of the other value in one group, or a target that only leans on the group:
    # no word.
    data.loc[data.index[0], 'label'] = 'B' if data.loc[data.index[0], 'group'] == 'a' else 'A'
    normal = table.drop(columns='word')
    # A group of one row holds one value whatever the target is; nor is a target decided
    # when every group of several rows holds the same value.
    unique = normal.assign(group=[f'p{i}' for i in range(len(normal))])
    tiny = pd.DataFrame({'group': ['a', 'a', 'b', 'c', 'd'], 'x': [1.0, 2, 3, 4, 5],
                         'label': [1, 1, 0, 1, 0]})
    with warnings.catch_warnings():
        warnings.filterwarnings('error', message='.*the group decides it')
        for users_table in (data, normal):
            _synthesizer(users_table).fit({'t': users_table})
        for users_table in (unique, tiny):  # (SDV calls a unique group column an id)
            check_criterion(_synthesizer(normal), users_table)


def test_a_criterion_from_numpy_is_the_plain_name(table):
    # np.str_('equalized_odds') was echoed as np.str_('equalized_odds') in messages.
    synthesizer = _synthesizer(table.drop(columns='word'),
                               fairness_criterion=np.array(['equalized_odds'])[0])
    assert type(synthesizer.get_parameters()['fairness_criterion']) is str
    data = table.drop(columns='word')
    with pytest.raises(InvalidParameterError,
                       match=r"^fairness_criterion='equalized_odds' compares error rates"):
        _fit(_synthesizer(data, target='x', fairness_criterion=np.str_('equalized_odds')), data)
