"""Shared SudachiPy tokenizer (dictionary loaded once, one tokenizer per thread)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["Morpheme", "is_name_word", "is_place_word", "name_morphemes", "reads_as_name"]

# SudachiPy rejects inputs above ~49K bytes; Japanese is 3 bytes a character in UTF-8.
_MAX_CHARS = 12_000
_BREAK_RE = re.compile(r"[\n。！？!?]")


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
_JA_RUN_RE = re.compile(r"[^\x00-\x7f](?:[^\x00-\x7f]|[ ](?=[^\x00-\x7f]))*")


def name_morphemes(text: str) -> list[Morpheme]:
    """The person-name morphemes (名詞,固有名詞,人名,*) of *text*, split mode C."""
    tok = _tokenizer()
    is_name = _person_matcher()
    out: list[Morpheme] = []
    base = 0
    for run in _JA_RUN_RE.finditer(text):
        for offset, chunk in _chunks(run.group()):
            morphs = tok.tokenize(chunk)
            start = run.start() + offset
            for i, m in enumerate(morphs):
                if is_name(m):
                    out.append(
                        Morpheme(
                            base + i, start + m.begin(), start + m.end(), m.part_of_speech()[3]
                        )
                    )
            base += len(morphs) + 1  # never adjacent across runs
    return out


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
