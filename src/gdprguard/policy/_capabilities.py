"""The connector abilities a policy depends on, as a Protocol.

``gdprguard.connectors.Capabilities`` (each connector class's ``capabilities``) satisfies it; the
policy package only reads these attributes, so it never imports the connectors' HTTP stack.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

__all__ = ["ConnectorCapabilities"]


class ConnectorCapabilities(Protocol):
    """What a helpdesk's API can do that changes what a rule can do there."""

    @property
    def permanent_ticket_delete(self) -> bool:
        """A single ticket can be purged (Freshdesk: no)."""
        ...

    @property
    def permanent_person_delete(self) -> bool:
        """A person can be purged."""
        ...

    @property
    def redactable_comment_kinds(self) -> Collection[str]:
        """Comment kinds whose text can be redacted in place (Freshdesk: notes, description)."""
        ...

    @property
    def closed_ticket_updates(self) -> bool:
        """A closed ticket's subject and fields can still change (Zendesk: no)."""
        ...

    @property
    def closed_ticket_redaction(self) -> bool:
        """Comments and attachments of closed tickets can be redacted."""
        ...

    @property
    def field_history(self) -> bool:
        """Earlier values of a ticket's subject and fields stay in its history (Zendesk: yes)."""
        ...
