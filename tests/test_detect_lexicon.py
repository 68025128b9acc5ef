"""The shared lexicon: word lists read lazily from ``gdprguard/data/``, documented there, and
one set of honorifics, titles and kana folding for every module; the prefix-tree builder."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import resources

import pytest

from gdprguard.detect import lexicon
from gdprguard.detect.recognizers._trie import trie_alternation

DATA = resources.files("gdprguard.data")
LISTS = sorted(p.name for p in DATA.iterdir() if p.name.endswith(".txt"))


def test_every_data_file_is_documented() -> None:
    readme = DATA.joinpath("README.md").read_text("utf-8")
    assert LISTS
    for name in LISTS:
        assert f"`{name}`" in readme, f"{name} is not described in gdprguard/data/README.md"


@pytest.mark.parametrize("name", LISTS)
def test_data_files_hold_one_clean_entry_a_line(name: str) -> None:
    raw = DATA.joinpath(name).read_text("utf-8")
    entries = [line for line in raw.splitlines() if line.strip() and not line.startswith("#")]
    assert entries, name
    assert all(line == line.strip() for line in entries), name
    assert lexicon.data_lines(name) == entries


def test_importing_and_building_a_detector_reads_no_word_list() -> None:
    probe = (
        "from gdprguard.detect import Detector\n"
        "from gdprguard.detect import lexicon\n"
        "Detector()\n"
        "print(lexicon.load_words.cache_info().currsize)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == 0


def test_the_honorific_sets_nest() -> None:
    formal, base = set(lexicon.FORMAL_HONORIFICS), set(lexicon.BASE_HONORIFICS)
    assert formal < base < set(lexicon.PERSON_HONORIFICS) < set(lexicon.HONORIFICS)
    assert not any(re.search(r"[ァ-ヺ]", h) for h in base)  # katakana forms come on top
    rx = re.compile(lexicon.honorifics_re() + r"\Z")
    assert rx.search("山田さま") and rx.search("ヤマダサン") and not rx.search("山田御中")


def test_titles_are_stop_words_and_match_as_written() -> None:
    assert set(lexicon.TITLES) <= lexicon.stop_words()
    rx = re.compile(lexicon.titles_re((*lexicon.TITLES, *lexicon.FORMS_OF_ADDRESS)) + r"\.? ")
    assert [m.group() for m in rx.finditer("Mrs. A, Sra B, Mx C, Herr D")] == [
        "Mrs. ",
        "Sra ",
        "Mx ",
        "Herr ",
    ]


def test_kana_folding_keeps_the_length() -> None:
    assert lexicon.kata_to_hira("ヤマダ・タロウ様") == "やまだ・たろう様"
    assert lexicon.kata_to_hira("ヴァ") == "ゔぁ"


@pytest.mark.parametrize(
    "words",
    [
        ["New York", "New York City", "Newcastle", "Newark"],
        ["a", "ab", "abc", "b"],
        ["株式会社", "株式", "有限会社", "(株)"],
    ],
)
def test_a_prefix_tree_matches_what_a_longest_first_alternation_matches(
    words: list[str],
) -> None:
    text = " ".join(words) + " x" + "".join(words) + " New Yorker Newa abcd (株)式"
    flat = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    tree = re.compile(trie_alternation(words))
    assert [m.span() for m in tree.finditer(text)] == [m.span() for m in re.finditer(flat, text)]
    assert trie_alternation(["ab", "abc"]) == "ab(?:c)?"
