"""subscribe/: every way to follow the page, in the sitemap, linked from every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sitefixtures import COMPONENTS_YAML, SITE_YAML, write

from generator.cli import main

NOW = "2026-11-27T01:00:00Z"


def build(root: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = root / "public"
    assert main(["build", "--source", str(root), "-o", str(out), "-q", "--now", NOW]) == 0
    capsys.readouterr()
    return out


def links(html: str) -> list[str]:
    main_part = html[html.index('<main id="main"'):html.index("</main>")]
    return re.findall(r'href="([^"]*)"', main_part)


def test_subscribe_page_lists_feeds_calendars_api_and_email(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    hidden = COMPONENTS_YAML.replace("name: Docs", "name: Docs\n    hidden: true")
    root = write(tmp_path, {}, components=hidden,
                 site=SITE_YAML + "email_signup_url: https://lists.test/join?l=status\n")
    out = build(root, capsys)
    html = (out / "subscribe/index.html").read_text()
    assert "<title>Subscribe to updates · Test Status</title>" in html
    assert '<link rel="canonical" href="https://status.test/subscribe/">' in html
    assert links(html) == [
        "https://lists.test/join?l=status",
        "../feed.atom", "../feed.rss",
        "../components/api/", "../components/api/feed.atom", "../components/api/feed.rss",
        "../components/api/maintenance.ics",
        "../components/web/", "../components/web/feed.atom", "../components/web/feed.rss",
        "../components/web/maintenance.ics",  # docs is hidden: no feeds of its own
        "../maintenance.ics",
        "../api/v2/summary.json", "../api/v2/status.json", "../api/v2/incidents.json",
        "../api/v2/scheduled-maintenances.json",
    ]
    for link in links(html)[1:]:  # each one is a file the build wrote
        target = (out / "subscribe" / link).resolve()
        assert target.is_file() or (target / "index.html").is_file(), link
    assert "<loc>https://status.test/subscribe/</loc>" in (out / "sitemap.xml").read_text()
    # Every page's footer leads there.
    assert '<a href="subscribe/">Subscribe</a>:' in (out / "index.html").read_text()
    assert '<a href="../../subscribe/">Subscribe</a>:' in \
        (out / "components/api/index.html").read_text()


def test_without_a_sign_up_url_there_is_no_email_section(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    out = build(write(tmp_path, {}, site=SITE_YAML + "language: fr\n"), capsys)
    html = (out / "subscribe/index.html").read_text()
    assert "<h1>S&#39;abonner aux mises à jour</h1>" in html
    assert "E-mail" not in html and links(html)[0] == "../feed.atom"


def test_mailto_sign_up_and_a_bad_one(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = write(tmp_path, {}, site=SITE_YAML + "email_signup_url: mailto:join@lists.test\n")
    assert links((build(root, capsys) / "subscribe/index.html").read_text())[0] == \
        "mailto:join@lists.test"
    (root / "content/site.yaml").write_text(SITE_YAML + "email_signup_url: javascript:x\n")
    assert main(["check", "--source", str(root), "--now", NOW]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        "content/site.yaml:4:19: error: email_signup_url 'javascript:x' is not an absolute "
        "http(s) URL")
