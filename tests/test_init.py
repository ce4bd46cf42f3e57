"""`heliograph init`, driven through the real command line."""

from __future__ import annotations

from pathlib import Path

from generator.cli import main
from generator.commands.init import HOSTS, SCAFFOLD, plan


def test_init_writes_a_repo_that_checks_and_builds(tmp_path: Path, capsys) -> None:
    target = tmp_path / "status"
    assert main(["init", str(target)]) == 0
    out = capsys.readouterr().out
    for rel in ("content/site.yaml", "content/components.yaml", "README.md", ".gitignore"):
        assert (target / rel).is_file()
        assert f"  {rel}\n" in out
    samples = list((target / "content/incidents").glob("*.md"))
    assert len(samples) == 1
    assert "heliograph serve" in out and "Next:" in out
    assert main(["check", "--source", str(target)]) == 0
    assert main(["build", "--source", str(target), "--output", str(tmp_path / "public"),
                 "--now", "2026-11-27T01:00:00Z"]) == 0
    assert (tmp_path / "public" / "incidents" / samples[0].stem / "index.html").is_file()


def test_every_scaffold_file_is_copied_with_dot_names(tmp_path: Path, capsys) -> None:
    files = plan()
    sources = [p for p in SCAFFOLD.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    every_host = {path for host in HOSTS for path in plan(host=host).values()}
    assert sorted(every_host) == sorted(sources)
    assert not any(rel.startswith(("github/", "gitignore")) for rel in files)
    assert main(["init", str(tmp_path)]) == 0
    for rel, source in files.items():
        assert (tmp_path / rel).read_bytes() == source.read_bytes()
    if (SCAFFOLD / "github").is_dir():  # workflows and the PR template
        assert (tmp_path / ".github").is_dir()


def test_init_in_an_existing_repo_adds_what_is_missing_and_lists_what_it_left(
        tmp_path: Path, capsys) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "check.yml").write_text("ours\n")
    (tmp_path / "README.md").write_text("our own readme\n")
    (tmp_path / ".gitignore").write_text("*.pyc\n")
    assert main(["init", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Left alone, already there (--force replaces them):\n  README.md\n" \
           "  .github/workflows/check.yml\n  .gitignore\n" in out
    assert "  content/site.yaml\n" in out.split("Left alone")[0]
    assert "\n  git add . && git commit" in out  # a repository already: no 'git init'
    assert (tmp_path / "README.md").read_text() == "our own readme\n"
    assert (tmp_path / ".gitignore").read_text() == "*.pyc\n"
    assert (tmp_path / ".github/workflows/check.yml").read_text() == "ours\n"
    for rel, source in plan().items():
        if rel not in ("README.md", ".gitignore", ".github/workflows/check.yml"):
            assert (tmp_path / rel).read_bytes() == source.read_bytes(), rel
    assert main(["init", str(tmp_path)]) == 0  # again: nothing left to create
    assert "Nothing to create" in capsys.readouterr().out


def test_init_force_replaces_existing_files_but_never_writes_through_a_link(
        tmp_path: Path, capsys) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text("old\n")
    (repo / ".gitignore").symlink_to(outside)
    (repo / ".github").mkdir()
    (repo / ".github" / "workflows").symlink_to(tmp_path)  # a folder elsewhere
    assert main(["init", "--force", str(repo)]) == 0
    out = capsys.readouterr().out
    assert "Replaced (--force):\n  README.md\n  .gitignore\n" in out
    assert "  .github/workflows/check.yml (.github/workflows is a symbolic link)\n" in out
    assert (repo / "README.md").read_bytes() == plan()["README.md"].read_bytes()
    assert not (repo / ".gitignore").is_symlink()
    assert outside.read_text() == "not yours\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside.txt", "repo"]


def test_init_into_a_file_is_refused(tmp_path: Path, capsys) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["init", str(target)]) == 1
    assert "not a folder" in capsys.readouterr().err


def test_init_defaults_to_the_current_folder(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    assert (tmp_path / "content" / "site.yaml").is_file()


def test_scaffold_workflows_install_this_version() -> None:
    from generator import __version__

    for name in ("publish.yml", "check.yml", "probe.yml"):
        text = (SCAFFOLD / "github" / "workflows" / name).read_text()
        assert f'HELIOGRAPH_VERSION: "{__version__}"' in text, name
