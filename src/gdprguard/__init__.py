"""gdprguard: make an existing helpdesk privacy-compliant.

The public Python API is re-exported here; ``tests/test_public_api.py`` checks ``__all__``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

from ._exceptions import (
    AuditTamperedError,
    AuthenticationError,
    ConfigError,
    DecryptionError,
    FatalAPIError,
    GdprGuardError,
    HelpdeskError,
    InputError,
    KeyProviderError,
    NotFoundError,
    PermissionDeniedError,
    PolicyError,
    RetriableAPIError,
    ShreddedError,
    StoreConflictError,
    StoreError,
    UsageError,
    VaultError,
)

if TYPE_CHECKING:
    from .audit import AuditLog
    from .connectors import HelpdeskConnector, SyncState, build_connector
    from .detect import Detector, Finding, KnownSubject, redact_text
    from .sandbox import SandboxServer
    from .store import Store
    from .vault import Vault

# Heavy parts (Presidio, SQLAlchemy, Flask) load on first use, so `import gdprguard` and the CLI
# stay fast: ``from gdprguard import Detector`` works as usual.
_LAZY: dict[str, str] = {
    "AuditLog": "gdprguard.audit",
    "Detector": "gdprguard.detect",
    "Finding": "gdprguard.detect",
    "HelpdeskConnector": "gdprguard.connectors",
    "KnownSubject": "gdprguard.detect",
    "SandboxServer": "gdprguard.sandbox",
    "Store": "gdprguard.store",
    "SyncState": "gdprguard.connectors",
    "build_connector": "gdprguard.connectors",
    "Vault": "gdprguard.vault",
    "redact_text": "gdprguard.detect",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gdprguard' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "AuditLog",
    "AuditTamperedError",
    "AuthenticationError",
    "ConfigError",
    "DecryptionError",
    "Detector",
    "FatalAPIError",
    "Finding",
    "GdprGuardError",
    "HelpdeskConnector",
    "HelpdeskError",
    "InputError",
    "KeyProviderError",
    "KnownSubject",
    "NotFoundError",
    "PermissionDeniedError",
    "PolicyError",
    "RetriableAPIError",
    "SandboxServer",
    "ShreddedError",
    "Store",
    "StoreConflictError",
    "StoreError",
    "SyncState",
    "UsageError",
    "Vault",
    "VaultError",
    "__version__",
    "build_connector",
    "redact_text",
]
