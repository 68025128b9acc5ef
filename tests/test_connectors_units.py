"""Pure parts of the connectors: HTML span mapping, resumable export bookkeeping, the registry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from gdprguard._config import ConnectorConfig
from gdprguard._exceptions import ConfigError
from gdprguard.connectors import (
    ExportPage,
    HelpdeskConnector,
    Span,
    SyncState,
    TicketExport,
    build_connector,
    connector_types,
    get_connector_class,
)
from gdprguard.connectors.freshdesk import FreshdeskConnector
from gdprguard.connectors.htmltext import HtmlText, resolve_targets
from gdprguard.connectors.zendesk import ZendeskConnector
from gdprguard.models import Ticket

HTML = (
    '<div class="zd-comment" dir="auto"><p dir="auto">Hi, I am Taro &amp; co.</p>\n'
    "<p>Call 090-1234-5678 or\n mail <b>taro</b>@example.test</p><p>Taro again, "
    "〒100-0001 東京都千代田区</p></div>"
)
BODY = (
    "Hi, I am Taro & co.\n\nCall 090-1234-5678 or mail taro@example.test\n\n"
    "Taro again, 〒100-0001 東京都千代田区"
)


def span_of(value: str, body: str = BODY, nth: int = 0) -> dict[str, Any]:
    start = -1
    for _ in range(nth + 1):
        start = body.index(value, start + 1)
    return {"type": "X", "start": start, "end": start + len(value), "score": 0.9}


def test_wrap_redact_marks_exactly_the_spans_even_across_tags_and_entities() -> None:
    targets = [
        span_of("Taro & co"),
        span_of("090-1234-5678"),
        span_of("taro@example.test"),
        span_of("Taro", nth=1),
        span_of("東京都千代田区"),
    ]
    projected = HtmlText(HTML)
    found, missed = projected.locate(BODY, resolve_targets(BODY, targets))
    assert missed == 0
    wrapped = projected.wrap_redact(found)
    assert "<redact>Taro &amp; co</redact>." in wrapped
    assert "<b><redact>taro</redact></b><redact>@example.test</redact>" in wrapped
    assert (
        "<p><redact>Taro</redact> again, 〒100-0001 <redact>東京都千代田区</redact></p>" in wrapped
    )
    # Removing the tags gives back the original HTML byte for byte.
    assert wrapped.replace("<redact>", "").replace("</redact>", "") == HTML


def test_mask_replaces_one_block_per_character_and_keeps_markup() -> None:
    projected = HtmlText(HTML)
    found, _ = projected.locate(BODY, resolve_targets(BODY, [span_of("Taro & co")]))
    masked = projected.mask(found)
    assert '<p dir="auto">Hi, I am ▇▇▇▇▇▇▇▇▇.</p>' in masked
    assert HtmlText(masked).text.count("▇") == len("Taro & co")


def test_string_targets_select_every_occurrence_and_overlaps_merge() -> None:
    ranges = resolve_targets(BODY, ["Taro", span_of("Taro & co"), Span(start=0, end=2)])
    assert [(r.start, r.end) for r in ranges] == [
        (0, 2),
        (BODY.index("Taro"), BODY.index("Taro") + 9),
        (BODY.rindex("Taro"), BODY.rindex("Taro") + 4),
    ]


def test_out_of_range_span_is_rejected() -> None:
    with pytest.raises(ValueError):
        resolve_targets("short", [{"start": 2, "end": 99}])


def test_value_absent_from_html_is_reported_missing() -> None:
    projected = HtmlText("<p>nothing here</p>")
    found, missed = projected.locate("secret", resolve_targets("secret", ["secret"]))
    assert found == [] and missed == 1


def _tickets(*ids: int) -> list[Ticket]:
    return [Ticket(id=str(i)) for i in ids]


class FakeStream:
    """Three pages with an overlap (time-based style carry), then end of stream."""

    pages: Mapping[int, ExportPage] = {
        0: ExportPage(_tickets(1, 2, 3), {"p": 1}, False, frozenset({"3"})),
        1: ExportPage(_tickets(3, 4, 5), {"p": 2}, False),
        2: ExportPage(_tickets(6, 7), {"p": 3}, True),
    }

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, position: Mapping[str, Any]) -> ExportPage:
        self.calls += 1
        return self.pages[int(position.get("p", 0))]


def test_export_skips_overlap_and_resumes_mid_page_without_loss_or_duplicates() -> None:
    start = SyncState(helpdesk="fake", position={"p": 0})
    assert [t.id for t in TicketExport("fake", start, FakeStream())] == list("1234567")

    # Interrupt after every possible ticket, resume from the saved bookmark (round-tripped as JSON).
    for stop_after in range(1, 8):
        first = TicketExport("fake", start, FakeStream())
        got = [next(first).id for _ in range(stop_after)]
        saved = SyncState.model_validate_json(first.state.model_dump_json())
        got += [t.id for t in TicketExport("fake", saved, FakeStream())]
        assert got == list("1234567"), stop_after

    done = TicketExport("fake", start, FakeStream())
    list(done)
    assert done.state.end_of_stream and done.state.position == {"p": 3}


def test_bookmark_of_another_helpdesk_is_refused() -> None:
    with pytest.raises(ConfigError, match="belongs to a zendesk"):
        TicketExport("freshdesk", SyncState(helpdesk="zendesk", position={}), FakeStream())


def test_registry_knows_the_builtins_and_lists_them_for_unknown_types() -> None:
    assert {"zendesk", "freshdesk"} <= set(connector_types())
    assert get_connector_class("zendesk") is ZendeskConnector
    assert get_connector_class("freshdesk") is FreshdeskConnector
    with pytest.raises(ConfigError, match=r"known types: .*freshdesk.*zendesk"):
        get_connector_class("helpscout")


def test_build_connector_resolves_env_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = ConnectorConfig(type="freshdesk", url="http://127.0.0.1:1", token="env:FD_KEY")
    with pytest.raises(ConfigError, match="FD_KEY"):
        build_connector("support", cfg)
    monkeypatch.setenv("FD_KEY", "k")
    connector = build_connector("support", cfg)
    assert isinstance(connector, HelpdeskConnector)
    assert connector.name == "support" and connector.type == "freshdesk"


def test_entry_point_connectors_are_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import EntryPoint

    import gdprguard.connectors.registry as registry

    fake = EntryPoint(
        "acme", "gdprguard.connectors.zendesk:ZendeskConnector", "gdprguard.connectors"
    )
    monkeypatch.setattr(registry, "entry_points", lambda group: [fake])
    assert "acme" in connector_types()
    assert get_connector_class("acme") is ZendeskConnector
    broken = EntryPoint("broken", "no_such_module:Thing", "gdprguard.connectors")
    monkeypatch.setattr(registry, "entry_points", lambda group: [broken])
    with pytest.raises(ConfigError, match="cannot be loaded"):
        get_connector_class("broken")


def test_the_documented_third_party_example_works(monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/connectors.md's worked example, executed against a loopback stub (docs can't drift)."""
    import re
    import sys
    import types
    from importlib.metadata import EntryPoint
    from pathlib import Path

    import gdprguard.connectors.registry as registry
    from test_connectors_http import Reply, Seen, Stub

    doc = (Path(__file__).resolve().parents[1] / "docs" / "connectors.md").read_text()
    blocks = re.findall(r"```python\n# gdprguard_acmedesk/__init__.py\n(.*?)```", doc, re.S)
    assert len(blocks) == 1
    module = types.ModuleType("gdprguard_acmedesk")
    exec(compile(blocks[0], "docs/connectors.md", "exec"), module.__dict__)
    monkeypatch.setitem(sys.modules, "gdprguard_acmedesk", module)
    ep = EntryPoint("acmedesk", "gdprguard_acmedesk:AcmeDeskConnector", "gdprguard.connectors")
    monkeypatch.setattr(registry, "entry_points", lambda group: [ep])

    def answer(seen: Seen) -> Reply:
        if seen.path == "/api/me":
            return Reply(200, {"id": 1, "role": "owner"})
        if seen.path == "/api/tickets":
            return Reply(200, [{"id": 5, "title": "t", "state": "open", "customer_id": 9,
                                "updated": "2024-01-01T00:00:00Z"}])  # fmt: skip
        if seen.path.startswith("/api/changes"):
            more = "after=0" in seen.path
            return Reply(200, {"items": [{"id": 5 if more else 6}], "next": 1, "more": more})
        if seen.path == "/api/tickets/5/messages":
            return Reply(200, [{"id": 50, "text": "hello"}])
        return Reply(204)

    stub = Stub(answer)
    try:
        monkeypatch.setenv("ACME_TOKEN", "t")
        cfg = ConnectorConfig(type="acmedesk", url=stub.url, token="env:ACME_TOKEN")
        desk: Any = build_connector("desk", cfg)
        assert desk.verify().is_admin
        assert [t.id for t in desk.iter_tickets()] == ["5"]
        assert [t.id for t in desk.export_tickets()] == ["5", "6"]
        assert [c.redactable for c in desk.iter_comments("5")] == [False]
        assert desk.delete_ticket("5").outcome == "deleted"
        assert stub.seen[-1].method == "DELETE"
    finally:
        stub.close()
