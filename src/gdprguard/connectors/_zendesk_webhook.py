"""Installing gdprguard's webhook in Zendesk: a webhook, its signing secret, one trigger.

``install`` is idempotent. The webhook is found by name (``GET /webhooks?filter[name_contains]``)
among those serving triggers (``conditional_ticket_events``): one with the same endpoint is
reused; one with another endpoint (the public URL moved) gets the new endpoint by
``PATCH /webhooks/{id}``, keeping its id and secret; with none, ``POST /webhooks`` creates one.
The trigger (title = the name) calls the webhook on ticket creation and on every update that adds
a comment, public or private::

    conditions: any of  update_type is Create,  comment_is_public is not_relevant (= present)
    action:     notification_webhook [webhook_id,
                  {"ticket_id": "{{ticket.id}}", "comment_id": "{{ticket.latest_comment.id}}",
                   "updated_at": "{{ticket.updated_at_with_timestamp}}"}]

A trigger of that title which is not exactly this one (an older install, another webhook) is
deleted. ``uninstall`` deletes the triggers, then the webhooks, of a name.

The signing secret is read once (``GET /webhooks/{id}/signing_secret``) and returned as a
``SecretStr``; it is never logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr

from .._exceptions import ConfigError, NotFoundError
from ._common import safe_id
from .base import WebhookInstall
from .http import HttpClient
from .pagination import PageRequest, ZendeskCursorPaginator, iter_pages

__all__ = ["TRIGGER_BODY", "TRIGGER_CONDITIONS", "install", "uninstall"]

log = logging.getLogger("gdprguard.connectors.zendesk")

API = "/api/v2"
CONDITIONAL = "conditional_ticket_events"
#: the trigger's JSON body; ``{{ticket.latest_comment.id}}`` is Zendesk's name for the id of the
#: comment the update added (``{{ticket.latest_comment_id}}`` renders empty)
TRIGGER_BODY = json.dumps(
    {
        "ticket_id": "{{ticket.id}}",
        "comment_id": "{{ticket.latest_comment.id}}",
        "updated_at": "{{ticket.updated_at_with_timestamp}}",
    }
)
TRIGGER_CONDITIONS: dict[str, list[dict[str, str]]] = {
    "all": [],
    "any": [
        {"field": "update_type", "operator": "is", "value": "Create"},
        {"field": "comment_is_public", "operator": "is", "value": "not_relevant"},
    ],
}


def check_target(url: str, name: str) -> None:
    """Refuse a webhook URL or name the helpdesk would refuse (ConfigError, nothing sent)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            "the webhook URL must be an absolute http:// or https:// URL, e.g. "
            "https://gdprguard.example.com/webhooks/support"
        )
    if not name.strip() or len(name) > 255:
        raise ConfigError("the webhook name must be 1 to 255 characters")


def _items(http: HttpClient, path: str, key: str, params: dict[str, Any]) -> Iterator[Any]:
    first = PageRequest(f"{API}/{path}", {**params, "page[size]": 100})
    for _, response in iter_pages(http, first, ZendeskCursorPaginator()):
        body = response.body if isinstance(response.body, dict) else {}
        items = body.get(key)
        if isinstance(items, list):
            yield from (item for item in items if isinstance(item, dict))


def _webhooks(http: HttpClient, name: str) -> list[dict[str, Any]]:
    found = _items(http, "webhooks", "webhooks", {"filter[name_contains]": name})
    return [h for h in found if h.get("name") == name]


def _triggers(http: HttpClient, name: str) -> list[dict[str, Any]]:
    return [t for t in _items(http, "triggers", "triggers", {}) if t.get("title") == name]


def _same_body(text: Any) -> bool:
    try:
        return isinstance(text, str) and json.loads(text) == json.loads(TRIGGER_BODY)
    except ValueError:
        return False


def _conditions(raw: Any) -> dict[str, list[tuple[str, str, str]]]:
    raw = raw if isinstance(raw, dict) else {}
    return {
        part: sorted(
            (str(c.get("field")), str(c.get("operator") or "is"), str(c.get("value")))
            for c in raw.get(part) or []
            if isinstance(c, dict)
        )
        for part in ("all", "any")
    }


def _is_ours(trigger: dict[str, Any], webhook_id: str) -> bool:
    actions = trigger.get("actions") or []
    if not trigger.get("active") or len(actions) != 1:
        return False
    action = actions[0] if isinstance(actions[0], dict) else {}
    value = action.get("value")
    return (
        action.get("field") == "notification_webhook"
        and isinstance(value, list)
        and len(value) == 2
        and str(value[0]) == webhook_id
        and _same_body(value[1])
        and _conditions(trigger.get("conditions")) == _conditions(TRIGGER_CONDITIONS)
    )


def _delete(http: HttpClient, path: str) -> bool:
    try:
        http.request("DELETE", f"{API}/{path}")
    except NotFoundError:
        return False  # already gone
    return True


def _webhook(http: HttpClient, url: str, name: str) -> str:
    """The id of the webhook to use, creating or re-pointing one as needed."""
    candidates = [h for h in _webhooks(http, name) if h.get("subscriptions") == [CONDITIONAL]]
    hook = next((h for h in candidates if h.get("endpoint") == url), None)
    if hook is None and candidates:
        hook = candidates[0]
    wanted = {"endpoint": url, "status": "active", "http_method": "POST", "request_format": "json"}
    if hook is None:
        document = {"webhook": {"name": name, "subscriptions": [CONDITIONAL], **wanted}}
        body = http.request("POST", f"{API}/webhooks", json_body=document).body or {}
        hook = body.get("webhook") if isinstance(body, dict) else None
        if not isinstance(hook, dict) or not hook.get("id"):
            raise ConfigError("POST /api/v2/webhooks: the answer names no webhook id")
        log.info("created webhook %s", hook["id"])
        return safe_id(str(hook["id"]), "webhook")
    hook_id = safe_id(str(hook["id"]), "webhook")
    changes = {key: value for key, value in wanted.items() if hook.get(key) != value}
    if changes:
        http.request(
            "PATCH",
            f"{API}/webhooks/{hook_id}",
            data=json.dumps({"webhook": changes}).encode(),
            headers={"Content-Type": "application/merge-patch+json"},
        )
        log.info("updated webhook %s (%s)", hook_id, ", ".join(sorted(changes)))
    return hook_id


def install(http: HttpClient, url: str, name: str) -> WebhookInstall:
    """Create (or reuse) the webhook and its trigger; see the module docstring."""
    check_target(url, name)
    hook_id = _webhook(http, url, name)
    answer = http.get(f"{API}/webhooks/{hook_id}/signing_secret").body
    document = answer.get("signing_secret") if isinstance(answer, dict) else None
    secret = document.get("secret") if isinstance(document, dict) else None
    if not isinstance(secret, str) or not secret:
        raise ConfigError(f"webhook {hook_id}: the helpdesk returned no signing secret")
    triggers = _triggers(http, name)
    keep = next((t for t in triggers if _is_ours(t, hook_id)), None)
    for trigger in triggers:
        if trigger is not keep:
            _delete(http, f"triggers/{safe_id(str(trigger.get('id')), 'trigger')}")
    if keep is None:
        document = {
            "trigger": {
                "title": name,
                "active": True,
                "description": "Sends new tickets and comments to gdprguard for redaction",
                "conditions": TRIGGER_CONDITIONS,
                "actions": [{"field": "notification_webhook", "value": [hook_id, TRIGGER_BODY]}],
            }
        }
        body = http.request("POST", f"{API}/triggers", json_body=document).body or {}
        keep = body.get("trigger") if isinstance(body, dict) else None
        if not isinstance(keep, dict) or keep.get("id") is None:
            raise ConfigError("POST /api/v2/triggers: the answer names no trigger id")
        log.info("created trigger %s for webhook %s", keep["id"], hook_id)
    return WebhookInstall(
        webhook_id=hook_id, trigger_ids=[str(keep["id"])], secret=SecretStr(secret)
    )


def uninstall(http: HttpClient, name: str) -> int:
    """Delete the triggers, then the webhooks, of this name; how many were deleted."""
    removed = 0
    for trigger in _triggers(http, name):
        removed += _delete(http, f"triggers/{safe_id(str(trigger.get('id')), 'trigger')}")
    for hook in _webhooks(http, name):
        removed += _delete(http, f"webhooks/{safe_id(str(hook.get('id')), 'webhook')}")
    if removed:
        log.info("removed %d trigger(s) and webhook(s) named by the install", removed)
    return removed
