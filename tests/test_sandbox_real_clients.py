"""Unmodified public API clients (zenpy, python-freshdesk) work against the sandbox.

Only the base URL changes: zenpy builds ``{scheme}://{subdomain}.{domain}`` (its own
``ZENPY_FORCE_SCHEME`` switches to plain HTTP for a loopback server), and python-freshdesk keeps
the API root in ``_api_prefix``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from freshdesk.api import API as FreshdeskAPI
from freshdesk.v2.errors import FreshdeskUnauthorized
from zenpy import Zenpy
from zenpy.lib.exception import APIException

from gdprguard.sandbox import SandboxServer

TICKETS = 30


@pytest.fixture(scope="module")
def zendesk() -> Iterator[SandboxServer]:
    with SandboxServer(flavor="zendesk", seed=11, tickets=TICKETS, port=0) as sb:
        yield sb


@pytest.fixture(scope="module")
def freshdesk() -> Iterator[SandboxServer]:
    with SandboxServer(flavor="freshdesk", seed=11, tickets=TICKETS, port=0) as sb:
        yield sb


def _zenpy(sb: SandboxServer, monkeypatch: pytest.MonkeyPatch, token: str | None = None) -> Zenpy:
    monkeypatch.setenv("ZENPY_FORCE_SCHEME", "http")
    subdomain, domain = sb.url.split("://", 1)[1].split(".", 1)  # "127" + "0.0.1:PORT"
    creds = sb.credentials
    return Zenpy(
        subdomain=subdomain, domain=domain, email=creds["email"], token=token or creds["token"]
    )


def _freshdesk(sb: SandboxServer, api_key: str | None = None) -> FreshdeskAPI:
    api = FreshdeskAPI("sandbox.freshdesk.com", api_key or sb.credentials["api_key"])
    api._api_prefix = f"{sb.url}/api/v2/"
    return api


def test_zenpy_reads_tickets_comments_users(
    zendesk: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _zenpy(zendesk, monkeypatch)
    tickets = list(client.tickets())
    with zendesk.state.lock:  # the list leaves archived tickets out, as Zendesk's does
        listed = len(zendesk.state.listed_tickets())
    assert 0 < len(tickets) == listed < TICKETS
    assert len({t.id for t in tickets}) == listed
    with zendesk.state.lock:
        sandbox_ticket = zendesk.state.ticket(tickets[0].id)
        assert sandbox_ticket is not None
        expected_comments = len(zendesk.state.comments_of(sandbox_ticket))
    assert len(list(client.tickets.comments(ticket=tickets[0].id))) == expected_comments
    users = list(client.users())
    assert users and all(u.id for u in users)
    with_email = next(u for u in users if u.email)
    found = list(client.search(type="user", email=with_email.email))
    assert [u.id for u in found] == [with_email.id]


def test_zenpy_incremental_export_sees_every_ticket(
    zendesk: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _zenpy(zendesk, monkeypatch)
    ids = [t.id for t in client.tickets.incremental(start_time=0)]
    assert sorted(set(ids)) == list(range(1, TICKETS + 1))  # archived tickets included
    assert {t.id for t in client.tickets()} < set(ids)  # the list misses the archived ones


def test_zenpy_bad_token_is_refused(
    zendesk: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _zenpy(zendesk, monkeypatch, token="not-the-token")
    with pytest.raises(APIException, match="Couldn't authenticate"):
        list(client.tickets())


def test_python_freshdesk_reads_tickets_conversations_contacts(freshdesk: SandboxServer) -> None:
    api = _freshdesk(freshdesk)
    tickets = api.tickets.list_tickets(filter_name=None, updated_since="2015-01-01T00:00:00Z")
    assert len(tickets) == TICKETS
    ticket = api.tickets.get_ticket(tickets[0].id)
    assert ticket.id == tickets[0].id
    conversations = api.comments.list_comments(ticket.id)
    raw = requests.get(
        f"{freshdesk.url}/api/v2/tickets/{ticket.id}/conversations",
        auth=(freshdesk.credentials["api_key"], "X"),
        timeout=10,
    ).json()
    assert [c.id for c in conversations] == [c["id"] for c in raw]
    contacts = api.contacts.list_contacts()
    assert contacts
    assert api.contacts.get_contact(contacts[0].id).id == contacts[0].id


def test_python_freshdesk_bad_key_is_refused(freshdesk: SandboxServer) -> None:
    api = _freshdesk(freshdesk, api_key="wrong-key")
    with pytest.raises(FreshdeskUnauthorized):
        api.tickets.list_tickets(filter_name=None)
