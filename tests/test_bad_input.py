"""Tables a user may bring that cannot be learnt as they are: each is refused before training
with an SDV error that names the column and the fix, never a stack trace from inside."""

import re

import numpy as np
import pandas as pd
import pytest
from sdv.errors import InvalidDataError, SynthesizerInputError
from sdv.metadata import Metadata
from sdv.sampling import Condition

from sdv_fairdistill.synthesizers.tabular import FairDistillSynthesizer


#: A fit of seconds: no label scorer, no downstream calibration (not what these tests check).
QUICK = {'label_from_features': False, 'calibrate_target': False}


def _table(rows=200, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        'hours': rng.normal(40, 8, rows),
        'group': rng.choice(['a', 'b'], rows),
        'label': rng.choice(['no', 'yes'], rows),
    })


def _synthesizer(table, sensitive='group', **parameters):
    metadata = Metadata.detect_from_dataframes({'t': table})
    return FairDistillSynthesizer(
        metadata, sensitive_columns=sensitive, target_column='label', epochs=1,
        distill_epochs=1, **parameters,
    )


def _refuse_training(monkeypatch):
    """Make any training step fail loudly: the refusals must come before it."""
    def train(*args, **kwargs):
        raise AssertionError('training started')

    monkeypatch.setattr(FairDistillSynthesizer, '_fit', train)


@pytest.mark.parametrize('column', ['hours', 'label'])
def test_infinite_numbers_are_refused_naming_the_column(monkeypatch, column):
    table = _table()
    if column == 'label':
        table['label'] = np.random.default_rng(1).normal(size=len(table))
    table.loc[[3, 7, 11], column] = [np.inf, -np.inf, np.inf]
    synthesizer = _synthesizer(table)
    _refuse_training(monkeypatch)
    with pytest.raises(InvalidDataError, match=rf"Column '{column}' has 3 infinite value"):
        synthesizer.fit({'t': table})


@pytest.mark.parametrize('sensitive', ['group', ['group', 'second']])
def test_missing_numbers_and_missing_groups_of_every_kind_are_not_refused(monkeypatch, sensitive):
    table = _table()
    table.loc[:20, 'hours'] = np.nan
    # None, NaN and pd.NA are one missing group, in one column and across two.
    table['group'] = pd.Series(['a', None, 'b', np.nan, pd.NA] * 40, dtype=object)
    table['second'] = pd.Series(['x', np.nan, 'y', None] * 50, dtype=object)
    synthesizer = _synthesizer(table, sensitive=sensitive)
    _refuse_training(monkeypatch)
    with pytest.raises(AssertionError, match='training started'):  # past every check
        synthesizer.fit({'t': table})


@pytest.mark.parametrize('values, shown', [
    (['(missing)', None], "'(missing)' and a missing value"),
    ([1, '1'], "1 and '1'"),
])
def test_sensitive_values_that_would_be_reported_as_one_group_are_refused(
    monkeypatch, values, shown
):
    table = _table()
    table['group'] = pd.Series(values * (len(table) // 2), dtype=object)
    synthesizer = _synthesizer(table)
    _refuse_training(monkeypatch)
    message = "Sensitive column 'group' has .*" + re.escape(shown)
    with pytest.raises(InvalidDataError, match=message):
        synthesizer.fit({'t': table})


def test_joint_groups_whose_joined_names_clash_are_refused(monkeypatch):
    table = _table(rows=240)
    pairs = [('x, y', 'z'), ('x', 'y, z'), ('x', 'w')] * 80  # 'x, y, z' twice
    table['first'], table['second'] = zip(*pairs)
    synthesizer = _synthesizer(table, sensitive=['first', 'second'])
    _refuse_training(monkeypatch)
    with pytest.raises(InvalidDataError, match="make two groups one name \\('x, y, z'\\)"):
        synthesizer.fit({'t': table})


def test_a_condition_on_a_group_shows_the_groups_as_the_column_holds_them():
    table = _table()
    table['group'] = np.random.default_rng(2).integers(0, 2, len(table))
    synthesizer = _synthesizer(table, **QUICK)
    synthesizer.fit({'t': table})
    known = r"group=\['1'\]\. Known groups of 'group': \[0, 1\]"
    with pytest.raises(SynthesizerInputError, match=known):
        synthesizer.sample_from_conditions([Condition({'group': '1'}, num_rows=5)])
    rows = synthesizer.sample_from_conditions([Condition({'group': 1}, num_rows=5)])['t']
    assert len(rows) == 5 and (rows['group'] == 1).all()


def test_a_condition_on_a_joint_group_the_fit_never_saw_names_the_known_groups():
    table = _table(rows=300)
    table['race'] = np.random.default_rng(3).choice(['u', 'v', 'w'], len(table))
    table.loc[(table['group'] == 'a') & (table['race'] == 'u'), 'race'] = 'w'  # no 'a' and 'u'
    synthesizer = _synthesizer(table, sensitive=['group', 'race'], **QUICK)
    synthesizer.fit({'t': table})
    message = ("No sensitive group matches the condition group='a', race='u': the fit saw no "
               "row with these values together. Known groups of ['group', 'race']: a, v; a, w; "
               'b, u; b, v; b, w.')
    with pytest.raises(SynthesizerInputError, match=re.escape(message)):
        synthesizer.sample_from_conditions([Condition({'group': 'a', 'race': 'u'}, num_rows=5)])
    with pytest.raises(SynthesizerInputError, match=re.escape(message)):
        synthesizer.sample_remaining_columns(pd.DataFrame({'group': ['b', 'a'],
                                                           'race': ['u', 'u']}))
    rows = synthesizer.sample_from_conditions([Condition({'group': 'b', 'race': 'u'},
                                                         num_rows=5)])['t']
    assert len(rows) == 5 and (rows['group'] == 'b').all() and (rows['race'] == 'u').all()


def test_a_condition_on_a_missing_category_or_class_is_refused_with_the_workaround():
    # SDV dropped the condition and failed with 'No objects to concatenate'.
    table = _table(rows=300)
    rng = np.random.default_rng(5)
    table['town'] = rng.choice(['A', 'B', 'C'], len(table)).astype(object)
    table.loc[rng.random(len(table)) < 0.1, 'town'] = None
    table.loc[rng.random(len(table)) < 0.1, 'label'] = None
    table.loc[rng.random(len(table)) < 0.2, 'hours'] = np.nan
    synthesizer = _synthesizer(table, **QUICK)
    synthesizer.fit({'t': table})
    for column in ('town', 'label'):
        message = re.escape(f"A condition cannot ask for a missing '{column}'") + '.*' + \
            re.escape(f"Sample rows and keep those whose '{column}' is missing")
        with pytest.raises(SynthesizerInputError, match=message):
            synthesizer.sample_from_conditions([Condition({column: np.nan}, num_rows=5)])
        with pytest.raises(SynthesizerInputError, match=message):
            synthesizer.sample_remaining_columns(pd.DataFrame({column: [None]}))
    # A number's missing value is a condition SDV meets (its .is_null flag).
    rows = synthesizer.sample_from_conditions([Condition({'hours': np.nan}, num_rows=5)])['t']
    assert len(rows) == 5 and rows['hours'].isna().all()


def test_a_condition_on_a_class_the_target_never_had_is_refused_with_the_classes():
    # SDV would try 100 times, then advise more tries, which cannot help.
    table = _table()
    synthesizer = _synthesizer(table, **QUICK)
    synthesizer.fit({'t': table})
    message = re.escape("No class of 'label' matches the condition label=['Yes']. Classes of "
                        "'label': ['no', 'yes'].")
    with pytest.raises(SynthesizerInputError, match=message):
        synthesizer.sample_from_conditions([Condition({'label': 'Yes'}, num_rows=5)])
    with pytest.raises(SynthesizerInputError, match=message):
        synthesizer.sample_remaining_columns(pd.DataFrame({'label': ['yes', 'Yes']}))
    rows = synthesizer.sample_from_conditions([Condition({'label': 'yes'}, num_rows=5)])['t']
    assert len(rows) == 5 and (rows['label'] == 'yes').all()

    table['label'] = np.random.default_rng(4).integers(0, 2, len(table))  # detected ordinal
    synthesizer = _synthesizer(table, **QUICK)
    synthesizer.fit({'t': table})
    with pytest.raises(SynthesizerInputError, match=re.escape("label=['1']. Classes of 'label': [0, 1]")):
        synthesizer.sample_from_conditions([Condition({'label': '1'}, num_rows=5)])
    rows = synthesizer.sample_from_conditions([Condition({'label': 1}, num_rows=5)])['t']
    assert len(rows) == 5 and (rows['label'] == 1).all()


def test_parquet_output_of_a_table_with_number_column_names_is_refused_before_sampling(
    tmp_path, monkeypatch
):
    table = _table()
    table.columns = [0, 'group', 'label']
    synthesizer = _synthesizer(table, **QUICK)
    synthesizer.fit({'t': table})
    assert list(synthesizer.sample(5)['t'].columns) == [0, 'group', 'label']

    def sample_batch(*args, **kwargs):
        raise AssertionError('sampling started')

    monkeypatch.setattr(synthesizer, '_sample_batch', sample_batch)
    with pytest.raises(SynthesizerInputError, match=r'column names \[0\] that are not'):
        synthesizer.sample_to_parquet(10, tmp_path / 'rows.parquet')
    assert not list(tmp_path.iterdir())


def test_the_metrics_refuse_groups_they_would_name_alike():
    from sdv_fairdistill.metrics.fairness import DemographicParityDifference

    table = _table()
    kwargs = {'target_column': 'label', 'sensitive_columns': 'group', 'positive_label': 'yes'}
    assert 0 <= DemographicParityDifference.compute(table, table, **kwargs) <= 1
    table['group'] = pd.Series(['(missing)', None] * (len(table) // 2), dtype=object)
    with pytest.raises(ValueError, match=re.escape("'(missing)' and a missing value")):
        DemographicParityDifference.compute(table, table, **kwargs)


def test_a_column_of_thousands_of_values_is_named_with_the_fix(monkeypatch):
    table = _table(rows=1500)
    table['comment'] = [f'note {index % 1200}' for index in range(1500)]  # 1,200 texts
    metadata = Metadata.detect_from_dataframes({'t': table})
    metadata.update_column('comment', sdtype='categorical', table_name='t')
    synthesizer = FairDistillSynthesizer(metadata, sensitive_columns='group',
                                         target_column='label', epochs=1, distill_epochs=1)
    monkeypatch.setattr(FairDistillSynthesizer, '_encode_rows', _stop)
    with pytest.warns(UserWarning, match=r"'comment' \(1,200 values\): each value is a column "
                                         r".*mark it 'id' or 'text'"):
        with pytest.raises(_Stopped):
            synthesizer.fit({'t': table})


class _Stopped(Exception):
    pass


def _stop(*args, **kwargs):
    raise _Stopped


def test_datetime_target_is_refused_with_what_to_derive():
    """A date is neither a class label nor a number the fairness can be measured on (the
    report refuses it too): refused when the synthesizer is made, not fitted with offsets in
    nanoseconds."""
    table = _table().assign(
        label=pd.Timestamp('2020-01-01') + pd.to_timedelta(np.arange(200), unit='D'))
    with pytest.raises(SynthesizerInputError, match=re.escape(
            "The target_column 'label' has sdtype 'datetime'; the target is a class label or a "
            'number. If its values are classes (years or months written as text), mark it '
            "categorical in the metadata (metadata.update_column('label', "
            "sdtype='categorical'))")):
        _synthesizer(table)
    # Years written as text, which SDV detects as datetimes, fit once marked categorical.
    years = _table().assign(label=np.random.default_rng(0).choice(['2019', '2020'], 200))
    metadata = Metadata.detect_from_dataframes({'t': years})
    assert metadata.tables['t'].columns['label']['sdtype'] == 'datetime'
    metadata.update_column('label', sdtype='categorical', table_name='t')
    synthesizer = FairDistillSynthesizer(metadata, sensitive_columns='group', target_column='label',
                                         epochs=1, distill_epochs=1, **QUICK)
    synthesizer.fit({'t': years})
    assert set(synthesizer.sample(50)['t']['label']) <= {'2019', '2020'}


def test_report_without_metadata_names_the_detection_sdv_has():
    from sdv_fairdistill.metrics import FairnessReport

    table = _table()
    with pytest.raises(TypeError) as refusal:
        FairnessReport().generate(table, table, None, sensitive_columns='group',
                                  target_column='label', verbose=False)
    advice = re.search(r'Metadata\.(\w+)\(', str(refusal.value)).group(1)
    assert hasattr(Metadata, advice)
