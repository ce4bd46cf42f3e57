"""content/notify.yaml: the channels subscribers are notified on.

The file is public (in git, maybe from a pull request): every secret (URLs with tokens,
signing secrets, SMTP passwords, address lists) is written as `${NAME}` and taken from
the environment. Every problem, a missing variable included, is reported with file and
line before anything is sent, and no value taken from the environment is ever printed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.content.fields import Field, FileCheck, choice
from generator.content.fields import url_problem as content_url_problem
from generator.content.load import ID_RE, _mapping, _yaml_file, read_text
from generator.content.yamlsafe import Node, Seq, source_text
from generator.errors import ContentError, suggest

PATH = "content/notify.yaml"
TYPES = ("webhook", "slack", "mattermost", "discord", "teams", "google_chat", "email")
EVENT_KINDS = ("incident", "maintenance", "component", "notice")
SECURITY = ("starttls", "tls", "none")
CHANNEL_TYPE = Field("type", choices=TYPES, noun="channel type")
SMTP_SECURITY = Field("security", choices=SECURITY, noun="SMTP security")
TOP_KEYS = ("channels", "reminders")
COMMON_KEYS = ("id", "type", "components", "events")
KEYS = {
    "webhook": (*COMMON_KEYS, "url", "secret"),
    "email": (*COMMON_KEYS, "smtp", "from", "to", "unsubscribe"),
} | {kind: (*COMMON_KEYS, "url") for kind in TYPES if kind not in ("webhook", "email")}
SMTP_KEYS = ("host", "port", "username", "password", "security")
REMINDER_KEYS = ("maintenance_before",)
# Values that are secrets: written in the file they would be public.
SECRET_KEYS = ("url", "secret", "password", "to", "host")
MAX_CHANNELS = 50
MAX_RECIPIENTS = 5_000
MAX_REMINDER = timedelta(days=30)
ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
DURATION_RE = re.compile(r"([1-9][0-9]{0,5})([mhd])")
ADDRESS_RE = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
# Set by GitHub Actions and GitLab CI themselves (GITHUB_TOKEN, CI_JOB_TOKEN, ...), some
# from a pull request's branch name: never a value this file may send anywhere.
CI_PREFIXES = ("GITHUB_", "RUNNER_", "ACTIONS_", "CI_")
ENV_HINT = ("set it in the environment (in GitHub Actions: a repository secret passed in "
            "the workflow's env:)")


@dataclass(frozen=True)
class Smtp:
    host: str = field(repr=False)
    port: int
    username: str = field(repr=False)
    password: str = field(repr=False)
    security: str


@dataclass(frozen=True)
class Channel:
    """One destination. Secrets are left out of repr, so no traceback or log shows them."""

    id: str
    type: str
    line: int
    components: frozenset[str] | None = None  # None: every component
    events: frozenset[str] | None = None  # None: every kind
    url: str = field(default="", repr=False)
    secret: str = field(default="", repr=False)
    smtp: Smtp | None = None
    sender: str = ""  # the From: header
    to: tuple[str, ...] = field(default=(), repr=False)
    unsubscribe: str = ""  # List-Unsubscribe: an https URL or a mailto

    def wants(self, kind: str, components: tuple[str, ...]) -> bool:
        """Whether an event of this kind touching these components goes to this channel."""
        if self.events is not None and kind not in self.events:
            return False
        return self.components is None or not self.components.isdisjoint(components)


@dataclass(frozen=True)
class NotifyConfig:
    channels: tuple[Channel, ...]
    maintenance_before: timedelta | None = None  # a reminder this long before a window


def load_config(source: Path, component_ids: set[str], env: Mapping[str, str] | None = None,
                with_env: bool = True) -> NotifyConfig | None:
    """The channels, or None when the repo has no notify.yaml or it declares nothing (all
    commented out, as `heliograph init` writes it). Raises ContentError with every problem,
    missing environment variables included; `with_env=False` (for `check`, which runs
    without the secrets) checks everything but the variables' values."""
    path = source / PATH
    if not path.exists() and not path.is_symlink():
        return None
    text, problems = read_text(path, PATH, source)
    if text is None:
        raise ContentError(problems)
    check = FileCheck(PATH)
    data = _yaml_file(check, text)
    if data is None:
        return None
    node = _mapping(check, data, "notify.yaml", "write 'channels:' with a list of channels")
    config = None
    if node is not None:
        reader = _Reader(check, component_ids, os.environ if env is None else env, with_env)
        config = reader.read(node)
    if not check.ok() or config is None:
        raise ContentError(check.problems)
    return config


class _Reader:
    def __init__(self, check: FileCheck, component_ids: set[str], env: Mapping[str, str],
                 with_env: bool = True):
        self.check = check
        self.component_ids = component_ids
        self.env = env
        self.with_env = with_env

    def read(self, node: Node) -> NotifyConfig | None:
        check = self.check
        check.unknown_keys(node, TOP_KEYS, "notify.yaml")
        items = node.get("channels")
        if "channels" not in node:
            check.missing(node, "channels", "notify.yaml has no 'channels'",
                          "add 'channels:' with a list of channels")
            return None
        if not isinstance(items, Seq) or not items:
            check.error(node.where_value("channels"), "'channels' must be a list of channels",
                        "write each channel as '- id: ...' under 'channels:'")
            return None
        if len(items) > MAX_CHANNELS:
            check.error(node.where_value("channels"), f"more than {MAX_CHANNELS} channels",
                        "send to a list or a webhook that fans out instead")
            return None
        channels: list[Channel] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            channel = self.channel(item, items.where(index))
            cid = source_text(item.get("id")) if isinstance(item, Node) else None
            if cid is not None and cid in seen:
                check.error(item.where_value("id"), f"channel id '{cid}' is used twice "
                            f"(first on line {seen[cid]})", "give each channel its own id")
                continue
            if cid is not None:
                seen[cid] = item.line
            if channel is not None:
                channels.append(channel)
        before = self.reminders(node)
        return NotifyConfig(tuple(channels), before)

    def reminders(self, node: Node) -> timedelta | None:
        if "reminders" not in node:
            return None
        item = node["reminders"]
        if not isinstance(item, Node):
            self.check.error(node.where_value("reminders"), "'reminders' must be a mapping",
                             "write 'reminders: {maintenance_before: 24h}'")
            return None
        self.check.unknown_keys(item, REMINDER_KEYS, "reminders")
        if "maintenance_before" not in item:
            return None
        text = source_text(item["maintenance_before"]) or ""
        match = DURATION_RE.fullmatch(text.strip())
        amount = None
        if match:
            unit = {"m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
            amount = timedelta(**{unit: int(match.group(1))})
        if amount is None or amount > MAX_REMINDER:
            self.check.error(item.where_value("maintenance_before"),
                             f"'maintenance_before' must be a duration up to "
                             f"{MAX_REMINDER.days} days, such as 30m, 24h or 2d",
                             "write a whole number followed by m, h or d")
            return None
        return amount

    def channel(self, item: Any, where: tuple[int, int]) -> Channel | None:
        check = self.check
        if not isinstance(item, Node):
            check.error(where, "a channel must be a mapping with 'id' and 'type'",
                        "write '- id: ops' and, indented below it, 'type: webhook'")
            return None
        cid = check.text(item, "id", "a channel", required=True)
        if cid and not ID_RE.fullmatch(cid):
            check.error(item.where_value("id"), f"channel id '{cid}' may only use a-z, 0-9 "
                        "and single hyphens", "for example 'ops' or 'team-chat'")
            cid = ""
        what = f"channel '{cid}'" if cid else "a channel"
        kind = choice(check, item, CHANNEL_TYPE, what, UTC)
        if "type" not in item:
            check.missing(item, "type", f"{what} has no 'type'",
                          f"add 'type: ...', one of: {', '.join(TYPES)}")
        if not cid or kind is None:
            return None
        check.unknown_keys(item, KEYS[kind], f"{what} ({kind})")
        components = self.names(item, "components", what, self.component_ids, "component")
        events = self.names(item, "events", what, set(EVENT_KINDS), "event kind")
        line = item.line
        if kind == "email":
            return self.email(item, cid, what, line, components, events)
        url = self.url(item, what)
        secret = self.secret(item, "secret", what) if kind == "webhook" else ""
        if not url or (kind == "webhook" and not secret):
            return None
        return Channel(cid, kind, line, components, events, url=url, secret=secret)

    def names(self, item: Node, key: str, what: str, known: set[str],
              noun: str) -> frozenset[str] | None:
        if key not in item:
            return None
        values = item[key]
        if not isinstance(values, Seq) or not values:
            self.check.error(item.where_value(key), f"'{key}' of {what} must be a list",
                             f"write {key}: [a, b]")
            return None
        result = set()
        for index, value in enumerate(values):
            name = source_text(value)
            if name is None or name not in known:
                shown = name if name is not None else "a value that is not text"
                self.check.error(values.where(index), f"unknown {noun} '{shown}' in '{key}' "
                                 f"of {what}", suggest(str(shown), known)
                                 or f"use one of: {', '.join(sorted(known))}")
                continue
            result.add(name)
        return frozenset(result)

    def value(self, item: Node, key: str, what: str, secret: bool = False) -> str:
        """A text value with ${NAME} replaced from the environment ('' after a problem)."""
        text = self.check.text(item, key, what, required=True)
        if not text:
            return ""
        where = item.where_value(key)
        names = ENV_RE.findall(text)
        if names and not ENV_RE.fullmatch(text.strip()):
            # A variable inside other text lets the file choose where its value goes:
            # https://attacker.example/${TOKEN}, ${TOKEN}@attacker.example.
            self.check.error(where, f"'{key}' of {what} must be a single ${{NAME}} with "
                             "nothing around it, or have no variable",
                             f"write {key}: ${{NAME}} and put the whole value in NAME")
            return ""
        ci = [name for name in names if name.startswith(CI_PREFIXES)]
        if ci:
            self.check.error(where, f"'{key}' of {what} names {ci[0]}, a variable the CI "
                             "runner sets, not a secret of this site",
                             "name a repository secret of your own, passed in the "
                             "workflow's env:")
            return ""
        if secret and not names:
            self.check.error(where, f"'{key}' of {what} is a secret and must come from the "
                             "environment, not be written in this public file",
                             f"write {key}: ${{NAME}} and set NAME in the environment; "
                             "change the secret you wrote here")
            return ""
        if names and not self.with_env:
            return ""  # checked when notify runs, with the secrets
        missing = [name for name in dict.fromkeys(names) if not self.env.get(name, "").strip()]
        for name in missing:
            self.check.error(where, f"the environment variable {name} ('{key}' of {what}) "
                             "is not set or is empty", ENV_HINT)
        if missing:
            return ""
        value = ENV_RE.sub(lambda m: self.env[m.group(1)].strip(), text)
        if any(ch in value for ch in "\r\n\x00"):
            # Said without the value: it is a secret.
            self.check.error(where, f"'{key}' of {what} contains a line break once the "
                             "environment variables are filled in", "remove it from the secret")
            return ""
        return value

    def secret(self, item: Node, key: str, what: str) -> str:
        return self.value(item, key, what, secret=True)

    def url(self, item: Node, what: str) -> str:
        url = self.secret(item, "url", what)
        if not url:
            return ""
        problem = _url_problem(url)
        if problem:
            self.check.error(item.where_value("url"), f"'url' of {what} {problem} (the "
                             "value is not shown: it is a secret)",
                             "an https:// URL (http:// only to this machine, for tests)")
            return ""
        return url

    def email(self, item: Node, cid: str, what: str, line: int,
              components: frozenset[str] | None, events: frozenset[str] | None) -> Channel | None:
        check = self.check
        smtp = self.smtp(item, what)
        sender = self.value(item, "from", what)
        from email.utils import parseaddr  # ~10 ms, for email channels only

        address = parseaddr(sender)[1] if sender else ""
        if sender and not ADDRESS_RE.fullmatch(address):
            check.error(item.where_value("from"), f"'from' of {what} is not an email address",
                        "write 'from: Acme Status <status@acme.example>'")
            sender = ""
        # From the environment like a URL: written here, a change to this file could mail
        # anyone it likes through the site's SMTP login (and addresses are personal data).
        to = self.secret(item, "to", what)
        recipients = tuple(dict.fromkeys(a.strip() for a in to.split(",") if a.strip()))
        bad = [n for n, a in enumerate(recipients, 1) if not ADDRESS_RE.fullmatch(a)]
        if to and (bad or not recipients):
            # Which one, by position only: the addresses come from a secret.
            check.error(item.where_value("to"), f"'to' of {what}: " + (
                f"address number {bad[0]} is not an email address" if bad
                else "no address"), "a comma-separated list of addresses")
            to = ""
        if len(recipients) > MAX_RECIPIENTS:
            check.error(item.where_value("to"), f"'to' of {what} has more than "
                        f"{MAX_RECIPIENTS:,} addresses", "send to a mailing list instead")
            to = ""
        unsubscribe = self.value(item, "unsubscribe", what)
        if unsubscribe and not (unsubscribe.startswith("mailto:") and ADDRESS_RE.fullmatch(
                unsubscribe.removeprefix("mailto:").split("?")[0])) and _url_problem(unsubscribe):
            check.error(item.where_value("unsubscribe"), f"'unsubscribe' of {what} must be "
                        "an https:// URL or a mailto: address",
                        "mail clients show it as the list's unsubscribe link")
            unsubscribe = ""
        if smtp is None or not sender or not to or not unsubscribe:
            return None
        return Channel(cid, "email", line, components, events, smtp=smtp, sender=sender,
                       to=recipients, unsubscribe=unsubscribe)

    def smtp(self, item: Node, what: str) -> Smtp | None:
        check = self.check
        if "smtp" not in item:
            check.missing(item, "smtp", f"{what} has no 'smtp'",
                          "add 'smtp:' with host, port, username, password and security")
            return None
        node = item["smtp"]
        if not isinstance(node, Node):
            check.error(item.where_value("smtp"), f"'smtp' of {what} must be a mapping",
                        "indent host, port, username, password and security under 'smtp:'")
            return None
        check.unknown_keys(node, SMTP_KEYS, f"'smtp' of {what}")
        host = self.value(node, "host", f"'smtp' of {what}")
        if "host" in node and not ENV_RE.fullmatch((source_text(node["host"]) or "").strip()):
            # The recipients (from the environment) and any login go to the host: written
            # here, a change to this file could send them to a server of its choosing.
            check.error(node.where_value("host"), f"'host' of 'smtp' of {what} must come "
                        "from the environment", "write host: ${SMTP_HOST} and set SMTP_HOST "
                        "in the environment; the address list and any login go to that host")
            host = ""
        port_text = self.value(node, "port", f"'smtp' of {what}") if "port" in node else ""
        # isascii: str.isdigit() also takes '²', which int() refuses.
        port = int(port_text) if port_text.isascii() and port_text.isdigit() \
            and 0 < int(port_text) < 65536 else 0
        if port_text and not port:
            check.error(node.where_value("port"), f"'port' of 'smtp' of {what} must be a "
                        "port number", "587 for starttls, 465 for tls")
        security = choice(check, node, SMTP_SECURITY, what, UTC) or ""
        if "security" not in node:
            check.missing(node, "security", f"'smtp' of {what} has no 'security'",
                          "add 'security: starttls' (or tls)")
        username = password = ""
        if "username" in node or "password" in node:
            username = self.value(node, "username", f"'smtp' of {what}")
            password = self.secret(node, "password", f"'smtp' of {what}")
            if not username or not password:
                return None
        if not host or not security or ("port" in node and not port):
            return None
        port = port or {"tls": 465, "starttls": 587, "none": 25}[security]
        return Smtp(host, port, username, password, security)


def _url_problem(url: str) -> str:
    """The content's URL rule (absolute http(s), no spaces, no user name or password),
    and more for a URL that carries notifications: https (plain http only to this
    machine, for tests), nothing but printable ASCII (http.client sends nothing else)."""
    problem = content_url_problem(url)
    if problem:
        return problem
    if not url.isascii() or any(ord(ch) <= 32 or ord(ch) == 127 for ch in url):
        return "contains a control character or a character outside ASCII (percent-encode it)"
    parts = urlsplit(url)
    if parts.scheme == "https" or parts.hostname in LOOPBACK:
        return ""
    return "is not an https:// URL"
