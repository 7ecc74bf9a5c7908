"""Fair synthetic data for the SDV ecosystem.

A fair teacher VAE (distance-covariance penalty between latent and sensitive attribute) is
distilled into a small student encoder; synthetic data are decoded from the student's latent
space. See ``FairDistillSynthesizer`` (tables) and ``FairDistillImageSynthesizer`` (images).
"""

__version__ = '0.1.0'

__all__ = ('FairDistillSynthesizer', 'FairDistillImageSynthesizer', 'fit_distributed')


def __getattr__(name):
    # Lazy, so that importing the metrics (an SDMetrics add-on) never imports SDV or torch.
    if name == 'FairDistillSynthesizer':
        from sdv_fairdistill.synthesizers.tabular import FairDistillSynthesizer

        return FairDistillSynthesizer
    if name == 'FairDistillImageSynthesizer':
        from sdv_fairdistill.synthesizers.image import FairDistillImageSynthesizer

        return FairDistillImageSynthesizer
    if name == 'fit_distributed':  # data-parallel fit in the processes torchrun starts
        from sdv_fairdistill.synthesizers._distributed import fit_distributed

        return fit_distributed
    raise AttributeError(f"module 'sdv_fairdistill' has no attribute {name!r}")
