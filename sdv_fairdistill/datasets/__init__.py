"""Real datasets bundled with the package (no network needed)."""

from sdv_fairdistill.datasets.adult import load_adult

__all__ = ('load_adult',)
