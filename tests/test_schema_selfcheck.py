"""Self-check of the Statuspage v2 JSON Schemas in tests/schemas/.

Every good fixture must validate against its endpoint definition, every bad fixture must
fail, and the schema itself must be strict (closed objects, every key required). The helpers
`endpoint_validator` and `check_ordering` are meant for reuse by the API output tests.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import date, datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

SCHEMA_DIR = Path(__file__).parent / "schemas"
SCHEMA_PATH = SCHEMA_DIR / "statuspage_v2.schema.json"
FIXTURES = SCHEMA_DIR / "fixtures"

ENDPOINTS = [
    "summary",
    "status",
    "components",
    "incidents",
    "incidents_unresolved",
    "scheduled_maintenances",
    "scheduled_maintenances_upcoming",
    "scheduled_maintenances_active",
]

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _is_rfc3339(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    datetime.fromisoformat(value.upper())  # also rejects impossible dates and times
    return True


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None and bool(date.fromisoformat(value))


def _is_absolute_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc) and " " not in value


@cache
def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def format_checker() -> FormatChecker:
    """Format checking that does not depend on jsonschema's optional extras."""
    checker = FormatChecker()
    checker.checks("date-time", raises=ValueError)(_is_rfc3339)
    checker.checks("date", raises=ValueError)(_is_date)
    checker.checks("uri", raises=ValueError)(_is_absolute_uri)
    return checker


@cache
def endpoint_validator(name: str) -> Draft202012Validator:
    schema = load_schema()
    registry = Registry().with_resource(schema["$id"], Resource.from_contents(schema))
    return Draft202012Validator(
        {"$ref": f"{schema['$id']}#/$defs/endpoints/$defs/{name}"},
        registry=registry,
        format_checker=format_checker(),
    )


def _desc(values: list[str]) -> bool:
    stamps = [datetime.fromisoformat(v.replace("Z", "+00:00")) for v in values]
    return all(a >= b for a, b in itertools.pairwise(stamps))


def check_ordering(doc: dict) -> list[str]:
    """Ordering rules JSON Schema cannot express; returns a list of problems."""
    problems = []
    incidents = doc.get("incidents", [])
    if not _desc([i["started_at"] for i in incidents]):
        problems.append("incidents are not newest first (started_at)")
    maints = doc.get("scheduled_maintenances", [])
    if not _desc([m["scheduled_for"] for m in maints]):
        problems.append("scheduled_maintenances are not newest first (scheduled_for)")
    for item in [*incidents, *maints]:
        if not _desc([u["display_at"] for u in item["incident_updates"]]):
            problems.append(f"{item['id']}: incident_updates are not newest first")
        if any(u["incident_id"] != item["id"] for u in item["incident_updates"]):
            problems.append(f"{item['id']}: an update points at another incident")
    return problems


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _walk_objects(node, where="#"):
    if isinstance(node, dict):
        if node.get("type") == "object":
            yield where, node
        for key, value in node.items():
            yield from _walk_objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk_objects(value, f"{where}/{i}")


def test_schema_is_valid_draft_2020_12():
    Draft202012Validator.check_schema(load_schema())


def test_every_object_is_closed_and_fully_required():
    for where, node in _walk_objects(load_schema()):
        assert node.get("additionalProperties") is False, where
        keys = set(node["properties"])
        required = set(node["required"])
        # the only optional key: `components` (child ids), present exactly on groups
        assert keys - required <= {"components"}, where
        assert required <= keys, where


def test_every_endpoint_has_a_definition_and_a_path():
    schema = load_schema()
    assert sorted(schema["$defs"]["endpoints"]["$defs"]) == sorted(ENDPOINTS)
    assert sorted(schema["x-endpoint-paths"]) == sorted(ENDPOINTS)


def test_format_checker_rejects_bad_formats():
    checker = format_checker()
    assert not checker.conforms("2026-05-11 14:20", "date-time")
    assert checker.conforms("2026-05-11T14:20:00.123-06:00", "date-time")
    assert not checker.conforms("2026-13-01", "date")
    assert not checker.conforms("/incidents/x/", "uri")


@pytest.mark.parametrize("name", ENDPOINTS)
def test_good_fixture_validates(name):
    doc = _load(FIXTURES / f"{name}.json")
    errors = [e.message for e in endpoint_validator(name).iter_errors(doc)]
    assert errors == []
    assert check_ordering(doc) == []


BAD = sorted((FIXTURES / "bad").glob("*.json"))


def test_there_are_bad_fixtures():
    assert BAD


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_fixture_fails(path):
    name = path.stem.split("__", 1)[0]
    assert name in ENDPOINTS, f"bad fixture {path.name} must be named <endpoint>__<what>.json"
    assert not endpoint_validator(name).is_valid(_load(path))


def test_summary_only_carries_open_items():
    doc = _load(FIXTURES / "summary.json")
    assert endpoint_validator("summary").is_valid(doc)
    doc["incidents"][0]["status"] = "resolved"
    assert not endpoint_validator("summary").is_valid(doc)


def test_group_key_rules():
    doc = _load(FIXTURES / "components.json")
    group = next(c for c in doc["components"] if c["group"])
    del group["components"]
    assert not endpoint_validator("components").is_valid(doc)
