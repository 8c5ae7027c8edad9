"""/api/v1 endpoints for importing feedback files."""

ROUTERS: dict = {}
