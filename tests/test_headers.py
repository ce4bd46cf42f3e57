"""`_headers` (Netlify, Cloudflare Pages), from a real build through the command line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sitefixtures import NOW, REPO

from generator.cli import main

FOREVER = "public, max-age=31536000, immutable"


def rules(text: str) -> list[tuple[str, dict[str, str]]]:
    """The file's rules: (path pattern, headers), in order."""
    result: list[tuple[str, dict[str, str]]] = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("/"):
            result.append((line, {}))
        else:
            assert line.startswith("  ") and result, line
            name, _, value = line.strip().partition(": ")
            result[-1][1][name] = value
    return result


def matches(pattern: str, url: str) -> bool:
    """Netlify's and Cloudflare's matching: '*' any rest, ':name' one segment."""
    regex = re.escape(pattern).replace(r"\*", ".*")
    regex = re.sub(r":[a-z]+", "[^/]+", regex)
    return re.fullmatch(regex, url) is not None


def build(source: Path, output: Path) -> dict[str, dict[str, str]]:
    """Every published file's URL path -> the headers the rules give it (each header from
    at most one rule: Cloudflare would join several)."""
    assert main(["build", "--source", str(source), "-o", str(output), "--now", NOW, "-q"]) == 0
    parsed = rules((output / "_headers").read_text())
    assert len(parsed) <= 100  # Cloudflare Pages' limit
    given: dict[str, dict[str, str]] = {}
    for file in sorted(output.rglob("*")):
        if not file.is_file():
            continue
        url = "/" + file.relative_to(output).as_posix()
        headers: dict[str, str] = {}
        for pattern, values in parsed:
            if matches(pattern, url):
                overlap = set(headers) & set(values)
                assert not overlap, f"{url}: {overlap} set by two rules"
                headers.update(values)
        given[url] = headers
    return given


def test_the_example_site_s_headers(tmp_path: Path) -> None:
    given = build(REPO, tmp_path / "out")
    assert given["/api/v2/summary.json"] == {
        "Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=60",
        "Content-Type": "application/json"}
    assert given["/api/v2/incidents/unresolved.json"] == given["/api/v2/summary.json"]
    for feed, kind in (("/feed.atom", "atom"), ("/history.rss", "rss"),
                       ("/components/api/feed.atom", "atom"),
                       ("/components/api/feed.rss", "rss")):
        assert given[feed] == {"Access-Control-Allow-Origin": "*",
                               "Cache-Control": "public, max-age=60",
                               "Content-Type": f"application/{kind}+xml; charset=utf-8"}
    for calendar in ("/maintenance.ics", "/components/payouts/maintenance.ics"):
        assert given[calendar] == {"Cache-Control": "public, max-age=60",
                                   "Content-Type": "text/calendar; charset=utf-8"}
    for badge in ("/badge.svg", "/components/docs/badge.svg"):
        assert given[badge] == {"Cache-Control": "public, max-age=60",
                                "Content-Type": "image/svg+xml"}
    assets = [url for url in given if url.startswith("/assets/")]
    assert len(assets) == 8
    for url in assets:  # the default theme's assets are all content-hashed
        assert given[url] == {"Cache-Control": FOREVER}
    # HTML keeps the host's default (revalidated on every request).
    for page in ("/index.html", "/incidents/2026-09-03-api-outage/index.html",
                 "/components/api/index.html", "/history/index.html", "/404.html"):
        assert given[page] == {}


def test_only_content_hashed_assets_are_cached_for_a_year(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert main(["init", str(site)]) == 0
    (site / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    (site / "content/site.yaml").write_text(
        (site / "content/site.yaml").read_text() + "logo: logo.png\n")
    given = build(site, tmp_path / "out")
    assert given["/assets/logo.png"] == {}  # same name after a change: never immutable
    hashed = [url for url, headers in given.items() if headers.get("Cache-Control") == FOREVER]
    assert hashed and all(re.search(r"\.[0-9a-f]{10}\.(css|js|svg)$", url) for url in hashed)


def test_the_file_is_the_same_for_the_same_content(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert main(["build", "-o", str(tmp_path / name), "--now", NOW, "-q",
                     "--source", str(REPO)]) == 0
    assert (tmp_path / "a/_headers").read_bytes() == (tmp_path / "b/_headers").read_bytes()


@pytest.mark.parametrize(("pattern", "url", "expected"), [
    ("/components/:id/feed.atom", "/components/api/feed.atom", True),
    ("/components/:id/feed.atom", "/components/a/b/feed.atom", False),
    ("/api/v2/*", "/api/v2/incidents/unresolved.json", True),
    ("/feed.atom", "/history.atom", False),
])
def test_the_matcher_the_tests_use(pattern: str, url: str, expected: bool) -> None:
    assert matches(pattern, url) is expected


def test_every_language_s_feeds_calendars_and_badges_get_their_headers(tmp_path: Path) -> None:
    from test_languages import example

    given = build(example(tmp_path, "languages: [en, de]"), tmp_path / "out")
    feed = {"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=60",
            "Content-Type": "application/atom+xml; charset=utf-8"}
    assert given["/de/feed.atom"] == given["/de/components/api/feed.atom"] == feed
    assert given["/de/maintenance.ics"] == {"Cache-Control": "public, max-age=60",
                                           "Content-Type": "text/calendar; charset=utf-8"}
    assert given["/de/badge.svg"] == {"Cache-Control": "public, max-age=60",
                                     "Content-Type": "image/svg+xml"}
    assert given["/de/index.html"] == {}  # HTML: the host's default, as at the root
    assert "/de/api/v2/summary.json" not in given  # one API, at the root
