"""A threaded WSGI server that keeps HTTP/1.1 connections open between requests.

werkzeug's development server answers every request with ``Connection: close``: each API call
then costs a new TCP connection and a new server thread, and a client paging through thousands
of records spends more time connecting than being answered. Here the request body is read in
full before the application runs (so the next request on the connection starts where this one
ended), the answer is sent with its ``Content-Length``, and the connection stays open for the
client's next request, as a real helpdesk's does.

The connection is closed after the answer when the client asks for it (``Connection: close``,
HTTP/1.0), when the body came chunked or was too large to hold, and when the application failed
or dropped the connection on purpose. ``close_connections()`` ends the idle ones at once, so a
server stops in milliseconds however many clients keep a connection open.
"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import threading
from collections.abc import Iterable
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

__all__ = ["KeepAliveHandler", "KeepAliveServer"]

log = logging.getLogger(__name__)

#: request bodies up to this size are read before the application runs; a larger one is
#: streamed to it and its connection closed afterwards
MAX_BUFFERED_BODY = 32 * 1024 * 1024

#: an idle connection is closed after this many seconds without a request
IDLE_TIMEOUT_SECONDS = 300.0

#: connection-level headers the server sets itself, never taken from the application
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding"})

#: the headers of the server's own short answers (400, 500)
_TEXT = [("Content-Type", "text/plain; charset=utf-8")]


class _OpenConnections:
    """The sockets of the connections a server is handling; closing them ends their threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._closed = False

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            if not self._closed:
                self._sockets.add(sock)
                return
        _stop_reading(sock)  # accepted just as the server stopped

    def discard(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)

    @property
    def closed(self) -> bool:
        """True once ``close_all()`` ran: no further request is answered."""
        return self._closed

    def close_all(self) -> None:
        with self._lock:
            self._closed = True
            sockets = list(self._sockets)
        for sock in sockets:
            _stop_reading(sock)


def _stop_reading(sock: socket.socket) -> None:
    """Wake a thread waiting for the next request with end-of-file; an answer being written
    still goes out, and the thread then closes the connection. (A request arriving after this
    can still be read: ``KeepAliveHandler`` leaves it unanswered.)"""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RD)


class KeepAliveServer(ThreadedWSGIServer):
    """werkzeug's threaded server with persistent connections (``KeepAliveHandler``)."""

    def __init__(self, host: str, port: int, app: Any, *, fd: int | None = None) -> None:
        self.open_connections = _OpenConnections()
        super().__init__(host, port, app, handler=KeepAliveHandler, fd=fd)

    def close_connections(self) -> None:
        """End every open connection once its current answer, if any, is sent; connections
        accepted from now on are ended the same way."""
        self.open_connections.close_all()


class KeepAliveHandler(WSGIRequestHandler):
    """Serves the requests of one connection until the client or the server ends it."""

    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT_SECONDS
    server: KeepAliveServer

    def setup(self) -> None:
        super().setup()
        # an answer leaves at once, not after the client's delayed acknowledgement
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.open_connections.add(self.connection)

    def finish(self) -> None:
        self.server.open_connections.discard(self.connection)
        super().finish()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """No access log: request lines carry search queries (emails, phone numbers)."""

    def log_error(self, format: str, *args: Any) -> None:
        """Malformed requests and idle timeouts are the client's business; nothing is logged
        (the request line would be in the message)."""

    def run_wsgi(self) -> None:
        """Answer one request; the connection stays open unless something above says not."""
        if self.server.open_connections.closed:  # the server stopped: answer nothing more
            self.close_connection = True
            return
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        environ = self.make_environ()
        method = environ["REQUEST_METHOD"]
        try:
            if not self._buffer_body(environ):
                self.close_connection = True
        except (ConnectionError, TimeoutError):  # the client went away mid-body
            self.close_connection = True
            return
        except OSError:  # a malformed chunked body
            self.close_connection = True
            self._send("400 BAD REQUEST", _TEXT, b"Bad Request", method)
            return
        try:
            status, headers, body = _call(self.server.app, environ)
        except ConnectionError:
            # the application dropped the connection on purpose (a fault it injects)
            self.close_connection = True
            return
        except Exception as exc:
            log.error("sandbox: %s while answering a request", type(exc).__name__)
            self.close_connection = True
            status, headers, body = "500 INTERNAL SERVER ERROR", _TEXT, b"Internal Server Error"
        self._send(status, headers, body, method)

    def _buffer_body(self, environ: dict[str, Any]) -> bool:
        """Replace the input stream by the whole body, read now; False when the connection
        cannot carry another request after this one."""
        if environ.get("wsgi.input_terminated"):  # chunked: werkzeug decodes it
            environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read())
            return False  # the chunked trailer may still be unread
        raw = environ.get("CONTENT_LENGTH", "")
        if not raw:
            environ["wsgi.input"] = io.BytesIO(b"")
            return True
        try:
            length = int(raw)
        except ValueError:
            return False
        if length < 0 or length > MAX_BUFFERED_BODY:
            return False
        body = self.rfile.read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        return len(body) == length

    def _send(self, status: str, headers: list[tuple[str, str]], body: bytes, method: str) -> None:
        """Status line, headers and body in one write."""
        code = int(status.split(None, 1)[0])
        lines = [
            f"{self.protocol_version} {status}",
            f"Server: {self.version_string()}",
            f"Date: {self.date_time_string()}",
        ]
        has_length = False
        for name, value in headers:
            lowered = name.lower()
            if lowered in _HOP_BY_HOP:
                continue
            has_length = has_length or lowered == "content-length"
            lines.append(f"{name}: {value}")
        bodiless = method == "HEAD" or code < 200 or code in (204, 304)
        if not has_length and not bodiless:
            lines.append(f"Content-Length: {len(body)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head if bodiless else head + body)


def _call(app: Any, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run a WSGI application to completion: (status, headers, body)."""
    answer: list[Any] = []
    written: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answer[:] = [status, headers]
        return written.append

    result: Iterable[bytes] = app(environ, start_response)
    try:
        written.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    if not answer:
        raise RuntimeError("the application did not start a response")
    return answer[0], answer[1], b"".join(written)
