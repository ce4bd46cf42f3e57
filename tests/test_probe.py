"""`heliograph probe` against real servers on 127.0.0.1 (nothing else is contacted)."""

from __future__ import annotations

import csv
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.cli import main

SITE = "title: T\nbase_url: https://status.test/\ntimezone: UTC\n"


class Handler(BaseHTTPRequestHandler):
    server: Server

    def do_GET(self) -> None:
        mode = self.server.mode
        self.server.seen.append(dict(self.headers))
        if mode == "slow":
            time.sleep(3)
        if mode == "lag":
            time.sleep(0.2)
        if mode == "evil":  # a status line with control characters
            self.send_response(500, "bad\x1b[31m\x01 news")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = 503 if mode == "fail" else 200
        body = b'{"status": "down"}' if mode == "bad" else b'{"status": "ok", "n": [1, 2]}'
        try:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the probe gave up waiting (a timeout test)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    mode = "ok"
    seen: list[dict[str, str]]


@pytest.fixture
def server() -> Iterator[Server]:
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_repo(tmp_path: Path, components: str) -> Path:
    root = tmp_path / "repo"
    (root / "content").mkdir(parents=True)
    (root / "content" / "site.yaml").write_text(SITE)
    (root / "content" / "components.yaml").write_text("components:\n" + components)
    return root


def http_component(cid: str, url: str, extra: str = "") -> str:
    return (f"  - id: {cid}\n    name: {cid.upper()}\n    check:\n      http: {url}\n"
            + "".join(f"      {line}\n" for line in extra.splitlines()))


def probe(root: Path, now: str, *more: str) -> int:
    return main(["probe", "--source", str(root), "--now", now, *more])


def incidents(root: Path) -> dict[str, str]:
    folder = root / "content" / "incidents"
    return {p.name: p.read_text() for p in sorted(folder.glob("*.md"))} if folder.is_dir() \
        else {}


def csv_lines(root: Path, cid: str, month: str = "2026-11") -> list[str]:
    return (root / "content" / "probes" / cid / f"{month}.csv").read_text().splitlines()


def rows(root: Path, cid: str, month: str = "2026-11") -> list[list[str]]:
    return list(csv.reader(csv_lines(root, cid, month)))


def ms_free(lines: list[str]) -> list[str]:
    """Results without the measured milliseconds (they vary)."""
    out = []
    for line in lines:
        parts = line.split(",", 3)
        out.append(",".join(parts[:2] + parts[3:]))
    return out


OPENED = """\
---
title: API is unavailable
automated: true
components:
  api: major_outage
updates:
  - at: 2026-11-27T01:05:00Z
    status: investigating
    message: "Our automatic check (GET {url}) failed 2 times in a row: \
`HTTP 503 Service Unavailable`. We are investigating."
---
"""


def test_two_failures_open_an_incident_and_one_success_resolves_it(
        tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{server.server_port}/health"
    root = make_repo(tmp_path, http_component("api", url))
    server.mode = "fail"
    assert probe(root, "2026-11-27T01:00:00Z") == 0
    assert incidents(root) == {}
    assert probe(root, "2026-11-27T01:05:00Z") == 0
    assert incidents(root) == {"2026-11-27-api-outage.md": OPENED.format(url="http://127.0.0.1:"
                                                                         f"{server.server_port}/health")}
    # Still failing: nothing more is written.
    assert probe(root, "2026-11-27T01:10:00Z") == 0
    assert len(incidents(root)["2026-11-27-api-outage.md"].splitlines()) == 10
    server.mode = "ok"
    assert probe(root, "2026-11-27T01:15:00Z") == 0
    text = incidents(root)["2026-11-27-api-outage.md"]
    assert text == OPENED.format(url=url).removesuffix("---\n") + (
        "  - at: 2026-11-27T01:15:00Z\n    status: resolved\n    message: Our automatic check "
        f"(GET {url}) succeeded 1 time in a row. This incident has been resolved.\n---\n")
    assert not (root / "content" / "probes" / "api" / "incident").exists()
    assert ms_free(csv_lines(root, "api")) == [
        "27T01:00:00,x,HTTP 503 Service Unavailable", "27T01:05:00,x,HTTP 503 Service Unavailable",
        "27T01:10:00,x,HTTP 503 Service Unavailable", "27T01:15:00,u"]
    capsys.readouterr()
    assert main(["check", "--source", str(root), "--now", "2026-11-27T01:16:00Z"]) == 0


def test_flapping_within_the_threshold_opens_nothing(tmp_path: Path, server: Server) -> None:
    url = f"http://127.0.0.1:{server.server_port}/"
    root = make_repo(tmp_path, http_component("api", url))
    for minute, mode in ((0, "fail"), (5, "ok"), (10, "fail"), (15, "ok"), (20, "fail")):
        server.mode = mode
        assert probe(root, f"2026-11-27T01:{minute:02d}:00Z") == 0
    assert incidents(root) == {}
    assert [line.split(",")[1] for line in csv_lines(root, "api")] == ["x", "u", "x", "u", "x"]


def test_monitoring_then_resolved_after_m_successes(tmp_path: Path, server: Server) -> None:
    url = f"http://127.0.0.1:{server.server_port}/"
    root = make_repo(tmp_path, http_component("api", url, "successes: 2\nfailures: 1"))
    server.mode = "fail"
    assert probe(root, "2026-11-27T01:00:00Z") == 0
    server.mode = "ok"
    assert probe(root, "2026-11-27T01:05:00Z") == 0
    text = incidents(root)["2026-11-27-api-outage.md"]
    assert text.count("status: ") == 2 and "    status: monitoring\n" in text
    # Down again while monitoring: back to investigating, then two successes resolve it.
    server.mode = "fail"
    assert probe(root, "2026-11-27T01:10:00Z") == 0
    server.mode = "ok"
    assert probe(root, "2026-11-27T01:15:00Z") == 0
    assert probe(root, "2026-11-27T01:20:00Z") == 0
    statuses = [line.split(": ")[1] for line in incidents(root)["2026-11-27-api-outage.md"]
                .splitlines() if line.startswith("    status: ")]
    assert statuses == ["investigating", "monitoring", "investigating", "monitoring", "resolved"]


def test_a_human_edit_makes_probe_leave_the_incident_alone(
        tmp_path: Path, server: Server) -> None:
    url = f"http://127.0.0.1:{server.server_port}/"
    root = make_repo(tmp_path, http_component("api", url))
    server.mode = "fail"
    probe(root, "2026-11-27T01:00:00Z")
    probe(root, "2026-11-27T01:05:00Z")
    path = root / "content" / "incidents" / "2026-11-27-api-outage.md"
    edited = path.read_text().replace("title: API is unavailable", "title: API errors")
    path.write_text(edited)
    server.mode = "ok"
    assert probe(root, "2026-11-27T01:10:00Z") == 0
    assert path.read_text() == edited  # not resolved by probe: a person owns it now
    # Failing again while the person's incident is open: no second incident either.
    server.mode = "fail"
    probe(root, "2026-11-27T01:15:00Z")
    probe(root, "2026-11-27T01:20:00Z")
    assert list(incidents(root)) == ["2026-11-27-api-outage.md"]
    assert path.read_text() == edited
    # Once the person resolves it, the next run of failures opens a new incident.
    assert main(["resolve", "--source", str(root), "2026-11-27-api-outage",
                 "--at", "2026-11-27T01:21:00Z"]) == 0
    server.mode = "ok"
    probe(root, "2026-11-27T01:25:00Z")
    server.mode = "fail"
    probe(root, "2026-11-27T01:30:00Z")
    assert list(incidents(root)) == ["2026-11-27-api-outage.md"]
    probe(root, "2026-11-27T01:35:00Z")
    assert list(incidents(root)) == ["2026-11-27-api-outage-2.md", "2026-11-27-api-outage.md"]


def test_two_components_failing_at_once_get_one_incident_each(
        tmp_path: Path, server: Server) -> None:
    url = f"http://127.0.0.1:{server.server_port}/"
    port = closed_port()
    root = make_repo(tmp_path, http_component("api", url) +
                     f"  - id: db\n    name: Database\n    check:\n      tcp: 127.0.0.1:{port}\n")
    server.mode = "fail"
    probe(root, "2026-11-27T01:00:00Z")
    probe(root, "2026-11-27T01:05:00Z")
    found = incidents(root)
    assert list(found) == ["2026-11-27-api-outage.md", "2026-11-27-db-outage.md"]
    assert "  db: major_outage\n" in found["2026-11-27-db-outage.md"]
    assert f"(tcp 127.0.0.1:{port}) failed 2 times in a row: `connection refused`" in \
        found["2026-11-27-db-outage.md"]
    server.mode = "ok"
    probe(root, "2026-11-27T01:10:00Z")
    found = incidents(root)
    assert "status: resolved" in found["2026-11-27-api-outage.md"]
    assert "status: resolved" not in found["2026-11-27-db-outage.md"]


def test_checks_time_out_within_the_runs_budget(tmp_path: Path, server: Server) -> None:
    url = f"http://127.0.0.1:{server.server_port}/"
    root = make_repo(tmp_path, "".join(http_component(f"c{n}", url, "timeout: 10")
                                       for n in range(4)))
    server.mode = "slow"  # answers after 3 s
    started = time.monotonic()
    assert probe(root, "2026-11-27T01:00:00Z", "--jobs", "2", "--budget", "1") == 0
    elapsed = time.monotonic() - started
    assert elapsed < 2.5
    # Two ran and were cut off by the budget; two never started and record nothing.
    stored = sorted(p.parent.name for p in (root / "content" / "probes").glob("*/*.csv"))
    assert stored == ["c0", "c1"]
    assert rows(root, "c0")[0][3] == "no answer within the run's budget"


def test_a_checks_own_timeout(tmp_path: Path, server: Server) -> None:
    url = f"http://127.0.0.1:{server.server_port}/"
    root = make_repo(tmp_path, http_component("api", url, "timeout: 0.5"))
    server.mode = "slow"
    started = time.monotonic()
    probe(root, "2026-11-27T01:00:00Z")
    assert time.monotonic() - started < 2
    line = rows(root, "api")[0]
    assert line[1] == "x" and line[3] == "no answer within 0.5 s"
    assert 500 <= int(line[2]) < 1500


def test_body_json_and_degraded_rules(tmp_path: Path, server: Server) -> None:
    url = f"http://127.0.0.1:{server.server_port}/"
    root = make_repo(tmp_path, http_component("json", url, "json_path: status\njson_equals: ok")
                     + http_component("index", url, "json_path: n[1]\njson_equals: 2")
                     + http_component("body", url, "body_contains: '\"ok\"'")
                     + http_component("slow", url, "degraded_ms: 100"))
    server.mode = "ok"
    probe(root, "2026-11-27T01:00:00Z")
    assert [csv_lines(root, c)[0].split(",")[1] for c in ("json", "index", "body", "slow")] \
        == ["u", "u", "u", "u"]
    server.mode = "bad"
    probe(root, "2026-11-27T01:05:00Z")
    # The value found is not quoted: it may be a secret of an internal service.
    assert rows(root, "json")[1][3] == "'status' is not \"ok\""
    assert rows(root, "index")[1][3] == "the response has no 'n[1]'"
    assert rows(root, "body")[1][3] == "the response does not contain '\"ok\"'"
    server.mode = "lag"  # 200 ms
    probe(root, "2026-11-27T01:10:00Z")
    probe(root, "2026-11-27T01:15:00Z")
    slow = rows(root, "slow")[2]
    assert slow[1] == "d" and slow[3] == f"answered in {slow[2]} ms, slower than 100 ms"
    assert int(slow[2]) >= 200
    text = incidents(root)["2026-11-27-slow-degraded.md"]
    assert "title: SLOW is degraded\n" in text and "  slow: degraded_performance\n" in text


def test_tcp_and_dns(tmp_path: Path, server: Server) -> None:
    root = make_repo(tmp_path, f"""\
  - id: open
    name: Open
    check: {{tcp: "127.0.0.1:{server.server_port}"}}
  - id: closed
    name: Closed
    check: {{tcp: "127.0.0.1:{closed_port()}"}}
  - id: local
    name: Local
    check: {{dns: localhost}}
  - id: nowhere
    name: Nowhere
    check: {{dns: heliograph-test.invalid}}
""")
    probe(root, "2026-11-27T01:00:00Z")
    assert [ms_free(csv_lines(root, c))[0] for c in ("open", "closed", "local")] == [
        "27T01:00:00,u", "27T01:00:00,x,connection refused", "27T01:00:00,u"]
    nowhere = rows(root, "nowhere")[0]
    assert nowhere[1] == "x" and nowhere[3].startswith("the name does not resolve (")


def test_secret_headers_come_from_probe_variables(
        tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{server.server_port}/"
    root = make_repo(tmp_path, http_component(
        "api", url, "headers:\n  Authorization: Bearer ${PROBE_TOKEN}"))
    monkeypatch.delenv("PROBE_TOKEN", raising=False)
    assert probe(root, "2026-11-27T01:00:00Z") == 1
    err = capsys.readouterr().err
    assert "content/components.yaml:5: error: the check of 'api' needs the environment " \
        "variable PROBE_TOKEN, which is not set; it was not run" in err
    assert server.seen == []
    monkeypatch.setenv("PROBE_TOKEN", "s3cret")
    assert probe(root, "2026-11-27T01:05:00Z") == 0
    assert server.seen[0]["Authorization"] == "Bearer s3cret"
    assert "s3cret" not in (root / "content" / "probes" / "api" / "2026-11.csv").read_text()


def test_a_secret_with_a_line_break_is_never_published(
        tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """http.client refuses such a header with a ValueError that quotes the value; its text
    was the check's error, written to the results (published) and the incident. A line
    end around the value (a pasted secret) is dropped, as notify does."""
    url = f"http://127.0.0.1:{server.server_port}/"
    root = make_repo(tmp_path, http_component(
        "api", url, "headers:\n  Authorization: Bearer ${PROBE_TOKEN}"))
    monkeypatch.setenv("PROBE_TOKEN", "s3c\r\nX-Injected: 1")
    assert probe(root, "2026-11-27T01:00:00Z") == 1
    out, err = capsys.readouterr()
    assert "content/components.yaml:5: error: the check of 'api' needs the environment " \
        "variable PROBE_TOKEN, which contains a line break or another control character; " \
        "it was not run" in err
    assert "s3c" not in out + err and server.seen == []
    assert not (root / "content" / "probes").exists() and incidents(root) == {}
    monkeypatch.setenv("PROBE_TOKEN", "s3cret\n")
    assert probe(root, "2026-11-27T01:05:00Z") == 0
    assert server.seen[0]["Authorization"] == "Bearer s3cret"
    assert [r[:2] for r in rows(root, "api")] == [["27T01:05:00", "u"]]


def test_check_declarations_are_validated(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(tmp_path, """\
  - id: api
    name: API
    check:
      http: ftp://example.com/
      timout: 5
      headers:
        X-Token: ${GITHUB_TOKEN}
  - id: db
    name: DB
    check:
      tcp: db.example.com
      dns: example.com
""")
    assert main(["check", "--source", str(root), "--now", "2026-11-27T01:00:00Z"]) == 1
    out = capsys.readouterr().out
    assert "content/components.yaml:5:13: error: 'http' of the check of component 'api' is " \
        "not an absolute http(s) URL" in out
    assert "content/components.yaml:6:7: error: unknown key 'timout' in the check of " \
        "component 'api' (http)\n    hint: did you mean 'timeout'?" in out
    assert "content/components.yaml:8:18: error: header 'X-Token' names the variable " \
        "'GITHUB_TOKEN'; only PROBE_... variables are read" in out
    assert "content/components.yaml:13:7: error: the check of component 'db' needs exactly " \
        "one of: http, tcp, dns, tls" in out


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost, valid for 10 days (openssl CLI)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "10",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[int]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            try:
                with context.wrap_socket(conn, server_side=True):
                    pass
            except (OSError, ssl.SSLError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    thread.join()
    listener.close()


def test_tls_certificate_expiry(tmp_path: Path, tls_server: int,
                                certificate: tuple[Path, Path],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo(tmp_path, f"""\
  - id: web
    name: Web
    check: {{tls: "localhost:{tls_server}", warn_days: 30}}
  - id: relaxed
    name: Relaxed
    check: {{tls: "localhost:{tls_server}", warn_days: 5}}
""")
    # An hour on: 9 whole days and 23 hours of the certificate's 10 days are left.
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    month = now[:7]
    probe(root, now)  # not trusted: the certificate signed itself
    assert "TLS certificate not valid: self-signed certificate" in csv_lines(root, "web", month)[0]
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    probe(root, now)
    web = rows(root, "web", month)[1]
    # Valid for 10 days from a moment ago: 9 whole days and some hours are left.
    expires = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 10 * 86400))
    assert web[1] == "d" and web[3] == f"the TLS certificate expires in 9 days ({expires})"
    assert rows(root, "relaxed", month)[1][1] == "u"


def results_repo(tmp_path: Path, lines: str) -> Path:
    root = make_repo(tmp_path, "  - id: api\n    name: API\n  - id: web\n    name: Web\n")
    (root / "content" / "site.yaml").write_text(SITE + "history_days: 3\n")
    folder = root / "content" / "probes" / "api"
    folder.mkdir(parents=True)
    (folder / "2026-11.csv").write_text(lines)
    return root


def test_measured_uptime_and_response_time_charts(tmp_path: Path) -> None:
    # Days 25, 26 and 27 are shown; the first and last lines fall outside them.
    root = results_repo(tmp_path, "24T23:59:59,x,1,early\n25T10:00:00,u,100\n25T11:00:00,u,300\n"
                        "26T10:00:00,x,5000,HTTP 503\n27T10:00:00,d,900,slow\n"
                        "27T12:00:01,x,1,later\n")
    out = tmp_path / "out"
    assert main(["build", "--source", str(root), "--now", "2026-11-27T12:00:00Z",
                 "--output", str(out), "-q"]) == 0
    index = (out / "index.html").read_text()
    # 4 runs, 1 down: 75%; daily means 200 ms, none, 900 ms on a 0-1000 ms scale.
    assert ('<span class="measured">75.00% measured by automatic checks</span> <svg '
            'class="spark" viewBox="-1 -1 102 22" width="102" height="22" role="img" '
            'aria-label="API: mean response time per day, 200 to 900 ms"><path '
            'd="M0.0 16.0 h0 M100.0 2.0 h0" ') in index
    assert index.count('class="measured"') == 1  # web has no results: nothing measured
    page = (out / "components" / "api" / "index.html").read_text()
    assert '<text x="48" y="14" text-anchor="end">1000 ms</text>' in page
    assert '<path transform="translate(56 10)" d="M0.0 112.0 h0 M560.0 14.0 h0" ' in page
    assert "<figure" not in (out / "components" / "web" / "index.html").read_text()


@pytest.mark.parametrize(("lines", "message"), [
    ("25T10:00:00,u,100\n25T10:05:00,up,100\n",
     "2: error: not a probe result (DDTHH:MM:SS,u|d|x,ms[,error])"),
    ("25T10:00:00,u,100\n\n25T10:05:00,x,1,\"half quoted\n",
     "3: error: not a probe result (DDTHH:MM:SS,u|d|x,ms[,error])"),
    ("25T10:00:00,u,100\n\n31T10:05:00,x,1,late\n", "3: error: 2026-11 has 30 days"),
])
def test_a_broken_results_file_is_an_error_with_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: str, message: str) -> None:
    root = results_repo(tmp_path, lines)
    assert main(["check", "--source", str(root), "--now", "2026-11-27T12:00:00Z"]) == 1
    assert f"content/probes/api/2026-11.csv:{message}" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["202\u00b2-11.csv", "2026-1\u00b2.csv"])
def test_a_file_name_with_a_digit_int_refuses_is_not_a_month(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    """'²' is a digit to str.isdigit() but not to int(): such a name is not a month file
    (ignored like any other name), not an internal error (exit 2)."""
    root = results_repo(tmp_path, "25T10:00:00,u,100\n")
    (root / "content" / "probes" / "api" / name).write_text("25T10:00:00,x,1,other\n")
    assert main(["check", "--source", str(root), "--now", "2026-11-27T12:00:00Z"]) == 0
    assert main(["build", "--source", str(root), "--now", "2026-11-27T12:00:00Z",
                 "--output", str(tmp_path / "out"), "-q"]) == 0
    assert "100.00% measured" in (tmp_path / "out" / "index.html").read_text()


def test_a_port_with_a_digit_int_refuses_is_an_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(tmp_path, '  - id: api\n    name: API\n    check: {tcp: "127.0.0.1:\u00b2"}\n')
    assert main(["check", "--source", str(root), "--now", "2026-11-27T12:00:00Z"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        "content/components.yaml:4:18: error: 'tcp' of the check of component 'api': "
        "'127.0.0.1:\u00b2' is not HOST:PORT")


def test_a_hostile_answer_cannot_break_the_content(
        tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{server.server_port}/"
    root = make_repo(tmp_path, http_component("api", url))
    server.mode = "evil"
    probe(root, "2026-11-27T01:00:00Z")
    assert probe(root, "2026-11-27T01:05:00Z") == 0
    assert rows(root, "api")[1][3] == "HTTP 500 bad?[31m? news"
    assert "`HTTP 500 bad?[31m? news`" in incidents(root)["2026-11-27-api-outage.md"]
    capsys.readouterr()
    assert main(["check", "--source", str(root), "--now", "2026-11-27T01:06:00Z"]) == 0


def test_the_incident_tracker_is_read_as_a_small_plain_file(tmp_path: Path) -> None:
    """content/probes/<id>/incident may come from a pull request: a link to /dev/zero
    exhausted memory (limited here, so a regression fails instead of taking the machine),
    and a name without '.md' stopped probe with an internal error."""
    root = make_repo(tmp_path, '  - id: api\n    name: API\n    check: {tcp: "127.0.0.1:'
                     f'{closed_port()}"}}\n')
    probe(root, "2026-11-27T01:00:00Z")
    assert probe(root, "2026-11-27T01:05:00Z") == 0
    tracker = root / "content" / "probes" / "api" / "incident"
    name, digest = tracker.read_text().split()
    assert name == "2026-11-27-api-outage.md"
    tracker.write_text(f"2026-11-27-api-outage {digest}\n")
    assert probe(root, "2026-11-27T01:10:00Z") == 0
    tracker.unlink()
    tracker.symlink_to("/dev/zero")
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); "
    done = subprocess.run(
        [sys.executable, "-c", limit + "from generator.cli import main; raise SystemExit("
         f"main(['probe', '--source', {str(root)!r}, '--now', '2026-11-27T01:15:00Z']))"],
        capture_output=True, text=True, timeout=120)
    assert "internal error" not in done.stderr and done.returncode == 0


def test_results_are_never_written_through_a_link(
        tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{server.server_port}/"
    root = make_repo(tmp_path, http_component("api", url))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "content" / "probes").mkdir()
    (root / "content" / "probes" / "api").symlink_to(elsewhere)
    assert probe(root, "2026-11-27T01:00:00Z") == 1
    assert list(elsewhere.iterdir()) == []
    assert "content/probes/api/2026-11.csv: error: the results file is a link or in a " \
        "linked folder" in capsys.readouterr().err


def test_no_folder_is_made_through_a_linked_probes_folder(
        tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    """content/probes itself a link out of the repo: not even the component's folder is
    created there."""
    url = f"http://127.0.0.1:{server.server_port}/"
    root = make_repo(tmp_path, http_component("api", url))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "content" / "probes").symlink_to(elsewhere)
    assert probe(root, "2026-11-27T01:00:00Z") == 1
    assert list(elsewhere.iterdir()) == []
    assert "content/probes/api/2026-11.csv: error: the results file is a link or in a " \
        "linked folder" in capsys.readouterr().err


def test_a_failing_check_that_gets_worse_updates_the_components_status(
        tmp_path: Path, server: Server) -> None:
    url = f"http://127.0.0.1:{server.server_port}/"
    root = make_repo(tmp_path, http_component("api", url, "degraded_ms: 100"))
    server.mode = "lag"  # 200 ms: degraded
    probe(root, "2026-11-27T01:00:00Z")
    probe(root, "2026-11-27T01:05:00Z")
    path = root / "content" / "incidents" / "2026-11-27-api-degraded.md"
    assert "  api: degraded_performance\n" in path.read_text()
    server.mode = "fail"
    probe(root, "2026-11-27T01:10:00Z")
    assert path.read_text().endswith(
        "  - at: 2026-11-27T01:10:00Z\n    status: investigating\n"
        f"    message: \"Our automatic check (GET {url}) fails again: `HTTP 503 Service "
        "Unavailable`. We are investigating.\"\n    components: {api: major_outage}\n---\n")
    probe(root, "2026-11-27T01:15:00Z")  # the same again: nothing to add
    assert path.read_text().count("    status: ") == 2


def test_automated_is_true_or_false(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(tmp_path, "  - id: api\n    name: API\n")
    folder = root / "content" / "incidents"
    folder.mkdir()
    (folder / "2026-11-27-x.md").write_text(
        "---\ntitle: X\nautomated: yes\nupdates:\n  - at: 2026-11-27T01:00:00Z\n"
        "    status: investigating\n    message: M\n---\n")
    assert main(["check", "--source", str(root), "--now", "2026-11-27T02:00:00Z"]) == 1
    assert "content/incidents/2026-11-27-x.md:3:12: error: 'automated' must be true or " \
        "false" in capsys.readouterr().out
