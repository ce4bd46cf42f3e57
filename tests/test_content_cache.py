"""The content cache across runs (issue 17): `build` and `check` keep the incidents that
loaded without a problem in <cache>/content/, as JSON keyed by the file's text and the
context of its validation, and parse only the other files.

The proof that an entry is served rather than the file parsed again uses the cache's
own contents: an entry whose title is edited by hand shows that title on the page. The
same trick shows what is NOT served: after a change that must invalidate it, the page
shows the file's real title again."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sitefixtures import REPO

from generator.cli import main
from generator.content import cache as content_cache
from generator.content.cache import decode, encode
from generator.content.load import load_content
from generator.content.model import Incident, Update

NOW = "2026-11-27T00:00:00Z"
INCIDENT = """\
---
title: Delayed sign-in emails
components:
  sign-in: degraded_performance
updates:
  - at: 2026-11-02T09:12:00Z
    status: investigating
    message: Some sign-in emails are arriving late.
  - at: 2026-11-02T10:05:00Z
    status: resolved
    message: All delayed emails have been delivered.
---
"""
SLUG = "2026-11-02-late-emails"
REL = f"content/incidents/{SLUG}.md"


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """HELIOGRAPH_CACHE_DIR for the test; the content cache's folder."""
    monkeypatch.setenv("HELIOGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "content"


@pytest.fixture
def repo(site: Path) -> Path:
    """The scaffold with its sample incident replaced by INCIDENT (known text)."""
    folder = site / "content" / "incidents"
    for path in folder.iterdir():
        path.unlink()
    (folder / f"{SLUG}.md").write_text(INCIDENT)
    settings = site / "content" / "site.yaml"
    settings.write_text(settings.read_text().replace("status.example.com", "status.test"))
    return site


def build(source: Path, out: Path, capsys: pytest.CaptureFixture[str], now: str = NOW) -> int:
    code = main(["build", "--source", str(source), "--output", str(out), "--now", now])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code


def check(source: Path, capsys: pytest.CaptureFixture[str], now: str = NOW) -> tuple[int, str]:
    code = main(["check", "--source", str(source), "--now", now])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out


def only_file(folder: Path) -> Path:
    [path] = [p for p in folder.iterdir() if not p.name.startswith(".")]
    return path


def edit_entry(folder: Path, rel: str, **changes: object) -> None:
    """Change what the cache holds for `rel` (its key left as it is)."""
    path = only_file(folder)
    data = json.loads(path.read_text())
    data["entries"][rel][1].update(changes)
    path.write_text(json.dumps(data))


def page(out: Path, slug: str = SLUG) -> str:
    return (out / "incidents" / slug / "index.html").read_text()


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


# --- served, and not served ----------------------------------------------------------------

def test_warm_build_serves_the_entry_instead_of_parsing(repo, cache, capsys, tmp_path):
    assert build(repo, tmp_path / "cold", capsys) == 0
    entries = json.loads(only_file(cache).read_text())["entries"]
    assert list(entries) == [REL]
    assert entries[REL][1]["title"] == "Delayed sign-in emails"
    edit_entry(cache, REL, title="Served from the cache")
    assert build(repo, tmp_path / "warm", capsys) == 0
    assert "Served from the cache" in page(tmp_path / "warm")
    assert "Delayed sign-in emails" not in page(tmp_path / "warm")


def test_check_serves_the_entry_too(repo, cache, capsys):
    assert check(repo, capsys) == (0, "heliograph check: content is valid\n")
    # The entry without its 'resolved' update: open, so check warns about it.
    path = only_file(cache)
    data = json.loads(path.read_text())
    del data["entries"][REL][1]["updates"][1]
    path.write_text(json.dumps(data))
    code, out = check(repo, capsys)
    assert code == 0
    assert f"{REL}:6: warning: open incident has had no update for" in out


def test_a_changed_file_is_parsed_again(repo, cache, capsys, tmp_path):
    assert build(repo, tmp_path / "cold", capsys) == 0
    edit_entry(cache, REL, title="Served from the cache")
    incident = repo / "content" / "incidents" / f"{SLUG}.md"
    incident.write_text(INCIDENT.replace("Delayed sign-in emails", "Late sign-in emails"))
    assert build(repo, tmp_path / "warm", capsys) == 0
    assert "Late sign-in emails" in page(tmp_path / "warm")
    assert "Served from the cache" not in page(tmp_path / "warm")
    # The entry now holds the new text's incident.
    assert json.loads(only_file(cache).read_text())["entries"][REL][1]["title"] == \
        "Late sign-in emails"


@pytest.mark.parametrize("settings", ["components.yaml", "site.yaml"])
def test_changed_settings_are_another_context(repo, cache, capsys, tmp_path, settings):
    assert build(repo, tmp_path / "cold", capsys) == 0
    edit_entry(cache, REL, title="Served from the cache")
    before = only_file(cache).name
    path = repo / "content" / settings
    if settings == "components.yaml":
        path.write_text(path.read_text() + "  - id: extra\n    name: Extra\n")
    else:
        path.write_text(path.read_text().replace("history_days: 90", "history_days: 91"))
    assert build(repo, tmp_path / "warm", capsys) == 0
    assert "Delayed sign-in emails" in page(tmp_path / "warm")
    assert "Served from the cache" not in page(tmp_path / "warm")
    assert before in {p.name for p in cache.iterdir()}  # kept for a while (KEEP files)
    assert len([p for p in cache.iterdir() if not p.name.startswith(".")]) == 2


def test_a_renamed_file_is_parsed_again(repo, cache, capsys, tmp_path):
    """The path is part of the key: the slug and the messages come from it."""
    assert build(repo, tmp_path / "cold", capsys) == 0
    edit_entry(cache, REL, title="Served from the cache")
    folder = repo / "content" / "incidents"
    (folder / f"{SLUG}.md").rename(folder / "2026-11-02-sign-in.md")
    assert build(repo, tmp_path / "warm", capsys) == 0
    assert "Delayed sign-in emails" in page(tmp_path / "warm", "2026-11-02-sign-in")
    assert list(json.loads(only_file(cache).read_text())["entries"]) == \
        ["content/incidents/2026-11-02-sign-in.md"]


def test_a_file_with_a_problem_is_never_cached(repo, cache, capsys):
    folder = repo / "content" / "incidents"
    (folder / "2026-11-03-broken.md").write_text(INCIDENT.replace("sign-in:", "nowhere:"))
    code, out = check(repo, capsys)
    assert code == 1
    assert "unknown component id 'nowhere'" in out
    assert list(json.loads(only_file(cache).read_text())["entries"]) == [REL]
    code, again = check(repo, capsys)
    assert (code, again) == (1, out)


def test_an_entry_is_served_only_while_now_allows_it(repo, cache, capsys):
    """Valid at a later now, not at an earlier one: --now may go back."""
    assert check(repo, capsys)[0] == 0
    code, out = check(repo, capsys, now="2026-11-02T09:59:00Z")
    assert code == 1
    assert "update 2 is in the future (2026-11-02 10:05 UTC" in out
    assert check(repo, capsys, now="2026-11-02T10:00:00Z")[0] == 0  # within the clock skew


def test_warnings_are_the_same_from_the_cache(repo, cache, capsys):
    """check's warnings are made from the content at each run, cached or not."""
    incident = repo / "content" / "incidents" / f"{SLUG}.md"
    incident.write_text(INCIDENT.split("  - at: 2026-11-02T10:05")[0] + "---\n")  # left open
    cold = check(repo, capsys, now="2026-11-27T00:00:00Z")
    assert cold[0] == 0
    assert "open incident has had no update for" in cold[1]
    assert check(repo, capsys, now="2026-11-27T00:00:00Z") == cold


# --- off -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["off", "", " Off "])
def test_off_disables_it(repo, capsys, monkeypatch, tmp_path, value):
    monkeypatch.setenv("HELIOGRAPH_CACHE_DIR", value)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    assert build(repo, tmp_path / "out", capsys) == 0
    assert check(repo, capsys)[0] == 0
    assert not (tmp_path / "xdg").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


# --- hostile or broken cache files ----------------------------------------------------------

def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00\xff{not json")


def _huge(path: Path) -> None:
    """A valid file, but past the bound (lowered for the test): never read."""
    data = json.loads(path.read_text())
    data["entries"][REL][1]["title"] = "Served from the cache"
    text = json.dumps(data)
    path.write_text(text + " " * (HUGE - len(text) + 1))


def _deep(path: Path) -> None:
    path.write_text("[" * 100_000 + "]" * 100_000)


def _entries_a_list(path: Path) -> None:
    path.write_text(json.dumps({"heliograph": 1, "entries": []}))


def _other_revision(path: Path) -> None:
    data = json.loads(path.read_text())
    data["heliograph"] = 0
    data["entries"][REL][1]["title"] = "Served from the cache"
    path.write_text(json.dumps(data))


def _entry(change: dict[str, object]) -> object:
    def corrupt(path: Path) -> None:
        data = json.loads(path.read_text())
        data["entries"][REL][1].update(change)
        path.write_text(json.dumps(data))
    return corrupt


def _update(change: dict[str, object]) -> object:
    def corrupt(path: Path) -> None:
        data = json.loads(path.read_text())
        data["entries"][REL][1]["updates"][0].update(change)
        data["entries"][REL][1]["title"] = "Served from the cache"
        path.write_text(json.dumps(data))
    return corrupt


def _update_line_as_text(path: Path) -> None:
    data = json.loads(path.read_text())
    data["entries"][REL][1]["updates"][0]["line"] = "5"
    data["entries"][REL][1]["title"] = "Served from the cache"
    path.write_text(json.dumps(data))


def _other_files_entry(path: Path) -> None:
    """The entry of another file (its slug and path) under this file's key."""
    data = json.loads(path.read_text())
    other = dict(data["entries"][REL][1], slug="2026-01-01-other",
                 path="content/incidents/2026-01-01-other.md", title="Served from the cache")
    data["entries"][REL][1] = other
    path.write_text(json.dumps(data))


def _maintenance_without_window(path: Path) -> None:
    data = json.loads(path.read_text())
    entry = data["entries"][REL][1]
    entry.update(type="maintenance", title="Served from the cache")
    entry["updates"][0]["status"], entry["updates"][1]["status"] = "scheduled", "completed"
    path.write_text(json.dumps(data))


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


HOSTILE = {
    "garbage": _garbage,
    "huge": _huge,
    "deeply nested": _deep,
    "entries a list": _entries_a_list,
    "another format revision": _other_revision,
    "title a number": _entry({"title": 5}),
    "unknown type": _entry({"type": "outage", "title": "Served from the cache"}),
    "extra key": _entry({"extra": 1, "title": "Served from the cache"}),
    "time without offset": _update({"at": "2026-11-02T09:12:00"}),
    "time out of range": _update({"at": "0001-01-01T00:00:00+00:00"}),
    "times out of order": _update({"at": "2026-11-02T11:00:00+00:00"}),
    "status of another type": _update({"status": "scheduled"}),
    "maintenance without a window": _maintenance_without_window,
    "until on an incident": _entry({"until": "2026-11-03T00:00:00+00:00",
                                    "title": "Served from the cache"}),
    "unknown component": _entry({"components": [["nowhere", "major_outage"]],
                                 "title": "Served from the cache"}),
    "line as text": _update_line_as_text,
    "another file's entry": _other_files_entry,
    "a FIFO": _fifo,
    "a folder": _folder,
}


HUGE = 100_000  # MAX_CACHE_BYTES in these tests, to keep them quick


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_cache_file_is_a_miss(repo, cache, capsys, tmp_path, monkeypatch, name):
    monkeypatch.setattr(content_cache, "MAX_CACHE_BYTES", HUGE)
    assert build(repo, tmp_path / "cold", capsys) == 0
    HOSTILE[name](only_file(cache))
    assert build(repo, tmp_path / "warm", capsys) == 0
    assert tree(tmp_path / "warm") == tree(tmp_path / "cold")
    assert check(repo, capsys)[0] == 0
    # The file was parsed and the entry written again, as this code writes it (a folder
    # in its place stays: the cache is then not written).
    if name != "a folder":
        entries = json.loads(only_file(cache).read_text())["entries"]
        assert entries[REL][1]["title"] == "Delayed sign-in emails"


# --- Markdown: the HTML the loader rendered is kept with the entry ----------------------------

RICH = INCIDENT.replace("message: Some sign-in emails are arriving late.",
                        "message: Emails to `example.com` are *late*.")
RICH_TEXT = "Emails to `example.com` are *late*."


def test_the_rendered_markdown_is_kept_and_served(repo, cache, capsys, tmp_path):
    (repo / "content" / "incidents" / f"{SLUG}.md").write_text(RICH)
    assert build(repo, tmp_path / "cold", capsys) == 0
    html = "<p>Emails to <code>example.com</code> are <em>late</em>.</p>"
    entry = json.loads(only_file(cache).read_text())["entries"][REL]
    assert entry[2] == {RICH_TEXT: html}
    assert html in page(tmp_path / "cold")
    data = json.loads(only_file(cache).read_text())
    data["entries"][REL][2][RICH_TEXT] = "<p>HTML from the cache</p>"
    only_file(cache).write_text(json.dumps(data))
    assert build(repo, tmp_path / "warm", capsys) == 0
    assert "<p>HTML from the cache</p>" in page(tmp_path / "warm")


@pytest.mark.parametrize("html", ['<p onclick="x()">late</p>', "<script>x()</script>", 5, None])
def test_html_the_sanitizer_would_change_is_a_miss(repo, cache, capsys, tmp_path, html):
    (repo / "content" / "incidents" / f"{SLUG}.md").write_text(RICH)
    assert build(repo, tmp_path / "cold", capsys) == 0
    data = json.loads(only_file(cache).read_text())
    if html is None:
        data["entries"][REL][2] = {}
    else:
        data["entries"][REL][2][RICH_TEXT] = html
    data["entries"][REL][1]["title"] = "Served from the cache"
    only_file(cache).write_text(json.dumps(data))
    assert build(repo, tmp_path / "warm", capsys) == 0
    assert tree(tmp_path / "warm") == tree(tmp_path / "cold")


# --- the same output -----------------------------------------------------------------------

def test_example_is_byte_identical_cold_and_warm(cache, capsys, tmp_path):
    assert build(REPO, tmp_path / "cold", capsys) == 0
    assert build(REPO, tmp_path / "warm", capsys) == 0
    assert tree(tmp_path / "warm") == tree(tmp_path / "cold")
    entries = json.loads(only_file(cache).read_text())["entries"]
    assert len(entries) == len(list((REPO / "content" / "incidents").glob("*.md"))) == 10
    # Later, the warm cache gives what a cold build gives at that now.
    later = "2027-02-01T00:00:00Z"
    assert build(REPO, tmp_path / "warm-later", capsys, now=later) == 0
    shutil.rmtree(cache)
    assert build(REPO, tmp_path / "cold-later", capsys, now=later) == 0
    assert tree(tmp_path / "warm-later") == tree(tmp_path / "cold-later")


def test_bench_site_is_byte_identical_cold_and_warm(tmp_path):
    """A bench site of 300 incidents (parsed in worker processes), in subprocesses."""
    bench = REPO / "bench" / "generate.py"
    subprocess.run([sys.executable, str(bench), "300", str(tmp_path / "b")], check=True,
                   capture_output=True)
    env = dict(os.environ, HELIOGRAPH_CACHE_DIR=str(tmp_path / "cache"))
    for out in ("cold", "warm"):
        subprocess.run([sys.executable, "-m", "generator", "build", "--source",
                        str(tmp_path / "b"), "--now", NOW, "--output", str(tmp_path / out),
                        "--jobs", "2"], check=True, capture_output=True, env=env)
    assert tree(tmp_path / "warm") == tree(tmp_path / "cold")
    [path] = (tmp_path / "cache" / "content").iterdir()
    assert len(json.loads(path.read_text())["entries"]) == 300


def test_concurrent_builds_leave_a_whole_cache(tmp_path):
    env = dict(os.environ, HELIOGRAPH_CACHE_DIR=str(tmp_path / "cache"))
    builds = [subprocess.Popen([sys.executable, "-m", "generator", "build", "--source",
                                str(REPO), "--now", NOW, "--output", str(tmp_path / f"o{i}"),
                                "--jobs", "1"], env=env, stdout=subprocess.DEVNULL)
              for i in range(3)]
    assert [b.wait() for b in builds] == [0, 0, 0]
    [path] = (tmp_path / "cache" / "content").iterdir()
    assert len(json.loads(path.read_text())["entries"]) == 10
    assert tree(tmp_path / "o0") == tree(tmp_path / "o1") == tree(tmp_path / "o2")


def test_old_contexts_are_pruned(repo, cache, capsys, tmp_path):
    """One file per context, the 8 most recently used kept."""
    path = repo / "content" / "site.yaml"
    original = path.read_text()
    for number in range(10):
        path.write_text(original.replace("history_days: 90", f"history_days: {80 + number}"))
        assert check(repo, capsys)[0] == 0
    names = {p.name for p in cache.iterdir()}
    assert len(names) == 8
    path.write_text(original.replace("history_days: 90", "history_days: 89"))
    assert check(repo, capsys)[0] == 0
    assert {p.name for p in cache.iterdir()} == names  # the newest is among them


# --- the codec -----------------------------------------------------------------------------

def test_the_codec_covers_every_field():
    """A field added to the model must be added to the codec (and REVISION bumped)."""
    encoded = encode(load_content(REPO, NOW).incidents[0])
    assert set(encoded) == {f.name for f in dataclasses.fields(Incident)}
    assert set(encoded["updates"][0]) == {f.name for f in dataclasses.fields(Update)}


def test_decoded_incidents_equal_loaded_ones(tmp_path):
    bench = REPO / "bench" / "generate.py"
    subprocess.run([sys.executable, str(bench), "300", str(tmp_path / "b")], check=True,
                   capture_output=True)
    for source in (REPO, tmp_path / "b"):
        content = load_content(source, NOW)
        known = frozenset(c.id for c in content.components)
        for incident in content.incidents:
            data = json.loads(json.dumps(encode(incident)))
            assert decode(data, incident.path, known) == incident
            assert decode(data, "content/incidents/other.md", known) is None


def test_the_context_reads_the_time_zone_rules():
    """A naive time's instant follows the zone's rules: their data is in the context (a
    tzdata update is another context), found where zoneinfo finds it."""
    from generator.content.cache import _zone_rules

    rules = {name: _zone_rules(name) for name in ("UTC", "Europe/Berlin", "America/New_York")}
    assert "?" not in rules.values()
    assert len(set(rules.values())) == 3
