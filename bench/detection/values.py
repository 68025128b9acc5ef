"""Synthetic values (Faker plus check-digit generators) for the corpus templates.

Every method returns a list of :class:`Piece` so a slot can mix plain text (titles, honorifics,
context words) with the labelled value itself. All randomness comes from the ``rng`` and the
seeded Faker instance handed in, so a sample is a pure function of its seed.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from datetime import date, datetime, timedelta

import phonenumbers
from faker import Faker

from bench.detection.checksums import (
    IBAN_SPECS,
    luhn_check_digit,
    make_iban,
    my_number_check_digit,
)
from bench.detection.model import Piece

__all__ = ["EnValues", "JaValues", "ValuesBase", "to_fullwidth", "to_hiragana"]

_FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in string.ascii_letters + string.digits + "@.-_()+:/#"}
_FULLWIDTH["-"] = "－"
_FULLWIDTH[" "] = "\u3000"


def to_fullwidth(text: str) -> str:
    """Return ``text`` with ASCII letters, digits and common symbols in full-width form."""
    return "".join(_FULLWIDTH.get(c, c) for c in text)


def to_hiragana(text: str) -> str:
    """Convert katakana to hiragana (other characters unchanged)."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _group(s: str, sizes: tuple[int, ...], sep: str) -> str:
    out, i = [], 0
    for size in sizes:
        out.append(s[i : i + size])
        i += size
    return sep.join(out)


_CARD_BRANDS: tuple[tuple[str, Callable[[random.Random], str], int, tuple[int, ...]], ...] = (
    ("visa", lambda r: "4", 16, (4, 4, 4, 4)),
    ("mastercard", lambda r: str(r.randint(51, 55)), 16, (4, 4, 4, 4)),
    ("mastercard2", lambda r: str(r.randint(2221, 2720)), 16, (4, 4, 4, 4)),
    ("amex", lambda r: r.choice(["34", "37"]), 15, (4, 6, 5)),
    ("jcb", lambda r: str(r.randint(3528, 3589)), 16, (4, 4, 4, 4)),
    ("discover", lambda r: "6011", 16, (4, 4, 4, 4)),
    ("diners", lambda r: r.choice(["36", "38"]), 14, (4, 6, 4)),
)


#: All dates are relative to this fixed instant, so the corpus does not depend on today's date.
_REF = datetime(2025, 6, 30, 12, 0, 0)

_MOBILE = phonenumbers.PhoneNumberType.MOBILE
_FIXED = phonenumbers.PhoneNumberType.FIXED_LINE
_US_AREAS = (
    "201",
    "202",
    "206",
    "212",
    "213",
    "305",
    "312",
    "303",
    "404",
    "415",
    "503",
    "512",
    "602",
    "617",
    "619",
    "646",
    "702",
    "713",
    "718",
    "720",
    "773",
    "808",
    "917",
    "971",
)
_PHONE_PREFIXES: dict[tuple[str, int], tuple[str, ...]] = {
    ("US", _MOBILE): _US_AREAS,
    ("US", _FIXED): _US_AREAS,
    ("CA", _MOBILE): ("416", "604", "514", "403", "613"),
    ("CA", _FIXED): ("416", "604", "514", "403", "613"),
    ("JP", _MOBILE): ("70", "80", "90"),
    ("JP", _FIXED): (
        "45",
        "52",
        "92",
        "11",
        "75",
        "78",
        "22",
        "25",
        "82",
        "86",
        "99",
        "96",
        "3",
        "6",
    ),
}


class ValuesBase:
    """Values shared by both languages."""

    def __init__(self, rng: random.Random, fake: Faker) -> None:
        self.rng = rng
        self.fake = fake
        self._ts: datetime | None = None
        self._ts_fmt = ""

    # -- personal data -------------------------------------------------------------------
    def card_number(self) -> str:
        """A Luhn-valid card number of a random brand, plain, spaced or dashed."""
        _brand, prefix_fn, length, groups = self.rng.choice(_CARD_BRANDS)
        prefix = prefix_fn(self.rng)
        payload = prefix + _digits(self.rng, length - len(prefix) - 1)
        number = payload + str(luhn_check_digit(payload))
        sep = self.rng.choice(["", " ", " ", "-"])
        return _group(number, groups, sep) if sep else number

    def iban(self) -> str:
        """A valid IBAN from a random supported country, compact or in groups of four."""
        value = make_iban(self.rng, self.rng.choice(sorted(IBAN_SPECS)))
        if self.rng.random() < 0.6:
            value = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
        return value

    def ip(self) -> str:
        """A public IPv4 (mostly) or IPv6 address."""
        if self.rng.random() < 0.75:
            return self.fake.ipv4_public()
        value = self.fake.ipv6()
        return value

    def url(self) -> str:
        """A URL pointing at something personal (profile, shared photo, tracking page)."""
        base = self.fake.url().rstrip("/")
        path = self.rng.choice(
            [
                "",
                "/u/" + self.fake.user_name(),
                "/photos/" + _digits(self.rng, 6),
                "/p?id=" + _digits(self.rng, 5),
            ]
        )
        return base + path

    def _phone(self, region: str, kinds: tuple[int, ...]) -> phonenumbers.PhoneNumber:
        """A random number valid per libphonenumber for ``region``."""
        for _ in range(500):
            kind = self.rng.choice(kinds)
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            national = str(example.national_number)
            prefix = self.rng.choice(_PHONE_PREFIXES.get((region, kind), (national[:2],)))
            candidate = prefix + _digits(self.rng, len(national) - len(prefix))
            number = phonenumbers.parse("+" + str(example.country_code) + candidate, None)
            if phonenumbers.is_valid_number(number):
                return number
        raise RuntimeError(f"could not generate a valid phone number for {region}")

    def birth_date(self) -> date:
        """A date of birth 18 to 85 years before the fixed reference date."""
        return self.fake.date_between(
            start_date=_REF.date() - timedelta(days=85 * 365),
            end_date=_REF.date() - timedelta(days=18 * 365),
        )

    # -- near misses ---------------------------------------------------------------------
    def recent_date(self) -> date:
        """A date in the year before the fixed reference date (order, delivery dates)."""
        return self.fake.date_between(
            start_date=_REF.date() - timedelta(days=365), end_date=_REF.date()
        )

    def bad_luhn16(self) -> str:
        """A 16-digit number that fails the Luhn check (gift card, membership, reference)."""
        payload = self.rng.choice("3456") + _digits(self.rng, 14)
        bad = (luhn_check_digit(payload) + self.rng.randint(1, 9)) % 10
        number = payload + str(bad)
        sep = self.rng.choice(["", " ", "-"])
        return _group(number, (4, 4, 4, 4), sep) if sep else number

    def bad_my_number12(self) -> str:
        """A 12-digit number that fails the My Number check digit (e.g. a tracking number)."""
        payload = str(self.rng.randint(1, 9)) + _digits(self.rng, 10)
        bad = (my_number_check_digit(payload) + self.rng.randint(1, 9)) % 10
        if bad == my_number_check_digit(payload):
            bad = (bad + 1) % 10
        number = payload + str(bad)
        return self.rng.choice([number, _group(number, (4, 4, 4), "-")])

    def amazon_order(self) -> str:
        """An order number in the 3-7-7 style (e.g. 112-4839201-5530122)."""
        return f"{self.rng.randint(111, 114)}-{_digits(self.rng, 7)}-{_digits(self.rng, 7)}"

    def _mmdd(self) -> str:
        return f"{self.rng.randint(1, 12):02d}{self.rng.randint(1, 28):02d}"

    def shop_order(self) -> str:
        """A shop order number such as 2024-0512-8831, #A10023456 or ORD-2024-004512."""
        r = self.rng
        return r.choice(
            [
                f"{r.randint(2022, 2025)}-{self._mmdd()}-{_digits(r, 4)}",
                f"#A{_digits(r, 8)}",
                f"ORD-{r.randint(2022, 2025)}-{_digits(r, 6)}",
                f"{r.randint(2022, 2025)}{self._mmdd()}-{_digits(r, 6)}",
            ]
        )

    def tracking(self) -> str:
        """A parcel tracking number (UPS, USPS, or a 12-digit Japanese slip number)."""
        r = self.rng
        kind = r.choice(["ups", "usps", "jp"])
        if kind == "ups":
            return (
                "1Z"
                + "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(6))
                + _digits(r, 10)
            )
        if kind == "usps":
            return _group("9400" + _digits(r, 18), (4, 4, 4, 4, 4, 2), " ")
        return self.bad_my_number12()

    def sku(self) -> str:
        """A product SKU or a 13-digit JAN/EAN barcode number."""
        r = self.rng
        if r.random() < 0.3:
            payload = "49" + _digits(r, 10)
            total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(payload))
            return payload + str((10 - total % 10) % 10)
        colour = r.choice(["BLK", "WHT", "RED", "NVY", "GRY"])
        return f"{r.choice(['SKU', 'TS', 'KB', 'HD'])}-{_digits(r, 5)}-{colour}"

    def invoice(self) -> str:
        """An invoice number."""
        r = self.rng
        return r.choice([f"INV-{r.randint(2022, 2025)}-{_digits(r, 6)}", f"R{_digits(r, 9)}"])

    def timestamp(self) -> str:
        """A system timestamp; successive calls in one sample share a format and move forward."""
        if self._ts is None:
            self._ts = self.fake.date_time_between(
                start_date=_REF - timedelta(days=730), end_date=_REF
            )
            self._ts_fmt = self.rng.choice(
                ["%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S+09:00"]
            )
        self._ts += timedelta(seconds=self.rng.randint(5, 400))
        return self._ts.strftime(self._ts_fmt)


class EnValues(ValuesBase):
    """Values for English texts (Faker en_US)."""

    def first(self) -> list[Piece]:
        return [Piece(self.fake.first_name(), "PERSON")]

    def full(self) -> list[Piece]:
        return [Piece(f"{self.fake.first_name()} {self.fake.last_name()}", "PERSON")]

    def titled(self) -> list[Piece]:
        """ "Mr. Smith", "Ms. Jane Smith", "Dr. Smith"."""
        title = self.rng.choice(["Mr. ", "Ms. ", "Mrs. ", "Dr. ", "Mr ", "Ms "])
        if self.rng.random() < 0.5:
            return [Piece(title), Piece(self.fake.last_name(), "PERSON")]
        return [Piece(title), Piece(f"{self.fake.first_name()} {self.fake.last_name()}", "PERSON")]

    def email(self) -> list[Piece]:
        value = self.rng.choice([self.fake.free_email, self.fake.company_email, self.fake.email])()
        if self.rng.random() < 0.1:
            value = value.capitalize()
        return [Piece(value, "EMAIL_ADDRESS")]

    def phone(self) -> list[Piece]:
        r = self.rng
        region = r.choice(["US", "US", "US", "US", "CA", "GB", "AU", "DE", "FR"])
        number = self._phone(
            region, (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE)
        )
        fmt = r.choice(["national", "international", "international", "e164", "dotted"])
        if fmt == "national":
            value = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        elif fmt == "e164":
            value = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        elif fmt == "dotted" and region in ("US", "CA"):
            n = str(number.national_number)
            value = f"{n[:3]}.{n[3:6]}.{n[6:]}"
        else:
            value = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        return [Piece(value, "PHONE_NUMBER")]

    def card(self) -> list[Piece]:
        return [Piece(self.card_number(), "CREDIT_CARD")]

    def iban_(self) -> list[Piece]:
        return [Piece(self.iban(), "IBAN_CODE")]

    def ip_(self) -> list[Piece]:
        return [Piece(self.ip(), "IP_ADDRESS")]

    def url_(self) -> list[Piece]:
        return [Piece(self.url(), "URL")]

    def address(self) -> list[Piece]:
        """A US postal address on one line (street, city, state, ZIP)."""
        street = self.fake.street_address()
        state = self.fake.state_abbr(include_territories=False)
        value = f"{street}, {self.fake.city()}, {state} {self.fake.zipcode()}"
        return [Piece(value, "LOCATION")]

    def dob(self) -> list[Piece]:
        """A date of birth (the context words are in the template)."""
        d = self.birth_date()
        value = self.rng.choice(
            [
                d.strftime("%m/%d/%Y"),
                f"{d.strftime('%B')} {d.day}, {d.year}",
                d.strftime("%Y-%m-%d"),
                f"{d.day} {d.strftime('%B')} {d.year}",
            ]
        )
        return [Piece(value, "DATE_TIME")]

    # near misses with their English wording
    def order(self) -> list[Piece]:
        value = self.amazon_order() if self.rng.random() < 0.5 else self.shop_order()
        return [Piece(value, "~order_number")]

    def track(self) -> list[Piece]:
        return [Piece(self.tracking(), "~tracking_number")]

    def sku_(self) -> list[Piece]:
        return [Piece(self.sku(), "~sku")]

    def invoice_(self) -> list[Piece]:
        return [Piece(self.invoice(), "~invoice_number")]

    def ts(self) -> list[Piece]:
        return [Piece(self.timestamp(), "~timestamp")]

    def price(self) -> list[Piece]:
        r = self.rng
        value = r.choice(
            [
                f"${r.randint(5, 2000):,}.{r.randint(0, 99):02d}",
                f"USD {r.randint(5, 900)}.00",
                f"£{r.randint(5, 500)}.{r.randint(0, 99):02d}",
            ]
        )
        return [Piece(value, "~price")]

    def date(self) -> list[Piece]:
        d = self.recent_date()
        value = self.rng.choice(
            [
                f"{d.strftime('%B')} {d.day}",
                d.strftime("%m/%d"),
                f"{d.strftime('%b')} {d.day}, {d.year}",
            ]
        )
        return [Piece(value, "~date")]

    def last4(self) -> list[Piece]:
        return [Piece(_digits(self.rng, 4), "~card_last4")]

    def ref16(self) -> list[Piece]:
        return [Piece(self.bad_luhn16(), "~bad_luhn_16")]

    def product(self) -> list[Piece]:
        return [Piece(self.rng.choice(_EN_PRODUCTS))]

    def shop(self) -> list[Piece]:
        return [Piece(self.rng.choice(_EN_SHOPS))]


_EN_PRODUCTS = (
    "wireless earbuds",
    "standing desk",
    "rice cooker",
    "hiking boots",
    "phone case",
    "coffee grinder",
    "winter jacket",
    "yoga mat",
    "mechanical keyboard",
    "air purifier",
    "backpack",
    "desk lamp",
    "bluetooth speaker",
    "water bottle",
    "running shoes",
)
_EN_SHOPS = (
    "Northwind Outfitters",
    "Bluebird Home",
    "Acme Gadgets",
    "Maple & Co.",
    "Tailspin Store",
)


_JA_BANKS = (
    "みずほ銀行",
    "三井住友銀行",
    "三菱UFJ銀行",
    "りそな銀行",
    "楽天銀行",
    "横浜銀行",
    "千葉銀行",
)
_JA_BRANCHES = (
    "新宿",
    "渋谷",
    "梅田",
    "名古屋",
    "札幌",
    "博多",
    "横浜駅前",
    "本店営業部",
    "池袋東口",
)
_JA_PRODUCTS = (
    "ワイヤレスイヤホン",
    "電気ケトル",
    "炊飯器",
    "スニーカー",
    "ダウンジャケット",
    "加湿器",
    "ノートパソコンスタンド",
    "ヨガマット",
    "コーヒーミル",
    "スマホケース",
    "リュック",
    "デスクライト",
)
_JA_SHOPS = ("サンプル商店", "みどり雑貨店", "ABCストア", "さくらオンラインショップ", "フジ家電")


def _wareki(year: int, month: int, day: int) -> str:
    if (year, month, day) >= (2019, 5, 1):
        era, y = "令和", year - 2018
    elif (year, month, day) >= (1989, 1, 8):
        era, y = "平成", year - 1988
    else:
        era, y = "昭和", year - 1925
    return f"{era}{'元' if y == 1 else y}年{month}月{day}日"


class JaValues(ValuesBase):
    """Values for Japanese texts (Faker ja_JP)."""

    def _fw(self, value: str, p: float = 0.15) -> str:
        """Full-width version of ``value`` with probability ``p``."""
        return to_fullwidth(value) if self.rng.random() < p else value

    def full(self) -> list[Piece]:
        """A full name in kanji (with or without a space) or katakana/hiragana."""
        r = self.rng
        roll = r.random()
        if roll < 0.55:
            sep = r.choice(["", " ", "\u3000"])
            return [Piece(f"{self.fake.last_name()}{sep}{self.fake.first_name()}", "PERSON")]
        if roll < 0.85:
            sep = r.choice(["", " ", "\u3000"])
            value = f"{self.fake.last_kana_name()}{sep}{self.fake.first_kana_name()}"
            return [Piece(value, "PERSON")]
        value = f"{self.fake.last_kana_name()} {self.fake.first_kana_name()}"
        return [Piece(to_hiragana(value), "PERSON")]

    def kanji_full(self) -> list[Piece]:
        sep = self.rng.choice(["", " ", "\u3000"])
        return [Piece(f"{self.fake.last_name()}{sep}{self.fake.first_name()}", "PERSON")]

    def kana_full(self) -> list[Piece]:
        sep = self.rng.choice([" ", "\u3000"])
        return [Piece(f"{self.fake.last_kana_name()}{sep}{self.fake.first_kana_name()}", "PERSON")]

    def last(self) -> list[Piece]:
        return [Piece(self.fake.last_name(), "PERSON")]

    def romaji(self) -> list[Piece]:
        value = f"{self.fake.first_romanized_name()} {self.fake.last_romanized_name()}"
        return [Piece(value, "PERSON")]

    def email(self) -> list[Piece]:
        value = self.rng.choice([self.fake.free_email, self.fake.email, self.fake.company_email])()
        return [Piece(self._fw(value, 0.08), "EMAIL_ADDRESS")]

    def phone(self) -> list[Piece]:
        """A Japanese number: mobile, Tokyo/Osaka, 3-digit area, 0120, +81; sometimes full-width."""
        r = self.rng
        kind = r.choice(["mobile", "mobile", "mobile", "tokyo", "area", "tollfree", "intl"])
        if kind == "tollfree":
            value = f"0120-{_digits(r, 3)}-{_digits(r, 3)}"
            return [Piece(self._fw(value), "PHONE_NUMBER")]
        if kind == "tokyo":
            number = None
            while number is None or not phonenumbers.is_valid_number(number):
                number = phonenumbers.parse(f"+81{r.choice('36')}{r.randint(2, 9)}{_digits(r, 7)}")
        elif kind == "area":
            number = self._phone("JP", (phonenumbers.PhoneNumberType.FIXED_LINE,))
        else:
            number = self._phone("JP", (phonenumbers.PhoneNumberType.MOBILE,))
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        if kind == "intl":
            value = r.choice(
                [
                    phonenumbers.format_number(
                        number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
                    ),
                    phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
                    "+81-" + national[1:],
                ]
            )
        else:
            value = r.choice([national, national, national.replace("-", "")])
        return [Piece(self._fw(value), "PHONE_NUMBER")]

    def postal(self) -> list[Piece]:
        """A postal code preceded by 〒 or 郵便番号 (the mark is not part of the span)."""
        code = self.fake.zipcode()
        mark = self.rng.choice(["〒", "〒", "〒 ", "郵便番号：", "郵便番号 "])
        return [Piece(mark), Piece(self._fw(code), "JP_POSTAL_CODE")]

    def address(self) -> list[Piece]:
        """Prefecture + municipality + town + block numbers (丁目/番地/号 or dashed)."""
        r, f = self.rng, self.fake
        c, b, g = r.randint(1, 9), r.randint(1, 30), r.randint(1, 25)
        head = f"{f.prefecture()}{f.city()}{f.town()}"
        if r.random() < 0.1:
            head = f"{f.city()}{f.town()}"
        form = r.choice(["chome_ban_gou", "dashed", "dashed", "banchi", "chome_banchi"])
        if form == "chome_ban_gou":
            block = f"{c}丁目{b}番{g}号"
        elif form == "dashed":
            block = r.choice([f"{c}-{b}-{g}", f"{c}－{b}－{g}"])
        elif form == "banchi":
            block = f"{b * 10 + g}番地"
        else:
            block = f"{c}丁目{b}番地{g}"
        value = head + self._fw(block, 0.15)
        if r.random() < 0.35:
            value += (
                r.choice([" ", "\u3000", ""])
                + f"{f.building_name()}{r.randint(101, 1205)}"
                + r.choice(["号室", ""])
            )
        return [Piece(value, "LOCATION")]

    def my_number(self) -> list[Piece]:
        payload = str(self.rng.randint(1, 9)) + _digits(self.rng, 10)
        number = payload + str(my_number_check_digit(payload))
        value = self.rng.choice(
            [number, _group(number, (4, 4, 4), " "), _group(number, (4, 4, 4), "-")]
        )
        return [Piece(self._fw(value), "JP_MY_NUMBER")]

    def bank(self) -> list[Piece]:
        r = self.rng
        kind = r.choice(["普通", "普通預金", "当座"])
        prefix = f"{r.choice(_JA_BANKS)} {r.choice(_JA_BRANCHES)}支店 {kind} "
        label = r.choice(["口座番号", "口座番号：", "No.", ""])
        return [Piece(prefix + label), Piece(self._fw(_digits(r, 7), 0.1), "JP_BANK_ACCOUNT")]

    def license(self) -> list[Piece]:
        r = self.rng
        value = f"{r.randint(10, 97)}{r.randint(0, 99):02d}{_digits(r, 8)}"
        return [Piece(r.choice(["第", ""])), Piece(self._fw(value, 0.1), "JP_DRIVER_LICENSE")]

    def passport(self) -> list[Piece]:
        r = self.rng
        value = "".join(r.choice(string.ascii_uppercase) for _ in range(2)) + _digits(r, 7)
        return [Piece(self._fw(value, 0.1), "JP_PASSPORT")]

    def dob(self) -> list[Piece]:
        d = self.birth_date()
        value = self.rng.choice(
            [
                f"{d.year}年{d.month}月{d.day}日",
                f"{d.year}年{d.month:02d}月{d.day:02d}日",
                _wareki(d.year, d.month, d.day),
                d.strftime("%Y/%m/%d"),
                d.strftime("%Y-%m-%d"),
            ]
        )
        return [Piece(self._fw(value, 0.1), "DATE_TIME")]

    def card(self) -> list[Piece]:
        return [Piece(self._fw(self.card_number(), 0.1), "CREDIT_CARD")]

    def iban_(self) -> list[Piece]:
        return [Piece(self.iban(), "IBAN_CODE")]

    def ip_(self) -> list[Piece]:
        return [Piece(self.ip(), "IP_ADDRESS")]

    def url_(self) -> list[Piece]:
        return [Piece(self.url(), "URL")]

    # near misses with Japanese wording
    def order(self) -> list[Piece]:
        value = self.shop_order() if self.rng.random() < 0.7 else self.amazon_order()
        return [Piece(self._fw(value, 0.1), "~order_number")]

    def track(self) -> list[Piece]:
        return [Piece(self._fw(self.bad_my_number12(), 0.1), "~tracking_number")]

    def sku_(self) -> list[Piece]:
        return [Piece(self.sku(), "~sku")]

    def invoice_(self) -> list[Piece]:
        return [Piece(self.invoice(), "~invoice_number")]

    def ts(self) -> list[Piece]:
        return [Piece(self.timestamp(), "~timestamp")]

    def price(self) -> list[Piece]:
        r = self.rng
        n = r.randint(300, 98000)
        value = r.choice([f"¥{n:,}", f"{n:,}円", f"{n}円", f"￥{n:,}"])
        return [Piece(value, "~price")]

    def date(self) -> list[Piece]:
        d = self.recent_date()
        value = self.rng.choice(
            [f"{d.month}月{d.day}日", f"{d.year}年{d.month}月{d.day}日", f"{d.month}/{d.day}"]
        )
        return [Piece(value, "~date")]

    def last4(self) -> list[Piece]:
        return [Piece(_digits(self.rng, 4), "~card_last4")]

    def ref16(self) -> list[Piece]:
        return [Piece(self.bad_luhn16(), "~bad_luhn_16")]

    def product(self) -> list[Piece]:
        return [Piece(self.rng.choice(_JA_PRODUCTS))]

    def shop(self) -> list[Piece]:
        return [Piece(self.rng.choice(_JA_SHOPS))]
