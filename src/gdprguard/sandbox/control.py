"""Sandbox-only control endpoints: end users writing in, Freshdesk rules, the delivery log.

Served by both flavors under ``/_sandbox/`` with the API's credentials, never rate-limited or
faulted:

- ``POST /_sandbox/tickets`` ``{"subject", "comment", "requester_email"?}`` → 201
  ``{"ticket_id", "comment_id"}``: an end user opens a ticket through the web form (the
  requester is the person with that address, or a new end user; a new anonymous one without).
- ``POST /_sandbox/tickets/{id}/comments`` ``{"body", "public"?}`` → 201 ``{"comment_id"}``:
  the requester replies (``public``, the default) or an agent adds a private note.
- ``POST /_sandbox/automations`` (Freshdesk) → 201 ``{"automation": …}``: an automation rule with
  a "Trigger webhook" action, as an admin creates one by hand (see ``AutomationSpec``);
  ``GET /_sandbox/automations`` lists them, ``DELETE /_sandbox/automations/{id}`` removes one.
- ``GET /_sandbox/webhook-deliveries`` → ``{"deliveries": […]}``: every webhook call and its
  attempts (ids, statuses, times; no bodies).

Both ticket endpoints fire the business rules like the API does. They simulate the customer,
so they are not counted in ``/_sandbox/writes``. Errors: ``{"error", "description"}``.
"""

from __future__ import annotations

from flask import Flask, Response, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ._http import json_response
from .delivery import WebhookDispatcher
from .records import Person, Ticket
from .state import SandboxState
from .webhook_models import AutomationSpec
from .webhooks import Automations, automation_doc
from .zendesk_webhooks import validation_details

__all__ = ["NewComment", "NewTicket", "add_control_routes"]


class NewTicket(BaseModel):
    """Body of ``POST /_sandbox/tickets``."""

    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1, max_length=1000)
    comment: str = Field(min_length=1, max_length=65_536)
    requester_email: str | None = Field(
        default=None, min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$"
    )


class NewComment(BaseModel):
    """Body of ``POST /_sandbox/tickets/{id}/comments``."""

    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=65_536)
    public: bool = True


def _error(status: int, error: str, description: str) -> Response:
    return json_response({"error": error, "description": description}, status)


def _invalid(exc: ValidationError) -> Response:
    described = "; ".join(f"{where}: {what}" for where, what in validation_details(exc))
    return _error(400, "InvalidValue", described)


def add_control_routes(
    app: Flask,
    state: SandboxState,
    flavor: str,
    automations: Automations,
    dispatcher: WebhookDispatcher,
) -> None:
    """Register the control endpoints on a flavor's app (its authentication applies)."""
    data = state.data

    def requester(email: str | None) -> Person:
        if email is not None:
            wanted = email.lower()
            for person in data.people.values():
                if not person.purged and person.email and person.email.lower() == wanted:
                    return person
        now = state.now()
        pid = state.new_id("user")
        person = Person(
            id=pid,
            name=email.split("@")[0] if email else f"Visitor {pid}",
            email=email,
            phone=None,
            locale="en-US",
            role="end-user",
            organization_id=None,
            created_at=now,
            updated_at=now,
            time_zone="UTC",
        )
        data.people[pid] = person
        return person

    @app.post("/_sandbox/tickets")
    def control_ticket() -> Response:
        try:
            spec = NewTicket.model_validate(request.get_json(silent=True))
        except ValidationError as exc:
            return _invalid(exc)
        person = requester(spec.requester_email)
        now = state.now()
        ticket = Ticket(
            id=state.new_id("ticket"),
            subject=spec.subject,
            status="new",
            priority=None,
            type=None,
            channel="web",
            tags=[],
            requester_id=person.id,
            submitter_id=person.id,
            assignee_id=None,
            organization_id=person.organization_id,
            group_id=2001,
            collaborator_ids=[],
            custom_fields={"order_number": None, "contact_phone": None, "product": None},
            created_at=now,
            updated_at=now,
        )
        data.tickets[ticket.id] = ticket
        comment = state.add_comment(
            ticket, author_id=person.id, body=spec.comment, kind="customer", channel="web"
        )
        state.record_creation(ticket, comment)
        state.emit(ticket, "Create", comment)
        return json_response({"ticket_id": ticket.id, "comment_id": comment.id}, 201)

    @app.post("/_sandbox/tickets/<int:tid>/comments")
    def control_comment(tid: int) -> Response:
        try:
            spec = NewComment.model_validate(request.get_json(silent=True))
        except ValidationError as exc:
            return _invalid(exc)
        ticket = state.ticket(tid)
        if ticket is None:
            return _error(404, "RecordNotFound", "Not found")
        if flavor == "zendesk" and ticket.status == "closed":
            return _error(422, "ClosedPrevents", "Status: closed prevents ticket update")
        if spec.public:
            author, kind = ticket.requester_id, "customer"
        else:
            author, kind = data.agent_id, "note"
        comment = state.add_comment(
            ticket, author_id=author, body=spec.body, public=spec.public, kind=kind, channel="web"
        )
        state.emit(ticket, "Change", comment)
        return json_response({"comment_id": comment.id}, 201)

    @app.post("/_sandbox/automations")
    def automation_create() -> Response:
        if flavor != "freshdesk":
            return _error(
                404,
                "InvalidEndpoint",
                "automation rules stand in for Freshdesk's; on Zendesk create a webhook and a "
                "trigger through the API (/api/v2/webhooks, /api/v2/triggers)",
            )
        try:
            spec = AutomationSpec.model_validate(request.get_json(silent=True))
        except ValidationError as exc:
            return _invalid(exc)
        rule = automations.add_rule(spec)
        return json_response({"automation": automation_doc(rule)}, 201)

    @app.get("/_sandbox/automations")
    def automation_list() -> Response:
        rules = sorted(automations.rules.values(), key=lambda r: r.id)
        return json_response({"automations": [automation_doc(r) for r in rules]})

    @app.delete("/_sandbox/automations/<int:rule_id>")
    def automation_delete(rule_id: int) -> Response:
        if automations.rules.pop(rule_id, None) is None:
            return _error(404, "RecordNotFound", "Not found")
        return Response(status=204)

    @app.get("/_sandbox/webhook-deliveries")
    def webhook_deliveries() -> Response:
        return json_response({"deliveries": dispatcher.deliveries()})
