"""Rows of the generic API matrices (tests/api) for allocations and exchange rates."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from pilothouse.core.currencies import CURRENCIES
from pilothouse.delivery.models import Allocation, ExchangeRate
from tests.api.people_resources import portfolio_wide, report
from tests.api.resources import Spec, World

# Distinct pairs, as a rate is unique per pair (MXN and ZAR are kept for the cases).
_currencies = itertools.cycle(sorted(CURRENCIES - {"USD", "MXN", "ZAR"}))


def make_allocation(w: World, **fields) -> Allocation:
    values = {
        "person": report(w),
        "product": w.product,
        "start": dt.date(2026, 1, 1),
        "end": dt.date(2026, 3, 31),
        "percent": 50,
        **fields,
    }
    return Allocation.objects.create(**values)


def filter_allocations(w: World) -> tuple[dict, list[int]]:
    make_allocation(w)
    wanted = make_allocation(w, product=w.other_product)
    return {"product_id": w.other_product.pk}, [wanted.pk]


def make_rate(w: World, **fields) -> ExchangeRate:
    values = {"from_currency": next(_currencies), "to_currency": "USD", "rate": Decimal("1.1")}
    values.update(fields)
    return ExchangeRate.objects.create(**values)


def filter_rates(w: World) -> tuple[dict, list[int]]:
    make_rate(w)
    wanted = make_rate(w, to_currency="MXN")
    return {"currency": "mxn"}, [wanted.pk]


ALLOCATION_SPECS: list[Spec] = [
    Spec(
        path="/allocations",
        model=Allocation,
        make=make_allocation,
        create=lambda w: {
            "person_id": report(w).pk,
            "product_id": w.product.pk,
            "start": "2026-04-01",
            "end": "2026-06-30",
            "percent": 60,
        },
        patch={"percent": 80},
        bad_type=("percent", "most"),
        required="person_id",
        unknown_ref="product_id",
        too_long=("note", 200),
        invalid=lambda w: (
            {
                "person_id": report(w).pk,
                "product_id": w.product.pk,
                "start": "2026-06-30",
                "end": "2026-04-01",
                "percent": 60,
            },
            "end",
        ),
        filter_case=filter_allocations,
        order_field="percent",
        pm_creates=True,
        pm_changes=True,
    ),
    Spec(
        path="/exchange-rates",
        model=ExchangeRate,
        make=make_rate,
        create=lambda w: {"from_currency": "ZAR", "to_currency": "USD", "rate": "0.055"},
        patch={"rate": "1.2"},
        bad_type=("rate", "high"),
        required="rate",
        unknown_ref=None,
        too_long=("note", 200),
        invalid=lambda w: (
            {"from_currency": "ZZZ", "to_currency": "USD", "rate": "1"},
            "from_currency",
        ),
        filter_case=filter_rates,
        order_field="from_currency",
        pm_creates=False,
        pm_changes=False,
        allowed=portfolio_wide,
    ),
]
