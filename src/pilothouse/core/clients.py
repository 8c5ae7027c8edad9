"""Who is on the other end of a request: the client's address, behind proxies or not.

With `TRUSTED_PROXIES = N` (PILOTHOUSE_TRUSTED_PROXIES), N reverse proxies that append to
X-Forwarded-For stand in front of the server, so the client is the address N hops from
the right of that header. With 0 (the default) the header is ignored: anyone can send it,
and trusting it would let a client pick the address its rate limits count against.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    proxies = int(getattr(settings, "TRUSTED_PROXIES", 0) or 0)
    address = request.META.get("REMOTE_ADDR") or None
    if proxies > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            address = hops[-proxies]
    return _valid(address)


def _valid(address: str | None) -> str | None:
    if not address:
        return None
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
