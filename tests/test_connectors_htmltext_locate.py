"""Ranges of a comment's plain body are found at the same place in its HTML body, even when the
redacted value repeats (card digits kept first-6/last-4 once hit the wrong group of ones)."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from gdprguard.connectors.htmltext import HtmlText, TextRange

WRAPPER = '<div class="zd-comment" dir="auto"><p dir="auto">{}</p></div>'


def _non_space_before(text: str, position: int) -> int:
    return sum(1 for ch in text[:position] if not ch.isspace())


def test_a_card_with_its_first_six_and_last_four_kept() -> None:
    body = "My card is 4111 1111 1111 1111 ok."
    projected = HtmlText(WRAPPER.format(body))
    found, missed = projected.locate(body, [TextRange(18, 25, body[18:25])])
    assert missed == 0
    assert projected.wrap_redact(found) == WRAPPER.format(
        "My card is 4111 11<redact>11 1111</redact> 1111 ok."
    )


def test_a_repeated_value_in_a_body_that_differs_from_the_html_text() -> None:
    body = "card 1111 1111 1111 then 1111 1111"
    source = "<p>Card 1111 1111 1111 then 1111 1111</p>"  # differs: falls back to occurrences
    projected = HtmlText(source)
    found, _ = projected.locate(body, [TextRange(10, 19, body[10:19])])
    assert projected.text[found[0].start : found[0].end] == "1111 1111"
    assert _non_space_before(projected.text, found[0].start) == _non_space_before(body, 10)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["11", "1111", "4111", "a", "&", "<", " ", "  ", "\n"]),
        min_size=1,
        max_size=30,
    ),
    st.data(),
)
def test_every_range_maps_to_the_same_characters(tokens: list[str], data: st.DataObject) -> None:
    body = "".join(tokens)
    if not body.strip():
        return
    start = data.draw(st.integers(0, len(body) - 1))
    end = data.draw(st.integers(start + 1, len(body)))
    if not body[start:end].strip():
        return
    projected = HtmlText(WRAPPER.format(html.escape(body, quote=False).replace("\n", "<br>")))
    found, missed = projected.locate(body, [TextRange(start, end, body[start:end])])
    assert missed == 0 and len(found) == 1
    got = projected.text[found[0].start : found[0].end]
    assert "".join(got.split()) == "".join(body[start:end].split())
    first = start + (len(body[start:end]) - len(body[start:end].lstrip()))
    assert _non_space_before(projected.text, found[0].start) == _non_space_before(body, first)
