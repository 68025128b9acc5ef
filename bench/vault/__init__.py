"""Vault benchmarks: ``python -m bench.vault.run [--write-docs]``."""
