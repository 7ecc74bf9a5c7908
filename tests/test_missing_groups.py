"""A missing sensitive value is a group of its own: fitted, generated at its share, made fair,
and named as the fairness report names it."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sdv.errors import InvalidDataError
from sdv.metadata import Metadata
from sklearn.ensemble import HistGradientBoostingClassifier

from sdv_fairdistill import FairDistillSynthesizer
from sdv_fairdistill.metrics import FairnessReport


def _rich(table):
    return table['income'].astype(str).str.strip().str.startswith('>50K')


def _rates(table):
    """Each group's share of high incomes, the missing group named as the report names it."""
    return _rich(table).groupby(table['sex'].fillna('(missing)').to_numpy()).mean()


@pytest.fixture(scope='module')
def missing_sex(adult_sample):
    """Adult rows whose sex is missing far more often for high earners (25 % against 5 %):
    the missing group's income rate differs from both sexes' rates."""
    data, metadata = adult_sample
    data = data.copy()
    rng = np.random.RandomState(0)
    share = np.where(_rich(data), 0.25, 0.05)
    data['sex'] = data['sex'].where(rng.rand(len(data)) >= share)
    return data, metadata


def _fit_with_warnings(data, metadata, **parameters):
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns='sex', target_column='income', seed=0, **parameters
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        synthesizer.fit({'adult': data})
    return synthesizer, [str(warning.message) for warning in caught]


@pytest.fixture(scope='module')
def fitted_with_warnings(missing_sex):
    """A short fit: the groups, warnings and names do not depend on the training length."""
    return _fit_with_warnings(*missing_sex, epochs=2, distill_epochs=1, batch_size=250)


@pytest.fixture(scope='module')
def fitted_at_defaults(missing_sex):
    """The defaults (about 30 s on 2 cores): fairness through proxies needs the full fit."""
    return _fit_with_warnings(*missing_sex)


def _downstream_gap(train, real):
    """The largest gap between the groups' selection rates, on the real rows, of a
    gradient-boosting classifier trained on ``train`` (sex among its features, missing as a
    category of its own)."""
    def matrix(table):
        features = table.drop(columns=['income']).copy()
        for column in features.columns:
            if not pd.api.types.is_numeric_dtype(features[column]):
                categories = sorted(real[column].astype(str).unique())
                features[column] = pd.Categorical(features[column].astype(str), categories)
        return features

    classifier = HistGradientBoostingClassifier(categorical_features='from_dtype', random_state=0)
    classifier.fit(matrix(train), _rich(train))
    selected = pd.Series(classifier.predict(matrix(real)))
    rates = selected.groupby(real['sex'].fillna('(missing)').to_numpy()).mean()
    return rates.max() - rates.min()


def test_missing_values_are_fitted_with_a_warning_that_names_the_column(
    missing_sex, fitted_with_warnings
):
    data, _ = missing_sex
    _, messages = fitted_with_warnings
    missing = int(data['sex'].isna().sum())
    said = [m for m in messages if "Sensitive column 'sex'" in m and f'{missing} missing' in m]
    assert said and "'(missing)'" in said[0]


@pytest.mark.slow
def test_missing_group_is_generated_at_its_share_and_made_fair(missing_sex, fitted_at_defaults):
    data, _ = missing_sex
    synthesizer, _ = fitted_at_defaults
    synthetic = synthesizer.sample(4000)['adult']
    assert set(synthetic['sex'].dropna()) <= set(data['sex'].dropna())
    # 4,000 rows drawn at the real share: about 0.005 standard error.
    assert synthetic['sex'].isna().mean() == pytest.approx(data['sex'].isna().mean(), abs=0.03)
    assert set(_rates(synthetic).index) == {'Female', 'Male', '(missing)'}
    # Measured: 0.52 from the real rows; 0.058 and 0.016 from seeds 0 and 1's tables.
    assert _downstream_gap(data, data) > 0.4
    assert _downstream_gap(synthetic, data) < 0.15


def test_diagnostics_and_report_name_the_missing_group_alike(missing_sex, fitted_with_warnings):
    data, metadata = missing_sex
    synthesizer, _ = fitted_with_warnings
    diagnostics = synthesizer.get_fairness_diagnostics()
    assert set(diagnostics['target_offsets']) == {'Female', 'Male', '(missing)'}
    report = FairnessReport()
    report.generate(
        data, synthesizer.sample(len(data))['adult'], metadata, sensitive_columns='sex',
        target_column='income', verbose=False,
    )
    groups = report.get_details('Demographic Parity').query("Setting == 'Data'")
    assert set(groups['Group']) == {'Female', 'Male', '(missing)'}
    sizes = groups.set_index(['Source', 'Group'])['Size']
    assert sizes['Real data', '(missing)'] == data['sex'].isna().sum()


def test_one_value_and_missing_values_are_two_groups():
    rng = np.random.RandomState(0)
    data = pd.DataFrame({
        'disabled': np.where(rng.rand(300) < 0.3, 'yes', None),
        'x': rng.normal(size=300),
        'y': rng.randint(0, 2, 300),
    })
    metadata = Metadata.detect_from_dataframes({'t': data})
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns='disabled', target_column='y', epochs=2, distill_epochs=1
    )
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        synthesizer.fit({'t': data})
    sample = synthesizer.sample(500)['t']
    assert set(sample['disabled'].dropna()) == {'yes'} and sample['disabled'].isna().any()
    only_missing = data.assign(disabled=None)
    with pytest.raises(InvalidDataError, match=r"Sensitive column 'disabled' has only one group "
                                               r"\(a missing value\)\."):
        FairDistillSynthesizer(
            metadata, sensitive_columns='disabled', target_column='y', epochs=2
        ).fit({'t': only_missing})
    # Other dtypes name the value as it is written, not the array pandas holds it in.
    for dtype in ('category', 'string'):
        one = data.assign(disabled=pd.Series(['yes'] * len(data), dtype=dtype))
        with pytest.raises(InvalidDataError, match=r"has only one group \('yes'\)\. Fairness"):
            FairDistillSynthesizer(
                metadata, sensitive_columns='disabled', target_column='y', epochs=2
            ).fit({'t': one})


def test_conditions_name_known_groups_and_refuse_a_missing_one(fitted_with_warnings):
    from sdv.errors import SynthesizerInputError
    from sdv.sampling import Condition

    synthesizer, _ = fitted_with_warnings
    rows = synthesizer.sample_from_conditions([Condition({'sex': 'Female'}, num_rows=30)])
    assert set(rows['adult']['sex']) == {'Female'}
    # SDV's conditional sampling drops a condition on a missing value: said before sampling.
    with pytest.raises(SynthesizerInputError, match="cannot ask for a missing 'sex'"):
        synthesizer.sample_from_conditions([Condition({'sex': np.nan}, num_rows=30)])
    with pytest.raises(SynthesizerInputError, match=r"sex=\['X'\]\. Known groups of 'sex'"):
        synthesizer.sample_from_conditions([Condition({'sex': 'X'}, num_rows=30)])
    # Known columns are checked the same way, row by row.
    known = synthesizer.sample_remaining_columns(pd.DataFrame({'sex': ['Male'] * 5}))
    assert known['adult']['sex'].tolist() == ['Male'] * 5
    with pytest.raises(SynthesizerInputError, match="cannot ask for a missing 'sex'"):
        synthesizer.sample_remaining_columns(pd.DataFrame({'sex': ['Male', np.nan]}))


@pytest.mark.parametrize('missing', [None, np.nan])
def test_none_and_nan_are_one_missing_group_named_alike(missing):
    """However the table spells a missing value, it is one group, named '(missing)' in the
    diagnostics, the latent view and the small-group warning; an integer-coded column's
    groups are named as the report names them ('1', not '1.0')."""
    rng = np.random.RandomState(0)
    codes = rng.choice([1, 2], 300).astype(object)
    codes[:30] = missing
    codes[30:40] = np.nan  # the other spelling too
    data = pd.DataFrame({'code': codes, 'x': rng.normal(size=300), 'y': rng.randint(0, 2, 300)})
    metadata = Metadata.load_from_dict({'tables': {'t': {'columns': {
        'code': {'sdtype': 'categorical'}, 'x': {'sdtype': 'numerical'},
        'y': {'sdtype': 'categorical'},
    }}}})
    synthesizer = FairDistillSynthesizer(
        metadata, sensitive_columns='code', target_column='y', epochs=2, distill_epochs=1
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        synthesizer.fit({'t': data})
    assert len(synthesizer._groups) == 3
    small = [str(w.message) for w in caught if 'fewer than' in str(w.message)]
    assert small and "'(missing)' (40 rows)" in small[0]
    offsets = synthesizer.get_fairness_diagnostics()['target_offsets']
    assert set(offsets) == {'1', '2', '(missing)'}
    view = synthesizer.get_latent_embedding(data)
    assert set(view['group']) == {'1', '2', '(missing)'}
