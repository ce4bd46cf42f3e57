"""`heliograph import statuspage`, through the real command line.

The fixtures in tests/importdata/statuspage-* are written by hand from the documented
shapes (docs/api-research.md); the round trip imports Heliograph's own api/v2 output.
"""

from __future__ import annotations

import http.server
import json
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sitefixtures import NOW, REPO, scenario_root

from generator.cli import main
from generator.importers import statuspage

DATA = Path(__file__).resolve().parent / "importdata"
NEW, OLD = DATA / "statuspage-new", DATA / "statuspage-old"


def run(*args: str) -> int:
    return main(["import", "statuspage", *args, "--now", NOW])


def texts(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*"))
            if p.is_file()}


# --- round trip --------------------------------------------------------------------------

def _api(folder: Path, name: str) -> Any:
    return json.loads((folder / "api" / "v2" / name).read_text())


def _entry(item: dict[str, Any]) -> dict[str, Any]:
    """An entry without Heliograph's ids and links (they come from ids and slugs, which
    are named anew from the titles)."""
    return {
        **{k: item[k] for k in ("name", "status", "impact", "created_at", "updated_at",
                                "started_at", "monitoring_at", "resolved_at")},
        "window": (item.get("scheduled_for"), item.get("scheduled_until")),
        "components": [c["name"] for c in item["components"]],
        "updates": [(u["status"], u["display_at"], u["body"],
                     [(a["name"], a["old_status"], a["new_status"])
                      for a in u["affected_components"] or []])
                    for u in item["incident_updates"]],
    }


def _view(folder: Path) -> dict[str, Any]:
    summary = _api(folder, "summary.json")
    return {
        "status": summary["status"],
        "page": {k: summary["page"][k] for k in ("name", "url", "time_zone", "updated_at")},
        "components": [(c["name"], c["status"], c["group"], c["description"], c["position"])
                       for c in _api(folder, "components.json")["components"]],
        "incidents": [_entry(i) for i in _api(folder, "incidents.json")["incidents"]],
        "unresolved": [_entry(i) for i in summary["incidents"]],
        "maintenances": [_entry(m) for m in
                         _api(folder, "scheduled-maintenances.json")["scheduled_maintenances"]],
        "upcoming": [m["name"] for m in
                     _api(folder, "scheduled-maintenances/upcoming.json")[
                         "scheduled_maintenances"]],
        "active": [m["name"] for m in
                   _api(folder, "scheduled-maintenances/active.json")["scheduled_maintenances"]],
    }


@pytest.mark.parametrize("scenario", ["example", "only-maintenance"])
def test_a_page_imported_from_heliograph_api_builds_to_the_same_api(
        scenario: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = REPO if scenario == "example" else scenario_root(scenario, tmp_path / "src")
    first, second, imported = tmp_path / "first", tmp_path / "second", tmp_path / "imported"
    assert main(["build", "--source", str(source), "-o", str(first), "--now", NOW, "-q"]) == 0
    assert run(str(first), "--source", str(imported)) == 0
    assert main(["check", "--source", str(imported), "--now", NOW]) == 0
    assert main(["build", "--source", str(imported), "-o", str(second), "--now", NOW, "-q"]) == 0
    before, after = _view(first), _view(second)
    assert after == before
    if scenario == "example":  # the comparison is not vacuous
        assert ("Reports and exports", "degraded_performance", False,
                None, 4) in after["components"]
        assert [i["name"] for i in after["unresolved"]] == [
            "Delayed webhook deliveries", "TLS 1.0 and 1.1 retirement on 15 January"]
        assert after["upcoming"] == ["Payout scheduler migration"]
        assert len(after["incidents"]) == 8 and len(after["maintenances"]) == 2
    else:
        assert after["active"] and after["upcoming"]


# --- a hand-written Statuspage page ------------------------------------------------------

LANTERN_COMPONENTS = """\
# Imported from Statuspage by `heliograph import` (format: docs/content.md).
groups:
  - id: backend
    name: Backend
    components:
      - id: core-api
        name: Core API
      - id: search-api
        name: Search API
        description: Full-text search
components:
  - id: billing
    name: Billing
    status: degraded_performance
"""

CORE_API_ERRORS = """\
---
# Imported from Statuspage: incident inc000000001, https://stspg.test/def
title: Core API errors
impact: major
components:
  core-api: major_outage
updates:
  - at: 2026-11-02T14:00:00Z
    status: investigating
    message: We are investigating this issue and will post an update soon.
  - at: 2026-11-02T15:00:00Z
    status: resolved
    message: Fixed.
  - at: 2026-11-04T09:00:00Z
    status: postmortem
    message: Postmortem below.
---
## Root cause

A bad deploy.
"""

SEARCH_IS_SLOW = """\
---
# Imported from Statuspage: incident inc000000002, https://stspg.test/abc
title: Search is slow
impact: minor
components:
  search-api: degraded_performance
updates:
  - at: 2026-11-20T15:00:00Z
    status: investigating
    message: |
      Searches take
      seconds.
  - at: 2026-11-20T15:15:00Z
    status: identified
    message: A shard is rebuilding.
    components:
      search-api: partial_outage
---
"""


def test_snapshots_merge_into_files_that_check_accepts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    assert run(str(OLD), str(NEW), "--source", str(site)) == 0
    out = capsys.readouterr().out
    files = texts(site)
    assert sorted(files) == [
        "content/components.yaml",
        "content/incidents/2026-06-01-sign-in-outage.md",
        "content/incidents/2026-11-02-core-api-errors.md",
        "content/incidents/2026-11-20-search-is-slow.md",  # in both snapshots: once, newest
        "content/incidents/2026-11-30-billing-database-upgrade.md",  # 02:00Z is the 30th in NY
        "content/site.yaml",
    ]
    assert files["content/site.yaml"] == (
        "# Imported from Statuspage by `heliograph import` (format: docs/content.md).\n"
        "title: Lantern Status\nbase_url: https://status.lantern.test/\n"
        "timezone: America/New_York\nlanguage: en\n")
    assert files["content/components.yaml"] == LANTERN_COMPONENTS
    assert files["content/incidents/2026-11-02-core-api-errors.md"] == CORE_API_ERRORS
    assert files["content/incidents/2026-11-20-search-is-slow.md"] == SEARCH_IS_SLOW
    assert "backfilled: true\n" in files["content/incidents/2026-06-01-sign-in-outage.md"]
    assert "  billing: under_maintenance\n" in files[
        "content/incidents/2026-11-30-billing-database-upgrade.md"]
    # What could not be mapped is named with the source's field and the reason.
    assert "only_show_if_degraded" in out
    assert "update 4 of incidents: 'inc000000001' affected_components: component " \
           "'cmpgone00000' is not in components.json; left out" in out
    assert "update 2 of incidents: 'inc000000001': a 'resolved' update after the incident " \
           "was resolved" in out
    assert "50 most recent incidents" in out
    assert main(["check", "--source", str(site), "--now", NOW]) == 0


def test_importing_twice_changes_nothing_and_nothing_is_overwritten_without_force(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    assert run(str(NEW), "--source", str(site)) == 0
    before = texts(site)
    capsys.readouterr()
    assert run(str(NEW), "--source", str(site)) == 0
    out = capsys.readouterr().out
    assert texts(site) == before
    assert "Created" not in out and "Unchanged, already imported:\n  content/site.yaml\n" in out

    edited = site / "content/incidents/2026-11-20-search-is-slow.md"
    edited.write_text(edited.read_text().replace("A shard is rebuilding.", "Edited by hand."))
    assert run(str(NEW), "--source", str(site)) == 0
    assert "different (--force replaces them):\n  content/incidents/2026-11-20-search-is-slow" \
           ".md\n" in capsys.readouterr().out
    assert "Edited by hand." in edited.read_text()
    assert run(str(NEW), "--source", str(site), "--force") == 0
    assert "Replaced (--force):\n  content/incidents/2026-11-20-search-is-slow.md\n" \
           in capsys.readouterr().out
    assert texts(site) == before


def test_entries_that_name_components_the_kept_components_yaml_lacks_are_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    assert main(["init", str(site)]) == 0
    capsys.readouterr()
    assert run(str(NEW), "--source", str(site)) == 1
    captured = capsys.readouterr()
    assert "different (--force replaces them):\n  content/site.yaml\n  " \
           "content/components.yaml\n" in captured.out
    assert "unknown component id 'search-api'" in captured.err
    assert "(from incidents: 'inc000000002')" in captured.err
    assert "content/components.yaml was left alone, and entries name components it does " \
           "not have" in captured.err
    assert not (site / "content/incidents/2026-11-20-search-is-slow.md").exists()
    # The maintenance names none of the scaffold's ids... but billing is unknown too.
    assert not list((site / "content/incidents").glob("2026-11-30-*"))
    assert main(["check", "--source", str(site), "--now", NOW]) == 0


# --- untrusted input ---------------------------------------------------------------------

def _folder(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "saved"
    folder.mkdir()
    for name, text in files.items():
        (folder / f"{name.replace('_', '-')}.json").write_text(text)
    return folder


@pytest.mark.parametrize(("files", "message"), [
    ({"components": "{not json"}, "not valid JSON"),
    ({"components": "[" * 100_000 + "]" * 100_000}, "not valid JSON"),
    ({"components": '{"components": {"a": 1}}'}, "'components.json: components' is not a list"
     .replace("'", "")),
    ({"components": '{"components": [{"id": "../../etc", "name": "x"}]}'}, "no usable 'id'"),
    ({"components": '{"components": [{"id": "a1", "name": 5}]}'}, "'name' of"),
    ({"incidents": '{"incidents": []}'}, "no components.json or summary.json"),
    ({"components": '{"components": []}',
      "incidents": '{"incidents": [{"id": "i1", "name": "x", "updated_at": "yesterday"}]}'},
     "is not a time"),
])
def test_input_of_the_wrong_shape_is_exit_1_with_the_file(
        files: dict[str, str], message: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = _folder(tmp_path, **files)
    assert run(str(folder), "--source", str(tmp_path / "site")) == 1
    err = capsys.readouterr().err
    assert message in err and "nothing was written" in err
    assert not (tmp_path / "site").exists()


def test_a_file_over_the_size_limit_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _folder(tmp_path, components='{"components": []}')
    with (folder / "incidents.json").open("wb") as handle:
        handle.truncate(statuspage.MAX_INPUT_BYTES + 1)
    assert run(str(folder), "--source", str(tmp_path / "site")) == 1
    assert "larger than the limit of 20,000,000 bytes" in capsys.readouterr().err


def test_titles_cannot_lead_file_names_out_of_the_incidents_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    update = ('{"id": "u1", "status": "resolved", "body": "x\\u0007y", '
              '"display_at": "2026-11-01T10:00:00Z", "affected_components": null}')
    folder = _folder(tmp_path, components='{"components": []}', incidents=(
        '{"incidents": [{"id": "i1", "name": "../../../etc/passwd", "impact": "none", '
        f'"incident_updates": [{update}]}}]}}'))
    assert run(str(folder), "--source", str(tmp_path / "site")) == 0
    made = texts(tmp_path / "site")
    assert sorted(made) == ["content/components.yaml", "content/incidents/2026-11-01-etc-passwd.md",
                            "content/site.yaml"]
    assert "message: xy\n" in made["content/incidents/2026-11-01-etc-passwd.md"]


# --- fetching from a URL -----------------------------------------------------------------

class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    servers: list[_Server] = []

    def start(handler: type[http.server.BaseHTTPRequestHandler]) -> str:
        server = _Server(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_page_url_is_fetched_from_its_api_v2(
        tmp_path: Path, serve: Any, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "www"
    shutil.copytree(NEW, root / "api" / "v2")
    requested: list[str] = []

    class Files(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self) -> None:
            requested.append(self.path)
            super().do_GET()

        def log_message(self, *args: Any) -> None:
            pass

    url = serve(Files)
    summary = json.loads((NEW / "components.json").read_text())
    summary.update(incidents=[], scheduled_maintenances=[],
                   status={"indicator": "minor", "description": "Partial System Outage"})
    (root / "api/v2/summary.json").write_text(json.dumps(summary))
    assert run(url + "/", "--source", str(tmp_path / "site")) == 0
    assert sorted(requested) == ["/api/v2/components.json", "/api/v2/incidents.json",
                                 "/api/v2/scheduled-maintenances.json", "/api/v2/summary.json"]
    assert run(str(NEW), "--source", str(tmp_path / "from-folder")) == 0
    assert texts(tmp_path / "site") == texts(tmp_path / "from-folder")

    # A file the server does not have is exit 1, and nothing is written.
    (root / "api/v2/summary.json").unlink()
    capsys.readouterr()
    assert run(url + "/api/v2", "--source", str(tmp_path / "other")) == 1
    assert f"{url}/api/v2/summary.json: error: the server answered HTTP 404" \
        in capsys.readouterr().err
    assert not (tmp_path / "other").exists()


def _answer(handler: http.server.BaseHTTPRequestHandler, status: int = 200,
            headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()


def test_an_endless_answer_is_cut_at_the_size_limit(
        tmp_path: Path, serve: Any, capsys: pytest.CaptureFixture[str]) -> None:
    class Endless(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            _answer(self)
            try:
                while True:
                    self.wfile.write(b" " * 1_000_000)
            except OSError:
                pass

        def log_message(self, *args: Any) -> None:
            pass

    assert run(serve(Endless), "--source", str(tmp_path / "site")) == 1
    assert "larger than the limit of 20,000,000 bytes" in capsys.readouterr().err


def test_a_trickling_server_is_cut_off_by_the_time_limit(
        tmp_path: Path, serve: Any, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(statuspage, "FETCH_SECONDS", 1.0)

    class Trickle(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            _answer(self)
            try:
                for _ in range(100):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass

        def log_message(self, *args: Any) -> None:
            pass

    started = time.monotonic()
    assert run(serve(Trickle), "--source", str(tmp_path / "site")) == 1
    assert time.monotonic() - started < 5
    assert "no complete answer within 1 s" in capsys.readouterr().err


def test_a_redirect_may_not_leave_http(
        tmp_path: Path, serve: Any, capsys: pytest.CaptureFixture[str]) -> None:
    class ToFile(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            _answer(self, 302, {"Location": "ftp://127.0.0.1:1/x", "Content-Length": "0"})

        def log_message(self, *args: Any) -> None:
            pass

    assert run(serve(ToFile), "--source", str(tmp_path / "site")) == 1
    err = capsys.readouterr().err
    assert "the server answered HTTP 302" in err


def test_a_message_over_the_limit_is_cut_and_reported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = "word " * 2010  # 10,050 characters, 10,049 once trimmed
    update = json.dumps({"id": "u1", "status": "resolved", "body": body,
                         "display_at": "2026-11-01T10:00:00Z", "affected_components": None})
    folder = _folder(tmp_path, components='{"components": []}', incidents=(
        '{"incidents": [{"id": "i1", "name": "Long", "impact": "none", '
        f'"incident_updates": [{update}]}}]}}'))
    assert run(str(folder), "--source", str(tmp_path / "site")) == 0
    assert "update 1 of incidents: 'i1' body: 10,049 characters, more than Heliograph's " \
           "limit of 10,000: cut to the limit" in capsys.readouterr().out
    text = (tmp_path / "site/content/incidents/2026-11-01-long.md").read_text()
    message = text.split("message: ", 1)[1].split("\n---", 1)[0]
    assert message == ("word " * 2000).strip()


def test_a_linked_settings_file_is_never_read_or_written_through(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("secret: 1\n")
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "content/site.yaml").symlink_to(outside)
    assert run(str(NEW), "--source", str(site)) == 0
    assert "  content/site.yaml (content/site.yaml is a symbolic link)\n" \
        in capsys.readouterr().out
    assert outside.read_text() == "secret: 1\n"
    assert (site / "content/site.yaml").is_symlink()


def test_into_a_kept_components_yaml_components_match_by_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    assert main(["init", str(site)]) == 0
    (site / "content/components.yaml").write_text(
        "components:\n  - id: search\n    name: search api\n  - id: core\n"
        "    name: Core API\n  - id: billing\n    name: Billing\n")
    (site / "content/incidents/2026-11-02-delayed-sign-in-emails.md").unlink()  # the sample
    capsys.readouterr()
    assert run(str(NEW), "--source", str(site)) == 0
    slow = (site / "content/incidents/2026-11-20-search-is-slow.md").read_text()
    assert "components:\n  search: degraded_performance\n" in slow
    assert "    components:\n      search: partial_outage\n" in slow
    assert "  core: major_outage\n" in (
        site / "content/incidents/2026-11-02-core-api-errors.md").read_text()
    assert main(["check", "--source", str(site), "--now", NOW]) == 0
