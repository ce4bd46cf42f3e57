"""The README starts with the two commands a newcomer runs; CI runs the second one."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    block = (REPO / "README.md").read_text().split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines()]


def test_the_readme_starts_with_a_build_command_and_a_test_command() -> None:
    build, test = readme_commands()
    # A virtual environment first: Debian's and Ubuntu's Python refuse pip installs (PEP 668).
    assert build == "python3 -m venv .venv && . .venv/bin/activate && pip install . " \
                    "&& heliograph build"
    assert test.startswith("python3 -m venv .venv && . .venv/bin/activate && pip install")
    assert test.endswith("pytest")


def test_ci_runs_the_readme_s_test_command_exactly() -> None:
    last = (REPO / ".ci" / "run").read_text().rstrip("\n").splitlines()[-1]
    assert last == readme_commands()[1]
