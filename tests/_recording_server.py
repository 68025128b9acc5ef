"""A loopback HTTP server for attack tests: answers from a function, remembers every request.

Used as the "foreign" or "eavesdropper" server that must receive nothing, and as a hostile
server that answers with redirects.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: ``(status, headers, JSON body or None)``
Answer = tuple[int, dict[str, str], dict[str, Any] | None]


def _admin_user(_method: str, _path: str) -> Answer:
    return 200, {}, {"user": {"id": 1, "role": "admin"}}


class RecordingServer:
    """Listens on *host* (port chosen by the system) until ``close()``."""

    def __init__(
        self, answer: Callable[[str, str], Answer] = _admin_user, host: str = "127.0.0.1"
    ) -> None:
        self.host = host
        self.seen: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.seen.append(
                    {"method": self.command, "path": self.path, "headers": dict(self.headers),
                     "body": body}
                )  # fmt: skip
                status, headers, payload = answer(self.command, self.path)
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if data:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_DELETE = do_POST = _serve

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.port = int(self.httpd.server_address[1])
        self.netloc = f"{host}:{self.port}"
        self.url = f"http://{self.netloc}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def got_credentials(self) -> bool:
        """Whether any request carried an ``Authorization`` header."""
        return any("Authorization" in s["headers"] for s in self.seen)

    def leaked(self, *secrets: bytes) -> bool:
        """Whether any of *secrets* appeared in a request's headers, path or body."""
        raw = b"".join(
            json.dumps(s["headers"]).encode() + s["body"] + s["path"].encode() for s in self.seen
        )
        return any(secret in raw for secret in secrets)

    def close(self) -> None:
        """Stop listening."""
        self.httpd.shutdown()
        self.httpd.server_close()
