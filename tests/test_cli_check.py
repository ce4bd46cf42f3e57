"""`heliograph check`, driven through the real command line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.cli import main

NOW = "2026-11-27T01:00:00Z"


def incident(site: Path, name: str, text: str) -> None:
    (site / "content" / "incidents" / name).write_text(text)


def check(site: Path, *argv: str) -> int:
    return main(["check", "--source", str(site), "--now", NOW, *argv])


def entry(title: str, updates: str, extra: str = "components: {api: major_outage}\n") -> str:
    return f"---\ntitle: {title}\n{extra}updates:\n{updates}---\n"


def one(at: str, status: str, message: str = "Something changed.") -> str:
    return f"  - at: {at}\n    status: {status}\n    message: {message}\n"


def test_valid_content_passes(site: Path, capsys) -> None:
    assert check(site) == 0
    assert "content is valid" in capsys.readouterr().err


def test_every_error_of_every_file_in_one_run(site: Path, capsys) -> None:
    incident(site, "2026-11-20-a.md", entry("A", one("2026-11-20T10:00:00Z", "investigatin")
                                            + one("2026-11-20T09:00:00Z", "resolved"),
                                            "components: {api: major_outage}\n"))
    incident(site, "2026-11-21-b.md", "---\ntitle: B\ntpye: notice\n---\n")
    components = site / "content/components.yaml"
    components.write_text(components.read_text() + "  - id: API\n    name: x\n")
    assert check(site) == 1
    err = capsys.readouterr().err
    located = re.findall(r"^(content/\S+?):(\d+)(?::\d+)?: error: (.*)$", err, re.M)
    files = {f for f, _, _ in located}
    assert files == {"content/incidents/2026-11-20-a.md", "content/incidents/2026-11-21-b.md",
                     "content/components.yaml"}
    messages = " | ".join(m for _, _, m in located)
    for expected in ("investigatin", "earlier", "tpye", "API"):
        assert expected in messages
    assert err.count("hint:") >= len(located)
    assert re.search(r"\d+ error\(s\), 0 warning\(s\) in 3 file\(s\)", err)


def test_unknown_component_ids_get_a_suggestion(site: Path, capsys) -> None:
    incident(site, "2026-11-20-a.md", entry("A", one("2026-11-20T10:00:00Z", "resolved"),
                                            "components: {apii: major_outage}\n"))
    assert check(site) == 1
    assert "unknown component id 'apii'" in capsys.readouterr().err


def test_incident_errors_are_reported_even_when_site_yaml_is_broken(site: Path, capsys) -> None:
    (site / "content/site.yaml").write_text("title: [unclosed\n")
    incident(site, "2026-11-20-a.md", entry("A", one("2026-11-20T10:00:00Z", "investigatin")))
    assert check(site) == 1
    err = capsys.readouterr().err
    assert "content/site.yaml:" in err
    assert "content/incidents/2026-11-20-a.md:" in err and "investigatin" in err


def test_github_format_prints_annotations_on_stdout(site: Path, capsys) -> None:
    incident(site, "2026-11-20-a.md", entry("A", one("2026-11-20T10:00:00Z", "investigatin")))
    assert check(site, "--format", "github") == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1
    assert re.fullmatch(r"::error file=content/incidents/2026-11-20-a\.md,line=\d+,col=\d+,"
                        r"title=Heliograph error::unknown incident status 'investigatin' "
                        r"Hint: did you mean 'investigating'\?", out[0]), out[0]


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("2026-11-25-stale.md", entry("Stale", one("2026-11-25T10:00:00Z", "investigating")),
     "no update for"),
    ("2026-11-20-left.md", entry("Left", one("2026-11-19T10:00:00Z", "scheduled"),
                                 "type: maintenance\nwindow: {start: 2026-11-20T01:00:00Z, "
                                 "end: 2026-11-20T02:00:00Z}\n"),
     "still says 'scheduled'"),
    ("2026-11-26-overrun.md", entry("Overrun", one("2026-11-19T10:00:00Z", "scheduled")
                                    + one("2026-11-26T22:30:00Z", "in_progress", "Taking longer."),
                                    "type: maintenance\nwindow: {start: 2026-11-26T20:00:00Z, "
                                    "end: 2026-11-26T22:00:00Z}\n"),
     "still 'in_progress'"),
    ("2026-11-26-nothing.md", entry("Nothing", one("2026-11-26T10:00:00Z", "resolved"), ""),
     "lists no components"),
    ("2026-11-26-calm.md", entry("Calm", one("2026-11-26T10:00:00Z", "resolved"),
                                 "components: {api: operational}\n"), "listed as operational"),
    ("2026-11-27-retro.md", entry("Retro", one("2026-11-27T00:30:00Z", "investigating"),
                                  "backfilled: true\ncomponents: {api: major_outage}\n"),
     "backfilled incident is still open"),
    ("2026-10-01-copied.md", entry("Copied", one("2026-11-26T09:00:00Z", "investigating")
                                         + one("2026-11-26T10:00:00Z", "resolved", "Fixed.")),
     "the file name says 2026-10-01"),
    ("2026-11-26-echo.md", entry("Echo", one("2026-11-26T10:00:00Z", "investigating", "Same.")
                                 + one("2026-11-26T11:00:00Z", "resolved", "Same.")),
     "repeats the message"),
])
def test_warnings_do_not_fail_the_check(site: Path, capsys, name: str, text: str,
                                        expected: str) -> None:
    incident(site, name, text)
    assert check(site) == 0
    err = capsys.readouterr().err
    assert re.search(rf"content/incidents/{re.escape(name)}(:\d+)?: warning: .*{expected}", err)
    assert "1 warning(s)" in err
    assert check(site, "--format", "github") == 0
    assert capsys.readouterr().out.startswith(f"::warning file=content/incidents/{name}")


def test_history_does_not_warn(site: Path, capsys) -> None:
    incident(site, "2026-01-01-old.md", entry("Old", one("2026-03-01T10:00:00Z", "resolved"),
                                              "components: {api: operational}\n"))
    assert check(site) == 0
    assert "content is valid" in capsys.readouterr().err


def test_bad_now_is_a_clear_error(site: Path, capsys) -> None:
    assert main(["check", "--source", str(site), "--now", "tomorrow"]) == 1
    assert "--now" in capsys.readouterr().err


def test_missing_repo_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert main(["check", "--source", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "content/site.yaml" in err and "Traceback" not in err


@pytest.mark.parametrize(("setting", "message"), [
    ("theme: nonexistent", "theme 'nonexistent' not found"),
    ("language: xx", "no translation for language 'xx'"),
    ("logo: ../../outside.svg", "must be inside the site folder"),
    ("logo: missing.png", "not found"),
])
def test_check_catches_what_the_build_would_fail_on(site: Path, capsys, setting: str,
                                                    message: str) -> None:
    config = site / "content" / "site.yaml"
    key = setting.split(":")[0]
    lines = [ln for ln in config.read_text().splitlines() if not ln.startswith(key + ":")]
    config.write_text("\n".join([*lines, setting]) + "\n")
    line = len(lines) + 1
    assert check(site) == 1
    err = capsys.readouterr().err
    assert f"content/site.yaml:{line}:" in err and message in err


def test_text_output_cannot_forge_workflow_commands(site: Path, capsys) -> None:
    incident(site, "2026-11-20-a.md",
             entry("A", one("2026-11-20T10:00:00Z", '"bogus\\n::warning::injected"')))
    assert check(site) == 1
    err = capsys.readouterr().err
    assert not [line for line in err.splitlines() if line.startswith("::")]
    assert "\\n::warning::injected" in err


def test_warns_when_a_retrospective_records_no_downtime(site: Path, capsys) -> None:
    incident(site, "2026-11-26-blip.md", "---\ntitle: Blip\nbackfilled: true\n"
             "components: {api: major_outage}\nupdates:\n"
             + one("2026-11-26T10:00:00Z", "resolved") + "---\n")
    assert check(site) == 0
    assert "records no downtime" in capsys.readouterr().err
