"""The exact text of each message that a field's rule gives: location, message and hint.

test_errors.py checks that each mistake gives one message, by substrings; these cases pin
the whole message and hint of every rule in the loader's field tables
(generator/content/fields.py), so that the tables give word for word what the
hand-written checks gave.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest
from sitefixtures import COMPONENTS_YAML as COMPONENTS

from generator.cli import main

NOW = "2026-11-27T01:00:00Z"
SITE = "title: Test Status\nbase_url: https://status.test/\ntimezone: Europe/Berlin\n"
UPDATE = "  - at: 2026-11-01T10:00:00Z\n    status: investigating\n    message: Looking.\n"
MAINT = "title: Upgrade\ntype: maintenance\n"
SCHEDULED = "  - at: 2026-11-01T10:00:00Z\n    status: scheduled\n    message: Soon.\n"
WINDOW = "window: {start: 2026-12-01T02:00:00Z, end: 2026-12-01T04:00:00Z}\n"


def incident(front: str, updates: str = UPDATE) -> str:
    return f"---\n{front}updates:\n{updates}---\nBody.\n"


class Pinned(NamedTuple):
    id: str
    files: dict[str, str]  # relative to content/, added to or replacing the valid base site
    where: str
    message: str
    hint: str


CASES = [
    Pinned("site-title-boolean", {"site.yaml": SITE.replace("Test Status", "true")},
           'content/site.yaml:1:8',
           "'title' of site.yaml must be text, not the yes/no value true",
           'quote it: title: "true"'),
    Pinned("site-title-list", {"site.yaml": SITE.replace("Test Status", "[a, b]")},
           'content/site.yaml:1:8',
           "'title' of site.yaml must be text, not a list",
           "write title as one line of text (quote it if it contains ': ')"),
    Pinned("site-title-empty", {"site.yaml": SITE.replace("Test Status", '""')},
           'content/site.yaml:1:1',
           "'title' of site.yaml is empty",
           'write a title'),
    Pinned("site-description-control", {"site.yaml": SITE + 'description: "a\\ab"\n'},
           'content/site.yaml:4:14',
           "'description' of site.yaml contains the character U+0007, which text may "
           'not contain',
           'remove it; it is invisible and feeds cannot carry it'),
    Pinned("site-timezone-number", {"site.yaml": SITE.replace("Europe/Berlin", "5")},
           'content/site.yaml:3:11',
           "unknown time zone '5'",
           'use an IANA name such as UTC, Europe/Berlin or America/New_York'),
    Pinned("site-history-days-zero", {"site.yaml": SITE + "history_days: 0\n"},
           'content/site.yaml:4:15',
           'history_days must be a whole number from 1 to 3650',
           "for example 'history_days: 90'"),
    Pinned("site-feed-entries-boolean", {"site.yaml": SITE + "feed_entries: true\n"},
           'content/site.yaml:4:15',
           'feed_entries must be a whole number from 1 to 10000',
           "for example 'feed_entries: 50'"),
    Pinned("site-page-size-too-big", {"site.yaml": SITE + "history_page_size: 1001\n"},
           'content/site.yaml:4:20',
           'history_page_size must be a whole number from 1 to 1000',
           "for example 'history_page_size: 25'"),
    Pinned("site-page-size-float", {"site.yaml": SITE + "history_page_size: 2.5\n"},
           'content/site.yaml:4:20',
           'history_page_size must be a whole number from 1 to 1000',
           "for example 'history_page_size: 25'"),
    Pinned("site-brand-color", {"site.yaml": SITE + "brand_color: red\n"},
           'content/site.yaml:4:14',
           "brand_color 'red' is not a #rrggbb colour",
           "write it like '#1f6feb' (quoted, because # starts a YAML comment)"),
    Pinned("site-language-code", {"site.yaml": SITE + "language: English\n"},
           'content/site.yaml:4:11',
           "language 'English' is not a language code",
           'use a code such as en or de'),
    Pinned("site-unknown-key-far", {"site.yaml": SITE + "colour: red\n"},
           'content/site.yaml:4:1',
           "unknown key 'colour' in site.yaml",
           'allowed keys: title, base_url, timezone, language, languages, description, '
           'theme, history_days, feed_entries, history_page_size, brand_color, logo, '
           'email_signup_url'),
    Pinned("site-key-number", {"site.yaml": SITE + "10: x\n"},
           'content/site.yaml:4:1',
           "unknown key '10' in site.yaml",
           'allowed keys: title, base_url, timezone, language, languages, description, '
           'theme, history_days, feed_entries, history_page_size, brand_color, logo, '
           'email_signup_url'),
    Pinned("component-no-name", {"components.yaml": COMPONENTS.replace("    name: Docs\n", "")},
           'content/components.yaml:10:5',
           "component 'docs' has no 'name'",
           "add 'name: ...'"),
    Pinned("component-empty-name",
           {"components.yaml": COMPONENTS.replace("name: Docs", "name: ''")},
           'content/components.yaml:11:5',
           "'name' of component 'docs' is empty",
           'write a name'),
    Pinned("component-no-id", {"components.yaml": COMPONENTS.replace("  - id: docs\n    name",
        "  - name")},
           'content/components.yaml:10:5',
           "component has no 'id'",
           "add 'id: short-name' ([a-z0-9-])"),
    Pinned("component-name-typo",
           {"components.yaml": COMPONENTS.replace("name: Docs", "nmae: Docs")},
           'content/components.yaml:11:5',
           "unknown key 'nmae' in a component",
           "did you mean 'name'?"),
    Pinned("component-status-number", {"components.yaml": COMPONENTS.replace(
        "name: Docs", "name: Docs\n    status: 5")},
           'content/components.yaml:12:13',
           "unknown component status '5'",
           'use one of: operational, under_maintenance, degraded_performance, '
           'partial_outage, major_outage'),
    Pinned("component-status-list", {"components.yaml": COMPONENTS.replace(
        "name: Docs", "name: Docs\n    status: [a]")},
           'content/components.yaml:12:13',
           "unknown component status 'a list'",
           'use one of: operational, under_maintenance, degraded_performance, '
           'partial_outage, major_outage'),
    Pinned("component-status-typo", {"components.yaml": COMPONENTS.replace(
        "name: Docs", "name: Docs\n    status: operatonal")},
           'content/components.yaml:12:13',
           "unknown component status 'operatonal'",
           "did you mean 'operational'?"),
    Pinned("component-note-boolean", {"components.yaml": COMPONENTS.replace(
        "name: Docs", "name: Docs\n    status_note: false")},
           'content/components.yaml:12:18',
           "'status_note' of component 'docs' must be text, not the yes/no value false",
           'quote it: status_note: "false"'),
    Pinned("component-hidden-text", {"components.yaml": COMPONENTS.replace(
        "name: Docs", "name: Docs\n    hidden: yes")},
           'content/components.yaml:12:13',
           "'hidden' of component 'docs' must be true or false",
           "write 'hidden: true' (yes/no are read as text)"),
    Pinned("component-sla-too-high", {"components.yaml": COMPONENTS.replace(
        "name: Docs", "name: Docs\n    sla: 100.5")},
           'content/components.yaml:12:10',
           "'sla' of component 'docs' must be a percentage more than 0 and at most "
           "100, not '100.5'",
           "write the uptime target as a number, e.g. 'sla: 99.9' (no % sign)"),
    Pinned("component-sla-percent", {"components.yaml": COMPONENTS.replace(
        "name: Docs", "name: Docs\n    sla: 99.9%")},
           'content/components.yaml:12:10',
           "'sla' of component 'docs' must be a percentage more than 0 and at most "
           "100, not '99.9%'",
           "write the uptime target as a number, e.g. 'sla: 99.9' (no % sign)"),
    Pinned("component-sla-boolean", {"components.yaml": COMPONENTS.replace(
        "name: Docs", "name: Docs\n    sla: true")},
           'content/components.yaml:12:10',
           "'sla' of component 'docs' must be a percentage more than 0 and at most "
           '100, not the yes/no value true',
           "write the uptime target as a number, e.g. 'sla: 99.9' (no % sign)"),
    Pinned("component-sla-list", {"components.yaml": COMPONENTS.replace(
        "name: Docs", "name: Docs\n    sla: [1]")},
           'content/components.yaml:12:10',
           "'sla' of component 'docs' must be a percentage more than 0 and at most "
           '100, not a list',
           "write the uptime target as a number, e.g. 'sla: 99.9' (no % sign)"),
    # A component or group without a valid id is not built: its description is not read.
    Pinned("component-bad-id-hides-description",
           {"components.yaml": COMPONENTS.replace(
               "id: docs\n    name: Docs", "id: Docs\n    name: Docs\n    description: [a]")},
           'content/components.yaml:10:9',
           "component id 'Docs' is not a valid id",
           "ids become URLs: use lowercase letters, digits and single '-' (for example 'docs')"),
    Pinned("group-bad-id-hides-description",
           {"components.yaml": COMPONENTS.replace(
               "id: core\n    name: Core", "id: 7 up\n    name: Core\n    description: [a]")},
           'content/components.yaml:2:9',
           "group id '7 up' is not a valid id",
           "ids become URLs: use lowercase letters, digits and single '-' (for example '7-up')"),
    Pinned("group-no-name", {"components.yaml": COMPONENTS.replace("    name: Core\n", "")},
           'content/components.yaml:2:5',
           "group 'core' has no 'name'",
           "add 'name: ...'"),
    Pinned("group-no-components", {"components.yaml": "groups:\n  - id: core\n    name: Core\n"},
           'content/components.yaml:2:5',
           "group 'core' has no 'components'",
           "list its components under 'components:'"),
    Pinned("group-description-list", {"components.yaml": COMPONENTS.replace(
        "name: Core", "name: Core\n    description: [a]")},
           'content/components.yaml:4:18',
           "'description' of group 'core' must be text, not a list",
           "write description as one line of text (quote it if it contains ': ')"),
    Pinned("group-unknown-key", {"components.yaml": COMPONENTS.replace(
        "name: Core", "name: Core\n    hidden: true")},
           'content/components.yaml:4:5',
           "unknown key 'hidden' in a group",
           'allowed keys: id, name, description, components'),
    Pinned("components-file-unknown-key", {"components.yaml": COMPONENTS + "group: []\n"},
           'content/components.yaml:12:1',
           "unknown key 'group' in components.yaml",
           "did you mean 'groups'?"),
    Pinned("incident-type-boolean", {"incidents/x.md": incident("title: T\ntype: true\n")},
           'content/incidents/x.md:3:7',
           "unknown type 'the yes/no value true'",
           'use one of: incident, maintenance, notice'),
    Pinned("incident-impact-maintenance",
           {"incidents/x.md": incident("title: T\nimpact: maintenance\n")},
           'content/incidents/x.md:3:9',
           "impact 'maintenance' is only for type maintenance",
           'use none, minor, major or critical'),
    Pinned("notice-impact", {"incidents/x.md": incident("title: T\ntype: notice\nimpact: major\n")},
           'content/incidents/x.md:4:9',
           "a notice has impact 'none'",
           "remove 'impact', or make it an incident"),
    Pinned("backfilled-quoted", {"incidents/x.md": incident("title: T\nbackfilled: 'true'\n")},
           'content/incidents/x.md:3:13',
           "'backfilled' must be true or false",
           "write 'backfilled: true' (yes/no are read as text)"),
    Pinned("title-number-is-text", {"incidents/x.md": incident("title: 010\nimpact: 1\n")},
           'content/incidents/x.md:3:9',
           "unknown impact '1'",
           'use one of: none, maintenance, minor, major, critical'),
    Pinned("update-no-at", {"incidents/x.md": incident("title: T\n", UPDATE.replace(
        "  - at: 2026-11-01T10:00:00Z\n    status", "  - status"))},
           'content/incidents/x.md:4:5',
           "update 1 has no 'at'",
           "add 'at: 2026-05-11T14:02:00Z' (ISO 8601)"),
    Pinned("update-no-status", {"incidents/x.md": incident("title: T\n", UPDATE.replace(
        "    status: investigating\n", ""))},
           'content/incidents/x.md:4:5',
           "update 1 has no 'status'",
           "add 'status: ...', one of: investigating, identified, monitoring, "
           'resolved, postmortem'),
    Pinned("update-status-boolean", {"incidents/x.md": incident("title: T\n", UPDATE.replace(
        "investigating", "false"))},
           'content/incidents/x.md:5:13',
           "unknown incident status 'the yes/no value false'",
           'use one of: investigating, identified, monitoring, resolved, postmortem'),
    Pinned("update-empty-message", {"incidents/x.md": incident("title: T\n", UPDATE.replace(
        "Looking.", "''"))},
           'content/incidents/x.md:6:5',
           "'message' of update 1 is empty",
           'write a message'),
    Pinned("update-message-typo", {"incidents/x.md": incident("title: T\n", UPDATE.replace(
        "message", "mesage"))},
           'content/incidents/x.md:6:5',
           "unknown key 'mesage' in update 1",
           "did you mean 'message'?"),
    Pinned("update-at-list", {"incidents/x.md": incident("title: T\n", UPDATE.replace(
        "2026-11-01T10:00:00Z", "[1]"))},
           'content/incidents/x.md:4:9',
           "'at' of update 1: [1] is not a timestamp",
           "write an ISO 8601 time such as 2026-05-11T14:02:00Z, or without 'Z' for "
           "the site's time zone"),
    Pinned("window-no-start", {"incidents/x.md": incident(MAINT + WINDOW.replace(
        "start: 2026-12-01T02:00:00Z, ", ""), SCHEDULED)},
           'content/incidents/x.md:4:9',
           "the window has no 'start'",
           "add 'start: 2026-05-11T14:02:00Z' (ISO 8601)"),
    Pinned("window-start-text", {"incidents/x.md": incident(MAINT + WINDOW.replace(
        "2026-12-01T02:00:00Z", "soon"), SCHEDULED)},
           'content/incidents/x.md:4:17',
           "'start' of the window: 'soon' is not an ISO 8601 timestamp",
           "write an ISO 8601 time such as 2026-05-11T14:02:00Z, or without 'Z' for "
           "the site's time zone"),
    Pinned("window-end-typo", {"incidents/x.md": incident(MAINT + WINDOW.replace("end:", "ned:"),
        SCHEDULED)},
           'content/incidents/x.md:4:39',
           "unknown key 'ned' in the window",
           "did you mean 'end'?"),
    Pinned("window-text", {"incidents/x.md": incident(MAINT + "window: tonight\n", SCHEDULED)},
           'content/incidents/x.md:4:9',
           "'window' must have 'start' and 'end'",
           "write 'window: {start: ..., end: ...}'"),
    Pinned("notice-until-text",
           {"incidents/x.md": incident("title: T\ntype: notice\nuntil: soon\n")},
           'content/incidents/x.md:4:8',
           "'until' of the notice: 'soon' is not an ISO 8601 timestamp",
           "write an ISO 8601 time such as 2026-05-11T14:02:00Z, or without 'Z' for "
           "the site's time zone"),
    Pinned("postmortem-url-ftp", {"incidents/x.md": incident(
        "title: T\npostmortem_url: ftp://example.com/x\n")},
           'content/incidents/x.md:3:17',
           "postmortem_url 'ftp://example.com/x' is not an absolute http(s) URL",
           'give the full address of the postmortem, e.g. '
           'https://blog.example.com/2026/11/api-outage'),
    Pinned("postmortem-url-boolean",
           {"incidents/x.md": incident("title: T\npostmortem_url: true\n")},
           'content/incidents/x.md:3:17',
           "'postmortem_url' of the incident must be text, not the yes/no value true",
           'quote it: postmortem_url: "true"'),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_whole_message(case: Pinned, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    files = {"site.yaml": SITE, "components.yaml": COMPONENTS, **case.files}
    for rel, text in files.items():
        path = tmp_path / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    code = main(["check", "--source", str(tmp_path), "--now", NOW])
    report = capsys.readouterr().out
    assert code == 1
    lines = report.splitlines()
    assert lines[:2] == [f"{case.where}: error: {case.message}", f"    hint: {case.hint}"]
    assert sum(": error: " in line for line in lines) == 1, report
