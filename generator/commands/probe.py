"""`heliograph probe`: run every component's check, record the results, and open, update
and resolve automated incidents from them (docs/probes.md)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from generator.commands.authoring import open_repo, parse_time, user_error
from generator.content.load import load_content
from generator.content.model import Component
from generator.content.timeutil import utc_now
from generator.errors import ContentError, Problem
from generator.probes import store
from generator.probes.engine import (
    MissingSecret,
    Task,
    environment,
    headers_of,
    run_all,
    run_check,
)
from generator.probes.incidents import Incidents
from generator.probes.store import Result

DEFAULT_JOBS = 8
DEFAULT_BUDGET = 240.0  # seconds: well inside a 5-minute schedule


def main(args: argparse.Namespace) -> int:
    source = Path(args.source)
    repo = open_repo(source)
    now = (parse_time(args.now, repo.site, "--now") if args.now else utc_now()).astimezone(UTC)
    if args.jobs is not None and args.jobs < 1:
        raise user_error("--jobs", "--jobs must be at least 1")
    if args.budget is not None and not 1 <= args.budget <= 3600:
        raise user_error("--budget", "--budget must be from 1 to 3600 seconds")
    checked = [c for c in repo.components if c.check is not None]
    if not checked:
        print("probe: no component has a 'check:' in content/components.yaml "
              "(docs/probes.md)")
        return 0
    problems: list[Problem] = []
    tasks: dict[str, Task] = {}
    env = environment()
    for component in checked:
        assert component.check is not None
        try:
            headers = headers_of(component.check, env)
        except MissingSecret as exc:
            problems.append(Problem("content/components.yaml", component.check.line, None,
                                    f"the check of '{component.id}' needs the environment "
                                    f"variable {exc.name}, which {exc.reason}; it was not run",
                                    "set it in the workflow's env (from a secret)"))
            continue
        tasks[component.id] = partial(_run, component, now=now, headers=headers)
    results = run_all(tasks, args.jobs or DEFAULT_JOBS, args.budget or DEFAULT_BUDGET)
    for component in checked:
        result = results.get(component.id)
        if result is None:
            if component.id in tasks:
                print(f"probe: {component.id}: not run, the run's budget was spent",
                      file=sys.stderr)
            continue
        try:
            store.append(source, component.id, now, result)
        except store.StoreError as exc:
            problems.append(Problem(exc.rel, exc.line, None, str(exc),
                                    "replace the link with a plain folder"))
            results[component.id] = None
            continue
        detail = f" ({result.error})" if result.error else ""
        print(f"{component.id}: {result.state}, {result.ms} ms{detail}")
    problems += _incidents(source, checked, results, now)
    if problems:
        raise ContentError(problems)
    return 0


def _run(component: Component, deadline: float, now: datetime,
         headers: dict[str, str]) -> Result:
    assert component.check is not None
    return run_check(component.check, deadline, now, headers)


def _incidents(source: Path, checked: list[Component], results: dict[str, Result | None],
               now: datetime) -> list[Problem]:
    """Open, update or resolve incident files from the stored results."""
    content = load_content(source, now)
    repo = open_repo(source)
    incidents = Incidents(repo, content, now)
    problems = []
    for component in checked:
        if results.get(component.id) is None:
            continue
        assert component.check is not None
        check = component.check
        try:
            history = store.latest(source, component.id, max(check.failures, check.successes))
            change = incidents.apply(component, history)
        except store.StoreError as exc:
            problems.append(Problem(exc.rel, exc.line, None, str(exc), "probe results are "
                                    "written by heliograph probe; restore them from git"))
            continue
        if change is not None:
            rel = change.path.relative_to(source).as_posix()
            print(f"{rel}: {change.what}")
    return problems
