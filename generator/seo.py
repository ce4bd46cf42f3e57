"""Files for search engines: sitemap.xml and robots.txt.

The sitemap lists the HTML pages that `render.page_tasks` writes, worked out from the
same content and paths (outputs never see each other's files); tests compare the two.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from generator.model import Content, Site
from generator.paths import absolute, component_dir, history_pages, incident_dir
from generator.render import Renderer
from generator.state import State
from generator.timeutil import iso

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def page_paths(content: Content, state: State) -> list[tuple[str, str | None]]:
    """(output path, last modification or None) of every indexable HTML page.

    404.html and the embed widget are left out: neither is a page anyone should land on
    from a search engine.
    """
    pages: list[tuple[str, str | None]] = [("index.html", None)]
    for listing in history_pages(state.past, content.site.history_page_size):
        pages.append((listing.path, None))
    for incident in content.incidents:
        pages.append((incident_dir(incident.slug) + "index.html",
                      iso(state.latest(incident).at)))  # the clock's events included
    for component in content.listed_components:
        pages.append((component_dir(component.id) + "index.html", None))
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
    pages = page_paths(content, state)
    return {"sitemap.xml": renderer.memo.get("sitemap", pages, lambda: sitemap(content, pages)),
            "robots.txt": robots(content.site)}
