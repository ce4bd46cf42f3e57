"""The output folder against a hostile repository: links committed to the repository never
send the build elsewhere, folders committed under the build's temporary names are never
restored or deleted, and an operating-system error while writing is exit 1 naming the
output folder, with the previous site intact. Everything runs through the real CLI."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_output import INCIDENT, NOW

from generator.cli import main


def repo(root: Path, title: str = "Test Status") -> Path:
    (root / "content" / "incidents").mkdir(parents=True)
    (root / "content" / "site.yaml").write_text(
        f"title: {title}\nbase_url: https://status.test/\ntimezone: UTC\n")
    (root / "content" / "components.yaml").write_text("components:\n  - id: api\n    name: API\n")
    (root / "content" / "incidents" / "a.md").write_text(INCIDENT)
    return root


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under `folder`: file bytes, link targets, folders."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            found[rel] = path.read_bytes().decode("latin-1")
        else:
            found[rel] = "/"
    return found


def victim(folder: Path) -> Path:
    """A folder outside the repository that holds something a build must never replace;
    it has an index.html, so it even looks like a built site."""
    folder.mkdir(parents=True)
    (folder / "index.html").write_text("the operator's own page")
    (folder / "secrets.txt").write_text("keep me")
    return folder


def build_in(cwd: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """`heliograph build` run from `cwd`, as CI runs it from the checkout."""
    monkeypatch.chdir(cwd)
    return main(["build", "--now", NOW, *args])


# --- links committed to the repository (issue 10, item 4) ---------------------------------

@pytest.mark.parametrize("args", [(), ("--output", "public")], ids=["default", "explicit"])
def test_a_committed_public_link_leading_out_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        args: tuple[str, ...]) -> None:
    source = repo(tmp_path / "repo")
    target = victim(tmp_path / "www")
    (source / "public").symlink_to(target)
    before = snapshot(tmp_path)
    assert build_in(source, monkeypatch, *args) == 1
    err = capsys.readouterr().err
    assert (f"heliograph: error: refusing to build into {source / 'public'}: "
            f"{source / 'public'} is a symbolic link to {target}, outside the repository "
            f"{source}") in err
    assert "Traceback" not in err and "internal error" not in err
    assert snapshot(tmp_path) == before  # nothing written or deleted anywhere


def test_a_dangling_link_leading_out_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    source = repo(tmp_path / "repo")
    (source / "public").symlink_to(tmp_path / "not-yet")
    assert build_in(source, monkeypatch) == 1
    assert f"is a symbolic link to {tmp_path / 'not-yet'}, outside" in capsys.readouterr().err
    assert not (tmp_path / "not-yet").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]


def test_a_link_chain_and_a_linked_parent_leading_out_are_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    source = repo(tmp_path / "repo")
    target = victim(tmp_path / "www")
    (source / "inside").symlink_to(target)
    (source / "public").symlink_to("inside")  # stays inside, but the next link leads out
    (source / "out").symlink_to(tmp_path)  # a parent of the output folder
    before = snapshot(tmp_path)
    assert build_in(source, monkeypatch) == 1
    assert f"{source / 'public'} is a symbolic link to {target}, outside" \
        in capsys.readouterr().err
    assert build_in(source, monkeypatch, "--output", "out/www") == 1
    assert f"{source / 'out'} is a symbolic link to {tmp_path}, outside" \
        in capsys.readouterr().err
    assert snapshot(tmp_path) == before


def test_a_link_loop_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    source = repo(tmp_path / "repo")
    (source / "public").symlink_to("public")
    assert build_in(source, monkeypatch) == 1
    err = capsys.readouterr().err
    assert f"heliograph: error: {source / 'public'} is a symbolic link that loops" in err


def test_the_repository_is_the_git_work_tree_around_the_source(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """With the site in a subfolder, a link at the checkout's top is still the repository's."""
    checkout = tmp_path / "checkout"
    source = repo(checkout / "status")
    (checkout / ".git").mkdir()
    target = victim(tmp_path / "www")
    (checkout / "public").symlink_to(target)
    before = snapshot(tmp_path)
    assert build_in(checkout, monkeypatch, "--source", "status") == 1
    assert (f"{checkout / 'public'} is a symbolic link to {target}, outside the repository "
            f"{checkout}, and") in capsys.readouterr().err
    assert snapshot(tmp_path) == before
    assert source.is_dir()


def test_a_link_that_stays_inside_the_repository_is_followed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = repo(tmp_path / "repo")
    (source / "public").symlink_to("built")
    assert build_in(source, monkeypatch) == 0
    assert os.readlink(source / "public") == "built"
    assert (source / "built" / "index.html").is_file()


def test_the_operators_own_link_outside_the_repository_is_followed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = repo(tmp_path / "repo")
    target = tmp_path / "srv" / "www"
    target.mkdir(parents=True)
    (tmp_path / "public").symlink_to(target)
    assert build_in(source, monkeypatch, "--output", str(tmp_path / "public")) == 0
    assert (target / "index.html").is_file() and (tmp_path / "public").is_symlink()


def test_the_scaffolded_gitignore_ignores_public_whatever_its_type(tmp_path: Path) -> None:
    git = shutil.which("git")
    assert git, "git is needed to check .gitignore patterns"
    root = tmp_path / "site"
    assert main(["init", str(root)]) == 0
    subprocess.run([git, "init", "-q", str(root)], check=True)
    (root / "public").symlink_to(tmp_path / "elsewhere")
    (root / ".public.swap-k2j9x").mkdir()
    (root / "content" / "public").mkdir()  # only the top-level output folder is ignored
    for name, ignored in (("public", True), (".public.swap-k2j9x", True),
                          ("content/public", False)):
        result = subprocess.run([git, "-C", str(root), "check-ignore", "-q", name])
        assert result.returncode == (0 if ignored else 1), name


# --- folders committed under the build's temporary names (issue 10, item 5) ----------------

def commit_decoys(root: Path) -> None:
    """What a pull request can commit to look like a build's leftovers: every name, with
    markers whose content anyone can read in the source."""
    for folder in (".public.old-x/site", ".public.new-x", ".public.swap-x/old",
                   ".public.swap-y/old", ".public.swap-z/old"):
        (root / folder).mkdir(parents=True)
        (root / folder / "index.html").write_text("<script>evil()</script>")
    for name in ("x", "y"):
        (root / f".public.swap-{name}" / "claim").write_text("")
    (root / ".public.swap-x" / "claim.link").write_text("")  # a copy, not a hard link
    (root / ".public.swap-y" / "claim.link").symlink_to("claim")
    os.symlink(root / ".public.swap-x", root / ".public.swap-l")


@pytest.mark.parametrize("valid", [True, False], ids=["good-build", "failing-build"])
def test_committed_leftovers_are_neither_restored_nor_deleted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        valid: bool) -> None:
    source = repo(tmp_path / "repo")
    commit_decoys(source)
    if not valid:
        (source / "content" / "incidents" / "a.md").write_text("---\ntitle: [broken\n---\n")
    decoys = {k: v for k, v in snapshot(source).items() if k.startswith(".public.")}
    assert build_in(source, monkeypatch) == (0 if valid else 1)
    after = snapshot(source)
    assert {k: v for k, v in after.items() if k.startswith(".public.")} == decoys
    if valid:
        assert "evil()" not in after["public/index.html"] and "Test Status" in after[
            "public/index.html"]
    else:
        assert not (source / "public").exists()
        assert "1 error; nothing was written" in capsys.readouterr().err


CRASH_BETWEEN_RENAMES = """
import os, sys
from pathlib import Path
from generator.site import write as output
folder = Path(sys.argv[1])
output._exchange = lambda a, b: False
real_rename = os.rename
def rename(src, dst):
    real_rename(src, dst)
    if str(src) == str(folder):
        os._exit(9)  # the old site is parked, the new one not yet in place
os.rename = rename
output.recover(folder)
with output.staged(folder) as new:
    output.write_tree({"index.html": b"new"}, new, folder)
"""


def test_a_real_leftover_is_restored_even_when_the_build_then_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = repo(tmp_path / "repo")
    out = source / "public"
    assert build_in(source, monkeypatch) == 0
    before = snapshot(out)
    crashed = subprocess.run([sys.executable, "-c", CRASH_BETWEEN_RENAMES, str(out)],
                             timeout=60)
    assert crashed.returncode == 9 and not out.exists()
    (source / "content" / "incidents" / "a.md").write_text("---\ntitle: [broken\n---\n")
    assert build_in(source, monkeypatch) == 1
    assert snapshot(out) == before
    assert not [p for p in source.iterdir() if p.name.startswith(".public.")]


# --- operating-system errors while writing (issue 10, item 12) -----------------------------

def test_an_output_under_a_file_is_exit_1_naming_the_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = repo(tmp_path / "repo")
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "public"
    assert main(["build", "--source", str(source), "--output", str(out), "--now", NOW]) == 1
    err = capsys.readouterr().err
    assert f"heliograph: error: cannot write the site into {out}: " in err
    assert "internal error" not in err and (tmp_path / "file").read_text() == "x"


def limit_file_size() -> None:
    """In the child: files may not grow past 4 KB, and exceeding it is EFBIG (not SIGXFSZ)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


@pytest.mark.parametrize("incidents", [1, 60], ids=["in-process", "workers"])
def test_a_write_error_midway_is_exit_1_and_keeps_the_previous_site(
        tmp_path: Path, incidents: int) -> None:
    source = repo(tmp_path / "repo")
    for n in range(1, incidents):
        (source / "content" / "incidents" / f"b{n}.md").write_text(INCIDENT)
    out = tmp_path / "public"
    assert main(["build", "--source", str(source), "--output", str(out), "--now", NOW]) == 0
    before = snapshot(out)
    assert max(len(v) for v in before.values()) > 4096  # some page cannot be written
    (source / "content" / "site.yaml").write_text(
        "title: Renamed Status\nbase_url: https://status.test/\ntimezone: UTC\n")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--source", str(source), "--output",
         str(out), "--now", NOW, "--jobs", "2"],
        preexec_fn=limit_file_size, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1, result.stderr
    assert result.stderr == (f"heliograph: error: cannot write the site into {out}: File too "
                             "large; the previous site (if any) is unchanged\n")
    assert snapshot(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".public")]


def test_an_os_error_while_checking_the_output_is_exit_1(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = repo(tmp_path / "repo")
    out = tmp_path / ("x" * 300) / "public"
    assert main(["build", "--source", str(source), "--output", str(out), "--now", NOW]) == 1
    assert capsys.readouterr().err == (f"heliograph: error: cannot use {out} as the output "
                                       "folder: File name too long\n")


def test_a_linked_folder_in_the_previous_site_lends_no_files(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Unchanged files are hard-linked from the previous site, but never through a link in
    it: a committed `public/assets -> /elsewhere` holding copies of the assets must not
    make files outside the repository part of the new site."""
    source = repo(tmp_path / "repo")
    out = source / "public"
    assert main(["build", "--source", str(source), "--output", str(out), "--now", NOW]) == 0
    outside = tmp_path / "outside"
    shutil.copytree(out / "assets", outside)
    shutil.rmtree(out / "assets")
    (out / "assets").symlink_to(outside)
    index_inode = (out / "index.html").stat().st_ino
    assert main(["build", "--source", str(source), "--output", str(out), "--now", NOW]) == 0
    outside_inodes = {p.stat().st_ino for p in outside.iterdir()}
    new_assets = list((out / "assets").iterdir())
    assert new_assets and not (out / "assets").is_symlink()
    assert all(p.stat().st_nlink == 1 and p.stat().st_ino not in outside_inodes
               for p in new_assets)
    assert (out / "index.html").stat().st_ino == index_inode  # real folders still lend
