"""Small content folders for the machine-readable output tests (API, feeds, calendar,
badges, SEO): the example site plus edge cases, each built with `make_site`."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from building import make_site

from generator.site.build import BuiltSite

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-27T01:00:00Z"
BASE = "https://status.test/"

SITE_YAML = f"title: Test Status\nbase_url: {BASE}\ntimezone: UTC\n"
COMPONENTS_YAML = """\
groups:
  - id: core
    name: Core
    components:
      - id: api
        name: API
      - id: web
        name: Website
components:
  - id: docs
    name: Docs
"""

MAINTENANCE_DONE = """\
---
title: Finished upgrade
type: maintenance
window: {start: 2026-11-01T02:00:00Z, end: 2026-11-01T04:00:00Z}
components: {api: under_maintenance}
updates:
  - at: 2026-10-25T10:00:00Z
    status: scheduled
    message: We will upgrade the API.
  - at: 2026-11-01T03:30:00Z
    status: completed
    message: Done early.
---
"""
MAINTENANCE_NOW = """\
---
title: Running migration
type: maintenance
window: {start: 2026-11-27T00:00:00Z, end: 2026-11-27T03:00:00Z}
components: {web: under_maintenance, docs: under_maintenance}
updates:
  - at: 2026-11-20T10:00:00Z
    status: scheduled
    message: The website moves to a new host.
  - at: 2026-11-27T00:05:00Z
    status: in_progress
    message: Under way.
---
"""
MAINTENANCE_LATER = """\
---
title: Future upgrade
type: maintenance
window: {start: 2026-12-10T02:00:00Z, end: 2026-12-10T04:00:00Z}
components: {docs: under_maintenance}
updates:
  - at: 2026-11-26T10:00:00Z
    status: scheduled
    message: Docs will be read-only.
---
"""


def write(root: Path, incidents: dict[str, str], components: str = COMPONENTS_YAML,
          site: str = SITE_YAML) -> Path:
    content = root / "content"
    (content / "incidents").mkdir(parents=True, exist_ok=True)
    (content / "site.yaml").write_text(site, encoding="utf-8")
    (content / "components.yaml").write_text(components, encoding="utf-8")
    for slug, text in incidents.items():
        (content / "incidents" / f"{slug}.md").write_text(dedent(text), encoding="utf-8")
    return root


def incident_md(title: str, updates: list[tuple[str, str, str]],
                components: dict[str, str] | None = None, kind: str = "incident") -> str:
    lines = ["---", f"title: {title}", f"type: {kind}"]
    if components:
        lines.append("components:")
        lines += [f"  {cid}: {status}" for cid, status in components.items()]
    lines.append("updates:")
    for at, status, message in updates:
        lines += [f"  - at: {at}", f"    status: {status}", f"    message: {message!r}"]
    return "\n".join([*lines, "---", ""])


SCENARIOS = ("example", "empty", "no-incidents", "only-maintenance", "no-components")


def scenario_root(name: str, tmp: Path) -> Path:
    if name == "example":
        return REPO
    if name == "empty":
        return write(tmp, {}, components="")
    if name == "no-incidents":
        return write(tmp, {})
    if name == "only-maintenance":
        return write(tmp, {"2026-11-01-done": MAINTENANCE_DONE, "2026-11-27-now": MAINTENANCE_NOW,
                           "2026-12-10-later": MAINTENANCE_LATER})
    if name == "no-components":
        notice = incident_md("Price change", [("2026-11-20T09:00:00Z", "investigating",
                                               "New **prices** from January.")], kind="notice")
        resolved = incident_md("Login trouble", [
            ("2026-11-02T09:00:00Z", "investigating", "Some users cannot log in."),
            ("2026-11-02T10:00:00Z", "resolved", "Fixed.")])
        return write(tmp, {"2026-11-20-prices": notice, "2026-11-02-login": resolved},
                     components="")
    raise ValueError(name)


_SITES: dict[tuple[str, str], BuiltSite] = {}


def build(name: str, tmp_path_factory, now: str = NOW) -> BuiltSite:
    """The scenario's site, built once per test session and now."""
    key = (name, now)
    if key not in _SITES:
        root = REPO if name == "example" else scenario_root(name, tmp_path_factory.mktemp(name))
        _SITES[key] = make_site(root, now)
    return _SITES[key]
