"""Benchmarks (not part of the test suite): `python -m bench.scale --units N`."""
