"""How ``FairDistillSynthesizer`` keeps its sensitive and target columns raw inside SDV.

The groups and the classes must be the columns' raw values, so these SDV hooks keep SDV's
transformers, and constraints, away from them: ``_preprocess`` bypasses the transformers
SDV chose, ``update_transformers`` warns that a user's is not used, ``add_constraints``
refuses a constraint that names them (and warns that a programmable one cannot be checked).

``_preprocess`` also changes how SDV's default transformer treats the missing values of a
numerical column. SDV fills them with the column's mean and puts missing values back at
random, in the column's share, after generation. The model then learns a spike at the mean,
and whether a value is missing no longer depends on the rest of the row. In the SLID survey
44 % of the wages are missing; FairDistill put 46 % of its non-missing wages within 0.3 of
the mean, against 3 % of the real ones, and TVAE did the same. With
``missing_value_generation='from_column'`` SDV adds a ``<column>.is_null`` column, which the
model draws with the row as a class (``column_kinds``), and the generated value is replaced
by a missing one where it says so (docs/cases.md, "The third round"). Only where at least
``MIN_MISSING_SHARE`` of the column is missing: the spike's mass is the missing share, and
on columns with a few missing cells (under 1 % in ``chile`` and ``political_information``)
the extra column changed the fit and not the fidelity. A transformer the user set is kept.
"""

import warnings

from rdt.transformers import FloatFormatter
from sdv.cag import ProgrammableConstraint
from sdv.cag.programmable_constraint import ProgrammableConstraintHarness
from sdv.errors import SynthesizerInputError

from sdv_fairdistill.synthesizers import _tabular_inputs as inputs

#: The share of missing values from which a numerical column's missing values are generated
#: with the row (``_missing_from_the_row``) rather than at random.
MIN_MISSING_SHARE = 0.05


class RawColumnsMixin:
    """SDV hooks of a synthesizer with ``sensitive_columns`` and ``target_column``."""

    def _is_class_target(self, values):
        """A target is a class label if its sdtype says so or it has few distinct values."""
        sdtype = self._get_table_metadata().columns[self.target_column]['sdtype']
        return sdtype in ('categorical', 'boolean') or values.nunique(dropna=True) <= inputs.MAX_CLASSES

    def update_transformers(self, column_name_to_transformer, table_name=None):
        # SDV's checks first: a call it refuses (before auto_assign_transformers) changes
        # nothing, not even which columns ``_missing_from_the_row`` leaves alone.
        super().update_transformers(column_name_to_transformer, table_name)
        # The user's choices are kept as they are (``_missing_from_the_row``).
        self._user_transformer_columns = set(
            getattr(self, '_user_transformer_columns', set())
        ) | set(column_name_to_transformer)
        raw = set(self.sensitive_columns) | set(inputs.as_list(self.target_column))
        for column, transformer in column_name_to_transformer.items():
            if column in raw and transformer is not None:
                warnings.warn(
                    f"The {type(transformer).__name__} set for '{column}' is not used: "
                    'FairDistillSynthesizer models the sensitive and target columns from their '
                    'raw values (their groups and classes).'
                )

    def add_constraints(self, constraints):
        protected = set(self.sensitive_columns) | set(inputs.as_list(self.target_column))
        for constraint in constraints:
            named = protected & inputs.constraint_columns(constraint)
            if named:
                raise SynthesizerInputError(
                    f'{type(constraint).__name__} names {sorted(named)}, a sensitive or target '
                    'column. FairDistillSynthesizer decodes the target from the fair latent and '
                    'draws the groups itself, so constraints cannot rewrite these columns: '
                    'constrain the other columns only.'
                )
        super().add_constraints(constraints)
        for constraint in constraints:  # once SDV has taken them
            if isinstance(constraint, (ProgrammableConstraint, ProgrammableConstraintHarness)):
                warnings.warn(
                    f'{type(constraint).__name__} is a programmable constraint: which columns '
                    'its code reads or rewrites cannot be checked. If it touches a sensitive or '
                    f'target column ({sorted(protected)}), the values its reverse_transform '
                    'writes and the rows it rejects change the group shares and label rates '
                    'after the model made them fair: compare them in a sample with the real '
                    'ones.', UserWarning, stacklevel=2,
                )
        # SDV rebuilds the data processor and forgets the model's own transformers.
        self._update_default_transformers()

    def _preprocess(self, table_data):
        # The groups and the classes must be the raw values: SDV's default transformers
        # turn an integer-coded column (detected as ordinal) into floats, and every row
        # would become its own group.
        raw = list(self.sensitive_columns)
        if self.target_column is not None and self._is_class_target(table_data[self.target_column]):
            raw.append(self.target_column)
        self._data_processor.prepare_for_fitting(table_data)
        transformers = self._data_processor._hyper_transformer.field_transformers
        bypass = {column: None for column in raw if transformers.get(column) is not None}
        bypass.update(self._missing_from_the_row(table_data, transformers, raw))
        if bypass:
            self._data_processor.update_transformers(bypass)
        self._class_target = self.target_column in raw
        return super()._preprocess(table_data)

    def _missing_from_the_row(self, table_data, transformers, raw):
        """SDV's default ``FloatFormatter`` of each numerical column with missing values,
        generating them from a ``.is_null`` column instead of at random (module docstring);
        on a refit, a column whose new rows have fewer missing values goes back to SDV's
        default (RDT fails to refit 'from_column' on a column without missing values, and
        SDV keeps the transformers of the first fit). A user's transformer is not touched."""
        user = getattr(self, '_user_transformer_columns', set())
        renewed = {}
        for column, transformer in transformers.items():
            if (type(transformer) is not FloatFormatter or column in raw or column in user
                    or column not in table_data):
                continue
            wanted = ('from_column' if table_data[column].isna().mean() >= MIN_MISSING_SHARE
                      else 'random')
            if (wanted == 'from_column' and column == self.target_column
                    and f'{column}.is_null' in table_data):
                # RDT would rename the target's pair ('income#'), and the target is read
                # under its own name: SDV's default keeps it whole.
                wanted = 'random'
                warnings.warn(
                    f"The table has a column '{column}.is_null', the name SDV gives the flag "
                    f"of the target's missing values: the missing values of '{column}' are put "
                    'back at random (SDV\'s default) instead of drawn with the row. Rename '
                    'that column to have them drawn with the row.', UserWarning, stacklevel=2,
                )
            if transformer.missing_value_generation != wanted:
                renewed[column] = FloatFormatter(
                    missing_value_replacement=transformer.missing_value_replacement,
                    learn_rounding_scheme=transformer.learn_rounding_scheme,
                    enforce_min_max_values=transformer.enforce_min_max_values,
                    computer_representation=transformer.computer_representation,
                    missing_value_generation=wanted,
                )
        return renewed
