"""Flask wiring shared by both flavors: the API route decorator and the sandbox-only routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response

from ._http import json_response
from .state import SandboxState

__all__ = ["RouteDecorator", "add_sandbox_routes", "api_router"]

RouteDecorator = Callable[[Callable[..., Any]], Any]


def api_router(app: Flask, prefix: str) -> Callable[..., RouteDecorator]:
    """A ``route(rule, methods=("GET",))`` decorator factory for rules under ``prefix``."""

    def route(rule: str, methods: tuple[str, ...] = ("GET",)) -> RouteDecorator:
        return app.route(prefix + rule, methods=list(methods))

    return route


def add_sandbox_routes(
    app: Flask, state: SandboxState, flavor: str, not_found: Callable[[], Response]
) -> None:
    """Routes every flavor serves outside its API: ground truth, attachment and photo content."""

    @app.get("/_sandbox/ground-truth")
    def ground_truth() -> Response:
        return json_response(state.ground_truth(flavor))

    @app.get("/_sandbox/writes")
    def writes() -> Response:
        return json_response({"writes": state.writes.totals(), "actions": state.writes.actions()})

    @app.get("/attachments/token/<token>/")
    def attachment_content(token: str) -> Response:
        for attachment in state.data.attachments.values():
            if attachment.token == token:
                return Response(attachment.content, mimetype=attachment.content_type)
        photo = state.photo_content(token)
        if photo is not None:
            return Response(photo.content, mimetype=photo.content_type)
        return not_found()
