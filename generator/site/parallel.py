"""Running independent work in forked worker processes.

Forked workers inherit the parent's memory (content, state, compiled templates), so only
task numbers and results cross process boundaries. Used for cold builds of large sites;
the dev server works in-process (forking a threaded server is unsafe).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

R = TypeVar("R")
Files = dict[str, bytes]
Task = Callable[[], Files]

# What the forked workers run. Set just before the pool forks and read by the children:
# that is how a closure reaches them without being pickled.
_work: Callable[[int], Any] | None = None


def default_jobs() -> int:
    """Worker processes to use: the CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _call(index: int) -> Any:
    assert _work is not None
    return _work(index)


def fork_map(work: Callable[[int], R], count: int, jobs: int) -> Iterator[R]:
    """work(0) ... work(count - 1), in `jobs` forked workers; results in any order."""
    global _work
    if jobs > 1 and count > 1:
        import multiprocessing  # here: small sites and `check` never fork (~8 ms to import)

        if "fork" in multiprocessing.get_all_start_methods():
            _work = work
            try:
                with multiprocessing.get_context("fork").Pool(min(jobs, count)) as pool:
                    yield from pool.imap_unordered(_call, range(count))
            finally:
                _work = None
            return
    yield from map(work, range(count))


def run_tasks(tasks: list[Task], jobs: int) -> Files:
    """All tasks' files, merged."""
    files: Files = {}
    for result in fork_map(lambda i: tasks[i](), len(tasks), jobs):
        files.update(result)
    return files
