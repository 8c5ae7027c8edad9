"""The REST API v1: the ninja API object, auth, list conventions and error mapping.

Each domain app owns its router and schemas in its `api.py`; this package mounts them."""
