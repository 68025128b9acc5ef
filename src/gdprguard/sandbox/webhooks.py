"""The sandbox's business rules: Zendesk webhooks and triggers, Freshdesk automation rules.

:class:`Automations` holds them (guarded by the state lock, like every other record) and
listens to the state's ticket events (``SandboxState.emit``): for each event, every matching rule
renders its body template now, under the lock, and hands a :class:`~.delivery.Delivery` to the
dispatcher, which sends it from its own thread.

Zendesk: each active trigger whose conditions match (in ``position`` order) runs its
``notification_webhook`` actions, each calling an active webhook subscribed to
``conditional_ticket_events`` with the rendered JSON body, Zendesk's headers (``User-Agent:
Zendesk Webhook``, ``X-Zendesk-Webhook-Id``, ``X-Zendesk-Webhook-Invocation-Id``), the webhook's
authentication and custom headers, and a signature per attempt. Freshdesk: each active rule
whose events include the event (``ticket_created``, ``note_added``, ``reply``) calls its URL with
its headers and optional basic authentication; Freshdesk signs nothing.

Placeholders are rendered as Zendesk and Freshdesk render them; those the sandbox does not know
(and Liquid filters) render as an empty string, as unknown placeholders do in Zendesk.
Ids (webhook ULIDs, signing secrets, invocation ids) derive from the sandbox's seed.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .delivery import FRESHDESK_RETRIES, ZENDESK_RETRIES, Delivery, WebhookDispatcher
from .records import Comment, Ticket, TicketEvent, iso
from .webhook_models import AutomationSpec, TriggerSpec, WebhookSpec, trigger_matches

__all__ = [
    "AutomationRule",
    "Automations",
    "Trigger",
    "Webhook",
    "automation_doc",
    "freshdesk_placeholders",
    "render",
    "trigger_doc",
    "webhook_doc",
    "zendesk_placeholders",
]

_ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_CONTENT_TYPES = {
    "json": "application/json",
    "xml": "application/xml",
    "form_encoded": "application/x-www-form-urlencoded",
}
_FRESHDESK_STATUS = {
    "new": "Open", "open": "Open", "pending": "Pending", "hold": "Pending",
    "solved": "Resolved", "closed": "Closed",
}  # fmt: skip


@dataclass
class Webhook:
    """A Zendesk webhook and its signing secret."""

    id: str
    spec: WebhookSpec
    created_at: int
    updated_at: int
    created_by: int
    updated_by: int
    secret: str


@dataclass
class Trigger:
    """A Zendesk ticket trigger."""

    id: int
    spec: TriggerSpec
    position: int
    created_at: int
    updated_at: int


@dataclass
class AutomationRule:
    """A Freshdesk automation rule with a "Trigger webhook" action."""

    id: int
    spec: AutomationSpec
    created_at: int


def render(template: str, values: dict[str, str]) -> str:
    """Replace ``{{name}}`` placeholders; unknown ones (and filtered ones) become ``""``."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1).strip(), ""), template)


def _latest(ticket: Ticket, comments: dict[int, Comment], public_only: bool) -> Comment | None:
    for cid in reversed(ticket.comment_ids):
        comment = comments.get(cid)
        if comment is not None and (comment.public or not public_only):
            return comment
    return None


def zendesk_placeholders(ticket: Ticket, comments: dict[int, Comment]) -> dict[str, str]:
    """The Zendesk placeholders the sandbox renders (ids, status and times: nothing personal)."""
    latest = _latest(ticket, comments, public_only=False)
    latest_public = _latest(ticket, comments, public_only=True)
    return {
        "ticket.id": str(ticket.id),
        "ticket.status": ticket.status.capitalize(),
        "ticket.requester.id": str(ticket.requester_id),
        "ticket.latest_comment.id": str(latest.id) if latest else "",
        "ticket.latest_comment.is_public": str(latest.public).lower() if latest else "",
        "ticket.latest_public_comment.id": str(latest_public.id) if latest_public else "",
        "ticket.created_at_with_timestamp": iso(ticket.created_at) or "",
        "ticket.updated_at_with_timestamp": iso(ticket.updated_at) or "",
    }


def freshdesk_placeholders(ticket: Ticket) -> dict[str, str]:
    """The Freshdesk placeholders the sandbox renders."""
    return {
        "ticket.id": str(ticket.id),
        "ticket.status": _FRESHDESK_STATUS.get(ticket.status, "Open"),
    }


def _freshdesk_event(event: TicketEvent) -> str | None:
    if event.update_type == "Create":
        return "ticket_created"
    if event.comment is None:
        return None
    return "note_added" if event.comment.kind == "note" else "reply"


def _zendesk_event(event: TicketEvent) -> str:
    if event.update_type == "Create":
        return "ticket_created"
    return "comment_added" if event.comment is not None else "ticket_updated"


class Automations:
    """Webhooks, triggers and automation rules of one sandbox; fires them on ticket events.

    Every method runs under the state lock (API requests hold it); ``on_ticket_event`` is the
    listener the server registers on the state.
    """

    def __init__(
        self,
        flavor: str,
        seed: int,
        dispatcher: WebhookDispatcher,
        clock: Callable[[], float],
        comments: dict[int, Comment],
    ) -> None:
        self.flavor = flavor
        self.seed = seed
        self.dispatcher = dispatcher
        self.clock = clock
        self._comments = comments
        self._rng = random.Random(f"gdprguard-sandbox:webhooks:{seed}")
        self.webhooks: dict[str, Webhook] = {}
        self.triggers: dict[int, Trigger] = {}
        self.rules: dict[int, AutomationRule] = {}
        self._next_trigger = 360_000_001
        self._next_rule = 1

    # --- ids and secrets -----------------------------------------------------------------------

    def new_ulid(self) -> str:
        """A ULID (what Zendesk's webhook and invocation ids are): time, then seeded randomness."""
        value = (int(self.clock() * 1000) & ((1 << 48) - 1)) << 80 | self._rng.getrandbits(80)
        chars = []
        for _ in range(26):
            chars.append(_ULID_ALPHABET[value & 31])
            value >>= 5
        return "".join(reversed(chars))

    def _secret(self) -> str:
        seed = f"gdprguard-sandbox:webhook-secret:{self.seed}:{self._rng.getrandbits(128)}"
        return base64.urlsafe_b64encode(hashlib.sha256(seed.encode()).digest()).decode()

    # --- Zendesk webhooks and triggers ---------------------------------------------------------

    def add_webhook(self, spec: WebhookSpec, author_id: int) -> Webhook:
        """Create a webhook with a fresh signing secret."""
        now = int(self.clock())
        hook = Webhook(self.new_ulid(), spec, now, now, author_id, author_id, self._secret())
        self.webhooks[hook.id] = hook
        return hook

    def update_webhook(self, hook: Webhook, spec: WebhookSpec, author_id: int) -> None:
        """Replace a webhook's settings (its id and secret stay)."""
        hook.spec = spec
        hook.updated_at = int(self.clock())
        hook.updated_by = author_id

    def rotate_secret(self, hook: Webhook) -> str:
        """Give a webhook a new signing secret (calls already triggered keep the old one)."""
        hook.secret = self._secret()
        hook.updated_at = int(self.clock())
        return hook.secret

    def add_trigger(self, spec: TriggerSpec) -> Trigger:
        """Create a trigger (last in position unless ``position`` says otherwise)."""
        now = int(self.clock())
        position = spec.position
        if position is None:
            position = max((t.position for t in self.triggers.values()), default=0) + 1
        trigger = Trigger(self._next_trigger, spec, position, now, now)
        self._next_trigger += 1
        self.triggers[trigger.id] = trigger
        return trigger

    # --- Freshdesk automation rules ------------------------------------------------------------

    def add_rule(self, spec: AutomationSpec) -> AutomationRule:
        """Create a Freshdesk automation rule."""
        rule = AutomationRule(self._next_rule, spec, int(self.clock()))
        self._next_rule += 1
        self.rules[rule.id] = rule
        return rule

    # --- firing --------------------------------------------------------------------------------

    def on_ticket_event(self, event: TicketEvent) -> None:
        """Evaluate every rule against a ticket event; queue the calls that match."""
        if self.flavor == "zendesk":
            deliveries = self._zendesk_deliveries(event)
        else:
            deliveries = self._freshdesk_deliveries(event)
        for delivery in deliveries:
            self.dispatcher.submit(delivery)

    def _zendesk_deliveries(self, event: TicketEvent) -> list[Delivery]:
        ticket = event.ticket
        values: dict[str, str] | None = None
        found: list[Delivery] = []
        ordered = sorted(self.triggers.values(), key=lambda t: (t.position, t.id))
        for trigger in ordered:
            if not trigger.spec.active or not trigger_matches(trigger.spec.conditions, event):
                continue
            for action in trigger.spec.actions:
                hook = self.webhooks.get(action.webhook_id)
                if hook is None or hook.spec.status != "active" or not hook.spec.conditional:
                    continue
                if values is None:
                    values = zendesk_placeholders(ticket, self._comments)
                found.append(self._zendesk_call(hook, trigger, render(action.body, values), event))
        return found

    def _zendesk_call(
        self, hook: Webhook, trigger: Trigger, body: str, event: TicketEvent
    ) -> Delivery:
        spec = hook.spec
        invocation = self.new_ulid()
        sends_body = spec.http_method not in ("GET", "DELETE")
        headers = {
            "User-Agent": "Zendesk Webhook",
            "X-Zendesk-Webhook-Id": hook.id,
            "X-Zendesk-Webhook-Invocation-Id": invocation,
        }
        if sends_body:
            headers["Content-Type"] = _CONTENT_TYPES[spec.request_format]
        if spec.authentication is not None:
            headers.update(spec.authentication.headers())
        headers.update(spec.custom_headers)
        return Delivery(
            id=invocation,
            flavor="zendesk",
            source={"webhook_id": hook.id, "trigger_id": trigger.id},
            ticket_id=event.ticket.id,
            comment_id=event.comment.id if event.comment is not None else None,
            event=_zendesk_event(event),
            method=spec.http_method,
            url=spec.endpoint,
            body=body.encode() if sends_body else b"",
            headers=headers,
            retry=ZENDESK_RETRIES,
            signing_secret=hook.secret,
        )

    def _freshdesk_deliveries(self, event: TicketEvent) -> list[Delivery]:
        name = _freshdesk_event(event)
        if name is None:
            return []
        values = freshdesk_placeholders(event.ticket)
        found: list[Delivery] = []
        for rule in sorted(self.rules.values(), key=lambda r: r.id):
            spec = rule.spec
            if not spec.active or name not in spec.events:
                continue
            sends_body = spec.method not in ("GET", "DELETE")
            headers: dict[str, str] = {}
            if sends_body:
                headers["Content-Type"] = "application/json"
            if spec.auth is not None:
                pair = f"{spec.auth.username}:{spec.auth.password}".encode()
                headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
            headers.update(spec.headers)
            body = render(spec.body_template(), values)
            found.append(
                Delivery(
                    id=self.new_ulid(),
                    flavor="freshdesk",
                    source={"automation_id": rule.id},
                    ticket_id=event.ticket.id,
                    comment_id=event.comment.id if event.comment is not None else None,
                    event=name,
                    method=spec.method,
                    url=spec.url,
                    body=body.encode() if sends_body else b"",
                    headers=headers,
                    retry=FRESHDESK_RETRIES,
                )
            )
        return found


def webhook_doc(hook: Webhook) -> dict[str, Any]:
    """A webhook as the Webhooks API shows it (authentication without its secret data)."""
    spec = hook.spec
    doc: dict[str, Any] = {
        "id": hook.id,
        "name": spec.name,
        "status": spec.status,
        "subscriptions": list(spec.subscriptions),
        "created_at": iso(hook.created_at),
        "created_by": str(hook.created_by),
        "updated_at": iso(hook.updated_at),
        "updated_by": str(hook.updated_by),
        "endpoint": spec.endpoint,
        "http_method": spec.http_method,
        "request_format": spec.request_format,
    }
    if spec.description is not None:
        doc["description"] = spec.description
    if spec.authentication is not None:
        doc["authentication"] = {
            "type": spec.authentication.type,
            "add_position": spec.authentication.add_position,
        }
    if spec.custom_headers:
        doc["custom_headers"] = dict(spec.custom_headers)
    return doc


def trigger_doc(trigger: Trigger, base_url: str) -> dict[str, Any]:
    """A trigger as the Triggers API shows it."""
    spec = trigger.spec
    return {
        "url": f"{base_url}/api/v2/triggers/{trigger.id}.json",
        "id": trigger.id,
        "title": spec.title,
        "active": spec.active,
        "updated_at": iso(trigger.updated_at),
        "created_at": iso(trigger.created_at),
        "default": False,
        "actions": [{"field": a.field, "value": list(a.value)} for a in spec.actions],
        "conditions": spec.conditions.model_dump(mode="json"),
        "description": spec.description,
        "position": trigger.position,
        "raw_title": spec.title,
        "category_id": spec.category_id,
    }


def automation_doc(rule: AutomationRule) -> dict[str, Any]:
    """A Freshdesk rule as ``/_sandbox/automations`` shows it (header names, never values)."""
    spec = rule.spec
    return {
        "id": rule.id,
        "name": spec.name,
        "url": spec.url,
        "method": spec.method,
        "events": list(spec.events),
        "header_names": sorted(spec.headers),
        "basic_auth": spec.auth is not None,
        "body": spec.body_template(),
        "active": spec.active,
        "created_at": iso(rule.created_at),
    }
