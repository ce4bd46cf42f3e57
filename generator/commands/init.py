"""`heliograph init [DIR]`: scaffold a new status page repo from generator/commands/scaffold/.

Top-level dotfiles are stored without their dot (`github/` becomes `.github/`,
`gitignore` becomes `.gitignore`): packaging tools treat real dotfiles specially.
In an existing repository it adds what is missing and leaves every existing file alone,
unless `--force` says to replace them.

`--host` chooses the pipeline that publishes the page: the scaffold's own files are for
GitHub Pages; `hosts/<host>/` holds what another host uses instead (docs/hosting.md).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from generator.commands.authoring import overwrite, user_error
from generator.content.load import load_content
from generator.content.timeutil import utc_now

SCAFFOLD = Path(__file__).resolve().parent / "scaffold"
DOTTED = {"github": ".github", "gitignore": ".gitignore", "gitlab-ci.yml": ".gitlab-ci.yml"}
HOSTS = ("github", "gitlab", "netlify", "cloudflare", "s3")
GITHUB_PAGES_WORKFLOW = ".github/workflows/publish.yml"
# The scaffold's stand-ins, which `check` warns about until they are replaced.
PLACEHOLDER_BASE_URL = "https://status.example.com/"


def sample_slugs(scaffold: Path = SCAFFOLD) -> frozenset[str]:
    """The slugs of the scaffold's sample incidents."""
    return frozenset(p.stem for p in (scaffold / "content" / "incidents").glob("*.md"))


def plan(scaffold: Path = SCAFFOLD, host: str = "github") -> dict[str, Path]:
    """Target path (relative, POSIX) -> scaffold file, in a stable order. Other hosts
    than GitHub Pages drop its publish workflow (GitLab: every GitHub file) and add
    their own from hosts/<host>/."""
    common: dict[str, Path] = {}
    own: dict[str, Path] = {}
    for path in sorted(scaffold.rglob("*")):
        rel = path.relative_to(scaffold)
        if not path.is_file() or "__pycache__" in rel.parts or rel.name.startswith("."):
            continue
        parts = rel.parts
        files = common
        if parts[0] == "hosts":
            if len(parts) < 3 or parts[1] != host:
                continue
            parts, files = parts[2:], own
        top, *rest = parts
        files[Path(DOTTED.get(top, top), *rest).as_posix()] = path
    if host != "github":
        common.pop(GITHUB_PAGES_WORKFLOW, None)
    if host == "gitlab":
        common = {rel: path for rel, path in common.items() if not rel.startswith(".github/")}
    return {**common, **own}


def _write_new(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as handle:  # 'x': fails rather than overwrite
        handle.write(data)
    os.chmod(path, 0o644)


def _in_the_way(target: Path, rel: str) -> str:
    """Why the scaffold file `rel` cannot go into `target` even with --force, or ''."""
    parts = Path(rel).parts
    for depth in range(1, len(parts)):
        folder = target.joinpath(*parts[:depth])
        if folder.is_symlink():
            return f"{Path(*parts[:depth]).as_posix()} is a symbolic link"
        if folder.exists() and not folder.is_dir():
            return f"{Path(*parts[:depth]).as_posix()} is not a folder"
    path = target / rel
    if path.is_dir() and not path.is_symlink():
        return "it is a folder"
    return ""


def run_init(target: Path, force: bool = False, host: str = "github") -> int:
    """Create what is missing; leave what exists alone (replace it with `force`)."""
    files = plan(host=host)
    if target.exists() and not target.is_dir():
        raise user_error(str(target), "exists and is not a folder", "choose a new folder name")
    created, replaced, skipped = [], [], []
    for rel, source in files.items():
        path = target / rel
        blocked = _in_the_way(target, rel)
        if blocked:
            skipped.append(f"{rel} ({blocked})")
        elif not path.exists() and not path.is_symlink():
            _write_new(path, source.read_bytes())
            created.append(rel)
        elif force:
            overwrite(path, source.read_bytes())
            replaced.append(rel)
        else:
            skipped.append(rel)
    if not skipped:
        load_content(target, utc_now())  # the scaffold itself must always build
    for title, names in ((f"Created in {target}:", created), ("Replaced (--force):", replaced),
                         ("Left alone, already there (--force replaces them):", skipped)):
        if names:
            print(title)
            print("".join(f"  {name}\n" for name in names), end="")
    if not created and not replaced:
        print(f"Nothing to create: {target} already has every file of the scaffold.")
    git = "" if (target / ".git").exists() else "git init && "
    print(NEXT_STEPS.format(dir=target, git=git) + HOST_STEPS[host])
    return 0


NEXT_STEPS = """
Next:
  cd {dir}
  edit content/site.yaml (title, base_url, timezone) and content/components.yaml
  heliograph serve                # preview at http://127.0.0.1:8000/, reloads as you edit
  heliograph new incident "TITLE" # or with no options: it asks its questions
  {git}git add . && git commit -m "Status page\""""
# What to set up on the host, after the push (docs/hosting.md has the details).
HOST_STEPS = {
    "github": "\nOn GitHub: Settings > Pages > Source: GitHub Actions; then push to main.",
    "gitlab": "\nOn GitLab: push; the pages job publishes the page. Add a pipeline schedule "
              "(Build > Pipeline schedules,\nevery 15 minutes) so maintenance windows "
              "open and close on time.",
    "netlify": "\nOn Netlify: import the repository (netlify.toml sets the build). For "
               "maintenance windows on time,\nadd a build hook and the secret "
               "NETLIFY_BUILD_HOOK (see .github/workflows/rebuild.yml).",
    "cloudflare": "\nOn Cloudflare: create a Pages project (Direct Upload) and an API "
                  "token; in GitHub set the secret\nCLOUDFLARE_API_TOKEN and the variables "
                  "listed in .github/workflows/publish.yml; then push to main.",
    "s3": "\nOn AWS: a bucket, a CloudFront distribution and a role GitHub may assume "
          "(OIDC); in GitHub set the\nvariables listed in .github/workflows/publish.yml; "
          "then push to main.",
}


def main(args: argparse.Namespace) -> int:
    return run_init(Path(args.dir), args.force, args.host)
