"""`heliograph build`: the site into the output folder, with a one-line summary."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from generator.site.build import KINDS, build


def main(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    site = build(Path(args.source), Path(args.output), args.now, args.base_url, args.jobs)
    if not args.quiet:
        seconds = time.perf_counter() - started
        counts = [f"{site.kinds[kind]} {kind}" for kind, _ in KINDS]
        print(f"Built {site.file_count} files into {args.output} in {seconds:.2f} s: "
              f"{', '.join(counts)}, {site.kinds['other']} other "
              f"({len(site.content.incidents)} incidents, status: {site.state.indicator})")
    return 0
