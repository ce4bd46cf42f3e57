"""`heliograph serve`: a local preview that rebuilds on change and reloads open tabs.

The site is built in memory (`Rebuilder`) and served from memory on 127.0.0.1 (or
`--host`). A watchdog observer watches content/ and the theme; changes are debounced
into one `Rebuilder.start(changed_paths)` call, which installs the new site: its pages
are rendered when asked for, and the rest in a background thread. HTML responses get a
small external script that listens on a server-sent events stream: `reload` after a good
rebuild, `problems` (shown as an overlay) when the content has errors or a page cannot be
rendered, while the last good site keeps being served.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
import webbrowser
from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from types import FrameType

from generator.content.load import not_a_repo
from generator.errors import ContentError, printable
from generator.preview.rebuild import Rebuilder, Snapshot
from generator.preview.server import Preview, bind, is_loopback, preview_url, problems_json, sse
from generator.preview.watch import Changes, Watcher

# --- the terminal and the main loop -------------------------------------------------------

def _stamp() -> str:
    return datetime.now().strftime("%H:%M:%S")


def report(snapshot: Snapshot, seconds: float, changed: Collection[Path], source: Path,
           whole: bool = False) -> None:
    """A rebuild's outcome: problems, the new site ready (pages rendered as asked for), or
    all of it rendered (`whole`)."""
    names = sorted(_display(p, source) for p in changed)
    what = f" ({', '.join(names[:3])}{', ...' if len(names) > 3 else ''})" if names else ""
    if snapshot.problems:
        count = len(snapshot.problems)
        keeping = "still serving the last good build" if snapshot.site else "nothing to serve yet"
        print(f"[{_stamp()}] {count} problem{'s' if count != 1 else ''}{what}; {keeping}:",
              file=sys.stderr, flush=True)
        for problem in snapshot.problems:
            print("  " + problem.format_text().replace("\n", "\n  "), file=sys.stderr, flush=True)
    elif whole:
        print(f"[{_stamp()}] Built {len(snapshot.files)} files in {seconds * 1000:.0f} ms",
              flush=True)
    else:
        print(f"[{_stamp()}] Ready in {seconds * 1000:.0f} ms{what}", flush=True)


def _display(path: Path, source: Path) -> str:
    """A changed file's name for the terminal; control characters escaped (a file name
    from a pull request must not send escape sequences to the developer's terminal)."""
    try:
        name = path.resolve().relative_to(source.resolve()).as_posix()
    except ValueError:
        name = path.name
    return printable(name)


# After a rebuild, the rest of the site is rendered once the browser has had this long to
# ask for the reloaded page.
GRACE = 0.2


class Loop:
    """Rebuild on each batch of changes and tell the browsers (one thread); render the
    rest of the site while nothing changes (another)."""

    def __init__(self, preview: Preview, changes: Changes, watcher: Watcher):
        self.preview, self.changes, self.watcher = preview, changes, watcher
        self.thread = threading.Thread(target=self.run, name="heliograph-rebuild", daemon=True)
        self.finisher = threading.Thread(target=self.finish, name="heliograph-finish",
                                         daemon=True)
        self.rebuilt = threading.Event()  # a rebuild happened: the rest is to render
        self.rebuilding = threading.Event()
        preview.rebuilder.on_failure = self.failed

    def build(self, changed: Collection[Path]) -> None:
        rebuilder = self.preview.rebuilder
        self.rebuilding.set()
        try:
            started = time.perf_counter()
            before = rebuilder.snapshot.generation
            snapshot = rebuilder.start(changed)
            report(snapshot, time.perf_counter() - started, changed, rebuilder.source)
        finally:
            self.rebuilding.clear()
            self.rebuilt.set()
        self.watcher.aim(snapshot.watch)
        if snapshot.problems:
            self.preview.events.publish(sse("problems", problems_json(snapshot.problems)))
        elif snapshot.generation != before:
            self.preview.events.publish(sse("reload", str(snapshot.generation)))

    def failed(self, snapshot: Snapshot) -> None:
        """A page of the new build could not be rendered: the last good one is served."""
        report(snapshot, 0.0, (), self.preview.rebuilder.source)
        self.preview.events.publish(sse("problems", problems_json(snapshot.problems)))

    def run(self) -> None:
        while not self.preview.stopping.is_set():
            batch = self.changes.next_batch(self.preview.stopping)
            if batch:
                self.build(batch)

    def finish(self) -> None:
        """Render the rest of the latest site, a file at a time, until something changes."""
        rebuilder, stopping = self.preview.rebuilder, self.preview.stopping

        def stop() -> bool:
            return self.rebuilt.is_set() or self.rebuilding.is_set() \
                or self.changes.waiting() or stopping.is_set()

        while not stopping.is_set():
            if not self.rebuilt.wait(0.5):
                continue
            self.rebuilt.clear()
            if self.changes.wait(GRACE, stopping) or self.rebuilt.is_set():
                continue
            site = rebuilder.snapshot.site
            if site is None or site.done:
                continue
            started = time.perf_counter()
            if rebuilder.finish(stop) and rebuilder.snapshot.site is site \
                    and not rebuilder.snapshot.problems:
                report(rebuilder.snapshot, time.perf_counter() - started, (), rebuilder.source,
                       whole=True)
                missed = rebuilder.missed()
                if missed and not stop():
                    self.changes.add(missed)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def open_browser(url: str) -> None:
    """Open the preview in the default browser (BROWSER, if set, names it), off the main
    thread: some browsers' launchers wait until the browser is closed."""
    def run() -> None:
        if not webbrowser.open(url):
            print(f"Could not open a browser; visit {url}", file=sys.stderr, flush=True)

    threading.Thread(target=run, name="heliograph-open", daemon=True).start()


def run_serve(source: Path, port: int, now: str | None, host: str = "127.0.0.1",
              open_it: bool = False) -> int:
    server = bind(host, port)
    url = preview_url(host, server.server_address[1])
    if not is_loopback(host):
        print(f"heliograph serve: warning: listening on {host}, not only on this machine: "
              f"anyone who can reach it on port {server.server_address[1]} sees the preview, "
              "drafts and all", file=sys.stderr, flush=True)
    preview = Preview(Rebuilder(source, now, url))
    server.preview = preview
    changes = Changes()
    watcher = Watcher(changes, source)
    loop = Loop(preview, changes, watcher)
    # Watching starts first: a file saved during the first build is rebuilt after it.
    watcher.aim(preview.rebuilder.snapshot.watch)
    watcher.start()
    loop.build(())
    loop.thread.start()
    loop.finisher.start()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    print(f"Serving {source.resolve()} at {url} (Ctrl-C to stop)", flush=True)
    if open_it:
        open_browser(url)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("\nStopping.", flush=True)
    finally:
        preview.stopping.set()
        preview.events.close()
        watcher.stop()
        server.server_close()
    return 0


def main(args: argparse.Namespace) -> int:
    if missing := not_a_repo(Path(args.source)):  # a typo to fix, not a page to preview
        raise ContentError(missing)
    return run_serve(Path(args.source), args.port, args.now, args.host, args.open)

