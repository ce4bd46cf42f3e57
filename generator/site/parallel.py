"""Running independent work in this process and forked worker processes.

Forked workers inherit the parent's memory (content, state, compiled templates), so only
task numbers and results cross process boundaries. The parent works too, rather than
waiting: its own results are never pickled, and one process fewer is forked. Used for
cold builds of large sites; the dev server works in-process (forking a threaded server
is unsafe).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.sharedctypes import Synchronized

R = TypeVar("R")
Files = dict[str, bytes]
Task = Callable[[], Files]

# What the forked workers run, and the shared number of the next task to take. Set just
# before the workers fork and read by them: that is how a closure reaches them without
# being pickled.
_work: Callable[[int], Any] | None = None
_next: Synchronized[int] | None = None


def default_jobs() -> int:
    """Worker processes to use: the CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _taken(count: int) -> Iterator[int]:
    """Task numbers, each handed to exactly one process, until none is left."""
    assert _next is not None
    while True:
        with _next.get_lock():
            index = _next.value
            _next.value = index + 1
        if index >= count:
            return
        yield index


def _drain(count: int, conn: Connection, parent: int) -> None:
    """A worker: run tasks until none is left, then send the results (or the error). It
    stops early if the parent is gone (a CI job's timeout killed it): nobody would read
    what it makes."""
    assert _work is not None
    results = []
    try:
        for index in _taken(count):
            if os.getppid() != parent:
                return
            results.append(_work(index))
        conn.send((True, results))
    except BaseException as exc:  # the parent raises it, as if its own task had failed
        conn.send((False, exc))
    finally:
        conn.close()


def fork_map(work: Callable[[int], R], count: int, jobs: int,
             meanwhile: Callable[[], None] | None = None) -> Iterator[R]:
    """work(0) ... work(count - 1), in this process and `jobs - 1` forked workers, which
    take the next task as they become free; results in any order. `meanwhile` runs once
    in this process, once the workers have started: they take more of the tasks."""
    global _work, _next
    if jobs < 2 or count < 2:
        yield from _serial(work, count, meanwhile)
        return
    import multiprocessing  # here: small sites and `check` never fork (~8 ms to import)

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from _serial(work, count, meanwhile)
        return
    context = multiprocessing.get_context("fork")
    _work, _next = work, context.Value("l", 0)
    workers: list[tuple[Any, Connection]] = []
    finished = False
    try:
        for _ in range(min(jobs, count) - 1):
            receive, send = context.Pipe(duplex=False)
            worker = context.Process(target=_drain, args=(count, send, os.getpid()),
                                     daemon=True)
            worker.start()
            send.close()
            workers.append((worker, receive))
        if meanwhile is not None:
            meanwhile()
        for index in _taken(count):
            yield work(index)
        for _, receive in workers:
            ok, results = receive.recv()
            if not ok:
                raise results
            yield from results
        finished = True
    finally:
        _work, _next = None, None
        for worker, _ in workers:
            if not finished:
                worker.terminate()  # a task failed: the other workers stop too
            worker.join()


def _serial(work: Callable[[int], R], count: int,
            meanwhile: Callable[[], None] | None) -> Iterator[R]:
    if meanwhile is not None:
        meanwhile()
    yield from map(work, range(count))


def run_tasks(tasks: list[Task], jobs: int) -> Files:
    """All tasks' files, merged."""
    files: Files = {}
    for result in fork_map(lambda i: tasks[i](), len(tasks), jobs):
        files.update(result)
    return files
