"""Content from a stranger's pull request: it may not read outside the repository, exhaust
memory or crash the build (docs/guarantees.md, "Hostile pull requests").

Every case runs the real command line: `check` and `build` both exit 1 naming the file
and line, or both succeed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_errors import NOW, SITE, UPDATE, incident, run_cli, write_site


def components(count: int) -> str:
    return "components:\n" + "".join(f"  - id: c{i}\n    name: C{i}\n" for i in range(count))


def errors_of(err: str) -> list[str]:
    return [line for line in err.splitlines() if ": error: " in line]


@pytest.mark.parametrize("command", ["check", "build"])
def test_more_than_a_thousand_components_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    write_site(tmp_path, {"components.yaml": components(1001)})
    code, err = run_cli(capsys, tmp_path, command=command)
    # The 1,001st component's id is on line 2 * 1000 + 2.
    assert code == 1
    assert errors_of(err) == ["content/components.yaml:2002:5: error: more than 1,000 "
                              "components"], err


@pytest.mark.parametrize("command", ["check", "build"])
def test_component_days_are_bounded(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    command: str) -> None:
    # 500 components x 201 days is past 100,000 component-days; 200 days is the most.
    write_site(tmp_path, {"components.yaml": components(500),
                          "site.yaml": SITE + "history_days: 201\n"})
    code, err = run_cli(capsys, tmp_path, command=command)
    assert code == 1
    assert errors_of(err) == ["content/site.yaml:4:15: error: history_days 201 is too many "
                              "for 500 components"], err
    assert "use at most 200" in err


def test_component_days_at_the_limit_are_accepted(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    write_site(tmp_path, {"components.yaml": components(500),
                          "site.yaml": SITE + "history_days: 200\n"})
    code, err = run_cli(capsys, tmp_path)
    assert code == 0, err


@pytest.mark.parametrize("command", ["check", "build"])
def test_linked_incidents_folder_outside_the_repo_is_not_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(incident("title: Private data\n"))
    repo = write_site(tmp_path / "repo", {})
    (repo / "content" / "incidents").rmdir()
    (repo / "content" / "incidents").symlink_to(outside)
    code, err = run_cli(capsys, repo, command=command)
    assert code == 1
    assert errors_of(err) == ["content/incidents/secret.md: error: the file is in a linked "
                              "folder that leads outside the repository"], err
    assert not (repo / "public").exists()


@pytest.mark.parametrize("command", ["check", "build"])
def test_linked_content_folder_outside_the_repo_is_not_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    elsewhere = write_site(tmp_path / "elsewhere", {"incidents/x.md": incident("title: T\n")})
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "content").symlink_to(elsewhere / "content")
    code, err = run_cli(capsys, repo, command=command)
    assert code == 1
    assert {e.partition(":")[0] for e in errors_of(err)} == {
        "content/site.yaml", "content/components.yaml", "content/incidents/x.md"}, err


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_very_long_number_is_text(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    command: str) -> None:
    """5,000 digits are past what Python converts to an int: the title stays text."""
    write_site(tmp_path, {"incidents/x.md": incident("title: " + "9" * 5000 + "\n")})
    code, err = run_cli(capsys, tmp_path, command=command)
    assert code == 0, err
    if command == "build":
        page = (tmp_path / "public" / "incidents" / "x" / "index.html").read_text()
        assert "9" * 5000 in page


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_long_number_where_a_number_is_needed(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str],
                                                command: str) -> None:
    write_site(tmp_path, {"site.yaml": SITE + "history_days: " + "9" * 5000 + "\n"})
    code, err = run_cli(capsys, tmp_path, command=command)
    assert code == 1
    assert errors_of(err) == ["content/site.yaml:4:15: error: history_days must be a whole "
                              "number from 1 to 3650"], err


def test_times_at_the_edges_of_the_supported_range_build(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """1970 in New York and a window ending late in 8999 in Berlin are fine; a build at the
    latest supported instant too."""
    early = UPDATE.replace("2026-11-01T10:00:00Z", "1970-01-01T05:00:00Z")
    write_site(tmp_path, {
        "site.yaml": SITE.replace("Europe/Berlin", "America/New_York"),
        "incidents/early.md": incident("title: Early\n", early),
        "incidents/late.md": incident(
            "title: Late\ntype: maintenance\n"
            "window: {start: 8999-12-31T20:00:00Z, end: 8999-12-31T23:59:59Z}\n",
            "  - {at: 2026-11-01T10:00:00Z, status: scheduled, message: Far away.}\n")})
    for now in (NOW, "8999-12-31T23:59:59Z"):
        code, err = run_cli(capsys, tmp_path, "--now", now, command="build")
        assert code == 0, err
