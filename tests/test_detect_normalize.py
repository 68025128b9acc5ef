"""Normalisation (HTML, NFKC) and the exact offset map back to the original text."""

from __future__ import annotations

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
