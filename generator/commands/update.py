"""`heliograph update` and `heliograph resolve`: append an update to an incident file.

The new item is inserted as text after the last item of the front matter's `updates:`
list, with the same indentation, so comments, key order, quoting and the Markdown body
stay byte for byte as they were. The result is loaded back and compared with the
original before it replaces the file.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.commands.authoring import (
    Cancelled,
    Prompter,
    Repo,
    check_status,
    default_message,
    interactive,
    load_existing,
    open_repo,
    parse_component,
    parse_time,
    replace_file,
    user_error,
    validate,
    yaml_scalar,
)
from generator.content.load import UPDATE_KEYS, front_matter_end, incident_files
from generator.content.model import Incident, statuses_for
from generator.content.timeutil import iso, utc_now
from generator.content.yamlsafe import Node, Seq, YamlError, load_yaml
from generator.errors import suggest

RESOLVED = {"incident": "resolved", "notice": "resolved", "maintenance": "completed"}


def find_incident(repo: Repo, slug: str) -> Path:
    """A file by slug, by file name, by path, or by its slug without the date prefix."""
    name = Path(slug).name.removesuffix(".md")
    files = {p.name[:-3]: p for p in incident_files(repo.source)}
    if name in files:
        return files[name]
    tails = [p for s, p in files.items() if s[11:] == name or s.endswith("-" + name)]
    if len(tails) == 1:
        return tails[0]
    if tails:
        raise user_error("SLUG", f"'{slug}' matches several files",
                         "use the full slug: " + ", ".join(p.name[:-3] for p in tails))
    recent = sorted(files, reverse=True)[:5]
    hint = suggest(name, files) or (f"recent slugs: {', '.join(recent)}" if recent
                                    else "there are no incident files yet")
    raise user_error("SLUG", f"no incident '{slug}' in {repo.incidents_dir}", hint)


@dataclass(frozen=True)
class Layout:
    """Where the last update item sits in a file, as line indexes into its lines."""

    dash: int  # column of the item's '-'
    key: int  # column of the item's first key
    insert_at: int  # line index the new item goes before
    keys: tuple[str, ...]  # key order of the last item


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _front_matter(lines: list[str]) -> int:
    """Index of the closing '---' line."""
    if not lines or lines[0].removeprefix("\ufeff").rstrip() != "---":
        raise ValueError("the file does not start with '---'")
    end = front_matter_end(lines)
    if end is None:
        raise ValueError("the front matter has no closing '---'")
    return end


def _parse(lines: list[str], close: int) -> Node:
    data = load_yaml("\n".join(line.rstrip("\r") for line in lines[1:close]), line_offset=1)
    if not isinstance(data, Node):
        raise ValueError("the front matter is not a mapping")
    return data


def locate(lines: list[str], close: int, front: Node) -> Layout:
    updates = front.get("updates")
    if not isinstance(updates, Seq) or not updates or not isinstance(updates[-1], Node):
        raise ValueError("'updates' is not a list of updates")
    start = updates.line_of(len(updates) - 1) - 1
    line = lines[start].rstrip("\r")
    dash = _indent(line)
    if start == front.line_of("updates") - 1 or not line[dash:].startswith("- "):
        raise ValueError("the updates are not written as a '- at: ...' block list")
    key = dash + 1 + _indent(line[dash + 1:])
    end = start + 1
    while end < close:
        text = lines[end].rstrip("\r")
        if text.strip() and _indent(text) <= dash:
            break
        end += 1
    while end - 1 > start and not lines[end - 1].strip():
        end -= 1  # trailing blank lines stay after the new item
    order = [k for k in updates[-1] if k in UPDATE_KEYS]
    return Layout(dash, key, end, tuple(order + [k for k in UPDATE_KEYS if k not in order]))


def _value(value: str | dict[str, str], indent: int) -> str:
    if isinstance(value, dict):
        # Ids and statuses are plain words (the loader checks them), so a flow mapping is safe.
        return "{" + ", ".join(f"{cid}: {status}" for cid, status in value.items()) + "}"
    return yaml_scalar(value, indent)


def item_lines(layout: Layout, values: dict[str, Any], eol: str) -> list[str]:
    lines = []
    keys = [k for k in layout.keys if k in values]
    for number, key in enumerate(keys):
        lead = " " * layout.dash + "-" + " " * (layout.key - layout.dash - 1) if number == 0 \
            else " " * layout.key
        lines.extend(f"{lead}{key}: {_value(values[key], layout.key)}".split("\n"))
    return [line + eol for line in lines]


def append_update(text: str, values: dict[str, Any]) -> str:
    """`text` with one more update; raises ValueError if that cannot be done safely."""
    lines = text.split("\n")
    eol = "\r" if lines[0].endswith("\r") else ""
    close = _front_matter(lines)
    try:
        front = _parse(lines, close)
    except YamlError as exc:
        raise ValueError(f"the front matter is not valid YAML (line {exc.line})") from None
    layout = locate(lines, close, front)
    new_lines = lines[:layout.insert_at] + item_lines(layout, values, eol) \
        + lines[layout.insert_at:]
    try:
        after = _parse(new_lines, _front_matter(new_lines))
    except YamlError as exc:
        raise ValueError(f"the result would not be valid YAML ({exc.message})") from None
    _same_but_one_more(front, after, values)
    return "\n".join(new_lines)


def _same_but_one_more(before: Node, after: Node, values: dict[str, Any]) -> None:
    """The edit changed nothing but adding `values` as the last update."""
    if list(before) != list(after) or any(before[k] != after[k] for k in before
                                          if k != "updates"):
        raise ValueError("the edit would change other keys")
    if _items(after["updates"][:-1]) != _items(before["updates"]) \
            or _items(after["updates"][-1:]) != [values]:
        raise ValueError("the edit would change earlier updates")


def _items(updates: list[Any]) -> list[Any]:
    """Update items as the loader reads them: a block message's final newline does not count
    (it depends on whether another line follows)."""
    return [{k: v.strip() if isinstance(v, str) else v for k, v in item.items()}
            if isinstance(item, dict) else item for item in updates]


@dataclass(frozen=True)
class Request:
    slug: str
    status: str | None
    message: str | None
    at: str | None
    resolve: bool
    components: tuple[str, ...] = ()  # ID=STATUS: statuses from this update on


def ask_missing(current: Incident, status: str | None,
                message: str | None) -> tuple[str, str]:
    ask = Prompter()
    ask.say(f"{current.title} ({current.type}, last update: {current.updates[-1].status})")
    if status is None:
        status = ask.choice("Status", statuses_for(current.type), current.updates[-1].status)
    if message is None:
        message = ask.required("Message for customers (Markdown)",
                               default_message(current.type, status))
    return status, message


def post(source: Path, request: Request) -> int:
    repo = open_repo(source)
    path = find_incident(repo, request.slug)
    now = utc_now()
    original = path.read_bytes()
    current = load_existing(repo, path, now)
    status, message = request.status, request.message
    if request.resolve:
        status = RESOLVED[current.type]
        message = message or default_message(current.type, status)
        if any(u.status == status for u in current.updates):
            raise user_error(repo.rel(path), f"this {current.type} is already {status}",
                             "a 'postmortem' update may follow: heliograph update SLUG "
                             "--status postmortem --message ...")
    elif (status is None or message is None) and interactive():
        try:
            status, message = ask_missing(current, status, message)
        except Cancelled:
            print("\nCancelled; nothing written.", file=sys.stderr)
            return 1
    if status is None or not (message or "").strip():
        raise user_error("heliograph update", "--status and --message are needed",
                         f"heliograph update {path.name[:-3]} --status STATUS --message TEXT")
    check_status(status, current.type)
    at = parse_time(request.at, repo.site, "--at") if request.at else now
    if at > now:
        raise user_error("--at", f"{iso(at)} is in the future",
                         "updates record what already happened")
    if at < current.updates[-1].at:
        raise user_error("--at", f"{iso(at)} is earlier than the last update "
                         f"({iso(current.updates[-1].at)})",
                         "updates are oldest first: give a later --at, or edit the file by hand")
    values: dict[str, Any] = {"at": iso(at), "status": status,
                              "message": (message or "").replace("\r\n", "\n").strip()}
    if request.components:
        values["components"] = dict(parse_component(v, current.type, repo)
                                    for v in request.components)
    try:
        updated = append_update(original.decode("utf-8"), values)
    except ValueError as exc:
        raise user_error(repo.rel(path), f"cannot add the update automatically: {exc}",
                         "add it by hand under 'updates:'") from None
    validate(repo, path.name, updated, now)
    replace_file(path, original, updated.encode("utf-8"))
    print(f"{source / repo.rel(path)}: added '{status}' at {values['at']}")
    return 0


def main(args: argparse.Namespace) -> int:
    request = Request(args.slug, args.status, args.message, args.at, resolve=False,
                      components=tuple(args.component or ()))
    return post(Path(args.source), request)
