"""The site description in feeds is text: RSS readers take the channel <description> as
HTML, so markup typed in site.yaml must reach them escaped, never as an element
(issue 10, item 13). Built through the real CLI, read back with feedparser."""

from __future__ import annotations

from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest

from generator.cli import main

NOW = "2026-11-27T01:00:00Z"
DESCRIPTION = """<img src=x onerror=alert(1)> & <b>"bold"</b> it's"""


class Tags(HTMLParser):
    def __init__(self, text: str):
        super().__init__()
        self.tags: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


@pytest.fixture
def public(tmp_path: Path) -> Path:
    content = tmp_path / "repo" / "content"
    (content / "incidents").mkdir(parents=True)
    quoted = DESCRIPTION.replace("'", "''")
    (content / "site.yaml").write_text("title: Test Status\nbase_url: https://status.test/\n"
                                       f"timezone: UTC\ndescription: '{quoted}'\n")
    (content / "components.yaml").write_text("components:\n  - id: api\n    name: API\n")
    out = tmp_path / "public"
    assert main(["build", "--source", str(content.parent), "--output", str(out),
                 "--now", NOW]) == 0
    return out


@pytest.mark.parametrize("path", ["feed.rss", "history.rss", "components/api/feed.rss"])
def test_rss_channel_description_is_escaped_text(public: Path, path: str) -> None:
    feed = feedparser.parse((public / path).read_bytes())
    assert not feed.bozo
    detail = feed.feed.description_detail
    assert detail.type == "text/html"  # what feedparser, like readers, makes of it
    assert Tags(detail.value).tags == []
    assert unescape(detail.value) == DESCRIPTION


@pytest.mark.parametrize("path", ["feed.atom", "history.atom", "components/api/feed.atom"])
def test_atom_subtitle_is_plain_text(public: Path, path: str) -> None:
    feed = feedparser.parse((public / path).read_bytes())
    assert not feed.bozo
    assert feed.feed.subtitle_detail.type == "text/plain"
    assert feed.feed.subtitle == DESCRIPTION
