"""Redaction is complete in every representation: after the connector redacts a comment's
planted values, none of them is left in the raw JSON of any endpoint that serves the ticket.

The check is against the wire, not the connector's view: every ticket-serving endpoint of the
flavor is fetched and its raw body searched for each value. A value may legitimately remain only
where the sandbox's ground truth still lists it (e.g. the same address as the sender of the
email ticket, or in a Freshdesk reply, which no API can edit); the ground truth must then agree
with the wire.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from gdprguard._config import ConnectorConfig
from gdprguard.connectors import NotRedactableError, build_connector
from gdprguard.connectors.testing import FakeClock
from gdprguard.sandbox import SandboxServer

#: Values that cannot turn up by accident inside other text (a first name can: "Mark"eting).
STRUCTURED = {"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "JP_MY_NUMBER", "IP_ADDRESS"}


@pytest.fixture(params=["zendesk", "freshdesk"])
def server(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    with SandboxServer(flavor=request.param, seed=3, tickets=40, job_seconds=0.0) as sb:
        yield sb


def connect(sb: SandboxServer) -> Any:
    creds = sb.credentials
    cfg = ConnectorConfig(
        type=sb.config.flavor, url=creds["url"], email=creds.get("email"),
        token=creds.get("token") or creds["api_key"],
    )  # fmt: skip
    return build_connector("support", cfg, clock=FakeClock())


def comment_values(sb: SandboxServer) -> dict[tuple[str, str], list[str]]:
    """(ticket id, connector comment id) → values planted in that comment's text."""
    found: dict[tuple[str, str], list[str]] = {}
    for item in sb.ground_truth()["planted"]:
        if item["field"] == "description":
            key = (str(item["ticket_id"]), f"description-{item['ticket_id']}")
        elif item["field"] == "body" and item["comment_id"]:
            key = (str(item["ticket_id"]), str(item["comment_id"]))
        else:
            continue
        found.setdefault(key, []).append(item["value"])
    return found


def spans(body: str, values: list[str]) -> list[dict[str, int]]:
    return [
        {"start": m.start(), "end": m.end()}
        for value in values
        for m in re.finditer(re.escape(value), body)
    ]


#: Freshdesk fields that hold a person's address because the person is on the ticket (they
#: follow the contact record, which anonymisation or deletion handles, not the comment text).
ADDRESS_FIELDS = {"cc_emails", "reply_cc_emails", "ticket_cc_emails", "fwd_emails", "to_emails",
                  "from_email", "bcc_emails", "support_email"}  # fmt: skip


def without_address_fields(document: Any) -> Any:
    if isinstance(document, dict):
        return {
            k: without_address_fields(v) for k, v in document.items() if k not in ADDRESS_FIELDS
        }
    if isinstance(document, list):
        return [without_address_fields(v) for v in document]
    return document


def attachment_urls(document: Any) -> Iterator[str]:
    if isinstance(document, dict):
        for key in ("content_url", "attachment_url"):
            if isinstance(document.get(key), str):
                yield document[key]
        for value in document.values():
            yield from attachment_urls(value)
    elif isinstance(document, list):
        for value in document:
            yield from attachment_urls(value)


def wire_documents(sb: SandboxServer, ticket_ids: list[str]) -> Iterator[str]:
    """Every endpoint that serves ticket data, for every ticket, and every attachment's content.

    JSON answers are searched as served (the raw text), minus the Freshdesk address fields.
    """
    creds = sb.credentials
    http = requests.Session()
    if sb.config.flavor == "zendesk":
        http.auth = (creds["email"] + "/token", creds["token"])
    else:
        http.auth = (creds["api_key"], "X")
    files: set[str] = set()

    def get(path: str, **params: Any) -> str:
        response = http.get(f"{sb.url}/api/v2{path}", params=params)
        assert response.status_code == 200, path
        files.update(attachment_urls(response.json()))
        if sb.config.flavor == "zendesk":
            return response.text
        return json.dumps(without_address_fields(response.json()), ensure_ascii=False)

    ids = sorted(map(int, ticket_ids))
    if sb.config.flavor == "zendesk":
        for tid in ids:
            yield get(f"/tickets/{tid}.json")
            yield get(f"/tickets/{tid}/comments.json")
        yield get("/tickets/show_many.json", ids=",".join(map(str, ids)))
        yield get("/tickets.json", per_page=100)
        yield get("/incremental/tickets/cursor.json", start_time=0)
        yield get("/incremental/tickets.json", start_time=0)
        yield get("/incremental/ticket_events.json", start_time=0, include="comment_events")
        yield get("/search.json", query="type:ticket", per_page=100)
        yield get("/search/export.json", query="", **{"filter[type]": "ticket", "page[size]": 1000})
    else:
        yield get("/tickets", updated_since="1970-01-01T00:00:00Z", include="description",
                  per_page=100)  # fmt: skip
        for tid in ids:
            yield get(f"/tickets/{tid}", include="conversations")
            yield get(f"/tickets/{tid}/conversations", per_page=100)
    for url in sorted(files):
        yield http.get(url).content.decode("utf-8", "replace")


def test_redacted_values_are_gone_from_every_endpoint(server: SandboxServer) -> None:
    connector = connect(server)
    targets = comment_values(server)
    redacted: set[str] = set()
    in_links = refused = 0
    for ticket in connector.iter_tickets():
        for comment in connector.iter_comments(ticket.id):
            values = targets.get((ticket.id, comment.id))
            found = spans(comment.body, values or [])
            if not found:
                continue
            if not comment.redactable:
                with pytest.raises(NotRedactableError):
                    connector.redact_comment(comment, found)
                refused += 1
                continue
            in_links += any(f'href="mailto:{v}"' in (comment.html_body or "") for v in values or [])
            connector.redact_comment(comment, found)
            redacted.update(values or [])
    assert in_links >= 1, "the sample must exercise values inside link targets"
    assert refused >= 1 if server.config.flavor == "freshdesk" else refused == 0

    truth = server.ground_truth()["planted"]
    still_listed = {item["value"] for item in truth}
    assert not any(
        (str(item["ticket_id"]), str(item["comment_id"] or f"description-{item['ticket_id']}"))
        in targets
        and item["value"] in redacted
        and item["field"] in ("body", "description")
        and (server.config.flavor == "zendesk" or item["field"] == "description")
        for item in truth
    ), "the ground truth still lists a redacted value in a redacted comment"

    wire = "\n".join(wire_documents(server, [t.id for t in connector.iter_tickets()]))
    checked = 0
    with server.state.lock:
        types = {item.value: item.type for item in server.state.data.planted}
    for value in sorted(redacted - still_listed):
        if types[value] not in STRUCTURED and len(value.split()) < 2:
            continue
        escaped = json.dumps(value, ensure_ascii=False)[1:-1]
        assert value not in wire and escaped not in wire, (types[value], "still on the wire")
        checked += 1
    assert checked >= 10
    # and the other way round: what the ground truth still lists is really still served (the
    # wire above leaves the Freshdesk address fields out, so their entries are not looked for)
    served = {item["value"] for item in truth if item["field"] not in ADDRESS_FIELDS}
    for value in sorted(served & redacted):
        assert value in wire or json.dumps(value, ensure_ascii=False)[1:-1] in wire
