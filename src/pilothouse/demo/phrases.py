"""Words of the demo organization's strategy and roadmap: objectives, key results,
initiatives, feature titles and descriptions. All invented for the demo."""

from __future__ import annotations

from dataclasses import dataclass

# --- Objectives ----------------------------------------------------------------------

COMPANY_OBJECTIVES: tuple[tuple[str, str], ...] = (
    (
        "Become the ordering platform mid-sized distributors choose by default",
        "Win more head-to-head evaluations by making ordering, quoting and invoicing feel "
        "like one product.",
    ),
    (
        "Grow net revenue retention through expansion",
        "Most of next year's growth comes from customers we already have: more products "
        "per account, more seats per product.",
    ),
    (
        "Make every new customer successful in their first 30 days",
        "Customers who are live within a month stay; the rest churn at three times the rate.",
    ),
    (
        "Earn enterprise trust with security and reliability",
        "Pass the security reviews of larger accounts without exceptions and keep our "
        "availability promise.",
    ),
    (
        "Run an efficient platform that lets teams ship faster",
        "Less time on plumbing, more on customer problems: shared components, fewer incidents.",
    ),
    (
        "Win the European mid-market",
        "Localisation, local payment methods and data residency for our three largest "
        "European markets.",
    ),
    (
        "Simplify the portfolio and retire what no longer earns its keep",
        "Every product we keep alive costs attention; move customers off legacy products "
        "and close them.",
    ),
)

LINE_OBJECTIVES: tuple[str, ...] = (
    "Make {line} the fastest way for customers to get their work done",
    "Grow {line} revenue with the accounts we already serve",
    "Cut the cost to serve {line} customers",
    "Make {line} ready for enterprise accounts",
    "Raise the quality bar across {line}",
)

PRODUCT_OBJECTIVES: dict[str, tuple[str, ...]] = {
    "early": (
        "Validate that {product} solves a problem customers pay for",
        "Get {product} into the hands of design partners",
        "Ship a private beta of {product}",
    ),
    "launch": (
        "Reach general availability for {product}",
        "Find a repeatable onboarding path for {product}",
        "Win the first fifty paying customers of {product}",
    ),
    "scale": (
        "Double active usage of {product}",
        "Make {product} enterprise-ready",
        "Cut time to value in {product}",
        "Reduce the support load from {product}",
        "Grow expansion revenue from {product}",
        "Make {product} fast at any size",
    ),
    "sunset": (
        "Move every {product} customer to its successor",
        "Wind down {product} without losing revenue",
    ),
    "platform": (
        "Make {product} the dependable foundation for every product team",
        "Let product teams self-serve on {product}",
    ),
    "internal": (
        "Save support and finance hours every week with {product}",
        "Make {product} safe enough to give every support agent",
    ),
}

OBJECTIVE_DESCRIPTIONS: tuple[str, ...] = (
    "Agreed at the quarterly planning review. Progress is reviewed every two weeks in "
    "the portfolio review.",
    "This carries over the unfinished half of last quarter's work; see the decision log "
    "for why we kept it.",
    "Owned jointly with engineering and design. The key results are measured from "
    "product analytics, not surveys.",
    "Scoped down after the capacity review: we would rather hit fewer key results well.",
)


@dataclass(frozen=True)
class KeyResultSpec:
    """A key result's words and the range of its numbers.

    `mode` says how the target follows from the start: "mul" multiplies it by a factor
    in [low, high], "add" adds an amount in [low, high], "abs" picks a value in it.
    """

    title: str
    unit: str
    decrease: bool
    start: tuple[float, float]
    mode: str
    low: float
    high: float


K = KeyResultSpec

KEY_RESULTS: dict[str, tuple[KeyResultSpec, ...]] = {
    "company": (
        K("Net revenue retention", "%", False, (104, 109), "add", 3, 7),
        K("New ARR booked", "USD", False, (0, 0), "abs", 1_500_000, 4_000_000),
        K("Logo churn per quarter", "%", True, (2.2, 3.4), "mul", 0.65, 0.8),
        K("Customers live within 30 days of signing", "%", False, (45, 60), "add", 15, 25),
        K("Platform availability", "%", False, (99.5, 99.8), "abs", 99.95, 99.99),
        K("Infrastructure cost per active account", "USD", True, (14, 22), "mul", 0.75, 0.9),
        K("Enterprise deals closed", "deals", False, (0, 2), "abs", 8, 20),
        K("Net promoter score", "points", False, (22, 35), "add", 5, 10),
        K("Accounts using three or more products", "%", False, (18, 26), "add", 4, 8),
        K("Gross margin", "%", False, (71, 76), "add", 1, 3),
        K("Median hours to resolve a P1 incident", "hours", True, (5, 9), "mul", 0.5, 0.7),
        K("Security reviews passed without exceptions", "%", False, (60, 75), "abs", 90, 95),
        K("Paying accounts in Europe", "accounts", False, (300, 600), "mul", 1.1, 1.25),
        K("Legacy products still running", "products", True, (4, 6), "abs", 1, 2),
        K("Revenue from products launched this year", "USD", False, (0, 0), "abs", 4e5, 1.5e6),
    ),
    "line": (
        K("Weekly active accounts across {line}", "accounts", False, (800, 4000), "mul", 1.1, 1.3),
        K("Support tickets per 100 accounts in {line}", "tickets", True, (9, 18), "mul", 0.6, 0.8),
        K("Expansion ARR in {line}", "USD", False, (0, 0), "abs", 300_000, 1_200_000),
        K("Median task completion time", "seconds", True, (60, 180), "mul", 0.6, 0.8),
        K("Accounts on the latest version", "%", False, (55, 75), "add", 15, 24),
    ),
    "early": (
        K("Problem interviews completed", "interviews", False, (0, 4), "abs", 20, 30),
        K("Design partners signed", "customers", False, (0, 1), "abs", 5, 10),
        K("Prototype tests with target users", "sessions", False, (0, 3), "abs", 12, 20),
        K("Critical bugs open before beta", "bugs", True, (15, 30), "abs", 0, 2),
    ),
    "launch": (
        K("Paying accounts on {product}", "accounts", False, (5, 40), "abs", 60, 120),
        K("Activation rate of new accounts", "%", False, (20, 35), "add", 15, 25),
        K("Critical bugs open", "bugs", True, (8, 20), "abs", 0, 2),
        K("Median days from signup to first value", "days", True, (14, 30), "mul", 0.4, 0.6),
    ),
    "scale": (
        K("Weekly active accounts in {product}", "accounts", False, (300, 3000), "mul", 1.15, 1.5),
        K("p95 page load in {product}", "ms", True, (900, 2200), "mul", 0.5, 0.7),
        K("Trial-to-paid conversion", "%", False, (8, 15), "add", 3, 6),
        K("Support tickets about {product} per week", "tickets", True, (40, 120), "mul", 0.6, 0.8),
        K("Adoption of the last three releases", "%", False, (15, 30), "add", 10, 20),
        K("Gross revenue retention", "%", False, (88, 93), "add", 2, 4),
    ),
    "sunset": (
        K("Customers migrated off {product}", "%", False, (30, 60), "abs", 95, 100),
        K("Revenue retained through the migration", "%", False, (80, 88), "abs", 95, 98),
        K("Open escalations on {product}", "escalations", True, (8, 20), "abs", 0, 2),
    ),
    "platform": (
        K("Teams building on {product} without help", "teams", False, (2, 5), "add", 3, 6),
        K("Incidents caused by {product}", "incidents", True, (4, 10), "mul", 0.3, 0.5),
        K("Median days to integrate with {product}", "days", True, (10, 20), "mul", 0.4, 0.6),
    ),
    "internal": (
        K("Support hours saved per week", "hours", False, (0, 10), "abs", 30, 60),
        K("Manual credits issued per month", "credits", True, (40, 90), "mul", 0.3, 0.5),
        K("Staff actions with a full audit trail", "%", False, (40, 70), "abs", 95, 100),
    ),
}

# --- Initiatives ---------------------------------------------------------------------

INITIATIVES: tuple[tuple[str, str], ...] = (
    (
        "Enterprise readiness",
        "SSO everywhere, audit trails, and the admin controls larger "
        "accounts ask for in every security review.",
    ),
    (
        "Self-serve onboarding",
        "A new customer goes from signed contract to first order without a call with us.",
    ),
    (
        "Unified search",
        "One search box that finds orders, invoices, products and people across every product.",
    ),
    ("Usage-based pricing", "Prepare billing, metering and the plans page for usage-based plans."),
    ("Mobile-first warehouse flows", "Every warehouse task can be done on a scanner or phone."),
    (
        "Partner ecosystem",
        "Let resellers and integrators build on Lanternfield and get paid for it.",
    ),
    ("EU data residency", "Customer data of European accounts stays in the EU, provably."),
    (
        "Accessibility to WCAG 2.2 AA",
        "Every customer-facing screen passes an external accessibility audit.",
    ),
    (
        "Speed everywhere",
        "Every screen answers within a second at the size of our largest customer.",
    ),
    (
        "Assisted invoice matching",
        "Suggest the invoice a payment belongs to and learn from corrections.",
    ),
    (
        "Retire the legacy back office",
        "Move every support and finance workflow to Admin Console and switch the old tool off.",
    ),
    ("One customer identity", "One account, one login and one profile across all products."),
    (
        "Connector marketplace",
        "A catalogue of ready-made connectors, including ones partners build.",
    ),
    ("Real-time inventory", "Stock levels that are right within seconds, in every channel."),
    (
        "Predictive reordering",
        "Suggest what to reorder and when, from sales history and seasonality.",
    ),
    ("Proof-of-value trials", "Trials with the customer's own data, set up in a day."),
    (
        "Pricing and packaging refresh",
        "Fewer plans, clearer limits, and add-ons that sell themselves.",
    ),
    ("Global tax compliance", "E-invoicing and tax reporting for every country we sell in."),
    (
        "Field team productivity",
        "Technicians and drivers spend less time on admin and more on customers.",
    ),
    ("Customer health scoring", "A health score per account that customer success trusts."),
    ("Design system 2.0", "One component library for every product, dark mode included."),
    ("Reliability quarter", "Pay down the incident backlog and meet our availability objective."),
    ("Open API programme", "A complete, versioned public API with sandbox accounts."),
    ("Smarter notifications", "Fewer, better notifications, with digests and quiet hours."),
    (
        "Guided setup for admins",
        "A checklist that gets an admin from empty workspace to live in an afternoon.",
    ),
    ("Offline-first mobile", "Apps that keep working in basements, cold stores and rural routes."),
    (
        "Audit-ready finance",
        "Month-end close without spreadsheets, with evidence for every number.",
    ),
    (
        "Supplier collaboration",
        "Let our customers' suppliers update catalogs, stock and orders themselves.",
    ),
)

# --- Features ------------------------------------------------------------------------

FEATURE_TITLES: tuple[str, ...] = (
    "Bulk edit {obj}",
    "Export {obj} to CSV and Excel",
    "Saved filters for {obj}",
    "Audit history on {obj}",
    "Approval rules for {obj}",
    "Faster loading of {obj}",
    "Keyboard shortcuts for {obj}",
    "Webhooks when {obj} change",
    "Import {obj} from a spreadsheet",
    "Role-based access to {obj}",
    "Duplicate detection for {obj}",
    "Mobile layout for {obj}",
    "Weekly email digest of {obj}",
    "Archive stale {obj}",
    "Comments and mentions on {obj}",
    "Public API for {obj}",
    "Custom fields on {obj}",
    "SLA alerts for {obj}",
    "Merge duplicate {obj}",
    "Multi-currency {obj}",
    "Translated {obj}",
    "Offline access to {obj}",
    "Templates for {obj}",
    "File attachments on {obj}",
    "Status timeline for {obj}",
    "Smart defaults for new {obj}",
    "Inline editing of {obj}",
    "Change notifications for {obj}",
    "Search {obj} by any field",
    "Bulk delete {obj} with undo",
    "Field-level permissions on {obj}",
    "Sandbox copies of {obj}",
    "Suggested next steps on {obj}",
    "Usage analytics for {obj}",
    "Tags and labels on {obj}",
    "Two-step approval of {obj}",
    "Accessible tables of {obj}",
    "Print-friendly {obj}",
    "Version history of {obj}",
    "Recycle bin for deleted {obj}",
)

# Appended to a title to tell apart variants of the same idea.
FEATURE_QUALIFIERS: tuple[str, ...] = (
    "",
    " for admins",
    " for large accounts",
    " in the mobile app",
    " for new customers",
    " (phase 2)",
    " for partners",
)

PROBLEMS: tuple[str, ...] = (
    "{Persona} spend too long on {obj} because every change is made one record at a time.",
    "Today {obj} can only be handled at a desk, so {persona} wait until they are back "
    "in the office.",
    "Support receives around {n} tickets a month about {obj}; most are questions "
    "{product} could answer itself.",
    "Large accounts have thousands of {obj}, and the screens slow down noticeably beyond "
    "a few hundred.",
    "{Persona} keep a spreadsheet next to {product} to track {obj}, and it drifts out "
    "of date within days.",
    "Auditors ask who changed {obj} and when, and we cannot answer without digging through logs.",
    "Three of our twenty largest accounts raised this in their last quarterly review.",
    "Competitors have shipped this, and it now comes up in about one in {k} lost deals.",
    "New customers stumble here during onboarding: it is the most common reason for a "
    "call with customer success.",
)

PROPOSALS: tuple[str, ...] = (
    "Add the action to the {obj} list, reachable from the toolbar and the keyboard.",
    "Keep the current flow as the default and offer the new one behind a setting.",
    "Record every change in the activity history with who made it and when.",
    "Respect existing permissions: people only see the {obj} they may edit.",
    "Ship to design partners first, then to everyone after two weeks without regressions.",
    "Offer the same capability in the public API so integrators can automate it.",
    "Show an empty state that explains the feature and links to the help article.",
    "Limit the first version to {limit} {obj} per action; raise it once we have measured the load.",
    "Reuse the design system's table and filter components; no new patterns.",
    "Send one notification per batch, never one per record.",
)

OUT_OF_SCOPE: tuple[str, ...] = (
    "changes to pricing or plans",
    "a redesign of the surrounding screens",
    "migrating history older than two years",
    "the native mobile apps (web first)",
    "custom reports; the standard export covers the need",
)

SUCCESS: tuple[str, ...] = (
    "{pct}% of eligible accounts use it weekly within a quarter of release.",
    "Support tickets about {obj} drop by a third.",
    "The median time to finish the task falls below {sec} seconds.",
    "No increase in p95 load time on the {obj} screens.",
    "At least {deals} open deals list it as resolved in the CRM.",
)

REJECTION_REASONS: tuple[str, ...] = (
    "Rejected in the portfolio review: too little evidence of demand outside one account.",
    "Rejected: overlaps with work another team has already planned.",
    "Rejected for now: the effort is out of proportion to the expected impact.",
    "Rejected: conflicts with the direction agreed in this year's strategy.",
)

RELEASE_INTROS: tuple[str, ...] = (
    "A release focused on speed and polish.",
    "This release brings long-requested improvements for larger accounts.",
    "Mostly fixes and refinements, plus a few features customers asked for.",
    "Work from the current objectives reaches customers in this release.",
    "A short release cycle: small improvements, shipped early.",
)
