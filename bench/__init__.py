"""Mesocare's benchmark: `python -m bench` (see the README's Benchmark section)."""
