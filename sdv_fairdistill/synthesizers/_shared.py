"""What both synthesizers share around the teacher-student core: device, losses, saving.

Each synthesizer keeps its fitted ``FairDistillModel`` in ``self._model`` and says how it
refuses to work unfitted (``_check_fitted``, with the error type its users expect).
"""

import contextlib
import warnings

import plotly.express as px
import torch


class FairModelMixin:
    """Device choice, loss values, parameter counts and a save that loads on any machine."""

    def _check_fitted(self):
        raise NotImplementedError

    def _device(self):
        if self.enable_gpu and torch.cuda.is_available():
            return 'cuda'
        if self.enable_gpu:
            warnings.warn('enable_gpu=True but no CUDA GPU is available: training on the CPU.')
        return 'cpu'

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
