"""EMAIL_ADDRESS, URL and IP_ADDRESS (no tldextract: nothing is fetched at run time)."""

from __future__ import annotations

import ipaddress
import re

from .._lazy import lazy_re
from ._base import GuardPattern, GuardPatternRecognizer, ScanContext

__all__ = ["GuardEmailRecognizer", "GuardIpRecognizer", "GuardUrlRecognizer"]


class GuardEmailRecognizer(GuardPatternRecognizer):
    """``taro.yamada@example.co.jp``; full-width ``ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ`` after NFKC."""

    ENTITY = "EMAIL_ADDRESS"
    PREFILTER = "@"
    PATTERNS = (
        GuardPattern(
            "email",
            r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9_%+\-])?"
            r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
            r"(?![A-Za-z0-9\-]|\.[A-Za-z0-9])",
            1.0,
        ),
    )
    CONTEXT = ("email", "e-mail", "mail", "メール", "アドレス")

    def validate_result(self, pattern_text: str) -> bool | None:
        local = pattern_text.split("@", 1)[0]
        return ".." not in local


class GuardUrlRecognizer(GuardPatternRecognizer):
    """``https://example.com/users/42``, ``www.example.jp``."""

    ENTITY = "URL"
    PREFILTER = r"(?i)https?://|www\."
    PATTERNS = (
        GuardPattern(
            "url",
            r"(?<![A-Za-z0-9])(?:https?://|www\.)[A-Za-z0-9\-._~:/?#@!$&*+,;=%]*"
            r"[A-Za-z0-9\-_~/#=&%+]",
            0.6,
        ),
    )
    CONTEXT = ("url", "link", "website", "site", "profile", "リンク", "サイト", "ホームページ")


class GuardIpRecognizer(GuardPatternRecognizer):
    """IPv4 ``203.0.113.42`` and IPv6 ``2001:db8::1``, validated by :mod:`ipaddress`."""

    ENTITY = "IP_ADDRESS"
    FLAGS = 0
    PREFILTER = r"\d\.\d|:[0-9A-Fa-f]*:"
    PATTERNS = (
        GuardPattern(
            "ipv4",
            r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?!\d|\.\d)",
            0.8,
            not_after=r"[\d.]|[A-Za-z]\.",
            prefilter=r"\d\.\d{1,3}\.\d",
        ),
        GuardPattern(
            "ipv6",
            r"(?<![0-9A-Fa-f:.])(?=[0-9A-Fa-f:.]*[0-9A-Fa-f]:)(?=[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:)"
            r"[0-9A-Fa-f:]{2,39}(?:\.\d{1,3}){0,3}(?![0-9A-Fa-f:]|\.\d)",
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

    def validate_result(self, pattern_text: str) -> bool | None:
        try:
            addr = ipaddress.ip_address(pattern_text)
        except ValueError:
            return False
        return addr.version == 4 or len(re.findall(r"[0-9A-Fa-f]+", pattern_text)) >= 2


# a version word or an error code right before the dotted number (nothing but "is", "to", ":"
# in between): "firmware 4.2.1.8", "error 10.2.3.4"
_VERSION_BEFORE_RE = lazy_re(
    r"(?<![a-z])(?:firmware|fw|version|ver\.?|build|release|update|updated|upgrade|upgraded|patch"
    r"|software|app|ios|android|os|driver|bios|rom|error|err|error[ ]code|code|バージョン"
    r"|ファームウェア|ファーム|エラー|エラーコード|エラー番号)"
    r"(?:[ ]?(?:is|was|to|of|=|:|：|は|が|を))*[ ]*(?:v\.?)?\Z|(?<![a-z])v\.?\Z"
)
