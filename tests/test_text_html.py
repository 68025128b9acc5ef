"""The HTML projector shared by detection, the connectors and the sandbox."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gdprguard.text.html import html_to_text, looks_like_html, project_html, walk_html

COMMENT = (
    '<div class="zd-comment" dir="auto"><p dir="auto">Hi, I am Taro &amp; co.</p>\n'
    "<p>Call 090-1234-5678 or\n mail <b>taro</b>@example.test</p></div>"
)


def test_render_mode_is_what_a_reader_sees() -> None:
    text = project_html(COMMENT, "render").text
    assert "Taro & co." in text
    assert "taro@example.test" in text  # inline tags vanish inside a word
    assert "dir" not in text and "zd-comment" not in text
    assert html_to_text(COMMENT) == (
        "Hi, I am Taro & co.\n\nCall 090-1234-5678 or\n mail taro@example.test"
    )


def test_paragraphs_become_blank_lines_and_br_a_line_break() -> None:
    markup = '<div class="zd-comment"><p>a</p><p>b<br>c</p></div>'
    assert html_to_text(markup) == "a\n\nb\nc"
    # source indentation between blocks is not text; spaces inside a paragraph are
    assert html_to_text("<p>a</p>\n  <p>b</p>") == "a\n\nb"
    assert html_to_text("<p>a</p><p> </p><p>b</p>") == "a\n\n \n\nb"


def test_every_text_character_maps_back_to_its_source() -> None:
    proj = project_html(COMMENT, "render")
    for i, ch in enumerate(proj.text):
        start, end = proj.to_source(i, i + 1)
        if proj.markup[i]:
            assert COMMENT[start] == "<"  # a line break made from a tag
        elif end - start == 1:
            assert COMMENT[start] == ch
        else:
            assert COMMENT[start:end] == "&amp;" and ch == "&"


def test_source_pieces_leave_markup_out() -> None:
    proj = project_html(COMMENT, "render")
    start = proj.text.index("taro@")
    pieces = proj.source_pieces(start, start + len("taro@example.test"))
    assert [COMMENT[s:e] for s, e, _ in pieces] == ["taro", "@example.test"]
    amp = proj.text.index("&")
    assert proj.source_pieces(amp, amp + 1) == [
        (COMMENT.index("&amp;"), COMMENT.index("&amp;") + 5, 1)
    ]


def test_scan_mode_includes_what_is_stored_but_not_shown() -> None:
    markup = (
        '<p>Mail <a href="mailto:jo&#64;example.com" class="btn">us</a>'
        '<img src="https://ex.com/u?e=ann%40example.org"><!-- note: 090-1234-5678 -->'
        "<script>var t='03-1234-5678'</script><style>p{color:red}</style></p>"
    )
    scan = project_html(markup, "scan").text
    assert "mailto:jo@example.com" in scan and "ann@example.org" in scan
    assert "090-1234-5678" in scan and "03-1234-5678" in scan
    assert "btn" not in scan and "color" not in scan
    render = project_html(markup, "render").text
    assert render == "\nMail us\n"


def test_scan_mode_only_treats_known_tags_as_markup() -> None:
    text = "John Smith <john@example.com> wrote <custom-tag>"
    assert project_html(text, "scan").text == text
    assert not looks_like_html(text)
    # in render mode the body is known to be HTML, so any tag is markup
    assert project_html("a<custom-tag x='1'>b</custom-tag>", "render").text == "ab"


def test_an_unbalanced_quote_never_hides_text() -> None:
    markup = '<p class="x>Call 090-1234-5678</p>'
    assert "090-1234-5678" in project_html(markup, "scan").text
    assert "090-1234-5678" in project_html(markup, "render").text


def test_walk_reports_pieces_in_order() -> None:
    seen: list[tuple[str, str, int, int]] = []

    class Sink:
        def text(self, run: str, offset: int) -> None:
            seen.append(("text", run, offset, offset + len(run)))

        def unit(self, out: str, start: int, end: int) -> None:
            seen.append(("unit", out, start, end))

        def markup(self, out: str, start: int, end: int) -> None:
            seen.append(("markup", out, start, end))

    walk_html("<p>A&amp;B</p>", Sink())
    assert seen == [
        ("markup", "\n", 0, 3),
        ("text", "A", 3, 4),
        ("unit", "&", 4, 9),
        ("text", "B", 9, 10),
        ("markup", "\n", 10, 14),
    ]


_pieces = st.sampled_from(
    ["a", "B", " ", "\n", "<p>", "</p>", "<br>", "<b>", "</b>", "&amp;", "&nbsp;", "&#x3042;",
     "<!-- c -->", "<script>s</script>", '<a href="x">', "<x-y>", "<", ">", "&"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_pieces, max_size=30).map("".join), st.sampled_from(["scan", "render"]))
def test_offsets_are_in_bounds_and_text_characters_come_from_their_source(
    source: str, mode: str
) -> None:
    proj = project_html(source, mode)  # type: ignore[arg-type]
    assert len(proj.text) == len(proj.starts) == len(proj.ends) == len(proj.markup)
    for i, ch in enumerate(proj.text):
        start, end = proj.starts[i], proj.ends[i]
        assert 0 <= start < end <= len(source)
        if not proj.markup[i] and end - start == 1:
            assert source[start] == ch
