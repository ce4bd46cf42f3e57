"""The dev server's incremental rebuilds give exactly what a fresh build gives."""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from building import make_site
from hypothesis import given
from hypothesis import strategies as st
from test_properties import BUILD_SETTINGS, incident_files, repos, write
from test_properties import NOW as GENERATED_NOW

from generator.content.timeutil import iso
from generator.preview.rebuild import Rebuilder, Snapshot
from generator.theme.themes import default_theme_dir

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-27T01:00:00Z"
BASE = "http://127.0.0.1:8000/"
INCIDENT = "content/incidents/2026-11-12-slow-dashboard-search.md"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "content", tmp_path / "content")
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def fresh(source: Path) -> dict[str, bytes]:
    return make_site(source, NOW, BASE).files


def test_rebuilds_after_edits_match_fresh_builds(source: Path) -> None:
    rebuilder = Rebuilder(source, NOW, BASE)
    assert rebuilder.rebuild().files == fresh(source)

    incident = source / INCIDENT
    edit(incident, "Search has been fast for an hour.", "Search is fast again.")
    assert rebuilder.rebuild([incident]).files == fresh(source)

    components = source / "content" / "components.yaml"
    edit(components, "name: Dashboard", "name: Merchant dashboard")
    assert rebuilder.rebuild([components]).files == fresh(source)

    site = source / "content" / "site.yaml"
    edit(site, "title: Tidewater Status", "title: Tidewater Platform Status")
    assert rebuilder.rebuild([site]).files == fresh(source)

    new = source / "content" / "incidents" / "2026-11-26-new-outage.md"
    new.write_text("---\ntitle: New outage\ncomponents: {api: major_outage}\nupdates:\n"
                   "  - at: 2026-11-26T23:00:00Z\n    status: investigating\n"
                   "    message: The API is down.\n---\n")
    snapshot = rebuilder.rebuild([new])
    assert snapshot.files == fresh(source)
    assert b"Major System Outage" in snapshot.files["index.html"]

    new.unlink()
    assert rebuilder.rebuild([new]).files == fresh(source)


def test_unchanged_pages_are_not_rendered_again(source: Path) -> None:
    rebuilder = Rebuilder(source, NOW, BASE)
    rebuilder.rebuild()
    assert rebuilder.renderer is not None
    memo = rebuilder.renderer.memo
    misses = memo.misses
    incident = source / INCIDENT
    edit(incident, "Search has been fast for an hour.", "Search is fast again.")
    rebuilder.rebuild([incident])
    # The edited incident's view and page, the history page and component page that list
    # it, its feeds and the sitemap; not the other incidents' pages.
    assert 0 < memo.misses - misses < 13


def test_a_template_edit_is_rendered_on_the_next_rebuild(source: Path) -> None:
    rebuilder = Rebuilder(source, NOW, BASE)
    rebuilder.rebuild()
    override = source / "themes" / "default" / "templates" / "404.html"
    override.parent.mkdir(parents=True)
    override.write_text('{% extends "base.html" %}{% block main %}<h1>Lost here</h1>'
                        "{% endblock %}")
    snapshot = rebuilder.rebuild([override])
    assert b"Lost here" in snapshot.files["404.html"]
    assert snapshot.files == fresh(source)


OUTAGE = "content/incidents/2026-09-03-api-outage.md"


def test_body_and_per_update_component_edits_reach_every_output(source: Path) -> None:
    """Each piece is remembered under the values it is made from (the entry itself, its
    events), so an edit that leaves the update list alone still reaches the feeds."""
    rebuilder = Rebuilder(source, NOW, BASE)
    rebuilder.rebuild()
    outage = source / OUTAGE
    edit(outage, "Backend pools can no longer be renamed", "Backend pools cannot be renamed")
    snapshot = rebuilder.rebuild([outage])
    assert snapshot.files == fresh(source)
    assert b"Backend pools cannot be renamed" in snapshot.files["feed.atom"]
    assert b"Backend pools cannot be renamed" in snapshot.files["components/api/feed.rss"]

    edit(outage, "components: {api: major_outage, dashboard: major_outage,",
         "components: {api: partial_outage, dashboard: major_outage,")
    snapshot = rebuilder.rebuild([outage])
    assert snapshot.files == fresh(source)
    feed = snapshot.files["components/api/feed.atom"].decode()
    assert "Public API: Partial outage → Operational" in feed
    assert "Public API: Major outage" not in feed


def test_a_theme_change_the_watcher_missed_reaches_the_next_content_rebuild(
        source: Path) -> None:
    """A themes/ folder made after `serve` started is not watched until the next rebuild,
    and a content edit reuses the renderer: the theme's files are compared each time, so
    the new stylesheet (a new hashed name on every page) is not left out."""
    rebuilder = Rebuilder(source, NOW, BASE)
    first = rebuilder.rebuild()
    style = source / "themes" / "default" / "static" / "style.css"
    style.parent.mkdir(parents=True)
    style.write_text("body { color: #123456; }\n")
    incident = source / INCIDENT
    edit(incident, "Search has been fast for an hour.", "Search is fast again.")
    snapshot = rebuilder.rebuild([incident])  # only the content edit is reported
    assert snapshot.files == fresh(source)
    css = [p for p in snapshot.files if p.startswith("assets/style.")]
    assert len(css) == 1 and snapshot.files[css[0]] == b"body { color: #123456; }\n"
    assert css[0].encode() in snapshot.files["index.html"]
    assert css[0] not in first.files


OPEN = "content/incidents/2026-11-26-webhook-delivery-delays.md"


@pytest.fixture
def themed(source: Path) -> Path:
    """The example with the default theme copied into the repo (docs/theming.md)."""
    shutil.copytree(default_theme_dir(), source / "themes" / "default")
    return source


def test_the_three_kinds_of_edit_rebuild_as_a_fresh_build(themed: Path) -> None:
    """An incident's body, a component's status (in an open incident's update, then in
    components.yaml) and a template of the copied theme: each rebuild is byte for byte a
    fresh build; after the template edit, only pages are made again."""
    rebuilder = Rebuilder(themed, NOW, BASE)
    rebuilder.rebuild()
    page = "incidents/2026-11-26-webhook-delivery-delays/index.html"

    incident = themed / OPEN
    edit(incident, "in order.\n---\n", "in order.\n---\nNearly there.\n")  # a body
    snapshot = rebuilder.rebuild([incident])
    assert snapshot.files == fresh(themed)
    assert b"Nearly there." in snapshot.files[page]

    edit(incident, "    status: identified\n", "    status: identified\n"
         "    components: {webhooks: major_outage}\n")
    snapshot = rebuilder.rebuild([incident])
    assert snapshot.files == fresh(themed)
    assert b"Partial outage \xe2\x86\x92 Major outage" in snapshot.files[page]
    assert b"favicon-critical." in snapshot.files["index.html"]  # the page's status too

    components = themed / "content" / "components.yaml"
    edit(components, "status: degraded_performance", "status: partial_outage")
    snapshot = rebuilder.rebuild([components])
    assert snapshot.files == fresh(themed)
    assert b"Partial outage" in snapshot.files["components/reports/index.html"]

    template = themed / "themes" / "default" / "templates" / "incident.html"
    edit(template, "{% block main %}", "{% block main %}<p>Edited template</p>")
    snapshot = rebuilder.rebuild([template])
    assert snapshot.files == fresh(themed)
    assert b"<p>Edited template</p>" in snapshot.files[page]
    assert b"<p>Edited template</p>" not in snapshot.files["index.html"]
    # Every page is made again (the index and the widget are not remembered), but not the
    # entries' views, the feeds or the calendars: they do not depend on templates.
    assert rebuilder.renderer is not None
    pages = sum(path.endswith(".html") for path in snapshot.files)
    assert rebuilder.renderer.memo.misses == pages - 2


def test_the_page_asked_for_first_is_the_new_build_s(themed: Path) -> None:
    """Pages are made when asked for, before the rest: the edited page, a page that lists
    it and a feed are each what a fresh build gives, with nothing else made yet."""
    rebuilder = Rebuilder(themed, NOW, BASE)
    rebuilder.rebuild()
    template = themed / "themes" / "default" / "templates" / "incident.html"
    edit(template, "{% block main %}", "{% block main %}<p>Edited template</p>")
    incident = themed / OPEN
    edit(incident, "will be delivered in order.", "will be delivered in order. Nearly.")
    snapshot = rebuilder.start([template, incident])
    assert snapshot.site is not None and not snapshot.site.done
    expected = fresh(themed)
    for path in ("incidents/2026-11-26-webhook-delivery-delays/index.html", "index.html",
                 "history/index.html", "components/webhooks/index.html", "feed.atom"):
        found = rebuilder.find(path)
        assert found == (snapshot, expected[path], False), path
    assert rebuilder.find("history") == (snapshot, None, True)  # a folder: redirected
    assert rebuilder.find("no/such/page.html") == (snapshot, None, False)
    assert not snapshot.site.done
    assert rebuilder.finish() and snapshot.site.done and snapshot.files == expected


@pytest.mark.parametrize("whole", [True, False])
def test_a_template_error_keeps_the_last_good_site(themed: Path, whole: bool) -> None:
    """A template that fails while a page is made: the site it replaced is served (whole,
    or still made as pages are asked for), with the problem, until the template is fixed."""
    rebuilder = Rebuilder(themed, NOW, BASE)
    good = rebuilder.rebuild() if whole else rebuilder.start()
    page = "incidents/2026-11-26-webhook-delivery-delays/index.html"
    expected = fresh(themed)
    template = themed / "themes" / "default" / "templates" / "incident.html"
    text = template.read_text()
    template.write_text(text.replace("{% block main %}", "{% block main %}{{ no_such.name }}"))
    failed: list[Snapshot] = []
    rebuilder.on_failure = failed.append
    assert rebuilder.start([template]).problems == ()  # no page made yet
    snapshot, data, _ = rebuilder.find(page)
    assert data == expected[page] and snapshot.site is good.site
    assert [p.file for p in snapshot.problems] == ["themes/default/templates/incident.html"]
    assert "no_such" in snapshot.problems[0].message and failed == [snapshot]
    assert rebuilder.find("components/webhooks/index.html")[1] == \
        expected["components/webhooks/index.html"]
    template.write_text(text)
    assert rebuilder.rebuild([template]).files == fresh(themed)


def test_the_clock_moves_pages_whose_files_did_not_change(source: Path) -> None:
    """`serve` without --now rebuilds at the current time: a maintenance window that
    begins between two rebuilds changes its pages, though no file changed."""
    rebuilder = Rebuilder(source, NOW, BASE)
    rebuilder.rebuild()
    for now in ("2026-12-06T02:30:00Z", "2026-12-06T05:00:00Z"):
        rebuilder.now = now
        snapshot = rebuilder.rebuild()
        assert snapshot.files == make_site(source, now, BASE).files
    page = snapshot.files["incidents/2026-12-06-payout-scheduler-migration/index.html"]
    assert b"Completed" in page


def test_a_change_the_watcher_missed_is_found(source: Path) -> None:
    """Content files are compared with what was read (time, size, inode) once the site
    is made: an edit no event reported, a file added and one removed are found."""
    rebuilder = Rebuilder(source, NOW, BASE)
    rebuilder.rebuild()
    assert rebuilder.missed() == []
    incident = source / INCIDENT
    edit(incident, "Search has been fast for an hour.", "Search is fast again.")
    added = source / "content" / "incidents" / "2026-11-26-new-outage.md"
    added.write_text("---\ntitle: New outage\nupdates:\n  - at: 2026-11-26T23:00:00Z\n"
                     "    status: investigating\n    message: The API is down.\n---\n")
    removed = source / OUTAGE
    removed.unlink()
    rebuilder.rebuild([incident])  # only this one reported
    missed = rebuilder.missed()
    assert [p.name for p in missed] == sorted([added.name, removed.name])
    assert rebuilder.rebuild(missed).files == fresh(source)
    assert rebuilder.missed() == []


@BUILD_SETTINGS
@given(repos(), st.data())
def test_any_edits_and_later_times_rebuild_as_a_fresh_build(files: dict[str, str],
                                                             data: st.DataObject) -> None:
    """Incidents kept, edited, added and removed, and the clock moved on (past window
    edges): the content read again from the changed files, the state derived from the
    last one and the site rebuilt from both are what a fresh load, derive and build give."""
    ids = re.findall(r"- id: (\S+)", files["components.yaml"])
    old = {name: text for name, text in files.items() if name.startswith("incidents/")}
    kept = data.draw(st.lists(st.sampled_from(sorted(old)), unique=True) if old
                     else st.just([]))
    new = {**{name: old[name] for name in kept}, **data.draw(incident_files(ids))}
    later = GENERATED_NOW + timedelta(minutes=data.draw(st.integers(0, 60 * 24 * 21)))
    with tempfile.TemporaryDirectory() as tmp:
        root = write(Path(tmp), files)
        rebuilder = Rebuilder(root, iso(GENERATED_NOW), BASE)
        assert rebuilder.rebuild().problems == ()
        changed = []
        for name in sorted(set(old) | set(new)):
            path = root / "content" / name
            if name not in new:
                path.unlink()
            elif old.get(name) != new[name]:
                path.write_text(new[name], encoding="utf-8")
            else:
                continue
            changed.append(path)
        rebuilder.now = iso(later)
        snapshot = rebuilder.rebuild(changed)
        expected = make_site(root, iso(later), BASE)
    assert snapshot.problems == ()
    assert rebuilder.content == expected.content
    assert rebuilder.state == expected.state
    assert snapshot.files == expected.files


def test_a_build_keeps_no_page_but_serve_does() -> None:
    """A build makes each page once: its memo does not keep them (their bytes are written
    to disk; at 10,000 incidents they were a fifth of the memory). The dev server keeps
    them, to make again only the pages whose inputs changed; and a build still keeps
    what pages share (an entry's view, a feed entry's HTML)."""
    from generator.site.memo import Memo

    made: list[str] = []

    def make(name: str) -> str:
        made.append(name)
        return name.upper()

    build, serve = Memo(forget="page"), Memo()
    for memo in (build, serve):
        for _ in range(2):
            assert memo.get(("page", "index.html"), 1, lambda: make("page")) == "PAGE"
            assert memo.get(("entry", "outage"), 1, lambda: make("entry")) == "ENTRY"
    assert made == ["page", "entry", "page",  # the build: the page twice, the entry once
                    "page", "entry"]  # serve: each once
