"""The generators the benchmark compares, behind one interface.

Each ``GeneratorSpec`` builds an SDV 2 synthesizer for a dataset and knows how to sample it
and count its parameters, so the runner treats FairDistill, its ablations and SDV's own
synthesizers alike. SDV's synthesizers keep their defaults unless the benchmark's
configuration overrides them (e.g. fewer epochs in the quick mode).
"""

import functools
import random
import types
from dataclasses import dataclass
from typing import Callable
from unittest import mock

import numpy as np
import torch

#: Family names, the keys of ``BenchmarkConfig.params``.
FAIRDISTILL = 'FairDistill'
TABFAIRGAN = 'TabFairGAN'


@dataclass(frozen=True)
class GeneratorSpec:
    """How to build, sample and measure one generator.

    Attributes:
        name (str): the row label in the results.
        family (str): whose parameter overrides apply ('FairDistill', 'TVAE', 'CTGAN',
            'GaussianCopula', 'TabFairGAN').
        description (str): one line for the docs.
        build (callable): ``build(metadata, dataset, seed, params, enable_gpu) -> synthesizer``
            (unfitted).
        sample (callable): ``sample(synthesizer, num_rows, real_train, dataset) -> dict of
            DataFrames`` (the real training rows and the dataset's roles for samplers that
            condition on them).
    """

    name: str
    family: str
    description: str
    build: Callable
    sample: Callable = lambda synthesizer, num_rows, real_train, dataset: synthesizer.sample(
        num_rows
    )


def seed_everything(seed):
    """Seed the global generators SDV's synthesizers draw from (they take no seed)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _fairdistill(**fixed):
    def build(metadata, dataset, seed, params, enable_gpu):
        from sdv_fairdistill.synthesizers.tabular import FairDistillSynthesizer

        return FairDistillSynthesizer(
            metadata,
            sensitive_columns=list(dataset.sensitive_columns),
            target_column=dataset.target_column,
            positive_label=dataset.positive_label,
            enable_gpu=enable_gpu,
            seed=seed,
            **{**params, **fixed},
        )

    return build


def _python(value):
    return value.item() if isinstance(value, np.generic) else value


def independent_cell_counts(real_train, dataset, num_rows):
    """Rows per (sensitive group, label) cell at ``p(s) p(y)`` of the real training rows,
    rounded so that they sum to ``num_rows`` (largest remainders get the extra rows)."""
    columns = list(dataset.sensitive_columns)
    groups = real_train.groupby(columns, dropna=False).size() / len(real_train)
    labels = real_train[dataset.target_column].value_counts(normalize=True, dropna=False)
    cells = [
        ((group if isinstance(group, tuple) else (group,)), label, p_group * p_label * num_rows)
        for group, p_group in groups.items() for label, p_label in labels.items()
    ]
    counts = [int(np.floor(share)) for _, _, share in cells]
    by_remainder = sorted(range(len(cells)), key=lambda i: cells[i][2] - counts[i], reverse=True)
    for i in by_remainder[: num_rows - sum(counts)]:
        counts[i] += 1
    return [
        ({**dict(zip(columns, map(_python, group))), dataset.target_column: _python(label)}, count)
        for (group, label, _), count in zip(cells, counts) if count
    ]


def _conditioned_on_cells(synthesizer, num_rows, real_train, dataset):
    """SDV's recipe for fair data without a fair model (SDMetrics issue #776): sample every
    (group, label) cell at ``p(s) p(y)`` with ``sample_from_conditions``, so that the
    labels are independent of the group inside the table."""
    from sdv.sampling import Condition

    conditions = [
        Condition(num_rows=count, column_values=values)
        for values, count in independent_cell_counts(real_train, dataset, num_rows)
    ]
    # SDV draws a bar of its own for every call, which --quiet and progress=False could not
    # hide; the benchmark's bar already counts the cell. Only SDV's module sees the silent
    # bar (tqdm reads its TQDM_DISABLE variable once, at import).
    from sdv.single_table import base

    silent = types.SimpleNamespace(tqdm=functools.partial(base.tqdm.tqdm, disable=True))
    with mock.patch.object(base, 'tqdm', silent):
        return synthesizer.sample_from_conditions(conditions)


def _sdv(class_name, gpu_option):
    def build(metadata, dataset, seed, params, enable_gpu):
        import sdv.single_table

        options = dict(params)
        if gpu_option:
            options.setdefault('enable_gpu', enable_gpu)
        return getattr(sdv.single_table, class_name)(metadata, **options)

    return build


def _tabfairgan(metadata, dataset, seed, params, enable_gpu):
    # Imported here: the peer is an optional extra, and without it only its cells fail (with
    # the pip command that installs it), not the whole benchmark.
    from sdv_fairdistill.benchmark.peers import TabFairGANPeer

    return TabFairGANPeer(metadata, dataset, seed=seed, params=params, enable_gpu=enable_gpu)


GENERATORS = {
    spec.name: spec
    for spec in (
        GeneratorSpec(
            name='FairDistill',
            family=FAIRDISTILL,
            description='FairDistillSynthesizer with its defaults: sampled from the distilled student.',
            build=_fairdistill(),
        ),
        GeneratorSpec(
            name='FairDistill (equalized odds)',
            family=FAIRDISTILL,
            description="fairness_criterion='equalized_odds': the fair latent independent of "
            'the group inside each target class.',
            build=_fairdistill(fairness_criterion='equalized_odds'),
        ),
        GeneratorSpec(
            name='FairDistill (equal opportunity)',
            family=FAIRDISTILL,
            description="fairness_criterion='equal_opportunity': the same inside the positive "
            'class only.',
            build=_fairdistill(fairness_criterion='equal_opportunity'),
        ),
        GeneratorSpec(
            name='FairDistill (no fairness)',
            family=FAIRDISTILL,
            description='Ablation: fairness_weight=0 and no reweighing, a plain conditional VAE '
            'distilled the same way.',
            build=_fairdistill(fairness_weight=0.0, balance_target=False),
        ),
        GeneratorSpec(
            name='FairDistill (teacher)',
            family=FAIRDISTILL,
            description='Ablation: the same fit, sampled from the teacher instead of the student.',
            build=_fairdistill(keep_teacher=True),
            sample=lambda synthesizer, num_rows, real_train, dataset: (
                synthesizer.sample_from_teacher(num_rows)
            ),
        ),
        GeneratorSpec(
            name='TVAE',
            family='TVAE',
            description="SDV's TVAESynthesizer with its defaults.",
            build=_sdv('TVAESynthesizer', gpu_option=True),
        ),
        GeneratorSpec(
            name='CTGAN',
            family='CTGAN',
            description="SDV's CTGANSynthesizer with its defaults.",
            build=_sdv('CTGANSynthesizer', gpu_option=True),
        ),
        GeneratorSpec(
            name='GaussianCopula',
            family='GaussianCopula',
            description="SDV's GaussianCopulaSynthesizer with its defaults.",
            build=_sdv('GaussianCopulaSynthesizer', gpu_option=False),
        ),
        GeneratorSpec(
            name='TVAE (cells at p(s) p(y))',
            family='TVAE',
            description="The SDV user's recipe: TVAE at its defaults, then every (group, "
            'label) cell sampled at p(s) p(y) with sample_from_conditions.',
            build=_sdv('TVAESynthesizer', gpu_option=True),
            sample=_conditioned_on_cells,
        ),
        GeneratorSpec(
            name='GaussianCopula (cells at p(s) p(y))',
            family='GaussianCopula',
            description='The same recipe with GaussianCopulaSynthesizer.',
            build=_sdv('GaussianCopulaSynthesizer', gpu_option=False),
            sample=_conditioned_on_cells,
        ),
        GeneratorSpec(
            name='TabFairGAN',
            family=TABFAIRGAN,
            description='Peer: TabFairGAN (Rajabi and Garibay 2022, PyPI tabfairgan 0.1.0) with '
            "the paper's Adult settings; demographic parity on one binary sensitive attribute. "
            "Needs pip install 'sdv-fairdistill[peers]'.",
            build=_tabfairgan,
        ),
    )
}


def get_generator(name):
    """Return the ``GeneratorSpec`` called ``name`` (see ``GENERATORS``)."""
    try:
        return GENERATORS[name]
    except KeyError:
        raise ValueError(
            f'Unknown generator {name!r}. Available generators: {", ".join(GENERATORS)}.'
        ) from None


def _torch_parameters(module):
    return int(sum(parameter.numel() for parameter in module.parameters()))


def count_parameters(spec, synthesizer):
    """Number of learned parameters needed to generate, or None when it has no meaning.

    FairDistill: the networks it reports (student encoder and decoders; the teacher's encoder
    too when it is kept, as in the teacher ablation). TVAE: its decoder, the only network it
    keeps. CTGAN: its generator (the discriminator is dropped after training). Gaussian
    copula: the correlations plus the marginals' learned parameters. TabFairGAN: its generator
    (its critic only serves training).
    """
    if spec.family == FAIRDISTILL:
        return int(sum(synthesizer.get_parameter_counts().values()))
    model = getattr(synthesizer, '_model', None)
    if model is None:
        return None
    if spec.family == 'TVAE' and hasattr(model, 'decoder'):
        return _torch_parameters(model.decoder)
    if spec.family == 'CTGAN' and hasattr(model, '_generator'):
        return _torch_parameters(model._generator)
    if spec.family == TABFAIRGAN and hasattr(model, 'generator'):
        return _torch_parameters(model.generator)
    if spec.family == 'GaussianCopula' and hasattr(model, 'correlation'):
        size = len(model.correlation)
        marginals = sum(
            len(learned['learned_parameters'])
            for learned in synthesizer.get_learned_distributions().values()
        )
        return int(size * (size - 1) // 2 + marginals)
    return None
