"""Benchmarks for gdprguard (run as modules, e.g. ``python -m bench.detection.run``)."""
