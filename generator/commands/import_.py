"""`heliograph import statuspage|cstate|upptime SOURCE`: another tool's page as content.

The importer reads its source into plain data (generator/importers/); every file is then
checked with the build's loader against the site.yaml and components.yaml it will meet,
and written only where nothing is (or, with --force, replaced). What the source says that
Heliograph cannot hold is listed, with the field and the reason.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from importlib import import_module
from pathlib import Path

from generator.commands.authoring import parse_time, user_error
from generator.content.model import Site
from generator.content.timeutil import get_zone, utc_now
from generator.errors import printable
from generator.importers.files import COMPONENTS_FILE, Outcome, plan, write
from generator.importers.model import Imported


def _now(args: argparse.Namespace) -> datetime:
    if not args.now:
        return utc_now()
    utc_site = Site(title="", base_url="http://localhost/", timezone="UTC", zone=get_zone("UTC"))
    return parse_time(args.now, utc_site, "--now")


def read(args: argparse.Namespace) -> Imported:
    module = import_module(f"generator.importers.{args.tool}")
    if args.tool == "upptime":
        return module.run(args.sources[0], args.issues)  # type: ignore[no-any-return]
    if args.tool == "cstate":
        return module.run(args.sources[0])  # type: ignore[no-any-return]
    return module.run(args.sources)  # type: ignore[no-any-return]


def report(imported: Imported, outcome: Outcome, target: Path) -> None:
    sections = ((f"Created in {target}:", outcome.created),
                ("Replaced (--force):", outcome.replaced),
                ("Unchanged, already imported:", outcome.unchanged),
                ("Left alone, already there and different (--force replaces them):",
                 outcome.kept))
    for title, names in sections:
        if names:
            print(title)
            print("".join(f"  {name}\n" for name in names), end="")
    if imported.unmapped:
        print(f"Not imported from {imported.tool} ({len(imported.unmapped)}):")
        for item in imported.unmapped:
            print(f"  {printable(item.where)}: {printable(item.reason)}")
    for note in imported.notes:
        print(f"Note: {note}")


def main(args: argparse.Namespace) -> int:
    if args.tool in ("cstate", "upptime") and len(args.sources) != 1:
        raise user_error(args.tool, f"give one {args.tool} folder")
    now = _now(args)
    imported = read(args)
    target = Path(args.source)
    files, refused = plan(imported, target, args.force, now)
    outcome = Outcome(rejected=refused)
    write(target, files, args.force, outcome)
    report(imported, outcome, target)
    if refused:
        for problem in refused:
            print(problem.format_text(), file=sys.stderr)
        if any(COMPONENTS_FILE in kept for kept in outcome.kept):
            print(f"heliograph: {COMPONENTS_FILE} was left alone, and entries name components "
                  "it does not have (imported components match existing ones by name); "
                  "--force replaces it with the imported components.", file=sys.stderr)
        count = len(refused)
        print(f"heliograph: {count} problem{'s' if count != 1 else ''} in entries that were "
              "not imported (the rest was).", file=sys.stderr)
        return 1
    return 0
