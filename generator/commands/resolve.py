"""`heliograph resolve SLUG`: the closing update of an incident (completes a maintenance)."""

from __future__ import annotations

import argparse
from pathlib import Path

from generator.commands.update import Request, post


def main(args: argparse.Namespace) -> int:
    request = Request(args.slug, None, args.message, args.at, resolve=True)
    return post(Path(args.source), request)
