"""Zendesk's Webhooks and Triggers APIs in the sandbox (admin only, like the real ones).

Webhooks (``/api/v2/webhooks``): list (cursor pages; ``filter[name_contains]``,
``filter[status]``), create (201), show, ``PUT`` (replace, 204), ``PATCH`` (JSON merge patch,
204), delete (204), ``GET``/``POST …/signing_secret`` (read / reset, 200 / 201). Their errors
have the Webhooks API's shape, ``{"errors": [{"code", "title", "detail"}]}``.

Triggers (``/api/v2/triggers``): list (offset or cursor pages, ``active``), create (201), show,
delete (204), with the Support API's errors. A ``notification_webhook`` action must name an
existing webhook subscribed to ``conditional_ticket_events``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, g, request
from pydantic import ValidationError

from ._http import json_response
from .webhook_models import TriggerSpec, WebhookSpec
from .webhooks import Automations, Webhook, trigger_doc, webhook_doc
from .zendesk_http import admin_only, field_error, not_found
from .zendesk_paging import BY_ID, paginate
from .zendesk_views import API, ZendeskViews

__all__ = ["add_webhook_routes", "validation_details"]

Route = Callable[..., Callable[[Callable[..., Any]], Any]]


def validation_details(exc: ValidationError) -> list[tuple[str, str]]:
    """``(where, what)`` per problem, without the submitted values (they may be personal)."""
    found = []
    for item in exc.errors(include_url=False, include_input=False, include_context=False):
        where = ".".join(str(part) for part in item["loc"]) or "body"
        found.append((where, str(item["msg"]).removeprefix("Value error, ")))
    return found


def _errors(status: int, code: str, title: str, detail: str) -> Response:
    return json_response({"errors": [{"code": code, "title": title, "detail": detail}]}, status)


def _invalid(exc: ValidationError) -> Response:
    items = [
        {"code": "InvalidValue", "title": "Invalid value", "detail": f"{where}: {what}"}
        for where, what in validation_details(exc)
    ]
    return json_response({"errors": items}, 400)


def _webhook_missing() -> Response:
    return _errors(404, "RecordNotFound", "Not found", "No webhook with this id")


def _merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = _merge_patch(merged.get(key), value)
    return merged


def add_webhook_routes(route: Route, automations: Automations, views: ZendeskViews) -> None:
    """Register the webhook and trigger endpoints on a Zendesk flavor app."""

    def body_of(key: str) -> dict[str, Any] | None:
        payload = request.get_json(silent=True, force=True)
        inner = payload.get(key) if isinstance(payload, dict) else None
        return inner if isinstance(inner, dict) else None

    def webhook(hook_id: str) -> Webhook | None:
        return automations.webhooks.get(hook_id)

    def admin_webhook(hook_id: str) -> Webhook | Response:
        """The webhook, or the answer that refuses the call (not an admin, no such webhook)."""
        if (denied := admin_only()) is not None:
            return denied
        hook = webhook(hook_id)
        return hook if hook is not None else _webhook_missing()

    def edit(hook_id: str, *, patch: bool) -> Response:
        hook = admin_webhook(hook_id)
        if isinstance(hook, Response):
            return hook
        document = body_of("webhook")
        if document is None:
            return _errors(400, "InvalidValue", "Invalid value", "webhook: an object is required")
        if patch:
            current = hook.spec.model_dump(mode="json", exclude_none=True)
            document = _merge_patch(current, document)
        return replace(hook, document)

    def replace(hook: Webhook, document: dict[str, Any]) -> Response:
        try:
            spec = WebhookSpec.model_validate(document)
        except ValidationError as exc:
            return _invalid(exc)
        if spec.conditional != hook.spec.conditional:
            return _errors(
                400,
                "InvalidValue",
                "Invalid value",
                "subscriptions: a webhook's connection method (triggers and automations, or "
                "events) cannot change; create another webhook",
            )
        automations.update_webhook(hook, spec, g.user_id)
        return Response(status=204)

    # --- webhooks ------------------------------------------------------------------------------

    @route("/webhooks")
    def webhooks_list() -> Response:
        if (denied := admin_only()) is not None:
            return denied
        contains = (request.args.get("filter[name_contains]") or "").lower()
        status = request.args.get("filter[status]")
        hooks = [
            h
            for h in sorted(automations.webhooks.values(), key=lambda h: h.id)
            if contains in h.spec.name.lower() and status in (None, h.spec.status)
        ]
        return paginate(
            "webhooks", hooks, webhook_doc, views.path("/webhooks"), BY_ID, cursor_only=True
        )

    @route("/webhooks", ("POST",))
    def webhook_create() -> Response:
        if (denied := admin_only()) is not None:
            return denied
        document = body_of("webhook")
        if document is None:
            return _errors(400, "InvalidValue", "Invalid value", "webhook: an object is required")
        try:
            spec = WebhookSpec.model_validate(document)
        except ValidationError as exc:
            return _invalid(exc)
        hook = automations.add_webhook(spec, g.user_id)
        location = f"{views.base()}{API}/webhooks/{hook.id}"
        return json_response({"webhook": webhook_doc(hook)}, 201, {"Location": location})

    @route("/webhooks/<hook_id>")
    def webhook_show(hook_id: str) -> Response:
        hook = admin_webhook(hook_id)
        return hook if isinstance(hook, Response) else json_response({"webhook": webhook_doc(hook)})

    @route("/webhooks/<hook_id>", ("PUT",))
    def webhook_replace(hook_id: str) -> Response:
        return edit(hook_id, patch=False)

    @route("/webhooks/<hook_id>", ("PATCH",))
    def webhook_patch(hook_id: str) -> Response:
        return edit(hook_id, patch=True)

    @route("/webhooks/<hook_id>", ("DELETE",))
    def webhook_delete(hook_id: str) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        if automations.webhooks.pop(hook_id, None) is None:
            return _webhook_missing()
        return Response(status=204)

    @route("/webhooks/<hook_id>/signing_secret")
    def signing_secret_show(hook_id: str) -> Response:
        hook = admin_webhook(hook_id)
        if isinstance(hook, Response):
            return hook
        return json_response({"signing_secret": {"algorithm": "SHA256", "secret": hook.secret}})

    @route("/webhooks/<hook_id>/signing_secret", ("POST",))
    def signing_secret_reset(hook_id: str) -> Response:
        hook = admin_webhook(hook_id)
        if isinstance(hook, Response):
            return hook
        secret = automations.rotate_secret(hook)
        return json_response({"signing_secret": {"algorithm": "SHA256", "secret": secret}}, 201)

    # --- triggers ------------------------------------------------------------------------------

    @route("/triggers")
    def triggers_list() -> Response:
        if (denied := admin_only()) is not None:
            return denied
        active = request.args.get("active")
        triggers = [
            t
            for t in sorted(automations.triggers.values(), key=lambda t: t.id)
            if active is None or t.spec.active == (active.lower() == "true")
        ]
        return paginate(
            "triggers",
            triggers,
            lambda t: trigger_doc(t, views.base()),
            views.path("/triggers"),
            BY_ID,
        )

    @route("/triggers", ("POST",))
    def trigger_create() -> Response:
        if (denied := admin_only()) is not None:
            return denied
        document = body_of("trigger")
        if document is None:
            return field_error("trigger", "trigger is required", "BlankValue")
        try:
            spec = TriggerSpec.model_validate(document)
        except ValidationError as exc:
            problems = validation_details(exc)
            described = "; ".join(f"{where}: {what}" for where, what in problems)
            return field_error(problems[0][0].split(".")[0], described, "InvalidValue")
        for action in spec.actions:
            hook = automations.webhooks.get(action.webhook_id)
            if hook is None or not hook.spec.conditional:
                return field_error(
                    "actions",
                    "notification_webhook must name a webhook subscribed to "
                    "conditional_ticket_events",
                    "InvalidValue",
                )
        trigger = automations.add_trigger(spec)
        location = f"{views.base()}{API}/triggers/{trigger.id}.json"
        doc = {"trigger": trigger_doc(trigger, views.base())}
        return json_response(doc, 201, {"Location": location})

    @route("/triggers/<int:trigger_id>")
    def trigger_show(trigger_id: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        trigger = automations.triggers.get(trigger_id)
        if trigger is None:
            return not_found()
        return json_response({"trigger": trigger_doc(trigger, views.base())})

    @route("/triggers/<int:trigger_id>", ("DELETE",))
    def trigger_delete(trigger_id: int) -> Response:
        if (denied := admin_only()) is not None:
            return denied
        if automations.triggers.pop(trigger_id, None) is None:
            return not_found()
        return Response(status=204)
