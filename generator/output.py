"""Writing a built site atomically: into a temporary sibling folder, then swapped in.

A failed build never touches the previous output; a crash midway leaves at most a
hidden temporary folder that the next build removes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


class OutputError(Exception):
    pass


def check_output_dir(output: Path, source: Path) -> Path:
    """Refuse output folders whose replacement would destroy something else."""
    out = output.expanduser().resolve()
    src = source.resolve()
    home = Path.home().resolve()
    if out == Path(out.anchor) or out == home:
        raise OutputError(f"refusing to use {out} as the output folder")
    if out == src or src.is_relative_to(out):
        raise OutputError(f"the output folder {out} contains the source folder {src}; "
                          "choose a folder inside it, such as public/")
    if (src / "content").resolve().is_relative_to(out) or out.is_relative_to(src / "content") \
            or out.is_relative_to(src / "themes") or out.is_relative_to(src / ".git"):
        raise OutputError(f"the output folder {out} overlaps the site's own files")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    return out


def write_tree(files: dict[str, bytes], folder: Path) -> None:
    made: set[Path] = set()
    for rel in sorted(files):
        path = folder / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(files[rel])


def _stale(parent: Path, name: str) -> list[Path]:
    return [p for p in parent.glob(f".{name}.*-*") if p.is_dir()]


def write_site(files: dict[str, bytes], output: Path) -> None:
    """Replace `output` with exactly `files`, or leave it untouched on any failure."""
    parent = output.parent
    parent.mkdir(parents=True, exist_ok=True)
    for leftover in _stale(parent, output.name):  # from a build that crashed midway
        shutil.rmtree(leftover, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=parent))
    try:
        write_tree(files, tmp)
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; a web server must read it
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if output.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=parent))
        os.rename(output, old / "site")
        try:
            os.rename(tmp, output)
        except BaseException:
            os.rename(old / "site", output)  # put the previous site back
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(tmp, output)
