"""Finding a theme's templates, static assets and translation catalogue.

A site theme is a folder that may hold any subset of the default theme's files
(`templates/`, `static/`, `i18n/`); a file there replaces the default one with the
same path, everything else falls back to the default theme. The site's brand colour
and logo (site.yaml) become two more static assets.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from generator.model import Site
from generator.yamlsafe import YamlError, load_yaml

PACKAGE_DIR = Path(__file__).resolve().parent
# Assets that get a content hash in their name: pages refer to them through `asset()`, so
# hosts may cache them forever. Other files keep their names (a stylesheet's url() works).
HASHED = ("css", "js", "svg")
LOGO_TYPES = ("svg", "png", "webp", "jpg", "jpeg", "gif", "avif")
BRAND_CSS = "brand.css"


def default_theme_dir() -> Path:
    """Inside an installed wheel the theme ships as generator/themes/default."""
    packaged = PACKAGE_DIR / "themes" / "default"
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent / "themes" / "default"  # a source checkout


ACTIVE_SVG = re.compile(rb"<script|<foreignObject|\son[a-z]+\s*=|javascript:|<iframe|<embed",
                        re.IGNORECASE)


class ThemeError(Exception):
    pass


def resolve_theme(source: Path, name: str) -> list[Path]:
    """Theme folders to search, most specific first."""
    default = default_theme_dir()
    if name == "default":
        local = source / "themes" / "default"
        return [local, default] if local.is_dir() and local.resolve() != default else [default]
    for candidate in (source / "themes" / name, source / name):
        if candidate.is_dir():
            return [candidate, default]
    raise ThemeError(f"theme '{name}' not found (looked for themes/{name}/ and {name}/)")


def load_theme(source: Path, site: Site) -> Theme:
    """The site's theme with its brand colour and logo."""
    extra: dict[str, bytes] = {}
    if site.brand_color:
        extra[BRAND_CSS] = brand_stylesheet(site.brand_color)
    if site.logo:
        name, data = read_logo(source, site.logo)
        extra[name] = data
    return Theme(tuple(resolve_theme(source, site.theme)), tuple(sorted(extra.items())))


def read_logo(source: Path, logo: str) -> tuple[str, bytes]:
    """`logo` is a path inside the site repo; it is published as assets/logo.<ext>."""
    ext = logo.rpartition(".")[2].lower()
    if ext not in LOGO_TYPES:
        raise ThemeError(f"logo '{logo}' (site.yaml) must be an image file: "
                         + ", ".join(f".{e}" for e in LOGO_TYPES))
    root = source.resolve()
    path = (root / logo).resolve()
    if not path.is_relative_to(root):
        raise ThemeError(f"logo '{logo}' (site.yaml) must be inside the site folder")
    if not path.is_file():
        raise ThemeError(f"logo '{logo}' (site.yaml) not found; the path is relative to "
                         f"the folder that holds content/ ({source})")
    data = path.read_bytes()
    # An SVG is a document: opened directly it would run its scripts on the site's origin.
    if ext == "svg" and ACTIVE_SVG.search(data):
        raise ThemeError(f"logo '{logo}' (site.yaml) contains scripts, event handlers or "
                         "external references; use a plain SVG")
    return f"logo.{ext}", data


def _luminance(color: str) -> float:
    """WCAG relative luminance of '#rrggbb'."""
    def channel(hex2: str) -> float:
        c = int(hex2, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(color[i:i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def on_color(background: str) -> str:
    """White or black text, whichever reads better on the background.

    One of the two always reaches 4.58:1, so any brand colour keeps the header legible.
    """
    light, dark = "#ffffff", "#000000"
    return light if contrast(background, light) >= contrast(background, dark) else dark


def brand_stylesheet(color: str) -> bytes:
    color = color.lower()
    return (f"/* Brand colour from site.yaml */\n:root {{ --brand: {color}; "
            f"--on-brand: {on_color(color)}; }}\n").encode()


@dataclass(frozen=True)
class Theme:
    dirs: tuple[Path, ...]
    extra: tuple[tuple[str, bytes], ...] = ()  # generated assets (brand colour, logo)

    @property
    def template_dirs(self) -> list[str]:
        return [str(d / "templates") for d in self.dirs if (d / "templates").is_dir()]

    @cached_property
    def static(self) -> dict[str, bytes]:
        """Static assets by path relative to static/, overrides first."""
        files: dict[str, bytes] = {}
        for folder in reversed(self.dirs):
            root = folder / "static"
            if root.is_dir():
                for path in sorted(root.rglob("*")):
                    if path.is_file():
                        files[path.relative_to(root).as_posix()] = path.read_bytes()
        files.update(self.extra)
        return files

    @cached_property
    def assets(self) -> dict[str, str]:
        """Asset name -> output path; content-hashed for css, js and svg."""
        names = {}
        for name, data in self.static.items():
            stem, dot, ext = name.rpartition(".")
            if ext in HASHED and dot:
                digest = hashlib.sha256(data).hexdigest()[:10]
                names[name] = f"assets/{stem}.{digest}.{ext}"
            else:
                names[name] = f"assets/{name}"
        return names

    @property
    def brand_css(self) -> bool:
        return BRAND_CSS in self.static

    @property
    def logo(self) -> str | None:
        """The logo's asset name, if the site has one."""
        return next((n for n, _ in self.extra if n.startswith("logo.")), None)

    def catalogue(self, language: str) -> dict[str, Any]:
        """UI strings: English as the base, overlaid with the language's own file."""
        merged: dict[str, Any] = {}
        for lang in dict.fromkeys(("en", language.split("-")[0], language)):
            for folder in reversed(self.dirs):
                path = folder / "i18n" / f"{lang}.yaml"
                if path.is_file():
                    try:
                        data = load_yaml(path.read_text("utf-8"))
                    except (YamlError, UnicodeDecodeError, OSError) as exc:
                        where = f"{path}:{exc.line}" if isinstance(exc, YamlError) and \
                            exc.line else str(path)
                        raise ThemeError(f"{where}: cannot read the translations: "
                                         f"{getattr(exc, 'message', exc)}") from None
                    if isinstance(data, dict):
                        _merge(merged, data)
        return merged


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
