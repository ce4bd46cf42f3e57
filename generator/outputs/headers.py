"""`_headers`: HTTP headers for the hosts that read such a file (Netlify, Cloudflare Pages).

Always written: those hosts need no setting to use it, and elsewhere it is an inert text
file with nothing private in it (docs/hosting.md). The rules never overlap: Cloudflare
joins the values of a header that several matching rules set, Netlify keeps one, so
only rules that match disjoint paths give the same headers on both.

- Content-hashed assets (a new file name whenever the content changes) are cached for
  a year, `immutable`: one rule per file, never a folder-wide rule, because a theme's
  other static files keep their names and must not be cached for a year.
- The JSON API, feeds, calendars and badges are cached for a minute, so an incident
  shows within a minute, and carry their content type; the API and feeds may be read by
  other sites' scripts (`Access-Control-Allow-Origin: *`).
- HTML keeps the host's default (both revalidate on every request, and both purge their
  CDN on each deploy): fresher than any fixed lifetime.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

HEADERS_FILE = "_headers"
SHORT = "public, max-age=60"
FOREVER = "public, max-age=31536000, immutable"
CORS = ("Access-Control-Allow-Origin", "*")
HASHED_NAME = re.compile(r"assets/[A-Za-z0-9._/-]+\.[0-9a-f]{10}\.(?:css|js|svg)")

# (paths, headers): `:id` is one path segment (a component id).
FIXED: tuple[tuple[tuple[str, ...], tuple[tuple[str, str], ...]], ...] = (
    (("/api/v2/*",), (CORS, ("Cache-Control", SHORT),
                      ("Content-Type", "application/json; charset=utf-8"))),
    (("/feed.atom", "/history.atom", "/components/:id/feed.atom"),
     (CORS, ("Cache-Control", SHORT), ("Content-Type", "application/atom+xml; charset=utf-8"))),
    (("/feed.rss", "/history.rss", "/components/:id/feed.rss"),
     (CORS, ("Cache-Control", SHORT), ("Content-Type", "application/rss+xml; charset=utf-8"))),
    (("/maintenance.ics", "/components/:id/maintenance.ics"),
     (("Cache-Control", SHORT), ("Content-Type", "text/calendar; charset=utf-8"))),
    (("/badge.svg", "/components/:id/badge.svg"),
     (("Cache-Control", SHORT), ("Content-Type", "image/svg+xml"))),
)
# Cloudflare Pages reads at most 100 rules; hashed assets get what the fixed ones leave.
MAX_ASSET_RULES = 100 - sum(len(paths) for paths, _ in FIXED)


def headers_file(assets: Mapping[str, str]) -> bytes:
    """The rules for a site whose theme publishes `assets` (name -> output path)."""
    lines = ["# HTTP headers for Netlify and Cloudflare Pages, written by Heliograph "
             "(docs/hosting.md)."]
    for paths, headers in FIXED:
        for path in paths:
            lines.append(path)
            lines += [f"  {name}: {value}" for name, value in headers]
    hashed = sorted(p for p in assets.values() if HASHED_NAME.fullmatch(p))
    for path in hashed[:MAX_ASSET_RULES]:  # beyond the limit: the host's default
        lines += [f"/{path}", f"  Cache-Control: {FOREVER}"]
    return ("\n".join(lines) + "\n").encode()


def headers_files(assets: Mapping[str, str]) -> dict[str, bytes]:
    return {HEADERS_FILE: headers_file(assets)}
