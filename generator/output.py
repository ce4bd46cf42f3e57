"""Writing a built site atomically: into a temporary sibling folder, then swapped in.

The site is rendered in memory first, so a content error never reaches the disk. Then:

1. leftovers of a build that crashed earlier are dealt with (a previous site that was
   set aside is put back if the output folder is missing; temporary folders are removed);
2. every file is written into `.<name>.new-XXXX`, a hidden sibling of the output folder;
3. the new folder and the output folder are exchanged in one `renameat2(RENAME_EXCHANGE)`
   call where the OS offers it (Linux), else by two renames with the old site parked in
   `.<name>.old-XXXX` in between;
4. the previous site, now in the temporary folder, is removed.

Nothing outside the output folder and these siblings is ever written or deleted.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath


class OutputError(Exception):
    pass


def check_output_dir(output: Path, source: Path) -> Path:
    """Refuse output folders whose replacement would destroy something else.

    Also puts back a previous site that a crash left set aside (see `recover`).
    """
    out = output.expanduser().resolve()
    src = source.resolve()
    home = Path.home().resolve()
    if out == Path(out.anchor) or home.is_relative_to(out):
        raise OutputError(f"refusing to use {out} as the output folder: replacing it would "
                          "delete your files; use a folder such as public/")
    if src.is_relative_to(out):
        raise OutputError(f"the output folder {out} contains the source folder {src}; "
                          "choose a folder inside it, such as public/")
    for own in ("content", "themes", ".git"):
        if out.is_relative_to(src / own):
            raise OutputError(f"the output folder {out} is inside the site's own {own}/ "
                              "folder; use a folder such as public/")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    if (out / ".git").exists() or (out / "content" / "site.yaml").exists():
        raise OutputError(f"{out} looks like a repository, not a built site; refusing to "
                          "replace it")
    if out.is_dir() and any(out.iterdir()) and not (out / "index.html").is_file():
        raise OutputError(f"{out} is not empty and holds no built site (no index.html); "
                          "refusing to replace it: empty it, or choose another folder")
    recover(out)
    return out


def _siblings(output: Path, kind: str) -> list[Path]:
    prefix = f".{output.name}.{kind}-"
    if not output.parent.is_dir():
        return []
    return sorted(p for p in output.parent.iterdir()
                  if p.name.startswith(prefix) and p.is_dir() and not p.is_symlink())


def recover(output: Path) -> None:
    """Undo what a crash midway through `write_site` left behind."""
    if not output.exists():
        for parked in _siblings(output, "old"):  # crashed between the two renames
            if (parked / "site").is_dir():
                os.rename(parked / "site", output)
                break
    for leftover in _siblings(output, "new") + _siblings(output, "old"):
        shutil.rmtree(leftover, ignore_errors=True)


def safe_relative(rel: str) -> PurePosixPath:
    """An output path that stays inside the output folder; anything else is a bug."""
    path = PurePosixPath(rel)
    if not rel or path.is_absolute() or "\\" in rel or "\x00" in rel \
            or any(part in ("", ".", "..") for part in rel.split("/")):
        raise ValueError(f"unsafe output path {rel!r}")
    return path


def write_tree(files: dict[str, bytes], folder: Path, previous: Path | None = None) -> int:
    """Write files into `folder`; returns how many.

    A file whose bytes equal the same path in `previous` (the site being replaced) is
    hard-linked from it instead, so it keeps its modification time: deploy tools that
    sync by size and time then upload only what changed.
    """
    made: set[Path] = set()
    for rel in sorted(files):
        path = folder / safe_relative(rel)
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        data = files[rel]
        if previous is None or not _link_if_same(previous / rel, path, data):
            path.write_bytes(data)
    return len(files)


def _link_if_same(old: Path, new: Path, data: bytes) -> bool:
    try:
        info = old.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data) \
                or old.read_bytes() != data:
            return False
        os.link(old, new)
    except OSError:
        return False
    return True


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with renameat2; False where the OS cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0  # EINVAL/ENOSYS: the file system or kernel cannot; fall back


def _swap_by_renames(tmp: Path, output: Path) -> Path:
    """Two renames, the old site parked in between; returns the folder to delete."""
    old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
    os.rename(output, old / "site")
    try:
        os.rename(tmp, output)
    except BaseException:
        os.rename(old / "site", output)  # put the previous site back
        raise
    return old


@contextmanager
def staged(output: Path) -> Iterator[Path]:
    """A new, empty sibling folder to write the site into; swapped in for `output` when
    the block succeeds, removed (and `output` untouched) when it fails. Callers first
    `recover` from an earlier crash (check_output_dir and write_site do)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; a web server must read it
        if not output.exists():
            os.rename(tmp, output)
            return
        if _exchange(tmp, output):
            shutil.rmtree(tmp, ignore_errors=True)  # it now holds the previous site
            return
        old = _swap_by_renames(tmp, output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


def write_site(files: dict[str, bytes], output: Path) -> None:
    """Replace `output` with exactly `files`, or leave it untouched on any failure."""
    recover(output)
    with staged(output) as tmp:
        write_tree(files, tmp, output if output.is_dir() else None)
