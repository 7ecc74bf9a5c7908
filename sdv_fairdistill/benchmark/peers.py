"""Peer fair generators from other packages, wrapped to look like SDV synthesizers.

The benchmark runner drives a generator through ``fit({table_name: table})`` and
``sample(num_rows)``; the adapters here translate between that interface (SDV metadata, the
dataset's roles, the table's own dtypes) and the peer's. They import the peer package only
when built, so that the benchmark runs without it and records the cell as failed with the
command that installs it.

TabFairGAN (Rajabi and Garibay, "TabFairGAN: Fair Tabular Data Generation with Generative
Adversarial Networks", 2022; PyPI ``tabfairgan``) is a Wasserstein GAN with gradient
penalty, trained for accuracy and then, for its last ``fair_epochs``, with a demographic
parity penalty on one binary sensitive attribute.
"""

import contextlib
import functools
import io
import math
import warnings
from unittest import mock

import numpy as np
import pandas as pd
import torch

#: How to get the optional peers; quoted in the error a missing peer raises.
INSTALL_HINT = "pip install 'sdv-fairdistill[peers]'"

#: The paper's Adult settings; ``params`` may override each of them.
TABFAIRGAN_DEFAULTS = {'epochs': 200, 'batch_size': 256, 'fair_epochs': 30, 'lamda': 0.5}

#: TabFairGAN one-hot encodes object columns and quantile-transforms numbers: these sdtypes
#: become category strings, ``numerical`` becomes float, and any other sdtype is refused.
DISCRETE_SDTYPES = ('categorical', 'boolean', 'ordinal')

#: The category string a missing value becomes (mapped back to NaN when sampling).
MISSING = '<missing>'

# TabFairGAN holds out 10 % of the rows (``train_test_split(test_size=0.1)``) and trains on
# the rest.
_HELD_OUT = 0.1


def import_tabfairgan():
    """Return TabFairGAN's ``TFG`` class, or raise an ImportError that says how to install it."""
    try:
        from tabfairgan.main import TFG
    except ImportError as error:
        raise ImportError(
            f'TabFairGAN is not installed; {INSTALL_HINT} (or pip install tabfairgan==0.1.0) '
            'adds it.'
        ) from error
    return TFG


@contextlib.contextmanager
def _seeded(seed):
    """Seed the global generators TabFairGAN draws from, and give the caller's back after.

    TabFairGAN takes no seed: its noise comes from torch's global generator and its 90 / 10
    split from NumPy's (``train_test_split`` without ``random_state``). With ``seed`` None
    they are used as they are.
    """
    if seed is None:
        yield
        return
    numpy_state = np.random.get_state()
    try:
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            np.random.seed(seed)
            yield
    finally:
        np.random.set_state(numpy_state)


@contextlib.contextmanager
def _quiet(verbose):
    """Silence TabFairGAN's "epoch N" prints and its progress bar unless ``verbose``.

    The bar is switched off at its source rather than by redirecting stderr: in a notebook
    tqdm.auto draws a widget, which no redirection hides, and stderr also carries warnings.
    """
    if verbose:
        yield
        return
    import tabfairgan.main as module

    silent_bar = functools.partial(module.tqdm, disable=True)
    with contextlib.ExitStack() as stack:
        stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
        stack.enter_context(mock.patch.object(module, 'tqdm', silent_bar))
        stack.enter_context(warnings.catch_warnings())
        # TabFairGAN asks for 2000 quantiles; on fewer rows scikit-learn takes one per row,
        # which is right, and says so on every fit.
        warnings.filterwarnings('ignore', message='n_quantiles', category=UserWarning)
        yield


def _category_string(value):
    """The string TabFairGAN learns for a category value (``MISSING`` for a missing one)."""
    return MISSING if pd.isna(value) else str(value)


def _column_sdtypes(metadata, table_name):
    """``{column: sdtype}`` of the table in an SDV ``Metadata`` (or single-table metadata)."""
    table = metadata.tables[table_name] if hasattr(metadata, 'tables') else metadata
    return {column: spec.get('sdtype') for column, spec in table.columns.items()}


def _binary_fairness_roles(table, dataset):
    """Return ``(S, Y)``: the sensitive and target column names, checked for TabFairGAN.

    Raises:
        ValueError: when there is not exactly one sensitive column with 2 groups in
            ``table``, or when the target is not binary with the positive label among its
            values (TabFairGAN's fairness loss reads two one-hot slots of each).
    """
    sensitive = list(dataset.sensitive_columns)
    if len(sensitive) != 1:
        raise ValueError(
            'TabFairGAN handles one binary sensitive attribute; the dataset '
            f'{dataset.name!r} has {len(sensitive)} sensitive columns {sensitive}.'
        )
    groups = table[sensitive[0]].map(_category_string).unique()
    if len(groups) != 2:
        raise ValueError(
            'TabFairGAN handles one binary sensitive attribute; the sensitive column '
            f'{sensitive[0]!r} has {len(groups)} groups in the training rows: {sorted(groups)}.'
        )
    target = dataset.target_column
    labels = table[target].map(_category_string).unique()
    if len(labels) != 2 or not (table[target] == dataset.positive_label).any():
        raise ValueError(
            f'TabFairGAN needs a binary target; {target!r} has the values {sorted(labels)} in '
            f'the training rows (positive label {dataset.positive_label!r}).'
        )
    return sensitive[0], target


class TabFairGANPeer:
    """TabFairGAN behind the interface the benchmark runner drives: ``fit`` and ``sample``.

    The table is converted for TabFairGAN (categorical, boolean and ordinal columns, and the
    sensitive and target columns whatever their sdtype, become strings; numerical columns
    become floats) and its samples are converted back to the original columns, values and
    dtypes. The group TabFairGAN favours (``S_under``) is the sensitive group with the lowest
    positive-label rate in the training rows; the desired label is the dataset's positive one.
    Fairness is demographic parity only.

    Args:
        metadata (sdv.metadata.Metadata): the table's metadata (sdtypes decide the encoding).
        dataset (DatasetSpec): table name, sensitive column, target and positive label.
        seed (int or None): seed of training and of the samplings (the first after ``fit``
            and each next one), for reproducible rows. Defaults to None (the global
            generators as they are).
        params (dict or None): overrides of ``TABFAIRGAN_DEFAULTS``: ``epochs``,
            ``batch_size``, ``fair_epochs`` and ``lamda``. Defaults to None (the paper's
            Adult settings).
        enable_gpu (bool): train and sample on a CUDA GPU when there is one. Defaults to
            False.
        verbose (bool): let TabFairGAN print its epochs and show its progress bar. Defaults
            to False.

    Raises:
        ImportError: when ``tabfairgan`` is not installed (the message says how to).
        ValueError: when ``params`` has other keys.
    """

    def __init__(self, metadata, dataset, seed=None, params=None, enable_gpu=False,
                 verbose=False):
        import_tabfairgan()  # fail before any fitting when the package is absent
        params = dict(params or {})
        unknown = set(params) - set(TABFAIRGAN_DEFAULTS)
        if unknown:
            raise ValueError(
                f'TabFairGAN params has unknown keys {sorted(unknown)}; use '
                f'{sorted(TABFAIRGAN_DEFAULTS)}.'
            )
        self.metadata = metadata
        self.dataset = dataset
        self.seed = seed
        self.settings = {**TABFAIRGAN_DEFAULTS, **params}
        self.device = 'cuda' if enable_gpu and torch.cuda.is_available() else 'cpu'
        self.verbose = verbose
        self._model = None  # the fitted TFG (its ``generator`` is the network that samples)
        self._sample_calls = 0

    # ------------------------------------------------------------------ conversion
    def _learn_columns(self, table):
        """Record how each column is converted, and how it is converted back.

        Raises:
            ValueError: for columns TabFairGAN cannot learn (sdtypes other than numerical,
                categorical, boolean and ordinal; no metadata; missing numbers) or when
                there is no numerical column (its quantile transform needs one).
        """
        sdtypes = _column_sdtypes(self.metadata, self.dataset.table_name)
        roles = {*self.dataset.sensitive_columns, self.dataset.target_column}
        self._dtypes = table.dtypes.to_dict()
        self._decoders = {}  # discrete column -> {category string: original value}
        refused = {}
        for column in table.columns:
            sdtype = sdtypes.get(column, 'not in the metadata')
            if column in roles or sdtype in DISCRETE_SDTYPES:
                values = table[column].dropna().drop_duplicates()
                decoder = {str(value): value for value in values}
                if len(decoder) < len(values) or MISSING in decoder:
                    # One string, two values: the sampled string could not say which.
                    refused[column] = f'values that print alike (e.g. 1 and "1", or {MISSING!r})'
                self._decoders[column] = {**decoder, MISSING: np.nan}
            elif sdtype != 'numerical':
                refused[column] = f'sdtype {sdtype}'
            elif table[column].isna().any():
                # Its quantile transform would pass NaN into the networks and spoil them.
                refused[column] = 'missing numbers (impute them or make the column categorical)'
        numerical = [column for column in table.columns if column not in self._decoders]
        if not refused and not numerical:
            refused['(all)'] = 'no numerical column; TabFairGAN needs at least one'
        if refused:
            raise ValueError(
                'TabFairGAN learns numerical columns and categorical, boolean or ordinal ones '
                f'only; it cannot take {refused}. Drop or convert these columns rather than '
                'having them silently lost.'
            )

    def _encode(self, table):
        """The table as TabFairGAN learns it: object columns of strings, float numbers."""
        return pd.DataFrame({
            column: (
                table[column].map(_category_string).astype(object)
                if column in self._decoders else table[column].astype(float)
            )
            for column in table.columns
        })

    def _decode(self, fake):
        """TabFairGAN's rows back in the original columns, values and dtypes."""
        columns = {}
        for column, dtype in self._dtypes.items():
            if column in self._decoders:
                # Category strings back to the learned values: ints, bools, NaN, ...
                values = fake[column].map(self._decoders[column])
            elif pd.api.types.is_integer_dtype(dtype):
                values = fake[column].round()
            else:
                values = fake[column]
            columns[column] = values.astype(dtype)
        return pd.DataFrame(columns)

    # ------------------------------------------------------------------ fit and sample
    def _fairness_config(self, table, frame, sensitive, target):
        """TabFairGAN's ``fairness_config`` for the training rows (original and encoded)."""
        positive = table[target] == self.dataset.positive_label
        rates = positive.groupby(frame[sensitive]).mean()
        return {
            'fair_epochs': int(self.settings['fair_epochs']),
            'lamda': float(self.settings['lamda']),
            'S': sensitive,
            'Y': target,
            'S_under': rates.idxmin(),
            'Y_desire': frame.loc[positive, target].iloc[0],
        }

    def _batch_size(self, num_rows):
        """The batch size, at most the rows TabFairGAN trains on: its loader drops the last
        incomplete batch, so a larger batch would leave it nothing to learn from."""
        trained = num_rows - math.ceil(_HELD_OUT * num_rows)
        if trained < 1:
            raise ValueError(f'TabFairGAN needs at least 2 rows to train; got {num_rows}.')
        return min(int(self.settings['batch_size']), trained)

    def fit(self, data):
        """Train TabFairGAN on ``data``: ``{table_name: DataFrame}`` or the DataFrame.

        Raises:
            ValueError: for a sensitive attribute that is not one binary column, a target that
                is not binary, or columns TabFairGAN cannot learn.
        """
        table = data[self.dataset.table_name] if isinstance(data, dict) else data
        table = table.reset_index(drop=True)
        sensitive, target = _binary_fairness_roles(table, self.dataset)
        self._learn_columns(table)
        frame = self._encode(table)
        tfg = import_tabfairgan()(
            frame,
            epochs=int(self.settings['epochs']),
            batch_size=self._batch_size(len(frame)),
            device=self.device,
            fairness_config=self._fairness_config(table, frame, sensitive, target),
        )
        with _seeded(self.seed), _quiet(self.verbose):
            tfg.train()
        self._model = tfg
        self._sample_calls = 0

    def sample(self, num_rows):
        """Generate ``num_rows`` rows; returns ``{table_name: DataFrame}``."""
        if self._model is None:
            raise ValueError('This TabFairGANPeer has not been fitted; call fit first.')
        # A seed per call: the first sampling after fit is reproducible, the next ones differ.
        seed = None
        if self.seed is not None:
            sequence = np.random.SeedSequence([self.seed, self._sample_calls])
            seed = int(sequence.generate_state(1)[0])
        self._sample_calls += 1
        with _seeded(seed):
            fake = self._model.generate_fake_df(int(num_rows))
        return {self.dataset.table_name: self._decode(fake)}
