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
from test_properties import BUILD_SETTINGS, NOW, incident_files, repos, write

from generator.content.timeutil import iso
from generator.preview.rebuild import Rebuilder

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_NOW = "2026-11-27T01:00:00Z"
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
    return make_site(source, EXAMPLE_NOW, BASE).files


def test_rebuilds_after_edits_match_fresh_builds(source: Path) -> None:
    rebuilder = Rebuilder(source, EXAMPLE_NOW, BASE)
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
    rebuilder = Rebuilder(source, EXAMPLE_NOW, BASE)
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
    rebuilder = Rebuilder(source, EXAMPLE_NOW, BASE)
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
    rebuilder = Rebuilder(source, EXAMPLE_NOW, BASE)
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
    rebuilder = Rebuilder(source, EXAMPLE_NOW, BASE)
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
    later = NOW + timedelta(minutes=data.draw(st.integers(0, 60 * 24 * 21)))
    with tempfile.TemporaryDirectory() as tmp:
        root = write(Path(tmp), files)
        rebuilder = Rebuilder(root, iso(NOW), BASE)
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
