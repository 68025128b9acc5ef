"""A local helpdesk (Zendesk or Freshdesk flavor) over seeded synthetic data, for tests,
demos, benchmarks and policy rehearsals. See docs/sandbox.md."""

from __future__ import annotations

from .data import generate
from .server import SandboxConfig, SandboxServer

__all__ = ["SandboxConfig", "SandboxServer", "generate"]
