"""From a fresh CI runner to a deployable site: install Heliograph from its wheel, then
`heliograph check` and `heliograph build`, each timed; "cold" with an empty download
cache, "warm" with the cache the cold run left (what the scaffolded pipelines keep
between runs).

    python bench/install.py [--wheel dist/heliograph-X-py3-none-any.whl ...] [--runs 3]
                            [--installers pip,pip-no-compile,uv] [--site DIR]

Without --wheel it builds one first (`pip wheel --no-deps`); several --wheel (say, before
and after a change) are measured in turns, so that the machine's load affects each alike.
Each install goes into a new virtual environment; only the cache folder is kept between
the cold and the warm run, as CI keeps it. check and build run on the example site (a
copy of content/, as a status page repo holds it; or --site) the way CI runs them: the
first run of each module writes its bytecode, unless the install did.
uv is measured when it is on PATH. Standard library only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
STEPS = ("install", "check", "build")


def build_wheel(out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "--wheel-dir",
                    str(out), str(REPO_ROOT)], check=True, capture_output=True)
    return next(out.glob("heliograph-*.whl"))


def install_command(installer: str, python: Path, wheel: Path) -> list[str]:
    """What the scaffolded pipelines run, for each installer."""
    if installer == "pip":
        return [str(python), "-m", "pip", "install", "-q", str(wheel)]
    if installer == "pip-no-compile":
        return [str(python), "-m", "pip", "install", "-q", "--no-compile", str(wheel)]
    if installer == "uv":  # uv writes no bytecode unless told to
        return [shutil.which("uv") or "uv", "pip", "install", "-q", "--python", str(python),
                str(wheel)]
    raise ValueError(installer)


def timed(command: list[str], env: dict[str, str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env, cwd=cwd)
    return time.perf_counter() - started


def run(installer: str, wheel: Path, work: Path, cache: Path, site: Path) -> dict[str, float]:
    """Seconds of each step, from an empty virtual environment to a built site."""
    venv = work / f"venv-{time.perf_counter_ns()}"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # As on a fresh runner: bytecode is written on first import, and no cache but the one
    # kept (a new home: Heliograph's template cache starts empty too).
    home = work / f"home-{time.perf_counter_ns()}"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_CACHE_DIR=str(cache / "pip"),
               UV_CACHE_DIR=str(cache / "uv"), HOME=str(home))
    heliograph = str(venv / "bin" / "heliograph")
    output = work / f"public-{time.perf_counter_ns()}"
    seconds = {
        "install": timed(install_command(installer, venv / "bin" / "python", wheel), env),
        "check": timed([heliograph, "check", "--source", str(site)], env),
        "build": timed([heliograph, "build", "--source", str(site), "--output", str(output),
                        "--quiet"], env),
    }
    for folder in (venv, output, home):
        shutil.rmtree(folder)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, action="append",
                        help="a wheel to install, repeatable (default: build one)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each (default: 3)")
    parser.add_argument("--installers", default="pip,pip-no-compile,uv",
                        help="comma-separated: pip, pip-no-compile, uv (default: all three; "
                        "uv only when it is on PATH)")
    parser.add_argument("--site", type=Path,
                        help="the status page repo to check and build (default: the example)")
    args = parser.parse_args()
    installers = [name for name in args.installers.split(",")
                  if name != "uv" or shutil.which("uv")]
    with tempfile.TemporaryDirectory(prefix="heliograph-install-") as tmp:
        work = Path(tmp)
        wheels = [w.resolve() for w in args.wheel or [build_wheel(work / "dist")]]
        site = args.site
        if site is None:  # without themes/: this repository's is the default theme's source
            site = work / "example"
            shutil.copytree(REPO_ROOT / "content", site / "content")
        print(f"Python {sys.version.split()[0]}, median of {args.runs}, "
              f"site {args.site or 'the example'}")
        for number, wheel in enumerate(wheels, start=1):
            print(f"wheel {number}: {wheel}")
        results: dict[tuple[int, str, str], list[dict[str, float]]] = {}
        # In turns, so that a change in the machine's load affects every installer alike.
        for run_number in range(args.runs):
            for number, wheel in enumerate(wheels, start=1):
                for installer in installers:
                    cache = work / f"cache-{number}-{installer}-{run_number}"
                    for state in ("cold", "warm"):
                        results.setdefault((number, installer, state), []).append(
                            run(installer, wheel, work, cache, site))
                    shutil.rmtree(cache, ignore_errors=True)  # pip may have written nothing
        print(f"{'wheel':5} {'installer':15} {'cache':5} " + " ".join(f"{s:>8}" for s in STEPS)
              + f" {'total':>8}")
        for (number, installer, state), runs in results.items():
            medians = [statistics.median(r[step] for r in runs) for step in STEPS]
            total = statistics.median(sum(r.values()) for r in runs)
            print(f"{number:5} {installer:15} {state:5} " + " ".join(f"{m:8.1f}" for m in medians)
                  + f" {total:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
