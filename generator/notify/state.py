"""The state file: what each channel has been sent, so that every event goes out once.

    {"format": 1,
     "channels": {"<channel id>": {
         "sent": ["<event key>", ...],           # delivered (or filtered out)
         "partial": {"<event key>": ["<recipient digest>", ...]},  # email, in progress
         "components": {"<component id>": ["<status told>", <changes told>]}}}}

It is rewritten atomically (a temporary file renamed over it) after every delivery, so a
run killed midway repeats at most the delivery that was in flight. Email addresses are
stored as digests only: the file may end up public (a branch of the repository).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.commands.authoring import user_error

FORMAT = 1
DEFAULT_PATH = ".heliograph/notify-state.json"
MAX_STATE_BYTES = 50_000_000


@dataclass
class ChannelState:
    sent: set[str] = field(default_factory=set)
    partial: dict[str, set[str]] = field(default_factory=dict)
    components: dict[str, tuple[str, int]] = field(default_factory=dict)


@dataclass
class NotifyState:
    """Mutable on purpose: it is the record of a run in progress, saved after each step."""

    path: Path
    channels: dict[str, ChannelState]
    existed: bool  # False on the first run: nothing is sent, the present is recorded

    def save(self) -> None:
        data = {"format": FORMAT, "channels": {
            cid: {"sent": sorted(ch.sent),
                  "partial": {k: sorted(v) for k, v in sorted(ch.partial.items())},
                  "components": {c: list(v) for c, v in sorted(ch.components.items())}}
            for cid, ch in sorted(self.channels.items())}}
        raw = (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        # A leftover (or a committed link) by that name is removed, never written through.
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(raw)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)  # atomic: readers see the old file or the new one
        finally:
            tmp.unlink(missing_ok=True)


def recipient_digest(channel: str, address: str) -> str:
    return hashlib.sha256(f"{channel}\0{address.lower()}".encode()).hexdigest()[:20]


def no_links(*paths: Path) -> None:
    """Refuse a state file, lock file or folder that is a link: one committed to the
    repository would make notify read or write (and the workflow publish) a file elsewhere."""
    for path in (paths[0].parent, *paths):
        if path.is_symlink():
            raise user_error(str(path), "the notify state file or its folder is a link; "
                             "notify reads and writes only plain files",
                             "remove the link (the state is kept on its own branch)")


def load_state(path: Path) -> NotifyState:
    """The state at `path`; an empty one (existed=False) when there is no file."""
    where = str(path)
    no_links(path)
    if not path.exists():
        return NotifyState(path, {}, existed=False)
    try:
        if path.stat().st_size > MAX_STATE_BYTES:
            raise user_error(where, "the notify state file is larger than "
                             f"{MAX_STATE_BYTES:,} bytes", "it is not a Heliograph state file")
        data = json.loads(path.read_bytes())
        channels = {cid: _channel(item) for cid, item in data["channels"].items()}
        if data.get("format") != FORMAT:
            raise ValueError("format")
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise user_error(where, "the notify state file cannot be read",
                         "restore it from where the workflow keeps it; deleting it makes the "
                         "next run record the present as sent and send nothing") from None
    return NotifyState(path, channels, existed=True)


def _channel(item: Any) -> ChannelState:
    sent = item["sent"]
    partial = item["partial"]
    components = item["components"]
    if not (isinstance(sent, list) and all(isinstance(s, str) for s in sent)):
        raise ValueError("sent")
    result = ChannelState(set(sent))
    for key, digests in partial.items():
        if not (isinstance(digests, list) and all(isinstance(d, str) for d in digests)):
            raise ValueError("partial")
        result.partial[str(key)] = set(digests)
    for cid, (status, count) in components.items():
        if not isinstance(status, str) or not isinstance(count, int):
            raise ValueError("components")
        result.components[str(cid)] = (status, count)
    return result


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """One notify run at a time per state file: a second one stops instead of sending
    the same events (the workflow also queues its runs)."""
    lock = path.with_name(path.name + ".lock")
    no_links(path, lock)
    path.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise user_error(str(path), "another heliograph notify run is using this state "
                             "file", "wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
