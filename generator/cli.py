"""The `heliograph` command line: one subcommand per module."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from generator import __version__
from generator.errors import ContentError
from generator.output import OutputError
from generator.theme import ThemeError

BUG_HINT = ("heliograph: internal error ({kind}: {error}). This is a bug in Heliograph, "
            "not in your content; please report it with the command you ran "
            "(set HELIOGRAPH_DEBUG=1 for the traceback).")


def _build(args: argparse.Namespace) -> int:
    from generator.build import build

    site = build(Path(args.source), Path(args.output), args.now, args.base_url)
    print(f"Built {len(site.files)} files into {args.output} "
          f"({len(site.content.incidents)} incidents, status: {site.state.indicator})")
    return 0


def _check(args: argparse.Namespace) -> int:
    from generator.check import run_check

    return run_check(Path(args.source), args.now, args.format)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="heliograph", description="Static status page generator.")
    p.add_argument("--version", action="version", version=f"heliograph {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = sub.add_parser("build", help="render the site into the output folder")
    b.add_argument("--source", default=".", help="the status page repo (default: .)")
    b.add_argument("--output", default="public", help="output folder (default: public)")
    b.add_argument("--now", help="pin 'now' (ISO 8601) for a reproducible build")
    b.add_argument("--base-url", help="override base_url from site.yaml")
    b.set_defaults(func=_build)

    c = sub.add_parser("check", help="validate the content; exit 1 on any error")
    c.add_argument("--source", default=".", help="the status page repo (default: .)")
    c.add_argument("--now", help="pin 'now' (ISO 8601)")
    c.add_argument("--format", choices=("text", "github"), default="text",
                   help="github: GitHub Actions annotations")
    c.set_defaults(func=_check)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ContentError as exc:
        for problem in exc.problems:
            print(problem.format_text(), file=sys.stderr)
        count = len(exc.problems)
        print(f"heliograph: {count} error{'s' if count != 1 else ''}; nothing was written.",
              file=sys.stderr)
        return 1
    except (OutputError, ThemeError) as exc:
        print(f"heliograph: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for users, but a way to get one
        import os

        if os.environ.get("HELIOGRAPH_DEBUG"):
            traceback.print_exc()
        print(BUG_HINT.format(kind=type(exc).__name__, error=exc), file=sys.stderr)
        return 2
