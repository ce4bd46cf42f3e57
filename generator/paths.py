"""Where everything is published: the output paths and URLs, in one place.

Pages are folders (`incidents/<slug>/index.html`) so that their URLs end in '/'; the
slug and the component id are the permanent parts, so URLs never change.
"""

from __future__ import annotations

from generator.model import Incident, Site


def incident_dir(slug: str) -> str:
    return f"incidents/{slug}/"


def component_dir(component_id: str) -> str:
    return f"components/{component_id}/"


def history_path(number: int) -> str:
    """The output path of history page `number` (1 is history/ itself)."""
    return "history/index.html" if number == 1 else f"history/page/{number}/index.html"


def history_page_count(incidents: tuple[Incident, ...], size: int) -> int:
    return max(1, -(-len(incidents) // size))


def absolute(site: Site, path: str = "") -> str:
    """The public URL of an output path; folders end with '/' (no index.html)."""
    return site.base_url + path.removesuffix("index.html")


def incident_url(site: Site, incident: Incident) -> str:
    """An entry's permanent address: its slug never changes, so neither does this."""
    return absolute(site, incident_dir(incident.slug))


def component_url(site: Site, component_id: str) -> str:
    return absolute(site, component_dir(component_id))
