"""What every output is made from: the content, its derived state, and the helpers that
word it (the Markdown renderer and the site language's catalogue). No templates: only
the HTML pages get a template environment (theme.templates.Renderer)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from generator.content.model import Content, Update
from generator.site.memo import Memo
from generator.state.derive import State
from generator.theme.i18n import Translator
from generator.theme.markup import Markdown, update_html


@dataclass(frozen=True)
class Context:
    content: Content
    state: State
    md: Markdown
    t: Translator
    memo: Memo  # outputs remembered across rebuilds (serve), keyed by what they show
    assets: Mapping[str, str]  # the theme's static files: name -> published path

    def message_html(self, update: Update) -> str:
        return update_html(update, self.md, self.t)
