"""Seeded synthetic helpdesk data with a ground truth of the personal data planted in it.

``generate(seed, tickets)`` is a pure function of its arguments: the same seed gives the same
dataset, byte for byte once serialised. Faker (en_US, ja_JP) only fills small vocabulary pools up
front; everything per ticket is drawn from one ``random.Random(seed)``, which keeps 10,000 tickets
within a few seconds.
"""

from __future__ import annotations

import functools
import html
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from faker import Faker

from . import _vocab as v
from ._checksums import luhn_check_digit, my_number_check_digit
from .records import (
    Attachment,
    Audit,
    Comment,
    Dataset,
    Organization,
    Person,
    Photo,
    Planted,
    Ticket,
)

__all__ = ["DEFAULT_ANCHOR", "FIELDS", "generate"]

#: The generated history ends here (five years back from it); fixed so that data is reproducible.
DEFAULT_ANCHOR = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
_FIVE_YEARS = 5 * 365 * 86400

#: Custom ticket fields: neutral key → (Zendesk field id, Freshdesk name, title).
FIELDS: dict[str, tuple[int, str, str]] = {
    "order_number": (360000101, "cf_order_number", "Order number"),
    "contact_phone": (360000102, "cf_contact_phone", "Contact phone"),
    "product": (360000103, "cf_product", "Product"),
}

_SLOT = re.compile(r"\{(\w+)\}")
_FULLWIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
_CHANNEL_WEIGHTS = (
    ("email", 40), ("web", 25), ("chat", 15), ("voice", 8), ("twitter", 4), ("facebook", 4),
    ("api", 4),
)  # fmt: skip
_CHANNELS = [c for c, _ in _CHANNEL_WEIGHTS]
_CHANNEL_CUM = [sum(w for _, w in _CHANNEL_WEIGHTS[: i + 1]) for i in range(len(_CHANNEL_WEIGHTS))]
_TEMPLATES = {
    ("customer", True): v.JA_CUSTOMER, ("customer", False): v.EN_CUSTOMER,
    ("agent", True): v.JA_AGENT, ("agent", False): v.EN_AGENT,
    ("note", True): v.JA_NOTE, ("note", False): v.EN_NOTE,
}  # fmt: skip
#: Share of end users with a profile photo.
PHOTO_SHARE = 0.3
_ID_BASE = {"org": 5001, "user": 10001, "comment": 100001, "attachment": 500001, "audit": 800001}


@dataclass(frozen=True)
class _Pools:
    en_first: tuple[str, ...]
    en_last: tuple[str, ...]
    en_streets: tuple[str, ...]
    en_cities: tuple[tuple[str, str, str], ...]  # city, state, zip
    ja_last: tuple[str, ...]
    ja_first: tuple[str, ...]
    ja_last_roman: tuple[str, ...]
    ja_first_roman: tuple[str, ...]
    ja_places: tuple[str, ...]  # prefecture + city + town
    companies: tuple[str, ...]


@functools.lru_cache(maxsize=8)  # Faker is the slow part of a small sandbox; pools are read-only
def _pools(seed: int) -> _Pools:
    en = Faker("en_US")
    en.seed_instance(seed)
    ja = Faker("ja_JP")
    ja.seed_instance(seed)
    ja_last = [ja.last_name_pair() for _ in range(120)]  # (kanji, kana, romaji)
    ja_first = [ja.first_name_pair() for _ in range(120)]
    return _Pools(
        en_first=tuple(en.first_name() for _ in range(150)),
        en_last=tuple(en.last_name() for _ in range(150)),
        en_streets=tuple(en.street_address() for _ in range(150)),
        en_cities=tuple((en.city(), en.state_abbr(), en.zipcode()) for _ in range(80)),
        ja_last=tuple(n[0] for n in ja_last),
        ja_first=tuple(n[0] for n in ja_first),
        ja_last_roman=tuple(n[2].lower() for n in ja_last),
        ja_first_roman=tuple(n[2].lower() for n in ja_first),
        ja_places=tuple(ja.prefecture() + ja.city() + ja.town() for _ in range(150)),
        companies=tuple([en.company() for _ in range(60)] + [ja.company() for _ in range(60)]),
    )


class _LazySlots(dict):
    """Template values; the costly identifiers are drawn only when a template asks for them.

    ``owners`` maps a slot to the person its value identifies (the requester's name, email,
    phone, address; the mentioned colleague's ``other_*``).
    """

    def __init__(
        self, gen: _Generator, fullwidth: bool, values: dict[str, str], owners: dict[str, int]
    ) -> None:
        super().__init__(values)
        self.gen = gen
        self.fullwidth = fullwidth
        self.owners = owners

    def __missing__(self, key: str) -> str:
        gen = self.gen
        if key == "card":
            value = gen.card()
        elif key == "mynumber":
            value = gen.my_number()
        elif key == "postal":
            value = gen.postal()
        elif key == "ip":
            value = gen.ip()
        else:
            raise KeyError(key)
        if self.fullwidth and key in ("mynumber", "postal"):
            value = value.translate(_FULLWIDTH)
        self[key] = value
        return value


class _Generator:
    def __init__(self, seed: int, n_tickets: int, anchor: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.pools = _pools(seed)
        self.n_tickets = n_tickets
        self.anchor = anchor
        self.next_id = dict(_ID_BASE)
        self.people: dict[int, Person] = {}
        self.orgs: dict[int, Organization] = {}
        self.tickets: dict[int, Ticket] = {}
        self.comments: dict[int, Comment] = {}
        self.attachments: dict[int, Attachment] = {}
        self.planted: list[Planted] = []
        self.emails_used: set[str] = set()

    def _id(self, kind: str) -> int:
        value = self.next_id[kind]
        self.next_id[kind] = value + 1
        return value

    # --- identifiers -------------------------------------------------------------------------

    def phone(self, locale: str) -> str:
        r = self.rng
        if locale == "ja":
            if r.random() < 0.6:
                number = f"0{r.choice('789')}0-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}"
            else:
                area = r.choice(("03", "06", "045", "052", "092", "011"))
                rest = 10 - len(area)
                mid = rest - 4
                number = f"{area}-{r.randint(10 ** (mid - 1), 10**mid - 1)}-{r.randint(1000, 9999)}"
            if r.random() < 0.15:
                return "+81 " + number[1:]
            return number
        area = r.choice(v.US_AREA_CODES)
        exchange = r.randint(201, 999)
        while exchange % 100 == 11 or exchange == 555:
            exchange = r.randint(201, 999)
        line = f"{r.randint(0, 9999):04d}"
        style = r.random()
        if style < 0.4:
            return f"({area}) {exchange}-{line}"
        if style < 0.75:
            return f"{area}-{exchange}-{line}"
        return f"+1 {area} {exchange} {line}"

    def card(self) -> str:
        r = self.rng
        prefix, length = r.choice((("4", 16), ("51", 16), ("55", 16), ("35", 16), ("37", 15)))
        digits = length - len(prefix) - 1
        body = prefix + f"{r.randrange(10**digits):0{digits}d}"
        number = body + luhn_check_digit(body)
        style = r.random()
        if style < 0.4:
            return number
        sep = " " if style < 0.75 else "-"
        if length == 15:
            return sep.join((number[:4], number[4:10], number[10:]))
        return sep.join(number[i : i + 4] for i in range(0, 16, 4))

    def my_number(self) -> str:
        r = self.rng
        first = f"{r.randrange(10**10, 10**11)}"
        number = first + my_number_check_digit(first)
        if r.random() < 0.5:
            return " ".join((number[:4], number[4:8], number[8:]))
        return number

    def ip(self) -> str:
        r = self.rng
        if r.random() < 0.1:
            groups = [f"{r.randint(0, 0xFFFF):x}" for _ in range(4)]
            return "2001:" + f"{r.choice(('db9', '4860', '240', 'e40'))}:" + ":".join(groups)
        first = r.choice((23, 34, 45, 52, 64, 73, 98, 104, 126, 133, 150, 153, 175, 180, 210))
        return f"{first}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"

    def postal(self) -> str:
        return f"{self.rng.randint(100, 999)}-{self.rng.randint(0, 9999):04d}"

    # --- people and organisations ------------------------------------------------------------

    def email_for(self, first: str, last: str, locale: str) -> str:
        r = self.rng
        domains = (
            ("example.jp", "mail.example.co.jp", "example.com")
            if locale == "ja"
            else ("example.com", "example.net", "example.org")
        )
        first_clean = re.sub(r"[^a-z]", "", first.lower()) or "user"
        last_clean = re.sub(r"[^a-z]", "", last.lower()) or "person"
        pattern = r.randint(0, 3)
        local = (
            f"{first_clean}.{last_clean}",
            f"{first_clean[0]}{last_clean}",
            f"{first_clean}{r.randint(1, 99)}",
            f"{last_clean}.{first_clean}",
        )[pattern]
        address = f"{local}@{r.choice(domains)}"
        while address in self.emails_used:
            address = f"{local}{r.randint(100, 999)}@{r.choice(domains)}"
        self.emails_used.add(address)
        return address

    def make_person(self, role: str, org_ids: Sequence[int], created: int) -> Person:
        r, p = self.rng, self.pools
        locale = "ja" if r.random() < 0.4 else "en-US"
        if locale == "ja":
            i = r.randrange(len(p.ja_last))
            j = r.randrange(len(p.ja_first))
            name = f"{p.ja_last[i]} {p.ja_first[j]}"
            email = self.email_for(p.ja_first_roman[j], p.ja_last_roman[i], locale)
            address = (
                f"{r.choice(p.ja_places)}{r.randint(1, 5)}-{r.randint(1, 30)}-{r.randint(1, 20)}"
            )
            zone = "Tokyo"
        else:
            first, last = r.choice(p.en_first), r.choice(p.en_last)
            name = f"{first} {last}"
            email = self.email_for(first, last, locale)
            city, state, zipcode = r.choice(p.en_cities)
            address = f"{r.choice(p.en_streets)}, {city}, {state} {zipcode}"
            zone = r.choice(("Pacific Time (US & Canada)", "Eastern Time (US & Canada)"))
        person = Person(
            id=self._id("user"),
            name=name,
            email=email,
            phone=self.phone(locale) if r.random() < 0.85 else None,
            locale=locale,
            role=role,
            organization_id=r.choice(org_ids) if org_ids and r.random() < 0.6 else None,
            created_at=created,
            updated_at=created,
            time_zone=zone,
            address=address,
        )
        if role == "end-user" and r.random() < 0.15:
            local = email.split("@")[0]
            person.extra_emails.append(f"{local}.alt@example.org")
        self.people[person.id] = person
        return person

    def staff(self) -> tuple[int, int, list[int]]:
        start = self.anchor - _FIVE_YEARS - 86400 * 30
        admin = Person(
            id=self._id("user"), name="Sandbox Admin", email="admin@sandbox.example.com",
            phone=None, locale="en-US", role="admin", organization_id=None, created_at=start,
            updated_at=start, time_zone="UTC",
        )  # fmt: skip
        agent = Person(
            id=self._id("user"), name="Sandbox Agent", email="agent@sandbox.example.com",
            phone=None, locale="en-US", role="agent", organization_id=None, created_at=start,
            updated_at=start, time_zone="UTC",
        )  # fmt: skip
        self.people[admin.id] = admin
        self.people[agent.id] = agent
        agents = [admin.id, agent.id]
        for index in range(4):
            staff = Person(
                id=self._id("user"), name=f"Support Agent {index + 1}",
                email=f"agent{index + 1}@sandbox.example.com", phone=None, locale="en-US",
                role="agent", organization_id=None, created_at=start, updated_at=start,
                time_zone="UTC",
            )  # fmt: skip
            self.people[staff.id] = staff
            agents.append(staff.id)
        return admin.id, agent.id, agents

    # --- text --------------------------------------------------------------------------------

    def fill(
        self,
        template: str,
        slots: _LazySlots,
        ticket_id: int,
        comment_id: int | None,
        field: str,
    ) -> str:
        def replace(match: re.Match[str]) -> str:
            key = match.group(1)
            value = slots[key]
            kind = v.SLOT_TYPES.get(key)
            if kind is not None:
                owner = slots.owners.get(key)
                self.planted.append(Planted(ticket_id, comment_id, field, kind, value, owner))
            return value

        return _SLOT.sub(replace, template)

    def slots(
        self, requester: Person, other: Person, ja: bool, order: str, product: str
    ) -> _LazySlots:
        r = self.rng
        name = requester.name
        phone = requester.phone or self.phone(requester.locale)
        fullwidth = ja and r.random() < 0.3  # full-width digits, common in Japanese mail
        if ja and r.random() < 0.5:
            name = name.replace(" ", "")
        if fullwidth:
            phone = phone.translate(_FULLWIDTH)
        values = {
            "name": name,
            "first": requester.name.split(" ")[0],
            "email": r.choice([requester.email or "", *requester.extra_emails]),
            "phone": phone,
            "address": requester.address or "",
            "other_name": other.name,
            "other_email": other.email or "",
            "order": order,
            "product": product,
        }
        if other.phone:  # drawn from nothing: the data stays what it was for every seed
            values["other_phone"] = other.phone.translate(_FULLWIDTH) if fullwidth else other.phone
        owners = {key: requester.id for key in ("name", "first", "email", "phone", "address")}
        owners.update({key: other.id for key in ("other_name", "other_email", "other_phone")})
        return _LazySlots(self, fullwidth, values, owners)

    @staticmethod
    def template(choice: str, slots: _LazySlots) -> str:
        """The chosen template, in its wording that also gives the colleague's phone number when
        they have one."""
        if "other_phone" in slots:
            return v.OTHER_PHONE_VARIANTS.get(choice, choice)
        return choice

    @staticmethod
    def to_html(text: str, channel: str) -> str:
        paragraphs = []
        for block in text.split("\n\n"):
            lines = [html.escape(line, quote=False) for line in block.split("\n")]
            if channel == "email":
                lines = [
                    re.sub(
                        r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
                        lambda m: (
                            f'<a href="mailto:{m.group(0)}" rel="noreferrer">{m.group(0)}</a>'
                        ),
                        line,
                    )
                    for line in lines
                ]
            paragraphs.append(f'<p dir="auto">{"<br>".join(lines)}</p>')
        return f'<div class="zd-comment" dir="auto">{"".join(paragraphs)}</div>'

    # --- tickets -----------------------------------------------------------------------------

    def metadata(self, ja: bool, ticket_id: int, comment_id: int, channel: str) -> dict:
        r = self.rng
        if channel in ("voice", "api"):
            return {"system": {}, "custom": {}}
        city, region, country, lat, lon = r.choice(v.CITIES_JA if ja else v.CITIES_EN)
        ip = self.ip()
        location = f"{city}, {region}, {country}"
        self.planted.append(
            Planted(ticket_id, comment_id, "metadata.system.ip_address", "IP_ADDRESS", ip)
        )
        self.planted.append(
            Planted(ticket_id, comment_id, "metadata.system.location", "LOCATION", location)
        )
        return {
            "system": {
                "client": r.choice(v.CLIENTS),
                "ip_address": ip,
                "location": location,
                "latitude": round(lat + r.uniform(-0.05, 0.05), 4),
                "longitude": round(lon + r.uniform(-0.05, 0.05), 4),
            },
            "custom": {},
        }

    def attachment(self, ticket_id: int, comment_id: int, slots: _LazySlots) -> Attachment:
        r = self.rng
        aid = self._id("attachment")
        kind = r.random()
        if kind < 0.4:
            name, ctype, content = "screenshot.png", "image/png", _PNG
        elif kind < 0.7:
            name, ctype, content = "receipt.pdf", "application/pdf", _PDF
        else:
            name, ctype = "contact_details.txt", "text/plain"
            template = "Name: {name}\nEmail: {email}\nPhone: {phone}\nAddress: {address}\n"
            text = self.fill(template, slots, ticket_id, comment_id, f"attachments.{aid}.content")
            content = text.encode()
        token = f"{r.getrandbits(96):024x}"
        attachment = Attachment(aid, ticket_id, comment_id, name, ctype, content, token)
        self.attachments[aid] = attachment
        return attachment

    def ticket(self, tid: int, created: int, people: list[Person], agents: list[int]) -> None:
        r = self.rng
        requester = people[int(len(people) * r.random() ** 1.6)]
        other = r.choice(people)
        ja = requester.locale == "ja"
        channel = r.choices(_CHANNELS, cum_weights=_CHANNEL_CUM)[0]
        order = f"#{r.randint(100000, 999999)}"
        product = r.choice(v.PRODUCTS)
        slots = self.slots(requester, other, ja, order, product)
        subject = self.fill(
            r.choice(v.JA_SUBJECTS if ja else v.EN_SUBJECTS), slots, tid, None, "subject"
        )
        age = self.anchor - created
        if age > 120 * 86400:
            status = r.choices(("closed", "solved"), (9, 1))[0]
        else:
            status = r.choices(
                ("new", "open", "pending", "hold", "solved", "closed"), (1, 3, 2, 1, 2, 1)
            )[0]
        custom: dict[str, object] = {
            "order_number": order,
            "product": product.lower().replace(" ", "_"),
        }
        custom["contact_phone"] = None
        if r.random() < 0.4:
            custom["contact_phone"] = slots["phone"]
            self.planted.append(
                Planted(
                    tid, None, "custom_fields.contact_phone", "PHONE_NUMBER", slots["phone"],
                    requester.id,
                )
            )  # fmt: skip
        via_from = None
        if channel == "email" and requester.email:
            via_from = {"address": requester.email, "name": requester.name}
            self.planted.append(
                Planted(
                    tid, None, "via.source.from.address", "EMAIL_ADDRESS", requester.email,
                    requester.id,
                )
            )  # fmt: skip
            self.planted.append(
                Planted(tid, None, "via.source.from.name", "PERSON", requester.name, requester.id)
            )
        ccs = [other.id] if other.id != requester.id and r.random() < 0.15 else []
        ticket = Ticket(
            id=tid,
            subject=subject,
            status=status,
            priority=r.choice((None, "low", "normal", "normal", "high", "urgent")),
            type=r.choice((None, "question", "incident", "problem", "task")),
            channel=channel,
            tags=sorted(r.sample(v.TAGS, r.randint(0, 3))),
            requester_id=requester.id,
            submitter_id=requester.id,
            assignee_id=r.choice(agents) if status != "new" else None,
            organization_id=requester.organization_id,
            group_id=r.choice((2001, 2002, 2003)),
            collaborator_ids=ccs,
            custom_fields=custom,
            created_at=created,
            updated_at=created,
            via_from=via_from,
            external_id=None,
        )
        when = created
        count = r.randint(1, 6)
        for index in range(count):
            if index == 0:
                kind = "customer"
            else:
                kind = r.choices(("customer", "agent", "note"), (4, 4, 2))[0]
            author = requester.id if kind == "customer" else r.choice(agents)
            if index > 0:
                when += r.randint(300, 3 * 86400)
            cid = self._id("comment")
            if index > 0:
                slots = self.slots(requester, r.choice(people), ja, order, product)
            template = self.template(r.choice(_TEMPLATES[(kind, ja)]), slots)
            body = self.fill(template, slots, tid, cid, "body")
            comment_channel = channel if index == 0 or kind == "customer" else "web"
            comment = Comment(
                id=cid,
                ticket_id=tid,
                author_id=author,
                body=body,
                html_body=self.to_html(body, comment_channel),
                public=kind != "note",
                created_at=when,
                channel=comment_channel,
                kind=kind,
                audit_id=self._id("audit"),
                metadata=self.metadata(ja, tid, cid, comment_channel),
                updated_at=when,
            )
            if comment_channel == "email" and kind == "customer" and via_from is not None:
                self.sender(comment, via_from, requester.id)
            if r.random() < 0.12:
                comment.attachment_ids.append(self.attachment(tid, cid, slots).id)
            self.comments[cid] = comment
            ticket.comment_ids.append(cid)
        if status in ("solved", "closed"):
            when += r.randint(3600, 10 * 86400)
        ticket.updated_at = min(when, self.anchor - 60)
        if status == "closed":
            ticket.closed_at = ticket.updated_at
        self.audits(ticket)
        self.tickets[tid] = ticket

    def sender(self, comment: Comment, sender: dict[str, str], person_id: int) -> None:
        """Record who an email comment came from (as the mail was sent: it does not follow later
        changes of the person's record). Draws nothing from the random generator."""
        comment.sender = dict(sender)
        tid, cid = comment.ticket_id, comment.id
        self.planted.append(
            Planted(tid, cid, "sender.address", "EMAIL_ADDRESS", sender["address"], person_id)
        )
        self.planted.append(Planted(tid, cid, "sender.name", "PERSON", sender["name"], person_id))

    def audits(self, ticket: Ticket) -> None:
        """The ticket's history: created (with its first comment), one update per later comment,
        then the change to its final status. Draws nothing from the random generator."""
        first = self.comments[ticket.comment_ids[0]]
        created: list[tuple[str, str, object, object]] = [
            ("Create", "subject", ticket.subject, None),
            ("Create", "status", "new", None),
            ("Create", "priority", ticket.priority, None),
            ("Create", "type", ticket.type, None),
            ("Create", "requester_id", ticket.requester_id, None),
            ("Create", "tags", list(ticket.tags), None),
        ]
        created += [
            ("Create", f"custom_fields.{key}", value, None)
            for key, value in ticket.custom_fields.items()
            if value is not None
        ]
        ticket.audits.append(
            Audit(
                first.audit_id, ticket.id, first.created_at, first.author_id, first.channel,
                first.id, created,
            )
        )  # fmt: skip
        for cid in ticket.comment_ids[1:]:
            c = self.comments[cid]
            ticket.audits.append(
                Audit(c.audit_id, ticket.id, c.created_at, c.author_id, c.channel, cid)
            )
        if ticket.status != "new":
            author = ticket.assignee_id or first.author_id
            change = [("Change", "status", ticket.status, "new")]
            audit = Audit(
                self._id("audit"), ticket.id, ticket.updated_at, author, "web", None, change
            )
            ticket.audits.append(audit)

    def photos(self, people: list[Person]) -> None:
        """Give about a third of the end users a profile photo (Zendesk ``photo``, Freshdesk
        ``avatar``), drawn from a generator of their own so the rest of the data does not move;
        ids follow the comment attachments'."""
        r = random.Random(f"{self.seed}:photos")
        for person in people:
            if r.random() >= PHOTO_SHARE:
                continue
            image_id, thumb_id = self._id("attachment"), self._id("attachment")
            name = r.choice(("photo.png", "profile.png", "avatar.png", "me.png"))
            stem = name.rsplit(".", 1)[0]
            image = Attachment(image_id, 0, 0, name, "image/png", _PNG, f"{r.getrandbits(96):024x}")
            thumb = Attachment(
                thumb_id, 0, 0, f"{stem}_thumb.png", "image/png", _PNG, f"{r.getrandbits(96):024x}"
            )
            person.photo = Photo(image, thumb)

    def run(self) -> Dataset:
        r = self.rng
        start = self.anchor - _FIVE_YEARS
        n_orgs = max(3, min(150, self.n_tickets // 40))
        for index in range(n_orgs):
            oid = self._id("org")
            name = self.pools.companies[index % len(self.pools.companies)]
            if index >= len(self.pools.companies):
                name = f"{name} {index // len(self.pools.companies) + 1}"
            created = start - r.randint(0, 365 * 86400)
            domain = f"org{oid}.example.com"
            self.orgs[oid] = Organization(oid, name, [domain], created, created)
        admin_id, agent_id, agents = self.staff()
        n_people = max(12, min(4000, self.n_tickets // 3 + 10))
        org_ids = list(self.orgs)
        people = [
            self.make_person("end-user", org_ids, start - r.randint(0, 300 * 86400))
            for _ in range(n_people)
        ]
        times = sorted(r.randint(start, self.anchor - 86400) for _ in range(self.n_tickets))
        for tid, created in enumerate(times, start=1):
            self.ticket(tid, created, people, agents)
        self.photos(people)
        return Dataset(
            people=self.people,
            organizations=self.orgs,
            tickets=self.tickets,
            comments=self.comments,
            attachments=self.attachments,
            planted=list(dict.fromkeys(self.planted)),
            admin_id=admin_id,
            agent_id=agent_id,
            agent_ids=agents,
            group_ids=[2001, 2002, 2003],
        )


def generate(seed: int, tickets: int, anchor: int = DEFAULT_ANCHOR) -> Dataset:
    """Build the dataset: people, organisations, ``tickets`` tickets and the ground truth."""
    if tickets < 0:
        raise ValueError("tickets must be >= 0")
    return _Generator(seed, tickets, anchor).run()
