"""EMAIL_ADDRESS, URL and IP_ADDRESS (no tldextract: nothing is fetched at run time)."""

from __future__ import annotations

import ipaddress
import re

from .._lazy import lazy_re
from ._base import GuardPattern, GuardPatternRecognizer, ScanContext

__all__ = ["GuardEmailRecognizer", "GuardIpRecognizer", "GuardUrlRecognizer"]


# a local part and its "@" (at most 64 characters before it, as the e-mail pattern allows)
_LOCAL_PART_RE = lazy_re(r"[A-Za-z0-9._%+\-]{1,64}@", re.IGNORECASE)


def local_part_starts(ctx: ScanContext) -> list[int]:
    """Where an e-mail address can start: for each ``@``, the start of the run of local-part
    characters right before it (the pattern's look-behind allows no other start). Two searches
    per ``@`` over at most 65 characters: linear in the text."""
    text = ctx.text
    out: list[int] = []
    low = 0  # after the previous "@": a run holds no "@"
    at = text.find("@")
    while at >= 0:
        m = _LOCAL_PART_RE.search(text, max(low, at - 64), at + 1)
        if m is not None:
            out.append(m.start())
        low = at + 1
        at = text.find("@", low)
    return out


class GuardEmailRecognizer(GuardPatternRecognizer):
    """``taro.yamada@example.co.jp``; full-width ``ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ`` after NFKC; an
    internationalised domain in its ASCII form (``anna@xn--e1afmkfd.xn--p1ai``)."""

    ENTITY = "EMAIL_ADDRESS"
    PREFILTER = "@"
    PATTERNS = (
        GuardPattern(
            "email",
            r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9_%+\-])?"
            r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+"
            r"(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9](?:[A-Za-z0-9\-]{0,57}[A-Za-z0-9])?)"
            r"(?![A-Za-z0-9\-]|\.[A-Za-z0-9])",
            1.0,
            starts_at=local_part_starts,
        ),
    )
    CONTEXT = ("email", "e-mail", "mail", "メール", "アドレス")

    def validate_result(self, pattern_text: str) -> bool | None:
        local = pattern_text.split("@", 1)[0]
        return ".." not in local


class GuardUrlRecognizer(GuardPatternRecognizer):
    """``https://example.com/users/42``, ``http://intranet/u/42``, ``www.example.jp``.

    A scheme makes an address a URL whatever its host (an intranet name, ``localhost``); without
    one, ``www.`` must be followed by a host with a top-level domain (``www.example`` is not an
    address). A bare domain (``example.com``) names a company or a service, not a person, and is
    not reported: see ``docs/detection.md``."""

    ENTITY = "URL"
    PREFILTER = r"(?i)https?://|www\."
    PATTERNS = (
        GuardPattern(
            "url",
            r"(?<![A-Za-z0-9])(?:https?://|www\.(?=[A-Za-z0-9\-]+\.[A-Za-z]))"
            r"[A-Za-z0-9\-._~:/?#@!$&*+,;=%]*[A-Za-z0-9\-_~/#=&%+]",
            0.6,
        ),
    )
    CONTEXT = ("url", "link", "website", "site", "profile", "リンク", "サイト", "ホームページ")


class GuardIpRecognizer(GuardPatternRecognizer):
    """IPv4 ``203.0.113.42`` and IPv6 ``2001:db8::1``, ``::1``, ``fe80::1%eth0``, with a CIDR
    prefix length when one follows (``10.0.0.0/8``, ``fe80::/10``), validated by
    :mod:`ipaddress`.

    Not glued to a word (``IP192.168.1.1text``, ``std::cout``), but after a label's colon
    (``IP:2001:db8::1``, ``接続元：::1``), which stays outside the span; a dotted run of more
    than four numbers gives its first four (``192.168.1.1.1``); the unspecified address ``::``
    alone, but not as a separator between two words (``Home :: Products``, ``x :: Int``)."""

    ENTITY = "IP_ADDRESS"
    FLAGS = 0
    PREFILTER = r"\d\.\d|:[0-9A-Fa-f]*:"
    PATTERNS = (
        GuardPattern(
            "ipv4",
            r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?:/(?:3[0-2]|[12]?\d)(?!\d))?"
            r"(?![0-9A-Za-z])",
            0.8,
            not_after=r"[0-9A-Za-z.]",
            prefilter=r"\d\.\d{1,3}\.\d",
        ),
        GuardPattern(
            "ipv6",
            # not glued to a word or another group, except after a label's colon, which stays
            # outside the span: "IP:2001:db8::1", "src:…", "IPv6:fe80::1", "接続元：::1" (NFKC
            # makes the full-width colon ASCII); a label ends in two letters, "v4"/"v6" or a
            # non-ASCII letter ("text2001:db8::1" is glued, not labelled); the leading
            # look-ahead skips most positions cheaply
            r"(?=[0-9A-Fa-f:])(?:(?:(?<=[A-Za-z_]{2})|(?<=[Vv][46])):(?=[0-9A-Fa-f])"
            r"|(?<=[^\x00-\x7f]):(?=[0-9A-Fa-f]|::)|(?<![0-9A-Za-z:.]))"
            r"(?P<pii>(?=[0-9A-Fa-f.]{0,39}:[0-9A-Fa-f.]{0,39}:)"
            r"[0-9A-Fa-f:]{2,39}(?:\.\d{1,3}){0,3}(?:%[0-9A-Za-z_\-]{1,15})?"
            r"(?:/(?:12[0-8]|1[01]\d|[1-9]?\d)(?!\d))?)(?![0-9A-Za-z:]|\.\d)",
            0.8,
            prefilter=r":[0-9A-Fa-f.]*:",
        ),
    )
    CONTEXT = ("ip", "address", "ipアドレス", "アドレス", "接続元", "host", "server", "login")
    NEAR_MISS = True

    def is_near_miss(self, ctx: ScanContext, start: int, *, labelled_only: bool = False) -> bool:
        """Also a version number: ``firmware 4.2.1.8``, ``v4.2.1.8``, ``version is 10.0.2.1``."""
        window = ctx.lower[max(0, start - 30) : start]
        return _VERSION_BEFORE_RE.search(window) is not None or super().is_near_miss(
            ctx, start, labelled_only=labelled_only
        )

    def accept(
        self, pattern: GuardPattern, value: str, match: re.Match[str], ctx: ScanContext
    ) -> bool:
        if value == "::" and _glued_or_between_words(ctx.text, *match.span("pii")):
            return False
        return super().accept(pattern, value, match, ctx)

    def validate_result(self, pattern_text: str) -> bool | None:
        address = pattern_text.split("/", 1)[0]
        try:
            addr = ipaddress.ip_address(address)
        except ValueError:
            return False
        if addr.version == 4:
            return True
        # one group of letters only is a word before or after "::" (``cafe::``, ``::beef``)
        groups = _HEX_GROUP_RE.findall(address.split("%", 1)[0])
        return len(groups) != 1 or not groups[0].isalpha()


_HEX_GROUP_RE = lazy_re(r"[0-9A-Fa-f]+")


def _glued_or_between_words(text: str, start: int, end: int) -> bool:
    """``::`` glued to a letter or to more colons, or standing between two words of its line as
    a separator."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    if before.isalnum() or after.isalnum() or ":" in (before, after):
        return True
    if before not in (" ", "\t") or after not in (" ", "\t"):
        return False  # at a line's start or end, or after "=" (``src=::``)
    i = start - 1
    while i >= 0 and text[i] in (" ", "\t"):
        i -= 1
    j = end
    while j < len(text) and text[j] in (" ", "\t"):
        j += 1
    return i >= 0 and text[i] != "\n" and j < len(text) and text[j] != "\n"


# a version word or an error code right before the dotted number (nothing but "is", "to", ":"
# in between): "firmware 4.2.1.8", "error 10.2.3.4"
_VERSION_BEFORE_RE = lazy_re(
    r"(?<![a-z])(?:firmware|fw|version|ver\.?|build|release|update|updated|upgrade|upgraded|patch"
    r"|software|app|ios|android|os|driver|bios|rom|oid|error|err|error[ ]code|code|バージョン"
    r"|ファームウェア|ファーム|エラー|エラーコード|エラー番号)"
    r"(?:[ ]?(?:is|was|to|of|=|:|：|は|が|を))*[ ]*(?:v\.?)?\Z|(?<![a-z])v\.?\Z"
)
