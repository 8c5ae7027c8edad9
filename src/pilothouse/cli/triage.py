"""`pilothouse triage`: train the feedback kind model and inspect it."""

from __future__ import annotations

from pilothouse.cli.base import Commands


def register(commands: Commands) -> None:
    """Added by the triage command group."""
