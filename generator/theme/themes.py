"""Finding a theme's templates, static assets and translation catalogue.

A site theme is a folder that may hold any subset of the default theme's files
(`templates/`, `static/`, `i18n/`); a file there replaces the default one with the
same path, everything else falls back to the default theme. The site's brand colour
and logo (site.yaml) become two more static assets.
"""

from __future__ import annotations

import importlib.util
import re
import string
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from generator.content.model import Site
from generator.content.yamlsafe import YamlError, load_yaml
from generator.theme.i18n import LAYOUT_PLACEHOLDERS
from generator.theme.svgcheck import SvgProblem, check_svg

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # generator/
# Assets that get a content hash in their name: pages refer to them through `asset()`, so
# hosts may cache them forever. Other files keep their names (a stylesheet's url() works).
HASHED = ("css", "js", "svg")
LOGO_TYPES = ("svg", "png", "webp", "jpg", "jpeg", "gif", "avif")
BRAND_CSS = "brand.css"
THEME_PARTS = ("templates", "static", "i18n")
THEME_GROUP = "heliograph.themes"  # entry points of installed theme packages
THEME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
PLACEHOLDER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FORMAT_SPEC = re.compile(r"(?!.*\d{4})[^{}]{0,12}")  # no width or precision over 999


def default_theme_dir() -> Path:
    """Inside an installed wheel the theme ships as generator/themes/default."""
    packaged = PACKAGE_DIR / "themes" / "default"
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent / "themes" / "default"  # a source checkout


class ThemeError(Exception):
    """A theme (or logo) that cannot be used; `file` and `line` say where, when known."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 hint: str = ""):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.hint = hint  # what to do, where the general advice for theme files does not fit

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file and self.line else self.file
        return f"{where}: {self.message}" if where else self.message

    def __reduce__(self) -> tuple[Any, ...]:  # raised in forked workers, re-raised here
        return (ThemeError, (self.message, self.file, self.line, self.hint))


def resolve_theme(source: Path, name: str) -> list[Path]:
    """Theme folders to search, most specific first.

    A theme is `default`, a folder `themes/<name>/` of the site, or an installed package
    registered in the entry-point group `heliograph.themes`; never a path, so nothing
    outside the site folder is read unless the machine's owner installed it. A site
    folder `themes/<name>/` overrides files of the installed theme of that name, and the
    default theme fills in the rest.
    """
    if not THEME_NAME.fullmatch(name):
        raise ThemeError(f"theme '{name}' is not a theme name: use 'default', the name of a "
                         "folder in themes/, or an installed theme")
    default = default_theme_dir()
    local = _site_theme(source, name)
    base = [] if name == "default" else _installed_theme(name)
    if local is None and not base and name != "default":
        raise ThemeError(f"theme '{name}' not found (looked for themes/{name}/ and an installed "
                         f"theme package of that name)")
    if local and local.resolve() == default:  # the example site in a source checkout
        local = None
    return list(dict.fromkeys(([local] if local else []) + base + [default]))


def _site_theme(source: Path, name: str) -> Path | None:
    """themes/<name>/ if the site has it; neither it nor themes/ may be a symlink."""
    for path in (source / "themes", source / "themes" / name):
        if path.is_symlink():
            raise ThemeError("a symbolic link; theme files must be real files in the "
                             "repository", _rel(source, path))
        if not path.is_dir():
            return None
    return source / "themes" / name


def _installed_theme(name: str) -> list[Path]:
    """The folder of an installed theme package (entry point group heliograph.themes)."""
    # Imported here: it costs ~30 ms, and sites on the default theme never get here.
    from importlib.metadata import entry_points

    for entry in entry_points(group=THEME_GROUP, name=name):
        spec = importlib.util.find_spec(entry.module)
        locations = spec.submodule_search_locations if spec else None
        if not locations:
            raise ThemeError(f"installed theme '{name}' ({entry.value}) is not a package "
                             "folder")
        return [Path(next(iter(locations)))]
    return []


def _rel(source: Path, path: Path) -> str:
    return path.relative_to(source).as_posix() if path.is_relative_to(source) else str(path)


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
    # No symlink on the way either: one to .git/config stays inside the folder, yet
    # publishes the credentials a CI checkout keeps there.
    walked = root
    for part in Path(logo).parts:
        walked = walked / part
        if walked.is_symlink():
            raise ThemeError(f"logo '{logo}' (site.yaml): {walked.relative_to(root)} is a "
                             "symbolic link; use the file itself", walked.relative_to(root)
                             .as_posix())
    if not path.is_file():
        raise ThemeError(f"logo '{logo}' (site.yaml) not found; the path is relative to "
                         f"the folder that holds content/ ({source})")
    data = path.read_bytes()
    if ext == "svg":
        try:
            check_svg(data)
        except SvgProblem as exc:
            raise ThemeError(f"the logo (site.yaml) is not a plain SVG: {exc}; scripts, event "
                             "handlers, links and external references are not allowed",
                             path.relative_to(root).as_posix(), exc.line) from None
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

    @cached_property
    def files(self) -> tuple[dict[str, Path], ...]:
        """Each folder's theme files by path ('templates/base.html'), checked once: the
        templates, assets and catalogues are read from here and nowhere else."""
        return tuple(theme_files(folder) for folder in self.dirs)

    @property
    def own_templates(self) -> bool:
        """Whether templates other than the built-in theme's are used (they may fail)."""
        default = default_theme_dir()
        return any(key.startswith("templates/") for folder, files in zip(self.dirs, self.files,
                                                                         strict=True)
                   if folder != default for key in files)

    def template(self, name: str) -> Path | None:
        """The file of template `name`, overrides first."""
        key = f"templates/{name}"
        return next((files[key] for files in self.files if key in files), None)

    @cached_property
    def static(self) -> dict[str, bytes]:
        """Static assets by path relative to static/, overrides first."""
        found: dict[str, bytes] = {}
        for files in reversed(self.files):
            for key, path in sorted(files.items()):
                if key.startswith("static/"):
                    found[key.removeprefix("static/")] = read_static(path)
        found.update(self.extra)
        return found

    @cached_property
    def assets(self) -> dict[str, str]:
        """Asset name -> output path; content-hashed for css, js and svg."""
        import hashlib  # here: `check` reads the assets but does not name them

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

    @property
    def languages(self) -> set[str]:
        """Languages with a catalogue file in some folder of the theme."""
        return {key[5:-5] for files in self.files for key in files
                if key.startswith("i18n/") and key.endswith(".yaml")}

    def catalogue(self, language: str) -> dict[str, Any]:
        """UI strings: English as the base, overlaid with the language's own file."""
        merged: dict[str, Any] = {}
        for lang in dict.fromkeys(("en", language.split("-")[0], language)):
            for files in reversed(self.files):
                path = files.get(f"i18n/{lang}.yaml")
                if path is not None:
                    problem = _merge(merged, read_catalogue(path))
                    if problem:
                        raise ThemeError(problem, str(path), hint=CATALOGUE_HINT)
        return merged


def theme_files(folder: Path) -> dict[str, Path]:
    """The files under a theme folder's templates/, static/ and i18n/.

    Symbolic links and special files are refused, not followed: a theme from a pull
    request could otherwise publish /proc/self/environ or the CI checkout's .git/config.
    """
    found: dict[str, Path] = {}

    def walk(path: Path, key: str) -> None:
        if path.is_symlink() or (path.exists() and not (path.is_dir() or path.is_file())):
            raise ThemeError("a theme file must be a regular file or folder, not a "
                             "symbolic link or special file", str(path))
        if path.is_dir():
            for child in sorted(path.iterdir()):
                walk(child, f"{key}/{child.name}")
        elif path.is_file():
            found[key] = path

    for part in THEME_PARTS:
        walk(folder / part, part)
    return found


def read_static(path: Path) -> bytes:
    """A static file; an SVG must be inert (it is served from the site's origin)."""
    data = path.read_bytes()
    if path.suffix.lower() == ".svg":
        try:
            check_svg(data)
        except SvgProblem as exc:
            raise ThemeError(f"{exc}; a theme's SVG files may not contain scripts, event "
                             "handlers or external references", str(path), exc.line) from None
    return data


# A catalogue is some 10 KB of UI strings. Its strings reach pages as they are (a
# template can print `t.catalogue`'s entries), so they are bounded like content files.
MAX_CATALOGUE_BYTES = 1_000_000


def read_catalogue(path: Path) -> dict[str, Any]:
    """A translation file; its strings are format strings, so they are checked too."""
    try:
        if path.stat().st_size > MAX_CATALOGUE_BYTES:
            raise ThemeError(f"the translations file is larger than the limit of "
                             f"{MAX_CATALOGUE_BYTES:,} bytes", str(path),
                             hint="a catalogue holds the theme's UI strings, nothing more")
        data = load_yaml(path.read_text("utf-8"))
    except (YamlError, UnicodeDecodeError, OSError) as exc:
        line = exc.line if isinstance(exc, YamlError) else None
        raise ThemeError(f"cannot read the translations: {getattr(exc, 'message', exc)}",
                         str(path), line) from None
    if not isinstance(data, dict):
        return {}
    problem = _format_problem(data)
    if problem:
        raise ThemeError(problem, str(path), hint=CATALOGUE_HINT)
    return data


CATALOGUE_HINT = ("a translation keeps the kind and the placeholders of what it replaces "
                  "(docs/theming.md, \"Contributing a catalogue\")")


def _format_problem(node: Any, key: str = "") -> str:
    """Placeholders must be plain names ({count}); '{x.__class__}' or '{x:>99999}' would let
    a translation read Python objects or allocate without bound."""
    if isinstance(node, dict):
        return next((p for k, v in node.items() if (p := _format_problem(v, f"{key}{k}."))),
                    "")
    if isinstance(node, list):
        return next((p for v in node if (p := _format_problem(v, key))), "")
    try:
        fields = list(string.Formatter().parse(str(node)))
    except ValueError as exc:
        return f"'{key[:-1]}': {exc}"
    for _, name, spec, conversion in fields:
        if name is not None and not (PLACEHOLDER.fullmatch(name) and conversion is None and
                                     FORMAT_SPEC.fullmatch(spec or "")):
            written = name + ("!" + conversion if conversion else "") + (":" + spec if spec else "")
            return (f"'{key[:-1]}': placeholder '{{{written}}}' is not allowed; write a plain "
                    "name such as {count}")
    # Each placeholder copies its value: a format of 70,000 '{month}' with a long month
    # name would make gigabytes from one date. Real texts have a handful.
    if sum(1 for _, name, _, _ in fields if name is not None) > MAX_PLACEHOLDERS:
        return (f"'{key[:-1]}': more than {MAX_PLACEHOLDERS} placeholders; a text has a "
                "handful")
    return ""


MAX_PLACEHOLDERS = 20


def _fields(text: str) -> set[tuple[str, str, str | None]]:
    return {(name, spec or "", conversion) for _, name, spec, conversion
            in string.Formatter().parse(text) if name is not None}


def _merge(base: dict[str, Any], extra: dict[str, Any], where: str = "") -> str:
    """Overlay `extra` on `base`; a problem where an override does not fit what it
    replaces (a mapping for a text, a placeholder the pages do not give, a format code
    or conversion of its own): the pages would fail to render with it."""
    for key, value in extra.items():
        old = base.get(key)
        name = f"{where}{key}"
        if isinstance(value, dict) and isinstance(old, dict):
            problem = _merge(old, value, name + ".")
            if problem:
                return problem
            continue
        if old is not None and (isinstance(old, dict) != isinstance(value, dict)
                                or isinstance(old, list) != isinstance(value, list)
                                or (isinstance(old, str) and not isinstance(value, str))):
            return f"'{name}' must be {'a mapping' if isinstance(old, dict) else 'text'}, " \
                   "like the default theme's"
        given = _given(base, key, old, name) if isinstance(value, str) else None
        if given is not None and not _fields(value) <= given:
            allowed = ", ".join(sorted(f"{{{n}}}" for n, _, _ in given)) or "none"
            return f"'{name}' uses a placeholder the pages do not give it (allowed: {allowed})"
        base[key] = value
    return ""


def _given(base: dict[str, Any], key: str, old: Any,
           name: str) -> set[tuple[str, str, str | None]] | None:
    """The placeholders the pages give the text at `name`: those of the text it replaces,
    or for a text the mapping did not have yet (a plural form English lacks: Polish
    `few`), those of the texts beside it; all of a date or time layout's. None for a new
    key outside any mapping, which the pages never read."""
    if isinstance(old, str):
        fields = _fields(old)
    elif "." in name:
        fields = set().union(*(_fields(v) for k, v in base.items()
                               if k != key and isinstance(v, str)))
    else:
        return None
    return fields | {(n, "", None) for n in LAYOUT_PLACEHOLDERS.get(name, ())}
