"""Real datasets bundled with the package (no network needed), and a registry of them.

``get_dataset(name)`` gives, for each tabular fairness benchmark, its loader and the roles of
its columns, so that code looping over datasets (the benchmark, the CLI) needs no special
cases::

    spec = get_dataset('compas')
    data, metadata = spec.load(num_rows=2000)
    synthesizer = FairDistillSynthesizer(metadata, spec.sensitive_columns, spec.target_column)
"""

import warnings
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable

from sdv_fairdistill.datasets import adult, compas, derived, german
from sdv_fairdistill.datasets._rows import check_subset_options, random_rows
from sdv_fairdistill.datasets.adult import load_adult
from sdv_fairdistill.datasets.compas import load_compas
from sdv_fairdistill.datasets.derived import load_adult_rare, load_adult_small
from sdv_fairdistill.datasets.german import load_german_credit

__all__ = (
    'DatasetSpec',
    'DATASETS',
    'get_dataset',
    'load_adult',
    'load_adult_rare',
    'load_adult_small',
    'load_colored_mnist',
    'load_compas',
    'load_german_credit',
)


@dataclass(frozen=True)
class DatasetSpec:
    """A bundled table and the roles of its columns.

    Attributes:
        name (str): registry key (``DATASETS``: 'adult', 'compas', 'german' and the
            benchmark cases derived from Adult, see ``datasets/derived.py``).
        loader (callable): ``loader(num_rows=None, random_state=0) -> (DataFrame, Metadata)``.
        table_name (str): the table's name in the metadata (key of the dicts SDV 2 uses).
        sensitive_columns (tuple[str]): the sensitive attribute(s).
        target_column (str): the label a downstream model learns.
        positive_label: the favourable value of the target.
        description (str): one line for listings.
    """

    name: str
    loader: Callable
    table_name: str
    sensitive_columns: tuple
    target_column: str
    positive_label: Any
    description: str

    def __post_init__(self):
        # One name is one sensitive column (a string would be read letter by letter).
        columns = self.sensitive_columns
        columns = (columns,) if isinstance(columns, str) else tuple(columns or ())
        object.__setattr__(self, 'sensitive_columns', columns)

    def check(self, data, metadata):
        """Refuse, naming the field and the fix, roles that do not fit the loaded ``data`` and
        ``metadata``: before a benchmark fits anything, not after every generator has."""
        tables = list(metadata.tables)
        if self.table_name not in tables:
            raise ValueError(
                f"Dataset '{self.name}': table_name '{self.table_name}' is not a table of its "
                f'metadata ({tables}). Set table_name to the metadata\'s table name.'
            )
        for field, columns in (('sensitive_columns', self.sensitive_columns),
                               ('target_column', (self.target_column,))):
            missing = [column for column in columns if column not in data.columns]
            if missing or not columns:
                raise ValueError(
                    f"Dataset '{self.name}': {field} names {missing or 'no column'}, not "
                    f'column(s) of its table ({list(data.columns)}).'
                )
        target = data[self.target_column]
        if target.isna().any():  # the metrics leave them out, under warnings the run hides
            warnings.warn(
                f"Dataset '{self.name}': {int(target.isna().sum())} rows have no "
                f"'{self.target_column}'. The generators learn from them; the scores are "
                'computed on the rows that have one.'
            )
        positives = int((target == self.positive_label).sum())
        if positives < 2 or int(target.notna().sum()) - positives < 2:
            values = target.dropna().unique()[:10].tolist()
            raise ValueError(
                f"Dataset '{self.name}': positive_label {self.positive_label!r} is in "
                f"{positives} of {len(target)} rows of '{self.target_column}' (values: "
                f'{values}); the benchmark needs at least 2 rows with it and 2 without, to '
                'split and score a class target. Set positive_label to one of the values.'
            )

    def load(self, num_rows=None, random_state=0):
        """Return ``(data, metadata)``; a random subset of at most ``num_rows`` rows when
        given: a cap, as the benchmark's ``num_rows`` is one for every dataset (a table of
        fewer rows is returned whole; the loaders themselves refuse more rows than the
        table has)."""
        check_subset_options(num_rows, random_state)
        data, metadata = self.loader()
        # The subset is drawn as the loaders draw it; the metadata depend on columns only.
        if num_rows is not None and num_rows < len(data):
            data = random_rows(data, num_rows, random_state, self.name)
        return data, metadata


def _spec(name, loader, module, description, sensitive_columns=None):
    """A registry entry whose roles are those its loader's module declares."""
    return DatasetSpec(
        name=name,
        loader=loader,
        table_name=module.TABLE_NAME,
        sensitive_columns=sensitive_columns or module.SENSITIVE_COLUMNS,
        target_column=module.TARGET_COLUMN,
        positive_label=module.POSITIVE_LABEL,
        description=description,
    )


DATASETS = {
    spec.name: spec
    for spec in (
        _spec('adult', load_adult, adult,
              'UCI Adult census income, 48,842 rows; sex; income >50K'),
        _spec('compas', load_compas, compas,
              'ProPublica COMPAS, 5,278 rows (African-American, Caucasian); race; '
              'two-year recidivism'),
        _spec('german', load_german_credit, german,
              'UCI German Credit, 1,000 rows; sex; credit risk good'),
        # Benchmark cases built from Adult's rows (datasets/derived.py): same columns,
        # metadata and table name as 'adult'; what changes is the positive share, the size
        # or the groups.
        _spec('adult_rare', load_adult_rare, adult,
              'Adult with the >50K rows subsampled to 12 %, every other row kept, 42,222 '
              'rows; sex; income >50K'),
        _spec('adult_small', load_adult_small, adult,
              "1,000 rows of Adult, stratified on the target (Adult's 24 % >50K); sex; "
              'income >50K'),
        _spec('adult_intersectional', load_adult, adult,
              'Adult, 48,842 rows; sex x race (10 joint groups); income >50K',
              sensitive_columns=derived.INTERSECTIONAL_COLUMNS),
        # Held-out cases: the bundled tables with a sensitive column the defaults were never
        # tuned on (they were tuned on Adult's sex and checked on COMPAS's race and German
        # Credit's sex). Same rows and target; only the group changes.
        _spec('compas_sex', load_compas, compas,
              'ProPublica COMPAS, 5,278 rows; sex (20 % women); two-year recidivism',
              sensitive_columns=('sex',)),
        _spec('compas_races', partial(load_compas, races=None), compas,
              'ProPublica COMPAS, all 6,172 rows; race (six groups, 11 to 3,175 rows); '
              'two-year recidivism',
              sensitive_columns=('race',)),
        _spec('german_age', partial(load_german_credit, add_age_group=True), german,
              "UCI German Credit, 1,000 rows; age_group (under 25: 15 %, a function of "
              "'age'); credit risk good",
              sensitive_columns=('age_group',)),
    )
}


def get_dataset(name):
    """Return the ``DatasetSpec`` registered as ``name`` (a key of ``DATASETS``)."""
    try:
        return DATASETS[name]
    except KeyError:
        raise ValueError(
            f'Unknown dataset {name!r}. Available datasets: {", ".join(sorted(DATASETS))}.'
        ) from None


def load_colored_mnist(*args, **kwargs):
    """Colored-MNIST (see ``sdv_fairdistill.datasets.colored_mnist``).

    Imported on call only: it needs torch and the MNIST digits, which table users never load.
    """
    from sdv_fairdistill.datasets.colored_mnist import load_colored_mnist as loader

    return loader(*args, **kwargs)
