"""An author's clock a few minutes fast: accepted with a warning, shown as posted."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import main

NOW = "2026-11-27T01:00:00Z"


def write(site: Path, at: str) -> None:
    (site / "content" / "incidents" / "2026-11-27-api-down.md").write_text(
        "---\ntitle: API down\ncomponents: {api: major_outage}\nupdates:\n"
        "  - at: 2026-11-27T00:40:00Z\n    status: investigating\n    message: Down.\n"
        f"  - at: {at}\n    status: identified\n    message: Found it.\n---\n")


def test_an_update_three_minutes_ahead_is_a_warning_and_is_shown(site: Path, tmp_path: Path,
                                                                  capsys) -> None:
    write(site, "2026-11-27T01:03:00Z")
    assert main(["check", "--source", str(site), "--now", NOW]) == 0
    report = capsys.readouterr().out
    assert ("content/incidents/2026-11-27-api-down.md:8: warning: update 2 is 180 s after now "
            "(2026-11-27 01:03:00 UTC); accepted as a clock running ahead and shown as already "
            "posted") in report
    out = tmp_path / "out"
    assert main(["build", "--source", str(site), "--output", str(out), "--now", NOW]) == 0
    assert "error" not in capsys.readouterr().err
    page = (out / "incidents" / "2026-11-27-api-down" / "index.html").read_text()
    assert "Found it." in page  # the update has happened: it is on the page
    assert '<span class="pill p-identified">Identified</span>' in page


def test_an_update_six_minutes_ahead_is_still_an_error(site: Path, capsys) -> None:
    write(site, "2026-11-27T01:06:00Z")
    assert main(["check", "--source", str(site), "--now", NOW]) == 1
    report = capsys.readouterr().out
    assert ("content/incidents/2026-11-27-api-down.md:8:9: error: update 2 is in the future "
            "(2026-11-27 01:06 UTC, the build's now is 2026-11-27 01:00 UTC)") in report
    assert "a clock up to 5 minutes ahead is tolerated" in report


@pytest.mark.parametrize("at", ["2026-11-27T01:05:00Z"])
def test_exactly_five_minutes_ahead_is_accepted(site: Path, at: str, capsys) -> None:
    write(site, at)
    assert main(["check", "--source", str(site), "--now", NOW]) == 0
    assert "update 2 is 300 s after now" in capsys.readouterr().out
