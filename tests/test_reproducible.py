"""Same content + same --now => byte-identical output, whatever the hash seed, the
directory listing order or the process."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from building import make_site

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-27T01:00:00Z"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build_in_subprocess(out: Path, seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": "Pacific/Kiritimati" if seed == "1"
           else "America/Anchorage", "LC_ALL": "C"}
    subprocess.run([sys.executable, "-m", "generator", "build", "--source", str(REPO),
                    "--output", str(out), "--now", NOW], check=True, env=env,
                   capture_output=True, timeout=60)
    return tree(out)


def test_builds_in_separate_processes_are_byte_identical(tmp_path: Path) -> None:
    first = build_in_subprocess(tmp_path / "a", "1")
    second = build_in_subprocess(tmp_path / "b", "4242")
    assert len(first) > 20
    assert first.keys() == second.keys()
    differing = [path for path in first if first[path] != second[path]]
    assert differing == []


def test_directory_listing_order_does_not_matter(monkeypatch: pytest.MonkeyPatch) -> None:
    baseline = make_site(REPO, NOW).files
    real_iterdir, real_listdir, real_scandir = Path.iterdir, os.listdir, os.scandir
    rng = random.Random(7)

    def shuffled(items: list) -> list:  # type: ignore[type-arg]
        items = list(items)
        rng.shuffle(items)
        return items

    class ShuffledScandir:
        def __init__(self, *args: object) -> None:
            self.inner = real_scandir(*args)  # type: ignore[call-overload]

        def __enter__(self) -> object:
            return iter(shuffled(list(self.inner)))

        def __exit__(self, *exc: object) -> None:
            self.inner.close()

        def __iter__(self) -> object:
            return iter(shuffled(list(self.inner)))

    monkeypatch.setattr(Path, "iterdir", lambda self: iter(shuffled(list(real_iterdir(self)))))
    monkeypatch.setattr(os, "listdir", lambda *a: shuffled(real_listdir(*a)))
    monkeypatch.setattr(os, "scandir", ShuffledScandir)
    for _ in range(2):
        assert make_site(REPO, NOW).files == baseline


def test_same_process_builds_twice_identically() -> None:
    assert make_site(REPO, NOW).files == make_site(REPO, NOW).files


def test_a_different_now_changes_the_output() -> None:
    """Guards the tests above: the output really depends on its inputs."""
    assert make_site(REPO, NOW).files != make_site(REPO, "2026-11-28T01:00:00Z").files
