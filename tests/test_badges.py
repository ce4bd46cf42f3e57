"""SVG badges (parsed as XML: sizes, colours, accessible names, text that fits) and the
embed widget page."""

from __future__ import annotations

import string
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from sitefixtures import NOW, SCENARIOS, build, write

from generator.cli import main
from generator.outputs.badges import (
    _WIDTH_GROUPS,
    FALLBACK_WIDTH,
    INDICATOR_COLORS,
    LABEL_COLOR,
    PADDING,
    STATUS_COLORS,
    Badge,
    escape,
    quoteattr,
    text_width,
)

SVG = "{http://www.w3.org/2000/svg}"


def contrast_with_white(color: str) -> float:
    channels = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def parse(data: bytes) -> ET.Element:
    root = ET.fromstring(data)
    assert root.tag == f"{SVG}svg"
    return root


def check_badge(data: bytes, label: str, message: str, color: str) -> None:
    root = parse(data)
    name = f"{label}: {message}"
    assert root.get("role") == "img" and root.get("aria-label") == name
    assert root.find(f"{SVG}title").text == name
    rects = root.findall(f"{SVG}g/{SVG}rect")
    left, right = float(rects[0].get("width")), float(rects[1].get("width"))
    assert float(root.get("width")) == left + right
    assert rects[0].get("fill") == LABEL_COLOR and rects[1].get("fill") == color
    texts = [t for t in root.iter(f"{SVG}text") if t.get("aria-hidden") != "true"]
    assert [t.text for t in texts] == [label, message]
    for text, box in zip(texts, (left, right), strict=True):
        length = float(text.get("textLength"))
        assert length == text_width(text.text)
        assert length + 2 * PADDING <= box  # the text always fits its box


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_badges_for_page_and_every_component(scenario, tmp_path_factory):
    site = build(scenario, tmp_path_factory)
    state = site.state
    check_badge(site.files["badge.svg"], "Status", state.description,
                INDICATOR_COLORS[state.indicator])
    for component in site.content.components:
        status = state.component_status[component.id]
        check_badge(site.files[f"components/{component.id}/badge.svg"], component.name,
                    status.replace("_", " ").capitalize(), STATUS_COLORS[status])


def test_long_and_foreign_text_widens_the_badge():
    short = parse(Badge("API", "Operational", STATUS_COLORS["operational"]).svg())
    long = parse(Badge("Card processing in all regions", "Operational", "#2e7d32").svg())
    assert float(long.get("width")) > float(short.get("width"))
    assert text_width("WWW") > text_width("iii")
    assert text_width("日本") == 2 * round(FALLBACK_WIDTH * 11 / 1000)
    check_badge(Badge("Zahlungsausfälle & <Störung>", "Größere Störung", "#b91c1c").svg(),
                "Zahlungsausfälle & <Störung>", "Größere Störung", "#b91c1c")


def test_text_and_attributes_are_escaped_as_xml_sax_saxutils_escapes_them():
    # The bytes xml.sax.saxutils gave (its import is no longer paid for): quotes stay as
    # they are in text; an attribute takes double quotes unless it holds double quotes
    # and no single ones; line breaks and tabs become references.
    assert escape("""a&b <c> "d" 'e' &amp;""") == """a&amp;b &lt;c&gt; "d" 'e' &amp;amp;"""
    assert quoteattr("API & <db>") == '"API &amp; &lt;db&gt;"'
    assert quoteattr("Tom's API") == '"Tom\'s API"'
    assert quoteattr('the "API"') == """'the "API"'"""
    assert quoteattr('Tom\'s "API"') == '"Tom\'s &quot;API&quot;"'
    assert quoteattr("a\nb\tc\rd") == '"a&#10;b&#9;c&#13;d"'
    assert quoteattr("") == '""'


def test_component_names_with_markup_and_quotes_in_a_built_badge(tmp_path):
    names = {"a": """Tom's "API" & <db>""", "b": 'the "Web"'}
    components = "components:\n" + "".join(
        f"  - id: {cid}\n    name: '{name.replace(chr(39), chr(39) * 2)}'\n"
        for cid, name in names.items())
    root = write(tmp_path / "site", {}, components)
    assert main(["build", "--source", str(root), "--output", str(tmp_path / "out"),
                 "--now", NOW, "-q"]) == 0
    a = (tmp_path / "out/components/a/badge.svg").read_text(encoding="utf-8")
    assert 'aria-label="Tom\'s &quot;API&quot; &amp; &lt;db&gt;: Operational">' in a
    assert "<title>Tom's \"API\" &amp; &lt;db&gt;: Operational</title>" in a
    assert 'aria-hidden="true">Tom\'s "API" &amp; &lt;db&gt;</text>' in a
    b = (tmp_path / "out/components/b/badge.svg").read_text(encoding="utf-8")
    assert """aria-label='the "Web": Operational'>""" in b


def test_width_table_covers_ascii_and_latin1_once():
    chars = "".join(_WIDTH_GROUPS.values())
    assert len(chars) == len(set(chars))  # no character in two groups
    assert set(string.printable[:95]) <= set(chars)
    assert {chr(c) for c in range(0xA0, 0x100)} <= set(chars)
    assert text_width("Operational") == 64  # Verdana 11px, rounded up


def test_every_badge_colour_is_readable_with_white_text():
    for color in [*STATUS_COLORS.values(), LABEL_COLOR]:
        assert contrast_with_white(color) >= 4.5, color


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            self.links.append(dict(attrs))


def test_embed_widget_shows_status_and_open_entries(tmp_path_factory):
    site = build("example", tmp_path_factory)
    html = site.files["embed/index.html"].decode()
    parser = Links()
    parser.feed(html)
    assert "script" not in parser.tags and "style" not in parser.tags
    assert "Partial System Outage" in html
    for incident in site.state.open_incidents:
        assert f'href="../incidents/{incident.slug}/"' in html
    assert parser.links and all(a["target"] == "_blank" and "noopener" in a["rel"]
                                for a in parser.links)
    assert '<meta name="robots" content="noindex">' in html
    css = next(p for p in site.files if p.startswith("assets/embed.") and p.endswith(".css"))
    assert f'href="../{css}"' in html


def test_embed_widget_without_incidents(tmp_path_factory):
    html = build("no-incidents", tmp_path_factory).files["embed/index.html"].decode()
    assert "All Systems Operational" in html and "<h2>" not in html
