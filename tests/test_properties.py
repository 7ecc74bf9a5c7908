"""Property-based tests: FairDistillSynthesizer works on the tables users bring.

Hypothesis draws random mixed-type tables (floats, wide integers, integer codes that SDV
detects as ordinal, categorical strings up to a few thousand levels, categorical columns of
numbers, booleans, datetimes, an id column, constant and all-missing columns, missing values
in every kind of column, odd column names), one or two sensitive columns with groups of any
size (a single-row group included), an optional target (string classes, 0/1 integers, or a
continuous number), metadata as SDV detects it or with some sdtypes changed, and random valid
synthesizer parameters. Every expected value is computed from the real table and the metadata,
never from the synthesizer:

1. ``fit`` and ``sample`` fail only with an SDV error (``sdv.errors`` ...), raised before
   training (``_model`` is still None), and only on a table that is invalid by construction
   (a sensitive column with one group, a target with one class); a valid table always fits
   and samples. A missing sensitive value is a group of its own.
   A sensitive group with a single row works and gives a warning.
2. Every value of a categorical, boolean, ordinal, sensitive or class-target column occurs in
   the real column (missing values only where the real column has some).
3. Numerical and datetime values lie within the real min/max (``enforce_min_max_values``),
   an id primary key stays unique, and the missing-value rate of every column is near the
   real one: an all-missing column stays all missing, a column without missing values has
   none.
4. The same seed gives the same rows: after ``save``/``load_synthesizer`` and in a second fit.

Profiles (hypothesis settings profiles registered below, chosen by an environment variable):

* ``ci`` (default): deterministic examples (``derandomize``): in the fast suite the explicit
  examples and 3 random tables per property (about a minute on 2 cores), in the slow suite
  10 more (``test_*_on_more_*``).
* ``long``: 200 random examples per test, for a manual run (10+ minutes)::

      FAIRDISTILL_HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py \\
          --hypothesis-show-statistics -p no:cacheprovider

  ``FAIRDISTILL_HYPOTHESIS_EXAMPLES=N`` overrides the number of examples of either profile
  (the seed test runs half as many: two fits each). The statistics list how many tables each
  test tried and how each ended (the ``outcome`` events); the module also prints a one-line
  count at its end. Hypothesis stops at the first failure and shrinks it (minutes here); to
  survey every failure of a long run instead, add ``FAIRDISTILL_HYPOTHESIS_SURVEY=failures.jsonl``:
  each failing table is written there as a JSON line (error, where, the spec) and the run goes
  on. Rebuild a table from its spec with ``build_table(spec)``.
"""

import os
import tempfile
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import sdv.errors
import sdv.metadata.errors
from hypothesis import HealthCheck, Phase, assume, event, example, given, note, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException
from sdv.metadata import Metadata
from sdv.utils import load_synthesizer

TABLE = 'users table'  # a table name with a space, as users write them

# ---------------------------------------------------------------- profiles
_COMMON = {
    'deadline': None,
    'suppress_health_check': [HealthCheck.too_slow, HealthCheck.data_too_large],
    'print_blob': True,
}
# CI: deterministic examples and no shrinking (a failure prints its example; shrinking one
# takes minutes: run the long profile, or the example alone, for a minimal one).
settings.register_profile(
    'fairdistill-ci', max_examples=10, derandomize=True,
    phases=[Phase.explicit, Phase.generate], **_COMMON,
)
settings.register_profile('fairdistill-long', max_examples=200, **_COMMON)
_PROFILE = 'fairdistill-' + os.environ.get('FAIRDISTILL_HYPOTHESIS_PROFILE', 'ci')
_EXAMPLES = os.environ.get('FAIRDISTILL_HYPOTHESIS_EXAMPLES')
# Applied per test (not ``load_profile``), so other test files keep hypothesis' defaults.
PROFILE = settings(settings.get_profile(_PROFILE), **({'max_examples': int(_EXAMPLES)} if _EXAMPLES else {}))
LONG = _PROFILE == 'fairdistill-long'
# The fast suite: the explicit examples and a few random tables; the slow suite runs the
# profile's full count on other tables (hypothesis derives them from each test's name).
FAST = settings(PROFILE, max_examples=min(PROFILE.max_examples, 3))

#: Errors that count as "an SDV error": every exception class of SDV's error modules (the
#: package's own parameter error subclasses SynthesizerInputError).
SDV_ERRORS = tuple(
    value
    for module in (sdv.errors, sdv.metadata.errors)
    for value in vars(module).values()
    if isinstance(value, type) and issubclass(value, Exception) and not issubclass(value, Warning)
)

TRIED = Counter()


@pytest.fixture(scope='module', autouse=True)
def _report_tables_tried(pytestconfig):
    yield
    capture = pytestconfig.pluginmanager.getplugin('capturemanager')
    line = ', '.join(f'{name}: {count}' for name, count in sorted(TRIED.items()))
    with capture.global_and_fixture_disabled():
        print(f'\n[test_properties] random tables tried ({_PROFILE}): {line}')


# ---------------------------------------------------------------- table specs
# A table is drawn as a small spec (plain data, so a failing example prints readably and
# shrinks well); ``build_table`` turns it into the DataFrame with numpy values from its seed.
ODD_NAMES = [
    'age', 'a b', 'größe', '名前', 'x.y', '#count', 'col#1', ' lead space', 'trail space ',
    'a.b.c', 'é', 'null', '0', 'value.is_null', 'value', 'value.component', 'value.normalized',
    'income (k$)', 'tab\there', 'emoji 🙂', 'Ünïcödé.#',
]

FEATURE_KINDS = [
    'float', 'int', 'nullable_int', 'ordinal', 'cat_str', 'cat_num', 'cat_mixed', 'pd_category',
    'string_dtype', 'bool', 'nullable_bool', 'datetime', 'datetime_str', 'id', 'all_nan',
    'all_none', 'constant', 'constant_num', 'two_floats', 'email', 'free_text',
]

#: sdtype changes a user may make to a detected column (each accepted by SDV).
OVERRIDES = {
    'float': ['categorical'],
    'int': ['categorical'],
    'ordinal': ['categorical', 'numerical'],
    'cat_num': ['categorical'],  # numbers SDV detects as numerical: marked categorical
    'two_floats': ['categorical', 'numerical'],
    'bool': ['boolean'],
    'nullable_bool': ['boolean'],
    'datetime': ['categorical'],
    'constant': ['categorical'],
    'constant_num': ['categorical', 'numerical'],
    'email': ['email'],  # pii: SDV fakes it, the model never sees it
    'free_text': ['categorical'],
}

NAN_FRACTIONS = [0.0, 0.0, 0.02, 0.3]

#: Category labels users have: empty, blank, and strings that read as missing.
ODD_LABELS = ['', ' ', 'nan', 'None', 'NaN', 'N/A', '0', 'ü-ß', 'a.b', '#1']


@st.composite
def feature_specs(draw, high_cardinality):
    kind = draw(st.sampled_from(FEATURE_KINDS))
    spec = {'kind': kind, 'nan': 0.0, 'card': None, 'override': None}
    if kind not in ('id', 'all_nan', 'all_none', 'constant', 'constant_num'):
        spec['nan'] = draw(st.sampled_from(NAN_FRACTIONS))
    if kind == 'ordinal':
        spec['card'] = draw(st.integers(2, 8))
    elif kind in ('cat_str', 'pd_category', 'string_dtype'):
        spec['card'] = draw(st.integers(1, 2000 if high_cardinality else 60))
    elif kind == 'cat_num':
        spec['card'] = draw(st.integers(2, 40))
    if kind in ('cat_num', 'email'):
        spec['override'] = OVERRIDES[kind][0]
    elif kind in OVERRIDES and draw(st.integers(0, 3)) == 0:
        spec['override'] = draw(st.sampled_from(OVERRIDES[kind]))
    return spec


SENSITIVE_KINDS = ['str', 'odd_str', 'int_codes', 'float_codes', 'pd_category', 'string_dtype', 'dates']
SENSITIVE_OVERRIDES = {'int_codes': ['categorical', 'numerical'], 'float_codes': ['categorical', 'numerical'],
                       'bool': ['boolean'], 'str': ['categorical']}


@st.composite
def sensitive_specs(draw):
    n_groups = draw(st.integers(2, 4))
    kind = draw(st.sampled_from(SENSITIVE_KINDS + ['bool', 'int_codes'] if n_groups == 2 else SENSITIVE_KINDS))
    minority = draw(st.sampled_from([None, 1, 1, 2, 5, 20]))
    override = None
    if kind in SENSITIVE_OVERRIDES and draw(st.booleans()):
        override = draw(st.sampled_from(SENSITIVE_OVERRIDES[kind]))
    return {
        'kind': kind,
        'n_groups': n_groups,
        'minority': minority,
        # Rarely a missing sensitive value: a group of its own, generated at its share.
        'nan': draw(st.sampled_from([0] * 14 + [1])),
        'override': override,
    }


@st.composite
def target_specs(draw):
    kind = draw(st.sampled_from(['str', 'str', 'int01', 'int01', 'rating', 'pd_category', 'float',
                                 'float', 'two_floats', 'single']))
    spec = {'kind': kind, 'nan': 0.0, 'n_classes': 2, 'minority': None, 'override': None}
    if kind in ('str', 'pd_category'):
        spec['n_classes'] = draw(st.integers(2, 4))
        spec['minority'] = draw(st.sampled_from([None, 1, 3]))
    if kind != 'single':
        spec['nan'] = draw(st.sampled_from([0.0, 0.0, 0.1]))
    if kind in ('int01', 'rating') and draw(st.booleans()):
        spec['override'] = draw(st.sampled_from(['categorical', 'numerical']))
    return spec


@st.composite
def parameter_specs(draw, n_rows):
    latent_dim = draw(st.integers(2, 8))
    # Small batches, but at most about 60 optimiser steps an epoch (time).
    batch_sizes = [size for size in (2, 3, 7, 16, 31, 64, 500) if size * 60 >= n_rows]
    return {
        'epochs': draw(st.integers(1, 2)),
        'distill_epochs': 1,
        'batch_size': draw(st.sampled_from(batch_sizes)),
        'latent_dim': latent_dim,
        'fair_latent_dim': draw(st.one_of(st.none(), st.integers(1, latent_dim))),
        'fairness_weight': draw(st.sampled_from([0.0, 1.0, 300.0, 1000.0]) | st.floats(0, 1000)),
        'beta': draw(st.sampled_from([0.0, 1.0])),
        'target_weight': draw(st.sampled_from([0.0, 20.0])),
        'teacher_dims': draw(st.sampled_from([(), (8,), (16, 8)])),
        'student_dims': draw(st.sampled_from([(), (4,)])),
        'decoder_dims': draw(st.sampled_from([(8,), (16, 8)])),
        'encode_target': draw(st.booleans()),
        'encode_sensitive': draw(st.booleans()),
        'balance_target': draw(st.booleans()),
        'enforce_rounding': draw(st.booleans()),
        'seed': draw(st.integers(0, 2**32 - 1)),
    }


@st.composite
def table_specs(draw):
    size = draw(st.integers(0, 9))
    high_cardinality = size == 0  # a categorical of up to 2,000 levels
    if high_cardinality:
        n_rows = draw(st.integers(1000, 2200))
    else:
        n_rows = draw(st.integers(2, 29) if size == 1 else st.integers(30, 300))
    features = draw(st.lists(feature_specs(high_cardinality), min_size=0, max_size=6))
    sensitive = draw(st.lists(sensitive_specs(), min_size=1, max_size=2))
    target = draw(st.one_of(st.none(), target_specs()))
    columns = features + sensitive + ([target] if target else [])
    names = draw(st.lists(st.sampled_from(ODD_NAMES), min_size=len(columns), max_size=len(columns), unique=True))
    for spec, name in zip(columns, names):
        spec['name'] = name
    return {
        'n_rows': n_rows,
        'seed': draw(st.integers(0, 2**16)),
        'features': features,
        'sensitive': sensitive,
        'target': target,
        'params': draw(parameter_specs(n_rows)),
        'detected': draw(st.booleans()),  # False: apply the specs' sdtype overrides
        'order': draw(st.permutations(range(len(columns)))),  # the table's column order
        'index': draw(st.sampled_from(['range', 'range', 'gaps', 'strings'])),
        'num_rows': draw(st.sampled_from([1, 2, 7, 200, 200])),  # rows to sample
    }


def _with_nans(values, fraction, rng):
    """``values`` (a Series) with ``round(fraction * n)`` (at least one) missing entries."""
    if fraction <= 0:
        return values
    count = max(1, int(round(fraction * len(values))))
    rows = rng.choice(len(values), count, replace=False)
    values = values.copy()
    if values.dtype == np.int64:
        values = values.astype(float)
    elif values.dtype == bool:
        values = values.astype(object)
    values.iloc[rows] = None
    return values


def _levels(card, rng):
    levels = [f'level {i} ü' for i in range(card)]
    for position, label in zip(rng.permutation(card)[:3], rng.permutation(ODD_LABELS)):
        levels[position] = label  # a few odd labels ('', 'nan', ...) among them
    return np.array(levels, dtype=object)


def _feature_values(spec, n, rng):
    kind, card = spec['kind'], spec['card']
    if kind == 'float':
        scale = 10.0 ** rng.randint(-6, 7)
        values = pd.Series(rng.normal(rng.uniform(-1e3, 1e3) * scale, scale, n))
        decimals = rng.randint(0, 5)
        values = values.round(decimals) if decimals < 4 and scale >= 1 else values
    elif kind == 'int':
        values = pd.Series(rng.randint(-10**6, 10**6, n))
    elif kind == 'nullable_int':
        values = pd.Series(rng.randint(0, 10**4, n), dtype='Int64')
    elif kind == 'ordinal':
        values = pd.Series(rng.randint(0, card, n))
        values.iloc[: min(card, n)] = np.arange(card)[:n]  # every level occurs
    elif kind in ('cat_str', 'pd_category', 'string_dtype'):
        values = pd.Series(_levels(card, rng)[rng.randint(0, card, n)])
        values = _with_nans(values, spec['nan'], rng)
        return values.astype({'pd_category': 'category', 'string_dtype': 'string'}.get(kind, object))
    elif kind == 'cat_num':
        values = pd.Series(rng.randint(0, card, n) * 97 + 1000)  # numbers SDV calls numerical
    elif kind == 'cat_mixed':
        values = pd.Series(np.array([1, 2, 'a', 'b', 2.5], dtype=object)[rng.randint(0, 5, n)])
    elif kind == 'bool':
        values = pd.Series(rng.rand(n) < rng.uniform(0.2, 0.8))
    elif kind == 'nullable_bool':
        values = _with_nans(pd.Series(rng.rand(n) < 0.5), spec['nan'], rng)
        return values.astype('boolean')
    elif kind in ('datetime', 'datetime_str'):
        stamps = pd.Timestamp('2001-02-03') + pd.to_timedelta(rng.randint(0, 10**8, n), unit='s')
        values = pd.Series(stamps.strftime('%Y-%m-%d %H:%M:%S') if kind == 'datetime_str' else stamps)
    elif kind == 'id':
        values = pd.Series(rng.permutation(n) + 10**6)
    elif kind == 'all_nan':
        values = pd.Series(np.full(n, np.nan))
    elif kind == 'all_none':
        values = pd.Series([None] * n, dtype=object)
    elif kind == 'constant':
        values = pd.Series(['same'] * n)
    elif kind == 'constant_num':
        values = pd.Series(np.full(n, 3.25))
    elif kind == 'two_floats':
        values = pd.Series(np.where(rng.rand(n) < 0.5, 0.5, 1.5))
    elif kind == 'email':
        values = pd.Series([f'user{i}@example.com' for i in rng.permutation(n)])
    elif kind == 'free_text':
        values = pd.Series([f'note {i}: {rng.randint(10**6)} ü' for i in range(n)])
    else:
        raise AssertionError(kind)
    return _with_nans(values, spec['nan'], rng)


def _group_sizes(n, n_groups, minority):
    if minority is None or minority * n_groups >= n:
        base = [n // n_groups] * n_groups
        base[0] += n - sum(base)
        return base
    rest = n - minority
    sizes = [rest // (n_groups - 1)] * (n_groups - 1)
    sizes[0] += rest - sum(sizes)
    return sizes + [minority]


def _labels(kind, count):
    if kind in ('str', 'pd_category', 'string_dtype'):
        return [f'Grp {chr(65 + i)}' for i in range(count)]
    if kind == 'odd_str':
        return ODD_LABELS[:count]
    if kind == 'bool':
        return [False, True]
    if kind == 'float_codes':
        return [float(i) for i in range(count)]
    if kind == 'dates':
        return list(pd.to_datetime(['1999-12-31', '2000-01-01', '2024-02-29', '2038-01-19'][:count]))
    return list(range(count))  # 0/1 (or 0..k-1) integer codes


def _sensitive_values(spec, n, rng):
    labels = _labels(spec['kind'], spec['n_groups'])
    sizes = _group_sizes(n, spec['n_groups'], spec['minority'])
    values = pd.Series(np.repeat(np.array(labels, dtype=object), sizes)[rng.permutation(n)])
    values = values.infer_objects()
    if spec['nan']:
        values = _with_nans(values, spec['nan'] / n, rng)
    return values.astype({'pd_category': 'category', 'string_dtype': 'string'}.get(spec['kind'], values.dtype))


def _target_values(spec, n, rng):
    kind = spec['kind']
    if kind == 'float':
        values = pd.Series(rng.gamma(2.0, 10.0, n).round(2))
    elif kind == 'int01':
        values = pd.Series((rng.rand(n) < 0.4).astype(int))
        values.iloc[:2] = [0, 1][:n]
    elif kind == 'two_floats':
        values = pd.Series(np.where(rng.rand(n) < 0.3, 0.5, 1.5))
        values.iloc[:2] = [0.5, 1.5][:n]
    elif kind == 'rating':
        values = pd.Series(rng.randint(1, 6, n))
        values.iloc[:2] = [1, 5][:n]
    elif kind == 'single':
        values = pd.Series(['only'] * n)
    else:
        classes = [f'class {c}' for c in 'xyzw'[: spec['n_classes']]]
        sizes = _group_sizes(n, spec['n_classes'], spec['minority'])
        values = pd.Series(np.repeat(np.array(classes, dtype=object), sizes)[rng.permutation(n)])
    values = _with_nans(values, spec['nan'], rng)
    return values.astype('category') if kind == 'pd_category' else values


def build_table(spec):
    """The DataFrame and the metadata of a table spec."""
    n, rng = spec['n_rows'], np.random.RandomState(spec['seed'])
    columns = {}
    for feature in spec['features']:
        columns[feature['name']] = _feature_values(feature, n, rng)
    for sensitive in spec['sensitive']:
        columns[sensitive['name']] = _sensitive_values(sensitive, n, rng)
    if spec['target'] is not None:
        columns[spec['target']['name']] = _target_values(spec['target'], n, rng)
    data = pd.DataFrame(columns)
    order = spec.get('order')
    if order is not None:
        data = data[[data.columns[i] for i in order]]
    index = spec.get('index', 'range')
    if index == 'gaps':  # e.g. a table filtered before fitting
        data.index = np.sort(rng.choice(10 * n, n, replace=False))
    elif index == 'strings':
        data.index = [f'row {i}' for i in rng.permutation(n)]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        metadata = Metadata.detect_from_dataframes({TABLE: data})
    if not spec['detected']:
        primary_key = metadata.tables[TABLE].primary_key
        for column in spec['features'] + spec['sensitive'] + [spec['target'] or {}]:
            # (SDV refuses a primary key that is not an id: not a change users can make.)
            if column.get('override') and column['name'] != primary_key:
                metadata.update_column(column['name'], sdtype=column['override'], table_name=TABLE)
    return data, metadata


def table_snippet(data):
    """The table as a pandas snippet, for the failure report."""
    return f'pd.DataFrame({ {column: data[column].tolist() for column in data} !r})'


# ---------------------------------------------------------------- expectations
def invalid_by_construction(spec, data):
    """Why the table must be refused (None if it must fit), from the table alone."""
    reasons = []
    for sensitive in spec['sensitive']:
        # A missing value is a group of its own (as in the fairness metrics).
        if data[sensitive['name']].nunique(dropna=False) < 2:
            reasons.append('a sensitive column with a single group')
    if spec['target'] is not None and data[spec['target']['name']].nunique(dropna=True) < 2:
        reasons.append('single target class')
    return reasons or None


def joint_group_sizes(data, columns):
    return data.groupby(columns, dropna=False).size()


def _tagged(value):
    """A value with its kind, so that True never passes for 1 or '1' for 1."""
    if isinstance(value, (bool, np.bool_)):
        return ('bool', bool(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        return ('number', float(value))
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return ('datetime', pd.Timestamp(value))
    return (type(value).__name__, value)


def discrete_columns(metadata, spec):
    """Columns whose synthetic values must all be real values: by sdtype, plus the
    sensitive columns and a class-label target (string classes, 0/1 labels)."""
    columns = metadata.tables[TABLE].columns
    names = {name for name, meta in columns.items() if meta['sdtype'] in ('categorical', 'boolean', 'ordinal')}
    names |= {sensitive['name'] for sensitive in spec['sensitive']}
    if spec['target'] is not None and spec['target']['kind'] in ('str', 'int01', 'rating', 'pd_category', 'two_floats'):
        names.add(spec['target']['name'])
    return names


def _as_datetimes(series, meta):
    if pd.api.types.is_datetime64_any_dtype(series):
        return series
    return pd.to_datetime(series, format=meta.get('datetime_format'), errors='raise')


def check_sample(synthetic, data, metadata, spec, num_rows):
    assert list(synthetic.columns) == list(data.columns)
    assert len(synthetic) == num_rows
    columns = metadata.tables[TABLE].columns
    primary_key = metadata.tables[TABLE].primary_key
    discrete = discrete_columns(metadata, spec)
    for name in data.columns:
        real, fake = data[name], synthetic[name]
        sdtype = columns[name]['sdtype']
        # 3. missing values: same presence, a rate near the real one.
        real_rate, fake_rate = real.isna().mean(), fake.isna().mean()
        if real_rate == 1:
            assert fake.isna().all(), f'{name!r} is all missing in the real table'
        elif real_rate == 0:
            assert not fake.isna().any(), f'{name!r} has no missing values in the real table'
        elif num_rows >= 100:  # (a rate of a handful of rows says nothing)
            # Generous: after one or two epochs a learned missing rate is still rough.
            assert abs(fake_rate - real_rate) <= 0.5, (name, real_rate, fake_rate)
        if real_rate == 1:
            continue
        # 2. discrete columns: only real values.
        if name in discrete:
            real_values = {_tagged(v) for v in real.dropna().unique()}
            fake_values = {_tagged(v) for v in fake.dropna().unique()}
            assert fake_values <= real_values, (name, sorted(map(str, fake_values - real_values))[:5])
        # 3. numerical and datetime ranges (enforce_min_max_values is on).
        elif sdtype == 'numerical':
            real_num, fake_num = real.dropna().astype(float), fake.dropna().astype(float)
            if len(fake_num):
                slack = 1e-9 * max(1.0, abs(real_num.min()), abs(real_num.max()))
                assert fake_num.min() >= real_num.min() - slack, (name, fake_num.min(), real_num.min())
                assert fake_num.max() <= real_num.max() + slack, (name, fake_num.max(), real_num.max())
        elif sdtype == 'datetime':
            real_dt = _as_datetimes(real.dropna(), columns[name])
            fake_dt = _as_datetimes(fake.dropna(), columns[name])
            if len(fake_dt):
                assert fake_dt.min() >= real_dt.min() and fake_dt.max() <= real_dt.max(), name
        if name == primary_key:
            assert fake.is_unique, f'primary key {name!r} repeats'


def make_synthesizer(metadata, spec):
    from sdv_fairdistill import FairDistillSynthesizer

    target = spec['target']['name'] if spec['target'] is not None else None
    sensitive = [column['name'] for column in spec['sensitive']]
    return FairDistillSynthesizer(
        metadata,
        sensitive_columns=sensitive[0] if len(sensitive) == 1 else sensitive,
        target_column=target,
        **spec['params'],
    )


def fit_or_refuse(synthesizer, data):
    """Fit; return (None, warnings) or (the SDV error, warnings). Anything else propagates."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try:
            synthesizer.fit({TABLE: data})
        except SDV_ERRORS as error:
            return error, caught
    return None, caught


# ---------------------------------------------------------------- explicit examples
def _example(features, sensitive, target, n_rows=60, **params):
    base = {
        'epochs': 1, 'distill_epochs': 1, 'batch_size': 16, 'latent_dim': 4, 'fair_latent_dim': 2,
        'fairness_weight': 300.0, 'beta': 1.0, 'target_weight': 20.0, 'teacher_dims': (8,),
        'student_dims': (4,), 'decoder_dims': (8,), 'encode_target': False,
        'encode_sensitive': True, 'balance_target': False, 'enforce_rounding': True, 'seed': 3,
    }
    base.update(params)
    names = iter(ODD_NAMES)
    for column in features + sensitive + [target or {}]:
        column['name'] = next(names)
    return {'n_rows': n_rows, 'seed': 1, 'features': features, 'sensitive': sensitive,
            'target': target, 'params': base, 'detected': False}


def _f(kind, nan=0.0, card=None, override=None):
    return {'kind': kind, 'nan': nan, 'card': card, 'override': override}


def _s(kind='str', n_groups=2, minority=None, nan=0, override=None):
    return {'kind': kind, 'n_groups': n_groups, 'minority': minority, 'nan': nan, 'override': override}


def _t(kind='str', nan=0.0, n_classes=2, minority=None, override=None):
    return {'kind': kind, 'nan': nan, 'n_classes': n_classes, 'minority': minority, 'override': override}


EVERY_KIND = _example(
    [_f('float', 0.3), _f('int', 0.02), _f('ordinal', 0.3, 4), _f('cat_str', 0.3, 5),
     _f('cat_num', 0.02, 6, 'categorical'), _f('bool', 0.3, override='boolean'),
     _f('datetime', 0.3), _f('all_nan'), _f('id')],
    [_s('int_codes', minority=1)],
    _t('int01'),
    n_rows=80,
)
TWO_SENSITIVE_HIGH_CARDINALITY = _example(
    [_f('cat_str', 0.02, 1500), _f('nullable_int', 0.3), _f('all_none'), _f('datetime_str', 0.02)],
    [_s('str', 3, minority=1), _s('bool')],
    _t('float', 0.1),
    n_rows=1800, batch_size=500,
)
#: Reweighing (balance_target) with a single-row group: the reweighed resampling of the
#: density's rows must not lose the group (found by this suite).
BALANCED_SINGLE_ROW_GROUP = _example(
    [_f('float')], [_s('str', 3, minority=1)], _t('str'), n_rows=60, balance_target=True, seed=0,
)


# ---------------------------------------------------------------- the properties
def check_fit_and_sample(spec):
    data, metadata = build_table(spec)
    note(f'table ({len(data)} rows): {table_snippet(data.head(12))} ...')
    note(f'dtypes: {data.dtypes.astype(str).to_dict()}')
    note(f'metadata: {metadata.tables[TABLE].to_dict()}')
    note(f"parameters: {spec['params']}")
    synthesizer = make_synthesizer(metadata, spec)
    error, caught = fit_or_refuse(synthesizer, data)
    expected_refusal = invalid_by_construction(spec, data)
    # 1. Only SDV errors, before training, and only for tables that must be refused.
    if error is not None:
        event(f'outcome: refused ({type(error).__name__})')
        assert synthesizer._model is None, 'the SDV error came after training started'
        assert expected_refusal, f'a valid table was refused: {type(error).__name__}: {error}'
        return
    assert not expected_refusal, f'a table with {expected_refusal} was not refused'
    event('outcome: fitted and sampled')
    sensitive = [column['name'] for column in spec['sensitive']]
    if joint_group_sizes(data, sensitive).min() == 1:
        event('a single-row sensitive group')
        messages = [str(w.message).lower() for w in caught]
        assert any('group' in m and 'row' in m for m in messages), (
            'no warning about a sensitive group with a single row', messages
        )
    num_rows = spec.get('num_rows', 200)
    synthetic = synthesizer.sample(num_rows)[TABLE]
    check_sample(synthetic, data, metadata, spec, num_rows)


def check_same_seed(spec):
    data, metadata = build_table(spec)
    assume(not invalid_by_construction(spec, data))
    note(f'table ({len(data)} rows): {table_snippet(data.head(12))} ...')
    note(f'metadata: {metadata.tables[TABLE].to_dict()}')
    note(f"parameters: {spec['params']}")
    first = make_synthesizer(metadata, spec)
    error, _ = fit_or_refuse(first, data)
    assert error is None, f'a valid table was refused: {type(error).__name__}: {error}'
    event('outcome: fitted twice, saved and loaded')
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, 'fair distill.pkl')
        first.save(path)  # before any sampling: both first samplings use SDV's fixed seed
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            loaded = load_synthesizer(path)
    num_rows = 50
    original_rows = first.sample(num_rows)[TABLE]
    pd.testing.assert_frame_equal(loaded.sample(num_rows)[TABLE], original_rows)

    second = make_synthesizer(metadata, spec)
    error, _ = fit_or_refuse(second, data)
    assert error is None
    pd.testing.assert_frame_equal(second.sample(num_rows)[TABLE], original_rows)


#: Survey mode for manual runs: FAIRDISTILL_HYPOTHESIS_SURVEY=path.jsonl records every failing
#: table there (one JSON line each) and lets the run go on, so that one known bug does not
#: hide the others (hypothesis stops at its first failure). The tests then pass; read the file.
SURVEY = os.environ.get('FAIRDISTILL_HYPOTHESIS_SURVEY')


def run_property(name, check, spec):
    TRIED[name] += 1
    if not SURVEY:
        check(spec)
        return
    import json
    import traceback

    try:
        check(spec)
    except HypothesisException:
        raise  # assume() and the like are hypothesis' business
    except Exception as error:  # noqa: BLE001 - recorded, the run goes on
        frames = traceback.extract_tb(error.__traceback__)
        inside = [f for f in frames if '/sdv_fairdistill/' in f.filename] or frames
        where = f'{os.path.basename(inside[-1].filename)}:{inside[-1].lineno}'
        first_line = (str(error).strip().splitlines() or [''])[0][:300]
        event(f'failure: {type(error).__name__} at {where}')
        TRIED[f'{name} failures'] += 1
        with open(SURVEY, 'a') as survey:
            survey.write(json.dumps({
                'test': name, 'error': type(error).__name__, 'where': where,
                'message': first_line, 'spec': spec,
            }, default=str) + '\n')


@FAST
@example(spec=EVERY_KIND)
@example(spec=TWO_SENSITIVE_HIGH_CARDINALITY)
@example(spec=BALANCED_SINGLE_ROW_GROUP)
@given(spec=table_specs())
def test_fit_and_sample_on_random_tables(spec):
    run_property('fit_and_sample', check_fit_and_sample, spec)


@pytest.mark.slow
@PROFILE
@given(spec=table_specs())
def test_fit_and_sample_on_more_random_tables(spec):
    """The same property on the profile's full number of other tables (slow suite)."""
    run_property('fit_and_sample', check_fit_and_sample, spec)


@settings(FAST, max_examples=1)  # two fits each: one random table besides the example
@example(spec=EVERY_KIND)
@given(spec=table_specs())
def test_same_seed_gives_the_same_rows(spec):
    run_property('same_seed', check_same_seed, spec)


@pytest.mark.slow
@settings(PROFILE, max_examples=max(1, PROFILE.max_examples // 2))  # two fits each
@given(spec=table_specs())
def test_same_seed_gives_the_same_rows_on_more_tables(spec):
    """The same property on the profile's number of other tables (slow suite)."""
    run_property('same_seed', check_same_seed, spec)


@pytest.mark.parametrize('single', ['first', 'last'])
def test_a_single_row_group_fits_and_warns(single):
    """Not random: the smallest group, alone, at either end of the group order."""
    spec = _example([_f('float'), _f('cat_str', card=3)], [_s('str', 3, minority=1)], _t('str'))
    data, metadata = build_table(spec)
    name = spec['sensitive'][0]['name']
    lone = data[name].value_counts().idxmin()
    if single == 'first':  # the single row's group is the first the synthesizer meets
        data = pd.concat([data[data[name] == lone], data[data[name] != lone]], ignore_index=True)
    synthesizer = make_synthesizer(metadata, spec)
    error, caught = fit_or_refuse(synthesizer, data)
    assert error is None, error
    assert any('group' in str(w.message).lower() for w in caught)
    synthetic = synthesizer.sample(300)[TABLE]
    check_sample(synthetic, data, metadata, spec, 300)
    assert set(synthetic[name]) <= set(data[name])
