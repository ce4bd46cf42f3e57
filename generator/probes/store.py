"""Probe results in the repository: content/probes/<component>/<YYYY-MM>.csv.

One line per run, appended, never rewritten: `DDTHH:MM:SS,state,ms[,error]` in UTC (the
month is in the file name), state `u` up, `d` degraded, `x` down. About 20 bytes for a
good run: a year of 5-minute checks is ~2.1 MB per component before git compresses it.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

State = Literal["up", "degraded", "down"]
PROBES_DIR = Path("content") / "probes"
LETTERS: dict[State, str] = {"up": "u", "degraded": "d", "down": "x"}
STATES: dict[str, State] = {v: k for k, v in LETTERS.items()}
MAX_ROW = 400  # bytes; a longer line is not one this module wrote


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


def encode(at: datetime, result: Result) -> str:
    row = [f"{at.astimezone(UTC):%dT%H:%M:%S}", LETTERS[result.state], str(result.ms)]
    if result.error:
        row.append(result.error)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    return out.getvalue()


def append(source: Path, component: str, at: datetime, result: Result) -> Path:
    """Add one line; O_APPEND keeps earlier lines as they are, even if a run is killed."""
    path = month_file(source, component, at)
    path.parent.mkdir(parents=True, exist_ok=True)
    inside(source, path)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, encode(at, result).encode("utf-8"))
    finally:
        os.close(fd)
    return path


def read_month(source: Path, path: Path, year: int, month: int) -> list[Record]:
    """The records of one month file, oldest first; StoreError names a bad line. Read like
    every content file (size limit, no links out of the repository): it may come from a
    pull request."""
    from generator.content.load import read_text

    rel = path.relative_to(source).as_posix()
    text, problems = read_text(path, rel, source)
    if text is None:
        raise StoreError(rel, problems[0].line, problems[0].message)
    records = []
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_ROW:
            raise StoreError(rel, number, "the line is too long for a probe result")
        if line.strip():
            records.append(Record(*_decode(line, rel, number, year, month)))
    return records


def _decode(line: str, rel: str, number: int, year: int,
            month: int) -> tuple[datetime, Result]:
    try:
        row = next(csv.reader([line]))
        stamp, letter, ms = row[:3]
        day, clock = stamp.split("T")
        hour, minute, second = (int(p) for p in clock.split(":"))
        at = datetime(year, month, int(day), hour, minute, second, tzinfo=UTC)
        state = STATES[letter]
        if not ms.isdigit() or len(row) > 4:
            raise ValueError
        return at, Result(state, int(ms), row[3] if len(row) == 4 else "")
    except (ValueError, KeyError, StopIteration):
        raise StoreError(rel, number, "not a probe result (DDTHH:MM:SS,u|d|x,ms[,error])") \
            from None


def month_files(source: Path, component: str) -> list[tuple[Path, int, int]]:
    """(path, year, month) of a component's files, oldest first."""
    folder = source / PROBES_DIR / component
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        stem = path.name.removesuffix(".csv")
        if path.name.endswith(".csv") and len(stem) == 7 and stem[4] == "-" and \
                stem[:4].isdigit() and stem[5:].isdigit() and 1 <= int(stem[5:]) <= 12:
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
