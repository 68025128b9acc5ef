"""What a policy decides for one ticket: holds, precedence, open tickets, merging, notes, people.

The connectors' real capability declarations stand for Zendesk and Freshdesk.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from textwrap import dedent
from typing import Any

import pytest

from gdprguard.connectors.freshdesk import FreshdeskConnector
from gdprguard.connectors.zendesk import ZendeskConnector
from gdprguard.models import Attachment, Comment, EmailContact, Person, Ticket
from gdprguard.policy import (
    CommentFacts,
    Duration,
    PersonFacts,
    Policy,
    TicketFacts,
    consolidate,
    facts_from_records,
    parse_policy,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ZENDESK = ZendeskConnector.capabilities
FRESHDESK = FreshdeskConnector.capabilities


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


def policy(rules: str, holds: str = "", defaults: str = "") -> Policy:
    text = "version: 1\n"
    if holds:
        text += "holds:\n" + holds
    if defaults:
        text += f"defaults: {defaults}\n"
    return parse_policy(text + "rules:\n" + dedent(rules), "test.yaml")


def ticket(**overrides: Any) -> TicketFacts:
    """A closed ticket solved 400 days ago: two comments, an attachment, a requester."""
    values: dict[str, Any] = {
        "connector": "support",
        "ticket_id": "42",
        "status": "closed",
        "tags": {"billing"},
        "channel": "email",
        "created_at": days_ago(410),
        "updated_at": days_ago(400),
        "comments": [
            CommentFacts(
                id="c1",
                created_at=days_ago(410),
                entity_types={"EMAIL_ADDRESS", "CREDIT_CARD"},
                attachment_ids=("a1",),
                system_metadata=True,
            ),
            CommentFacts(id="c2", created_at=days_ago(400), entity_types={"PERSON"}, public=False),
        ],
        "requester": PersonFacts(id="p1", role="end-user", last_activity_at=days_ago(400)),
    }
    values.update(overrides)
    return TicketFacts(**values)


def actions(decision: Any) -> list[tuple[str, str, str]]:
    return [(a.action, a.target_kind, a.target_id) for a in decision.actions]


def verdict(decision: Any, rule: str) -> Any:
    return next(v for v in decision.verdicts if v.rule == rule)


LIFECYCLE = """\
- name: cards
  when: {kind: comment, entities: [CREDIT_CARD]}
  action: redact
  keep_digits: {first: 6, last: 4}
  keep_original_for: null
- name: redact-after-1y
  when: {kind: comment, status: [solved, closed], solved_more_than: 1y}
  action: redact
- name: files-after-1y
  when: {kind: attachment, status: [solved, closed], solved_more_than: 1y}
  action: redact_attachments
- name: delete-after-3y
  when: {kind: ticket, status: [solved, closed], solved_more_than: 3y}
  action: delete
- name: purge-after-5y
  when: {kind: ticket, status: [solved, closed], solved_more_than: 5y}
  action: purge
"""


# --- precedence ----------------------------------------------------------------------------------


def test_the_lifecycle_of_a_ticket_over_the_years() -> None:
    p = policy(LIFECYCLE, defaults="{keep_original_for: 30d}")
    young = p.decide(ticket(comments=[CommentFacts(id="c1", created_at=days_ago(20),
                                                   entity_types={"CREDIT_CARD", "PERSON"})],
                            updated_at=days_ago(10)), NOW)  # fmt: skip
    assert actions(young) == [("redact", "comment", "c1")]
    assert young.actions[0].entity_types == ("CREDIT_CARD",)

    year = p.decide(ticket(), NOW)
    assert actions(year) == [
        ("redact", "comment", "c1"),
        ("redact_attachments", "attachment", "a1"),
        ("redact", "comment", "c2"),
    ]
    assert year.deletion_due is not None and year.deletion_rule == "delete-after-3y"

    old = ticket(comments=[CommentFacts(id="c1", created_at=days_ago(4 * 365))])
    decided = p.decide(old, NOW)
    assert actions(decided) == [("delete", "ticket", "42")]
    assert verdict(decided, "redact-after-1y").verdict == "superseded"
    assert (
        "the ticket is deleted by rule delete-after-3y"
        in verdict(decided, "redact-after-1y").reason
    )

    ancient = ticket(comments=[CommentFacts(id="c1", created_at=days_ago(6 * 365))])
    decided = p.decide(ancient, NOW)
    assert actions(decided) == [("purge", "ticket", "42")]
    delete = verdict(decided, "delete-after-3y")
    assert (
        delete.verdict == "outranked"
        and "purge by rule purge-after-5y is stronger" in delete.reason
    )


def test_redactions_merge_and_the_first_listed_rule_decides_how() -> None:
    p = policy(LIFECYCLE)
    decision = p.decide(ticket(), NOW)
    c1 = decision.actions[0]
    assert (c1.rule, c1.rules) == ("cards", ("cards", "redact-after-1y"))
    assert c1.entity_types is None  # all types: the year-old rule redacts everything
    assert [(s.rule, s.keep_first, s.keep_last) for s in c1.redactions] == [
        ("cards", 6, 4), ("redact-after-1y", 0, 0),
    ]  # fmt: skip
    assert c1.spec_for("CREDIT_CARD").rule == "cards"  # type: ignore[union-attr]
    assert c1.spec_for("EMAIL_ADDRESS").rule == "redact-after-1y"  # type: ignore[union-attr]
    assert verdict(decision, "redact-after-1y").verdict == "applies"  # it alone redacts c2

    text = "card 4111 1111 1111 1111, mail a@b.example"
    findings = [_F("CREDIT_CARD", 5, 24), _F("EMAIL_ADDRESS", 31, 42)]
    spans = c1.spans(text, findings)
    masked = list(text)
    for s in spans:
        masked[s.start : s.end] = ["▇"] * (s.end - s.start)
    assert "".join(masked) == "card 4111 11▇▇▇▇▇▇▇ 1111, mail ▇▇▇▇▇▇▇▇▇▇▇"


class _F:
    def __init__(self, type_: str, start: int, end: int) -> None:
        self.type, self.start, self.end = type_, start, end


def test_card_digits_too_few_to_keep_are_redacted_whole() -> None:
    p = policy(LIFECYCLE)
    action = p.decide(ticket(), NOW).actions[0]
    (span,) = action.spans("no 1234-5678", [_F("CREDIT_CARD", 3, 12)])
    assert (span.start, span.end) == (3, 12)
    (span,) = action.spans("カード４１１１１１１１１１１１１１１１", [_F("CREDIT_CARD", 3, 19)])
    assert (span.start, span.end) == (9, 15)  # full-width digits count as digits


def test_keep_wins_over_deletion_until_its_bound_expires() -> None:
    p = policy(
        LIFECYCLE
        + dedent(
            """\
            - name: keep-chargebacks
              when: {kind: ticket, tags: [chargeback], created_less_than: 7y}
              action: keep
            """
        )
    )
    disputed = ticket(tags={"chargeback"}, created_at=days_ago(6 * 365),
                      comments=[CommentFacts(id="c1", created_at=days_ago(6 * 365),
                                             entity_types={"CREDIT_CARD"})])  # fmt: skip
    decision = p.decide(disputed, NOW)
    assert decision.actions == ()  # the kept ticket's comments are kept too
    assert verdict(decision, "keep-chargebacks").verdict == "applies"
    assert verdict(decision, "purge-after-5y").verdict == "outranked"
    assert "keep rule keep-chargebacks keeps" in verdict(decision, "cards").reason
    assert disputed.created_at is not None
    assert decision.deletion_due == Duration(7, "y").after(disputed.created_at)
    assert decision.deletion_rule == "purge-after-5y"
    later = p.decide(disputed, NOW + timedelta(days=400))
    assert actions(later) == [("purge", "ticket", "42")]


def test_legal_holds_by_tag_and_by_field_freeze_everything() -> None:
    holds = (
        "  - {name: litigation, tags: [legal_hold]}\n"
        '  - {name: regulator, custom_fields: {"360001": [yes, true], inquiry: open}}\n'
    )
    p = policy(LIFECYCLE + "- {name: anon, when: {kind: person, inactive_more_than: 1y}, "
               "action: anonymize_person}\n", holds=holds)  # fmt: skip
    ancient = {"created_at": days_ago(9 * 365), "solved_at": days_ago(9 * 365), "comments": []}
    for overrides, hold in [
        ({"tags": {"legal_hold", "billing"}}, "litigation"),
        ({"custom_fields": {"360001": True}}, "regulator"),
        ({"custom_fields": {"inquiry": "open"}}, "regulator"),
        ({"custom_fields": {"inquiry": ["x", "open"]}}, "regulator"),
    ]:
        decision = p.decide(ticket(**ancient, **overrides), NOW)
        assert decision.hold == hold and decision.actions == ()
        assert all(v.verdict == "held" for v in decision.verdicts)
        assert decision.blocked_person_ids == ("p1",)
        assert decision.deletion_due is None
        assert p.hold_for(ticket(**overrides)).name == hold  # type: ignore[union-attr]
    free = p.decide(ticket(**ancient, custom_fields={"inquiry": "closed"}), NOW)
    assert free.hold is None and ("purge", "ticket", "42") in actions(free)


def test_open_tickets_are_deleted_only_by_rules_naming_their_status() -> None:
    implicit = policy(
        "- {name: old, when: {kind: ticket, created_more_than: 1y}, action: delete}\n"
    )
    stale = {"created_at": days_ago(5 * 365), "updated_at": days_ago(4 * 365)}
    for status in ("new", "open", "pending", "hold", None):
        decision = implicit.decide(ticket(status=status, **stale), NOW)
        assert decision.actions == (), status
        assert verdict(decision, "old").verdict == "skipped"
        assert "open tickets are deleted only by a rule that names their status" in (
            verdict(decision, "old").reason
        )
    assert actions(implicit.decide(ticket(status="solved", **stale), NOW)) == [
        ("delete", "ticket", "42")
    ]
    explicit = policy(
        "- {name: abandoned, when: {kind: ticket, status: [open, pending], "
        "updated_more_than: 2y}, action: purge}\n"
    )
    assert actions(explicit.decide(ticket(status="pending", **stale), NOW)) == [
        ("purge", "ticket", "42")
    ]
    assert explicit.decide(ticket(status="hold", **stale), NOW).actions == ()
    assert explicit.decide(ticket(status="resolved", **stale), NOW).actions == ()


def test_selectors() -> None:
    rules = """\
    - name: r
      when:
        kind: comment
        connector: [support, shop]
        status: solved
        tags: {any: [billing, refund], all: [vip], none: [spam]}
        group: 2001
        brand: [7]
        channel: [email, web]
        organization: "99"
        custom_fields: {product: [kettle, lamp], priority_flag: null}
        public: false
        entities: [PERSON]
        created_more_than: 1y
        updated_more_than: 1y
        solved_less_than: 2y
      action: redact
    """
    p = policy(rules)
    base = {"status": "resolved", "tags": {"billing", "vip"}, "group": "2001", "brand": "7",
            "organization": "99", "custom_fields": {"product": "lamp"}}  # fmt: skip
    assert actions(p.decide(ticket(**base), NOW)) == [("redact", "comment", "c2")]
    for change, reason in [
        ({"connector": "other"}, "connector other, not one of support, shop"),
        ({"tags": {"billing", "vip", "spam"}}, "has the excluded tag(s) spam"),
        ({"tags": {"billing"}}, "lacks the tag(s) vip"),
        ({"tags": {"vip"}}, "has none of the tags billing, refund"),
        ({"group": "2002"}, "group 2002, not 2001"),
        ({"channel": "chat"}, "channel chat, not one of email, web"),
        ({"custom_fields": {"product": "kettle", "priority_flag": "x"}},
         "field priority_flag does not match"),
        ({"updated_at": days_ago(100)}, "not 1 year ago until"),
        ({"status": "open"}, "status open, not solved"),
    ]:  # fmt: skip
        decision = p.decide(ticket(**{**base, **change}), NOW)
        assert decision.actions == (), change
        assert reason in verdict(decision, "r").reason, (change, verdict(decision, "r").reason)
    c9 = CommentFacts(id="c9", created_at=days_ago(1000), public=False, entity_types={"PERSON"})
    old = ticket(**base, comments=[c9])
    assert (
        "solved 2023-04-07, more than 2 years ago since" in verdict(p.decide(old, NOW), "r").reason
    )


# --- sealed originals ----------------------------------------------------------------------------


def test_keep_original_for_defaults_overrides_and_merges() -> None:
    p = policy(LIFECYCLE, defaults="{keep_original_for: 6m}")
    decision = p.decide(ticket(), NOW)
    by_target = {a.target_id: a for a in decision.actions}
    assert by_target["c1"].keep_original_for is None  # the card rule keeps no copy: it wins
    assert by_target["c2"].keep_original_for == timedelta(days=181)  # Jan 1 + 6 months
    assert by_target["c2"].keep_original_until == datetime(2026, 7, 1, tzinfo=UTC)
    assert by_target["a1"].keep_original_until == datetime(2026, 7, 1, tzinfo=UTC)
    no_default = policy(LIFECYCLE).decide(ticket(), NOW)
    assert all(a.keep_original_for is None for a in no_default.actions)


# --- what no API can change ----------------------------------------------------------------------


def test_notes_say_what_remains_and_until_when() -> None:
    p = policy(LIFECYCLE)
    facts = ticket(sender_recorded=True, entity_types={"PHONE_NUMBER"})
    notes = p.decide(facts, NOW).notes
    deleted_on = Duration(3, "y").after(days_ago(400)).date().isoformat()
    due = f"until the ticket is deleted on {deleted_on} (rule delete-after-3y)"
    assert notes == (
        "comments redacted; IP address and location recorded with 1 comment cannot be changed "
        f"through the API; they remain {due}",
        f"the sender's email address (via.source.from) cannot be changed through the API; it "
        f"remains {due}",
        f"the subject and fields of a closed ticket cannot be edited; the PHONE_NUMBER found there "
        f"remain {due}",
    )
    forever = policy("- {name: cards, when: {kind: comment, entities: [CREDIT_CARD]}, "
                     "action: redact}\n").decide(facts, NOW)  # fmt: skip
    assert all(n.endswith("indefinitely: no rule deletes this ticket") for n in forever.notes)
    assert p.decide(ticket(comments=[], status="open"), NOW).notes == ()


def test_capabilities_turn_impossible_actions_into_notes_and_fallbacks() -> None:
    p = policy(LIFECYCLE + "- {name: trash, when: {kind: ticket, deleted: true, updated_more_than:"
               " 30d}, action: purge}\n")  # fmt: skip
    replies = ticket(comments=[
        CommentFacts(id="r1", kind="reply", redactable=False, created_at=days_ago(410),
                     entity_types={"EMAIL_ADDRESS"}),
        CommentFacts(id="n1", kind="note", created_at=days_ago(405), entity_types={"PERSON"}),
    ])  # fmt: skip
    decision = p.decide(replies, NOW, capabilities=FRESHDESK)
    assert actions(decision) == [("redact", "comment", "n1")]
    assert any(n.startswith("1 reply cannot be redacted through the API") for n in decision.notes)
    assert "does not let a reply be edited" in verdict(decision, "redact-after-1y").reason

    ancient = ticket(comments=[CommentFacts(id="c1", created_at=days_ago(6 * 365))])
    (purge,) = p.decide(ancient, NOW, capabilities=FRESHDESK).actions
    assert (purge.action, purge.rule) == ("delete", "purge-after-5y")
    assert purge.note is not None and "cannot purge a single ticket" in purge.note
    assert p.decide(ancient, NOW, capabilities=ZENDESK).actions[0].action == "purge"

    trashed = ticket(deleted=True, status=None, updated_at=days_ago(40), comments=[])
    assert actions(p.decide(trashed, NOW, capabilities=ZENDESK)) == [("purge", "ticket", "42")]
    skipped = p.decide(trashed, NOW, capabilities=FRESHDESK)
    assert skipped.actions == () and verdict(skipped, "trash").verdict == "skipped"
    assert verdict(p.decide(ticket(), NOW), "trash").reason == "ticket 42: it is not deleted"


def test_ticket_level_redaction_covers_subject_and_fields_where_the_helpdesk_allows() -> None:
    p = policy("- {name: t, when: {kind: ticket, status: [closed], solved_more_than: 1y}, "
               "action: redact, entities: [PHONE_NUMBER, PERSON]}\n")  # fmt: skip
    facts = ticket(entity_types={"PHONE_NUMBER"})
    zendesk = p.decide(facts, NOW, capabilities=ZENDESK)
    assert actions(zendesk) == [("redact", "comment", "c2")]  # c1 holds neither type
    assert any("subject and fields of a closed ticket cannot be edited" in n for n in zendesk.notes)
    notes = [CommentFacts(id="c2", kind="note", created_at=days_ago(400), entity_types={"PERSON"})]
    with_notes = ticket(entity_types={"PHONE_NUMBER"}, comments=notes)
    freshdesk = p.decide(with_notes, NOW, capabilities=FRESHDESK)
    assert actions(freshdesk) == [("redact", "ticket", "42"), ("redact", "comment", "c2")]
    assert freshdesk.actions[0].entity_types == ("PHONE_NUMBER",)


# --- people --------------------------------------------------------------------------------------

PEOPLE = (
    LIFECYCLE
    + """\
- name: anonymise-after-2y
  when: {kind: person, inactive_more_than: 2y}
  action: anonymize_person
- name: delete-people-after-6y
  when: {kind: person, inactive_more_than: 6y}
  action: delete
"""
)


def test_people_are_left_alone_while_their_ticket_is_open_and_staff_always() -> None:
    p = policy(PEOPLE)
    gone = PersonFacts(id="p1", role="end-user", last_activity_at=days_ago(3 * 365))
    solved = p.decide(ticket(requester=gone), NOW)
    assert ("anonymize_person", "person", "p1") in actions(solved)
    assert solved.blocked_person_ids == ()
    still_open = p.decide(ticket(requester=gone, status="pending"), NOW)
    assert not [a for a in still_open.actions if a.target_kind == "person"]
    assert still_open.blocked_person_ids == ("p1",)
    assert "people are anonymised or deleted only when none of their tickets is open" in (
        verdict(still_open, "anonymise-after-2y").reason
    )
    agent = PersonFacts(id="p1", role="agent", last_activity_at=days_ago(3 * 365))
    staff = p.decide(ticket(requester=agent), NOW)
    assert "retention rules leave staff alone" in verdict(staff, "anonymise-after-2y").reason

    merged = consolidate([solved, still_open])
    assert not [a for a in merged if a.target_kind == "person"]  # an open ticket blocks them
    long_gone = PersonFacts(id="p1", role="end-user", last_activity_at=days_ago(7 * 365))
    strongest = consolidate([solved, p.decide(ticket(requester=long_gone), NOW)])
    assert [a.action for a in strongest if a.target_kind == "person"] == ["delete"]
    assert len([a for a in strongest if a.target_id == "c1"]) == 1


def test_decide_person_on_their_own() -> None:
    p = policy(PEOPLE)
    alone = p.decide_person("support", PersonFacts(id="p9", last_activity_at=days_ago(800)), NOW)
    (action,) = alone.actions
    assert (action.action, action.target, action.ticket_id) == (
        "anonymize_person", "support:person:p9", None,
    )  # fmt: skip
    fresh = p.decide_person("support", PersonFacts(id="p9", last_activity_at=days_ago(100)), NOW)
    assert fresh.actions == () and fresh.verdicts[0].verdict == "no_match"
    unknown = p.decide_person("support", PersonFacts(id="p9"), NOW)
    assert "last active time is unknown" in unknown.verdicts[0].reason


def test_realtime_rules_decide_a_new_comment() -> None:
    p = policy(LIFECYCLE.replace("- name: cards\n", "- name: cards\n  realtime: true\n"))
    live = p.realtime()
    new = ticket(status="open", created_at=NOW, updated_at=NOW,
                 comments=[CommentFacts(id="c7", created_at=NOW, entity_types={"CREDIT_CARD",
                                        "PERSON"})])  # fmt: skip
    (action,) = live.decide(new, NOW).actions
    assert (action.target_id, action.entity_types, action.realtime) == (
        "c7",
        ("CREDIT_CARD",),
        True,
    )


# --- building facts from the connector's records -------------------------------------------------


def test_facts_from_records() -> None:
    record = Ticket(
        id="7", status="resolved", tags=["a"], channel="email", organization_id="5",
        custom_fields={"f": "x"}, created_at=days_ago(30), updated_at=days_ago(2),
        requester_id="u1", sender=EmailContact(address="x@example.com"),
    )  # fmt: skip
    comments = [
        Comment(id="c1", ticket_id="7", author_id="u1", body="hi", created_at=days_ago(30),
                metadata={"system": {"ip_address": "192.0.2.1", "location": "Tokyo"}},
                attachments=[Attachment(id="a1", file_name="f.pdf")]),
        Comment(id="c2", ticket_id="7", author_id="u2", body="ok", created_at=days_ago(3),
                kind="reply", redactable=False, public=False),
    ]  # fmt: skip
    person = Person(id="u1", role="end-user", updated_at=days_ago(40),
                    extra={"last_login_at": "2025-12-20T10:00:00Z"})  # fmt: skip
    facts = facts_from_records("support", record, comments, person,
                               comment_entities={"c1": ["EMAIL_ADDRESS"]},
                               ticket_entities=["PERSON"])  # fmt: skip
    assert facts.status == "solved" and facts.is_solved and not facts.is_closed
    assert facts.sender_recorded and facts.organization == "5" and facts.tags == {"a"}
    c1, c2 = facts.comments
    assert (
        c1.system_metadata and c1.attachment_ids == ("a1",) and c1.entity_types == {"EMAIL_ADDRESS"}
    )
    assert (c2.kind, c2.redactable, c2.public, c2.system_metadata) == ("reply", False, False, False)
    assert facts.requester is not None
    assert facts.requester.last_activity_at == datetime(2025, 12, 20, 10, tzinfo=UTC)
    assert facts.solved_time == days_ago(3)  # no solve time from the helpdesk: the last comment
    assert facts.all_entity_types == {"EMAIL_ADDRESS", "PERSON"}
    deleted = facts_from_records(
        "support", record.model_copy(update={"status": "deleted", "deleted": True}), []
    )
    assert deleted.deleted and deleted.status is None


@pytest.mark.parametrize("status", ["closed", "solved"])
def test_solve_time_falls_back_to_the_last_comment_not_the_last_update(status: str) -> None:
    facts = ticket(status=status, updated_at=days_ago(1))  # redacted yesterday
    assert facts.solved_time == days_ago(400)
    assert ticket(status="open").solved_time is None
    assert ticket(solved_at=days_ago(500)).solved_time == days_ago(500)
