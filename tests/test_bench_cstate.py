"""bench/cstate.py: the benchmark's incidents told in cState's front matter, so that the
same-run comparison with cState on Hugo builds the same facts. No Hugo needed: only the
written site is checked, through the script's command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def issues(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cstate") / "site100"
    # 100 entries of seed 1, the ones `generate.py 100` writes as Heliograph files.
    subprocess.run(
        [sys.executable, str(BENCH / "cstate.py"), "100", str(out)], check=True, timeout=60
    )
    return out / "site" / "content" / "issues"


def front_matter(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("---\n")[1]


def test_one_file_per_generated_entry(issues: Path) -> None:
    assert len(list(issues.glob("*.md"))) == 100


def test_resolved_incident_with_postmortem(issues: Path) -> None:
    # Heliograph file: cdn and api degraded_performance, database partial_outage, billing
    # major_outage; updates investigating 22:35, identified 22:48 and 23:02, resolved
    # 2025-07-11T00:13, postmortem 2025-07-15T18:09. The worst status gives the severity;
    # the resolved update, not the later postmortem, gives resolvedWhen.
    path = issues / "2025-07-10-elevated-error-rates-for-cached-asset-requests.md"
    assert front_matter(path) == (
        'title: "Elevated error rates for cached asset requests"\n'
        "date: 2025-07-10T22:35:00Z\n"
        "resolved: true\n"
        "resolvedWhen: 2025-07-11T00:13:00Z\n"
        "severity: down\n"
        "affected:\n"
        '  - "CDN"\n'
        '  - "Public API"\n'
        '  - "Managed databases"\n'
        '  - "Billing"\n'
        "section: issue\n"
    )
    body = path.read_text(encoding="utf-8").split("---\n", 2)[2]
    # Newest update first, each with its time in cState's track shortcode; the
    # postmortem body after a rule.
    assert body.startswith(
        "\n*Postmortem* - The postmortem for this incident is now available below. "
        '{{< track "2025-07-15T18:09:00Z" >}}\n\n*Resolved* - '
    )
    assert "\n\n---\n\n## Postmortem\n\n### Summary\n\n" in body


def test_open_incident_is_unresolved(issues: Path) -> None:
    # Heliograph file: search partial_outage, webhooks and database degraded_performance;
    # updates from 22:47 to 23:43, none resolved.
    path = issues / "2026-11-26-elevated-error-rates-for-search-queries.md"
    assert front_matter(path) == (
        'title: "Elevated error rates for search queries"\n'
        "date: 2026-11-26T22:47:00Z\n"
        "resolved: false\n"
        "severity: disrupted\n"
        "affected:\n"
        '  - "Search"\n'
        '  - "Webhooks"\n'
        '  - "Managed databases"\n'
        "section: issue\n"
    )


def test_maintenance_is_dated_by_its_window(issues: Path) -> None:
    # Heliograph file: window 2025-08-24 22:00 to 00:00, first update (scheduled) on
    # 2025-08-11, completed at 2025-08-25T00:05; cdn under_maintenance.
    path = issues / "2025-08-24-network-maintenance-in-eu-west.md"
    assert front_matter(path) == (
        'title: "Network maintenance in eu-west"\n'
        "date: 2025-08-24T22:00:00Z\n"
        "resolved: true\n"
        "resolvedWhen: 2025-08-25T00:05:00Z\n"
        "severity: notice\n"
        "affected:\n"
        '  - "CDN"\n'
        "section: issue\n"
    )


def test_upcoming_maintenance_is_unresolved_in_the_future(issues: Path) -> None:
    # Heliograph file: window 2026-12-15 06:30 to 08:00 (after --now), three scheduled
    # updates; email and cdn under_maintenance.
    path = issues / "2026-12-15-certificate-rotation-for-email-delivery.md"
    assert front_matter(path) == (
        'title: "Certificate rotation for Email delivery"\n'
        "date: 2026-12-15T06:30:00Z\n"
        "resolved: false\n"
        "severity: notice\n"
        "affected:\n"
        '  - "Email delivery"\n'
        '  - "CDN"\n'
        "section: issue\n"
    )


def test_notice_is_informational(issues: Path) -> None:
    # Heliograph notice: no components; identified 2021-03-21T07:19, resolved two days on.
    path = issues / "2021-03-21-deprecation-of-api-version-4.md"
    assert front_matter(path) == (
        'title: "Deprecation of API version 4"\n'
        "date: 2021-03-21T07:19:00Z\n"
        "informational: true\n"
        "section: issue\n"
    )
