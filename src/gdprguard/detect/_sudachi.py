"""Shared SudachiPy tokenizer (dictionary loaded once, one tokenizer per thread)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ._lazy import lazy_re

__all__ = [
    "Morpheme",
    "clear_cache",
    "is_name_word",
    "is_place_word",
    "name_morphemes",
    "reads_as_name",
]

# SudachiPy rejects inputs above ~49K bytes; Japanese is 3 bytes a character in UTF-8.
_MAX_CHARS = 12_000
_BREAK_RE = lazy_re(r"[\n。！？!?]")


@dataclass(frozen=True, slots=True)
class Morpheme:
    """A person-name token: its index in the token stream, span, and kind (姓, 名 or 一般)."""

    index: int
    start: int
    end: int
    kind: str


@lru_cache(maxsize=1)
def _dictionary() -> Any:
    from sudachipy import Dictionary

    return Dictionary()


_local = threading.local()


def _tokenizer() -> Any:
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        from sudachipy import SplitMode

        tok = _dictionary().tokenizer(SplitMode.C)
        _local.tokenizer = tok
    return tok


def _chunks(text: str) -> list[tuple[int, str]]:
    if len(text) <= _MAX_CHARS:
        return [(0, text)]
    out: list[tuple[int, str]] = []
    pos = 0
    while pos < len(text):
        end = min(pos + _MAX_CHARS, len(text))
        if end < len(text):
            window = text[pos + _MAX_CHARS // 2 : end]
            last = None
            for m in _BREAK_RE.finditer(window):
                last = m
            if last is not None:
                end = pos + _MAX_CHARS // 2 + last.end()
        out.append((pos, text[pos:end]))
        pos = end
    return out


@lru_cache(maxsize=1)
def _person_matcher() -> Any:
    return _dictionary().pos_matcher(lambda pos: pos[2] == "人名")


# Names are written in kana/kanji: only runs of non-ASCII text (single spaces allowed inside, for
# 田中 花子) are tokenised, which skips e-mail addresses, numbers and English.
_JA_RUN_RE = lazy_re(r"[^\x00-\x7f]+(?:[ ][^\x00-\x7f]+)*")


def name_morphemes(text: str) -> list[Morpheme]:
    """The person-name morphemes (名詞,固有名詞,人名,*) of *text*, split mode C."""
    out: list[Morpheme] = []
    base = 0
    for run in _JA_RUN_RE.finditer(text):
        for offset, chunk in _chunks(run.group()):
            count, names = (
                _cached_names(chunk) if len(chunk) <= _CACHED_CHARS else _chunk_names(chunk)
            )
            start = run.start() + offset
            for i, begin, end, kind in names:
                out.append(Morpheme(base + i, start + begin, start + end, kind))
            base += count + 1  # never adjacent across runs
    return out


#: Runs up to this length are cached: greetings, closing formulas and other boilerplate lines
#: recur in ticket after ticket, and tokenising is most of the cost of Japanese detection.
_CACHED_CHARS = 200
_CACHED_RUNS = 8192  # at most ~3 MB of run text


def _chunk_names(chunk: str) -> tuple[int, tuple[tuple[int, int, int, str], ...]]:
    """The number of morphemes of *chunk* and its person-name morphemes (index, span, kind)."""
    morphs = _tokenizer().tokenize(chunk)
    is_name = _person_matcher()
    names = tuple(
        (i, m.begin(), m.end(), m.part_of_speech()[3]) for i, m in enumerate(morphs) if is_name(m)
    )
    return len(morphs), names


_cached_names = lru_cache(maxsize=_CACHED_RUNS)(_chunk_names)


def clear_cache() -> None:
    """Forget cached tokenisations and word look-ups (the dictionary stays loaded)."""
    for cached in (_cached_names, is_name_word, is_place_word, reads_as_name):
        cached.cache_clear()


@lru_cache(maxsize=8192)
def is_name_word(surface: str) -> bool:
    """True when the dictionary lists *surface* as a person name (姓 or 名) in any reading.

    In context the tagger may prefer another reading (松本 the city, 森 "forest"); callers use
    this together with a context that says a person is meant (様, と申します, 担当の…です).
    """
    return any(m.part_of_speech()[2] == "人名" for m in _dictionary().lookup(surface))


@lru_cache(maxsize=8192)
def is_place_word(surface: str) -> bool:
    """True when the dictionary lists *surface* as a place name (地名) in some reading."""
    return any(m.part_of_speech()[2] == "地名" for m in _dictionary().lookup(surface))


@lru_cache(maxsize=8192)
def reads_as_name(surface: str) -> bool:
    """True when *surface* on its own is tokenised as one person-name morpheme (``あやか``)."""
    morphs = _tokenizer().tokenize(surface)
    return len(morphs) == 1 and morphs[0].part_of_speech()[2] == "人名"
