"""Why the portal refuses a visitor's request. Each is raised before anything is written
(or inside the transaction that would have written it), so a refusal changes nothing.
The views answer with the exception's `status` and show its message under `title`."""

from __future__ import annotations


class Refused(Exception):
    status = 403
    title = "Not allowed"


class RateLimited(Refused):
    """Too many actions of one kind in the last hour (see portal.limits)."""

    status = 429
    title = "Too many requests"

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


class Blocked(Refused):
    """The product's team blocked this visitor on its portal."""

    title = "You can no longer post here"

    def __init__(self) -> None:
        super().__init__(
            "The team of this product has blocked your account on its portal: you can "
            "still read it, but no longer vote, comment or send ideas."
        )


class NotConfirmed(Refused):
    """Comments and ideas wait until the visitor confirmed their email address."""

    title = "Please confirm your email address"

    def __init__(self) -> None:
        super().__init__(
            "Open the link we emailed you to confirm your address; then you can comment "
            "and send ideas. (You can vote already.)"
        )


class InvalidLink(Refused):
    """An emailed link (address confirmation, password reset) that cannot be used."""

    status = 400
    title = "This link cannot be used"

    def __init__(self, message: str, *, expired: bool = False) -> None:
        self.expired = expired
        super().__init__(message)
