"""The preview's HTTP server: the site from memory, a live-reload script (livereload.js,
a static file next to this module) and a server-sent events stream that tells open
tabs to reload or shows the content's problems as an overlay."""

from __future__ import annotations

import errno
import html
import ipaddress
import json
import posixpath
import queue
import socket
import threading
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from generator.commands.authoring import user_error
from generator.errors import Problem
from generator.preview.rebuild import Rebuilder, Snapshot
from generator.site.paths import media_type

PREFIX = "/__heliograph/"
SCRIPT_PATH = PREFIX + "livereload.js"
EVENTS_PATH = PREFIX + "events"
PING_EVERY = 15.0  # keeps proxies from closing the stream and finds closed tabs
LIVERELOAD_JS = (Path(__file__).parent / "livereload.js").read_bytes()


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
            self.reply(HTTPStatus.OK, LIVERELOAD_JS, media_type("livereload.js"), body)
        else:
            self.serve_file(path, body)

    def serve_file(self, path: str, body: bool) -> None:
        key = posixpath.normpath(path).lstrip("/") + ("/index.html" if path.endswith("/")
                                                      else "")
        key = key.removeprefix("./").removeprefix("/")
        if key.startswith("..") or key == ".":
            key = "index.html"
        rebuilder = self.server.preview.rebuilder
        snapshot, data, folder = rebuilder.find(key)
        if snapshot.site is None:
            page = inject(error_page(snapshot.problems), snapshot.generation)
            self.reply(HTTPStatus.INTERNAL_SERVER_ERROR, page, media_type("error.html"), body)
            return
        if folder:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            # From the normalized key, never the request: one leading slash (so never
            # `//host`, another site) and percent-encoded (so no CR/LF splits the headers).
            self.send_header("Location", "/" + quote(key) + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, kind = HTTPStatus.OK, media_type(key)
        if data is None:
            status, kind = HTTPStatus.NOT_FOUND, media_type("404.txt")
            snapshot, data, _ = rebuilder.find("404.html")
            if data is not None:
                kind = media_type("404.html")
        if data is None:
            data = b"Not found"
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




def bind(host: str, port: int) -> PreviewServer:
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
