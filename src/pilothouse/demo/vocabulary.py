"""Names of the fictional company Lanternfield: its product catalogue and its people.

Everything here is invented for the demo. The catalogue is fixed (the seed varies
the people, the numbers and the roadmap, not which products exist), so that the
small scale always shows every lifecycle stage and every kind of product.
"""

from __future__ import annotations

from dataclasses import dataclass

from pilothouse.portfolio.models import LifecycleStage, ProductKind

COMPANY = "Lanternfield"
COMPANY_DOMAIN = "lanternfield.example"
COMPANY_PITCH = (
    "Lanternfield builds operations software for mid-sized distributors and "
    "manufacturers: ordering, invoicing, warehousing, delivery and the platform beneath them."
)


@dataclass(frozen=True)
class ProductSpec:
    name: str
    key: str
    kind: str
    stage: str
    in_small: bool
    description: str
    # Plural nouns the product's features are about ("invoices", "payment links").
    nouns: tuple[str, ...]


@dataclass(frozen=True)
class LineSpec:
    name: str
    description: str
    personas: tuple[str, ...]
    areas: tuple[str, ...]
    products: tuple[ProductSpec, ...]


# The catalogue as a table, read by `_parse_catalogue` below:
#   "= Line name", then its description, "personas:" and "areas:" (separated by ";");
#   "KEY | Product name | kind | stage | small or large" (large: only in the large scale),
#   then, indented, the product's description and ("nouns:") what its features are about.
_CATALOGUE_TABLE = """
= Commerce
Everything our customers' buyers touch: the storefront, quotes, orders and the catalog.
personas: buyers; account managers; sales reps
areas: Checkout; Cart and pricing; Product search; Customer accounts; Promotions
areas: Order tracking; Approvals; Catalog data
STORE | Storefront | revenue | growth | small
    The B2B web shop our customers run for their own buyers.
    nouns: product pages; carts; checkout steps; saved lists; reorder lists; search results
    nouns: customer price lists; delivery slots
QUOTE | Quote Desk | revenue | launch | small
    Quotes with approval chains, for deals that need a human touch.
    nouns: quotes; quote templates; discount requests; approval chains; quote lines; quote PDFs
    nouns: expiry reminders
ORDER | Order Hub | revenue | mature | small
    One queue for every order, from every channel, to every warehouse.
    nouns: orders; backorders; order lines; shipments; returns; order holds; split deliveries
CLASSIC | Classic Storefront | revenue | retired | small
    The first-generation web shop, replaced by Storefront.
    nouns: legacy catalogs; legacy carts; theme templates; banner slots; static pages
CATLG | Catalog Studio | revenue | build | large
    Product information management for distributors with large ranges.
    nouns: product records; attributes; variants; image sets; supplier feeds; category trees
PRTNR | Partner Portal | revenue | discovery | large
    A portal for resellers and referral partners (in discovery).
    nouns: partner accounts; deal registrations; co-marketing requests; partner tiers
    nouns: referral links

= Finance
Getting paid and keeping the books straight: invoicing, payments, spend and the ledger.
personas: finance admins; controllers; accounts receivable clerks
areas: Invoice runs; Collections; Tax; Reconciliation; Payment methods; Reporting
areas: Approvals; Multi-entity
INVC | Invoicing | revenue | mature | small
    Invoices, credit notes and dunning, for every billing model we support.
    nouns: invoices; credit notes; invoice runs; dunning letters; payment terms; tax lines
    nouns: invoice templates
PAY | Payments | revenue | growth | small
    Card, bank transfer and direct debit payments, with automatic matching.
    nouns: payments; payment links; refunds; payouts; card mandates; remittance advices; disputes
SPEND | Spend Control | revenue | discovery | small
    Purchase requests and budgets for our customers' own spending.
    nouns: purchase requests; budgets; spend policies; cost centres; receipts; vendor cards
LEDGER | Ledger Sync | revenue | mature | large
    Two-way sync with the accounting systems our customers already use.
    nouns: journal entries; account mappings; sync runs; period closes; currency rates
    nouns: reconciliation rules
REVIN | Revenue Insights | revenue | launch | large
    Revenue analytics and forecasts built on invoicing and payments data.
    nouns: revenue reports; cohort charts; deferred revenue schedules; forecast scenarios; KPI tiles

= Platform
The shared foundation every product team builds on: identity, integrations, data and
the tools our own staff use.
personas: workspace admins; integration developers; support engineers
areas: Authentication; Permissions; Developer experience; Reliability
areas: Audit and compliance; Admin tools; Performance; Observability
IDENT | Identity | platform | mature | small
    Sign-in, single sign-on, roles and permissions for every product.
    nouns: user accounts; SSO connections; roles; permission sets; login sessions; audit events
    nouns: API keys
INTEG | Integration Hub | platform | build | small
    Connectors, webhooks and sync jobs to the systems around our products.
    nouns: connectors; sync jobs; field mappings; webhooks; error queues; connection secrets
BACKOFF | Back Office | internal | sunset | small
    The internal tool support and finance use to manage customer accounts, being replaced
    by Admin Console.
    nouns: customer records; plan changes; manual credits; support overrides; tenant settings
ADMIN | Admin Console | internal | growth | large
    The new internal console for support, finance and operations staff.
    nouns: tenants; feature flags; plan limits; support sessions; data exports
DATA | Data Platform | platform | growth | large
    Event streams, exports and the warehouse tables behind our analytics.
    nouns: event streams; data exports; warehouse tables; data contracts; retention policies

= Warehouse
Inventory and fulfilment inside the four walls of our customers' warehouses.
personas: warehouse leads; pickers; inventory planners
areas: Receiving; Put-away; Picking; Packing; Inventory accuracy; Labour planning
areas: Hardware; Reporting
STOCK | Stock Keeper | revenue | mature | large
    Real-time inventory across locations, bins and lots.
    nouns: stock levels; bin locations; lot numbers; transfers; stock adjustments; reorder points
PICK | Pick and Pack | revenue | growth | large
    Guided picking and packing with scanners and label printers.
    nouns: pick lists; pick waves; packing stations; shipping labels; tote assignments; short picks
DOCK | Dock Scheduler | revenue | launch | large
    Appointment booking for inbound and outbound dock doors.
    nouns: dock appointments; carrier bookings; door calendars; arrival check-ins; yard slots
CYCLE | Cycle Count | revenue | sunset | large
    Standalone cycle counting, now folded into Stock Keeper.
    nouns: count plans; count sheets; variances; recount tasks

= Logistics
Moving goods from the warehouse to the customer: routes, carriers and proof of delivery.
personas: dispatchers; drivers; logistics managers
areas: Planning; Tracking; Carrier network; Customer notifications; Costs; Compliance
areas: Driver experience; Reporting
ROUTE | Route Planner | revenue | growth | large
    Daily route optimisation for own fleets.
    nouns: routes; delivery stops; vehicle profiles; time windows; route plans; depot settings
CARRIER | Carrier Connect | revenue | mature | large
    Rates, bookings and tracking with parcel and freight carriers.
    nouns: carrier rates; bookings; tracking events; carrier accounts; manifests
POD | Proof of Delivery | revenue | growth | large
    Signatures, photos and exceptions captured at the door.
    nouns: delivery proofs; signatures; delivery photos; delivery exceptions; customer notes
FREIGHT | Freight Audit | revenue | discovery | large
    Checking carrier invoices against agreed rates (in discovery).
    nouns: freight invoices; rate agreements; audit rules; disputed charges

= Customer Experience
Service after the sale: the help desk, field service and customer feedback.
personas: support agents; field technicians; service managers
areas: Ticketing; Scheduling; Self-service; Knowledge; Surveys; SLAs; Mobile; Reporting
DESK | Service Desk | revenue | mature | large
    Ticketing for our customers' own customer service teams.
    nouns: tickets; macros; queues; SLA policies; customer replies; escalations
FIELD | Field Service | revenue | growth | large
    Scheduling and mobile work orders for technicians on the road.
    nouns: work orders; technician schedules; service visits; spare parts; checklists
PULSE | Customer Pulse | revenue | build | large
    Surveys and feedback analysis across the customer journey.
    nouns: surveys; survey responses; feedback themes; NPS reports
KBASE | Knowledge Base | revenue | retired | large
    The standalone help centre, folded into Service Desk.
    nouns: help articles; article categories; search synonyms

= Insights
Analytics for operations leaders: dashboards, forecasts and peer benchmarks.
personas: analysts; operations managers; executives
areas: Dashboards; Data model; Sharing; Alerts; Forecasting; Exports; Embedding; Performance
DASH | Dashboards | revenue | growth | large
    Ready-made and custom dashboards across every Lanternfield product.
    nouns: dashboards; charts; metric definitions; dashboard filters; scheduled snapshots
FCAST | Forecast Lab | revenue | discovery | large
    Demand forecasting for replenishment (in discovery).
    nouns: demand forecasts; forecast models; seasonality profiles; forecast overrides
BENCH | Benchmarks | revenue | launch | large
    Anonymised peer benchmarks for key operational metrics.
    nouns: benchmark reports; peer groups; metric percentiles

= Mobile and Devices
Apps and devices used on the warehouse floor, in the van and at the trade counter.
personas: floor staff; drivers; store staff
areas: Offline mode; Device management; Scanning; Notifications; Accessibility; Onboarding
areas: Performance; Security
SCAN | Scanner App | revenue | mature | large
    The rugged-device app for receiving, picking and counting.
    nouns: scan sessions; barcode formats; device profiles; offline queues
DRIVER | Driver App | revenue | growth | large
    Routes, stops and proof of delivery on the driver's phone.
    nouns: stop lists; navigation hand-offs; driver check-ins; vehicle inspections
KIOSK | Counter Kiosk | revenue | sunset | large
    Self-service ordering kiosks for trade counters.
    nouns: kiosk screens; kiosk orders; kiosk devices; receipt layouts
"""


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(";") if item.strip()]


def _parse_catalogue(table: str) -> tuple[LineSpec, ...]:
    lines: list[dict] = []
    product: dict | None = None
    for raw in table.strip().splitlines():
        if not raw.strip():
            continue
        text = raw.strip()
        if text.startswith("= "):
            lines.append(
                {"name": text[2:], "description": [], "personas": [], "areas": [], "products": []}
            )
            product = None
        elif raw.startswith("    ") and product is not None:
            if text.startswith("nouns:"):
                product["nouns"].extend(_items(text.removeprefix("nouns:")))
            else:
                product["description"] = f"{product['description']} {text}".strip()
        elif " | " in text:
            key, name, kind, stage, where = (part.strip() for part in text.split("|"))
            product = {
                "key": key,
                "name": name,
                "kind": ProductKind(kind),
                "stage": LifecycleStage(stage),
                "in_small": where == "small",
                "description": "",
                "nouns": [],
            }
            lines[-1]["products"].append(product)
        elif text.startswith(("personas:", "areas:")):
            label, _, rest = text.partition(":")
            lines[-1][label].extend(_items(rest))
        else:
            lines[-1]["description"].append(text)
    return tuple(
        LineSpec(
            name=line["name"],
            description=" ".join(line["description"]),
            personas=tuple(line["personas"]),
            areas=tuple(line["areas"]),
            products=tuple(
                ProductSpec(**{**p, "nouns": tuple(p["nouns"])}) for p in line["products"]
            ),
        )
        for line in lines
    )


CATALOGUE: tuple[LineSpec, ...] = _parse_catalogue(_CATALOGUE_TABLE)

# Areas any product may have, besides its line's own.
COMMON_AREAS = (
    "Onboarding",
    "Notifications",
    "Integrations",
    "Search",
    "Settings",
    "Data import",
    "Accessibility",
    "Localization",
)

FIRST_NAMES = (
    "Ada",
    "Amara",
    "Anouk",
    "Arjun",
    "Aurelio",
    "Beatriz",
    "Bram",
    "Camille",
    "Chidi",
    "Dagny",
    "Dario",
    "Delphine",
    "Elif",
    "Emeka",
    "Esther",
    "Farid",
    "Freya",
    "Gideon",
    "Greta",
    "Hana",
    "Hamza",
    "Ines",
    "Ivo",
    "Jasper",
    "Jun",
    "Kalani",
    "Kasia",
    "Keoni",
    "Leila",
    "Lorenzo",
    "Lucia",
    "Maeve",
    "Malik",
    "Marit",
    "Mateo",
    "Mei",
    "Milan",
    "Nadia",
    "Nia",
    "Noor",
    "Oskar",
    "Paloma",
    "Priya",
    "Quentin",
    "Rafael",
    "Rhea",
    "Rowan",
    "Saanvi",
    "Santiago",
    "Selin",
    "Soren",
    "Tamsin",
    "Teodor",
    "Thandiwe",
    "Tobias",
    "Uma",
    "Valentin",
    "Vera",
    "Wendell",
    "Xiomara",
    "Yara",
    "Yusuf",
    "Zaid",
    "Zofia",
    "Linnea",
    "Matthias",
    "Orla",
    "Pedro",
    "Ruth",
    "Sanjay",
)

LAST_NAMES = (
    "Abernathy",
    "Achterberg",
    "Adeyemi",
    "Albescu",
    "Amsel",
    "Arvidsson",
    "Baptiste",
    "Bellweather",
    "Brannigan",
    "Castellanos",
    "Chaudhry",
    "Coelho",
    "Dalca",
    "Delacroix",
    "Drummond",
    "Ekwueme",
    "Falkenrath",
    "Farrow",
    "Garnier",
    "Halloran",
    "Haugland",
    "Ibarra",
    "Iwasaki",
    "Jablonski",
    "Kaczmarek",
    "Kapoor",
    "Kestrel",
    "Lindqvist",
    "Lowery",
    "Madsen",
    "Marchetti",
    "Mbeki",
    "Moreau",
    "Nakagawa",
    "Nilsen",
    "Novak",
    "Okafor",
    "Oyelaran",
    "Pellegrini",
    "Petrakis",
    "Quartey",
    "Raghunathan",
    "Renwick",
    "Rosales",
    "Saarinen",
    "Sandoval",
    "Sato",
    "Schreiber",
    "Sorensen",
    "Szabo",
    "Takahashi",
    "Thornbury",
    "Torvik",
    "Umarov",
    "Valcourt",
    "Vasquez",
    "Verhoeven",
    "Wachowski",
    "Whitcombe",
    "Winslow",
    "Yamamoto",
    "Yilmaz",
    "Zamora",
    "Zielinski",
    "Ferreira",
    "Gallagher",
    "Holmberg",
    "Ivanova",
    "Juarez",
    "Kowalczyk",
)

# Job titles of the people in the product organization without a PM level.
CONTRIBUTOR_TITLES = (
    "Product Designer",
    "Senior Product Designer",
    "UX Researcher",
    "Product Analyst",
    "Product Operations Manager",
    "Content Designer",
)


def product_specs(*, full: bool) -> list[tuple[LineSpec, list[ProductSpec]]]:
    """The lines and products of a scale: the whole catalogue or the small subset."""
    chosen = []
    for line in CATALOGUE:
        products = [p for p in line.products if full or p.in_small]
        if products:
            chosen.append((line, products))
    return chosen
