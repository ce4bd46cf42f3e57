"""Atom and RSS feeds: they parse in feedparser without bozo, hold one entry per entry
with a permanent id, the whole timeline, and do not change unless the content does."""

from __future__ import annotations

import feedparser
import pytest
from building import make_site
from sitefixtures import NOW, REPO, SCENARIOS, build, incident_md, write

SITE_URL = "https://status.tidewater.example/"


def feeds(site) -> dict[str, bytes]:
    return {p: b for p, b in site.files.items() if p.endswith((".atom", ".rss"))}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_feed_parses_without_bozo(scenario, tmp_path_factory):
    site = build(scenario, tmp_path_factory)
    files = feeds(site)
    expected = {"feed.atom", "feed.rss", "history.atom", "history.rss"} | {
        f"components/{c.id}/feed.{kind}"
        for c in site.content.components for kind in ("atom", "rss")}
    assert set(files) == expected
    for path, data in files.items():
        parsed = feedparser.parse(data)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version in ("atom10", "rss20")
        assert parsed.feed.title and parsed.feed.link
        for entry in parsed.entries:
            assert entry.id and entry.title and entry.link
            date = "updated_parsed" if parsed.version == "atom10" else "published_parsed"
            assert entry[date]


def test_site_feed_entries_newest_update_first(example):
    parsed = feedparser.parse(example.files["feed.atom"])
    incidents = example.content.incidents
    assert len(parsed.entries) == len(incidents)
    slugs = [e.id.rstrip("/").rsplit("/", 1)[1] for e in parsed.entries]
    by_slug = {i.slug: i for i in incidents}
    updated = [by_slug[s].updated_at for s in slugs]
    assert updated == sorted(updated, reverse=True)
    assert slugs[0] == "2026-11-26-webhook-delivery-delays"
    assert parsed.feed.updated == "2026-11-26T22:05:00+00:00"  # its newest entry, not now


def test_entry_has_permanent_id_and_whole_timeline(example):
    parsed = feedparser.parse(example.files["feed.atom"])
    incident = next(i for i in example.content.incidents if len(i.updates) >= 3)
    url = f"{SITE_URL}incidents/{incident.slug}/"
    entry = next(e for e in parsed.entries if e.id == url)
    assert entry.link == url
    html = entry.content[0].value
    openings = [" ".join(u.message.split()[:3]) for u in reversed(incident.updates)]
    positions = [html.index(opening) for opening in openings]  # each update is there...
    assert positions == sorted(positions)  # ...newest first
    assert entry.published_parsed <= entry.updated_parsed


def test_rss_uses_permalink_guids_page_link_and_latest_update(example):
    parsed = feedparser.parse(example.files["feed.rss"])
    assert parsed.feed.link == SITE_URL
    for entry in parsed.entries:
        assert entry.id == entry.link and entry.guidislink is False
    assert parsed.entries[0].published == "Thu, 26 Nov 2026 22:05:00 +0000"


def test_self_links_name_each_file(example):
    for path in ("feed.atom", "history.atom", "feed.rss", "history.rss",
                 "components/api/feed.atom"):
        text = example.files[path].decode()
        assert f'href="{SITE_URL}{path}" rel="self"' in text, path


def test_history_feeds_carry_the_same_entries(example):
    for kind in ("atom", "rss"):
        feed = feedparser.parse(example.files[f"feed.{kind}"])
        history = feedparser.parse(example.files[f"history.{kind}"])
        assert [e.id for e in feed.entries] == [e.id for e in history.entries]


def test_component_feed_holds_only_its_entries(example):
    parsed = feedparser.parse(example.files["components/webhooks/feed.atom"])
    touching = {i.slug for i in example.content.incidents if "webhooks" in i.component_ids}
    assert {e.id.rstrip("/").rsplit("/", 1)[1] for e in parsed.entries} == touching
    assert parsed.feed.title == "Tidewater Status: Webhooks"


def test_output_does_not_depend_on_the_clock(tmp_path):
    text = incident_md("Outage", [
        ("2026-11-02T09:00:00Z", "investigating", "Down."),
        ("2026-11-02T10:00:00Z", "resolved", "Back.")], components={"api": "major_outage"})
    root = write(tmp_path, {"2026-11-02-outage": text})
    early, late = make_site(root, "2026-11-03T00:00:00Z"), make_site(root, "2027-02-01T00:00:00Z")
    for path in feeds(early):
        assert early.files[path] == late.files[path], path


def test_same_content_and_now_give_identical_bytes(example):
    again = make_site(REPO, NOW)
    for path, data in feeds(again).items():
        assert data == example.files[path], path


def test_feed_is_bounded_to_feed_entries(tmp_path):
    site_yaml = "title: T\nbase_url: https://status.test/\ntimezone: UTC\nfeed_entries: 3\n"
    incidents = {f"2026-10-{n:02d}-x": incident_md(f"Incident {n}", [
        (f"2026-10-{n:02d}T09:00:00Z", "resolved", "Fixed.")]) for n in range(1, 6)}
    site = make_site(write(tmp_path, incidents, site=site_yaml), NOW)
    for path in ("feed.atom", "feed.rss", "components/api/feed.atom"):
        titles = [e.title for e in feedparser.parse(site.files[path]).entries]
        assert titles == (["Incident 5", "Incident 4", "Incident 3"] if "components" not in path
                          else [])


def test_maintenance_and_notice_titles_say_what_they_are(example):
    titles = [e.title for e in feedparser.parse(example.files["feed.atom"]).entries]
    assert "Maintenance: Payout scheduler migration" in titles
    assert any(t.startswith("Announcement: TLS") for t in titles)


def test_a_maintenance_window_passing_is_a_new_update_for_subscribers():
    slug = "2026-12-06-payout-scheduler-migration"
    url = f"{SITE_URL}incidents/{slug}/"

    def entry(now: str):
        parsed = feedparser.parse(make_site(REPO, now).files["feed.atom"])
        return next(e for e in parsed.entries if e.id == url)

    before, during, after = (entry("2026-12-01T00:00:00Z"), entry("2026-12-06T03:00:00Z"),
                             entry("2026-12-07T00:00:00Z"))
    assert before.updated == "2026-11-25T10:00:00+00:00"
    assert during.updated == "2026-12-06T02:00:00+00:00"
    assert "The maintenance window has started." in during.content[0].value
    assert after.updated == "2026-12-06T04:00:00+00:00"
    assert "The maintenance window has ended." in after.content[0].value


def test_markup_characters_read_back_exactly(tmp_path):
    """The feeds are written as text: a real XML parser reads every title, label and link
    back as it was, in elements and in attributes (where a quote, line break or tab must be
    escaped too)."""
    from xml.etree import ElementTree

    title = "Q&A <beta> \"quoted\" 'single' ]]> é"
    label = 'Inc "x"\tA & B\nC'
    root = write(tmp_path, {"2026-10-01-x": incident_md(title.replace('"', '\\"').join('""'), [
        ("2026-10-01T09:00:00Z", "resolved", "Fixed & 1 < 2.")])})
    overrides = root / "themes" / "default" / "i18n"
    overrides.mkdir(parents=True)
    (overrides / "en.yaml").write_text(
        "types:\n  incident: " + label.replace("\t", "\\t").replace("\n", "\\n")
        .replace('"', '\\"').join('""') + "\n", encoding="utf-8")
    site = make_site(root, NOW)
    atom = "{http://www.w3.org/2005/Atom}"
    entry = ElementTree.fromstring(site.files["feed.atom"]).find(f"{atom}entry")
    assert entry is not None
    assert entry.findtext(f"{atom}title") == title
    category = entry.find(f"{atom}category")
    assert category is not None and category.attrib == {"term": "incident", "label": label}
    assert (entry.findtext(f"{atom}content") or "").endswith("<p>Fixed &amp; 1 &lt; 2.</p>")
    item = ElementTree.fromstring(site.files["feed.rss"]).find("channel/item")
    assert item is not None
    assert item.findtext("title") == title
    assert item.findtext("category") == label
