"""The benchmark runner in quick mode, and the metrics it is built from."""

import json

import numpy as np
import pandas as pd
import pytest

from sdv_fairdistill.benchmark import (
    GENERATORS,
    REFERENCE,
    BenchmarkConfig,
    BenchmarkResult,
    TableEmbedding,
    density_coverage,
    run_benchmark,
)
from sdv_fairdistill.benchmark.embedding import column_types
from sdv_fairdistill.benchmark.evaluation import group_fairness, label_gap, positive_labels

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
    assert list(sweep.index.get_level_values('fairness_weight')) == [0.0, 10.0]


def test_outputs(result, tmp_path):
    markdown = result.to_markdown()
    assert '### compas' in markdown and '| FairDistill |' in markdown and ' ± ' in markdown
    paths = result.save(tmp_path)
    assert {'json', 'markdown', 'html'} <= set(paths)
    payload = json.loads(paths['json'].read_text())
    assert payload['config']['datasets'] == ['compas']
    assert len(payload['records']) == 8 and len(payload['sweep']) == 2
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
        BenchmarkConfig(params={'TabFairGAN': {}})
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
    types = column_types({'a': {'sdtype': 'categorical'}, 'b': {'sdtype': 'numerical'}}, real.columns)
    embedding = TableEmbedding(types).fit(real)
    matrix = embedding.transform(fake)
    assert matrix.shape == (4, 4)  # x, y, (missing), b
    assert matrix[0, :3].sum() == 0  # an unseen category is all zeros


def test_fairness_helpers_match_rates_counted_by_hand():
    y_true = np.array([1, 0, 1, 0, 1, 0, 1, 0])
    y_pred = np.array([1, 1, 1, 0, 1, 0, 0, 0])
    groups = np.array(['a'] * 4 + ['b'] * 4)
    scores = group_fairness(y_true, y_pred, groups)
    # Positive predictions: a 3 of 4, b 1 of 4.
    assert scores['dp_difference'] == pytest.approx(0.75 - 0.25)
    assert scores['dp_ratio'] == pytest.approx(0.25 / 0.75)
    # TPR a 2/2, b 1/2; FPR a 1/2, b 0/2. Worst gap 0.5; worst ratio min(0.5 / 1, 0 / 0.5) = 0.
    assert scores['eo_difference'] == pytest.approx(0.5)
    assert scores['eo_ratio'] == pytest.approx(0.0)
    # No positive prediction at all: no gap, and the ratios are 0 / 0, reported as NaN.
    nothing = group_fairness(y_true, np.zeros(8, dtype=int), groups)
    assert nothing['dp_difference'] == 0.0 and nothing['eo_difference'] == 0.0
    assert np.isnan(nothing['dp_ratio']) and np.isnan(nothing['eo_ratio'])
    assert label_gap(y_true, groups) == 0.0  # both groups half positive
    assert label_gap(y_pred, groups) == pytest.approx(0.5)
    assert np.isnan(label_gap(y_true, np.array(['a'] * 8)))  # one group: no gap to take
    table = pd.DataFrame({'t': [1, 0, 1.0], 'u': ['good', 'bad', 'good']})
    assert list(positive_labels(table, 't', 1)) == [1, 0, 1]
    assert list(positive_labels(table, 'u', 'good')) == [1, 0, 1]


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
