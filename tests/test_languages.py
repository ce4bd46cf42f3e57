"""A site in several languages (site.yaml `languages`), built through the real CLI: the
first language at the root, each other in its folder with the same pages, hreflang links,
a language switcher, per-language feeds, calendars and badges, one JSON API."""

from __future__ import annotations

import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from generator.cli import main

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-27T01:00:00Z"
URL = "https://status.tidewater.example/"
WEBHOOKS = "incidents/2026-11-26-webhook-delivery-delays/"
MIGRATION = "incidents/2026-12-06-payout-scheduler-migration/"
# What the example publishes once, language-neutral, at the root only.
NEUTRAL = ("api/", "assets/", "sitemap.xml", "robots.txt", "build.json", "_headers")


def example(tmp: Path, setting: str | None) -> Path:
    """The example's content, with its `language: en` line replaced by `setting`."""
    source = tmp / "src"
    shutil.copytree(REPO / "content", source / "content")
    config = source / "content" / "site.yaml"
    text = config.read_text()
    assert "\nlanguage: en\n" in text
    if setting is not None:
        config.write_text(text.replace("\nlanguage: en\n", f"\n{setting}\n"))
    return source


def build(source: Path, out: Path) -> Path:
    assert main(["build", "--source", str(source), "--now", NOW, "--output", str(out)]) == 0
    return out


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def one(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("one")
    return files(build(example(tmp, None), tmp / "out"))


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("two")
    return files(build(example(tmp, "languages: [en, de]"), tmp / "out"))


def text(site: dict[str, bytes], path: str) -> str:
    return site[path].decode()


def test_the_second_language_has_every_worded_file_in_its_folder(one, two) -> None:
    worded = {p for p in one if not p.startswith(NEUTRAL)}
    assert {"index.html", "404.html", "embed/index.html", "feed.atom", "history.rss",
            "maintenance.ics", "badge.svg", "components/api/index.html",
            "components/api/feed.rss", "components/api/maintenance.ics",
            "components/api/badge.svg", WEBHOOKS + "index.html",
            "history/maintenance/index.html"} <= worded
    assert set(two) == set(one) | {"de/" + p for p in worded}
    assert not any(p.startswith(("de/api/", "de/assets/", "de/sitemap", "de/robots",
                                 "de/build")) for p in two)


def test_the_json_api_is_one_language_neutral_set_at_the_root(one, two) -> None:
    api = {p for p in one if p.startswith("api/") or p == "build.json"}
    assert len(api) == 9
    assert {p: two[p] for p in api} == {p: one[p] for p in api}


def test_a_german_page_shows_german_words_and_the_english_title(two) -> None:
    page = text(two, "de/" + WEBHOOKS + "index.html")
    assert page.startswith('<!DOCTYPE html>\n<html lang="de">\n')
    assert "<title>Delayed webhook deliveries · Tidewater Status</title>" in page
    assert "<h1>Delayed webhook deliveries</h1>" in page  # content stays as written
    assert '<p class="kicker">Störung</p>' in page
    assert '<span class="pill p-identified">Ursache gefunden</span>' in page
    assert '<time datetime="2026-11-26T21:14:00Z">26. Nov. 2026, 22:14 Uhr MEZ</time>' in page
    assert "We are draining it and adding capacity." in page  # the message as written
    assert "Identified" not in page and "Affected components" not in page
    # Pages of the language link among themselves; assets and the API are the root's.
    assert '<a href="../../components/webhooks/">Webhooks</a> (Teilausfall)' in page
    assert '<link rel="stylesheet" href="../../../assets/style.' in page
    assert '<a href="../../feed.atom">Atom-Feed</a>' in page
    assert '<a href="../../../api/v2/summary.json">JSON-API</a>' in page


def test_every_page_has_hreflang_alternates_and_x_default(two) -> None:
    expected = (f'<link rel="alternate" hreflang="en" href="{URL}{WEBHOOKS}">\n'
                f'<link rel="alternate" hreflang="de" href="{URL}de/{WEBHOOKS}">\n'
                f'<link rel="alternate" hreflang="x-default" href="{URL}{WEBHOOKS}">\n')
    assert expected in text(two, WEBHOOKS + "index.html")
    assert expected in text(two, "de/" + WEBHOOKS + "index.html")
    assert f'<link rel="canonical" href="{URL}de/{WEBHOOKS}">' in \
        text(two, "de/" + WEBHOOKS + "index.html")
    for path in (p for p in two if p.endswith(".html") and "embed/" not in p):
        page = text(two, path)
        inner = path.removeprefix("de/").removesuffix("index.html")
        assert f'hreflang="de" href="{URL}de/{inner}"' in page, path
        assert f'hreflang="x-default" href="{URL}{inner}"' in page, path


def test_the_switcher_links_the_same_page_in_the_other_language(two) -> None:
    switcher = ('<nav aria-label="{label}">\n      <ul>\n'
                '        <li><a href="{en}" hreflang="en" lang="en"{en_now}>English</a></li>\n'
                '        <li><a href="{de}" hreflang="de" lang="de"{de_now}>Deutsch</a></li>\n'
                '      </ul>\n    </nav>')
    now = ' aria-current="page"'
    assert switcher.format(label="Language", en="./", en_now=now, de="de/", de_now="") in \
        text(two, "index.html")
    assert switcher.format(label="Sprache", en="../", en_now="", de="../de/", de_now=now) in \
        text(two, "de/index.html")
    assert switcher.format(label="Sprache", en="../../../" + WEBHOOKS, en_now="",
                           de="../../../de/" + WEBHOOKS, de_now=now) in \
        text(two, "de/" + WEBHOOKS + "index.html")
    assert switcher.format(label="Language", en="../../" + "history/maintenance/", en_now=now,
                           de="../../de/history/maintenance/", de_now="") in \
        text(two, "history/maintenance/index.html")
    # 404 pages are served at any depth: absolute paths.
    assert switcher.format(label="Sprache", en="/404.html", en_now="", de="/de/404.html",
                           de_now=now) in text(two, "de/404.html")


def test_one_language_pages_have_neither_alternates_nor_switcher(one) -> None:
    page = text(one, WEBHOOKS + "index.html")
    assert "hreflang" not in page and "Deutsch" not in page


def test_feeds_calendars_and_badges_are_per_language(one, two) -> None:
    atom = text(two, "de/feed.atom")
    assert '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">' in atom
    assert f'<link href="{URL}de/feed.atom" rel="self" type="application/atom+xml"/>' in atom
    assert f"<id>{URL}de/{WEBHOOKS}</id>\n    <title>Delayed webhook deliveries</title>" in atom
    assert "<title>Wartung: Payout scheduler migration</title>" in atom
    assert '<category term="incident" label="Störung"/>' in atom
    assert "<language>de</language>" in text(two, "de/components/payouts/feed.rss")
    calendar = text(two, "de/maintenance.ics")
    assert "X-WR-CALNAME:Tidewater Status: Wartungskalender\r\n" in calendar
    assert f"SOURCE;VALUE=URI:{URL}de/maintenance.ics\r\n" in calendar
    # The same event in either language: calendar apps see one event, not two.
    uid = "UID:2026-12-06-payout-scheduler-migration@status.tidewater.example\r\n"
    assert uid in calendar and uid in text(two, "maintenance.ics")
    assert ">Teilweiser Systemausfall<" in text(two, "de/badge.svg")
    assert ">Partial System Outage<" in text(two, "badge.svg")
    # The first language's feeds say what they said with one language.
    assert two["feed.atom"] == one["feed.atom"]
    assert two["maintenance.ics"] == one["maintenance.ics"]


def test_the_sitemap_lists_every_language_with_alternates(one, two) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
          "x": "http://www.w3.org/1999/xhtml"}
    english = [u.findtext("s:loc", namespaces=ns)
               for u in ET.fromstring(one["sitemap.xml"]).findall("s:url", ns)]
    urls = ET.fromstring(two["sitemap.xml"]).findall("s:url", ns)
    locs = [u.findtext("s:loc", namespaces=ns) for u in urls]
    assert len(english) == 24  # home, 3 history lists, 11 entries, 8 components, subscribe
    assert locs == [loc for e in english for loc in (e, e.replace(URL, URL + "de/"))]
    webhooks = urls[locs.index(URL + "de/" + WEBHOOKS)]
    assert [(a.get("rel"), a.get("hreflang"), a.get("href"))
            for a in webhooks.findall("x:link", ns)] == [
        ("alternate", "en", URL + WEBHOOKS), ("alternate", "de", URL + "de/" + WEBHOOKS),
        ("alternate", "x-default", URL + WEBHOOKS)]
    assert webhooks.findtext("s:lastmod", namespaces=ns) == "2026-11-26T22:05:00Z"


def test_a_list_of_one_language_is_the_one_language_site(one, tmp_path: Path) -> None:
    assert files(build(example(tmp_path, "languages: [en]"), tmp_path / "out")) == one


def test_a_right_to_left_language_in_its_folder(tmp_path: Path) -> None:
    site = files(build(example(tmp_path, "language: de\nlanguages: [de, ar]"),
                       tmp_path / "out"))
    assert text(site, "index.html").startswith('<!DOCTYPE html>\n<html lang="de">\n')
    assert text(site, "ar/index.html").startswith(
        '<!DOCTYPE html>\n<html lang="ar" dir="rtl">\n')
    assert '<a href="ar/" hreflang="ar" lang="ar">العربية</a>' in text(site, "index.html")
    assert f'hreflang="x-default" href="{URL}"' in text(site, "ar/index.html")


BLOCK = "languages:\n  - en\n  - de\n"


@pytest.mark.parametrize(("setting", "line", "message"), [
    ("languages: [en, zz]", "5:17", "language 'zz' has no locale data (dates, plurals)"),
    ("languages: [en, sv]", "5", "the theme has no translation for language 'sv'"),
    ("languages: [en, DE]", "5:17", "language 'DE' is not a language code"),
    (BLOCK + "  - de\n", "8", "language 'de' is listed twice in 'languages'"),
    ("languages: [en, pt-BR, pt-br]", "5", "language 'pt-br' is listed twice in 'languages' "
     "(as 'pt-BR')"),
    ("language: de\n" + BLOCK, "5", "language 'de' is not the first of 'languages' (en, de)"),
    ("languages: []", "5", "'languages' must be a list of language codes, not an empty list"),
    ("languages: en", "5", "'languages' must be a list of language codes, not text"),
    ("languages:\n  - en\n  - {de: yes}\n", "7",
     "each of 'languages' must be a language code, not a mapping"),
    ("languages: [en, de, fr, es, ja, nl, ar, pt-BR, en-GB, de-AT, de-CH, fr-CA, es-MX]", "5:76",
     "'languages' lists 13 languages; at most 12 are published"),
])
def test_languages_problems_have_file_and_line(tmp_path: Path, capsys, setting: str,
                                               line: str, message: str) -> None:
    source = example(tmp_path, setting)
    assert main(["check", "--source", str(source), "--now", NOW]) == 1
    out = capsys.readouterr().out
    assert f"content/site.yaml:{line}:" in out and message in out, out
    assert main(["build", "--source", str(source), "--now", NOW, "--output",
                 str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out").exists()


def test_language_and_languages_may_agree(tmp_path: Path, capsys) -> None:
    source = example(tmp_path, "language: en\n" + BLOCK)
    assert main(["check", "--source", str(source), "--now", NOW]) == 0
    site = files(build(source, tmp_path / "out"))
    assert "de/index.html" in site


def test_workers_build_every_language_alike(tmp_path: Path) -> None:
    source = example(tmp_path, "languages: [en, de]")
    incidents = source / "content" / "incidents"
    model = (incidents / "2026-11-12-slow-dashboard-search.md").read_text()
    for n in range(50):  # past the size from which build forks workers
        (incidents / f"2026-11-12-copy-{n}.md").write_text(
            model.replace("title: ", f"title: Copy {n} of ", 1))
    built = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        assert main(["build", "--source", str(source), "--now", NOW, "--output", str(out),
                     "--jobs", jobs]) == 0
        built.append(files(out))
    assert built[0] == built[1]
    assert "de/incidents/2026-11-12-copy-49/index.html" in built[0]
