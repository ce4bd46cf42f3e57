"""Remembering rendered pieces by their inputs, within a build and across rebuilds.

A `Memo` lives on the `Renderer`; `serve` keeps one Renderer between rebuilds, so a page
or feed entry whose inputs are equal to last time's is not rendered again. The key must
hold everything the piece is made from: that is what makes reuse safe.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class Memo:
    def __init__(self, forget: str | None = None) -> None:
        """`forget`: a kind of piece (named (kind, ...)) that is made but not kept. A build
        makes each page once: keeping them all cost a fifth of the memory at 10,000
        incidents, and a tenth of the time."""
        self._slots: dict[Hashable, tuple[Any, Any]] = {}
        self.forget = forget
        self.misses = 0  # how many pieces were made, not reused (tests read it)

    def get(self, name: Hashable, key: Any, make: Callable[[], T]) -> T:
        """The value last made under `name` if its key equals `key`, else a new one."""
        slot = self._slots.get(name)
        if slot is not None and slot[0] == key:
            return slot[1]  # type: ignore[no-any-return]
        self.misses += 1
        value = make()
        if self.forget is None or not (isinstance(name, tuple) and name[:1] == (self.forget,)):
            self._slots[name] = (key, value)
        return value

    def without(self, kind: str) -> Memo:
        """A copy without the pieces named (kind, ...): the pages, for new templates."""
        copy = Memo()
        copy._slots = {name: slot for name, slot in self._slots.items()
                       if not (isinstance(name, tuple) and name[:1] == (kind,))}
        return copy
