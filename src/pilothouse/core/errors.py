"""Errors the write layer raises; the API and the views map them to answers."""

from __future__ import annotations


class ConflictError(Exception):
    """The object changed since the client read it (stale `version`)."""

    def __init__(self, *, current_version: int, given_version: int) -> None:
        self.current_version = current_version
        self.given_version = given_version
        super().__init__(
            f"This object was changed by someone else (you sent version "
            f"{given_version}, the current version is {current_version}); reload and retry"
        )
