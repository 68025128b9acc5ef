"""The benchmark's side of the sandbox helpdesk: tickets with card numbers, and the final checks.

Tickets are opened the way an end user opens one (``POST /_sandbox/tickets``, the web form: no
rate limit, not counted as a write), each with one comment holding a distinct valid card number,
registered as planted values (``POST /_bench/planted``) so that the sandbox's ground truth
reports the ones still present. At the end, *lost* counts card numbers still there and *twice*
counts comments the sandbox saw written more than once (``GET /_sandbox/writes``).
"""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import requests

__all__ = ["BenchTicket", "Verdict", "answers", "card_number", "open_tickets", "verdict"]

_TEMPLATES = (
    "Hi, I was charged twice for my last order. The card is {card}, please refund one of them.",
    "Please update my payment method to {card} before the next renewal. Thanks!",
    "My card {card} was declined at checkout although it has funds. Can you check?",
    "Order still not shipped. I paid with {card} on Monday, is there a problem?",
    "Could you cancel the subscription billed to card number {card}? Regards",
)


@dataclass(frozen=True)
class BenchTicket:
    """A ticket the benchmark opened, its comment and the card number in it."""

    ticket_id: int
    comment_id: int
    card: str


def card_number(rng: random.Random) -> str:
    """A 16-digit number starting with 4 and passing the Luhn check, in groups of four."""
    digits = [4, *(rng.randrange(10) for _ in range(14))]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if position % 2 == 0 else digit
        total += doubled - 9 if doubled > 9 else doubled
    number = "".join(map(str, digits)) + str((10 - total % 10) % 10)
    return " ".join(number[i : i + 4] for i in range(0, 16, 4))


def _auth(creds: dict[str, str]) -> tuple[str, str]:
    return f"{creds['email']}/token", creds["token"]


def open_tickets(creds: dict[str, str], count: int, *, seed: int = 7) -> list[BenchTicket]:
    """Open *count* tickets, each with a distinct card number in its first comment."""
    rng = random.Random(seed)
    cards: list[str] = []
    seen: set[str] = set()
    while len(cards) < count:
        card = card_number(rng)
        if card not in seen:
            seen.add(card)
            cards.append(card)
    texts = [rng.choice(_TEMPLATES).format(card=card) for card in cards]
    local = threading.local()

    def one(index: int) -> BenchTicket:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            session.auth = _auth(creds)
        answer = session.post(
            f"{creds['url']}/_sandbox/tickets",
            json={
                "subject": "Billing question",
                "comment": texts[index],
                "requester_email": f"customer{index}@example.com",
            },
            timeout=60,
        )
        answer.raise_for_status()
        body = answer.json()
        return BenchTicket(int(body["ticket_id"]), int(body["comment_id"]), cards[index])

    with ThreadPoolExecutor(max_workers=8) as pool:
        tickets = list(pool.map(one, range(count)))
    planted = [
        {"ticket_id": t.ticket_id, "comment_id": t.comment_id, "value": t.card} for t in tickets
    ]
    answer = requests.post(
        f"{creds['url']}/_bench/planted", json=planted, auth=_auth(creds), timeout=120
    )
    answer.raise_for_status()
    return tickets


def answers(creds: dict[str, str]) -> dict[str, Any]:
    """The sandbox's API answers by status so far, and its CPU seconds (``/_bench/answers``)."""
    answer = requests.get(f"{creds['url']}/_bench/answers", auth=_auth(creds), timeout=60)
    answer.raise_for_status()
    return dict(answer.json())


@dataclass(frozen=True)
class Verdict:
    """The end state of the benchmark's tickets in the sandbox."""

    tickets: int
    lost: int  # card numbers still present in any place the ground truth looks
    redacted_once: int  # bench comments written exactly once
    twice: int  # comments (any) written more than once


def verdict(creds: dict[str, str], tickets: list[BenchTicket]) -> Verdict:
    """Check the sandbox's ground truth and write counts for *tickets*."""
    truth = requests.get(f"{creds['url']}/_sandbox/ground-truth", auth=_auth(creds), timeout=300)
    truth.raise_for_status()
    ours = {t.card for t in tickets}
    present = {p["value"] for p in truth.json()["planted"] if p["type"] == "CREDIT_CARD"}
    writes = requests.get(f"{creds['url']}/_sandbox/writes", auth=_auth(creds), timeout=300)
    writes.raise_for_status()
    totals: dict[str, int] = writes.json()["writes"]
    once = sum(1 for t in tickets if totals.get(f"comment:{t.comment_id}") == 1)
    twice = sum(1 for key, n in totals.items() if key.startswith("comment:") and n > 1)
    return Verdict(len(tickets), len(ours & present), once, twice)
