"""Files for search engines: sitemap.xml and robots.txt, and the site's absolute URLs.

The sitemap lists the HTML pages that `render.render_pages` writes, worked out from the
same content (outputs never see each other's files); tests compare the two lists.
"""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

from generator.model import Content, Incident, Site
from generator.render import Renderer, history_page_count, history_path
from generator.state import State, latest_update
from generator.timeutil import iso

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def absolute(site: Site, path: str = "") -> str:
    """The public URL of an output path; folders end with '/' (no index.html)."""
    return site.base_url + path.removesuffix("index.html")


def incident_url(site: Site, incident: Incident) -> str:
    """An entry's permanent address: its slug never changes, so neither does this."""
    return absolute(site, f"incidents/{incident.slug}/")


def component_url(site: Site, component_id: str) -> str:
    return absolute(site, f"components/{component_id}/")


def page_paths(content: Content, now: datetime) -> list[tuple[str, str | None]]:
    """(output path, last modification or None) of every indexable HTML page.

    404.html and the embed widget are left out: neither is a page anyone should land on
    from a search engine.
    """
    pages: list[tuple[str, str | None]] = [("index.html", None)]
    for number in range(1, history_page_count(content.incidents,
                                              content.site.history_page_size) + 1):
        pages.append((history_path(number), None))
    for incident in content.incidents:
        pages.append((f"incidents/{incident.slug}/index.html",
                      iso(latest_update(incident, now).at)))
    for component in content.components:
        pages.append((f"components/{component.id}/index.html", None))
    return pages


def sitemap(content: Content, pages: list[tuple[str, str | None]]) -> bytes:
    ET.register_namespace("", SITEMAP_NS)
    urlset = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for path, lastmod in pages:
        url = ET.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = absolute(content.site, path)
        if lastmod:
            ET.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = lastmod
    ET.indent(urlset)
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"


def robots(site: Site) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {absolute(site, 'sitemap.xml')}\n".encode()


def seo_files(content: Content, state: State, renderer: Renderer) -> dict[str, bytes]:
    pages = page_paths(content, state.now)
    return {"sitemap.xml": renderer.memo.get("sitemap", pages, lambda: sitemap(content, pages)),
            "robots.txt": robots(content.site)}
