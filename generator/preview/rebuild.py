"""The preview's rebuild: the site in memory, redone from what changed (files parsed
again only when they changed, pages re-rendered only when their inputs did), keeping
the last good build while the content has errors."""

from __future__ import annotations

import contextlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from generator.content.load import LoadCache
from generator.content.model import Site
from generator.errors import ContentError, Problem
from generator.site.build import BuiltSite, load_state, render_site
from generator.theme.markup import Markdown
from generator.theme.templates import Renderer
from generator.theme.themes import Theme, ThemeError, load_theme, resolve_theme


@dataclass(frozen=True)
class Snapshot:
    """The site being served and the problems of the latest build attempt."""

    files: dict[str, bytes]  # the last good build; empty until the first one succeeds
    problems: tuple[Problem, ...] = ()
    generation: int = 0  # counts good builds, so a page can tell it is out of date
    watch: tuple[Path, ...] = ()


def _build_problem(exc: Exception) -> Problem:
    """A build failure that is not a content error: a theme being edited, a file vanishing."""
    import jinja2

    if isinstance(exc, jinja2.TemplateSyntaxError):
        return Problem(exc.filename or exc.name or "theme", exc.lineno, None,
                       f"template error: {exc.message}", "fix the template syntax")
    if isinstance(exc, OSError):
        return Problem(str(exc.filename or "content"), None, None,
                       f"cannot read: {exc.strerror}", "save the file again")
    return Problem("theme", None, None, str(exc), "check 'theme:' in content/site.yaml")


class Rebuilder:
    """Turns the source folder into a Snapshot; the one call a faster rebuild can replace."""

    def __init__(self, source: Path, now: str | None, base_url: str):
        self.source = source
        self.now = now
        self.base_url = base_url
        # Kept between rebuilds, so that only what changed is done again: files are parsed
        # again only when they changed (LoadCache), Markdown is converted once per text,
        # and the renderer's memo re-renders only pages whose inputs changed.
        self.cache = LoadCache()
        self.md = Markdown()
        self.renderer: Renderer | None = None
        self.theme_key: object = None  # what self.renderer's theme was read from
        self.snapshot = Snapshot({}, watch=self._watch_list(None))

    def rebuild(self, changed_paths: Collection[Path] = ()) -> Snapshot:
        """Build again, reusing what did not change; keep the last good files when the
        content is wrong."""
        import jinja2

        last = self.snapshot
        content_dir = (self.source / "content").resolve()
        if any(not Path(p).resolve().is_relative_to(content_dir) for p in changed_paths):
            self.renderer = None  # a template or asset changed: compile and render afresh
        try:
            site = self._make_site()
        except ContentError as exc:
            self.snapshot = Snapshot(last.files, tuple(exc.problems), last.generation, last.watch)
        except (ThemeError, jinja2.TemplateError, OSError) as exc:
            self.snapshot = Snapshot(last.files, (_build_problem(exc),), last.generation,
                                     last.watch)
        else:
            self.snapshot = Snapshot(site.files, (), last.generation + 1,
                                     self._watch_list(site.content.site))
        return self.snapshot

    def _make_site(self) -> BuiltSite:
        content, state = load_state(self.source, self.now, self.base_url, cache=self.cache)
        # The theme's files are compared on every rebuild, not only when the watcher
        # reports one: a change it missed (a themes/ folder made after start, a logo
        # under content/) would otherwise keep the old hashed assets until the next theme
        # edit, since a content edit reuses the renderer.
        theme = load_theme(self.source, content.site)
        key = (content.site, theme_fingerprint(theme), theme.extra)
        if self.renderer is None or key != self.theme_key:
            self.renderer = Renderer(content, theme, self.md)
            self.theme_key = key
        return BuiltSite(content, state, render_site(content, state, self.renderer))

    def _watch_list(self, site: Site | None) -> tuple[Path, ...]:
        folders = [self.source / "content", self.source / "themes"]
        theme = site.theme if site else "default"
        with contextlib.suppress(ThemeError):  # reported by the build; themes/ is watched
            folders += resolve_theme(self.source, theme)
        logo = site.logo if site else ""
        if logo:
            folders.append((self.source / logo).parent)
        return tuple(dict.fromkeys(p.resolve() for p in folders if p.is_dir()))


def theme_fingerprint(theme: Theme) -> tuple[tuple[str, int, int, int], ...]:
    """Each theme file's path, modification time, size and inode: changes when a file
    is edited, added, removed or replaced."""
    found = []
    for files in theme.files:
        for path in files.values():
            info = path.stat()
            found.append((str(path), info.st_mtime_ns, info.st_size, info.st_ino))
    return tuple(found)
