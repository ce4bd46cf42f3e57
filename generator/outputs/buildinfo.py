"""`build.json`, which every build publishes: when the site was built, and when the clock
next changes it (`heliograph due` and the scheduled rebuild read it; docs/authoring.md)."""

from __future__ import annotations

import json

from generator.content.timeutil import iso
from generator.outputs.context import Context
from generator.state.derive import State
from generator.state.timeline import next_clock_change

BUILD_INFO = "build.json"


def build_info(state: State) -> bytes:
    """The build's own instant and the next one at which the clock changes the site."""
    upcoming = next_clock_change(state.timelines, state.now, state.clock)
    document = {"generated_at": iso(state.now),
                "next_change": iso(upcoming) if upcoming else None}
    return (json.dumps(document, indent=2) + "\n").encode()


def build_files(ctx: Context) -> dict[str, bytes]:
    return {BUILD_INFO: build_info(ctx.state)}


