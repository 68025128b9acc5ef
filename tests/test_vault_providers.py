"""Master-key providers: the key file (permissions, rotation steps) and the environment variable."""

from __future__ import annotations

import base64
import os
import pickle
import stat
from pathlib import Path

import pytest

from gdprguard import ConfigError, KeyProviderError
from gdprguard._config import KeysConfig
from gdprguard.vault import (
    EnvKeyProvider,
    FileKeyProvider,
    LocalMasterKey,
    VaultTransitKeyProvider,
    provider_from_settings,
)
from gdprguard.vault._providers import fingerprint

CONTEXT = b"0123\0subject:ab"


def test_key_file_is_created_owner_only(home: Path) -> None:
    provider = FileKeyProvider(home / "master.key")
    kek_id, wrapped = provider.wrap(b"k" * 32, CONTEXT)
    assert stat.S_IMODE((home / "master.key").stat().st_mode) == 0o600
    assert kek_id == provider.primary_key_id() == fingerprint((home / "master.key").read_bytes())
    assert FileKeyProvider(home / "master.key").unwrap(kek_id, wrapped, CONTEXT) == b"k" * 32


def test_key_file_readable_by_others_is_refused(home: Path) -> None:
    path = home / "master.key"
    FileKeyProvider(path).primary_key_id()
    path.chmod(0o644)
    with pytest.raises(KeyProviderError, match=r"mode 0644.*chmod 600"):
        FileKeyProvider(path).primary_key_id()


def test_archived_key_readable_by_others_is_refused(home: Path) -> None:
    provider = FileKeyProvider(home / "master.key")
    old = provider.primary_key_id()
    provider.create_primary()
    archive = home / f"master-{old.split(':')[1]}.key"
    archive.chmod(0o640)
    with pytest.raises(KeyProviderError, match="mode 0640"):
        FileKeyProvider(home / "master.key").key_ids()


def test_truncated_key_file_is_refused(home: Path) -> None:
    (home / "master.key").write_bytes(b"x" * 16)
    (home / "master.key").chmod(0o600)
    with pytest.raises(KeyProviderError, match="holds 16 bytes, expected 32"):
        FileKeyProvider(home / "master.key").primary_key_id()


def test_wrong_context_does_not_unwrap(home: Path) -> None:
    provider = FileKeyProvider(home / "master.key")
    kek_id, wrapped = provider.wrap(b"k" * 32, CONTEXT)
    with pytest.raises(KeyProviderError, match="does not authenticate"):
        provider.unwrap(kek_id, wrapped, b"other\0subject:cd")


def test_create_primary_archives_the_old_key(home: Path) -> None:
    provider = FileKeyProvider(home / "master.key")
    old = provider.primary_key_id()
    kek_old, wrapped = provider.wrap(b"k" * 32, CONTEXT)
    new = provider.create_primary()
    assert new != old and provider.primary_key_id() == new
    assert provider.key_ids() == [old, new]
    assert provider.unwrap(kek_old, wrapped, CONTEXT) == b"k" * 32
    fresh = FileKeyProvider(home / "master.key")
    assert fresh.key_ids() == [old, new]
    note = fresh.retire(old)
    assert "deleted" in note and fresh.key_ids() == [new]
    assert not (home / f"master-{old.split(':')[1]}.key").exists()
    with pytest.raises(KeyProviderError, match="restore that key file from backup"):
        fresh.unwrap(kek_old, wrapped, CONTEXT)
    with pytest.raises(KeyProviderError, match="primary key and cannot be retired"):
        fresh.retire(new)


def test_create_primary_resumes_a_leftover_next_file(home: Path) -> None:
    """A crash after the new key was written but before it was swapped in: rerun reuses it."""
    provider = FileKeyProvider(home / "master.key")
    old = provider.primary_key_id()
    next_material = os.urandom(32)
    next_path = home / "master.key.next"
    next_path.write_bytes(next_material)
    next_path.chmod(0o600)
    assert provider.create_primary() == fingerprint(next_material)
    assert not next_path.exists()
    assert provider.key_ids() == [old, fingerprint(next_material)]


def test_renamed_archive_is_refused(home: Path) -> None:
    FileKeyProvider(home / "master.key").primary_key_id()
    stray = home / "master-0000000000000000.key"
    stray.write_bytes(os.urandom(32))
    stray.chmod(0o600)
    with pytest.raises(KeyProviderError, match="does not match its name"):
        FileKeyProvider(home / "master.key").primary_key_id()


def _b64key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_env_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    first = _b64key()
    monkeypatch.setenv("GG_TEST_KEY", first)
    provider = EnvKeyProvider("GG_TEST_KEY")
    kek_id, wrapped = provider.wrap(b"k" * 32, CONTEXT)
    assert kek_id == fingerprint(base64.b64decode(first))
    with pytest.raises(KeyProviderError, match="move that key to GG_TEST_KEY_PREVIOUS"):
        provider.create_primary()
    monkeypatch.setenv("GG_TEST_KEY", _b64key())
    with pytest.raises(KeyProviderError, match="add the old key to GG_TEST_KEY_PREVIOUS"):
        EnvKeyProvider("GG_TEST_KEY").unwrap(kek_id, wrapped, CONTEXT)
    monkeypatch.setenv("GG_TEST_KEY_PREVIOUS", f" {first} ")
    assert EnvKeyProvider("GG_TEST_KEY").unwrap(kek_id, wrapped, CONTEXT) == b"k" * 32


def test_env_provider_accepts_urlsafe_base64(monkeypatch: pytest.MonkeyPatch) -> None:
    material = bytes([0xFB] * 32)
    monkeypatch.setenv("GG_TEST_KEY", base64.urlsafe_b64encode(material).decode().rstrip("="))
    assert EnvKeyProvider("GG_TEST_KEY").primary_key_id() == fingerprint(material)


@pytest.mark.parametrize("value", [None, "not base64!", base64.b64encode(b"short").decode()])
def test_env_provider_bad_or_missing_key(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("GG_TEST_KEY", raising=False)
    else:
        monkeypatch.setenv("GG_TEST_KEY", value)
    with pytest.raises(KeyProviderError, match="GG_TEST_KEY") as info:
        EnvKeyProvider("GG_TEST_KEY").primary_key_id()
    if value:
        assert value not in str(info.value)


def test_master_key_does_not_leak() -> None:
    key = LocalMasterKey(os.urandom(32))
    assert repr(key) == f"LocalMasterKey({key.key_id!r})"
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(key)


def test_provider_from_settings(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    provider = provider_from_settings(KeysConfig())
    assert isinstance(provider, FileKeyProvider) and provider.path == home / "master.key"
    assert isinstance(provider_from_settings(KeysConfig(provider="env")), EnvKeyProvider)
    with pytest.raises(ConfigError, match="needs vault_url and vault_token"):
        provider_from_settings(KeysConfig(provider="vault-transit"))
    monkeypatch.setenv("GG_VAULT_TOKEN", "hvs.x")
    transit = provider_from_settings(
        KeysConfig(
            provider="vault-transit",
            vault_url="http://127.0.0.1:1",
            vault_token="env:GG_VAULT_TOKEN",
        )
    )
    assert isinstance(transit, VaultTransitKeyProvider)
    assert "hvs.x" not in repr(transit)
