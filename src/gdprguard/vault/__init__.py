"""The vault: envelope encryption (AES-256-GCM) with per-subject data keys, master-key
providers, rotation and crypto-shredding. See docs/security.md."""

from __future__ import annotations

from ._envelope import FORMAT_VERSION, DataKey
from ._factory import provider_from_settings
from ._keyring import Keyring
from ._models import KeyStatus, MasterKeyStatus, RotationReport, SealedRecord, ShredReport
from ._providers import EnvKeyProvider, FileKeyProvider, KeyProvider, LocalMasterKey
from ._rotation import ProgressCallback
from ._service import Vault
from ._transit import VaultTransitKeyProvider

__all__ = [
    "FORMAT_VERSION",
    "DataKey",
    "EnvKeyProvider",
    "FileKeyProvider",
    "KeyProvider",
    "KeyStatus",
    "Keyring",
    "LocalMasterKey",
    "MasterKeyStatus",
    "ProgressCallback",
    "RotationReport",
    "SealedRecord",
    "ShredReport",
    "Vault",
    "VaultTransitKeyProvider",
    "provider_from_settings",
]
