"""The rule language of customer segments: validation and compilation to a Q object.

A segment's rules are a JSON list of conditions `{"field": ..., "op": ..., "value": ...}`
over a customer's fields, joined by `match`: "all" (every rule holds) or "any" (at
least one holds). An empty list matches every customer under "all" and none under "any".

| field | ops | value |
|---|---|---|
| arr | = != < <= > >= | a JSON number |
| market_segment, plan, region, name | = != contains | a string |
| (the same) | in | a non-empty list of strings |
| account_owner_id | = | a user id, or null for "no account owner" |
| created | = != < <= > >= | an ISO date "YYYY-MM-DD" |

Text comparisons ignore case ("enterprise" = "Enterprise"); `contains` looks for a
non-empty piece of text. A customer without a `created` date matches `!=` and no other
date comparison (as None compares in Python: unequal to every date, and not ordered).

Segments are evaluated live: `compile_rules` turns the rules into a `Q` over Customer
(or, with a prefix such as "customer__", over any model that reaches a customer), so
a segment is a filter anywhere a queryset is.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Q

MATCH_ALL = "all"
MATCH_ANY = "any"
MAX_RULES = 50
MAX_TEXT = 120
MAX_CHOICES = 100

NUMBER_OPS = ("=", "!=", "<", "<=", ">", ">=")
TEXT_OPS = ("=", "!=", "in", "contains")

# field -> (kind of value, allowed ops)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "arr": ("number", NUMBER_OPS),
    "market_segment": ("text", TEXT_OPS),
    "plan": ("text", TEXT_OPS),
    "region": ("text", TEXT_OPS),
    "name": ("text", TEXT_OPS),
    "account_owner_id": ("user", ("=",)),
    "created": ("date", NUMBER_OPS),
}
RULE_KEYS = frozenset({"field", "op", "value"})

_ORDER_LOOKUPS = {"<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}


def rule_errors(rules: Any) -> dict[str, str]:
    """Every problem with a list of rules, keyed by where it is: "rules",
    "rules[1]", "rules[1].op"... Each message repeats the place, so it reads alone."""
    if not isinstance(rules, list):
        return {"rules": "rules: must be a list of conditions {field, op, value}"}
    if len(rules) > MAX_RULES:
        return {"rules": f"rules: at most {MAX_RULES} conditions (got {len(rules)})"}
    errors: dict[str, str] = {}
    for index, rule in enumerate(rules):
        errors.update(_one_rule_errors(index, rule))
    return errors


def _one_rule_errors(index: int, rule: Any) -> dict[str, str]:
    where = f"rules[{index}]"
    if not isinstance(rule, Mapping):
        return {where: f"{where}: must be an object {{field, op, value}}"}
    keys = set(rule)
    if keys != RULE_KEYS:
        missing = ", ".join(sorted(RULE_KEYS - keys))
        extra = ", ".join(sorted(str(k) for k in keys - RULE_KEYS))
        problems = [f"missing {missing}" if missing else "", f"unknown {extra}" if extra else ""]
        return {where: f"{where}: " + "; ".join(p for p in problems if p)}
    field, op, value = rule["field"], rule["op"], rule["value"]
    if field not in FIELDS:
        choices = ", ".join(FIELDS)
        return {f"{where}.field": f"{where}.field: unknown field {field!r}; choose from: {choices}"}
    kind, ops = FIELDS[field]
    if op not in ops:
        return {
            f"{where}.op": f"{where}.op: {op!r} is not allowed for {field}; "
            f"use one of: {', '.join(ops)}"
        }
    problem = _value_problem(kind, op, value)
    if problem:
        return {f"{where}.value": f"{where}.value: {problem}"}
    return {}


def _value_problem(kind: str, op: str, value: Any) -> str | None:
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"must be a number, not {value!r}"
        if not math.isfinite(value):
            return "must be a finite number"
        return None
    if kind == "user":
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            return f"must be a user id (a positive integer) or null, not {value!r}"
        return None
    if kind == "date":
        if not isinstance(value, str):
            return f"must be a date written YYYY-MM-DD, not {value!r}"
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return f"{value!r} is not a date written YYYY-MM-DD"
        if len(value) != 10:
            return f"{value!r} is not a date written YYYY-MM-DD"
        return None
    # text
    if op == "in":
        if not isinstance(value, list) or not value:
            return "must be a non-empty list of strings"
        if len(value) > MAX_CHOICES:
            return f"at most {MAX_CHOICES} strings"
        for item in value:
            problem = _text_problem(item)
            if problem:
                return problem
        return None
    problem = _text_problem(value)
    if problem:
        return problem
    if op == "contains" and not value.strip():
        return "must not be empty"
    return None


def _text_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"must be a string, not {value!r}"
    if len(value) > MAX_TEXT:
        return f"at most {MAX_TEXT} characters"
    return None


def account_owner_ids(rules: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """{rule index: user id} of the valid account-owner rules naming a user."""
    return {
        index: rule["value"]
        for index, rule in enumerate(rules)
        if rule.get("field") == "account_owner_id" and isinstance(rule.get("value"), int)
    }


def compile_rules(rules: Sequence[Mapping[str, Any]], match: str, *, prefix: str = "") -> Q:
    """The Q object selecting the customers the (valid) rules describe. `prefix` is the
    path from the queried model to the customer, e.g. "customer__" for notes."""
    parts = [_compile_rule(rule, prefix) for rule in rules]
    if not parts:
        return Q() if match == MATCH_ALL else Q(pk__in=[])
    combined = parts[0]
    for part in parts[1:]:
        combined = combined & part if match == MATCH_ALL else combined | part
    return combined


def _compile_rule(rule: Mapping[str, Any], prefix: str) -> Q:
    field, op, value = rule["field"], rule["op"], rule["value"]
    kind, _ops = FIELDS[field]
    path = prefix + field
    if kind == "user":
        if value is None:
            return Q(**{f"{prefix}account_owner__isnull": True})
        return Q(**{path: value})
    if kind in {"number", "date"}:
        value = Decimal(str(value)) if kind == "number" else dt.date.fromisoformat(value)
        if op == "=":
            return Q(**{path: value})
        if op == "!=":
            return ~Q(**{path: value})
        return Q(**{f"{path}__{_ORDER_LOOKUPS[op]}": value})
    if op == "=":
        return Q(**{f"{path}__iexact": value})
    if op == "!=":
        return ~Q(**{f"{path}__iexact": value})
    if op == "contains":
        return Q(**{f"{path}__icontains": value})
    either = Q(**{f"{path}__iexact": value[0]})
    for choice in value[1:]:
        either |= Q(**{f"{path}__iexact": choice})
    return either
