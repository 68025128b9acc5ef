"""The HashiCorp Vault transit provider, against a stand-in that speaks Vault's transit HTTP API."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests

from _vault_transit_standin import TransitStandin
from gdprguard import KeyProviderError, ShreddedError
from gdprguard.store import Store
from gdprguard.vault import Vault, VaultTransitKeyProvider

pytest_plugins = ["_store_fixtures"]

CONTEXT = b"0123\0subject:ab"


@pytest.fixture
def transit() -> Iterator[TransitStandin]:
    with TransitStandin() as server:
        yield server


@pytest.fixture
def provider(transit: TransitStandin) -> VaultTransitKeyProvider:
    return VaultTransitKeyProvider(transit.url, transit.token, key="gdprguard-test")


def test_standin_speaks_the_transit_api(transit: TransitStandin) -> None:
    """Guard the stand-in itself against the documented request/response shapes."""
    headers = {"X-Vault-Token": transit.token}
    base = f"{transit.url}/v1/transit"
    assert requests.get(f"{base}/keys/k", headers=headers, timeout=5).status_code == 404
    created = requests.post(
        f"{base}/keys/k", json={"type": "aes256-gcm96"}, headers=headers, timeout=5
    )
    assert created.status_code == 204
    info = requests.get(f"{base}/keys/k", headers=headers, timeout=5).json()
    assert info["data"]["latest_version"] == 1 and info["data"]["type"] == "aes256-gcm96"
    assert set(info) >= {"request_id", "lease_id", "data", "warnings", "auth"}
    encrypted = requests.post(
        f"{base}/encrypt/k", json={"plaintext": "aGVsbG8="}, headers=headers, timeout=5
    ).json()["data"]
    assert encrypted["ciphertext"].startswith("vault:v1:") and encrypted["key_version"] == 1
    decrypted = requests.post(
        f"{base}/decrypt/k",
        json={"ciphertext": encrypted["ciphertext"]},
        headers=headers,
        timeout=5,
    ).json()["data"]
    assert decrypted == {"plaintext": "aGVsbG8="}
    denied = requests.get(f"{base}/keys/k", headers={"X-Vault-Token": "nope"}, timeout=5)
    assert denied.status_code == 403 and denied.json() == {"errors": ["permission denied"]}


def test_wrap_unwrap_and_key_ids(provider: VaultTransitKeyProvider) -> None:
    kek_id, wrapped = provider.wrap(b"k" * 32, CONTEXT)
    assert kek_id == "vault-transit:transit/gdprguard-test:v1"
    assert wrapped.startswith(b"vault:v1:") and b"k" * 32 not in wrapped
    assert provider.unwrap(kek_id, wrapped, CONTEXT) == b"k" * 32
    assert provider.key_ids() == [kek_id] and provider.primary_key_id() == kek_id


def test_associated_data_is_enforced(provider: VaultTransitKeyProvider) -> None:
    kek_id, wrapped = provider.wrap(b"k" * 32, CONTEXT)
    with pytest.raises(KeyProviderError, match="HTTP 400: cipher: message authentication failed"):
        provider.unwrap(kek_id, wrapped, b"other\0subject:cd")


def test_row_claiming_the_wrong_version_is_refused(provider: VaultTransitKeyProvider) -> None:
    _, wrapped = provider.wrap(b"k" * 32, CONTEXT)
    with pytest.raises(KeyProviderError, match="data_keys table was modified"):
        provider.unwrap("vault-transit:transit/gdprguard-test:v2", wrapped, CONTEXT)


def test_rotate_and_retire(provider: VaultTransitKeyProvider, transit: TransitStandin) -> None:
    v1, wrapped = provider.wrap(b"k" * 32, CONTEXT)
    v2 = provider.create_primary()
    assert v2 == "vault-transit:transit/gdprguard-test:v2"
    assert provider.key_ids() == [v1, v2]
    assert provider.wrap(b"k" * 32, CONTEXT)[0] == v2
    assert provider.unwrap(v1, wrapped, CONTEXT) == b"k" * 32
    assert "min_decryption_version" in provider.retire(v1)
    assert transit.keys["gdprguard-test"].min_decryption_version == 2
    assert provider.key_ids() == [v2]
    with pytest.raises(KeyProviderError, match="disallowed by policy"):
        provider.unwrap(v1, wrapped, CONTEXT)
    with pytest.raises(KeyProviderError, match="primary key"):
        provider.retire(v2)


def test_bad_token_is_a_clear_error(transit: TransitStandin) -> None:
    provider = VaultTransitKeyProvider(transit.url, "hvs.wrong")
    with pytest.raises(
        KeyProviderError, match=r"denied .*HTTP 403: permission denied.*vault_token"
    ):
        provider.wrap(b"k" * 32, CONTEXT)


def test_unreachable_vault_is_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = VaultTransitKeyProvider(f"http://127.0.0.1:{port}", "hvs.x", timeout=2)
    with pytest.raises(KeyProviderError, match="cannot reach Vault"):
        provider.primary_key_id()


def test_bad_settings() -> None:
    with pytest.raises(KeyProviderError, match="must start with https://"):
        VaultTransitKeyProvider("127.0.0.1:8200", "hvs.x")
    with pytest.raises(KeyProviderError, match="vault_token is empty"):
        VaultTransitKeyProvider("http://127.0.0.1:8200", "")


def test_vault_on_transit(store: Store, transit: TransitStandin, provider) -> None:
    vault = Vault(store, provider, retire_grace=timedelta(0))
    vault.seal("r:1", b"alice's original", kind="original", subject_id="zendesk:s:user:1")
    vault.seal("r:2", b"bob's original", kind="original", subject_id="zendesk:s:user:2")
    report = vault.rotate(actor="test", batch_size=1)
    assert report.created and report.primary_kek_id.endswith(":v2")
    assert report.retired == ["vault-transit:transit/gdprguard-test:v1"]
    assert report.destroyed == report.retired  # no grace period in this test
    assert transit.keys["gdprguard-test"].min_decryption_version == 2
    fresh = Vault(store, VaultTransitKeyProvider(transit.url, transit.token, key="gdprguard-test"))
    assert fresh.open("r:1") == b"alice's original"
    fresh.shred_subject("zendesk:s:user:1", actor="test")
    with pytest.raises(ShreddedError):
        fresh.open("r:1")
    assert fresh.open("r:2") == b"bob's original"
    assert fresh.audit.verify().ok


def test_externally_rotated_transit_key_is_picked_up(store: Store, transit, provider) -> None:
    """Someone ran `vault write -f transit/keys/NAME/rotate`: `keys rotate` re-wraps onto it."""
    vault = Vault(store, provider)
    vault.seal("r:1", b"x", kind="original", subject_id="zendesk:s:user:1")
    requests.post(
        f"{transit.url}/v1/transit/keys/gdprguard-test/rotate",
        headers={"X-Vault-Token": transit.token},
        timeout=5,
    )
    report = vault.rotate(actor="test")
    assert report.resumed and not report.created and report.primary_kek_id.endswith(":v2")
    assert vault.open("r:1") == b"x"
