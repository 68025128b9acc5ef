"""Normalisation (HTML, NFKC) and the exact offset map back to the original text."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdprguard.detect import Detector, normalize
from gdprguard.detect.language import detect_languages

_DETECTOR = Detector()


def test_ascii_plain_text_is_identity() -> None:
    norm = normalize("hello world")
    assert norm.is_identity and norm.text == "hello world"


def test_fullwidth_digits_and_letters_become_ascii() -> None:
    norm = normalize("電話０９０－１２３４－５６７８ ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ")
    assert "090-1234-5678" in norm.text and "taro@example.jp" in norm.text


def test_choon_between_digits_is_a_dash_but_not_in_words() -> None:
    norm = normalize("０９０ー１２３４ サーバー")
    assert norm.text == "090-1234 サーバー"


def test_halfwidth_katakana_with_voiced_mark_maps_back_whole() -> None:
    text = "ｽｽﾞｷ"
    norm = normalize(text)
    assert norm.text == "スズキ"
    assert norm.to_original(1, 2) == (1, 3)  # ズ comes from ｽﾞ


def test_html_tags_entities_and_scripts() -> None:
    html = (
        "<html><head><style>p{color:red}</style><script>var x='a@b.com';</script></head>"
        "<body><p>Tel&nbsp;03-1234-5678</p><br/>&lt;ok&gt; &#x3042;&#12354;<!-- hidden@x.com -->"
        '<a href="mailto:taro@example.jp">mail</a></body></html>'
    )
    norm = normalize(html)
    assert "color" not in norm.text
    # script bodies and comments are stored with the ticket, so they are scanned too
    assert "a@b.com" in norm.text and "hidden@x.com" in norm.text
    assert "Tel 03-1234-5678" in norm.text
    assert "<ok>" in norm.text and "ああ" in norm.text
    assert "mailto:taro@example.jp" in norm.text
    i = norm.text.index("03-1234-5678")
    s, e = norm.to_original(i, i + 12)
    assert html[s:e] == "03-1234-5678"
    j = norm.text.index("taro@example.jp")
    s, e = norm.to_original(j, j + len("taro@example.jp"))
    assert html[s:e] == "taro@example.jp"


def test_entity_span_maps_to_whole_reference() -> None:
    html = "<p>AT&amp;T</p>"
    norm = normalize(html)
    i = norm.text.index("&")
    assert norm.to_original(i, i + 1) == (html.index("&amp;"), html.index("&amp;") + 5)


def test_email_display_name_is_not_mistaken_for_a_tag() -> None:
    text = "John Smith <john@example.com>"
    assert normalize(text).text == text


def test_detection_through_html_maps_exactly() -> None:
    html = "<div>Dear Ms.&nbsp;Johnson,<br>call&nbsp;<b>０９０－１２３４－５６７８</b></div>"
    findings = _DETECTOR.analyze(html)
    values = {(f.type, html[f.start : f.end]) for f in findings}
    assert ("PERSON", "Johnson") in values
    assert ("PHONE_NUMBER", "０９０－１２３４－５６７８") in values


_alphabet = st.sampled_from(
    [
        *"abc XYZ019@.-<>&;#/\n",
        *["&amp;", "&nbsp;", "&#x3042;", "<br>", "<p>", "</p>", "<b>", "<script>x</script>"],
        *"０９ー－ｱｶﾞﾟ゙山田様㈱①ﬁ\u200b\u00ad\u3099",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_alphabet, max_size=40).map("".join))
def test_offset_map_is_monotonic_and_in_bounds(text: str) -> None:
    norm = normalize(text)
    prev_start = 0
    for i in range(len(norm.text)):
        s, e = norm.to_original(i, i + 1)
        assert 0 <= s < e <= len(text)
        if not norm.is_identity:
            assert s >= prev_start or text[s] == "<"  # attribute values are re-emitted in tags
        prev_start = s
    if norm.text:
        s, e = norm.to_original(0, len(norm.text))
        assert 0 <= s < e <= len(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_plain_text_round_trip_of_unchanged_characters(text: str) -> None:
    norm = normalize(text, html_mode=False)
    for i, ch in enumerate(norm.text):
        s, e = norm.to_original(i, i + 1)
        if e - s == 1 and text[s] == ch:
            continue
        # changed characters come from a unit whose normalisation contains them
        assert 0 <= s < e <= len(text)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["", "ｘ", "<b>", "&nbsp;", "０", "㈱", "ﾃｽﾄ"]),
    st.sampled_from(["taro@example.jp", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"]),
    st.sampled_from(["", " ", "</b>", "。", "&amp;"]),
)
def test_findings_always_point_at_the_value(prefix: str, email: str, suffix: str) -> None:
    text = f"{prefix} mail: {email}{suffix}"
    findings = [f for f in _DETECTOR.analyze(text) if f.type == "EMAIL_ADDRESS"]
    assert [text[f.start : f.end] for f in findings] == [email]


def test_language_detection_by_script() -> None:
    assert detect_languages("hello there") == {"en"}
    assert detect_languages("こんにちは") == {"ja"}
    assert detect_languages("山田様 thanks for the order") == {"en", "ja"}
    assert detect_languages("090-1234-5678") == {"en"}


def test_redaction_leaves_nothing_in_hidden_markup() -> None:
    from gdprguard.detect import redact_text

    html = (
        '<p>Mail <a href="mailto:john.smith&#64;example.com?subject=hi">us</a>'
        '<a data-email="jane@example.org" class="btn">x</a>'
        '<img src="https://ex.com/u?email=ann%40example.org" alt="pic">'
        '<input value="sue@ex.co.uk" placeholder="０９０－１２３４－５６７８"></p>'
        "<!-- customer: bob@ex.com --><script>var e='kim@ex.com';</script>"
    )
    out = redact_text(html, _DETECTOR.analyze(html), "placeholder")
    for value in ("john.smith", "jane@", "ann%40", "sue@", "１２３４", "bob@", "kim@"):
        assert value not in out
    assert 'class="btn"' in out and "<script>" in out and "<!--" in out


def test_presentational_attributes_and_style_bodies_are_not_scanned() -> None:
    html = '<p style="width: 090-1234-5678" class="a@b.com">hi</p><style>x{}</style>'
    norm = normalize(html)
    assert "090-1234-5678" not in norm.text and "a@b.com" not in norm.text


def test_percent_escape_maps_back_to_the_whole_escape() -> None:
    html = '<a href="mailto:ann%40example.org">x</a>'
    norm = normalize(html)
    i = norm.text.index("ann@example.org")
    s, e = norm.to_original(i, i + len("ann@example.org"))
    assert html[s:e] == "ann%40example.org"


# -- mojibake ----------------------------------------------------------------------------------

_PARAGRAPH = (
    "いつもお世話になっております。田中太郎様よりお問い合わせがありました。"
    "電話番号 090-1234-5678 メール taro.tanaka@example.jp 住所 東京都新宿区西新宿2-8-1 です。"
)
_VALUES = [
    ("PERSON", "田中太郎"),
    ("PHONE_NUMBER", "090-1234-5678"),
    ("EMAIL_ADDRESS", "taro.tanaka@example.jp"),
    ("LOCATION", "東京都新宿区西新宿2-8-1"),
]
_SLOPPY_1252 = {b: bytes([b]).decode("latin-1") for b in range(256)} | {
    b: bytes([b]).decode("cp1252")
    for b in range(0x80, 0xA0)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


def _bytes_as_cp1252(data: bytes) -> tuple[str, list[tuple[int, int]]]:
    """*data* read as Windows-1252 (undefined bytes as C1 controls): one character a byte."""
    return "".join(_SLOPPY_1252[b] for b in data), [(i, i + 1) for i in range(len(data))]


def _bytes_as_latin1(data: bytes) -> tuple[str, list[tuple[int, int]]]:
    return data.decode("latin-1"), [(i, i + 1) for i in range(len(data))]


def _bytes_as_cp932(data: bytes) -> tuple[str, list[tuple[int, int]]]:
    """*data* read as CP932 with ``�`` for what it cannot decode, and each character's bytes."""
    lost: list[tuple[int, int]] = []

    def record(exc: UnicodeError) -> tuple[str, int]:
        assert isinstance(exc, UnicodeDecodeError)
        lost.append((exc.start, exc.end))
        return "\ufffd", exc.end

    codecs.register_error("test-mojibake-track", record)
    text = data.decode("cp932", "test-mojibake-track")
    spans, pos, lost_iter = [], 0, iter(lost)
    for char in text:
        if char == "\ufffd":
            start, end = next(lost_iter)
            assert start == pos
        else:
            start, end = pos, pos + len(char.encode("cp932"))
        spans.append((start, end))
        pos = end
    assert pos == len(data)
    return text, spans


_GARBLINGS = {
    "utf8-as-cp1252": ("utf-8", _bytes_as_cp1252),
    "utf8-as-latin1": ("utf-8", _bytes_as_latin1),
    "utf8-as-cp932": ("utf-8", _bytes_as_cp932),
    "cp932-as-cp1252": ("cp932", _bytes_as_cp1252),
    "cp932-as-latin1": ("cp932", _bytes_as_latin1),
}


def _garbled_ticket(garbling: str) -> tuple[str, dict[str, tuple[int, int]]]:
    """A mail with one garbled paragraph, and where each value's bytes landed in it."""
    encoding, read = _GARBLINGS[garbling]
    data = _PARAGRAPH.encode(encoding)
    garbled, spans = read(data)
    head = "Hello,\n\nthe customer's message (Crème brûlée “as is”):\n\n"
    text = head + garbled + "\n\n山田様、よろしくお願いいたします。\nRegards"
    where = {}
    for entity, value in _VALUES:
        byte_start = len(_PARAGRAPH[: _PARAGRAPH.index(value)].encode(encoding))
        byte_end = byte_start + len(value.encode(encoding))
        chars = [i for i, (s, e) in enumerate(spans) if s < byte_end and e > byte_start]
        where[entity] = (len(head) + chars[0], len(head) + chars[-1] + 1)
    return text, where


@pytest.mark.parametrize("garbling", sorted(_GARBLINGS))
def test_detection_in_a_garbled_paragraph_covers_the_garbled_characters(garbling: str) -> None:
    text, where = _garbled_ticket(garbling)
    norm = normalize(text)
    assert "田中太郎様" in norm.text and "東京都新宿区西新宿2-8-1" in norm.text
    found = {(f.type, f.start, f.end) for f in _DETECTOR.analyze(text)}
    for entity, (start, end) in where.items():
        assert (entity, start, end) in found, (entity, text[start:end])
    # the clean paragraphs around it are read as they are
    assert norm.text.startswith("Hello,\n\nthe customer's message (Crème brûlée “as is”):")
    assert norm.text.endswith("\n\n山田様、よろしくお願いいたします。\nRegards")


@pytest.mark.parametrize("garbling", sorted(_GARBLINGS))
def test_redact_cli_masks_values_in_their_garbled_form(
    garbling: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gdprguard.cli.main import main

    monkeypatch.setenv("GDPRGUARD_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("GDPRGUARD_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    text, where = _garbled_ticket(garbling)
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": 1, "text": text}, ensure_ascii=False) + "\n", "utf-8")
    assert main(["redact", str(path), "--operator", "mask"]) == 0
    out = json.loads(capsys.readouterr().out)["text"]
    assert len(out) == len(text)
    for start, end in where.values():
        assert out[start:end] == "█" * (end - start)
    assert out.startswith("Hello,\n\n") and out.endswith("Regards")


def test_mojibake_inside_html_maps_through_both_layers() -> None:
    name = "田中太郎".encode().decode("latin-1")
    html = f"<p>From:&nbsp;<b>{name}様</b> ｔｅｌ ０９０－１２３４－５６７８</p>"
    norm = normalize(html)
    assert "田中太郎様" in norm.text and "tel 090-1234-5678" in norm.text
    i = norm.text.index("田中太郎")
    start, end = norm.to_original(i, i + 4)
    assert html[start:end] == name


_GARBLED_PIECES = st.sampled_from(
    [
        "abc ",
        "<p>",
        "&amp;",
        "０９",
        "ｱｶﾞ",
        "山田様",
        "“q” ",
        "\ufffd",
        "\n",
        "田中太郎様".encode().decode("latin-1"),
        "電話番号".encode().decode("cp932", "replace"),
        "お問い合わせ".encode().decode("cp932", "replace"),
        "東京都".encode("cp932").decode("latin-1"),
        "".join(_SLOPPY_1252[b] for b in "佐藤様".encode("cp932")),
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_GARBLED_PIECES, max_size=14).map("".join))
def test_offset_map_through_mojibake_is_monotonic_and_in_bounds(text: str) -> None:
    norm = normalize(text, html_mode=False)
    prev = (0, 0)
    for i in range(len(norm.text)):
        start, end = norm.to_original(i, i + 1)
        assert 0 <= start < end <= len(text)
        assert start >= prev[0] and end >= prev[1]
        prev = (start, end)
