"""Run the benchmark: every dataset x seed x generator, then the trade-off sweep."""

import time
import traceback
import warnings

from sklearn.model_selection import train_test_split

from sdv_fairdistill.benchmark.ceilings import ceiling_name, fairlearn_ceiling
from sdv_fairdistill.benchmark.config import DETECTED_SUFFIX, BenchmarkConfig
from sdv_fairdistill.benchmark.evaluation import Evaluator
from sdv_fairdistill.benchmark.generators import (
    FAIRDISTILL,
    count_parameters,
    get_generator,
    seed_everything,
)
from sdv_fairdistill.benchmark.results import BenchmarkResult
from sdv_fairdistill.datasets import get_dataset
from sdv_fairdistill.metrics._columns import binary_labels

REFERENCE = 'Real data'


def generator_label(name, metadata_kind):
    """The row label of a generator run with ``metadata_kind`` ('curated' or 'detected')."""
    return name if metadata_kind == 'curated' else f'{name}{DETECTED_SUFFIX}'


def generator_metadata(metadata_kind, curated, real_train, dataset):
    """The metadata a generator learns with: the curated one, or what SDV detects."""
    if metadata_kind == 'curated':
        return curated
    from sdv.metadata import Metadata

    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return Metadata.detect_from_dataframes({dataset.table_name: real_train})


def _progress(total, enabled):
    """A tqdm bar on stderr; a disabled (silent) one when ``enabled`` is false."""
    from tqdm.auto import tqdm

    return tqdm(total=total, unit='cell', dynamic_ncols=True, disable=not enabled)


def split_dataset(dataset, num_rows, test_size, seed):
    """Load a dataset and split it into real train / test tables, stratified on the target."""
    data, metadata = dataset.load(num_rows=num_rows, random_state=0)
    labels = binary_labels(data[dataset.target_column], dataset.positive_label)
    train, test = train_test_split(data, test_size=test_size, random_state=seed, stratify=labels)
    return train.reset_index(drop=True), test.reset_index(drop=True), metadata


def _table(sampled, dataset):
    return sampled[dataset.table_name] if isinstance(sampled, dict) else sampled


def fit_generator(spec, dataset, metadata, table, seed, params, enable_gpu):
    """Build one generator and fit it on ``table``, seeded as the benchmark seeds it.

    Returns:
        (fitted synthesizer, fit seconds)
    """
    # torch imports its compiler stack when a process builds its first optimizer (about 3 s
    # here): import it before timing, so whichever generator runs first does not pay for it.
    import torch._dynamo  # noqa: F401

    seed_everything(seed)
    synthesizer = spec.build(metadata, dataset, seed, params, enable_gpu)
    start = time.perf_counter()
    with warnings.catch_warnings():
        # SDV warns about every default it applies; the benchmark uses defaults on purpose.
        warnings.simplefilter('ignore')
        synthesizer.fit({dataset.table_name: table})
    return synthesizer, time.perf_counter() - start


def run_generator(spec, dataset, metadata, real_train, seed, params, enable_gpu):
    """Fit one generator and sample as many rows as it learned from.

    Returns:
        (synthetic table, dict with fit_seconds, sample_seconds, rows_per_second, parameters)
    """
    synthesizer, fit_seconds = fit_generator(
        spec, dataset, metadata, real_train, seed, params, enable_gpu
    )
    seed_everything(seed)
    start = time.perf_counter()
    synthetic = _table(spec.sample(synthesizer, len(real_train), real_train, dataset), dataset)
    sample_seconds = time.perf_counter() - start
    return synthetic, {
        'fit_seconds': fit_seconds,
        'sample_seconds': sample_seconds,
        'rows_per_second': len(synthetic) / sample_seconds if sample_seconds > 0 else None,
        'parameters': count_parameters(spec, synthesizer),
    }


def _cell(config, record, work):
    """Run ``work`` into ``record``; record the error instead of stopping, unless asked."""
    try:
        record.update(work())
    except Exception as error:  # noqa: BLE001 - a failing generator must not end a long run
        if config.raise_errors:
            raise
        record['error'] = f'{type(error).__name__}: {error}'
        warnings.warn(
            f"{record['generator']} on {record['dataset']} (seed {record['seed']}) failed: "
            f"{record['error']}\n{traceback.format_exc(limit=3)}"
        )
    return record


def check_datasets(config):
    """Check every dataset's roles against its table (``DatasetSpec.check``) before anything
    is fitted: a misspelled column or label must not cost a long run."""
    for name in dict.fromkeys((*config.datasets, *config.sweep_datasets)):
        dataset = get_dataset(name)
        dataset.check(*dataset.load(num_rows=config.num_rows, random_state=0))


def run_benchmark(config=None, progress=True):
    """Run the benchmark described by ``config`` (default: ``BenchmarkConfig.full()``).

    Args:
        config (BenchmarkConfig or None): what to run.
        progress (bool): show a progress bar on stderr.

    Returns:
        BenchmarkResult: per-seed records, the trade-off sweep and the configuration.
    """
    config = config or BenchmarkConfig.full()
    check_datasets(config)
    per_split = (
        len(config.generators) * len(config.metadata) + config.reference + len(config.ceilings)
    )
    cells = len(config.datasets) * len(config.seeds) * per_split
    sweep_cells = len(config.sweep_datasets) * len(config.sweep_seeds) * len(config.sweep_points())
    bar = _progress(cells + sweep_cells, progress)
    records, sweep = [], []
    try:
        for dataset_name in config.datasets:
            dataset = get_dataset(dataset_name)
            for seed in config.seeds:
                real_train, real_test, metadata = split_dataset(
                    dataset, config.num_rows, config.test_size, seed
                )
                evaluator = _evaluator(config, real_train, real_test, metadata, dataset, seed)
                base = {'dataset': dataset_name, 'seed': seed, 'train_rows': len(real_train)}
                if config.reference:
                    bar.set_description(f'{dataset_name} seed {seed}: {REFERENCE}')
                    records.append(_cell(config, {**base, 'generator': REFERENCE}, lambda: (
                        evaluator.evaluate(real_train, fidelity_table=real_test)
                    )))
                    bar.update()
                for criterion in config.ceilings:
                    name = ceiling_name(criterion)
                    bar.set_description(f'{dataset_name} seed {seed}: {name}')
                    records.append(_cell(config, {**base, 'generator': name}, lambda c=criterion: (
                        fairlearn_ceiling(evaluator, real_train, c, random_state=seed)
                    )))
                    bar.update()
                for kind in config.metadata:
                    learned = generator_metadata(kind, metadata, real_train, dataset)
                    for name in config.generators:
                        spec = get_generator(name)
                        label = generator_label(name, kind)
                        bar.set_description(f'{dataset_name} seed {seed}: {label}')

                        def work(spec=spec, learned=learned):
                            synthetic, costs = run_generator(
                                spec, dataset, learned, real_train, seed,
                                config.params.get(spec.family, {}), config.enable_gpu,
                            )
                            return {**costs, **evaluator.evaluate(synthetic)}

                        record = {**base, 'generator': label, 'metadata': kind}
                        records.append(_cell(config, record, work))
                        bar.update()
        sweep = _sweep(config, bar)
    finally:
        bar.close()
    return BenchmarkResult(records=records, sweep=sweep, config=config.to_dict())


def _evaluator(config, real_train, real_test, metadata, dataset, seed):
    return Evaluator(
        real_train, real_test, metadata, dataset,
        classifier=config.classifier,
        use_sensitive_feature=config.use_sensitive_feature,
        quality_rows=config.quality_rows,
        embedding_rows=config.embedding_rows,
        nearest_k=config.nearest_k,
        random_state=seed,
    )


def _sweep(config, bar):
    """FairDistill at each point of ``config.sweep_points()`` (``fairness_weight``,
    ``label_repair``): utility and fairness, no fidelity. It learns with the first metadata
    of the run (``config.metadata``), so that a run asked for detected metadata sweeps with
    it too."""
    spec = get_generator('FairDistill')
    params = config.params.get(FAIRDISTILL, {})
    kind = config.metadata[0]
    points = config.sweep_points()
    records = []
    for dataset_name in config.sweep_datasets:
        dataset = get_dataset(dataset_name)
        for seed in config.sweep_seeds:
            real_train, real_test, metadata = split_dataset(
                dataset, config.num_rows, config.test_size, seed
            )
            evaluator = _evaluator(config, real_train, real_test, metadata, dataset, seed)
            learned = generator_metadata(kind, metadata, real_train, dataset)
            for weight, repair in points:
                bar.set_description(f'sweep {dataset_name} seed {seed}: fairness_weight='
                                    f'{weight:g}, label_repair={repair:g}')
                point = {'fairness_weight': weight, 'label_repair': repair}

                def work(point=point):
                    synthetic, costs = run_generator(
                        spec, dataset, learned, real_train, seed, {**params, **point},
                        config.enable_gpu,
                    )
                    return {**costs, **evaluator.evaluate(synthetic, fidelity=False)}

                record = {
                    'dataset': dataset_name, 'seed': seed, 'generator': 'FairDistill',
                    'metadata': kind, **point, 'train_rows': len(real_train),
                }
                records.append(_cell(config, record, work))
                bar.update()
    return records
