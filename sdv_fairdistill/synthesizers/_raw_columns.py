"""How ``FairDistillSynthesizer`` keeps its sensitive and target columns raw inside SDV.

The groups and the classes must be the columns' raw values, so these SDV hooks keep SDV's
transformers, and constraints, away from them: ``_preprocess`` bypasses the transformers
SDV chose, ``update_transformers`` warns that a user's is not used, ``add_constraints``
refuses a constraint that names them.
"""

import warnings

from sdv.errors import SynthesizerInputError

from sdv_fairdistill.synthesizers import _tabular_inputs as inputs


class RawColumnsMixin:
    """SDV hooks of a synthesizer with ``sensitive_columns`` and ``target_column``."""

    def _is_class_target(self, values):
        """A target is a class label if its sdtype says so or it has few distinct values."""
        sdtype = self._get_table_metadata().columns[self.target_column]['sdtype']
        return sdtype in ('categorical', 'boolean') or values.nunique(dropna=True) <= inputs.MAX_CLASSES

    def update_transformers(self, column_name_to_transformer, table_name=None):
        raw = set(self.sensitive_columns) | set(inputs.as_list(self.target_column))
        for column, transformer in column_name_to_transformer.items():
            if column in raw and transformer is not None:
                warnings.warn(
                    f"The {type(transformer).__name__} set for '{column}' is not used: "
                    'FairDistillSynthesizer models the sensitive and target columns from their '
                    'raw values (their groups and classes).'
                )
        super().update_transformers(column_name_to_transformer, table_name)

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
        if bypass:
            self._data_processor.update_transformers(bypass)
        self._class_target = self.target_column in raw
        return super()._preprocess(table_data)
