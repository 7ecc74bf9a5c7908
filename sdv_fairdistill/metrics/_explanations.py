"""Why a model trained on the synthetic table is fairer: feature attributions and proxies.

* **Feature attributions.** A gradient-boosting classifier (scikit-learn's
  ``HistGradientBoostingClassifier`` on the generic encoding of ``_features.py``: one-hot
  categoricals, imputed numbers) is trained on the real training rows and on the synthetic
  table, and explained on the same real validation rows: the mean absolute SHAP value
  (``shap.TreeExplainer``, exact for trees; in log-odds) of each column, its one-hot columns
  summed (SHAP values add up), as a share of all columns'. Without ``shap`` installed,
  scikit-learn's ``permutation_importance`` (drop of AUROC when a column is shuffled)
  takes its place, as a share of the positive drops. The explained classifier is one-hot
  encoded, not the report's native-categorical one, because ``shap`` misreads
  HistGradientBoosting's categorical splits (its SHAP values then do not add up to the
  model's output).
* **Proxy strength.** How well each column alone predicts the sensitive group: AUROC
  (macro one-vs-rest for more than two groups), 3-fold cross-validated, of the group shares
  of the column's value (of its quantile bin for numbers, 20 bins) counted on the other
  folds, in the real and in the synthetic table; that is the best any classifier can do
  with the column alone, up to the binning. 0.5: the column tells nothing of the group. The target is one of the columns: under demographic parity its
  synthetic AUROC should fall to 0.5, while the other proxies may keep theirs (fidelity).
  ``All columns`` is the AUROC of a gradient-boosting classifier of the group on every
  column together (50 iterations; over more than 10 groups fewer, ``ALL_COLUMNS_TREES``
  trees in all, since it grows a tree per group an iteration).
"""

import importlib.util
import warnings

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.inspection import permutation_importance
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from sdv_fairdistill.metrics._columns import binary_labels
from sdv_fairdistill.metrics._features import (
    feature_types,
    generic_encoder,
    generic_frame,
    native_matrices,
)
from sdv_fairdistill.metrics._groups import group_names, sensitive_frame
from sdv_fairdistill.metrics._values import shorten

#: Real validation rows the attributions are computed on (a seeded random subset).
MAX_EXPLAINED_ROWS = 2000
#: Rows of each table the proxy classifiers see (a seeded random subset).
MAX_PROXY_ROWS = 10000
#: Training rows of each explained model, at most (a seeded random subset): the report's own
#: classifiers learn every row; these are refitted on the one-hot encoding SHAP explains, and
#: on 200,000-row tables they were half the report's time (36 of 75 s).
MAX_MODEL_ROWS = 50000
#: Groups with fewer rows are left out of the proxy AUROCs (3-fold cross-validation).
MIN_PROXY_GROUP_ROWS = 10
ALL_COLUMNS = 'All columns'
#: Trees of the ``All columns`` model, at most (a tree per group an iteration, 50 iterations).
ALL_COLUMNS_TREES = 500


def shap_available():
    """Whether ``shap`` is installed (the ``[explain]`` extra)."""
    return importlib.util.find_spec('shap') is not None


def _output_columns(encoder, types):
    """The input column of each output column of a fitted ``generic_encoder``."""
    owners = []
    for name, transformer, columns in encoder.transformers_:
        if name == 'categorical' and columns:
            for column, categories in zip(columns, transformer.categories_):
                owners += [column] * len(categories)
        elif name == 'numerical' and columns:
            imputer = transformer.steps[0][1]
            owners += list(columns)
            if imputer.indicator_ is not None:  # one indicator per column with missing values
                owners += [columns[index] for index in imputer.indicator_.features_]
    return np.array(owners, dtype=object)


def _shap_by_column(model, matrix, owners, columns):
    """SHAP values (log-odds) of each row and input column."""
    import shap

    values = shap.TreeExplainer(model).shap_values(matrix)
    if isinstance(values, list):  # older shap: one array per class
        values = values[-1]
    values = np.asarray(values)
    if values.ndim == 3:  # (rows, features, classes)
        values = values[..., -1]
    # A column's SHAP value is the sum over its one-hot / indicator columns (additivity).
    return np.column_stack([values[:, owners == column].sum(axis=1) for column in columns])


def _permutation_share(model, frame, y_true, encoder, random_state):
    def scorer(estimator, x, y):
        return roc_auc_score(y, estimator.predict_proba(encoder.transform(x))[:, 1])

    result = permutation_importance(
        model, frame, y_true, scoring=scorer, n_repeats=3, random_state=random_state
    )
    return np.clip(result.importances_mean, 0, None)


def feature_attributions(task, method=None, max_rows=MAX_EXPLAINED_ROWS):
    """Attribution share of each feature column for the real- and synthetic-trained model.

    See ``explain_models``, which also returns the effect of the sensitive columns by group.
    """
    return explain_models(task, method, max_rows)[0]


def explain_models(task, method=None, max_rows=MAX_EXPLAINED_ROWS):
    """Attribution share of each feature column for the real- and synthetic-trained model,
    and the effect of the sensitive columns in each group.

    Args:
        task (FairnessTask): the validated tables of a report.
        method (str or None): ``'shap'`` or ``'permutation'``; None takes SHAP when it is
            installed. Defaults to None.
        max_rows (int): real validation rows explained (a seeded random subset).

    Returns:
        tuple[pandas.DataFrame, pandas.DataFrame]: the attributions: ``Column``,
        ``Sensitive`` (bool), ``Real-trained model`` and ``Synthetic-trained model`` (shares
        summing to 1 over the columns; NaN, with a warning, for a model that uses no
        column), ``Method``; and the sensitive effect: for each group
        (``Group``, ``Rows``), the mean SHAP value (log-odds) of the sensitive columns among
        its explained rows for each model: negative where the model lowers the group's
        scores for being that group. Empty without SHAP or when the classifiers do not see
        the sensitive columns.
    """
    if method is None:
        method = 'shap' if shap_available() else 'permutation'
    if method not in ('shap', 'permutation'):
        raise ValueError(f"method must be 'shap', 'permutation' or None, got {method!r}.")
    if method == 'shap' and not shap_available():
        raise ImportError("SHAP attributions need shap: pip install 'sdv-fairdistill[explain]'.")

    types = task._feature_types
    columns = list(types)
    train, validation = task.split
    rng = np.random.RandomState(task.random_state)
    rows = rng.choice(len(validation), min(len(validation), max_rows), replace=False)
    validation = validation.iloc[np.sort(rows)]
    y_validation = binary_labels(validation[task.target_column], task.positive_label)
    groups = np.asarray(group_names(sensitive_frame(validation, task.sensitive_columns)))
    sensitive = [columns.index(column) for column in task.sensitive_columns if column in types]
    shares, effects = {}, {}
    for source, table in (('Real-trained model', train),
                          ('Synthetic-trained model', task.tables['synthetic_data'])):
        if len(table) > MAX_MODEL_ROWS:
            table = table.iloc[np.sort(rng.choice(len(table), MAX_MODEL_ROWS, replace=False))]
        encoder = generic_encoder(types).fit(generic_frame(table, types))
        y_train = binary_labels(table[task.target_column], task.positive_label)
        model = HistGradientBoostingClassifier(random_state=task.random_state)
        model.fit(encoder.transform(generic_frame(table, types)), y_train)
        if method == 'shap':
            matrix = encoder.transform(generic_frame(validation, types))
            values = _shap_by_column(model, matrix, _output_columns(encoder, types), columns)
            raw = np.abs(values).mean(axis=0)
            if sensitive:
                effect = values[:, sensitive].sum(axis=1)
                effects[source] = {group: effect[groups == group].mean()
                                   for group in np.unique(groups)}
        else:
            raw = _permutation_share(
                model, generic_frame(validation, types), y_validation, encoder, task.random_state,
            )
        if raw.sum() > 0:
            shares[source] = raw / raw.sum()
        else:  # no share of nothing: 0 everywhere would read as "uses no column, fairly"
            shares[source] = np.full(len(columns), np.nan)
            cause = (f'gives every explained row the same score (on {len(table)} training '
                     'rows its trees make no split)' if method == 'shap' else
                     'loses no AUROC on the explained rows when any one column is shuffled')
            warnings.warn(
                f'The {source.lower()} {cause}: no column carries a share of it, so its '
                'attribution shares are NaN. Give it more rows, or rows whose label varies '
                'with the features.', UserWarning, stacklevel=3,
            )

    attributions = pd.DataFrame({
        'Column': columns,
        'Sensitive': [column in task.sensitive_columns for column in columns],
        **shares,
        'Method': 'SHAP' if method == 'shap' else 'Permutation',
    })
    names, counts = np.unique(groups, return_counts=True)
    effect = pd.DataFrame({'Group': names, 'Rows': counts, **{
        source: [values[name] for name in names] for source, values in effects.items()
    }}) if effects else pd.DataFrame(columns=['Group', 'Rows', *shares])
    return attributions, effect


#: Quantile bins of a numerical column in the one-column proxy estimate.
PROXY_BINS = 20


def _column_codes(values, categorical):
    """One column as integer codes: its categories, or its quantile bins; missing = a code."""
    if categorical:
        codes = np.where(np.isnan(values), -1, values)
    else:
        finite = values[~np.isnan(values)]
        edges = np.unique(np.quantile(finite, np.linspace(0, 1, PROXY_BINS + 1)[1:-1])) \
            if finite.size else np.array([])
        codes = np.where(np.isnan(values), -1, np.searchsorted(edges, values, side='right'))
    return np.unique(codes, return_inverse=True)[1]


def _auroc(groups, scores, labels):
    if labels.size == 2:
        return float(roc_auc_score(groups == labels[1], scores[:, 1]))
    return float(roc_auc_score(groups, scores, multi_class='ovr', average='macro'))


def _warn_small_proxy_groups(groups, table_name):
    """Say which groups of ``table_name`` the proxy AUROCs leave out, and when that leaves
    fewer than two (every AUROC of the table is then NaN)."""
    labels, counts = np.unique(groups, return_counts=True)
    small = labels[counts < MIN_PROXY_GROUP_ROWS]
    if len(small):
        left = (' so no AUROC is measured in it' if len(labels) - len(small) < 2 else '')
        warnings.warn(
            f'Proxy Strength leaves out the groups {shorten(list(small))} of {table_name}: '
            f'fewer than {MIN_PROXY_GROUP_ROWS} rows each to cross-validate on,{left}.'
        )


def _kept_groups(groups):
    """Rows of the groups with at least ``MIN_PROXY_GROUP_ROWS`` rows, and those groups."""
    labels, counts = np.unique(groups, return_counts=True)
    keep = np.isin(groups, labels[counts >= MIN_PROXY_GROUP_ROWS])
    return keep, np.unique(groups[keep])


def _one_column_auroc(codes, groups, random_state):
    """Cross-validated AUROC of the groups from the group shares of each code (add-one
    smoothed), counted on the other folds."""
    keep, labels = _kept_groups(groups)
    if labels.size < 2:
        return np.nan
    codes, groups = codes[keep], np.searchsorted(labels, groups[keep])
    scores = np.zeros((len(codes), labels.size))
    folds = StratifiedKFold(3, shuffle=True, random_state=random_state)
    for train, test in folds.split(codes, groups):
        counts = np.ones((codes.max() + 1, labels.size))
        np.add.at(counts, (codes[train], groups[train]), 1)
        scores[test] = (counts / counts.sum(axis=1, keepdims=True))[codes[test]]
    return _auroc(labels[groups], scores, labels)


def _all_columns_auroc(matrix, categorical, groups, random_state):
    keep, labels = _kept_groups(groups)
    if labels.size < 2:
        return np.nan
    # Over more than two groups the model grows a tree per group an iteration, and its time
    # grows with the groups (docs/explanations.md, "Time"): with more than 10 groups it takes
    # fewer iterations, ALL_COLUMNS_TREES trees at most.
    max_iter = int(np.clip(ALL_COLUMNS_TREES // labels.size, 1, 50)) if labels.size > 2 else 50
    model = HistGradientBoostingClassifier(
        max_iter=max_iter, random_state=random_state,
        categorical_features=categorical if categorical.any() else None,
    )
    folds = StratifiedKFold(3, shuffle=True, random_state=random_state)
    scores = cross_val_predict(model, matrix[keep], groups[keep], cv=folds,
                               method='predict_proba')
    return _auroc(groups[keep], scores, labels)


def proxy_strength(task, max_rows=MAX_PROXY_ROWS):
    """AUROC of the sensitive group from each column alone, in the real and synthetic table.

    Args:
        task (FairnessTask): the validated tables of a report.
        max_rows (int): rows of each table used (a seeded random subset).

    Returns:
        pandas.DataFrame: ``Column`` (each non-sensitive column, the target included, then
        ``'All columns'``), ``Real data`` and ``Synthetic data`` AUROCs, ``Target`` (bool),
        sorted by the real AUROC.
    """
    types = feature_types(task.tables['real_data'], task.metadata, task.sensitive_columns)
    all_columns = all_columns_row(types)
    rows = {}
    for source, name in (('Real data', 'real_data'), ('Synthetic data', 'synthetic_data')):
        table = task.tables[name]
        rng = np.random.RandomState(task.random_state)
        table = table.iloc[np.sort(rng.choice(len(table), min(len(table), max_rows),
                                              replace=False))]
        groups = np.asarray(group_names(sensitive_frame(table, task.sensitive_columns)))
        _warn_small_proxy_groups(groups, name)
        frame, _, categorical = native_matrices(table, table.iloc[:0], types)
        matrix = frame.to_numpy()
        for index, column in enumerate(types):
            codes = _column_codes(matrix[:, index], categorical[index] or
                                  types[column] == 'categorical')
            rows.setdefault(column, {})[source] = _one_column_auroc(
                codes, groups, task.random_state
            )
        rows.setdefault(all_columns, {})[source] = _all_columns_auroc(
            matrix, categorical, groups, task.random_state
        )

    frame = pd.DataFrame([{'Column': column, **values} for column, values in rows.items()])
    frame['Target'] = frame['Column'] == task.target_column
    single = frame[frame['Column'] != all_columns].sort_values('Real data', ascending=False)
    return pd.concat([single, frame[frame['Column'] == all_columns]], ignore_index=True)


def all_columns_row(columns):
    """The name of the row of every column together: ``ALL_COLUMNS``, unless a column of the
    table has that name (its own row would be overwritten), then marked apart."""
    name = ALL_COLUMNS
    while name in columns:
        name = f'({name})'
    return name


#: A column is called a proxy when it tells the group apart at least this well alone (its real
#: proxy AUROC); a column near 0.5 is no proxy, however it ranks among weaker ones.
MIN_PROXY_AUROC = 0.6


def attribution_summary(attributions, proxies, sensitive_columns, top=3):
    """The attribution share of the sensitive columns and of the ``top`` strongest proxies
    (the feature columns whose real proxy AUROC is highest, at least ``MIN_PROXY_AUROC``),
    real- vs synthetic-trained."""
    features = set(attributions['Column'])
    strong = proxies[proxies['Real data'] >= MIN_PROXY_AUROC]['Column']
    strongest = [
        column for column in strong if column in features and column not in sensitive_columns
    ][:top]
    summary = []
    for column in [*[c for c in sensitive_columns if c in features], *strongest]:
        row = attributions[attributions['Column'] == column].iloc[0]
        summary.append({
            'Column': column,
            'Role': 'sensitive' if column in sensitive_columns else 'proxy',
            'Real-trained model': row['Real-trained model'],
            'Synthetic-trained model': row['Synthetic-trained model'],
        })
    return pd.DataFrame(summary)
