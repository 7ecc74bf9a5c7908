"""The contract between a kind of data and the kind-agnostic teacher-student core.

An adapter builds the networks that touch the data (the teacher and student encoders and the
feature head of the shared decoder) and says how features are scored, distilled and sampled.
The core owns everything else: the latent, the fairness penalty, the target head (which sees
only the latent), distillation and the latent density. A new kind of data is a new adapter,
registered through the ``register_adapters`` pluggy hook; the core does not change.

Encoders map ``(x, y)`` to ``(mu, logvar)``, where ``y`` is the encoded target (a tensor with
zero columns when there is no target). The feature decoder maps ``(z, s)`` to a head output,
where ``s`` is the one-hot sensitive group.
"""

class DataAdapter:
    """Base class of data adapters (see the module docstring for the contract)."""

    #: Short name under which the adapter is registered.
    kind = None

    def build_teacher_encoder(self, latent_dim, target_dim):
        raise NotImplementedError

    def build_student_encoder(self, latent_dim, target_dim):
        raise NotImplementedError

    def build_feature_decoder(self, latent_dim, n_groups):
        raise NotImplementedError

    def feature_loss(self, decoder, output, x):
        """Per-row reconstruction loss of ``x`` from the decoder's ``output``."""
        raise NotImplementedError

    def feature_distillation_kl(self, decoder, teacher_output, student_output, temperature):
        """Per-row KL between the teacher's and the student's decoded feature distributions."""
        raise NotImplementedError

    def feature_sample(self, decoder, output, generator=None):
        """Turn the decoder's ``output`` into features (in the adapter's encoded space)."""
        raise NotImplementedError
