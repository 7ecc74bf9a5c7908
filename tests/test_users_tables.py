"""The tables and parameters users bring: every input works or is refused before training.

Each test reproduces a failure a user met (integer-coded groups, numeric categories, ordinal
columns and targets, single-row groups, constraints on the sensitive column, bad parameters)
and checks the behaviour that replaced it. Expected values come from the real table.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sdv.cag import FixedCombinations
from sdv.errors import SynthesizerInputError
from sdv.metadata import Metadata
from sdv.utils import load_synthesizer

from sdv_fairdistill.datasets import load_compas
from sdv_fairdistill.synthesizers._parameters import InvalidParameterError
from sdv_fairdistill.synthesizers.tabular import FairDistillSynthesizer

T = {'epochs': 2, 'distill_epochs': 1, 'seed': 0}


@pytest.fixture(scope='module')
def compas_codes():
    """COMPAS with sex coded 0/1, and the metadata SDV detects for it (sex01 ordinal)."""
    data, _ = load_compas(num_rows=1000, random_state=0)
    data['sex01'] = (data.pop('sex') == 'Male').astype(int)
    return data, Metadata.detect_from_dataframes({'compas': data})


def test_detection_marks_integer_codes_ordinal(compas_codes):
    # The premise of the next tests: SDV's detection, not ours, makes these ordinal.
    _, metadata = compas_codes
    columns = metadata.to_dict()['tables']['compas']['columns']
    assert columns['sex01']['sdtype'] == 'ordinal'
    assert columns['two_year_recid']['sdtype'] == 'ordinal'
    assert columns['juv_fel_count']['sdtype'] == 'ordinal'


def test_integer_coded_sensitive_column_groups_are_its_raw_values(compas_codes):
    data, metadata = compas_codes
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns='sex01', target_column='two_year_recid', **T
    )
    synthesizer.fit({'compas': data})
    assert sorted(synthesizer._groups['sex01']) == [0, 1]
    sampled = synthesizer.sample(2000)['compas']
    assert set(sampled['sex01']) == {0, 1}
    # Groups come out at their real frequency (binomial spread for 2,000 rows is ~0.01).
    assert abs(sampled['sex01'].mean() - data['sex01'].mean()) < 0.05


def test_ordinal_target_is_a_class_label(compas_codes):
    data, metadata = compas_codes
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns='race', target_column='two_year_recid',
        balance_target=True, **T,
    )
    with warnings.catch_warnings():
        warnings.simplefilter('error', UserWarning)  # no "not reweighed" warning
        warnings.filterwarnings('ignore', message='.*save_to_json')
        warnings.filterwarnings('ignore', message='The fit is less fair')  # 2 epochs
        synthesizer.fit({'compas': data})
    assert [span.kind for span in synthesizer._target_encoder.spans] == ['categorical']
    sampled = synthesizer.sample(500)['compas']
    assert set(sampled['two_year_recid']) <= {0, 1}
    assert sampled['two_year_recid'].dtype.kind == 'i'


def test_ordinal_columns_keep_their_real_values(compas_codes):
    data, metadata = compas_codes
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns='race', target_column='two_year_recid',
        epochs=10, distill_epochs=2, batch_size=200, seed=0,
    )
    synthesizer.fit({'compas': data})
    sampled = synthesizer.sample(1000)['compas']
    for column in ('juv_fel_count', 'juv_misd_count', 'juv_other_count'):
        assert set(sampled[column]) <= set(data[column]), column
        # 92-96 % zeros in the real column; a one-hot of the values learns that share within
        # a few epochs (SDV's uniform encoding made it a narrow band of floats).
        assert abs((sampled[column] == 0).mean() - (data[column] == 0).mean()) < 0.05, column


def test_user_transformer_on_the_sensitive_column_is_reported_and_bypassed(adult_sample):
    from rdt.transformers import UniformEncoder

    data, metadata = adult_sample
    data = data.head(400)
    synthesizer = FairDistillSynthesizer(metadata, sensitive_columns='sex', **T)
    synthesizer.auto_assign_transformers({'adult': data})
    with pytest.warns(UserWarning, match="UniformEncoder set for 'sex' is not used"):
        synthesizer.update_transformers({'sex': UniformEncoder()})
    synthesizer.fit({'adult': data})
    assert sorted(synthesizer._groups['sex']) == ['Female', 'Male']
    assert set(synthesizer.sample(300)['adult']['sex']) == {'Female', 'Male'}


def test_numeric_categorical_and_all_missing_columns_follow_the_metadata():
    rng = np.random.RandomState(0)
    data = pd.DataFrame({
        'group': rng.choice(['a', 'b'], 400),
        'code': rng.randint(1, 17, 400),  # like education-num: integer codes 1-16
        'empty': np.nan,
        'value': rng.normal(size=400),
    })
    metadata = Metadata.detect_from_dataframes({'toy': data})
    metadata.update_column('code', sdtype='categorical', table_name='toy')
    metadata.update_column('empty', sdtype='categorical', table_name='toy')
    synthesizer = FairDistillSynthesizer(metadata, sensitive_columns='group', **T)
    synthesizer.fit({'toy': data})
    sampled = synthesizer.sample(1000)['toy']
    assert set(sampled['code']) <= set(range(1, 17))
    assert sampled['empty'].isna().all()


def test_ordinal_with_many_levels_is_ranked_and_keeps_real_values():
    rng = np.random.RandomState(0)
    levels = [f'L{i:03d}' for i in range(120)]  # text levels: their order is the metadata's
    data = pd.DataFrame({'group': rng.choice(['a', 'b'], 600), 'level': rng.choice(levels[::2], 600)})
    metadata = Metadata.detect_from_dataframes({'toy': data})
    metadata.update_column('level', sdtype='ordinal', range_values=levels, table_name='toy')
    synthesizer = FairDistillSynthesizer(metadata, sensitive_columns='group', **T)
    synthesizer.fit({'toy': data})
    assert [span.kind for span in synthesizer._feature_encoder.spans][0] == 'continuous'
    assert set(synthesizer.sample(500)['toy']['level']) <= set(data['level'])


def test_single_row_groups_and_intersections_work_with_a_warning():
    data, metadata = load_compas(races=None, num_rows=1000, random_state=0)
    sizes = data.groupby(['race', 'sex']).size()
    assert sizes.min() == 1  # the reproduction needs a single-row intersection
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns=['race', 'sex'], target_column='two_year_recid', **T
    )
    with pytest.warns(UserWarning, match=r'fewer than 50 rows: .*\(1 rows\)'):
        synthesizer.fit({'compas': data})
    sampled = synthesizer.sample(500)['compas']
    real_pairs = set(map(tuple, data[['race', 'sex']].to_numpy()))
    assert set(map(tuple, sampled[['race', 'sex']].to_numpy())) <= real_pairs


def test_constraint_on_a_sensitive_column_is_refused_when_added(adult_sample):
    _, metadata = adult_sample
    synthesizer = FairDistillSynthesizer(metadata, sensitive_columns='sex', target_column='income', **T)
    with pytest.raises(SynthesizerInputError, match=r"FixedCombinations names \['sex'\]"):
        synthesizer.add_constraints([FixedCombinations(['sex', 'relationship'])])
    with pytest.raises(SynthesizerInputError, match=r"names \['income'\]"):
        synthesizer.add_constraints([FixedCombinations(['income', 'relationship'])])


def test_a_programmable_constraint_is_added_with_a_warning_that_it_is_not_checked(adult_sample):
    # Its code may read the sensitive column, and its rejections then moved the group shares
    # (F 0.248 -> 0.176 in a probe) without a word.
    from sdv.cag import SingleTableProgrammableConstraint

    class NoYoungWomen(SingleTableProgrammableConstraint):
        def get_updated_metadata(self, metadata):
            return metadata

        def fit(self, data, metadata):
            pass

        def transform(self, data):
            return data

        def reverse_transform(self, data):
            return data

        def is_valid(self, data):
            return ~((data['sex'] == 'Female') & (data['age'] < 25))

    _, metadata = adult_sample
    synthesizer = FairDistillSynthesizer(metadata, sensitive_columns='sex', target_column='income',
                                         **T)
    with pytest.warns(UserWarning, match=r"NoYoungWomen is a programmable constraint: which "
                                         r"columns its code reads or rewrites cannot be checked\. "
                                         r"If it touches a sensitive or target column "
                                         r"\(\['income', 'sex'\]\)"):
        synthesizer.add_constraints([NoYoungWomen()])
    # A constraint whose columns are read says nothing.
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        synthesizer.add_constraints([FixedCombinations(['relationship', 'marital-status'])])


def test_no_target_fit_is_quiet(adult_sample):
    data, metadata = adult_sample
    synthesizer = FairDistillSynthesizer(metadata, sensitive_columns='sex', **T)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        synthesizer.fit({'adult': data.head(300)})
    assert not [w for w in caught if 'zero-element' in str(w.message)]


def test_a_table_of_only_its_sensitive_and_target_columns_fits_quietly():
    rng = np.random.default_rng(0)
    table = pd.DataFrame({'sex': rng.choice(['F', 'M'], 300), 'y': rng.choice(['no', 'yes'], 300)})
    synthesizer = FairDistillSynthesizer(
        Metadata.detect_from_dataframes({'t': table}), sensitive_columns='sex',
        target_column='y', **T,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        synthesizer.fit({'t': table})
    assert not [w for w in caught if 'zero-element' in str(w.message)]
    sampled = synthesizer.sample(200)['t']
    assert list(sampled.columns) == ['sex', 'y']
    assert set(sampled['sex']) <= {'F', 'M'} and set(sampled['y']) <= {'no', 'yes'}


@pytest.mark.parametrize(
    'parameters, message',
    [
        ({'latent_dim': 1}, r"'fair_latent_dim' \(4\) cannot exceed 'latent_dim' \(1\)"),
        ({'latent_dim': 0}, "'latent_dim' must be an integer of at least 1, got 0"),
        ({'batch_size': 1}, "'batch_size' must be an integer of at least 2, got 1"),
        ({'fairness_weight': 'abc'}, "'fairness_weight' must be a number of at least 0, got 'abc'"),
        ({'fairness_weight': float('nan')}, "'fairness_weight' must be a number"),
        ({'learning_rate': -1}, "'learning_rate' must be a number greater than 0, got -1"),
        ({'learning_rate': 0}, "'learning_rate' must be a number greater than 0, got 0"),
        ({'learning_rate': 'x'}, "'learning_rate' must be a number greater than 0, got 'x'"),
        ({'epochs': 0}, "'epochs' must be an integer of at least 1 or None, got 0"),
        ({'distill_epochs': 0}, "'distill_epochs' must be an integer of at least 1"),
        ({'epochs': True}, "'epochs' must be an integer"),
        ({'beta': -0.5}, "'beta' must be a number of at least 0"),
        ({'target_weight': -1}, "'target_weight' must be a number of at least 0"),
        ({'utility_weight': -1}, "'utility_weight' must be a number of at least 0"),
        ({'student_dims': (0,)}, "'student_dims' must be a tuple of positive integers"),
        ({'teacher_dims': 64}, "'teacher_dims' must be a tuple of positive integers"),
        ({'seed': -1}, "'seed' must be None or an integer between 0 and 2\\*\\*32 - 1"),
        ({'seed': 'a'}, "'seed' must be None or an integer"),
        ({'encode_target': 'yes'}, "'encode_target' must be True or False"),
        ({'verbose': 1}, "'verbose' must be True or False"),
        ({'sensitive_columns': ['sex', 'sex']}, 'repeats a column'),
        ({'target_column': ['income', 'age']}, "'target_column' must be one column name"),
        ({'sensitive_columns': [3]}, 'Column names must be strings'),
        ({'sensitive_columns': 3}, "Column names must be strings, got 3 .* pass '3'"),
        ({'target_column': 5}, "must be one column name \\(text\\) or None, got 5. .*pass '5'"),
        ({'l2scale': 1e-5}, "no TVAE parameter 'l2scale'"),
        ({'embeding_dim': 8}, "unexpected parameter 'embeding_dim'"),
        ({'embedding_dim': 8, 'latent_dim': 32}, "either 'latent_dim' or TVAE's 'embedding_dim'"),
        # A bad value under a TVAE name is named as the user wrote it too.
        ({'compress_dims': (0,)}, "'teacher_dims' \\(TVAE's 'compress_dims'\\) must be a tuple"),
        ({'embedding_dim': 8.0}, "'latent_dim' \\(TVAE's 'embedding_dim'\\) must be an integer"),
    ],
)
def test_every_parameter_is_checked_at_construction(adult_sample, parameters, message):
    _, metadata = adult_sample
    arguments = {'sensitive_columns': 'sex', 'target_column': 'income', **parameters}
    # Column roles are SDV input errors; the model's parameters the narrower parameter error.
    expected = SynthesizerInputError if 'column' in message.lower() else InvalidParameterError
    with pytest.raises(expected, match=message):
        FairDistillSynthesizer(metadata, **arguments)


def test_parameter_errors_are_sdv_and_value_errors():
    assert issubclass(InvalidParameterError, SynthesizerInputError)
    assert issubclass(InvalidParameterError, ValueError)


def test_a_primary_key_cannot_be_sensitive():
    data = pd.DataFrame({'key': range(100), 'value': np.arange(100.0)})
    metadata = Metadata.detect_from_dataframes({'toy': data})
    metadata.update_column('key', sdtype='id', table_name='toy')
    metadata.set_primary_key('key', table_name='toy')
    with pytest.raises(SynthesizerInputError, match="'key' is the table's primary key"):
        FairDistillSynthesizer(metadata, sensitive_columns='key')


def test_an_alternate_key_or_a_related_column_is_refused_with_a_fix_that_works():
    # Both were told "mark it categorical", which SDV then refuses (an alternate key must be
    # an id; a column relationship takes no categorical column).
    from sdv.metadata.errors import InvalidMetadataError

    keyed = Metadata.load_from_dict({'tables': {'t': {
        'primary_key': 'pid', 'alternate_keys': ['dept'],
        'columns': {'pid': {'sdtype': 'id'}, 'dept': {'sdtype': 'id'},
                    'age': {'sdtype': 'numerical'}}}}})
    with pytest.raises(SynthesizerInputError, match="'dept' is an alternate key .* take it out "
                                                    'of the alternate keys'):
        FairDistillSynthesizer(keyed, sensitive_columns='dept')
    told = keyed.to_dict()  # the route the message gives
    told['tables']['t']['alternate_keys'].remove('dept')
    fixed = Metadata.load_from_dict(told)
    fixed.update_column('dept', sdtype='categorical', table_name='t')
    FairDistillSynthesizer(fixed, sensitive_columns='dept')
    keyed.update_column('dept', sdtype='categorical', table_name='t')
    with pytest.raises(InvalidMetadataError):  # the advice it replaced fails
        keyed.validate()
    related = Metadata.load_from_dict({'tables': {'t': {
        'columns': {'street': {'sdtype': 'street_address', 'pii': True},
                    'city': {'sdtype': 'city', 'pii': True}, 'age': {'sdtype': 'numerical'}},
        'column_relationships': [{'type': 'address', 'column_names': ['street', 'city']}]}}})
    with pytest.raises(SynthesizerInputError, match=r"'city' is part of the table's 'address' "
                                                    r"column relationship \['street', 'city'\].*"
                                                    'Take the relationship out'):
        FairDistillSynthesizer(related, sensitive_columns='city')
    told = related.to_dict()
    told['tables']['t']['column_relationships'] = []
    fixed = Metadata.load_from_dict(told)
    fixed.update_column('city', sdtype='categorical', table_name='t')
    FairDistillSynthesizer(fixed, sensitive_columns='city')


def test_columns_sdv_would_generate_are_learnt_as_groups_and_classes():
    """SDV detects a column named 'state' as an administrative unit and one ending in '_id'
    as an id, and would make up their values. Named sensitive or target, they are groups
    and classes: learnt from the real values, with a warning; the user's metadata is kept."""
    rng = np.random.RandomState(0)
    data = pd.DataFrame({
        'state': rng.choice(['CA', 'NY', 'TX'], 400),
        'plan_id': rng.choice([10, 20], 400),
        'x': rng.normal(size=400),
    })
    metadata = Metadata.detect_from_dataframes({'toy': data})
    sdtypes = {c: metadata.tables['toy'].columns[c]['sdtype'] for c in ('state', 'plan_id')}
    assert sdtypes == {'state': 'administrative_unit', 'plan_id': 'id'}
    with pytest.warns(UserWarning, match=r"'state' \(administrative_unit\), 'plan_id' \(id\)"):
        synthesizer = FairDistillSynthesizer(
            metadata, sensitive_columns='state', target_column='plan_id', epochs=2,
            distill_epochs=1,
        )
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        synthesizer.fit({'toy': data})
    sample = synthesizer.sample(300)['toy']
    assert set(sample['state']) == {'CA', 'NY', 'TX'}
    assert set(sample['plan_id']) == {10, 20}
    assert metadata.tables['toy'].columns['state']['sdtype'] == 'administrative_unit'


def test_tvae_parameter_names_mean_the_same(adult_sample, tmp_path):
    data, metadata = adult_sample
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns='sex', target_column='income',
        embedding_dim=8, compress_dims=(32,), decompress_dims=(32, 32), **T,
    )
    parameters = synthesizer.get_parameters()
    assert (parameters['latent_dim'], parameters['teacher_dims'], parameters['decoder_dims']) == (
        8, (32,), (32, 32)
    )
    assert 'embedding_dim' not in parameters and 'tvae_parameters' not in parameters
    synthesizer.fit({'adult': data.head(300)})
    path = tmp_path / 'tvae_names.pkl'
    synthesizer.save(path)
    assert load_synthesizer(str(path)).get_parameters() == parameters


def test_save_moves_the_networks_to_the_cpu_and_back(adult_sample, tmp_path, monkeypatch):
    # A pickle of CUDA tensors does not load on a machine without a GPU; no GPU here, so the
    # model's device is faked and its moves recorded.
    import torch

    data, metadata = adult_sample
    synthesizer = FairDistillSynthesizer(metadata, sensitive_columns='sex', **T)
    synthesizer.fit({'adult': data.head(300)})
    model = synthesizer._model
    moves, seen_in_file = [], []
    monkeypatch.setattr(model, 'device', torch.device('cuda'))
    monkeypatch.setattr(model, 'to', lambda device: moves.append(str(device)) or model)
    from sdv.single_table.base import BaseSingleTableSynthesizer

    original = BaseSingleTableSynthesizer.save  # SDV's own save, which pickles

    def recording_save(self, filepath):
        seen_in_file.append(list(moves))
        original(self, filepath)

    monkeypatch.setattr(BaseSingleTableSynthesizer, 'save', recording_save)
    synthesizer.save(tmp_path / 'moved.pkl')
    assert seen_in_file == [['cpu']]  # on the CPU while pickled
    assert moves == ['cpu', 'cuda']  # and back afterwards


def test_reweighing_keeps_a_single_row_group():
    # Reweighing resamples the rows the latent density learns from; a one-row group could
    # be left out and the fit failed after training.
    rng = np.random.RandomState(0)
    data = pd.DataFrame({
        'x': rng.normal(size=60).round(3),
        'group': ['a'] * 30 + ['b'] * 29 + ['c'],
        'label': ['yes', 'no'] * 30,
    })
    metadata = Metadata.detect_from_dataframes({'t': data})
    synthesizer = FairDistillSynthesizer(metadata, 'group', 'label', balance_target=True, **T)
    with pytest.warns(UserWarning, match=r"; 'c' \(1 rows\)"):
        synthesizer.fit({'t': data})
    sampled = synthesizer.sample(3000)['t']
    assert set(sampled['group']) == {'a', 'b', 'c'}
    assert abs((sampled['group'] == 'c').mean() - 1 / 60) < 0.01  # its real share


@pytest.mark.parametrize('first', [
    'from sdv_fairdistill import FairDistillImageSynthesizer',
    # Each order costs a fresh interpreter importing SDV (10 s): the other two run slow.
    pytest.param('from sdv_fairdistill.synthesizers._parameters import InvalidParameterError',
                 marks=pytest.mark.slow),
    pytest.param('import sdv_fairdistill.synthesizers.tabular', marks=pytest.mark.slow),
])
def test_sdv_registers_the_synthesizer_whatever_is_imported_first(first):
    # SDV loads its add-ons while the first of our modules that imports sdv is still being
    # imported; a half-initialised module there made the registration fail with a warning.
    import subprocess
    import sys

    code = f'{first}\nfrom sdv.single_table import FairDistillSynthesizer\nprint("registered")'
    result = subprocess.run([sys.executable, '-W', 'error::UserWarning', '-c', code],
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == 'registered', result.stderr[-2000:]


@pytest.fixture(scope='module')
def missing_wages():
    """A number missing mostly in one kind of row: wages of the 'young' are 70 % missing, of
    the others 10 % (SDV's default would put them back at random, after filling the mean)."""
    rng = np.random.RandomState(9)
    age = rng.choice(['young', 'old'], 2000)
    wages = rng.normal(20, 5, 2000)
    wages[rng.uniform(size=2000) < np.where(age == 'young', 0.7, 0.1)] = np.nan
    return pd.DataFrame({
        'group': rng.choice(['a', 'b'], 2000), 'age': age, 'wages': wages,
        'label': rng.choice(['yes', 'no'], 2000),
    })


def _fit_missing(table, transformers=None):
    metadata = Metadata.detect_from_dataframes({'t': table})
    synthesizer = FairDistillSynthesizer(
        metadata, 'group', 'label', epochs=30, distill_epochs=10, batch_size=200, seed=0
    )
    if transformers:
        synthesizer.auto_assign_transformers({'t': table})
        synthesizer.update_transformers(transformers)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        synthesizer.fit({'t': table})
    return synthesizer


@pytest.fixture(scope='module')
def missing_wages_generated(missing_wages):
    """Generated tables of the default fit and of one with SDV's own missing-value handling
    (random reinsertion) set by the user."""
    from rdt.transformers import FloatFormatter

    chosen = FloatFormatter(missing_value_replacement='mean', missing_value_generation='random')
    user = _fit_missing(missing_wages, {'wages': chosen})
    return _fit_missing(missing_wages).sample(4000)['t'], user


def _spike(values, mean):
    """The share of values within 0.25 of ``mean`` (the real wages' standard deviation is 5)."""
    return (abs(values.dropna() - mean) < 0.25).mean()


def test_missing_numbers_come_with_their_row_and_less_as_a_spike_at_the_mean(
    missing_wages, missing_wages_generated
):
    synthetic, user = missing_wages_generated
    random = user.sample(4000)['t']
    by_age = synthetic['wages'].isna().groupby(synthetic['age']).mean()
    assert by_age['young'] - by_age['old'] > 0.3  # real: 0.7 against 0.1
    by_age = random['wages'].isna().groupby(random['age']).mean()
    assert abs(by_age['young'] - by_age['old']) < 0.1  # SDV's way: at random
    # SDV fills the missing rows with the mean, which a model learns as a spike; drawn with
    # the row, the missing rows give it less of the non-missing values (not none: 16 % here,
    # 3 % of the real values lie that close to the mean).
    mean = missing_wages['wages'].mean()
    assert _spike(synthetic['wages'], mean) < 0.5 * _spike(random['wages'], mean)
    # The filled mean is no point mass of the real wages, so no generated wage is exactly it
    # (taken as a spike, it was 13 % of them).
    assert not (abs(synthetic['wages'].dropna() - mean) < 1e-6).any()


def test_a_users_transformer_for_missing_numbers_is_kept(missing_wages_generated):
    _, user = missing_wages_generated
    assert user.get_transformers()['wages'].missing_value_generation == 'random'


def test_a_refit_on_rows_without_the_missing_values_works_and_back(missing_wages):
    # The first fit's 'from_column' transformer was kept, and RDT failed to refit it on a
    # column without missing values ("Shape of passed values is (2000, 1), indices imply
    # (2000, 2)").
    metadata = Metadata.detect_from_dataframes({'t': missing_wages})
    synthesizer = FairDistillSynthesizer(metadata, 'group', 'label', epochs=1, distill_epochs=1,
                                         batch_size=500, seed=0)
    wages = missing_wages['wages']
    filled = missing_wages.assign(wages=wages.fillna(wages.median()))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for table, generation, missing in ((missing_wages, 'from_column', True),
                                           (filled, 'random', False),
                                           (missing_wages, 'from_column', True)):
            synthesizer.fit({'t': table})
            assert synthesizer.get_transformers()['wages'].missing_value_generation == generation
            assert synthesizer.sample(500)['t']['wages'].isna().any() == missing


def test_an_update_of_transformers_sdv_refuses_changes_nothing(missing_wages):
    from rdt.transformers import FloatFormatter

    metadata = Metadata.detect_from_dataframes({'t': missing_wages})
    synthesizer = FairDistillSynthesizer(metadata, 'group', 'label', epochs=1, distill_epochs=1,
                                         batch_size=500, seed=0)
    with pytest.raises(Exception, match='must be prepared for fitting'):  # SDV's: too early
        synthesizer.update_transformers({'wages': FloatFormatter()})
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        synthesizer.fit({'t': missing_wages})
    # The refused call did not make 'wages' a user's column, which would have kept SDV's
    # 'random' instead of the missing values drawn with the row.
    assert synthesizer.get_transformers()['wages'].missing_value_generation == 'from_column'


def test_a_table_too_wide_to_encode_is_refused_before_training(monkeypatch):
    """A column of nearly unique text detected as categorical is one one-hot column per
    value: past the memory limit the fit stops with the column named, not a MemoryError."""
    from sdv.errors import InvalidDataError

    from sdv_fairdistill.synthesizers import _table_rows

    rng = np.random.RandomState(0)
    data = pd.DataFrame({
        'title': [f'title {i}' for i in range(2000)],
        'group': rng.choice(['a', 'b'], 2000),
        'x': rng.normal(size=2000),
    })
    metadata = Metadata.load_from_dict({'tables': {'toy': {'columns': {
        'title': {'sdtype': 'categorical'}, 'group': {'sdtype': 'categorical'},
        'x': {'sdtype': 'numerical'},
    }}}})
    # 2,000 rows x about 2,000 one-hot columns x 4 bytes is 16 MB: over a 1 MiB limit.
    monkeypatch.setattr(_table_rows, 'MAX_ENCODED_BYTES', 2**20)
    synthesizer = FairDistillSynthesizer(metadata, sensitive_columns='group', epochs=1)
    with pytest.raises(InvalidDataError, match=r"widest column is 'title' \(2,000 encoded"):
        synthesizer.fit({'toy': data})
    assert synthesizer._model is None


def test_an_id_of_numbers_is_not_taken_for_classes():
    """A person number detected as an id (not the key: two rows a person) and named the target
    would be as many classes as people: refused before training, with the sdtype that makes
    it a number."""
    from sdv.errors import InvalidDataError

    rng = np.random.RandomState(0)
    data = pd.DataFrame({
        'group': rng.choice(['a', 'b'], 300),
        'x': rng.normal(size=300),
        'person_id': np.repeat(np.arange(1000, 1150), 2),  # two rows a person: no key
    })
    metadata = Metadata.detect_from_dataframes({'toy': data})
    assert metadata.tables['toy'].columns['person_id']['sdtype'] == 'id'
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        synthesizer = FairDistillSynthesizer(
            metadata, sensitive_columns='group', target_column='person_id', epochs=1
        )
    with pytest.raises(InvalidDataError, match=(
        r"'person_id' was detected as 'id' and holds 150 distinct numbers.*"
        r"update_column\('person_id', sdtype='numerical'\)"
    )):
        synthesizer.fit({'toy': data})
    assert synthesizer._model is None


def test_zero_inflated_columns_keep_their_share_of_zeros(adult):
    # Adult's capital gains and losses are 91 % and 96 % zeros here. In a Gaussian mode the
    # decoder's noise spread them: this fit gave 48 % and 50 % zeros, and 8 % and 46 % of
    # its rows made-up amounts under half the real smallest. As spikes they keep their share
    # up to what 20 epochs learn of a 91 % mode (0.954 against 0.913 here).
    train, _ = adult
    metadata = Metadata.detect_from_dataframes({'adult': train})
    columns = metadata.to_dict()['tables']['adult']['columns']
    assert columns['capital-gain']['sdtype'] == 'numerical'
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns='sex', target_column='income',
        epochs=20, distill_epochs=5, seed=0, batch_size=250,
    )
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        synthesizer.fit({'adult': train})
        sampled = synthesizer.sample(2000)['adult']
    for column in ('capital-gain', 'capital-loss'):
        real = (train[column] == 0).mean()
        assert abs((sampled[column] == 0).mean() - real) < 0.06, column
        # Every generated zero is exactly zero, and no amount is below the real smallest.
        smallest = train.loc[train[column] > 0, column].min()
        assert ((sampled[column] == 0) | (sampled[column] >= 0.5 * smallest)).mean() > 0.97


def _table_with_a_taken_flag_name(rows, label):
    """'income' with 15 % missing beside the user's own categorical 'income.is_null' (and a
    0 / 1 label 'y' when ``label``), with its metadata."""
    rng = np.random.default_rng(0)
    income = rng.gamma(2, 10, rows)
    income[rng.random(rows) < 0.15] = np.nan
    table = pd.DataFrame({'income': income, 'income.is_null': rng.choice(['p', 'q'], rows),
                          'age': rng.normal(40, 10, rows), 'sex': rng.choice(['F', 'M'], rows)})
    columns = {'income': {'sdtype': 'numerical'}, 'income.is_null': {'sdtype': 'categorical'},
               'age': {'sdtype': 'numerical'}, 'sex': {'sdtype': 'categorical'}}
    if label:
        table['y'] = rng.choice([0, 1], rows)
        columns['y'] = {'sdtype': 'categorical'}
    return table, Metadata.load_from_dict({'tables': {'t': {'columns': columns}}})


def test_a_users_column_named_like_the_missing_flag_keeps_the_missing_share():
    # The table has its own 'income.is_null'; RDT renames SDV's pair to 'income#' and
    # 'income#.is_null', and the flag was then found by splitting its name, missed, and learnt
    # as a number: at one epoch 49 % of the incomes came out missing, against 16 %.
    table, metadata = _table_with_a_taken_flag_name(400, label=True)
    synthesizer = FairDistillSynthesizer(metadata, sensitive_columns='sex', target_column='y',
                                         epochs=1, distill_epochs=1, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # RDT's note on the renamed columns
        synthesizer.fit({'t': table})
    sampled = synthesizer.sample(3000)['t']
    assert list(sampled.columns) == list(table.columns)
    assert sampled['income'].isna().mean() == pytest.approx(table['income'].isna().mean(),
                                                            abs=0.03)
    assert set(sampled['income.is_null']) == {'p', 'q'}


def test_a_number_target_whose_flag_name_is_taken_keeps_sdvs_random_missing_values():
    # The target's pair was renamed ('income#'), and the fit failed saying a constraint had
    # dropped the target.
    table, metadata = _table_with_a_taken_flag_name(300, label=False)
    synthesizer = FairDistillSynthesizer(metadata, sensitive_columns='sex',
                                         target_column='income', epochs=1, distill_epochs=1,
                                         seed=0)
    with pytest.warns(UserWarning, match=r"The table has a column 'income.is_null'.* put back at "
                                         'random'):
        synthesizer.fit({'t': table})
    sampled = synthesizer.sample(2000)['t']
    assert list(sampled.columns) == list(table.columns)
    assert sampled['income'].isna().mean() == pytest.approx(0.15, abs=0.04)
