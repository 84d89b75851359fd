"""The benchmark's scenarios; each takes the shared `Bench` and returns its figures."""
