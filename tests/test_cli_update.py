"""`heliograph update` and `heliograph resolve`, driven through the real command line."""

from __future__ import annotations

import io
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.content.load import load_content
from generator.content.yamlsafe import load_yaml

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)

# Comments, unusual key order, quoting, a flow mapping and a body that looks like front
# matter: all of it must survive an update byte for byte.
HAND_WRITTEN = """\
---
# Written by hand during the outage.
title: 'API: elevated errors'   # quoted on purpose
components: {api: partial_outage}
updates:
  # oldest first
  - status: investigating
    at: "2026-11-20T14:02:00Z"
    message: >-
      We are looking
      into it.

  - status: identified   # the cause
    at: 2026-11-20T14:20:00Z
    message: |
      A faulty deploy.

# impact is derived
---
## Details

---
Not front matter: a horizontal rule.
"""

APPENDED = """\
  - status: monitoring
    at: 2026-11-20T15:00:00Z
    message: "Rolled back: error rates are normal."
"""

pytestmark = pytest.mark.usefixtures("no_terminal")


def write(site: Path, name: str, text: str, newline: str = "\n") -> Path:
    path = site / "content" / "incidents" / name
    path.write_bytes(text.replace("\n", newline).encode())
    return path


def run(site: Path, *argv: str) -> int:
    return main([*argv, "--source", str(site)])


def loaded(site: Path, slug: str):
    return next(i for i in load_content(site, NOW).incidents if i.slug == slug)


def test_update_inserts_after_the_last_item_and_keeps_everything_else(site: Path,
                                                                      capsys) -> None:
    path = write(site, "2026-11-20-api-errors.md", HAND_WRITTEN)
    code = run(site, "update", "2026-11-20-api-errors", "--status", "monitoring",
               "--message", "Rolled back: error rates are normal.", "--at",
               "2026-11-20T15:00:00Z")
    assert code == 0
    assert "added 'monitoring' at 2026-11-20T15:00:00Z" in capsys.readouterr().out
    cut = HAND_WRITTEN.index("\n# impact is derived") - 1  # before the blank line
    assert path.read_text() == HAND_WRITTEN[:cut] + "\n" + APPENDED.rstrip("\n") + \
        HAND_WRITTEN[cut:]
    incident = loaded(site, "2026-11-20-api-errors")
    assert [u.status for u in incident.updates] == ["investigating", "identified", "monitoring"]
    assert incident.body.startswith("## Details")


def test_crlf_files_stay_crlf(site: Path) -> None:
    path = write(site, "2026-11-20-api-errors.md", HAND_WRITTEN, "\r\n")
    assert run(site, "update", "api-errors", "--status", "monitoring", "--message",
               "Rolled back: error rates are normal.", "--at", "2026-11-20T15:00:00Z") == 0
    data = path.read_bytes()
    assert APPENDED.replace("\n", "\r\n").encode() in data
    assert data.count(b"\n") == data.count(b"\r\n")


def test_items_at_column_zero_and_multiline_messages(site: Path) -> None:
    text = ("---\ntitle: Slow search\ncomponents:\n  docs: degraded_performance\nupdates:\n"
            "- at: 2026-11-20T10:00:00Z\n  status: investigating\n  message: Slow.\n---\n")
    path = write(site, "2026-11-20-slow-search.md", text)
    message = "Found it.\n\n- step one\n- step two: done"
    assert run(site, "update", "slow-search", "--status", "identified", "--message", message,
               "--at", "2026-11-20T10:30:00Z") == 0
    assert path.read_text() == text[:-4] + (
        "- at: 2026-11-20T10:30:00Z\n  status: identified\n  message: |\n"
        "    Found it.\n\n    - step one\n    - step two: done\n---\n")
    assert loaded(site, "2026-11-20-slow-search").updates[-1].message == message


def test_resolve_uses_the_right_status_and_a_default_message(site: Path) -> None:
    incident = write(site, "2026-11-20-api-errors.md", HAND_WRITTEN)
    assert run(site, "resolve", "api-errors", "--at", "2026-11-20T16:00:00Z") == 0
    assert loaded(site, "2026-11-20-api-errors").updates[-1].status == "resolved"
    assert "message: This incident has been resolved.\n" in incident.read_text()
    assert run(site, "new", "maintenance", "Upgrade", "--window", "2026-11-21T01:00Z",
               "2026-11-21T02:00Z", "--at", "2026-11-20T09:00Z") == 0
    assert run(site, "resolve", "upgrade", "--message", "Done early.",
               "--at", "2026-11-20T09:30:00Z") == 0
    update = loaded(site, "2026-11-21-upgrade").updates[-1]
    assert (update.status, update.message) == ("completed", "Done early.")


def test_resolving_twice_is_refused(site: Path, capsys) -> None:
    path = write(site, "2026-11-20-api-errors.md", HAND_WRITTEN)
    assert run(site, "resolve", "api-errors", "--at", "2026-11-20T16:00:00Z") == 0
    before = path.read_bytes()
    assert run(site, "resolve", "api-errors") == 1
    assert "already resolved" in capsys.readouterr().err
    assert path.read_bytes() == before


def untouched(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), os.stat(path).st_mtime_ns


@pytest.mark.parametrize(("argv", "expected"), [
    (["update", "no-such-incident", "--status", "identified", "--message", "x"],
     "no incident 'no-such-incident'"),
    (["update", "api-error", "--status", "identified", "--message", "x"],
     "did you mean '2026-11-20-api-errors'"),
    (["update", "api-errors", "--status", "identifed", "--message", "x"],
     "did you mean 'identified'"),
    (["update", "api-errors", "--status", "completed", "--message", "x"],
     "not an incident status"),
    (["update", "api-errors", "--status", "monitoring"], "--status and --message are needed"),
    (["update", "api-errors", "--status", "monitoring", "--message", "x", "--at",
      "2026-11-20T14:00:00Z"], "earlier than the last update"),
    (["update", "api-errors", "--status", "monitoring", "--message", "x", "--at",
      "2099-01-01T00:00:00Z"], "in the future"),
    (["update", "api-errors", "--status", "monitoring", "--message", "x", "--at", "soon"],
     "--at"),
])
def test_mistakes_leave_the_file_untouched(site: Path, capsys, argv: list[str],
                                           expected: str) -> None:
    path = write(site, "2026-11-20-api-errors.md", HAND_WRITTEN)
    before = untouched(path)
    assert run(site, *argv) == 1
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert untouched(path) == before
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith(".")) == []


def test_a_broken_file_is_reported_not_edited(site: Path, capsys) -> None:
    path = write(site, "2026-11-20-broken.md", "---\ntitle: [unclosed\nupdates: []\n---\n")
    before = untouched(path)
    assert run(site, "update", "broken", "--status", "identified", "--message", "x") == 1
    assert "content/incidents/2026-11-20-broken.md:" in capsys.readouterr().err
    assert untouched(path) == before


def test_flow_style_updates_are_refused_with_a_hint(site: Path, capsys) -> None:
    text = ("---\ntitle: Flow\ncomponents: {api: major_outage}\nupdates: [{at: "
            "2026-11-20T10:00:00Z, status: investigating, message: Down.}]\n---\n")
    path = write(site, "2026-11-20-flow.md", text)
    assert run(site, "update", "flow", "--status", "identified", "--message", "x",
               "--at", "2026-11-20T11:00:00Z") == 1
    err = capsys.readouterr().err
    assert "cannot add the update automatically" in err and "by hand" in err
    assert path.read_text() == text


def test_update_on_a_terminal_asks_for_status_and_message(site: Path, monkeypatch,
                                                          capsys) -> None:
    write(site, "2026-11-20-api-errors.md", HAND_WRITTEN)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal("monitoring\nWatching it closely.\n"))
    assert run(site, "update", "api-errors", "--at", "2026-11-20T15:00:00Z") == 0
    assert "last update: identified" in capsys.readouterr().err
    update = loaded(site, "2026-11-20-api-errors").updates[-1]
    assert (update.status, update.message) == ("monitoring", "Watching it closely.")


def test_after_new_update_and_resolve_the_site_still_checks(site: Path, capsys) -> None:
    assert run(site, "new", "incident", "Queue backlog", "--component",
               "api=degraded_performance", "--at", "2026-11-22T08:00:00Z") == 0
    assert run(site, "update", "queue-backlog", "--status", "monitoring", "--message",
               "Draining.", "--at", "2026-11-22T08:30:00Z") == 0
    assert run(site, "resolve", "queue-backlog", "--at", "2026-11-22T09:00:00Z") == 0
    capsys.readouterr()
    assert main(["check", "--source", str(site), "--now", "2026-11-27T01:00:00Z"]) == 0
    assert [u.status for u in loaded(site, "2026-11-22-queue-backlog").updates] == \
        ["investigating", "monitoring", "resolved"]


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1).map(str.strip)
       .filter(bool))
def test_any_message_is_written_so_that_it_reads_back_the_same(message: str) -> None:
    """Whatever an author types, the appended YAML reads back as exactly that message."""
    from generator.commands.update import append_update

    values = {"at": "2026-11-20T15:00:00Z", "status": "monitoring", "message": message}
    try:
        text = append_update(HAND_WRITTEN, values)
    except ValueError:  # refused as unsafe: acceptable, never a wrong file
        return
    front = text.split("\n---\n")[0].removeprefix("---\n")
    data = load_yaml(front)
    assert data["updates"][-1]["message"].strip() == message.replace("\r\n", "\n").strip() \
        or data["updates"][-1]["message"] == message
    assert text.endswith(HAND_WRITTEN[HAND_WRITTEN.index("\n# impact is derived"):])
