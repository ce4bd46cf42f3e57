"""Building a site in memory for tests: the same steps as `check` and `serve`."""

from __future__ import annotations

from pathlib import Path

from generator.content.model import Content
from generator.content.timeutil import Now
from generator.site.build import BuiltSite, prepare, render_site, site_tasks
from generator.site.parallel import run_tasks
from generator.site.write import recover, staged, write_tree
from generator.state.derive import State
from generator.theme.markup import Markdown
from generator.theme.templates import Renderer


def make_site(source: Path, now: Now = None, base_url: str | None = None,
              md: Markdown | None = None, jobs: int = 1) -> BuiltSite:
    """Load, validate, derive and render, all in memory. Raises ContentError."""
    content, state, renderer = prepare(source, now, base_url, md, jobs)
    return BuiltSite(content, state, render_site(content, state, renderer))


def render_pages(content: Content, state: State, renderer: Renderer) -> dict[str, bytes]:
    """Every HTML page of the site, by output path."""
    tasks = site_tasks(content, state, renderer)
    return {p: b for p, b in run_tasks(tasks, 1).items() if p.endswith(".html")}


def write_site(files: dict[str, bytes], output: Path) -> None:
    """Replace `output` with exactly `files`, as `build` does."""
    recover(output)
    with staged(output) as new:
        write_tree(files, new, output if output.is_dir() else None)
