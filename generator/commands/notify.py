"""`heliograph notify`: tell subscribers what happened since the last run (docs/notify.md)."""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext
from pathlib import Path

from generator.notify.config import PATH, load_config
from generator.notify.deliver import Run, summary
from generator.notify.state import DEFAULT_PATH, load_state, locked
from generator.notify.transport import RetryPolicy
from generator.site.build import context, prepare


def main(args: argparse.Namespace) -> int:
    source = Path(args.source)
    content, state, renderer = prepare(source, args.now)
    # Every problem, a missing environment variable included, before anything is sent.
    config = load_config(source, {c.id for c in content.components})
    if config is None:
        why = "declares no channels" if (source / PATH).exists() else "does not exist"
        print(f"heliograph: notify: {PATH} {why}; nothing to send.", file=sys.stderr)
        return 0
    path = Path(args.state) if args.state else source / DEFAULT_PATH
    policy = RetryPolicy(args.attempts, args.retry_delay, args.timeout, args.time_limit)
    # A dry run writes nothing, not even the lock file.
    with nullcontext() if args.dry_run else locked(path):
        run = Run(context(content, state, renderer), config, load_state(path), policy,
                  args.dry_run)
        report = run.run()
    if args.dry_run:
        print("heliograph: notify: dry run; nothing was sent and the state file is "
              "unchanged.", file=sys.stderr)
    return summary(report, sys.stderr)
