"""`heliograph due` and build.json, through the real CLI, and the scaffold's publish
workflow deciding with them (its shell step run for real, with a stand-in curl).

The site: one maintenance, window 2026-12-10 02:00-04:00 UTC, announced 2026-11-26.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sitefixtures import COMPONENTS_YAML, MAINTENANCE_LATER, write

from generator.cli import main

PUBLISH = (Path(__file__).resolve().parent.parent / "generator" / "commands" / "scaffold"
           / "github" / "workflows" / "publish.yml")


def site(root: Path, zone: str = "UTC") -> Path:
    return write(root, {"2026-12-10-later": MAINTENANCE_LATER}, COMPONENTS_YAML,
                 f"title: T\nbase_url: https://status.test/\ntimezone: {zone}\n")


def due(root: Path, since: str, now: str, capsys: pytest.CaptureFixture[str]) -> str:
    code = main(["due", "--source", str(root), "--since", since, "--now", now])
    out = capsys.readouterr().out
    assert code == 0
    return out


@pytest.mark.parametrize(("since", "now", "expected"), [
    # Nothing between: not due; the next change is the window's start.
    ("2026-12-10T01:00:00Z", "2026-12-10T01:30:00Z", "due=false\nnext=2026-12-10T02:00:00Z\n"),
    # The window starts exactly at now: due (the interval is (since, now]).
    ("2026-12-10T01:30:00Z", "2026-12-10T02:00:00Z", "due=true\nnext=2026-12-10T04:00:00Z\n"),
    # ... and not again from there.
    ("2026-12-10T02:00:00Z", "2026-12-10T03:59:00Z", "due=false\nnext=2026-12-10T04:00:00Z\n"),
    ("2026-12-10T03:59:00Z", "2026-12-10T04:10:00Z", "due=true\nnext=\n"),
    # A new day for the uptime bars.
    ("2026-12-09T23:59:00Z", "2026-12-10T00:00:00Z", "due=true\nnext=2026-12-10T02:00:00Z\n"),
    ("2026-12-11T00:00:00Z", "2026-12-11T05:00:00Z", "due=false\nnext=\n"),
    # Since after now: nothing lies between.
    ("2026-12-10T05:00:00Z", "2026-12-10T01:00:00Z", "due=false\nnext=2026-12-10T02:00:00Z\n"),
])
def test_due_says_whether_the_clock_changed_the_site(tmp_path: Path, capsys, since: str,
                                                    now: str, expected: str) -> None:
    assert due(site(tmp_path), since, now, capsys) == expected


def test_midnight_is_the_sites_not_utcs(tmp_path: Path, capsys) -> None:
    root = site(tmp_path, "Europe/Berlin")  # UTC+1 in December
    # 23:30 -> 00:30 in Berlin: a new local day.
    assert due(root, "2026-12-08T22:30:00Z", "2026-12-08T23:30:00Z", capsys) \
        == "due=true\nnext=2026-12-10T02:00:00Z\n"
    # UTC midnight, but 00:30 -> 01:30 in Berlin: the same day.
    assert due(root, "2026-12-08T23:30:00Z", "2026-12-09T00:30:00Z", capsys) \
        == "due=false\nnext=2026-12-10T02:00:00Z\n"
    # Naive times are the site's, like everywhere else.
    assert due(root, "2026-12-09T00:30:00", "2026-12-09T01:30:00", capsys) \
        == "due=false\nnext=2026-12-10T02:00:00Z\n"


def test_a_bad_since_is_exit_1_with_the_usual_message(tmp_path: Path, capsys) -> None:
    code = main(["due", "--source", str(site(tmp_path)), "--since", "yesterday",
                 "--now", "2026-12-10T01:00:00Z"])
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    assert captured.err == ("--since: error: 'yesterday' is not an ISO 8601 timestamp\n"
                            "    hint: give --since as ISO 8601, e.g. 2026-05-11T14:02:00Z\n"
                            "heliograph: 1 error; nothing was written.\n")


def test_content_errors_are_exit_1_with_file_and_line(tmp_path: Path, capsys) -> None:
    root = site(tmp_path)
    # The announcement update lies after this now: the usual "in the future" error.
    code = main(["due", "--source", str(root), "--since", "2026-11-01T00:00:00Z",
                 "--now", "2026-11-02T00:00:00Z"])
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    assert captured.err.startswith("content/incidents/2026-12-10-later.md:7:")


def test_build_publishes_its_time_and_the_next_change(tmp_path: Path, capsys) -> None:
    root = site(tmp_path)
    assert main(["build", "--source", str(root), "--output", str(tmp_path / "out"),
                 "--now", "2026-12-10T01:30:00Z"]) == 0
    assert (tmp_path / "out" / "build.json").read_text() == (
        '{\n  "generated_at": "2026-12-10T01:30:00Z",\n'
        '  "next_change": "2026-12-10T02:00:00Z"\n}\n')
    assert main(["build", "--source", str(root), "--output", str(tmp_path / "out"),
                 "--now", "2026-12-10T04:00:00Z"]) == 0
    assert json.loads((tmp_path / "out" / "build.json").read_text()) == {
        "generated_at": "2026-12-10T04:00:00Z", "next_change": None}


# --- the publish workflow ----------------------------------------------------------------

def workflow() -> dict:
    return yaml.safe_load(PUBLISH.read_text())


def test_publish_deploys_only_when_due() -> None:
    jobs = workflow()["jobs"]
    steps = {s["name"]: s for s in jobs["build"]["steps"]}
    decide = steps["Decide whether to deploy"]
    assert decide["id"] == "due"
    assert jobs["build"]["outputs"] == {"due": "${{ steps.due.outputs.due }}"}
    assert steps["Build"]["if"] == "steps.due.outputs.due == 'true'"
    assert steps["Upload Pages artifact"]["if"] == "steps.due.outputs.due == 'true'"
    assert jobs["deploy"]["if"] == "needs.build.outputs.due == 'true'"
    # Every action stays pinned to a commit.
    for job in jobs.values():
        for step in job["steps"]:
            if "uses" in step:
                assert len(step["uses"].split("@")[1]) == 40, step["uses"]


def run_decide(tmp_path: Path, event: str, live: str | None, root: Path,
               now: str) -> dict[str, str]:
    """The workflow's decision step, run by bash with this repo's heliograph and a curl
    that serves `live` as the live build.json (None: the site cannot be reached)."""
    decide = next(s for s in workflow()["jobs"]["build"]["steps"] if s.get("id") == "due")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    tools = {
        # The pinned now stands for the runner's clock.
        "heliograph": f'#!/bin/sh\nexec "{sys.executable}" -m generator "$@" '
                      f'--source "{root}" --now {now}\n',
        "curl": "#!/bin/sh\nexit 22\n" if live is None else
                f"#!/bin/sh\ncat '{tmp_path / 'live.json'}'\n",
    }
    if live is not None:
        (tmp_path / "live.json").write_text(live)
    for name, text in tools.items():
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(stat.S_IRWXU)
    output = tmp_path / "github_output"
    output.write_text("")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "EVENT": event, "PAGES_BASE_URL": "https://status.test", "GITHUB_OUTPUT": str(output),
           "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    subprocess.run(["bash", "-e", "-c", decide["run"]], env=env, check=True, timeout=60)
    return dict(line.split("=", 1) for line in output.read_text().splitlines())


@pytest.mark.skipif(not shutil.which("bash"), reason="the workflow's step is bash")
def test_scheduled_run_deploys_only_after_a_clock_change(tmp_path: Path) -> None:
    root = site(tmp_path / "repo")
    live = '{"generated_at": "2026-12-10T01:00:00Z", "next_change": "2026-12-10T02:00:00Z"}'
    assert run_decide(tmp_path, "schedule", live, root, "2026-12-10T01:30:00Z") \
        == {"due": "false", "next": "2026-12-10T02:00:00Z"}
    assert run_decide(tmp_path, "schedule", live, root, "2026-12-10T02:05:00Z") \
        == {"due": "true", "next": "2026-12-10T04:00:00Z"}
    # A push always deploys; so does a schedule that cannot read the live site.
    assert run_decide(tmp_path, "push", live, root, "2026-12-10T01:30:00Z") == {"due": "true"}
    assert run_decide(tmp_path, "schedule", None, root, "2026-12-10T01:30:00Z") \
        == {"due": "true"}
    assert run_decide(tmp_path, "schedule", "<html>not found</html>", root,
                      "2026-12-10T01:30:00Z") == {"due": "true"}
