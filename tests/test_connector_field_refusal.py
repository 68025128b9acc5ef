"""A Freshdesk ticket field that refuses a change (400) is not redactable, and nothing changes.

Freshdesk validates custom fields on ``PUT /tickets/{id}``: an unknown field or a value its type
does not take answers 400 with the field's name. The connector raises that as
``NotRedactableError`` (the sweep then skips the item, as for a closed Zendesk ticket) without
echoing the value it tried to write.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from _cli_helpdesk import sandbox_connector
from gdprguard.connectors import NotRedactableError

sandbox = pytest.importorskip("gdprguard.sandbox")


@pytest.fixture
def freshdesk() -> Iterator[Any]:
    server = sandbox.SandboxServer(flavor="freshdesk", seed=11, port=0, tickets=6).start()
    yield server
    server.stop()


def test_a_refused_custom_field_raises_not_redactable_and_changes_nothing(freshdesk: Any) -> None:
    connector = sandbox_connector(freshdesk)
    target = next(t for t in freshdesk.state.data.tickets.values() if t.subject)
    before = (target.subject, dict(target.custom_fields))
    writes = freshdesk.ground_truth()["writes"]
    ticket = connector.get_ticket(str(target.id))
    secret = "Jane Roe 090-1234-5678"
    with pytest.raises(NotRedactableError) as caught:
        connector.update_ticket_fields(
            ticket, subject="masked", custom_fields={"cf_no_such_field": secret}
        )
    assert caught.value.status == 400
    assert f"ticket {target.id}" in str(caught.value)
    assert secret not in str(caught.value) and "Jane" not in str(caught.value)
    after = freshdesk.state.data.tickets[target.id]
    assert (after.subject, dict(after.custom_fields)) == before
    assert freshdesk.ground_truth()["writes"] == writes
