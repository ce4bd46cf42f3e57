"""Finding a theme's templates, static assets and translation catalogue.

A site theme is a folder that may hold any subset of the default theme's files
(`templates/`, `static/`, `i18n/`); a file there replaces the default one with the
same path, everything else falls back to the default theme.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from generator.yamlsafe import load_yaml

PACKAGE_DIR = Path(__file__).resolve().parent


def default_theme_dir() -> Path:
    """Inside an installed wheel the theme ships as generator/themes/default."""
    packaged = PACKAGE_DIR / "themes" / "default"
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent / "themes" / "default"  # a source checkout


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


@dataclass(frozen=True)
class Theme:
    dirs: tuple[Path, ...]

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
        return files

    @cached_property
    def assets(self) -> dict[str, str]:
        """Asset name -> content-hashed output path, so hosts can cache them forever."""
        names = {}
        for name, data in self.static.items():
            stem, dot, ext = name.rpartition(".")
            if ext in ("css", "js") and dot:
                digest = hashlib.sha256(data).hexdigest()[:10]
                names[name] = f"assets/{stem}.{digest}.{ext}"
            else:
                names[name] = f"assets/{name}"
        return names

    def catalogue(self, language: str) -> dict[str, Any]:
        """UI strings: English as the base, overlaid with the language's own file."""
        merged: dict[str, Any] = {}
        for lang in ("en", language.split("-")[0], language):
            for folder in reversed(self.dirs):
                path = folder / "i18n" / f"{lang}.yaml"
                if path.is_file():
                    data = load_yaml(path.read_text("utf-8"))
                    if isinstance(data, dict):
                        _merge(merged, data)
        return merged

    def languages(self) -> list[str]:
        return sorted({p.stem for d in self.dirs for p in (d / "i18n").glob("*.yaml")})


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
