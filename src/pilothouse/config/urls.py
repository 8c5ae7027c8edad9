from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from pilothouse.api.v1 import api


def _public(patterns):
    """The API authenticates itself (token or session) and answers 401, never a redirect."""
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            _public(pattern.url_patterns)
        else:
            pattern.callback = login_not_required(pattern.callback)
    return patterns


api_patterns, app_name, namespace = api.urls
urlpatterns = [
    path("api/v1/", include((_public(api_patterns), app_name), namespace=namespace)),
    path("", include("pilothouse.core.urls")),
    path("portfolio/", include("pilothouse.portfolio.urls")),
    path("strategy/", include("pilothouse.strategy.urls")),
    path("roadmap/", include("pilothouse.roadmap.urls")),
    path("people/", include("pilothouse.people.urls")),
    path("customers/", include("pilothouse.customers.urls")),
    path("metrics/", include("pilothouse.metrics.urls")),
    path("prioritization/", include("pilothouse.prioritization.urls")),
    path("portal/", include("pilothouse.portal.urls")),
    path("teams/", include("pilothouse.delivery.urls")),
    path("experiments/", include("pilothouse.experiments.urls")),
    path("scenarios/", include("pilothouse.scenarios.urls")),
    path("", include("pilothouse.web.urls")),
]
