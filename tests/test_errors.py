"""The error catalogue: every way content can be wrong gives exactly one clear message.

Each case writes a small site with one broken file, runs the real command line
(`heliograph check`) and asserts the file, line, column, message and hint of the one
error reported, exit status 1 and no traceback. docs/guarantees.md lists the same table.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sitefixtures import COMPONENTS_YAML as COMPONENTS

from generator import cli
from generator.cli import main
from generator.content.load import MAX_FILE_BYTES, load_content
from generator.content.timeutil import parse_timestamp

NOW = "2026-11-27T01:00:00Z"
SITE = "title: Test Status\nbase_url: https://status.test/\ntimezone: Europe/Berlin\n"
UPDATE = "  - at: 2026-11-01T10:00:00Z\n    status: investigating\n    message: Looking.\n"
RESOLVED = "  - at: 2026-11-01T11:00:00Z\n    status: resolved\n    message: Fixed.\n"


def incident(front: str, updates: str = UPDATE) -> str:
    return f"---\n{front}updates:\n{updates}---\nBody.\n"


def write_site(root: Path, files: dict[str, str | bytes]) -> Path:
    """The valid base site, with `files` (relative to content/) added or replaced."""
    base: dict[str, str | bytes] = {"site.yaml": SITE, "components.yaml": COMPONENTS}
    for rel, data in {**base, **files}.items():
        if data is None:
            continue
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    (root / "content" / "incidents").mkdir(exist_ok=True)
    return root


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, str | bytes | None]
    where: str  # "content/incidents/x.md:3:7" (line and column as reported)
    message: str  # a substring of the message
    hint: str  # a substring of the hint
    args: tuple[str, ...] = field(default=())  # extra command-line arguments
    command: str = "check"


INC = "content/incidents/x.md"
MAINT = "title: Upgrade\ntype: maintenance\n"
SCHEDULED = "  - at: 2026-11-01T10:00:00Z\n    status: scheduled\n    message: Soon.\n"
BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True))

CASES = [
    # --- YAML itself -----------------------------------------------------------------
    Case("unclosed-quote", {"incidents/x.md": incident('title: "Broken\n')},
         f"{INC}:2:8", "YAML syntax error", "close the quote"),
    Case("tab-indentation", {"incidents/x.md": incident("title: T\n", "\t- at: x\n")},
         f"{INC}:4:1", "tab character", "spaces only"),
    Case("yaml-python-tag", {"incidents/x.md": incident(
        "title: !!python/object/apply:os.system ['touch pwned']\n")},
         f"{INC}:2:8", "YAML tags such as !!python/object/apply:os.system are not allowed",
         "remove the tag"),
    Case("yaml-custom-tag", {"incidents/x.md": incident("title: !secret T\n")},
         f"{INC}:2:8", "YAML tags such as !secret", "remove the tag"),
    Case("yaml-binary-tag", {"incidents/x.md": incident("title: !!binary aGk=\n")},
         f"{INC}:2:8", "!!binary are not allowed", "remove the tag"),
    Case("yaml-int-tag-on-text", {"incidents/x.md": incident('title: !!int "abc"\n')},
         f"{INC}:2:8", "YAML tags such as !!int are not allowed", "remove the tag"),
    Case("yaml-int-tag-on-empty", {"incidents/x.md": incident('title: !!int ""\n')},
         f"{INC}:2:8", "YAML tags such as !!int are not allowed", "remove the tag"),
    Case("yaml-bool-tag", {"incidents/x.md": incident('title: !!bool "maybe"\n')},
         f"{INC}:2:8", "YAML tags such as !!bool are not allowed", "remove the tag"),
    Case("yaml-str-tag", {"incidents/x.md": incident("title: !!str 5\n")},
         f"{INC}:2:8", "YAML tags such as !!str are not allowed", "remove the tag"),
    Case("yaml-seq-tag-on-text", {"incidents/x.md": incident("title: !!seq abc\n")},
         f"{INC}:2:8", "YAML tags such as !!seq are not allowed", "remove the tag"),
    Case("alias-bomb", {"incidents/x.md": f"---\n{BOMB}---\n"},
         f"{INC}:3:8", "anchors and aliases", "write the values out in full"),
    Case("merge-key", {"incidents/x.md": incident("title: T\n<<: {type: notice}\n")},
         f"{INC}:3:1", "merge keys", "write the values out in full"),
    Case("duplicate-key", {"incidents/x.md": incident("title: T\ntitle: U\n")},
         f"{INC}:3:1", "duplicate key 'title' (first on line 2)", "only once"),
    Case("unquoted-colon", {"incidents/x.md": incident("title: Status: degraded\n")},
         f"{INC}:2:14", "mapping values are not allowed", "quote text that contains ': '"),
    # --- the file ----------------------------------------------------------------------
    Case("empty-file", {"incidents/x.md": ""}, f"{INC}:1", "the file is empty", "start with"),
    Case("blank-file", {"incidents/x.md": "\n  \n"}, f"{INC}:1", "the file is empty",
         "start with"),
    Case("no-opening-dashes", {"incidents/x.md": "title: T\n"}, f"{INC}:1:1",
         "does not start with '---'", "between two '---' lines"),
    Case("no-closing-dashes", {"incidents/x.md": "---\ntitle: T\nupdates: []\n"},
         f"{INC}:1:1", "has no closing '---'", "add a line with just '---'"),
    Case("front-matter-empty", {"incidents/x.md": "---\n---\nBody\n"}, f"{INC}:2",
         "the front matter is empty", "add 'title:' and 'updates:'"),
    Case("front-matter-list", {"incidents/x.md": "---\n- title: T\n---\n"}, f"{INC}:2",
         "must be a mapping of keys to values, not a list", "key: value"),
    Case("front-matter-text", {"incidents/x.md": "---\njust some words\n---\n"}, f"{INC}:2",
         "must be a mapping of keys to values, not text", "key: value"),
    Case("not-utf8", {"incidents/x.md": b"---\ntitle: Caf\xe9\n---\n"}, f"{INC}:2:11",
         "not valid UTF-8 (byte 0xe9)", "UTF-8"),
    Case("control-character-in-body", {"incidents/x.md": incident("title: T\n") + "a\x07b\n"},
         f"{INC}:9:2", "the character U+0007, which text may not contain", "remove it"),
    Case("escaped-noncharacter", {"incidents/x.md": incident('title: "A\\ufffeB"\n')},
         f"{INC}:2:8", "'title' of the incident contains the character U+FFFE", "remove it"),
    Case("too-large", {"incidents/x.md": incident("title: T\n") + "x" * MAX_FILE_BYTES},
         INC, "larger than the limit", "link to large material"),
    Case("unsafe-slug", {"incidents/Bad Name!.md": incident("title: T\n")},
         "content/incidents/Bad Name!.md", "not a safe URL slug", "'bad-name.md'"),
    Case("dotted-slug", {"incidents/v1.2-rollout.md": incident("title: T\n")},
         "content/incidents/v1.2-rollout.md", "not a safe URL slug", "'v1-2-rollout.md'"),
    Case("slug-with-newline", {"incidents/m\n.md": incident("title: T\n")},
         "content/incidents/m\\n.md", "not a safe URL slug", "'m.md'"),
    Case("slug-forging-a-workflow-command", {
        "incidents/x\n::error file=README.md,line=1::Fake.md": incident("title: T\n")},
         "content/incidents/x\\n::error file=README.md,line=1::Fake.md",
         "not a safe URL slug", "'x-error-file-readme-md-line-1-fake.md'"),
    Case("stray-file", {"incidents/x.markdown": incident("title: T\n")},
         "content/incidents/x.markdown", "only .md files", "'x.md'"),
    # --- the front matter ----------------------------------------------------------------
    Case("missing-title", {"incidents/x.md": incident("type: incident\n")}, f"{INC}:2:1",
         "the incident has no 'title'", "add 'title: ...'"),
    Case("empty-title", {"incidents/x.md": incident('title: ""\n')}, f"{INC}:2:1",
         "'title' of the incident is empty", "write a title"),
    Case("boolean-title", {"incidents/x.md": incident("title: true\n")}, f"{INC}:2:8",
         "must be text, not the yes/no value true", 'quote it: title: "true"'),
    Case("list-title", {"incidents/x.md": incident("title: [a, b]\n")}, f"{INC}:2:8",
         "must be text, not a list", "one line of text"),
    Case("unknown-key", {"incidents/x.md": incident("title: T\ncomponent: {api: major_outage}\n")},
         f"{INC}:3:1", "unknown key 'component' in the front matter",
         "did you mean 'components'?"),
    Case("typo-hides-required-key", {"incidents/x.md": incident("titel: T\n")}, f"{INC}:2:1",
         "unknown key 'titel'", "did you mean 'title'?"),
    Case("unknown-key-far", {"incidents/x.md": incident("title: T\nseverity: high\n")},
         f"{INC}:3:1", "unknown key 'severity'", "allowed keys: title, type"),
    Case("unknown-type", {"incidents/x.md": incident("title: T\ntype: incidnet\n")},
         f"{INC}:3:7", "unknown type 'incidnet'", "did you mean 'incident'?"),
    Case("unknown-impact", {"incidents/x.md": incident("title: T\nimpact: huge\n")},
         f"{INC}:3:9", "unknown impact 'huge'", "use one of: none, maintenance"),
    Case("backfilled-yes", {"incidents/x.md": incident("title: T\nbackfilled: yes\n")},
         f"{INC}:3:13", "'backfilled' must be true or false", "yes/no are read as text"),
    Case("unknown-component", {"incidents/x.md": incident(
        "title: T\ncomponents:\n  apii: major_outage\n")},
         f"{INC}:4:3", "unknown component id 'apii'", "did you mean 'api'?"),
    Case("unknown-component-far", {"incidents/x.md": incident(
        "title: T\ncomponents: {payments: major_outage}\n")},
         f"{INC}:3:14", "unknown component id 'payments'", "known ids: api, docs, web"),
    Case("unknown-component-status", {"incidents/x.md": incident(
        "title: T\ncomponents:\n  api: down\n")},
         f"{INC}:4:8", "unknown component status 'down' for 'api'", "use one of: operational"),
    Case("component-status-typo", {"incidents/x.md": incident(
        "title: T\ncomponents:\n  api: major_outgae\n")},
         f"{INC}:4:8", "unknown component status 'major_outgae'", "did you mean 'major_outage'?"),
    Case("notice-with-components", {"incidents/x.md": incident(
        "title: T\ntype: notice\ncomponents: {api: major_outage}\n")},
         f"{INC}:4:1", "a notice affects no components", "remove 'components'"),
    # --- updates -----------------------------------------------------------------------
    Case("no-updates", {"incidents/x.md": "---\ntitle: T\n---\n"}, f"{INC}:2:1",
         "the incident has no 'updates'", "add 'updates:'"),
    Case("updates-empty", {"incidents/x.md": "---\ntitle: T\nupdates: []\n---\n"},
         f"{INC}:3:10", "at least one update", "status: investigating"),
    Case("update-not-mapping", {"incidents/x.md": incident("title: T\n", "  - just text\n")},
         f"{INC}:4:5", "update 1 must be a mapping", "'- at: ...'"),
    Case("unknown-update-status", {"incidents/x.md": incident(
        "title: T\n", UPDATE.replace("investigating", "investigatin"))},
         f"{INC}:5:13", "unknown incident status 'investigatin'",
         "did you mean 'investigating'?"),
    Case("maintenance-status-on-incident", {"incidents/x.md": incident(
        "title: T\n", UPDATE.replace("investigating", "scheduled"))},
         f"{INC}:5:13", "unknown incident status 'scheduled'", "'scheduled' is for maintenance"),
    Case("missing-message", {"incidents/x.md": incident(
        "title: T\n", "  - at: 2026-11-01T10:00:00Z\n    status: investigating\n")},
         f"{INC}:4:5", "update 1 has no 'message'", "add 'message: ...'"),
    Case("unparseable-timestamp", {"incidents/x.md": incident(
        "title: T\n", UPDATE.replace("2026-11-01T10:00:00Z", "yesterday at noon"))},
         f"{INC}:4:9", "'yesterday at noon' is not an ISO 8601 timestamp", "2026-05-11T14:02:00Z"),
    Case("impossible-date", {"incidents/x.md": incident(
        "title: T\n", UPDATE.replace("2026-11-01", "2026-02-30"))},
         f"{INC}:4:9", "is not an ISO 8601 timestamp", "ISO 8601"),
    Case("date-without-time", {"incidents/x.md": incident(
        "title: T\n", UPDATE.replace("2026-11-01T10:00:00Z", "2026-11-01"))},
         f"{INC}:4:9", "'2026-11-01' is a date without a time", "ISO 8601"),
    Case("timestamp-out-of-range", {"incidents/x.md": incident(
        "title: T\n", UPDATE.replace("2026-11-01T10:00:00Z", "0001-01-01T00:00:00+05:00"))},
         f"{INC}:4:9", "is outside the years 1970 to 8999", "ISO 8601"),
    Case("timestamp-before-1970-local", {"incidents/x.md": incident(
        "title: T\n", UPDATE.replace("2026-11-01T10:00:00Z", "0001-01-01T00:00:00"))},
         f"{INC}:4:9", "is outside the years 1970 to 8999", "ISO 8601"),
    Case("window-at-year-9999", {"incidents/x.md": incident(
        MAINT + "window: {start: 9999-12-31T22:00:00Z, end: 2026-11-02T00:00:00Z}\n",
        SCHEDULED)}, f"{INC}:4:17", "is outside the years 1970 to 8999", "ISO 8601"),
    Case("updates-out-of-order", {"incidents/x.md": incident(
        "title: T\n", UPDATE + RESOLVED.replace("2026-11-01T11", "2026-11-01T09"))},
         f"{INC}:7:9", "update 2 (2026-11-01 09:00 UTC) is earlier than update 1 above it",
         "oldest first"),
    Case("timestamp-after-now", {"incidents/x.md": incident(
        "title: T\n", UPDATE.replace("2026-11-01T10:00:00Z", "2026-11-27T02:30:00"))},
         f"{INC}:4:9", "update 1 is in the future (2026-11-27 01:30 UTC",
         "times without an offset are in Europe/Berlin"),
    Case("update-after-resolved", {"incidents/x.md": incident(
        "title: T\n", UPDATE + RESOLVED + RESOLVED.replace("resolved", "monitoring"))},
         f"{INC}:11:13", "update 3 ('monitoring') comes after the incident was resolved (line 8)",
         "only a 'postmortem' update may follow"),
    Case("postmortem-before-resolved", {"incidents/x.md": incident(
        "title: T\n", UPDATE + RESOLVED.replace("resolved", "postmortem"))},
         f"{INC}:8:13", "a postmortem before the incident was resolved",
         "add a 'resolved' update"),
    # --- maintenance -----------------------------------------------------------------
    Case("maintenance-without-window", {"incidents/x.md": incident(MAINT, SCHEDULED)},
         f"{INC}:2:1", "a maintenance needs a 'window'", "window: {start:"),
    Case("window-end-before-start", {"incidents/x.md": incident(
        MAINT + "window: {start: 2026-12-01T04:00:00Z, end: 2026-12-01T02:00:00Z}\n",
        SCHEDULED)},
         f"{INC}:4:44", "the window ends before it starts", "'end' must be later"),
    Case("window-empty", {"incidents/x.md": incident(
        MAINT + "window: {start: 2026-12-01T04:00:00Z, end: 2026-12-01T04:00:00Z}\n",
        SCHEDULED)},
         f"{INC}:4:44", "the window ends when it starts", "'end' must be later"),
    Case("window-on-incident", {"incidents/x.md": incident(
        "title: T\nwindow: {start: 2026-12-01T02:00:00Z, end: 2026-12-01T04:00:00Z}\n")},
         f"{INC}:3:1", "only a maintenance has a window, not an incident",
         "add 'type: maintenance'"),
    Case("incident-status-on-maintenance", {"incidents/x.md": incident(
        MAINT + "window: {start: 2026-12-01T02:00:00Z, end: 2026-12-01T04:00:00Z}\n")},
         f"{INC}:7:13", "unknown maintenance status 'investigating'",
         "'investigating' is for incidents and notices"),
    # --- site.yaml ---------------------------------------------------------------------
    Case("site-missing", {"site.yaml": None}, "content/site.yaml",
         "the site settings file is missing", "heliograph init"),
    Case("site-empty", {"site.yaml": ""}, "content/site.yaml:1", "site.yaml is empty",
         "'title: My Status'"),
    Case("site-not-mapping", {"site.yaml": "- title\n"}, "content/site.yaml:1",
         "must be a mapping of keys to values, not a list", "key: value"),
    Case("site-unknown-key", {"site.yaml": SITE + "timzone: UTC\n"}, "content/site.yaml:4:1",
         "unknown key 'timzone' in site.yaml", "did you mean 'timezone'?"),
    Case("site-missing-title", {"site.yaml": SITE.replace("title: Test Status\n", "")},
         "content/site.yaml:1:1", "site.yaml has no 'title'", "add 'title: ...'"),
    Case("site-bad-timezone", {"site.yaml": SITE.replace("Europe/Berlin", "Europe/Berln")},
         "content/site.yaml:3:11", "unknown time zone 'Europe/Berln'",
         "did you mean 'Europe/Berlin'?"),
    Case("site-bad-base-url", {"site.yaml": SITE.replace("https://status.test/", "status.test")},
         "content/site.yaml:2:11", "base_url 'status.test' is not an absolute http(s) URL",
         "https://status.example.com/"),
    Case("site-base-url-not-a-url", {"site.yaml": SITE.replace("https://status.test/",
                                                                '"https://[oops/"')},
         "content/site.yaml:2:11", "base_url 'https://[oops/' is not a valid URL", "write it like"),
    Case("site-localtime", {"site.yaml": SITE.replace("Europe/Berlin", "localtime")},
         "content/site.yaml:3:11", "unknown time zone 'localtime'", "IANA"),
    Case("site-posixrules", {"site.yaml": SITE.replace("Europe/Berlin", "posixrules")},
         "content/site.yaml:3:11", "unknown time zone 'posixrules'", ""),
    Case("site-factory-zone", {"site.yaml": SITE.replace("Europe/Berlin", "Factory")},
         "content/site.yaml:3:11", "unknown time zone 'Factory'", ""),
    Case("site-base-url-query", {"site.yaml": SITE.replace("status.test/", "status.test/?a=1")},
         "content/site.yaml:2:11", "has a query or fragment", "https://status.example.com/"),
    Case("site-history-days", {"site.yaml": SITE + "history_days: lots\n"},
         "content/site.yaml:4:15", "history_days must be a whole number", "history_days: 90"),
    Case("base-url-flag", {}, "--base-url", "base_url 'javascript:alert(1)' is not",
         "https://status.example.com/", args=("--base-url", "javascript:alert(1)"),
         command="build"),
    Case("now-flag", {}, "--now", "'soon' is not an ISO 8601 timestamp", "give --now as ISO",
         args=("--now", "soon")),
    # --- components.yaml ---------------------------------------------------------------
    Case("now-flag-year-9999", {}, "--now", "is outside the years 1970 to 8999",
         "give --now as ISO", args=("--now", "9999-12-31T00:00:00Z")),
    Case("components-missing", {"components.yaml": None}, "content/components.yaml",
         "the components file is missing", "'groups:'"),
    Case("component-bad-id", {"components.yaml": COMPONENTS.replace("id: web", "id: Web Site")},
         "content/components.yaml:7:13", "component id 'Web Site' is not a valid id",
         "(for example 'web-site')"),
    Case("component-id-trailing-newline", {"components.yaml": COMPONENTS.replace(
        "id: web", 'id: "web\\n"')}, "content/components.yaml:7:13",
         "is not a valid id", "lowercase letters"),
    Case("component-id-slash", {"components.yaml": COMPONENTS.replace("id: web", "id: ../web")},
         "content/components.yaml:7:13", "component id '../web' is not a valid id",
         "ids become URLs"),
    Case("component-boolean-id", {"components.yaml": COMPONENTS.replace("id: web", "id: true")},
         "content/components.yaml:7:13", "component id must be text, not the yes/no value true",
         'quote it: id: "true"'),
    Case("duplicate-id", {"components.yaml": COMPONENTS.replace("id: web", "id: api")},
         "content/components.yaml:7:13", "duplicate id 'api' (first used on line 5)",
         "its own id"),
    Case("group-component-same-id", {"components.yaml": COMPONENTS.replace("id: docs",
                                                                           "id: core")},
         "content/components.yaml:10:9", "duplicate id 'core' (first used on line 2)",
         "its own id"),
    Case("component-unknown-status", {"components.yaml": COMPONENTS.replace(
        "name: Docs", "name: Docs\n    status: slow")},
         "content/components.yaml:12:13", "unknown component status 'slow'",
         "use one of: operational"),
    Case("component-unknown-key", {"components.yaml": COMPONENTS.replace(
        "name: Docs", "name: Docs\n    descripton: d")},
         "content/components.yaml:12:5", "unknown key 'descripton' in a component",
         "did you mean 'description'?"),
    Case("component-name-typo", {"components.yaml": COMPONENTS.replace("name: Docs", "nme: D")},
         "content/components.yaml:11:5", "unknown key 'nme' in a component",
         "did you mean 'name'?"),
    Case("components-not-list", {"components.yaml": "components: {id: api}\n"},
         "content/components.yaml:1:13", "'components' must be a list, not a mapping",
         "'- id: ...'"),
]


def run_cli(capsys: pytest.CaptureFixture[str], source: Path, *args: str,
            command: str = "check") -> tuple[int, str]:
    """The exit status and the report: check's on stdout, build's errors on stderr."""
    argv = [command, "--source", str(source), *args]
    if command == "build":
        argv += ["--output", str(source / "public")]
    if "--now" not in args:
        argv += ["--now", NOW]
    code = main(argv)
    captured = capsys.readouterr()
    if command == "check":  # a linter's report: on stdout, with nothing on stderr
        assert captured.err == "", captured.err
        return code, captured.out
    return code, captured.err


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_one_clear_message_per_mistake(case: Case, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    source = write_site(tmp_path, case.files)
    code, err = run_cli(capsys, source, *case.args, command=case.command)
    assert code == 1, err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert len(errors) == 1, err
    location, _, message = errors[0].partition(": error: ")
    assert location == case.where, err
    assert case.message in message, err
    hint = err.split("\n    hint: ", 1)[1].splitlines()[0] if "hint: " in err else ""
    assert case.hint in hint, err


@pytest.mark.parametrize("case", [c for c in CASES if c.command == "check"],
                         ids=[c.id for c in CASES if c.command == "check"])
def test_build_reports_the_same_error(case: Case, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """`check` passing implies `build` passing: what check refuses, build refuses the same
    way (exit 1, same place), never with an internal error."""
    source = write_site(tmp_path, case.files)
    code, err = run_cli(capsys, source, *case.args, command="build")
    assert code == 1, err
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert [e.partition(": error: ")[0] for e in errors] == [case.where], err
    assert not (source / "public").exists()


def test_base_site_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Guards the table: every case fails because of its own change only."""
    write_site(tmp_path, {"incidents/ok.md": incident("title: T\n", UPDATE + RESOLVED)})
    code, err = run_cli(capsys, tmp_path)
    assert code == 0, err


def test_every_problem_is_reported_in_one_run(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    write_site(tmp_path, {
        "site.yaml": SITE + "langauge: en\n",
        "incidents/a.md": incident("title: T\ntype: incidnet\n"),
        "incidents/b.md": "",
    })
    code, err = run_cli(capsys, tmp_path)
    assert code == 1
    assert re.findall(r"^(\S+): error", err, re.M) == [
        "content/incidents/a.md:3:7", "content/incidents/b.md:1", "content/site.yaml:4:1"]
    assert "3 error(s)" in err


def test_broken_components_file_does_not_flood_incidents(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_site(tmp_path, {
        "components.yaml": "groups: [\n",
        "incidents/a.md": incident("title: T\ncomponents: {api: major_outage}\n"),
    })
    code, err = run_cli(capsys, tmp_path)
    assert code == 1
    assert err.count(": error: ") == 1 and "content/components.yaml:2:1" in err


def test_github_annotations_carry_line_and_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)  # paths from the source folder
    write_site(tmp_path, {"incidents/x.md": incident("title: T\ntype: incidnet\n")})
    assert main(["check", "--source", str(tmp_path), "--now", NOW, "--format", "github"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"::error file={INC},line=3,col=7,title=Heliograph error::"
                          "unknown type 'incidnet' Hint: did you mean 'incident'?")


def test_build_with_bad_content_writes_nothing(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    write_site(tmp_path / "repo", {"incidents/x.md": ""})
    out = tmp_path / "repo" / "public"
    code = main(["build", "--source", str(tmp_path / "repo"), "--output", str(out),
                 "--now", NOW])
    assert code == 1
    assert "nothing was written" in capsys.readouterr().err
    assert not out.exists() and sorted(p.name for p in (tmp_path / "repo").iterdir()) == [
        "content"]


# --- YAML 1.1 subtleties: what the author typed is what they get -------------------------

NORWAY = """\
groups:
  - id: no
    name: no
    components:
      - id: on
        name: On-call paging
      - id: 010
        name: 12:30
      - id: 123
        name: 1e3
components:
  - id: off
    name: yes
"""


def test_yaml_11_booleans_and_numbers_keep_their_text(tmp_path: Path) -> None:
    write_site(tmp_path, {"components.yaml": NORWAY, "incidents/x.md": incident(
        "title: no\ncomponents: {on: major_outage, 010: partial_outage, 123: operational}\n",
        UPDATE.replace("Looking.", "off"))})
    content = load_content(tmp_path, parse_timestamp(NOW, __import__("datetime").UTC))
    assert content.groups[0].id == "no" and content.groups[0].name == "no"
    assert [(c.id, c.name) for c in content.components] == [
        ("on", "On-call paging"), ("010", "12:30"), ("123", "1e3"), ("off", "yes")]
    only = content.incidents[0]
    assert only.title == "no" and only.updates[0].message == "off"
    assert only.components == (("on", "major_outage"), ("010", "partial_outage"),
                               ("123", "operational"))


# --- internal errors and hostile YAML at the process level -----------------------------

def test_internal_error_is_a_one_line_bug_report(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import generator.commands.build

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(generator.commands.build, "build", boom)
    monkeypatch.delenv("HELIOGRAPH_DEBUG", raising=False)
    code = main(["build", "--source", str(tmp_path), "--now", NOW])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "internal error (RuntimeError: simulated failure)" in err and "report" in err
    assert cli.BUG_HINT.split("(")[0] in err


def test_billion_laughs_is_refused_fast_with_bounded_memory(tmp_path: Path) -> None:
    """In a child process limited to 1 GiB of address space and 20 s: a bomb that would
    expand to 9**9 strings must be refused with exit 1 long before either limit."""
    write_site(tmp_path, {"incidents/x.md": f"---\n{BOMB}j: [*i, *i, *i, *i, *i]\n---\n"})
    limit = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30));"
        "from generator.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    result = subprocess.run(
        [sys.executable, "-c", limit, "check", "--source", str(tmp_path), "--now", NOW],
        capture_output=True, text=True, timeout=20, env=env)
    assert result.returncode == 1, result.stderr
    assert f"{INC}:3:8: error: anchors and aliases" in result.stdout
    assert result.stderr == ""


def test_python_tag_is_never_executed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "pwned"
    write_site(tmp_path, {"incidents/x.md": incident(
        f"title: !!python/object/apply:os.system ['touch {marker}']\n")})
    code, _ = run_cli(capsys, tmp_path)
    assert code == 1 and not marker.exists()


def test_deep_nesting_is_an_error_not_a_crash(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    write_site(tmp_path, {"incidents/x.md": "---\ntitle: " + "[" * 3000 + "]" * 3000
                          + "\n---\n"})
    code, err = run_cli(capsys, tmp_path)
    assert code == 1 and "YAML nesting is too deep" in err and "Traceback" not in err


def test_link_out_of_the_repository_is_refused(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(incident("title: Private\n"))
    repo = write_site(tmp_path / "repo", {})
    (repo / "content" / "incidents" / "leak.md").symlink_to(secret)
    code, err = run_cli(capsys, repo)
    assert code == 1
    assert "content/incidents/leak.md: error: the file is a link to something outside" in err


def test_link_within_the_repository_is_read(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """A link is followed when it stays inside the repository (the incidents folder is
    checked once; a file that is itself a link is resolved on its own)."""
    repo = write_site(tmp_path / "repo", {})
    (repo / "drafts").mkdir()
    (repo / "drafts" / "outage.md").write_text(incident("title: Linked in\n"))
    (repo / "content" / "incidents" / "outage.md").symlink_to(repo / "drafts" / "outage.md")
    code, err = run_cli(capsys, repo, command="build")
    assert code == 0, err
    assert "Linked in" in (repo / "public" / "incidents" / "outage" / "index.html").read_text()


def test_folder_named_like_an_incident_is_refused(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    repo = write_site(tmp_path / "repo", {})
    (repo / "content" / "incidents" / "outage.md").mkdir()
    code, err = run_cli(capsys, repo)
    assert code == 1
    assert "content/incidents/outage.md: error: this is not a regular file" in err


def catalogue_row(case: Case) -> str:
    file, position = re.fullmatch(r"(.*?)(?::(\d+(?::\d+)?))?", case.where).groups()
    cells = [case.id.replace("-", " "), f"`{file}`", position or "—", case.message, case.hint]
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def test_the_documented_catalogue_is_the_tested_one() -> None:
    """docs/guarantees.md shows this table; it must list exactly these cases."""
    doc = (Path(__file__).resolve().parent.parent / "docs" / "guarantees.md").read_text()
    rows = [line for line in doc.splitlines() if line.startswith("| ")
            and line.count(" | ") == 4 and not line.startswith(("| case ", "| --- "))]
    assert rows == [catalogue_row(c) for c in CASES]
