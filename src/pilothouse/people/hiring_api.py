"""API routers (filled in below)."""

from __future__ import annotations

from ninja import Router

ROUTERS: dict[str, Router] = {}
