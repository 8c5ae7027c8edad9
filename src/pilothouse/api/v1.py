"""The API object at /api/v1/: every app's routers mounted under one auth and error scheme."""

from __future__ import annotations

from ninja import NinjaAPI

import pilothouse
from pilothouse.api import changes, errors
from pilothouse.api.auth import AUTH
from pilothouse.customers.api import ROUTERS as CUSTOMERS
from pilothouse.customers.import_api import ROUTERS as CUSTOMER_IMPORTS
from pilothouse.customers.triage_api import ROUTERS as TRIAGE
from pilothouse.delivery.allocation_api import ROUTERS as ALLOCATIONS
from pilothouse.delivery.api import ROUTERS as DELIVERY
from pilothouse.delivery.forecast_api import router as forecasts
from pilothouse.experiments.api import ROUTERS as EXPERIMENTS
from pilothouse.metrics.api import ROUTERS as METRICS
from pilothouse.metrics.source_api import ROUTERS as METRIC_SOURCES
from pilothouse.people.api import ROUTERS as PEOPLE
from pilothouse.people.growth_api import ROUTERS as GROWTH
from pilothouse.people.hiring_api import ROUTERS as HIRING
from pilothouse.people.import_api import ROUTERS as PEOPLE_IMPORTS
from pilothouse.portfolio.api import ROUTERS as PORTFOLIO
from pilothouse.prioritization.api import ROUTERS as PRIORITIZATION
from pilothouse.roadmap.api import ROUTERS as ROADMAP
from pilothouse.roadmap.sharing_api import ROUTERS as SHARE_LINKS
from pilothouse.roadmap.snapshot_api import ROUTERS as SNAPSHOTS
from pilothouse.scenarios.api import ROUTERS as SCENARIOS
from pilothouse.strategy.api import ROUTERS as STRATEGY

api = NinjaAPI(
    title="Pilothouse API",
    version=f"v1 ({pilothouse.__version__})",
    description=(
        "The Pilothouse REST API. Authenticate with `Authorization: Bearer <token>` "
        "(create one with `pilothouse token create`) or the browser session. Lists answer "
        '`{"items": [...], "count": N}` and take `limit`, `offset`, `ordering` and filters. '
        "Updates are PATCH with the object's current `version`; a stale version answers 409."
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)

for routers in (
    PORTFOLIO,
    STRATEGY,
    ROADMAP,
    SNAPSHOTS,
    SHARE_LINKS,
    PEOPLE,
    GROWTH,
    HIRING,
    PEOPLE_IMPORTS,
    CUSTOMERS,
    TRIAGE,
    CUSTOMER_IMPORTS,
    PRIORITIZATION,
    METRICS,
    METRIC_SOURCES,
    DELIVERY,
    ALLOCATIONS,
    EXPERIMENTS,
    SCENARIOS,
):
    for prefix, router in routers.items():
        api.add_router(prefix, router)
api.add_router("/changes", changes.router)
api.add_router("", forecasts)
