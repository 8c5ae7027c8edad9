"""Marks on a metric's chart, from the catalog itself (releases shipped) and from the apps
above it that know what happened to a metric (experiments that measured it).

The catalog must not import those apps, so an app with something to mark registers a
provider (in its AppConfig.ready), and the metric's page asks every provider at once:

    # experiments/apps.py, in ready():
    annotations.register(experiment_spans, key="experiments", title="Experiments",
                         legend="Experiment")

    # metrics.selectors.metric_detail:
    groups = annotations.collect(metric_ids=[metric.pk], first=first, last=last,
                                 today=today)[metric.pk]

A provider is called as `provider(metric_ids=..., first=..., last=..., today=...)` and
answers {metric id: [Annotation]} of what falls within [first, last] for those metrics
(a metric with nothing may be left out). It is called once per page whatever the number
of metrics, and should cost one query. Registering the same key again replaces the
provider (so a reloaded app does not show its marks twice). With no provider registered,
the chart shows only the catalog's own marks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Annotation:
    """Something that happened to a metric: on one day (`end` None), or over a span of
    days from `day` to `end` (inclusive). `outcome` is what came of it in a few words,
    shown with the label on the chart (a decision); `note` says more (in the tooltip and
    the list under the chart); `url` is the page of what it marks."""

    day: dt.date
    label: str
    end: dt.date | None = None
    outcome: str = ""
    note: str = ""
    url: str = ""

    @property
    def when(self) -> str:
        """Its day or days in words: "3 Mar 2026", "3 Mar 2026 to 16 Mar 2026"."""
        if self.end is None or self.end == self.day:
            return f"{self.day:%-d %b %Y}"
        return f"{self.day:%-d %b %Y} to {self.end:%-d %b %Y}"


Provider = Callable[..., Mapping[int, Sequence[Annotation]]]


@dataclass(frozen=True)
class AnnotationKind:
    key: str
    title: str  # the heading of the list under the chart: "Experiments"
    legend: str  # what one mark is called in the chart's legend and tooltips: "Experiment"
    provider: Provider
    order: int = 100


@dataclass(frozen=True)
class AnnotationGroup:
    """The annotations of one kind for one metric, in the order the provider gave."""

    key: str
    title: str
    legend: str
    items: list[Annotation] = field(default_factory=list)


_kinds: dict[str, AnnotationKind] = {}


def register(
    provider: Provider, *, key: str, title: str, legend: str, order: int = 100
) -> AnnotationKind:
    """Mark what `provider` answers on every metric's chart; answers the kind."""
    kind = AnnotationKind(key=key, title=title, legend=legend, provider=provider, order=order)
    _kinds[key] = kind
    return kind


def unregister(key: str) -> None:
    _kinds.pop(key, None)


def registered() -> list[AnnotationKind]:
    """The registered kinds, in the order they show (`order`, then registration)."""
    return sorted(_kinds.values(), key=lambda kind: kind.order)


def collect(
    *, metric_ids: Sequence[int], first: dt.date | None, last: dt.date | None, today: dt.date
) -> dict[int, list[AnnotationGroup]]:
    """Each metric's annotations within [first, last], grouped by kind (only the kinds
    with something to show): one call of each provider for all the metrics. No range
    (a metric without values): nothing, and no provider is asked."""
    found: dict[int, list[AnnotationGroup]] = {pk: [] for pk in metric_ids}
    if first is None or last is None or not metric_ids:
        return found
    for kind in registered():
        answered = kind.provider(metric_ids=list(metric_ids), first=first, last=last, today=today)
        for pk, items in answered.items():
            if pk in found and items:
                found[pk].append(AnnotationGroup(kind.key, kind.title, kind.legend, list(items)))
    return found
