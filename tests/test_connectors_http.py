"""The shared HTTP layer against a scripted local server: error mapping, retries, pacing."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from gdprguard._exceptions import (
    AuthenticationError,
    ConfigError,
    FatalAPIError,
    NotFoundError,
    PermissionDeniedError,
    RetriableAPIError,
)
from gdprguard.connectors.auth import FreshdeskKeyAuth, ZendeskTokenAuth
from gdprguard.connectors.http import HttpClient, RateBudget, RetryPolicy
from gdprguard.connectors.pagination import (
    LinkHeaderPaginator,
    PageRequest,
    ZendeskCursorPaginator,
    iter_pages,
)
from gdprguard.connectors.testing import FakeClock


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering
    raw: bytes | None = None
    content_type: str = "application/json"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Stub:
    """A loopback HTTP server answering from a script (a list of replies or a function)."""

    def __init__(self, script: list[Reply] | Callable[[Seen], Reply]) -> None:
        self.script = script
        self.seen: list[Seen] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(self.command, self.path, dict(self.headers), self.rfile.read(length))
                stub.seen.append(seen)
                if callable(stub.script):
                    reply = stub.script(seen)
                else:
                    reply = stub.script.pop(0) if stub.script else Reply(500)
                if reply.drop:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                data = (
                    reply.raw
                    if reply.raw is not None
                    else (b"" if reply.body is None else json.dumps(reply.body).encode())
                )
                self.send_response(reply.status)
                if data:
                    self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(data)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_DELETE = do_POST = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub_factory() -> Iterator[Callable[..., Stub]]:
    stubs: list[Stub] = []

    def make(script: list[Reply] | Callable[[Seen], Reply]) -> Stub:
        stub = Stub(script)
        stubs.append(stub)
        return stub

    yield make
    for stub in stubs:
        stub.close()


def client_for(stub: Stub, clock: FakeClock, **kwargs: Any) -> HttpClient:
    return HttpClient(
        stub.url, ZendeskTokenAuth("admin@example.test", "tok"), clock=clock, **kwargs
    )


def test_auth_headers_are_the_documented_basic_forms() -> None:
    import requests

    req = requests.Request("GET", "http://x/").prepare()
    ZendeskTokenAuth("a@b.test", "T")(req)
    assert req.headers["Authorization"] == "Basic YUBiLnRlc3QvdG9rZW46VA=="  # a@b.test/token:T
    FreshdeskKeyAuth("KEY")(req)
    assert req.headers["Authorization"] == "Basic S0VZOlg="  # KEY:X
    assert "KEY" not in repr(FreshdeskKeyAuth("KEY"))


def test_429_honours_retry_after_then_succeeds(stub_factory: Callable[..., Stub]) -> None:
    stub = stub_factory(
        [
            Reply(429, raw=b"Number of allowed API requests per minute exceeded",
                  content_type="text/plain", headers={"Retry-After": "7"}),
            Reply(429, raw=b"slow down", content_type="text/plain", headers={"Retry-After": "3"}),
            Reply(200, {"ok": True}),
        ]
    )  # fmt: skip
    clock = FakeClock()
    client = client_for(stub, clock)
    response = client.get("/api/v2/users/me")
    assert response.body == {"ok": True}
    assert response.attempts == 3
    assert 7 <= clock.sleeps[0] < 7.5 and 3 <= clock.sleeps[1] < 3.5
    assert client.stats.throttled == 2 and client.stats.requests == 3


def test_429s_have_their_own_larger_retry_budget(stub_factory: Callable[..., Stub]) -> None:
    storm = [Reply(429, raw=b"x", content_type="text/plain", headers={"Retry-After": "1"})] * 12
    stub = stub_factory([*storm, Reply(503), Reply(200, {"ok": 1})])
    client = client_for(stub, FakeClock(), retry=RetryPolicy(max_attempts=2))
    assert client.get("/api/v2/tickets").attempts == 14
    stub = stub_factory(lambda seen: storm[0])
    client = client_for(stub, FakeClock(), retry=RetryPolicy(max_throttled=5))
    with pytest.raises(RetriableAPIError) as info:
        client.get("/api/v2/tickets")
    assert info.value.status == 429 and info.value.retry_after == 1 and len(stub.seen) == 5


def test_5xx_backs_off_exponentially_and_gives_up(stub_factory: Callable[..., Stub]) -> None:
    stub = stub_factory(lambda seen: Reply(503, {"error": "unavailable"}))
    clock = FakeClock()
    policy = RetryPolicy(max_attempts=5, backoff_base=1.0, backoff_max=100.0)
    client = client_for(stub, clock, retry=policy)
    with pytest.raises(RetriableAPIError) as info:
        client.get("/api/v2/tickets")
    assert info.value.status == 503
    assert len(stub.seen) == 5
    # equal jitter: attempt n waits within [2^(n-1)/2, 2^(n-1)]
    for n, slept in enumerate(clock.sleeps, start=1):
        ceiling = 2 ** (n - 1)
        assert ceiling / 2 <= slept <= ceiling


def test_dropped_connection_is_retried(stub_factory: Callable[..., Stub]) -> None:
    stub = stub_factory([Reply(drop=True), Reply(502), Reply(200, {"n": 1})])
    clock = FakeClock()
    response = client_for(stub, clock).get("/api/v2/tickets")
    assert response.body == {"n": 1} and response.retried
    assert len(stub.seen) == 3


@pytest.mark.parametrize(
    ("status", "body", "exc_type"),
    [
        (401, {"error": "Couldn't authenticate you"}, AuthenticationError),
        (403, {"error": "Forbidden", "description": "No access"}, PermissionDeniedError),
        (404, {"error": "RecordNotFound", "description": "Not found"}, NotFoundError),
        (422, {"error": "RecordInvalid", "details": {"email": [{"description": "x@y.test"}]}},
         FatalAPIError),
        (400, {"description": "Validation failed",
               "errors": [{"field": "page", "message": "beyond 300", "code": "invalid_value"}]},
         FatalAPIError),
    ],
)  # fmt: skip
def test_4xx_map_to_the_exception_tree_without_retry_or_personal_data(
    stub_factory: Callable[..., Stub], status: int, body: Any, exc_type: type[Exception]
) -> None:
    stub = stub_factory(lambda seen: Reply(status, body))
    client = client_for(stub, FakeClock())
    with pytest.raises(exc_type) as info:
        client.get("/api/v2/users/search", {"query": "alice@example.test"})
    assert type(info.value) is exc_type
    assert len(stub.seen) == 1
    message = str(info.value)
    assert "/api/v2/users/search" in message
    assert "alice@example.test" not in message and "x@y.test" not in message
    assert "beyond 300" not in message


def test_not_json_answer_is_a_clear_fatal_error(stub_factory: Callable[..., Stub]) -> None:
    stub = stub_factory([Reply(200, raw=b"<html>hello</html>", content_type="text/html")])
    with pytest.raises(FatalAPIError, match="not JSON"):
        client_for(stub, FakeClock()).get("/api/v2/users/me")


def test_rate_budget_paces_when_remaining_is_low(stub_factory: Callable[..., Stub]) -> None:
    remaining = iter([50, 5, 2, 1, 0, 100])

    def answer(seen: Seen) -> Reply:
        return Reply(
            200, {}, headers={"ratelimit-limit": "100", "ratelimit-remaining": str(next(remaining)),
                              "ratelimit-reset": "30"},
        )  # fmt: skip

    stub = stub_factory(answer)
    clock = FakeClock()
    client = client_for(stub, clock)
    for _ in range(6):
        client.get("/api/v2/tickets")
    # 50 left: full speed; ≤10 left: the sustained rate (60 s / 100 calls); 0 left: the reset.
    assert clock.sleeps == pytest.approx([0.6, 0.6, 0.6, 30.0], rel=0.01)
    assert client.stats.paced_seconds == pytest.approx(sum(clock.sleeps))


class _RecordingBudget(RateBudget):
    """A budget that notes when each call was counted as sent."""

    def __init__(self) -> None:
        super().__init__()
        self.spent_at: list[float] = []

    def spend(self, now: float) -> None:
        self.spent_at.append(now)
        super().spend(now)


def test_threads_sharing_a_client_take_turns_in_the_allowance(
    stub_factory: Callable[..., Stub],
) -> None:
    """The webhook receiver's workers share one client per helpdesk: below the reserve, each call
    waits its spacing after the previous one, whichever thread made it (real time; 5 ms apart)."""
    headers = {"ratelimit-limit": "12000", "ratelimit-remaining": "1000", "ratelimit-reset": "30"}
    stub = stub_factory(lambda seen: Reply(200, {}, headers=headers))
    budget = _RecordingBudget()
    client = HttpClient(stub.url, ZendeskTokenAuth("admin@example.test", "tok"), budget=budget)
    client.get("/api/v2/tickets")  # learns the allowance: under the reserve, one call per 5 ms
    start = threading.Barrier(4)

    def work() -> None:
        start.wait()
        for _ in range(5):
            client.get("/api/v2/tickets")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    gaps = [b - a for a, b in zip(budget.spent_at[1:], budget.spent_at[2:], strict=False)]
    assert len(gaps) == 19
    assert min(gaps) >= 0.0049, sorted(gaps)[:3]


def test_freshdesk_budget_without_reset_assumes_a_minute_and_counts_credits() -> None:
    budget = RateBudget()
    budget.observe({"X-RateLimit-Total": "50", "X-RateLimit-Remaining": "0"}, now=10.0)
    assert budget.delay(now=10.0) == pytest.approx(60.0)
    assert budget.delay(now=71.0) == 0.0
    headers = {"X-RateLimit-Total": "600", "X-RateLimit-Remaining": "30",
               "X-RateLimit-Used-CurrentRequest": "3"}  # fmt: skip
    budget.observe(headers, now=100.0)
    assert budget.delay(now=100.0) == pytest.approx(60 / 600 * 3)
    budget.spend(now=100.0)
    assert budget.delay(now=100.2) == pytest.approx(0.1)  # the call's own time counts


def test_connection_refused_is_retriable_and_says_so() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    client = HttpClient(f"http://127.0.0.1:{port}", None, clock=FakeClock(),
                        retry=RetryPolicy(max_attempts=2))  # fmt: skip
    with pytest.raises(RetriableAPIError, match="refused"):
        client.get("/api/v2/users/me")


def test_dns_failure_is_fatal_with_a_clear_message() -> None:
    client = HttpClient("https://no-such-host.invalid", None, clock=FakeClock())
    with pytest.raises(FatalAPIError, match="DNS"):
        client.get("/api/v2/users/me")


def test_tls_failure_is_fatal_with_a_clear_message(stub_factory: Callable[..., Stub]) -> None:
    stub = stub_factory(lambda seen: Reply(200, {}))
    client = HttpClient(stub.url.replace("http://", "https://"), None, clock=FakeClock())
    with pytest.raises(FatalAPIError, match="TLS"):
        client.get("/api/v2/users/me")


def test_bad_base_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        HttpClient("acme.zendesk.com", None)


def test_absolute_next_urls_are_rebased_onto_the_configured_origin(
    stub_factory: Callable[..., Stub],
) -> None:
    pages = [
        Reply(200, [{"id": 1}], headers={"Link": '<https://evil.test/api/v2/x?page=2>; rel=next'}),
        Reply(200, [{"id": 2}]),
    ]  # fmt: skip
    stub = stub_factory(pages)
    client = client_for(stub, FakeClock())
    bodies = [
        r.body for _, r in iter_pages(client, PageRequest("/api/v2/x"), LinkHeaderPaginator())
    ]
    assert bodies == [[{"id": 1}], [{"id": 2}]]
    assert stub.seen[1].path == "/api/v2/x?page=2"


def test_zendesk_cursor_stops_on_has_more_not_links_next(stub_factory: Callable[..., Stub]) -> None:
    def page(items: list[int], more: bool, cursor: str) -> Reply:
        return Reply(200, {
            "tickets": [{"id": i} for i in items],
            "meta": {"has_more": more, "after_cursor": cursor, "before_cursor": None},
            "links": {"prev": None, "next": f"http://x/api/v2/tickets?page[after]={cursor}"},
        })  # fmt: skip

    stub = stub_factory([page([1, 2], True, "c1"), page([3], False, "c2")])
    client = client_for(stub, FakeClock())
    first = PageRequest("/api/v2/tickets", {"page[size]": 2})
    got = [t["id"] for _, r in iter_pages(client, first, ZendeskCursorPaginator())
           for t in r.body["tickets"]]  # fmt: skip
    assert got == [1, 2, 3]
    assert len(stub.seen) == 2
    assert "page%5Bafter%5D=c1" in stub.seen[1].path


def test_pagination_loop_is_detected(stub_factory: Callable[..., Stub]) -> None:
    same = Reply(200, [], headers={"Link": '<http://x/api/v2/x?page=1>; rel="next"'})
    stub = stub_factory(lambda seen: same)
    client = client_for(stub, FakeClock())
    with pytest.raises(FatalAPIError, match="same page twice"):
        list(iter_pages(client, PageRequest("/api/v2/x?page=1"), LinkHeaderPaginator()))


def test_freshdesk_export_pages_through_tickets_sharing_one_timestamp(
    stub_factory: Callable[..., Stub],
) -> None:
    """updated_since windows must not loop or skip when a page holds a single timestamp."""
    from urllib.parse import parse_qs, urlsplit

    from gdprguard.connectors.freshdesk import FreshdeskConnector

    stamps = {1: "2024-01-01T00:00:00Z", 2: "2024-01-01T00:00:00Z", 3: "2024-01-01T00:00:00Z",
              4: "2024-01-01T00:00:00Z", 5: "2024-01-01T00:00:00Z", 6: "2024-01-02T00:00:00Z",
              7: "2024-01-02T00:00:00Z", 8: "2024-01-03T00:00:00Z"}  # fmt: skip

    def answer(seen: Seen) -> Reply:
        query = {k: v[0] for k, v in parse_qs(urlsplit(seen.path).query).items()}
        rows = sorted((s, i) for i, s in stamps.items() if s >= query["updated_since"])
        page, per_page = int(query["page"]), int(query["per_page"])
        chunk = rows[(page - 1) * per_page : page * per_page]
        more = page * per_page < len(rows)
        link = {"Link": f'</api/v2/tickets?page={page + 1}>; rel="next"'} if more else {}
        return Reply(200, [{"id": i, "updated_at": s} for s, i in chunk], headers=link)

    stub = stub_factory(answer)
    connector = FreshdeskConnector(
        "t", HttpClient(stub.url, FreshdeskKeyAuth("k"), clock=FakeClock())
    )
    connector.export_page_size = 2
    export = connector.export_tickets()
    assert [t.id for t in export] == [str(i) for i in range(1, 9)]
    assert export.state.end_of_stream and export.state.position["updated_since"] == stamps[8]
    stamps[3] = "2024-01-04T00:00:00Z"  # ticket 3 changes
    assert [t.id for t in connector.export_tickets(export.state)] == ["3"]


# --- environment settings are read once, with requests' own rules -------------------------------


def test_proxy_settings_from_the_environment_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    proxied = HttpClient("https://acme.example.test", None, clock=FakeClock())
    assert proxied._session.proxies.get("https") == "http://127.0.0.1:3128"
    assert proxied._session.trust_env is False  # resolved once, not on every request
    monkeypatch.setenv("NO_PROXY", "acme.example.test")
    bypassed = HttpClient("https://acme.example.test", None, clock=FakeClock())
    assert not bypassed._session.proxies.get("https")


def test_ca_bundle_from_the_environment_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bundle = tmp_path / "corp-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    client = HttpClient("https://acme.example.test", None, clock=FakeClock())
    assert client._session.verify == str(bundle)
