"""The built example site in real tools: the Nu Html Checker (vnu) and axe-core in headless
Chromium, light and dark, plus what only a browser can show (tooltips, the script, layout).

Needs Java, Chromium, Python's playwright (only to drive the system Chromium) and the npm
packages vnu-jar and axe-core in $HELIOGRAPH_BROWSER_TOOLS/node_modules (default
~/.cache/heliograph/browser-tools). `.ci/run` installs them; elsewhere the tests skip.
Set HELIOGRAPH_SCREENSHOTS=<folder> to keep screenshots (1280 and 390 px, light and dark).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from generator.site.build import build

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-27T01:00:00Z"
TOOLS = Path(os.environ.get("HELIOGRAPH_BROWSER_TOOLS",
                            Path.home() / ".cache" / "heliograph" / "browser-tools"))
VNU = TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = TOOLS / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("HELIOGRAPH_CHROMIUM") or shutil.which("chromium") or ""
PAGES = ("", "history/", "incidents/2026-10-07-card-authorization-errors/",
         "incidents/2026-12-06-payout-scheduler-migration/", "components/webhooks/", "404.html")
SHOTS = os.environ.get("HELIOGRAPH_SCREENSHOTS")
Servers = dict[str, str]  # language -> URL of the site

# .ci/run installs the tools and sets this: there a missing tool fails instead of skipping.
REQUIRED = bool(os.environ.get("HELIOGRAPH_REQUIRE_BROWSER"))


def need(ok: bool, what: str) -> None:
    if not ok:
        if REQUIRED:
            pytest.fail(f"needs {what}")
        pytest.skip(f"needs {what}")


try:
    from playwright import sync_api as playwright_api
except ImportError:
    playwright_api = None


@pytest.fixture
def java() -> None:
    need(bool(shutil.which("java")) and VNU.is_file(), f"java and {VNU}")




@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example site in English, and again in German and in Arabic (right to left)."""
    root = tmp_path_factory.mktemp("sites")
    build(REPO, root / "en", NOW)
    for lang in ("de", "ar"):
        source = root / f"source-{lang}"
        shutil.copytree(REPO / "content", source / "content")
        config = source / "content" / "site.yaml"
        config.write_text(config.read_text().replace("language: en", f"language: {lang}"))
        build(source, root / lang, NOW)
    return {"en": root / "en", "de": root / "de", "ar": root / "ar"}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server(sites: dict[str, Path]) -> Iterator[dict[str, str]]:
    """Each site at the root of its own loopback server, as base_url's path "/" wants."""
    servers = {lang: ThreadingHTTPServer(("127.0.0.1", 0),
                                         functools.partial(_Quiet, directory=str(folder)))
               for lang, folder in sites.items()}
    for httpd in servers.values():
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield {lang: f"http://127.0.0.1:{httpd.server_address[1]}/"
           for lang, httpd in servers.items()}
    for httpd in servers.values():
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def browser(server: Servers) -> Iterator[Any]:
    need(playwright_api is not None, "playwright (pip install playwright)")
    need(bool(CHROMIUM) and AXE.is_file(), f"chromium and {AXE}")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM,
                                     args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


def open_page(browser: Any, url: str, **options: Any) -> tuple[Any, Any, list[str]]:
    """A page at `url`; requests to other hosts are refused and recorded with JS errors."""
    context = browser.new_context(**options)
    problems: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith("http://127.0.0.1:"):
            r.continue_()
        else:
            problems.append(f"external request {r.request.url}")
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda e: problems.append(f"js error {e}"))
    page.on("console", lambda m: problems.append(f"console {m.text}") if m.type == "error"
            else None)
    page.goto(url)
    return context, page, problems


def axe(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]]


def test_vnu_finds_no_errors(java: None, sites: dict[str, Path]) -> None:
    files = sorted(str(f) for site in sites.values() for f in site.rglob("*")
                   if f.suffix in (".html", ".css", ".svg"))
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--also-check-css", "--also-check-svg",
         "--format", "json", *files],
        capture_output=True, text=True, timeout=300)
    messages = json.loads(run.stderr or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '')}:{m.get('lastLine', '')}: {m['message']}" for m in messages
              if m.get("type") == "error"]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("lang", ["en", "de", "ar"])
def test_axe_finds_no_violations(browser: Any, server: Servers, scheme: str, lang: str) -> None:
    found = []
    for path in PAGES:
        context, page, problems = open_page(browser, f"{server[lang]}{path}",
                                            color_scheme=scheme)
        found += [f"{path}: {v}" for v in axe(page)] + [f"{path}: {p}" for p in problems]
        context.close()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_with_a_day_tooltip_open(browser: Any, server: Servers, scheme: str) -> None:
    context, page, _ = open_page(browser, server['en'], color_scheme=scheme)
    page.locator("details.d > summary").first.click()
    assert page.locator("details.d[open] .tip").first.is_visible()
    assert axe(page) == []
    context.close()


@pytest.mark.parametrize("width", [320, 390])
def test_no_horizontal_scrolling(browser: Any, server: Servers, width: int) -> None:
    wide = []
    for lang in ("en", "de", "ar"):
        for path in PAGES:
            context, page, _ = open_page(browser, f"{server[lang]}{path}",
                                         viewport={"width": width, "height": 800},
                                         is_mobile=True, has_touch=True)
            if path == "":  # the rightmost day's tooltip must fit too
                page.locator("details.d > summary").last.click()
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                wide.append(f"{lang}/{path}: {scroll}px")
            context.close()
    assert not wide


def test_day_tooltip_opens_with_hover_keyboard_and_tap(browser: Any, server: Servers) -> None:
    context, page, problems = open_page(browser, server['en'])
    day = page.locator("details.d").first
    tip = day.locator(".tip")
    assert not tip.is_visible()
    day.locator("summary").hover()
    assert tip.is_visible()
    page.mouse.move(0, 0)
    assert not tip.is_visible()
    day.locator("summary").focus()
    assert tip.is_visible()
    page.keyboard.press("Tab")  # into the tooltip's first incident link
    assert page.evaluate("document.activeElement.closest('.tip') !== null")
    assert tip.is_visible()
    page.keyboard.press("Escape")
    day.locator("summary").click()  # a tap or Enter opens it for good
    page.mouse.move(0, 0)
    assert tip.is_visible() and day.get_attribute("open") is not None
    assert not problems
    context.close()

    mobile, page, _ = open_page(browser, server['en'], viewport={"width": 390, "height": 844},
                                is_mobile=True, has_touch=True)
    day = page.locator("details.d:visible").first  # days in the last 30 only
    day.locator("summary").tap()
    assert day.locator(".tip").is_visible()
    box = day.locator(".tip").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
    mobile.close()


def test_script_rewrites_times_in_the_visitors_zone_in_the_same_format(browser: Any,
                                                                       server: Servers) -> None:
    url = server['en'] + "incidents/2026-09-03-api-outage/"
    context, page, problems = open_page(browser, url, timezone_id="America/New_York",
                                        locale="en-US")
    times = page.locator("time[datetime]")
    # 14:05 UTC: 16:05 CEST on the page as built, 10:05 EDT in New York, same layout.
    first = page.locator('time[datetime="2026-09-03T14:05:00Z"]').first
    assert first.inner_text() == "3 Sep 2026, 10:05 EDT"
    assert "2026" in (first.get_attribute("title") or "") and \
        "10:05" in (first.get_attribute("title") or "")
    assert times.count() > 0 and page.locator(".local").count() == 0
    assert not problems
    context.close()
    context, page, _ = open_page(browser, url, timezone_id="Europe/Berlin")
    first = page.locator('time[datetime="2026-09-03T14:05:00Z"]').first
    assert first.inner_text() == "3 Sep 2026, 16:05 CEST"  # the site's zone: as built
    assert first.get_attribute("title")
    context.close()
    context, page, _ = open_page(browser, server['de'] + "incidents/2026-09-03-api-outage/",
                                 timezone_id="Asia/Tokyo", locale="de-DE")
    first = page.locator('time[datetime="2026-09-03T14:05:00Z"]').first
    assert first.inner_text().startswith("3. Sept. 2026, 23:05 Uhr ")
    context.close()


@pytest.mark.parametrize(("width", "days"), [(390, 30), (700, 60), (1280, 90)])
def test_narrower_screens_show_fewer_days_and_hide_the_others_days(browser: Any, server: Servers,
                                                                    width: int, days: int) -> None:
    context, page, _ = open_page(browser, server['en'], viewport={"width": width, "height": 900})
    row = page.locator(".components > li").first  # Public API
    summary = row.locator(".uptime-sum")
    assert summary.inner_text() == {30: "100.00% uptime over the last 30 days",
                                    60: "100.00% uptime over the last 60 days",
                                    90: "99.97% uptime over the last 90 days"}[days]
    bars = row.locator(".bars").bounding_box()
    piece = row.locator(".bars > i").last  # the newest quiet days: N of them in class rN
    size = int((piece.get_attribute("class") or "r1")[1:])
    box = piece.bounding_box()
    assert bars and box
    assert abs(box["width"] / size - bars["width"] / days) < 0.1  # each day 1/days of the row
    # 3 Sep (85 days ago) is only on the widest screen; 8 Oct (50 days) from 60 days up.
    visible = [d.is_visible() for d in row.locator("details.d").all()]
    assert visible == [days == 90, days >= 60] if days > 30 else visible == [False, False]
    # What is clipped or hidden is not focusable: Tab from the name reaches only shown days.
    row.locator(".component-name").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('details.d') ? "
                            "document.activeElement.closest('details.d').className : ''")
    assert ("from2" in focused) == (days == 90)
    context.close()


def test_script_flips_maintenance_when_its_window_passes(browser: Any, server: Servers) -> None:
    pill = ".entry [data-entry='2026-12-06-payout-scheduler-migration']"
    for now, text in (("2026-12-06T01:59:00Z", "Scheduled"), ("2026-12-06T03:00:00Z",
                      "In progress"), ("2026-12-06T04:30:00Z", "Completed")):
        context = browser.new_context()
        page = context.new_page()
        page.clock.set_fixed_time(now)
        page.goto(server['en'])
        assert page.locator(pill).inner_text() == text, now
        context.close()


@pytest.fixture(scope="module")
def clock_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """test_clock.py's site (a window 10:00-11:00, an announcement until 12:00), built at
    09:59 and served on loopback."""
    from test_clock import make

    root = make(tmp_path_factory.mktemp("clock"))
    build(root, root / "public", "2026-12-10T09:59:00Z")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0),
                                functools.partial(_Quiet, directory=str(root / "public")))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def shown(page: Any) -> tuple[str, ...]:
    """Maintenance pill, API status, Core group status, banner (class and text), favicon,
    announcement pill (the text, shown or not: a quiet group is folded), and what the
    maintenance does to the API ("will be under maintenance" until its window opens)."""
    return (page.locator("[data-entry='2026-12-10-api-upgrade']").text_content(),
            page.locator(".components [data-component='api']").text_content(),
            page.locator("[data-group='core']").text_content(),
            page.locator(".banner").get_attribute("class"),
            page.locator(".banner h1").text_content(),
            page.locator("link[rel=icon]").get_attribute("href").split(".")[0],
            page.locator("[data-entry='2026-12-09-new-prices']").text_content(),
            page.locator("[data-ahead='2026-12-10-api-upgrade']").first.text_content())


def test_script_shows_what_the_clock_changed_since_the_build(browser: Any,
                                                             clock_site: str) -> None:
    built = ("Scheduled", "Operational", "Operational", "banner b-none",
             "All Systems Operational", "assets/favicon-none", "Current",
             "will be under maintenance")
    for now, expected in (
            ("2026-12-10T09:59:30Z", built),
            ("2026-12-10T10:30:00Z", ("In progress", "Under maintenance", "Under maintenance",
                                      "banner b-maintenance", "Service Under Maintenance",
                                      "assets/favicon-maintenance", "Current",
                                      "Under maintenance")),
            ("2026-12-10T11:30:00Z", ("Completed", *built[1:-1], "Under maintenance")),
            ("2026-12-10T12:30:00Z", ("Completed", *built[1:-2], "Ended", "Under maintenance"))):
        context, page, problems = open_page(browser, "about:blank")
        page.clock.set_fixed_time(now)
        page.goto(clock_site)
        assert shown(page) == expected, now
        assert not problems
        context.close()
    # The component page too; and the script keeps looking (every 30 s).
    context, page, problems = open_page(browser, "about:blank")
    page.clock.install(time="2026-12-10T09:59:50Z")
    page.goto(clock_site + "components/api/")
    badge = page.locator("h1 + p [data-component='api']")
    assert badge.inner_text() == "Operational"
    page.clock.run_for(30_000)
    assert badge.inner_text() == "Under maintenance"
    assert badge.get_attribute("class") == "status s-under_maintenance"
    assert not problems
    context.close()
    # Without JavaScript the page stays as built.
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.clock.set_fixed_time("2026-12-10T10:30:00Z")
    page.goto(clock_site)
    assert shown(page) == built
    context.close()


@pytest.mark.skipif(not SHOTS, reason="set HELIOGRAPH_SCREENSHOTS=<folder> to keep screenshots")
def test_screenshots(browser: Any, server: Servers) -> None:
    out = Path(str(SHOTS))
    out.mkdir(parents=True, exist_ok=True)
    for lang in ("en", "de", "ar"):
        for scheme in ("light", "dark"):
            for width, height in ((1280, 800), (390, 844)):
                context, page, _ = open_page(browser, f"{server[lang]}", color_scheme=scheme,
                                             viewport={"width": width, "height": height},
                                             is_mobile=width < 500)
                name = f"{lang}-index-{width}-{scheme}"
                page.screenshot(path=out / f"{name}.png", full_page=True)
                page.locator("details.d:visible").nth(1).locator("summary").click()
                page.locator("details.d[open]").scroll_into_view_if_needed()
                page.screenshot(path=out / f"{name}-tip.png")
                page.goto(f"{server[lang]}incidents/2026-10-07-card-authorization-errors/")
                page.screenshot(path=out / f"{lang}-incident-{width}-{scheme}.png",
                                full_page=True)
                context.close()
