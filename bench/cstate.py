"""The benchmark's synthetic content as a cState site on Hugo, to compare in the same run.

    python bench/cstate.py N OUTDIR [--seed S] [--now T]         # write the Hugo site only
    python bench/cstate.py N OUTDIR --cstate DIR [--hugo PATH]   # ... and time one cold build

cState (https://github.com/cstate/cstate) is a Hugo theme: a site is a config.yml that
names its systems, and one Markdown file per incident in content/issues/. The entries
are generate.py's (`entries`: the same N, seed and now give the same incidents as
`generate.py N`), told in cState's front matter:

- title; `date`: the first update, or for maintenance the start of its window (cState
  shows a `notice` issue dated in the future as scheduled maintenance);
- `resolved` / `resolvedWhen`: the time of the `resolved` (incident, notice) or
  `completed` (maintenance) update; open incidents and upcoming maintenance are unresolved;
- `severity`: the worst component status: major_outage `down`, partial_outage and
  degraded_performance `disrupted`, under_maintenance `notice`. Notices have no components
  and become `informational: true` posts, without severity or resolution;
- `affected`: the components' names, which are the site's systems, grouped in
  categories as the components are in groups;
- the body: the updates, newest first, each `*Status* - message {{< track "TIME" >}}`
  as cState's example site writes them, then a rule and the entry's Markdown body.

Heliograph facts with no place in cState (impact, backfilled, the window's end of an
unfinished maintenance, component descriptions) are left out. Times are UTC, as cState
asks. Standard library only; cState and Hugo are not part of this repository (see
bench/README.md for how to set them up).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from generate import (
    COMPONENTS,
    DEFAULT_NOW,
    DEFAULT_SEED,
    GROUPS,
    SITE_YAML,
    Entry,
    entries,
    fmt_time,
    parse_time,
)

NAMES = {c.id: c.name for c in COMPONENTS}
SEVERITY = {
    "major_outage": "down",
    "partial_outage": "disrupted",
    "degraded_performance": "disrupted",
    "under_maintenance": "notice",
}
RANK = ["notice", "disrupted", "down"]  # least to most severe
FINAL = {"incident": "resolved", "notice": "resolved", "maintenance": "completed"}
# The settings a cState site needs beside its systems: the taxonomy its system pages are
# built from and the output formats its templates exist for (the JSON API, RSS, the SVG
# badge), with the values cState documents as defaults for the rest.
CONFIG_TAIL = """\
buildFuture: true
enableGitInfo: false
preserveTaxonomyNames: true
taxonomies:
  affected: affected
outputs:
  page: [html, json]
  section: [html, json, rss]
  home: [html, json, rss, svg]
  term: [html, json, rss, svg]
outputFormats:
  svg:
    isPlainText: true
    mediaType: image/svg+xml
"""
PARAMS = """\
  enableUptimeHistogram: true
  dateFormat: January 2, 2006 at 3:04 PM
  shortDateFormat: 15:04 — Jan 2
  useRelativeTime: true
  enableLastMod: true
  incidentHistoryFormat: yearly
  incidentPostsPerPage: 5
  disableComplexCalculations: false
  enableCustomHTML: false
  useLogo: false
  brand: "#0a0c0f"
  ok: "#008000"
  disrupted: "#cc4400"
  down: "#e60000"
  notice: "#24478f"
  alwaysKeepBrandColor: true
  headerTextColor: white
"""


def site_setting(key: str) -> str:
    """A value of generate.py's site.yaml, so that both sites have the same title."""
    for line in SITE_YAML.splitlines():
        name, _, value = line.partition(":")
        if name == key:
            return value.strip()
    raise KeyError(key)


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it)."""
    return json.dumps(text, ensure_ascii=False)


def config_yml() -> str:
    lines = [
        f"title: {quoted(site_setting('title'))}",
        f"baseURL: {site_setting('base_url')}",
        f"languageCode: {site_setting('language')}",
        "defaultContentLanguage: en",
        "params:",
        f"  description: {quoted(site_setting('description'))}",
        "  categories:",
    ]
    for _, group_name, _ in GROUPS:
        lines.append(f"    - name: {quoted(group_name)}")
    lines.append("  systems:")
    for _, group_name, members in GROUPS:
        for component in members:
            lines += [
                f"    - name: {quoted(component.name)}",
                f"      description: {quoted(component.description)}",
                f"      category: {quoted(group_name)}",
            ]
    return "\n".join(lines) + "\n" + PARAMS + CONFIG_TAIL


def end_time(entry: Entry) -> datetime | None:
    """When the entry was resolved or completed; None while it is still going on."""
    done = [u.at for u in entry.updates if u.status == FINAL[entry.kind]]
    return done[0] if done else None


def front_matter(entry: Entry) -> list[str]:
    start = entry.window[0] if entry.window else entry.updates[0].at
    lines = [f"title: {quoted(entry.title)}", f"date: {fmt_time(start)}"]
    if not entry.components:
        return [*lines, "informational: true", "section: issue"]
    end = end_time(entry)
    lines.append(f"resolved: {'true' if end else 'false'}")
    if end:
        lines.append(f"resolvedWhen: {fmt_time(end)}")
    worst = max((SEVERITY[status] for _, status in entry.components), key=RANK.index)
    lines += [f"severity: {worst}", "affected:"]
    lines += [f"  - {quoted(NAMES[cid])}" for cid, _ in entry.components]
    return [*lines, "section: issue"]


def issue_markdown(entry: Entry) -> str:
    """One content/issues/*.md file of cState."""
    updates = [
        f"*{u.status.replace('_', ' ').capitalize()}* - {u.message} "
        f'{{{{< track "{fmt_time(u.at)}" >}}}}'
        for u in reversed(entry.updates)
    ]
    body = "\n\n".join(updates) + (f"\n\n---\n\n{entry.body}" if entry.body else "")
    return "---\n" + "\n".join(front_matter(entry)) + "\n---\n\n" + body + "\n"


def write_site(count: int, site: Path, seed: int, now: datetime) -> None:
    """A Hugo site (config.yml, content/issues/) for cState; site must not exist yet."""
    issues = site / "content" / "issues"
    issues.mkdir(parents=True)
    (site / "config.yml").write_text(config_yml(), encoding="utf-8")
    for slug, entry in entries(count, seed, now):
        with open(issues / f"{slug}.md", "w", encoding="utf-8", newline="\n") as handle:
            handle.write(issue_markdown(entry))


def is_checkout(folder: Path) -> bool:
    """Whether folder looks like cState (a Hugo theme), for a clear error before Hugo's."""
    return (folder / "theme.toml").is_file() and (folder / "layouts" / "issues").is_dir()


def commit(checkout: Path) -> str | None:
    return first_line(["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"])


def hugo_build(
    hugo: str, checkout: Path, site: Path, output: Path, scratch: Path, now: str
) -> tuple[list[str], dict[str, str]]:
    """argv and environment of one cold build: a fresh output folder, and Hugo's cache
    and generated resources in a fresh scratch folder, so nothing of an earlier build is
    reused and the site folder stays as written. `--clock` makes Hugo's "now" the
    benchmark's, like `heliograph build --now`."""
    argv = [
        hugo,
        "--source", str(site),
        "--destination", str(output),
        "--themesDir", str(checkout.parent),
        "--theme", checkout.name,
        "--cacheDir", str(scratch / "cache"),
        "--clock", now,
        "--noBuildLock",
        "--quiet",
    ]  # fmt: skip
    env = {**os.environ, "HUGO_RESOURCEDIR": str(scratch / "resources")}
    return argv, env


def hugo_version(hugo: str) -> str | None:
    return first_line([hugo, "version"])


def first_line(argv: list[str]) -> str | None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = done.stdout.strip()
    return text.splitlines()[0] if done.returncode == 0 and text else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, metavar="N", help="number of incident files")
    parser.add_argument("outdir", type=Path, metavar="OUTDIR", help="new folder for the site")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--now", default=DEFAULT_NOW, help="now of the content and of Hugo")
    parser.add_argument("--cstate", type=Path, metavar="DIR", help="time a build with cState")
    parser.add_argument("--hugo", default="hugo", metavar="PATH", help="Hugo (default hugo)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds for the build")
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("N must be >= 0")
    if args.outdir.exists():
        parser.error(f"{args.outdir} exists: give a new folder")
    try:
        now = parse_time(args.now)
    except ValueError:
        parser.error(f"--now: not an ISO 8601 time: {args.now!r}")
    write_site(args.count, args.outdir / "site", args.seed, now)
    if args.cstate is None:
        return 0
    checkout = args.cstate.resolve()
    if not is_checkout(checkout):
        parser.error(f"--cstate: {checkout} is not a cState checkout (see bench/README.md)")
    hugo = shutil.which(args.hugo)
    if hugo is None:
        parser.error(f"Hugo not found: {args.hugo!r}")
    command, env = hugo_build(
        hugo, checkout, args.outdir / "site", args.outdir / "public", args.outdir, fmt_time(now)
    )
    start = time.perf_counter()
    try:
        done = subprocess.run(command, env=env, timeout=args.timeout, check=False)
    except subprocess.TimeoutExpired:
        print(f"cState on Hugo did not finish within {args.timeout:g} s", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - start
    print(f"{hugo_version(hugo)}: exit status {done.returncode} after {seconds:.3f} s")
    return 0 if done.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
