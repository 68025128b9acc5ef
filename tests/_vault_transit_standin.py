"""A stand-in for HashiCorp Vault's transit secrets engine, on 127.0.0.1, for tests.

The Vault server binary is not available from this machine's package registries, so the
``VaultTransitKeyProvider`` is tested against this small server, which follows Vault's transit
HTTP API for the calls gdprguard makes: the same paths, ``X-Vault-Token`` header, request and
response JSON (``{"data": {...}}`` envelopes, ``{"errors": [...]}`` on failure), key versions,
``vault:v<N>:<base64>`` ciphertexts, ``associated_data`` for AES-GCM keys, ``rotate``,
``min_decryption_version``/``min_encryption_version`` and ``trim`` (``min_available_version``,
with Vault's rules: no trim while ``min_encryption_version`` is 0, never past either minimum, and
no minimum below a trimmed version). Crypto is real AES-256-GCM (one key per version).

Endpoints: ``GET|POST /v1/<mount>/keys/<name>``, ``POST /v1/<mount>/keys/<name>/rotate``,
``POST /v1/<mount>/keys/<name>/config``, ``POST /v1/<mount>/keys/<name>/trim``,
``POST /v1/<mount>/encrypt/<name>``, ``POST /v1/<mount>/decrypt/<name>``. Paths listed in
``denied`` answer 403, like a token whose policy lacks them.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["TransitStandin"]


@dataclass
class _TransitKey:
    versions: dict[int, bytes] = field(default_factory=dict)
    created: dict[int, int] = field(default_factory=dict)
    min_decryption_version: int = 1
    min_encryption_version: int = 0
    min_available_version: int = 0
    latest: int = 0

    def add_version(self) -> None:
        self.latest += 1
        self.versions[self.latest] = AESGCM.generate_key(256)
        self.created[self.latest] = int(time.time())


class _VaultError(Exception):
    def __init__(self, status: int, *errors: str) -> None:
        super().__init__(status)
        self.status = status
        self.errors = list(errors)


class TransitStandin:
    """Run with ``with TransitStandin() as vault: vault.url``; ``vault.token`` authenticates."""

    def __init__(self, *, token: str | None = None, mount: str = "transit") -> None:
        self.token = token or f"hvs.{uuid.uuid4().hex}"
        self.mount = mount
        self.keys: dict[str, _TransitKey] = {}
        self.calls: list[tuple[str, str]] = []
        self.denied: set[str] = set()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},  # shutdown() waits up to one poll (default 0.5 s)
            daemon=True,
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> TransitStandin:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # -- the transit engine -----------------------------------------------------------------

    def _key_info(self, name: str, key: _TransitKey) -> dict[str, Any]:
        return {
            "allow_plaintext_backup": False,
            "auto_rotate_period": 0,
            "deletion_allowed": False,
            "derived": False,
            "exportable": False,
            "imported_key": False,
            "keys": {
                str(v): key.created[v]
                for v in sorted(key.versions)
                if v >= key.min_decryption_version
            },
            "latest_version": key.latest,
            "min_available_version": key.min_available_version,
            "min_decryption_version": key.min_decryption_version,
            "min_encryption_version": key.min_encryption_version,
            "name": name,
            "supports_decryption": True,
            "supports_derivation": True,
            "supports_encryption": True,
            "supports_signing": False,
            "type": "aes256-gcm96",
        }

    def handle(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        prefix = f"/v1/{self.mount}/"
        if not path.startswith(prefix):
            raise _VaultError(404, "1 error occurred:\n\t* unsupported path\n\n")
        parts = path[len(prefix) :].split("/")
        if path[len(prefix) :] in self.denied:
            raise _VaultError(403, "1 error occurred:\n\t* permission denied\n\n")
        with self._lock:
            if parts[0] == "keys" and len(parts) == 2:
                return self._keys_endpoint(method, parts[1], body)
            if parts[0] == "keys" and len(parts) == 3 and method == "POST":
                key = self._existing(parts[1])
                if parts[2] == "rotate":
                    key.add_version()
                    return 200, {"data": self._key_info(parts[1], key)}
                if parts[2] == "config":
                    return self._config(parts[1], key, body)
                if parts[2] == "trim":
                    return self._trim(parts[1], key, body)
            if parts[0] == "encrypt" and len(parts) == 2 and method == "POST":
                return self._encrypt(parts[1], body)
            if parts[0] == "decrypt" and len(parts) == 2 and method == "POST":
                return self._decrypt(parts[1], body)
        raise _VaultError(404, "1 error occurred:\n\t* unsupported path\n\n")

    def _existing(self, name: str) -> _TransitKey:
        key = self.keys.get(name)
        if key is None:
            raise _VaultError(400, "encryption key not found")
        return key

    def _keys_endpoint(self, method: str, name: str, body: dict[str, Any]) -> tuple[int, Any]:
        if method == "GET":
            key = self.keys.get(name)
            if key is None:
                raise _VaultError(404)
            return 200, {"data": self._key_info(name, key)}
        if method == "POST":
            key_type = body.get("type", "aes256-gcm96")
            if key_type != "aes256-gcm96":
                raise _VaultError(400, f"unknown key type: {key_type}")
            if name not in self.keys:
                self.keys[name] = _TransitKey()
                self.keys[name].add_version()
            return 204, None
        raise _VaultError(405, "1 error occurred:\n\t* unsupported operation\n\n")

    def _config(self, name: str, key: _TransitKey, body: dict[str, Any]) -> tuple[int, Any]:
        dec = int(body.get("min_decryption_version", key.min_decryption_version))
        enc = int(body.get("min_encryption_version", key.min_encryption_version))
        if dec > key.latest or enc > key.latest:
            raise _VaultError(400, "cannot set min version to a value greater than latest")
        if key.min_available_version and max(dec, 1) < key.min_available_version:
            raise _VaultError(
                400, "min decryption version should not be less then min available version"
            )
        if key.min_available_version and enc < key.min_available_version:
            raise _VaultError(
                400, "min encryption version should not be less than min available version"
            )
        key.min_decryption_version = max(dec, 1)
        key.min_encryption_version = enc
        return 200, {"data": self._key_info(name, key)}

    def _trim(self, name: str, key: _TransitKey, body: dict[str, Any]) -> tuple[int, Any]:
        value = int(body.get("min_available_version", 0))
        if key.min_encryption_version == 0:
            raise _VaultError(
                400, "minimum available version cannot be set when minimum encryption version "
                "is not set"
            )  # fmt: skip
        if value > min(key.min_decryption_version, key.min_encryption_version):
            raise _VaultError(
                400, "cannot set minimum available version greater than minimum decryption or "
                "encryption version"
            )  # fmt: skip
        if value < key.min_available_version:
            raise _VaultError(400, "minimum available version cannot be decreased")
        for version in [v for v in key.versions if v < value]:
            del key.versions[version], key.created[version]
        key.min_available_version = value
        return 200, {"data": self._key_info(name, key)}

    def _encrypt(self, name: str, body: dict[str, Any]) -> tuple[int, Any]:
        if name not in self.keys:  # Vault upserts the key on encrypt when the policy allows it
            self.keys[name] = _TransitKey()
            self.keys[name].add_version()
        key = self.keys[name]
        plaintext = _b64decode(body.get("plaintext"), "plaintext")
        aad = _b64decode(body.get("associated_data", ""), "associated_data")
        version = key.latest
        nonce = os.urandom(12)
        sealed = AESGCM(key.versions[version]).encrypt(nonce, plaintext, aad or None)
        ciphertext = f"vault:v{version}:" + base64.b64encode(nonce + sealed).decode()
        return 200, {"data": {"ciphertext": ciphertext, "key_version": version}}

    def _decrypt(self, name: str, body: dict[str, Any]) -> tuple[int, Any]:
        key = self._existing(name)
        ciphertext = str(body.get("ciphertext", ""))
        try:
            _, tag, payload = ciphertext.split(":", 2)
            version = int(tag.removeprefix("v"))
            raw = base64.b64decode(payload, validate=True)
        except (ValueError, binascii.Error):
            raise _VaultError(400, "invalid ciphertext: no prefix") from None
        if version < key.min_decryption_version:
            raise _VaultError(
                400, "ciphertext or signature version is disallowed by policy (too old)"
            )
        if version not in key.versions:
            raise _VaultError(400, "invalid key version")
        aad = _b64decode(body.get("associated_data", ""), "associated_data")
        try:
            plaintext = AESGCM(key.versions[version]).decrypt(raw[:12], raw[12:], aad or None)
        except InvalidTag:
            raise _VaultError(400, "cipher: message authentication failed") from None
        return 200, {"data": {"plaintext": base64.b64encode(plaintext).decode()}}

    # -- HTTP -------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:  # keep test output quiet
                pass

            def _serve(self, method: str) -> None:
                standin.calls.append((method, self.path))
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    if self.headers.get("X-Vault-Token") != standin.token:
                        raise _VaultError(403, "permission denied")
                    try:
                        body = json.loads(raw) if raw else {}
                    except ValueError:
                        raise _VaultError(400, "failed to parse JSON input") from None
                    status, payload = standin.handle(method, self.path, body or {})
                except _VaultError as exc:
                    status, payload = exc.status, {"errors": exc.errors}
                if payload is not None and "data" in payload:
                    payload = {
                        "request_id": str(uuid.uuid4()),
                        "lease_id": "",
                        "renewable": False,
                        "lease_duration": 0,
                        "wrap_info": None,
                        "warnings": None,
                        "auth": None,
                        **payload,
                    }
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Cache-Control", "no-store")
                if data:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def do_PUT(self) -> None:  # Vault treats PUT like POST
                self._serve("POST")

        return Handler


def _b64decode(value: Any, name: str) -> bytes:
    try:
        return base64.b64decode(str(value or ""), validate=True)
    except (ValueError, binascii.Error):
        raise _VaultError(400, f"failed to base64-decode {name}") from None
