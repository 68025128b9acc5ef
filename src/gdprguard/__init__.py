"""gdprguard: make an existing helpdesk privacy-compliant.

The public Python API is re-exported here; ``tests/test_public_api.py`` checks ``__all__``.
"""

from __future__ import annotations

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
    UsageError,
    VaultError,
)

__all__ = [
    "AuditTamperedError",
    "AuthenticationError",
    "ConfigError",
    "DecryptionError",
    "FatalAPIError",
    "GdprGuardError",
    "HelpdeskError",
    "InputError",
    "KeyProviderError",
    "NotFoundError",
    "PermissionDeniedError",
    "PolicyError",
    "RetriableAPIError",
    "ShreddedError",
    "UsageError",
    "VaultError",
    "__version__",
]
