"""How much customers want a feature, from the notes linked to it (NoteLink).

The rules, per feature:

- **importance score**: each distinct customer counts once, with the importance of
  their *latest* link (latest by the note's `submitted_at`, ties broken by the later
  link id): not important 0, nice to have 1, important 2, critical 3, and a link
  without an importance 1. A customer who said "critical" and later "nice to have"
  adds 1, not 4. Notes without a customer count once each, with their own importance.
- **ARR demand**: the sum of the ARR of the distinct customers asking (a customer with
  ARR 0 adds nothing but still counts as a customer).
- **requests**: the number of linked notes; **customers**: distinct customers asking.
- **breakdowns** by segment (each defined Segment: importance score, ARR demand,
  customers and requests among its members) and by the customers' `market_segment`
  label. Notes without a customer belong to no segment and no label.

The database picks each customer's latest link with a window function, so a feature's
figures cost two queries whatever the number of notes, and a batch of features costs
the same two queries per batch. The four totals are stored on the feature (see
roadmap.services.feature_demand_set) so that feature lists sort and filter by them;
the breakdowns are computed when asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber

from pilothouse.customers.models import NoteLink, Segment, SegmentMatch
from pilothouse.roadmap.services import FeatureDemand

# A link without an importance counts like "nice to have".
DEFAULT_WEIGHT = 1
BATCH = 500


@dataclass
class Share:
    """The demand from one group of customers (a segment, a market-segment label)."""

    importance: int = 0
    arr: Decimal = Decimal(0)
    customers: int = 0
    requests: int = 0

    def add(self, *, weight: int, arr: Decimal, requests: int) -> None:
        self.importance += weight
        self.arr += arr
        self.customers += 1
        self.requests += requests


@dataclass
class Evidence:
    """Everything about one feature's demand: the totals and the breakdowns."""

    feature_id: int
    importance: int = 0
    arr: Decimal = Decimal(0)
    requests: int = 0
    customers: int = 0
    anonymous_requests: int = 0
    # {importance: links counted}: each customer's latest link and every anonymous one.
    by_importance: dict[int | None, int] = field(default_factory=dict)
    by_segment: dict[int, Share] = field(default_factory=dict)
    by_market_segment: dict[str, Share] = field(default_factory=dict)

    def demand(self) -> FeatureDemand:
        return FeatureDemand(
            importance=self.importance,
            arr=self.arr,
            requests=self.requests,
            customers=self.customers,
        )


def _weight(importance: int | None) -> int:
    return DEFAULT_WEIGHT if importance is None else importance


def _segment_flags(segments: Sequence[Segment]) -> tuple[dict[str, Case], dict[int, str | bool]]:
    """The SQL flags telling a row's customer's segments, and for each segment either
    its flag's name or, for a segment without rules, whether it holds everyone.

    Segments whose conditions are equal share one flag: Django drops repeated equal
    expressions from the outer query of a window filter, which would shift the columns.
    """
    flags: dict[str, Case] = {}
    conditions: list[tuple[Q, str]] = []
    membership: dict[int, str | bool] = {}
    for segment in segments:
        condition = segment.customer_q(prefix="note__customer__")
        if not segment.rules:
            membership[segment.pk] = segment.match == SegmentMatch.ALL
            continue
        alias = next((name for known, name in conditions if known == condition), None)
        if alias is None:
            alias = f"in_segment_{len(conditions)}"
            conditions.append((condition, alias))
            flags[alias] = Case(
                When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        membership[segment.pk] = alias
    return flags, membership


def _latest_per_customer(feature_ids: Sequence[int], flags: dict[str, Case]):
    """One row per (feature, customer): the customer's latest link, with the number of
    links the customer made to the feature and its segment flags."""
    partition = [F("feature_id"), F("note__customer_id")]
    return (
        NoteLink.objects.filter(feature_id__in=feature_ids, note__customer__isnull=False)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=partition,
                order_by=[F("note__submitted_at").desc(), F("id").desc()],
            ),
            customer_requests=Window(Count("id"), partition_by=partition),
            **flags,
        )
        .filter(rank=1)
        .values(
            "feature_id",
            "importance",
            "customer_requests",
            "note__customer__arr",
            "note__customer__market_segment",
            *flags,
        )
        .order_by()
    )


def _without_customer(feature_ids: Sequence[int]):
    """Per feature and importance: the number of links from notes without a customer."""
    return (
        NoteLink.objects.filter(feature_id__in=feature_ids, note__customer__isnull=True)
        .values("feature_id", "importance")
        .annotate(requests=Count("id"))
        .order_by()
    )


def compute(feature_ids: Iterable[int], *, segments: Sequence[Segment] = ()) -> dict[int, Evidence]:
    """The evidence of each feature (features without links get zeros), with a
    breakdown over `segments` (none: no segment breakdown)."""
    ids = sorted(set(feature_ids))
    result = {pk: Evidence(feature_id=pk) for pk in ids}
    flags, membership = _segment_flags(segments)
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        for row in _latest_per_customer(batch, flags):
            evidence = result[row["feature_id"]]
            weight = _weight(row["importance"])
            arr = row["note__customer__arr"] or Decimal(0)
            requests = row["customer_requests"]
            evidence.importance += weight
            evidence.arr += arr
            evidence.customers += 1
            evidence.requests += requests
            counts = evidence.by_importance
            counts[row["importance"]] = counts.get(row["importance"], 0) + 1
            label = row["note__customer__market_segment"] or ""
            evidence.by_market_segment.setdefault(label, Share()).add(
                weight=weight, arr=arr, requests=requests
            )
            for segment in segments:
                member = membership[segment.pk]
                if member if isinstance(member, bool) else row[member]:
                    evidence.by_segment.setdefault(segment.pk, Share()).add(
                        weight=weight, arr=arr, requests=requests
                    )
        for row in _without_customer(batch):
            evidence = result[row["feature_id"]]
            evidence.importance += _weight(row["importance"]) * row["requests"]
            evidence.requests += row["requests"]
            evidence.anonymous_requests += row["requests"]
            counts = evidence.by_importance
            counts[row["importance"]] = counts.get(row["importance"], 0) + row["requests"]
    return result


def feature_demand(feature_ids: Iterable[int]) -> dict[int, FeatureDemand]:
    """The stored totals of each feature (zeros for features without evidence)."""
    return {pk: evidence.demand() for pk, evidence in compute(feature_ids).items()}


def features_with_links_of(*, q: Q) -> set[int]:
    """Ids of the features linked to notes matching `q` (a Q over NoteLink)."""
    return set(NoteLink.objects.filter(q).values_list("feature_id", flat=True).distinct())
