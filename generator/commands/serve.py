"""`heliograph serve`: a local preview that rebuilds on change and reloads open tabs.

The site is built in memory (`Rebuilder`) and served from memory on 127.0.0.1 (or
`--host`). A
watchdog observer watches content/ and the theme; changes are debounced into one
`Rebuilder.rebuild(changed_paths)` call. HTML responses get a small external script
that listens on a server-sent events stream: `reload` after a good rebuild,
`problems` (shown as an overlay) when the content has errors, while the last good
site keeps being served.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import html
import ipaddress
import json
import mimetypes
import os
import posixpath
import queue
import signal
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from urllib.parse import quote, unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from generator.commands.authoring import user_error
from generator.content.load import LoadCache, not_a_repo
from generator.content.model import Site
from generator.errors import ContentError, Problem, printable
from generator.site.build import BuiltSite, load_state, render_site
from generator.theme.markup import Markdown
from generator.theme.templates import Renderer
from generator.theme.themes import Theme, ThemeError, load_theme, resolve_theme

PREFIX = "/__heliograph/"
SCRIPT_PATH = PREFIX + "livereload.js"
EVENTS_PATH = PREFIX + "events"
DEBOUNCE = 0.05  # seconds of quiet before a rebuild: editors save in several steps
MAX_DELAY = 1.0  # never wait longer than this after the first change
PING_EVERY = 15.0  # keeps proxies from closing the stream and finds closed tabs
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}

LIVERELOAD_JS = """\
// Heliograph preview: reload on rebuild, show content errors as an overlay.
(function () {
  "use strict";
  var me = document.currentScript;
  var seen = me ? new URL(me.src).searchParams.get("g") : null;
  var box = null;

  function hide() {
    if (box) { box.remove(); box = null; }
  }

  // The page's stylesheet styles pre, h1 and button too (a light theme's card colour
  // behind inherited white text was unreadable): every colour here is set inline, from
  // one palette per colour scheme, so the overlay reads the same over any theme.
  function palette() {
    var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
    return dark ? {bg: "#16161a", fg: "#f2f2f2", card: "#26262c", line: "#ff8a80"}
                : {bg: "#ffffff", fg: "#1b1b1f", card: "#f1f1f4", line: "#b3261e"};
  }

  function show(problems) {
    hide();
    var c = palette();
    box = document.createElement("div");
    box.setAttribute("role", "alert");
    var s = box.style;
    s.position = "fixed"; s.inset = "0"; s.zIndex = "2147483647"; s.overflow = "auto";
    s.background = c.bg; s.color = c.fg; s.padding = "2rem"; s.margin = "0";
    s.font = "14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
    var title = document.createElement("h1");
    title.textContent = problems.length + " problem" + (problems.length === 1 ? "" : "s") +
      " in the content; showing the last good build";
    title.style.font = "bold 18px/1.3 system-ui, sans-serif";
    title.style.color = c.fg; title.style.background = "transparent";
    box.appendChild(title);
    problems.forEach(function (p) {
      var item = document.createElement("pre");
      var t = item.style;
      t.whiteSpace = "pre-wrap"; t.margin = "1rem 0"; t.padding = ".75rem 1rem";
      t.color = c.fg; t.background = c.card; t.border = "0";
      t.borderLeft = "4px solid " + c.line; t.borderRadius = "0"; t.font = "inherit";
      item.textContent = p.where + "\\n" + p.message + (p.hint ? "\\nhint: " + p.hint : "");
      box.appendChild(item);
    });
    var close = document.createElement("button");
    close.type = "button"; close.textContent = "Hide until the next change";
    var b = close.style;
    b.color = c.fg; b.background = c.card; b.border = "1px solid " + c.fg;
    b.padding = ".4rem .8rem"; b.font = "14px/1.4 system-ui, sans-serif"; b.cursor = "pointer";
    close.addEventListener("click", hide);
    box.appendChild(close);
    document.body.appendChild(box);
  }

  var events = new EventSource("/__heliograph/events");
  events.addEventListener("hello", function (e) {
    if (seen !== null && e.data !== seen) { location.reload(); }
  });
  events.addEventListener("reload", function () { location.reload(); });
  events.addEventListener("problems", function (e) { show(JSON.parse(e.data)); });
})();
"""


@dataclass(frozen=True)
class Snapshot:
    """The site being served and the problems of the latest build attempt."""

    files: dict[str, bytes]  # the last good build; empty until the first one succeeds
    problems: tuple[Problem, ...] = ()
    generation: int = 0  # counts good builds, so a page can tell it is out of date
    watch: tuple[Path, ...] = ()


def _build_problem(exc: Exception) -> Problem:
    """A build failure that is not a content error: a theme being edited, a file vanishing."""
    import jinja2

    if isinstance(exc, jinja2.TemplateSyntaxError):
        return Problem(exc.filename or exc.name or "theme", exc.lineno, None,
                       f"template error: {exc.message}", "fix the template syntax")
    if isinstance(exc, OSError):
        return Problem(str(exc.filename or "content"), None, None,
                       f"cannot read: {exc.strerror}", "save the file again")
    return Problem("theme", None, None, str(exc), "check 'theme:' in content/site.yaml")


class Rebuilder:
    """Turns the source folder into a Snapshot; the one call a faster rebuild can replace."""

    def __init__(self, source: Path, now: str | None, base_url: str):
        self.source = source
        self.now = now
        self.base_url = base_url
        # Kept between rebuilds, so that only what changed is done again: files are parsed
        # again only when they changed (LoadCache), Markdown is converted once per text,
        # and the renderer's memo re-renders only pages whose inputs changed.
        self.cache = LoadCache()
        self.md = Markdown()
        self.renderer: Renderer | None = None
        self.theme_key: object = None  # what self.renderer's theme was read from
        self.snapshot = Snapshot({}, watch=self._watch_list(None))

    def rebuild(self, changed_paths: Collection[Path] = ()) -> Snapshot:
        """Build again, reusing what did not change; keep the last good files when the
        content is wrong."""
        import jinja2

        last = self.snapshot
        content_dir = (self.source / "content").resolve()
        if any(not Path(p).resolve().is_relative_to(content_dir) for p in changed_paths):
            self.renderer = None  # a template or asset changed: compile and render afresh
        try:
            site = self._make_site()
        except ContentError as exc:
            self.snapshot = Snapshot(last.files, tuple(exc.problems), last.generation, last.watch)
        except (ThemeError, jinja2.TemplateError, OSError) as exc:
            self.snapshot = Snapshot(last.files, (_build_problem(exc),), last.generation,
                                     last.watch)
        else:
            self.snapshot = Snapshot(site.files, (), last.generation + 1,
                                     self._watch_list(site.content.site))
        return self.snapshot

    def _make_site(self) -> BuiltSite:
        content, state = load_state(self.source, self.now, self.base_url, cache=self.cache)
        # The theme's files are compared on every rebuild, not only when the watcher
        # reports one: a change it missed (a themes/ folder made after start, a logo
        # under content/) would otherwise keep the old hashed assets until the next theme
        # edit, since a content edit reuses the renderer.
        theme = load_theme(self.source, content.site)
        key = (content.site, theme_fingerprint(theme), theme.extra)
        if self.renderer is None or key != self.theme_key:
            self.renderer = Renderer(content, theme, self.md)
            self.theme_key = key
        return BuiltSite(content, state, render_site(content, state, self.renderer))

    def _watch_list(self, site: Site | None) -> tuple[Path, ...]:
        folders = [self.source / "content", self.source / "themes"]
        theme = site.theme if site else "default"
        with contextlib.suppress(ThemeError):  # reported by the build; themes/ is watched
            folders += resolve_theme(self.source, theme)
        logo = site.logo if site else ""
        if logo:
            folders.append((self.source / logo).parent)
        return tuple(dict.fromkeys(p.resolve() for p in folders if p.is_dir()))


def theme_fingerprint(theme: Theme) -> tuple[tuple[str, int, int, int], ...]:
    """Each theme file's path, modification time, size and inode: changes when a file
    is edited, added, removed or replaced."""
    found = []
    for files in theme.files:
        for path in files.values():
            info = path.stat()
            found.append((str(path), info.st_mtime_ns, info.st_size, info.st_ino))
    return tuple(found)


# --- server-sent events ------------------------------------------------------------------

@dataclass
class Events:
    """Fan-out of events to every open event stream."""

    clients: set[queue.Queue[str | None]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def subscribe(self) -> queue.Queue[str | None]:
        inbox: queue.Queue[str | None] = queue.Queue()
        with self.lock:
            self.clients.add(inbox)
        return inbox

    def unsubscribe(self, inbox: queue.Queue[str | None]) -> None:
        with self.lock:
            self.clients.discard(inbox)

    def publish(self, message: str | None) -> None:
        with self.lock:
            for inbox in self.clients:
                inbox.put(message)

    def close(self) -> None:
        self.publish(None)


def sse(event: str, data: str) -> str:
    lines = "".join(f"data: {line}\n" for line in data.split("\n"))
    return f"event: {event}\n{lines}\n"


def problems_json(problems: Collection[Problem]) -> str:
    return json.dumps([{"where": p.location(), "message": p.message, "hint": p.hint}
                       for p in problems])


def state_event(snapshot: Snapshot) -> str:
    if snapshot.problems:
        return sse("problems", problems_json(snapshot.problems))
    return sse("hello", str(snapshot.generation))


# --- HTTP ---------------------------------------------------------------------------------

class Preview:
    """Everything the request handlers share."""

    def __init__(self, rebuilder: Rebuilder):
        self.rebuilder = rebuilder
        self.events = Events()
        self.stopping = threading.Event()

    @property
    def snapshot(self) -> Snapshot:
        return self.rebuilder.snapshot


def inject(page: bytes, generation: int) -> bytes:
    tag = f'<script src="{SCRIPT_PATH}?g={generation}" defer></script>'.encode()
    lower = page.lower()
    for marker in (b"</head>", b"</body>"):
        at = lower.find(marker)
        if at >= 0:
            return page[:at] + tag + b"\n" + page[at:]
    return page + tag


def error_page(problems: Collection[Problem]) -> bytes:
    items = "".join(f"<li><pre>{html.escape(p.format_text())}</pre></li>" for p in problems)
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Heliograph: {len(problems)} problem(s)</title></head><body>"
            f"<h1>The site cannot be built yet</h1><p>Fix these and save; this page reloads "
            f"by itself.</p><ol>{items}</ol></body></html>").encode()


def content_type(path: str) -> str:
    suffix = posixpath.splitext(path)[1].lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or \
        "application/octet-stream"


class Handler(BaseHTTPRequestHandler):
    server_version = "heliograph-serve"
    server: PreviewServer

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal is for rebuilds and problems, not every request

    def do_HEAD(self) -> None:
        self.handle_get(body=False)

    def do_GET(self) -> None:
        self.handle_get(body=True)

    def handle_get(self, body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == EVENTS_PATH:
            self.stream_events()
        elif path == SCRIPT_PATH:
            self.reply(HTTPStatus.OK, LIVERELOAD_JS.encode(), content_type("livereload.js"), body)
        else:
            self.serve_file(path, body)

    def serve_file(self, path: str, body: bool) -> None:
        snapshot = self.server.preview.snapshot
        if not snapshot.files:
            page = inject(error_page(snapshot.problems), snapshot.generation)
            self.reply(HTTPStatus.INTERNAL_SERVER_ERROR, page, content_type("error.html"), body)
            return
        key = posixpath.normpath(path).lstrip("/") + ("/index.html" if path.endswith("/")
                                                      else "")
        key = key.removeprefix("./").removeprefix("/")
        if key.startswith("..") or key == ".":
            key = "index.html"
        if key not in snapshot.files and f"{key}/index.html" in snapshot.files:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            # From the normalized key, never the request: one leading slash (so never
            # `//host`, another site) and percent-encoded (so no CR/LF splits the headers).
            self.send_header("Location", "/" + quote(key) + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = HTTPStatus.OK if key in snapshot.files else HTTPStatus.NOT_FOUND
        if status is HTTPStatus.NOT_FOUND:
            key = "404.html"
        data = snapshot.files.get(key, b"Not found")
        kind = content_type(key) if key in snapshot.files else content_type("404.txt")
        if kind.startswith("text/html"):
            data = inject(data, snapshot.generation)
        self.reply(status, data, kind, body)

    def reply(self, status: HTTPStatus, data: bytes, kind: str, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def stream_events(self) -> None:
        preview = self.server.preview
        inbox = preview.events.subscribe()
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.write_event("retry: 1000\n\n" + state_event(preview.snapshot))
            for message in _messages(inbox, preview.stopping):
                self.write_event(message)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass  # the tab was closed
        finally:
            preview.events.unsubscribe(inbox)

    def write_event(self, message: str) -> None:
        self.wfile.write(message.encode())
        self.wfile.flush()


def _messages(inbox: queue.Queue[str | None], stopping: threading.Event) -> Iterator[str]:
    while not stopping.is_set():
        try:
            message = inbox.get(timeout=PING_EVERY)
        except queue.Empty:
            yield ": ping\n\n"
            continue
        if message is None:
            return
        yield message


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # open event streams must not keep the process alive
    preview: Preview  # set once the bound port (and so the site's URL) is known

    def __init__(self, host: str, port: int):
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), Handler)


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach an address ('localhost' counts; any other
    name is taken as reachable by others)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def preview_url(host: str, port: int) -> str:
    """The address to open: a wildcard (0.0.0.0, ::) is opened on this machine as
    127.0.0.1; other machines use this machine's own address."""
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


# --- watching -----------------------------------------------------------------------------

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
        self.cond = threading.Condition()

    def dispatch(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a file event inside it follows
        paths = [event.src_path, getattr(event, "dest_path", "")]
        found = {Path(os.fsdecode(p)) for p in paths if p and not _ignored(os.fsdecode(p))}
        if not found:
            return
        with self.cond:
            now = time.monotonic()
            if not self.pending:
                self.first = now
            self.pending |= found
            self.last = now
            self.cond.notify_all()

    def next_batch(self, stopping: threading.Event) -> set[Path]:
        """Wait for changes, then for a quiet moment; empty when stopping."""
        with self.cond:
            while not self.pending and not stopping.is_set():
                self.cond.wait(0.5)
            while self.pending and not stopping.is_set():
                now = time.monotonic()
                quiet_for, waited = now - self.last, now - self.first
                if quiet_for >= DEBOUNCE or waited >= MAX_DELAY:
                    break
                self.cond.wait(min(DEBOUNCE - quiet_for, MAX_DELAY - waited))
            batch, self.pending = self.pending, set()
            return batch


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


# --- the terminal and the main loop -------------------------------------------------------

def _stamp() -> str:
    return datetime.now().strftime("%H:%M:%S")


def report(snapshot: Snapshot, seconds: float, changed: Collection[Path], source: Path) -> None:
    names = sorted(_display(p, source) for p in changed)
    what = f" ({', '.join(names[:3])}{', ...' if len(names) > 3 else ''})" if names else ""
    if snapshot.problems:
        count = len(snapshot.problems)
        keeping = "still serving the last good build" if snapshot.files else "nothing to serve yet"
        print(f"[{_stamp()}] {count} problem{'s' if count != 1 else ''}{what}; {keeping}:",
              file=sys.stderr, flush=True)
        for problem in snapshot.problems:
            print("  " + problem.format_text().replace("\n", "\n  "), file=sys.stderr, flush=True)
    else:
        print(f"[{_stamp()}] Built {len(snapshot.files)} files in {seconds * 1000:.0f} ms{what}",
              flush=True)


def _display(path: Path, source: Path) -> str:
    """A changed file's name for the terminal; control characters escaped (a file name
    from a pull request must not send escape sequences to the developer's terminal)."""
    try:
        name = path.resolve().relative_to(source.resolve()).as_posix()
    except ValueError:
        name = path.name
    return printable(name)


class Loop:
    """Rebuild on each batch of changes and tell the browsers."""

    def __init__(self, preview: Preview, changes: Changes, watcher: Watcher):
        self.preview, self.changes, self.watcher = preview, changes, watcher
        self.thread = threading.Thread(target=self.run, name="heliograph-rebuild", daemon=True)

    def build(self, changed: Collection[Path]) -> None:
        rebuilder = self.preview.rebuilder
        started = time.perf_counter()
        before = rebuilder.snapshot.generation
        snapshot = rebuilder.rebuild(changed)
        report(snapshot, time.perf_counter() - started, changed, rebuilder.source)
        self.watcher.aim(snapshot.watch)
        if snapshot.problems:
            self.preview.events.publish(sse("problems", problems_json(snapshot.problems)))
        elif snapshot.generation != before:
            self.preview.events.publish(sse("reload", str(snapshot.generation)))

    def run(self) -> None:
        while not self.preview.stopping.is_set():
            batch = self.changes.next_batch(self.preview.stopping)
            if batch:
                self.build(batch)


def _bind(host: str, port: int) -> PreviewServer:
    try:
        return PreviewServer(host, port)
    except socket.gaierror:
        raise user_error("--host", f"'{host}' is not an address or name of this machine",
                         "use 127.0.0.1 (this machine only) or 0.0.0.0 (every network "
                         "interface)") from None
    except OverflowError:
        raise user_error("--port", f"{port} is not a port number", "use 1-65535, or 0") from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise user_error("--port", f"port {port} is already in use",
                             "pick another with --port N, or --port 0 for any free port") from None
        if exc.errno == errno.EACCES:
            raise user_error("--port", f"not allowed to listen on port {port}",
                             "use a port above 1023") from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise user_error("--host", f"{host} is not an address of this machine",
                             "use one of its own addresses, or 0.0.0.0 for all of them") \
                from None
        raise


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
    server = _bind(host, port)
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
    loop.build(())
    watcher.start()
    loop.thread.start()
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
