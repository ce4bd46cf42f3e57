"""Probe results in the repository: content/probes/<component>/<YYYY-MM>.csv.

One line per run, appended, never rewritten: `DDTHH:MM:SS,state,ms[,error]` in UTC (the
month is in the file name), state `u` up, `d` degraded, `x` down. About 20 bytes for a
good run: a year of 5-minute checks is ~2.1 MB per component before git compresses it.
"""

from __future__ import annotations

import os
import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

State = Literal["up", "degraded", "down"]
PROBES_DIR = Path("content") / "probes"
LETTERS: dict[State, str] = {"up": "u", "degraded": "d", "down": "x"}
STATES: dict[str, State] = {v: k for k, v in LETTERS.items()}


@dataclass(frozen=True)
class Result:
    """What one run of a check found."""

    state: State
    ms: int  # time to the answer (or until it failed)
    error: str = ""  # why it is not up, one line


@dataclass(frozen=True)
class Record:
    at: datetime  # UTC
    result: Result


class StoreError(ValueError):
    def __init__(self, rel: str, line: int | None, message: str):
        super().__init__(message)
        self.rel, self.line = rel, line


def month_file(source: Path, component: str, at: datetime) -> Path:
    return source / PROBES_DIR / component / f"{at.astimezone(UTC):%Y-%m}.csv"


def inside(source: Path, path: Path) -> None:
    """Refuse to write through a link: a folder or file in content/probes that leads out
    of the repository (or a linked file at all) must not make probe write elsewhere."""
    if path.is_symlink() or not path.parent.resolve().is_relative_to(source.resolve()):
        raise StoreError(path.relative_to(source).as_posix(), None, "the results file is a "
                         "link or in a linked folder; probe writes only plain files in the "
                         "repository")


def _field(error: str) -> str:
    """The error as a CSV field: quoted when it holds a comma or a quote."""
    return f'"{error.replace(chr(34), 2 * chr(34))}"' if "," in error or '"' in error \
        else error


def encode(at: datetime, result: Result) -> str:
    at = at.astimezone(UTC)
    error = f",{_field(result.error)}" if result.error else ""
    return f"{at:%dT%H:%M:%S},{LETTERS[result.state]},{result.ms}{error}\n"


def append(source: Path, component: str, at: datetime, result: Result) -> Path:
    """Add one line; O_APPEND keeps earlier lines as they are, even if a run is killed."""
    path = month_file(source, component, at)
    inside(source, path)  # before mkdir too: a linked content/probes must not get a folder
    path.parent.mkdir(parents=True, exist_ok=True)
    inside(source, path)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, encode(at, result).encode("utf-8"))
    finally:
        os.close(fd)
    return path


# What a results line is (one definition, for the probe and the build alike).
LINE_RE = re.compile(r'^((?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d),([udx]),'
                     r'(\d{1,7})(?:,([^",\n]{1,500}|"(?:[^"\n]|""){1,500}"))?$', re.MULTILINE)
BLANK_RE = re.compile(r"^[ \t]*$", re.MULTILINE)
FORMAT = "DDTHH:MM:SS,u|d|x,ms[,error]"
# The line's time as written (DDTHH:MM:SS, UTC: fixed width, so it sorts as time does),
# state letter, milliseconds and error (CSV-quoted if it was).
Row = tuple[str, str, str, str]


def scan_month(source: Path, path: Path, year: int, month: int) -> list[Row]:
    """The lines of one month file, in file order; StoreError names a bad line. Read like
    every content file (size limit, no links out of the repository): it may come from a
    pull request. One regular expression runs over the whole text and the rows stay
    strings: a build reads every line in its window (docs/probes.md)."""
    from generator.content.load import read_text

    rel = path.relative_to(source).as_posix()
    text, problems = read_text(path, rel, source)
    if text is None:
        raise StoreError(rel, problems[0].line, problems[0].message)
    rows: list[Row] = LINE_RE.findall(text)
    lines = text.count("\n") + 1  # as split("\n") counts them, the blank ones too
    if len(rows) != lines - len(BLANK_RE.findall(text)):
        for number, line in enumerate(text.split("\n"), start=1):
            if line.strip() and not LINE_RE.fullmatch(line):
                raise StoreError(rel, number, f"not a probe result ({FORMAT})")
    days = f"{monthrange(year, month)[1]:02d}"
    if rows and max(rows)[0][:2] > days:
        late = next(n for n, row in enumerate(rows) if row[0][:2] > days)
        raise StoreError(rel, _line_of(text, late), f"{year}-{month:02d} has {days} days")
    return rows


def _line_of(text: str, index: int) -> int:
    """The line number of the index-th non-blank line."""
    seen = -1
    for number, line in enumerate(text.split("\n"), start=1):
        seen += bool(line.strip())
        if seen == index:
            return number
    return 0


def read_month(source: Path, path: Path, year: int, month: int) -> list[Record]:
    """The records of one month file, in file order (see scan_month)."""
    return [Record(datetime(year, month, int(stamp[:2]), int(stamp[3:5]), int(stamp[6:8]),
                            int(stamp[9:11]), tzinfo=UTC),
                   Result(STATES[letter], int(ms), error[1:-1].replace('""', '"')
                          if error.startswith('"') else error))
            for stamp, letter, ms, error in scan_month(source, path, year, month)]


def month_files(source: Path, component: str) -> list[tuple[Path, int, int]]:
    """(path, year, month) of a component's files, oldest first."""
    folder = source / PROBES_DIR / component
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        stem = path.name.removesuffix(".csv")
        # isascii: str.isdigit() also takes '²', which int() refuses.
        if path.name.endswith(".csv") and len(stem) == 7 and stem[4] == "-" and \
                stem.isascii() and stem[:4].isdigit() and stem[5:].isdigit() and \
                1 <= int(stem[5:]) <= 12:
            found.append((path, int(stem[:4]), int(stem[5:])))
    return sorted(found, key=lambda f: f[0].name)


def latest(source: Path, component: str, count: int) -> list[Record]:
    """The last `count` records (fewer if there are fewer), oldest first."""
    records: list[Record] = []
    for path, year, month in reversed(month_files(source, component)):
        records = read_month(source, path, year, month)[-(count - len(records)):] + records
        if len(records) >= count:
            break
    return records
