"""`heliograph init [DIR]`: scaffold a new status page repo from generator/scaffold/.

Top-level dotfiles are stored without their dot (`github/` becomes `.github/`,
`gitignore` becomes `.gitignore`): packaging tools treat real dotfiles specially.
Nothing that already exists is ever overwritten.
"""

from __future__ import annotations

import os
from pathlib import Path

from generator.author import user_error
from generator.errors import ContentError, Problem
from generator.load import load_content
from generator.timeutil import utc_now

SCAFFOLD = Path(__file__).resolve().parent / "scaffold"
DOTTED = {"github": ".github", "gitignore": ".gitignore"}
# The scaffold's stand-ins, which `check` warns about until they are replaced.
PLACEHOLDER_BASE_URL = "https://status.example.com/"


def sample_slugs(scaffold: Path = SCAFFOLD) -> frozenset[str]:
    """The slugs of the scaffold's sample incidents."""
    return frozenset(p.stem for p in (scaffold / "content" / "incidents").glob("*.md"))


def plan(scaffold: Path = SCAFFOLD) -> dict[str, Path]:
    """Target path (relative, POSIX) -> scaffold file, in a stable order."""
    files: dict[str, Path] = {}
    for path in sorted(scaffold.rglob("*")):
        rel = path.relative_to(scaffold)
        if not path.is_file() or "__pycache__" in rel.parts or rel.name.startswith("."):
            continue
        top, *rest = rel.parts
        files[Path(DOTTED.get(top, top), *rest).as_posix()] = path
    return files


def _write_new(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as handle:  # 'x': fails rather than overwrite
        handle.write(data)
    os.chmod(path, 0o644)


def run_init(target: Path) -> int:
    files = plan()
    if target.exists() and not target.is_dir():
        raise user_error(str(target), "exists and is not a folder", "choose a new folder name")
    taken = [rel for rel in files if (target / rel).exists() or (target / rel).is_symlink()]
    if taken:
        raise ContentError([Problem(str(target / rel), None, None, "already exists",
                                    "init never overwrites: use an empty folder, or move it")
                            for rel in taken])
    for rel, source in files.items():
        _write_new(target / rel, source.read_bytes())
    load_content(target, utc_now())  # the scaffold itself must always build
    print(f"Created a status page in {target}:")
    for rel in files:
        print(f"  {rel}")
    print(NEXT_STEPS.format(dir=target))
    return 0


NEXT_STEPS = """
Next:
  cd {dir}
  edit content/site.yaml (title, base_url, timezone) and content/components.yaml
  heliograph serve                # preview at http://127.0.0.1:8000/, reloads as you edit
  heliograph new incident "TITLE" # or with no options: it asks its questions
  git init && git add . && git commit -m "Status page"
On GitHub: Settings > Pages > Source: GitHub Actions; then push to main."""
