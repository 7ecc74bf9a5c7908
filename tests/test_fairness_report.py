"""FairnessReport on Adult: documented score formula, the rates counted by hand, a table with noise
labels scored far below useful data, fairness of a label-debiased table, SDMetrics report
behaviour, the input forms of SDV users, errors that name the table."""


import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from by_hand import dp_difference, dp_ratio, eo_difference, group_rates
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.tree import DecisionTreeClassifier

from sdmetrics.reports import FairnessReport as RegisteredFairnessReport
from sdmetrics.reports.base_report import BaseReport
from sdv_fairdistill.metrics.fairness import (
    DemographicParityDifferenceImprovement,
    EqualizedOddsDifferenceImprovement,
    FairnessTask,
)
from sdv_fairdistill.metrics.report import FairnessReport
from test_metrics import with_values

NUMERICAL = ('age', 'fnlwgt', 'education-num', 'capital-gain', 'capital-loss', 'hours-per-week')
PROPERTIES = ['Demographic Parity', 'Equalized Odds', 'Equal Opportunity', 'Downstream Utility']


def debias_labels(table, seed=0):
    """Flip random income labels within each sex so that P(>50K | sex) = P(>50K).

    Every other column is kept: only the dependence of the label on sex is removed.
    """
    rng = np.random.default_rng(seed)
    debiased = table.copy()
    positive = debiased['income'].eq('>50K')
    rate = positive.mean()
    for _, index in debiased.groupby('sex').groups.items():
        group = positive.loc[index]
        change = int(round(rate * len(index))) - int(group.sum())
        candidates = group.index[~group] if change > 0 else group.index[group]
        flip = rng.choice(candidates, abs(change), replace=False)
        debiased.loc[flip, 'income'] = '>50K' if change > 0 else '<=50K'

    return debiased


def shuffle_labels(table, seed=0):
    """The same rows with the income labels permuted: no feature predicts them any more."""
    shuffled = table.copy()
    shuffled['income'] = np.random.default_rng(seed).permutation(shuffled['income'].to_numpy())
    return shuffled


def sdmetrics_metadata(columns):
    return {
        'columns': {
            column: {'sdtype': 'numerical' if column in NUMERICAL else 'categorical'}
            for column in columns
        }
    }


class DuckMetadata:
    """Stands for SDV's ``Metadata``: an object whose ``to_dict()`` nests the table."""

    def __init__(self, columns):
        self._columns = columns

    def to_dict(self):
        return {'tables': {'adult': sdmetrics_metadata(self._columns)}, 'relationships': []}



@pytest.fixture(scope='module')
def reports(adult):
    """Reports of the biased table (the real training data), of its debiased labels and of
    its shuffled labels."""
    train, validation = adult
    metadata = sdmetrics_metadata(train.columns)
    generated = {}
    tables = (
        ('biased', train),
        ('debiased', debias_labels(train)),
        ('shuffled', shuffle_labels(train)),
    )
    for name, synthetic in tables:
        report = FairnessReport()
        report.generate(
            train,
            synthetic,
            metadata,
            sensitive_columns='sex',
            target_column='income',
            real_validation_data=validation,
            verbose=False,
        )
        generated[name] = (report, synthetic)

    return generated


def _value(report, setting, source, metric):
    summary = report.get_summary()
    row = summary[
        (summary['Setting'] == setting)
        & (summary['Source'] == source)
        & (summary['Metric'] == metric)
    ]
    assert len(row) == 1
    return row['Value'].iloc[0]


def test_debiasing_helper_makes_label_rates_equal(adult):
    debiased = debias_labels(adult[0])
    rates = debiased.groupby('sex')['income'].apply(lambda s: s.eq('>50K').mean())
    assert rates.max() - rates.min() < 0.002
    pd.testing.assert_frame_equal(
        debiased.drop(columns='income'), adult[0].drop(columns='income')
    )


def test_report_finds_the_debiased_table_fairer(reports):
    biased, debiased = reports['biased'][0], reports['debiased'][0]

    # Data level: the label's positive rate by sex inside the table.
    data_biased = _value(biased, 'Data', 'Synthetic data', 'Demographic Parity Difference')
    data_debiased = _value(debiased, 'Data', 'Synthetic data', 'Demographic Parity Difference')
    assert data_biased > 0.15
    assert data_debiased < 0.01

    # TSTR: a classifier trained on the table, predicting real validation data.
    tstr_biased = _value(biased, 'TSTR', 'Synthetic-trained model', 'Demographic Parity Difference')
    tstr_debiased = _value(
        debiased, 'TSTR', 'Synthetic-trained model', 'Demographic Parity Difference'
    )
    assert tstr_debiased < tstr_biased - 0.05

    scores = {name: report.get_properties().set_index('Property')['Score']
              for name, (report, _) in reports.items()}
    assert scores['debiased']['Demographic Parity'] > scores['biased']['Demographic Parity'] + 0.1
    assert scores['debiased']['Equalized Odds'] > scores['biased']['Equalized Odds']

    # The fairness is bought with utility (random label flips blur the signal): it is
    # reported, not hidden. The overall score weighs the two; on these 2,100 rows the loss
    # of AUROC (about 0.06) is as large as the gain in fairness, so the overall scores are
    # within a few hundredths of each other (on the full table debiasing wins, see
    # docs/fairness_metrics.md).
    assert scores['debiased']['Downstream Utility'] < scores['biased']['Downstream Utility']
    assert debiased.get_score() == pytest.approx(biased.get_score(), abs=0.05)


def test_overall_score_separates_noise_labels_from_data(reports):
    useful, noise = reports['biased'][0], reports['shuffled'][0]

    # A classifier that learned nothing is trivially fair: parity alone cannot tell noise.
    noise_properties = noise.get_properties().set_index('Property')['Score']
    assert noise_properties['Demographic Parity'] > 0.9
    assert noise_properties['Equalized Odds'] > 0.9
    noise_auroc = _value(noise, 'TSTR', 'Synthetic-trained model', 'AUROC')
    assert abs(noise_auroc - 0.5) < 0.06

    # Overall = sqrt(mean(DP, EO) * max(0, 2 AUROC - 1)), by hand from the reported numbers.
    for report in (useful, noise):
        properties = report.get_properties().set_index('Property')['Score']
        auroc = _value(report, 'TSTR', 'Synthetic-trained model', 'AUROC')
        fairness = (properties['Demographic Parity'] + properties['Equalized Odds']) / 2
        expected = np.sqrt(fairness * max(0.0, 2 * auroc - 1))
        assert report.get_score() == pytest.approx(expected)

    assert noise.get_score() < 0.5
    assert useful.get_score() >= noise.get_score() + 0.2
    assert useful.get_score() > 0.7


def test_scores_follow_the_documented_formula(reports):
    for report, _ in reports.values():
        properties = report.get_properties().set_index('Property')['Score']
        assert list(properties.index) == PROPERTIES

        data_dpd = _value(report, 'Data', 'Synthetic data', 'Demographic Parity Difference')
        tstr_dpd = _value(
            report, 'TSTR', 'Synthetic-trained model', 'Demographic Parity Difference'
        )
        tstr_eod = _value(report, 'TSTR', 'Synthetic-trained model', 'Equalized Odds Difference')
        auroc = _value(report, 'TSTR', 'Synthetic-trained model', 'AUROC')
        demographic_parity = ((1 - data_dpd) + (1 - tstr_dpd)) / 2
        equalized_odds = 1 - tstr_eod
        utility = max(0.0, 2 * auroc - 1)
        assert properties['Demographic Parity'] == pytest.approx(demographic_parity)
        assert properties['Equalized Odds'] == pytest.approx(equalized_odds)
        assert properties['Downstream Utility'] == pytest.approx(utility)
        assert report.get_score() == pytest.approx(
            ((demographic_parity + equalized_odds) / 2 * utility) ** 0.5
        )
        # Equal opportunity: 1 - the gap of the per-group TPRs the details list.
        details = report.get_details('Equal Opportunity')
        tpr = details[details['Source'] == 'Synthetic-trained model']['TPR']
        assert properties['Equal Opportunity'] == pytest.approx(1 - (tpr.max() - tpr.min()))


@pytest.mark.parametrize('criterion, prop', [
    ('demographic_parity', 'Demographic Parity'),
    ('equalized_odds', 'Equalized Odds'),
    ('equal_opportunity', 'Equal Opportunity'),
])
def test_the_chosen_criterion_alone_is_the_fairness_of_the_score(adult, criterion, prop, capsys):
    train, validation = adult
    report = FairnessReport(fairness_criterion=criterion)
    report.generate(train, train, sdmetrics_metadata(train.columns), sensitive_columns='sex',
                    target_column='income', real_validation_data=validation)
    properties = report.get_properties().set_index('Property')['Score']
    assert report.get_score() == pytest.approx(
        (properties[prop] * properties['Downstream Utility']) ** 0.5
    )
    assert report.get_info()['fairness_criterion'] == criterion
    assert f'fairness: {prop})' in capsys.readouterr().out


def test_an_unknown_report_criterion_is_refused():
    with pytest.raises(ValueError, match="fairness_criterion must be None or one of"):
        FairnessReport(fairness_criterion='parity')


@pytest.mark.parametrize('min_group_size', [0, -1, 2.5, True])
def test_a_min_group_size_below_one_is_refused_before_any_work(min_group_size):
    # At 0 a group without a positive row would pass the group check, and its TPR (none to
    # count) would leave the equal-opportunity gap silently.
    with pytest.raises(ValueError, match='min_group_size must be a positive integer'):
        FairnessReport(min_group_size=min_group_size)


def test_report_numbers_equal_the_rates_counted_by_hand(adult, reports):
    train, validation = adult
    report, synthetic = reports['debiased']
    y_synthetic = synthetic['income'].eq('>50K').astype(int).to_numpy()
    assert _value(report, 'Data', 'Synthetic data', 'Demographic Parity Ratio') == (
        pytest.approx(dp_ratio(y_synthetic, y_synthetic, synthetic['sex']))
    )

    # The same predictions as the report's (same default classifier and seed).
    task = FairnessTask(
        train, synthetic, target_column='income', sensitive_columns='sex',
        real_validation_data=validation,
    )
    y_true = validation['income'].eq('>50K').astype(int).to_numpy()
    sex = validation['sex']
    for source, name in (('real_data', 'Real-trained model'),
                         ('synthetic_data', 'Synthetic-trained model')):
        result = task.tstr(source)
        assert _value(report, 'TSTR', name, 'Demographic Parity Difference') == (
            pytest.approx(dp_difference(y_true, result.y_pred, sex))
        )
        assert _value(report, 'TSTR', name, 'Equalized Odds Difference') == (
            pytest.approx(eo_difference(y_true, result.y_pred, sex))
        )
        assert _value(report, 'TSTR', name, 'Accuracy') == accuracy_score(y_true, result.y_pred)
        assert _value(report, 'TSTR', name, 'F1') == f1_score(y_true, result.y_pred)
        assert _value(report, 'TSTR', name, 'AUROC') == roc_auc_score(y_true, result.y_score)

        counted = group_rates(y_true, result.y_pred, sex)
        details = report.get_details('Equalized Odds')
        rows = details[details['Source'] == name].set_index('Group')
        assert rows['TPR'].to_dict() == pytest.approx(counted['TPR'].to_dict())
        assert rows['FPR'].to_dict() == pytest.approx(counted['FPR'].to_dict())
        assert rows['Size'].to_dict() == sex.value_counts().to_dict()


def test_improvement_rows_equal_the_improvement_metrics(adult, reports):
    # One formula: the report's improvement rows are the metrics' scores, to the bit.
    train, validation = adult
    report, synthetic = reports['debiased']
    kwargs = {
        'target_column': 'income',
        'sensitive_columns': 'sex',
        'real_validation_data': validation,
    }
    for metric in (DemographicParityDifferenceImprovement, EqualizedOddsDifferenceImprovement):
        row = _value(report, 'TSTR', 'Synthetic vs real-trained model', metric.name)
        assert row == metric.compute(train, synthetic, **kwargs)


def test_details_and_visualizations(reports):
    report = reports['biased'][0]

    details = report.get_details('Demographic Parity')
    assert set(details['Setting']) == {'Data', 'TSTR'}
    assert set(details['Source']) == {
        'Real data', 'Synthetic data', 'Real-trained model', 'Synthetic-trained model'
    }
    for column in ('Group', 'sex', 'Size', 'Positive Rate', 'Selection Rate', 'TPR', 'FPR'):
        assert column in details
    tstr = details[details['Setting'] == 'TSTR']
    assert tstr[['TPR', 'FPR']].notna().all().all()
    utility = report.get_details('Downstream Utility').set_index('Metric')
    assert list(utility.index) == [
        'Accuracy', 'F1', 'AUROC', 'AUROC above chance (2 AUROC - 1)'
    ]
    for model in ('Real-trained model', 'Synthetic-trained model'):
        assert utility[model]['AUROC above chance (2 AUROC - 1)'] == pytest.approx(
            2 * utility[model]['AUROC'] - 1
        )

    for name in PROPERTIES:
        figure = report.get_visualization(name)
        assert isinstance(figure, go.Figure)
        assert {trace.name for trace in figure.data} >= {
            'Real-trained model', 'Synthetic-trained model'
        }
    figure = report.get_visualization('Equalized Odds')
    assert [list(trace.x) for trace in figure.data][0] == ['Female', 'Male']

    with pytest.raises(ValueError, match="Invalid property name 'Fairness'"):
        report.get_details('Fairness')


def test_save_and_load(reports, tmp_path):
    report = reports['biased'][0]
    path = tmp_path / 'fairness.pkl'

    report.save(path)
    loaded = FairnessReport.load(path)

    assert loaded.get_score() == report.get_score()
    pd.testing.assert_frame_equal(loaded.get_details('Equalized Odds'),
                                  report.get_details('Equalized Odds'))
    # Neither the tables nor the fitted classifiers are kept in the saved report.
    assert path.stat().st_size < 100_000


def _sdv_or_duck_metadata(columns):
    """SDV's own ``Metadata`` when SDV is installed, else an object with the same to_dict()."""
    try:
        from sdv.metadata import Metadata
    except ImportError:
        return DuckMetadata(columns)

    return Metadata.load_from_dict(DuckMetadata(columns).to_dict())


def test_held_out_validation_and_metadata_forms(adult, capsys):
    train = adult[0].iloc[:1500]
    synthetic = debias_labels(train)
    kwargs = {'sensitive_columns': ['sex'], 'target_column': 'income'}

    first, second = FairnessReport(), FairnessReport()
    first.generate(train, synthetic, _sdv_or_duck_metadata(train.columns), **kwargs)
    second.generate(train, synthetic, sdmetrics_metadata(train.columns), verbose=False, **kwargs)

    assert first.get_score() == second.get_score()  # reproducible split and classifier
    info = first.get_info()
    assert info['num_rows_validation'] == round(0.3 * len(train))
    assert info['validation_data'] == 'the held-out 30% of real_data'
    assert info['positive_label'] == '>50K'
    printed = capsys.readouterr().out
    assert 'Demographic Parity Score' in printed
    overall = (
        'Overall Score (sqrt of fairness x utility; fairness: mean of Demographic Parity and '
        f'Equalized Odds): {round(first.get_score() * 100, 2)}%'
    )
    assert overall in printed


def test_intersectional_groups_too_small_are_named(adult):
    train, validation = adult
    message = r"group\(s\) of sex x race: .*'Female, Other' has \d rows"
    with pytest.raises(ValueError, match=message):
        FairnessReport().generate(
            train, train, sdmetrics_metadata(train.columns), ['sex', 'race'], 'income',
            real_validation_data=validation, verbose=False,
        )


def test_report_takes_one_table_dicts_and_every_metadata_form(adult):
    """SDV 2 samples {table_name: DataFrame}; SDV users hold a Metadata object."""
    train, validation = adult
    train = train.iloc[:1200]
    synthetic = debias_labels(train)
    kwargs = {'sensitive_columns': 'sex', 'target_column': 'income', 'verbose': False}
    single = sdmetrics_metadata(train.columns)

    reference = FairnessReport()
    reference.generate(train, synthetic, single, real_validation_data=validation, **kwargs)
    inputs = [
        # every table as a one-table dict, SDV's Metadata (or its stand-in)
        ({'adult': train}, {'adult': synthetic}, {'adult': validation},
         _sdv_or_duck_metadata(train.columns)),
        # an object with to_dict() only: SDV is never imported by the report
        (train, {'adult': synthetic}, validation, DuckMetadata(train.columns)),
        # a multi-table dict whose table is named by the data's key
        ({'adult': train}, {'adult': synthetic}, validation,
         {'tables': {'other': {'columns': {}}, 'adult': single}}),
    ]
    for real_data, synthetic_data, validation_data, metadata in inputs:
        report = FairnessReport()
        report.generate(
            real_data, synthetic_data, metadata, real_validation_data=validation_data, **kwargs
        )
        assert report.get_score() == reference.get_score()
        pd.testing.assert_frame_equal(report.get_summary(), reference.get_summary())


def test_report_asks_for_one_table(adult):
    train, validation = adult
    metadata = sdmetrics_metadata(train.columns)
    kwargs = {'sensitive_columns': 'sex', 'target_column': 'income', 'verbose': False}
    report = FairnessReport()

    message = (
        r"synthetic_data holds 2 tables \('adult', 'people'\); fairness is measured on one "
        r"table: pass one of them, e\.g\. synthetic_data\['adult'\]"
    )
    with pytest.raises(ValueError, match=message):
        report.generate(train, {'adult': train, 'people': train}, metadata, **kwargs)

    with pytest.raises(ValueError, match=r"The metadata describes 2 tables \('a', 'b'\)"):
        report.generate(train, train, {'tables': {'a': metadata, 'b': metadata}}, **kwargs)

    with pytest.raises(ValueError, match="real_data: 'adult', synthetic_data: 'census'"):
        report.generate({'adult': train}, {'census': train}, metadata, **kwargs)

    with pytest.raises(TypeError, match=r"real_validation_data must be a pandas\.DataFrame or "):
        report.generate(train, train, metadata, real_validation_data=[validation], **kwargs)


def test_missing_sensitive_values_in_synthetic_data_are_blamed_on_it(adult):
    train, validation = adult
    synthetic = train.copy()
    synthetic.loc[:9, 'sex'] = np.nan

    with pytest.raises(ValueError) as error:
        FairnessReport().generate(
            train, synthetic, sdmetrics_metadata(train.columns), 'sex', 'income',
            real_validation_data=validation, verbose=False,
        )

    message = str(error.value)
    assert message.startswith(
        "synthetic_data['sex'] has sensitive values that real_data does not have: "
        "'(missing)' (10 rows); synthetic_data['sex'] has missing values where real_data "
        'has none: drop or fill those rows of synthetic_data.'
    )
    assert 'In real_data' not in message


def test_positive_label_missing_from_synthetic_data_is_blamed_on_it(adult):
    train, validation = adult
    metadata = sdmetrics_metadata(train.columns)
    synthetic = train.assign(income='<=50K')

    with pytest.raises(ValueError) as error:
        FairnessReport().generate(
            train, synthetic, metadata, 'sex', 'income', positive_label='>50K',
            real_validation_data=validation, verbose=False,
        )

    message = str(error.value)
    assert message.startswith(
        "The positive label '>50K' does not occur in synthetic_data['income'] "
        "(its values: '<=50K'). The labels are those of real_data"
    )
    assert 'sample synthetic data that contain the positive class' in message
    assert 'Pass one of the values' not in message

    # Where the label really is wrong, the message says so and names real_data.
    with pytest.raises(ValueError, match=(
        r"'>50k' does not occur in real_data\['income'\] .*Pass one of the values of "
        r"real_data\['income'\] as positive_label"
    )):
        FairnessReport().generate(
            train, train, metadata, 'sex', 'income', positive_label='>50k', verbose=False,
        )


def test_bad_synthetic_and_validation_tables_are_named(adult):
    train, validation = adult
    metadata = sdmetrics_metadata(train.columns)
    kwargs = {'sensitive_columns': 'sex', 'target_column': 'income', 'verbose': False}
    report = FairnessReport()

    # A synthetic table with one group of the sensitive column.
    with pytest.raises(ValueError, match=(
        r"In synthetic_data, too few rows in the group\(s\) of sex: 'Female' has 0 rows.*"
        r"Sample more synthetic rows, or condition the sampling on the sensitive columns"
    )):
        report.generate(train, train[train['sex'] == 'Male'], metadata, **kwargs)

    # A third value of a two-valued target would silently count as negative.
    synthetic = with_values(train, 'income', '>50K.', stop=4)
    with pytest.raises(ValueError, match=(
        r"synthetic_data\['income'\] has values that real_data\['income'\] does not have: "
        r"'>50K\.'.*Map them to those values in synthetic_data"
    )):
        report.generate(train, synthetic, metadata, **kwargs)

    # Only positive labels: nothing to train a classifier on.
    with pytest.raises(ValueError, match=(
        r"synthetic_data\['income'\] has no row without the positive label '>50K', so no "
        'classifier can be trained on it'
    )):
        report.generate(train, train.assign(income='>50K'), metadata,
                        real_validation_data=validation, **kwargs)

    with pytest.raises(ValueError, match=(
        r"'>50K' does not occur in real_validation_data\['income'\].*Pass validation data "
        'that contain both classes'
    )):
        report.generate(train, train, metadata, **kwargs,
                        real_validation_data=validation.assign(income='<=50K'))

    with pytest.raises(ValueError, match=(
        r"real_validation_data lacks the columns \['age'\] of real_data"
    )):
        report.generate(train, train, metadata, **kwargs,
                        real_validation_data=validation.drop(columns='age'))

    with pytest.raises(ValueError, match=(
        r"synthetic_data has columns that real_data lacks: \['id'\]"
    )):
        report.generate(train, train.assign(id=1), metadata, **kwargs)


def test_metadata_that_does_not_match_is_named(adult):
    train, _ = adult
    kwargs = {'sensitive_columns': 'sex', 'target_column': 'income', 'verbose': False}
    metadata = sdmetrics_metadata(train.columns.drop('age'))
    with pytest.raises(ValueError, match=(
        r"metadata does not match real_data: real_data has columns the metadata does not "
        r"describe: \['age'\]"
    )):
        FairnessReport().generate(train, train, metadata, **kwargs)

    with pytest.raises(TypeError, match='The FairnessReport needs metadata'):
        FairnessReport().generate(train, train, None, **kwargs)
    # A column named by a number (a pivot's 2024): SDV's metadata holds it as '2024'.
    numbered = train.rename(columns={'age': 2024})
    metadata = sdmetrics_metadata([str(column) for column in numbered.columns])
    with pytest.raises(ValueError, match=re.escape(
            'real_data has columns named by numbers or other non-text names ([2024]) that the '
            'metadata names as text: rename them in every table, e.g. table.columns = '
            'table.columns.astype(str).')):
        FairnessReport().generate(numbered, numbered, metadata, **kwargs)


def test_datetime_target_or_sensitive_column_asks_for_groups():
    rng = np.random.default_rng(0)
    table = pd.DataFrame({
        'x': rng.normal(size=200),
        'hired': pd.Timestamp('2020-01-01') + pd.to_timedelta(rng.integers(0, 400, 200), 'D'),
        'y': rng.choice(['no', 'yes'], 200),
    })
    metadata = {'columns': {
        'x': {'sdtype': 'numerical'},
        'hired': {'sdtype': 'datetime', 'datetime_format': '%Y-%m-%d'},
        'y': {'sdtype': 'categorical'},
    }}
    with pytest.raises(ValueError, match=(
        r"The sensitive_columns 'hired' of real_data holds datetimes; .*\.dt\.year"
    )):
        FairnessReport().generate(table, table, metadata, 'hired', 'y', verbose=False)
    with pytest.raises(ValueError, match="The target_column 'hired' of real_data holds datetimes"):
        FairnessReport().generate(table, table, metadata, 'y', 'hired', verbose=False)
    # A few dates (cohorts) are groups, as the synthesizer takes them.
    cohorts = table.assign(hired=pd.to_datetime(rng.choice(['2019-01-01', '2020-01-01'], 200)))
    report = FairnessReport(explain=False)
    report.generate(cohorts, cohorts, metadata, 'hired', 'y', verbose=False)
    details = report.get_details('Demographic Parity')
    real = details[(details['Setting'] == 'Data') & (details['Source'] == 'Real data')]
    expected = cohorts.groupby('hired')['y'].apply(lambda y: (y == 'yes').mean())
    assert real['Size'].tolist() == cohorts['hired'].value_counts().sort_index().tolist()
    assert real['Positive Rate'].tolist() == pytest.approx(expected.tolist())


def test_report_errors(adult):
    train, validation = adult
    metadata = sdmetrics_metadata(train.columns)
    report = FairnessReport()
    with pytest.raises(ValueError, match='has not been generated'):
        report.get_score()
    with pytest.raises(ValueError, match="target_column 'salary' is not a column"):
        report.generate(train, train, metadata, 'sex', 'salary', verbose=False)
    with pytest.raises(ValueError, match="'education' has 16 distinct values in real_data"):
        report.generate(train, train, metadata, 'sex', 'education', verbose=False)
    with pytest.raises(ValueError, match=r"synthetic_data lacks the columns \['age'\]"):
        report.generate(train, train.drop(columns='age'), metadata, 'sex', 'income',
                        verbose=False)


class PredictOnly(BaseEstimator, ClassifierMixin):
    """A classifier with fit / predict but neither predict_proba nor decision_function."""

    def fit(self, features, labels):
        self.tree_ = DecisionTreeClassifier(max_depth=3, random_state=0).fit(features, labels)
        self.classes_ = self.tree_.classes_
        return self

    def predict(self, features):
        return self.tree_.predict(features)


def test_utility_of_a_classifier_without_scores_is_its_balanced_accuracy(adult):
    train, validation = adult
    train = train.iloc[:1000]
    report = FairnessReport()
    with pytest.warns(UserWarning, match='AUROC is NaN'):
        report.generate(
            train, train, sdmetrics_metadata(train.columns), 'sex', 'income',
            real_validation_data=validation, classifier=PredictOnly(), verbose=False,
        )

    # The AUROC of 0/1 predictions is the balanced accuracy (TPR + TNR) / 2.
    y_true = validation['income'].eq('>50K').to_numpy()
    task = FairnessTask(train, train, target_column='income', sensitive_columns='sex',
                        real_validation_data=validation, classifier=PredictOnly())
    with pytest.warns(UserWarning, match='AUROC is NaN'):
        y_pred = task.tstr('synthetic_data').y_pred.astype(bool)
    tpr, tnr = y_pred[y_true].mean(), (~y_pred[~y_true]).mean()
    utility = report.get_properties().set_index('Property')['Score']['Downstream Utility']
    assert utility == pytest.approx(2 * (tpr + tnr) / 2 - 1)
    assert np.isnan(_value(report, 'TSTR', 'Synthetic-trained model', 'AUROC'))
    assert 0 < report.get_score() < 1


def test_report_is_registered_in_sdmetrics():
    assert RegisteredFairnessReport is FairnessReport
    assert issubclass(FairnessReport, BaseReport)


def test_two_sensitive_columns_with_an_absent_combination(adult):
    """Joint groups are the combinations that occur: with no row of one combination (no
    Black women here) the report scores the other groups instead of failing."""
    train, validation = adult

    def keep(table):
        table = table[table['race'].isin(['White', 'Black'])]
        return table[~((table['sex'] == 'Female') & (table['race'] == 'Black'))]

    train, validation = keep(train), keep(validation)
    report = FairnessReport()
    report.generate(
        train, train, sdmetrics_metadata(train.columns), sensitive_columns=['sex', 'race'],
        target_column='income', positive_label='>50K', real_validation_data=validation,
        verbose=False,
    )
    assert np.isfinite(report.get_score())
    details = report.get_details('Demographic Parity')
    real = details[details['Source'] == 'Real data'].set_index('Group')
    names = (train['sex'] + ', ' + train['race']).rename('Group')
    rates = train['income'].eq('>50K').groupby(names).mean()
    assert sorted(real.index) == sorted(rates.index)  # the 3 groups that occur, not 4
    assert real['Positive Rate'].to_numpy() == pytest.approx(rates[real.index].to_numpy())
    assert real['Size'].tolist() == names.value_counts()[real.index].tolist()
