"""The human-readable site: HTML pages from content + derived state, with Jinja2.

Every page is rendered to bytes in memory, keyed by its output path; `build` writes
them out. Links are relative (`root` is the way back to the site root), so a site
works under any sub-path. Templates only lay out markup: everything they show is
prepared here as small view objects (docs/theming.md lists what each template gets).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial, wraps
from itertools import groupby
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import markupsafe
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.nodes import EvalContext
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from generator import __version__
from generator.i18n import Translator
from generator.markup import Markdown
from generator.memo import Memo
from generator.model import Component, Content, Group, Incident, Site, Update, Window
from generator.parallel import Task, run_tasks
from generator.paths import (
    HISTORY_KINDS,
    absolute,
    component_dir,
    history_pages,
    history_path,
    incident_dir,
)
from generator.state import CLOSED, Day, State, Uptime, WindowUptime, schedule, worst_status
from generator.theme import Theme, ThemeError, default_theme_dir
from generator.timeutil import iso

RECENT_ON_COMPONENT = 50
# Quiet stretches of the uptime bars are drawn as a few elements whose lengths are powers
# of two (the stylesheet has a class for each), not one element per day: this keeps the
# home page light however many days and components there are.
QUIET_PIECES = tuple(2**n for n in range(11, -1, -1))  # 2048 ... 1; history_days <= 3650


# --- view objects ------------------------------------------------------------------------

@dataclass(frozen=True)
class StatusWord:
    """How a status is shown: the catalogue key of its word and the pill's class (p-code)."""

    key: str
    code: str


def status_word(kind: str, status: str, update: bool = False) -> StatusWord:
    """A notice is an announcement, not an investigation: it is current until it ends, and
    its updates are just updates (`update`: the word for one update in a timeline)."""
    if kind != "notice" or status == "postmortem":
        return StatusWord("incident_status." + status, status)
    code = "ended" if status in CLOSED else "update" if update else "active"
    return StatusWord("notice_status." + code, code)


@dataclass(frozen=True)
class AffectedView:
    id: str
    name: str
    status: str
    linked: bool = True  # it has a page (a hidden component has none)


@dataclass(frozen=True)
class ChangeView:
    """A component status an update changed ("API: Degraded performance → Major outage")."""

    id: str
    name: str
    old: str
    new: str


@dataclass(frozen=True)
class UpdateView:
    """One event of the timeline as pages show it."""

    update: Update
    changes: tuple[ChangeView, ...]  # only real changes (old != new)
    word: StatusWord

    @property
    def at(self) -> datetime:
        return self.update.at

    @property
    def status(self) -> str:
        return self.update.status


@dataclass(frozen=True)
class EntryView:
    """An incident, maintenance or notice as cards, lists and its own page show it."""

    incident: Incident
    status: str  # current status (maintenance: by the clock and its updates)
    word: StatusWord  # how the status is shown
    impact: str
    latest: Update
    updates: tuple[UpdateView, ...]  # the timeline so far, newest first
    # Each component with the status the entry gives it now while it applies, else the
    # worst it gave (or, for upcoming maintenance, will give).
    affected: tuple[AffectedView, ...]
    resolved_at: datetime | None
    duration: timedelta | None  # Timeline.duration, for resolved incidents
    # The clock changes it after now: the script may show that between builds.
    flips: bool


# The bars show fewer days on narrower screens: screen 0 (narrow), 1 (medium) and 2 (wide)
# show the uptime windows' shortest, next and whole period (state.uptime_windows). The
# stylesheet switches by width, no script: .n30/.m60 on the bars clip them to the last 30/60
# days, .from1/.from2 hide what only wider screens show, .upto0/.upto1 what only narrower do.
SCREENS = 3


@dataclass(frozen=True)
class QuietPiece:
    """Consecutive days without incidents: `days` is a power of two."""

    days: int
    quiet: bool = True


@dataclass(frozen=True)
class DayView:
    """A day with incidents: a focusable bar with its tooltip."""

    date: date
    status: str  # the worst status of the component that day
    uptime: str
    entries: tuple[Incident, ...]
    end: bool  # in the right half of the bars: the tooltip opens leftwards
    quiet: bool = False
    shown_from: int = 0  # the narrowest screen that shows it (0: all)


@dataclass(frozen=True)
class WindowView:
    """One uptime window as a screen width shows it: its summary and first day."""

    window: WindowUptime
    shown_from: int  # the narrowest screen that shows it
    shown_upto: int  # the widest screen that shows it


@dataclass(frozen=True)
class ComponentView:
    component: Component
    status: str
    uptime: Uptime
    bars: tuple[QuietPiece | DayView, ...]
    days: int  # how many days the bars cover
    first_day: date
    windows: tuple[WindowView, ...]  # shortest first
    below: bool = False  # the period's uptime is under the component's `sla`


@dataclass(frozen=True)
class GroupView:
    group: Group | None  # None: the ungrouped components
    status: str
    open: bool  # shown expanded: a group with a problem is never hidden
    rows: tuple[ComponentView, ...]


@dataclass(frozen=True)
class HistoryFilter:
    """A link to one of the history's lists (every entry, or one type)."""

    kind: str | None
    href: str
    current: bool


@dataclass(frozen=True)
class MonthSection:
    label: str
    entries: tuple[EntryView, ...]


# --- rendering ---------------------------------------------------------------------------

class TemplateCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates on disk, like Python's .pyc files: compiling the theme is most
    of a small site's build. Jinja checks each entry against the template's source, and a
    cache that cannot be read or written is simply not used."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError, ValueError, EOFError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


CACHE_VARIABLE = "HELIOGRAPH_CACHE_DIR"
CACHE_KEY = re.compile(r"[0-9a-f]{16}")
MAX_CACHED = 2000  # compiled templates kept (one per template file and environment)


def cache_dir() -> str | None:
    """Heliograph's cache folder: HELIOGRAPH_CACHE_DIR (empty or 'off': no cache), else
    $XDG_CACHE_HOME/heliograph, else ~/.cache/heliograph."""
    chosen = os.environ.get(CACHE_VARIABLE)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off") else chosen
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "heliograph")


def environment_key(env: jinja2.Environment) -> str:
    """Everything that changes what a template compiles to. Compiled code is executed as
    is, so code compiled by another environment (say, without the sandbox or autoescape)
    must never be loaded: each key has its own folder."""
    facts = (__version__, jinja2.__version__, sys.version, type(env).__module__,
             type(env).__qualname__, env.sandboxed,
             sorted(getattr(env, "intercepted_binops", ())),
             sorted(getattr(env, "intercepted_unops", ())), env.autoescape, env.optimized,
             env.finalize, env.is_async, env.newline_sequence, env.keep_trailing_newline,
             env.trim_blocks,
             env.lstrip_blocks, env.block_start_string, env.block_end_string,
             env.variable_start_string, env.variable_end_string, env.comment_start_string,
             env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
             sorted(env.extensions), env.code_generator_class.__qualname__,
             env.undefined.__qualname__)
    return hashlib.sha256(repr(facts).encode()).hexdigest()[:16]


def template_cache(env: jinja2.Environment) -> TemplateCache | None:
    """The cache for this environment's compiled templates, or None (disabled, unusable,
    or a folder others could write to: its entries are run as code)."""
    base = cache_dir()
    if base is None:
        return None
    root = os.path.join(base, "templates")
    folder = os.path.join(root, environment_key(env))
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        for path in (root, folder):
            info = os.stat(path)
            if info.st_uid != os.getuid() or info.st_mode & 0o022:
                return None
        prune(root, os.path.basename(folder))
    except OSError:
        return None
    return TemplateCache(folder)


def prune(root: str, keep: str) -> None:
    """Drop other environments' folders (an upgrade leaves one behind) and, past
    MAX_CACHED entries, the least recently written half."""
    for name in os.listdir(root):
        if name != keep and CACHE_KEY.fullmatch(name):
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)
        elif name.startswith("__jinja2_"):  # entries of Heliograph <= 0.1.0, unkeyed
            with contextlib.suppress(OSError):
                os.remove(os.path.join(root, name))
    folder = os.path.join(root, keep)
    entries = os.listdir(folder)
    if len(entries) > MAX_CACHED:
        paths = [os.path.join(folder, e) for e in entries]
        paths.sort(key=lambda p: os.stat(p).st_mtime if os.path.exists(p) else 0)
        for path in paths[:len(paths) // 2]:
            with contextlib.suppress(OSError):
                os.remove(path)


# What a template may build at once: a string, list or number of digits past this is a
# template trying to exhaust memory, not laying out a status page.
MAX_SIZE = 1_000_000
MAX_WIDTH = 999  # field width or precision in a format string


def _size(value: Any) -> int:
    if isinstance(value, str | bytes | list | tuple):
        return len(value)
    return 1


def _check_format(text: str) -> None:
    """'%0999999999d' or '{:>999999999}' would allocate a gigabyte from a few bytes."""
    if "*" in text or any(int(n) > MAX_WIDTH for n in FORMAT_NUMBER.findall(text)):
        raise SecurityError("format widths over 999 (or '*') are not allowed in templates")


FORMAT_NUMBER = re.compile(r"[%:.]\D{0,4}?(\d+)")


# Frozen dataclasses of Heliograph's own whose public attributes are plain data or pure
# properties: what templates are given (docs/theming.md).
VIEW_TYPES = frozenset({AffectedView, EntryView, QuietPiece, DayView, ComponentView, GroupView,
                        MonthSection, HistoryFilter, Site, Component, Group, Update, Window,
                        Incident, Day, Uptime, State, WindowView, WindowUptime})


class BoundedCodeGenerator(CodeGenerator):
    """Compiles `a ~ b` so that its result is measured (`environment.bounded`): a loop
    that doubles a string with `~` stops at MAX_SIZE instead of filling memory."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded(")
        super().visit_Concat(node, frame)
        self.write(")")


class ThemeEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's sandbox (no access to Python internals, no mutating of the objects it is
    given) with bounds on what one expression can allocate: operators, concatenation,
    calls and filters either check the size of their result before making it (where a
    few bytes could ask for gigabytes: `*`, `**`, `%`, `+`, replace, expandtabs, join,
    indent) or check it after (everything else grows at most by its inputs)."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    code_generator_class = BoundedCodeGenerator

    def __init__(self, **options: Any):
        super().__init__(**options)
        # Lorem ipsum has no place in a status page; lipsum(n=10**9) would fill memory.
        self.globals.pop("lipsum", None)
        for name, function in list(self.filters.items()):
            self.filters[name] = _bounded(function)

    @staticmethod
    def bounded(value: Any) -> Any:
        if _size(value) > MAX_SIZE:
            raise SecurityError(f"a result longer than {MAX_SIZE:,} is not allowed")
        return value

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any,
                   right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(times, int) and _size(seq) * times > MAX_SIZE:
                    raise SecurityError(f"a result longer than {MAX_SIZE:,} is not allowed")
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and \
                    right * max(abs(left), 2).bit_length() > MAX_SIZE:
                raise SecurityError("a number that large is not allowed in templates")
        elif operator == "%" and isinstance(left, str):
            _check_format(left)
        elif operator == "+" and _size(left) + _size(right) > MAX_SIZE:
            raise SecurityError(f"a result longer than {MAX_SIZE:,} is not allowed")
        return super().call_binop(context, operator, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        # Heliograph's own frozen view and model objects are most attribute reads of a
        # page; they have no internals but `_` names, so skip the sandbox's generic checks.
        if type(obj) in VIEW_TYPES and not attribute.startswith("_"):
            with contextlib.suppress(AttributeError):
                return getattr(obj, attribute)
        return super().getattr(obj, attribute)

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any,
             **kwargs: Any) -> Any:
        if args or kwargs:
            _check_arguments(args, kwargs)
        if isinstance(getattr(__obj, "__self__", None), str):
            _check_str_method(__obj.__self__, __obj.__name__, args, kwargs)
        return __self.bounded(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        _check_format(value.__self__)
        return wrapped


def _check_arguments(args: Sequence[Any], kwargs: dict[str, Any]) -> None:
    """'x'.center(10**9), 'x'.zfill(...), cycler/joiner and friends: no size past MAX_SIZE."""
    for value in (*args, *kwargs.values()):
        if type(value) is int and not -MAX_SIZE <= value <= MAX_SIZE:
            raise SecurityError(f"a number over {MAX_SIZE:,} is not allowed as an argument")


def _check_str_method(text: str, name: str, args: Sequence[Any],
                      kwargs: dict[str, Any]) -> None:
    """The size of what a string method would make, before it makes it: replace and
    expandtabs multiply, join repeats the separator."""
    if name == "replace" and len(args) >= 2 and isinstance(args[0], str) \
            and isinstance(args[1], str):
        grown = text.count(args[0]) * max(0, len(args[1]) - len(args[0]))
        size = len(text) + grown
    elif name == "expandtabs":
        tab = args[0] if args else kwargs.get("tabsize", 8)
        size = len(text) * max(1, tab) if isinstance(tab, int) else 0
    elif name == "join" and args and isinstance(args[0], list | tuple):
        size = sum(_size(item) for item in args[0]) + len(text) * len(args[0])
    else:
        return
    if size > MAX_SIZE:
        raise SecurityError(f"a result longer than {MAX_SIZE:,} is not allowed")


def _bounded(function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter with its arguments and its result bounded (see ThemeEnvironment)."""
    name = getattr(function, "__name__", "")

    @wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(args[1:], kwargs)
        values = [a for a in args if not isinstance(a, EvalContext)]
        if name == "do_format" and values:
            _check_format(str(values[0]))
        elif name in ("do_replace", "do_join", "do_indent") and values:
            text = values[0] if isinstance(values[0], str) else ""
            if name == "do_replace" and len(values) >= 3:
                _check_str_method(str(values[0]), "replace", values[1:3], {})
            elif name == "do_join" and isinstance(values[0], list | tuple):
                separator = values[1] if len(values) > 1 else kwargs.get("d", "")
                _check_str_method(str(separator), "join", [values[0]], {})
            elif name == "do_indent":
                width = values[1] if len(values) > 1 else kwargs.get("width", 4)
                if _size(width) * (text.count("\n") + 1) > MAX_SIZE or (
                        isinstance(width, int) and width * (text.count("\n") + 1) > MAX_SIZE):
                    raise SecurityError(f"a result longer than {MAX_SIZE:,} is not allowed")
        return ThemeEnvironment.bounded(function(*args, **kwargs))

    return bounded


class ThemeLoader(jinja2.BaseLoader):
    """Templates from the theme's checked file list only (theme.theme_files): no path
    from a template name, no symbolic link, is ever opened."""

    def __init__(self, theme: Theme):
        self.theme = theme

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        path = self.theme.template(template)
        if path is None:
            raise jinja2.TemplateNotFound(template)
        try:
            source = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ThemeError(f"cannot read the template: {exc}", str(path)) from None
        return source, str(path), lambda: True


def template_problem(exc: BaseException, default: str) -> ThemeError | None:
    """A template's error as 'file:line: message', or None when the fault is Heliograph's
    (an error inside the built-in theme that is not a template error)."""
    template_error = isinstance(exc, jinja2.TemplateError | RecursionError)
    file, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if not file:
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if f.filename.endswith(".html") and os.path.isfile(f.filename)]
        if frames:
            file, line = frames[-1].filename, frames[-1].lineno
    if not template_error and (not file or Path(file).is_relative_to(default)):
        return None
    if isinstance(exc, SecurityError):
        what = f"not allowed in a template: {exc}"
    elif isinstance(exc, RecursionError):
        what = "templates call each other too deeply (endless recursion?)"
    elif isinstance(exc, jinja2.TemplateError):
        what = f"template error: {exc.message or type(exc).__name__}"
    else:
        what = f"template error: {type(exc).__name__}: {exc}"
    return ThemeError(what, file or "theme", line)


class Renderer:
    """Compiled templates and helpers for one site; reusable across rebuilds."""

    def __init__(self, content: Content, theme: Theme, md: Markdown | None = None,
                 jobs: int = 1):
        self.site = content.site
        self.jobs = jobs  # worker processes (cold builds of large sites)
        self.theme = theme
        self.md = md or Markdown()
        self.memo = Memo()
        self.t = Translator(theme.catalogue(self.site.language), self.site.zone,
                            self.site.language)
        # Theme templates may come from a stranger's pull request: they run sandboxed.
        self.env = ThemeEnvironment(
            loader=ThemeLoader(theme),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # Templates do not change during a build; `serve` makes a new Renderer when
            # they do. Without this, every page would stat every template it uses.
            auto_reload=False,
        )
        self.env.bytecode_cache = template_cache(self.env)
        self.env.globals.update(t=self.t, site=self.site, asset=self.asset, iso=iso,
                                incident_dir=incident_dir, component_dir=component_dir,
                                base_path=urlsplit(self.site.base_url).path or "/",
                                brand_css=theme.brand_css, logo=theme.logo)
        self.env.filters.update(md=self.markdown, message=self.message,
                                datetime=self.t.datetime, date=self.t.date,
                                duration=self.t.duration, percent=self.t.percent)

    def markdown(self, text: str) -> markupsafe.Markup:
        return markupsafe.Markup(self.md(text))

    def message(self, update: Update) -> markupsafe.Markup:
        """An update's message as HTML; automatic updates say what the clock did."""
        return markupsafe.Markup(message_html(update, self))

    def asset(self, name: str) -> str:
        if name not in self.theme.assets:
            raise jinja2.TemplateRuntimeError(f"asset('{name}'): the theme has no static "
                                              "file of that name")
        return self.theme.assets[name]

    def page(self, template: str, path: str, **context: Any) -> bytes:
        depth = path.count("/")
        context.setdefault("root", "../" * depth)
        context.setdefault("canonical", absolute(self.site, path))
        try:
            html = self.env.get_template(template).render(path=path, **context)
        except (Exception, RecursionError) as exc:
            problem = template_problem(exc, default_theme_dir())
            if problem is None:
                raise
            raise problem from None
        return html.encode("utf-8")


def message_html(update: Update, renderer: Renderer) -> str:
    """The sanitized HTML of an update's message, the same on pages, feeds and JSON."""
    if update.automatic:
        text = renderer.t("automatic." + update.status)
        return f"<p>{markupsafe.escape(text)}</p>"
    return renderer.md(update.message)


def entry_view(incident: Incident, state: State,
               components: dict[str, Component]) -> EntryView:
    timeline = state.timelines[incident.slug]
    now = state.now
    events = timeline.upto(now)
    latest = timeline.latest(now)
    statuses = dict(latest.components) if latest.applies else timeline.worst(now)
    # A maintenance shows its window rather than a resolution time and duration.
    ended = timeline.ended_at(now) if incident.type != "maintenance" else None
    status = state.status[incident.slug]
    return EntryView(
        incident=incident, status=status, word=status_word(incident.type, status),
        impact=state.impact[incident.slug], latest=latest.update,
        updates=tuple(UpdateView(e.update, tuple(
            ChangeView(c.component, components[c.component].name, c.old, c.new)
            for c in e.changes or () if c.old != c.new),
            status_word(incident.type, e.update.status, update=True))
            for e in reversed(events)),
        affected=tuple(AffectedView(cid, components[cid].name, statuses[cid],
                                    not components[cid].hidden)
                       for cid in incident.component_ids if cid in statuses),
        resolved_at=ended,
        duration=timeline.duration(now) if ended else None,
        flips=any(at > now for at in timeline.clock_instants()),
    )


def schedule_json(content: Content, state: State, renderer: Renderer) -> str:
    """The page's statuses at the coming clock instants, as JSON for enhance.js (docs/
    rules.md, "Between builds"); empty when nothing is ahead. Words come from the
    catalogue; each step lists every component, group and entry that differs from the
    build in any step, so the script needs only the latest step that has begun."""
    steps = schedule(content, state.timelines, state.now)
    if not steps:
        return ""
    t = renderer.t
    kinds = {i.slug: i.type for i in content.incidents}
    component_ids = sorted({c for _, s in steps for c, v in s.component.items()
                            if v != state.component_status[c]})
    group_ids = sorted({g for _, s in steps for g, v in s.group.items()
                        if v != state.group_status[g]})
    slugs = sorted({slug for _, s in steps for slug, v in s.entry.items()
                    if v != state.status[slug]})

    def entry(slug: str, status: str) -> list[str]:
        word = status_word(kinds[slug], status)
        return [word.code, t(word.key)]

    indicators = [state.indicator, *dict.fromkeys(s.indicator for _, s in steps)]
    document = {
        "indicator": state.indicator,
        "favicons": {i: renderer.asset(f"favicon-{i}.svg") for i in dict.fromkeys(indicators)},
        "steps": [{
            "at": iso(at),
            "indicator": [s.indicator, t("indicator." + s.indicator)],
            "components": {c: [s.component[c], t("component_status." + s.component[c])]
                           for c in component_ids},
            "groups": {g: [s.group[g], t("component_status." + s.group[g])] for g in group_ids},
            "entries": {slug: entry(slug, s.entry[slug]) for slug in slugs},
        } for at, s in steps],
    }
    # An attribute of <body>, escaped like any other (no inline script: docs/theming.md).
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def quiet_pieces(days: int) -> list[QuietPiece]:
    """A run of quiet days as powers of two, largest first (37 -> 32, 4, 1)."""
    pieces = []
    for size in QUIET_PIECES:
        while days >= size:
            pieces.append(QuietPiece(size))
            days -= size
    return pieces


def screen_windows(windows: tuple[int, ...]) -> tuple[int, ...]:
    """The number of days each screen shows, narrow to wide: (30, 60, 90); (30, 45, 45)."""
    return tuple(windows[min(s, len(windows) - 1)] for s in range(SCREENS))


def first_screen(age: int, shown: tuple[int, ...]) -> int:
    """The narrowest screen showing a day `age` days before today (0: today)."""
    return next(s for s, n in enumerate(shown) if age < n)


def bars(days: tuple[Day, ...], by_slug: dict[str, Incident],
         windows: tuple[int, ...] | None = None) -> tuple[QuietPiece | DayView, ...]:
    """The bars, oldest first. Narrower screens clip the older days (style.css); a day with
    incidents they clip says so (`shown_from`), so that it is not focusable there."""
    shown = screen_windows(windows or (len(days),))
    out: list[QuietPiece | DayView] = []
    quiet = 0
    for index, day in enumerate(days):
        if not day.incidents:
            quiet += 1
            continue
        out += quiet_pieces(quiet)
        quiet = 0
        out.append(DayView(day.date, day.worst, day.uptime,
                           tuple(by_slug[s] for s in day.incidents), index * 2 >= len(days),
                           shown_from=first_screen(len(days) - 1 - index, shown)))
    out += quiet_pieces(quiet)
    return tuple(out)


def window_views(uptime: Uptime) -> tuple[WindowView, ...]:
    lengths = tuple(w.days for w in uptime.windows)
    shown = screen_windows(lengths)
    return tuple(WindowView(w, shown.index(w.days), len(shown) - 1 - shown[::-1].index(w.days))
                 for w in uptime.windows)


def component_view(component: Component, state: State,
                   by_slug: dict[str, Incident]) -> ComponentView:
    uptime = state.uptime[component.id]
    lengths = tuple(w.days for w in uptime.windows)
    return ComponentView(component, state.component_status[component.id], uptime,
                         bars(uptime.days, by_slug, lengths), len(uptime.days),
                         uptime.days[0].date, window_views(uptime),
                         component.sla is not None and uptime.below(component.sla))


def group_views(content: Content, state: State,
                by_slug: dict[str, Incident]) -> list[GroupView]:
    def rows(components: tuple[Component, ...]) -> tuple[ComponentView, ...]:
        return tuple(component_view(c, state, by_slug) for c in components if not c.hidden)

    views = []
    for g in content.groups:
        shown = rows(g.components)
        if not shown:
            continue  # every component hidden: so is the group
        # The badge sums up what the group shows; with nothing hidden, the group's status.
        status = state.group_status[g.id] if len(shown) == len(g.components) \
            else worst_status([row.status for row in shown])
        views.append(GroupView(g, status, status != "operational", shown))
    ungrouped = rows(content.ungrouped)
    if ungrouped:
        views.append(GroupView(None, "", True, ungrouped))
    return views


def by_month(entries: tuple[EntryView, ...] | list[EntryView], t: Translator,
             zone: Any) -> list[MonthSection]:
    def key(e: EntryView) -> tuple[int, int]:
        local = e.incident.sort_time.astimezone(zone)
        return local.year, local.month

    return [MonthSection(t.month(*month), tuple(items))
            for month, items in groupby(entries, key=key)]


def render_pages(content: Content, state: State, renderer: Renderer) -> dict[str, bytes]:
    """Every HTML page of the site, by output path."""
    return run_tasks(page_tasks(content, state, renderer), 1)


def page_tasks(content: Content, state: State, renderer: Renderer) -> list[Task]:
    """The HTML pages as independent tasks (several per kind, so workers share the load).

    Pages other than the index get only the variables named here (docs/theming.md), and
    each is remembered under a key made of exactly those: `serve` re-renders a page only
    when something it shows has changed.
    """
    r = renderer
    site = content.site
    components = {c.id: c for c in content.components}
    by_slug = {i.slug: i for i in content.incidents}
    views = {i.slug: entry_view(i, state, components) for i in content.incidents}

    def entries(items: tuple[Incident, ...]) -> tuple[EntryView, ...]:
        return tuple(views[i.slug] for i in items)

    # The components visitors can look at (a component page each).
    listed = content.listed_components

    # What every page shows: the status (favicon), component names and what the clock
    # changes next (for the script).
    clock = schedule_json(content, state, r)
    base = {"indicator": state.indicator, "components": components, "schedule": clock}
    base_key = (state.indicator, content.components, clock)

    def page(template: str, path: str, key: object, **context: Any) -> bytes:
        return r.memo.get(("page", path), (base_key, key),
                          lambda: r.page(template, path, **base, **context))

    # Notices are announcements: in a section of their own, not among the incidents.
    incidents_only = tuple(i for i in state.open_incidents if i.type != "notice")
    notices = tuple(i for i in state.open_incidents if i.type == "notice")

    def index() -> dict[str, bytes]:
        return {"index.html": r.page(
            "index.html", "index.html", groups=group_views(content, state, by_slug),
            open_incidents=entries(incidents_only), announcements=entries(notices),
            active_maintenance=entries(state.active_maintenance),
            upcoming_maintenance=entries(state.upcoming_maintenance), state=state,
            now=state.now, by_slug=by_slug, **base)}

    listings = history_pages(state.past, site.history_page_size)
    upcoming = entries(state.upcoming_maintenance)
    upcoming_slugs = {i.slug for i in state.upcoming_maintenance}

    def history(chunk: Sequence[int]) -> dict[str, bytes]:
        out = {}
        for index in chunk:
            kind, number, pages, path, items = listings[index]
            back = "../" * path.count("/")
            views_ = entries(items)
            # Upcoming work heads the first page of the lists it belongs to, apart from
            # the past (and from the pagination, so page numbers do not shift with time).
            ahead = upcoming if number == 1 and kind in (None, "maintenance") else ()
            filters = tuple(HistoryFilter(k, back + history_path(1, k).removesuffix(
                "index.html"), k == kind) for k in HISTORY_KINDS)
            out[path] = page(
                "history.html", path, (views_, ahead, kind, number, pages),
                months=by_month(views_, r.t, site.zone), page_number=number, pages=pages,
                kind=kind, upcoming=ahead, filters=filters,
                listed_components=listed,
                newer=back + history_path(number - 1, kind).removesuffix("index.html")
                if number > 1 else None,
                older=back + history_path(number + 1, kind).removesuffix("index.html")
                if number < pages else None)
        return out

    def incident_pages(chunk: Sequence[Incident]) -> dict[str, bytes]:
        out = {}
        for incident in chunk:
            path = incident_dir(incident.slug) + "index.html"
            view = views[incident.slug]
            out[path] = page("incident.html", path, view, entry=view, incident=incident,
                             updates=view.updates)
        return out

    def component_pages() -> dict[str, bytes]:
        out = {}
        for component in content.listed_components:
            path = component_dir(component.id) + "index.html"
            row = component_view(component, state, by_slug)
            related = state.by_component.get(component.id, ())
            ahead = tuple(i for i in state.upcoming_maintenance
                          if component.id in i.component_ids)
            related = tuple(i for i in related if i.slug not in upcoming_slugs)
            recent = entries(related[:RECENT_ON_COMPONENT])
            days = tuple(b for b in reversed(row.bars) if isinstance(b, DayView))
            out[path] = page("component.html", path, (row, recent, len(related), ahead),
                             component=component, row=row, days=days, recent=recent,
                             total=len(related), upcoming=entries(ahead))
        out["404.html"] = page("404.html", "404.html", None, root=r.env.globals["base_path"])
        return out

    def embed() -> dict[str, bytes]:
        """The iframe widget (docs/feeds.md): the status and what is going on now."""
        sections = (("open_incidents", entries(incidents_only)),
                    ("active_maintenance", entries(state.active_maintenance)),
                    ("announcements", entries(notices)))
        return {"embed/index.html": r.page("embed.html", "embed/index.html", sections=sections,
                                           **base)}

    parts = max(1, r.jobs * 4)  # more parts than workers: they finish close together
    tasks: list[Task] = [index, component_pages, embed]
    tasks += [partial(history, range(i, len(listings), parts)) for i in range(parts)]
    tasks += [partial(incident_pages, content.incidents[i::parts]) for i in range(parts)]
    return tasks


def static_files(theme: Theme) -> dict[str, bytes]:
    return {theme.assets[name]: data for name, data in theme.static.items()}

