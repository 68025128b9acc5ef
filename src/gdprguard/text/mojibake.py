"""Repair mojibake runs inside a text, with an exact map back to the garbled original.

Mail archives mix encodings: one paragraph of a body may have been decoded with the wrong codec
while the rest is fine.  :func:`repair_mojibake` finds such runs and decodes them again, one run
at a time, so that clean text around them is never touched.  Three kinds are repaired:

``utf8-as-cp1252``
    UTF-8 bytes read as Windows-1252 or Latin-1 (``æ\\x9d±äº¬éƒ½`` → ``東京都``,
    ``cafÃ©`` → ``café``).  Bytes Windows-1252 leaves undefined (``81 8D 8F 90 9D``) may have
    been kept as C1 controls, replaced by ``�`` or dropped; such a character is restored when
    exactly one common character (kana, full-width letters and digits, JIS level-1 kanji)
    fits, else it becomes ``�``.  Text garbled this way twice is repaired in a second pass.
``utf8-as-cp932``
    UTF-8 bytes read as Shift_JIS/CP932 (``譚ｱ莠ｬ驛ｽ`` → ``東京都``).  Byte pairs CP932
    does not define were shown as ``�`` or ``・``; the character they belonged to becomes ``�``.
``cp932-as-cp1252``
    CP932 bytes read as Windows-1252 or Latin-1 (``“Œ‹ž`` or ``\\x93\\x8c\\x8b\\x9e`` → ``東京``).

Not repairable: text whose bytes were replaced wholesale (CP932 read as UTF-8 turns every
Japanese byte into ``�``), and bytes dropped outside the cases above.  Such text stays as it is.

Repair is conservative: a run is re-decoded only when the result is plausible text (letters,
kana, kanji, common punctuation) *and* the run carries a strong sign of mojibake (ftfy's badness
heuristic, C1 controls, several garbled characters in a row, pairs of symbols, CP932 rows
real Japanese text rarely uses), or sits close to such a run on the same line.  Correct
Japanese, French or German text comes back unchanged.  Each repaired
character maps to the span of the garbled characters that encoded it
(:meth:`MojibakeRepair.to_original`); a garbled character that carried bytes of two repaired
characters belongs to both spans.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

__all__ = ["MojibakeKind", "MojibakeRepair", "RepairedRun", "repair_mojibake"]

MojibakeKind = Literal["utf8-as-cp1252", "utf8-as-cp932", "cp932-as-cp1252"]

#: the bytes Windows-1252 leaves undefined: kept as C1 controls by Latin-1 and by browsers
_CP1252_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)
_REPLACEMENT = "\ufffd"
#: how far (in characters, on the same line) a weak run may be from a confident one
_NEIGHBOUR_GAP = 32
_NAKAGURO = "\u30fb"  # ・, what Japanese Windows shows for a byte pair it cannot decode
#: Unicode ranges a repaired character must fall in (letters, kana, kanji, common symbols)
_PLAUSIBLE_RANGES = (
    (0x09, 0x0A),
    (0x0D, 0x0D),
    (0x20, 0x7E),
    (0xA0, 0x36F),  # Latin-1 supplement, Latin extended, modifier letters, combining marks
    (0x370, 0x52F),  # Greek, Cyrillic
    (0x5D0, 0x5EA),  # Hebrew letters
    (0x600, 0x6FF),  # Arabic
    (0x2010, 0x2027),  # dashes, quotes, bullets, ellipsis
    (0x2030, 0x205E),
    (0x20AC, 0x20AC),  # €
    (0x2100, 0x22FF),  # letterlike, number forms, arrows, mathematical operators
    (0x2460, 0x24FF),  # ① …
    (0x2500, 0x27BF),  # box drawing, shapes, miscellaneous symbols, dingbats
    (0x3000, 0x303F),  # CJK punctuation
    (0x3041, 0x3096),  # hiragana
    (0x3099, 0x30FF),  # katakana
    (0x3200, 0x33FF),  # ㈱ ㎡ …
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7A3),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF01, 0xFFEF),  # full- and half-width forms
    (0xFFFD, 0xFFFD),  # what a lost character becomes
    (0x1F300, 0x1FAFF),  # emoji
    (0x20000, 0x3134F),  # CJK extensions B-G
)
_PLAUSIBLE_STARTS = [lo for lo, _ in _PLAUSIBLE_RANGES]


def _plausible(char: str) -> bool:
    code = ord(char)
    i = bisect_right(_PLAUSIBLE_STARTS, code) - 1
    return i >= 0 and code <= _PLAUSIBLE_RANGES[i][1]


@dataclass(frozen=True, slots=True)
class RepairedRun:
    """One repaired run: its kind and its span in the original text."""

    kind: MojibakeKind
    start: int
    end: int
    lossy: bool = False  #: some of its characters could not be recovered (they read ``�``)


@dataclass(frozen=True, slots=True)
class MojibakeRepair:
    """The repaired text plus, per repaired character, the original span it came from."""

    original: str
    text: str
    runs: tuple[RepairedRun, ...] = ()
    _starts: list[int] | None = field(default=None, repr=False)  # None: identity mapping
    _ends: list[int] | None = field(default=None, repr=False)

    @property
    def is_identity(self) -> bool:
        """True when nothing was repaired (:attr:`text` is :attr:`original`)."""
        return self._starts is None

    @property
    def starts(self) -> Sequence[int] | None:
        """Per repaired character, where its original span starts (``None``: identity)."""
        return self._starts

    @property
    def ends(self) -> Sequence[int] | None:
        """Per repaired character, where its original span ends (``None``: identity)."""
        return self._ends

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the span ``[start, end)`` of :attr:`text` to a span of :attr:`original`."""
        if self._starts is None or self._ends is None:
            return start, end
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span {start}:{end} outside the repaired text")
        return self._starts[start], self._ends[end - 1]


# -- character tables ------------------------------------------------------------------------


@cache
def _cp1252_bytes() -> dict[str, int]:
    """Character → byte for text decoded as Windows-1252 or Latin-1 (either, or a mix)."""
    table = {chr(b): b for b in range(0x80, 0x100)}
    for b in range(0x80, 0xA0):
        try:
            table[bytes([b]).decode("cp1252")] = b
        except UnicodeDecodeError:
            continue  # undefined in Windows-1252: only its Latin-1 C1 control stands for it
    return table


def _class(byte_ranges: Sequence[tuple[int, int]], extra: str = "") -> str:
    """A regex class of the characters standing for *byte_ranges* in text decoded as
    Windows-1252 or Latin-1, plus *extra* (regex class syntax)."""
    table = _cp1252_bytes()
    chars = sorted(c for c, b in table.items() if any(lo <= b <= hi for lo, hi in byte_ranges))
    return "[" + "".join(re.escape(c) for c in chars) + extra + "]"


@cache
def _utf8_group_pattern() -> str:
    """One UTF-8 character read as Windows-1252 (a lost byte reads ``�`` or is missing)."""
    cont = _class([(0x80, 0xBF)], _REPLACEMENT)
    lead2, lead3, lead4 = _class([(0xC2, 0xDF)]), _class([(0xE0, 0xEF)]), _class([(0xF0, 0xF4)])
    return (
        f"{lead2}{cont}|{lead3}{cont}{{2}}|{lead4}{cont}{{3}}"
        f"|{lead3}{cont}(?!{cont})"  # a three-byte character one of whose bytes was dropped
    )


@cache
def _utf8_group_re() -> re.Pattern[str]:
    return re.compile(_utf8_group_pattern())


@cache
def _utf8_run_re() -> re.Pattern[str]:
    return re.compile(f"(?:{_utf8_group_pattern()})+")


@cache
def _cp932_run_re() -> re.Pattern[str]:
    """Runs of CP932 read as Windows-1252: lead and trail byte pairs (a trail byte may be
    ASCII) and single half-width katakana bytes; a lost lead byte reads ``�``."""
    lead = _class([(0x81, 0x9F), (0xE0, 0xFC)], _REPLACEMENT)
    trail = _class([(0x80, 0xFC)], r"\x40-\x7e")
    single = _class([(0xA1, 0xDF)])
    return re.compile(f"(?:{lead}{trail}|{single})+")


@cache
def _cp932_table() -> dict[str, bytes]:
    """Character → bytes for every non-ASCII character CP932 encodes (the first encoding
    wins where CP932 has two, as it does for NEC and IBM extensions)."""
    table: dict[str, bytes] = {}
    # half-width katakana, and the bytes Python's CP932 codec maps to U+0080 and U+F8F0-U+F8F3
    for b in (0x80, *range(0xA0, 0xE0), 0xFD, 0xFE, 0xFF):
        table.setdefault(bytes([b]).decode("cp932"), bytes([b]))
    for lead in (*range(0x81, 0xA0), *range(0xE0, 0xFD)):
        for trail in (*range(0x40, 0x7F), *range(0x80, 0xFD)):
            pair = bytes([lead, trail])
            try:
                char = pair.decode("cp932")
            except UnicodeDecodeError:
                continue
            if len(char) == 1 and not 0xE000 <= ord(char) <= 0xF8FF:
                table.setdefault(char, pair)
    return table


@cache
def _cp932_seeds() -> frozenset[str]:
    """Characters UTF-8 read as CP932 is full of: half-width katakana (a lone continuation
    byte) and the kanji of pairs made of a UTF-8 lead byte and a continuation byte."""
    seeds = {bytes([b]).decode("cp932") for b in range(0xA1, 0xE0)}
    for lead in range(0xE0, 0xF0):
        for trail in range(0x80, 0xC0):
            try:
                seeds.add(bytes([lead, trail]).decode("cp932"))
            except UnicodeDecodeError:
                continue
    return frozenset(seeds)


def _char_class(chars: frozenset[str] | set[str]) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


@cache
def _cp932_seed_re() -> re.Pattern[str]:
    return re.compile(_char_class(_cp932_seeds()))


@cache
def _suspect_re() -> re.Pattern[str]:
    """Where a repairable run could start (the cheap first check): a UTF-8 lead byte or a CP932
    lead byte read as Windows-1252 with a byte after it that can follow, a character UTF-8
    read as CP932 is full of, or ``�``.  A lone ``£``, ``…`` or ``é`` does not count."""
    utf8_lead = _class([(0xC2, 0xF4)])
    utf8_cont = _class([(0x80, 0xBF)], _REPLACEMENT)
    cp932_lead = _class([(0x81, 0x9F), (0xE0, 0xFC)], _REPLACEMENT)
    cp932_trail = _class([(0x80, 0xFC)], r"\x40-\x7e")
    return re.compile(
        f"{utf8_lead}{utf8_cont}|{cp932_lead}{cp932_trail}|"
        + _char_class(_cp932_seeds() | {_REPLACEMENT})
    )


@cache
def _suspect_char_re() -> re.Pattern[str]:
    """Any character that can start a match of :func:`_suspect_re` (one class: faster)."""
    return re.compile(_char_class(set(_cp1252_bytes()) | _cp932_seeds() | {_REPLACEMENT}))


def _suspect(text: str) -> bool:
    if text.isascii():
        return False
    first = _suspect_char_re().search(text)
    return first is not None and _suspect_re().search(text, first.start()) is not None


_NON_ASCII_RUN_RE = re.compile(r"[^\x00-\x7f]+")


@cache
def _common_japanese(char: str) -> bool:
    """A common Japanese character (what a lost byte most likely belonged to)."""
    try:
        code = char.encode("cp932")
    except UnicodeEncodeError:
        return False
    if len(code) != 2:
        return False
    value = code[0] << 8 | code[1]
    # full-width digits and letters, kana, JIS level-1 kanji
    return 0x824F <= value <= 0x8396 or 0x889F <= value <= 0x9872


# -- runs ------------------------------------------------------------------------------------

# A repaired character and the original span it comes from.
_Piece = tuple[str, int, int]


@dataclass(slots=True)
class _Run:
    kind: MojibakeKind
    start: int
    end: int
    pieces: list[_Piece]
    lossy: bool
    #: strong evidence of its own; a run without it is repaired only next to one with it
    confident: bool = True


def _utf8_units(data: list[int], owners: list[int]) -> list[_Piece] | None:
    """Decode UTF-8 *data* (``-1`` marks a lost byte or pair) into pieces spanning the owners
    of their bytes; ``None`` when the bytes are not UTF-8.  A character with a lost byte, and
    continuation bytes right after a lost unit (their lead byte was lost), read ``�``."""
    pieces: list[_Piece] = []
    i, n = 0, len(data)
    after_lost = False
    while i < n:
        b = data[i]
        if b < 0 or (after_lost and 0x80 <= b <= 0xBF):
            j = i + 1
            while j < n and j - i < 4 and 0x80 <= data[j] <= 0xBF:
                j += 1
            pieces.append((_REPLACEMENT, owners[i], owners[j - 1] + 1))
            after_lost = b < 0
            i = j
            continue
        after_lost = False
        if b < 0x80:  # an ASCII byte that CP932 had paired with a lead byte
            pieces.append((chr(b), owners[i], owners[i] + 1))
            i += 1
            continue
        size = 2 if 0xC2 <= b <= 0xDF else 3 if 0xE0 <= b <= 0xEF else 4 if 0xF0 <= b <= 0xF4 else 0
        if not size:
            return None
        j = i + 1
        while j < n and j - i < size and 0x80 <= data[j] <= 0xBF:
            j += 1
        if j - i == size:
            try:
                char = bytes(data[i:j]).decode("utf-8")
            except UnicodeDecodeError:
                return None  # overlong form or surrogate
        elif j < n and data[j] < 0:  # taken as one lost byte: the rest may follow
            j += 1
            while j < n and j - i < size and 0x80 <= data[j] <= 0xBF:
                j += 1
            after_lost = True
            char = _REPLACEMENT
        else:
            return None
        pieces.append((char, owners[i], owners[j - 1] + 1))
        i = j
    return pieces


def _restore_lost_byte(group: str, table: dict[str, int]) -> str:
    """The character a three-byte group with one lost byte most likely was, else ``�``."""
    known = [table.get(c, -1) for c in group]
    if len(known) == 3:  # a byte replaced by �: it sits where the � is
        slots = [known.index(-1)] if known.count(-1) == 1 else []
        base = [b for b in known if b >= 0]
    else:  # a byte dropped: it was the second or the third
        slots, base = ([] if -1 in known else [1, 2]), known
    found = set()
    for slot in slots:
        for lost in _CP1252_UNDEFINED:
            data = bytes([*base[:slot], lost, *base[slot:]])
            try:
                char = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if _common_japanese(char):
                found.add(char)
    return found.pop() if len(found) == 1 else _REPLACEMENT


def _scan_utf8_as_cp1252(text: str, start: int, end: int) -> Iterator[_Run]:
    table = _cp1252_bytes()
    group_re = _utf8_group_re()
    for match in _utf8_run_re().finditer(text, start, end):
        pieces: list[_Piece] = []
        lossy = strong = 0
        for group in group_re.finditer(text, match.start(), match.end()):
            chars = group.group()
            size = 2 if table[chars[0]] < 0xE0 else 3 if table[chars[0]] < 0xF0 else 4
            if _REPLACEMENT in chars or len(chars) < size:
                char = _restore_lost_byte(chars, table) if size == 3 else _REPLACEMENT
                lossy += 1
            else:
                try:
                    char = bytes(table[c] for c in chars).decode("utf-8")
                except UnicodeDecodeError:
                    char = ""
                if not char or not _plausible(char):
                    yield from _judge_utf8_run(text, pieces, lossy, strong)
                    pieces, lossy, strong = [], 0, 0
                    continue
                strong += size > 2
            pieces.append((char, group.start(), group.end()))
        yield from _judge_utf8_run(text, pieces, lossy, strong)


def _judge_utf8_run(text: str, pieces: list[_Piece], lossy: int, strong: int) -> Iterator[_Run]:
    """A candidate run of UTF-8 read as Windows-1252: confident when several characters of
    three bytes or more decoded, when it holds C1 controls or when ftfy finds it bad."""
    if len(pieces) <= lossy:
        return  # nothing but lost characters: no evidence
    start, end = pieces[0][1], pieces[-1][2]
    garbled = text[start:end]
    confident = (
        strong >= 2
        or any("\x80" <= c <= "\x9f" for c in garbled)  # C1 controls are never meant
        or _is_bad(garbled)
    )
    if confident or strong:
        yield _Run("utf8-as-cp1252", start, end, pieces, lossy > 0, confident)


def _is_bad(text: str) -> bool:
    from ftfy.badness import is_bad

    return is_bad(text)


def _scan_cp932_as_cp1252(text: str, start: int, end: int) -> Iterator[_Run]:
    table = _cp1252_bytes()
    for match in _cp932_run_re().finditer(text, start, end):
        pieces: list[_Piece] = []
        i, stop = match.start(), match.end()
        while i < stop:
            first = text[i]
            b = table.get(first, -1)
            if 0xA1 <= b <= 0xDF:
                pieces.append((bytes([b]).decode("cp932"), i, i + 1))
                i += 1
                continue
            second = text[i + 1]
            trail = ord(second) if second < "\x7f" else table[second]
            if b < 0:  # the lead byte was lost
                char = _REPLACEMENT
            else:
                try:
                    char = bytes([b, trail]).decode("cp932")
                except UnicodeDecodeError:
                    char = ""
            if not char or 0xE000 <= ord(char) <= 0xF8FF:
                yield from _judge_cp932_run(text, pieces)
                pieces = []
            else:
                pieces.append((char, i, i + 2))
            i += 2
        yield from _judge_cp932_run(text, pieces)


def _judge_cp932_run(text: str, pieces: list[_Piece]) -> Iterator[_Run]:
    """A candidate run of CP932 read as Windows-1252 that reads as Japanese: confident when
    it holds C1 controls, when ftfy finds it bad or when a pair is made of two symbols (a
    quote followed by a letter, or two letters, is what Western text is made of)."""
    double = [(c, s) for c, s, e in pieces if e - s == 2]
    known = [c for c, _ in double if c != _REPLACEMENT]
    if not known or len(double) < len(pieces) - len(double):  # more half-width kana than pairs
        return
    start, end = pieces[0][1], pieces[-1][2]
    garbled = text[start:end]
    confident = (
        len(known) >= 2
        and any(_common_japanese(c) for c in known)
        and (
            any("\x80" <= c <= "\x9f" for c in garbled)
            or any(not text[s].isalpha() and not text[s + 1].isalpha() for _, s in double)
            or _is_bad(garbled)
        )
    )
    lossy = len(known) < len(double)
    yield _Run("cp932-as-cp1252", start, end, pieces, lossy, confident)


def _scan_utf8_as_cp932(text: str, start: int, end: int) -> Iterator[_Run]:
    seed_re = _cp932_seed_re()
    if not seed_re.search(text, start, end):
        return
    table = _cp932_table()
    for match in _NON_ASCII_RUN_RE.finditer(text, start, end):
        if not seed_re.search(text, match.start(), match.end()):
            continue
        data: list[int] = []
        owners: list[int] = []
        for i in range(match.start(), match.end()):
            char = text[i]
            code = None if char in (_REPLACEMENT, _NAKAGURO) else table.get(char)
            if code is None and char not in (_REPLACEMENT, _NAKAGURO):
                yield from _judge_cp932_utf8_run(text, data, owners)
                data, owners = [], []
                continue
            if code is None:
                data.append(-1)
                owners.append(i)
            else:
                data.extend(code)
                owners.extend([i] * len(code))
        yield from _judge_cp932_utf8_run(text, data, owners)


def _judge_cp932_utf8_run(text: str, data: list[int], owners: list[int]) -> Iterator[_Run]:
    """Accept a candidate run of UTF-8 read as CP932 when it decodes to plausible text."""
    if not data or data[0] < 0:
        return
    pieces = _utf8_units(data, owners)
    if pieces is None:
        return
    lost = sum(c == _REPLACEMENT for c, _, _ in pieces)
    # UTF-8 read as CP932 is Japanese text; wide characters also rule out clean half-width
    # katakana, whose bytes can pair up into two-byte UTF-8 (ﾃｽ → ý)
    wide = sum(c >= "\u0800" for c, _, _ in pieces) - lost
    if wide < 2 or lost * 2 > wide or not all(_plausible(c) for c, _, _ in pieces):
        return
    if sum(_common_japanese(c) for c, _, _ in pieces) * 2 < wide:
        return  # rare kanji: the bytes of correct CJK text that happen to form UTF-8
    start, end = owners[0], owners[-1] + 1
    seeds = _cp932_seeds()
    if sum(c in seeds for c in text[start:end]) * 3 < end - start:
        return
    yield _Run("utf8-as-cp932", start, end, pieces, lost > 0)


_Scanner = Callable[[str, int, int], Iterator[_Run]]
#: the scanners of each pass, in order of precedence; only UTF-8 read as Windows-1252 is
#: found garbled twice (a UTF-8 mail quoted through two such systems)
_PASSES: tuple[tuple[_Scanner, ...], ...] = (
    (_scan_utf8_as_cp1252, _scan_cp932_as_cp1252, _scan_utf8_as_cp932),
    (_scan_utf8_as_cp1252,),
    (_scan_utf8_as_cp1252,),
)


# -- assembling ------------------------------------------------------------------------------


def _resolve(candidates: list[_Run]) -> list[_Run]:
    """Non-overlapping runs out of *candidates* (sorted by start): within each cluster of
    overlapping candidates the longest runs win, ties going to the kind scanned first."""
    chosen: list[_Run] = []
    cluster: list[_Run] = []
    reach = -1
    for run in [*candidates, None]:
        if run is not None and run.start < reach:
            cluster.append(run)
            reach = max(reach, run.end)
            continue
        if len(cluster) == 1:
            chosen.append(cluster[0])
        elif cluster:
            kept: list[_Run] = []
            for candidate in sorted(cluster, key=lambda r: r.start - r.end):  # stable sort
                if all(candidate.end <= k.start or k.end <= candidate.start for k in kept):
                    kept.append(candidate)
            chosen.extend(sorted(kept, key=lambda r: r.start))
        if run is not None:
            cluster, reach = [run], run.end
    return chosen


def _with_neighbours(text: str, accepted: list[_Run], candidates: list[_Run]) -> list[_Run]:
    """*accepted* plus the candidates without strong evidence of their own that sit on the
    same line as, and close to, an accepted run of their kind (a garbled paragraph's short
    runs, such as a two-kanji name between ASCII digits)."""
    starts = [run.start for run in accepted]
    near: list[_Run] = []
    for run in candidates:
        if run.confident:
            continue
        i = bisect_right(starts, run.start)
        before = accepted[i - 1] if i else None
        after = accepted[i] if i < len(accepted) else None
        if (before is not None and before.end > run.start) or (
            after is not None and after.start < run.end
        ):
            continue
        if any(
            other is not None and other.kind == run.kind and _close(text, gap_start, gap_end)
            for other, gap_start, gap_end in (
                (before, before.end if before else 0, run.start),
                (after, run.end, after.start if after else 0),
            )
        ):
            near.append(run)
    if not near:
        return accepted
    return sorted([*accepted, *_resolve(near)], key=lambda r: r.start)


def _close(text: str, start: int, end: int) -> bool:
    return end - start <= _NEIGHBOUR_GAP and "\n" not in text[start:end]


def _repair_once(
    text: str, scanners: Sequence[_Scanner]
) -> tuple[str, list[int], list[int], list[_Run]] | None:
    """One pass: the repaired text, its per-character origins and the runs, or ``None``."""
    if not _suspect(text):
        return None
    candidates = [run for scan in scanners for run in scan(text, 0, len(text))]
    candidates.sort(key=lambda r: r.start)  # stable: ties keep the scanners' order
    accepted = _resolve([run for run in candidates if run.confident])
    if len(accepted) < len(candidates):
        accepted = _with_neighbours(text, accepted, candidates)
    if not accepted:
        return None
    parts: list[str] = []
    origin_starts: list[int] = []
    origin_ends: list[int] = []
    pos = 0
    for run in accepted:
        if run.start > pos:
            parts.append(text[pos : run.start])
            origin_starts.extend(range(pos, run.start))
            origin_ends.extend(range(pos + 1, run.start + 1))
        for char, s, e in run.pieces:
            parts.append(char)
            origin_starts.append(s)
            origin_ends.append(e)
        pos = run.end
    parts.append(text[pos:])
    origin_starts.extend(range(pos, len(text)))
    origin_ends.extend(range(pos + 1, len(text) + 1))
    return "".join(parts), origin_starts, origin_ends, accepted


def repair_mojibake(text: str) -> MojibakeRepair:
    """Repair the mojibake runs of *text* (see the module docstring for what is repaired).

    Text without any character that could belong to a garbled run (all of ASCII, and most
    correct text) costs one regular-expression search.
    """
    current = text
    starts: list[int] | None = None
    ends: list[int] | None = None
    runs: list[RepairedRun] = []
    for scanners in _PASSES:
        result = _repair_once(current, scanners)
        if result is None:
            break
        current, pass_starts, pass_ends, pass_runs = result
        if starts is None or ends is None:
            new_starts, new_ends = pass_starts, pass_ends
        else:
            new_starts = [starts[s] for s in pass_starts]
            new_ends = [ends[e - 1] for e in pass_ends]
        for run in pass_runs:
            start = run.start if starts is None else starts[run.start]
            end = run.end if ends is None else ends[run.end - 1]
            runs.append(RepairedRun(run.kind, start, end, run.lossy))
        starts, ends = new_starts, new_ends
    if starts is None:
        return MojibakeRepair(text, text)
    return MojibakeRepair(text, current, _merge_runs(runs), starts, ends)


def _merge_runs(runs: list[RepairedRun]) -> tuple[RepairedRun, ...]:
    """The runs of all passes, those repaired again in a later pass merged into one."""
    merged: list[RepairedRun] = []
    for run in sorted(runs, key=lambda r: (r.start, r.end)):
        if merged and run.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = RepairedRun(
                last.kind, last.start, max(last.end, run.end), last.lossy or run.lossy
            )
        else:
            merged.append(run)
    return tuple(merged)
