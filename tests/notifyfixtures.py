"""Real local receivers for the notify tests: an HTTP server on 127.0.0.1 and an SMTP
server (aiosmtpd), both recording exactly what they were sent."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sitefixtures import incident_md, write

SECRET = "hunter2-signing-secret"
NOTIFY_YAML = """\
channels:
  - id: ops
    type: webhook
    url: ${OPS_URL}
    secret: ${OPS_SECRET}
"""


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """An HTTP server answering each POST with the next of `statuses` (then 200). With
    `hang_on` = n, the n-th request (1-based) and those after it are received and never
    answered."""

    def __init__(self, statuses: tuple[int, ...] = (), hang_on: int = 0):
        self.requests: list[Request] = []
        self.statuses = list(statuses)
        self.hang_on = hang_on
        self.drip = 0.0  # > 0: answer with a header byte every `drip` seconds, never ending
        self.hanging = threading.Event()
        self.stop = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                body = self.rfile.read(length)
                receiver.requests.append(Request(self.path, dict(self.headers), body))
                if receiver.hang_on and len(receiver.requests) >= receiver.hang_on:
                    receiver.hanging.set()
                    receiver.stop.wait(30)
                    return
                if receiver.drip:
                    self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                    while not receiver.stop.wait(receiver.drip):
                        self.wfile.write(b"X")
                        self.wfile.flush()
                    return
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T0/secret-path"

    def keys(self) -> list[str]:
        return [r.headers["X-Heliograph-Event"] for r in self.requests]

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Mailbox:
    """What an aiosmtpd server accepted: (envelope recipients, parsed message)."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    # Reply codes for the next messages to a recipient, instead of accepting them.
    refuse: dict[str, list[int]] = field(default_factory=dict)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        codes = self.refuse.get(envelope.rcpt_tos[0])
        if codes:
            return f"{codes.pop(0)} try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"


class SmtpServer:
    """With `password`, it offers AUTH (without TLS: tests only) and takes only that one."""

    def __init__(self, password: str = "", tls: str = "", cert: tuple[Path, Path] | None = None,
                 ) -> None:
        """`tls`: "starttls" (required before mail) or "tls" (from the first byte), with
        `cert` (certificate and key files)."""
        self.mailbox = Mailbox()
        self.logins: list[tuple[bytes, bytes]] = []

        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                         data: Any) -> AuthResult:
            self.logins.append((data.login, data.password))
            # handled=False: the server answers 535 itself when the password is wrong.
            return AuthResult(success=data.password == password.encode(), handled=False)

        # aiosmtpd connects to its own port to know it is up: it needs a real one.
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        extra: dict[str, Any] = {"authenticator": authenticate, "auth_require_tls": False,
                                 "auth_required": True} if password else {}
        if tls:
            assert cert is not None
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*map(str, cert))
            extra.update({"tls_context": context, "require_starttls": True} if tls == "starttls"
                         else {"ssl_context": context})
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port,
                                     **extra)
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()


SITE = "title: Test Status\nbase_url: https://status.test/\ntimezone: UTC\n"
COMPONENTS = """\
components:
  - id: api
    name: API
  - id: web
    name: Website
"""


def make_repo(root: Path, notify_yaml: str = NOTIFY_YAML,
              incidents: dict[str, str] | None = None) -> Path:
    write(root, incidents or {}, components=COMPONENTS, site=SITE)
    (root / "content" / "notify.yaml").write_text(notify_yaml, encoding="utf-8")
    return root


def add_incident(root: Path, slug: str, updates: list[tuple[str, str, str]],
                 components: dict[str, str] | None = None, kind: str = "incident",
                 extra: str = "") -> None:
    text = incident_md(slug.split("-", 3)[-1].replace("-", " ").capitalize(), updates,
                       components, kind)
    if extra:
        text = text.replace("updates:\n", extra + "updates:\n", 1)
    (root / "content" / "incidents" / f"{slug}.md").write_text(text, encoding="utf-8")


def wait_for(condition: Any, seconds: float = 20) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def receivers() -> Iterator[Any]:
    made: list[Receiver] = []

    def make(statuses: tuple[int, ...] = (), hang_on: int = 0) -> Receiver:
        made.append(Receiver(statuses, hang_on))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made by the openssl command."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key
