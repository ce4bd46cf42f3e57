"""Theme resolution, overrides, hashed assets, brand colour, logo and the catalogues."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.build import make_site
from generator.cli import main
from generator.i18n import Translator
from generator.theme import (
    Theme,
    ThemeError,
    brand_stylesheet,
    contrast,
    default_theme_dir,
    on_color,
    resolve_theme,
)
from generator.timeutil import get_zone
from generator.yamlsafe import load_yaml

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
        # an empty mapping (en's zone_names) is optional for other languages
        found |= keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
    return found


def test_every_language_translates_every_english_key():
    english = keys(Theme((DEFAULT,)).catalogue("en"))
    for path in (DEFAULT / "i18n").glob("*.yaml"):
        own = keys(load_yaml(path.read_text("utf-8")))
        assert english - own == set(), path.name


def test_catalogue_falls_back_to_english_key_by_key(tmp_path):
    theme_dir = tmp_path / "themes" / "default" / "i18n"
    theme_dir.mkdir(parents=True)
    (theme_dir / "fr.yaml").write_text("history: Historique\nindicator:\n  none: Tout va bien\n")
    catalogue = Theme(tuple(resolve_theme(tmp_path, "default"))).catalogue("fr-CA")
    assert catalogue["history"] == "Historique"
    assert catalogue["indicator"]["none"] == "Tout va bien"
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
