"""A body in simple markup is read without the sanitiser: the tests hold the quick reading to the
sanitiser's own, on bodies generated from pieces both inside and outside what is simple."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.sanitise import body_html, readable_body, visible_text
from services.simple_markup import simple_markup_text

SIMPLE_TAGS = ["<p>", "</p>", "<br>", "<br/>", "<br />", "<b>", "</b>", "<strong>", "</strong>",
               "<em>", "</em>", "<i>", "</i>", "<u>", "</u>"]
OTHER_MARKUP = ["<P>", "<span>", "</span>", "<!-- -->", "<table>", "<td>", "<div>", "</div>",
                "<p class=x>", "<script>x</script>", "<li>", "</br>", "<b", ">", "<"]
REFERENCES = ["&#65292;", "&#x4e2d;", "&#X4E2D;", "&amp;", "&nbsp;", "&lt;", "&gt;", "&ldquo;",
              "&#0;", "&#128;", "&#x9f;", "&#xD800;", "&#xFFFE;", "&#13;", "&#1114112;",
              "&foo;", "&amp", "&#12", "& ", "&copy", "&shy;"]
TEXT = st.text(alphabet="在线赌场会议青山县 \n\t\u3000\u00a0ab1。，", min_size=1, max_size=6)
ODD = ["\r", "\r\n", "\x01", "\x0b", "\ufffe", "\ud800", "\u200b"]

simple_bodies = st.lists(st.one_of(TEXT, st.sampled_from(SIMPLE_TAGS),
                                   st.sampled_from(REFERENCES[:8])), max_size=30).map("".join)
any_bodies = st.lists(st.one_of(TEXT, st.sampled_from(SIMPLE_TAGS), st.sampled_from(OTHER_MARKUP),
                                st.sampled_from(REFERENCES), st.sampled_from(ODD)),
                      max_size=30).map("".join)

# paragraphs of text, emphasis, line breaks and references (the shape a pasted article has):
# mostly simple, so that the quick way is taken and compared
EMPHASIS = st.sampled_from(["b", "strong", "em", "i", "u"])
inline = st.lists(st.one_of(
    TEXT, st.sampled_from(REFERENCES[:8]), st.sampled_from(["<br>", "<br/>", "<br />", " ", "\n"]),
    st.tuples(EMPHASIS, TEXT).map(lambda e: f"<{e[0]}>{e[1]}</{e[0]}>")), max_size=6).map("".join)
paragraph = st.tuples(inline, st.booleans(), st.sampled_from(["", "\n", " "])).map(
    lambda p: (f"<p>{p[0]}</p>" if p[1] else p[0]) + p[2])
laid_out = st.one_of(st.lists(paragraph, min_size=1, max_size=5).map("".join),
                     st.lists(inline, min_size=1, max_size=4).map("\n".join))


def sanitiser_reading(body: str) -> str:
    return visible_text(body_html(body))


@settings(max_examples=600, deadline=None)
@given(simple_bodies)
def test_simple_markup_reads_as_the_sanitised_page(body: str) -> None:
    quick = simple_markup_text(body)
    if quick is not None:
        assert quick == sanitiser_reading(body)
    assert readable_body(body).text == sanitiser_reading(body)


@settings(max_examples=600, deadline=None)
@given(laid_out)
def test_articles_laid_out_in_html_read_as_the_sanitised_page(body: str) -> None:
    quick = simple_markup_text(body)
    if quick is not None:
        assert quick == sanitiser_reading(body)
    assert readable_body(body).text == sanitiser_reading(body)


@settings(max_examples=600, deadline=None)
@given(any_bodies)
def test_any_body_reads_as_the_sanitised_page(body: str) -> None:
    quick = simple_markup_text(body)
    if quick is not None:
        assert quick == sanitiser_reading(body)
    assert readable_body(body).text == sanitiser_reading(body)


def test_paragraphs_emphasis_and_references_are_simple() -> None:
    body = "<p>在线<b>赌</b>场&#65292;好</p>\n<p> 第二段 &amp; &lt;x&gt;<br/>下一行 </p>"
    assert simple_markup_text(body) == "在线赌场，好\n第二段 & <x>\n下一行"
    assert simple_markup_text("<b>甲</b> \n 乙") == "甲\n乙"  # a paragraph a line


def test_what_the_parser_would_rebuild_is_left_to_the_sanitiser() -> None:
    for body in ("<p>甲<b>乙<i>丙</i></b></p>",  # nested emphasis
                 "<p>甲<p>乙</p>",  # a paragraph opened inside one
                 "<b>甲<p>乙</p></b>",  # a paragraph inside emphasis
                 "<table>甲<td>乙</td></table>",  # text fostered out of a table
                 "<P>甲</P>", "甲<!-- -->乙", "甲 &#0; 乙", "甲\r\n<p>乙</p>", "无标签 &amp;"):
        assert simple_markup_text(body) is None
        assert readable_body(body).text == sanitiser_reading(body)
