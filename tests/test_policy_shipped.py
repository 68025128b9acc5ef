"""The shipped policies: they load, ship as package data, and behave on five years of tickets.

The five-year set is the sandbox's own generator (the data `gdprguard sandbox serve` serves):
statuses by age, tags, channels, requesters, and the personal data planted in each comment,
reduced to what a sweep knows (entity *types* per comment, no text).
"""

from __future__ import annotations

import tomllib
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest

from gdprguard.connectors.freshdesk import FreshdeskConnector
from gdprguard.connectors.zendesk import ZendeskConnector
from gdprguard.policy import (
    ENTITY_TYPES,
    OPERATORS,
    CommentFacts,
    Duration,
    PersonFacts,
    Policy,
    TicketDecision,
    TicketFacts,
    consolidate,
    copy_shipped_policies,
    default_policy_path,
    load_policy,
    shipped_policies,
)
from gdprguard.sandbox.data import DEFAULT_ANCHOR, generate

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime.fromtimestamp(DEFAULT_ANCHOR, UTC)  # the end of the sandbox's five years
CAPABILITIES = {
    "zendesk": ZendeskConnector.capabilities,
    "freshdesk": FreshdeskConnector.capabilities,
}
HELD_EVERY = 25  # every 25th ticket carries a legal-hold tag


def _time(ts: int | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


@cache
def five_years(tickets: int = 600) -> tuple[TicketFacts, ...]:
    """Facts for the sandbox's five-year history, detection replaced by its ground truth."""
    data = generate(seed=7, tickets=tickets)
    body_types: dict[int, set[str]] = {}
    ticket_types: dict[int, set[str]] = {}
    for planted in data.planted:
        if planted.comment_id is not None and planted.field == "body":
            body_types.setdefault(planted.comment_id, set()).add(planted.type)
        elif planted.comment_id is None and planted.field.startswith(("subject", "custom_fields")):
            ticket_types.setdefault(planted.ticket_id, set()).add(planted.type)
    last_seen: dict[int, int] = {}
    for comment in data.comments.values():
        last_seen[comment.author_id] = max(last_seen.get(comment.author_id, 0), comment.created_at)
    out = []
    for t in data.tickets.values():
        comments = [data.comments[c] for c in t.comment_ids]
        person = data.people[t.requester_id]
        tags = set(t.tags) | ({"legal_hold"} if t.id % HELD_EVERY == 0 else set())
        out.append(
            TicketFacts(
                connector="support",
                ticket_id=str(t.id),
                status=t.status,
                tags=frozenset(tags),
                group=str(t.group_id),
                channel=t.channel,
                organization=str(t.organization_id) if t.organization_id else None,
                custom_fields=t.custom_fields,
                created_at=_time(t.created_at),
                updated_at=_time(t.updated_at),
                sender_recorded=t.via_from is not None,
                entity_types=frozenset(ticket_types.get(t.id, ())),
                comments=tuple(
                    CommentFacts(
                        id=str(c.id),
                        created_at=_time(c.created_at),
                        public=c.public,
                        entity_types=frozenset(body_types.get(c.id, ())),
                        attachment_ids=tuple(str(a) for a in c.attachment_ids),
                        system_metadata=bool(c.metadata.get("system")),
                    )
                    for c in comments
                ),
                requester=PersonFacts(
                    id=str(person.id),
                    role=person.role,
                    created_at=_time(person.created_at),
                    last_activity_at=_time(last_seen.get(person.id, person.updated_at)),
                ),
            )
        )
    return tuple(out)


@cache
def decisions(name: str) -> tuple[TicketDecision, ...]:
    policy = load_policy(ROOT / "policies" / f"{name}.yaml")
    return tuple(
        policy.decide(f, NOW, capabilities=ZendeskConnector.capabilities) for f in five_years()
    )


def counts(found: tuple[TicketDecision, ...]) -> Counter[str]:
    return Counter(f"{a.action}:{a.target_kind}" for d in found for a in d.actions)


# --- what ships -----------------------------------------------------------------------------------


def test_shipped_policies_are_the_policies_folder_and_default_comes_first() -> None:
    names = [p.name for p in shipped_policies()]
    assert names == sorted(p.name for p in (ROOT / "policies").glob("*.yaml"))
    assert names[0] == "default.yaml" == default_policy_path().name
    assert {"default.yaml", "jp-appi.yaml", "pci-cards.yaml"} <= set(names)
    for item in shipped_policies():
        assert item.read_bytes() == (ROOT / "policies" / item.name).read_bytes()


def test_shipped_policies_are_package_data(tmp_path: Path) -> None:
    """setuptools' own build step, with pyproject's package-data, puts the YAML in the package."""
    from setuptools import Distribution

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = config["tool"]["setuptools"]["package-data"]
    dist = Distribution(
        {
            "name": "gdprguard",
            "packages": ["gdprguard.policy"],
            "package_dir": {"": str(ROOT / "src")},
            "package_data": package_data,
            "script_name": str(ROOT / "pyproject.toml"),
        }
    )
    build = dist.get_command_obj("build_py")
    build.build_lib = str(tmp_path / "lib")  # type: ignore[attr-defined]
    build.compile = False  # type: ignore[attr-defined]
    dist.run_command("build_py")
    built = sorted(p.name for p in (tmp_path / "lib/gdprguard/policy/shipped").glob("*.yaml"))
    assert built == [p.name for p in shipped_policies()]
    assert not (tmp_path / "lib/gdprguard/policy/shipped").is_symlink()  # real files in a wheel


def test_copy_shipped_policies_never_overwrites_edits(tmp_path: Path) -> None:
    written = copy_shipped_policies(tmp_path / "policies")
    assert [p.name for p in written] == [p.name for p in shipped_policies()]
    edited = tmp_path / "policies" / "default.yaml"
    edited.write_text("# mine\n", encoding="utf-8")
    assert copy_shipped_policies(tmp_path / "policies") == []
    assert edited.read_text(encoding="utf-8") == "# mine\n"
    assert len(copy_shipped_policies(tmp_path / "policies", overwrite=True)) == len(written)


def test_vocabularies_match_detection() -> None:
    from gdprguard.detect import ENTITY_TYPES as DETECTED
    from gdprguard.detect import OPERATORS as DETECT_OPERATORS

    assert ENTITY_TYPES == DETECTED
    assert OPERATORS == DETECT_OPERATORS


@pytest.mark.parametrize("name", ["default", "jp-appi", "pci-cards"])
def test_each_shipped_policy_checks_clean_against_both_helpdesks(name: str) -> None:
    policy = load_policy(ROOT / "policies" / f"{name}.yaml")
    problems = policy.check(CAPABILITIES)
    assert not [p for p in problems if p.severity == "error"], [str(p) for p in problems]
    forever = [p for p in problems if "forever" in p.message]
    assert bool(forever) == (name == "pci-cards"), [str(p) for p in forever]


def test_default_and_jp_appi_have_realtime_rules_for_cards_and_my_number() -> None:
    for name in ("default", "jp-appi"):
        rules = load_policy(ROOT / "policies" / f"{name}.yaml").realtime_rules()
        selected = {t for r in rules if isinstance(r.when.entities, list) for t in r.when.entities}
        assert {"CREDIT_CARD", "JP_MY_NUMBER"} <= selected
        card = next(r for r in rules if r.when.entities == ["CREDIT_CARD"])
        assert card.keep_digits is not None
        assert (card.keep_digits.first, card.keep_digits.last) == (6, 4)


# --- behaviour on five years of tickets -----------------------------------------------------------


def test_the_five_year_set_is_realistic() -> None:
    facts = five_years()
    ages = [(NOW - f.created_at).days for f in facts if f.created_at]
    assert min(ages) < 60 and max(ages) > 4 * 365
    statuses = Counter(f.status for f in facts)
    assert statuses["closed"] > 300 and statuses["open"] + statuses["new"] + statuses["pending"] > 0
    assert sum("CREDIT_CARD" in c.entity_types for f in facts for c in f.comments) > 10
    assert sum("JP_MY_NUMBER" in c.entity_types for f in facts for c in f.comments) > 10


def test_default_changes_something_in_a_five_year_helpdesk() -> None:
    found = counts(decisions("default"))
    assert found["delete:ticket"] > 100
    assert found["redact:comment"] > 100
    assert found["redact_attachments:attachment"] > 5
    assert found["anonymize_person:person"] > 10


def test_default_leaves_nothing_alive_forever() -> None:
    policy = load_policy(ROOT / "policies" / "default.yaml")
    for facts, decision in zip(five_years(), decisions("default"), strict=True):
        if decision.held:
            continue
        deleted_now = any(a.action in ("delete", "purge") for a in decision.actions
                          if a.target_kind == "ticket")  # fmt: skip
        if deleted_now:
            continue
        assert decision.deletion_due is not None, facts.ticket_id
        assert facts.created_at is not None
        # solved tickets within three years of their last comment, open ones within two years
        # of their last update: well inside six years of creation for this history
        assert decision.deletion_due - facts.created_at < timedelta(days=6 * 366), facts.ticket_id
        assert policy.deletion_due(facts, NOW) == (decision.deletion_due, decision.deletion_rule)


def test_default_held_tickets_are_untouched() -> None:
    held = [d for d in decisions("default") if d.held]
    assert len(held) == len(five_years()) // HELD_EVERY
    assert all(d.actions == () and d.hold == "legal-hold" for d in held)
    assert all(d.blocked_person_ids for d in held)
    merged = consolidate(decisions("default"))
    blocked = {pid for d in decisions("default") for pid in d.blocked_person_ids}
    assert blocked and not [
        a for a in merged if a.target_kind == "person" and a.target_id in blocked
    ]


def test_default_never_deletes_recent_or_open_tickets() -> None:
    for facts, decision in zip(five_years(), decisions("default"), strict=True):
        for action in decision.actions:
            if action.action in ("delete", "purge") and action.target_kind == "ticket":
                assert facts.is_solved, facts.ticket_id
                assert facts.solved_time is not None
                assert NOW - facts.solved_time >= timedelta(days=3 * 365)
            if (
                action.action == "redact"
                and facts.solved_time
                and (NOW - facts.solved_time < timedelta(days=365))
            ):
                assert action.entity_types is not None  # only identifiers before a year
                assert set(action.entity_types) <= {
                    "CREDIT_CARD", "JP_MY_NUMBER", "IBAN_CODE", "JP_BANK_ACCOUNT", "JP_PASSPORT",
                    "JP_DRIVER_LICENSE",
                }  # fmt: skip


def test_default_redacts_every_card_number_not_deleted_anyway() -> None:
    seen = 0
    for facts, decision in zip(five_years(), decisions("default"), strict=True):
        if decision.held or any(a.target_kind == "ticket" for a in decision.actions):
            continue
        planned = {a.target_id: a for a in decision.actions if a.target_kind == "comment"}
        for comment in facts.comments:
            if "CREDIT_CARD" in comment.entity_types:
                seen += 1
                spec = planned[comment.id].spec_for("CREDIT_CARD")
                assert spec is not None and (spec.keep_first, spec.keep_last) == (6, 4)
                assert planned[comment.id].keep_original_for is None  # no copy of a card number
    assert seen > 5


def test_default_states_what_the_api_cannot_change() -> None:
    with_notes = [d for d in decisions("default") if d.notes and not d.held]
    assert with_notes
    for decision in with_notes:
        for note in decision.notes:
            assert "until the ticket is deleted on" in note
            assert "indefinitely" not in note


def test_jp_appi_keeps_five_years_and_no_my_number_copies() -> None:
    found = decisions("jp-appi")
    default = decisions("default")
    assert counts(found)["delete:ticket"] < counts(default)["delete:ticket"]
    for facts, decision in zip(five_years(), found, strict=True):
        for action in decision.actions:
            if action.target_kind == "ticket" and action.action == "delete":
                assert facts.solved_time is not None
                assert Duration(5, "y").after(facts.solved_time) <= NOW
            if action.action == "redact" and action.spec_for("JP_MY_NUMBER") is not None:
                comment = next(c for c in facts.comments if c.id == action.target_id)
                if "JP_MY_NUMBER" in comment.entity_types:
                    assert action.keep_original_for is None


def test_pci_cards_only_redacts_card_numbers() -> None:
    found = decisions("pci-cards")
    assert set(counts(found)) == {"redact:comment"}
    for decision in found:
        for action in decision.actions:
            assert action.entity_types == ("CREDIT_CARD",) and action.realtime


def test_a_sweep_of_five_years_is_fast() -> None:
    import time

    policy: Policy = load_policy(ROOT / "policies" / "default.yaml")
    facts = five_years()
    started = time.perf_counter()
    for f in facts:
        policy.decide(f, NOW)
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0, f"{len(facts)} decisions took {elapsed:.2f}s"


def test_the_shipped_policies_are_real_files_in_the_package() -> None:
    """Package data must not depend on a symbolic link (a checkout without link support, e.g.
    on Windows, would install none); the top-level ``policies/`` is the convenience link."""
    import gdprguard.policy

    folder = Path(gdprguard.policy.__file__).parent / "shipped"
    assert folder.is_dir() and not folder.is_symlink()
    files = sorted(p.name for p in folder.glob("*.yaml"))
    assert files == ["default.yaml", "jp-appi.yaml", "pci-cards.yaml"]
    assert not any(p.is_symlink() for p in folder.iterdir())
