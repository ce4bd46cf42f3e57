"""`heliograph notify` against real receivers: an HTTP server on 127.0.0.1 and an SMTP
server (aiosmtpd). Nothing of the sending code is replaced."""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from notifyfixtures import (
    NOTIFY_YAML,
    SECRET,
    SmtpServer,
    add_incident,
    make_repo,
    receivers,
    self_signed,
    wait_for,
)

from generator.cli import main

FAST = ["--retry-delay", "0.01", "--timeout", "5"]
STATE = ".heliograph/notify-state.json"


@pytest.fixture
def receiver() -> Iterator[Any]:
    yield from receivers()


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    server = SmtpServer()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    yield server
    server.close()


def run(root: Path, capsys: pytest.CaptureFixture[str], now: str,
        *extra: str) -> tuple[int, str, str]:
    code = main(["notify", "--source", str(root), "--now", now, *FAST, *extra])
    out, err = capsys.readouterr()
    return code, out, err


def state_of(root: Path) -> dict[str, Any]:
    return json.loads((root / STATE).read_text())


@pytest.fixture
def repo(tmp_path: Path, receiver: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A repo with one webhook channel 'ops' pointed at a live receiver, after its first
    (silent) run at 2026-11-01T00:00Z."""
    server = receiver()
    monkeypatch.setenv("OPS_URL", server.url)
    monkeypatch.setenv("OPS_SECRET", SECRET)
    root = make_repo(tmp_path / "site")
    add_incident(root, "2026-10-01-old-outage", [
        ("2026-10-01T10:00:00Z", "investigating", "Old."),
        ("2026-10-01T11:00:00Z", "resolved", "Fixed.")], {"api": "major_outage"})
    assert main(["notify", "--source", str(root), "--now", "2026-11-01T00:00:00Z"]) == 0
    yield root, server


# --- the first run, and nothing twice -----------------------------------------------------

def test_first_run_records_the_present_and_sends_nothing(repo: Any, capsys: Any) -> None:
    root, server = repo
    capsys.readouterr()
    assert server.requests == []
    assert state_of(root) == {"format": 1, "channels": {"ops": {
        "sent": ["2026-10-01-old-outage/u0", "2026-10-01-old-outage/u1"], "partial": {},
        "components": {"api": ["operational", 0], "web": ["operational", 0]}}}}
    # And says so; a second run with nothing new sends nothing.
    (root / STATE).unlink()
    code, out, err = run(root, capsys, "2026-11-01T00:00:00Z")
    assert code == 0 and out == ""
    assert err == ("heliograph: notify: first run for channel 'ops': recorded 2 past events "
                   "as sent; nothing is sent to it this run.\n")
    assert run(root, capsys, "2026-11-02T00:00:00Z") == (0, "", "")
    assert server.requests == []


def test_new_incident_webhook_is_statuspage_shaped_and_signed(repo: Any, capsys: Any,
                                                               tmp_path: Path) -> None:
    root, server = repo
    add_incident(root, "2026-11-02-api-errors", [
        ("2026-11-02T09:00:00Z", "investigating", "Errors & <timeouts>.")],
        {"api": "partial_outage"})
    code, out, err = run(root, capsys, "2026-11-02T09:30:00Z")
    assert (code, err) == (0, "")
    assert out == ("sent 2026-11-02-api-errors/u0 to ops (webhook)\n"
                   "sent component/api/1/partial_outage to ops (webhook)\n")
    assert server.keys() == ["2026-11-02-api-errors/u0", "component/api/1/partial_outage"]
    first = server.requests[0]
    assert first.path == "/hooks/T0/secret-path"
    assert first.headers["Content-Type"] == "application/json"
    expected = hmac.new(SECRET.encode(), first.body, hashlib.sha256).hexdigest()
    assert first.headers["X-Heliograph-Signature"] == f"sha256={expected}"
    body = json.loads(first.body)
    assert list(body) == ["meta", "page", "incident"]
    assert body["meta"] == {"unsubscribe": "https://status.test/subscribe/",
                            "documentation": "https://pypi.org/project/heliograph/",
                            "generated_at": "2026-11-02T09:30:00Z"}
    assert body["page"] == {"id": body["incident"]["page_id"], "status_indicator": "major",
                            "status_description": "Partial System Outage"}
    # The very object api/v2/incidents.json has, built at the same instant.
    out_dir = tmp_path / "public"
    assert main(["build", "--source", str(root), "-o", str(out_dir), "-q",
                 "--now", "2026-11-02T09:30:00Z"]) == 0
    listed = json.loads((out_dir / "api/v2/incidents.json").read_text())["incidents"]
    assert body["incident"] == listed[0]
    assert body["incident"]["incident_updates"][0]["body"] == \
        "<p>Errors &amp; .</p>"  # sanitized like the site: the unknown tag is dropped

    component = json.loads(server.requests[1].body)
    assert list(component) == ["meta", "page", "component", "component_update"]
    assert component["component"]["name"] == "API"
    assert component["component"]["status"] == "partial_outage"
    update = component["component_update"]
    assert {k: update[k] for k in ("old_status", "new_status", "created_at")} == {
        "old_status": "operational", "new_status": "partial_outage",
        "created_at": "2026-11-02T09:30:00Z"}
    assert update["component_id"] == component["component"]["id"]
    assert len(update["id"]) == 12
    # Nothing new: nothing sent.
    assert run(root, capsys, "2026-11-02T09:40:00Z") == (0, "", "")
    assert len(server.requests) == 2


def test_each_update_once_and_edits_in_place_are_not_re_announced(repo: Any,
                                                                  capsys: Any) -> None:
    root, server = repo
    updates = [("2026-11-02T09:00:00Z", "investigating", "Looking.")]
    add_incident(root, "2026-11-02-slow", updates)
    assert run(root, capsys, "2026-11-02T09:10:00Z")[0] == 0
    # The message of the published update is corrected, and a second update is posted.
    updates = [("2026-11-02T09:00:00Z", "investigating", "Looking into it."),
               ("2026-11-02T09:20:00Z", "resolved", "Fixed.")]
    add_incident(root, "2026-11-02-slow", updates)
    code, out, _ = run(root, capsys, "2026-11-02T09:30:00Z")
    assert code == 0
    assert out == "sent 2026-11-02-slow/u1 to ops (webhook)\n"
    assert server.keys() == ["2026-11-02-slow/u0", "2026-11-02-slow/u1"]
    # A removed file is not announced in any way.
    (root / "content/incidents/2026-11-02-slow.md").unlink()
    assert run(root, capsys, "2026-11-02T10:00:00Z") == (0, "", "")
    assert len(server.requests) == 2


def test_maintenance_clock_reminder_and_manual_component_status(repo: Any, capsys: Any,
                                                               monkeypatch: Any) -> None:
    root, server = repo
    notify = NOTIFY_YAML + "reminders: {maintenance_before: 2h}\n"
    (root / "content/notify.yaml").write_text(notify)
    add_incident(root, "2026-11-10-db-upgrade", [
        ("2026-11-05T10:00:00Z", "scheduled", "The API is read-only.")],
        {"api": "under_maintenance"}, kind="maintenance",
        extra="window: {start: 2026-11-10T02:00:00Z, end: 2026-11-10T03:00:00Z}\n")
    assert run(root, capsys, "2026-11-05T10:00:00Z")[1] == \
        "sent 2026-11-10-db-upgrade/u0 to ops (webhook)\n"
    assert run(root, capsys, "2026-11-09T23:59:59Z")[1] == ""  # not yet 2 hours before
    assert run(root, capsys, "2026-11-10T00:00:00Z")[1] == \
        "sent 2026-11-10-db-upgrade/reminder@2026-11-10T02:00:00Z to ops (webhook)\n"
    assert run(root, capsys, "2026-11-10T01:00:00Z")[1] == ""
    assert run(root, capsys, "2026-11-10T02:00:00Z")[1] == (
        "sent 2026-11-10-db-upgrade/in_progress@2026-11-10T02:00:00Z to ops (webhook)\n"
        "sent component/api/1/under_maintenance to ops (webhook)\n")
    assert json.loads(server.requests[-2].body)["incident"]["status"] == "in_progress"
    # The window ends and, later, someone sets a manual status in components.yaml.
    assert run(root, capsys, "2026-11-10T03:00:00Z")[1] == (
        "sent 2026-11-10-db-upgrade/completed@2026-11-10T03:00:00Z to ops (webhook)\n"
        "sent component/api/2/operational to ops (webhook)\n")
    components = (root / "content/components.yaml").read_text()
    (root / "content/components.yaml").write_text(
        components.replace("name: Website", "name: Website\n    status: degraded_performance"))
    assert run(root, capsys, "2026-11-11T00:00:00Z")[1] == \
        "sent component/web/1/degraded_performance to ops (webhook)\n"
    change = json.loads(server.requests[-1].body)["component_update"]
    assert (change["old_status"], change["new_status"]) == ("operational",
                                                            "degraded_performance")
    assert run(root, capsys, "2026-11-12T00:00:00Z") == (0, "", "")


def test_retrospective_and_postmortem_are_announced_once(repo: Any, capsys: Any) -> None:
    root, server = repo
    updates = [("2026-11-02T09:00:00Z", "investigating", "A blip."),
               ("2026-11-02T09:05:00Z", "resolved", "Over.")]
    add_incident(root, "2026-11-02-blip", updates, extra="backfilled: true\n")
    assert run(root, capsys, "2026-11-03T00:00:00Z")[1] == \
        "sent 2026-11-02-blip/u0 to ops (webhook)\n"
    assert json.loads(server.requests[0].body)["incident"]["status"] == "resolved"
    assert server.requests[0].headers["X-Heliograph-Retrospective"] == "true"
    add_incident(root, "2026-11-02-blip", updates, extra="backfilled: true\n"
                 "postmortem_url: https://blog.test/blip\n")
    assert run(root, capsys, "2026-11-04T00:00:00Z")[1] == \
        "sent 2026-11-02-blip/postmortem-link to ops (webhook)\n"
    assert run(root, capsys, "2026-11-05T00:00:00Z")[1] == ""
    # Not retrospective: a postmortem posted as an update, and a notice ending by its clock.
    add_incident(root, "2026-11-05-errors", [
        ("2026-11-05T09:00:00Z", "investigating", "Errors."),
        ("2026-11-05T09:30:00Z", "resolved", "Fixed.")])
    add_incident(root, "2026-11-05-freeze", [("2026-11-05T08:00:00Z", "investigating",
                                              "No deploys today.")], kind="notice",
                 extra="until: 2026-11-05T20:00:00Z\n")
    assert run(root, capsys, "2026-11-05T10:00:00Z")[1] == (
        "sent 2026-11-05-freeze/u0 to ops (webhook)\n"
        "sent 2026-11-05-errors/u0 to ops (webhook)\n"
        "sent 2026-11-05-errors/u1 to ops (webhook)\n")
    assert "X-Heliograph-Retrospective" not in server.requests[-1].headers
    add_incident(root, "2026-11-05-errors", [
        ("2026-11-05T09:00:00Z", "investigating", "Errors."),
        ("2026-11-05T09:30:00Z", "resolved", "Fixed."),
        ("2026-11-06T09:00:00Z", "postmortem", "What happened.")])
    code, out, _ = run(root, capsys, "2026-11-06T10:00:00Z", "--dry-run")
    assert code == 0
    assert out == ("would send 2026-11-05-freeze/resolved@2026-11-05T20:00:00Z to ops "
                   "(webhook): notice ended: Announcement: Freeze — Ended\n"
                   "would send 2026-11-05-errors/u2 to ops (webhook): incident postmortem: "
                   "Errors — Postmortem\n")


# --- filters ----------------------------------------------------------------------------

def test_component_and_event_filters(repo: Any, capsys: Any, receiver: Any,
                                     monkeypatch: Any) -> None:
    root, ops = repo
    web_only = receiver()
    incidents_only = receiver()
    monkeypatch.setenv("WEB_URL", web_only.url)
    monkeypatch.setenv("INC_URL", incidents_only.url)
    (root / "content/notify.yaml").write_text(NOTIFY_YAML + (
        "  - id: web-chat\n    type: slack\n    url: ${WEB_URL}\n    components: [web]\n"
        "  - id: incidents\n    type: discord\n    url: ${INC_URL}\n    events: [incident]\n"))
    code, _, err = run(root, capsys, "2026-11-01T01:00:00Z")  # the new channels' first run
    assert (code, err) == (0, (
        "heliograph: notify: new channel for channel 'web-chat': recorded 2 past events as "
        "sent; nothing is sent to it this run.\n"
        "heliograph: notify: new channel for channel 'incidents': recorded 2 past events as "
        "sent; nothing is sent to it this run.\n"))
    add_incident(root, "2026-11-02-api", [("2026-11-02T09:00:00Z", "investigating", "A.")],
                 {"api": "major_outage"})
    add_incident(root, "2026-11-02-web", [("2026-11-02T09:01:00Z", "investigating", "W.")],
                 {"web": "major_outage"})
    add_incident(root, "2026-11-02-note", [("2026-11-02T09:02:00Z", "investigating", "N.")],
                 kind="notice")
    assert run(root, capsys, "2026-11-02T10:00:00Z")[0] == 0
    assert ops.keys() == ["2026-11-02-api/u0", "2026-11-02-web/u0", "2026-11-02-note/u0",
                          "component/api/1/major_outage", "component/web/1/major_outage"]
    assert web_only.keys() == ["2026-11-02-web/u0", "component/web/1/major_outage"]
    assert incidents_only.keys() == ["2026-11-02-api/u0", "2026-11-02-web/u0"]
    assert run(root, capsys, "2026-11-02T11:00:00Z") == (0, "", "")


# --- failures ---------------------------------------------------------------------------

def test_retry_then_pending_then_delivered_next_run_without_duplicates(
        repo: Any, capsys: Any, receiver: Any, monkeypatch: Any) -> None:
    root, ops = repo
    flaky = receiver(statuses=(503, 500, 500, 502))
    monkeypatch.setenv("FLAKY_URL", flaky.url)
    (root / "content/notify.yaml").write_text(
        NOTIFY_YAML + "  - id: flaky\n    type: slack\n    url: ${FLAKY_URL}\n")
    assert run(root, capsys, "2026-11-01T01:00:00Z")[0] == 0
    add_incident(root, "2026-11-02-a", [("2026-11-02T09:00:00Z", "investigating", "A.")])
    add_incident(root, "2026-11-02-b", [("2026-11-02T09:01:00Z", "investigating", "B.")])
    # 503 then 500: retried once, then 500 again and 502: the channel stays pending.
    code, out, err = run(root, capsys, "2026-11-02T10:00:00Z", "--attempts", "2")
    assert code == 1
    assert out == ("sent 2026-11-02-a/u0 to ops (webhook)\n"
                   "sent 2026-11-02-b/u0 to ops (webhook)\n")
    assert err == (
        "heliograph: notify: pending: channel 'flaky', event 2026-11-02-a/u0: "
        "HTTP 500 (after 2 attempts)\n"
        "heliograph: notify: pending: channel 'flaky', event 2026-11-02-b/u0: waits for "
        "the delivery that failed before it\n"
        "heliograph: notify: 2 deliveries pending; the next run sends them.\n")
    assert len(flaky.requests) == 2
    assert flaky.url not in out + err and "secret-path" not in out + err
    # Second run: 500 then 502 -> still pending (same order kept).
    assert run(root, capsys, "2026-11-02T10:15:00Z", "--attempts", "2")[0] == 1
    # Third run: the receiver is back: both go out, in order; ops gets nothing again.
    code, out, err = run(root, capsys, "2026-11-02T10:30:00Z")
    assert (code, err) == (0, "")
    assert out == ("sent 2026-11-02-a/u0 to flaky (slack)\n"
                   "sent 2026-11-02-b/u0 to flaky (slack)\n")
    assert flaky.keys()[-2:] == ["2026-11-02-a/u0", "2026-11-02-b/u0"]
    assert len(ops.requests) == 2


def test_a_client_error_is_not_retried_within_the_run(repo: Any, capsys: Any) -> None:
    root, server = repo
    server.statuses = [404]
    add_incident(root, "2026-11-02-a", [("2026-11-02T09:00:00Z", "investigating", "A.")])
    code, _, err = run(root, capsys, "2026-11-02T10:00:00Z", "--attempts", "3")
    assert code == 1 and len(server.requests) == 1
    assert err.splitlines()[0] == \
        "heliograph: notify: pending: channel 'ops', event 2026-11-02-a/u0: HTTP 404"


def test_unreachable_receiver_times_out_within_the_bounds(repo: Any, capsys: Any,
                                                          receiver: Any) -> None:
    root, server = repo
    server.hang_on = 1  # the first request is never answered
    add_incident(root, "2026-11-02-a", [("2026-11-02T09:00:00Z", "investigating", "A.")])
    code = main(["notify", "--source", str(root), "--now", "2026-11-02T10:00:00Z",
                 "--timeout", "0.3", "--attempts", "2", "--retry-delay", "0"])
    out, err = capsys.readouterr()
    assert code == 1, out
    assert "event 2026-11-02-a/u0: timed out (after 2 attempts)" in err


def test_a_receiver_trickling_its_reply_is_cut_off(repo: Any, capsys: Any) -> None:
    root, server = repo
    server.drip = 0.05  # a byte every 50 ms: no single read ever waits 0.5 s
    add_incident(root, "2026-11-02-a", [("2026-11-02T09:00:00Z", "investigating", "A.")])
    started = time.monotonic()
    # In a process of its own: without the limit it would never end (the test fails on
    # the subprocess timeout instead of hanging).
    done = subprocess.run(
        [sys.executable, "-m", "generator", "notify", "--source", str(root), "--now",
         "2026-11-02T10:00:00Z", "--timeout", "0.5", "--attempts", "1"],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
        capture_output=True, text=True, timeout=30)
    elapsed = time.monotonic() - started
    assert done.returncode == 1, done.stdout
    assert "event 2026-11-02-a/u0: timed out" in done.stderr
    assert elapsed < 10  # 3 x 0.5 s for the attempt, plus starting and loading the site


def test_a_killed_run_repeats_at_most_the_delivery_in_flight(repo: Any, capsys: Any) -> None:
    root, server = repo
    for n, slug in enumerate(("2026-11-02-a", "2026-11-02-b", "2026-11-02-c")):
        add_incident(root, slug, [(f"2026-11-02T09:0{n}:00Z", "investigating", slug)])
    server.hang_on = 2  # b arrives, and the process is killed before it is answered
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "notify", "--source", str(root), "--now",
         "2026-11-02T10:00:00Z", *FAST], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE)
    try:
        wait_for(server.hanging.is_set)
    finally:
        process.kill()
        process.communicate()
    assert state_of(root)["channels"]["ops"]["sent"][-1] == "2026-11-02-a/u0"
    server.hang_on = 0
    server.stop.set()
    code, out, _ = run(root, capsys, "2026-11-02T10:05:00Z")
    assert code == 0
    assert out == ("sent 2026-11-02-b/u0 to ops (webhook)\n"
                   "sent 2026-11-02-c/u0 to ops (webhook)\n")
    assert server.keys() == ["2026-11-02-a/u0", "2026-11-02-b/u0", "2026-11-02-b/u0",
                             "2026-11-02-c/u0"]


# --- configuration ----------------------------------------------------------------------

def test_missing_environment_variable_stops_before_anything_is_sent(
        repo: Any, capsys: Any, receiver: Any, monkeypatch: Any) -> None:
    root, server = repo
    (root / "content/notify.yaml").write_text(
        NOTIFY_YAML + "  - id: chat\n    type: slack\n    url: ${SLACK_WEBHOOK_URL}\n")
    monkeypatch.delenv("SLACK_WEBHOOK_URL", raising=False)
    add_incident(root, "2026-11-02-a", [("2026-11-02T09:00:00Z", "investigating", "A.")])
    code, out, err = run(root, capsys, "2026-11-02T10:00:00Z")
    assert code == 1 and out == ""
    assert err == (
        "content/notify.yaml:8:10: error: the environment variable SLACK_WEBHOOK_URL ('url' "
        "of channel 'chat') is not set or is empty\n"
        "    hint: set it in the environment (in GitHub Actions: a repository secret passed "
        "in the workflow's env:)\n"
        "heliograph: 1 error; nothing was written.\n")
    assert server.requests == []  # not even to the channel that was fine
    monkeypatch.setenv("SLACK_WEBHOOK_URL", "  ")  # empty counts as missing
    assert run(root, capsys, "2026-11-02T10:00:00Z")[0] == 1
    assert server.requests == []


@pytest.mark.parametrize(("yaml", "expected"), [
    ("channels:\n  - id: ops\n    type: webhook\n    url: https://hooks.test/x\n"
     "    secret: ${OPS_SECRET}\n",
     "content/notify.yaml:4:10: error: 'url' of channel 'ops' is a secret and must come "
     "from the environment, not be written in this public file"),
    ("channels:\n  - id: ops\n    type: slak\n    url: ${OPS_URL}\n",
     "content/notify.yaml:3:11: error: unknown channel type 'slak'"),
    ("channels:\n  - id: Ops\n    type: slack\n    url: ${OPS_URL}\n",
     "content/notify.yaml:2:9: error: channel id 'Ops' may only use a-z, 0-9 and single "
     "hyphens"),
    ("channels:\n  - id: ops\n    type: slack\n    url: ${OPS_URL}\n    components: [apx]\n",
     "content/notify.yaml:5:18: error: unknown component 'apx' in 'components' of channel "
     "'ops'"),
    ("channels:\n  - id: ops\n    type: slack\n    url: ${OPS_URL}\n    events: [update]\n",
     "content/notify.yaml:5:14: error: unknown event kind 'update' in 'events' of channel "
     "'ops'"),
    ("channels:\n  - id: ops\n    type: slack\n    url: ${OPS_URL}\n"
     "  - id: ops\n    type: teams\n    url: ${OPS_URL}\n",
     "content/notify.yaml:5:9: error: channel id 'ops' is used twice (first on line 2)"),
    ("channels:\n  - id: ops\n    type: slack\n    url: ${OPS_URL}\n"
     "reminders: {maintenance_before: 2 days}\n",
     "content/notify.yaml:5:33: error: 'maintenance_before' must be a duration up to 30 "
     "days, such as 30m, 24h or 2d"),
    ("channels:\n  - id: mail\n    type: email\n"
     "    smtp: {host: \"${OPS_SECRET}\", security: none}\n"
     "    from: Status <status@test.example>\n    to: ${OPS_SECRET}\n"
     "    unsubscribe: https://test.example/unsubscribe\n",
     "content/notify.yaml:6:9: error: 'to' of channel 'mail': address number 1 is not an "
     "email address"),
    # Written in the file, a change to it could mail anyone through the site's SMTP login.
    ("channels:\n  - id: mail\n    type: email\n"
     "    smtp: {host: \"${OPS_SECRET}\", security: none}\n"
     "    from: Status <status@test.example>\n    to: eve@evil.test\n"
     "    unsubscribe: https://test.example/unsubscribe\n",
     "content/notify.yaml:6:9: error: 'to' of channel 'mail' is a secret and must come "
     "from the environment, not be written in this public file"),
    # A digit to str.isdigit() that int() refuses: an internal error (exit 2) before.
    ("channels:\n  - id: mail\n    type: email\n"
     "    smtp: {host: \"${OPS_SECRET}\", port: \"\u00b2\", "
     "security: none}\n    from: Status <status@test.example>\n    to: ${OPS_SECRET}\n"
     "    unsubscribe: https://test.example/unsubscribe\n",
     "content/notify.yaml:4:41: error: 'port' of 'smtp' of channel 'mail' must be a port "
     "number"),
])
def test_configuration_errors_have_file_and_line(repo: Any, capsys: Any, yaml: str,
                                                 expected: str) -> None:
    root, server = repo
    (root / "content/notify.yaml").write_text(yaml)
    code, _, err = run(root, capsys, "2026-11-02T10:00:00Z")
    assert code == 1
    assert err.splitlines()[0] == expected
    assert SECRET not in err and "secret-path" not in err
    assert server.requests == []


def test_http_url_is_refused_except_to_this_machine(repo: Any, capsys: Any,
                                                    monkeypatch: Any) -> None:
    root, _ = repo
    monkeypatch.setenv("OPS_URL", "http://hooks.test/T0/token")
    code, _, err = run(root, capsys, "2026-11-02T10:00:00Z")
    assert code == 1
    assert err.splitlines()[0] == ("content/notify.yaml:4:10: error: 'url' of channel 'ops' "
                                   "is not an https:// URL (the value is not shown: it is a "
                                   "secret)")
    assert "token" not in err


def test_no_notify_yaml_is_nothing_to_do(tmp_path: Path, capsys: Any) -> None:
    root = make_repo(tmp_path / "site")
    (root / "content/notify.yaml").unlink()
    assert run(root, capsys, "2026-11-02T10:00:00Z") == (
        0, "", "heliograph: notify: content/notify.yaml does not exist; nothing to send.\n")
    assert not (root / ".heliograph").exists()


def test_dry_run_prints_channel_ids_and_changes_nothing(repo: Any, capsys: Any) -> None:
    root, server = repo
    before = (root / STATE).read_bytes()
    add_incident(root, "2026-11-02-api", [("2026-11-02T09:00:00Z", "investigating", "A.")],
                 {"api": "major_outage"})
    code, out, err = run(root, capsys, "2026-11-02T10:00:00Z", "--dry-run")
    assert code == 0
    assert out == (
        "would send 2026-11-02-api/u0 to ops (webhook): incident new: Api — Investigating\n"
        "would send component/api/1/major_outage to ops (webhook): component component: "
        "API — Major outage\n")
    assert err == ("heliograph: notify: dry run; nothing was sent and the state file is "
                   "unchanged.\n")
    assert server.url not in out + err and SECRET not in out + err
    assert server.requests == []
    assert (root / STATE).read_bytes() == before


def test_state_option_moves_the_state_file(repo: Any, capsys: Any, tmp_path: Path) -> None:
    root, server = repo
    elsewhere = tmp_path / "kept" / "state.json"
    add_incident(root, "2026-11-02-a", [("2026-11-02T09:00:00Z", "investigating", "A.")])
    code, _, err = run(root, capsys, "2026-11-02T10:00:00Z", "--state", str(elsewhere))
    assert code == 0 and "first run for channel 'ops'" in err
    assert server.requests == []
    assert "2026-11-02-a/u0" in json.loads(elsewhere.read_text())["channels"]["ops"]["sent"]


# Broken JSON, and JSON nested too deep for the parser (a crash before it was caught).
@pytest.mark.parametrize("text", ["{not json", "[" * 100_000], ids=["broken", "deep"])
def test_unreadable_state_file_is_an_error_not_a_fresh_start(repo: Any, capsys: Any,
                                                             text: str) -> None:
    root, server = repo
    (root / STATE).write_text(text)
    add_incident(root, "2026-11-02-a", [("2026-11-02T09:00:00Z", "investigating", "A.")])
    code, _, err = run(root, capsys, "2026-11-02T10:00:00Z")
    assert code == 1
    assert err.splitlines()[0] == (f"{root / STATE}: error: the notify state file cannot be "
                                   "read")
    assert server.requests == []


# --- email ------------------------------------------------------------------------------

EMAIL_YAML = """\
channels:
  - id: customers
    type: email
    smtp:
      host: ${SMTP_HOST}
      port: ${SMTP_PORT}
      security: none
    from: Test Status <status@status.test>
    to: ${SUBSCRIBERS}
    unsubscribe: https://status.test/unsubscribe
"""


def test_email_one_message_per_recipient_threaded_per_entry(
        tmp_path: Path, capsys: Any, smtp: SmtpServer, monkeypatch: Any) -> None:
    monkeypatch.setenv("SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("SUBSCRIBERS", "ann@example.org, bob@example.org")
    root = make_repo(tmp_path / "site", EMAIL_YAML)
    assert run(root, capsys, "2026-11-01T00:00:00Z")[0] == 0
    message = "Errors on **checkout** <script>alert(1)</script>now."
    add_incident(root, "2026-11-02-api", [("2026-11-02T09:00:00Z", "investigating", message)],
                 {"api": "major_outage"})
    code, out, err = run(root, capsys, "2026-11-02T09:30:00Z")
    assert (code, err) == (0, "")
    assert out == ("sent 2026-11-02-api/u0 to customers (email)\n"
                   "sent component/api/1/major_outage to customers (email)\n")
    mails = smtp.mailbox.messages
    assert [rcpt for rcpt, _ in mails] == [["ann@example.org"], ["bob@example.org"]] * 2
    first = mails[0][1]
    assert first["Subject"] == "[Test Status] Api — Investigating"
    assert first["To"] == "ann@example.org"  # no shared To:
    assert first["From"] == "Test Status <status@status.test>"
    assert first["List-Unsubscribe"] == "<https://status.test/unsubscribe>"
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first["List-Id"] == "Test Status <customers.status.test>"
    assert first["In-Reply-To"] is None
    assert first.get_content_type() == "multipart/alternative"
    plain_part, html_part = first.get_body(("plain",)), first.get_body(("html",))
    assert plain_part is not None and html_part is not None
    plain, html = plain_part.get_content(), html_part.get_content()
    assert "Errors on checkout now." in plain, plain
    assert "https://status.test/incidents/2026-11-02-api/" in plain
    assert "<strong>checkout</strong>" in html and "<script" not in html
    assert mails[1][1]["Message-ID"] == first["Message-ID"]  # stable per update
    # An update answers the first message: mail clients thread the incident.
    add_incident(root, "2026-11-02-api", [
        ("2026-11-02T09:00:00Z", "investigating", "Errors."),
        ("2026-11-02T09:40:00Z", "resolved", "Fixed.")], {"api": "major_outage"})
    assert run(root, capsys, "2026-11-02T10:00:00Z")[0] == 0
    update = smtp.mailbox.messages[4][1]
    assert update["Subject"] == "[Test Status] Api — Resolved"
    assert update["In-Reply-To"] == first["Message-ID"]
    assert update["References"] == first["Message-ID"]
    assert update["Message-ID"] != first["Message-ID"]


def test_email_failure_midway_sends_only_the_rest_next_run(
        tmp_path: Path, capsys: Any, smtp: SmtpServer, monkeypatch: Any) -> None:
    monkeypatch.setenv("SUBSCRIBERS", "ann@example.org,bob@example.org,cy@example.org")
    root = make_repo(tmp_path / "site", EMAIL_YAML.replace("${SMTP_PORT}", str(smtp.port)))
    assert run(root, capsys, "2026-11-01T00:00:00Z")[0] == 0
    add_incident(root, "2026-11-02-a", [("2026-11-02T09:00:00Z", "investigating", "A.")])
    smtp.mailbox.refuse = {"bob@example.org": [451, 451]}  # ann accepted; bob twice not
    code, _, err = run(root, capsys, "2026-11-02T10:00:00Z", "--attempts", "2")
    assert code == 1
    assert "event 2026-11-02-a/u0: SMTP 451 (after 2 attempts)" in err
    assert "example.org" not in err
    assert [r for r, _ in smtp.mailbox.messages] == [["ann@example.org"]]
    assert run(root, capsys, "2026-11-02T10:05:00Z")[0] == 0
    assert [r for r, _ in smtp.mailbox.messages] == [
        ["ann@example.org"], ["bob@example.org"], ["cy@example.org"]]
    state = state_of(root)["channels"]["customers"]
    assert state["partial"] == {} and "2026-11-02-a/u0" in state["sent"]
    assert "ann@example.org" not in (root / STATE).read_text()



# --- the scaffold and check -----------------------------------------------------------

def test_init_writes_a_commented_notify_yaml_that_works_once_uncommented(
        tmp_path: Path, capsys: Any, receiver: Any, monkeypatch: Any) -> None:
    root = tmp_path / "status"
    assert main(["init", str(root)]) == 0
    capsys.readouterr()
    assert run(root, capsys, "2026-11-27T00:00:00Z") == (
        0, "", "heliograph: notify: content/notify.yaml declares no channels; nothing to "
        "send.\n")
    assert main(["check", "--source", str(root), "--now", "2026-11-27T00:00:00Z"]) == 0
    # Uncommented, the example declares its three channels; check needs none of the secrets.
    path = root / "content/notify.yaml"
    lines = path.read_text().splitlines()
    start = lines.index("# channels:")
    path.write_text("\n".join(line[2:] for line in lines[start:]) + "\n")
    capsys.readouterr()
    assert main(["check", "--source", str(root), "--now", "2026-11-27T00:00:00Z"]) == 0
    server = receiver()
    for name in ("OPS_WEBHOOK_URL", "SLACK_WEBHOOK_URL"):
        monkeypatch.setenv(name, server.url)
    for name in ("OPS_WEBHOOK_SECRET", "SMTP_HOST", "SMTP_USER", "SMTP_PASSWORD"):
        monkeypatch.setenv(name, "x")
    monkeypatch.setenv("SUBSCRIBER_EMAILS", "a@example.org")
    capsys.readouterr()
    code, _, err = run(root, capsys, "2026-11-27T00:00:00Z", "--dry-run")
    assert code == 0
    assert [line.split("'")[1] for line in err.splitlines()[:3]] == ["ops", "team-chat",
                                                                     "customers"]


def test_check_reports_notify_yaml_mistakes_without_the_secrets(repo: Any, capsys: Any,
                                                                 monkeypatch: Any) -> None:
    root, _ = repo
    monkeypatch.delenv("OPS_URL")
    monkeypatch.delenv("OPS_SECRET")
    capsys.readouterr()
    assert main(["check", "--source", str(root), "--now", "2026-11-02T10:00:00Z"]) == 0
    capsys.readouterr()
    (root / "content/notify.yaml").write_text(NOTIFY_YAML + "    components: [apii]\n")
    assert main(["check", "--source", str(root), "--now", "2026-11-02T10:00:00Z"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        "content/notify.yaml:6:18: error: unknown component 'apii' in 'components' of channel "
        "'ops'")


# AUTH without TLS: on purpose, on 127.0.0.1 (aiosmtpd warns for each connection).
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_email_login_and_a_refused_password(tmp_path: Path, capsys: Any,
                                            monkeypatch: Any) -> None:
    server = SmtpServer(password="right-password")
    try:
        monkeypatch.setenv("SUBSCRIBERS", "ann@example.org")
        monkeypatch.setenv("SMTP_PASSWORD", "wrong-password")
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        yaml = EMAIL_YAML.replace("${SMTP_PORT}", str(server.port)).replace(
            "security: none", "security: none\n      username: status\n"
            "      password: ${SMTP_PASSWORD}")
        root = make_repo(tmp_path / "site", yaml)
        assert run(root, capsys, "2026-11-01T00:00:00Z")[0] == 0
        add_incident(root, "2026-11-02-a", [("2026-11-02T09:00:00Z", "investigating", "A.")])
        code, out, err = run(root, capsys, "2026-11-02T10:00:00Z")
        assert code == 1
        assert err.splitlines()[0] == (
            "heliograph: notify: pending: channel 'customers', event 2026-11-02-a/u0: the "
            "SMTP server refused the user name or password")
        assert "wrong-password" not in out + err
        # smtplib tries each mechanism offered (PLAIN, then LOGIN) once: no retry.
        assert len(server.logins) == 2
        monkeypatch.setenv("SMTP_PASSWORD", "right-password")
        assert run(root, capsys, "2026-11-02T10:05:00Z")[0] == 0
        assert server.logins[-1] == (b"status", b"right-password")
        assert [r for r, _ in server.mailbox.messages] == [["ann@example.org"]]
    finally:
        server.close()


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_email_over_tls_verifies_the_server_s_certificate(
        tmp_path: Path, capsys: Any, monkeypatch: Any, security: str) -> None:
    cert = self_signed(tmp_path)
    server = SmtpServer(tls=security, cert=cert)
    try:
        monkeypatch.setenv("SUBSCRIBERS", "ann@example.org")
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(server.port))
        root = make_repo(tmp_path / "site", EMAIL_YAML.replace("security: none",
                                                               f"security: {security}"))
        assert run(root, capsys, "2026-11-01T00:00:00Z")[0] == 0
        add_incident(root, "2026-11-02-a", [("2026-11-02T09:00:00Z", "investigating", "A.")])
        # A certificate nobody vouches for: nothing is sent, the delivery stays pending.
        code, _, err = run(root, capsys, "2026-11-02T10:00:00Z", "--attempts", "1")
        assert code == 1 and server.mailbox.messages == []
        assert err.splitlines()[0].startswith(
            "heliograph: notify: pending: channel 'customers', event 2026-11-02-a/u0: ")
        # Trusted (as a CA bundle would): delivered, encrypted, once.
        monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))
        assert run(root, capsys, "2026-11-02T10:05:00Z")[0] == 0
        assert [r for r, _ in server.mailbox.messages] == [["ann@example.org"]]
        assert run(root, capsys, "2026-11-02T10:10:00Z")[0] == 0
        assert len(server.mailbox.messages) == 1
    finally:
        server.close()


def test_a_removed_channel_is_forgotten(repo: Any, capsys: Any, receiver: Any,
                                        monkeypatch: Any) -> None:
    root, ops = repo
    chat = receiver()
    monkeypatch.setenv("CHAT_URL", chat.url)
    with_chat = NOTIFY_YAML + "  - id: chat\n    type: slack\n    url: ${CHAT_URL}\n"
    (root / "content/notify.yaml").write_text(with_chat)
    assert run(root, capsys, "2026-11-01T01:00:00Z")[0] == 0
    (root / "content/notify.yaml").write_text(NOTIFY_YAML)
    add_incident(root, "2026-11-02-a", [("2026-11-02T09:00:00Z", "investigating", "A.")])
    assert run(root, capsys, "2026-11-02T10:00:00Z")[0] == 0
    assert list(state_of(root)["channels"]) == ["ops"]
    # Back again, it starts afresh: what it missed meanwhile is not sent.
    (root / "content/notify.yaml").write_text(with_chat)
    code, _, err = run(root, capsys, "2026-11-02T11:00:00Z")
    assert code == 0 and "new channel for channel 'chat'" in err
    assert chat.requests == [] and ops.keys() == ["2026-11-02-a/u0"]


def test_a_second_run_on_the_same_state_file_stops(repo: Any, capsys: Any) -> None:
    root, server = repo
    add_incident(root, "2026-11-02-a", [("2026-11-02T09:00:00Z", "investigating", "A.")])
    with (root / (STATE + ".lock")).open("a") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # as a run in progress holds it
        code, out, err = run(root, capsys, "2026-11-02T10:00:00Z")
    assert (code, out) == (1, "")
    assert err.splitlines()[0] == (f"{root / STATE}: error: another heliograph notify run "
                                   "is using this state file")
    assert server.requests == []
    assert run(root, capsys, "2026-11-02T10:00:00Z")[0] == 0  # once it is released
    assert server.keys() == ["2026-11-02-a/u0"]


def test_no_attempt_starts_after_the_time_limit(repo: Any, capsys: Any) -> None:
    root, server = repo
    add_incident(root, "2026-11-02-a", [("2026-11-02T09:00:00Z", "investigating", "A.")])
    code, _, err = run(root, capsys, "2026-11-02T10:00:00Z", "--time-limit", "0")
    assert code == 1 and server.requests == []
    assert err.splitlines()[0] == ("heliograph: notify: pending: channel 'ops', event "
                                   "2026-11-02-a/u0: the run's time limit was reached")


# --- a hostile notify.yaml cannot send a secret where it chooses ---------------------------

def test_a_variable_inside_other_text_is_refused(repo: Any, capsys: Any,
                                                 monkeypatch: Any) -> None:
    """https://attacker/${SECRET} would carry any variable to the file's choice of host."""
    root, server = repo
    host = server.url.rsplit("/", 1)[0]  # http://127.0.0.1:PORT
    (root / "content/notify.yaml").write_text(
        "channels:\n  - id: ops\n    type: webhook\n"
        f"    url: {host}/leak/${{OPS_SECRET}}\n    secret: ${{OPS_SECRET}}\n")
    add_incident(root, "2026-11-02-a", [("2026-11-02T09:00:00Z", "investigating", "A.")])
    code, out, err = run(root, capsys, "2026-11-02T10:00:00Z")
    assert (code, out) == (1, "")
    assert err.splitlines()[0] == (
        "content/notify.yaml:4:10: error: 'url' of channel 'ops' must be a single ${NAME} "
        "with nothing around it, or have no variable")
    assert server.requests == [] and SECRET not in err


@pytest.mark.parametrize(("key", "value", "column"), [
    ("from", "Status <${OPS_SECRET}@status.test>", 11),
    ("unsubscribe", "https://status.test/u?k=${OPS_SECRET}", 18),
])
def test_a_variable_inside_an_email_header_is_refused(
        tmp_path: Path, capsys: Any, smtp: SmtpServer, monkeypatch: Any, key: str,
        value: str, column: int) -> None:
    """From: and List-Unsubscribe: reach every subscriber, who may be the attacker."""
    monkeypatch.setenv("SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("SUBSCRIBERS", "ann@example.org")
    monkeypatch.setenv("OPS_SECRET", "hunter2")
    root = make_repo(tmp_path / "site", EMAIL_YAML)
    assert run(root, capsys, "2026-11-01T00:00:00Z")[0] == 0
    line = {"from": "    from: Test Status <status@status.test>",
            "unsubscribe": "    unsubscribe: https://status.test/unsubscribe"}[key]
    yaml = EMAIL_YAML.replace(line, f"    {key}: {value}")
    (root / "content/notify.yaml").write_text(yaml)
    add_incident(root, "2026-11-02-a", [("2026-11-02T09:00:00Z", "investigating", "A.")])
    code, _, err = run(root, capsys, "2026-11-02T10:00:00Z")
    row = yaml.splitlines().index(f"    {key}: {value}") + 1
    assert code == 1
    assert err.splitlines()[0] == (
        f"content/notify.yaml:{row}:{column}: error: '{key}' of channel 'customers' must be "
        "a single ${NAME} with nothing around it, or have no variable")
    assert smtp.mailbox.messages == [] and "hunter2" not in err


# AUTH without TLS: on purpose, on 127.0.0.1 (aiosmtpd warns for each connection).
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
@pytest.mark.parametrize("login", [True, False])
def test_the_smtp_host_comes_from_the_environment(
        tmp_path: Path, capsys: Any, monkeypatch: Any, login: bool) -> None:
    """The address list (a secret) and any login go to the host: written in the file (or
    in a variable the CI runner sets from a branch name), a change to the file could send
    them to a server of its own."""
    server = SmtpServer(password="right-password" if login else "")
    try:
        monkeypatch.setenv("SUBSCRIBERS", "ann@example.org")
        monkeypatch.setenv("SMTP_PASSWORD", "right-password")
        monkeypatch.setenv("SMTP_PORT", str(server.port))
        monkeypatch.setenv("GITHUB_HEAD_REF", "127.0.0.1")
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        written = EMAIL_YAML.replace("security: none", "security: none\n      username: "
                                     "status\n      password: ${SMTP_PASSWORD}") if login \
            else EMAIL_YAML
        root = make_repo(tmp_path / "site", written.replace("${SMTP_HOST}", "127.0.0.1"))
        code, _, err = run(root, capsys, "2026-11-01T00:00:00Z")
        assert code == 1
        assert err.splitlines()[0] == (
            "content/notify.yaml:5:13: error: 'host' of 'smtp' of channel 'customers' must "
            "come from the environment")
        (root / "content/notify.yaml").write_text(
            written.replace("${SMTP_HOST}", "${GITHUB_HEAD_REF}"))
        code, _, err = run(root, capsys, "2026-11-01T00:00:00Z")
        assert code == 1
        assert err.splitlines()[0] == (
            "content/notify.yaml:5:13: error: 'host' of 'smtp' of channel 'customers' names "
            "GITHUB_HEAD_REF, a variable the CI runner sets, not a secret of this site")
        add_incident(root, "2026-11-02-a", [("2026-11-02T09:00:00Z", "investigating", "A.")])
        assert run(root, capsys, "2026-11-02T10:00:00Z")[0] == 1
        assert server.logins == [] and server.mailbox.messages == []
        # The same server, named by a secret of the site's own: sent to (and logged in to).
        (root / "content/notify.yaml").write_text(written)
        assert run(root, capsys, "2026-11-02T10:00:00Z")[0] == 0  # the first run
        add_incident(root, "2026-11-02-b", [("2026-11-02T10:30:00Z", "investigating", "B.")])
        assert run(root, capsys, "2026-11-02T11:00:00Z") == (
            0, "sent 2026-11-02-b/u0 to customers (email)\n", "")
        assert server.logins == ([(b"status", b"right-password")] if login else [])
        assert [r for r, _ in server.mailbox.messages] == [["ann@example.org"]]
    finally:
        server.close()


def test_check_refuses_a_ci_variable_without_the_environment(repo: Any, capsys: Any,
                                                             monkeypatch: Any) -> None:
    root, _ = repo
    monkeypatch.delenv("OPS_URL")
    (root / "content/notify.yaml").write_text(NOTIFY_YAML.replace("${OPS_URL}",
                                                                  "${GITHUB_TOKEN}"))
    capsys.readouterr()
    assert main(["check", "--source", str(root), "--now", "2026-11-02T10:00:00Z"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        "content/notify.yaml:4:10: error: 'url' of channel 'ops' names GITHUB_TOKEN, a "
        "variable the CI runner sets, not a secret of this site")


@pytest.mark.parametrize("linked", [".heliograph", STATE, STATE + ".lock", "tmp"])
def test_the_state_file_is_never_read_or_written_through_a_link(
        tmp_path: Path, capsys: Any, receiver: Any, monkeypatch: Any, linked: str) -> None:
    """A committed link (.gitignore's /.heliograph/ does not stop `git add -f`) must not
    make notify read or write outside the repo; the workflow then publishes the file."""
    server = receiver()
    monkeypatch.setenv("OPS_URL", server.url)
    monkeypatch.setenv("OPS_SECRET", SECRET)
    root = make_repo(tmp_path / "site")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("credentials\n")
    if linked == ".heliograph":
        (root / ".heliograph").symlink_to(outside)
        shown = root / ".heliograph"
    else:
        (root / ".heliograph").mkdir()
        # The temporary file notify writes before renaming it over the state file.
        name = f".heliograph/.notify-state.json.{os.getpid()}.tmp" if linked == "tmp" \
            else linked
        (root / name).symlink_to(outside / "secret.txt")
        shown = root / (STATE if linked == "tmp" else linked)
    code, out, err = run(root, capsys, "2026-11-01T00:00:00Z")
    if linked == "tmp":  # an unknown leftover is replaced, not followed
        assert code == 0 and (root / STATE).is_file()
    else:
        assert (code, out) == (1, "")
        assert err.splitlines()[0] == (f"{shown}: error: the notify state file or its folder "
                                       "is a link; notify reads and writes only plain files")
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert (outside / "secret.txt").read_text() == "credentials\n"


def test_line_breaks_in_titles_do_not_reach_email_headers(
        tmp_path: Path, capsys: Any, smtp: SmtpServer, monkeypatch: Any) -> None:
    """`check` accepts a title with a line break (YAML "\\r\\n" or U+2028); notify must not
    stop on it (an email header is one line) nor let it start a header of its own."""
    monkeypatch.setenv("SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("SUBSCRIBERS", "ann@example.org")
    root = make_repo(tmp_path / "site", EMAIL_YAML)
    (root / "content/site.yaml").write_text(
        'title: "Test\\u2028Status"\nbase_url: https://status.test/\ntimezone: UTC\n')
    assert run(root, capsys, "2026-11-01T00:00:00Z")[0] == 0
    add_incident(root, "2026-11-02-a", [("2026-11-02T09:00:00Z", "investigating", "A.")])
    path = root / "content/incidents/2026-11-02-a.md"
    path.write_text(path.read_text().replace("title: A", 'title: "A\\r\\nBcc: eve@evil.test"'))
    capsys.readouterr()
    assert main(["check", "--source", str(root), "--now", "2026-11-02T10:00:00Z"]) == 0
    capsys.readouterr()
    code, out, err = run(root, capsys, "2026-11-02T10:00:00Z")
    assert (code, out, err) == (0, "sent 2026-11-02-a/u0 to customers (email)\n", "")
    [(recipients, mail)] = smtp.mailbox.messages
    assert recipients == ["ann@example.org"] and mail["Bcc"] is None
    assert mail["Subject"] == "[Test Status] A Bcc: eve@evil.test — Investigating"
    assert mail["List-Id"] == "Test Status <customers.status.test>"
