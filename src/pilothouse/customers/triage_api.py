"""/api/v1 endpoints of triage suggestions and themes."""

ROUTERS: dict = {}
