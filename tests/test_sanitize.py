"""XSS corpus: hostile text in every field of the content, checked in every built page,
feed and JSON document. Markdown is rendered and cleaned with the nh3 allow-list; every
other field is escaped by Jinja2 autoescape (HTML) or the XML/JSON encoders."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from building import make_site

from generator.site.build import BuiltSite
from generator.theme.markup import Markdown, sanitize

NOW = "2026-11-27T01:00:00Z"
MARK = "XSS"  # every payload's script says alert('XSS...'), so leaks are easy to spot

PAYLOADS = [
    "<script>alert('XSS1')</script>",
    "<SCRIPT SRC=//evil.example/XSS.js></SCRIPT>",
    "<img src=x onerror=alert('XSS2')>",
    "<svg onload=alert('XSS3')><circle r=1 /></svg>",
    "<body onload=alert('XSS4')>",
    "<a href=\"JaVaScRiPt:alert('XSS5')\">click</a>",
    "[md link](javascript:alert('XSS6'))",
    "[mixed](JAVASCRIPT:alert('XSS7'))",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert('XSS8')\">e</a>",
    "<a href=\"jav&#x09;ascript:alert('XSS9')\">tab</a>",
    "<a href=\"javascript&colon;alert('XSS10')\">colon</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4=\">XSS11</a>",
    "![img](data:image/svg+xml,<svg onload=alert('XSS12')>)",
    "<div style=\"background:url(javascript:alert('XSS13'))\">css</div>",
    "<p style=\"width:expression(alert('XSS14'))\">ie</p>",
    "<style>@import 'javascript:alert(\"XSS15\")';</style>",
    "<iframe src=\"javascript:alert('XSS16')\"></iframe>",
    "<form action=\"javascript:alert('XSS17')\"><button>go</button></form>",
    "<object data=\"javascript:alert('XSS18')\"></object><embed src=x>",
    "<math><a xlink:href=\"javascript:alert('XSS19')\">m</a></math>",
    "<a href=\"https://ok.example/\" onmouseover=\"alert('XSS20')\">hover</a>",
    "<<script>script>alert('XSS21')<</script>/script>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('XSS22')>\">",
    "&lt;script&gt;alert('XSS23')&lt;/script&gt;",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('XSS24')\">",
    "<base href=\"javascript:alert('XSS25')//\">",
    "\"><script>alert('XSS26')</script>",
    "' onfocus='alert(\"XSS27\")' autofocus='",
    "<details open ontoggle=alert('XSS28')><summary>s</summary></details>",
]
PAYLOAD_TEXT = "\n\n".join(PAYLOADS)
DANGEROUS_TAGS = {"script", "iframe", "form", "object", "embed", "base", "meta", "style", "svg",
                  "math", "img", "input", "button", "link", "frame", "frameset", "applet"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}


def yaml_quote(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid double-quoted YAML scalar


def hostile_repo(root: Path) -> Path:
    one_line = " ".join(PAYLOADS[:3]) + " " + PAYLOADS[26]
    content = root / "content"
    (content / "incidents").mkdir(parents=True)
    (content / "site.yaml").write_text(
        f"title: {yaml_quote(one_line)}\nbase_url: https://status.test/\ntimezone: UTC\n"
        f"description: {yaml_quote(PAYLOADS[27])}\n")
    (content / "components.yaml").write_text(
        f"groups:\n  - id: core\n    name: {yaml_quote(PAYLOADS[0])}\n"
        f"    description: {yaml_quote(PAYLOADS[2])}\n    components:\n"
        f"      - id: api\n        name: {yaml_quote(one_line)}\n"
        f"        description: {yaml_quote(PAYLOADS[26])}\n"
        f"        status: degraded_performance\n"
        f"        status_note: {yaml_quote(PAYLOADS[3])}\n")
    for slug, kind, status, extra in [
        ("hostile-open", "incident", "investigating", "components: {api: major_outage}\n"),
        ("hostile-notice", "notice", "investigating", ""),
        ("hostile-maintenance", "maintenance", "scheduled",
         "components: {api: under_maintenance}\n"
         "window: {start: 2026-12-01T02:00:00Z, end: 2026-12-01T04:00:00Z}\n"),
    ]:
        (content / "incidents" / f"{slug}.md").write_text(
            f"---\ntitle: {yaml_quote(one_line)}\ntype: {kind}\n{extra}updates:\n"
            f"  - at: 2026-11-26T10:00:00Z\n    status: {status}\n"
            f"    message: {yaml_quote(PAYLOAD_TEXT)}\n---\n{PAYLOAD_TEXT}\n")
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return make_site(hostile_repo(tmp_path_factory.mktemp("xss")), NOW)


class Audit(HTMLParser):
    """Collects everything in an HTML document that could run script."""

    def __init__(self, from_content: bool):
        super().__init__(convert_charrefs=True)
        self.from_content = from_content  # a fragment that came out of the sanitizer
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_script = tag == "script"
        if self.from_content and tag in DANGEROUS_TAGS:
            self.found.append(f"<{tag}> from content")
        if tag == "script" and not re.fullmatch(r"(\.\./|/)*assets/enhance\.[0-9a-f]+\.js",
                                                dict(attrs).get("src") or ""):
            self.found.append(f"<script {attrs}>")
        for name, value in attrs:
            self.attribute(tag, name, value or "")

    def attribute(self, tag: str, name: str, value: str) -> None:
        if name.startswith("on"):
            self.found.append(f"event handler {name} on <{tag}>")
        if self.from_content and name == "style":
            self.found.append(f"style attribute on <{tag}>")
        if name in URL_ATTRS:
            # Browsers drop ASCII whitespace and control characters inside a scheme.
            scheme = re.sub(r"[\x00-\x20]", "", value).lower().split(":", 1)
            if len(scheme) == 2 and scheme[0] in ("javascript", "vbscript", "data"):
                self.found.append(f"{name}={value!r} on <{tag}>")
        if tag == "meta" and name == "http-equiv" and value.lower() == "refresh":
            self.found.append("meta refresh")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self.in_script and MARK in data:
            self.found.append(f"script text {data!r}")

    def handle_endtag(self, tag: str) -> None:
        self.in_script = False


def audit(html: str, from_content: bool = False) -> list[str]:
    parser = Audit(from_content)
    parser.feed(html)
    parser.close()
    return parser.found


def test_sanitizer_removes_every_payload() -> None:
    md = Markdown()
    for payload in PAYLOADS:
        html = md(payload)
        assert audit(html, from_content=True) == [], (payload, html)


def test_links_from_content_get_rel_nofollow_noopener() -> None:
    html = sanitize('<a href="https://ok.example/" target="_blank">x</a>')
    assert html == '<a href="https://ok.example/" rel="nofollow noopener">x</a>'


def test_allowed_formatting_survives() -> None:
    html = Markdown()("**bold** `code` [docs](https://docs.example/a?b=1)\n\n| a |\n|---|\n| 1 |")
    assert "<strong>bold</strong>" in html and "<code>code</code>" in html
    assert '<a href="https://docs.example/a?b=1" rel="nofollow noopener">docs</a>' in html
    assert "<table>" in html


def test_every_html_page_is_clean(site: BuiltSite) -> None:
    pages = [p for p in site.files if p.endswith(".html")]
    assert "incidents/hostile-open/index.html" in pages and "index.html" in pages
    for path in pages:
        assert audit(site.files[path].decode("utf-8")) == [], path


def test_titles_are_escaped_not_dropped(site: BuiltSite) -> None:
    html = site.files["incidents/hostile-open/index.html"].decode("utf-8")
    assert "&lt;script&gt;alert(&#39;XSS1&#39;)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;script&gt;alert(&#39;XSS26&#39;)" in html


def test_every_xml_file_is_clean(site: BuiltSite) -> None:
    xml_files = [p for p in site.files if p.endswith((".atom", ".rss", ".xml", ".svg"))]
    assert "feed.atom" in xml_files and "feed.rss" in xml_files
    for path in xml_files:
        root = ET.fromstring(site.files[path])  # well-formed despite the payloads
        for element in root.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            assert tag not in ("script", "foreignObject"), path
            for name, value in element.attrib.items():
                assert not name.rsplit("}", 1)[-1].startswith("on"), (path, name)
                assert not re.sub(r"[\x00-\x20]", "", value).lower().startswith(
                    ("javascript:", "data:", "vbscript:")), (path, name, value)
            if tag in ("content", "description", "summary") and element.text:
                assert audit(element.text, from_content=True) == [], (path, element.text[:200])


def test_feed_entries_hold_the_sanitized_html(site: BuiltSite) -> None:
    root = ET.fromstring(site.files["feed.atom"])
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == 3
    for entry in entries:
        # The title is text: the XML parser gives back exactly what the author typed.
        assert "<script>alert('XSS1')</script>" in (entry.findtext("a:title", namespaces=ns)
                                                   or "")
        body = entry.findtext("a:content", namespaces=ns) or ""
        assert "&lt;script&gt;alert('XSS23')" in body  # escaped text stays visible text
        assert audit(body, from_content=True) == []


def test_json_bodies_are_sanitized_html(site: BuiltSite) -> None:
    bodies: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "body" and isinstance(item, str):
                    bodies.append(item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in [p for p in site.files if p.endswith(".json")]:
        walk(json.loads(site.files[path]))
    # incidents.json, summary.json and each incident's updates carry the payload.
    assert len(bodies) >= 3 and "api/v2/incidents.json" in site.files
    md = Markdown()
    for body in bodies:
        assert audit(body, from_content=True) == []
        assert body == md(PAYLOAD_TEXT)  # the same sanitized HTML as the pages


def test_no_markup_file_contains_a_raw_payload(site: BuiltSite) -> None:
    """HTML and XML never carry a payload as markup (plain-text formats such as the
    calendar and JSON strings may carry it as text)."""
    markup = [p for p in site.files if p.endswith((".html", ".atom", ".rss", ".xml", ".svg"))]
    for path in markup:
        text = site.files[path].decode("utf-8")
        for needle in ("<script>alert(", "<img", "<svg onload", "<iframe", "<form", "<style>@"):
            assert needle not in text, (path, needle)
