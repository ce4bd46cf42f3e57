"""Fuzzing the loader through the real command line: random front matter and Markdown.

Whatever a pull request holds, `check` and `build` exit 0 or 1 (never 2, the internal
error), `check` passing implies `build` passing, and each case ends in bounded time.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_errors import NOW, write_site

from generator.cli import main

KEYS = ["title", "type", "impact", "backfilled", "components", "updates", "window", "at",
        "status", "message", "start", "end", "api", "web", "docs"]
WORDS = ["incident", "maintenance", "notice", "investigating", "resolved", "postmortem",
         "scheduled", "in_progress", "completed", "major_outage", "partial_outage",
         "operational", "under_maintenance", "none", "minor", "critical", "true", "false",
         "2026-11-01T10:00:00Z", "2026-11-01T11:00:00", "9999-12-31T23:59:59Z",
         "0001-01-01T00:00:00Z", "2026-02-30T10:00:00Z", "", "~", "null", "0x1F", "1e400",
         "9" * 40, "-1", ".inf", "&a", "*a", "!!int", "!!str", "!!binary", "<<", "|", ">",
         "'", '"', "{", "[", "#", ":", "- ", "\t"]
SCALARS = st.one_of(st.sampled_from(WORDS), st.text(max_size=12), st.integers(),
                    st.booleans(), st.none())
PIECES = [*"ab <>[]()*_`#>-!|:~\\&;\n 1.",
          "<script>", "](javascript:x)", "<a href=", "```", "    ", "1. ", "> ", "&#106;", "\n\n"]
MARKDOWN = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def yaml_value(depth: int = 2) -> st.SearchStrategy[str]:
    """YAML text: scalars written every which way, flow and block collections."""
    scalar = SCALARS.map(lambda v: str(v) if not isinstance(v, str) else v)
    quoted = st.text(max_size=10).map(lambda s: '"' + s.replace("\\", "\\\\")
                                      .replace('"', '\\"') + '"')
    tag = st.one_of(st.just(""), st.sampled_from(
        ["!!int ", "!!str ", "!!bool ", "!!float ", "!!seq ", "!!map ", "!!null ",
         "!!timestamp ", "!!binary ", "! ", "!x ", "&a ", "*a "]))
    leaf = st.tuples(tag, st.one_of(scalar, quoted)).map("".join)
    if depth == 0:
        return leaf
    inner = yaml_value(depth - 1)
    flow_map = st.lists(st.tuples(st.sampled_from(KEYS), inner), max_size=4).map(
        lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}")
    flow_seq = st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]")
    return st.one_of(leaf, flow_map, flow_seq)


def update_item() -> st.SearchStrategy[str]:
    return st.fixed_dictionaries({
        "at": st.sampled_from(["2026-11-01T10:00:00Z", "2026-11-01T12:00:00+02:00",
                               "2026-11-20T09:00:00", "2027-01-01T00:00:00Z", "x"]),
        "status": st.sampled_from(["investigating", "identified", "monitoring", "resolved",
                                   "postmortem", "scheduled", "in_progress", "completed",
                                   "bogus"]),
        "message": MARKDOWN,
    }).map(lambda u: f"  - at: {u['at']}\n    status: {u['status']}\n    message: "
                     f"{_block(u['message'])}")


def _block(text: str) -> str:
    """Markdown as a YAML literal block, the way authors write long messages."""
    lines = text.split("\n")
    return "|\n" + "".join(f"      {line}\n" for line in lines)


FRONT = st.one_of(
    # Mostly well-formed entries with random values, so that validation goes deep...
    st.tuples(
        st.one_of(st.just("Title"), yaml_value(0)),
        st.sampled_from(["incident", "maintenance", "notice", "bogus"]),
        st.one_of(st.just(""), yaml_value(1).map(lambda v: f"components: {v}\n"),
                  st.just("components: {api: major_outage, web: degraded_performance}\n")),
        st.one_of(st.just(""), st.just("window: {start: 2026-11-01T09:00:00Z, "
                                       "end: 2026-11-01T13:00:00Z}\n"),
                  yaml_value(1).map(lambda v: f"window: {v}\n")),
        st.lists(update_item(), min_size=0, max_size=3),
    ).map(lambda p: f"title: {p[0]}\ntype: {p[1]}\n{p[2]}{p[3]}updates:\n" + "".join(p[4])),
    # ...and arbitrary keys and values.
    st.lists(st.tuples(st.sampled_from(KEYS), yaml_value()), max_size=6).map(
        lambda kv: "".join(f"{k}: {v}\n" for k, v in kv)),
)


def run(command: str, source: Path) -> int:
    argv = [command, "--source", str(source), "--now", NOW]
    if command == "build":
        argv += ["--output", str(source / "public")]
    return main(argv)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(front=FRONT, body=MARKDOWN)
def test_random_content_never_crashes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      front: str, body: str) -> None:
    source = tmp_path / "site"
    shutil.rmtree(source, ignore_errors=True)
    write_site(source, {"incidents/x.md": f"---\n{front}---\n{body}\n"})
    started = time.monotonic()
    checked = run("check", source)
    built = run("build", source)
    err = capsys.readouterr().err
    assert "internal error" not in err and "Traceback" not in err, err
    assert checked in (0, 1) and built in (0, 1), err
    if checked == 0:
        assert built == 0, err
    # A hang guard, not a benchmark: a tiny site takes well under a second.
    assert time.monotonic() - started < 30
