"""The gdprguard exception tree, grouped by what the caller should do.

::

    GdprGuardError                     exit 1 unless stated otherwise
    ├── UsageError                     exit 2: the user can fix the input, flags or config
    │   ├── ConfigError                  gdprguard.toml / --config / env: references
    │   ├── InputError                   bad scan/redact input (names the line)
    │   └── PolicyError                  retention policy YAML that does not validate
    ├── HelpdeskError                  the helpdesk said no, or could not be reached
    │   ├── RetriableAPIError            429 / 5xx / connection errors (retry with backoff)
    │   └── FatalAPIError                4xx that retrying will not fix
    │       ├── AuthenticationError        401
    │       ├── PermissionDeniedError      403
    │       └── NotFoundError              404
    ├── VaultError                     encryption, keys, sealed records
    │   ├── DecryptionError              tampered, swapped or wrongly keyed ciphertext
    │   ├── ShreddedError                the subject's data key was destroyed on purpose
    │   └── KeyProviderError             a master key could not be loaded or is unsafe
    ├── StoreError                     the database is unreachable or refused an operation
    │   └── StoreConflictError           a concurrent writer collided; retrying may succeed
    └── AuditTamperedError             the audit log's hash chain does not verify

Messages never contain personal data or secrets: they name records by id.
"""

from __future__ import annotations

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
    "StoreConflictError",
    "StoreError",
    "UsageError",
    "VaultError",
]


class GdprGuardError(Exception):
    """Base class of every error gdprguard raises on purpose."""

    exit_code: int = 1


class UsageError(GdprGuardError):
    """Bad input, flags or configuration: the user can fix it (exit code 2)."""

    exit_code = 2


class ConfigError(UsageError):
    """The configuration file or an ``env:`` reference is missing or invalid."""


class InputError(UsageError):
    """Input records (JSON Lines) could not be read or validated."""


class PolicyError(UsageError):
    """A retention policy file does not validate."""


class HelpdeskError(GdprGuardError):
    """The helpdesk refused a request or could not be reached."""

    def __init__(
        self, message: str, *, status: int | None = None, error_code: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        #: the helpdesk's own error code (e.g. Zendesk "RecordNotFound"), never free text
        self.error_code = error_code
        #: whether the request had been sent more than once: a write may already have applied
        self.retried = False


class RetriableAPIError(HelpdeskError):
    """A transient failure (429, 5xx, connection reset, timeout): retry with backoff."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        error_code: str | None = None,
    ) -> None:
        super().__init__(message, status=status, error_code=error_code)
        self.retry_after = retry_after


class FatalAPIError(HelpdeskError):
    """A client error that retrying will not fix."""


class AuthenticationError(FatalAPIError):
    """The helpdesk rejected the credentials (401)."""


class PermissionDeniedError(FatalAPIError):
    """The credentials lack a permission, usually admin rights (403)."""


class NotFoundError(FatalAPIError):
    """The record does not exist (404)."""


class VaultError(GdprGuardError):
    """Encryption, key management or sealed-record failure."""


class DecryptionError(VaultError):
    """A ciphertext failed authentication: tampered, swapped or wrongly keyed."""


class ShreddedError(VaultError):
    """The record's data key was destroyed on purpose (crypto-shredding)."""


class KeyProviderError(VaultError):
    """A master key could not be loaded, or its storage is unsafe."""


class StoreError(GdprGuardError):
    """The database could not be reached or refused an operation."""


class StoreConflictError(StoreError):
    """A write collided with a constraint, usually a concurrent writer: retrying may succeed."""


class AuditTamperedError(GdprGuardError):
    """The audit log's hash chain or HMAC does not verify."""
