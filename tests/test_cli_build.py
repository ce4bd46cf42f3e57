"""`heliograph build`'s command line: options, usage errors and the closing summary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.cli import main

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-27T01:00:00Z"


def test_build_takes_o_and_ends_with_a_summary_of_what_it_wrote(tmp_path: Path, capsys) -> None:
    out = tmp_path / "site"
    assert main(["build", "--source", str(REPO), "-o", str(out), "--now", NOW]) == 0
    files = [p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()]

    def count(pattern: str) -> int:
        return sum(1 for f in files if re.fullmatch(pattern, f))

    pages, feeds, api = count(r".*\.html"), count(r".*\.(atom|rss)"), count(r".*\.json")
    calendars, badges = count(r".*\.ics"), count(r"(.*/)?badge\.svg")
    other = len(files) - pages - feeds - api - calendars - badges
    assert min(pages, feeds, api, calendars, badges, other) > 0
    assert re.fullmatch(
        rf"Built {len(files)} files into {re.escape(str(out))} in \d+\.\d\d s: {pages} pages, "
        rf"{feeds} feeds, {api} JSON, {calendars} calendars, {badges} badges, {other} other "
        r"\(10 incidents, status: major\)\n", capsys.readouterr().out)


def test_quiet_build_prints_nothing(tmp_path: Path, capsys) -> None:
    out = tmp_path / "site"
    assert main(["build", "--source", str(REPO), "--output", str(out), "--now", NOW,
                 "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")
    assert (out / "index.html").is_file()


@pytest.mark.parametrize(("argv", "usage", "error"), [
    (["build", "--bogus"], "usage: heliograph build [-h] [--source SOURCE] [-o OUTPUT]",
     "heliograph build: error: unrecognized arguments: --bogus"),
    (["check", "--jobs", "3"], "usage: heliograph check [-h] [--source SOURCE]",
     "heliograph check: error: unrecognized arguments: --jobs 3"),
    (["build", "--jobs", "x"], "usage: heliograph build [-h]",
     "heliograph build: error: argument --jobs: invalid int value: 'x'"),
    (["new", "incident", "T", "--colour", "red"], "usage: heliograph new [-h]",
     "heliograph new: error: unrecognized arguments: --colour red"),
])
def test_a_subcommand_mistake_shows_that_subcommand_s_usage(tmp_path: Path, capsys,
                                                            argv: list[str], usage: str,
                                                            error: str) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--source", str(tmp_path)])
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(usage), captured.err
    assert captured.err.splitlines()[-1] == error
    assert list(tmp_path.iterdir()) == []
