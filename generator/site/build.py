"""`heliograph build`: content files -> validated model -> derived state -> output files."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from generator.content.load import LoadCache, load_content
from generator.content.model import Content, Site
from generator.content.timeutil import Now, resolve_now, utc_now
from generator.site.parallel import Task, default_jobs, fork_map, run_tasks
from generator.site.write import check_output_dir, recover, staged, write_tree
from generator.theme.i18n import text_direction
from generator.theme.markup import Markdown
from generator.theme.themes import load_theme

# The derived state, outputs and templates (Jinja, feeds, calendars: ~0.2 s of imports)
# are imported by the functions that use them: `check` on the default theme only loads.
if TYPE_CHECKING:
    from generator.outputs.context import Context
    from generator.state.derive import State
    from generator.theme.templates import Renderer


@dataclass
class BuiltSite:
    """A loaded site with its derived state and rendered files."""

    content: Content
    state: State
    files: dict[str, bytes]


@dataclass
class Built:
    """What `build` wrote."""

    content: Content
    state: State
    file_count: int
    kinds: Counter[str] = field(default_factory=Counter)  # file_kind -> how many


# What a build's summary counts, by file name; everything else (assets, sitemap, robots.txt)
# is counted as "other".
KINDS = (("pages", (".html",)), ("feeds", (".atom", ".rss")), ("JSON", (".json",)),
         ("calendars", (".ics",)), ("badges", ("badge.svg",)))


def file_kind(path: str) -> str:
    return next((kind for kind, ends in KINDS if path.endswith(ends)), "other")


def _write(files: dict[str, bytes], folder: Path, previous: Path | None) -> Counter[str]:
    write_tree(files, folder, previous)
    return Counter(file_kind(path) for path in files)


# Below this many incidents, forking workers costs more than it saves.
PARALLEL_FROM = 50


def load(source: Path, now: Now = None, base_url: str | None = None, jobs: int = 1,
         cache: LoadCache | None = None, md: Markdown | None = None,
         meanwhile: Callable[[Site], None] | None = None) -> tuple[Content, datetime]:
    """Load and validate; the content and the instant it was validated at (for the
    state). Raises ContentError."""
    now = utc_now() if now is None else now  # one instant for validation and state
    content = load_content(source, now, base_url, jobs=jobs, cache=cache, md=md,
                           meanwhile=meanwhile)
    return content, resolve_now(now, content.site.zone)


def load_state(source: Path, now: Now = None, base_url: str | None = None, jobs: int = 1,
               cache: LoadCache | None = None, md: Markdown | None = None,
               meanwhile: Callable[[Site], None] | None = None) -> tuple[Content, State]:
    """Load, validate and derive. Raises ContentError."""
    from generator.state.derive import derive

    content, instant = load(source, now, base_url, jobs, cache, md, meanwhile)
    return content, derive(content, instant)


def ready_to_render(site: Site) -> None:
    """What rendering needs besides the content: the derived state's, templates' and
    outputs' modules (Jinja, ~0.1 s of imports) and the languages' CLDR data (~40 ms).
    Loaded while other processes parse the incident files, rather than after."""
    import generator.outputs
    import generator.state.derive  # noqa: F401

    for language in site.languages:
        text_direction(language)


def prepare(source: Path, now: Now = None, base_url: str | None = None,
            md: Markdown | None = None, jobs: int = 1) -> tuple[Content, State, Renderer]:
    """Load, validate and derive; the renderer for the outputs. Raises ContentError."""
    md = md or Markdown()  # the loader renders the Markdown to validate it; outputs reuse it
    content, state = load_state(source, now, base_url, jobs, md=md, meanwhile=ready_to_render)
    from generator.theme.templates import Renderer

    return content, state, Renderer(content, load_theme(source, content.site), md, jobs,
                                    pages_once=True)


def context(content: Content, state: State, renderer: Renderer) -> Context:
    from generator.outputs.context import Context

    return Context(content, state, renderer.md, renderer.t, renderer.memo,
                   renderer.theme.assets)


def site_tasks(content: Content, state: State, renderer: Renderer) -> list[Task]:
    """Every output file of the site, as independent tasks."""
    from generator import outputs

    return outputs.tasks(context(content, state, renderer), renderer)


def worker_count(content: Content, renderer: Renderer) -> int:
    return renderer.jobs if len(content.incidents) >= PARALLEL_FROM else 1


def render_site(content: Content, state: State, renderer: Renderer) -> dict[str, bytes]:
    return run_tasks(site_tasks(content, state, renderer), worker_count(content, renderer))


def build(source: Path, output: Path, now: Now = None, base_url: str | None = None,
          jobs: int | None = None) -> Built:
    """Build into `output` atomically; `jobs` worker processes (default: one per CPU).

    Each task's files are written by the worker that rendered them, straight into the
    staged folder: writing overlaps rendering, and no page crosses a process boundary.
    """
    out = check_output_dir(output, source)
    recover(out)  # a site an interrupted build set aside is the one to keep
    # Loading makes hundreds of thousands of objects that live until the end, and no
    # garbage cycles: the collector's passes over them were a fifth of loading 10,000
    # incidents and grew faster than the content. Frozen, they are not scanned while
    # the pages render, and forked workers do not copy their memory by touching them.
    gc.disable()
    try:
        content, state, renderer = prepare(source, now, base_url,
                                           jobs=default_jobs() if jobs is None else jobs)
        tasks = site_tasks(content, state, renderer)
    finally:
        gc.enable()
    gc.freeze()
    try:
        previous = out if out.is_dir() else None
        kinds: Counter[str] = Counter()
        with staged(out) as tmp:
            for written in fork_map(lambda i: _write(tasks[i](), tmp, previous),
                                    len(tasks), worker_count(content, renderer)):
                kinds.update(written)
    finally:
        gc.unfreeze()
    return Built(content, state, kinds.total(), kinds)
