"""Deterministic generator of the demo organization (small and large scales).

`build()` creates Lanternfield, a fictional B2B software company: product lines and
products in every lifecycle stage, product areas, a product team whose managers form
one tree (the CPO at the root, whose login is the user "demo"), objectives for the
current and the next quarter cascading from the company to lines and products, key
results, initiatives, releases and features in every stage; and the customer voice:
customers with contacts, rule-based segments, and a year of feedback notes from every
source, linked to the features they ask for, with each feature's demand figures
(demo.customers, demo.feedback); and the product team's records: where people work, on
what terms and at what cost (demo.people_details), assessments, growth plans and
one-to-ones (demo.growth), allocations per quarter and the hiring plan (demo.team_plan).
The same seed and the same `today` give the same organization; only the demo password
(from `secrets`) differs.

Performance: the rows are inserted with `bulk_create` in batches, and the largest tables
(customers, contacts, notes and their links) with plain `executemany` (demo.rows), in
one transaction (a failure leaves nothing behind). The small scale (1,000 customers,
5,000 notes) builds in about three seconds; the large one (about 30 products, 400 people,
20,000 features, 50,000 customers and 500,000 notes) in about a minute and a half on
two cores with SQLite, in about 250 MB (the product team's records take well under a
second of either). Being bulk inserts, they bypass the services: no change-log
records are written for generated rows, no `full_clean` runs on them (the generator
keeps to the models' rules itself, and the tests check it), and their timestamps are
set to a believable past instead of the time of the build.

    from pilothouse import demo
    summary = demo.build(scale="small", seed=42)
    print(summary.demo_username, summary.demo_password)
"""

from pilothouse.demo.builder import (
    STAGES,
    DemoAlreadyLoaded,
    DemoConflict,
    DemoError,
    DemoNotLoaded,
    DemoSummary,
    build,
    demo_loaded,
    reset_demo_password,
)
from pilothouse.demo.people import DEMO_USERNAME
from pilothouse.demo.scales import SCALES

__all__ = [
    "DEMO_USERNAME",
    "SCALES",
    "STAGES",
    "DemoAlreadyLoaded",
    "DemoConflict",
    "DemoError",
    "DemoNotLoaded",
    "DemoSummary",
    "build",
    "demo_loaded",
    "reset_demo_password",
]
