"""Base classes of gdprguard's recognizers: light, with a fast ``scan()`` path.

The recognizers do not depend on Presidio: importing them (and running a
:class:`~gdprguard.detect.Detector`) loads neither Presidio nor spaCy. Each one can still be
handed to Presidio: :meth:`to_presidio` wraps it in a Presidio ``EntityRecognizer`` (built by
:mod:`gdprguard.detect.presidio` on first use) that a ``RecognizerRegistry`` and an
``AnalyzerEngine`` run like any other, with the same patterns, validation and context rules.

Semantics of a pattern recognizer, declared on the class:

- ``PATTERNS``: :class:`GuardPattern` (name, regex, score, ``requires_context``); a named group
  ``pii`` narrows the reported span to the value itself (``〒(?P<pii>123-4567)``).
- ``validate_result(value)``: ``False`` drops the match (failed checksum); anything else keeps it at
  the pattern's score.
- ``CONTEXT``: words that raise the score by ``CONTEXT_BOOST`` when they appear shortly before
  (``WINDOW_BEFORE`` characters) or after (``WINDOW_AFTER``) the match; patterns with
  ``requires_context`` are dropped without one.
- ``NEAR_MISS``: numeric recognizers drop a match when an order/tracking/invoice word is closer
  before it than any context word (``Order #2024-0512-8831`` is not a My Number).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

from .._lazy import lazy_re
from .._sudachi import Morpheme, name_morphemes

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer

__all__ = [
    "NEAR_MISS_RE",
    "NEAR_MISS_WORDS",
    "AcceptRule",
    "GuardPattern",
    "GuardPatternRecognizer",
    "GuardRecognizer",
    "RawMatch",
    "ScanContext",
    "answers_previous_line",
    "compile_words",
]


@dataclass(frozen=True, slots=True)
class RawMatch:
    """A candidate span in the normalised text."""

    type: str
    start: int
    end: int
    score: float
    recognizer: str


_NEWLINE_RE = lazy_re("\n")
_JAPANESE_RE = lazy_re(r"[\u3040-\u30ff\u4e00-\u9fff]")


@dataclass(eq=False)
class ScanContext:
    """The normalised text plus lazily computed views shared by all recognizers."""

    text: str
    languages: frozenset[str] = field(default_factory=lambda: frozenset({"en", "ja"}))
    context_cache: dict[str, bool] = field(default_factory=dict)
    found_cache: dict[re.Pattern[str], bool] = field(default_factory=dict)

    def contains(self, rx: re.Pattern[str]) -> bool:
        """True when *rx* matches somewhere in the text (asked once per regex and text: several
        patterns share a gate such as ``\\d{4}``)."""
        found = self.found_cache.get(rx)
        if found is None:
            found = rx.search(self.text) is not None
            self.found_cache[rx] = found
        return found

    @cached_property
    def lower(self) -> str:
        """Lower-cased text, same length as :attr:`text`."""
        low = self.text.lower()
        if len(low) != len(self.text):  # e.g. 'İ' lowers to two characters: fold per character
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in self.text)
        return low

    @cached_property
    def newlines(self) -> list[int]:
        """Offsets of the line breaks of the text, in order."""
        return [m.start() for m in _NEWLINE_RE.finditer(self.text)]

    def line_start(self, pos: int) -> int:
        """Where the line holding *pos* starts (``text.rfind("\\n", 0, pos) + 1``, in log time)."""
        i = bisect_left(self.newlines, pos)
        return self.newlines[i - 1] + 1 if i else 0

    def line_end(self, pos: int) -> int:
        """The first line break at or after *pos*, or the text's length."""
        i = bisect_left(self.newlines, pos)
        return self.newlines[i] if i < len(self.newlines) else len(self.text)

    @cached_property
    def has_japanese(self) -> bool:
        """True when the text holds kana or kanji."""
        return _JAPANESE_RE.search(self.text) is not None

    @cached_property
    def line_starts(self) -> list[int]:
        """Offsets where lines start (0 and after every line break), in order."""
        return [0, *(i + 1 for i in self.newlines)]

    @cached_property
    def name_morphemes(self) -> list[Morpheme]:
        """SudachiPy's person-name morphemes of the text (tokenised on first use)."""
        return name_morphemes(self.text)


#: a pattern's own check of a match: ``rule(recognizer, value, match, ctx)``
AcceptRule = Callable[["GuardPatternRecognizer", str, "re.Match[str]", ScanContext], bool]


class GuardPattern:
    """A named regex with a score and fast-path options.

    ``requires_context``: drop matches without a context word nearby.
    ``not_after``: a regex that must not match the text just before the match (a boundary check
    kept out of the regex itself, because a leading look-behind disables ``re``'s fast scan).
    ``needles``: lower-case substrings of which one must occur in the text for the pattern to run.
    ``prefilter``: a cheap regex that must match somewhere in the text for the pattern to run.
    ``line_start``: every match starts at the start of a line (the regex begins with ``^`` in
    ``re.MULTILINE`` mode): the regex is tried at line starts only instead of being scanned over
    the whole text, with the same results.
    ``starts_with``: lower-case words one of which every match starts with (a leading
    case-insensitive alternation such as ``(?i:thanks|regards)``): the regex is tried only where
    one of them occurs, found by substring search, with the same results.
    ``strong``: the context says so clearly what the match is that a recognizer's ambiguity
    checks are relaxed (a title or greeting before a name that is also a word: ``Dear Bill``).
    ``known_only``: the context is weak; the recognizer accepts only values it knows (a listed
    given name after ``- ``).
    ``accept``: this pattern's own check of a match, ``rule(recognizer, value, match, ctx)``,
    in place of the recognizer's ``validate_result()`` (a recognizer's :meth:`accept
    <GuardPatternRecognizer.accept>` may add checks of its own around it).
    ``valid_by_shape``: ``check(value)``, true when a match is valid by its own shape (a
    checksum, a numbering plan); see :meth:`GuardPatternRecognizer.valid_by_shape`.
    ``starts_at``: ``starts(ctx)``, the sorted offsets where a match can start (a superset):
    the regex is tried there only instead of being scanned over the whole text, with the same
    results (``e-mail`` local parts that end at an ``@``).

    Regexes are compiled on first use: importing a recognizer compiles nothing.
    """

    def __init__(
        self,
        name: str,
        regex: str,
        score: float,
        *,
        requires_context: bool = False,
        not_after: str | None = None,
        needles: tuple[str, ...] = (),
        prefilter: str | None = None,
        line_start: bool = False,
        starts_with: tuple[str, ...] = (),
        strong: bool = False,
        known_only: bool = False,
        accept: AcceptRule | None = None,
        valid_by_shape: Callable[[str], bool] | None = None,
        starts_at: Callable[[ScanContext], list[int]] | None = None,
    ):
        self.name = name
        self.regex = regex
        self.score = score
        self.requires_context = requires_context
        self.needles = needles
        self.not_after_regex = not_after
        self.prefilter_regex = prefilter
        self.line_start = line_start
        self.starts_with = starts_with
        self.strong = strong
        self.known_only = known_only
        self.accept = accept
        self.valid_by_shape = valid_by_shape
        self.starts_at = starts_at

    @cached_property
    def not_after(self) -> re.Pattern[str] | None:
        """The compiled ``not_after`` check, anchored at the end of the text before a match."""
        rx = self.not_after_regex
        return re.compile(f"(?:{rx})\\Z") if rx else None

    @cached_property
    def prefilter(self) -> re.Pattern[str] | None:
        """The compiled ``prefilter``."""
        return re.compile(self.prefilter_regex) if self.prefilter_regex else None

    def __repr__(self) -> str:
        return f"GuardPattern({self.name!r}, score={self.score})"


def compile_words(words: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive regex for context words (ASCII words match at a word start)."""
    alts = []
    for word in sorted(set(words), key=len, reverse=True):
        w = re.escape(word.lower())
        if word.isascii() and word[:1].isalnum():
            # "at a word start" checked after the first letter, (?<![a-z0-9]o)rder rather than
            # (?<![a-z0-9])order: every branch then starts with a literal, which lets ``re``
            # skip positions by their first character (several times faster, same matches)
            first, rest = re.escape(word[0].lower()), re.escape(word[1:].lower())
            alts.append(
                rf"{first}(?<![a-z0-9]{first}){rest}" + (r"(?![a-z])" if len(word) <= 3 else "")
            )
        else:
            alts.append(w)
    return re.compile("|".join(alts)) if alts else None


# Words that announce a non-personal number: order, invoice, tracking, SKU ...
NEAR_MISS_WORDS: tuple[str, ...] = (
    "order",
    "invoice",
    "inv",
    "tracking",
    "track",
    "shipment",
    "parcel",
    "package",
    "sku",
    "item",
    "product",
    "model",
    "part",
    "serial",
    "ref",
    "reference",
    "ticket",
    "case",
    "receipt",
    "transaction",
    "confirmation",
    "booking",
    "reservation",
    "version",
    "ver",
    "build",
    "code",
    "coupon",
    "voucher",
    "batch",
    "lot",
    "waybill",
    "awb",
    "po",
    "注文",
    "受注",
    "伝票",
    "追跡",
    "問い合わせ番号",
    "問合せ番号",
    "お問合せ番号",
    "請求",
    "品番",
    "型番",
    "商品番号",
    "商品コード",
    "コード",
    "jan",
    "ean",
    "upc",
    "製品番号",
    "管理番号",
    "受付番号",
    "予約番号",
    "領収",
    "インボイス",
    "シリアル",
    "バージョン",
    "クーポン",
    "チケット",
    "案件",
    "imei",
    "meid",
    "iccid",
    "esn",
    "製造番号",
    "端末識別番号",
)
_NEAR_MISS_RE = compile_words(NEAR_MISS_WORDS)
#: the order/invoice/tracking words of :data:`NEAR_MISS_WORDS`, as one regex
NEAR_MISS_RE = _NEAR_MISS_RE
_HASH_BEFORE_RE = lazy_re(r"(?:#|no\.|№)\s*$")
# A clause end: an order word before it does not label a number after it ("ご注文の件で、090-…",
# "about my order, call 415-…"); the full stop of an abbreviation ("No. 123", "Ref. 123",
# "Tel. 03-…") is no end.
_CLAUSE_END_RE = lazy_re(
    r"[。！？!?\n、，,；;]"
    r"|(?<!\bno)(?<!\bnr)(?<!\bref)(?<!\binv)(?<!\bord)(?<!\btel)(?<!\bph)(?<!\bmob)\.[ ]"
)
# What may stand between an order word and the number it labels ("Order #", "注文番号：", "ref no.")
_LABEL_GAP_RE = lazy_re(r"(?:[\s:：#＃№.\-]|no\b|nr\b|number|num\b|id\b|番号|は)*")


def _last_end(rx: re.Pattern[str] | None, window: str) -> int:
    end = -1
    if rx is not None:
        for m in rx.finditer(window):
            end = m.end()
    return end


# What may precede an answer on its own line: a timestamp, a speaker label, a name and a comma
# ("[2024-06-02 15:19] Customer: ", "お客様：渡辺 真綾、").
_ANSWER_PREFIX_RE = lazy_re(
    r"[ \t]*(?:\[[^\]\n]{1,40}\][ \t]*)?(?:[^\s:：\d]{1,20}(?:[ ]\([^()\n]{1,30}\))?[ ]?[:：])?"
    r"[ \t]*(?:[^\d\n、,:：]{1,20}[、,][ \t]*)?\Z"
)


def answers_previous_line(ctx: ScanContext, start: int, rx: re.Pattern[str]) -> bool:
    """The value at *start* opens its line (after a timestamp, speaker label or a name) and
    the previous line holds a match of *rx* (lower-case): it answers that line's question
    (``what's your date of birth?`` ⏎ ``Customer: April 25, 1978``)."""
    low = ctx.lower
    line_start = ctx.line_start(start)
    if line_start == 0 or not _ANSWER_PREFIX_RE.match(low, line_start, start):
        return False
    prev_start = ctx.line_start(line_start - 1)
    return rx.search(low, prev_start, line_start) is not None


def line_matches(rx: re.Pattern[str], ctx: ScanContext) -> Iterator[re.Match[str]]:
    """``rx.finditer(ctx.text)`` for a regex whose matches start at line starts only."""
    return matches_at(rx, ctx, ctx.line_starts)


def matches_at(
    rx: re.Pattern[str], ctx: ScanContext, starts: Iterable[int]
) -> Iterator[re.Match[str]]:
    """``rx.finditer(ctx.text)`` for a regex whose matches can only start at *starts* (sorted):
    the same matches, found by trying the regex at each start not inside an earlier match."""
    text = ctx.text
    pos = 0
    for start in starts:
        if start < pos:
            continue
        m = rx.match(text, start)
        if m is not None:
            yield m
            pos = m.end() if m.end() > start else start + 1


def word_matches(
    rx: re.Pattern[str], ctx: ScanContext, words: tuple[str, ...]
) -> Iterator[re.Match[str]]:
    """``rx.finditer(ctx.text)`` for a regex whose matches start with one of the lower-case
    *words*: the regex is tried only where one of them occurs."""
    return matches_at(rx, ctx, word_starts(ctx.lower, words))


def word_starts(low: str, words: tuple[str, ...]) -> list[int]:
    """Every offset of *low* where one of *words* occurs, sorted (substring search, no regex)."""
    out: list[int] = []
    find = low.find
    for word in words:
        i = find(word)
        while i >= 0:
            out.append(i)
            i = find(word, i + 1)
    if len(words) > 1:
        out = sorted(set(out))
    return out


class _Recognizer:
    """What both base classes share: names, languages, entities and the Presidio adapter."""

    ENTITIES: ClassVar[tuple[str, ...]] = ()
    LANGUAGES: ClassVar[tuple[str, ...]] = ("en", "ja")
    CONTEXT: ClassVar[tuple[str, ...]] = ()

    def __init__(self, supported_language: str = "en") -> None:
        self.supported_language = supported_language
        self.supported_entities: list[str] = list(self.ENTITIES)
        self.name = type(self).__name__
        self.context: list[str] = list(self.CONTEXT)

    @property
    def rec_name(self) -> str:
        """The recognizer's name as reported in findings (its class name)."""
        return type(self).__name__

    def scan(self, ctx: ScanContext) -> list[RawMatch]:  # pragma: no cover - abstract
        """Find this recognizer's entities in the normalised text of *ctx*."""
        raise NotImplementedError

    def to_presidio(self) -> EntityRecognizer:
        """This recognizer as a Presidio ``EntityRecognizer`` (imports Presidio on first use)."""
        from ..presidio import to_presidio

        return to_presidio(self)

    def __repr__(self) -> str:
        return f"<{self.rec_name} {self.supported_language}>"


class GuardPatternRecognizer(_Recognizer):
    """A declarative regex recognizer (see the module docstring for the class attributes)."""

    ENTITY: ClassVar[str]
    PATTERNS: ClassVar[tuple[GuardPattern, ...]]
    FLAGS: ClassVar[int] = re.IGNORECASE
    CONTEXT_BOOST: ClassVar[float] = 0.35
    WINDOW_BEFORE: ClassVar[int] = 40
    WINDOW_AFTER: ClassVar[int] = 15
    NEAR_MISS: ClassVar[bool] = False
    #: a cheap regex that must match somewhere for the patterns to be tried at all
    PREFILTER: ClassVar[str | None] = None

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(supported_language)
        self.supported_entities = [self.ENTITY]
        self.patterns = list(self.PATTERNS)
        self._context_needles = tuple({w.lower() for w in self.CONTEXT})
        self._context_only = all(p.requires_context for p in self.PATTERNS)

    # -- compiled on first use ---------------------------------------------------------------
    @cached_property
    def _compiled(self) -> list[tuple[GuardPattern, re.Pattern[str]]]:
        return [(p, re.compile(p.regex, self.FLAGS)) for p in self.PATTERNS]

    @cached_property
    def _context_re(self) -> re.Pattern[str] | None:
        return compile_words(self.CONTEXT)

    @cached_property
    def _prefilter(self) -> re.Pattern[str] | None:
        return re.compile(self.PREFILTER) if self.PREFILTER else None

    # -- hooks -------------------------------------------------------------------------------
    def validate_result(self, pattern_text: str) -> bool | None:
        """Checksum or sanity check of a matched value; ``False`` drops it."""
        return None

    def accept(
        self, pattern: GuardPattern, value: str, match: re.Match[str], ctx: ScanContext
    ) -> bool:
        """Per-pattern check hook: the pattern's own ``accept`` rule when it has one, else
        :meth:`validate_result` is not ``False``."""
        rule = pattern.accept
        if rule is not None:
            return rule(self, value, match, ctx)
        return self.validate_result(value) is not False

    # -- fast path -----------------------------------------------------------------------------
    def has_context(self, ctx: ScanContext, start: int, end: int) -> bool:
        """True when a context word appears within the window around ``[start, end)``."""
        rx = self._context_re
        if rx is None or not self.context_anywhere(ctx):
            return False
        low = ctx.lower
        # slices, not pos/endpos: a word cut by the window's start still counts as at a start
        before = low[max(0, start - self.WINDOW_BEFORE) : start]
        return rx.search(before) is not None or (
            rx.search(low[end : end + self.WINDOW_AFTER]) is not None
        )

    def context_anywhere(self, ctx: ScanContext) -> bool:
        """True when any context word occurs anywhere in the text (cheap substring test)."""
        key = self.rec_name
        found = ctx.context_cache.get(key)
        if found is None:
            low = ctx.lower
            found = any(word in low for word in self._context_needles)
            ctx.context_cache[key] = found
        return found

    def valid_by_shape(self, pattern: GuardPattern, value: str) -> bool:
        """True when the value is valid by its own shape (a checksum, a numbering plan; the
        pattern's ``valid_by_shape`` check); then a near miss must also be labelled directly by
        its order word (``Order #``, ``注文番号：``)."""
        check = pattern.valid_by_shape
        return check is not None and check(value)

    def is_near_miss(self, ctx: ScanContext, start: int, *, labelled_only: bool = False) -> bool:
        """True when an order/tracking/... word is closer before *start* than a context word,
        in the same clause; with *labelled_only*, only when that word labels the number
        directly (``Order #``, ``注文番号：``)."""
        window = ctx.lower[max(0, start - 30) : start]
        # an order word in an earlier clause does not label this number
        cut = _last_end(_CLAUSE_END_RE, window)
        if cut > 0:
            window = window[cut:]
        if not window:
            return False
        negative = _last_end(_NEAR_MISS_RE, window)
        positive = -1
        if self._context_re is not None:
            for m in self._context_re.finditer(window):
                # 注文番号 is an order word, not the context word 番号 it ends with
                if m.start() != negative:
                    positive = m.end()
        if labelled_only:
            return negative >= 0 and _LABEL_GAP_RE.fullmatch(window, negative) is not None
        if _HASH_BEFORE_RE.search(window) and positive < 0:
            return True
        return negative > positive

    def scan(self, ctx: ScanContext) -> list[RawMatch]:
        """Find this recognizer's entities in the normalised text."""
        text = ctx.text
        if self._context_only and not self.context_anywhere(ctx):
            return []
        prefilter = self._prefilter
        if prefilter is not None and not ctx.contains(prefilter):
            return []
        out: list[RawMatch] = []
        entity, name, near_miss = self.ENTITY, self.rec_name, self.NEAR_MISS
        for pattern, rx in self._compiled:
            if pattern.needles:
                low = ctx.lower
                if not any(n in low for n in pattern.needles):
                    continue
            # has_context() is False without a context word anywhere: such matches all drop
            if pattern.requires_context and not self.context_anywhere(ctx):
                continue
            pattern_filter = pattern.prefilter
            if pattern_filter is not None and not ctx.contains(pattern_filter):
                continue
            has_pii_group = "pii" in rx.groupindex
            has_end_group = "pii_end" in rx.groupindex
            not_after = pattern.not_after
            requires_context = pattern.requires_context
            if pattern.line_start:
                matches: Iterable[re.Match[str]] = line_matches(rx, ctx)
            elif pattern.starts_with:
                matches = matches_at(rx, ctx, word_starts(ctx.lower, pattern.starts_with))
            elif pattern.starts_at is not None:
                matches = matches_at(rx, ctx, pattern.starts_at(ctx))
            else:
                matches = rx.finditer(text)
            for m in matches:
                start, end = m.span("pii") if has_pii_group else m.span()
                if has_end_group:
                    end = m.end("pii_end")
                if start < 0 or end <= start:
                    continue
                if not_after is not None and not_after.search(
                    text, max(0, m.start() - 4), m.start()
                ):
                    continue
                if requires_context:
                    context = self.has_context(ctx, start, end)
                    if not context or not self.accept(pattern, text[start:end], m, ctx):
                        continue
                else:
                    if not self.accept(pattern, text[start:end], m, ctx):
                        continue
                    context = self.has_context(ctx, start, end)
                score = pattern.score
                if (
                    near_miss
                    and self.is_near_miss(ctx, start)
                    and (
                        not self.valid_by_shape(pattern, text[start:end])
                        or self.is_near_miss(ctx, start, labelled_only=True)
                    )
                ):
                    continue
                if context and not requires_context:
                    score = min(1.0, score + self.CONTEXT_BOOST)
                out.append(RawMatch(entity, start, end, round(score, 2), name))
        return out


class GuardRecognizer(_Recognizer):
    """A non-regex recognizer (dictionary, tokenizer or known values) with a ``scan()``."""

    ENTITIES: ClassVar[tuple[str, ...]]
