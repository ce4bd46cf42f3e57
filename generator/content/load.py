"""Read a status page repo's content files and validate them into a `Content` model.

Every problem is collected (not just the first) with file, line, column and a hint, so
that `heliograph check` can show them all in one run. One mistake gives one message:
a typo in a key is reported as the typo, not also as the required key it hides, and a
components.yaml that cannot be read does not make every incident report unknown ids.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import stat
import unicodedata
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta, tzinfo
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.content.checks import component_check
from generator.content.fields import (
    BAD_CHAR_HINT,
    COMPONENT_FIELDS,
    COMPONENTS_FILE_FIELDS,
    GROUP_FIELDS,
    INCIDENT_FIELDS,
    MAX_URL_CHARS,
    NOWHERE,
    SITE_FIELDS,
    UPDATE_FIELDS,
    WINDOW_FIELDS,
    FileCheck,
    Where,
    kind_of,
    url_problem,
)
from generator.content.model import (
    COMPONENT_STATUSES,
    INCIDENT_STATUSES,
    MAINTENANCE_STATUSES,
    Component,
    Content,
    Group,
    Incident,
    Measured,
    Site,
    Update,
    Window,
    component_statuses_for,
    statuses_for,
)
from generator.content.timeutil import (
    Now,
    TimeError,
    dst_ambiguity,
    get_zone,
    resolve_now,
)
from generator.content.yamlsafe import Node, Seq, YamlError, load_yaml, source_text
from generator.errors import ContentError, Problem, suggest
from generator.probes.measured import load_measured
from generator.site.parallel import fork_map
from generator.theme.i18n import known_language
from generator.theme.markup import (
    BAD_CHAR_RE,
    MAX_BODY_CHARS,
    MAX_MESSAGE_CHARS,
    Markdown,
    RenderBudget,
    Unrenderable,
)
from generator.theme.themes import Theme, ThemeError, read_logo, resolve_theme

MAX_FILE_BYTES = 1_000_000  # an incident is text; anything bigger is a mistake or an attack
# Uptime bars cost memory, time and page weight per component and day shown (measured:
# 500 components x 365 days of outage need 270 MB and give a 190 MB site), so both are
# bounded: a hostile components.yaml or site.yaml cannot exhaust CI's memory.
MAX_COMPONENTS = 1_000
# An update up to this far after the build's "now" is an author's clock running ahead, not
# a mistake: accepted (check warns) and shown as happened (state.derive).
CLOCK_MINUTES = 5
CLOCK_SKEW = timedelta(minutes=CLOCK_MINUTES)
MAX_COMPONENT_DAYS = 100_000  # components x history_days
# Patterns are used with fullmatch: `$` would also match before a final newline.
ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")
LANGUAGE_RE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
# What `heliograph update` may write in an update, in the order it writes the keys.
UPDATE_KEYS = UPDATE_FIELDS.keys
# Each language is the whole site again (pages, feeds, calendars, badges): a bound, so a
# site.yaml cannot multiply a build without limit. Status pages publish a handful.
MAX_LANGUAGES = 12


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def folder_inside(folder: Path, root: Path) -> bool:
    """Whether `folder`, resolved, is inside the repo `root` (not a link that leaves it)."""
    return _inside(os.path.realpath(folder), os.path.realpath(root))


def _regular_file(path: Path, rel: str, root: Path | None,
                  in_checked_folder: bool = False) -> Problem | None:
    """Refuse links that leave the repo and anything that is not a plain file.

    The whole path is resolved, so a linked folder (`content/incidents` pointing elsewhere)
    is caught as well as a linked file. When the file's folder is known to be inside the
    repo (`folder_inside`, checked once for the whole folder), a file that is not itself
    a link is inside too: one lstat rather than resolving the path (50 µs a file)."""
    mode = None
    if in_checked_folder:
        try:
            info = os.lstat(path)
        except OSError as exc:
            return Problem(rel, None, None, f"cannot read the file: {exc.strerror}")
        if not stat.S_ISLNK(info.st_mode):
            mode = info.st_mode
    if mode is None:
        if root is not None and not _inside(os.path.realpath(path), os.path.realpath(root)):
            if path.is_symlink():
                return Problem(rel, None, None, "the file is a link to something outside "
                               "the repository", "replace the link with the file itself")
            return Problem(rel, None, None, "the file is in a linked folder that leads "
                           "outside the repository", "replace the linked folder with a real one")
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            return Problem(rel, None, None, f"cannot read the file: {exc.strerror}")
    if not stat.S_ISREG(mode):
        return Problem(rel, None, None, "this is not a regular file",
                       "content files are plain text files")
    return None


def read_text(path: Path, rel: str, root: Path | None = None,
              in_checked_folder: bool = False) -> tuple[str | None, list[Problem]]:
    """Read a UTF-8 file with a size limit; problems instead of exceptions."""
    refused = _regular_file(path, rel, root, in_checked_folder)
    if refused is not None:
        return None, [refused]
    try:
        with path.open("rb") as handle:
            # Never more than the limit, even if the file grows, and no buffer of the
            # limit's size for every small file.
            size = os.fstat(handle.fileno()).st_size
            raw = handle.read(min(size, MAX_FILE_BYTES) + 1)
            if len(raw) > size:  # it grew since
                raw += handle.read(MAX_FILE_BYTES + 1 - len(raw))
    except OSError as exc:
        return None, [Problem(rel, None, None, f"cannot read the file: {exc.strerror}")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(rel, None, None,
                              f"the file is larger than the limit of {MAX_FILE_BYTES:,} bytes",
                              "keep content files to text; link to large material instead")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = len(raw[raw.rfind(b"\n", 0, exc.start) + 1: exc.start].decode(
            "utf-8", "replace")) + 1
        return None, [Problem(rel, line, column, "the file is not valid UTF-8 "
                              f"(byte 0x{raw[exc.start]:02x})",
                              "save the file with UTF-8 encoding")]
    return clean_text(text, rel)


def clean_text(text: str, rel: str) -> tuple[str | None, list[Problem]]:
    """Text as the loader reads it: no BOM, '\\n' line ends, no characters XML forbids."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    bad = BAD_CHAR_RE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        return None, [Problem(rel, line, column, "the file contains the character "
                              f"U+{ord(bad.group()):04X}, which text may not contain",
                              BAD_CHAR_HINT)]
    return text, []


_FAILED = object()  # YAML that could not be loaded (the problem is already recorded)


def _yaml_file(check: FileCheck, text: str, line_offset: int = 0) -> Any:
    try:
        return load_yaml(text, line_offset)
    except YamlError as exc:
        check.error((exc.line, exc.column), exc.message, exc.hint)
        return _FAILED


def _mapping(check: FileCheck, data: Any, what: str, hint: str, line: int = 1) -> Node | None:
    if isinstance(data, Node):
        return data
    if data is _FAILED:
        return None
    if data is None:
        check.error((line, None), f"{what} is empty", hint)
    else:
        check.error((getattr(data, "line", line), None),
                    f"{what} must be a mapping of keys to values, not {kind_of(data)}",
                    "write 'key: value' lines, for example 'title: ...'")
    return None


# --- site.yaml ---------------------------------------------------------------------------

def _baseurl_problem(url: str) -> str:
    if problem := url_problem(url):
        return problem
    parts = urlsplit(url)
    if parts.query or parts.fragment or "?" in url or "#" in url:
        return "has a query or fragment (?... or #...)"
    return ""


def _read_site(source: Path, base_url: str | None, check: FileCheck,
               components: int = 0) -> Site | None:
    """site.yaml as a Site, with safe stand-ins for invalid values (problems recorded)."""
    rel = check.path
    path = source / rel
    if not path.exists() and not path.is_symlink():
        check.error(NOWHERE, "the site settings file is missing",
                    f"create {rel} with at least 'title:' (or run 'heliograph init')")
        return None
    text, problems = read_text(path, rel, source)
    check.problems += problems
    if text is None:
        return None
    node = _mapping(check, _yaml_file(check, text), "site.yaml",
                    "add at least 'title: My Status' and 'base_url: https://...'")
    if node is None:
        return None
    check.allowed(node, SITE_FIELDS, "site.yaml")
    value = check.fields(node, SITE_FIELDS, "site.yaml")
    url = _site_url(check, node, base_url)
    tz_name = value["timezone"]
    try:
        zone = get_zone(tz_name)
    except TimeError as exc:
        hint = suggest(tz_name, _zone_names()) or \
            "use an IANA name such as UTC, Europe/Berlin or America/New_York"
        check.error(node.where_value("timezone"), str(exc), hint)
        tz_name, zone = "UTC", get_zone("UTC")
    languages = _languages(check, node)
    theme, logo = value["theme"], value["logo"]
    if not _check_theme(check, node, source, theme, languages, logo):
        languages = languages[:1]  # the problems are reported; the build stops anyway
    language, translations = languages[0][0], tuple(code for code, _ in languages[1:])
    history_days = value["history_days"]
    if components * history_days > MAX_COMPONENT_DAYS:
        most = MAX_COMPONENT_DAYS // components
        check.error(node.where_value("history_days"), f"history_days {history_days} is too "
                    f"many for {components:,} components",
                    f"use at most {most}: the uptime bars may cover {MAX_COMPONENT_DAYS:,} "
                    "component-days in all (docs/guarantees.md)")
        history_days = most
    return Site(
        title=value["title"],
        base_url=url,
        timezone=tz_name,
        zone=zone,
        language=language,
        translations=translations,
        description=value["description"],
        theme=value["theme"],
        history_days=history_days,
        feed_entries=value["feed_entries"],
        history_page_size=value["history_page_size"],
        brand_color=value["brand_color"],
        logo=value["logo"],
        email_signup_url=_signup_url(check, node),
    )


MAILTO_RE = re.compile(r"mailto:[^@\s<>\"]+@[^@\s<>\"?]+(?:\?[^\s<>\"]*)?")


def _signup_url(check: FileCheck, node: Node) -> str:
    """`email_signup_url:` where the subscribe page sends visitors to get email: an
    absolute http(s) URL (a sign-up form) or a mailto: address."""
    url = check.text(node, "email_signup_url", "site.yaml")
    if not url or MAILTO_RE.fullmatch(url):
        return url
    problem = url_problem(url)
    if not problem and len(url) > MAX_URL_CHARS:
        problem = f"is longer than {MAX_URL_CHARS:,} characters"
    if problem:
        check.error(node.where_value("email_signup_url"), f"email_signup_url '{url[:200]}' "
                    f"{problem}", "give the full address of the sign-up form "
                    "(https://...) or mailto:status-subscribe@example.com")
        return ""
    return url


def _languages(check: FileCheck, node: Node) -> list[tuple[str, Where]]:
    """The languages to publish, the root's first, each with where site.yaml names it:
    `languages: [en, de]`, or `language: de` alone. Given both, `language` must be the
    first of `languages` (the one at the root), so the two never disagree."""
    single = check.text(node, "language", "site.yaml")
    fallback: list[tuple[str, Where]] = [(single or "en", node.where_value("language"))]
    if "languages" not in node:
        return fallback
    value = node["languages"]
    hint = "write it like 'languages: [en, de]'; the first is published at the root"
    if not isinstance(value, Seq) or not value:
        check.error(node.where_value("languages"), "'languages' must be a list of language "
                    f"codes, not {'an empty list' if isinstance(value, Seq) else kind_of(value)}",
                    hint)
        return fallback
    if len(value) > MAX_LANGUAGES:
        check.error(value.where(MAX_LANGUAGES), f"'languages' lists {len(value)} languages; "
                    f"at most {MAX_LANGUAGES} are published", "each language is the whole "
                    "site again; keep the ones your visitors read")
    found: list[tuple[str, Where]] = []
    for index, item in enumerate(value[:MAX_LANGUAGES]):
        code, where = source_text(item), value.where(index)
        if code is None:
            check.error(where, f"each of 'languages' must be a language code, not "
                        f"{kind_of(item)}", "quote it: \"no\"" if isinstance(item, bool)
                        else hint)
            continue
        code = code.strip()
        # Folders differ by more than case: pt-BR and pt-br would be one on macOS.
        twice = next((c for c, _ in found if c.lower() == code.lower()), None)
        if twice is not None:
            check.error(where, f"language '{code}' is listed twice in 'languages'"
                        + (f" (as '{twice}')" if twice != code else ""),
                        "list each language once")
            continue
        found.append((code, where))
    if not found:
        return fallback
    if single and single != found[0][0]:
        check.error(node.where_value("language"), f"language '{single}' is not the first of "
                    f"'languages' ({', '.join(c for c, _ in found)})",
                    "the first of 'languages' is published at the root: remove 'language', "
                    "or list it first")
    return found


def _check_theme(check: FileCheck, node: Node, source: Path, theme: str,
                 languages: list[tuple[str, Where]], logo: str) -> bool:
    """The theme, its languages and the logo must exist: `check` must catch what `build`
    would fail on. False when a language cannot be published."""
    usable = True
    for language, where in languages:
        if not LANGUAGE_RE.fullmatch(language):
            check.error(where, f"language '{language}' is not a language code",
                        "use a code such as en or de")
            usable = False
        elif not known_language(language):
            check.error(where, f"language '{language}' has no locale data (dates, plurals) "
                        "in the Unicode CLDR", "use a code such as en, de, fr, pt-BR, ja or "
                        "ar (docs/theming.md)")
            usable = False
    if not usable:
        return False
    try:
        found = Theme(tuple(resolve_theme(source, theme)))
        known = found.languages
        # The files a build would read, checked the way the build checks them.
        found.static  # noqa: B018
        for language, _ in languages:
            found.catalogue(language)
    except ThemeError as exc:
        if exc.file:
            check.problems.append(Problem(_relative(source, exc.file), exc.line, None,
                                          exc.message,
                                          exc.hint or "theme files must be real files in the "
                                          "repository; SVG files and translations plain "
                                          "(docs/theming.md)"))
        else:
            check.error(node.where_value("theme"), str(exc),
                        "use 'default', the name of a folder in themes/, or an installed theme")
        return True
    for language, where in languages:
        if language not in known and language.split("-")[0] not in known:
            check.error(where, f"the theme has no translation for language '{language}'",
                        suggest(language, known) or
                        f"use one of: {', '.join(sorted(known))}, or add "
                        f"themes/default/i18n/{language}.yaml (docs/theming.md)")
            usable = False
    if logo:
        try:
            read_logo(source, logo)
        except ThemeError as exc:
            hint = "give the path of an image in the repo, e.g. logo: assets/logo.svg"
            if exc.file:
                check.problems.append(Problem(exc.file, exc.line, None, exc.message, hint))
            else:
                check.error(node.where_value("logo"), str(exc), hint)
    return usable


def _relative(source: Path, file: str) -> str:
    """A theme file's path as problems name files: from the site folder when inside it."""
    path = Path(file)
    return path.relative_to(source).as_posix() if path.is_relative_to(source) else file


def _site_url(check: FileCheck, node: Node, override: str | None) -> str:
    url = override if override is not None else check.text(node, "base_url", "site.yaml")
    url = url or "http://localhost/"
    problem = _baseurl_problem(url)
    if problem:
        hint = "write it like https://status.example.com/ (a folder URL may follow the host)"
        if override is not None:
            check.problems.append(Problem("--base-url", None, None,
                                          f"base_url '{url}' {problem}", hint))
        else:
            check.error(node.where_value("base_url"), f"base_url '{url}' {problem}", hint)
    return url if url.endswith("/") else url + "/"


def _zone_names() -> list[str]:
    from zoneinfo import available_timezones

    return sorted(n for n in available_timezones() if _valid_zone(n))


def _valid_zone(name: str) -> bool:
    try:
        get_zone(name)
    except TimeError:
        return False
    return True


def not_a_repo(source: Path) -> list[Problem]:
    """One clear problem instead of two missing files when `source` has neither settings
    file: most likely the command ran in the wrong folder, or before `heliograph init`."""
    if any((source / "content" / name).exists() or (source / "content" / name).is_symlink()
           for name in ("site.yaml", "components.yaml")):
        return []
    init = "heliograph init" + ("" if source == Path() else f" {shlex.quote(str(source))}")
    return [Problem("content/", None, None, f"no status page here: {source} has no "
                    "content/site.yaml or content/components.yaml",
                    f"run '{init}' to create one, or pass --source with the folder of your "
                    "status page repo")]


def load_site(source: Path, base_url: str | None = None) -> tuple[Site | None, list[Problem]]:
    """site.yaml as a Site, or None when anything in it is wrong."""
    check = FileCheck("content/site.yaml")
    site = _read_site(source, base_url, check)
    return (site if check.ok() else None), check.problems


# --- components.yaml ---------------------------------------------------------------------

_SYLLABLES = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HANGUL SYLLABLE")


def slugify(text: str, fallback: str, limit: int = 0) -> str:
    """Lowercase ASCII words joined by '-' (cut at a word boundary past `limit`): the
    form of ids and file names, and of the fixes the error hints suggest.

    Other scripts are transliterated (anyascii: Cyrillic, Greek, Arabic, kana...); each
    Chinese character and Hangul syllable is a word, and so is each run of one script
    ("APIの" is "api-no"); symbols and emoji separate words.
    """
    from anyascii import anyascii  # imported here: it costs ~0.1 s, and only `new` needs it

    parts, previous = [], ""
    for char in unicodedata.normalize("NFC", text):
        name = unicodedata.name(char, "")
        if char.isascii() or name.startswith("LATIN"):
            script = "latin"
        elif unicodedata.category(char)[0] in "LMN":  # letters, marks, digits
            script = "other"
        else:
            parts.append(" ")
            continue
        alone = name.startswith(_SYLLABLES)
        if alone or script != previous:
            parts.append(" ")
        parts.append(char if char.isascii() else anyascii(char))
        if alone:
            parts.append(" ")
        previous = script
    slug = re.sub(r"[^a-z0-9]+", "-", "".join(parts).lower()).strip("-")
    if limit and len(slug) > limit:
        slug = slug[:limit + 1].rsplit("-", 1)[0] or slug[:limit]
    return slug or fallback


class _Components:
    """Validates components.yaml; ids are shared by groups and components (they are URLs)."""

    def __init__(self, check: FileCheck):
        self.check = check
        self.seen: dict[str, int | None] = {}
        self.position = 0

    def claim_id(self, item: Node, what: str) -> str | None:
        check = self.check
        if "id" not in item:
            check.missing(item, "id", f"{what} has no 'id'", "add 'id: short-name' ([a-z0-9-])")
            return None
        value = item["id"]
        text = source_text(value)
        if text is None:
            shown = str(value).lower() if isinstance(value, bool) else ""
            hint = f"quote it: id: \"{shown}\"" if shown else "add 'id: short-name' ([a-z0-9-])"
            check.error(item.where_value("id"), f"{what} id must be text, not {kind_of(value)}",
                        hint)
            return None
        if not ID_RE.fullmatch(text):
            check.error(item.where_value("id"), f"{what} id '{text}' is not a valid id",
                        "ids become URLs: use lowercase letters, digits and single '-' "
                        f"(for example '{slugify(text, 'name')}')")
            return None
        if text in self.seen:
            check.error(item.where_value("id"), f"duplicate id '{text}' (first used on line "
                        f"{self.seen[text]})", "every group and component needs its own id")
            return None
        self.seen[text] = item.where("id")[0]
        return text

    def items(self, parent: Node, key: str, what: str) -> list[Node]:
        value = parent.get(key)
        if value is None:
            return []
        if not isinstance(value, Seq):
            self.check.error(parent.where_value(key), f"'{key}' must be a list, not "
                             f"{kind_of(value)}", f"write each {what} as a '- id: ...' item")
            return []
        result = []
        for index, item in enumerate(value):
            if isinstance(item, Node):
                result.append(item)
            else:
                self.check.error(value.where(index), f"each {what} must be a mapping, not "
                                 f"{kind_of(item)}", "write '- id: ...' followed by 'name: ...'")
        return result

    def component(self, item: Node, group_id: str | None) -> Component | None:
        check = self.check
        check.allowed(item, COMPONENT_FIELDS, "a component")
        cid = self.claim_id(item, "component")
        label = f"component '{cid}'" if cid else "a component"
        # Without a valid id there is no component to describe: its description waits.
        value = check.fields(item, COMPONENT_FIELDS, label, skip=() if cid else ("description",))
        probe = component_check(check, item, label)
        if cid is None:
            return None
        self.position += 1
        if self.position == MAX_COMPONENTS + 1:
            check.error(item.where("id"), f"more than {MAX_COMPONENTS:,} components",
                        "a status page shows what customers use: list the parts they know, "
                        "and fold finer ones into them (docs/guarantees.md)")
        return Component(cid, value["name"], value["description"], group_id, self.position,
                         value["status"], value["status_note"], item.line, value["hidden"],
                         value["sla"], probe)

    def group(self, item: Node, index: int) -> Group | None:
        check = self.check
        check.allowed(item, GROUP_FIELDS, "a group")
        gid = self.claim_id(item, "group")
        label = f"group '{gid}'" if gid else "a group"
        value = check.fields(item, GROUP_FIELDS, label, skip=() if gid else ("description",))
        if "components" not in item:
            check.missing(item, "components", f"{label} has no 'components'",
                          "list its components under 'components:'")
        members = [c for c in (self.component(ci, gid) for ci in
                               self.items(item, "components", "component")) if c]
        if gid is None:
            return None
        return Group(gid, value["name"], value["description"], index, tuple(members),
                     item.line)


def load_components(source: Path) -> tuple[tuple[Group, ...], tuple[Component, ...], list[Problem]]:
    rel = "content/components.yaml"
    check = FileCheck(rel)
    path = source / rel
    if not path.exists() and not path.is_symlink():
        check.error(NOWHERE, "the components file is missing",
                    f"create {rel} with 'groups:' and/or 'components:'")
        return (), (), check.problems
    text, problems = read_text(path, rel, source)
    if text is None:
        return (), (), problems
    data = _yaml_file(check, text)
    if data is None:
        return (), (), check.problems  # an empty file: a page with no components
    node = _mapping(check, data, "components.yaml", "")
    if node is None:
        return (), (), check.problems
    check.allowed(node, COMPONENTS_FILE_FIELDS, "components.yaml")
    reader = _Components(check)
    groups = [g for index, item in enumerate(reader.items(node, "groups", "group"), start=1)
              if (g := reader.group(item, index)) is not None]
    ungrouped = [c for item in reader.items(node, "components", "component")
                 if (c := reader.component(item, None)) is not None]
    return tuple(groups), tuple(ungrouped), check.problems


# --- incidents/*.md ----------------------------------------------------------------------

def front_matter_end(lines: list[str]) -> int | None:
    """Index of the line that closes the front matter ('---' or '...'), if any."""
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return index
    return None


def split_front_matter(check: FileCheck, text: str) -> tuple[str, str] | None:
    """Return (front matter, body) or None with a problem recorded."""
    if not text.strip():
        check.error((1, None), "the file is empty",
                    "start with '---', the front matter (title, updates), then '---'")
        return None
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        check.error((1, 1), "the file does not start with '---'",
                    "put the YAML front matter between two '---' lines at the top")
        return None
    end = front_matter_end(lines)
    if end is None:
        check.error((1, 1), "the front matter that starts here has no closing '---'",
                    "add a line with just '---' after the front matter")
        return None
    return "\n".join(lines[1:end]), "\n".join(lines[end + 1:])


def _slug_problem(check: FileCheck, name: str) -> None:
    slug = name.removesuffix(".md")
    if not SLUG_RE.fullmatch(slug):
        fixed = slugify(slug, "incident")
        check.error(NOWHERE, f"the file name '{name}' is not a safe URL slug",
                    f"rename it to '{fixed}.md' (lowercase letters, digits, '-' and '_')")


def load_incident(path: Path, rel: str, site: Site, component_ids: set[str] | None,
                  now: datetime, root: Path | None = None,
                  md: Markdown | None = None,
                  in_checked_folder: bool = False) -> tuple[Incident | None, list[Problem]]:
    """One incident file; `component_ids` None means components.yaml could not be read."""
    text, problems = read_text(path, rel, root, in_checked_folder)
    if text is None:
        check = FileCheck(rel)
        _slug_problem(check, path.name)
        return None, check.problems + problems
    return parse_incident(path.name, rel, text, site, component_ids, now, md)


def parse_incident(name: str, rel: str, text: str, site: Site, component_ids: set[str] | None,
                   now: datetime, md: Markdown | None = None) -> tuple[Incident | None,
                                                                       list[Problem]]:
    """The text of content/incidents/<name> (as `clean_text` gives it), validated.

    Its Markdown (messages and body) is rendered with `md` (a new one by default) within
    a time budget, so that what the loader accepts, every output can render; `md` keeps
    the HTML for the outputs.
    """
    check = FileCheck(rel)
    _slug_problem(check, name)
    parts = split_front_matter(check, text)
    if parts is None:
        return None, check.problems
    front, body = parts
    node = _mapping(check, _yaml_file(check, front, line_offset=1), "the front matter",
                    "add 'title:' and 'updates:' between the '---' lines", line=2)
    if node is None:
        return None, check.problems
    check.allowed(node, INCIDENT_FIELDS, "the front matter")
    value = check.fields(node, INCIDENT_FIELDS, "the incident")
    kind, impact, backfilled = value["type"], value["impact"], value["backfilled"]
    if impact == "maintenance" and kind != "maintenance":
        check.error(node.where_value("impact"), "impact 'maintenance' is only for type "
                    "maintenance", "use none, minor, major or critical")
    if kind == "notice" and impact not in (None, "none"):
        check.error(node.where_value("impact"), "a notice has impact 'none'",
                    "remove 'impact', or make it an incident")
    components = _component_statuses(check, node, kind, component_ids, "the front matter")
    window = _window(check, node, kind, site)
    render = partial(_render_check, check, RenderBudget(), md or Markdown())
    updates = _updates(check, node, kind, site, now, component_ids, render)
    until = _until(check, node, kind, site, updates)
    if backfilled and window is not None and updates and window.end > updates[0].at:
        check.error(node.where_value("backfilled"), "a retrospective (backfilled) maintenance "
                    f"is declared after its window, but this window ends {_utc(window.end)}, "
                    f"after the first update ({_utc(updates[0].at)})",
                    "remove 'backfilled' for a maintenance announced ahead")
    # The body starts on the line after the closing '---'; blank lines before it don't count.
    body_line = len(front.split("\n")) + 3 + len(body) - len(body.lstrip("\n"))
    render((body_line, None), body.strip("\n"), MAX_BODY_CHARS,
           "the body (the Markdown below the front matter)")
    if not check.ok():
        return None, check.problems
    return Incident(name[:-3], rel, kind, value["title"], impact, backfilled, components,
                    updates, window, body.strip("\n"), until,
                    value["postmortem_url"], value["automated"]), check.problems


def _until(check: FileCheck, node: Node, kind: str, site: Site,
           updates: tuple[Update, ...]) -> datetime | None:
    """A notice's `until`: when it closes by the clock (it may lie ahead)."""
    if "until" not in node:
        return None
    if kind != "notice":
        check.error(node.where("until"), f"only a notice has 'until', not {_article(kind)}",
                    "add 'type: notice', or remove 'until'" if kind == "incident" else
                    "a maintenance ends with its window; remove 'until'")
        return None
    until = check.timestamp(node, "until", site.zone, "the notice")
    if until is not None and updates and until <= updates[0].at:
        check.error(node.where_value("until"), f"the notice ends ({_utc(until)}) before "
                    f"it starts: 'until' must be later than its first update "
                    f"({_utc(updates[0].at)})", "write the time the announcement stops "
                    "being current, or remove 'until'")
        return None
    for update in updates:
        if until is not None and update.at > until and update.status != "postmortem":
            check.error((update.line, None), f"this update ({_utc(update.at)}) comes "
                        f"after the notice ended ('until': {_utc(until)})",
                        "move 'until' later, or declare a new notice")
    return until


def _update_components(check: FileCheck, item: Node, kind: str, status: str | None,
                       closed: bool, known: set[str] | None,
                       what: str) -> tuple[tuple[str, str], ...]:
    """An update's `components:`, the statuses it sets from then on. Once an incident is
    resolved every component is operational for good, so statuses there would be ignored."""
    if kind != "maintenance" and "components" in item and kind != "notice" \
            and (closed or status == "resolved"):
        check.error(item.where("components"), f"{what} sets component statuses after the "
                    "incident was resolved", "'resolved' returns every component to "
                    "operational; remove 'components' here")
        return ()
    return _component_statuses(check, item, kind, known, what)


def _component_statuses(check: FileCheck, node: Node, kind: str, known: set[str] | None,
                        what: str) -> tuple[tuple[str, str], ...]:
    """A `components:` mapping (of the front matter or of an update) as (id, status) pairs;
    `known` None means components.yaml could not be read (its problems are reported)."""
    value = node.get("components")
    if value is None:
        return ()
    if kind == "notice":
        check.error(node.where("components"), "a notice affects no components",
                    "remove 'components', or make it an incident (type: incident)")
        return ()
    if not isinstance(value, Node):
        check.error(node.where_value("components"), f"'components' of {what} must map "
                    f"component ids to statuses, not be {kind_of(value)}",
                    "write for example 'components: {api: partial_outage}'")
        return ()
    allowed = component_statuses_for(kind)
    result = []
    for key, status_value in value.items():
        where = value.where(key)
        cid = source_text(key)
        if cid is None:
            check.error(where, f"a component id must be text, not {kind_of(key)}",
                        f"quote it: \"{str(key).lower()}\": ...")
            continue
        if known is not None and cid not in known:
            hint = suggest(cid, known) or (f"known ids: {', '.join(sorted(known))}"
                                           if known else "add it to components.yaml first")
            check.error(where, f"unknown component id '{cid}'", hint)
            continue
        status = source_text(status_value)
        if status not in allowed:
            shown = status if status is not None else kind_of(status_value)
            if status in COMPONENT_STATUSES:
                message = f"component status '{status}' is not for {_article(kind)}"
                hint = (f"'{status}' is for maintenance; {_article(kind)} uses: "
                        f"{', '.join(allowed)}")
            else:
                message = f"unknown component status '{shown}' for '{cid}'"
                hint = suggest(str(shown), allowed) or f"use one of: {', '.join(allowed)}"
            check.error(value.where_value(key), message, hint)
            continue
        result.append((cid, status))
    return tuple(result)


def _window(check: FileCheck, node: Node, kind: str, site: Site) -> Window | None:
    value = node.get("window")
    if kind != "maintenance":
        if "window" in node:
            check.error(node.where("window"),
                        f"only a maintenance has a window, not {_article(kind)}",
                        "add 'type: maintenance', or remove 'window'")
        return None
    if value is None:
        check.missing(node, "window", "a maintenance needs a 'window'",
                      "add 'window: {start: 2026-06-01T02:00:00Z, end: 2026-06-01T04:00:00Z}'")
        return None
    if not isinstance(value, Node):
        check.error(node.where_value("window"), "'window' must have 'start' and 'end'",
                    "write 'window: {start: ..., end: ...}'")
        return None
    check.allowed(value, WINDOW_FIELDS, "the window")
    times = check.fields(value, WINDOW_FIELDS, "the window", site.zone)
    start, end = times["start"], times["end"]
    if start is None or end is None:
        return None
    if end <= start:
        check.error(value.where_value("end"), "the window ends before it starts"
                    if end < start else "the window ends when it starts",
                    "'end' must be later than 'start'")
        return None
    return Window(start, end)


def _article(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _utc(value: datetime) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC"


def _order_hint(item: Node, zone: tzinfo) -> str:
    hint = "list updates oldest first, in time order"
    raw = source_text(item.get("at"))
    if raw and dst_ambiguity(raw, zone) == "overlap":
        hint += ("; this local time happens twice when clocks go back and is read as the "
                 "first one: add the offset (for example +01:00) to mean the second")
    return hint


def _update_status(check: FileCheck, item: Node, kind: str, what: str) -> str | None:
    statuses = statuses_for(kind)
    if "status" not in item:
        check.missing(item, "status", f"{what} has no 'status'",
                      f"add 'status: ...', one of: {', '.join(statuses)}")
        return None
    status = source_text(item["status"])
    if status in statuses:
        return status
    shown = status if status is not None else kind_of(item["status"])
    other = INCIDENT_STATUSES if kind == "maintenance" else MAINTENANCE_STATUSES
    hint = suggest(str(shown), statuses) or f"use one of: {', '.join(statuses)}"
    if status in other:
        owner = "incidents and notices" if kind == "maintenance" else "maintenance"
        hint = f"'{status}' is for {owner}; {_article(kind)} uses: {', '.join(statuses)}"
    check.error(item.where_value("status"), f"unknown {kind} status '{shown}'", hint)
    return None


def _render_check(check: FileCheck, budget: RenderBudget, md: Markdown, where: Where,
                  text: str, limit: int, what: str) -> None:
    """Refuse Markdown that is too long or that cannot be rendered within the limits."""
    if not text:
        return
    if len(text) > limit:
        check.error(where, f"{what} is {len(text):,} characters long, more than the limit of "
                    f"{limit:,}", "shorten it; link to long material instead")
        return
    try:
        md.prerender(text, budget)
    except Unrenderable as exc:
        check.error(where, f"{what}: {exc.message}", exc.hint)


def _updates(check: FileCheck, node: Node, kind: str, site: Site, now: datetime,
             known: set[str] | None,
             render: Callable[[Where, str, int, str], None]) -> tuple[Update, ...]:
    value = node.get("updates")
    if not isinstance(value, Seq) or not value:
        first = statuses_for(kind)[0]
        hint = f"add 'updates:' with '- at: ...', 'status: {first}', 'message: ...'"
        if "updates" in node:
            check.error(node.where_value("updates"),
                        "'updates' must be a list with at least one update", hint)
        else:
            check.missing(node, "updates", f"the {kind} has no 'updates'", hint)
        return ()
    result: list[Update] = []
    previous: tuple[datetime, str] | None = None  # the last readable time, valid or not
    resolved_line: int | None = None
    for index, item in enumerate(value):
        what = f"update {index + 1}"
        if not isinstance(item, Node):
            check.error(value.where(index), f"{what} must be a mapping with at, status and "
                        f"message, not {kind_of(item)}",
                        "write '- at: ...' then 'status: ...' and 'message: ...' below it")
            continue
        check.allowed(item, UPDATE_FIELDS, what)
        fields = check.fields(item, UPDATE_FIELDS, what, site.zone)
        at, message = fields["at"], fields["message"]
        status = _update_status(check, item, kind, what)
        if message:
            render(item.where_value("message"), message, MAX_MESSAGE_CHARS,
                   f"the message of {what}")
        components = _update_components(check, item, kind, status, resolved_line is not None,
                                        known, what)
        if at is not None:
            if at > now + CLOCK_SKEW:
                check.error(item.where_value("at"), f"{what} is in the future ({_utc(at)}, the "
                            f"build's now is {_utc(now)})",
                            "updates record what already happened (a clock up to "
                            f"{CLOCK_MINUTES} minutes ahead is tolerated); only a maintenance "
                            "window may be in the future (times without an offset are in "
                            f"{site.timezone})")
            if previous is not None and at < previous[0]:
                check.error(item.where_value("at"), f"{what} ({_utc(at)}) is earlier than "
                            f"{previous[1]} above it ({_utc(previous[0])})",
                            _order_hint(item, site.zone))
            previous = (at, what)
        if status is not None and kind != "maintenance":
            if resolved_line is not None and status != "postmortem":
                check.error(item.where_value("status"), f"{what} ('{status}') comes after the "
                            f"incident was resolved (line {resolved_line})",
                            "after 'resolved' only a 'postmortem' update may follow; to reopen, "
                            "declare a new incident")
            if status == "resolved" and resolved_line is None:
                resolved_line = item.where("status")[0]
            if status == "postmortem" and resolved_line is None:
                check.error(item.where_value("status"), f"{what} is a postmortem before the "
                            "incident was resolved", "add a 'resolved' update before it")
        if at is not None and status is not None and message:
            result.append(Update(at, status, message, item.line, components=components))
    return tuple(result)


# --- the whole repo ----------------------------------------------------------------------

def incident_files(source: Path) -> list[Path]:
    folder = source / "content" / "incidents"
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.name.endswith(".md")
                   and not p.name.startswith(".")), key=lambda p: p.name)


def stray_files(source: Path) -> list[Problem]:
    """Files in content/incidents that would otherwise be skipped without a word."""
    folder = source / "content" / "incidents"
    if not folder.is_dir():
        return []
    problems = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.startswith(".") or path.name.endswith(".md"):
            continue
        rel = f"content/incidents/{path.name}"
        stem = path.name.rsplit(".", 1)[0] if path.is_file() else path.name
        problems.append(Problem(rel, None, None, "only .md files belong in content/incidents; "
                                "this one would be ignored",
                                f"rename it to '{stem.lower()}.md', or move it out of "
                                "content/incidents"))
    return problems


def _resolve_now(now: Now, zone: tzinfo) -> datetime:
    try:
        return resolve_now(now, zone)
    except TimeError as exc:
        hint = "give --now as ISO 8601, e.g. 2026-05-11T14:02:00Z"
        raise ContentError([Problem("--now", None, None, str(exc), hint)]) from None


def load_content(source: Path, now: Now, base_url: str | None = None, jobs: int = 1,
                 cache: LoadCache | None = None, md: Markdown | None = None,
                 meanwhile: Callable[[Site], None] | None = None) -> Content:
    """Load and validate everything; raise ContentError listing every error found.

    A naive `now` (string) is read in the site's time zone, like naive content times.
    Incident files are parsed in `jobs` worker processes when there are many, and looked
    up in `cache` (the dev server's) when given. `md` receives the HTML of the Markdown
    the loader rendered to validate it, so that the outputs need not render it again.
    `meanwhile(site)` runs in this process while other processes parse incident files
    (a build prepares its rendering then), when site.yaml is valid.
    """
    if missing := not_a_repo(source):
        raise ContentError(missing)
    groups, ungrouped, known, site, problems, component_problems = _settings(source, base_url)
    pinned = _resolve_now(now, site.zone if site is not None else UTC)
    incidents: list[Incident] = []
    # Without readable settings the incidents are still checked, with times in UTC, so
    # that one run reports every error of every file.
    checked_with = site if site is not None else STAND_IN_SITE
    problems += stray_files(source)
    then = None if site is None or meanwhile is None else partial(meanwhile, site)
    for incident, found in _load_incidents(source, checked_with, None if component_problems
                                           else known, pinned, jobs, cache, md, then):
        problems += found
        if incident is not None:
            incidents.append(incident)
    measured: dict[str, Measured] = {}
    if site is not None:
        measured, found = load_measured(source, sorted(known), site, pinned)
        problems += found
    if problems or site is None:
        raise ContentError(problems)
    return Content(site, groups, ungrouped, _in_order(incidents), tuple(measured.items()))


def _settings(source: Path, base_url: str | None) -> tuple[
        tuple[Group, ...], tuple[Component, ...], set[str], Site | None, list[Problem],
        list[Problem]]:
    """components.yaml and site.yaml: the groups, ungrouped components, component ids,
    site, both files' problems, and the components' problems alone."""
    groups, ungrouped, component_problems = load_components(source)
    known = {c.id for g in groups for c in g.components} | {c.id for c in ungrouped}
    site_check = FileCheck("content/site.yaml")
    site = _read_site(source, base_url, site_check, min(len(known), MAX_COMPONENTS))
    return (groups, ungrouped, known, site, site_check.problems + component_problems,
            component_problems)


def _in_order(incidents: list[Incident]) -> tuple[Incident, ...]:
    """Newest first by sort_time, then by slug (Content.incidents)."""
    incidents.sort(key=lambda i: i.slug, reverse=True)
    incidents.sort(key=lambda i: i.sort_time, reverse=True)
    return tuple(incidents)


Loaded = tuple[Incident | None, list[Problem]]
STAND_IN_SITE = Site(title="", base_url="http://localhost/", timezone="UTC", zone=get_zone("UTC"))
PARALLEL_FROM = 200  # files; below this, forking workers costs more than it saves


class LoadCache:
    """Valid incidents by file, for rebuilds: a file is parsed again only when it changed.

    The key is the file's identity and the context its validation used (the site settings
    and the known component ids). Only files without problems are kept: "now" only moves
    forward, so a file that was valid stays valid, while a problem may have gone away.
    """

    def __init__(self) -> None:
        self._entries: dict[Path, tuple[object, Incident]] = {}

    @staticmethod
    def key(path: Path, context: object) -> object:
        info = path.stat()
        return (info.st_mtime_ns, info.st_size, info.st_ino, context)

    def get(self, path: Path, key: object) -> Incident | None:
        entry = self._entries.get(path)
        return entry[1] if entry is not None and entry[0] == key else None

    def put(self, path: Path, key: object, incident: Incident) -> None:
        self._entries[path] = (key, incident)


def _load_incidents(source: Path, site: Site, known: set[str] | None, now: datetime,
                    jobs: int, cache: LoadCache | None, md: Markdown | None,
                    meanwhile: Callable[[], None] | None = None) -> list[Loaded]:
    paths = incident_files(source)
    context = (site, frozenset(known) if known is not None else None)
    keys: dict[Path, object] = {}
    results: dict[Path, Loaded] = {}
    if cache is not None:
        for path in paths:
            with contextlib.suppress(OSError):  # unreadable: reported by the full load
                keys[path] = cache.key(path, context)
                hit = cache.get(path, keys[path])
                if hit is not None:
                    results[path] = (hit, [])
    todo = [p for p in paths if p not in results]

    checked = bool(todo) and folder_inside(todo[0].parent, source)

    def load(chunk: list[Path]) -> tuple[list[tuple[Path, Loaded]], dict[str, str]]:
        engine = Markdown()  # per chunk: a worker process returns what it rendered
        return [(p, load_incident(p, f"content/incidents/{p.name}", site, known, now,
                                  root=source, md=engine, in_checked_folder=checked))
                for p in chunk], engine.rendered()

    # Small parts, so that the processes taking them finish close together (this one also
    # runs `meanwhile` and unpickles what the others send).
    parts = jobs * 8 if jobs > 1 and len(todo) >= PARALLEL_FROM else 1
    chunks = [todo[i::parts] for i in range(parts)]
    for chunk_results, rendered in fork_map(lambda i: load(chunks[i]), parts, jobs, meanwhile):
        if md is not None:
            md.remember(rendered)
        for path, loaded in chunk_results:
            results[path] = loaded
            if cache is not None and loaded[0] is not None and not loaded[1] and path in keys:
                cache.put(path, keys[path], loaded[0])
    return [results[p] for p in paths]


def reload_content(previous: Content, source: Path, now: Now, base_url: str | None,
                   changed: Collection[Path], settings: bool = False,
                   md: Markdown | None = None) -> Content | None:
    """`previous` (a good load of this repo) with the incident files in `changed` read
    again: the dev server's rebuild after an edit, without listing and checking every
    file. components.yaml and site.yaml are read again when one of them is in `changed`,
    or when `settings` says that what site.yaml is checked against (the theme's assets
    and catalogues) changed.

    None where every incident must be checked again, which `load_content` does: another
    changed file in content/, a settings problem, other settings or other component ids
    (what incidents are validated against). Raises ContentError with the problems
    `load_content` would report (the other files were valid, and "now" only moves
    forward)."""
    content_dir = Path(os.path.realpath(source / "content"))
    folder = content_dir / "incidents"
    again: set[Path] = set()
    for path in changed:
        # The folder resolved, not the file: a symbolic link is seen as one.
        path = Path(os.path.realpath(Path(path).parent)) / Path(path).name
        if (path.parent == content_dir and path.name in ("components.yaml", "site.yaml")) \
                or not path.is_relative_to(content_dir):
            settings = True
        elif path.parent != folder:
            return None
        elif path.name.endswith(".md") and not path.name.startswith("."):
            again.add(path)
        elif not path.name.startswith(".") and os.path.lexists(path):
            return None  # a stray file: load_content reports it
    if not_a_repo(source):
        return None
    site, groups, ungrouped = previous.site, previous.groups, previous.ungrouped
    known = {c.id for c in previous.components}
    if settings:
        groups, ungrouped, ids, read, wrong, _ = _settings(source, base_url)
        if wrong or read != site or ids != known:
            return None
        # Equal settings are kept as the very objects of `previous`: what depends on them
        # only (most pages) is then seen to be unchanged at the cost of an identity check.
        groups = previous.groups if groups == previous.groups else groups
        ungrouped = previous.ungrouped if ungrouped == previous.ungrouped else ungrouped
    pinned = _resolve_now(now, site.zone)
    incidents = list(previous.incidents)
    paths = [i.path for i in incidents]
    problems: list[Problem] = []
    for path in sorted(again, key=lambda p: p.name):
        rel = f"content/incidents/{path.name}"
        if rel in paths:
            at = paths.index(rel)
            del incidents[at], paths[at]
        if not os.path.lexists(path):
            continue  # deleted
        incident, found = load_incident(path, rel, site, known, pinned, root=source, md=md)
        problems += found
        if incident is not None:
            at = _place(incidents, incident)
            incidents.insert(at, incident)
            paths.insert(at, rel)
    measured, found = load_measured(source, sorted(known), site, pinned)
    problems += found
    if problems:
        raise ContentError(problems)
    return Content(site, groups, ungrouped, tuple(incidents), tuple(measured.items()))


def _place(incidents: list[Incident], incident: Incident) -> int:
    """Where `incident` goes in a list in Content.incidents' order (slugs are unique)."""
    key = (incident.sort_time, incident.slug)
    low, high = 0, len(incidents)
    while low < high:
        middle = (low + high) // 2
        if (incidents[middle].sort_time, incidents[middle].slug) > key:
            low = middle + 1
        else:
            high = middle
    return low
