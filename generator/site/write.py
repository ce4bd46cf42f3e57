"""Writing a built site atomically: into a temporary sibling folder, then swapped in.

The site is rendered in memory first, so a content error never reaches the disk. Then:

1. `check_output_dir` refuses output folders whose replacement would destroy something
   else, and symbolic links in the repository that lead out of it;
2. `recover` deals with what a crash of an earlier build left behind: a previous site
   that was set aside is put back if the output folder is missing, and the temporary
   folder is removed;
3. `staged` makes `.<name>.swap-XXXX`, a hidden sibling of the output folder, and every
   file is written into its `site/` folder;
4. `site/` and the output folder are exchanged in one `renameat2(RENAME_EXCHANGE)` call
   where the OS offers it (Linux), else by two renames with the old site parked in the
   swap folder's `old/` in between;
5. the swap folder, which now holds the previous site, is removed.

Nothing outside the output folder and its swap folders is ever written or deleted, and a
swap folder is touched only when this program provably made it (see `claim`).
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path


class OutputError(Exception):
    """The output folder cannot be used or written: the user's to fix (exit 1)."""


class WriteError(Exception):
    """An operating-system error while writing the staged site (its reason); `staged`
    turns it into an OutputError naming the output folder. Plain, so that it crosses
    from a worker process intact."""


def repository(source: Path) -> Path:
    """The folder a pull request can write into: the git work tree that holds `source`
    (its nearest folder with a `.git`), else `source` itself. Git refuses to check out
    any path named `.git`, so a pull request cannot move this boundary."""
    src = source.resolve()
    return next((folder for folder in (src, *src.parents) if (folder / ".git").exists()), src)


def _follow(path: Path, repo: Path) -> Path:
    """`path` resolved one name at a time, the way the OS does, refusing a symbolic link
    that sits inside `repo` and leads out of it (or nowhere).

    Such a link may have come from the repository, so following it would let a pull
    request make the build write and delete anywhere. Links outside the repository
    (`/srv/www -> /data/www`, macOS's `/tmp`) are the operator's own and are followed.
    """
    here = Path(path.anchor)
    for name in path.parts[1:]:
        if name == "..":
            here = here.parent
            continue
        step = here / name
        if not step.is_symlink():
            here = step
            continue
        try:
            target = step.resolve()
        except (OSError, RuntimeError):  # a loop
            raise OutputError(f"{step} is a symbolic link that loops; cannot build the "
                              f"site into {path}") from None
        if here.is_relative_to(repo) and not target.is_relative_to(repo):
            raise OutputError(
                f"refusing to build into {path}: {step} is a symbolic link to {target}, "
                f"outside the repository {repo}, and a link that may come from a pull "
                "request must not send the build elsewhere; remove the link, or give "
                "the real folder with --output")
        here = target
    return here


def check_output_dir(output: Path, source: Path) -> Path:
    """Refuse output folders whose replacement would destroy something else; returns the
    output folder with every symbolic link resolved. Only checks: see `recover`."""
    try:
        return _checked(output, source)
    except OSError as exc:
        raise OutputError(f"cannot use {output} as the output folder: "
                          f"{exc.strerror or exc}") from exc


def _checked(output: Path, source: Path) -> Path:
    src = source.resolve()
    repo = repository(src)
    out = _follow(Path.cwd() / output.expanduser(), repo)
    home = Path.home().resolve()
    if out == Path(out.anchor) or home.is_relative_to(out):
        raise OutputError(f"refusing to use {out} as the output folder: replacing it would "
                          "delete your files; use a folder such as public/")
    if src.is_relative_to(out):
        raise OutputError(f"the output folder {out} contains the source folder {src}; "
                          "choose a folder inside it, such as public/")
    for own in (src / "content", src / "themes", src / ".git", repo / ".git"):
        if out.is_relative_to(own):
            raise OutputError(f"the output folder {out} is inside the site's own {own.name}/ "
                              "folder; use a folder such as public/")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    if (out / ".git").exists() or (out / "content" / "site.yaml").exists():
        raise OutputError(f"{out} looks like a repository, not a built site; refusing to "
                          "replace it")
    if out.is_dir() and any(out.iterdir()) and not (out / "index.html").is_file():
        raise OutputError(f"{out} is not empty and holds no built site (no index.html); "
                          "refusing to replace it: empty it, or choose another folder")
    return out


# A swap folder holds the new site, the parked old one and two names for one file.
SITE, OLD, CLAIM, CLAIM_LINK = "site", "old", "claim", "claim.link"


def claim(folder: Path) -> None:
    """Mark a new swap folder as made by this program: a file with a second name, a hard
    link. Git checkouts, clones and archives never produce hard links (a marker file with
    any known or guessable content could be committed, and a committed folder also has
    the right owner and may have the right mode), so a folder from a pull request can
    never pass `claimed`. Where the file system has no hard links the folder is left
    unclaimed: a crash then leaves it for the user to remove."""
    (folder / CLAIM).touch(exist_ok=False)
    with suppress(OSError):
        os.link(folder / CLAIM, folder / CLAIM_LINK)


def claimed(folder: Path) -> bool:
    """True for a real folder (not a link) made by `claim`."""
    try:
        info, first, second = (os.lstat(p) for p in (folder, folder / CLAIM,
                                                       folder / CLAIM_LINK))
    except OSError:
        return False
    return (stat.S_ISDIR(info.st_mode) and stat.S_ISREG(first.st_mode)
            and stat.S_ISREG(second.st_mode) and first.st_nlink == 2
            and (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino))


def _swap_folders(output: Path) -> list[Path]:
    """This program's swap folders next to `output`; anything else is never touched."""
    prefix = f".{output.name}.swap-"
    if not output.parent.is_dir():
        return []
    return sorted(p for p in output.parent.iterdir()
                  if p.name.startswith(prefix) and claimed(p))


def recover(output: Path) -> None:
    """Undo what a crash midway through `staged` left behind: if the output folder is
    missing, put back the previous site parked in a swap folder; remove swap folders."""
    try:
        for folder in _swap_folders(output):
            parked = folder / OLD
            if not os.path.lexists(output) and parked.is_dir() and not parked.is_symlink():
                os.rename(parked, output)  # crashed between the two renames
            shutil.rmtree(folder, ignore_errors=True)
    except OSError as exc:
        raise OutputError(f"cannot repair what an interrupted build left next to {output}: "
                          f"{exc.strerror or exc}") from exc


def safe_relative(rel: str) -> str:
    """An output path that stays inside the output folder; anything else is a bug."""
    if not rel or rel[0] == "/" or "\\" in rel or "\x00" in rel \
            or any(part in ("", ".", "..") for part in rel.split("/")):
        raise ValueError(f"unsafe output path {rel!r}")
    return rel


def write_tree(files: dict[str, bytes], folder: Path, previous: Path | None = None) -> int:
    """Write files into `folder`; returns how many. Raises WriteError on an OS error.

    A file whose bytes equal the same path in `previous` (the site being replaced) is
    hard-linked from it instead, so it keeps its modification time: deploy tools that
    sync by size and time then upload only what changed.
    """
    # Plain strings and os calls: pathlib's objects were half the Python time of writing
    # a thousand small pages.
    base = os.fspath(folder)
    made: set[str] = set()
    # Folders of the previous site that are real folders in it: a linked folder in there
    # (a committed `public/assets -> /elsewhere`) must not lend files from elsewhere.
    real: dict[str, bool] = {}
    root = os.path.realpath(previous) if previous is not None else ""
    try:
        for rel in sorted(files):
            path = os.path.join(base, safe_relative(rel))
            parent = os.path.dirname(rel)
            if parent not in made:
                os.makedirs(os.path.join(base, parent), exist_ok=True)
                made.add(parent)
            data = files[rel]
            if parent not in real:
                want = os.path.normpath(os.path.join(root, parent)) if root else ""
                real[parent] = bool(root) and os.path.realpath(want) == want
            if not real[parent] or not _link_if_same(os.path.join(root, rel), path, data):
                with open(path, "wb") as out:
                    out.write(data)
    except OSError as exc:
        raise WriteError(exc.strerror or str(exc)) from None
    return len(files)


def _link_if_same(old: str, new: str, data: bytes) -> bool:
    try:
        info = os.lstat(old)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return False
        with open(old, "rb") as kept:
            if kept.read() != data:
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
    import ctypes  # here: only a build's last step needs it (~10 ms to import)

    try:
        # The running program's own symbols include libc's; find_library("c") would run
        # ldconfig in a subprocess to find the same library.
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)  # EINVAL/ENOSYS: the file system or kernel cannot; fall back


def _swap_by_renames(new: Path, output: Path, parked: Path) -> None:
    """Two renames, the old site parked in between (and put back if the second fails)."""
    os.rename(output, parked)
    try:
        os.rename(new, output)
    except BaseException:
        os.rename(parked, output)
        raise


@contextmanager
def _os_errors(output: Path) -> Iterator[None]:
    """An OS error in the block (disk full, read-only folder) is the user's to fix."""
    try:
        yield
    except OSError as exc:
        raise _cannot_write(output, exc.strerror or str(exc)) from exc


def _cannot_write(output: Path, reason: str) -> OutputError:
    return OutputError(f"cannot write the site into {output}: {reason}; the previous site "
                       "(if any) is unchanged")


@contextmanager
def staged(output: Path) -> Iterator[Path]:
    """A new, empty folder to write the site into; swapped in for `output` when the block
    succeeds, removed (and `output` untouched) when it fails. Callers first `recover`
    from an earlier crash. OS errors here and WriteErrors from the block become an
    OutputError naming the output folder; the previous site is kept."""
    with _os_errors(output):
        output.parent.mkdir(parents=True, exist_ok=True)
        swap = Path(tempfile.mkdtemp(prefix=f".{output.name}.swap-", dir=output.parent))
    new = swap / SITE
    try:
        with _os_errors(output):
            claim(swap)
            new.mkdir()
        try:
            yield new
        except WriteError as exc:
            raise _cannot_write(output, str(exc)) from None
        with _os_errors(output):
            os.chmod(new, 0o755)  # a web server must read it, whatever the umask
            if not os.path.lexists(output):
                os.rename(new, output)
            elif not _exchange(new, output):
                _swap_by_renames(new, output, swap / OLD)
    finally:
        # Kept only if it holds the only copy of the previous site: `recover` puts it back.
        if os.path.lexists(output) or not os.path.lexists(swap / OLD):
            shutil.rmtree(swap, ignore_errors=True)

