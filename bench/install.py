"""How long a CI run spends installing Heliograph: cold (empty download cache) and warm
(the cache a scaffolded workflow keeps), with pip and, if it is installed, uv.

    python bench/install.py [--wheel dist/heliograph-X-py3-none-any.whl] [--runs 3]

Without --wheel it builds one first (`python -m build`, which must be installed). Each
install goes into a new virtual environment; only the cache folder is kept between the
cold and the warm run, as CI keeps it. Standard library only.
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


def build_wheel(out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out),
                    str(REPO_ROOT)], check=True, capture_output=True)
    return next(out.glob("heliograph-*.whl"))


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def install(tool: str, wheel: Path, work: Path, cache: Path) -> float:
    """Seconds to install `wheel` and its dependencies into a new environment."""
    venv = work / f"venv-{time.perf_counter_ns()}"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    if tool == "pip":
        env["PIP_CACHE_DIR"] = str(cache)
        seconds = timed([str(python), "-m", "pip", "install", "-q", str(wheel)], env)
    else:
        env["UV_CACHE_DIR"] = str(cache)
        seconds = timed([shutil.which("uv") or "uv", "pip", "install", "-q", "--python",
                         str(python), str(wheel)], env)
    shutil.rmtree(venv)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help="the wheel to install (default: build one)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each (default: 3)")
    args = parser.parse_args()
    tools = ["pip"] + (["uv"] if shutil.which("uv") else [])
    with tempfile.TemporaryDirectory(prefix="heliograph-install-") as tmp:
        work = Path(tmp)
        wheel = args.wheel or build_wheel(work / "dist")
        print(f"{wheel.name}, Python {sys.version.split()[0]}, median of {args.runs}")
        for tool in tools:
            cold, warm = [], []
            for run in range(args.runs):
                cache = work / f"cache-{tool}-{run}"
                cold.append(install(tool, wheel, work, cache))
                warm.append(install(tool, wheel, work, cache))
            print(f"{tool:4} cold {statistics.median(cold):6.1f} s   "
                  f"warm {statistics.median(warm):6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
