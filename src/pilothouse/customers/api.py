"""/api/v1 routers of the customer voice."""

ROUTERS: dict = {}
