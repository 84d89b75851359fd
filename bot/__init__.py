"""The Telegram adapter of Mesocare. `__version__` is the project's one version number
(pyproject.toml reads it; CHANGELOG.md's newest release names it)."""

__version__ = "0.1.0"
