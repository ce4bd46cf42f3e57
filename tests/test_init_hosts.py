"""`heliograph init --host`: each host's pipeline, validated against the published JSON
schemas that check-jsonschema ships (GitLab CI, GitHub workflows and actions)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from generator import __version__
from generator.cli import main
from generator.commands.init import HOSTS, plan

REPO = Path(__file__).resolve().parent.parent
COMMON = [".gitignore", "README.md", "content/components.yaml",
          "content/incidents/2026-11-02-delayed-sign-in-emails.md", "content/notify.yaml",
          "content/site.yaml"]
GITHUB = [".github/pull_request_template.md", ".github/workflows/check.yml",
          ".github/workflows/probe.yml"]
EXPECTED = {
    "github": COMMON + GITHUB + [".github/workflows/publish.yml"],
    "gitlab": [*COMMON, ".gitlab-ci.yml"],
    "netlify": COMMON + GITHUB + [".github/workflows/rebuild.yml", "netlify.toml"],
    "cloudflare": COMMON + GITHUB + [".github/workflows/publish.yml"],
    "s3": COMMON + GITHUB + [".github/workflows/publish.yml"],
}


def validate(schema: str, *files: Path) -> None:
    """check-jsonschema with a schema it ships (no network)."""
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                             schema, *map(str, files)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("host", HOSTS)
def test_each_host_gets_its_pipeline_and_a_repo_that_checks(
        host: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "status"
    assert main(["init", str(target), "--host", host]) == 0
    out = capsys.readouterr().out
    made = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert made == sorted(EXPECTED[host])
    for rel, source in plan(host=host).items():
        assert (target / rel).read_bytes() == source.read_bytes(), rel
    assert {"github": "On GitHub:", "gitlab": "On GitLab:", "netlify": "On Netlify:",
            "cloudflare": "On Cloudflare:", "s3": "On AWS:"}[host] in out
    assert main(["check", "--source", str(target)]) == 0
    workflows = sorted((target / ".github" / "workflows").glob("*.yml"))
    if workflows:
        validate("vendor.github-workflows", *workflows)
    if host == "gitlab":
        validate("vendor.gitlab-ci", target / ".gitlab-ci.yml")


def test_every_host_file_installs_this_version() -> None:
    for host in HOSTS:
        for rel, source in plan(host=host).items():
            text = source.read_text()
            if "HELIOGRAPH_VERSION" in text:
                assert (f'HELIOGRAPH_VERSION: "{__version__}"' in text
                        or f'HELIOGRAPH_VERSION = "{__version__}"' in text), (host, rel)


def test_netlify_builds_into_the_published_folder() -> None:
    config = tomllib.loads(plan(host="netlify")["netlify.toml"].read_text())
    assert config["build"]["publish"] == "public"
    assert "heliograph build --output public" in config["build"]["command"]
    assert config["build"]["environment"]["HELIOGRAPH_VERSION"] == __version__
    assert "DEPLOY_PRIME_URL" in config["context"]["deploy-preview"]["command"]


def test_the_repository_s_own_workflows_and_action_match_their_schemas() -> None:
    validate("vendor.github-workflows", *sorted((REPO / ".github" / "workflows").glob("*.yml")))
    validate("vendor.github-actions", REPO / "action.yml")


def test_an_unknown_host_is_a_usage_error(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["init", str(tmp_path / "x"), "--host", "heroku"])
    assert exit_.value.code == 1
    assert "invalid choice: 'heroku'" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
