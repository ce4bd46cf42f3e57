"""What visitors read on the pages (issue 14), built through the real command line."""

from __future__ import annotations

from pathlib import Path

from sitefixtures import MAINTENANCE_DONE, MAINTENANCE_LATER, incident_md, write

from generator.cli import main

NOW = "2026-11-27T01:00:00Z"


def build(root: Path, now: str = NOW) -> Path:
    out = root / "out"
    assert main(["build", "--source", str(root), "--output", str(out), "--now", now,
                 "--quiet"]) == 0
    return out


def page(out: Path, path: str) -> str:
    return (out / path).read_text()


RESOLVED = incident_md("Login trouble", [
    ("2026-11-26T09:00:00Z", "investigating", "Some users cannot log in."),
    ("2026-11-26T10:00:00Z", "resolved", "Fixed.")], {"api": "partial_outage"})
ENDED = MAINTENANCE_DONE.replace("2026-11-01T02:00:00Z", "2026-11-26T20:00:00Z").replace(
    "2026-11-01T04:00:00Z", "2026-11-26T22:00:00Z").replace("  - at: 2026-11-01T03:30:00Z\n"
                                                            "    status: completed\n"
                                                            "    message: Done early.\n", "")


def test_the_status_page_says_when_the_status_last_changed_and_when_it_was_made(
        tmp_path: Path) -> None:
    # The latest event is the clock closing the maintenance window (22:00), later than
    # any posted update; the page was made at the build's now.
    out = build(write(tmp_path, {"2026-11-26-login": RESOLVED, "2026-11-26-upgrade": ENDED}))
    index = page(out, "index.html")
    assert 'Status last changed: <time datetime="2026-11-26T22:00:00Z">' in index
    assert '<p class="meta generated">Page generated: <time datetime="2026-11-27T01:00:00Z">' \
        in index
    assert "Last updated" not in index


def test_without_entries_only_the_generation_time_is_shown(tmp_path: Path) -> None:
    index = page(build(write(tmp_path, {})), "index.html")
    assert "Status last changed" not in index
    assert 'Page generated: <time datetime="2026-11-27T01:00:00Z">' in index


def test_german_labels(tmp_path: Path) -> None:
    site = "title: Test\nbase_url: https://status.test/\ntimezone: UTC\nlanguage: de\n"
    index = page(build(write(tmp_path, {"2026-11-26-login": RESOLVED}, site=site)), "index.html")
    assert 'Status zuletzt geändert: <time datetime="2026-11-26T10:00:00Z">' in index
    assert 'Seite erstellt: <time datetime="2026-11-27T01:00:00Z">' in index
