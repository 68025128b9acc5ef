"""``VaultTransitKeyProvider``: master keys kept in HashiCorp Vault's transit secrets engine.

Data keys are sent to ``POST /v1/<mount>/encrypt/<name>`` and come back as ``vault:v<N>:...``
ciphertexts; the master key never leaves Vault. The key version becomes the master key id
(``vault-transit:<mount>/<name>:v<N>``), rotation is ``POST /v1/<mount>/keys/<name>/rotate``, and
retiring an old version raises the key's ``min_decryption_version`` (and ``min_encryption_version``)
past it, then trims it (``POST /v1/<mount>/keys/<name>/trim``): the version is deleted from Vault,
so no token can lower the minimum again and reopen ciphertexts kept in old backups.

Redirects are never followed (they would carry ``X-Vault-Token`` and data keys to wherever the
``Location`` points), and plain ``http://`` is refused off this machine unless explicitly allowed.
"""

from __future__ import annotations

import base64
import re
from typing import Any, NoReturn

import requests

from .._config import insecure_http_host
from .._exceptions import KeyProviderError
from ._providers import KeyProvider

__all__ = ["VaultTransitKeyProvider"]

_CIPHERTEXT = re.compile(r"^vault:v(\d+):")


class VaultTransitKeyProvider(KeyProvider):
    """Wraps data keys with a named HashiCorp Vault transit key (type ``aes256-gcm96``).

    The key is created on first use if it does not exist (the token then needs ``create`` on
    ``<mount>/keys/<name>``). The wrapping context is sent as ``associated_data``. Retiring needs
    ``update`` on ``<mount>/keys/<name>/config`` and ``<mount>/keys/<name>/trim``.
    """

    name = "vault-transit"

    def __init__(
        self,
        url: str,
        token: str,
        *,
        key: str = "gdprguard",
        mount: str = "transit",
        timeout: float = 10.0,
        session: requests.Session | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise KeyProviderError(
                "[keys] vault_url must start with https:// (or http:// for a local Vault)"
            )
        host = insecure_http_host(url)
        if host is not None and not allow_insecure_http:
            raise KeyProviderError(
                f"[keys] vault_url uses plain http:// to {host}, which is not this machine's "
                "loopback, so the Vault token and every data key would cross the network "
                "unencrypted; use https://, or, only on a network you trust, set "
                "allow_insecure_http = true in [keys]"
            )
        if not token:
            raise KeyProviderError("[keys] vault_token is empty; set it (e.g. env:VAULT_TOKEN)")
        self.url = url.rstrip("/")
        self.key = key
        self.mount = mount.strip("/")
        self._token = token
        self._timeout = timeout
        self._http = session or requests.Session()
        self._ensured = False

    def __repr__(self) -> str:
        return f"VaultTransitKeyProvider({self.url!r}, key={self.key!r}, mount={self.mount!r})"

    # -- KeyProvider -----------------------------------------------------------------------

    def primary_key_id(self) -> str:
        return self._kek_id(int(self._key_info()["latest_version"]))

    def key_ids(self) -> list[str]:
        info = self._key_info()
        low = max(int(info.get("min_decryption_version") or 1), 1)
        return [self._kek_id(v) for v in range(low, int(info["latest_version"]) + 1)]

    def wrap(self, data_key: bytes, context: bytes) -> tuple[str, bytes]:
        self._ensure_key()
        data = self._call(
            "POST",
            f"encrypt/{self.key}",
            {"plaintext": _b64(data_key), "associated_data": _b64(context)},
        )
        ciphertext = str(data.get("ciphertext", ""))
        match = _CIPHERTEXT.match(ciphertext)
        if match is None:
            raise KeyProviderError(f"Vault at {self.url} returned an unexpected encrypt response")
        return self._kek_id(int(match.group(1))), ciphertext.encode("ascii")

    def unwrap(self, kek_id: str, wrapped: bytes, context: bytes) -> bytes:
        ciphertext = wrapped.decode("ascii", errors="replace")
        match = _CIPHERTEXT.match(ciphertext)
        if match is None or self._kek_id(int(match.group(1))) != kek_id:
            raise KeyProviderError(
                f"a data key row claims master key {kek_id} but holds a different ciphertext; "
                "the data_keys table was modified"
            )
        data = self._call(
            "POST",
            f"decrypt/{self.key}",
            {"ciphertext": ciphertext, "associated_data": _b64(context)},
        )
        try:
            return base64.b64decode(str(data["plaintext"]), validate=True)
        except (KeyError, ValueError):
            raise KeyProviderError(
                f"Vault at {self.url} returned an unexpected decrypt response"
            ) from None

    def create_primary(self) -> str:
        self._ensure_key()
        self._call("POST", f"keys/{self.key}/rotate", {})
        return self.primary_key_id()

    def retire(self, kek_id: str) -> str:
        """Delete version N and older from Vault for good (raise the minimums, then trim).

        Raising ``min_decryption_version`` alone can be undone by anyone holding the same token,
        which would reopen every ciphertext under the old version, including copies in backups
        taken before a shred. Trimming deletes the old versions. Vault refuses to trim past
        ``min_encryption_version`` (or while it is 0), so that is raised too; new data keys are
        wrapped under the latest version either way. Safe to repeat after a partial failure.
        """
        version = self._version(kek_id)
        info = self._key_info()
        latest = int(info["latest_version"])
        if version >= latest:
            raise KeyProviderError(f"master key {kek_id} is the primary key and cannot be retired")
        floor = version + 1
        name = f"{self.mount}/{self.key}"
        available = int(info.get("min_available_version") or 0)
        if available >= floor:
            return f"{kek_id} was already trimmed from {name} (min_available_version {available})"
        raise_to = {
            setting: floor
            for setting in ("min_decryption_version", "min_encryption_version")
            if int(info.get(setting) or 0) < floor
        }
        if raise_to:
            self._call("POST", f"keys/{self.key}/config", raise_to)
        try:
            self._call("POST", f"keys/{self.key}/trim", {"min_available_version": floor})
        except KeyProviderError as exc:
            raise KeyProviderError(
                f"retiring {kek_id} is incomplete: {name} no longer decrypts under it, but it "
                f"could not be deleted ({exc}); allow the token `update` on "
                f"{self.mount}/keys/{self.key}/trim and retire it again"
            ) from None
        return (
            f"raised min_decryption_version of {name} to {floor} and trimmed (permanently "
            f"deleted) versions below {floor}: ciphertexts under them, in backups too, can "
            "never be decrypted again"
        )

    def describe(self) -> dict[str, str]:
        return {"provider": self.name, "vault_url": self.url, "key": f"{self.mount}/{self.key}"}

    # -- HTTP ------------------------------------------------------------------------------

    def _kek_id(self, version: int) -> str:
        return f"vault-transit:{self.mount}/{self.key}:v{version}"

    def _version(self, kek_id: str) -> int:
        prefix = f"vault-transit:{self.mount}/{self.key}:v"
        if not kek_id.startswith(prefix) or not kek_id[len(prefix) :].isdigit():
            raise KeyProviderError(
                f"master key {kek_id} does not belong to Vault transit key {self.mount}/{self.key}"
            )
        return int(kek_id[len(prefix) :])

    def _ensure_key(self) -> None:
        if not self._ensured:
            self._key_info()

    def _key_info(self) -> dict[str, Any]:
        status, data = self._request("GET", f"keys/{self.key}", None)
        if status == 404:
            self._call("POST", f"keys/{self.key}", {"type": "aes256-gcm96"})
            status, data = self._request("GET", f"keys/{self.key}", None)
        if status != 200:
            self._fail(status, data, f"read key {self.mount}/{self.key}")
        info = data.get("data") or {}
        if "latest_version" not in info:
            raise KeyProviderError(f"Vault at {self.url} returned an unexpected key description")
        self._ensured = True
        return info

    def _call(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        status, data = self._request(method, path, body)
        if status not in (200, 204):
            self._fail(status, data, f"{method} {self.mount}/{path}")
        return data.get("data") or {}

    def _request(
        self, method: str, path: str, body: dict[str, Any] | None
    ) -> tuple[int, dict[str, Any]]:
        url = f"{self.url}/v1/{self.mount}/{path}"
        try:
            response = self._http.request(
                method,
                url,
                json=body,
                headers={"X-Vault-Token": self._token},
                timeout=self._timeout,
                allow_redirects=False,  # a redirect would carry the token and data keys along
            )
        except requests.RequestException as exc:
            raise KeyProviderError(
                f"cannot reach Vault at {self.url} ({type(exc).__name__}); check [keys] vault_url "
                "and that Vault is running and unsealed"
            ) from None
        if 300 <= response.status_code < 400:
            raise KeyProviderError(
                f"Vault at {self.url} answered {method} {self.mount}/{path} with a redirect "
                f"(HTTP {response.status_code}); gdprguard does not follow Vault redirects, which "
                "would send the token and data keys to another address; set [keys] vault_url to "
                "the active Vault node's address (not a standby or a redirecting load balancer)"
            )
        if response.status_code == 204 or not response.content:
            return response.status_code, {}
        try:
            data = response.json()
        except ValueError:
            data = {}
        return response.status_code, data if isinstance(data, dict) else {}

    def _fail(self, status: int, data: dict[str, Any], what: str) -> NoReturn:
        errors = data.get("errors") or []
        detail = "; ".join(str(e) for e in errors)[:300] or "no details"
        if status in (401, 403):
            raise KeyProviderError(
                f"Vault at {self.url} denied {what} (HTTP {status}: {detail}); check "
                f"[keys] vault_token and its policy on {self.mount}/"
            )
        raise KeyProviderError(f"Vault at {self.url} failed to {what} (HTTP {status}: {detail})")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
