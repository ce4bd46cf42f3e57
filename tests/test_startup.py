"""Start-up: each command imports only what it uses (docs/performance.md, "Start-up").

Not timed (timings vary with the machine): the modules a command leaves in sys.modules
are what its start-up costs, and these are the expensive ones it does not need.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent  # the example site: content/ at the root

# Run in a fresh interpreter, as `heliograph` runs: the modules loaded once it is done.
PROBE = """
import contextlib, io, json, sys
from generator.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""

# What only the outputs or other commands use: the derived state, templates (Jinja),
# calendars and feeds, the dev server's watcher, transliteration for `new`, sending notifications;
# and what only a command with many files or an installed theme needs (worker processes,
# the scan of installed packages' metadata, which Python-Markdown does for extensions given
# by name).
NOT_FOR_CHECK = ("jinja2", "icalendar", "feedgen", "lxml", "xml.sax", "watchdog", "anyascii",
                 "smtplib", "http.client",
                 "multiprocessing", "importlib.metadata", "generator.state.derive",
                 "generator.outputs", "generator.theme.templates", "generator.preview",
                 "generator.notify.deliver")
NOT_FOR_BUILD = ("watchdog", "anyascii", "smtplib", "importlib.metadata", "generator.preview",
                 "generator.notify.deliver")


def loaded(*argv: str, cwd: Path) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], cwd=cwd, capture_output=True,
                          text=True, check=True)
    report = json.loads(done.stdout)
    assert report["code"] == 0, done.stderr
    return set(report["modules"])


@pytest.mark.parametrize(("argv", "absent", "present"), [
    (("check", "--now", "2026-11-27T00:00:00Z"), NOT_FOR_CHECK,
     ("generator.content.load", "yaml", "nh3")),
    (("build", "--now", "2026-11-27T00:00:00Z", "-q", "--jobs", "1", "-o", "{out}"),
     NOT_FOR_BUILD, ("jinja2", "icalendar", "generator.outputs")),
])
def test_a_command_imports_only_what_it_uses(tmp_path: Path, argv: tuple[str, ...],
                                             absent: tuple[str, ...],
                                             present: tuple[str, ...]) -> None:
    modules = loaded(*(a.format(out=tmp_path / "public") for a in argv), cwd=ROOT)
    assert [m for m in absent if m in modules] == []
    # The probe sees what the command loaded (a probe that saw nothing would pass above).
    assert [m for m in present if m not in modules] == []



# The build's parent process loads, validates, derives and lists the tasks before it forks
# workers, and then renders with them. What only one task uses is imported by that task,
# so nobody pays for it before the fork: calendars (icalendar, dateutil), feeds (feedgen,
# lxml) and what xml.sax.saxutils would pull in (urllib.request, http.client).
FORK_PROBE = PROBE.replace("from generator.cli import main", """\
from generator.content import load
from generator.site import build
load.PARALLEL_FROM = build.PARALLEL_FROM = 0  # fork workers even for the small example
at_fork = []
def fork_map(work, count, jobs, real=build.fork_map):
    at_fork.append(sorted(sys.modules))
    return real(work, count, jobs)
build.fork_map = fork_map
from generator.cli import main""").replace('"modules": sorted(sys.modules)',
                                           '"modules": sorted(sys.modules), "at_fork": at_fork')
ONLY_IN_TASKS = ("icalendar", "dateutil", "feedgen", "lxml", "xml.sax", "urllib.request",
                 "http.client")


def test_the_build_imports_feeds_and_calendars_in_their_tasks_after_the_fork(
        tmp_path: Path) -> None:
    out = tmp_path / "public"
    done = subprocess.run([sys.executable, "-c", FORK_PROBE, "build", "--now",
                           "2026-11-27T00:00:00Z", "-q", "--jobs", "2", "-o", str(out)],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    assert report["code"] == 0, done.stderr
    [before_fork] = report["at_fork"]
    assert [m for m in ONLY_IN_TASKS if m in before_fork] == []
    # The probe saw the parent ready to render (templates and outputs loaded), and it did
    # fork; the files were made.
    assert {"jinja2", "generator.outputs.calendar", "multiprocessing"} <= set(before_fork)
    assert (out / "maintenance.ics").read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    assert (out / "feed.atom").read_bytes().startswith(b"<?xml")
