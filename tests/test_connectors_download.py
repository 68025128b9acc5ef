"""Downloading attached files (data-subject exports): the credentials never follow a redirect to
another host, plain http is refused off this machine, oversized files are refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from _recording_server import Answer, RecordingServer
from gdprguard._exceptions import FatalAPIError, NotFoundError
from gdprguard.connectors.auth import ZendeskTokenAuth
from gdprguard.connectors.http import HttpClient
from gdprguard.connectors.testing import FakeClock

SECRET = "s3cret-helpdesk-token"


@pytest.fixture
def servers() -> Iterator[list[RecordingServer]]:
    started: list[RecordingServer] = []
    yield started
    for server in started:
        server.close()


def _client(url: str) -> HttpClient:
    return HttpClient(url, ZendeskTokenAuth("admin@example.com", SECRET), clock=FakeClock())


def _serve(servers: list[RecordingServer], answer: Any, host: str = "127.0.0.1") -> RecordingServer:
    try:
        server = RecordingServer(answer, host=host)
    except OSError as exc:
        pytest.skip(f"cannot listen on {host}: {exc}")
    servers.append(server)
    return server


def test_a_redirect_to_another_host_is_followed_without_the_credentials(
    servers: list[RecordingServer],
) -> None:
    def storage(_method: str, _path: str) -> Answer:
        return 200, {}, {"file": "bytes"}

    cdn = _serve(servers, storage, host="127.0.0.2")

    def helpdesk(_method: str, path: str) -> Answer:
        return 302, {"Location": f"{cdn.url}/signed/file.pdf?sig=abc"}, None

    desk = _serve(servers, helpdesk)
    data = _client(desk.url).fetch_file(f"{desk.url}/attachments/token/t1/?name=a.pdf")
    assert data == b'{"file": "bytes"}'
    assert desk.got_credentials()  # the helpdesk itself is asked with them
    assert not cdn.got_credentials() and not cdn.leaked(SECRET.encode())


def test_plain_http_off_this_machine_and_oversized_files_are_refused(
    servers: list[RecordingServer],
) -> None:
    def helpdesk(_method: str, path: str) -> Answer:
        if path.startswith("/insecure"):
            return 302, {"Location": "http://files.example.net/x.pdf"}, None
        if path.startswith("/gone"):
            return 404, {}, None
        return 200, {}, {"data": "x" * 5000}

    desk = _serve(servers, helpdesk)
    client = _client(desk.url)
    with pytest.raises(FatalAPIError, match="plain http"):
        client.fetch_file(f"{desk.url}/insecure")
    with pytest.raises(NotFoundError):
        client.fetch_file(f"{desk.url}/gone")
    with pytest.raises(FatalAPIError, match="larger than"):
        client.fetch_file(f"{desk.url}/big", max_bytes=1 << 10)
    assert len(client.fetch_file(f"{desk.url}/big")) > 5000
