"""The demo's customer voice: customers and their contacts, segments, tags, feedback notes
linked to features (demo.feedback), and the demand this evidence gives every feature.

Customers are invented B2B companies (a name from word parts, a market segment with a
heavy-tailed, log-normal ARR per segment, a plan, a region, an account owner among the
stakeholder logins, each covering a territory, and the date the relationship started,
over the last nine years with about one in eight in the last half year). Each has one
to four contacts. A few rule-based segments group them ("Enterprise EMEA", "Strategic
accounts", "New logos"...).

Customers, contacts, notes and links are inserted with `executemany` (demo.rows), the
notes in batches so that the large scale keeps little in memory. Each feature's demand
(importance score, ARR demand, requests, customers) is then counted from the links as
they were written, by the rules of customers.evidence, and stored in one statement:
`services.demand_recompute_all()` gives the same figures (the tests compare them) but
took about three minutes at 500,000 notes, against half a second.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from pilothouse.core.models import User
from pilothouse.customers.models import Contact, Customer, NoteKind, Segment, Tag
from pilothouse.demo.clock import Clock
from pilothouse.demo.feedback import FeedbackCounts, FeedbackWriter
from pilothouse.demo.feedback_phrases import (
    CONTACT_FIRST_NAMES,
    CONTACT_LAST_NAMES,
    CONTACT_ROLES,
    LEGAL_FORMS,
    NAME_PREFIXES,
    NAME_STEMS,
    PARTNER_NAMES,
    SMALL_COMPANY_ROLES,
    TAGS,
    TRADES,
)
from pilothouse.demo.people import Org
from pilothouse.demo.portfolio import Portfolio
from pilothouse.demo.roadmap import Roadmap
from pilothouse.demo.rows import Rows
from pilothouse.demo.scales import Scale
from pilothouse.roadmap.models import Feature
from pilothouse.roadmap.services import FeatureDemand

MARKET_SEGMENTS: tuple[tuple[str, float], ...] = (
    ("Enterprise", 0.08),
    ("Mid-market", 0.27),
    ("SMB", 0.65),
)


@dataclass(frozen=True)
class ArrModel:
    """A log-normal ARR (USD): its median and spread, clipped to [low, high]."""

    median: float
    sigma: float
    low: int
    high: int


ARR: dict[str, ArrModel] = {
    "Enterprise": ArrModel(180_000, 0.75, 60_000, 2_500_000),
    "Mid-market": ArrModel(40_000, 0.55, 12_000, 250_000),
    "SMB": ArrModel(7_000, 0.7, 900, 45_000),
}
PLANS: dict[str, tuple[tuple[str, float], ...]] = {
    "Enterprise": (("Enterprise", 0.7), ("Enterprise Plus", 0.3)),
    "Mid-market": (("Professional", 0.65), ("Growth", 0.35)),
    "SMB": (("Starter", 0.55), ("Growth", 0.45)),
}
TRIAL_SHARE = 0.04  # of SMB customers: on a trial, no ARR yet
REGIONS: tuple[tuple[str, float], ...] = (
    ("North America", 0.40),
    ("EMEA", 0.36),
    ("APAC", 0.15),
    ("LATAM", 0.09),
)
CONTACTS = {"Enterprise": (3, 4), "Mid-market": (2, 3), "SMB": (1, 2)}
OWNED_SMB_SHARE = 0.4  # the rest of the small customers are served by a pooled team
NEW_LOGO_SHARE = 0.13
NEW_LOGO_DAYS = 180
OLDEST_CUSTOMER_DAYS = 9 * 365
FIRST_EXTERNAL_ID = 10_001


def external_ids(count: int) -> list[str]:
    """The CRM ids of the demo's customers (known before they are generated)."""
    return [f"ACC-{FIRST_EXTERNAL_ID + i}" for i in range(count)]


@dataclass
class Account:
    """A saved customer with what the note writer needs to know about it."""

    pk: int
    name: str
    segment: str
    region: str
    created: dt.date
    owner_id: int | None
    arr: Decimal
    domain: str  # of the contacts' email addresses
    stamps: tuple[dt.datetime, dt.datetime]  # created_at, updated_at
    contacts: list[tuple[int, str, str]] = field(default_factory=list)  # (pk, first name, role)


def _weighted(pairs: Sequence[tuple[str, float]], rng: random.Random) -> str:
    return rng.choices([name for name, _ in pairs], weights=[w for _, w in pairs])[0]


def company_names(count: int, rng: random.Random) -> list[str]:
    """`count` distinct company names without a legal form: mostly "Northgate Supply",
    some "Okafor & Lind Trading" (or "Holt Brothers Timber")."""
    stems = [prefix + stem for prefix in NAME_PREFIXES for stem in NAME_STEMS]
    first_space = len(stems) * len(TRADES)
    pair_space = len(PARTNER_NAMES) ** 2 * len(TRADES)
    if count > first_space + pair_space:
        raise ValueError(f"the name parts give at most {first_space + pair_space} companies")
    firsts = min(first_space, round(count * 0.8))
    names = []
    for index in rng.sample(range(first_space), firsts):
        stem, trade = divmod(index, len(TRADES))
        names.append(f"{stems[stem]} {TRADES[trade]}")
    for index in rng.sample(range(pair_space), count - firsts):
        pair, trade = divmod(index, len(TRADES))
        a, b = divmod(pair, len(PARTNER_NAMES))
        first, second = PARTNER_NAMES[a], PARTNER_NAMES[b]
        partners = f"{first} Brothers" if a == b else f"{first} & {second}"
        names.append(f"{partners} {TRADES[trade]}")
    rng.shuffle(names)
    return names


def _domain(name: str) -> str:
    slug = name.lower().replace("&", " ").replace(".", "")
    return "-".join(slug.split()) + ".example"


def _arr(segment: str, rng: random.Random) -> Decimal:
    model = ARR[segment]
    value = rng.lognormvariate(0, model.sigma) * model.median
    value = min(model.high, max(model.low, value))
    return Decimal(round(value, -2 if value < 100_000 else -3))


def _created(clock: Clock, rng: random.Random) -> dt.date:
    if rng.random() < NEW_LOGO_SHARE:
        return clock.days_ago(rng.randint(3, NEW_LOGO_DAYS))
    span = OLDEST_CUSTOMER_DAYS - NEW_LOGO_DAYS
    return clock.days_ago(NEW_LOGO_DAYS + 1 + int(span * rng.random() ** 1.7))


def _territories(owners: Sequence[User]) -> dict[str, list[User]]:
    """Each account owner covers one region, in turn; a region nobody covers is shared."""
    regions = [name for name, _ in REGIONS]
    covered: dict[str, list[User]] = {name: [] for name in regions}
    for index, owner in enumerate(owners):
        covered[regions[index % len(regions)]].append(owner)
    return {name: users or list(owners) for name, users in covered.items()}


CUSTOMER_FIELDS = (
    "name",
    "external_id",
    "market_segment",
    "plan",
    "arr",
    "region",
    "account_owner",
    "created",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "version",
)
CONTACT_FIELDS = (
    "customer",
    "name",
    "email",
    "role",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "version",
)


def create_accounts(
    *, owners: Sequence[User], creator: User, scale: Scale, clock: Clock, rng: random.Random
) -> list[Account]:
    """Customers and their contacts; answers what the note writer needs of each."""
    count = scale.customers
    territories = _territories(owners)
    customers = Rows(Customer, CUSTOMER_FIELDS, own_ids=True)
    accounts: list[Account] = []
    rows: list[list] = []
    for pk, name in zip(customers.ids(count), company_names(count, rng), strict=True):
        segment = _weighted(MARKET_SEGMENTS, rng)
        region = _weighted(REGIONS, rng)
        plan = _weighted(PLANS[segment], rng)
        arr = _arr(segment, rng)
        if segment == "SMB" and rng.random() < TRIAL_SHARE:
            plan, arr = "Trial", Decimal(0)
        owned = segment != "SMB" or rng.random() < OWNED_SMB_SHARE
        owner = rng.choice(territories[region]).pk if owned and territories[region] else None
        created = _created(clock, rng)
        legal = f" {rng.choice(LEGAL_FORMS[region])}" if rng.random() < 0.55 else ""
        stamps = clock.stamps(created, clock.days_ago(rng.randint(1, 200)))
        account = Account(
            pk=pk,
            name=name + legal,
            segment=segment,
            region=region,
            created=created,
            owner_id=owner,
            arr=arr,
            domain=_domain(name),
            stamps=(stamps["created_at"], stamps["updated_at"]),
        )
        accounts.append(account)
        rows.append([pk, account.name, "", segment, plan, arr, region, owner, created])
        rows[-1] += [*account.stamps, creator.pk, creator.pk, 1]
    # The CRM numbered the accounts as they were won: the oldest has the lowest id.
    by_age = sorted(range(count), key=lambda i: (accounts[i].created, i))
    for external_id, index in zip(external_ids(count), by_age, strict=True):
        rows[index][2] = external_id
    for start in range(0, count, scale.batch_size):
        customers.insert([tuple(row) for row in rows[start : start + scale.batch_size]])
    customers.finish()

    contacts = Rows(Contact, CONTACT_FIELDS, own_ids=True)
    batch: list[tuple] = []
    for account in accounts:
        low, high = CONTACTS[account.segment]
        people = {
            (rng.choice(CONTACT_FIRST_NAMES), rng.choice(CONTACT_LAST_NAMES))
            for _ in range(rng.randint(low, high))
        }
        roles = rng.sample(CONTACT_ROLES, len(people))
        if account.segment == "SMB" and rng.random() < 0.5:
            roles[0] = rng.choice(SMALL_COMPANY_ROLES)
        for pk, (first, last), role in zip(
            contacts.ids(len(people)), sorted(people), roles, strict=True
        ):
            email = f"{first}.{last}".lower().replace(" ", "") + "@" + account.domain
            batch.append((pk, account.pk, f"{first} {last}", email, role, *account.stamps))
            batch[-1] += (creator.pk, creator.pk, 1)
            account.contacts.append((pk, first, role))
        if len(batch) >= scale.batch_size:
            contacts.insert(batch)
            batch = []
    contacts.insert(batch)
    contacts.finish()
    return accounts


# --- segments ------------------------------------------------------------------------


def _rule(field_name: str, op: str, value) -> dict:
    return {"field": field_name, "op": op, "value": value}


def segment_specs(today: dt.date) -> list[tuple[str, str, str, list[dict]]]:
    """(name, description, match, rules) of the demo's segments."""
    since = (today - dt.timedelta(days=NEW_LOGO_DAYS)).isoformat()
    return [
        (
            "Enterprise EMEA",
            "Enterprise customers in Europe, the Middle East and Africa.",
            "all",
            [_rule("market_segment", "=", "Enterprise"), _rule("region", "=", "EMEA")],
        ),
        (
            "Strategic accounts",
            "Every customer worth at least 250,000 a year, whatever their segment.",
            "all",
            [_rule("arr", ">=", 250_000)],
        ),
        (
            "New logos",
            f"Customers won in the last {NEW_LOGO_DAYS} days (since {since}).",
            "all",
            [_rule("created", ">=", since)],
        ),
        (
            "Mid-market North America",
            "The mid-market customers of the North American sales team.",
            "all",
            [_rule("market_segment", "=", "Mid-market"), _rule("region", "=", "North America")],
        ),
        (
            "Growth markets",
            "Customers in Asia-Pacific or Latin America, where we are investing this year.",
            "any",
            [_rule("region", "=", "APAC"), _rule("region", "=", "LATAM")],
        ),
        (
            "Self-serve SMB",
            "Small customers on the self-serve plans, including trials.",
            "all",
            [
                _rule("market_segment", "=", "SMB"),
                _rule("plan", "in", ["Starter", "Growth", "Trial"]),
            ],
        ),
    ]


SEGMENT_NAMES = tuple(name for name, *_ in segment_specs(dt.date(2000, 1, 1)))


def create_segments(*, creator: User, clock: Clock, rng: random.Random) -> list[Segment]:
    segments = [
        Segment(
            name=name,
            description=description,
            match=match,
            rules=rules,
            created_by=creator,
            updated_by=creator,
            **clock.stamps(
                clock.days_ago(rng.randint(60, 400)), clock.days_ago(rng.randint(1, 50))
            ),
        )
        for name, description, match, rules in segment_specs(clock.today)
    ]
    Segment.objects.bulk_create(segments)
    return segments


# --- kinds and tags ------------------------------------------------------------------

# The generator's kinds -> the names of the default note kinds (customers migration 0002).
KIND_NAMES = {
    "bug": "Bug",
    "request": "Feature request",
    "improvement": "Improvement",
    "praise": "Praise",
    "question": "Question",
    "other": "Other",
}


def note_kinds() -> dict[str, int]:
    """The ids of the note kinds the notes are labelled with; a default kind the team
    removed is created again."""
    existing = {kind.name.lower(): kind for kind in NoteKind.objects.all()}
    missing = [
        NoteKind(name=name, position=(index + 1) * 10)
        for index, name in enumerate(KIND_NAMES.values())
        if name.lower() not in existing
    ]
    NoteKind.objects.bulk_create(missing)
    existing.update({kind.name.lower(): kind for kind in missing})
    return {key: existing[name.lower()].pk for key, name in KIND_NAMES.items()}


def create_tags(*, creator: User, clock: Clock, rng: random.Random) -> dict[str, int]:
    tags = [
        Tag(
            name=name,
            created_by=creator,
            updated_by=creator,
            **clock.stamps(clock.days_ago(rng.randint(200, 500))),
        )
        for name in TAGS
    ]
    Tag.objects.bulk_create(tags)
    return {tag.name: tag.pk for tag in tags}


# --- demand --------------------------------------------------------------------------


def store_demand(demand: Mapping[int, FeatureDemand]) -> int:
    """Store features' demand figures as `roadmap.services.feature_demand_set` does (no
    version bump, no change record, `updated_at` untouched), with one UPDATE per feature
    sent in a single executemany: bulk_update's CASE expressions take most of a minute
    at 20,000 features."""
    arr = Feature._meta.get_field("demand_arr")
    rows = [
        (d.importance, arr.get_db_prep_save(d.arr, connection), d.requests, d.customers, pk)
        for pk, d in demand.items()
    ]
    meta, quote = Feature._meta, connection.ops.quote_name
    columns = ", ".join(
        f"{quote(meta.get_field(name).column)} = %s" for name in Feature.DEMAND_FIELDS
    )
    sql = f"UPDATE {quote(meta.db_table)} SET {columns} WHERE {quote(meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


# --- the whole stage -----------------------------------------------------------------


@dataclass(frozen=True)
class CustomerVoice:
    customers: int
    contacts: int
    segments: int
    tags: int
    feedback: FeedbackCounts


def create_customer_voice(
    *,
    org: Org,
    portfolio: Portfolio,
    roadmap: Roadmap,
    scale: Scale,
    clock: Clock,
    rng: random.Random,
    progress: Callable[[str, int, int], None],
) -> CustomerVoice:
    creator = org.cpo.user
    progress("customers", 0, scale.customers)
    accounts = create_accounts(
        owners=org.viewers, creator=creator, scale=scale, clock=clock, rng=rng
    )
    segments = create_segments(creator=creator, clock=clock, rng=rng)
    tags = create_tags(creator=creator, clock=clock, rng=rng)
    progress("customers", scale.customers, scale.customers)

    writer = FeedbackWriter(
        accounts=accounts,
        portfolio=portfolio,
        features=roadmap.features,
        staff=org.viewers,
        kinds=note_kinds(),
        tags=tags,
        clock=clock,
        rng=rng,
    )
    feedback = writer.write(
        total=scale.notes,
        batch_size=scale.note_batch,
        progress=lambda done: progress("notes", done, scale.notes),
    )

    demand = writer.demand()
    progress("demand", 0, len(demand))
    store_demand(demand)
    progress("demand", len(demand), len(demand))
    return CustomerVoice(
        customers=len(accounts),
        contacts=sum(len(account.contacts) for account in accounts),
        segments=len(segments),
        tags=len(tags),
        feedback=feedback,
    )
