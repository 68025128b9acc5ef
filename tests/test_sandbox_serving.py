"""How the sandbox serves: persistent HTTP/1.1 connections, routes compiled once per flavor, and
datasets generated once per settings, none of which may leak one sandbox's state into another.

Connection-level behaviour is checked over raw sockets, where what happens on the wire is
visible: two requests answered on one connection, a body read in full before the next request,
``Connection: close`` honoured, and idle connections ended by ``stop()`` at once.
"""

from __future__ import annotations

import base64
import io
import json
import socket
import time
from collections.abc import Iterator

import pytest
import requests

from gdprguard.sandbox import SandboxServer
from gdprguard.sandbox._datasets import fresh_dataset
from gdprguard.sandbox.data import DEFAULT_ANCHOR, generate


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(flavor="zendesk", seed=3, tickets=4) as running:
        yield running


def _auth(server: SandboxServer) -> str:
    creds = server.credentials
    if server.config.flavor == "zendesk":
        pair = f"{creds['email']}/token:{creds['token']}"
    else:
        pair = f"{creds['api_key']}:X"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def _request(
    server: SandboxServer, method: str, path: str, body: bytes = b"", **headers: str
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{server.port}"]
    lines.append(f"Authorization: {_auth(server)}")
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _read_answer(
    reader: io.BufferedReader, *, head: bool = False
) -> tuple[int, dict[str, str], bytes]:
    """One answer: status, headers (lower-case names) and body (none for a HEAD request)."""
    status_line = reader.readline()
    assert status_line, "the server closed the connection instead of answering"
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while (line := reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = b"" if head else reader.read(int(headers["content-length"]))
    return status, headers, body


def _connect(server: SandboxServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=5)


def test_requests_share_one_connection_and_a_body_is_read_in_full(server: SandboxServer) -> None:
    ticket = json.dumps({"ticket": {"subject": "Printer", "comment": {"body": "It jams."}}})
    with _connect(server) as sock, sock.makefile("rb") as reader:
        sock.sendall(_request(server, "GET", "/api/v2/tickets/1.json"))
        status, headers, body = _read_answer(reader)
        assert status == 200 and json.loads(body)["ticket"]["id"] == 1
        assert headers.get("connection", "").lower() != "close"
        sock.sendall(_request(server, "POST", "/api/v2/tickets.json", ticket.encode()))
        status, _, body = _read_answer(reader)
        assert status == 201
        created = json.loads(body)["ticket"]["id"]
        sock.sendall(_request(server, "GET", f"/api/v2/tickets/{created}.json"))
        status, _, body = _read_answer(reader)
        assert status == 200 and json.loads(body)["ticket"]["subject"] == "Printer"


def test_a_client_that_asks_for_close_gets_it(server: SandboxServer) -> None:
    with _connect(server) as sock, sock.makefile("rb") as reader:
        sock.sendall(_request(server, "GET", "/api/v2/tickets/1.json", Connection="close"))
        status, headers, _ = _read_answer(reader)
        assert status == 200 and headers["connection"].lower() == "close"
        assert reader.read() == b""  # and then the server closed it


def test_an_unknown_path_is_answered_and_the_connection_stays_usable(
    server: SandboxServer,
) -> None:
    with _connect(server) as sock, sock.makefile("rb") as reader:
        sock.sendall(_request(server, "GET", "/api/v2/no_such_thing.json"))
        assert _read_answer(reader)[0] == 404
        sock.sendall(_request(server, "HEAD", "/api/v2/tickets/1.json"))
        status, headers, _ = _read_answer(reader, head=True)
        assert status == 200 and int(headers["content-length"]) > 0  # the GET body's length
        sock.sendall(_request(server, "GET", "/api/v2/tickets/2.json"))
        assert _read_answer(reader)[0] == 200


def test_a_malformed_chunked_body_is_refused_and_the_connection_closed(
    server: SandboxServer,
) -> None:
    head = _request(server, "POST", "/api/v2/tickets.json", Transfer_Encoding="chunked")
    with _connect(server) as sock, sock.makefile("rb") as reader:
        sock.sendall(head + b"zz\r\nnot a chunk\r\n0\r\n\r\n")  # "zz" is no chunk size
        status, headers, body = _read_answer(reader)
        assert (status, body) == (400, b"Bad Request")
        assert headers["connection"].lower() == "close"
        assert reader.read() == b""


def test_a_chunked_body_is_read_and_the_connection_then_closed(server: SandboxServer) -> None:
    ticket = json.dumps({"ticket": {"subject": "Chunked", "comment": {"body": "Hi."}}}).encode()
    head = _request(server, "POST", "/api/v2/tickets.json", Transfer_Encoding="chunked")
    chunked = f"{len(ticket):x}\r\n".encode() + ticket + b"\r\n0\r\n\r\n"
    with _connect(server) as sock, sock.makefile("rb") as reader:
        sock.sendall(
            head.replace(b"\r\n\r\n", b"\r\nContent-Type: application/json\r\n\r\n") + chunked
        )
        status, headers, body = _read_answer(reader)
        assert status == 201 and json.loads(body)["ticket"]["subject"] == "Chunked"
        assert headers["connection"].lower() == "close"  # the chunked trailer may be unread


def test_stop_ends_idle_connections_at_once() -> None:
    server = SandboxServer(flavor="freshdesk", seed=3, tickets=2).start()
    idle = [_connect(server) for _ in range(3)]
    try:
        for sock in idle:
            sock.sendall(_request(server, "GET", "/api/v2/tickets/1"))
        readers = [sock.makefile("rb") for sock in idle]
        for reader in readers:
            _read_answer(reader)  # answered; the connection now waits for a next request
        started = time.perf_counter()
        server.stop()
        assert time.perf_counter() - started < 0.5
        for reader in readers:
            assert reader.read() == b""  # closed by the server, not left hanging
            reader.close()
    finally:
        for sock in idle:
            sock.close()


def test_a_pooled_connection_gets_no_answer_after_stop() -> None:
    server = SandboxServer(flavor="zendesk", seed=3, tickets=2).start()
    url, creds = server.url, server.credentials
    client = requests.Session()
    client.auth = (f"{creds['email']}/token", creds["token"])
    assert client.get(f"{url}/api/v2/tickets/1.json", timeout=5).status_code == 200
    server.stop()
    with pytest.raises(requests.ConnectionError):
        client.get(f"{url}/api/v2/tickets/1.json", timeout=5)


def test_sandboxes_of_one_flavor_share_routes_but_not_data() -> None:
    with (
        SandboxServer(flavor="zendesk", seed=1, tickets=3) as first,
        SandboxServer(flavor="zendesk", seed=2, tickets=3) as second,
    ):
        assert first._flask.url_map is second._flask.url_map  # compiled once
        subjects = []
        for server in (first, second):
            creds = server.credentials
            answer = requests.get(
                f"{server.url}/api/v2/tickets/1.json",
                auth=(f"{creds['email']}/token", creds["token"]),
                timeout=5,
            )
            subjects.append(answer.json()["ticket"]["subject"])
            expected = server.state.data.tickets[1].subject
            assert subjects[-1] == expected
    unserved = SandboxServer(flavor="zendesk", seed=3, tickets=1)
    with pytest.raises(RuntimeError, match="fixed"):  # the shared map cannot change under others
        unserved._flask.add_url_rule("/extra", "extra", lambda: "no")


def test_a_kept_dataset_is_equal_to_a_generated_one_and_never_shared() -> None:
    first = fresh_dataset(21, 6, DEFAULT_ANCHOR)
    second = fresh_dataset(21, 6, DEFAULT_ANCHOR)
    assert first == second == generate(21, 6, DEFAULT_ANCHOR)
    ticket = next(iter(first.tickets.values()))
    ticket.subject = "changed by one sandbox"
    assert fresh_dataset(21, 6, DEFAULT_ANCHOR) == generate(21, 6, DEFAULT_ANCHOR)
    assert next(iter(second.tickets.values())).subject != "changed by one sandbox"
