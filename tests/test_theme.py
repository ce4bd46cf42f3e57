"""Theme resolution, overrides, hashed assets, brand colour, logo and the catalogues."""

from __future__ import annotations

import re
import shutil
import string
from pathlib import Path

import pytest
from building import make_site

from generator.cli import main
from generator.content.timeutil import get_zone
from generator.content.yamlsafe import load_yaml
from generator.theme.i18n import LAYOUT_PLACEHOLDERS, Translator, plural_categories
from generator.theme.themes import (
    Theme,
    ThemeError,
    brand_stylesheet,
    contrast,
    default_theme_dir,
    on_color,
    resolve_theme,
)

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-27T01:00:00Z"
DEFAULT = default_theme_dir()
INDICATORS = ("none", "maintenance", "minor", "major", "critical")


def copy_site(tmp_path: Path, extra: str = "") -> Path:
    source = tmp_path / "site"
    shutil.copytree(REPO / "content", source / "content")
    config = source / "content" / "site.yaml"
    config.write_text(config.read_text() + extra)
    return source


def keys(node: dict, prefix: str = "") -> set[str]:
    found = set()
    for key, value in node.items():
        if isinstance(value, dict) and ("other" in value or key == "zone_names"):
            found.add(prefix + key)  # plural forms (compared apart), a free mapping
        else:
            found |= keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
    return found


def lookup(node: dict, key: str) -> object:
    for part in key.split("."):
        node = node[part]
    return node


def placeholders(text: object) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(str(text)) if name}


def strings(value: object) -> list[str]:
    return list(value.values()) if isinstance(value, dict) else [value]


def test_every_catalogue_has_the_english_keys_plural_forms_and_placeholders():
    """What docs/theming.md asks of a contributed catalogue: the keys of en.yaml, no others;
    each plural key with exactly its language's CLDR categories; the same placeholders."""
    english = load_yaml((DEFAULT / "i18n" / "en.yaml").read_text("utf-8"))
    catalogues = sorted((DEFAULT / "i18n").glob("*.yaml"))
    assert {p.stem for p in catalogues} >= {"en", "de", "fr", "es", "pt-BR", "ja", "nl", "ar"}
    for path in catalogues:
        own = load_yaml(path.read_text("utf-8"))
        assert keys(own) == keys(english), path.name
        for key in keys(english):
            value, base = lookup(own, key), lookup(english, key)
            if key == "zone_names":
                continue
            if isinstance(base, dict):  # plural forms
                assert set(value) == plural_categories(path.stem), (path.name, key)
            allowed = set().union(*(placeholders(v) for v in strings(base)))
            if key in LAYOUT_PLACEHOLDERS:  # a layout may use all the pages give it
                assert placeholders(english[key]) <= set(LAYOUT_PLACEHOLDERS[key])
                assert placeholders(own[key]) <= set(LAYOUT_PLACEHOLDERS[key]), path.name
                continue
            for text in strings(value):
                assert placeholders(text) <= allowed, (path.name, key, text)
                if not isinstance(base, dict) and not isinstance(base, list):
                    assert placeholders(text) == allowed, (path.name, key, text)


@pytest.mark.parametrize(("language", "expected"), [
    ("en", {"one", "other"}), ("de", {"one", "other"}), ("nl", {"one", "other"}),
    ("fr", {"one", "many", "other"}), ("es", {"one", "many", "other"}),
    ("pt-BR", {"one", "many", "other"}), ("ja", {"other"}),
    ("ar", {"zero", "one", "two", "few", "many", "other"}),
])
def test_plural_categories_per_language_follow_cldr(language, expected):
    assert plural_categories(language) == expected


def test_catalogue_falls_back_to_english_key_by_key(tmp_path):
    theme_dir = tmp_path / "themes" / "default" / "i18n"
    theme_dir.mkdir(parents=True)
    (theme_dir / "sv.yaml").write_text("history: Historik\nindicator:\n  none: Allt fungerar\n")
    catalogue = Theme(tuple(resolve_theme(tmp_path, "default"))).catalogue("sv-FI")
    assert catalogue["history"] == "Historik"
    assert catalogue["indicator"]["none"] == "Allt fungerar"
    assert catalogue["indicator"]["major"] == "Partial System Outage"  # from English


def test_site_theme_overrides_templates_assets_and_strings(tmp_path):
    source = copy_site(tmp_path)
    local = source / "themes" / "default"
    (local / "templates").mkdir(parents=True)
    (local / "static").mkdir()
    (local / "i18n").mkdir()
    (local / "templates" / "404.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Lost at sea</h1>{% endblock %}')
    (local / "static" / "style.css").write_text("body { color: black; }\n")
    (local / "i18n" / "en.yaml").write_text("history: Past incidents\n")
    files = make_site(source, NOW).files
    assert "<h1>Lost at sea</h1>" in files["404.html"].decode()
    css = [p for p in files if re.fullmatch(r"assets/style\.[0-9a-f]{10}\.css", p)]
    assert len(css) == 1 and files[css[0]] == b"body { color: black; }\n"
    index = files["index.html"].decode()
    assert f'href="{css[0]}"' in index and "Past incidents" in index
    assert "favicon-major." in index  # everything not overridden comes from the default


def test_named_theme_folder_and_missing_theme(tmp_path):
    (tmp_path / "themes" / "harbour").mkdir(parents=True)
    assert resolve_theme(tmp_path, "harbour") == [tmp_path / "themes" / "harbour", DEFAULT]
    with pytest.raises(ThemeError, match="'lighthouse' not found"):
        resolve_theme(tmp_path, "lighthouse")


def test_asset_names_carry_a_content_hash():
    theme = Theme((DEFAULT,))
    for name in ("style.css", "enhance.js", *(f"favicon-{i}.svg" for i in INDICATORS)):
        stem, ext = name.rsplit(".", 1)
        assert re.fullmatch(rf"assets/{stem}\.[0-9a-f]{{10}}\.{ext}", theme.assets[name])
    changed = Theme((DEFAULT,), (("style.css", b"body{}"),))
    assert changed.assets["style.css"] != theme.assets["style.css"]


@pytest.mark.parametrize("color", ["#ffffff", "#ffd33d", "#1f6feb", "#000000", "#777777",
                                   "#e16f24"])
def test_brand_text_colour_is_always_legible(color):
    assert contrast(color, on_color(color)) >= 4.5
    assert f"--brand: {color}" in brand_stylesheet(color).decode()


def test_brand_colour_and_logo_from_site_yaml(tmp_path):
    source = copy_site(tmp_path, "brand_color: '#FFD33D'\nlogo: art/logo.svg\n")
    (source / "art").mkdir()
    logo = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><circle r="4"/></svg>'
    (source / "art" / "logo.svg").write_bytes(logo)
    files = make_site(source, NOW).files
    brand = next(p for p in files if p.startswith("assets/brand."))
    assert b"--brand: #ffd33d; --on-brand: #000000;" in files[brand]
    logo_path = next(p for p in files if p.startswith("assets/logo."))
    assert files[logo_path] == logo
    page = files["incidents/2026-09-03-api-outage/index.html"].decode()
    assert f'href="../../{brand}"' in page and f'src="../../{logo_path}"' in page
    plain = make_site(REPO, NOW).files
    assert not [p for p in plain if p.startswith(("assets/brand.", "assets/logo."))]


@pytest.mark.parametrize(("logo", "message"), [
    ("art/missing.png", "not found"),
    ("../outside.svg", "inside the site folder"),
    ("content/site.yaml", "must be an image"),
    ("art/active.svg", "not a plain SVG"),
])
def test_bad_logo_is_a_clear_error_not_a_traceback(tmp_path, capsys, logo, message):
    source = copy_site(tmp_path, f"logo: {logo}\n")
    (tmp_path / "outside.svg").write_text("<svg/>")
    (source / "art").mkdir(exist_ok=True)
    (source / "art" / "active.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    assert main(["build", "--source", str(source), "--output", str(tmp_path / "out"),
                 "--now", NOW]) == 1
    assert message in capsys.readouterr().err


def test_translator_formats_dates_times_numbers_and_durations_per_language():
    from datetime import UTC, datetime, timedelta

    zone = get_zone("Europe/Berlin")
    winter = datetime(2026, 11, 26, 22, 5, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
    en = Translator(Theme((DEFAULT,)).catalogue("en"), zone, "en")
    de = Translator(Theme((DEFAULT,)).catalogue("de"), zone, "de")
    assert en.datetime(winter) == "26 Nov 2026, 23:05 CET"
    assert de.datetime(winter) == "26. Nov. 2026, 23:05 Uhr MEZ"
    assert de.datetime(summer) == "1. Juli 2026, 08:00 Uhr MESZ"
    assert (en.date(winter), de.date(winter)) == ("26 November 2026", "26. November 2026")
    assert (en.percent("99.93"), de.percent("99.93")) == ("99.93%", "99,93\xa0%")
    span = timedelta(days=1, hours=2, minutes=41)
    assert (en.duration(span), de.duration(span)) == ("1 d 2 h 41 min", "1 Tg. 2 Std. 41 Min.")
    assert en.duration(timedelta(seconds=20)) == "0 min"
    assert en.month(2026, 3) == "March 2026" and de.month(2026, 3) == "März 2026"


def test_twelve_hour_clock_is_a_catalogue_choice():
    from datetime import UTC, datetime

    catalogue = Theme((DEFAULT,)).catalogue("en") | {"time_format": "{h}:{M} {p}"}
    t = Translator(catalogue, get_zone("America/New_York"))
    assert t.time(datetime(2026, 11, 26, 22, 5, tzinfo=UTC)) == "5:05 PM"
    assert t.time(datetime(2026, 11, 26, 5, 0, tzinfo=UTC)) == "12:00 AM"


def test_a_theme_may_use_every_placeholder_the_pages_give_a_layout(tmp_path, capsys):
    """The English layouts use only some of what the pages give them: a theme's catalogue
    may still write a 12-hour clock or the weekday (docs/theming.md), check and build
    accept it, and the optional script gets the AM/PM words."""
    source = copy_site(tmp_path)
    (source / "themes" / "default" / "i18n").mkdir(parents=True)
    (source / "themes" / "default" / "i18n" / "en.yaml").write_text(
        'time_format: "{h}:{M} {p}"\ndate_format: "{weekday} {day} {month} {year}"\n')
    assert main(["check", "--source", str(source), "--now", NOW]) == 0
    assert "error" not in capsys.readouterr().out
    files = make_site(source, NOW).files
    page = files["incidents/2026-09-03-api-outage/index.html"].decode()
    assert '<time datetime="2026-09-03T14:05:00Z">3 Sep 2026, 4:05 PM CEST</time>' in page
    assert ' data-datetime="{day} {month} {year}, {h}:{M} {p} {zone}" data-months="Jan|Feb|' \
        in page and ' data-ampm="AM|PM"' in page
    assert "Thursday 3 September 2026: Major outage" in files["components/api/index.html"].decode()


def test_missing_string_shows_its_key_and_is_recorded():
    t = Translator({"a": {"b": "B"}}, get_zone("UTC"))
    assert t("a.b") == "B" and t("a.c") == "a.c"
    assert t.missing == {"a.c"}


def test_broken_translation_file_is_a_clear_error(tmp_path, capsys):
    source = copy_site(tmp_path, "")
    i18n = source / "themes" / "default" / "i18n"
    i18n.mkdir(parents=True)
    (i18n / "en.yaml").write_text("title: [unclosed\n")
    assert main(["build", "--source", str(source), "--output", str(tmp_path / "out"),
                 "--now", NOW]) == 1
    err = capsys.readouterr().err
    assert "en.yaml" in err and "cannot read the translations" in err and "Traceback" not in err


def test_component_pages_advertise_their_own_feeds():
    html = make_site(REPO, NOW).files["components/api/index.html"].decode()
    assert 'rel="alternate" type="application/atom+xml"' in html
    assert 'href="feed.atom"' in html and 'href="feed.rss"' in html


@pytest.mark.parametrize(("language", "datetime_text", "date_text", "month", "percent", "dir"), [
    ("en", "26 Nov 2026, 23:05 CET", "1 July 2026", "March 2026", "99.93%", "ltr"),
    ("de", "26. Nov. 2026, 23:05 Uhr MEZ", "1. Juli 2026", "März 2026", "99,93\xa0%", "ltr"),
    ("fr", "26 nov. 2026, 23:05 CET", "1 juillet 2026", "mars 2026", "99,93\xa0%", "ltr"),
    ("es", "26 nov 2026, 23:05 CET", "1 de julio de 2026", "marzo de 2026", "99,93\xa0%", "ltr"),
    ("pt-BR", "26 de nov. de 2026, 23:05 CET", "1 de julho de 2026", "março de 2026", "99,93%",
     "ltr"),
    ("ja", "2026年11月26日 23:05 CET", "2026年7月1日", "2026年3月", "99.93%", "ltr"),
    ("nl", "26 nov 2026, 23:05 CET", "1 juli 2026", "maart 2026", "99,93%", "ltr"),
    ("ar", "26 نوفمبر 2026، 23:05 CET", "1 يوليو 2026", "مارس 2026", "99.93\u200e%\u200e", "rtl"),
])
def test_dates_and_numbers_per_language_come_from_cldr(language, datetime_text, date_text, month,
                                                       percent, dir):
    from datetime import UTC, datetime

    t = Translator(Theme((DEFAULT,)).catalogue(language), get_zone("Europe/Berlin"), language)
    assert t.datetime(datetime(2026, 11, 26, 22, 5, tzinfo=UTC)) == datetime_text
    assert t.date(datetime(2026, 7, 1, 6, 0, tzinfo=UTC)) == date_text
    assert t.month(2026, 3) == month
    assert t.percent("99.93") == percent
    assert t.dir == dir


@pytest.mark.parametrize(("language", "count", "expected"), [
    ("en", 1, "No incidents today."), ("en", 0, "No incidents in the last 0 days."),
    ("fr", 0, "Aucun incident aujourd'hui."),  # French: 0 is singular
    ("fr", 2, "Aucun incident au cours des 2 derniers jours."),
    ("pt-BR", 0, "Nenhum incidente hoje."),
    ("pt-BR", 1000000, "Nenhum incidente nos últimos 1000000 de dias."),  # many
    ("es", 1000000, "Ninguna incidencia en los últimos 1000000 de días."),
    ("es", 90, "Ninguna incidencia en los últimos 90 días."),
    ("nl", 1, "Vandaag geen storingen."), ("ja", 1, "過去 1 日間に障害はありません。"),
    ("ar", 2, "لا أعطال خلال اليومين الأخيرين."), ("ar", 3, "لا أعطال خلال آخر 3 أيام."),
    ("ar", 11, "لا أعطال خلال آخر 11 يومًا."), ("ar", 100, "لا أعطال خلال آخر 100 يوم."),
])
def test_plural_forms_follow_the_language(language, count, expected):
    t = Translator(Theme((DEFAULT,)).catalogue(language), get_zone("UTC"), language)
    assert t("no_incidents_days", count=count) == expected


def test_catalogue_may_override_cldr_names(tmp_path):
    from datetime import date

    catalogue = Theme((DEFAULT,)).catalogue("de") | {"months_short": [
        "Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"]}
    t = Translator(catalogue, get_zone("UTC"), "de")
    assert t.date(date(2026, 9, 3), short=True) == "3. Sep 2026"
