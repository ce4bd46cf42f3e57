"""Check a repository written by generate.py against the rules of SPEC.md sections 2-4.

    python bench/check_generated.py OUTDIR [--now 2026-11-27T00:00:00Z]

Independent of Heliograph (needs PyYAML only). Prints a summary; exit status 1 and one
line per problem when a file breaks a rule.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from generate import DEFAULT_NOW, MAX_WORDS, MIN_WORDS, count_words, parse_time

SITE_KEYS = {"title", "base_url", "timezone", "language", "description", "theme", "history_days"}
ENTRY_KEYS = {"title", "type", "impact", "backfilled", "components", "updates", "window"}
COMPONENT_STATUSES = {
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
}
INCIDENT_ORDER = ["investigating", "identified", "monitoring", "resolved", "postmortem"]
MAINTENANCE_ORDER = ["scheduled", "in_progress", "verifying", "completed"]
SLUG_RE = re.compile(r"\d{4}-\d{2}-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*")


def as_utc(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return parse_time(str(value))


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---\n"):
        raise ValueError("no front matter")
    head, sep, body = text[4:].partition("\n---\n")
    if not sep:
        raise ValueError("front matter is not closed")
    return yaml.safe_load(head), body


def check_updates(data: dict[str, Any], now: datetime, stats: Counter[str]) -> list[str]:
    kind = data.get("type", "incident")
    order = MAINTENANCE_ORDER if kind == "maintenance" else INCIDENT_ORDER
    updates = data["updates"]
    problems = [] if 3 <= len(updates) <= 6 else [f"{len(updates)} updates"]
    times = [as_utc(u["at"]) for u in updates]
    statuses = [u["status"] for u in updates]
    if any(s not in order for s in statuses):
        return [*problems, f"invalid statuses for {kind}: {statuses}"]
    ranks = [order.index(s) for s in statuses]
    if times != sorted(times):
        problems.append("updates out of time order")
    if ranks != sorted(ranks):
        problems.append(f"statuses go backwards: {statuses}")
    if max(times) > now:
        problems.append("update after now")
    if not all(isinstance(u["message"], str) and u["message"].strip() for u in updates):
        problems.append("empty message")
    if kind == "maintenance":
        problems += check_window(data, statuses, now, stats)
    elif "resolved" not in statuses:
        stats[f"open {kind}"] += 1
    elif statuses[-1] == "postmortem":
        stats["postmortem"] += 1
    return problems


def check_window(
    data: dict[str, Any], statuses: list[str], now: datetime, stats: Counter[str]
) -> list[str]:
    window = data.get("window") or {}
    start, end = as_utc(window["start"]), as_utc(window["end"])
    if not start < end:
        return ["window end not after start"]
    if start > now:
        stats["upcoming maintenance"] += 1
        return [] if set(statuses) == {"scheduled"} else ["upcoming but not only scheduled"]
    if end > now:
        stats["maintenance in progress"] += 1
        return []
    return (
        []
        if statuses[0] == "scheduled" and statuses[-1] == "completed"
        else [f"past maintenance statuses {statuses}"]
    )


def check_entry(
    path: Path, component_ids: set[str], now: datetime, stats: Counter[str]
) -> list[str]:
    data, body = split_front_matter(path.read_text(encoding="utf-8"))
    kind = data.get("type", "incident")
    stats[kind] += 1
    stats["backfilled"] += bool(data.get("backfilled"))
    problems = [f"unknown keys {sorted(set(data) - ENTRY_KEYS)}"] if set(data) - ENTRY_KEYS else []
    if not SLUG_RE.fullmatch(path.stem):
        problems.append("bad slug")
    if not isinstance(data.get("title"), str) or not data["title"]:
        problems.append("title is not a string")
    if data.get("impact") not in {None, "none", "minor", "major", "critical"}:
        problems.append(f"impact {data.get('impact')!r}")
    comps = data.get("components") or {}
    if kind == "notice" and (comps or data.get("impact", "none") != "none"):
        problems.append("notice with components or impact")
    if kind != "notice" and not 1 <= len(comps) <= 4:
        problems.append(f"{len(comps)} components")
    if set(comps) - component_ids or set(comps.values()) - COMPONENT_STATUSES:
        problems.append(f"bad components {comps}")
    if (kind == "maintenance") != ("window" in data):
        problems.append("window only and always on maintenance")
    problems += check_updates(data, now, stats)
    words = sum(count_words(u["message"]) for u in data["updates"]) + count_words(body)
    stats["words min"] = min(stats.get("words min", words), words)
    stats["words max"] = max(stats["words max"], words)
    if not MIN_WORDS <= words <= MAX_WORDS:
        problems.append(f"{words} words")
    return [f"{path.name}: {p}" for p in problems]


def check_repo(outdir: Path, now: datetime) -> tuple[list[str], Counter[str]]:
    content = outdir / "content"
    site = yaml.safe_load((content / "site.yaml").read_text(encoding="utf-8"))
    problems = [f"site.yaml: unknown keys {set(site) - SITE_KEYS}"] if set(site) - SITE_KEYS else []
    groups = yaml.safe_load((content / "components.yaml").read_text(encoding="utf-8"))["groups"]
    ids = [c["id"] for g in groups for c in g["components"]]
    if len(ids) != len(set(ids)):
        problems.append("components.yaml: duplicate ids")
    stats: Counter[str] = Counter(components=len(ids), groups=len(groups))
    for path in sorted((content / "incidents").glob("*.md")):
        try:
            problems += check_entry(path, set(ids), now, stats)
        except (ValueError, KeyError, TypeError, yaml.YAMLError) as exc:
            problems.append(f"{path.name}: {type(exc).__name__}: {exc}")
    return problems, stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--now", default=DEFAULT_NOW)
    args = parser.parse_args(argv)
    problems, stats = check_repo(args.outdir, parse_time(args.now))
    print(", ".join(f"{key}: {value}" for key, value in sorted(stats.items())))
    for problem in problems[:50]:
        print(problem)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
