"""`pilothouse import`: import files."""

from __future__ import annotations

from pilothouse.cli.base import Commands


def register(commands: Commands) -> None:
    """Added by the imports command group."""
