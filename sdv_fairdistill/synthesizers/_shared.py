"""What both synthesizers share around the teacher-student core: device, losses, saving.

Each synthesizer keeps its fitted ``FairDistillModel`` in ``self._model`` and says how it
refuses to work unfitted (``_check_fitted``, with the error type its users expect).
"""

import contextlib
import copy
import inspect
import warnings

import plotly.express as px
import torch

from sdv_fairdistill.core.model import FairDistillModel

#: Synthesizer parameters that the teacher-student core takes under the same name.
MODEL_OPTIONS = (
    'latent_dim', 'fair_latent_dim', 'fairness_weight', 'fairness_criterion', 'beta',
    'target_weight', 'utility_weight', 'epochs', 'distill_epochs', 'batch_size',
    'learning_rate', 'encode_target', 'balance_target', 'keep_teacher', 'verbose', 'seed',
)


class FairModelMixin:
    """Device choice, loss values, parameter counts and a save that loads on any machine."""

    def _check_fitted(self):
        raise NotImplementedError

    def __setstate__(self, state):
        """Load a pickle, an older version's included: a constructor parameter added since it
        was saved takes its current default, as a refit would, so ``get_parameters()`` reports
        a value rather than None (or an error). The fit samples as it was saved: its model
        holds what it learnt (a fit saved before ``label_from_features`` keeps its head's
        label, though the parameter now reads None, the default that tries the features)."""
        for name, parameter in inspect.signature(type(self).__init__).parameters.items():
            if parameter.default is not inspect.Parameter.empty and name not in state:
                state[name] = copy.deepcopy(parameter.default)  # not the shared list itself
        self.__dict__.update(state)

    def _device(self):
        if self.enable_gpu and torch.cuda.is_available():
            return 'cuda'
        if self.enable_gpu:
            warnings.warn('enable_gpu=True but no CUDA GPU is available: training on the CPU.')
        return 'cpu'

    def _build_model(self, adapter, target_spans, positive_class, **resolved):
        """The teacher-student core with this synthesizer's options (``MODEL_OPTIONS``);
        ``resolved`` replaces those the synthesizer works out from the data (the number of
        epochs from the table's size, say) and adds options only one kind of data has."""
        options = {name: getattr(self, name) for name in MODEL_OPTIONS}
        options.update(resolved)
        return FairDistillModel(
            adapter,
            target_spans=target_spans,
            positive_class=positive_class,
            device=self._device(),
            **options,
        )

    def get_loss_values(self):
        """Loss terms per stage ('teacher', 'student') and epoch, as a DataFrame."""
        self._check_fitted()
        return self._model.loss_values.copy()

    def get_loss_values_plot(self, title='FairDistill loss terms'):
        """Plotly line chart of every loss term per epoch, one panel per stage."""
        loss = self.get_loss_values().melt(
            id_vars=['Stage', 'Epoch'], var_name='Term', value_name='Value'
        ).dropna()
        figure = px.line(loss, x='Epoch', y='Value', color='Term', facet_row='Stage', title=title)
        figure.update_yaxes(matches=None)
        return figure

    def get_parameter_counts(self):
        """Parameters of each network: the student is much smaller than the teacher."""
        self._check_fitted()
        return self._model.parameter_counts()

    @contextlib.contextmanager
    def _networks_on_cpu(self):
        """Move the networks to the CPU for the duration (a pickle of CUDA tensors does not
        load on a machine without a GPU), then back."""
        model = getattr(self, '_model', None)
        device = model.device if model is not None else None
        if device is not None and device.type != 'cpu':
            model.to('cpu')
        try:
            yield
        finally:
            if device is not None and device.type != 'cpu':
                model.to(device)
