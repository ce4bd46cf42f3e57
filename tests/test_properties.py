"""Property-based tests: generated valid content always builds and its derived state keeps
its invariants; arbitrary text never raises anything but ContentError."""

from __future__ import annotations

import json
import tempfile
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

from building import make_site
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.content.load import load_content
from generator.content.model import COMPONENT_STATUSES, component_statuses_for, status_rank
from generator.content.timeutil import iso
from generator.errors import ContentError

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
BUILD_SETTINGS = settings(max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
TEXT_SETTINGS = settings(max_examples=150, deadline=None,
                         suppress_health_check=[HealthCheck.too_slow])
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]
IDS = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,4})?", fullmatch=True)
CHARS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn"))
WORDS = st.text(CHARS, min_size=1, max_size=30).filter(lambda s: s.strip())
BODIES = st.text(st.one_of(CHARS, st.sampled_from("\n\t#*<>&`[]()")), max_size=60)


def q(text: str) -> str:
    # A JSON string is a valid double-quoted YAML scalar (without \\u surrogate pairs).
    return json.dumps(text, ensure_ascii=False)


@st.composite
def updates(draw: st.DrawFn, kind: str) -> list[tuple[datetime, str]]:
    count = draw(st.integers(1, 4))
    offsets = sorted(draw(st.lists(st.integers(0, 60 * 24 * 30), min_size=count,
                                   max_size=count)), reverse=True)
    times = [NOW - timedelta(minutes=m) for m in offsets]
    if kind == "maintenance":
        statuses = draw(st.lists(st.sampled_from(["scheduled", "in_progress", "verifying",
                                                  "completed"]), min_size=count,
                                 max_size=count))
    else:
        open_part = ["investigating", "identified", "monitoring"]
        statuses = [draw(st.sampled_from(open_part)) for _ in times]
        resolved_at = draw(st.one_of(st.none(), st.integers(0, count - 1)))
        if resolved_at is not None:
            statuses[resolved_at:] = ["resolved"] + ["postmortem"] * (count - resolved_at - 1)
    return list(zip(times, statuses, strict=True))


@st.composite
def repos(draw: st.DrawFn) -> dict[str, str]:
    ids = draw(st.lists(IDS, min_size=1, max_size=5, unique=True))
    manual = {cid: draw(st.one_of(st.none(), st.sampled_from(COMPONENT_STATUSES)))
              for cid in ids}
    comp_lines = ["components:"]
    for cid in ids:
        comp_lines += [f"  - id: {cid}", f"    name: {q(draw(WORDS))}"]
        if manual[cid]:
            comp_lines.append(f"    status: {manual[cid]}")
    files = {
        "site.yaml": f"title: {q(draw(WORDS))}\nbase_url: https://status.test/\n"
                     f"timezone: {draw(st.sampled_from(ZONES))}\n"
                     f"history_days: {draw(st.integers(1, 40))}\n",
        "components.yaml": "\n".join(comp_lines) + "\n",
    }
    files.update(draw(incident_files(ids)))
    return files


@st.composite
def incident_files(draw: st.DrawFn, ids: list[str]) -> dict[str, str]:
    """Up to 5 valid incident files (content/incidents/i<n>-<type>.md) about `ids`."""
    files = {}
    for number in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["incident", "maintenance", "notice"]))
        lines = ["---", f"title: {q(draw(WORDS))}", f"type: {kind}"]
        if kind != "notice":
            affected = draw(st.lists(st.sampled_from(ids), unique=True, max_size=len(ids)))
            if affected:
                lines.append("components:")
                lines += [f"  {cid}: {draw(st.sampled_from(component_statuses_for(kind)))}"
                          for cid in affected]
        if kind == "maintenance":
            start = NOW + timedelta(minutes=draw(st.integers(-60 * 24 * 20, 60 * 24 * 20)))
            end = start + timedelta(minutes=draw(st.integers(1, 60 * 24)))
            lines.append(f"window: {{start: {iso(start)}, end: {iso(end)}}}")
        entries = draw(updates(kind))
        # A retrospective maintenance is one declared after its window.
        if draw(st.booleans()) and (kind != "maintenance" or end <= entries[0][0]):
            lines.append("backfilled: true")
        lines.append("updates:")
        for at, status in entries:
            lines += [f"  - at: {iso(at)}", f"    status: {status}",
                      f"    message: {q(draw(WORDS))}"]
            closed = status in ("resolved", "postmortem")
            if kind != "notice" and not closed and draw(st.booleans()):
                # Statuses from this update on: a component may join or change.
                changed = draw(st.lists(st.sampled_from(ids), unique=True, min_size=1))
                lines.append("    components: {" + ", ".join(
                    f"{cid}: {draw(st.sampled_from(component_statuses_for(kind)))}"
                    for cid in changed) + "}")
        lines += ["---", draw(BODIES)]
        files[f"incidents/i{number}-{kind}.md"] = "\n".join(lines) + "\n"
    return files


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "content" / "incidents").mkdir(exist_ok=True)
    return root


@BUILD_SETTINGS
@given(repos())
def test_valid_content_builds_and_keeps_its_invariants(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = make_site(write(Path(tmp), files), NOW)
    content, state = site.content, site.state
    for component in content.components:
        uptime = state.uptime[component.id]
        assert 0 <= float(uptime.percent) <= 100
        assert all(0 <= float(day.uptime) <= 100 for day in uptime.days)
        if component.status is not None:  # never better than its manual status
            assert status_rank(state.component_status[component.id]) >= \
                status_rank(component.status)
    index = site.files["index.html"].decode("utf-8")
    for incident in state.open_incidents:
        assert f"incidents/{incident.slug}/" in index
    feed = ET.fromstring(site.files["feed.atom"]) if "feed.atom" in site.files else None
    feed_ids = [e.findtext("{http://www.w3.org/2005/Atom}id") or ""
                for e in (feed.iter("{http://www.w3.org/2005/Atom}entry")
                          if feed is not None else [])]
    for incident in content.incidents:
        assert f"incidents/{incident.slug}/index.html" in site.files
        if feed is not None and len(content.incidents) <= content.site.feed_entries:
            assert sum(incident.slug in i for i in feed_ids) == 1


def _site_dir() -> Path:
    root = Path(tempfile.mkdtemp(prefix="heliograph-prop-"))
    return write(root, {"site.yaml": "title: T\nbase_url: https://status.test/\n",
                        "components.yaml": "components:\n  - id: api\n    name: API\n"})


SITE_DIR = _site_dir()
YAMLISH = st.lists(st.sampled_from(
    ["title:", " T", "\n", "  ", "- ", "at: ", "2026-11-01T10:00:00", "status: ", "resolved",
     "updates:", "components:", "api: ", "major_outage", "{", "}", "[", "]", "&a ", "*a", "!!",
     "python/object:os.system", "'", '"', "\t", "#", ": ", "---", "...", "no", "1e3", "010",
     "window:", "type: maintenance", "<<: ", "?", "|", ">", "%YAML 1.1", "\\x00", "é", "\ufeff",
     "message: ", "start: ", "end: ", "~", "null", "true", "-1", "999999-01-01"]),
    max_size=40).map("".join)


@TEXT_SETTINGS
@given(st.one_of(st.text(max_size=300), YAMLISH))
def test_arbitrary_front_matter_raises_only_content_error(text: str) -> None:
    path = SITE_DIR / "content" / "incidents" / "x.md"
    path.write_text(f"---\n{text}\n---\n", encoding="utf-8")
    try:
        content = load_content(SITE_DIR, NOW)
    except ContentError as exc:
        assert exc.problems and all(p.file and p.message for p in exc.problems)
        for problem in exc.problems:
            assert problem.line is None or problem.line >= 1
    else:
        assert len(content.incidents) == 1


@TEXT_SETTINGS
@given(st.binary(max_size=200))
def test_arbitrary_bytes_raise_only_content_error(data: bytes) -> None:
    path = SITE_DIR / "content" / "incidents" / "x.md"
    path.write_bytes(data)
    try:
        load_content(SITE_DIR, NOW)
    except ContentError as exc:
        assert exc.problems
