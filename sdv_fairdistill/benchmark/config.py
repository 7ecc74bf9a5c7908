"""What a benchmark run covers: datasets, generators, seeds, sizes and the fairness sweep."""

from dataclasses import asdict, dataclass, field, replace

from sdv_fairdistill.benchmark.ceilings import CONSTRAINTS
from sdv_fairdistill.benchmark.generators import GENERATORS, get_generator
from sdv_fairdistill.datasets import get_dataset

DEFAULT_DATASETS = ('adult', 'compas', 'german')
DEFAULT_GENERATORS = tuple(GENERATORS)
DEFAULT_SWEEP_WEIGHTS = (0.0, 100.0, 300.0, 1000.0, 3000.0)
DEFAULT_SWEEP_REPAIRS = (0.9, 0.75, 0.5)
METADATA_KINDS = ('curated', 'detected')
#: How a row of a generator that learned with detected metadata is labelled.
DETECTED_SUFFIX = ' · detected metadata'


@dataclass
class BenchmarkConfig:
    """Settings of a benchmark run.

    Attributes:
        datasets (tuple[str]): registry names (``sdv_fairdistill.datasets.DATASETS``).
        generators (tuple[str]): names in ``GENERATORS``.
        seeds (tuple[int]): one train / test split and one generator seed per value; the
            results give the mean and standard deviation over them.
        num_rows (int or None): use a random subset of at most this many rows per dataset.
        test_size (float): share of the real rows held out for TSTR testing.
        classifier (str): downstream classifier, one of ``evaluation.CLASSIFIERS``.
        use_sensitive_feature (bool): whether that classifier sees the sensitive columns.
        params (dict): per family ('FairDistill', 'TVAE', 'CTGAN', 'GaussianCopula',
            'TabFairGAN'), keyword arguments overriding the synthesizer's defaults.
        quality_rows (int or None): rows per table for SDMetrics' QualityReport.
        embedding_rows (int or None): rows per table for density / coverage.
        nearest_k (int): k of density / coverage.
        sweep_weights (tuple[float]): ``fairness_weight`` values of the trade-off sweep
            (empty: none). The sweep learns with the first kind of ``metadata``.
        sweep_repairs (tuple[float]): ``label_repair`` values of the sweep, each fitted at
            FairDistill's ``fairness_weight`` of the run (``params``, else its default):
            where the weight sweep is a step (the label from the features takes away the
            gap at any weight that removes the group from the latent), these are the points
            a user can choose, keeping part of the real gap for utility (empty: none).
            Defaults to None: (0.9, 0.75, 0.5) where ``sweep_weights`` has a value and
            ``params`` allow a repair (demographic parity, a weight above 0, the label from
            the features), else none (``sweep_weights=()`` still means no sweep).
        sweep_datasets (tuple[str] or None): datasets swept. Defaults to None: Adult when
            ``datasets`` has it, else the first of ``datasets``.
        sweep_seeds (tuple[int]): seeds of the sweep.
        reference (bool): add the 'Real data' row (classifier trained on the real training
            table; fidelity of the real test table).
        ceilings (tuple[str]): fairness criteria ('demographic_parity', 'equalized_odds',
            'equal_opportunity') whose fairlearn ``ExponentiatedGradient`` classifier, trained
            on the real rows, is added as a reference row (``benchmark/ceilings.py``).
        metadata (tuple[str]): which metadata the generators learn with: 'curated' (the
            dataset's own) and / or 'detected' (``Metadata.detect_from_dataframes`` on the
            real training rows, what a user gets without writing any). Rows of the detected
            runs are labelled '<generator> · detected metadata'; the evaluation always reads
            the curated metadata, so both are scored alike.
        enable_gpu (bool): train the neural generators on a CUDA GPU when there is one.
        raise_errors (bool): stop at the first failing cell instead of recording the error.
    """

    datasets: tuple = DEFAULT_DATASETS
    generators: tuple = DEFAULT_GENERATORS
    seeds: tuple = (0, 1, 2)
    num_rows: int = None
    test_size: float = 0.3
    classifier: str = 'HistGradientBoosting'
    use_sensitive_feature: bool = True
    params: dict = field(default_factory=dict)
    quality_rows: int = 5000
    embedding_rows: int = 3000
    nearest_k: int = 5
    sweep_weights: tuple = DEFAULT_SWEEP_WEIGHTS
    sweep_repairs: tuple = None
    sweep_datasets: tuple = None
    sweep_seeds: tuple = (0, 1, 2)
    reference: bool = True
    ceilings: tuple = ('demographic_parity', 'equalized_odds', 'equal_opportunity')
    metadata: tuple = METADATA_KINDS
    enable_gpu: bool = False
    raise_errors: bool = False

    def __post_init__(self):
        if self.sweep_datasets is None:
            self.sweep_datasets = _default_sweep(self.datasets)
        if self.sweep_repairs is None:
            self.sweep_repairs = _default_repairs(self.sweep_weights, self.params)
        for name in ('datasets', 'generators', 'seeds', 'sweep_weights', 'sweep_repairs',
                     'sweep_datasets', 'sweep_seeds', 'ceilings', 'metadata'):
            value = getattr(self, name)
            values = (value,) if isinstance(value, (str, int, float)) else tuple(value)
            repeated = sorted({v for v in values if values.count(v) > 1}, key=str)
            if repeated:  # their cells would be run twice and counted twice in the means
                raise ValueError(f'{name} names {repeated} more than once; name each once.')
            setattr(self, name, values)
        for name in (*self.datasets, *self.sweep_datasets):
            get_dataset(name)
        for name in self.generators:
            get_generator(name)
        unknown_ceilings = set(self.ceilings) - set(CONSTRAINTS)
        if unknown_ceilings:
            raise ValueError(
                f'ceilings has unknown criteria {sorted(unknown_ceilings)}; use {list(CONSTRAINTS)}.'
            )
        unknown_kinds = set(self.metadata) - set(METADATA_KINDS)
        if unknown_kinds or not self.metadata:
            raise ValueError(
                f'metadata must name one or both of {list(METADATA_KINDS)}; got '
                f'{list(self.metadata)}.'
            )
        if not self.seeds:
            raise ValueError('seeds is empty: give at least one seed.')
        for name in ('seeds', 'sweep_seeds'):  # they seed scikit-learn's splits too
            bad = [seed for seed in getattr(self, name) if not 0 <= seed <= 2**32 - 1]
            if bad:
                raise ValueError(f'{name} must be between 0 and {2**32 - 1}, got {bad}.')
        if self.num_rows is not None and self.num_rows < 1:
            raise ValueError(f'num_rows must be at least 1 (or None: all rows), got {self.num_rows}.')
        negative = [weight for weight in self.sweep_weights if weight < 0]
        if negative:
            raise ValueError(f'sweep_weights must be at least 0, got {negative}.')
        outside = [repair for repair in self.sweep_repairs if not 0 <= repair <= 1]
        if outside:
            raise ValueError(f'sweep_repairs must be between 0 and 1, got {outside}.')
        if any(repair < 1 for repair in self.sweep_repairs) and not _repairable(self.params):
            raise ValueError(
                "sweep_repairs sweeps FairDistill's label_repair, which needs demographic parity, "
                'a fairness_weight above 0 and the label from the features; params sets '
                f"{self.params['FairDistill']}: pass sweep_repairs=() (on the command line: "
                '--sweep-repairs with no value).'
            )
        if not 0 < self.test_size < 1:
            raise ValueError(f'test_size must be between 0 and 1, got {self.test_size}.')
        families = {spec.family for spec in map(get_generator, GENERATORS)}
        unknown = set(self.params) - families
        if unknown:
            raise ValueError(f'params has unknown families {sorted(unknown)}; use {sorted(families)}.')

    @classmethod
    def full(cls, **overrides):
        """The README's benchmark: all data, every generator at its defaults, three seeds."""
        return cls(**overrides)

    @classmethod
    def quick(cls, **overrides):
        """Minutes on a laptop: 1,500 rows, a few epochs, two seeds, a six-point sweep,
        curated metadata only.

        The numbers say that everything runs, not how good a generator is.
        """
        settings = dict(
            num_rows=1500,
            seeds=(0, 1),
            classifier='LogisticRegression',
            params={
                'FairDistill': {'epochs': 10, 'distill_epochs': 5},
                'TVAE': {'epochs': 10},
                'CTGAN': {'epochs': 5},
                'TabFairGAN': {'epochs': 5, 'fair_epochs': 2},
            },
            quality_rows=1000,
            embedding_rows=1000,
            sweep_weights=(0.0, 300.0, 1000.0),
            sweep_seeds=(0,),
            ceilings=(),
            metadata=('curated',),
        )
        settings.update(overrides)
        return cls(**settings)

    def replace(self, **changes):
        """A copy with some settings changed; a sweep that followed the datasets (its repairs:
        the weights and params) by default follows the new ones."""
        if 'datasets' in changes and 'sweep_datasets' not in changes and (
                self.sweep_datasets == _default_sweep(self.datasets)):
            changes['sweep_datasets'] = None
        if ({'sweep_weights', 'params'} & set(changes) and 'sweep_repairs' not in changes
                and self.sweep_repairs == _default_repairs(self.sweep_weights, self.params)):
            changes['sweep_repairs'] = None
        return replace(self, **changes)

    def sweep_points(self):
        """The sweep's (``fairness_weight``, ``label_repair``) points: each weight at the
        run's repair, then each repair at the run's weight (the run's: ``params``, else
        FairDistill's defaults), a point named by both only once."""
        import inspect

        from sdv_fairdistill.synthesizers.tabular import FairDistillSynthesizer

        defaults = inspect.signature(FairDistillSynthesizer).parameters
        chosen = self.params.get('FairDistill', {})
        weight, repair = (float(chosen.get(name, defaults[name].default))
                          for name in ('fairness_weight', 'label_repair'))
        points = [(float(w), repair) for w in self.sweep_weights]
        return points + [point for point in ((weight, float(a)) for a in self.sweep_repairs)
                         if point not in points]

    def to_dict(self):
        return asdict(self)


def _default_sweep(datasets):
    """The datasets swept by default: Adult when it is run, else the first dataset."""
    datasets = (datasets,) if isinstance(datasets, str) else tuple(datasets)
    return ('adult',) if 'adult' in datasets else datasets[:1]


def _repairable(params):
    """Whether FairDistill's ``params`` leave ``label_repair`` below 1 allowed."""
    fair = params.get('FairDistill', {})
    return (fair.get('fairness_criterion', 'demographic_parity') == 'demographic_parity'
            and fair.get('fairness_weight') != 0 and fair.get('label_from_features') is not False)


def _default_repairs(weights, params):
    """The ``label_repair`` values swept by default: some where weights are swept (one given
    as a number too) and ``params`` allow a repair below 1, else none."""
    weights = (weights,) if isinstance(weights, (int, float)) else weights
    return DEFAULT_SWEEP_REPAIRS if len(weights) and _repairable(params) else ()
