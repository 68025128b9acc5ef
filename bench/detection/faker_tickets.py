"""Faker-made mixed tickets: how many planted values survive redaction, per template and locale.

The template corpus of :mod:`bench.detection.run` was written together with the rules; here the
values come from Faker's own providers for ``en_US``, ``en_GB``, ``en_CA``, ``en_AU`` and
``ja_JP``, as a new user would try the tool. Phone numbers are drawn from each locale's phone
formats in turn (``001-###-###-####x###``, ``(0115) 496 0###``, ``090-####-####``, …) so every
written form gets many numbers. A ticket is one short template: a callback request, a change of
address, a payment note, and the Japanese ``ご注文の件で、090-… までご連絡いたします`` with and
without an order number before it.

A planted value *survives* when any of its letters or digits is left uncovered by the Detector's
findings (see :mod:`bench.detection.leaks`). Faker also writes values that are not valid as
written: phone numbers no one could dial (a Japanese area code without its trunk ``0``, an
8-digit Australian local number without its area code, a NANP area code starting with 0 or 1)
and Maestro numbers with the issuer prefix ``0604`` (ISO/IEC 7812 gives no card issuer a
leading 0). Those are counted apart and are not gold. Titles and suffixes (``Mr``, ``PhD``)
are written next to a name, not as part of the PERSON value.

Run ``python -m bench.detection.faker_tickets [--tickets N] [--seed S] [--write-docs]``.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata

import phonenumbers
from faker import Faker

from bench.detection.leaks import LeakRow, count_leaks, leak_table, structured_survivors, survives
from bench.detection.metrics import Pred
from bench.detection.model import Piece, Sample, SampleBuilder
from bench.detection.run import (
    DOCS_FILE,
    STRUCTURED,
    bench_main,
    detector_engine,
    write_block,
)

__all__ = ["FAKER_END", "FAKER_START", "TEMPLATES", "generate", "main", "phone_shape"]

FAKER_START = "<!-- bench:detection-faker:start -->"
FAKER_END = "<!-- bench:detection-faker:end -->"
DEFAULT_TICKETS = 20_000
DEFAULT_SEED = 7
_REGION = {"en_US": "US", "en_GB": "GB", "en_CA": "CA", "en_AU": "AU", "ja_JP": "JP"}
_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Template:
    """A ticket template: ``{slot}`` markers filled from one locale's Faker providers."""

    name: str
    locales: tuple[str, ...]
    text: str


_EN = ("en_US", "en_GB", "en_CA", "en_AU")
TEMPLATES: tuple[Template, ...] = (
    Template("ja/order_callback", ("ja_JP",), "ご注文の件で、{phone} までご連絡いたします。"),
    Template(
        "ja/order_number_callback",
        ("ja_JP",),
        "{name}様\nいつもご利用ありがとうございます。ご注文（注文番号 {order}）の件で、"
        "{phone} までご連絡いたします。",
    ),
    Template(
        "ja/delivery",
        ("ja_JP",),
        "お届け先の変更をお願いします。\n〒{postcode} {address}\n{name}\n電話：{phone}\n"
        "メール：{email}",
    ),
    Template(
        "ja/payment",
        ("ja_JP",),
        "注文番号 {order} の支払いについて。カード番号は{card}です。ご不明点は{phone}まで。",
    ),
    Template("en/callback", _EN, "Please call me back at {phone}."),
    Template(
        "en/callback_order",
        _EN,
        "Hi, this is {name} about order #{order}. You can reach me on {phone} or {email}.",
    ),
    Template(
        "en/address_change",
        _EN,
        "Hello,\nplease send the replacement to:\n{address}\nMy number is {phone}.\n"
        "Thanks,\n{name}",
    ),
    Template(
        "en/address_inline",
        _EN,
        "Could you update my address to {address_inline}? Phone {phone}, thanks.",
    ),
    Template(
        "en/payment",
        _EN,
        "Refund to card {card} or IBAN {iban}, please. The login came from {ip}. {name}",
    ),
)

_LABELS = {
    "name": "PERSON",
    "email": "EMAIL_ADDRESS",
    "phone": "PHONE_NUMBER",
    "address": "LOCATION",
    "address_inline": "LOCATION",
    "card": "CREDIT_CARD",
    "iban": "IBAN_CODE",
    "ip": "IP_ADDRESS",
    "postcode": "JP_POSTAL_CODE",
    "order": "~order_number",
}


def phone_shape(value: str) -> str:
    """The written form of a number: every digit becomes ``#`` (``(####) #######``)."""
    return re.sub(r"\d", "#", value)


def dialable(value: str, locale: str) -> bool:
    """Whether a number can be dialled as written: ``+CC``/``00 CC`` in the shape of the
    country's numbering plan, or nationally as a full number (nine or more digits after the
    trunk prefix, as every subscriber number of these five countries has) written exactly as
    the country writes it (the trunk ``0`` where the plan puts one; NANP's ``1`` optional)."""
    from gdprguard.text.phone import fits_plan, parse_phone, phone_digits

    number = parse_phone(value)
    if number is not None:
        return fits_plan(number)
    region = _REGION[locale]
    number = parse_phone(value, region)
    if number is None or not fits_plan(number):
        return False
    if len(phonenumbers.national_significant_number(number)) < 9:
        return False  # a short code or a local number without its area code
    written = phone_digits(value)
    if region in ("US", "CA") and len(written) == 11:
        written = written.removeprefix("1")
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phone_digits(national) == written


def valid_as_written(slot: str, value: str, locale: str) -> bool:
    """Phone numbers must be dialable, card numbers must carry an issuer prefix (not 0)."""
    if slot == "phone":
        return dialable(value, locale)
    if slot == "card":
        return not value.startswith("0")
    return True


class _Values:
    """Slot values of one locale, from Faker (phone formats taken in turn)."""

    def __init__(self, locale: str, seed: int) -> None:
        self.locale = locale
        self.fake = Faker(locale)
        self.fake.seed_instance(f"{seed}:{locale}")
        self.rng = random.Random(f"{seed}:{locale}:rng")
        provider = next(
            p for p in self.fake.providers if type(p).__module__.startswith("faker.providers.phone")
        )
        self.phone_formats: tuple[str, ...] = tuple(provider.formats)  # type: ignore[attr-defined]
        self._phones = 0

    def phone(self) -> str:
        fmt = self.phone_formats[self._phones % len(self.phone_formats)]
        self._phones += 1
        return self.fake.numerify(self.fake.parse(fmt))

    def name(self) -> list[Piece]:
        """A full name; a title or suffix (``Dr``, ``PhD``) stands beside it as plain text."""
        f = self.fake
        if self.locale == "ja_JP":
            return [Piece(f"{f.last_name()} {f.first_name()}", "PERSON")]
        pieces = [Piece(f"{f.first_name()} {f.last_name()}", "PERSON")]
        roll = self.rng.random()
        if roll < 0.2:
            pieces.insert(0, Piece(f.prefix() + " "))
        elif roll < 0.3:
            pieces.append(Piece(" " + f.suffix()))
        return pieces

    def value(self, slot: str) -> str:
        f = self.fake
        if slot == "phone":
            return self.phone()
        if slot == "address_inline":
            return f.address().replace("\n", ", ")
        if slot == "card":
            return f.credit_card_number()
        if slot == "ip":
            return f.ipv4_public()
        if slot == "iban":
            return f.iban()
        if slot == "order":
            return f"{self.rng.randint(2022, 2025)}-{self.rng.randint(1000, 9999)}-" + "".join(
                self.rng.choice("0123456789") for _ in range(4)
            )
        return str(getattr(f, slot)())


@dataclass(frozen=True)
class Ticket:
    """One generated ticket: the labelled sample and the locale of its values."""

    sample: Sample
    locale: str
    invalid: tuple[str, ...]  # values not valid as written, planted as plain text (not gold)


def generate(n: int, seed: int = DEFAULT_SEED) -> list[Ticket]:
    """``n`` tickets, templates and locales drawn uniformly (deterministic for a seed)."""
    rng = random.Random(seed)
    values: dict[str, _Values] = {}
    out = []
    for i in range(n):
        template = rng.choice(TEMPLATES)
        locale = rng.choice(template.locales)
        vals = values.setdefault(locale, _Values(locale, seed))
        builder = SampleBuilder()
        invalid: list[str] = []
        pos = 0
        for m in _SLOT.finditer(template.text):
            builder.add(template.text[pos : m.start()])
            slot = m.group(1)
            pos = m.end()
            if slot == "name":
                builder.extend(vals.name())
                continue
            value = vals.value(slot)
            label = _LABELS[slot]
            if not valid_as_written(slot, value, locale):
                invalid.append(value)
                label = f"~invalid_{slot}"
            builder.add(Piece(value, label))
        builder.add(template.text[pos:])
        sample = builder.build(f"faker-{i:05d}", locale[:2], f"{template.name} ({locale})")
        out.append(Ticket(sample, locale, tuple(invalid)))
    return out


@dataclass
class FakerResult:
    """Leak rows per template and locale, phone survivors per written form, and timing."""

    rows: dict[str, LeakRow]
    phone_shapes: dict[tuple[str, str], tuple[int, int]]
    invalid: Counter[str]  # values not valid as written, by slot
    invalid_flagged: Counter[str]  # ... of which the Detector flagged
    tickets: int
    seconds: float


def evaluate(tickets: Sequence[Ticket], analyze: Callable[[str], list[Pred]]) -> FakerResult:
    """Run the Detector on every ticket and count what survives."""
    t0 = time.perf_counter()
    preds = [analyze(t.sample.text) for t in tickets]
    seconds = time.perf_counter() - t0
    rows = count_leaks([t.sample for t in tickets], preds)
    shapes: dict[tuple[str, str], list[int]] = {}
    invalid: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    for ticket, sample_preds in zip(tickets, preds, strict=True):
        sample = ticket.sample
        for span in sample.spans:
            if span.type != "PHONE_NUMBER":
                continue
            counts = shapes.setdefault((ticket.locale, phone_shape(span.value)), [0, 0])
            counts[0] += 1
            counts[1] += survives(sample.text, span, sample_preds)
        for near in sample.near_misses:
            if near.kind.startswith("invalid_"):
                slot = near.kind.removeprefix("invalid_")
                invalid[slot] += 1
                flagged[slot] += any(
                    p.start < near.end and near.start < p.end for p in sample_preds
                )
    return FakerResult(
        rows, {k: (v[0], v[1]) for k, v in shapes.items()}, invalid, flagged, len(tickets), seconds
    )


def report(result: FakerResult, command: str, seed: int) -> str:
    """The markdown block (with its sub-markers) for ``docs/benchmarks.md``."""
    total_phones = sum(p for p, _ in result.phone_shapes.values())
    leaked_shapes = {k: v for k, v in result.phone_shapes.items() if v[1]}
    lines = [
        FAKER_START,
        "### Faker-made tickets (values the rules were not written against)",
        "",
        f"Command: `{command}`",
        "",
        f"{result.tickets:,} one-template tickets (seed {seed}) filled by Faker "
        f"{metadata.version('faker')} providers for en_US, en_GB, en_CA, en_AU and ja_JP "
        "(templates in `bench/detection/faker_tickets.py`); every phone format of each locale "
        "is used in turn. A planted value *survives* when any of its letters or digits is left "
        "uncovered by the Detector's findings. One row per template and locale; structured "
        f"types: {', '.join(STRUCTURED)}. Detector time: {result.seconds:.1f} s.",
        "",
        *leak_table(result.rows.values(), STRUCTURED),
        "",
        f"**Phone numbers by written form**: {total_phones:,} planted in "
        f"{len(result.phone_shapes)} forms (digits shown as `#`); forms with survivors: "
        f"{len(leaked_shapes)}.",
        "",
    ]
    if leaked_shapes:
        lines += ["| locale | form | planted | survived |", "|---|---|---:|---:|"]
        for (locale, shape), (planted, survived) in sorted(leaked_shapes.items()):
            lines.append(f"| {locale} | `{shape}` | {planted} | {survived} |")
        lines.append("")
    lines += [
        "Not valid as written (not gold, listed for completeness): "
        f"{result.invalid['phone']:,} phone numbers no one could dial (`##-####-####` in ja_JP, "
        "8-digit local numbers and short codes in en_AU, NANP area codes starting with 0 or 1), "
        f"of which the Detector flagged {result.invalid_flagged['phone']:,}; "
        f"{result.invalid['card']:,} Maestro numbers with the issuer prefix `0604`, of which it "
        f"flagged {result.invalid_flagged['card']:,}.",
        "",
        FAKER_END,
    ]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.detection.faker_tickets", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--tickets", type=int, default=DEFAULT_TICKETS, help="tickets to generate")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument(
        "--write-docs",
        action="store_true",
        help="replace the Faker-ticket block in the detection section of docs/benchmarks.md",
    )
    args = parser.parse_args(argv)
    if args.tickets < 1:
        parser.error("--tickets must be at least 1")
    return args


def _command(args: argparse.Namespace) -> str:
    parts = ["python -m bench.detection.faker_tickets"]
    if args.tickets != DEFAULT_TICKETS:
        parts.append(f"--tickets {args.tickets}")
    if args.seed != DEFAULT_SEED:
        parts.append(f"--seed {args.seed}")
    return " ".join([*parts, "--write-docs"])


def _run(args: argparse.Namespace) -> None:
    tickets = generate(args.tickets, args.seed)
    result = evaluate(tickets, detector_engine())
    block = report(result, _command(args), args.seed)
    print(block)
    leaked = structured_survivors(result.rows.values(), STRUCTURED)
    print(f"{len(tickets):,} tickets, {leaked} structured values survived", file=sys.stderr)
    if args.write_docs:
        write_block(block, FAKER_START, FAKER_END)
        print(f"wrote the Faker-ticket block of {DOCS_FILE}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return bench_main(lambda: _run(args))


if __name__ == "__main__":
    sys.exit(main())
