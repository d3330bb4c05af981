"""The ``leadline`` command: one sub-command per module in ``dashboard/commands``.

Each command module exposes ``add_parser(subparsers)`` and ``run(args) -> int``.
Errors a user can fix are printed as a message with a hint, never as a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from common.errors import LeadlineError

COMMANDS = ("serve", "demo", "check", "metrics", "import_", "refresh", "digests", "spark")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="leadline",
        description="Leadline: are the sales leads you pay for followed up, how fast, and what becomes of them.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"dashboard.commands.{name}")
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except LeadlineError as exc:
        print(f"leadline: {exc.describe()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
