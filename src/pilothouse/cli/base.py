"""What every command shares: errors, output, the data dir and Django set-up.

Django is configured lazily, after the data directory is known, so that `init` can
create the directory and its secret key before the settings read them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

SETTINGS_MODULE = "pilothouse.config.settings"
console = Console(highlight=False, soft_wrap=True)
errors = Console(stderr=True, highlight=False, soft_wrap=True)

Handler = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """A failure to report as one line, with a non-zero exit code."""


class Commands:
    """Adds subcommands that all accept --data-dir (see `pilothouse.cli.build_parser`)."""

    def __init__(self, subparsers, common: argparse.ArgumentParser) -> None:
        self.subparsers = subparsers
        self.common = common

    def add(self, name: str, handler: Handler, help_text: str, **kwargs) -> argparse.ArgumentParser:
        command = self.subparsers.add_parser(
            name, parents=[self.common], help=help_text, description=help_text, **kwargs
        )
        command.set_defaults(handler=handler)
        return command

    def group(self, name: str, help_text: str) -> Commands:
        """A command with actions of its own (`pilothouse token create`)."""
        command = self.subparsers.add_parser(
            name, parents=[self.common], help=help_text, description=help_text
        )
        actions = command.add_subparsers(dest=f"{name}_action", required=True, metavar="ACTION")
        return Commands(actions, self.common)


def use_data_dir(data_dir: str | None) -> None:
    if data_dir:
        os.environ["PILOTHOUSE_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)


def load_config():
    from pilothouse.config import env

    try:
        return env.load()
    except env.ConfigError as exc:
        raise CliError(str(exc)) from exc


def django_setup(*, require_init: bool = True) -> None:
    """Configure Django; refuse with a hint if the data dir was never initialised."""
    config = load_config()
    if require_init and config.secret_key is None:
        raise CliError(
            f"{config.data_dir} is not initialised: run `pilothouse init` first "
            "(or set PILOTHOUSE_SECRET_KEY)"
        )
    import django

    django.setup()


def migrate(*, verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)
    call_command("collectstatic", interactive=False, verbosity=0)


def iso_date(value: str) -> dt.date:
    """An argparse type: a date written YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def validation_message(exc) -> str:
    """A Django ValidationError as one line naming its fields."""
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)
