"""PERSON in Japanese text: SudachiPy's 人名 tags (姓/名) plus the contexts in which people are
named in support mail and chats (honorifics, self-introductions, role labels, sign-off lines).

Two sources feed one list of candidates:

- SudachiPy morphemes tagged ``名詞,固有名詞,人名`` are grouped into names; a family and a given
  name separated by one space (``いけだ かおり様``, ``アベ　レイと申します``) are one name even when
  the tagger recognised only one half.
- Context patterns find names the tagger reads otherwise: a surname that is also a place or a
  common word (``担当の松本です``, ``林様``, ``オペレーター（森）：``) is accepted when SudachiPy's
  dictionary lists it as a name in *some* reading and the context says a person is meant; kana
  names before ``と申します`` or an honorific; the name alone on the line after a closing
  formula (``よろしくお願いいたします。`` then ``ハヤシ アケミ``); labelled fields
  (``名義人：Ryohei Kato``).

Shop and company names before an honorific (``ABCストアさん``) and place names before an
organisational suffix (``梅田支店``) are rejected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import ClassVar

from .._lazy import lazy_re
from .._sudachi import is_name_word, is_place_word, reads_as_name
from ..language import has_japanese
from ..lexicon import (
    FORMAL_HONORIFICS,
    HIRAGANA_CHARS,
    HONORIFICS,
    KANJI_CHARS,
    KATAKANA_CHARS,
    business_words,
    honorifics_re,
    is_common_word,
    is_romaji,
    kata_to_hira,
    load_words,
    stop_words,
)
from ._base import (
    GuardPattern,
    GuardRecognizer,
    RawMatch,
    ScanContext,
    line_matches,
    matches_at,
    word_starts,
)
from .person_en import is_given_name, is_surname

__all__ = ["JaPersonRecognizer", "in_organisation", "is_place_here", "kana_name_ends"]

_HONORIFIC_RE = lazy_re("|".join(HONORIFICS))
_INTRO_AFTER_RE = lazy_re(
    r"\s?(?:と申します|と申し|ともうします|です。|でございます|と言います|といいます)"
)
_BEFORE_RE = lazy_re(
    r"(?:担当|担当者|担当の|宛|名前|氏名|お名前|名義|差出人|送信者|From|TO)[\s:：は]*$"
)
_CJK_RE = lazy_re(r"[一-龥々]")

_KANJI, _KATA, _HIRA = KANJI_CHARS, KATAKANA_CHARS, HIRAGANA_CHARS
# One part of a name: kanji, katakana or hiragana (NFKC has made the ideographic space a space).
_PART = rf"(?:[{_KANJI}]{{1,4}}|[{_KATA}]{{2,10}}|[{_HIRA}]{{2,5}})"
_GIVEN = rf"[{_KANJI}{_KATA}{_HIRA}]{{1,6}}?"
_NAME = rf"(?:(?<![{_KANJI}{_KATA}{_HIRA}A-Za-z0-9・]){_PART}|(?<![{_KANJI}{_KATA}A-Za-z0-9・])" + (
    rf"(?:[{_KANJI}]{{1,4}}|[{_KATA}]{{2,10}}))(?:[ ]{_GIVEN})?"
)
_WORD6 = rf"[{_KANJI}{_KATA}{_HIRA}]{{1,6}}"
_LATIN = r"[A-Z][a-z]+(?:[ ][A-Z][a-z]+){1,2}"
# a romanised name in any case: "Chen", "TAKESHI OGAWA", "Aiko Schmidt"
_LATIN_ANY = r"(?:[A-Z][a-z]+|[A-Z]{2,})(?:[ ](?:[A-Z][a-z]+|[A-Z]{2,})){0,2}"
# a foreign name in katakana with a middle dot: グエン・ヴァン・ナム
_KATA_DOTTED = rf"(?<![{_KATA}・])[{_KATA}]{{2,10}}(?:・[{_KATA}]{{1,10}}){{1,3}}"
# one part of a labelled name, in one script: 山田 of 山田と申します, not 確認いたしました
_LABEL_PART = (
    rf"(?:(?:(?!様)[{_KANJI}]){{1,6}}(?=様|[^{_KANJI}]|$)|[{_KATA}]{{2,10}}(?![{_KATA}])"
    rf"|[{_HIRA}]{{2,6}}(?![{_HIRA}]))"
)
_FAMILY_WORDS = (
    r"(?:弟|妹|兄|姉|息子|娘|妻|夫|主人|母|父|祖母|祖父|孫|子ども|子供|長男|長女|次男|次女|三男"
    r"|三女|友人|友達|彼氏|彼女|嫁|旦那|家内|甥|姪|いとこ|従兄弟|従姉妹)"
)
# a formal honorific ahead (氏名 is "full name", not 氏)
_HONORIFIC_AHEAD = rf"(?=[ ]?(?!氏名){honorifics_re(FORMAL_HONORIFICS)})"

# Words of shop, company and role names: not people even before さん or と申します.
_BUSINESS_RE = lazy_re(
    r"(?:ストア|ショップ|センター|サポート|カスタマー|サービス|オンライン|マート|デパート|ホテル"
    r"|クリニック|チーム|スタッフ|メンバー|ユーザー|オペレーター|ドライバー|グループ|カンパニー"
    r"|店|商店|会社|銀行|支店|本店|担当|担当者|係|窓口|事業部|営業部|課|家電|事務所|病院|大学|協会|運輸"
    r"|急便|郵便|物流|電気|電機|工業|商事)$"
)


def _not_person_single() -> frozenset[str]:
    """Single kanji that are words before an honorific (神様, 皆様, お客様), not surnames
    (``gdprguard/data/ja_not_person_kanji.txt``)."""
    return load_words("ja_not_person_kanji.txt")


# A "name" directly followed by one of these is a place, an organisation or a product
# (梅田支店, 森駅, 山本工務店, 田中製作所, 佐藤物産, リカちゃん人形).
_ORG_SUFFIX_RE = lazy_re(
    r"(?:ちゃん|くん|さん)?(?:支店|本店|店|駅|銀行|(?:市|区|町|村|県)(?!長|議)|営業所|支社|病院|大学|商店|工場"
    r"|証券|生命|保険|学園|財団|鉄道|鉄鋼|重工|電鉄|新聞|放送|出版|書房|書店"
    r"|郵便局|通り|線|ビル|工務店|製作所|物産|株式会社|有限会社|合同会社|商会|建設|工業|産業|商事"
    r"|興業|電機|電気|運輸|食品|不動産|薬局|医院|歯科|事務所|ホールディングス|グループ|人形"
    r"|シリーズ|空港|港|法律|会計|税理士|屋(?![敷])|堂|舗)"
)
# a company-form word just before a "name": 株式会社田中製作所, (株)佐藤
_ORG_PREFIX_RE = lazy_re(r"(?:株式会社|有限会社|合同会社|\(株\)|\(有\)|㈱|㈲)[ ]?$")
# a bare surname that is also a place, followed by a movement particle: 羽田に到着, 松本から
_PLACE_AFTER_RE = lazy_re(r"(?:に|へ|から|まで|で|駅|空港|方面|行き|発|着|経由)")
_ROLE = (
    r"(?:担当|担当者|係|スタッフ|オペレーター|サポート|センター|窓口|デスク|ストア|ショップ|商店"
    r"|家電|店)"
)
_CLOSING_RE = lazy_re(
    r"(?:お願い(?:いた)?します|お願い申し上げます|以上です|ありがとうございました|ございます"
    r"|失礼します|失礼いたします)[。.!！]?[ ]*$"
)
_CONTACT_LINE_RE = lazy_re(r"[ ]*(?:TEL|Tel|tel|電話|携帯|E-?mail|Mail|メール|〒|FAX|Fax)")


class NamePattern(GuardPattern):
    """A context pattern of Japanese names: a :class:`GuardPattern` that also says where its
    matches can start and which check a matched value must pass.

    ``starts_after``: characters right after which every match starts (its regex begins with a
    look-behind on exactly these); with ``line_start`` too, a match may also start at a line
    start. Trying the regex only there gives the same matches as scanning the whole text.
    ``check(ctx, start, end)``: the value ``ctx.text[start:end]`` is a person's name in this
    context (shop, company and place names are ruled out before for every pattern).
    ``flags``: the regex flags (``re.MULTILINE`` for the patterns anchored at line ends).
    """

    def __init__(
        self,
        name: str,
        regex: str,
        score: float,
        *,
        needles: tuple[str, ...],
        check: Callable[[ScanContext, int, int], bool],
        flags: int = 0,
        line_start: bool = False,
        starts_after: tuple[str, ...] = (),
    ):
        super().__init__(name, regex, score, needles=needles, line_start=line_start)
        self.check = check
        self.flags = flags
        self.starts_after = starts_after

    @cached_property
    def rx(self) -> re.Pattern[str]:
        """The compiled regex (compiled on first use)."""
        return re.compile(self.regex, self.flags)

    def candidates(self, ctx: ScanContext) -> Iterable[re.Match[str]]:
        """``rx.finditer(ctx.text)``, trying the regex only where a match can start."""
        rx = self.rx
        if not self.starts_after:
            return line_matches(rx, ctx) if self.line_start else rx.finditer(ctx.text)
        starts = [i + 1 for i in word_starts(ctx.text, self.starts_after)]
        if self.line_start:
            starts = sorted({*starts, *ctx.line_starts})
        return matches_at(rx, ctx, starts)


# -- what a context pattern's value must be ---------------------------------------------------


def _check_any(ctx: ScanContext, start: int, end: int) -> bool:
    """The context leaves no doubt (``氏名：``, ``オペレーター（森）``, a name closing a post)."""
    return True


def _dotted(ctx: ScanContext, start: int, end: int) -> bool:
    """グエン・ヴァン・ナム: a foreign name in a context that names a person."""
    return "・" in ctx.text[start:end]


def _listed_name(value: str, *, kana_given: bool = False, otherwise: bool = True) -> bool:
    """A kanji surname the dictionary knows as a name in some reading (``林``, not ``神``); a
    lone hiragana word only when *kana_given* and it is a known given name (``ゆかり``, not
    ``みな``); anything else (katakana, a spaced name) is *otherwise*."""
    first = value.split(" ", 1)[0]
    spaced = " " in value
    if _KANJI_ONLY_RE.fullmatch(first):
        if not is_name_word(first):
            return False
        return spaced or len(first) > 1 or first not in _not_person_single()
    if not spaced and _HIRA_ONLY_RE.fullmatch(first):
        return kana_given and is_kana_given(first)
    return otherwise


def _check_name(ctx: ScanContext, start: int, end: int) -> bool:
    """After a self-introduction or a role (``松本と申します``, ``担当の松本です``)."""
    return _dotted(ctx, start, end) or _listed_name(ctx.text[start:end])


def _check_desu(ctx: ScanContext, start: int, end: int) -> bool:
    """``山田でございます``: a kanji name only (no other word ends a sentence in です)."""
    return _dotted(ctx, start, end) or _listed_name(ctx.text[start:end], otherwise=False)


def _check_honorific(ctx: ScanContext, start: int, end: int) -> bool:
    """Before 様/さん: not お客様 or ご担当者様; a hiragana word only as a known given name."""
    if _dotted(ctx, start, end):
        return True
    if start > 0 and ctx.text[start - 1] in "おご":
        return False
    return _listed_name(ctx.text[start:end], kana_given=True)


def _check_staff(ctx: ScanContext, start: int, end: int) -> bool:
    """A staff label's or ``名前は``'s value (see :func:`_staff_name`)."""
    return _dotted(ctx, start, end) or _staff_name(ctx.text[start:end])


def _check_tanto(ctx: ScanContext, start: int, end: int) -> bool:
    """``担当ヤマダ``: a name the dictionary or the kana list knows."""
    return _dotted(ctx, start, end) or _known_single_name(ctx.text[start:end])


def _check_maiden(ctx: ScanContext, start: int, end: int) -> bool:
    """``旧姓中山``, ``旧姓 Sato``: a known name, or a romanised one that is no brand."""
    value = ctx.text[start:end]
    if value.isascii():
        return _latin_name(value)
    return _dotted(ctx, start, end) or _known_single_name(value)


def _check_kana_handle(ctx: ScanContext, start: int, end: int) -> bool:
    """``はるか：``: a chat handle in hiragana that is a given name."""
    return is_kana_given(ctx.text[start:end])


def _check_caps_romaji(ctx: ScanContext, start: int, end: int) -> bool:
    """``TARO YAMADA`` (see :func:`_caps_romaji_name`)."""
    return _caps_romaji_name(ctx.text[start:end])


def _check_latin_or_any(ctx: ScanContext, start: int, end: int) -> bool:
    """Before an honorific: a romanised name that is no shop or brand, or any other name."""
    value = ctx.text[start:end]
    return _latin_name(value) if value.isascii() else True


def _check_latin_or_name(ctx: ScanContext, start: int, end: int) -> bool:
    """After 名義/氏名: a romanised name that is no shop or brand, or a listed name."""
    value = ctx.text[start:end]
    if value.isascii():
        return _latin_name(value)
    return _check_name(ctx, start, end)


def _check_own_line(ctx: ScanContext, start: int, end: int) -> bool:
    """A name alone on its line after a closing formula or before a contact line."""
    return _own_line_context(ctx, start, end) and _check_name(ctx, start, end)


_PATTERNS: tuple[NamePattern, ...] = (
    NamePattern(  # 松本と申します, イトウソウタロウと申します, アベ レイと申します
        "introduction",
        rf"(?P<pii>{_KATA_DOTTED}|{_NAME})(?=[ ]?(?:と申し|ともうし|といいます|と言います))",
        0.85,
        needles=("と申し", "ともうし", "といいます", "と言います"),
        check=_check_name,
    ),
    NamePattern(  # 担当の松本です, さくらオンラインショップの山田でございます, センター、森です
        "role_desu",
        rf"{_ROLE}(?:の|、)[ ]?(?P<pii>{_KATA_DOTTED}|[{_KANJI}]{{1,4}}|[{_KATA}]{{2,10}})"
        r"(?=でございます|です|が(?:担当|確認|承り))",
        0.85,
        needles=("です", "でございます", "が"),
        check=_check_name,
    ),
    NamePattern(  # お世話になっております。林です。 (self-identification after an opening formula)
        "greeting_desu",
        r"(?:お世話になっております|お世話になります|お疲れ様です|こんにちは|はじめまして)"
        rf"[。、]?[ ]?(?P<pii>[{_KANJI}]{{1,4}}|[{_KATA}]{{2,10}})(?=です|でございます)",
        0.85,
        needles=("です",),
        check=_check_name,
    ),
    NamePattern(  # 山田でございます / 、佐藤 あすかです
        "desu",
        rf"(?:^|(?<=[。、：:\n]))[ ]?(?P<pii>[{_KANJI}]{{2,4}}|[{_KANJI}]{{1,4}}[ ]{_GIVEN})"
        r"(?=でございます|です[。\n]|です$)",
        0.8,
        needles=("です",),
        flags=re.MULTILINE,
        line_start=True,
        starts_after=("。", "、", "：", ":"),
        check=_check_desu,
    ),
    NamePattern(  # 林様, 松本様ですね, やまだ たろう 様, カトウ ナナミさん, グエン・ヴァン・ナム様
        "honorific",
        rf"(?P<pii>{_KATA_DOTTED}|{_NAME}){_HONORIFIC_AHEAD}",
        0.85,
        needles=FORMAL_HONORIFICS,
        check=_check_honorific,
    ),
    NamePattern(  # オペレーター（森）：
        "role_paren",
        rf"(?:オペレーター|担当者?|スタッフ|係員?|店員|Agent|agent)[(](?P<pii>{_NAME}|{_LATIN})[)]",
        0.85,
        needles=("(",),
        check=_check_any,
    ),
    # 氏名：田中 花子, 名義人：Ryohei Kato, フリガナ：アベ アツシ, 名前：マリア・ガルシア
    NamePattern(
        "label",
        r"(?:氏名|お名前|名前|名義人|口座名義|名義|ご契約者|契約者|ご依頼主|依頼主|受取人"
        r"|お届け先氏名|フリガナ|ふりがな|カナ)[ ]?[:：][ ]?"
        rf"(?P<pii>{_LATIN}|{_KATA_DOTTED}|{_LABEL_PART}(?:[ ]{_LABEL_PART})?)",
        0.85,
        needles=(":", "："),
        check=_check_any,
    ),
    NamePattern(  # 名前はジョン・スミスです, お名前は田中 花子様
        "named",
        rf"(?:お名前|名前|氏名|名義)(?:は|が)[ ]?(?P<pii>{_KATA_DOTTED}|{_LABEL_PART}"
        rf"(?:[ ]{_LABEL_PART})?)(?=です|でございます|と申し|[ ]?(?:様|さん)|[。、\n]|$)",
        0.85,
        needles=("名前", "氏名", "名義"),
        flags=re.MULTILINE,
        check=_check_staff,
    ),
    NamePattern(  # 担当：林, 差出人：佐藤 花子 — not 担当：確認いたしました
        "staff_label",
        r"(?:担当者|担当|差出人|送り主|送信者)[ ]?[:：][ ]?"
        rf"(?P<pii>{_LATIN}|{_KATA_DOTTED}|{_LABEL_PART}(?:[ ]{_LABEL_PART})?)",
        0.85,
        needles=(":", "："),
        check=_check_staff,
    ),
    NamePattern(  # はるか：注文した商品が届きません (a chat handle in hiragana at a line start)
        "kana_handle",
        rf"^[ ]*(?P<pii>[{_HIRA}]{{2,6}})[ ]?[:：>＞]",
        0.8,
        needles=(":", "：", ">", "＞"),
        flags=re.MULTILINE,
        line_start=True,
        check=_check_kana_handle,
    ),
    NamePattern(  # TARO YAMADA (a romanised name in capitals, as on a card)
        "latin_caps",
        r"(?<![A-Za-z])(?P<pii>[A-Z]{2,}[ ][A-Z]{2,})(?![A-Za-z])",
        0.8,
        needles=(" ",),
        check=_check_caps_romaji,
    ),
    NamePattern(  # 担当のEmily Clarkeさん, Ryohei Kato様, Chen様, Sato さん, Kim(お客様)
        "latin_honorific",
        rf"(?P<pii>{_LATIN_ANY})(?=[ ]?(?:様|さま|さん|殿|氏|くん|ちゃん|と申し"
        r"|\((?:お客様|顧客|担当|担当者|オペレーター|スタッフ|店員|本人|ご本人)\)))",
        0.85,
        needles=("様", "さま", "さん", "殿", "氏", "くん", "ちゃん", "と申し", "("),
        check=_check_latin_or_any,
    ),
    NamePattern(  # 名義 TAKESHI OGAWA, 口座名義人 Ryohei Kato, カード名義：HANAKO SATO
        "latin_label",
        r"(?:名義人?|口座名義人?|カード名義人?|氏名|お名前|名前|ご契約者|契約者|受取人|送り主"
        rf"|差出人)(?:は|が)?[ ]?[:：]?[ ]?(?P<pii>{_LATIN_ANY})",
        0.85,
        needles=("名義", "氏名", "名前", "契約者", "受取人", "送り主", "差出人"),
        check=_check_latin_or_name,
    ),
    NamePattern(  # 担当ヤマダ：, 担当エリカ:, 本日の担当小松です
        "tanto",
        rf"担当(?:者)?[ ]?(?P<pii>{_KATA_DOTTED}|[{_KATA}]{{2,10}}|[{_KANJI}]{{1,4}})"
        r"(?=[ ]?(?:[:：]|です|でございます|が|より|から|[ 、。\n)]|$))",
        0.85,
        needles=("担当",),
        flags=re.MULTILINE,
        check=_check_tanto,
    ),
    NamePattern(  # (旧姓中山), 旧姓：佐藤
        "maiden",
        rf"旧姓[ ]?[:：]?[ ]?(?P<pii>[{_KANJI}]{{1,4}}|[{_KATA}]{{2,10}}|{_LATIN_ANY})",
        0.85,
        needles=("旧姓",),
        check=_check_maiden,
    ),
    # a name alone on its line: kept when a closing formula precedes or a contact line follows
    NamePattern(
        "own_line",
        rf"^[ ]*(?P<pii>{_KATA_DOTTED}|{_NAME}|{_LATIN})[ ]*$",
        0.85,
        needles=("\n",),
        flags=re.MULTILINE,
        line_start=True,
        check=_check_own_line,
    ),
    NamePattern(  # ...に電話ください。ヨシダ ナナミ  (a two-part name closing a post)
        "trailing_name",
        rf"(?<=[。！？!?])[ ]?(?P<pii>{_PART}[ ]{_PART})[ ]*$",
        0.8,
        needles=("。", "！", "？", "!", "?"),
        flags=re.MULTILINE,
        starts_after=("。", "！", "？", "!", "?"),
        check=_check_any,
    ),
)


class JaPersonRecognizer(GuardRecognizer):
    """``山田太郎様``, ``佐藤と申します``, ``担当の鈴木``, ``ヤマダ タロウ様``,
    ``氏名：田中 花子``, ``担当の松本です``, ``名義人：Ryohei Kato``."""

    ENTITIES: ClassVar[tuple[str, ...]] = ("PERSON",)
    LANGUAGES: ClassVar[tuple[str, ...]] = ("ja",)

    FULL_NAME_SCORE = 0.9
    WITH_CONTEXT_SCORE = 0.85
    SURNAME_ALONE_SCORE = 0.6
    #: a given name or a foreign name alone, as the subject or object of a clause
    NAME_IN_CLAUSE_SCORE = 0.55
    GIVEN_ALONE_SCORE = 0.4
    #: a foreign name written in katakana with ``・`` (``ロバート・キャロル``)
    DOTTED_NAME_SCORE = 0.8
    #: the context patterns (honorifics, self-introductions, labels, sign-off lines, …)
    PATTERNS: ClassVar[tuple[NamePattern, ...]] = _PATTERNS

    def scan(self, ctx: ScanContext) -> list[RawMatch]:
        """Candidates from SudachiPy's name tags and from context patterns, outermost first."""
        text = ctx.text
        if not has_japanese(text):
            return []
        spans = self._tagged(ctx)
        spans.extend(self._contextual(ctx))
        spans.extend(_kana_given_names(text))
        if "・" in text:
            spans.extend((s, e, self.DOTTED_NAME_SCORE) for s, e in dotted_katakana_names(text))
        return [RawMatch("PERSON", s, e, score, self.rec_name) for s, e, score in _merge(spans)]

    # -- SudachiPy ---------------------------------------------------------------------------
    def _tagged(self, ctx: ScanContext) -> list[tuple[int, int, float]]:
        text = ctx.text
        out: list[tuple[int, int, float]] = []
        morphs = ctx.name_morphemes
        i, n = 0, len(morphs)
        while i < n:
            parts = [morphs[i]]
            j = i + 1
            while j < n and len(parts) < 3:  # adjacent, or 田中 花子 (family, space, given)
                nxt, last = morphs[j], parts[-1]
                if (nxt.index == last.index + 1 and nxt.start == last.end) or (
                    nxt.index == last.index + 2
                    and nxt.start == last.end + 1
                    and text[last.end].isspace()
                    and last.kind == "姓"
                    and nxt.kind == "名"
                ):
                    parts.append(nxt)
                else:
                    break
                j += 1
            start, end = _widen(text, parts[0].start, parts[-1].end)
            start = _strip_particle(text, start, end)
            kinds = {p.kind for p in parts}
            if kinds == {"名"}:
                # 兵庫慎司, 奈良竜樹: a given name right after a surname the tagger read as a place
                start = _surname_before(text, start, end)
            if not _org_context(text, start, end) and not _BUSINESS_RE.search(text, start, end):
                if start < parts[0].start or end > parts[-1].end:
                    kinds = {"姓", "名"}
                score = self._score(text, start, end, kinds)
                if (
                    score < self.WITH_CONTEXT_SCORE
                    and start
                    and text[start - 1].isdigit()
                    and _KANJI_RE1.match(text, start)
                ):
                    score = 0.0  # 2012年秋, 14銭高: a date or a counter, not a name
                if score == self.SURNAME_ALONE_SCORE and (
                    _place_context(text, start, end) or _in_compound(text, end)
                ):
                    score = 0.0  # 羽田に到着, 藤堂隊, 安中製錬所
                if score > 0:
                    out.append((start, end, score))
            i = j
        return out

    def _score(self, text: str, start: int, end: int, kinds: set[str]) -> float:
        surface = text[start:end]
        if not _CJK_RE.search(surface) and len(surface) < 2:
            return 0.0
        # latin-script "names" are left to the English recognizer
        if surface.isascii():
            return 0.0
        if "姓" in kinds and "名" in kinds:
            return self.FULL_NAME_SCORE
        after = text[end : end + 8]
        before = text[max(0, start - 8) : start]
        if _HONORIFIC_RE.match(after) or _INTRO_AFTER_RE.match(after) or _BEFORE_RE.search(before):
            return self.WITH_CONTEXT_SCORE
        if end - start < 2:
            return 0.0
        if kinds == {"一般"} and _KANJI_ONLY_RE.fullmatch(surface) and len(surface) >= 3:
            return self.FULL_NAME_SCORE  # 手塚治虫: a full name listed as one entry
        if "姓" in kinds:
            return self.SURNAME_ALONE_SCORE
        if _name_in_clause(text, start, end):
            return self.NAME_IN_CLAUSE_SCORE
        return self.GIVEN_ALONE_SCORE

    # -- context patterns ----------------------------------------------------------------------
    def _contextual(self, ctx: ScanContext) -> list[tuple[int, int, float]]:
        text = ctx.text
        out: list[tuple[int, int, float]] = []
        for pattern in self.PATTERNS:
            if not any(n in text for n in pattern.needles):
                continue
            for m in pattern.candidates(ctx):
                start, end = m.span("pii")
                if self._accept(pattern, ctx, start, end):
                    out.append((start, end, pattern.score))
        return out

    @staticmethod
    def _accept(pattern: NamePattern, ctx: ScanContext, start: int, end: int) -> bool:
        """Not a shop, company or place name (``ABCストアさん``, ``梅田支店``), and the value
        passes the pattern's own check."""
        text = ctx.text
        value = text[start:end]
        first = value.split(" ", 1)[0]
        if _BUSINESS_RE.search(first) or _BUSINESS_RE.search(value):
            return False
        if _org_context(text, start, end):
            return False
        return pattern.check(ctx, start, end)


def ja_given_kana() -> frozenset[str]:
    """Japanese given names in hiragana (``gdprguard/data/ja_given_kana.txt``)."""
    return load_words("ja_given_kana.txt")


def is_kana_given(word: str) -> bool:
    """A hiragana word that is a given name: listed, or read as one name by SudachiPy."""
    return word in ja_given_kana() or (len(word) >= 2 and reads_as_name(word))


def _known_single_name(value: str) -> bool:
    """A name the dictionary knows (a single kanji only if it is not a word such as 神), or
    katakana whose hiragana is a listed given name."""
    if _KANJI_ONLY_RE.fullmatch(value):
        return is_name_word(value) and value not in _not_person_single()
    return is_name_word(value) or kata_to_hira(value) in ja_given_kana()


def _staff_name(value: str) -> bool:
    """The value of a staff label (``担当：林``): a name the dictionary or the lists know, or
    two parts (``佐藤 花子``); ``確認`` (``担当：確認いたしました``) is not one."""
    if value.isascii():
        return _latin_name(value)
    first = value.split(" ", 1)[0]
    if " " in value:
        return not _HIRA_ONLY_RE.fullmatch(first) or is_kana_given(value.split(" ", 1)[1])
    if _HIRA_ONLY_RE.fullmatch(first):
        return is_kana_given(first)
    if _KANJI_ONLY_RE.fullmatch(first):
        return is_name_word(first) and first not in _not_person_single()
    return is_name_word(first) or kata_to_hira(first) in ja_given_kana()


def _caps_romaji_name(value: str) -> bool:
    """``TARO YAMADA``: both words read as romanised Japanese and one is a known name."""
    words = value.split()
    return all(is_romaji(w) for w in words) and any(
        is_given_name(w.capitalize()) or is_surname(w.capitalize()) for w in words
    )


def _latin_name(value: str) -> bool:
    """A romanised name in Japanese text, not a shop or brand (``Amazonさん``, ``ABC様``)."""
    words = [w.capitalize() if w.isupper() else w for w in value.split()]
    if any(w in stop_words() or w in business_words() for w in words):
        return False
    if len(words) == 1 and value.isupper():
        return is_given_name(words[0]) or is_surname(words[0])
    return True


def in_organisation(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` is part of a company, shop, product or place name (``山田商店``,
    ``株式会社田中製作所``, ``梅田支店``)."""
    return _org_context(text, start, end)


def is_place_here(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` is a place name here: a place word before a movement word
    (``羽田に到着``, ``松本から``)."""
    return _place_context(text, start, end)


def kana_name_ends(text: str, end: int) -> bool:
    """A hiragana name may end at *end*: a particle, a copula, an honorific or punctuation
    follows (``はるとが``, ``ゆうなです``)."""
    return _KANA_BOUNDARY_RE.match(text, end) is not None


def _org_context(text: str, start: int, end: int) -> bool:
    """A "name" inside a company, shop or product name: 株式会社田中製作所, リカちゃん人形,
    フラワーショップ花子."""
    if _ORG_SUFFIX_RE.match(text, end) or _ORG_PREFIX_RE.search(text, max(0, start - 6), start):
        return True
    return start > 0 and _SHOP_BEFORE_RE.search(text, max(0, start - 8), start) is not None


_SHOP_BEFORE_RE = lazy_re(r"(?:ショップ|ストア|商店|書店|花店|工房|サロン|カフェ|ベーカリー|店)$")


def _place_context(text: str, start: int, end: int) -> bool:
    """A bare surname that is also a place, followed by a movement word (羽田に到着)."""
    return is_place_word(text[start:end]) and _PLACE_AFTER_RE.match(text, end) is not None


# Contexts that introduce a hiragana given name (casual posts, family members):
# あやかです, 弟のはると, 名前はたくみです, by なっちゃん
# Contexts that introduce a hiragana given name (family members, 名前は, by):
# 弟のはると, 名前はたくみです, by なっちゃん
_KANA_CONTEXT_RE = lazy_re(
    rf"(?:(?P<family>{_FAMILY_WORDS}の)|(?P<named>(?:名前|なまえ)(?:は|が))"
    r"|(?P<by>(?:by|By|from|From|BY)))"
    rf"[ ]?(?P<run>[{_HIRA}ー]{{2,8}})"
)
_KANA_CONTEXT_NEEDLES = ("の", "名前", "なまえ", "by", "By", "BY", "from", "From")
_KANA_CHAN_RE = lazy_re(rf"(?<![{_HIRA}])(?P<run>[{_HIRA}]{{2,6}})(?=ちゃん|くん)")
_KANA_BOUNDARY_RE = lazy_re(
    r"(?:が|は|に|の|も|と|を|へ|から|より|まで|です|でした|でーす|だよ|だけど|ちゃん|くん|さん|様"
    r"|[、。！!？?)）\s」]|$)"
)
# a self-introduction: あやかです, しょうたより, after a sentence start or a greeting
_KANA_INTRO_RE = lazy_re(r"です|でした|でーす|と申し|といいます|と言います|だよ|より")
_SENTENCE_START_RE = lazy_re(
    r"(?:^|[。、！!？?\n」）)]|はじめまして|こんにちは|こんばんは|どうも|もしもし|おはようございます)"
    r"[ ]?\Z"
)
_NICKNAME_RE = lazy_re(rf"[{_HIRA}]{{1,3}}っ(?:ちゃん|くん)")


def _kana_given_names(text: str) -> list[tuple[int, int, float]]:
    """Hiragana given names in a context that introduces a person."""
    out: list[tuple[int, int, float]] = []
    if any(n in text for n in _KANA_CONTEXT_NEEDLES):
        for m in _KANA_CONTEXT_RE.finditer(text):
            start = m.start("run")
            run = m.group("run")
            nick = _NICKNAME_RE.match(run) if m.group("by") is not None else None
            if nick is not None:
                out.append((start, start + nick.end(), 0.8))  # by なっちゃん
                continue
            for length in range(min(len(run), 6), 1, -1):
                end = start + length
                if _KANA_BOUNDARY_RE.match(text, end) and is_kana_given(run[:length]):
                    out.append((start, end, 0.8))
                    break
    for m in _KANA_INTRO_RE.finditer(text):  # あやかです: the hiragana run before です
        end = m.start()
        start = end
        while start > 0 and end - start < 6 and "ぁ" <= text[start - 1] <= "ゖ":
            start -= 1
        if (
            end - start >= 2
            and (start == 0 or not "ぁ" <= text[start - 1] <= "ゖ")
            and _SENTENCE_START_RE.search(text, max(0, start - 6), start)
            and is_kana_given(text[start:end])
        ):
            out.append((start, end, 0.8))
    if "ちゃん" in text or "くん" in text:
        for m in _KANA_CHAN_RE.finditer(text):  # ゆかりちゃん, はるとくん
            start, end = m.span("run")
            if is_kana_given(m.group("run")) and not _org_context(text, start, end):
                out.append((start, end, 0.8))
    return out


def _own_line_context(ctx: ScanContext, start: int, end: int) -> bool:
    """A name alone on its line: after a closing formula or before a contact line."""
    text = ctx.text
    line_start = ctx.line_start(start)
    if line_start == 0:
        return False
    prev_end = line_start - 1
    prev_start = ctx.line_start(prev_end)
    while prev_start > 0 and not text[prev_start:prev_end].strip():  # skip blank lines
        prev_end = prev_start - 1
        prev_start = ctx.line_start(prev_end)
    if _CLOSING_RE.search(text, prev_start, prev_end):
        return True
    line_end = ctx.line_end(end)
    return line_end < len(text) and _CONTACT_LINE_RE.match(text, line_end + 1) is not None


_KANJI_ONLY_RE = lazy_re(rf"[{_KANJI}]+")
_KATA_ONLY_RE = lazy_re(rf"[{_KATA}]+")
# what follows a name that is the subject, object or topic of its clause: a case particle or a
# title (悦子は大学, ゲイリーとレーン, オバマ大統領)
_CLAUSE_ROLE_AFTER_RE = lazy_re(
    r"(?:は|が|と|に(?!よ)|を|も|や|から|より|の(?=[妻夫母父子娘息兄弟姉妹])"
    r"|(?:米?大統領|首相|監督|選手|博士|教授|議員|氏|元|中佐|大佐|少将|CEO|社長|会長|長官|代表))"
)
# titles and roles after a surname: 山田社長, 佐藤先輩 (a surname followed by any other kanji word
# is part of a compound: 藤堂隊, 安中製錬所, 大隈内閣)
_TITLE_AFTER_RE = lazy_re(
    r"(?:様|氏|殿|君|先生|宛|社長|部長|課長|係長|店長|室長|主任|監督|選手|先輩|後輩|教授|博士|医師"
    r"|弁護士|夫妻|夫人|一家|容疑者|被告|議員|知事|市長|首相|大統領|会長|理事|所長|院長|局長|記者"
    r"|投手|捕手|代表|党首|総裁|委員|さん|ちゃん|くん|たち|達|ら(?![一-龥]))"
)


def _in_compound(text: str, end: int) -> bool:
    """A surname followed by another kanji word that is not a title: ``藤堂隊``, ``佐沼城``."""
    return (
        end < len(text)
        and _KANJI_RE1.match(text, end) is not None
        and _TITLE_AFTER_RE.match(text, end) is None
    )


_KANJI_RE1 = lazy_re(rf"[{_KANJI}]")
_KATA_OR_DOT_RE = lazy_re(rf"[{_KATA}・]")


def _name_in_clause(text: str, start: int, end: int) -> bool:
    """A given name (``悦子``) or a foreign name in katakana (``ゲイリー``) alone, standing as a
    whole word before a case particle or a title: the subject or object of its clause."""
    surface = text[start:end]
    if _KANJI_ONLY_RE.fullmatch(surface):
        pass
    elif _KATA_ONLY_RE.fullmatch(surface):
        # a katakana name is a whole word, and not also a common word (リック, エステ)
        if len(surface) < 3 or (start and _KATA_OR_DOT_RE.match(text, start - 1)):
            return False
        if is_common_word(surface):
            return False
    else:
        return False
    return _CLAUSE_ROLE_AFTER_RE.match(text, end) is not None


def _surname_before(text: str, start: int, end: int) -> int:
    """Where a name starts whose given name (tagged) starts at *start*: one to three kanji just
    before it that the dictionary lists as a surname (``兵庫`` of ``兵庫慎司``), else *start*."""
    if not _KANJI_ONLY_RE.fullmatch(text, start, end):
        return start
    for length in (2, 3, 1):
        begin = start - length
        if begin < 0 or not _KANJI_ONLY_RE.fullmatch(text, begin, start):
            continue
        if begin and _KANJI_RE1.match(text, begin - 1):
            continue
        if is_name_word(text[begin:start]):
            return begin
    return start


# foreign names in katakana with a middle dot (ロバート・キャロル, アンドリュー・ジョンソン)
_DOTTED_RE = lazy_re(
    rf"(?<![{_KATA}・])[{_KATA}]{{2,12}}(?:・[{_KATA}]{{2,12}}){{1,3}}(?![{_KATA}])"
)


def _dotted_brands() -> frozenset[str]:
    """Brands named after people, written the same way (``gdprguard/data/ja_dotted_brands.txt``)."""
    return load_words("ja_dotted_brands.txt")


def dotted_katakana_names(text: str) -> list[tuple[int, int]]:
    """Foreign names written in katakana with ``・`` and no cue: a part the dictionary lists as
    a person name and as no common word (``ジョン``, not ``マイク``), no part that is a place
    (``フランス・ドイツ``), and no part that is only a common word (``ジョン・ケーキ``)."""
    out = []
    for m in _DOTTED_RE.finditer(text):
        value = m.group()
        if value in _dotted_brands() or _org_context(text, m.start(), m.end()):
            continue
        parts = value.split("・")
        if any(is_place_word(p) for p in parts):
            continue
        names = [is_name_word(p) for p in parts]
        common = [is_common_word(p) for p in parts]
        if any(n and not c for n, c in zip(names, common, strict=True)) and all(
            n or not c for n, c in zip(names, common, strict=True)
        ):
            out.append(m.span())
    return out


_HIRA_ONLY_RE = lazy_re(rf"[{_HIRA}]+")
_NAME_CHAR_RE = lazy_re(rf"[{_KANJI}{_KATA}{_HIRA}]")
_AFTER_NAME_RE = lazy_re(r"[ ]?(?:様|さま|さん|殿|と申し|です|でございます|[、。,.)）」』\n]|$)")
_BEFORE_NAME_RE = lazy_re(r"(?:^|[\n：:、。（(「『 ]|もしもし、)\Z")
_BEFORE_NAME_SPAN = len("もしもし、")  # the longest alternative: search only that far back


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """Extend a tagged name over one space to the other half of a family/given name."""
    if (
        end < len(text)
        and text[end] == " "
        and not _HONORIFIC_RE.match(text, end + 1)
        and not _AFTER_NAME_RE.match(text, end + 1)
    ):
        j = end + 1
        while j < len(text) and j - end <= 6 and _NAME_CHAR_RE.match(text[j]):
            j += 1
            if _AFTER_NAME_RE.match(text, j) and j - end >= 2:
                # shortest extension that reaches a name boundary, if it can be a name
                if _name_like(text[end + 1 : j]):
                    return start, j
                break
    if start >= 2 and text[start - 1] == " ":
        i = start - 1
        while i > 0 and start - 1 - i < 6 and _NAME_CHAR_RE.match(text[i - 1]):
            i -= 1
        if (
            i < start - 1
            and _BEFORE_NAME_RE.search(text, max(0, i - _BEFORE_NAME_SPAN), i)
            and not _BUSINESS_RE.search(text[i : start - 1])
            and _name_like(text[i : start - 1])
        ):
            return i, end
    return start, end


_PARTICLE_HEAD_RE = lazy_re(rf"[のはがをにと](?=[{_HIRA}]{{2,}})")
_NOUN_CHAR_RE = lazy_re(rf"[{_KANJI}{_KATA}]")


def _strip_particle(text: str, start: int, end: int) -> int:
    """娘のりこ: a hiragana name read across a particle after a noun starts after the particle."""
    if (
        start > 0
        and _NOUN_CHAR_RE.match(text, start - 1)
        and _PARTICLE_HEAD_RE.match(text, start)
        and _HIRA_ONLY_RE.fullmatch(text, start, end)
        and is_kana_given(text[start + 1 : end])
    ):
        return start + 1
    return start


def _not_name_kana() -> frozenset[str]:
    """Greetings and interjections that stand before a name with a space: not half of it
    (``gdprguard/data/ja_not_name_kana.txt``)."""
    return load_words("ja_not_name_kana.txt")


def _name_like(part: str) -> bool:
    """The other half of a spaced name: kana, or kanji the dictionary knows as a name."""
    if _KANJI_ONLY_RE.fullmatch(part):
        return is_name_word(part)
    return part not in _not_name_kana()


def _merge(spans: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """Drop spans inside a longer span (the longer one keeps the higher score)."""
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out: list[tuple[int, int, float]] = []
    for start, end, score in spans:
        if out and start >= out[-1][0] and end <= out[-1][1]:
            s, e, sc = out[-1]
            out[-1] = (s, e, max(sc, score))
            continue
        out.append((start, end, score))
    return out
