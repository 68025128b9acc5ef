"""Validated request bodies of the sandbox's business rules, and how trigger conditions match.

- Zendesk ``POST /api/v2/webhooks`` (``WebhookSpec``) and ``POST /api/v2/triggers``
  (``TriggerSpec``): the fields the real APIs take, checked as they check them where it matters
  (a trigger-connected webhook subscribes to ``conditional_ticket_events`` alone; a
  ``notification_webhook`` action is ``[webhook_id, body]``).
- Freshdesk ``POST /_sandbox/automations`` (``AutomationSpec``): an automation rule with a
  "Trigger webhook" action, which an admin creates by hand in Freshdesk (its API cannot).

Trigger conditions the sandbox evaluates: ``update_type`` (``Create``/``Change``),
``comment_is_public`` (``true``, ``false``, ``not_relevant`` = a comment is present,
``requester_can_see_comment`` = a public comment is present) and ``status``; others are refused
rather than silently ignored.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .records import TicketEvent

__all__ = [
    "CONDITIONAL_TICKET_EVENTS",
    "AutomationSpec",
    "BasicAuth",
    "Condition",
    "Conditions",
    "FreshdeskEvent",
    "TriggerAction",
    "TriggerSpec",
    "WebhookAuthentication",
    "WebhookSpec",
    "condition_holds",
    "trigger_matches",
]

#: the subscription of a webhook that triggers and automations call
CONDITIONAL_TICKET_EVENTS = "conditional_ticket_events"

FreshdeskEvent = Literal["ticket_created", "note_added", "reply"]

_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
_COMMENT_VALUES = ("true", "false", "not_relevant", "requester_can_see_comment")
#: field → (operators, values) the sandbox evaluates
_CONDITIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "update_type": (("is",), ("Create", "Change")),
    "comment_is_public": (("is", "is_not"), _COMMENT_VALUES),
    "status": (("is", "is_not"), _STATUSES),
}


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http:// or https:// URL")
    return value


def _headers(value: dict[str, str]) -> dict[str, str]:
    for name, text in value.items():
        if not _TOKEN.match(name):
            raise ValueError("header names must be HTTP tokens (letters, digits, '-')")
        if "\r" in text or "\n" in text:
            raise ValueError("header values must be one line")
    return value


class WebhookAuthentication(BaseModel):
    """A webhook's ``authentication``: how the helpdesk authenticates to the endpoint."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["basic_auth", "bearer_token", "api_key"]
    data: dict[str, str] = Field(default_factory=dict, repr=False)
    add_position: Literal["header"] = "header"

    @model_validator(mode="after")
    def _data_fits_type(self) -> WebhookAuthentication:
        needed = {
            "basic_auth": ("username", "password"),
            "bearer_token": ("token",),
            "api_key": ("name", "value"),
        }[self.type]
        missing = [k for k in needed if not self.data.get(k)]
        if missing:
            raise ValueError(f"{self.type} authentication needs data.{', data.'.join(missing)}")
        if self.type == "api_key":
            _headers({self.data["name"]: self.data["value"]})
        return self

    def headers(self) -> dict[str, str]:
        """The header this authentication adds to each call."""
        if self.type == "basic_auth":
            pair = f"{self.data['username']}:{self.data['password']}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
        if self.type == "bearer_token":
            return {"Authorization": f"Bearer {self.data['token']}"}
        return {self.data["name"]: self.data["value"]}


class WebhookSpec(BaseModel):
    """The writable fields of a Zendesk webhook (``{"webhook": {…}}``)."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=255)
    endpoint: str = Field(min_length=1, max_length=2048)
    http_method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    request_format: Literal["json", "xml", "form_encoded"]
    status: Literal["active", "inactive"]
    subscriptions: list[str] = Field(min_length=1)
    authentication: WebhookAuthentication | None = None
    custom_headers: dict[str, str] = Field(default_factory=dict)
    description: str | None = None

    _endpoint = field_validator("endpoint")(_http_url)
    _custom_headers = field_validator("custom_headers")(_headers)

    @model_validator(mode="after")
    def _connection_method(self) -> WebhookSpec:
        if CONDITIONAL_TICKET_EVENTS in self.subscriptions:
            if self.subscriptions != [CONDITIONAL_TICKET_EVENTS]:
                raise ValueError(
                    f"subscriptions: {CONDITIONAL_TICKET_EVENTS} cannot be combined with event "
                    "types (a webhook either serves triggers and automations or subscribes to "
                    "events)"
                )
        elif self.http_method != "POST" or self.request_format != "json":
            raise ValueError("a webhook subscribed to events must use POST and json")
        return self

    @property
    def conditional(self) -> bool:
        """Whether triggers and automations can call it."""
        return self.subscriptions == [CONDITIONAL_TICKET_EVENTS]


class Condition(BaseModel):
    """One trigger condition ``{"field", "operator", "value"}``."""

    model_config = ConfigDict(extra="ignore")

    field: str
    operator: str = "is"
    value: str | int | bool | None = None

    @model_validator(mode="after")
    def _supported(self) -> Condition:
        if self.operator == "":
            self.operator = "is"
        if isinstance(self.value, bool):
            self.value = "true" if self.value else "false"
        known = _CONDITIONS.get(self.field)
        if known is None:
            raise ValueError(
                f"condition field {self.field!r} is not emulated by the sandbox (it evaluates "
                f"{', '.join(_CONDITIONS)})"
            )
        operators, values = known
        if self.operator not in operators:
            raise ValueError(f"{self.field} takes the operators {', '.join(operators)}")
        if str(self.value) not in values:
            raise ValueError(f"{self.field} takes the values {', '.join(values)}")
        self.value = str(self.value)
        return self


class Conditions(BaseModel):
    """``{"all": [...], "any": [...]}``: every ``all`` and, if there are any, one ``any``."""

    model_config = ConfigDict(extra="ignore")

    all: list[Condition] = Field(default_factory=list)
    any: list[Condition] = Field(default_factory=list)


class TriggerAction(BaseModel):
    """A trigger action; the sandbox runs ``notification_webhook`` (``[webhook_id, body]``)."""

    model_config = ConfigDict(extra="ignore")

    field: str
    value: Any = None

    @model_validator(mode="after")
    def _webhook_notification(self) -> TriggerAction:
        if self.field != "notification_webhook":
            raise ValueError(
                f"action {self.field!r} is not emulated by the sandbox (it runs "
                "notification_webhook actions)"
            )
        value = self.value
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(v, str) for v in value)
        ):
            raise ValueError("notification_webhook takes [webhook_id, body] (two strings)")
        return self

    @property
    def webhook_id(self) -> str:
        """The webhook this action notifies."""
        return str(self.value[0])

    @property
    def body(self) -> str:
        """The body template (placeholders such as ``{{ticket.id}}``)."""
        return str(self.value[1])


class TriggerSpec(BaseModel):
    """The writable fields of a Zendesk ticket trigger (``{"trigger": {…}}``)."""

    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1, max_length=255)
    active: bool = True
    conditions: Conditions
    actions: list[TriggerAction] = Field(min_length=1)
    description: str | None = None
    position: int | None = None
    category_id: str | None = None

    @field_validator("category_id", mode="before")
    @classmethod
    def _category_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


def condition_holds(condition: Condition, event: TicketEvent) -> bool:
    """Whether one condition holds for a ticket update."""
    comment = event.comment
    if condition.field == "update_type":
        hit = event.update_type == condition.value
    elif condition.field == "comment_is_public":
        hit = (
            comment is not None
            and {
                "true": comment.public,
                "false": not comment.public,
                "not_relevant": True,
                "requester_can_see_comment": comment.public,
            }[str(condition.value)]
        )
    else:
        hit = event.ticket.status == condition.value
    return hit if condition.operator == "is" else not hit


def trigger_matches(conditions: Conditions, event: TicketEvent) -> bool:
    """Zendesk's rule: every ``all`` condition holds and, when ``any`` has some, one of them."""
    if not all(condition_holds(c, event) for c in conditions.all):
        return False
    return not conditions.any or any(condition_holds(c, event) for c in conditions.any)


class BasicAuth(BaseModel):
    """Basic authentication of a Freshdesk webhook action."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1)
    password: str = Field(repr=False)


class AutomationSpec(BaseModel):
    """A Freshdesk automation rule whose action is "Trigger webhook".

    ``events``: ``ticket_created`` (a "Ticket creation" rule), ``note_added`` and ``reply`` (a
    "Ticket updates" rule on "Note is added" / "Reply is sent", by an agent or the requester).
    ``body`` is the JSON content with placeholders such as ``{{ticket.id}}`` (a string, or a
    JSON value whose strings hold the placeholders).
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="Trigger webhook", min_length=1, max_length=255)
    url: str = Field(min_length=1, max_length=2048)
    events: list[FreshdeskEvent] = Field(min_length=1)
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "POST"
    headers: dict[str, str] = Field(default_factory=dict, repr=False)
    body: str | dict[str, Any] | list[Any] = '{"ticket_id": "{{ticket.id}}"}'
    auth: BasicAuth | None = None
    active: bool = True

    _url = field_validator("url")(_http_url)
    _header_values = field_validator("headers")(_headers)

    def body_template(self) -> str:
        """The body as text, placeholders unrendered."""
        return self.body if isinstance(self.body, str) else json.dumps(self.body)
