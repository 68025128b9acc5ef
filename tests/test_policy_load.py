"""Loading policies: every error names file, line and column, says how to fix it, suggests a fix.

Also the checks that relate keys to each other: contradictions are errors, doubtful rules are
warnings (shadowed rules, conflicting operators, policies that keep tickets forever).
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent, indent

import pytest

from gdprguard import PolicyError
from gdprguard.policy import Policy, PolicyValidationError, Problem, load_policy, parse_policy

GOOD = """\
version: 1
holds:
  - name: litigation
    tags: [legal_hold]
rules:
  - name: delete-solved-after-3y
    when: {kind: ticket, status: [solved, closed], solved_more_than: 3y}
    action: delete
  - name: delete-abandoned
    when: {kind: ticket, status: [new, open, pending, hold], updated_more_than: 2y}
    action: delete
"""


def errors(text: str) -> list[Problem]:
    with pytest.raises(PolicyValidationError) as caught:
        parse_policy(dedent(text), "p.yaml")
    assert isinstance(caught.value, PolicyError) and caught.value.exit_code == 2
    return caught.value.problems


def one_error(text: str) -> Problem:
    found = errors(text)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def warnings(text: str) -> list[str]:
    policy = parse_policy(text, "p.yaml")
    return [p.message for p in policy.check() if p.severity == "warning"]


def with_rules(block: str) -> str:
    """GOOD with more rules appended (written at column 0 in the test)."""
    return GOOD + indent(dedent(block), "  ")


def test_a_good_policy_loads_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "retention.yaml"
    path.write_text(GOOD, encoding="utf-8")
    policy = load_policy(path)
    assert isinstance(policy, Policy)
    assert policy.name == "retention" and [r.name for r in policy.rules] == [
        "delete-solved-after-3y", "delete-abandoned",
    ]  # fmt: skip
    assert policy.check() == []
    assert policy.rule("delete-abandoned").when.updated_more_than is not None


def test_unknown_key_points_at_the_key_and_suggests_the_right_one() -> None:
    problem = one_error(
        """\
        version: 1
        rules:
          - name: r
            when:
              kind: ticket
              stauts: closed
              solved_more_than: 3y
            action: delete
        """
    )
    assert (problem.line, problem.column) == (6, 7)
    assert "unknown key 'stauts' in rules[0].when" in problem.message
    assert "did you mean 'status'?" in problem.message
    assert str(problem).startswith("p.yaml:6:7: error: ")


@pytest.mark.parametrize(
    ("snippet", "where", "needles"),
    [
        ("    action: delte\n", (7, 13), ["unknown action 'delte'", "did you mean 'delete'?"]),
        ("    action: delete\n    operater: mask\n", (8, 5), ["did you mean 'operator'?"]),
        ("    action: delete\n    keep_orginal_for: 30d\n", (8, 5),
         ["did you mean 'keep_original_for'?"]),
    ],
)  # fmt: skip
def test_typos_in_values_and_rule_keys(
    snippet: str, where: tuple[int, int], needles: list[str]
) -> None:
    text = (
        "version: 1\nrules:\n  - name: r\n    when:\n      kind: ticket\n"
        "      solved_more_than: 3y\n" + snippet
    )
    problems = errors(text)
    first = problems[0]
    assert (first.line, first.column) == where, str(first)
    for needle in needles:
        assert needle in first.message


def test_typos_in_vocabularies_suggest_the_closest_word() -> None:
    problems = errors(
        """\
        version: 1
        rules:
          - name: r
            when: {kind: comment, status: [solvd], entities: [EMAIL_ADRESS]}
            action: redact
            operator: maks
          - name: s
            when: {kind: tiket}
            action: keep
        """
    )
    text = "\n".join(str(p) for p in problems)
    line4 = "    when: {kind: comment, status: [solvd], entities: [EMAIL_ADRESS]}"
    at = line4.index("solvd") + 1
    assert f"p.yaml:4:{at}: error: rules[0].when.status[0]: unknown ticket status 'solvd'" in text
    at = line4.index("EMAIL_ADRESS") + 1
    assert f"p.yaml:4:{at}: error: rules[0].when.entities[0]: unknown entity type" in text
    assert "did you mean 'solved'?" in text
    assert "did you mean 'EMAIL_ADDRESS'?" in text
    assert "p.yaml:6:15:" in text and "did you mean 'mask'?" in text
    assert "p.yaml:8:18:" in text and "did you mean 'ticket'?" in text


def test_missing_keys_and_wrong_types() -> None:
    problems = errors(
        """\
        version: 1
        rules:
          - name: r
            when: {kind: comment, public: maybe, tags: {any: [a], most: [b]}}
          - when: {kind: ticket}
            action: keep
        """
    )
    text = "\n".join(str(p) for p in problems)
    assert "p.yaml:3:5: error: rules[0] needs the key 'action'" in text
    assert "rules[0].when.public must be true or false" in text
    assert "unknown key 'most' in rules[0].when.tags" in text
    assert "rules[1] needs the key 'name'" in text


def test_version_and_structure() -> None:
    missing = errors("rules: []\n")
    assert "the policy needs the key 'version' (add `version: 1` at the top)" in missing[0].message
    problem = one_error("version: 2\nrules:\n  - {name: r, when: {kind: ticket}, action: keep}\n")
    assert "unsupported policy version 2" in problem.message and problem.line == 1
    problem = one_error("- just\n- a list\n")
    assert "a policy is a mapping" in problem.message
    problems = errors("version: 1\nrules: []\n")
    assert any("rules must not be empty" in p.message for p in problems)


@pytest.mark.parametrize(
    ("text", "position", "needle"),
    [
        ("version: 1\nrules:\n\t- name: r\n", (3, 1), "tabs"),
        ("version: 1\nversion: 1\n", (2, 1), "duplicate key 'version' (first written at line 1)"),
        ("version: 1\n---\nversion: 1\n", (2, 1), "more than one YAML document"),
        ("a: &x 1\nb: *x\n", (1, 1), "anchors and aliases"),
        ("version: 1\nrules: [\n", None, "invalid YAML"),
        ("version: !!python/object:os.system 1\n", (1, 10), "unsupported YAML tag"),
        ("", None, "the file is empty"),
    ],
)
def test_yaml_problems_have_positions(
    text: str, position: tuple[int, int] | None, needle: str
) -> None:
    problem = one_error(text)
    assert needle in problem.message
    if position is not None:
        assert (problem.line, problem.column) == position


def test_file_problems(tmp_path: Path) -> None:
    with pytest.raises(PolicyValidationError, match="does not exist"):
        load_policy(tmp_path / "nope.yaml")
    with pytest.raises(PolicyValidationError, match="is a directory"):
        load_policy(tmp_path)
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("version: 1\n# caf\xe9\n".encode("latin-1"))
    with pytest.raises(PolicyValidationError, match="not UTF-8"):
        load_policy(bad)
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_policy(bom).name == "bom"


def test_all_errors_are_reported_at_once_in_order() -> None:
    problems = errors(
        """\
        version: 1
        rules:
          - name: a
            when: {kind: ticket, created_more_than: 5 decades}
            action: delete
          - name: b
            when: {kind: comment}
            action: purge
        """
    )
    assert [p.line for p in problems] == sorted(p.line or 0 for p in problems)
    assert len(problems) == 1  # shape errors first: the semantic checks wait for a valid shape
    problems = errors(
        """\
        version: 1
        rules:
          - name: a
            when: {kind: comment, inactive_more_than: 3y}
            action: delete
          - name: a
            when: {kind: person, public: true}
            action: keep
        """
    )
    text = "\n".join(str(p) for p in problems)
    assert (
        "p.yaml:4:27: error: rule 'a': when.inactive_more_than does not apply to kind comment"
        in text
    )
    assert "p.yaml:5:13: error: rule 'a': a comment cannot be deleted" in text
    assert "p.yaml:6:11: error: rule name 'a' is used twice" in text
    assert "when.public does not apply to kind person" in text
    assert "keeps records with no age limit" in text


# --- contradictions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "needle"),
    [
        ("when: {kind: ticket, created_more_than: 5y, created_less_than: 3y}\n    action: delete",
         "can never match: created more than 5y ago and less than 3y ago"),
        ("when: {kind: ticket, created_more_than: 12m, created_less_than: 1y}\n    action: delete",
         "can never match"),
        ("when: {kind: ticket, status: [open], solved_more_than: 1y}\n    action: delete",
         "asks for a solve time but only for open statuses"),
        ("when: {kind: ticket, deleted: true, updated_more_than: 30d}\n    action: delete",
         "can only be purged or kept"),
        ("when: {kind: ticket, solved_more_than: 1y}\n    action: keep",
         "keeps records with no age limit"),
        ("when: {kind: ticket, created_less_than: 1y}\n    action: keep\n"
         "    keep_original_for: 30d", "there is no original to seal"),
        ("when: {kind: ticket, solved_more_than: 1y}\n    action: delete\n    operator: mask",
         "operator only applies to action redact"),
        ("when: {kind: comment}\n    action: redact\n    keep_digits: {first: 6, last: 4}",
         "keep_digits is for card numbers only"),
        ("when: {kind: comment, entities: [CREDIT_CARD]}\n    action: redact\n"
         "    keep_digits: {first: 9, last: 4}", "PCI DSS"),
        ("when: {kind: ticket}\n    action: delete\n    realtime: true",
         "only redact rules on tickets or comments"),
        ("when: {kind: ticket, solved_more_than: 1y}\n    action: redact\n    realtime: true",
         "an age condition cannot hold"),
        ("when: {kind: comment, created_more_than: 1d}\n    action: redact\n    realtime: true",
         "an age condition cannot hold"),
        ("when: {kind: attachment, entities: any}\n    action: redact_attachments",
         "entity types are found in comments and tickets"),
        ("when: {kind: ticket, tags: []}\n    action: keep", "an empty list matches nothing"),
        ("when: {kind: ticket, solved_more_than: 1y}\n    action: anonymize_person",
         "use kind: person to anonymise requesters"),
    ],
)  # fmt: skip
def test_contradictions_are_errors(rule: str, needle: str) -> None:
    text = f"version: 1\nrules:\n  - name: r\n    {rule}\n"
    found = errors(text)
    assert any(needle in p.message for p in found), [str(p) for p in found]
    assert all(p.line is not None for p in found)


def test_holds_need_a_condition_and_names_are_checked() -> None:
    problems = errors(
        """\
        version: 1
        holds:
          - name: Litigation Hold
            tags: [x]
          - name: empty
        rules:
          - {name: r, when: {kind: ticket, created_less_than: 1y}, action: keep}
        """
    )
    text = "\n".join(str(p) for p in problems)
    assert "hold name 'Litigation Hold' must be 1-80 lower-case letters" in text
    problems = errors(
        "version: 1\nholds:\n  - name: empty\nrules:\n"
        "  - {name: r, when: {kind: ticket, created_less_than: 1y}, action: keep}\n"
    )
    assert "p.yaml:3:5: error: hold 'empty' names no tags and no custom_fields" in str(problems[0])


# --- warnings ------------------------------------------------------------------------------------


def test_removal_without_an_age_is_a_warning() -> None:
    found = warnings(GOOD + "  - {name: wipe, when: {kind: ticket, tags: [spam]}, action: purge}\n")
    assert any("rule 'wipe' purges every ticket it selects at the next sweep" in w for w in found)


def test_shadowed_rules_are_warnings() -> None:
    found = warnings(
        with_rules(
            """\
            - name: purge-solved-after-2y
              when: {kind: ticket, status: [solved, closed], solved_more_than: 24m}
              action: purge
            - name: delete-vip-after-4y
              when: {kind: ticket, status: [closed], tags: [vip], solved_more_than: 4y}
              action: delete
            - name: keep-contracts
              when: {kind: comment, tags: [contract], created_less_than: 10y}
              action: keep
            - name: redact-contracts
              when: {kind: comment, tags: {all: [contract, vip]}, created_less_than: 5y}
              action: redact
            """
        )
    )
    shadowed = [w for w in found if "never takes effect" in w]
    assert any(w.startswith("rule 'delete-solved-after-3y' never takes effect") for w in shadowed)
    assert any(w.startswith("rule 'delete-vip-after-4y' never takes effect") for w in shadowed)
    assert any(
        w.startswith("rule 'redact-contracts' never takes effect: keep rule 'keep-contracts'")
        for w in shadowed
    )
    # a purge that starts later does not shadow an earlier deletion
    assert not any("delete-abandoned" in w for w in shadowed)


def test_conflicting_operators_for_the_same_type_are_a_warning() -> None:
    base = with_rules(
        """\
        - name: mask-emails
          when: {kind: comment, entities: [EMAIL_ADDRESS]}
          action: redact
          operator: mask
        - name: pseudonymise-emails
          when: {kind: comment, status: [solved], entities: [EMAIL_ADDRESS, PERSON]}
          action: redact
          operator: pseudonym
        - name: everything-else
          when: {kind: comment, solved_more_than: 1y}
          action: redact
          operator: placeholder
        """
    )
    found = warnings(base)
    conflicts = [w for w in found if "differently from rule" in w]
    assert conflicts == [
        "rule 'pseudonymise-emails' redacts EMAIL_ADDRESS differently from rule 'mask-emails', "
        "which is listed first and decides how those are redacted where both match; reorder the "
        "rules or align their operator and keep_digits"
    ]
    disjoint = base.replace("kind: comment, entities: [EMAIL_ADDRESS]}", "kind: comment, "
                            "status: [open], entities: [EMAIL_ADDRESS]}")  # fmt: skip
    assert not [w for w in warnings(disjoint) if "differently from rule" in w]


def test_policies_that_keep_tickets_forever_are_warned_about() -> None:
    only_cards = """\
    version: 1
    rules:
      - name: cards
        realtime: true
        when: {kind: comment, entities: [CREDIT_CARD]}
        action: redact
    """
    found = warnings(dedent(only_cards))
    assert any("no rule deletes every solved and closed ticket" in w for w in found)
    assert any("no rule deletes open tickets that nobody touches" in w for w in found)
    assert not [w for w in warnings(GOOD) if "forever" in w]
    narrow = GOOD.replace(
        "closed], solved_more_than: 3y}", "closed], tags: [x], solved_more_than: 3y}"
    )
    assert any("no rule deletes every solved and closed ticket" in w for w in warnings(narrow))


def test_realtime_subset() -> None:
    policy = parse_policy(
        GOOD + "  - {name: cards, realtime: true, when: {kind: comment, entities: [CREDIT_CARD]},"
        " action: redact, keep_digits: {first: 6, last: 4}}\n"
    )
    assert [r.name for r in policy.realtime_rules()] == ["cards"]
    live = policy.realtime()
    assert [r.name for r in live.rules] == ["cards"] and live.holds == policy.holds
    with pytest.raises(PolicyValidationError, match="no rules with `realtime: true`"):
        parse_policy(GOOD).realtime()


# --- what each helpdesk can do -------------------------------------------------------------------


def test_impossible_actions_per_connector() -> None:
    from gdprguard.connectors.capabilities import Capabilities
    from gdprguard.connectors.freshdesk import FreshdeskConnector
    from gdprguard.connectors.zendesk import ZendeskConnector

    limited = Capabilities(
        permanent_ticket_delete=False,
        permanent_person_delete=False,
        redactable_comment_kinds=frozenset(),
        attachment_redaction="delete",
        bulk_comment_export=False,
        closed_ticket_updates=False,
        closed_ticket_redaction=False,
        archives_closed_tickets=False,
    )
    policy = parse_policy(
        with_rules(
            """\
            - name: cards
              when: {kind: comment, entities: [CREDIT_CARD]}
              action: redact
            - name: closed-files
              when: {kind: attachment, status: closed, solved_more_than: 1y}
              action: redact_attachments
            - name: purge-people
              when: {kind: person, inactive_more_than: 5y}
              action: purge
            - name: purge-zendesk-only
              when: {kind: ticket, connector: [zd], deleted: true, updated_more_than: 30d}
              action: purge
            """
        ),
        "p.yaml",
    )
    found = policy.check(
        {"odd": limited, "fd": FreshdeskConnector.capabilities, "zd": ZendeskConnector.capabilities}
    )
    errors = [str(p) for p in found if p.severity == "error"]
    assert errors == [
        "p.yaml:14:13: error: connector odd: rule 'cards' redacts comments, which this helpdesk's "
        "API cannot do; delete the tickets instead, or limit the rule with when.connector",
        "p.yaml:17:13: error: connector odd: rule 'closed-files' redacts attachments of closed "
        "tickets, which this helpdesk's API cannot do; delete those tickets instead",
        "p.yaml:20:13: error: connector odd: rule 'purge-people' purges people, which this "
        "helpdesk's API cannot do; use delete, or limit the rule to other connectors with "
        "when.connector",
    ]
    fd = [p.message for p in found if p.connector == "fd"]
    assert fd == [
        "connector fd: reply entries cannot be edited there, so the personal data that rule(s) "
        "'cards' would redact in them stays until the ticket is deleted"
    ]  # the purge is limited to zd
    assert not [p for p in found if p.connector == "zd"]
    assert all(p.rule for p in found)


def test_every_key_action_and_type_is_documented() -> None:
    from gdprguard.policy import (
        ACTIONS,
        ENTITY_TYPES,
        KINDS,
        Defaults,
        Hold,
        KeepDigits,
        PolicyDocument,
        Rule,
        Selector,
        TagMatch,
    )

    docs = (Path(__file__).resolve().parents[1] / "docs" / "policies.md").read_text("utf-8")
    models = (PolicyDocument, Rule, Selector, Hold, Defaults, TagMatch, KeepDigits)
    words = [k for m in models for k in m.model_fields] + [*ACTIONS, *KINDS, *ENTITY_TYPES]
    missing = sorted({w for w in words if f"`{w}`" not in docs and f"{w}:" not in docs})
    assert not missing, f"undocumented in docs/policies.md: {missing}"
