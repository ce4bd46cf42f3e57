"""Atomic output: the previous site survives every failure byte for byte, and nothing
outside the output folder is ever touched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest
from building import make_site, write_site

from generator.cli import main
from generator.site import write as output
from generator.site.build import build
from generator.site.write import OutputError, check_output_dir

NOW = "2026-11-27T01:00:00Z"
SITE = "title: Test Status\nbase_url: https://status.test/\ntimezone: UTC\n"
COMPONENTS = "components:\n  - id: api\n    name: API\n"
INCIDENT = """\
---
title: API errors
components: {api: major_outage}
updates:
  - at: 2026-11-20T10:00:00Z
    status: investigating
    message: Looking.
---
"""


def repo(root: Path) -> Path:
    (root / "content" / "incidents").mkdir(parents=True)
    (root / "content" / "site.yaml").write_text(SITE)
    (root / "content" / "components.yaml").write_text(COMPONENTS)
    (root / "content" / "incidents" / "a.md").write_text(INCIDENT)
    return root


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def siblings(folder: Path) -> list[str]:
    """Temporary folders of the swap left next to `folder`."""
    return sorted(p.name for p in folder.parent.iterdir()
                  if p.name.startswith(f".{folder.name}."))


def test_build_into_absent_folder(tmp_path: Path) -> None:
    source = repo(tmp_path / "repo")
    out = tmp_path / "deep" / "public"
    build(source, out, NOW)
    assert snapshot(out) == make_site(source, NOW).files
    assert siblings(out) == []  # no temporary folder is left behind
    assert (out.stat().st_mode & 0o777) == 0o755


def test_rebuild_replaces_everything_and_removes_stale_files(tmp_path: Path) -> None:
    source = repo(tmp_path / "repo")
    out = tmp_path / "public"
    build(source, out, NOW)
    (out / "stale.html").write_text("old")
    build(source, out, NOW)
    assert snapshot(out) == make_site(source, NOW).files and siblings(out) == []


def test_failed_build_leaves_previous_site_byte_for_byte(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    source = repo(tmp_path / "repo")
    out = tmp_path / "public"
    build(source, out, NOW)
    before = snapshot(out)
    (source / "content" / "incidents" / "a.md").write_text("---\ntitle: [broken\n---\n")
    assert main(["build", "--source", str(source), "--output", str(out), "--now", NOW]) == 1
    assert snapshot(out) == before and siblings(out) == []


def test_failure_while_writing_keeps_previous_site(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "public"
    write_site({"index.html": b"v1", "a/b.html": b"v1"}, out)
    before = snapshot(out)
    written: list[str] = []

    def disk_full(path: str, mode: str = "r") -> IO[bytes]:
        if "w" in mode:
            if written:
                raise OSError(28, "No space left on device")
            written.append(path)
        return open(path, mode)  # the caller's `with` closes it

    monkeypatch.setattr(output, "open", disk_full, raising=False)
    with pytest.raises(OutputError, match=f"cannot write the site into {out}: No space left"):
        write_site({"index.html": b"v2", "z.html": b"v2"}, out)
    assert written  # the failure really happened midway
    assert snapshot(out) == before and siblings(out) == []


def test_swap_without_rename_exchange(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where renameat2 is unavailable, two renames do the swap and clean up after."""
    monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    out = tmp_path / "public"
    write_site({"index.html": b"v1"}, out)
    write_site({"index.html": b"v2"}, out)
    assert snapshot(out) == {"index.html": b"v2"} and siblings(out) == []


def test_fallback_swap_puts_the_old_site_back_when_the_second_rename_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two renames: the old site is parked, then the new one moved in; if that move fails
    the parked site goes back, byte for byte, and the error names the output folder."""
    monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    out = tmp_path / "public"
    write_site({"index.html": b"v1", "a/b.json": b"{}"}, out)
    real_rename = os.rename

    def rename(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == out and Path(src).name == output.SITE:
            raise OSError(28, "No space left on device")  # the second rename
        real_rename(src, dst)

    monkeypatch.setattr(output.os, "rename", rename)
    with pytest.raises(OutputError, match=r"cannot write the site into .*public: No space"):
        write_site({"index.html": b"v2"}, out)
    assert snapshot(out) == {"index.html": b"v1", "a/b.json": b"{}"} and siblings(out) == []


CRASH = """
import os, sys
from pathlib import Path
from typing import IO
from generator.site import write as output
mode, folder = sys.argv[1], Path(sys.argv[2])
if mode == "writing":
    class Killed:  # the first file is written, then the process dies: no cleanup runs
        def __init__(self, path, mode):
            self.file = open(path, mode)
        def __enter__(self):
            return self.file
        def __exit__(self, *exc):
            self.file.close()
            if "w" in self.file.mode:
                os._exit(9)
    output.open = Killed
else:  # between the two renames of the fallback swap
    output._exchange = lambda a, b: False
    real_rename = os.rename
    def rename(src, dst):
        real_rename(src, dst)
        if str(src) == str(folder):
            os._exit(9)
    os.rename = rename
output.recover(folder)
with output.staged(folder) as new:
    output.write_tree({"index.html": b"new", "x.html": b"new"}, new, folder)
"""


@pytest.mark.parametrize("mode", ["writing", "between-renames"])
def test_crash_midway_keeps_old_site_and_next_build_cleans_up(tmp_path: Path, mode: str) -> None:
    out = tmp_path / "public"
    write_site({"index.html": b"old", "a/b.html": b"old"}, out)
    before = snapshot(out)
    result = subprocess.run([sys.executable, "-c", CRASH, mode, str(out)], timeout=30)
    assert result.returncode == 9
    assert siblings(out)  # the crash left its temporary folder behind
    if mode == "writing":
        assert snapshot(out) == before
    output.recover(out)  # every build starts with this
    assert snapshot(out) == before and siblings(out) == []
    write_site({"index.html": b"new"}, out)
    assert snapshot(out) == {"index.html": b"new"} and siblings(out) == []


def test_unrelated_siblings_are_never_touched(tmp_path: Path) -> None:
    keep = [tmp_path / ".publicity", tmp_path / ".public", tmp_path / "public.bak",
            tmp_path / ".other.new-1"]
    for folder in keep:
        folder.mkdir()
        (folder / "f").write_text("mine")
    write_site({"index.html": b"x"}, tmp_path / "public")
    assert all((folder / "f").read_text() == "mine" for folder in keep)


@pytest.mark.parametrize("bad", ["../escape.html", "/etc/passwd", "a/../../b", "", "a//b",
                                 "a\\..\\b"])
def test_output_paths_cannot_escape(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        write_site({bad: b"x"}, tmp_path / "public")
    assert not (tmp_path / "public").exists() and not (tmp_path / "escape.html").exists()


def refused(out: Path, source: Path) -> str:
    with pytest.raises(OutputError) as info:
        check_output_dir(out, source)
    return str(info.value)


def test_refuses_root_home_and_their_parents(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    source = repo(tmp_path / "repo")
    home = tmp_path / "home" / "me"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    assert "refusing" in refused(Path("/"), source)
    assert "refusing" in refused(home, source)
    assert "refusing" in refused(Path("~"), source)
    assert "refusing" in refused(tmp_path / "home", source)


def test_refuses_source_and_folders_containing_it(tmp_path: Path) -> None:
    source = repo(tmp_path / "repo")
    assert "contains the source" in refused(source, source)
    assert "contains the source" in refused(tmp_path, source)
    assert "contains the source" in refused(source / "content" / "..", source)
    assert "inside the site's own content/" in refused(source / "content" / "out", source)
    assert "inside the site's own themes/" in refused(source / "themes", source)


def test_refuses_a_repository_and_a_file(tmp_path: Path) -> None:
    source = repo(tmp_path / "repo")
    other = tmp_path / "other-checkout"
    (other / ".git").mkdir(parents=True)
    assert "looks like a repository" in refused(other, source)
    (tmp_path / "file").write_text("x")
    assert "is not a folder" in refused(tmp_path / "file", source)


def test_refusal_through_the_cli_changes_nothing(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    source = repo(tmp_path / "repo")
    before = snapshot(tmp_path)
    code = main(["build", "--source", str(source), "--output", str(source), "--now", NOW])
    err = capsys.readouterr().err
    assert code == 1 and "contains the source folder" in err and "Traceback" not in err
    assert snapshot(tmp_path) == before


def test_symlinked_output_is_replaced_at_its_target(tmp_path: Path) -> None:
    target = tmp_path / "www"
    write_site({"index.html": b"v1"}, target)
    link = tmp_path / "public"
    link.symlink_to(target)
    out = check_output_dir(link, tmp_path / "repo")
    write_site({"index.html": b"v2"}, out)
    assert link.is_symlink() and (link / "index.html").read_bytes() == b"v2"
    assert os.path.realpath(link) == str(target)


def test_unchanged_files_keep_their_inode_and_time(tmp_path: Path) -> None:
    out = tmp_path / "public"
    write_site({"same.html": b"same", "changed.html": b"v1"}, out)
    before = {name: (out / name).stat() for name in ("same.html", "changed.html")}
    write_site({"same.html": b"same", "changed.html": b"v2", "new.html": b"n"}, out)
    same, changed = (out / "same.html").stat(), (out / "changed.html").stat()
    assert (same.st_ino, same.st_mtime_ns) == (before["same.html"].st_ino,
                                               before["same.html"].st_mtime_ns)
    assert changed.st_ino != before["changed.html"].st_ino
    assert snapshot(out) == {"same.html": b"same", "changed.html": b"v2", "new.html": b"n"}


def test_refuses_to_replace_a_folder_that_holds_no_site(tmp_path: Path) -> None:
    source = repo(tmp_path / "repo")
    out = tmp_path / "somedir"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    with pytest.raises(OutputError, match="holds no built site"):
        build(source, out, NOW)
    assert (out / "precious.txt").read_text() == "keep me"
