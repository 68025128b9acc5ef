"""Helpdesk connectors: one Protocol, one HTTP layer, Zendesk and Freshdesk built in.

``build_connector(name, config)`` turns a ``[connectors.NAME]`` section into a
:class:`HelpdeskConnector`; see ``docs/connectors.md`` for writing a third-party one.
"""

from __future__ import annotations

from .base import (
    DeletionResult,
    HelpdeskConnector,
    Identity,
    NotRedactableError,
    RedactionResult,
    RedactTarget,
    Span,
    UnsupportedOperationError,
    WebhookInstall,
)
from .capabilities import Capabilities, TicketAction
from .http import ApiResponse, Clock, HttpClient, HttpStats, RateBudget, RetryPolicy, SystemClock
from .ratelimit import EndpointLimits
from .registry import (
    ENTRY_POINT_GROUP,
    build_connector,
    config_notes,
    connector_types,
    get_connector_class,
)
from .sync import CommentExport, ExportPage, RecordExport, SyncState, TicketExport

__all__ = [
    "ENTRY_POINT_GROUP",
    "ApiResponse",
    "Capabilities",
    "Clock",
    "CommentExport",
    "DeletionResult",
    "EndpointLimits",
    "ExportPage",
    "HelpdeskConnector",
    "HttpClient",
    "HttpStats",
    "Identity",
    "NotRedactableError",
    "RateBudget",
    "RecordExport",
    "RedactTarget",
    "RedactionResult",
    "RetryPolicy",
    "Span",
    "SyncState",
    "SystemClock",
    "TicketAction",
    "TicketExport",
    "UnsupportedOperationError",
    "WebhookInstall",
    "build_connector",
    "config_notes",
    "connector_types",
    "get_connector_class",
]
