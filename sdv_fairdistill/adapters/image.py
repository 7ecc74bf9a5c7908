"""Image data adapter (placeholder module so the built-in plugin list imports)."""
