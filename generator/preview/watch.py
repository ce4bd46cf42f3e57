"""Watching the site's folders for the preview: content/, themes/ (also once it appears)
and the active theme, with editors' temporary files ignored."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Collection
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

# --- watching -----------------------------------------------------------------------------

DEBOUNCE = 0.05  # seconds of quiet before a rebuild: editors save in several steps
# Less after a step that leaves a file whole (closed after writing, moved into place,
# deleted): only another file of the same save, if any, is still to come. (Moved away to
# an editor's backup name, it is about to be written anew.)
SETTLED = 0.01
MAX_DELAY = 1.0  # never wait longer than this after the first change


def _ignored(path: str) -> bool:
    name = Path(path).name
    return (not name or name.startswith((".", "#")) or name.endswith(("~", ".swp", ".tmp"))
            or "__pycache__" in path)


class Changes(FileSystemEventHandler):
    """Collects changed paths from watchdog threads; hands them out in debounced batches."""

    def __init__(self) -> None:
        super().__init__()
        self.pending: set[Path] = set()
        self.first = 0.0
        self.last = 0.0
        self.quiet = DEBOUNCE  # how long to wait after the last change
        self.cond = threading.Condition()

    def dispatch(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a file event inside it follows
        dest = os.fsdecode(getattr(event, "dest_path", "") or "")
        paths = [os.fsdecode(event.src_path), dest]
        found = {Path(p) for p in paths if p and not _ignored(p)}
        if not found:
            return
        whole = event.event_type in ("closed", "deleted") or (
            event.event_type == "moved" and bool(dest) and not _ignored(dest))
        with self.cond:
            now = time.monotonic()
            if not self.pending:
                self.first = now
            self.pending |= found
            self.last = now
            self.quiet = SETTLED if whole else DEBOUNCE
            self.cond.notify_all()

    def add(self, paths: Collection[Path]) -> None:
        """Changes found otherwise than by watching (Rebuilder.missed)."""
        with self.cond:
            now = time.monotonic()
            if not self.pending:
                self.first = now
            self.pending |= set(paths)
            self.last, self.quiet = now, SETTLED
            self.cond.notify_all()

    def next_batch(self, stopping: threading.Event) -> set[Path]:
        """Wait for changes, then for a quiet moment; empty when stopping."""
        with self.cond:
            while not self.pending and not stopping.is_set():
                self.cond.wait(0.5)
            while self.pending and not stopping.is_set():
                now = time.monotonic()
                quiet_for, waited = now - self.last, now - self.first
                if quiet_for >= self.quiet or waited >= MAX_DELAY:
                    break
                self.cond.wait(min(self.quiet - quiet_for, MAX_DELAY - waited))
            batch, self.pending = self.pending, set()
            return batch

    def waiting(self) -> bool:
        """Whether changes are waiting to be rebuilt."""
        return bool(self.pending)

    def wait(self, seconds: float, stopping: threading.Event) -> bool:
        """Wait up to `seconds` for a change; whether there is one."""
        deadline = time.monotonic() + seconds
        with self.cond:
            while not self.pending and not stopping.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            return bool(self.pending)


class Appears(FileSystemEventHandler):
    """Watches the source folder itself (not below it) for a `themes` folder made, moved
    in or removed after start: the rebuild that follows re-aims the watcher at it."""

    def __init__(self, changes: Changes):
        super().__init__()
        self.changes = changes

    def dispatch(self, event: FileSystemEvent) -> None:
        paths = (event.src_path, getattr(event, "dest_path", ""))
        if any(p and Path(os.fsdecode(p)).name == "themes" for p in paths):
            self.changes.dispatch(event)


class Watcher:
    """A watchdog observer over the snapshot's folders, re-aimed when they change, and
    over the source folder itself for a themes/ folder that appears."""

    def __init__(self, changes: Changes, source: Path | None = None):
        self.changes = changes
        self.observer = Observer()
        self.watched: dict[Path, ObservedWatch] = {}
        if source is not None:
            self.observer.schedule(Appears(changes), str(source.resolve()), recursive=False)

    def aim(self, folders: Collection[Path]) -> None:
        for gone in set(self.watched) - set(folders):
            self.observer.unschedule(self.watched.pop(gone))
        for folder in folders:
            if folder not in self.watched:
                self.watched[folder] = self.observer.schedule(self.changes, str(folder),
                                                              recursive=True)

    def start(self) -> None:
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=5)
