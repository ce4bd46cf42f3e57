"""The plain-text shortcut (paragraphs, headings, lists of plain items) renders exactly
what Python-Markdown renders."""

from __future__ import annotations

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.theme.markup import Markdown, RenderBudget, extensions, plain_html, sanitize

FULL = markdown.Markdown(extensions=extensions(), output_format="html")


def full(text: str) -> str:
    return sanitize(FULL.reset().convert(text))


# Lines built from the characters the shortcut accepts, plus some it must refuse, with
# Markdown-significant shapes (list markers, setext underlines, indentation) mixed in.
WORDS = st.sampled_from(["We", "are", "investigating", "14:02", "50%", "(API)", "ok?", "a/b",
                         "e-mail", "x=y", "$5", "it's", '"quoted"', "1.", "-", "+", "=",
                         "==", "---", "*", "_x_", "`c`", "[l](u)", "<b>", "&amp;", "#", ":",
                         "Term", "  ", "\t", "**Root cause**", "**14:02 UTC**:", "**a", "b**",
                         "**", "x**y**z", "**a b**.", "** a**"])
LINE = st.lists(WORDS, min_size=1, max_size=8).map(" ".join)
HEADING = st.tuples(st.sampled_from(["#", "##", "###", "####", "#######", "##  "]), LINE).map(
    " ".join)
ITEM = st.tuples(st.sampled_from(["-", "*", "+", "- ", "1.", "-\t"]), LINE).map(" ".join)
TEXT = st.lists(st.one_of(LINE, LINE, HEADING, ITEM, ITEM, st.just("")), min_size=1,
                max_size=8).map("\n".join)


@settings(max_examples=600, deadline=None)
@given(TEXT)
def test_shortcut_matches_python_markdown(text):
    if plain_html(text) is not None:
        assert Markdown()(text) == full(text)


def test_shortcut_takes_plain_sentences_and_refuses_markup():
    assert plain_html("We rolled back the deploy at 14:02.\nErrors are down.") == \
        "<p>We rolled back the deploy at 14:02.\nErrors are down.</p>"
    assert plain_html("## Details\nIt broke.\n\nWe fixed it.\n\n### Next\n") == \
        "<h2>Details</h2>\n<p>It broke.</p>\n<p>We fixed it.</p>\n<h3>Next</h3>"
    assert plain_html("Expect:\n\n- Slow requests.\n* Retries\n\nDone.") == \
        "<p>Expect:</p>\n<ul>\n<li>Slow requests.</li>\n<li>Retries</li>\n</ul>\n<p>Done.</p>"
    assert plain_html("### Next\n- Fix it") == "<h3>Next</h3>\n<ul>\n<li>Fix it</li>\n</ul>"
    assert plain_html("- **14:02 UTC**: Fixed.") == \
        "<ul>\n<li><strong>14:02 UTC</strong>: Fixed.</li>\n</ul>"
    for text in ("**a*b**", "** a **", "**a****b**", "- a\n\n- b", "- a\nb", "-  a", "- *a*",
                 "1. a", "a\n- b", "1986. A year", "Title\n===", "Some *emphasis*",
                 "A <b>tag</b>", "Line with break  \nnext", "Fish & chips", "a\n \nb",
                 "    code", "## Title ##", "#No space"):
        assert plain_html(text) is None, text
        assert Markdown()(text) == full(text)


def test_loader_keeps_the_shortcut_html_for_the_pages():
    # The loader validates each text once; the pages then read the same HTML from the
    # cache instead of working the shortcut out again (the <h1> dropped as on pages).
    engine = Markdown()
    engine.prerender("# Title\nAll fine.", RenderBudget())
    engine.prerender("Some *emphasis*", RenderBudget())
    assert engine.rendered() == {
        "# Title\nAll fine.": "Title\n<p>All fine.</p>",
        "Some *emphasis*": "<p>Some <em>emphasis</em></p>",
    }
