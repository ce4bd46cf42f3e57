"""What probe results do to incident files: open, update, put under monitoring, resolve.

One incident per component (two components failing at once give two incidents, each
resolved when its own check recovers). Files are only ever created or appended to, with
the author commands' helpers, and validated by the build's loader before they replace
anything. content/probes/<component>/incident records the file probe opened and the
SHA-256 of what probe last wrote to it: when the file differs, a person has edited it,
and probe leaves that incident alone from then on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from generator.commands.authoring import (
    Repo,
    create_unique,
    replace_file,
    validate,
    yaml_scalar,
)
from generator.commands.update import append_update
from generator.content.load import SLUG_RE
from generator.content.model import Component, Content, Incident
from generator.content.timeutil import iso
from generator.probes.engine import shown_target
from generator.probes.store import PROBES_DIR, Record, Result, inside
from generator.state.timeline import build_timeline

COMPONENT_STATUS = {"down": "major_outage", "degraded": "degraded_performance"}


@dataclass(frozen=True)
class Change:
    path: Path
    what: str  # opened, updated, monitoring, resolved


def tracker(source: Path, component: str) -> Path:
    return source / PROBES_DIR / component / "incident"


MAX_TRACKER_BYTES = 1_000  # "<slug>.md <sha256>\n" is under 200


def _read_tracker(path: Path) -> tuple[str, str] | None:
    """(file name, digest), or None for anything else: the file may come from a pull
    request, so it is read only as a small plain file naming an incident file."""
    try:
        if path.is_symlink() or not path.is_file():
            return None
        with path.open("rb") as handle:
            name, digest = handle.read(MAX_TRACKER_BYTES).decode("utf-8").split()
    except (OSError, ValueError):
        return None
    if not name.endswith(".md") or not SLUG_RE.fullmatch(name[:-3]):
        return None
    return name, digest


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _code(error: str) -> str:
    """An error as inline code in Markdown (it comes from the network)."""
    return "`" + error.replace("`", "'") + "`"


def _status_of(incident: Incident, component: str) -> str | None:
    """The component's status in the incident as of its last update that set one."""
    status = dict(incident.components).get(component)
    for update in incident.updates:
        status = dict(update.components).get(component, status)
    return status


def _streak(history: Sequence[Record], up: bool) -> int:
    count = 0
    for record in reversed(history):
        if (record.result.state == "up") != up:
            break
        count += 1
    return count


class Incidents:
    """Applies one component's latest results to its automated incident."""

    def __init__(self, repo: Repo, content: Content, now: datetime):
        self.repo, self.content, self.now = repo, content, now
        self.by_slug = {i.slug: i for i in content.incidents}

    def apply(self, component: Component, history: Sequence[Record]) -> Change | None:
        assert component.check is not None and history
        check = component.check
        track = tracker(self.repo.source, component.id)
        tracked = _read_tracker(track)
        incident = self.by_slug.get(tracked[0].removesuffix(".md")) if tracked else None
        if tracked and (incident is None or not self._open(incident)):
            track.unlink()  # closed or gone (by probe or a person): nothing to follow
            tracked, incident = None, None
        if tracked and incident is not None:
            path = self.repo.incidents_dir / tracked[0]
            if _sha(path.read_bytes()) != tracked[1]:
                return None  # a person took it over
            return self._follow(component, incident, path, history, track)
        if any(self._open(i) and component.id in i.component_ids
               for i in self.content.incidents if i.type == "incident"):
            return None  # people are on it already
        failing = history[-check.failures:]
        if len(failing) < check.failures or any(r.result.state == "up" for r in failing):
            return None
        return self._open_new(component, history[-1].result, track)

    def _open(self, incident: Incident) -> bool:
        return build_timeline(incident).is_open(self.now)

    def _open_new(self, component: Component, result: Result, track: Path) -> Change:
        assert component.check is not None
        check = component.check
        status = COMPONENT_STATUS[result.state]
        title = f"{component.name} is {'unavailable' if result.state == 'down' else 'degraded'}"
        times = f"{check.failures} time{'s' if check.failures != 1 else ''} in a row"
        message = (f"Our automatic check ({shown_target(check)}) failed {times}: "
                   f"{_code(result.error)}. We are investigating.")
        lines = ["---", f"title: {yaml_scalar(title, 0)}", "automated: true", "components:",
                 f"  {component.id}: {status}", "updates:", f"  - at: {iso(self.now)}",
                 "    status: investigating", f"    message: {yaml_scalar(message, 4)}",
                 "---", ""]
        text = "\n".join(lines)
        day = self.now.astimezone(self.repo.site.zone).date().isoformat()
        stem = f"{day}-{component.id}-{'outage' if result.state == 'down' else 'degraded'}"
        validate(self.repo, f"{stem}.md", text, self.now)
        data = text.encode("utf-8")
        path = create_unique(self.repo.incidents_dir, stem, data)
        self._remember(track, path, data)
        return Change(path, "opened")

    def _follow(self, component: Component, incident: Incident, path: Path,
                history: Sequence[Record], track: Path) -> Change | None:
        assert component.check is not None
        check = component.check
        latest = history[-1].result
        last = incident.updates[-1].status
        target = shown_target(check)
        values: dict[str, Any]
        if latest.state == "up":
            ups = _streak(history, up=True)
            if ups >= check.successes:
                times = f"{ups} time{'s' if ups != 1 else ''} in a row"
                values = {"status": "resolved", "message": f"Our automatic check ({target}) "
                          f"succeeded {times}. This incident has been resolved."}
            elif last != "monitoring":
                values = {"status": "monitoring", "message": f"Our automatic check ({target}) "
                          "succeeds again. We are monitoring the results."}
            else:
                return None
        else:
            status = COMPONENT_STATUS[latest.state]
            if status == _status_of(incident, component.id) and last != "monitoring":
                return None
            values = {"status": "investigating", "components": {component.id: status},
                      "message": f"Our automatic check ({target}) fails again: "
                                 f"{_code(latest.error)}. We are investigating."}
        original = path.read_bytes()
        values = {"at": iso(self.now), **values}
        updated = append_update(original.decode("utf-8"), values)
        validate(self.repo, path.name, updated, self.now)
        data = updated.encode("utf-8")
        replace_file(path, original, data)
        if values["status"] == "resolved":
            track.unlink()
        else:
            self._remember(track, path, data)
        return Change(path, str(values["status"]))

    def _remember(self, track: Path, path: Path, data: bytes) -> None:
        track.parent.mkdir(parents=True, exist_ok=True)
        inside(self.repo.source, track)
        track.write_text(f"{path.name} {_sha(data)}\n", encoding="utf-8")
