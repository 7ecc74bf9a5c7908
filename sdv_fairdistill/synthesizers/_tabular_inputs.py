"""Checks of what a user hands ``FairDistillSynthesizer``: the criterion's target, TVAE names,
conditions, and how each column is encoded (the column roles: ``_column_roles.py``).

Everything here runs before training, so a table or a parameter that cannot work is refused
with a message that names the column or parameter and the fix.
"""

import inspect
import warnings

import numpy as np

from sdv.errors import SynthesizerInputError

from sdv_fairdistill.group_names import group_name, shown, shown_list
from sdv_fairdistill.synthesizers._missing_flags import is_null_indicator

# A module import, used at call time: importing ``_parameters`` imports ``sdv``, whose add-on
# loading imports this module while ``_parameters`` is still half-initialised.
from sdv_fairdistill.synthesizers import _parameters

#: A target with at most this many distinct values is a classification target, whatever its
#: sdtype (SDV detects a 0/1 label as ordinal).
MAX_CLASSES = 20

#: How a column that reaches the model raw is encoded, by sdtype (others: by dtype).
_KIND_OF_SDTYPE = {'categorical': 'categorical', 'boolean': 'categorical', 'ordinal': 'ordinal'}

#: TVAE's parameters that mean the same here, so TVAE code runs after a one-line change.
TVAE_ALIASES = {
    'embedding_dim': 'latent_dim',
    'compress_dims': 'teacher_dims',
    'decompress_dims': 'decoder_dims',
    'cuda': 'enable_gpu',
}
TVAE_WITHOUT_EQUIVALENT = {
    'l2scale': 'there is no weight decay in FairDistill',
    'loss_factor': "the reconstruction is weighed against the penalty by 'fairness_weight' "
    "and 'target_weight' instead",
}


def as_list(columns):
    """``columns`` (a name, a list of names or None) as a list; a name that is no text (5)
    is kept as one, for the checks to refuse with the rule (names are text)."""
    if columns is None:
        return []
    if isinstance(columns, str) or not hasattr(columns, '__iter__'):
        return [columns]
    return list(columns)


def translate_tvae_parameters(parameters, values, init):
    """Map TVAE's parameter names to ours; refuse unknown or meaningless ones clearly.

    ``values`` are the arguments under our names, ``init`` the constructor that has their
    defaults: a TVAE name may not contradict an argument given under our name.
    """
    defaults = inspect.signature(init).parameters
    translated = {}
    for name, value in parameters.items():
        if name in TVAE_WITHOUT_EQUIVALENT:
            raise _parameters.InvalidParameterError(
                f"FairDistillSynthesizer has no TVAE parameter '{name}': "
                f'{TVAE_WITHOUT_EQUIVALENT[name]}. Remove it.'
            )
        if name not in TVAE_ALIASES:
            raise _parameters.InvalidParameterError(
                f"FairDistillSynthesizer got an unexpected parameter '{name}'. See "
                'help(FairDistillSynthesizer) for its parameters.'
            )
        ours = TVAE_ALIASES[name]
        if values[ours] != defaults[ours].default:
            raise _parameters.InvalidParameterError(
                f"Pass either '{ours}' or TVAE's '{name}', not both (they are the same)."
            )
        translated[ours] = value
    return translated


def with_tvae_names(error, tvae_parameters):
    """``error`` of a parameter the user passed under its TVAE name, saying that name."""
    message = str(error)
    for tvae in tvae_parameters:
        ours = TVAE_ALIASES[tvae]
        if f"'{ours}'" in message:
            return _parameters.InvalidParameterError(
                message.replace(f"'{ours}'", f"'{ours}' (TVAE's '{tvae}')", 1))
    return error


def constraint_columns(constraint):
    """Column names a constraint refers to: its string (or list of strings) attributes."""
    names = set()
    for value in vars(constraint).values():
        if isinstance(value, str):
            names.add(value)
        elif isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
            names.update(value)
    return names


def column_kinds(columns, metadata_columns, field_transformers):
    """How TableEncoder encodes each column: by sdtype when the column arrives raw (no SDV
    transformer); a transformed column is encoded by the dtype of what the transformer gave."""
    kinds = {}
    for column in columns:
        if is_null_indicator(column, field_transformers):
            # 1.0 where a number is missing: two values, drawn as a class.
            kinds[column] = 'categorical'
        elif field_transformers.get(column) is None:
            kind = _KIND_OF_SDTYPE.get(metadata_columns.get(column, {}).get('sdtype'))
            if kind:
                kinds[column] = kind
    return kinds


def ordinal_orders(columns, metadata_columns):
    """The metadata's order of each column that has one (``range_values``)."""
    return {
        column: metadata_columns[column]['range_values']
        for column in columns
        if metadata_columns.get(column, {}).get('range_values') is not None
    }


def prior_given_conditions(groups, prior, conditions):
    """The groups' prior restricted to those matching ``conditions`` on sensitive columns
    (None when no condition names one); an error names the known groups when none match."""
    fixed = {c: v for c, v in (conditions or {}).items() if c in groups.columns}
    if not fixed:
        return None
    matches = np.ones(len(groups), dtype=bool)
    for column, value in fixed.items():
        matches &= (groups[column] == value).to_numpy()
    if not matches.any():
        known = '; '.join(sorted(
            group_name(row) for row in groups[list(fixed)].drop_duplicates().itertuples(index=False)
        ))
        raise SynthesizerInputError(
            f'No sensitive group matches the condition {fixed}. Known groups: {known}.'
        )
    restricted = np.where(matches, prior, 0.0)
    return restricted / restricted.sum()


def default_positive_label(values):
    """1 (or True) for a 0/1 or boolean target; None when the classes do not say which."""
    classes = set(values.dropna().unique().tolist())
    if classes and (classes <= {0, 1} or classes <= {False, True}):
        return max(classes)
    return None


def resolved_positive_label(values, positive_label):
    """``positive_label``, or the default one of the target ``values`` when it is None."""
    return default_positive_label(values) if positive_label is None else positive_label


def check_criterion(synthesizer, table):
    """Refuse a ``fairness_criterion`` the raw ``table``'s target cannot serve; warn of groups
    whose error rates it cannot measure (a group with no row of a class)."""
    problem = criterion_problem(
        table, synthesizer.target_column, synthesizer.fairness_criterion,
        synthesizer.positive_label, synthesizer._is_class_target,
    )
    if problem:
        raise _parameters.InvalidParameterError(problem)
    criterion, target = synthesizer.fairness_criterion, synthesizer.target_column
    if target is None:
        return
    sensitive = [c for c in as_list(synthesizer.sensitive_columns) if c in table.columns]
    if not sensitive or target not in table.columns:  # SDV's validation names what is missing
        return
    if table[target].nunique() < 2:  # the table checks refuse it: no group advice
        return
    if criterion == 'demographic_parity':
        _warn_if_the_group_decides_the_target(table, sensitive, target, synthesizer)
        return
    if criterion == 'equal_opportunity':
        classes = [resolved_positive_label(table[target], synthesizer.positive_label)]
        rate = 'true-positive rate'
    else:
        classes, rate = table[target].dropna().unique().tolist(), 'true- and false-positive rates'
    # As objects, on a plain index: an index level named like a sensitive column would make
    # the grouping ambiguous, and sets cannot be cast back to a pyarrow-backed dtype.
    rows = table[sensitive + [target]].astype(object).reset_index(drop=True)
    held = rows.groupby(sensitive, dropna=False, sort=False)[target].agg(
        lambda values: set(values.dropna().tolist()))
    for values, present in held.items():
        absent = [value for value in classes if value not in present]
        if absent:
            name = group_name(values if isinstance(values, tuple) else (values,))
            if len(absent) < len(classes):  # equalized odds, one class of the two missing
                positive = resolved_positive_label(table[target], synthesizer.positive_label)
                lost, kept = (('true-positive', 'false-positive') if positive in absent
                              else ('false-positive', 'true-positive'))
                consequence = (
                    f'its {lost} rate cannot be measured or made equal: its calibration '
                    f'matches its {kept} rate alone, and the diagnostics compare that rate'
                )
            else:
                consequence = (
                    'its rates cannot be measured or made equal (its calibration offset stays '
                    '0, its error is inf, and the diagnostics leave it out)'
                )
            warnings.warn(
                f"fairness_criterion={criterion!r} makes the {rate} of every group equal, but "
                f"group '{name}' has no row whose '{target}' is "
                f"{' or '.join(map(shown, absent))}: {consequence}. Use "
                "fairness_criterion='demographic_parity', or merge the group into another."
            )
            return


def _warn_if_the_group_decides_the_target(table, sensitive, target, synthesizer):
    """A class target with one value in every group (a copy or a recoding of the sensitive
    column) can only be made independent of the group by dropping all it says: the generated
    label then carries nothing of the real one, and nothing said so."""
    values = table[target]
    if not synthesizer._is_class_target(values) or values.nunique() < 2:
        return
    rows = table[sensitive + [target]].astype(object).reset_index(drop=True)
    grouped = rows.groupby(sensitive, dropna=False, sort=False)[target]
    per_group = grouped.nunique(dropna=False)
    # Groups of one row hold one value whatever the target is: they tell nothing. The rest
    # must each hold one value, and not all the same one (a target nearly constant).
    told = grouped.size() >= 2
    if told.sum() >= 2 and (per_group[told] <= 1).all() and \
            grouped.first()[told].nunique(dropna=False) >= 2:
        warnings.warn(
            f"'{target}' has one value in every group of {sensitive}: the group decides it. "
            'Demographic parity makes the generated label independent of the group, so it '
            f"keeps nothing of the real '{target}'. Check that target_column and "
            'sensitive_columns name the columns meant.', UserWarning, stacklevel=3,
        )


def criterion_problem(data, target_column, criterion, positive_label, is_class_target):
    """What keeps ``criterion`` from working on the raw table's target, or None."""
    if target_column is None:
        return None
    values = data[target_column]
    if not is_class_target(values):
        if criterion != 'demographic_parity':
            return (
                f"fairness_criterion={criterion!r} compares error rates inside the classes of "
                f"the target, but '{target_column}' is continuous ({values.nunique()} "
                "distinct values). Use fairness_criterion='demographic_parity', or bin the "
                'target.'
            )
        if positive_label is not None:  # it would be kept, and mean nothing
            return (f"positive_label={positive_label!r} names a class, but '{target_column}' "
                    f'is a number ({values.nunique()} distinct values): leave it None.')
        return None
    classes = values.dropna().unique().tolist()
    if len(classes) < 2:  # the table checks say so (no positive_label can help)
        return None
    label = resolved_positive_label(values, positive_label)
    if criterion != 'equal_opportunity' and positive_label is None:
        return None
    if label is None:
        return (
            "fairness_criterion='equal_opportunity' equalises the true-positive rate of one "
            f"class of '{target_column}': pass positive_label=, one of "
            f'{shown_list(classes)}.'
        )
    if label not in classes:
        # The hint only where the label is a class written as another type (1 and '1').
        match = next((value for value in classes if str(value) == str(label)), None)
        return (
            f"positive_label={shown(label)} is not a class of '{target_column}' (classes: "
            f'{shown_list(classes)}'
            + (f'; {shown(match)} is not {shown(label)}' if match is not None else '') + ').'
        )
    return None


def positive_class_index(categories, values, positive_label):
    """Column of the positive label in the target's one-hot (``categories``: its order)."""
    return categories.index(resolved_positive_label(values, positive_label))


def resolve_align_target(synthesizer, n_groups):
    """``align_target``, or with None its default: on under demographic parity, when the
    penalty is on (``fairness_weight > 0``), for the joint groups of several sensitive
    columns (when they form more than two groups). Small intersections weigh little in the
    penalty and keep a dependence that the alignment removes (measured: docs/method.md); with
    one column, the penalty holds its groups and the alignment's per-group maps added more
    noise than they removed."""
    # A synthesizer saved before the parameter existed has no attribute: the default.
    align_target = getattr(synthesizer, 'align_target', None)
    if align_target is not None:
        return align_target
    return (
        synthesizer.fairness_weight > 0
        and synthesizer.fairness_criterion == 'demographic_parity'
        and len(synthesizer.sensitive_columns) > 1
        and n_groups > 2
    )


def _check_demographic_parity_option(name, value, fairness_criterion, what):
    """``value`` of option ``name`` is None or a bool, and True only under demographic parity
    (``what``: what the option does, for the message)."""
    _parameters.check_optional_bool(name, value)
    if value and fairness_criterion != 'demographic_parity':
        raise _parameters.InvalidParameterError(
            f'{name}=True {what} (demographic parity), against '
            f'fairness_criterion={fairness_criterion!r}: use {name}=None or False.'
        )


def check_align_target(align_target, fairness_criterion):
    """``align_target`` is None or a bool, and True only under demographic parity."""
    _check_demographic_parity_option(
        'align_target', align_target, fairness_criterion,
        'gives the generated target the same distribution in every group',
    )


def check_label_options(synthesizer):
    """``calibrate_target`` and ``label_from_features`` are None or bools; warn when the
    label from the features is asked for under an error-rate criterion with the calibration
    off (that label keeps each group's own scores: only the calibration equalises the rates)."""
    _parameters.check_optional_bool('calibrate_target', synthesizer.calibrate_target)
    _parameters.check_optional_bool('label_from_features', synthesizer.label_from_features)
    criterion = synthesizer.fairness_criterion
    if (synthesizer.label_from_features and synthesizer.calibrate_target is False
            and criterion != 'demographic_parity' and synthesizer.fairness_weight > 0):
        warnings.warn(
            f'label_from_features=True under fairness_criterion={criterion!r} keeps each '
            "group's own scores, and only the calibration equalises the error rates: with "
            'calibrate_target=False the generated label keeps the real bias. Leave '
            'calibrate_target=None (on with the penalty), or label_from_features=None for the '
            'target head.'
        )


def resolve_balance_target(synthesizer, target_spans):
    """``balance_target``, or with None its default: on under the error-rate criteria; True
    without a class-label target warns and is off."""
    balance_target = synthesizer.balance_target
    if balance_target is None:
        return synthesizer.fairness_criterion != 'demographic_parity'
    if balance_target and (len(target_spans) != 1 or target_spans[0].kind != 'categorical'):
        warnings.warn(
            f"balance_target=True needs a class-label target; '{synthesizer.target_column}' is "
            'continuous or absent, so the rows are not reweighed (the penalty alone makes it '
            'fair).'
        )
        return False
    return balance_target


def _resolve_demographic_parity_option(synthesizer, name):
    """Option ``name``, or with None its default: on under demographic parity when the
    penalty is on (where the target allows: for the label from the features a categorical
    target or a number)."""
    # A synthesizer saved before the parameter existed has no attribute: the default.
    value = getattr(synthesizer, name, None)
    if value is not None:
        return value
    return synthesizer.fairness_weight > 0 and synthesizer.fairness_criterion == 'demographic_parity'


def resolve_calibrate_target(synthesizer):
    """``calibrate_target``, or with None its default: on when the penalty is on, under every
    criterion (the calibration equalises the rates each one compares; it applies where the
    target allows, ``_calibration.calibrate``)."""
    # A synthesizer saved before the parameter existed has no attribute: the default.
    value = getattr(synthesizer, 'calibrate_target', None)
    return synthesizer.fairness_weight > 0 if value is None else value


#: ``resolve_label_from_features``' third answer: try the label from the features and keep it
#: only if the calibration measures every group's shift precisely (``calibration.certain``).
IF_CERTAIN = 'if certain'


def resolve_label_from_features(synthesizer):
    """``label_from_features``, or with None its default: on under demographic parity when
    the penalty is on (``_resolve_demographic_parity_option``); under the error-rate criteria
    with the penalty and the calibration on, ``IF_CERTAIN`` (that label keeps the real bias,
    which only a precise calibration removes); else off."""
    value = _resolve_demographic_parity_option(synthesizer, 'label_from_features')
    if value or getattr(synthesizer, 'label_from_features', None) is not None:
        return value
    if synthesizer.fairness_weight > 0 and resolve_calibrate_target(synthesizer):
        return IF_CERTAIN
    return False
