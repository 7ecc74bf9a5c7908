"""User-facing synthesizers (imported lazily: see the entry points in pyproject.toml)."""

# SDV loads its add-ons, this package's FairDistillSynthesizer among them, at the end of its
# own import. Import it completely here, before any synthesizer module: a synthesizer module
# that set off SDV's import would be loaded by SDV half-initialised, and not registered.
import sdv  # noqa: F401
