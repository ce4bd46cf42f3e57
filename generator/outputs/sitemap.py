"""Files for search engines: sitemap.xml and robots.txt.

The sitemap lists the HTML pages that outputs/pages.py declares in `page_paths`, next to
the tasks that render them; tests compare the two. A site in several languages lists each
page in every language, each with the page's other languages as xhtml:link alternates
(what Google reads as hreflang, like the pages' own <link rel="alternate">).
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from generator.content.model import Content, Site
from generator.outputs.context import Context
from generator.outputs.pages import page_paths
from generator.site.paths import absolute, edition

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


def sitemap(content: Content, pages: list[tuple[str, str | None]]) -> bytes:
    ET.register_namespace("", SITEMAP_NS)
    site = content.site
    editions = [edition(site, code) for code in site.languages]
    if len(editions) > 1:
        ET.register_namespace("xhtml", XHTML_NS)
    urlset = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for path, lastmod in pages:
        for own in editions:
            url = ET.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
            ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = absolute(own, path)
            if lastmod:
                ET.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = lastmod
            if len(editions) > 1:
                for other, hreflang in [(e, e.language) for e in editions] + \
                        [(editions[0], "x-default")]:
                    ET.SubElement(url, f"{{{XHTML_NS}}}link", rel="alternate",
                                  hreflang=hreflang, href=absolute(other, path))
    ET.indent(urlset)
    return bytes(ET.tostring(urlset, encoding="utf-8", xml_declaration=True)) + b"\n"


def robots(site: Site) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {absolute(site, 'sitemap.xml')}\n".encode()


def seo_files(ctx: Context) -> dict[str, bytes]:
    content, state = ctx.content, ctx.state
    pages = page_paths(content, state)
    return {"sitemap.xml": ctx.memo.get("sitemap", pages, lambda: sitemap(content, pages)),
            "robots.txt": robots(content.site)}
