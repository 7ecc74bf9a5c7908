"""FairnessReport on Adult: documented score formula, fairlearn's numbers, ranking of a biased
table below a label-debiased one, SDMetrics report behaviour, errors."""

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    false_positive_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.model_selection import train_test_split

from sdmetrics.reports import FairnessReport as RegisteredFairnessReport
from sdmetrics.reports.base_report import BaseReport
from sdv_fairdistill.metrics.fairness import FairnessTask
from sdv_fairdistill.metrics.report import FairnessReport

ADULT = Path(__file__).resolve().parents[1] / 'sdv_fairdistill/datasets/data/adult.csv.gz'
NUMERICAL = ('age', 'fnlwgt', 'education-num', 'capital-gain', 'capital-loss', 'hours-per-week')
PROPERTIES = ['Demographic Parity', 'Equalized Odds', 'Downstream Utility']


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
def adult():
    data = pd.read_csv(ADULT).sample(3000, random_state=0).reset_index(drop=True)
    train, validation = train_test_split(
        data, test_size=0.3, random_state=1, stratify=data['income']
    )
    return train.reset_index(drop=True), validation.reset_index(drop=True)


@pytest.fixture(scope='module')
def reports(adult):
    """Reports of the biased table (the real training data) and of its debiased labels."""
    train, validation = adult
    metadata = sdmetrics_metadata(train.columns)
    generated = {}
    for name, synthetic in (('biased', train), ('debiased', debias_labels(train))):
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


def test_report_ranks_the_biased_table_below_the_debiased_one(reports):
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
    assert debiased.get_score() > biased.get_score()

    # The fairness is bought with some utility: it is reported, not hidden.
    assert scores['debiased']['Downstream Utility'] < scores['biased']['Downstream Utility']


def test_scores_follow_the_documented_formula(reports):
    for report, _ in reports.values():
        properties = report.get_properties().set_index('Property')['Score']
        assert list(properties.index) == PROPERTIES
        assert report.get_score() == pytest.approx(properties.mean())

        data_dpd = _value(report, 'Data', 'Synthetic data', 'Demographic Parity Difference')
        tstr_dpd = _value(
            report, 'TSTR', 'Synthetic-trained model', 'Demographic Parity Difference'
        )
        tstr_eod = _value(report, 'TSTR', 'Synthetic-trained model', 'Equalized Odds Difference')
        utility = [
            _value(report, 'TSTR', 'Synthetic-trained model', metric)
            for metric in ('Accuracy', 'F1', 'AUROC')
        ]
        assert properties['Demographic Parity'] == pytest.approx(
            np.mean([1 - data_dpd, 1 - tstr_dpd])
        )
        assert properties['Equalized Odds'] == pytest.approx(1 - tstr_eod)
        assert properties['Downstream Utility'] == pytest.approx(np.mean(utility))


def test_report_numbers_equal_fairlearn(adult, reports):
    train, validation = adult
    report, synthetic = reports['debiased']
    y_synthetic = synthetic['income'].eq('>50K').astype(int).to_numpy()
    assert _value(report, 'Data', 'Synthetic data', 'Demographic Parity Ratio') == (
        demographic_parity_ratio(y_synthetic, y_synthetic, sensitive_features=synthetic['sex'])
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
            demographic_parity_difference(y_true, result.y_pred, sensitive_features=sex)
        )
        assert _value(report, 'TSTR', name, 'Equalized Odds Difference') == (
            equalized_odds_difference(y_true, result.y_pred, sensitive_features=sex)
        )
        assert _value(report, 'TSTR', name, 'Accuracy') == accuracy_score(y_true, result.y_pred)
        assert _value(report, 'TSTR', name, 'F1') == f1_score(y_true, result.y_pred)
        assert _value(report, 'TSTR', name, 'AUROC') == roc_auc_score(y_true, result.y_score)

        frame = MetricFrame(
            metrics={'TPR': true_positive_rate, 'FPR': false_positive_rate},
            y_true=y_true,
            y_pred=result.y_pred,
            sensitive_features=sex,
        )
        details = report.get_details('Equalized Odds')
        rows = details[details['Source'] == name].set_index('Group')
        assert rows['TPR'].to_dict() == frame.by_group['TPR'].to_dict()
        assert rows['FPR'].to_dict() == frame.by_group['FPR'].to_dict()
        assert rows['Size'].to_dict() == sex.value_counts().to_dict()


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
    utility = report.get_details('Downstream Utility')
    assert list(utility['Metric']) == ['Accuracy', 'F1', 'AUROC']

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
    assert 'Overall Score (Average)' in printed


def test_intersectional_groups_too_small_are_named(adult):
    train, validation = adult
    message = r"group\(s\) of sex x race: .*'Female, Other' has \d rows"
    with pytest.raises(ValueError, match=message):
        FairnessReport().generate(
            train, train, sdmetrics_metadata(train.columns), ['sex', 'race'], 'income',
            real_validation_data=validation, verbose=False,
        )


def test_report_errors(adult):
    train, validation = adult
    metadata = sdmetrics_metadata(train.columns)
    report = FairnessReport()
    with pytest.raises(ValueError, match='has not been generated'):
        report.get_score()
    with pytest.raises(ValueError, match="target_column 'salary' is not a column"):
        report.generate(train, train, metadata, 'sex', 'salary', verbose=False)
    with pytest.raises(ValueError, match="'education' has 16 distinct values"):
        report.generate(train, train, metadata, 'sex', 'education', verbose=False)
    with pytest.raises(ValueError, match=r"Only in real_data: \['age'\]"):
        report.generate(train, train.drop(columns='age'), metadata, 'sex', 'income',
                        verbose=False)


def test_report_is_registered_in_sdmetrics():
    assert RegisteredFairnessReport is FairnessReport
    assert issubclass(FairnessReport, BaseReport)
