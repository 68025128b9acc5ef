"""Helpdesk credentials never leave the configured helpdesk.

Attacks reproduced here, each against real HTTP servers on this machine:

* a hostile (or compromised) helpdesk hands back a next-page URL (Zendesk ``next_page``, Freshdesk
  ``Link``) built to make the client send its ``Authorization`` header to another server; a second
  "foreign" server records whether anything reached it;
* a connector configured with plain ``http://`` to a host off this machine, where anyone on the
  path reads the token; an "eavesdropper" server on this machine's non-loopback address records
  what would have crossed the network.
"""

from __future__ import annotations

import socket
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from _recording_server import RecordingServer
from gdprguard._config import ConnectorConfig, insecure_http_host, is_loopback_host
from gdprguard._exceptions import ConfigError, FatalAPIError
from gdprguard.cli.main import main
from gdprguard.connectors import build_connector
from gdprguard.connectors.auth import FreshdeskKeyAuth, ZendeskTokenAuth
from gdprguard.connectors.freshdesk import FreshdeskConnector
from gdprguard.connectors.http import HttpClient
from gdprguard.connectors.pagination import LinkHeaderPaginator, PageRequest, iter_pages
from gdprguard.connectors.testing import FakeClock
from gdprguard.connectors.zendesk import ZendeskConnector
from test_connectors_http import Reply, Seen, Stub

SECRET = "s3cret-helpdesk-token"


@pytest.fixture
def servers() -> Iterator[list[RecordingServer | Stub]]:
    started: list[RecordingServer | Stub] = []
    yield started
    for server in started:
        server.close()


def _recorder(servers: list[RecordingServer | Stub], host: str) -> RecordingServer:
    try:
        recorder = RecordingServer(host=host)
    except OSError as exc:  # e.g. 127.0.0.2 is not routed to loopback on macOS
        pytest.skip(f"cannot listen on {host}: {exc}")
    servers.append(recorder)
    return recorder


def _hostile(servers: list[RecordingServer | Stub], script: Callable[[Seen], Reply]) -> Stub:
    stub = Stub(script)
    servers.append(stub)
    return stub


def _non_loopback_address() -> str | None:
    """This machine's address on its default route (connecting a UDP socket sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if is_loopback_host(address) or address == "0.0.0.0" else address


# --- hostile next-page links ----------------------------------------------------------------------

# {H} is the hostile helpdesk's host:port, {F} the foreign server's, {P} the list's API path.
# Links that made the old ``urljoin``-based client send the credentials to {F}:
ATTACK_LINKS = {
    "path-embeds-absolute-url": "http://{H}/http://{F}{P}?page=2",
    "path-embeds-upper-case-scheme": "http://{H}/HTTP://{F}{P}?page=2",
    "path-embeds-userinfo": "http://{H}/http://{H}@{F}{P}?page=2",
    "path-embeds-protocol-relative-after-space": "http://{H}/ //{F}{P}?page=2",
    # Python's urlsplit reads the host as {H}, urllib3 (which connects) as {F}:
    "path-embeds-backslash-userinfo": "http://{H}/http://{F}\\@{H}{P}?page=2",
}
# Shapes the old client already kept on the helpdesk; they must stay there.
GUARD_LINKS = {
    "plain-foreign-url": "http://{F}{P}?page=2",
    "userinfo-naming-the-helpdesk": "http://{H}@{F}{P}?page=2",
    "protocol-relative": "//{F}{P}?page=2",
    "path-embeds-protocol-relative": "http://{H}///{F}{P}?page=2",
    "backslash-ends-host-for-urllib3": "http://{F}\\@{H}{P}?page=2",
    "backslashes-in-path": "http://{H}/\\\\{F}\\{P}?page=2",
    "backslash-scheme": "http:\\\\{F}{P}?page=2",
}
FOREIGN_HOSTS = {"other-host": "127.0.0.2", "same-host-other-port": "127.0.0.1"}


def _link(template: str, hostile: Stub, foreign: RecordingServer, path: str) -> str:
    return template.format(H=hostile.url.removeprefix("http://"), F=foreign.netloc, P=path)


@pytest.mark.parametrize("foreign_host", FOREIGN_HOSTS.values(), ids=FOREIGN_HOSTS.keys())
@pytest.mark.parametrize("template", ATTACK_LINKS.values(), ids=ATTACK_LINKS.keys())
def test_zendesk_next_page_cannot_send_the_token_to_another_server(
    servers: list[RecordingServer | Stub], template: str, foreign_host: str
) -> None:
    foreign = _recorder(servers, foreign_host)

    def answer(seen: Seen) -> Reply:
        if seen.path.startswith("/api/v2/users/search") and "page=2" not in seen.path:
            nxt = _link(template, hostile, foreign, "/api/v2/users/search")
            return Reply(200, {"users": [], "next_page": nxt, "count": 200})
        return Reply(200, {"users": [], "next_page": None, "count": 200})

    hostile = _hostile(servers, answer)
    auth = ZendeskTokenAuth("admin@example.test", SECRET)
    connector = ZendeskConnector("z", HttpClient(hostile.url, auth, clock=FakeClock()))
    try:
        connector.find_people(email="jane.doe@example.test")
    except FatalAPIError as exc:  # refusing the link outright is also fine
        assert "jane" not in str(exc) and "?" not in str(exc)
    assert foreign.seen == [], "the helpdesk credentials reached another server"
    assert all(s.headers.get("Host") == hostile.url.removeprefix("http://") for s in hostile.seen)


@pytest.mark.parametrize("foreign_host", FOREIGN_HOSTS.values(), ids=FOREIGN_HOSTS.keys())
@pytest.mark.parametrize("template", ATTACK_LINKS.values(), ids=ATTACK_LINKS.keys())
def test_freshdesk_link_header_cannot_send_the_key_to_another_server(
    servers: list[RecordingServer | Stub], template: str, foreign_host: str
) -> None:
    foreign = _recorder(servers, foreign_host)

    def answer(seen: Seen) -> Reply:
        if seen.path.startswith("/api/v2/contacts?") and "page=2" not in seen.path:
            nxt = _link(template, hostile, foreign, "/api/v2/contacts")
            return Reply(200, [], headers={"Link": f'<{nxt}>; rel="next"'})
        return Reply(200, [])

    hostile = _hostile(servers, answer)
    client = HttpClient(hostile.url, FreshdeskKeyAuth(SECRET), clock=FakeClock())
    connector = FreshdeskConnector("f", client)
    try:
        connector.find_people(email="jane.doe@example.test")
    except FatalAPIError as exc:
        assert "jane" not in str(exc) and "?" not in str(exc)
    assert foreign.seen == [], "the helpdesk credentials reached another server"


@pytest.mark.parametrize("foreign_host", FOREIGN_HOSTS.values(), ids=FOREIGN_HOSTS.keys())
@pytest.mark.parametrize("template", GUARD_LINKS.values(), ids=GUARD_LINKS.keys())
@pytest.mark.parametrize("flavor", ["zendesk", "freshdesk"])
def test_other_link_shapes_stay_on_the_helpdesk(
    servers: list[RecordingServer | Stub], template: str, foreign_host: str, flavor: str
) -> None:
    foreign = _recorder(servers, foreign_host)

    def answer(seen: Seen) -> Reply:
        first = "page=2" not in seen.path
        if flavor == "zendesk":
            nxt = _link(template, hostile, foreign, "/api/v2/users/search") if first else None
            return Reply(200, {"users": [], "next_page": nxt})
        link = _link(template, hostile, foreign, "/api/v2/contacts")
        return Reply(200, [], headers={"Link": f'<{link}>; rel="next"'} if first else {})

    hostile = _hostile(servers, answer)
    if flavor == "zendesk":
        auth: Any = ZendeskTokenAuth("admin@example.test", SECRET)
        connector: Any = ZendeskConnector("z", HttpClient(hostile.url, auth, clock=FakeClock()))
    else:
        client = HttpClient(hostile.url, FreshdeskKeyAuth(SECRET), clock=FakeClock())
        connector = FreshdeskConnector("f", client)
    try:
        connector.find_people(email="jane.doe@example.test")
    except FatalAPIError as exc:
        assert "jane" not in str(exc) and "?" not in str(exc)
    assert foreign.seen == []


def test_followed_links_stay_on_the_helpdesk_with_path_and_query(
    servers: list[RecordingServer | Stub],
) -> None:
    """The fix re-bases instead of dropping: the helpdesk still gets its own next page."""
    foreign = _recorder(servers, "127.0.0.1")
    link = f"<http://{foreign.netloc}/api/v2/x?page=2&a=b>; rel=next"
    pages = [Reply(200, [1], headers={"Link": link}), Reply(200, [2])]
    hostile = _hostile(servers, lambda seen: pages.pop(0))
    client = HttpClient(hostile.url, FreshdeskKeyAuth(SECRET), clock=FakeClock())
    first = PageRequest("/api/v2/x")
    bodies = [r.body for _, r in iter_pages(client, first, LinkHeaderPaginator())]
    assert bodies == [[1], [2]]
    assert hostile.seen[1].path == "/api/v2/x?page=2&a=b"
    assert foreign.seen == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.2:{port}/api/v2/x?email=jane.doe@example.test",
        "http://127.0.0.1:1/api/v2/x?email=jane.doe@example.test",
        "https://127.0.0.1:{port}/api/v2/x?email=jane.doe@example.test",
        "http://127.0.0.2:{port}\\@127.0.0.1:{port}/api/v2/x?email=jane.doe@example.test",
        "http://[::1/x?email=jane.doe@example.test",
    ],
    ids=["other-host", "other-port", "other-scheme", "parsers-disagree", "unparsable"],
)
def test_a_final_url_off_the_configured_origin_is_refused_without_echoing_the_query(
    url: str,
) -> None:
    client = HttpClient("http://127.0.0.1:8080", FreshdeskKeyAuth(SECRET))
    with pytest.raises(FatalAPIError, match="refusing to send a request") as caught:
        client.require_same_origin(url.format(port=8080))
    message = str(caught.value)
    assert "jane" not in message and "?" not in message and SECRET not in message
    assert "127.0.0.1:8080" in message  # says which helpdesk is the configured one
    client.require_same_origin("HTTP://127.0.0.1:8080/api/v2/x?page=2")  # same origin: fine


@pytest.mark.parametrize(
    "base", ["http://127.0.0.2:1\\@127.0.0.1:2", "https://user:pw@acme.zendesk.com"]
)
def test_base_urls_that_parsers_read_differently_or_carry_userinfo_are_refused(base: str) -> None:
    with pytest.raises(ConfigError, match="helpdesk URL") as caught:
        HttpClient(base, None)
    assert "pw" not in str(caught.value)


# --- plain http:// off this machine ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8765", "http://127.9.8.7", "http://localhost:1", "http://[::1]:8765",
     "https://acme.zendesk.com", "https://192.0.2.10"],
)  # fmt: skip
def test_loopback_and_https_urls_need_no_opt_in(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZD_TOKEN", SECRET)
    cfg = ConnectorConfig(type="zendesk", url=url, email="a@example.test", token="env:ZD_TOKEN")
    build_connector("support", cfg).close()
    assert insecure_http_host(url) is None


@pytest.mark.parametrize(
    "url", ["http://acme.zendesk.com", "http://192.0.2.10:8080", "http://0.0.0.0:8765",
            "http://[fd00::2]:80"],
)  # fmt: skip
@pytest.mark.parametrize("flavor", ["zendesk", "freshdesk"])
def test_plain_http_off_this_machine_is_a_config_error(
    url: str, flavor: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HD_TOKEN", SECRET)
    cfg = ConnectorConfig(type=flavor, url=url, token="env:HD_TOKEN")
    for build in (
        lambda: build_connector("support", cfg),
        lambda: (ZendeskConnector if flavor == "zendesk" else FreshdeskConnector).from_config(
            "support", cfg
        ),
    ):
        with pytest.raises(ConfigError) as caught:
            build()
        message = str(caught.value)
        assert "connector support" in message and "[connectors.support]" in message
        assert "allow_insecure_http = true" in message and "https://" in message
        assert SECRET not in message
    allowed = cfg.model_copy(update={"allow_insecure_http": True})
    build_connector("support", allowed).close()


def test_a_url_that_only_looks_loopback_to_one_parser_is_not_loopback() -> None:
    """urllib3 (what requests connects with) ends the host at the backslash: evil.example."""
    url = "http://evil.example\\@127.0.0.1"
    assert insecure_http_host(url) == "evil.example"
    cfg = ConnectorConfig(type="zendesk", url=url, token="literal")
    with pytest.raises(ConfigError, match="allow_insecure_http"):
        build_connector("support", cfg)


def test_an_eavesdropper_sees_nothing_unless_plain_http_was_allowed(
    servers: list[RecordingServer | Stub],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`connector test` against http://<this machine's LAN address>: the wire stays silent."""
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    wire = _recorder(servers, address)
    monkeypatch.setenv("ZD_TOKEN", SECRET)
    config = tmp_path / "g.toml"
    section = (
        f'[connectors.support]\ntype = "zendesk"\nurl = "http://{wire.netloc}"\n'
        'email = "admin@example.test"\ntoken = "env:ZD_TOKEN"\n'
    )
    config.write_text(section)
    code = main(["--config", str(config), "connector", "test", "support"])
    _, err = capsys.readouterr()
    assert code == 2, err
    assert wire.seen == [], "the token crossed the network over plain http"
    assert "allow_insecure_http = true" in err and "[connectors.support]" in err
    assert SECRET not in err

    config.write_text(section + "allow_insecure_http = true\n")
    code = main(["--config", str(config), "connector", "test", "support"])
    capsys.readouterr()
    assert code == 0
    assert wire.got_credentials()  # the explicit opt-in really does allow it


def test_connector_add_refuses_plain_http_before_writing_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ZD_TOKEN", SECRET)
    config = tmp_path / "g.toml"
    url = "http://helpdesk.internal.example"
    argv = ["--config", str(config), "connector", "add", "support", "--type", "zendesk",
            "--url", url, "--token", "env:ZD_TOKEN", "--no-test"]  # fmt: skip
    code = main(argv)
    _, err = capsys.readouterr()
    assert code == 2
    assert not config.exists()
    assert "--allow-insecure-http" in err and "connector support" in err and SECRET not in err

    code = main([*argv, "--allow-insecure-http"])
    capsys.readouterr()
    assert code == 0
    saved = tomllib.loads(config.read_text())["connectors"]["support"]
    assert saved["allow_insecure_http"] is True and saved["url"] == url


def test_connector_add_writes_no_allow_insecure_http_key_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ZD_TOKEN", SECRET)
    config = tmp_path / "g.toml"
    url = "https://acme.zendesk.com"
    argv = ["--config", str(config), "connector", "add", "support", "--type", "zendesk",
            "--url", url, "--token", "env:ZD_TOKEN", "--no-test"]  # fmt: skip
    code = main(argv)
    capsys.readouterr()
    assert code == 0
    assert "allow_insecure_http" not in config.read_text()
