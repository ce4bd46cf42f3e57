"""Every file a build publishes, one module per output.

Each output is a function of the Context (content, derived state, Markdown and the
catalogue) that returns files by output path. Adding an output is a module here plus one
line in FILES. The HTML pages (pages.py) also get the template environment, and come
as several tasks so that workers share them; the theme's static files are copied as
they are, and _headers (headers.py) names the hashed ones.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from generator.outputs import api, badges, buildinfo, calendar, feeds, headers, sitemap
from generator.outputs.context import Context
from generator.outputs.pages import page_tasks, static_files
from generator.site.parallel import Task
from generator.theme.templates import Renderer

FILES: tuple[Callable[[Context], dict[str, bytes]], ...] = (
    api.api_files,
    feeds.feed_files,
    calendar.calendar_files,
    badges.badge_files,
    sitemap.seo_files,
    buildinfo.build_files,
)


def tasks(ctx: Context, renderer: Renderer) -> list[Task]:
    """Every output file of the site, as independent tasks."""
    result = page_tasks(ctx, renderer)
    result += [partial(output, ctx) for output in FILES]
    result.append(lambda: static_files(renderer.theme))
    # _headers names the theme's hashed assets, which only the renderer's theme knows.
    result.append(lambda: headers.headers_files(renderer.theme.assets))
    return result
