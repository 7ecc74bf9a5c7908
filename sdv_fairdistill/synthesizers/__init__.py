"""User-facing synthesizers (imported lazily: see the entry points in pyproject.toml)."""
