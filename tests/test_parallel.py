"""Worker processes change how fast a site is built, never what is built."""

from __future__ import annotations

from pathlib import Path

import pytest
from building import make_site

from generator.content import load
from generator.site import build as build_module
from generator.site.build import build

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-27T01:00:00Z"


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_parallel_build_equals_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    serial = make_site(REPO, NOW, jobs=1).files
    # Force the worker path on the small example site.
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 0)
    monkeypatch.setattr(load, "PARALLEL_FROM", 0)
    assert make_site(REPO, NOW, jobs=2).files == serial
    result = build(REPO, tmp_path / "public", NOW, jobs=2)
    assert files_in(tmp_path / "public") == serial
    assert result.file_count == len(serial)


def test_parallel_load_reports_every_problem(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from generator.errors import ContentError

    shutil.copytree(REPO / "content", tmp_path / "content")
    for name in ("a", "b", "c"):
        (tmp_path / "content" / "incidents" / f"2026-01-01-{name}.md").write_text("no front")
    monkeypatch.setattr(load, "PARALLEL_FROM", 0)
    with pytest.raises(ContentError) as caught:
        make_site(tmp_path, NOW, jobs=2)
    assert sorted(p.file for p in caught.value.problems) == [
        f"content/incidents/2026-01-01-{n}.md" for n in "abc"]


def test_jobs_option_of_the_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    from generator.cli import main

    monkeypatch.setattr(build_module, "PARALLEL_FROM", 0)
    out = tmp_path / "public"
    assert main(["build", "--source", str(REPO), "--output", str(out), "--now", NOW,
                 "--jobs", "2"]) == 0
    assert files_in(out) == make_site(REPO, NOW).files
    assert "Built" in capsys.readouterr().out


def _slow_pid(index: int) -> tuple[int, int]:
    import os
    import time

    time.sleep(0.05)  # long enough for every process to take a task
    return index, os.getpid()


def test_fork_map_runs_each_task_once_in_this_process_and_its_workers() -> None:
    import os

    from generator.site.parallel import fork_map

    results = list(fork_map(_slow_pid, 8, 2))
    assert sorted(index for index, _ in results) == list(range(8))
    pids = {pid for _, pid in results}
    assert os.getpid() in pids and len(pids) == 2  # the parent works, with one worker


def test_fork_map_raises_a_failed_task_and_leaves_no_worker() -> None:
    import multiprocessing

    from generator.site.parallel import fork_map

    def work(index: int) -> int:
        if index == 5:
            raise ValueError("task 5 failed")
        return index

    for jobs in (2, 3):
        with pytest.raises(ValueError, match="task 5 failed"):
            list(fork_map(work, 8, jobs))
        assert multiprocessing.active_children() == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_fork_map_runs_meanwhile_once_in_this_process(jobs: int) -> None:
    import os

    from generator.site.parallel import fork_map

    ran: list[int] = []
    results = list(fork_map(_slow_pid, 6, jobs, meanwhile=lambda: ran.append(os.getpid())))
    assert ran == [os.getpid()]
    assert sorted(index for index, _ in results) == list(range(6))


def test_a_build_prepares_rendering_while_the_incidents_load(
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, ...]] = []
    real = build_module.ready_to_render
    monkeypatch.setattr(build_module, "ready_to_render",
                        lambda site: (seen.append(site.languages), real(site)))
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 0)
    monkeypatch.setattr(load, "PARALLEL_FROM", 0)
    assert make_site(REPO, NOW, jobs=2).files == make_site(REPO, NOW, jobs=1).files
    assert seen == [("en",), ("en",)]  # once per build, with the site's languages


def test_a_workers_theme_error_reaches_the_parent_with_its_file_and_line() -> None:
    import os
    import time

    from generator.site.parallel import fork_map
    from generator.theme.themes import ThemeError

    parent = os.getpid()

    def work(index: int) -> int:
        if os.getpid() != parent:
            raise ThemeError("template error: 'nope' is undefined", "incident.html", 7)
        return index

    # The parent waits first, so that the worker takes (and fails) a task.
    with pytest.raises(ThemeError) as caught:
        list(fork_map(work, 4, 2, meanwhile=lambda: time.sleep(0.3)))
    assert str(caught.value) == "incident.html:7: template error: 'nope' is undefined"


def test_a_worker_whose_parent_is_gone_stops_taking_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    from generator.site import parallel

    ran: list[int] = []
    monkeypatch.setattr(parallel, "_work", ran.append)
    monkeypatch.setattr(parallel, "_next", multiprocessing.Value("l", 0))
    receive, send = multiprocessing.Pipe(duplex=False)
    parallel._drain(5, send, parent=-1)  # not this process's parent: it is gone
    assert ran == []
    with pytest.raises(EOFError):  # nothing was sent, and the pipe is closed
        receive.recv()
