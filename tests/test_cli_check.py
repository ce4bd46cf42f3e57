"""`heliograph check`, driven through the real command line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main

NOW = "2026-11-27T01:00:00Z"
SAMPLE = "content/incidents/2026-11-02-delayed-sign-in-emails.md"


@pytest.fixture
def site(site: Path) -> Path:
    """A site made by `heliograph init`, its placeholders replaced as before going live."""
    settings = site / "content" / "site.yaml"
    settings.write_text(settings.read_text().replace("status.example.com", "status.acme.test"))
    (site / SAMPLE).unlink()
    return site


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
    assert "content is valid" in capsys.readouterr().out


def test_every_error_of_every_file_in_one_run(site: Path, capsys) -> None:
    incident(site, "2026-11-20-a.md", entry("A", one("2026-11-20T10:00:00Z", "investigatin")
                                            + one("2026-11-20T09:00:00Z", "resolved"),
                                            "components: {api: major_outage}\n"))
    incident(site, "2026-11-21-b.md", "---\ntitle: B\ntpye: notice\n---\n")
    components = site / "content/components.yaml"
    components.write_text(components.read_text() + "  - id: API\n    name: x\n")
    assert check(site) == 1
    out = capsys.readouterr().out
    located = re.findall(r"^(content/\S+?):(\d+)(?::\d+)?: error: (.*)$", out, re.M)
    files = {f for f, _, _ in located}
    assert files == {"content/incidents/2026-11-20-a.md", "content/incidents/2026-11-21-b.md",
                     "content/components.yaml"}
    messages = " | ".join(m for _, _, m in located)
    for expected in ("investigatin", "earlier", "tpye", "API"):
        assert expected in messages
    assert out.count("hint:") >= len(located)
    assert re.search(r"\d+ error\(s\), 0 warning\(s\) in 3 file\(s\)", out)


def test_unknown_component_ids_get_a_suggestion(site: Path, capsys) -> None:
    incident(site, "2026-11-20-a.md", entry("A", one("2026-11-20T10:00:00Z", "resolved"),
                                            "components: {apii: major_outage}\n"))
    assert check(site) == 1
    assert "unknown component id 'apii'" in capsys.readouterr().out


def test_incident_errors_are_reported_even_when_site_yaml_is_broken(site: Path, capsys) -> None:
    (site / "content/site.yaml").write_text("title: [unclosed\n")
    incident(site, "2026-11-20-a.md", entry("A", one("2026-11-20T10:00:00Z", "investigatin")))
    assert check(site) == 1
    out = capsys.readouterr().out
    assert "content/site.yaml:" in out
    assert "content/incidents/2026-11-20-a.md:" in out and "investigatin" in out


def test_github_format_prints_annotations_on_stdout(site: Path, capsys) -> None:
    incident(site, "2026-11-20-a.md", entry("A", one("2026-11-20T10:00:00Z", "investigatin")))
    assert check(site, "--format", "github") == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[1] == "heliograph check: 1 error(s), 0 warning(s) in 1 file(s)"
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
    out = capsys.readouterr().out
    assert re.search(rf"content/incidents/{re.escape(name)}(:\d+)?: warning: .*{expected}", out)
    assert "1 warning(s)" in out
    assert check(site, "--format", "github") == 0
    assert capsys.readouterr().out.startswith(f"::warning file=content/incidents/{name}")


def test_history_does_not_warn(site: Path, capsys) -> None:
    incident(site, "2026-01-01-old.md", entry("Old", one("2026-03-01T10:00:00Z", "resolved"),
                                              "components: {api: operational}\n"))
    assert check(site) == 0
    assert "content is valid" in capsys.readouterr().out


def test_bad_now_is_a_clear_error(site: Path, capsys) -> None:
    assert main(["check", "--source", str(site), "--now", "tomorrow"]) == 1
    assert "--now" in capsys.readouterr().out


def test_an_empty_folder_gets_one_message_pointing_at_init(tmp_path: Path, capsys) -> None:
    assert main(["check", "--source", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert out == (f"content/: error: no status page here: {tmp_path} has no content/site.yaml "
                   "or content/components.yaml\n"
                   f"    hint: run 'heliograph init {tmp_path}' to create one, or pass --source "
                   "with the folder of your status page repo\n"
                   "heliograph check: 1 error(s), 0 warning(s) in 1 file(s)\n")


@pytest.mark.parametrize("command", ["build", "serve", "new", "update"])
def test_every_command_in_an_empty_folder_points_at_init(tmp_path: Path, monkeypatch, capsys,
                                                         command: str) -> None:
    monkeypatch.chdir(tmp_path)
    argv = {"build": ["build"], "serve": ["serve", "--port", "0"], "new": ["new", "incident", "T"],
            "update": ["update", "x", "--status", "resolved", "--message", "M"]}[command]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("content/: error: no status page here: . has no content/site.yaml "
                          "or content/components.yaml\n    hint: run 'heliograph init' to "
                          "create one, or pass --source"), err
    assert err.count(": error: ") == 1, err  # one problem, not two missing files
    assert list(tmp_path.iterdir()) == []


def test_the_report_goes_to_stdout_so_it_can_be_redirected(site: Path, tmp_path: Path) -> None:
    incident(site, "2026-11-20-a.md", entry("A", one("2026-11-20T10:00:00Z", "investigatin")))
    report = tmp_path / "report.txt"
    # Buffered output, as Python writes to a file unless told otherwise: the command ends
    # its process with os._exit (cli.run), and what it printed must still be in the file.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with report.open("w") as handle:
        result = subprocess.run([sys.executable, "-m", "generator", "check", "--source",
                                 str(site), "--now", NOW], stdout=handle, stderr=subprocess.PIPE,
                                text=True, timeout=60, check=False, env=env)
    assert result.returncode == 1 and result.stderr == ""
    lines = report.read_text().splitlines()
    assert lines[0].startswith("content/incidents/2026-11-20-a.md:")
    assert lines[0].endswith(": error: unknown incident status 'investigatin'")
    assert lines[-1] == "heliograph check: 1 error(s), 0 warning(s) in 1 file(s)"


def test_the_command_ends_well_with_its_output_closed(site: Path) -> None:
    # `heliograph check >&-`: Python then has no sys.stdout to flush at the end.
    result = subprocess.run(["sh", "-c", f'"{sys.executable}" -m generator check --source '
                             f'"{site}" --now {NOW} >&-'], capture_output=True, text=True,
                            timeout=60, check=False)
    assert (result.returncode, result.stderr) == (0, "")


def test_the_scaffold_placeholders_are_warnings_with_file_and_line(tmp_path: Path,
                                                                   capsys) -> None:
    assert main(["init", str(tmp_path / "new")]) == 0
    capsys.readouterr()
    assert main(["check", "--source", str(tmp_path / "new"), "--now", NOW]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{SAMPLE}:1: warning: this is the sample incident from heliograph init",
        "    hint: delete it (or keep it as a model outside content/) before the page goes live",
        "content/site.yaml:5: warning: base_url is still the example address "
        "https://status.example.com/ from heliograph init",
        "    hint: set the address the page is published at: feeds, the JSON API and shared "
        "links use it",
        "heliograph check: 0 error(s), 2 warning(s) in 2 file(s)",
    ]


@pytest.mark.parametrize(("layout", "expected"), [
    ("workspace", "status/content/incidents/2026-11-20-a.md"),  # GITHUB_WORKSPACE wins
    ("git", "status/content/incidents/2026-11-20-a.md"),  # else the git work tree's top
    ("plain", "content/incidents/2026-11-20-a.md"),  # else the source folder
])
def test_github_paths_start_at_the_repository_root(site: Path, tmp_path: Path, monkeypatch,
                                                   capsys, layout: str, expected: str) -> None:
    monorepo = tmp_path / "mono"
    monorepo.mkdir()
    site.rename(monorepo / "status")
    site = monorepo / "status"
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    if layout == "workspace":
        monkeypatch.setenv("GITHUB_WORKSPACE", str(monorepo))
    elif layout == "git":
        (monorepo / ".git").mkdir()
    incident(site, "2026-11-20-a.md", entry("A", one("2026-11-20T10:00:00Z", "investigatin")))
    monkeypatch.chdir(site)
    assert main(["check", "--now", NOW, "--format", "github"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"::error file={expected},line=6,col=13,"), out
    assert main(["check", "--now", NOW]) == 1  # text: relative to the source, as build says
    assert capsys.readouterr().out.startswith("content/incidents/2026-11-20-a.md:6:13: error:")


@pytest.mark.parametrize(("setting", "message"), [
    ("theme: nonexistent", "theme 'nonexistent' not found"),
    ("language: sv", "no translation for language 'sv'"),
    ("language: xx", "language 'xx' has no locale data (dates, plurals) in the Unicode CLDR"),
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
    out = capsys.readouterr().out
    assert f"content/site.yaml:{line}:" in out and message in out


def test_text_output_cannot_forge_workflow_commands(site: Path, capsys) -> None:
    incident(site, "2026-11-20-a.md",
             entry("A", one("2026-11-20T10:00:00Z", '"bogus\\n::warning::injected"')))
    assert check(site) == 1
    out = capsys.readouterr().out
    assert not [line for line in out.splitlines() if line.startswith("::")]
    assert "\\n::warning::injected" in out


def test_warns_when_a_retrospective_records_no_downtime(site: Path, capsys) -> None:
    incident(site, "2026-11-26-blip.md", "---\ntitle: Blip\nbackfilled: true\n"
             "components: {api: major_outage}\nupdates:\n"
             + one("2026-11-26T10:00:00Z", "resolved") + "---\n")
    assert check(site) == 0
    assert "records no downtime" in capsys.readouterr().out
