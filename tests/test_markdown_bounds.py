"""Markdown that would make Python-Markdown slow or crash is refused by the loader, with its
file and line, in `check` and in `build` alike (exit 1, never 2, never a hang).

Each case runs `python -m generator check` and `build` in subprocesses (the render budget
is a CPU-time timer of the process's main thread, as in CI). The slow inputs are chosen
to need at least ten times the budget, so the verdict does not depend on the machine.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main

NOW = "2026-11-27T01:00:00Z"
HANG_GUARD = 120  # seconds per command: only catches a hang, not a slowdown
COMMANDS = ("check", "build")
FILE = "content/incidents/2026-11-20-x.md"
SITE_YAML = "title: Test\nbase_url: https://status.test/\ntimezone: UTC\n"
COMPONENTS_YAML = "components:\n  - id: api\n    name: API\n"
MESSAGE_AT = f"{FILE}:6:14"  # the value of 'message:' in the front matter below
BODY_AT = f"{FILE}:8"  # the first line after the closing '---'
SLOW = "the Markdown takes more than 3 s to render"
DEEP = "the Markdown nests more than 100 levels deep"


def incident(message: str = "Fixed.", body: str = "") -> str:
    return ("---\ntitle: X\nupdates:\n  - at: 2026-11-20T10:00:00Z\n    status: resolved\n"
            f"    message: {json.dumps(message)}\n---\n{body}")


@dataclass(frozen=True)
class Case:
    id: str
    text: str  # the incident file
    error: str  # the one error line: "location: error: message"


CASES = [
    # Slow: quadratic in Python-Markdown (links, raw HTML, block splitting); '<http://' and
    # setext headings are the same families as '<a ' and '# a' (docs/performance.md).
    Case("brackets", incident(body="[" * 20_000), f"{BODY_AT}: error: the body (the Markdown "
         f"below the front matter): {SLOW}"),
    Case("brackets-message", incident("[" * 10_000), f"{MESSAGE_AT}: error: the message of "
         f"update 1: {SLOW}"),
    Case("open-links", incident(body="[a](" * 10_000), f"{BODY_AT}: error: the body (the "
         f"Markdown below the front matter): {SLOW}"),
    Case("open-tags", incident(body="<a " * 30_000), f"{BODY_AT}: error: the body (the "
         f"Markdown below the front matter): {SLOW}"),
    Case("heading-lines", incident(body="# a\n" * 24_000), f"{BODY_AT}: error: the body (the "
         f"Markdown below the front matter): {SLOW}"),
    # Deep: a RecursionError in Python-Markdown without the nesting limit.
    Case("ordered-list-markers", incident("1. " * 1000), f"{MESSAGE_AT}: error: the message of "
         f"update 1: {DEEP}"),
    Case("definition-items", incident(body="a\n: b\n" * 1000), f"{BODY_AT}: error: the body "
         f"(the Markdown below the front matter): {DEEP}"),
    Case("quotes", incident(body=">" * 20_000), f"{BODY_AT}: error: the body (the Markdown "
         f"below the front matter): {DEEP}"),
    Case("indented-lists", incident(body="".join("    " * i + "- x\n" for i in range(200))),
         f"{BODY_AT}: error: the body (the Markdown below the front matter): {DEEP}"),
    # Long.
    Case("long-message", incident("a" * 10_001), f"{MESSAGE_AT}: error: the message of update "
         "1 is 10,001 characters long, more than the limit of 10,000"),
    Case("long-body", incident(body="\n\n" + "a" * 100_001), f"{FILE}:10: error: the body "
         "(the Markdown below the front matter) is 100,001 characters long, more than the "
         "limit of 100,000"),
]


# Large but linear, or just within the limits: all in one site, each its own file.
FINE = {
    "stars": incident(body="*" * 50_000),
    "emphasis": incident(body="*a* " * 20_000),
    "table": incident(body="a|b\n-|-\n" + "x|[y](https://e.test/)\n" * 2_000),
    "comments": incident(body="<!--" * 20_000),
    "backticks": incident(body="`" * 50_000),
    "indented-lists-40": incident(body="".join("    " * i + "- x\n" for i in range(40))),
    "quotes-99": incident(body="> " * 99 + "x"),
    "definitions-blank": incident(body="Term\n: definition\n\n" * 2_000),
    "message-at-limit": incident("a " * 4_999 + "bc"),
    "body-at-limit": incident(body="ab\n\n" * 24_999 + "abcd"),
    # nh3 decodes references to characters XML forbids; feeds could not carry them.
    "forbidden-references": incident("Down &#1; now", body="&#xFFFE; and &#11;"),
}


def write_site(root: Path, files: dict[str, str]) -> Path:
    (root / "content" / "incidents").mkdir(parents=True)
    (root / "content" / "site.yaml").write_text(SITE_YAML)
    (root / "content" / "components.yaml").write_text(COMPONENTS_YAML)
    for name, text in files.items():
        (root / "content" / "incidents" / name).write_text(text)
    return root


def page(source: Path, name: str) -> Path:
    return source / "public" / "incidents" / name.removesuffix(".md") / "index.html"


@dataclass(frozen=True)
class Run:
    code: int | None  # None: did not finish within HANG_GUARD
    err: str
    source: Path


def run(command: str, source: Path) -> Run:
    argv = [sys.executable, "-m", "generator", command, "--source", str(source), "--now", NOW]
    if command == "build":
        argv += ["--output", str(source / "public")]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=HANG_GUARD,
                              check=False)
    except subprocess.TimeoutExpired:
        return Run(None, "", source)
    # check reports on stdout, build on stderr: the report is what matters here
    return Run(done.returncode, done.stdout + done.stderr, source)


def check_and_build(source: Path) -> dict[str, Run]:
    """Both commands at once on the same source (each is mostly one core's work)."""
    with ThreadPoolExecutor(2) as pool:
        return dict(zip(COMMANDS, pool.map(lambda command: run(command, source), COMMANDS),
                        strict=True))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_refused_with_file_and_line(case: Case, tmp_path: Path) -> None:
    source = write_site(tmp_path, {FILE.rsplit("/", 1)[1]: case.text})
    for command, result in check_and_build(source).items():
        assert result.code is not None, f"{command} did not finish in {HANG_GUARD} s"
        assert "Traceback" not in result.err and "internal error" not in result.err, result.err
        assert result.code == 1, (command, result.err)
        errors = [line for line in result.err.splitlines() if ": error: " in line]
        assert errors == [case.error], (command, result.err)
        assert "hint: " in result.err
    assert not (source / "public").exists()


@pytest.fixture(scope="module")
def fine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Run]]:
    source = write_site(tmp_path_factory.mktemp("fine"),
                        {f"2026-11-20-{name}.md": text for name, text in FINE.items()})
    return source, check_and_build(source)


@pytest.mark.parametrize("command", COMMANDS)
def test_large_but_linear_markdown_passes(command: str,
                                          fine: tuple[Path, dict[str, Run]]) -> None:
    result = fine[1][command]
    assert result.code == 0, result.err
    assert "error" not in result.err, result.err


def test_what_check_accepts_build_publishes(fine: tuple[Path, dict[str, Run]]) -> None:
    source = fine[0]
    for name in FINE:
        assert page(source, f"2026-11-20-{name}.md").is_file(), name
    table = page(source, "2026-11-20-table.md").read_text()
    assert table.count('<a href="https://e.test/" rel="nofollow noopener">y</a>') == 2_000
    references = page(source, "2026-11-20-forbidden-references.md").read_text()
    assert "<p>Down \ufffd now</p>" in references
    assert "<p>\ufffd and \ufffd</p>" in references


# --- random Markdown-ish text -------------------------------------------------------------

TOKENS = st.sampled_from(["[", "]", "(", ")", "![", "<a ", "<div>", "</div>", "<", ">", "> ",
                          "1. ", "- ", "* ", "*", "_", "**", "`", "```", "~~", "|", "-|-",
                          "#", "# ", "=", "---", ": ", "&#", "&amp;", "\\", "    ", "  ",
                          "\n", "\n\n", "word", "http://x.test", "[a](b)", "<!--", "-->"])
MARKDOWNISH = st.lists(TOKENS, max_size=120).map("".join)


def cli(command: str, source: Path) -> int:
    argv = [command, "--source", str(source), "--now", NOW]
    if command == "build":
        argv += ["--output", str(source / "public")]
    return main(argv)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=MARKDOWNISH, body=MARKDOWNISH, repeat=st.sampled_from([1, 1, 40, 400]))
def test_random_markdown_checks_and_builds_alike(tmp_path_factory: pytest.TempPathFactory,
                                                 message: str, body: str, repeat: int) -> None:
    source = write_site(tmp_path_factory.mktemp("fuzz"),
                        {"2026-11-20-x.md": incident(message or "x", body * repeat)})
    started = time.monotonic()
    checked = cli("check", source)
    built = cli("build", source)
    assert checked in (0, 1) and built in (0, 1)
    assert built == checked  # the same loader decides both
    assert time.monotonic() - started < HANG_GUARD
    if checked == 0:
        assert page(source, "2026-11-20-x.md").is_file()


def test_a_refusal_names_the_file_and_line_in_github_annotations(tmp_path: Path,
                                                                 capsys) -> None:
    source = write_site(tmp_path, {"2026-11-20-x.md": incident("1. " * 1000)})
    assert main(["check", "--source", str(source), "--now", NOW, "--format", "github"]) == 1
    out = capsys.readouterr()
    assert re.search(rf"::error file={re.escape(FILE)},line=6,col=14[^:]*::.*{DEEP}",
                     out.out + out.err), out
