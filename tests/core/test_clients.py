"""The client's address: X-Forwarded-For is believed only behind configured proxies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from pilothouse.core.clients import client_address


def request(remote: str = "10.0.0.9", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = 0
    assert client_address(request(forwarded="203.0.113.7")) == "10.0.0.9"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        # A client may send its own header; the proxy appends the address it saw.
        (1, "1.2.3.4, 203.0.113.7", "203.0.113.7"),
        (2, "1.2.3.4, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        # Fewer hops than proxies: the header is incomplete, keep the peer's address.
        (2, "203.0.113.7", "10.0.0.9"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_behind_proxies_the_client_is_counted_from_the_right(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXIES = proxies
    assert client_address(request(forwarded=forwarded)) == expected


def test_a_malformed_address_is_no_address(settings):
    settings.TRUSTED_PROXIES = 1
    assert client_address(request(forwarded="not-an-ip")) is None
