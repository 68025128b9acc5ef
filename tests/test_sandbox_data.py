"""Seeded synthetic data: reproducible, realistic, and with an honest ground truth."""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata

import pytest

from gdprguard.sandbox import SandboxConfig, SandboxServer, generate
from gdprguard.sandbox._checksums import (
    luhn_check_digit,
    luhn_valid,
    my_number_check_digit,
    my_number_valid,
)
from gdprguard.sandbox.faults import FaultInjector, RateLimiter
from gdprguard.sandbox.state import SandboxState, html_to_text


def _dump(seed: int, tickets: int) -> bytes:
    data = generate(seed, tickets)
    return json.dumps(
        dataclasses.asdict(data), default=lambda b: b.hex(), ensure_ascii=False
    ).encode()


def test_same_seed_gives_byte_identical_data() -> None:
    assert _dump(4, 60) == _dump(4, 60)
    assert _dump(4, 60) != _dump(5, 60)


def test_checksums_known_values() -> None:
    assert luhn_check_digit("411111111111111") == "1"
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert my_number_check_digit("12345678901") == "8"
    assert my_number_valid("123456789018") and not my_number_valid("123456789012")


def test_planted_values_are_where_the_ground_truth_says() -> None:
    data = generate(9, 120)
    state = SandboxState(data)
    truth = state.ground_truth("zendesk")
    assert len(truth["planted"]) == len(data.planted)  # nothing lost before any change
    for item in truth["planted"]:
        if item["field"] == "body":
            assert item["value"] in data.comments[item["comment_id"]].body
        value = unicodedata.normalize("NFKC", item["value"]).replace(" ", "").replace("-", "")
        if item["type"] == "CREDIT_CARD":
            assert luhn_valid(value)
        if item["type"] == "JP_MY_NUMBER":
            assert my_number_valid(value)
    types = {p["type"] for p in truth["planted"]}
    assert types == {
        "PERSON",
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "CREDIT_CARD",
        "IP_ADDRESS",
        "LOCATION",
        "JP_MY_NUMBER",
        "JP_POSTAL_CODE",
    }


def test_data_is_varied_like_a_real_helpdesk() -> None:
    data = generate(3, 300)
    tickets = list(data.tickets.values())
    years = {time // (365 * 86400) for time in (t.created_at for t in tickets)}
    assert len(years) >= 5
    assert {t.channel for t in tickets} >= {"email", "web", "chat", "voice", "twitter", "facebook"}
    assert {t.status for t in tickets} >= {"closed", "solved", "open"}
    locales = {p.locale for p in data.people.values() if p.role == "end-user"}
    assert locales == {"en-US", "ja"}
    bodies = [c.body for c in data.comments.values()]
    assert any(re.search(r"[\u3040-\u30ff]", b) for b in bodies)  # Japanese
    assert any(re.search(r"[０-９]", b) for b in bodies)  # full-width digits
    assert all(1 <= len(t.comment_ids) <= 6 for t in tickets)
    assert any(a.content_type == "text/plain" for a in data.attachments.values())
    assert any(
        '<a href="mailto:' in c.html_body for c in data.comments.values() if c.channel == "email"
    )
    for comment in data.comments.values():
        assert html_to_text(comment.html_body) == comment.body


def test_japanese_people_have_matching_romanised_emails() -> None:
    data = generate(2, 60)
    ja = [p for p in data.people.values() if p.locale == "ja"]
    assert ja and all(p.email and re.fullmatch(r"[a-z0-9.]+@[a-z.]+", p.email) for p in ja)


def test_config_rejects_bad_values() -> None:
    with pytest.raises(ValueError):
        SandboxConfig(flavor="jira")
    with pytest.raises(ValueError):
        SandboxConfig(fault_rate=1.5)
    with pytest.raises(ValueError):
        SandboxConfig(faults=("meteor",))
    with pytest.raises(ValueError):
        SandboxServer(rate_limit=0)


def test_rate_limiter_refills_on_its_clock() -> None:
    now = [0.0]
    limiter = RateLimiter(60, burst=2, clock=lambda: now[0])
    assert [limiter.charge().allowed for _ in range(3)] == [True, True, False]
    assert limiter.charge().retry_after == 1
    now[0] += 1.0
    assert limiter.charge().allowed
    unlimited = RateLimiter(None)
    assert all(unlimited.charge().allowed for _ in range(1000))


def test_fault_decisions_depend_only_on_seed_and_request() -> None:
    a = FaultInjector(0.3, seed=1, kinds=("500", "drop"))
    b = FaultInjector(0.3, seed=1, kinds=("500", "drop"))
    paths = [f"/api/v2/tickets/{n % 7}" for n in range(200)]
    first = [a.decide("GET", p) for p in paths]
    assert first == [b.decide("GET", p) for p in paths]
    assert 30 < sum(kind is not None for kind in first) < 90
    assert FaultInjector(0.0, seed=1).decide("GET", "/x") is None
