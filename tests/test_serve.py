"""`heliograph serve`: a real server process, a real file edit, a real event stream."""

from __future__ import annotations

import importlib.util
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from building import make_site
from test_browser import need

from generator.cli import main
from generator.theme.themes import default_theme_dir

CHROMIUM = os.environ.get("HELIOGRAPH_CHROMIUM") or shutil.which("chromium") or ""
TIMEOUT = 15.0  # generous for slow CI machines; a healthy run takes about a second


def lines_of(stream: IO[str]) -> queue.Queue[str]:
    found: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            found.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return found


def wait_for_line(lines: queue.Queue[str], pattern: str, seen: list[str]) -> re.Match[str]:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match
    raise AssertionError(f"no line matching {pattern!r} in {seen!r}")


class EventStream:
    """Reads server-sent events in a thread, so waiting for one is bounded."""

    def __init__(self, url: str):
        self.response = urllib.request.urlopen(url + "__heliograph/events", timeout=TIMEOUT)
        assert self.response.headers["Content-Type"].startswith("text/event-stream")
        self.events: queue.Queue[tuple[str, str]] = queue.Queue()
        threading.Thread(target=self.pump, daemon=True).start()

    def pump(self) -> None:
        event, data = "message", []
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if not line:
                    if data:
                        self.events.put((event, "\n".join(data)))
                    event, data = "message", []
                elif line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
        except OSError:
            pass

    def wait(self, name: str) -> str:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                event, data = self.events.get(timeout=0.2)
            except queue.Empty:
                continue
            if event == name:
                return data
        raise AssertionError(f"no '{name}' event within {TIMEOUT} s")


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode()


@pytest.fixture
def server(site: Path) -> Iterator[tuple[str, subprocess.Popen[str], queue.Queue[str],
                                         queue.Queue[str]]]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", "0", "--source", str(site)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        env=env)
    out, err = lines_of(process.stdout), lines_of(process.stderr)  # type: ignore[arg-type]
    try:
        url = wait_for_line(out, r"at (http://127\.0\.0\.1:\d+/)", []).group(1)
        yield url, process, out, err
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=TIMEOUT)


def test_serve_rebuilds_on_change_reloads_and_survives_errors(site: Path, server) -> None:
    url, process, _out, err = server
    status, kind, page = get(url)
    assert status == 200 and kind.startswith("text/html")
    assert '<script src="/__heliograph/livereload.js?g=1" defer></script>' in page
    assert "EventSource" in get(url + "__heliograph/livereload.js")[2]
    sample = next((site / "content" / "incidents").glob("*.md"))
    page_url = f"{url}incidents/{sample.stem}/"
    assert "Delayed sign-in emails" in get(page_url)[2]
    assert get(url + "history")[0] == 200  # redirected to history/
    assert get(url + "no/such/page")[0] == 404

    events = EventStream(url)
    assert events.wait("hello") == "1"
    text = sample.read_text()
    sample.write_text(text.replace("title: Delayed sign-in emails", "title: Slow sign-in emails"))
    assert events.wait("reload") == "2"
    assert "Slow sign-in emails" in get(page_url)[2]

    sample.write_text(text.replace("status: identified", "status: identifed"))
    problems = events.wait("problems")
    assert sample.name in problems and "identifed" in problems
    wait_for_line(err, r"identifed", [])  # the terminal shows it too
    status, _, page = get(page_url)
    assert status == 200 and "Slow sign-in emails" in page  # the last good build

    sample.write_text(text)
    assert events.wait("reload") == "3"
    assert "Delayed sign-in emails" in get(page_url)[2]

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=TIMEOUT) == 0
    rest = process.stderr.read() if process.stderr else ""
    assert "Traceback" not in rest


def test_a_site_that_does_not_build_yet_shows_an_error_page(site: Path, capsys) -> None:
    (site / "content" / "site.yaml").write_text("title: [unclosed\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", "0", "--source", str(site)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        out = lines_of(process.stdout)  # type: ignore[arg-type]
        url = wait_for_line(out, r"at (http://127\.0\.0\.1:\d+/)", []).group(1)
        status, kind, page = get(url)
        assert status == 500 and kind.startswith("text/html")
        assert "content/site.yaml:" in page and "/__heliograph/livereload.js" in page
        process.terminate()
        assert process.wait(timeout=TIMEOUT) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=TIMEOUT)


def test_a_port_in_use_is_a_clear_error(site: Path, capsys) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port), "--source", str(site)]) == 1
    err = capsys.readouterr().err
    assert f"port {port} is already in use" in err and "--port 0" in err


@pytest.mark.browser
def test_an_open_tab_reloads_and_shows_problems_in_an_overlay(site: Path, server) -> None:
    # Skips without the tools, but fails where HELIOGRAPH_REQUIRE_BROWSER says they are there.
    need(bool(CHROMIUM) and importlib.util.find_spec("playwright") is not None,
         "chromium and playwright")
    from playwright.sync_api import sync_playwright

    url = server[0]
    sample = next((site / "content" / "incidents").glob("*.md"))
    text = sample.read_text()
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{url}incidents/{sample.stem}/")
            page.wait_for_load_state("networkidle", timeout=TIMEOUT * 1000)
            sample.write_text(text.replace("title: Delayed", "title: Slow"))
            page.wait_for_function("document.querySelector('h1').innerText.includes('Slow')",
                                   timeout=TIMEOUT * 1000)
            sample.write_text(text.replace("status: identified", "status: identifed"))
            overlay = page.wait_for_selector("[role=alert]", timeout=TIMEOUT * 1000)
            assert overlay is not None and "identifed" in overlay.inner_text()
            sample.write_text(text)
            page.wait_for_function("!document.querySelector('[role=alert]') && "
                                   "document.querySelector('h1').innerText.includes('Delayed')",
                                   timeout=TIMEOUT * 1000)
        finally:
            browser.close()
    assert errors == []


CONTRAST_JS = """(selector) => {
  function lum(css) {
    var v = css.match(/[\\d.]+/g).slice(0, 3).map(function (x) {
      x = x / 255; return x <= 0.04045 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
  var el = document.querySelector(selector), st = getComputedStyle(el), bg = st.backgroundColor;
  if (bg === "rgba(0, 0, 0, 0)") { bg = getComputedStyle(el.parentElement).backgroundColor; }
  var a = lum(st.color), b = lum(bg);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_problem_overlay_is_readable_in_light_and_dark(site: Path, server,
                                                           scheme: str) -> None:
    """The page's own styles for pre and button must not show through (white text on the
    light theme's card colour was unreadable): WCAG AA contrast, 4.5:1, for each part."""
    need(bool(CHROMIUM) and importlib.util.find_spec("playwright") is not None,
         "chromium and playwright")
    from playwright.sync_api import sync_playwright

    url = server[0]
    sample = next((site / "content" / "incidents").glob("*.md"))
    events = EventStream(url)
    sample.write_text(sample.read_text().replace("status: identified", "status: identifed"))
    events.wait("problems")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            page = browser.new_page(color_scheme=scheme)  # type: ignore[arg-type]
            page.goto(f"{url}incidents/{sample.stem}/")
            page.wait_for_selector("[role=alert] pre", timeout=TIMEOUT * 1000)
            for part in ("[role=alert]", "[role=alert] h1", "[role=alert] pre",
                         "[role=alert] button"):
                assert page.evaluate(CONTRAST_JS, part) >= 4.5, (scheme, part)
        finally:
            browser.close()


def start(site: Path, *argv: str, env: dict[str, str] | None = None
          ) -> tuple[subprocess.Popen[str], queue.Queue[str], queue.Queue[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", "0", "--source", str(site),
         *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
        text=True, env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
    return process, lines_of(process.stdout), lines_of(process.stderr)  # type: ignore[arg-type]


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(timeout=TIMEOUT)


def test_host_all_interfaces_warns_that_others_can_see_the_preview(site: Path) -> None:
    process, out, err = start(site, "--host", "0.0.0.0")
    try:
        port = wait_for_line(out, r"at http://127\.0\.0\.1:(\d+)/", []).group(1)
        warning = wait_for_line(err, r"warning", []).string
        assert warning == (f"heliograph serve: warning: listening on 0.0.0.0, not only on "
                           f"this machine: anyone who can reach it on port {port} sees the "
                           "preview, drafts and all\n")
        # Reachable through any of the machine's addresses, not only loopback.
        address = socket.gethostbyname(socket.gethostname())
        assert get(f"http://{address}:{port}/")[0] == 200
    finally:
        stop(process)


def test_host_loopback_does_not_warn(site: Path) -> None:
    process, out, err = start(site, "--host", "localhost")
    try:
        url = wait_for_line(out, r"at (http://localhost:\d+/)", []).group(1)
        assert get(url)[0] == 200
        process.terminate()
        assert process.wait(timeout=TIMEOUT) == 0
        assert "warning" not in (process.stderr.read() if process.stderr else "")
    finally:
        stop(process)
    while not err.empty():
        assert "warning" not in err.get()


def test_open_opens_the_preview_in_the_browser(site: Path, tmp_path: Path) -> None:
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{opened}"\n')
    browser.chmod(0o755)
    process, out, _err = start(site, "--open", env={"BROWSER": f"{browser} %s"})
    try:
        url = wait_for_line(out, r"at (http://127\.0\.0\.1:\d+/)", []).group(1)
        deadline = time.monotonic() + TIMEOUT
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert opened.read_text() == url
    finally:
        stop(process)


def test_a_themes_folder_made_after_start_is_watched(site: Path, server,
                                                     tmp_path: Path) -> None:
    url = server[0]
    events = EventStream(url)
    assert events.wait("hello") == "1"
    made = tmp_path / "themes"
    (made / "default" / "static").mkdir(parents=True)
    (made / "default" / "static" / "style.css").write_text("body { color: #123456; }\n")
    made.rename(site / "themes")  # appears in one step, after the server started
    assert events.wait("reload") == "2"
    page = get(url)[2]
    css = re.search(r'href="(assets/style\.[0-9a-f]+\.css)"', page)
    assert css is not None and get(url + css.group(1))[2] == "body { color: #123456; }\n"
    # Now watched: an edit inside it rebuilds too.
    (site / "themes" / "default" / "static" / "style.css").write_text("body { color: red; }\n")
    assert events.wait("reload") == "3"
    css = re.search(r'href="(assets/style\.[0-9a-f]+\.css)"', get(url)[2])
    assert css is not None and get(url + css.group(1))[2] == "body { color: red; }\n"


NOW = "2026-11-03T12:00:00Z"
SCRIPT = re.compile(r'<script src="/__heliograph/livereload\.js\?g=\d+" defer></script>\n')


def served(url: str, path: str) -> bytes:
    """A file as the preview serves it, without the live-reload script it adds to pages."""
    with urllib.request.urlopen(url + path, timeout=TIMEOUT) as response:
        return SCRIPT.sub("", response.read().decode()).encode()


def test_each_kind_of_edit_is_served_as_a_fresh_build_makes_it(site: Path) -> None:
    """Issue 17's edits through the real server: an incident's body, a component's status
    (in the incident, then in components.yaml) and a template of the theme copied into
    the repo. After each reload, the pages asked for are byte for byte a fresh build's."""
    templates = site / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    shutil.copy(default_theme_dir() / "templates" / "incident.html", templates)
    process, out, _err = start(site, "--now", NOW)
    try:
        url = wait_for_line(out, r"at (http://127\.0\.0\.1:\d+/)", []).group(1)
        events = EventStream(url)
        assert events.wait("hello") == "1"
        sample = site / "content" / "incidents" / "2026-11-02-delayed-sign-in-emails.md"
        page = f"incidents/{sample.stem}/index.html"
        edits = [
            (sample, "added later.\n", "added later.\n\nThe provider raised our limits.\n",
             "The provider raised our limits."),
            (sample, "sign-in: degraded_performance", "sign-in: major_outage", "Major outage"),
            (site / "content" / "components.yaml", "name: Documentation",
             "name: Documentation\n    status: under_maintenance", "Under maintenance"),
            (templates / "incident.html", "{% block main %}",
             "{% block main %}<p>Edited template</p>", "<p>Edited template</p>"),
        ]
        for generation, (path, old, new, shown) in enumerate(edits, start=2):
            text = path.read_text()
            assert old in text
            path.write_text(text.replace(old, new))
            assert events.wait("reload") == str(generation)
            first = served(url, page)  # made when asked for, before the rest of the site
            expected = make_site(site, NOW, url).files
            assert first == expected[page]
            assert shown.encode() in first + served(url, "index.html")
            for other in ("index.html", "components/sign-in/index.html", "history/index.html",
                          "feed.atom", "api/v2/summary.json"):
                assert served(url, other) == expected[other], other
    finally:
        stop(process)


def test_a_template_error_shows_the_problem_over_the_last_good_page(site: Path) -> None:
    templates = site / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    template = templates / "incident.html"
    shutil.copy(default_theme_dir() / "templates" / "incident.html", template)
    process, out, err = start(site, "--now", NOW)
    try:
        url = wait_for_line(out, r"at (http://127\.0\.0\.1:\d+/)", []).group(1)
        page = "incidents/2026-11-02-delayed-sign-in-emails/index.html"
        good = served(url, page)
        events = EventStream(url)
        assert events.wait("hello") == "1"
        text = template.read_text()
        template.write_text(text.replace("{% block main %}", "{% block main %}{{ no_such.x }}"))
        assert events.wait("reload") == "2"  # nothing is rendered before it is asked for
        assert served(url, page) == good  # the last good build
        problems = events.wait("problems")
        assert "themes/default/templates/incident.html" in problems and "no_such" in problems
        wait_for_line(err, r"no_such", [])
        template.write_text(text.replace("{% block main %}", "{% block main %}<p>Fixed</p>"))
        assert events.wait("reload") == "3"
        assert b"<p>Fixed</p>" in served(url, page)
    finally:
        stop(process)
