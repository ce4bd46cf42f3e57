"""The preview's rebuild: the site in memory, redone from what changed (files parsed
again only when they changed, pages re-rendered only when their inputs did), keeping
the last good build while the content has errors.

A rebuild has two halves. `start` reads what changed, derives the state and installs a
new `Live` site at once: its pages are rendered when a browser asks for them. `finish`
then renders the rest, a file at a time, giving way to requests. Every file of a `Live`
site comes from the same content, state and theme, and a site replaces the previous one
whole, so a page is never served from an older rebuild than the one installed.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import jinja2

from generator import outputs
from generator.content.load import LoadCache, load_content, reload_content
from generator.content.model import Content, Site
from generator.content.timeutil import resolve_now, utc_now
from generator.errors import ContentError, Problem
from generator.outputs.pages import Maker, Pages
from generator.site.build import context
from generator.site.parallel import Task
from generator.state.derive import State, derive
from generator.theme.markup import Markdown
from generator.theme.templates import Renderer
from generator.theme.themes import Theme, ThemeError, load_theme, resolve_theme


class Live:
    """One rebuild's site: its files made so far, and what makes the others. Its pages
    may be made by several threads at once (a request, the background): a page made
    twice is the same bytes."""

    def __init__(self, pages: list[tuple[str, Pages]], rest: list[Task],
                 static: dict[str, bytes], generation: int):
        self.files = dict(static)
        # Each language's pages by its folder, the root's ("") last: it takes the rest.
        self.pages = sorted(pages, key=lambda item: item[0] == "")
        self.rest = rest  # the other outputs not made yet (their paths are known once made)
        self.rest_lock = threading.Lock()  # one thread makes them; the others wait for it
        self.todo: list[str] | None = None  # the pages `step` has still to make, once listed
        self.generation = generation
        self.failed = False  # a file could not be made: the last good site is served
        self.previous: Live | None = None  # the site it replaced, served if it fails

    @property
    def done(self) -> bool:
        return self.todo is not None and not self.todo and not self.rest

    def maker(self, path: str) -> Maker | None:
        for folder, pages in self.pages:
            if path.startswith(folder):
                return pages.maker(path[len(folder):])
        return None

    def has(self, path: str) -> bool:
        """Whether `path` is a page or static file of the site (False may yet change for
        other files: see `make_rest`)."""
        return path in self.files or self.maker(path) is not None

    def make(self, path: str) -> bytes | None:
        """The file at `path` if it is made or a page, rendering it now if need be."""
        found = self.files.get(path)
        if found is None:
            make = self.maker(path)
            if make is not None:
                found = self.files[path] = make()
        return found

    def make_rest(self) -> None:
        with self.rest_lock:
            while self.rest:
                self.files.update(self.rest[-1]())
                self.rest.pop()

    def step(self) -> None:
        """Make one more page, or one other output's files."""
        if self.todo is None:
            self.todo = [folder + path for folder, pages in self.pages
                         for path in pages.makers()][::-1]
        while self.todo and self.todo[-1] in self.files:
            self.todo.pop()  # made already, at a request
        if self.todo:
            self.make(self.todo[-1])
        elif self.rest:
            with self.rest_lock:
                if self.rest:
                    self.files.update(self.rest[-1]())
                    self.rest.pop()


class PinnedLoader(jinja2.BaseLoader):
    """The theme's templates as they were when the renderer was made, so that all the
    pages of a site come from the same templates, whenever they are rendered."""

    def __init__(self, env: jinja2.Environment, theme: Theme):
        assert env.loader is not None
        self.loader = env.loader
        self.sources: dict[str, tuple[str, str | None, Callable[[], bool] | None]] = {}
        for files in theme.files:
            for key in files:
                name = key.removeprefix("templates/")
                if name != key and name not in self.sources:
                    with contextlib.suppress(jinja2.TemplateNotFound, ThemeError):
                        self.sources[name] = self.loader.get_source(env, name)

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        found = self.sources.get(template)  # else the error the theme's loader gives
        return found if found is not None else self.loader.get_source(environment, template)


@dataclass(frozen=True)
class Snapshot:
    """The site being served and the problems of the latest build attempt."""

    site: Live | None  # the last good build; None until the first one succeeds
    problems: tuple[Problem, ...] = ()
    generation: int = 0  # counts good builds, so a page can tell it is out of date
    watch: tuple[Path, ...] = ()

    @property
    def files(self) -> dict[str, bytes]:
        """The files made so far: all of them once `Rebuilder.finish` has run."""
        return self.site.files if self.site is not None else {}


def _build_problem(exc: Exception, source: Path) -> Problem:
    """A build failure that is not a content error: a theme being edited, a file vanishing."""
    from generator.commands.check import theme_problem  # as `check` reports it

    if isinstance(exc, jinja2.TemplateSyntaxError):
        return Problem(exc.filename or exc.name or "theme", exc.lineno, None,
                       f"template error: {exc.message}", "fix the template syntax")
    if isinstance(exc, OSError):
        return Problem(str(exc.filename or "content"), None, None,
                       f"cannot read: {exc.strerror}", "save the file again")
    if isinstance(exc, ThemeError) and exc.file:
        return theme_problem(exc, source)
    return Problem("theme", None, None, str(exc), "check 'theme:' in content/site.yaml")


# What a theme being edited, or a file vanishing, makes a build raise.
BUILD_ERRORS = (ThemeError, jinja2.TemplateError, OSError)


class Rebuilder:
    """Turns the source folder into a Snapshot, and serves its files.

    `start` runs in one thread (the rebuild loop), `finish` in another (the background)
    and `find` in each request's: they share only what is safe to share (the renderer,
    its memo, the Markdown converter: pages are rendered from immutable content and
    state), so that neither a rebuild nor a request waits for the background.
    """

    def __init__(self, source: Path, now: str | None, base_url: str):
        self.source = source
        self.now = now
        self.base_url = base_url
        # Kept between rebuilds, so that only what changed is done again: the content as
        # last loaded without problems (a rebuild reads again only the files changed
        # since), a LoadCache for when every file must be checked again, the derived
        # state, Markdown converted once per text, and the renderer's memo that
        # re-renders only pages whose inputs changed.
        self.cache = LoadCache()
        self.md = Markdown()
        self.content: Content | None = None
        self.state: State | None = None
        self.unloaded: set[Path] = set()  # what changed since self.content was loaded
        self.seen: dict[str, Stat] = {}  # the content files as self.content read them
        self.settings_changed = False  # something site.yaml is checked against, since then
        self.renderer: Renderer | None = None
        self.theme_key: object = None  # the settings self.renderer was made for
        self.fingerprint: Fingerprint = ()  # the theme's files self.renderer read
        self.templates_changed = False  # since self.renderer compiled them
        self.snapshot = Snapshot(None, watch=self._watch_list(None))
        self.good: Live | None = None  # the latest site made whole without an error
        # Told when rendering a page fails and the site goes back to the last good one.
        self.on_failure: Callable[[Snapshot], None] | None = None
        self.lock = threading.Lock()  # for changing snapshot and good
        self._requests = 0  # requests being answered: the background waits for them

    def rebuild(self, changed_paths: Collection[Path] = ()) -> Snapshot:
        """Build again, reusing what did not change, and make every file; keep the last
        good files when the content is wrong."""
        self.start(changed_paths)
        self.finish()
        return self.snapshot

    def start(self, changed_paths: Collection[Path] = ()) -> Snapshot:
        """Load what changed and install the new site, whose files are made as they are
        asked for (`find`) or by `finish`."""
        content_dir = (self.source / "content").resolve()
        templates = self._template_dirs()
        for path in map(Path, changed_paths):
            where = path.resolve()
            if where.is_relative_to(content_dir):
                self.unloaded.add(path)
            elif any(where.is_relative_to(folder) for folder in templates):
                self.templates_changed = True  # compiled again; the rest is kept
            else:  # an asset, a catalogue (site.yaml is checked against them)
                self.renderer, self.settings_changed = None, True
        problems: tuple[Problem, ...] = ()
        try:
            site = self._make_site(self.snapshot.generation + 1)
        except ContentError as exc:
            problems = tuple(exc.problems)
        except BUILD_ERRORS as exc:
            problems = (_build_problem(exc, self.source),)
        with self.lock:
            last = self.snapshot
            if problems:
                self.snapshot = Snapshot(last.site, problems, last.generation, last.watch)
            else:
                assert self.content is not None
                if last.site is not None and not last.site.failed:
                    site.previous, last.site.previous = last.site, None  # one back at most
                self.snapshot = Snapshot(site, (), site.generation,
                                         self._watch_list(self.content.site))
            return self.snapshot

    def finish(self, stop: Callable[[], bool] = lambda: False) -> bool:
        """Make the rest of the site being served, a file at a time, waiting while
        requests are answered; False when `stop` said to stop first."""
        while not stop():
            if self._requests:
                time.sleep(0.002)
                continue
            site = self.snapshot.site
            if site is None or site.done:
                return True
            self._attempt(site, site.step)
        return False

    def find(self, path: str) -> tuple[Snapshot, bytes | None, bool]:
        """The file at `path` of the site being served (made now if it is not yet) or
        None, and whether `path` is a folder with an index.html instead."""
        with self.lock:
            self._requests += 1
        try:
            while True:
                snapshot = self.snapshot
                site = snapshot.site
                if site is None:
                    return snapshot, None, False
                if site.has(path):
                    found = self._attempt(site, partial(site.make, path))
                elif site.has(path + "/index.html"):
                    return snapshot, None, True
                else:
                    self._attempt(site, site.make_rest)
                    found = site.files.get(path)
                if not site.failed:  # else look again, in the site served now
                    return snapshot, found, False
        finally:
            with self.lock:
                self._requests -= 1

    def _attempt(self, site: Live, make: Callable[[], bytes | None]) -> bytes | None:
        """Make a file of `site`; when that fails (a template error), go back to the last
        good site, with the problem."""
        try:
            made = make()
        except BUILD_ERRORS as exc:
            with self.lock:
                site.failed = True
                last = self.snapshot
                if last.site is not site:
                    return None  # a newer site is served already
                back = site.previous
                if back is None or back.failed:
                    back = self.good
                self.snapshot = Snapshot(back, (_build_problem(exc, self.source),),
                                         last.generation, last.watch)
            if self.on_failure is not None:
                self.on_failure(self.snapshot)
            return None
        if site.done:
            with self.lock:
                if not site.failed and (self.good is None
                                        or self.good.generation < site.generation):
                    self.good, site.previous = site, None
        return made

    def _make_site(self, generation: int) -> Live:
        now = utc_now() if self.now is None else self.now  # one instant for all of it
        content = None
        if self.content is not None:
            seen = {**self.seen, **self._stats(self.unloaded)}  # taken before they are read
            content = reload_content(self.content, self.source, now, self.base_url,
                                     self.unloaded, self.settings_changed, md=self.md)
        if content is None:
            seen = _scan(self.source)
            content = load_content(self.source, now, self.base_url, cache=self.cache,
                                   md=self.md)
        self.content, self.seen = content, seen
        self.unloaded, self.settings_changed = set(), False
        state = self.state = derive(content, resolve_now(now, content.site.zone),
                                    previous=self.state)
        # The theme's files are compared on every rebuild, not only when the watcher
        # reports one: a change it missed (a themes/ folder made after start, a logo
        # under content/) would otherwise keep the old hashed assets until the next theme
        # edit, since a content edit reuses the renderer.
        theme = load_theme(self.source, content.site)
        key, fingerprint = (content.site, theme.extra), theme_fingerprint(theme)
        old = self.renderer
        if old is not None and key == self.theme_key and not self.templates_changed \
                and fingerprint == self.fingerprint:
            renderer = old
        else:
            # A new renderer, so that the previous site keeps its own (it may yet make a
            # page, when this one fails). When only templates changed, what does not
            # depend on them is kept: entries' views, feeds, calendars, JSON.
            renderer = self.renderer = Renderer(content, theme, self.md)
            for own in (renderer, *renderer.translations):
                own.env.loader = PinnedLoader(own.env, theme)
            if old is not None and key == self.theme_key \
                    and _templates_only(self.fingerprint, fingerprint):
                for mine, theirs in zip((renderer, *renderer.translations),
                                        (old, *old.translations), strict=True):
                    mine.memo = theirs.memo.without("page")
        self.theme_key, self.fingerprint, self.templates_changed = key, fingerprint, False
        pages, rest, static = outputs.parts(context(content, state, renderer), renderer)
        return Live(pages, rest, static, generation)

    def missed(self) -> list[Path]:
        """Content files that changed since they were read, without the watcher saying so
        (its queue overflowed, say): found by comparing each file's modification time,
        size and inode, in the background (listing thousands of files takes a while)."""
        now, seen = _scan(self.source), self.seen
        return sorted(Path(path) for path in now.keys() | seen.keys()
                      if now.get(path) != seen.get(path))

    def _stats(self, paths: Collection[Path]) -> dict[str, Stat]:
        """The _stat of those of `paths` that `_scan` lists, by its names for them."""
        content = Path(os.path.realpath(self.source / "content"))
        return {str(path): _stat(path) for path in map(_where, paths)
                if _scanned(path, content)}

    def _template_dirs(self) -> list[Path]:
        """The folders of the theme's templates."""
        with contextlib.suppress(ThemeError):  # reported by the build
            theme = self.content.site.theme if self.content else "default"
            return [(folder / "templates").resolve()
                    for folder in resolve_theme(self.source, theme)]
        return []

    def _watch_list(self, site: Site | None) -> tuple[Path, ...]:
        folders = [self.source / "content", self.source / "themes"]
        theme = site.theme if site else "default"
        with contextlib.suppress(ThemeError):  # reported by the build; themes/ is watched
            folders += resolve_theme(self.source, theme)
        logo = site.logo if site else ""
        if logo:
            folders.append((self.source / logo).parent)
        return tuple(dict.fromkeys(p.resolve() for p in folders if p.is_dir()))


SETTINGS = ("components.yaml", "site.yaml")
Stat = tuple[int, int, int] | None  # modification time, size, inode; None: no such file


def _stat(path: Path | str) -> Stat:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


def _where(path: Path) -> Path:
    """A changed file's path as `_scan` names it: its folder resolved, not the file."""
    return Path(os.path.realpath(path.parent)) / path.name


def _scanned(path: Path, content: Path) -> bool:
    """Whether `_scan` lists `path` (as `_where` gives it) when it exists."""
    return (path.parent == content / "incidents" and not path.name.startswith(".")) \
        or (path.parent == content and path.name in SETTINGS)


def _scan(source: Path) -> dict[str, Stat]:
    """The settings files and whatever is in content/incidents/ (what the loader reads
    there, and what it reports as stray), each with its _stat."""
    content = Path(os.path.realpath(source / "content"))
    found = {str(content / name): _stat(content / name) for name in SETTINGS}
    with contextlib.suppress(OSError), os.scandir(content / "incidents") as entries:
        for entry in entries:
            if not entry.name.startswith("."):
                info = entry.stat(follow_symlinks=False)
                found[entry.path] = info.st_mtime_ns, info.st_size, info.st_ino
    return found


Fingerprint = tuple[tuple[str, str, int, int, int], ...]


def theme_fingerprint(theme: Theme) -> Fingerprint:
    """Each theme file's path, name in the theme, modification time, size and inode:
    changes when a file is edited, added, removed or replaced."""
    found = []
    for files in theme.files:
        for name, path in files.items():
            info = path.stat()
            found.append((str(path), name, info.st_mtime_ns, info.st_size, info.st_ino))
    return tuple(found)


def _templates_only(old: Fingerprint, new: Fingerprint) -> bool:
    """Whether the theme's files are the same ones, and only templates among them changed."""
    return len(old) == len(new) and all(
        a == b or (a[:2] == b[:2] and a[1].startswith("templates/"))
        for a, b in zip(old, new, strict=True))
