"""A ticket's own text outside its comments: the subject and free-text custom fields.

Detection runs on each of them separately; a redaction overwrites the characters of each span
with ``▇`` (what Zendesk writes over redacted comment text), so the field keeps its shape and a
card number keeps the digits a rule says to keep.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from ..connectors.htmltext import REDACTION_CHAR
from ..detect import Detector, Finding, KnownSubject
from ..models import Ticket

__all__ = [
    "SUBJECT",
    "field_findings",
    "field_texts",
    "field_types",
    "fields_hash",
    "mask_spans",
    "split_fields",
]

SUBJECT = "subject"
_CUSTOM = "custom_fields."


def field_texts(ticket: Ticket) -> dict[str, str]:
    """``{"subject": …, "custom_fields.<key>": …}`` for every non-empty text the ticket holds
    outside its comments (numbers, booleans, lists and drop-down choices are not free text)."""
    texts: dict[str, str] = {}
    if ticket.subject:
        texts[SUBJECT] = ticket.subject
    for key, value in sorted(ticket.custom_fields.items()):
        if isinstance(value, str) and value.strip():
            texts[_CUSTOM + key] = value
    return texts


def fields_hash(ticket: Ticket) -> str:
    """A fingerprint of the subject and free-text fields (to key work on their content)."""
    encoded = json.dumps(field_texts(ticket), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8", "surrogatepass")).hexdigest()


def field_findings(
    detector: Detector, ticket: Ticket, known: KnownSubject | None = None
) -> dict[str, list[Finding]]:
    """Detection on each of the ticket's field texts (only those with findings)."""
    out: dict[str, list[Finding]] = {}
    for name, text in field_texts(ticket).items():
        found = detector.analyze(text, language="auto", known_subject=known)
        if found:
            out[name] = found
    return out


def field_types(detector: Detector, ticket: Ticket, known: KnownSubject | None = None) -> set[str]:
    """The personal-data types found in the subject and custom fields."""
    return {f.type for found in field_findings(detector, ticket, known).values() for f in found}


def mask_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """*text* with every character inside the spans replaced by ``▇``."""
    chars = list(text)
    for start, end in spans:
        for i in range(max(start, 0), min(end, len(chars))):
            if not chars[i].isspace():
                chars[i] = REDACTION_CHAR
    return "".join(chars)


def split_fields(changed: Mapping[str, str]) -> tuple[str | None, dict[str, Any]]:
    """``(subject, custom_fields)`` as :meth:`update_ticket_fields` takes them."""
    subject = changed.get(SUBJECT)
    custom = {k[len(_CUSTOM) :]: v for k, v in changed.items() if k.startswith(_CUSTOM)}
    return subject, custom
