"""A component's `check:` in components.yaml: what `heliograph probe` measures.

Validated like everything else (unknown keys are errors, with file and line), so that
`check` catches a mistake before a scheduled probe runs into it. Secrets never appear in
the file: a header value may name `${PROBE_...}` environment variables, read when the
probe runs; the prefix keeps a merged change from sending CI's other secrets
(GITHUB_TOKEN) to a server of its choosing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from generator.content.model import CHECK_KINDS, Check
from generator.content.yamlsafe import Node, Seq, source_text

if TYPE_CHECKING:
    from generator.content.fields import FileCheck

COMMON_KEYS = ("timeout", "degraded_ms", "failures", "successes")
HTTP_KEYS = ("method", "status", "body_contains", "json_path", "json_equals", "headers")
KEYS_BY_KIND = {"http": HTTP_KEYS, "tcp": (), "dns": (), "tls": ("warn_days",)}
ALL_KEYS = (*CHECK_KINDS, *COMMON_KEYS, *HTTP_KEYS, "warn_days")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
MAX_TIMEOUT = 60  # seconds; a probe run has its own overall budget as well
MAX_TEXT = 1000
HOST_RE = re.compile(r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                     r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?")
IPV6_RE = re.compile(r"\[[0-9A-Fa-f:.]+\]")
HEADER_NAME_RE = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}")
ENV_RE = re.compile(r"\$\{([^}]*)\}")
ENV_NAME_RE = re.compile(r"PROBE_[A-Z0-9_]+")
JSON_KEY_RE = re.compile(r"[^.\[\]]+|\[\d+\]")


def component_check(check: FileCheck, item: Node, label: str) -> Check | None:
    """The `check:` of a component (None when absent or wrong; problems are recorded)."""
    if "check" not in item:
        return None
    node = item["check"]
    if not isinstance(node, Node):
        check.error(item.where_value("check"), f"'check' of {label} must be a mapping",
                    "write e.g. 'check:' then, indented, 'http: https://example.com/health'")
        return None
    what = f"the check of {label}"
    kinds = [k for k in CHECK_KINDS if k in node]
    if len(kinds) != 1:
        where = node.where(kinds[1]) if kinds else item.where("check")
        check.error(where, f"{what} needs exactly one of: {', '.join(CHECK_KINDS)}",
                    "one check per component: 'http: URL', 'tcp: HOST:PORT', 'dns: HOST' "
                    "or 'tls: HOST[:PORT]'")
        check.unknown_keys(node, ALL_KEYS, what)
        return None
    kind = kinds[0]
    allowed = (kind, *COMMON_KEYS, *KEYS_BY_KIND[kind])
    before = len(check.problems)
    check.unknown_keys(node, allowed, f"{what} ({kind})")
    target = _target(check, node, kind, what)
    fields: dict[str, Any] = {
        "timeout": _number(check, node, "timeout", what, 0.1, MAX_TIMEOUT, 10.0),
        "degraded_ms": _integer(check, node, "degraded_ms", what, 1, 600_000, None),
        "failures": _integer(check, node, "failures", what, 1, 100, 2),
        "successes": _integer(check, node, "successes", what, 1, 100, 1),
    }
    if kind == "tls":
        fields["warn_days"] = _integer(check, node, "warn_days", what, 0, 365, 14)
    if kind == "http":
        fields.update(_http(check, node, what))
    if target is None or len(check.problems) > before:
        return None
    return Check(kind, target, line=node.line, **fields)  # type: ignore[arg-type]


def _text(check: FileCheck, node: Node, key: str, what: str) -> str | None:
    value = node[key]
    text = source_text(value) if not isinstance(value, bool) else None
    if text is None or not text.strip() or len(text) > MAX_TEXT:
        check.error(node.where_value(key), f"'{key}' of {what} must be one line of text "
                    f"(at most {MAX_TEXT} characters)", f"write '{key}: ...'")
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        check.error(node.where_value(key), f"'{key}' of {what} contains a control character",
                    "remove it")
        return None
    return text.strip()


def _target(check: FileCheck, node: Node, kind: str, what: str) -> str | None:
    text = _text(check, node, kind, what)
    if text is None:
        return None
    if kind == "http":
        from generator.content.fields import url_problem

        if problem := url_problem(text):
            check.error(node.where_value(kind), f"'http' of {what} {problem}",
                        "write the full URL, e.g. 'http: https://api.example.com/health'")
            return None
        return text
    if kind == "dns":
        if not HOST_RE.fullmatch(text):
            check.error(node.where_value(kind), f"'dns' of {what}: '{text}' is not a host name",
                        "write a name such as 'api.example.com' (no scheme, no port)")
            return None
        return text
    host, port = split_host_port(text, 443 if kind == "tls" else None)
    if host is None or port is None:
        example = "api.example.com:443" if kind == "tls" else "db.example.com:5432"
        check.error(node.where_value(kind), f"'{kind}' of {what}: '{text}' is not "
                    f"HOST:PORT", f"write e.g. '{kind}: {example}'")
        return None
    return text


def split_host_port(text: str, default: int | None) -> tuple[str | None, int | None]:
    """('host', port) from 'host:port', '[::1]:port' or 'host' (with a default port)."""
    host, sep, port = text.rpartition(":")
    if not sep or (text.startswith("[") and not host.endswith("]")):
        host, port = text, ""
    if IPV6_RE.fullmatch(host):
        host = host[1:-1]
    elif not HOST_RE.fullmatch(host):
        return None, None
    if not port:
        return host, default
    if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:  # not '²'
        return None, None
    return host, int(port)


def _number(check: FileCheck, node: Node, key: str, what: str, low: float, high: float,
            default: float) -> float:
    if key not in node:
        return default
    value = node[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not low <= value <= high:
        check.error(node.where_value(key), f"'{key}' of {what} must be a number of seconds "
                    f"from {low:g} to {high:g}", f"write e.g. '{key}: 10'")
        return default
    return float(value)


def _integer(check: FileCheck, node: Node, key: str, what: str, low: int, high: int,
             default: int | None) -> int | None:
    if key not in node:
        return default
    value = node[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        check.error(node.where_value(key), f"'{key}' of {what} must be a whole number from "
                    f"{low} to {high}", f"write e.g. '{key}: {default or low}'")
        return default
    return int(value)


def _http(check: FileCheck, node: Node, what: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "method" in node:
        method = _text(check, node, "method", what)
        if method is not None and method.upper() not in METHODS:
            check.error(node.where_value("method"), f"unknown HTTP method '{method}' in "
                        f"{what}", f"use one of: {', '.join(METHODS)}")
        elif method is not None:
            fields["method"] = method.upper()
    if "status" in node:
        fields["status"] = _status(check, node, what)
    if "body_contains" in node:
        fields["body_contains"] = _text(check, node, "body_contains", what) or ""
    if "json_path" in node:
        fields["json_path"] = _json_path(check, node, what)
    if "json_equals" in node:
        value = node["json_equals"]
        if "json_path" not in node:
            check.error(node.where("json_equals"), f"'json_equals' of {what} needs a "
                        "'json_path'", "add 'json_path: status' (the value to compare)")
        elif isinstance(value, bool):
            fields["json_equals"] = "true" if value else "false"
        elif value is None:
            fields["json_equals"] = "null"
        else:
            text = source_text(value)
            if text is None:
                check.error(node.where_value("json_equals"), f"'json_equals' of {what} must "
                            "be one value (text, a number, true, false or null)",
                            "write e.g. 'json_equals: ok'")
            else:
                # Numbers compare as numbers, anything else as the JSON string it is.
                fields["json_equals"] = text if isinstance(value, (int, float)) else \
                    _json_string(text)
    if "headers" in node:
        fields["headers"] = _headers(check, node, what)
    return fields


def _json_string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def _status(check: FileCheck, node: Node, what: str) -> tuple[int, ...]:
    value = node["status"]
    items = value if isinstance(value, Seq) else [value]
    codes = []
    for code in items:
        if isinstance(code, bool) or not isinstance(code, int) or not 100 <= code <= 599:
            check.error(node.where_value("status"), f"'status' of {what} must be HTTP status "
                        "codes (100 to 599)", "write e.g. 'status: 200' or 'status: [200, 204]'")
            return ()
        codes.append(int(code))
    return tuple(codes)


def _json_path(check: FileCheck, node: Node, what: str) -> tuple[str, ...]:
    text = _text(check, node, "json_path", what)
    if text is None:
        return ()
    parts = JSON_KEY_RE.findall(text.removeprefix("$").lstrip("."))
    if "".join(parts) != text.removeprefix("$").lstrip(".").replace(".", ""):
        check.error(node.where_value("json_path"), f"'json_path' of {what}: '{text}' is not "
                    "a path", "write keys separated by dots, list indexes in brackets: "
                    "'checks[0].status'")
        return ()
    return tuple(parts)


def _headers(check: FileCheck, node: Node, what: str) -> tuple[tuple[str, str], ...]:
    headers = node["headers"]
    if not isinstance(headers, Node):
        check.error(node.where_value("headers"), f"'headers' of {what} must be a mapping",
                    "write 'headers:' then, indented, 'Name: value' lines")
        return ()
    result = []
    for name in headers:
        text_name = source_text(name)
        if text_name is None or not HEADER_NAME_RE.fullmatch(text_name):
            check.error(headers.where(name), f"'{name}' is not an HTTP header name",
                        "letters, digits and '-', e.g. 'Authorization'")
            continue
        value = _text(check, headers, name, f"header '{text_name}' of {what}")
        if value is None:
            continue
        for match in ENV_RE.finditer(value):
            if not ENV_NAME_RE.fullmatch(match.group(1)):
                check.error(headers.where_value(name), f"header '{text_name}' names the "
                            f"variable '{match.group(1)}'; only PROBE_... variables are read",
                            "pass the secret as e.g. PROBE_API_TOKEN in the workflow's env "
                            "and write ${PROBE_API_TOKEN}")
        result.append((text_name, value))
    return tuple(result)
