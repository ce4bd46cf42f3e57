"""sitemap.xml (every HTML page but 404 and the widget, absolute URLs), robots.txt and the
OpenGraph tags in the page head."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sitefixtures import SCENARIOS, build

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NOT_LISTED = {"404.html", "embed/index.html"}


def sitemap_urls(site) -> list[str]:
    root = ET.fromstring(site.files["sitemap.xml"])
    assert root.tag == f"{SITEMAP}urlset"
    return [url.find(f"{SITEMAP}loc").text for url in root.findall(f"{SITEMAP}url")]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_sitemap_lists_exactly_the_html_pages(scenario, tmp_path_factory):
    site = build(scenario, tmp_path_factory)
    base = site.content.site.base_url
    pages = {p for p in site.files if p.endswith(".html")} - NOT_LISTED
    expected = {base + p.removesuffix("index.html") for p in pages}
    urls = sitemap_urls(site)
    assert len(urls) == len(set(urls))
    assert set(urls) == expected
    assert urls[0] == base


def test_sitemap_lastmod_of_incident_pages(tmp_path_factory):
    site = build("example", tmp_path_factory)
    root = ET.fromstring(site.files["sitemap.xml"])
    lastmod = {u.find(f"{SITEMAP}loc").text: u.find(f"{SITEMAP}lastmod")
               for u in root.findall(f"{SITEMAP}url")}
    url = "https://status.tidewater.example/incidents/2026-11-26-webhook-delivery-delays/"
    assert lastmod[url].text == "2026-11-26T22:05:00Z"


def test_robots_points_at_the_sitemap(tmp_path_factory):
    robots = build("example", tmp_path_factory).files["robots.txt"].decode()
    assert "User-agent: *" in robots
    assert "Sitemap: https://status.tidewater.example/sitemap.xml" in robots.splitlines()


def test_pages_carry_opengraph_and_canonical_tags(tmp_path_factory):
    site = build("example", tmp_path_factory)
    slug = "2026-11-26-webhook-delivery-delays"
    html = site.files[f"incidents/{slug}/index.html"].decode()
    url = f"https://status.tidewater.example/incidents/{slug}/"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:title" content="Delayed webhook deliveries' in html
    assert '<meta property="og:site_name" content="Tidewater Status">' in html
    index = site.files["index.html"].decode()
    assert '<meta property="og:description" content="Live status' in index
    assert 'type="application/atom+xml"' in index and 'type="application/rss+xml"' in index
