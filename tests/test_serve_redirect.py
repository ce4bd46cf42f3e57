"""`heliograph serve` never lets a request path into its response headers: the folder
redirect's Location is built from the normalized path, percent-encoded, with exactly one
leading slash (issue 10, item 14). A real server process, raw HTTP over a socket."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_serve import TIMEOUT, lines_of, wait_for_line


@pytest.fixture
def port(site: Path) -> Iterator[int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", "0", "--source", str(site),
         "--now", "2026-11-27T01:00:00Z"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        out = lines_of(process.stdout)  # type: ignore[arg-type]
        yield int(wait_for_line(out, r"at http://127\.0\.0\.1:(\d+)/", []).group(1))
    finally:
        process.kill()
        process.wait(timeout=TIMEOUT)


def request(port: int, target: str, method: str = "GET") -> tuple[str, list[tuple[str, str]]]:
    """The raw status line and headers for `target`, sent exactly as written."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Connection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    status, *lines = head.split("\r\n")
    return status, [tuple(line.split(": ", 1)) for line in lines]  # type: ignore[misc]


def names(headers: list[tuple[str, str]]) -> list[str]:
    return sorted(name.lower() for name, *_ in headers)


@pytest.mark.parametrize(("target", "location"), [
    ("/history", "/history/"),
    ("/./history?x=1", "/history/"),
    ("/%2fevil.example%2f%2e%2e/history", "/history/"),  # was //evil.example/../history/
    ("/%5cevil.example/../history", "/history/"),
    ("/x%0d%0aSet-Cookie:%20a=b/../../history", "/history/"),  # was a second header
    ("/components/api", "/components/api/"),
])
def test_folder_redirects_name_only_the_normalized_path(port: int, target: str,
                                                        location: str) -> None:
    for method in ("GET", "HEAD"):
        status, headers = request(port, target, method)
        assert status == "HTTP/1.0 301 Moved Permanently"
        assert ("Location", location) in headers
        assert names(headers) == ["content-length", "date", "location", "server"]


@pytest.mark.parametrize("target", ["/history%0d%0aSet-Cookie:%20a=b",
                                    "/%0d%0aX-Injected:%20yes/", "//evil.example/history"])
def test_a_missing_page_echoes_nothing_into_the_headers(port: int, target: str) -> None:
    status, headers = request(port, target)
    assert status == "HTTP/1.0 404 Not Found"
    assert names(headers) == ["cache-control", "content-length", "content-type", "date",
                              "server"]


def test_changed_file_names_reach_the_terminal_escaped(tmp_path: Path) -> None:
    """A file name from a pull request cannot send escape sequences to the terminal."""
    from generator.commands.serve import _display

    assert _display(tmp_path / "content" / "x\x1b[2J\n.md", tmp_path) == \
        "content/x\\x1b[2J\\n.md"
