"""Attacks on the Vault transit provider, reproduced against real servers on this machine.

* A hostile (or hijacked) Vault answers with a redirect to another server, hoping the client
  follows it with ``X-Vault-Token`` and the plaintext data key.
* Someone holding the same Vault token "un-retires" an old key version by lowering
  ``min_decryption_version`` again, so data keys in a backup taken before a shred open again
  (against a real OpenBao dev server).
* A ``vault_url`` with plain ``http://`` to another machine: an eavesdropper on the network reads
  the token and every data key.
"""

from __future__ import annotations

import base64
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from _recording_server import Answer, RecordingServer
from _vault_transit_standin import TransitStandin
from gdprguard import KeyProviderError
from gdprguard._config import KeysConfig, is_loopback_host, load_settings
from gdprguard.vault import VaultTransitKeyProvider
from gdprguard.vault._factory import provider_from_settings

if TYPE_CHECKING:
    from _openbao import Bao

pytest_plugins = ["_openbao"]

CONTEXT = b"0123\0subject:ab"
DATA_KEY = b"D" * 32
TOKEN = f"hvs.{uuid.uuid4().hex}"


@pytest.fixture
def servers() -> Iterator[Callable[..., RecordingServer]]:
    started: list[RecordingServer] = []

    def start(answer: Callable[[str, str], Answer], host: str = "127.0.0.1") -> RecordingServer:
        try:
            server = RecordingServer(answer, host)
        except OSError as exc:
            pytest.skip(f"cannot listen on {host}: {exc}")
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


KEY_INFO = {
    "data": {
        "latest_version": 1, "min_decryption_version": 1, "min_encryption_version": 0,
        "min_available_version": 0, "keys": {"1": 1700000000}, "type": "aes256-gcm96",
        "name": "gdprguard",
    }
}  # fmt: skip


def _attacker_answer(method: str, path: str) -> Answer:
    """What the server the redirect points at answers: whatever suits the attacker."""
    return 200, {}, {"data": {"ciphertext": "vault:v1:QUFBQQ==", "plaintext": _b64(b"A" * 32)}}


# --- redirects ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("redirected", "status"),
    [("keys", 302), ("encrypt", 307), ("encrypt", 308), ("decrypt", 307), ("decrypt", 301)],
)
def test_a_redirect_never_carries_the_token_or_a_data_key_to_another_server(
    servers: Callable[..., RecordingServer], redirected: str, status: int
) -> None:
    attacker = servers(_attacker_answer)

    def hostile_vault(method: str, path: str) -> Answer:
        endpoint = path.split("/")[3]  # /v1/transit/<endpoint>/...
        if endpoint == redirected:
            return status, {"Location": f"{attacker.url}{path}"}, None
        if endpoint == "keys":
            return 200, {}, KEY_INFO
        return 200, {}, {"data": {"ciphertext": "vault:v1:QUFBQQ==", "plaintext": _b64(DATA_KEY)}}

    vault = servers(hostile_vault)
    provider = VaultTransitKeyProvider(vault.url, TOKEN)
    outcome: object
    try:
        if redirected == "decrypt":  # the attacker would also choose the "unwrapped" key
            kek_id = "vault-transit:transit/gdprguard:v1"
            outcome = provider.unwrap(kek_id, b"vault:v1:QUFBQQ==", CONTEXT)
        else:
            outcome = provider.wrap(DATA_KEY, CONTEXT)
    except KeyProviderError as exc:
        outcome = exc
    leaked = attacker.leaked(TOKEN.encode(), _b64(DATA_KEY).encode())
    assert not leaked, "the Vault token or the data key reached another server"
    assert attacker.seen == [], "the redirect was followed to another server"
    assert isinstance(outcome, KeyProviderError), f"the redirect was followed: {outcome!r}"
    message = str(outcome)
    assert "redirect" in message and f"HTTP {status}" in message and "vault_url" in message
    assert TOKEN not in message and attacker.url not in message


# --- retired versions stay retired (real OpenBao) -------------------------------------------------


@pytest.fixture
def key_name() -> str:
    return f"gdprguard-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def bao_provider(bao: Bao, key_name: str) -> VaultTransitKeyProvider:
    return VaultTransitKeyProvider(bao.url, bao.token, key=key_name)


def test_a_retired_version_cannot_be_revived_with_the_same_token(
    bao: Bao, bao_provider: VaultTransitKeyProvider, key_name: str
) -> None:
    provider = bao_provider
    v1, in_old_backup = provider.wrap(DATA_KEY, CONTEXT)  # a database backup keeps this row
    v2 = provider.create_primary()
    kek, rewrapped = provider.wrap(provider.unwrap(v1, in_old_backup, CONTEXT), CONTEXT)
    assert kek == v2
    note = provider.retire(v1)

    # The attacker holds the same token and a backup from before the retirement (and the shred).
    revived = bao.post(f"transit/keys/{key_name}/config", {"min_decryption_version": 1})
    opened = bao.post(
        f"transit/decrypt/{key_name}",
        {"ciphertext": in_old_backup.decode(), "associated_data": _b64(CONTEXT)},
    )
    assert "plaintext" not in opened.text, "a data key from the old backup opened again"
    assert opened.status_code >= 400
    with pytest.raises(KeyProviderError):
        provider.unwrap(v1, in_old_backup, CONTEXT)
    assert revived.status_code >= 400, "Vault let the minimum go below a trimmed version"
    for target in (1, 0):  # nor can the trim itself be lowered again
        lowered = bao.post(f"transit/keys/{key_name}/trim", {"min_available_version": target})
        assert lowered.status_code >= 400
    assert "trimmed" in note and "min_decryption_version" in note

    info = bao.get(f"transit/keys/{key_name}").json()["data"]
    assert info["min_available_version"] == 2 and "1" not in info["keys"]
    assert provider.unwrap(v2, rewrapped, CONTEXT) == DATA_KEY  # current data is untouched
    assert provider.key_ids() == [v2] and provider.wrap(DATA_KEY, CONTEXT)[0] == v2


def test_retire_completes_a_retirement_that_only_raised_the_minimum(
    bao: Bao, bao_provider: VaultTransitKeyProvider, key_name: str
) -> None:
    """Versions "retired" by older gdprguard releases (minimum raised, nothing deleted)."""
    provider = bao_provider
    v1, wrapped = provider.wrap(DATA_KEY, CONTEXT)
    provider.create_primary()
    assert bao.post(f"transit/keys/{key_name}/config", {"min_decryption_version": 2}).ok
    assert "trimmed" in provider.retire(v1)
    assert bao.get(f"transit/keys/{key_name}").json()["data"]["min_available_version"] == 2
    assert "already trimmed" in provider.retire(v1)
    bao.post(f"transit/keys/{key_name}/config", {"min_decryption_version": 1})
    with pytest.raises(KeyProviderError):
        provider.unwrap(v1, wrapped, CONTEXT)


def test_a_token_that_may_not_trim_gets_a_clear_error_and_retire_can_be_repeated() -> None:
    with TransitStandin() as transit:
        provider = VaultTransitKeyProvider(transit.url, transit.token, key="k")
        v1, wrapped = provider.wrap(DATA_KEY, CONTEXT)
        provider.create_primary()
        transit.denied.add("keys/k/trim")
        with pytest.raises(KeyProviderError) as caught:
            provider.retire(v1)
        message = str(caught.value)
        assert "incomplete" in message and "transit/keys/k/trim" in message
        assert transit.token not in message
        transit.denied.clear()
        assert "trimmed" in provider.retire(v1)
        key = transit.keys["k"]
        assert key.min_available_version == 2 and 1 not in key.versions
        with pytest.raises(KeyProviderError):
            provider.unwrap(v1, wrapped, CONTEXT)


# --- plain http:// off this machine ---------------------------------------------------------------


def _non_loopback_address() -> str | None:
    """This machine's address on its default route (connecting a UDP socket sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if is_loopback_host(address) or address == "0.0.0.0" else address


def test_an_eavesdropper_sees_no_token_unless_plain_http_was_allowed(
    servers: Callable[..., RecordingServer],
) -> None:
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    wire = servers(lambda method, path: (200, {}, KEY_INFO), host=address)
    keys = KeysConfig(provider="vault-transit", vault_url=wire.url, vault_token=TOKEN)
    outcome: object
    try:
        outcome = provider_from_settings(keys).primary_key_id()
    except KeyProviderError as exc:
        outcome = exc
    assert wire.seen == [], "the Vault token crossed the network over plain http"
    assert isinstance(outcome, KeyProviderError)
    message = str(outcome)
    assert "allow_insecure_http = true in [keys]" in message and "https://" in message
    assert address in message and TOKEN not in message

    allowed = keys.model_copy(update={"allow_insecure_http": True})
    provider_from_settings(allowed).primary_key_id()
    assert wire.leaked(TOKEN.encode())  # the explicit opt-in really does allow it


@pytest.mark.parametrize(
    "url", ["http://vault.internal.example:8200", "http://10.1.2.3:8200", "http://[fd00::5]:8200",
            "http://evil.example\\@127.0.0.1:8200"],
)  # fmt: skip
def test_plain_http_to_another_machine_is_refused(url: str) -> None:
    with pytest.raises(KeyProviderError, match=r"allow_insecure_http = true in \[keys\]"):
        VaultTransitKeyProvider(url, TOKEN)
    VaultTransitKeyProvider(url, TOKEN, allow_insecure_http=True)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8200", "http://127.3.2.1:8200", "http://localhost:8200",
            "http://[::1]:8200", "https://vault.internal.example:8200"],
)  # fmt: skip
def test_loopback_and_https_vault_urls_need_no_opt_in(url: str) -> None:
    VaultTransitKeyProvider(url, TOKEN)


def test_allow_insecure_http_is_read_from_the_keys_section(tmp_path: Path) -> None:
    config = tmp_path / "g.toml"
    config.write_text(
        '[keys]\nprovider = "vault-transit"\nvault_url = "http://10.1.2.3:8200"\n'
        'vault_token = "literal-token"\nallow_insecure_http = true\n'
    )
    keys = load_settings(config).keys
    assert keys.allow_insecure_http is True
    assert isinstance(provider_from_settings(keys), VaultTransitKeyProvider)
    assert KeysConfig().allow_insecure_http is False
