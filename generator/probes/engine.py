"""Running checks: HTTP(S), TCP connect, DNS resolution and TLS certificate expiry.

Every check gets a deadline (its own timeout, cut short by the run's budget) and every
blocking call is given what is left of it. Name resolution cannot be interrupted, so the
checks run in daemon threads: when the budget is spent the run reports what is still
pending as timed out and moves on, and the process can exit without waiting for them.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import queue
import socket
import ssl
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from generator.content.checks import ENV_RE, split_host_port
from generator.content.model import Check
from generator.probes.store import Result
from generator.theme.markup import BAD_CHAR_RE

MAX_BODY = 1_000_000  # bytes of a response read for body_contains / json_path
MAX_ERROR = 200  # characters of an error kept (it is published in incidents)
USER_AGENT = "heliograph-probe"


class MissingSecret(Exception):
    """A header names a ${PROBE_...} variable that is not set, or cannot be sent."""

    def __init__(self, name: str, reason: str = "is not set"):
        super().__init__(name)
        self.name, self.reason = name, reason


class _Deadline:
    def __init__(self, at: float):
        self.at = at

    def left(self) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left


def headers_of(check: Check, env: Mapping[str, str]) -> dict[str, str]:
    """The check's headers with ${PROBE_...} replaced from `env`."""
    def value(match: Any) -> str:
        name = match.group(1)
        if name not in env:
            raise MissingSecret(name)
        value = env[name].strip()  # a secret pasted with its line end
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            # http.client would refuse it with a ValueError quoting the value, and a
            # check's error is published.
            raise MissingSecret(name, "contains a line break or another control character")
        return value
    return {name: ENV_RE.sub(value, text) for name, text in check.headers}


def shown_target(check: Check) -> str:
    """The target as incidents name it: an URL without its query (it may hold a token)."""
    if check.kind == "http":
        parts = urlsplit(check.target)
        return f"{check.method} {parts.scheme}://{parts.netloc}{parts.path or '/'}"
    return f"{check.kind} {check.target}"


def _one_line(text: str) -> str:
    """An error as results and incidents carry it: it may quote a hostile server's words,
    so characters content files may not hold (and other control characters) go."""
    text = BAD_CHAR_RE.sub("?", " ".join(text.split()))
    text = "".join("?" if unicodedata.category(c) == "Cc" else c for c in text)
    return text if len(text) <= MAX_ERROR else text[:MAX_ERROR - 1] + "…"


def run_check(check: Check, deadline: float, now: datetime,
              headers: Mapping[str, str] | None = None) -> Result:
    """Run one check, within `deadline` (time.monotonic()) and its own timeout."""
    start = time.monotonic()
    limit = _Deadline(min(deadline, start + check.timeout))
    outcome: list[tuple[str, str]] = []

    def attempt() -> None:
        try:
            outcome.append(_RUNNERS[check.kind](check, limit, now, headers or {}))
        except TimeoutError:
            pass
        except ssl.SSLCertVerificationError as exc:
            outcome.append((f"TLS certificate not valid: {exc.verify_message}", ""))
        except (OSError, http.client.HTTPException, ValueError, KeyError) as exc:
            outcome.append((_describe(exc), ""))
        except Exception as exc:  # a target must not crash the run: it failed, that's all
            outcome.append((f"the check failed ({type(exc).__name__})", ""))

    # Its own thread, because name resolution (getaddrinfo) takes no timeout: when the
    # deadline passes, the check is over, whatever that thread is still waiting for.
    worker = threading.Thread(target=attempt, daemon=True, name=f"check-{check.target}")
    worker.start()
    worker.join(max(0.0, limit.at - time.monotonic()))
    ms = max(0, round((time.monotonic() - start) * 1000))
    cut = "the run's budget" if deadline < start + check.timeout else f"{check.timeout:g} s"
    error, degraded = outcome[0] if outcome else (f"no answer within {cut}", "")
    if error:
        return Result("down", ms, _one_line(error))
    if check.degraded_ms is not None and ms > check.degraded_ms and not degraded:
        degraded = f"answered in {ms} ms, slower than {check.degraded_ms} ms"
    return Result("degraded", ms, _one_line(degraded)) if degraded else Result("up", ms)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return f"the name does not resolve ({exc.strerror})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.timeout):
        return "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


Runner = Callable[[Check, _Deadline, datetime, Mapping[str, str]], tuple[str, str]]


def _http(check: Check, limit: _Deadline, now: datetime,
          headers: Mapping[str, str]) -> tuple[str, str]:
    """(error, degraded reason); redirects are answers like any other (not followed)."""
    parts = urlsplit(check.target)
    host = parts.hostname or ""
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(host, parts.port, timeout=limit.left(),
                                           context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(host, parts.port, timeout=limit.left())
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request(check.method, path, headers={"User-Agent": USER_AGENT, **headers})
        if conn.sock is not None:
            conn.sock.settimeout(limit.left())
        response = conn.getresponse()
        body = bytearray()
        while len(body) < MAX_BODY and check.method != "HEAD":
            if conn.sock is not None:
                conn.sock.settimeout(limit.left())
            chunk = response.read(min(65536, MAX_BODY - len(body)))
            if not chunk:
                break
            body += chunk
        limit.left()  # a body trickling in past the deadline is a timeout
    finally:
        conn.close()
    expected = check.status or tuple(range(200, 300))
    if response.status not in expected:
        return f"HTTP {response.status} {response.reason}".strip(), ""
    text = body.decode("utf-8", "replace")
    if check.body_contains and check.body_contains not in text:
        return f"the response does not contain '{check.body_contains}'", ""
    if check.json_path:
        return _json_condition(check, text), ""
    return "", ""


def _json_condition(check: Check, text: str) -> str:
    path = ".".join(check.json_path).replace(".[", "[")
    try:
        value: Any = json.loads(text)
    except ValueError:
        return "the response is not JSON"
    for key in check.json_path:
        if key.startswith("[") and isinstance(value, list) and int(key[1:-1]) < len(value):
            value = value[int(key[1:-1])]
        elif not key.startswith("[") and isinstance(value, dict) and key in value:
            value = value[key]
        else:
            return f"the response has no '{path}'"
    if check.json_equals is None:
        return ""
    wanted = json.loads(check.json_equals)
    same = (value == wanted and type(value) is type(wanted)) if isinstance(value, bool) or \
        isinstance(wanted, bool) else value == wanted
    if not same:
        # Not the value found: the file chooses the URL and headers (a cloud metadata
        # endpoint, a service on the runner), and results and incidents are published.
        return f"'{path}' is not {check.json_equals}"
    return ""


def _tcp(check: Check, limit: _Deadline, now: datetime,
         headers: Mapping[str, str]) -> tuple[str, str]:
    host, port = split_host_port(check.target, None)
    with socket.create_connection((host or "", port or 0), timeout=limit.left()):
        return "", ""


def _dns(check: Check, limit: _Deadline, now: datetime,
         headers: Mapping[str, str]) -> tuple[str, str]:
    socket.getaddrinfo(check.target, None)
    limit.left()
    return "", ""


def _tls(check: Check, limit: _Deadline, now: datetime,
         headers: Mapping[str, str]) -> tuple[str, str]:
    host, port = split_host_port(check.target, 443)
    context = ssl.create_default_context()
    with socket.create_connection((host or "", port or 443), timeout=limit.left()) as raw:
        raw.settimeout(limit.left())
        with context.wrap_socket(raw, server_hostname=host) as wrapped:
            cert = wrapped.getpeercert() or {}
    expires = datetime.fromtimestamp(ssl.cert_time_to_seconds(str(cert["notAfter"])), UTC)
    days = math.floor((expires - now).total_seconds() / 86400)
    if days < check.warn_days:
        return "", (f"the TLS certificate expires in {days} day{'s' if days != 1 else ''} "
                    f"({expires.date().isoformat()})")
    return "", ""


_RUNNERS: dict[str, Runner] = {"http": _http, "tcp": _tcp, "dns": _dns, "tls": _tls}


Task = Callable[[float], Result]


def run_all(tasks: dict[str, Task], jobs: int, budget: float) -> dict[str, Result | None]:
    """Run tasks (name -> task(deadline)) in at most `jobs` threads within `budget`
    seconds. A task still running then is down (timed out); one never started is None."""
    deadline = time.monotonic() + budget
    todo: queue.SimpleQueue[str] = queue.SimpleQueue()
    for name in tasks:
        todo.put(name)
    results: dict[str, Result | None] = dict.fromkeys(tasks)
    started: dict[str, float] = {}
    lock = threading.Lock()

    def work() -> None:
        while time.monotonic() < deadline:
            try:
                name = todo.get_nowait()
            except queue.Empty:
                return
            with lock:
                started[name] = time.monotonic()
            result = tasks[name](deadline)
            with lock:
                results[name] = result

    threads = [threading.Thread(target=work, daemon=True, name=f"probe-{n}")
               for n in range(max(1, min(jobs, len(tasks))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()) + 0.5)
    with lock:
        for name, result in results.items():
            if result is None and name in started:
                ms = round((time.monotonic() - started[name]) * 1000)
                results[name] = Result("down", ms, f"no answer within the run's budget "
                                       f"of {budget:g} s")
        return dict(results)


def environment() -> dict[str, str]:
    """The variables headers may name."""
    return {k: v for k, v in os.environ.items() if k.startswith("PROBE_")}
