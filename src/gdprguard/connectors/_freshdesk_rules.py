"""The Freshdesk automation rules an admin creates by hand so Freshdesk calls gdprguard.

Freshdesk's public API cannot create automation rules, and its "Trigger webhook" action signs
nothing: the calls carry a shared secret in a custom header instead, which the receiver checks.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .._exceptions import ConfigError

__all__ = ["RULE_BODY", "freshdesk_automation_instructions"]

#: the JSON body of the "Trigger webhook" action
RULE_BODY = '{"ticket_id": "{{ticket.id}}"}'
SECRET_PLACEHOLDER = "<the secret gdprguard printed when the webhook was set up>"
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def freshdesk_automation_instructions(
    url: str, header_name: str, secret: str, *, include_secret: bool = False
) -> str:
    """Step-by-step instructions for the two Freshdesk rules that call *url*.

    The secret's value is left out (a placeholder stands in) unless *include_secret* is true:
    these instructions may be pasted into tickets or chats, the secret should be printed once.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            "the webhook URL must be an absolute http:// or https:// URL, e.g. "
            "https://gdprguard.example.com/webhooks/support"
        )
    if not _TOKEN.match(header_name):
        raise ConfigError(
            "the header name must be letters, digits and '-' (e.g. X-Gdprguard-Secret)"
        )
    if not secret:
        raise ConfigError("the shared secret is empty")
    value = secret if include_secret else SECRET_PLACEHOLDER
    action = f"""\
   Action: "Trigger webhook"
     Request type:             POST
     URL:                      {url}
     Requires authentication:  no
     Custom headers:           {header_name}: {value}
     Encoding:                 JSON
     Content:                  Advanced, with exactly this body:
                               {RULE_BODY}"""
    return f"""\
Freshdesk's API cannot create automation rules: create these two by hand, as an admin, in
Admin > Workflows > Automations (Admin > Automations on older accounts).

1. Tab "Ticket creation" > "New rule", named "gdprguard: new tickets".
   Conditions: one every ticket meets, e.g. "Status" "is any of" Open, Pending, Resolved,
   Closed.
{action}
   Save it, then move it to the top of the list (or choose "Execute all matching rules"):
   Freshdesk runs only the first matching ticket-creation rule by default.

2. Tab "Ticket updates" > "New rule", named "gdprguard: new replies and notes".
   When an action is performed by: "Agent or Requester".
   Involves any of these events: "Reply is sent", and "Note is added" (type: Any).
   On tickets with these properties: the same condition as rule 1.
{action}

Freshdesk does not sign webhook calls: gdprguard accepts a call only when its
{header_name} header carries the shared secret.
"""
