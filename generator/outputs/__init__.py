"""Every file a build publishes, one module per output.

Each output is a function of the Context (content, derived state, Markdown and the
catalogue) that returns files by output path. Adding an output is a module here plus one
line in WORDED or NEUTRAL. The HTML pages (pages.py) also get the template environment,
and come as several tasks so that workers share them; the theme's static files are copied
as they are.

A site in several languages (site.yaml `languages`) publishes the pages and the worded
files once per language: the first language at the root, each other in its folder
(`de/`), with the same paths inside. The language-neutral files (the JSON API, sitemap,
robots.txt, build.json and the assets) exist once, at the root (docs/theming.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial

from generator.outputs import api, badges, buildinfo, calendar, feeds, headers, sitemap
from generator.outputs.context import Context
from generator.outputs.pages import Pages, page_tasks, static_files
from generator.site.parallel import Task
from generator.theme.templates import Renderer

Output = Callable[[Context], dict[str, bytes]]

# Files with words in them (titles, statuses, dates): one set per language.
WORDED: tuple[Output, ...] = (
    feeds.feed_files,
    calendar.calendar_files,
    badges.badge_files,
)
# Files for machines, the same in any language: once, at the root.
NEUTRAL: tuple[Output, ...] = (
    api.api_files,
    sitemap.seo_files,
    buildinfo.build_files,
    headers.headers_files,
)
FILES = WORDED + NEUTRAL


def in_folder(folder: str, task: Task) -> Task:
    """The task's files, published under `folder`."""
    return lambda: {folder + path: data for path, data in task().items()}


def editions(ctx: Context, renderer: Renderer) -> list[tuple[str, Context, Renderer,
                                                                   tuple[Output, ...]]]:
    """(folder, context, renderer, outputs) of each language the site is published in:
    the first at the root with every output, each other in its folder with the worded
    ones, as that language publishes the site (its absolute URLs point into its folder)."""
    result = [("", ctx, renderer, FILES)]
    for other in renderer.translations:
        own = Context(replace(ctx.content, site=other.site), ctx.state, ctx.md, other.t,
                      other.memo, ctx.assets)
        result.append((other.folder, own, other, WORDED))
    return result


def tasks(ctx: Context, renderer: Renderer) -> list[Task]:
    """Every output file of the site, as independent tasks: the large ones that cannot be
    split (feeds, calendars) first, the pages last, in parts small enough that the
    processes taking them finish close together."""
    result: list[Task] = []
    for folder, own, r, made in editions(ctx, renderer):
        mine = [partial(output, own) for output in made] + page_tasks(own, r)
        result += [in_folder(folder, task) for task in mine] if folder else mine
    result.append(lambda: static_files(renderer.theme))
    return result


def parts(ctx: Context, renderer: Renderer) -> tuple[list[tuple[str, Pages]], list[Task],
                                                     dict[str, bytes]]:
    """The same files for the dev server: the pages of each language by its folder (each
    page made when asked for), the other outputs as tasks, and the theme's static files."""
    pages: list[tuple[str, Pages]] = []
    rest: list[Task] = []
    for folder, own, r, made in editions(ctx, renderer):
        pages.append((folder, Pages(own, r)))
        mine = [partial(output, own) for output in made]
        rest += [in_folder(folder, task) for task in mine] if folder else mine
    return pages, rest, static_files(renderer.theme)
