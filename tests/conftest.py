"""Fixtures shared by the tests."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from sitefixtures import build

from generator.cli import main


@pytest.fixture
def site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A status page repo made by `heliograph init` (tests may override `site`)."""
    root = tmp_path / "site"
    assert main(["init", str(root)]) == 0
    capsys.readouterr()
    return root


@pytest.fixture
def no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard input that is not a terminal: commands must not prompt."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory):
    """The repo's example site, built once (sitefixtures caches it)."""
    return build("example", tmp_path_factory)
