"""The benchmark runner in quick mode, and the metrics it is built from."""

import inspect
import json
import warnings

import numpy as np
import pandas as pd
import pytest

from sdv_fairdistill.benchmark import (
    GENERATORS,
    REFERENCE,
    BenchmarkConfig,
    BenchmarkResult,
    Evaluator,
    run_benchmark,
    split_dataset,
    tradeoff_figure,
)
from sdv_fairdistill.datasets import get_dataset
from sdv_fairdistill.metrics import FairnessReport
from sdv_fairdistill.metrics._features import TableEmbedding, feature_types
from sdv_fairdistill.synthesizers.tabular import FairDistillSynthesizer
from sdv_fairdistill.metrics.density_coverage import density_coverage

TINY = {'FairDistill': {'epochs': 2, 'distill_epochs': 1, 'batch_size': 200}}


@pytest.fixture(scope='module')
def result():
    config = BenchmarkConfig.quick(
        datasets=['compas'],  # 10 columns: the QualityReport's column pairs stay few
        generators=['FairDistill', 'FairDistill (teacher)', 'GaussianCopula'],
        seeds=[0, 1],
        num_rows=400,
        params=TINY,
        quality_rows=300,
        embedding_rows=300,
        sweep_datasets=['compas'],
        sweep_weights=[0, 10],
        raise_errors=True,
    )
    return run_benchmark(config, progress=False)


def test_quick_run_records_every_cell(result):
    frame = result.to_frame()
    assert len(frame) == 2 * 4  # seeds x (reference + 3 generators)
    assert set(frame['generator']) == {REFERENCE, 'FairDistill', 'FairDistill (teacher)',
                                       'GaussianCopula'}
    assert 'error' not in frame
    generated = frame[frame['generator'] != REFERENCE]
    for column in ('accuracy', 'auroc', 'dp_difference', 'label_gap',
                   'tsts_dp_difference', 'quality', 'density', 'coverage'):
        assert frame[column].notna().all(), column
    # A ratio is undefined (NaN: 0 / 0) when no group gets a positive prediction (or no
    # false positive), which a 2-epoch model may produce; where defined it is a ratio.
    for column in ('dp_ratio', 'eo_ratio'):
        assert frame[column].dropna().between(0, 1).all(), column
    assert frame['accuracy'].between(0, 1).all()
    assert (generated['fit_seconds'] > 0).all()
    assert (generated['parameters'] > 0).all()
    # The teacher ablation keeps the teacher's encoder, so it is the bigger artefact.
    params = generated.groupby('generator')['parameters'].mean()
    assert params['FairDistill (teacher)'] > params['FairDistill']


def test_summary_has_mean_and_spread(result):
    summary = result.summary()
    assert summary.loc[('compas', 'FairDistill'), ('seeds', 'ok')] == 2
    assert summary[('accuracy', 'std')].notna().all()
    sweep = result.sweep_summary()
    # The weights at full repair, then the quick mode's repair at FairDistill's default weight.
    default_weight = inspect.signature(FairDistillSynthesizer).parameters['fairness_weight'].default
    assert list(sweep.loc['compas'].index) == [
        (0.0, 1.0), (10.0, 1.0), (default_weight, 0.9), (default_weight, 0.75),
        (default_weight, 0.5)]
    assert (sweep[('seeds', 'ok')] == 1).all()


def test_outputs(result, tmp_path):
    markdown = result.to_markdown()
    assert '### compas' in markdown and '| FairDistill |' in markdown and ' ± ' in markdown
    paths = result.save(tmp_path)
    assert {'json', 'markdown', 'html'} <= set(paths)
    payload = json.loads(paths['json'].read_text())
    assert payload['config']['datasets'] == ['compas']
    assert len(payload['records']) == 8 and len(payload['sweep']) == 5
    # The sweep's numbers are in the Markdown too, one row a point.
    assert "### compas: FairDistill's trade-off sweep" in markdown
    assert '| 10 | 1 | ' in markdown and '| 300 | 0.75 | ' in markdown
    assert 'plotly' in paths['html'].read_text()[:5000].lower()
    again = BenchmarkResult.from_json(paths['json'].read_text())
    pd.testing.assert_frame_equal(again.summary(), result.summary(), check_dtype=False)


def test_failing_cell_is_recorded_not_raised():
    config = BenchmarkConfig.quick(
        datasets=['german'], generators=['FairDistill'], seeds=[0], num_rows=200,
        params={'FairDistill': {'epochs': -1}}, sweep_weights=[], reference=False,
    )
    with pytest.warns(UserWarning, match='failed'):
        result = run_benchmark(config, progress=False)
    assert "'epochs' must be an integer of at least 1 or None, got -1" in result.records[0]['error']
    assert 'Failed cells' in result.to_markdown()


def test_config_validation():
    with pytest.raises(ValueError, match='Unknown dataset'):
        BenchmarkConfig(datasets=['mnist'])
    with pytest.raises(ValueError, match='Unknown generator'):
        BenchmarkConfig(generators=['DECAF'])
    with pytest.raises(ValueError, match='unknown families'):
        BenchmarkConfig(params={'DECAF': {}})
    assert set(BenchmarkConfig.full().generators) == set(GENERATORS)


def _brute_force_density_coverage(real, fake, k):
    """Naeem et al. (2020), eq. 5 and 6, with closed balls, written the slow, obvious way."""
    real_distances = np.linalg.norm(real[:, None] - real[None], axis=-1)
    radii = np.sort(real_distances, axis=1)[:, k]  # column 0 is the point itself
    cross = np.linalg.norm(real[:, None] - fake[None], axis=-1)  # real x fake
    inside = cross <= radii[:, None]
    return inside.sum() / (k * len(fake)), inside.any(axis=1).mean()


def test_density_coverage_matches_the_formula():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(300, 4))
    fake = np.vstack([rng.normal(loc=0.5, size=(250, 4)), real[:20]])  # with exact copies
    density, coverage = _brute_force_density_coverage(real, fake, 5)
    scores = density_coverage(real, fake, k=5)
    assert scores['density'] == pytest.approx(density)
    assert scores['coverage'] == pytest.approx(coverage)
    same = density_coverage(real, real, k=5)
    assert same['coverage'] == 1.0 and same['precision'] == 1.0
    with pytest.raises(ValueError, match='differ in width'):
        density_coverage(real, fake[:, :3])


def test_embedding_is_fitted_on_real_columns_only():
    real = pd.DataFrame({'a': ['x', 'y', 'x', None], 'b': [1.0, 2.0, np.nan, 4.0]})
    fake = pd.DataFrame({'a': ['z', 'x', 'y', 'x'], 'b': ['5', 1, 2, 3]})
    metadata = {'columns': {'a': {'sdtype': 'categorical'}, 'b': {'sdtype': 'numerical'}}}
    embedding = TableEmbedding(feature_types(real, metadata)).fit(real)
    matrix = embedding.transform(fake)
    assert matrix.shape == (4, 5)  # x, y, (missing), b, b missing
    assert matrix[0, :3].sum() == 0  # an unseen category is all zeros
    # b is standardised with the real mean 7/3 (median 2 imputed) and spread.
    b = np.array([1.0, 2.0, 2.0, 4.0])
    assert matrix[0, 3] == pytest.approx((5 - b.mean()) / b.std())


@pytest.fixture(scope='module')
def compas_split():
    dataset = get_dataset('compas')
    train, test, metadata = split_dataset(dataset, 600, 0.3, 0)
    return dataset, train, test, metadata


def test_evaluator_numbers_are_the_fairness_reports(compas_split):
    """One engine: the benchmark's TSTR and label gap are what a user's FairnessReport says
    on the same tables, and the label gap is the rate gap counted with pandas."""
    dataset, train, test, metadata = compas_split
    evaluator = Evaluator(train, test, metadata, dataset, random_state=0)
    rng = np.random.default_rng(0)
    synthetic = train.sample(len(train), replace=True, random_state=1).reset_index(drop=True)
    synthetic['two_year_recid'] = rng.permutation(synthetic['two_year_recid'].to_numpy())
    scores = evaluator.evaluate(synthetic, fidelity=False)
    assert 'errors' not in scores
    rates = synthetic.groupby('race')['two_year_recid'].mean()
    assert scores['label_gap'] == pytest.approx(rates.max() - rates.min())
    report = FairnessReport()
    report.generate(
        train, synthetic, metadata, sensitive_columns=['race'], target_column='two_year_recid',
        positive_label=1, real_validation_data=test, verbose=False,
    )
    details = report.get_details('Downstream Utility').set_index('Metric')
    for metric, key in (('AUROC', 'auroc'), ('Accuracy', 'accuracy'), ('F1', 'f1')):
        assert scores[key] == pytest.approx(details.loc[metric, 'Synthetic-trained model'])
    assert 0 <= scores['tsts_dp_difference'] <= 1 and 0.5 < scores['tsts_auroc'] <= 1


def test_refused_parts_are_recorded_with_their_reason(compas_split):
    """A table without a positive label: the metrics refuse its classifier and label gap,
    the benchmark records why, and its fidelity scores are still measured."""
    dataset, train, test, metadata = compas_split
    evaluator = Evaluator(train, test, metadata, dataset, quality_rows=200, embedding_rows=200)
    negatives = train.assign(two_year_recid=0)
    scores = evaluator.evaluate(negatives)
    assert set(scores['errors']) == {'tstr', 'label_gap', 'tsts'}
    assert 'two_year_recid' in scores['errors']['tstr']
    assert 'accuracy' not in scores and 'label_gap' not in scores
    assert 0 < scores['quality'] <= 1 and scores['coverage'] > 0
    result = BenchmarkResult(records=[{'dataset': 'compas', 'seed': 0, 'generator': 'g', **scores}])
    assert list(result.errors()['error'].str.split(':').str[0]) == ['tstr', 'label_gap', 'tsts']
    assert 'Failed cells' in result.to_markdown()


def test_parts_run_separately_merge_into_one_table(result, tmp_path, capsys):
    from sdv_fairdistill.cli import main

    frame = result.to_frame()
    parts = []
    for seed in (0, 1):  # as if each seed had run in its own process
        part = BenchmarkResult(
            records=[r for r in result.records if r['seed'] == seed],
            sweep=result.sweep if seed == 0 else [],
            config={**result.config, 'seeds': [seed]},
        )
        part.save(tmp_path / f'seed{seed}')
        parts.append(str(tmp_path / f'seed{seed}'))
    assert main(['benchmark', '--merge', *parts, '--quiet', '-o', str(tmp_path / 'all')]) == 0
    merged = BenchmarkResult.from_json((tmp_path / 'all' / 'results.json').read_text())
    assert len(merged.records) == len(frame)
    assert merged.config['seeds'] == [0, 1]
    assert merged.summary().loc[('compas', 'FairDistill'), ('seeds', 'ok')] == 2
    assert 'mean ± std over 2 seeds' in capsys.readouterr().out
    assert main(['benchmark', '--merge', str(tmp_path / 'nowhere'), '-o', str(tmp_path)]) == 2
    # The same cells twice would count twice: refused, naming the cell.
    assert main(['benchmark', '--merge', parts[0], parts[0], '-o', str(tmp_path / 'x')]) == 2
    assert 'is in more than one run' in capsys.readouterr().err


def test_merged_parts_must_share_their_settings_and_sweep_points(result, tmp_path):
    part = lambda seed, sweep=(), **config: BenchmarkResult(  # noqa: E731
        records=[r for r in result.records if r['seed'] == seed], sweep=list(sweep),
        config={**result.config, 'seeds': [seed], **config},
    )
    # Another number of rows: the merged config said the first part's for both.
    with pytest.raises(ValueError, match=r"different 'num_rows' \(1500, 400\)"):
        BenchmarkResult.combine([part(0), part(1, num_rows=1500)])
    with pytest.raises(ValueError, match="different 'classifier'"):
        BenchmarkResult.combine([part(0), part(1, classifier='RandomForest')])
    # Each part swept the same point: it would count twice in the trade-off curve.
    with pytest.raises(ValueError, match=r"\('compas', 0, 0.0, 1.0\).*more than one run"):
        BenchmarkResult.combine([part(0, result.sweep), part(1, result.sweep)])
    # What differs by design is united: the sweep's settings, reference and ceiling rows.
    merged = BenchmarkResult.combine([
        part(0, sweep_weights=[], reference=False, ceilings=[]),
        part(1, result.sweep, ceilings=['demographic_parity']),
    ])
    assert merged.config['sweep_weights'] == [0.0, 10.0] and merged.config['reference']
    assert merged.config['ceilings'] == ['demographic_parity']
    for text in ('{"a": 1}', '[1, 2]', '{"records": [1]}'):
        with pytest.raises(ValueError, match='not a benchmark result'):
            BenchmarkResult.from_json(text)


def test_repeated_names_are_refused_and_the_sweep_follows_the_datasets():
    for name, values in (('seeds', [0, 0]), ('datasets', ['german', 'german']),
                         ('generators', ['GaussianCopula'] * 2)):
        with pytest.raises(ValueError, match=f'{name} names .* more than once'):
            BenchmarkConfig.quick(**{name: values})
    # The sweep spent its time on Adult, and the trade-off figure showed Adult only.
    assert BenchmarkConfig.quick(datasets=['german']).sweep_datasets == ('german',)
    assert BenchmarkConfig.full().sweep_datasets == ('adult',)
    assert BenchmarkConfig(datasets=['compas', 'adult']).sweep_datasets == ('adult',)
    assert BenchmarkConfig.full().replace(datasets=['german']).sweep_datasets == ('german',)
    chosen = BenchmarkConfig(datasets=['adult'], sweep_datasets=['compas'])
    assert chosen.replace(datasets=['german']).sweep_datasets == ('compas',)


@pytest.mark.parametrize('change, message', [
    ({'sensitive_columns': ('group',)}, r"sensitive_columns names \['group'\], not column"),
    ({'target_column': 'Y'}, r"target_column names \['Y'\], not column"),
    ({'positive_label': 'Good'}, r"positive_label 'Good' is in 0 of 200 rows of 'credit'"),
    ({'table_name': 'mytab'}, r"table_name 'mytab' is not a table of its metadata"),
])
def test_a_users_dataset_with_wrong_roles_is_refused_before_any_fit(change, message, monkeypatch):
    import dataclasses

    from sdv_fairdistill.benchmark import runner
    from sdv_fairdistill.datasets import DATASETS

    spec = dataclasses.replace(get_dataset('german'), name='mine', **change)
    monkeypatch.setitem(DATASETS, 'mine', spec)
    monkeypatch.setattr(runner, 'run_generator', lambda *a, **k: pytest.fail('fitted'))
    config = BenchmarkConfig.quick(datasets=['mine'], generators=['FairDistill'], seeds=[0],
                                   num_rows=200, sweep_weights=[])
    with pytest.raises(ValueError, match=f"Dataset 'mine': {message}"):
        run_benchmark(config, progress=False)


def test_one_sensitive_name_is_one_column():
    import dataclasses

    spec = dataclasses.replace(get_dataset('german'), sensitive_columns='sex')
    assert spec.sensitive_columns == ('sex',)  # not ('s', 'e', 'x')


def test_markdown_names_generators_run_on_fewer_seeds(result):
    # As when one generator's part of a merged run had fewer seeds.
    name = next(r['generator'] for r in result.records if r['generator'] != 'Real data')
    records = [r for r in result.records if not (r['generator'] == name and r['seed'] == 1)]
    partial = BenchmarkResult(records=records, sweep=[], config=result.config)
    markdown = partial.to_markdown()
    assert f'mean ± std over 2 seeds; 1 for {name}.' in markdown
    assert '; 1 for' not in result.to_markdown()


def test_fairlearn_ceilings_are_reference_rows_that_meet_their_constraint():
    """A run with ceilings records fairlearn's constrained classifiers next to the real-data
    row; on the same split each is fairer, by its own criterion, than the unconstrained
    classifier trained on the same real rows."""
    config = BenchmarkConfig.quick(
        datasets=['compas'], generators=[], seeds=[0], num_rows=1500, sweep_weights=[],
        ceilings=['demographic_parity', 'equal_opportunity'], raise_errors=True,
    )
    rows = {row['generator']: row for row in run_benchmark(config, progress=False).records}
    real = rows[REFERENCE]
    dp = rows['fairlearn ExponentiatedGradient (DemographicParity)']
    tpr = rows['fairlearn ExponentiatedGradient (TruePositiveRateParity)']
    assert dp['dp_difference'] < real['dp_difference'] - 0.05
    assert tpr['tpr_difference'] < real['tpr_difference']
    assert 0.5 < dp['accuracy'] <= 1 and 0.5 < tpr['auroc'] <= 1
    with pytest.raises(ValueError, match='unknown criteria'):
        BenchmarkConfig(ceilings=['calibration'])


def test_cells_at_independent_rates_sum_to_the_rows_asked():
    from sdv_fairdistill.benchmark.generators import independent_cell_counts

    real = pd.DataFrame({'s': ['a'] * 6 + ['b'] * 4, 'y': [1, 1, 0, 0, 0, 0, 1, 0, 0, 0]})
    spec = type('Spec', (), {'sensitive_columns': ('s',), 'target_column': 'y'})()
    # p(a) = 0.6, p(b) = 0.4, p(y=1) = 0.3: 100 rows are 18 / 42 / 12 / 28.
    counts = {(v['s'], v['y']): n for v, n in independent_cell_counts(real, spec, 100)}
    assert counts == {('a', 0): 42, ('a', 1): 18, ('b', 0): 28, ('b', 1): 12}
    # 7 rows: shares 2.94 / 1.26 / 1.96 / 0.84, floors 2 / 1 / 1 / 0, and the three largest
    # remainders (b 0, a 0, b 1) get one more row each.
    counts = {(v['s'], v['y']): n for v, n in independent_cell_counts(real, spec, 7)}
    assert counts == {('a', 0): 3, ('a', 1): 1, ('b', 0): 2, ('b', 1): 1}
    assert all(type(v['y']) is int for v, _ in independent_cell_counts(real, spec, 7))


def test_sdv_recipe_and_detected_metadata_rows_with_their_worst_seed():
    """The SDV user's recipe (cells at p(s) p(y)) leaves no label gap inside the table; the
    detected-metadata runs are rows of their own; the summary gives the worst seed."""
    name = 'GaussianCopula (cells at p(s) p(y))'
    config = BenchmarkConfig.quick(
        datasets=['compas'], generators=[name], seeds=[0, 1], num_rows=400,
        quality_rows=200, embedding_rows=200, sweep_weights=[], reference=False,
        metadata=['curated', 'detected'], raise_errors=True,
    )
    result = run_benchmark(config, progress=False)
    frame = result.to_frame()
    detected = f'{name} · detected metadata'
    assert sorted(set(frame['generator'])) == sorted([name, detected])
    assert set(frame.loc[frame['generator'] == detected, 'metadata']) == {'detected'}
    # 280 rows: each race's label rate is the overall one, up to the rounding of its cells.
    assert (frame['label_gap'] < 0.02).all()
    summary = result.summary()
    for generator in (name, detected):
        rows = frame[frame['generator'] == generator]
        assert summary.loc[('compas', generator), ('dp_difference', 'worst')] == rows['dp_difference'].max()
        assert summary.loc[('compas', generator), ('auroc', 'worst')] == rows['auroc'].min()
    assert '(worst ' in result.to_markdown()
    with pytest.raises(ValueError, match='metadata must name'):
        BenchmarkConfig(metadata=['guessed'])


# ------------------------------------------------- DP over the joint groups of 100 test rows
def test_large_group_dp_leaves_out_groups_under_100_rows():
    """Joint groups of 150, 120 and 30 test rows with selection rates 0.4, 0.25 and 0.9:
    the 30-row group is left out, so the difference is 0.4 - 0.25 (0.65 with it)."""
    from sdv_fairdistill.benchmark.evaluation import large_group_dp
    from sdv_fairdistill.metrics._groups import sensitive_frame

    sizes_and_positives = {('F', 'x'): (150, 60), ('M', 'x'): (120, 30), ('F', 'y'): (30, 27)}
    rows, predictions = [], []
    for (sex, race), (size, positives) in sizes_and_positives.items():
        rows += [{'sex': sex, 'race': race}] * size
        predictions += [1] * positives + [0] * (size - positives)
    table = pd.DataFrame(rows)
    y_true = np.random.default_rng(0).integers(0, 2, len(table))  # DP ignores the labels
    sensitive = sensitive_frame(table, ['sex', 'race'])
    scores = large_group_dp(y_true, np.array(predictions), sensitive)
    assert scores['dp_difference_large_groups'] == pytest.approx(0.4 - 0.25)
    assert scores['large_group_count'] == 2
    # Under 100 rows the 30-row group counts too; with 130 a single group is left: refused.
    assert large_group_dp(y_true, np.array(predictions), sensitive, min_rows=30)[
        'dp_difference_large_groups'] == pytest.approx(0.9 - 0.25)
    with pytest.raises(ValueError, match='needs two groups'):
        large_group_dp(y_true, np.array(predictions), sensitive, min_rows=130)


def test_intersectional_evaluator_scores_large_groups_when_small_ones_are_refused():
    """Adult's sex x race: the joint groups of 100+ test rows are kept, counted by pandas on
    the classifier's predictions; the all-group checks refuse the tiny groups, and the
    utility is still recorded."""
    dataset = get_dataset('adult_intersectional')
    train, test, metadata = split_dataset(dataset, 2000, 0.3, 0)
    evaluator = Evaluator(train, test, metadata, dataset, classifier='LogisticRegression')
    evaluation = evaluator.tstr_evaluation(train)
    scores = evaluator.tstr_large_groups(train, evaluation)
    predicted = pd.Series(evaluation.task.tstr('synthetic_data').y_pred)
    rates = predicted.groupby(test['sex'] + ', ' + test['race']).agg(['size', 'mean'])
    large = rates[rates['size'] >= 100]
    assert scores['large_group_count'] == len(large) >= 2
    assert scores['dp_difference_large_groups'] == pytest.approx(
        large['mean'].max() - large['mean'].min())
    everything = evaluator.evaluate(train, fidelity=False)
    assert everything['dp_difference_large_groups'] == scores['dp_difference_large_groups']
    assert 'tstr' in everything['errors'] and 0.5 < everything['accuracy'] <= 1


def test_a_test_table_too_small_for_the_group_checks_still_gets_its_utility():
    """German Credit with its test rows' sex made 'male' but for 3 rows: the fairness
    metrics refuse the 3-row group, and the classifier's accuracy, F1 and AUROC (which do
    not read the groups when the classifier does not see them) are those of the intact
    split, as the fairlearn ceilings record theirs."""
    dataset = get_dataset('german')
    train, test, metadata = split_dataset(dataset, 1000, 0.3, 0)
    intact = Evaluator(train, test, metadata, dataset, use_sensitive_feature=False)
    expected = intact.evaluate(train, fidelity=False)
    assert 'errors' not in expected
    few_women = test.copy()
    women = few_women.index[few_women['sex'] == 'female']
    few_women.loc[women[3:], 'sex'] = 'male'
    evaluator = Evaluator(train, few_women, metadata, dataset, use_sensitive_feature=False)
    scores = evaluator.evaluate(train, fidelity=False)
    assert "'female' has 3 rows" in scores['errors']['tstr']
    assert 'dp_difference' not in scores
    for name in ('accuracy', 'f1', 'auroc'):
        assert scores[name] == expected[name]


def test_one_column_of_many_groups_scores_its_large_groups():
    """COMPAS with all six races, one sensitive column: the groups of 100+ test rows are
    scored as the joint groups are; a two-group table is not (the value would repeat
    dp_difference)."""
    dataset = get_dataset('compas_races')
    train, test, metadata = split_dataset(dataset, 3000, 0.3, 0)
    evaluator = Evaluator(train, test, metadata, dataset, classifier='LogisticRegression')
    assert evaluator.many_groups
    everything = evaluator.evaluate(train, fidelity=False)
    predicted = pd.Series(evaluator.tstr_evaluation(train).task.tstr('synthetic_data').y_pred)
    rates = predicted.groupby(test['race'].to_numpy()).agg(['size', 'mean'])
    large = rates[rates['size'] >= 100]
    assert everything['large_group_count'] == len(large) >= 2
    assert len(large) < len(rates)  # the small races are left out
    assert everything['dp_difference_large_groups'] == pytest.approx(
        large['mean'].max() - large['mean'].min())
    two_groups = get_dataset('compas_sex')
    train, test, metadata = split_dataset(two_groups, 1000, 0.3, 0)
    assert not Evaluator(train, test, metadata, two_groups).many_groups


def test_large_group_columns_only_for_datasets_that_have_them(result):
    """One sensitive column (COMPAS): not measured, no column; joint groups: a column."""
    assert 'dp_difference_large_groups' not in result.to_frame()
    assert 'groups ≥ 100' not in result.to_markdown()
    records = [
        {'dataset': 'joint', 'seed': seed, 'generator': 'g', 'dp_difference': 0.3,
         'dp_difference_large_groups': value, 'large_group_count': 6}
        for seed, value in ((0, 0.04), (1, 0.06))
    ] + [{'dataset': 'single', 'seed': 0, 'generator': 'g', 'dp_difference': 0.1}]
    mixed = BenchmarkResult(records=records)
    joint_row = mixed.summary().loc[('joint', 'g')]
    assert joint_row[('dp_difference_large_groups', 'worst')] == 0.06
    assert joint_row[('dp_difference_large_groups', 'mean')] == pytest.approx(0.05)
    joint, single = mixed.to_markdown().split('### single')
    assert '| DP diff, groups ≥ 100 rows ↓ | Groups ≥ 100 rows |' in joint
    assert '0.050 ± 0.014 (worst 0.060) | 6 |' in joint
    assert 'groups ≥ 100' not in single


def test_a_refused_tsts_part_names_the_synthetic_test_rows():
    """TSTS tests on synthetic rows: the refusal must not call them real validation data."""
    dataset = get_dataset('compas')
    train, test, metadata = split_dataset(dataset, 1500, 0.3, 0)
    evaluator = Evaluator(train, test, metadata, dataset, random_state=0)
    synthetic = train.copy()
    synthetic.loc[synthetic['race'] == 'Caucasian', 'two_year_recid'] = 0  # no positives
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        scores = evaluator.evaluate(synthetic, fidelity=False)
    assert "synthetic table's 30% test part" in scores['errors']['tsts']
    assert 'real_validation_data' not in scores['errors']['tsts']
    assert 'tsts_accuracy' not in scores and 'accuracy' in scores  # only TSTS is refused


def test_ceiling_on_joint_groups_reports_the_large_groups_dp():
    """On sex x race fairlearn's DP classifier gets the DP difference over the joint groups
    with at least 100 test rows (rates counted here from its predictions); a fairness part
    the strict group checks refuse is recorded, not fatal."""
    from sdv_fairdistill.benchmark.ceilings import ceiling_predictions, fairlearn_ceiling

    dataset = get_dataset('adult_intersectional')
    train, test, metadata = split_dataset(dataset, 4000, 0.3, 0)
    evaluator = Evaluator(train, test, metadata, dataset, classifier='LogisticRegression',
                          random_state=0)
    scores = fairlearn_ceiling(evaluator, train, 'demographic_parity', random_state=0)
    predicted, _ = ceiling_predictions(evaluator, train, 'demographic_parity', random_state=0)
    groups = test['sex'].astype(str) + ', ' + test['race'].astype(str)
    large = groups.map(groups.value_counts()) >= 100
    rates = pd.Series(predicted)[large.to_numpy()].groupby(groups[large].to_numpy()).mean()
    assert scores['large_group_count'] == len(rates) >= 2
    assert scores['dp_difference_large_groups'] == pytest.approx(rates.max() - rates.min())
    assert 'accuracy' in scores
    assert 'dp_difference' in scores or 'tstr' in scores['errors']


def test_a_cell_without_fairness_is_left_off_the_plot_not_a_crash(tmp_path):
    from sdv_fairdistill.benchmark import BenchmarkResult

    records = [
        # Its all-group fairness part refused (too small groups), utility kept.
        {'dataset': 'd', 'seed': 0, 'generator': 'refused', 'accuracy': 0.8,
         'errors': {'tstr': 'too few rows'}},
        {'dataset': 'd', 'seed': 0, 'generator': 'scored', 'accuracy': 0.7,
         'dp_difference': 0.05},
    ]
    figure = BenchmarkResult(records=records).tradeoff_figure()
    assert [trace.name for trace in figure.data] == ['scored']
    assert list(figure.data[0].x) == [0.05]
    only_refused = BenchmarkResult(records=records[:1])
    only_refused.save(tmp_path)  # writes the tables and an empty plot
    assert (tmp_path / 'results.md').exists()


def test_a_sweep_whose_every_cell_failed_still_saves_its_figure(tmp_path):
    scores = {'accuracy': 0.8, 'auroc': 0.85, 'dp_difference': 0.05}
    result = BenchmarkResult(
        records=[{'dataset': 'compas', 'seed': 0, 'generator': 'g', **scores}],
        sweep=[{'dataset': 'compas', 'seed': 0, 'fairness_weight': weight,
                'error': 'InvalidParameterError: ...'} for weight in (0.0, 1.0)],
    )
    paths = result.save(tmp_path)
    assert paths['html'].is_file()
    assert len(result.errors()) == 2


def test_the_sweep_learns_with_the_runs_metadata():
    # A run asked for detected metadata swept with the curated one (its default-weight point
    # differed from the run's own cell: COMPAS seed 0, DP 0.039 against 0.022).
    default_weight = inspect.signature(FairDistillSynthesizer).parameters['fairness_weight'].default
    config = BenchmarkConfig.quick(
        datasets=['compas'], generators=['FairDistill'], seeds=[0], num_rows=400, params=TINY,
        metadata=['detected'], reference=False, ceilings=[], sweep_datasets=['compas'],
        sweep_seeds=[0], sweep_weights=[default_weight], raise_errors=True,
    )
    result = run_benchmark(config, progress=False)
    (cell,), (point, *repaired) = result.records, result.sweep
    assert cell['metadata'] == point['metadata'] == 'detected'
    # The repair points fitted (COMPAS's label is two classes), at that weight, with the
    # run's metadata too.
    assert [(r['fairness_weight'], r['label_repair']) for r in repaired] == [
        (default_weight, 0.9), (default_weight, 0.75), (default_weight, 0.5)]
    for record in repaired:
        assert record['metadata'] == 'detected' and 'error' not in record
        assert 0 <= record['dp_difference'] <= 1
    # The same seed, data, metadata and weight: the same fit, so the same scores.
    for metric in ('accuracy', 'auroc', 'dp_difference', 'label_gap'):
        assert point[metric] == cell[metric], metric
    assert 'detected metadata' in tradeoff_figure(result).data[0].name


def _sweep_record(weight, repair, dp, accuracy, seed=0):
    record = {'dataset': 'adult', 'seed': seed, 'generator': 'FairDistill',
              'fairness_weight': weight, 'dp_difference': dp, 'accuracy': accuracy}
    return record if repair is None else {**record, 'label_repair': repair}


def test_the_figure_draws_the_weights_and_the_repairs_as_two_lines():
    points = [(0.0, 1.0, 0.18, 0.87), (300.0, 1.0, 0.01, 0.84), (1000.0, 1.0, 0.02, 0.84),
              (300.0, 0.9, 0.03, 0.845), (300.0, 0.5, 0.10, 0.86)]
    result = BenchmarkResult(records=[], sweep=[_sweep_record(*point) for point in points])
    weights, repairs = tradeoff_figure(result).data
    assert weights.name == 'FairDistill, fairness_weight sweep'
    assert list(weights.text) == ['λ=0', 'λ=300', 'λ=1000']
    assert list(weights.x) == [0.18, 0.01, 0.02] and list(weights.y) == [0.87, 0.84, 0.84]
    # The repairs at the run's weight, from equal rates (1) to the least repaired.
    assert repairs.name == 'FairDistill, label_repair sweep (fairness_weight=300)'
    assert list(repairs.text) == ['a=1', 'a=0.9', 'a=0.5']
    assert list(repairs.x) == [0.01, 0.03, 0.10]
    markdown = result.to_markdown()
    assert '| 300 | 0.9 | 0.845 | 0.030 |' in markdown.replace(' ± nan', '')


def test_sweeps_from_before_label_repair_read_as_full_repair_and_merge_with_new_ones():
    old = BenchmarkResult(records=[], sweep=[_sweep_record(w, None, 0.1, 0.8) for w in (0.0, 300.0)])
    assert list(old.sweep_summary().loc['adult'].index) == [(0.0, 1.0), (300.0, 1.0)]
    (line,) = tradeoff_figure(old).data  # one weight line, as before
    assert list(line.text) == ['λ=0', 'λ=300']
    # A new run's repair point is another cell; its full-repair point at 300 is the same one.
    new = BenchmarkResult(records=[], sweep=[_sweep_record(300.0, 0.5, 0.1, 0.8)])
    merged = BenchmarkResult.combine([old, new])
    assert len(merged.sweep_summary()) == 3
    again = BenchmarkResult(records=[], sweep=[_sweep_record(300.0, 1.0, 0.1, 0.8)])
    with pytest.raises(ValueError, match=r"\('adult', 0, 300.0, 1.0\).*more than one run"):
        BenchmarkResult.combine([old, again])
    # An older run that gave FairDistill a label_repair through params fitted every point with it.
    repaired = BenchmarkResult(records=[], sweep=old.sweep,
                               config={'params': {'FairDistill': {'label_repair': 0.9}}})
    assert list(repaired.sweep_summary().loc['adult'].index) == [(0.0, 0.9), (300.0, 0.9)]
    (line,) = tradeoff_figure(repaired).data
    assert line.name == 'FairDistill, fairness_weight sweep (label_repair=0.9)'
    BenchmarkResult.combine([repaired, again])  # not the same cell


def test_a_lone_repair_point_is_drawn_as_a_repair_and_named_in_the_errors():
    failed = {**_sweep_record(300.0, 0.75, None, None, seed=1), 'error': 'ValueError: boom'}
    result = BenchmarkResult(records=[], sweep=[
        _sweep_record(0.0, 1.0, 0.18, 0.87), _sweep_record(1000.0, 1.0, 0.02, 0.84),
        _sweep_record(300.0, 0.5, 0.10, 0.86), failed])
    lines = {trace.name: list(trace.text) for trace in tradeoff_figure(result).data}
    assert lines['FairDistill, fairness_weight sweep'] == ['λ=0', 'λ=1000']
    assert lines['FairDistill, label_repair sweep (fairness_weight=300)'] == ['a=0.75', 'a=0.5']
    (error,) = result.errors().itertuples()
    assert error.generator == 'FairDistill (fairness_weight=300, label_repair=0.75)'
    assert '| 300 | 0.75 (failed on some seeds) |' in result.to_markdown()


def test_the_sweep_points_and_what_refuses_a_repair_sweep():
    default_weight = inspect.signature(FairDistillSynthesizer).parameters['fairness_weight'].default
    config = BenchmarkConfig(sweep_weights=[0, default_weight], sweep_repairs=[1, 0.5])
    # (default, 1) is the weight sweep's point already: fitted once.
    assert config.sweep_points() == [(0.0, 1.0), (default_weight, 1.0), (default_weight, 0.5)]
    chosen = BenchmarkConfig(sweep_weights=[], sweep_repairs=[0.5],
                             params={'FairDistill': {'fairness_weight': 50.0}})
    assert chosen.sweep_points() == [(50.0, 0.5)]
    # No weight sweep, no repair sweep (sweep_weights=() still means no sweep); parameters
    # under which label_repair is refused get none by default, and an error when asked.
    assert BenchmarkConfig(sweep_weights=[]).sweep_points() == []
    criterion = {'FairDistill': {'fairness_criterion': 'equalized_odds'}}
    assert BenchmarkConfig(params=criterion).sweep_repairs == ()
    with pytest.raises(ValueError, match="label_repair, which needs demographic parity"):
        BenchmarkConfig(params=criterion, sweep_repairs=[0.5])
    with pytest.raises(ValueError, match=r'sweep_repairs must be between 0 and 1, got \[1.5\]'):
        BenchmarkConfig(sweep_repairs=[1.5])
    assert BenchmarkConfig().replace(sweep_weights=[]).sweep_points() == []
    assert BenchmarkConfig.quick().replace(sweep_weights=[]).sweep_points() == []
    assert BenchmarkConfig().replace(params=criterion).sweep_repairs == ()
    # A weight given as a number, as the other settings accept; label_repair=1 is always allowed.
    assert BenchmarkConfig(sweep_weights=100.0).sweep_points()[0] == (100.0, 1.0)
    assert BenchmarkConfig(params=criterion, sweep_weights=[], sweep_repairs=[1]).sweep_points(
    ) == [(default_weight, 1.0)]
