"""The `heliograph` command line: one subcommand per module."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import NoReturn

from generator import __version__
from generator.errors import ContentError, printable
from generator.site.write import OutputError
from generator.theme.themes import ThemeError

BUG_HINT = ("heliograph: internal error ({kind}: {error}). This is a bug in Heliograph, "
            "not in your content; please report it with the command you ran "
            "(set HELIOGRAPH_DEBUG=1 for the traceback).")


def _command(name: str) -> Callable[[argparse.Namespace], int]:
    """Runs generator/commands/<name>.py's main(args), imported only when that command
    runs: `due` and `check` start without loading what `build` or `serve` need."""
    def run(args: argparse.Namespace) -> int:
        return int(import_module(f"generator.commands.{name}").main(args))
    return run


class _Parser(argparse.ArgumentParser):
    """A usage mistake is the user's error: exit 1 (2 is kept for internal errors)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: argparse.Namespace | None = None) -> argparse.Namespace:
        # argparse reports a subcommand's unknown options from the top-level parser, with
        # the top-level usage; the subcommand's own usage says which options exist.
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            self._command_parser(parsed).error(f"unrecognized arguments: {' '.join(extra)}")
        return parsed

    def _command_parser(self, parsed: argparse.Namespace) -> argparse.ArgumentParser:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                chosen: argparse.ArgumentParser = action.choices.get(
                    str(getattr(parsed, "command", "")), self)
                return chosen
        return self


def _source() -> _Parser:
    """The option every command that reads a status page repo shares."""
    parent = _Parser(add_help=False)
    parent.add_argument("--source", default=".", help="the status page repo (default: .)")
    return parent


def _author_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    n = sub.add_parser("new", parents=[_source()],
                       help="declare an incident, maintenance or notice (a new file)")
    n.add_argument("type", nargs="?", choices=("incident", "maintenance", "notice"))
    n.add_argument("title", nargs="?", help="what customers will read")
    n.add_argument("--component", action="append", metavar="ID=STATUS",
                   help="an affected component and its status (repeatable)")
    n.add_argument("--status", help="status of the first update")
    n.add_argument("--message", help="the first update's message (Markdown)")
    n.add_argument("--at", help="time of the first update (default: now)")
    n.add_argument("--window", nargs=2, metavar=("START", "END"),
                   help="a maintenance's window")
    n.add_argument("--until", metavar="TIME",
                   help="when a notice ends by itself (it closes by the clock)")
    n.add_argument("--backfilled", action="store_true",
                   help="written after the fact (default status: resolved); a maintenance "
                   "with a window that is over is always retrospective")
    n.add_argument("--slug", help="the file name after its date, which is the permanent URL "
                   "(default: from the title, transliterated to a-z)")
    n.set_defaults(func=_command("new"))

    # What `update` and `resolve` share: which file, and when.
    entry = _Parser(add_help=False, parents=[_source()])
    entry.add_argument("slug", help="the file name without .md (the date prefix may be left out)")
    entry.add_argument("--at", help="time of the update (default: now)")

    u = sub.add_parser("update", parents=[entry], help="append an update to an incident")
    u.add_argument("--status", help="the new status")
    u.add_argument("--message", help="what changed (Markdown)")
    u.add_argument("--component", action="append", metavar="ID=STATUS",
                   help="a component's status from this update on (repeatable)")
    u.set_defaults(func=_command("update"))

    r = sub.add_parser("resolve", parents=[entry],
                       help="resolve an incident (complete a maintenance)")
    r.add_argument("--message", help="the closing message (Markdown)")
    r.set_defaults(func=_command("resolve"))

    v = sub.add_parser("serve", parents=[_source()],
                       help="preview on localhost, rebuilt and reloaded on change")
    v.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0: any free)")
    v.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only; "
                   "0.0.0.0 to preview from a VM, container or phone: anyone on the "
                   "network can then see it)")
    v.add_argument("--open", action="store_true", help="open the preview in a browser")
    v.add_argument("--now", help="pin 'now' (ISO 8601) instead of the clock")
    v.set_defaults(func=_command("serve"))

    i = sub.add_parser("init", help="scaffold a new status page repo (or add to an existing one)")
    i.add_argument("dir", nargs="?", default=".", help="where to create it (default: .)")
    i.add_argument("--force", action="store_true",
                   help="replace files that already exist (default: leave them alone)")
    i.add_argument("--host", default="github",
                   choices=("github", "gitlab", "netlify", "cloudflare", "s3"),
                   help="where the page is published: the pipeline to scaffold "
                   "(default: github, GitHub Pages)")
    i.set_defaults(func=_command("init"))

    m = sub.add_parser("import", parents=[_source()],
                       help="bring components and history from Statuspage, cState or Upptime")
    m.add_argument("tool", choices=("statuspage", "cstate", "upptime"))
    m.add_argument("sources", nargs="+", metavar="SOURCE",
                   help="statuspage: a page URL or a folder with a saved api/v2 (several "
                   "snapshots are merged); cstate, upptime: the site's repository folder")
    m.add_argument("--issues", metavar="FILE",
                   help="upptime: incidents as JSON from `gh issue list --json ...`")
    m.add_argument("--force", action="store_true",
                   help="replace files that exist and differ (default: leave them alone)")
    m.add_argument("--now", help="pin 'now' (ISO 8601) for checking the imported files")
    m.set_defaults(func=_command("import_"))


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="heliograph", description="Static status page generator.")
    p.add_argument("--version", action="version", version=f"heliograph {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = sub.add_parser("build", parents=[_source()],
                       help="render the site into the output folder")
    b.add_argument("-o", "--output", default="public", help="output folder (default: public)")
    b.add_argument("--now", help="pin 'now' (ISO 8601) for a reproducible build")
    b.add_argument("--base-url", help="override base_url from site.yaml")
    b.add_argument("--jobs", type=int, metavar="N",
                   help="worker processes for large sites (default: one per CPU)")
    b.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    b.set_defaults(func=_command("build"))

    c = sub.add_parser("check", parents=[_source()],
                       help="validate the content; exit 1 on any error")
    c.add_argument("--now", help="pin 'now' (ISO 8601)")
    c.add_argument("--format", choices=("text", "github"), default="text",
                   help="github: GitHub Actions annotations")
    c.set_defaults(func=_command("check"))
    d = sub.add_parser("due", parents=[_source()],
                       help="whether the clock changed the site since a time (for schedules)")
    d.add_argument("--since", required=True, metavar="TIME",
                   help="the last build's time (build.json's generated_at)")
    d.add_argument("--now", help="pin 'now' (ISO 8601) instead of the clock")
    d.set_defaults(func=_command("due"))
    pr = sub.add_parser("probe", parents=[_source()],
                        help="run the components' checks; open and resolve incidents")
    pr.add_argument("--now", help="pin 'now' (ISO 8601) instead of the clock")
    pr.add_argument("--jobs", type=int, metavar="N", help="checks at once (default: 8)")
    pr.add_argument("--budget", type=float, metavar="SECONDS",
                    help="the whole run's time limit (default: 240)")
    pr.set_defaults(func=_command("probe"))
    _author_commands(sub)
    _notify_command(sub)
    return p


def _positive(kind: type[int] | type[float]) -> Callable[[str], float]:
    """A number option's type: a whole number from 1, or a float from 0."""
    def parse(text: str) -> float:
        value = kind(text)
        if value < 0 or (kind is int and value < 1):
            raise ValueError(text)
        return value
    parse.__name__ = kind.__name__  # argparse names the type in its error
    return parse


def _notify_command(sub: argparse._SubParsersAction[_Parser]) -> None:
    o = sub.add_parser("notify", parents=[_source()],
                       help="notify subscribers (content/notify.yaml) of what happened since "
                       "the last run")
    o.add_argument("--now", help="pin 'now' (ISO 8601) instead of the clock")
    o.add_argument("--state", metavar="FILE", help="what each channel was sent (default: "
                   ".heliograph/notify-state.json in the source)")
    o.add_argument("--dry-run", action="store_true",
                   help="print what would be sent, by channel id; send and record nothing")
    o.add_argument("--attempts", type=_positive(int), default=3, metavar="N",
                   help="tries per delivery within a run (default: 3)")
    o.add_argument("--retry-delay", type=_positive(float), default=2.0, metavar="SECONDS",
                   help="wait before the second try, doubled before each next (default: 2)")
    o.add_argument("--timeout", type=_positive(float), default=10.0, metavar="SECONDS",
                   help="per network operation (default: 10)")
    o.add_argument("--time-limit", type=_positive(float), default=300.0, metavar="SECONDS",
                   help="no new attempt after this long; the rest stays pending "
                   "(default: 300)")
    o.set_defaults(func=_command("notify"))


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
        # Escaped: the message may quote a file name or template text from the repo.
        print(f"heliograph: error: {printable(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for users, but a way to get one
        import traceback

        if os.environ.get("HELIOGRAPH_DEBUG"):
            traceback.print_exc()
        print(BUG_HINT.format(kind=type(exc).__name__, error=exc), file=sys.stderr)
        return 2


def run() -> NoReturn:
    """The `heliograph` command: main(), then the process ends at once. Nothing is left
    to clean up by then (files are closed, worker processes joined), and the interpreter's
    usual shutdown, which frees the loaded site object by object, took 0.1 s of a
    2.4 s build of 1,000 incidents."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with that descriptor closed (`>&-`)
            continue
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: what Python's own exit reports
            code = code or 120
    os._exit(code)
