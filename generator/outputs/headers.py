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

from generator.outputs.context import Context
from generator.site.paths import media_type

HEADERS_FILE = "_headers"
SHORT = "public, max-age=60"
FOREVER = "public, max-age=31536000, immutable"
CORS = ("Access-Control-Allow-Origin", "*")
HASHED_NAME = re.compile(r"assets/[A-Za-z0-9._/-]+\.[0-9a-f]{10}\.(?:css|js|svg)")

# The files of each kind, as paths: `:id` is one path segment (a component id).
FEEDS = ("feed.{kind}", "history.{kind}", "components/:id/feed.{kind}")
CALENDARS = ("maintenance.ics", "components/:id/maintenance.ics")
BADGES = ("badge.svg", "components/:id/badge.svg")
# Cloudflare Pages reads at most 100 rules; hashed assets get what the fixed ones leave.
MAX_RULES = 100


def fixed_rules(multilingual: bool) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """(path, headers) of the API, feeds, calendars and badges; with several languages,
    also those under a language's folder (`:lang`, one segment: the rules stay disjoint)."""
    def short(path: str, *extra: tuple[str, str],
              like: str = "") -> tuple[str, tuple[tuple[str, str], ...]]:
        kind = media_type(like or path)
        return path, (*extra, ("Cache-Control", SHORT), ("Content-Type", kind))

    rules = [short("/api/v2/*", CORS, like="summary.json")]  # the API is JSON only
    for folder in ("/", "/:lang/") if multilingual else ("/",):
        rules += [short(folder + path.format(kind=kind), CORS)
                  for kind in ("atom", "rss") for path in FEEDS]
        rules += [short(folder + path) for path in (*CALENDARS, *BADGES)]
    return rules


def headers_file(assets: Mapping[str, str], multilingual: bool = False) -> bytes:
    """The rules for a site whose theme publishes `assets` (name -> output path), in one
    language or in several."""
    lines = ["# HTTP headers for Netlify and Cloudflare Pages, written by Heliograph "
             "(docs/hosting.md)."]
    fixed = fixed_rules(multilingual)
    for path, headers in fixed:
        lines.append(path)
        lines += [f"  {name}: {value}" for name, value in headers]
    hashed = sorted(p for p in assets.values() if HASHED_NAME.fullmatch(p))
    for path in hashed[:MAX_RULES - len(fixed)]:  # beyond the limit: the host's default
        lines += [f"/{path}", f"  Cache-Control: {FOREVER}"]
    return ("\n".join(lines) + "\n").encode()


def headers_files(ctx: Context) -> dict[str, bytes]:
    return {HEADERS_FILE: headers_file(ctx.assets, bool(ctx.content.site.translations))}
