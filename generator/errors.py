"""Problems found in content, reported with file, line and a hint on how to fix them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) in one content file."""

    file: str
    line: int | None
    column: int | None
    message: str
    hint: str = ""
    severity: Severity = "error"

    def location(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def format_text(self) -> str:
        # Messages and file names come from content: their control characters are shown
        # escaped, so neither can start a line of its own (in CI logs a line starting with
        # '::' is a GitHub Actions workflow command).
        text = f"{printable(self.location())}: {self.severity}: {printable(self.message)}"
        if self.hint:
            text += f"\n    hint: {printable(self.hint)}"
        return text

    def format_github(self) -> str:
        # Workflow commands need %, CR and LF escaped in data and properties.
        def esc(value: str, prop: bool = False) -> str:
            value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            if prop:
                value = value.replace(":", "%3A").replace(",", "%2C")
            return value

        props = [f"file={esc(self.file, True)}"]
        if self.line is not None:
            props.append(f"line={self.line}")
            if self.column is not None:
                props.append(f"col={self.column}")
        props.append(f"title={esc('Heliograph ' + self.severity, True)}")
        message = self.message + (f" Hint: {self.hint}" if self.hint else "")
        return f"::{self.severity} {','.join(props)}::{esc(message)}"


_CONTROL = {c: f"\\x{c:02x}" for c in range(32) if c != 9} | {10: "\\n", 13: "\\r", 127: "\\x7f"}


def printable(text: str) -> str:
    """Text with its control characters shown as escapes (\\n, \\x1b), on one line."""
    return text.translate(_CONTROL)


class ContentError(Exception):
    """Raised when content cannot be built; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sort_problems(problems)
        super().__init__("\n".join(p.format_text() for p in self.problems))


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """By file, then position: the order an author fixes them in."""
    return sorted(problems, key=_sort_key)


def _sort_key(p: Problem) -> tuple[str, int, int, str]:
    return (p.file, p.line or 0, p.column or 0, p.message)


def suggest(word: str, choices: Iterable[str]) -> str:
    """A 'did you mean' hint, or '' when nothing is close."""
    import difflib  # here: only a mistake needs it, and every command imports this module

    match = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else ""
