"""Explanations: feature attributions, proxy strength, the report's explanation views, the
HTML report and the synthesizer's latent view."""

import json
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
import shap
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

from sdv_fairdistill.metrics import FairnessReport
from sdv_fairdistill.metrics import _explanations as explanations
from sdv_fairdistill.metrics._features import generic_encoder, generic_frame
from sdv_fairdistill.metrics._task import FairnessTask
from sdv_fairdistill.metrics.html import read_figures

METADATA = {'columns': {
    'signal': {'sdtype': 'numerical'},
    'noise': {'sdtype': 'numerical'},
    'proxy': {'sdtype': 'categorical'},
    'group': {'sdtype': 'categorical'},
    'label': {'sdtype': 'categorical'},
}}


def _table(rows, seed, label_uses_group):
    """``label`` from ``signal`` (and from ``group`` when ``label_uses_group``); ``proxy``
    equals ``group`` on 90 % of the rows; ``noise`` is independent of everything."""
    rng = np.random.RandomState(seed)
    group = rng.choice(['a', 'b'], rows)
    proxy = np.where(rng.rand(rows) < 0.9, group, np.where(group == 'a', 'b', 'a'))
    signal = rng.randn(rows)
    noise = rng.randn(rows)
    logit = 2 * signal + (3 * (group == 'a') - 1.5 if label_uses_group else 0)
    label = np.where(rng.rand(rows) < 1 / (1 + np.exp(-logit)), 'yes', 'no')
    return pd.DataFrame({'signal': signal, 'noise': noise, 'proxy': proxy, 'group': group,
                         'label': label})


@pytest.fixture(scope='module')
def task():
    """Real rows whose label depends on the group; a 'synthetic' table where it does not."""
    return FairnessTask(
        _table(3000, 0, True), _table(3000, 1, False), METADATA,
        target_column='label', sensitive_columns='group',
        real_validation_data=_table(1500, 2, True),
    )


def test_shap_of_the_one_hot_columns_add_up_to_the_model_output():
    table = _table(1000, 0, True)
    table.loc[::7, 'noise'] = np.nan  # a missing-value indicator column in the encoding
    types = {'signal': 'numerical', 'noise': 'numerical', 'proxy': 'categorical',
             'group': 'categorical'}
    encoder = generic_encoder(types).fit(generic_frame(table, types))
    matrix = encoder.transform(generic_frame(table, types))
    owners = explanations._output_columns(encoder, types)
    assert len(owners) == matrix.shape[1]
    assert list(owners).count('noise') == 2  # the value and its missing indicator
    model = HistGradientBoostingClassifier(random_state=0).fit(matrix, table['label'] == 'yes')
    explainer = shap.TreeExplainer(model)
    values = explainer.shap_values(matrix)
    per_column = np.column_stack([values[:, owners == column].sum(axis=1) for column in types])
    # SHAP values of the columns add up to the model's log-odds.
    np.testing.assert_allclose(
        per_column.sum(axis=1) + explainer.expected_value, model.decision_function(matrix),
        atol=1e-6,
    )


@pytest.mark.parametrize('method', ['shap', 'permutation'])
def test_the_group_loses_its_attribution_when_the_labels_stop_using_it(task, method):
    attributions = explanations.feature_attributions(task, method=method).set_index('Column')
    for source in ('Real-trained model', 'Synthetic-trained model'):
        assert attributions[source].sum() == pytest.approx(1)
        # Boosting fits some noise (SHAP sees it, a shuffle of it costs no AUROC).
        assert attributions.loc['noise', source] < 0.2
    real, synthetic = attributions['Real-trained model'], attributions['Synthetic-trained model']
    # By construction: the real labels use the group (logit +-1.5), the synthetic ones do not.
    assert real['group'] > 0.3
    assert synthetic['group'] < 0.05 and synthetic['proxy'] < 0.05
    assert synthetic['signal'] > 0.7
    assert attributions.loc['group', 'Sensitive'] and not attributions.loc['proxy', 'Sensitive']
    assert set(attributions['Method']) == {'SHAP' if method == 'shap' else 'Permutation'}


def test_the_explained_models_learn_a_capped_seeded_subset(task, monkeypatch):
    # Each explained model learns at most MAX_MODEL_ROWS rows (the task's tables have
    # 3,000 and 2,100): the same subset on every run, and the attributions keep their meaning.
    sizes = []

    class Recorded(HistGradientBoostingClassifier):
        def fit(self, X, y, **kwargs):
            sizes.append(len(y))
            return super().fit(X, y, **kwargs)

    monkeypatch.setattr(explanations, 'HistGradientBoostingClassifier', Recorded)
    monkeypatch.setattr(explanations, 'MAX_MODEL_ROWS', 1000)
    first = explanations.feature_attributions(task, method='shap').set_index('Column')
    assert sizes == [1000, 1000]
    again = explanations.feature_attributions(task, method='shap').set_index('Column')
    pd.testing.assert_frame_equal(first, again)
    assert first.loc['group', 'Real-trained model'] > 0.3
    assert first.loc['group', 'Synthetic-trained model'] < 0.05


def test_without_shap_the_attributions_fall_back_to_permutation(task, monkeypatch):
    monkeypatch.setattr(explanations, 'shap_available', lambda: False)
    assert set(explanations.feature_attributions(task)['Method']) == {'Permutation'}
    with pytest.raises(ImportError, match=r'pip install'):
        explanations.feature_attributions(task, method='shap')


def test_proxy_auroc_is_what_the_true_group_shares_give(task):
    proxies = explanations.proxy_strength(task).set_index('Column')
    real = task.tables['real_data']
    # Independent value: the proxy agrees with the group on 90 % of the rows, so ranking by
    # the true P(group = 'b' | proxy) gives this AUROC.
    expected = roc_auc_score(real['group'] == 'b', np.where(real['proxy'] == 'b', 0.9, 0.1))
    assert proxies.loc['proxy', 'Real data'] == pytest.approx(expected, abs=0.01)
    assert proxies.loc['proxy', 'Synthetic data'] == pytest.approx(0.9, abs=0.02)
    assert proxies.loc['noise', 'Real data'] == pytest.approx(0.5, abs=0.04)
    # The real label carries the group, the synthetic one does not.
    assert proxies.loc['label', 'Real data'] > 0.65
    assert proxies.loc['label', 'Synthetic data'] == pytest.approx(0.5, abs=0.04)
    assert proxies.loc['label', 'Target'] and not proxies.loc['proxy', 'Target']
    assert list(proxies.index)[-1] == explanations.ALL_COLUMNS
    assert 'group' not in proxies.index


def test_a_column_named_like_the_all_columns_row_keeps_its_own_row():
    # Its row was overwritten by the all-columns classifier's (0.88 for a noise column).
    rename = {'noise': explanations.ALL_COLUMNS}
    metadata = {'columns': {rename.get(k, k): v for k, v in METADATA['columns'].items()}}
    tables = [_table(1500, seed, True).rename(columns=rename) for seed in (0, 1, 2)]
    task = FairnessTask(tables[0], tables[1], metadata, target_column='label',
                        sensitive_columns='group', real_validation_data=tables[2])
    proxies = explanations.proxy_strength(task).set_index('Column')
    assert proxies.loc[explanations.ALL_COLUMNS, 'Real data'] == pytest.approx(0.5, abs=0.05)
    assert list(proxies.index)[-1] == f'({explanations.ALL_COLUMNS})'
    assert proxies.iloc[-1]['Real data'] > 0.85  # the proxy and the label together


def test_a_synthetic_group_too_small_for_the_proxies_is_said(task):
    synthetic = task.tables['synthetic_data']
    few = pd.concat([synthetic[synthetic['group'] == 'a'],
                     synthetic[synthetic['group'] == 'b'].head(6)])
    small = FairnessTask(task.tables['real_data'], few, METADATA, target_column='label',
                         sensitive_columns='group',
                         real_validation_data=task.tables['real_validation_data'])
    with pytest.warns(UserWarning, match=r"leaves out the groups 'b' of synthetic_data: fewer "
                                         r'than 10 rows each to cross-validate on, so no AUROC'):
        proxies = explanations.proxy_strength(small)
    assert proxies['Synthetic data'].isna().all()


def test_proxy_figure_shows_every_auroc_and_names_as_text():
    from sdv_fairdistill.metrics._explanation_figures import proxies_figure

    proxies = pd.DataFrame({'Column': ['<b>hours</b>', 'age'], 'Real data': [0.33, 0.7],
                            'Synthetic data': [0.5, 0.6], 'Target': [False, True]})
    figure = proxies_figure(proxies)
    assert figure.layout.xaxis.range[0] <= 0.33  # it began at 0.4: the bar was hidden
    assert list(figure.data[0].y) == ['&lt;b&gt;hours&lt;/b&gt;', '<b>age</b> (target)']


def test_extra_figures_that_are_no_figures_are_refused(report, tmp_path):
    for extra in ({'notes': 'text'}, {3: None}, ['figure']):
        with pytest.raises(TypeError, match=r'extra_figures takes a dict of \{heading'):
            report.save_html(tmp_path / 'page.html', extra_figures=extra)
    assert not (tmp_path / 'page.html').exists()


@pytest.fixture(scope='module')
def report(task):
    report = FairnessReport()
    report.generate(task.tables['real_data'], task.tables['synthetic_data'], METADATA,
                    sensitive_columns='group', target_column='label',
                    real_validation_data=task.tables['real_validation_data'], verbose=False)
    return report


def test_report_shows_the_explanations_without_scoring_them(report, task):
    assert list(report.get_properties()['Property']) == [
        'Demographic Parity', 'Equalized Odds', 'Equal Opportunity', 'Downstream Utility']
    figure = report.get_visualization('Feature Attributions')
    assert [trace.name for trace in figure.data] == ['Real-trained model',
                                                     'Synthetic-trained model']
    assert len(report.get_visualization('Proxy Strength').data) == 2
    assert set(report.get_details('Feature Attributions')['Column']) == {
        'signal', 'noise', 'proxy', 'group'}
    effect = report.get_sensitive_effect().set_index('Group')
    assert effect['Rows'].sum() == len(task.tables['real_validation_data'])
    # The real labels favour group 'a' (logit +1.5 against -1.5), the synthetic ones neither.
    assert effect.loc['a', 'Real-trained model'] > 1 > -1 > effect.loc['b', 'Real-trained model']
    assert abs(effect['Synthetic-trained model']).max() < 0.3
    summary = report.get_attribution_summary()
    assert list(summary['Column'][:2]) == ['group', 'proxy']
    # A column that does not tell the group apart is no proxy, however few columns there are.
    proxies = report.get_details('Proxy Strength').set_index('Column')['Real data']
    assert proxies['noise'] < 0.6 and 'noise' not in set(summary['Column'])
    rows = report.get_summary()
    assert set(rows['Property']) >= {'Feature Attributions', 'Proxy Strength'}
    assert report.get_info()['explanation_time'] > 0


def test_report_without_explanations_says_how_to_get_them(task):
    report = FairnessReport(explain=False)
    report.generate(task.tables['real_data'], task.tables['synthetic_data'], METADATA,
                    sensitive_columns='group', target_column='label', verbose=False)
    with pytest.raises(ValueError, match='explain=True'):
        report.get_visualization('Feature Attributions')
    with pytest.raises(ValueError, match='Explanations .*Proxy Strength'):
        report.get_details('Shapes')
    assert 'Feature Attributions' not in set(report.get_summary()['Property'])


def test_html_report_is_self_contained_with_every_figure(report, tmp_path):
    import plotly.graph_objects as go

    path = tmp_path / 'report.html'
    extra = go.Figure(go.Scatter(x=[0, 1], y=[1, 0], name='latent </script> view'))
    report.save_html(path, extra_figures={'Latent view': extra})
    text = path.read_text()
    assert '<script src=' not in text  # plotly.js is inside, nothing is fetched
    assert 'Plotly.newPlot' in text and 'Latent view' in text
    figures = read_figures(path)
    # Four properties, two explanations, the extra figure; each with its data.
    assert len(figures) == 7
    assert all(figure['data'] for figure in figures)
    assert figures[-1]['data'][0]['name'] == 'latent </script> view'
    json.dumps(figures)  # plain JSON


# ---------------------------------------------------------------------- latent view
@pytest.fixture(scope='module')
def fitted(tiny_fitted):
    return tiny_fitted


def test_latent_embedding_places_the_rows_of_each_group(fitted, adult_sample):
    data, _ = adult_sample
    embedding = fitted.get_latent_embedding(data, num_rows=400, seed=3)
    assert list(embedding.columns) == ['x', 'y', 'group', 'sex']
    assert len(embedding) == 400 and np.isfinite(embedding[['x', 'y']].to_numpy()).all()
    # The same seeded subset of rows, with their own groups.
    rows = np.sort(np.random.RandomState(3).choice(len(data), 400, replace=False))
    assert embedding['sex'].tolist() == data['sex'].iloc[rows].tolist()
    assert 0 <= embedding.attrs['leakage_auroc'] <= 1
    again = fitted.get_latent_embedding({'adult': data}, num_rows=400, seed=3)
    pd.testing.assert_frame_equal(embedding, again)
    assert fitted.get_latent_embedding(data, method='tsne', num_rows=100).shape == (100, 4)


def test_discriminant_view_puts_the_group_difference_on_the_x_axis():
    from sdv_fairdistill.synthesizers._latent_view import _discriminant_view

    rng = np.random.RandomState(0)
    codes = rng.randint(0, 2, 2000)
    latent = rng.randn(2000, 5) * [3, 3, 1, 1, 1]  # the largest spread is not the group's
    latent[:, 4] += 2 * codes  # the groups differ along the last axis only
    points = _discriminant_view(latent, codes, 0)
    assert roc_auc_score(codes, points[:, 0]) > 0.8 or roc_auc_score(codes, -points[:, 0]) > 0.8
    assert abs(roc_auc_score(codes, points[:, 1]) - 0.5) < 0.05


def test_latent_plot_shows_two_synthesizers_side_by_side(fitted, adult_sample):
    data, _ = adult_sample
    figure = fitted.get_latent_plot(data, num_rows=200, compare_to=fitted,
                                    names=('fair', 'unfair'))
    titles = [annotation.text for annotation in figure.layout.annotations]
    assert titles[0].startswith('fair: leakage AUROC ') and titles[1].startswith('unfair')
    assert {trace.name for trace in figure.data} == {'Female', 'Male'}
    # Both panels say what their axes are (they had no titles).
    assert figure.layout.xaxis.title.text == figure.layout.xaxis2.title.text == (
        'first principal component')
    assert figure.layout.yaxis.title.text == 'second principal component'


def test_latent_view_refuses_bad_input_with_a_clear_error(fitted, adult_sample):
    from sdv.errors import SynthesizerInputError

    data, _ = adult_sample
    with pytest.raises(SynthesizerInputError, match="'pca', 'tsne' or 'discriminant'"):
        fitted.get_latent_embedding(data, method='umap')
    with pytest.raises(SynthesizerInputError, match='never saw'):
        fitted.get_latent_embedding(data.assign(sex='Other'))
    with pytest.raises(SynthesizerInputError, match="'age'"):
        fitted.get_latent_embedding(data.drop(columns='age'))
    with pytest.raises(SynthesizerInputError, match='num_rows'):
        fitted.get_latent_embedding(data, num_rows=0)


@pytest.mark.slow
def test_on_adult_the_penalty_hides_the_group_from_the_latent_and_the_label():
    from sdv.single_table import FairDistillSynthesizer
    from sklearn.model_selection import train_test_split

    from sdv_fairdistill.datasets import load_adult

    data, metadata = load_adult(num_rows=6000, random_state=0)
    train, test = train_test_split(data, test_size=0.3, random_state=0, stratify=data['income'])
    leakage, proxies = {}, {}
    for weight in (300.0, 0.0):  # the default, and the unfair ablation
        synthesizer = FairDistillSynthesizer(metadata, sensitive_columns='sex',
                                             target_column='income', fairness_weight=weight,
                                             seed=0)
        synthesizer.fit({'adult': train})
        leakage[weight] = synthesizer.get_latent_embedding(train).attrs['leakage_auroc']
        report = FairnessReport()
        report.generate(train, synthesizer.sample(len(train))['adult'], metadata,
                        sensitive_columns='sex', target_column='income',
                        real_validation_data=test, verbose=False)
        proxies[weight] = report.get_details('Proxy Strength').set_index('Column')

    assert leakage[300.0] < 0.6 < leakage[0.0]
    # The label tells the group in the real data and in the ablation's, not in the fair data.
    assert proxies[0.0].loc['income', 'Real data'] > 0.58
    assert proxies[0.0].loc['income', 'Synthetic data'] > 0.56
    assert proxies[300.0].loc['income', 'Synthetic data'] < 0.53
    # The strongest proxy stays one (fidelity).
    assert proxies[300.0].loc['relationship', 'Synthetic data'] > 0.75


CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt install chromium)")
def test_html_report_draws_every_figure_in_a_browser(report, tmp_path):
    path = tmp_path / 'report.html'
    report.save_html(path)
    dom = subprocess.run(
        [CHROMIUM, '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
         '--no-first-run', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', f'--user-data-dir={tmp_path / "profile"}',
         '--virtual-time-budget=20000', '--dump-dom', path.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    # plotly.js replaced each figure's empty <div> by a drawn plot.
    assert dom.count('class="plot-container plotly"') == len(read_figures(path)) == 6


@pytest.mark.parametrize('method', ['shap', 'permutation'])
def test_a_model_that_uses_no_column_has_no_shares_not_zero_shares(task, method):
    # 30 synthetic rows: a tree leaf needs 20, so the synthetic-trained model makes no split
    # and scores every row alike. Its shares were 0 for every column, summing to 0.
    few = task.tables['synthetic_data'].head(30)
    small = FairnessTask(task.tables['real_data'], few, METADATA, target_column='label',
                         sensitive_columns='group',
                         real_validation_data=task.tables['real_validation_data'])
    cause = ('gives every explained row the same score' if method == 'shap' else
             'loses no AUROC on the explained rows when any one column is shuffled')
    with pytest.warns(UserWarning, match=f'synthetic-trained model {cause}.* shares are NaN'):
        attributions = explanations.feature_attributions(small, method=method)
    assert attributions['Synthetic-trained model'].isna().all()
    assert attributions['Real-trained model'].sum() == pytest.approx(1)


@pytest.mark.parametrize('groups, rows', [(30, 3000), (60, 720)])
def test_all_columns_auroc_over_many_groups_finds_a_proxy_and_only_a_proxy(groups, rows):
    """Over many groups the model takes fewer iterations (a tree per group each; 16 for 30
    groups, 8 for 60): a column that names the group on 90 % of the rows still gives an AUROC
    near the 0.95 that column alone allows, and columns of noise stay near 0.5."""
    rng = np.random.RandomState(0)
    group = np.repeat(np.arange(groups), rows // groups)
    proxy = np.where(rng.rand(len(group)) < 0.9, group, rng.randint(0, groups, len(group)))
    noise = rng.randn(len(group), 3)
    categorical = np.array([True, False, False, False])
    names = np.array([f'g{k}' for k in range(groups)])[group]
    strong = explanations._all_columns_auroc(
        np.column_stack([proxy, noise]).astype(float), categorical, names, 0)
    weak = explanations._all_columns_auroc(
        np.column_stack([rng.randint(0, groups, len(group)), noise]).astype(float),
        categorical, names, 0)
    # One-vs-rest: a group's rows rank first where the proxy names it (90 % + 10 % / groups).
    assert strong > 0.9
    assert abs(weak - 0.5) < 0.05
