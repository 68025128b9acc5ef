"""The fast paths of the pattern recognizers give exactly what a full regex scan gives.

A pattern may declare where its matches can start (``line_start``, ``starts_with``) and what the
text must contain for it to match at all (``prefilter``, ``needles``); the recognizers then try
the regex at those places only, or skip it. These tests run every pattern both ways over the
benchmark's corpus and the held-out set and compare: a regex edited so that a declared hint no
longer holds fails here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.detection.corpus import build_corpus

from gdprguard.detect import normalize
from gdprguard.detect.language import detect_languages
from gdprguard.detect.recognizers import DEFAULT_RECOGNIZERS, GuardPatternRecognizer, ScanContext
from gdprguard.detect.recognizers._base import line_matches, matches_at, word_starts
from gdprguard.detect.recognizers.person_ja import JaPersonRecognizer

HELDOUT = Path(__file__).resolve().parents[1] / "bench" / "detection" / "heldout"

EXTRA = [
    "THANKS, MIA\nBEST REGARDS,\nKOFI MENSAH",
    "my wife Anna and MY SON Leo\nthe driver, Tunde, said hi",
    "Agent (Jane): hi\n[10:02] Priyanka: ok\n> Hi William,\n\nRegards,\nJohn Smith\n",
    "お世話になっております。林です。\nよろしくお願いいたします。\nハヤシ アケミ\nTEL 03-1234-5678",
    "連絡ください。ヨシダ ナナミ\n、佐藤 あすかです。\n山田でございます",
    "Account number: 12345678 at the bank, acct no. 7654321",
    "150-0001 Tokyo, Shibuya-ku; 530-0001 大阪府大阪市北区; zip 100-0001",
    "1550 NE 8th St, Apt 302, Bellevue, WA 98007 / Springfield, OR 97403",
    "PSC 1234, Box 5678 APO AE 09001",
    "9 Calle Mayor, 28013 Madrid; Storgata 41, 0182 Oslo",
    "ip 203.0.113.42 and 2001:db8::8a2e:370:7334",
    "4111 1111 1111 1111 / 4111-111111-11111 / 5551234567 / 01134960123",
    # e-mail local parts: 64 and 65 characters, "@" twice, dots, case-folded non-ASCII letters
    "a" * 64 + "@example.com " + "b" * 65 + "@example.com a@b@c.example.com x.@y.com .j@x.com",
    "ſam@example.com, \u212aelvin@example.org, john..doe@example.com, @@x.com, tom@@x.com",
    # IBAN heads next to letters and digits, in both cases
    "XGB82WEST12345698765432 GB82WEST12345698765432 DE89DE89 3704 0044 0532 0130 00 "
    "iban gb82west12345698765432, de893704004405320130001",
    # numbers glued to letters, led by hyphens, other scripts' digits, run into a long number
    "x4111111111111111y --4111 1111 1111 1111-- 1234 5678 9018x 090123456781 09012345678a "
    "\u0664\u0661\u0661\u0661 1111 1111 1111 - 1 2 3 4 5678 9012 3456 7890 1234 5678 9012 "
    "4577-7777-7777-7770 4577 7777 7777 7770 13812345678- 0312345678/1 150-0001 1-2345-678901",
]


def _texts() -> Iterator[str]:
    for sample in build_corpus(samples=150, seed=7):
        yield sample.text
    for lang in ("en", "ja"):
        for line in (HELDOUT / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines():
            yield json.loads(line)["text"]
    yield from EXTRA


@pytest.fixture(scope="module")
def contexts() -> list[ScanContext]:
    out = []
    for text in _texts():
        norm = normalize(text).text
        out.append(ScanContext(norm, detect_languages(norm)))
    return out


def _spans(matches: Iterator[re.Match[str]]) -> list[tuple[int, int]]:
    return [m.span() for m in matches]


PATTERN_RECOGNIZERS = [c for c in DEFAULT_RECOGNIZERS if issubclass(c, GuardPatternRecognizer)]


@pytest.mark.parametrize("cls", PATTERN_RECOGNIZERS, ids=lambda c: c.__name__)
def test_hints_and_gates_agree_with_a_full_scan(
    cls: type[GuardPatternRecognizer], contexts: list[ScanContext]
) -> None:
    recognizer = cls()
    hinted = 0
    for pattern, rx in recognizer._compiled:
        for ctx in contexts:
            full = _spans(rx.finditer(ctx.text))
            if pattern.line_start:
                assert _spans(line_matches(rx, ctx)) == full, (pattern.name, ctx.text)
                hinted += 1
            if pattern.starts_with:
                starts = word_starts(ctx.lower, pattern.starts_with)
                assert _spans(matches_at(rx, ctx, starts)) == full, (pattern.name, ctx.text)
                hinted += 1
            if pattern.starts_at is not None:
                starts = pattern.starts_at(ctx)
                assert starts == sorted(set(starts)), (pattern.name, ctx.text)
                assert _spans(matches_at(rx, ctx, starts)) == full, (pattern.name, ctx.text)
                hinted += 1
            if not full:
                continue
            # a pattern that matches must pass its own gates (the recognizer-wide PREFILTER is a
            # heuristic of its own that decides whether the recognizer runs at all)
            if pattern.prefilter is not None:
                assert pattern.prefilter.search(ctx.text), (pattern.name, ctx.text)
            if pattern.needles:
                assert any(n in ctx.lower for n in pattern.needles), (pattern.name, ctx.text)
    if any(p.line_start or p.starts_with or p.starts_at for p in cls.PATTERNS):
        assert hinted


def test_japanese_context_patterns_start_where_they_say(contexts: list[ScanContext]) -> None:
    for pattern in JaPersonRecognizer.PATTERNS:
        for ctx in contexts:
            full = _spans(pattern.rx.finditer(ctx.text))
            assert _spans(iter(pattern.candidates(ctx))) == full, pattern.name


def test_word_starts_finds_every_occurrence_in_order() -> None:
    assert word_starts("the theme of the", ("the", "them")) == [0, 4, 13]
    assert word_starts("aaa", ("aa",)) == [0, 1]
    assert word_starts("none here", ("xyz",)) == []
