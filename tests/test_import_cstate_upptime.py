"""`heliograph import cstate` and `heliograph import upptime`, through the real command
line, on hand-written sites in the tools' documented shapes (tests/importdata/)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sitefixtures import NOW

from generator.cli import main

DATA = Path(__file__).resolve().parent / "importdata"


def texts(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*"))
            if p.is_file()}


def run(*args: str) -> int:
    return main(["import", *args, "--now", NOW])


BOOKING_DOWN = """\
---
# Imported from cState: issues/2026-10-02-booking-down
title: Booking is down
components:
  booking: major_outage
  timetable: major_outage
updates:
  - at: 2026-10-02T08:00:00Z
    status: investigating
    message: Nobody can book a crossing.
  - at: 2026-10-02T09:00:00Z
    status: monitoring
    message: A fix is out.
  - at: 2026-10-02T09:30:00Z
    status: resolved
    message: Bookings work again.
---
The payment provider had an outage.
"""

HARBOUR_COMPONENTS = """\
# Imported from cState by `heliograph import` (format: docs/content.md).
groups:
  - id: ferries
    name: Ferries
    description: Boats and their booking.
    components:
      - id: booking
        name: Booking
      - id: timetable
        name: Timetable
        description: Departure boards
components:
  - id: website
    name: Website
"""


def test_cstate_systems_and_issues(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    assert run("cstate", str(DATA / "cstate"), "--source", str(site)) == 0
    out = capsys.readouterr().out
    files = texts(site)
    assert sorted(files) == [
        "content/components.yaml",
        "content/incidents/2026-10-02-booking-down.md",  # cState's own file names (URLs)
        "content/incidents/2026-11-05-new-timetable.md",
        "content/incidents/2026-11-20-slow-timetable.md",
        "content/site.yaml",
    ]
    assert files["content/site.yaml"] == (
        "# Imported from cState by `heliograph import` (format: docs/content.md).\n"
        "title: Harbour Status\nbase_url: https://status.harbour.test/\ntimezone: UTC\n"
        "language: en\n")
    assert files["content/components.yaml"] == HARBOUR_COMPONENTS
    assert files["content/incidents/2026-10-02-booking-down.md"] == BOOKING_DOWN
    notice = files["content/incidents/2026-11-05-new-timetable.md"]
    assert "type: notice\n" in notice and "components" not in notice
    slow = files["content/incidents/2026-11-20-slow-timetable.md"]
    assert "  timetable: partial_outage\n" in slow
    assert 'message: "*Just noticed* - Departure boards load slowly."\n' in slow
    for reported in ("category 'Ferries' closed: groups are always open in Heliograph",
                     "params.systems 3 link: components have no link in Heliograph",
                     "2026-10-02-booking-down.md pin: Heliograph has no pinned entries",
                     "2026-10-02-booking-down.md affected: no system named 'Cargo'; left out",
                     "content/issues/broken.md:3: YAML syntax error"):
        assert reported in out
    assert main(["check", "--source", str(site), "--now", NOW]) == 0
    capsys.readouterr()
    assert run("cstate", str(DATA / "cstate"), "--source", str(site)) == 0
    assert "Created" not in capsys.readouterr().out and texts(site) == files


def test_cstate_issue_names_that_are_not_slugs_get_one_from_the_date_and_title(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "cstate"
    shutil.copytree(DATA / "cstate", source)
    (source / "content/issues/broken.md").unlink()
    odd = source / "content/issues/Big Outage!.md"
    odd.write_text((source / "content/issues/2026-10-02-booking-down.md").read_text())
    (source / "content/issues/2026-10-02-booking-down.md").unlink()
    assert run("cstate", str(source), "--source", str(tmp_path / "site")) == 0
    assert (tmp_path / "site/content/incidents/2026-10-02-booking-is-down.md").is_file()


def test_cstate_issues_that_are_links_are_not_read_and_are_reported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "cstate"
    shutil.copytree(DATA / "cstate", source)
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Read from outside the folder\ndate: 2026-01-01\n---\n")
    (source / "content/issues/outside.md").symlink_to(secret)
    assert run("cstate", str(source), "--source", str(tmp_path / "site")) == 0
    assert "  content/issues/outside.md: a symbolic link; not read\n" in capsys.readouterr().out
    assert not any("outside" in p.name for p in (tmp_path / "site/content/incidents").iterdir())


def test_cstate_without_config_is_exit_1(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert run("cstate", str(tmp_path), "--source", str(tmp_path / "site")) == 1
    assert "no config.yml: is this a cState site?" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


MAIN_WEBSITE_DOWN = """\
---
# Imported from Upptime: issue #5, https://github.com/lighthouse-test/status/issues/5
title: 🛑 Main Website is down
components:
  main-website: major_outage
updates:
  - at: 2026-11-10T03:00:00Z
    status: investigating
    message: |
      In [`def5678`](https://github.com/lighthouse-test/status/commit/def5678), Main Website (https://lighthouse.test) was **down**:
      - HTTP code: 0
      - Response time: 0 ms
  - at: 2026-11-10T03:15:00Z
    status: investigating
    message: Our hosting provider is restarting the server.
  - at: 2026-11-10T03:40:00Z
    status: resolved
    message: "**Resolved:** Main Website is back up in [`0a1b2c3`](https://github.com/lighthouse-test/status/commit/0a1b2c3)."
---
"""  # noqa: E501

LIGHTHOUSE_COMPONENTS = """\
# Imported from Upptime by `heliograph import` (format: docs/content.md).
components:
  - id: main-website
    name: Main Website
  - id: i-pv6-gateway
    name: IPv6 Gateway
    status: major_outage
  - id: search
    name: Search
"""


def test_upptime_sites_history_and_issues(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    source = DATA / "upptime"
    assert run("upptime", str(source), "--issues", str(source / "issues.json"),
               "--source", str(site)) == 0
    out = capsys.readouterr().out
    files = texts(site)
    assert sorted(files) == [
        "content/components.yaml",
        "content/incidents/2026-11-01-scheduled-maintenance-gateway-upgrade.md",
        "content/incidents/2026-11-10-main-website-is-down.md",
        "content/incidents/2026-11-25-search-has-degraded-performance.md",
        "content/site.yaml",
    ]
    assert "base_url: https://status.lighthouse.test/\n" in files["content/site.yaml"]
    # history/i-pv6-gateway.yml says down and no open issue explains it: a manual status;
    # search is degraded because of its open issue, so it has none.
    assert files["content/components.yaml"] == LIGHTHOUSE_COMPONENTS
    assert files["content/incidents/2026-11-10-main-website-is-down.md"] == MAIN_WEBSITE_DOWN
    maintenance = files["content/incidents/2026-11-01-scheduled-maintenance-gateway-upgrade.md"]
    assert "window:\n  start: 2026-11-01T01:00:00Z\n  end: 2026-11-01T02:00:00Z\n" in maintenance
    assert "  i-pv6-gateway: under_maintenance\n" in maintenance
    assert "    message: We upgrade the gateway.\n" in maintenance
    assert "  search: degraded_performance\n" in files[
        "content/incidents/2026-11-25-search-has-degraded-performance.md"]
    assert "issue #3 expectedDown: no site 'nowhere'; left out" in out
    assert "sites 2 method: a monitoring setting" in out
    assert main(["check", "--source", str(site), "--now", NOW]) == 0


def test_upptime_history_that_is_a_link_is_not_read_and_is_reported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "upptime"
    shutil.copytree(DATA / "upptime", source)
    history = source / "history" / "i-pv6-gateway.yml"
    (tmp_path / "down.yml").write_bytes(history.read_bytes())
    history.unlink()
    history.symlink_to(tmp_path / "down.yml")
    assert run("upptime", str(source), "--issues", str(source / "issues.json"),
               "--source", str(tmp_path / "site")) == 0
    assert "  history/i-pv6-gateway.yml: a symbolic link; not read\n" in \
        capsys.readouterr().out
    components = (tmp_path / "site/content/components.yaml").read_text()
    assert components == LIGHTHOUSE_COMPONENTS.replace("    status: major_outage\n", "")


def test_upptime_without_issues_says_how_to_export_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("upptime", str(DATA / "upptime"), "--source", str(tmp_path / "site")) == 0
    out = capsys.readouterr().out
    assert "gh issue list --state all --limit 1000 --json" in out
    assert sorted(texts(tmp_path / "site")) == ["content/components.yaml", "content/site.yaml"]


@pytest.mark.parametrize(("issues", "message"), [
    ("{", "not valid JSON"),
    ('{"number": 1}', "not a list of at most 10,000 issues"),
    ('["x"]', "issue 1 is not an object"),
])
def test_upptime_issues_of_the_wrong_shape_are_exit_1(
        issues: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "issues.json").write_text(issues)
    assert run("upptime", str(DATA / "upptime"), "--issues", str(tmp_path / "issues.json"),
               "--source", str(tmp_path / "site")) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "site").exists()
