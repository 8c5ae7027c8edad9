"""The `pilothouse` command. Each module here registers one group of subcommands."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from pilothouse import __version__
from pilothouse.cli import (
    accounts,
    experiment,
    forecast,
    imports,
    metrics,
    roadmap,
    server,
    triage,
)
from pilothouse.cli.base import CliError, Commands, errors, use_data_dir

COMMAND_GROUPS = [server, accounts, imports, triage, roadmap, forecast, experiment, metrics]


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a subcommand's own --data-dir must not reset one given before it.
    common.add_argument(
        "--data-dir",
        default=argparse.SUPPRESS,
        help="data directory (default: $PILOTHOUSE_DATA_DIR, else ./var)",
    )
    parser = argparse.ArgumentParser(
        prog="pilothouse",
        parents=[common],
        description="Pilothouse: the product leader's platform.",
    )
    parser.add_argument("--version", action="version", version=f"pilothouse {__version__}")
    commands = Commands(
        parser.add_subparsers(dest="command", required=True, metavar="COMMAND"), common
    )
    for group in COMMAND_GROUPS:
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    use_data_dir(getattr(args, "data_dir", None))
    try:
        return args.handler(args)
    except CliError as exc:
        errors.print(f"pilothouse: error: {exc}")
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a last resort: one line, not a traceback
        if os.environ.get("PILOTHOUSE_DEBUG", "").lower() in {"1", "true", "yes", "on"}:
            raise
        errors.print(f"pilothouse: error: {type(exc).__name__}: {exc}")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
