"""Words of the demo's customer voice: company names, contacts, and how feedback is phrased.

All invented for the demo. Slots in braces are filled by `demo.feedback`: {want} and
{pain} come from the feature a note is about (see WANTS), {obj}, {product}, {area} and
{persona} from its product, the others from the lists here.
"""

from __future__ import annotations

# --- Companies -------------------------------------------------------------------------

# A company name is a prefix and a stem ("North" + "gate") and a trade ("Supply"), or two
# family names and a trade ("Okafor & Lind Trading"); the sets of words are disjoint, so
# no name repeats itself ("Stonestone").
NAME_PREFIXES = (
    "North", "South", "East", "West", "Blue", "Red", "Green", "Silver", "Iron", "Oak",
    "Pine", "Cedar", "Maple", "Birch", "Harbor", "River", "Lake", "Bay", "Summit", "Sun",
    "Bright", "Clear", "True", "Swift", "Bold", "Grand", "High", "Fair", "Star", "Crown",
    "Eagle", "Falcon", "Fox", "Hawk", "Copper", "Granite", "Amber", "Cobalt", "Juniper",
    "Willow", "Alder", "Heath", "Frost", "Ember", "Kings", "Wind", "Salt", "Rose",
)  # fmt: skip
NAME_STEMS = (
    "field", "gate", "wood", "bridge", "ford", "brook", "haven", "point", "well", "mark",
    "line", "port", "way", "crest", "vale", "hill", "mont", "wick", "ton", "land", "side",
    "view", "dale", "shore", "works", "craft", "moor", "holm", "bury", "stead",
)  # fmt: skip
TRADES = (
    "Supply", "Distribution", "Wholesale", "Foods", "Beverages", "Industrial", "Electric",
    "Plumbing Supply", "Building Materials", "Auto Parts", "Medical Supply", "Hardware",
    "Tools", "Packaging", "Chemicals", "Textiles", "Furniture", "Paper", "Office Supplies",
    "Agri", "Fasteners", "Bearings", "Pumps", "Hydraulics", "Lighting", "HVAC Supply",
    "Safety Gear", "Marine Supply", "Beauty Supply", "Pet Supplies", "Sports", "Toys",
    "Wine Merchants", "Coffee Traders", "Dairy", "Fresh Produce", "Frozen Foods", "Metals",
    "Plastics", "Timber", "Glass", "Manufacturing", "Trading", "Provisions",
)  # fmt: skip
PARTNER_NAMES = (
    "Achebe", "Aldana", "Bergstrom", "Bianchi", "Brandt", "Carvalho", "Castell", "Dervish",
    "Duval", "Eklund", "Esposito", "Fairbanks", "Fenwick", "Gaspard", "Gould", "Hartmann",
    "Holt", "Ibsen", "Ingram", "Jansen", "Kerr", "Kovac", "Lind", "Lorca", "Mackay",
    "Mendes", "Navarro", "Nolan", "Ogden", "Oliveira", "Parrish", "Pryce", "Quinlan",
    "Reyes", "Rourke", "Sato", "Strand", "Tanaka", "Thorne", "Ueda", "Varga", "Voss",
    "Wakefield", "Weber", "Whitlock", "Xu", "Yates", "Zeller",
)  # fmt: skip
# Legal forms by region (a name carries one a little more than half the time).
LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "EMEA": ("Ltd", "GmbH", "B.V.", "S.A.", "AB", "Oy", "SAS", "ApS", "S.r.l."),
    "North America": ("Inc.", "LLC", "Corp.", "Co."),
    "APAC": ("Pty Ltd", "Pte Ltd", "Ltd", "K.K.", "Ltd."),
    "LATAM": ("S.A. de C.V.", "Ltda.", "S.A.", "S.A.S."),
}

# --- Contacts ----------------------------------------------------------------------------

CONTACT_FIRST_NAMES = (
    "Abigail", "Adrian", "Agnes", "Alvaro", "Ana", "Anders", "Bea", "Bilal", "Boris",
    "Carla", "Cem", "Chloe", "Colm", "Dana", "Dimitri", "Ebba", "Eduardo", "Elena",
    "Emil", "Fatou", "Felix", "Gemma", "Gustavo", "Hannah", "Hiro", "Ida", "Imran",
    "Isla", "Jakob", "Jana", "Joao", "Karim", "Katrin", "Kenji", "Lara", "Liam", "Lotte",
    "Marco", "Mariana", "Mikkel", "Nadine", "Nikhil", "Olga", "Omar", "Pia", "Ravi",
    "Rosa", "Samir", "Sanne", "Sean", "Sofia", "Stefan", "Tariq", "Tess", "Ulla",
    "Victor", "Wen", "Yasmin", "Yuki", "Zoran",
)  # fmt: skip
CONTACT_LAST_NAMES = (
    "Almeida", "Andersen", "Bakker", "Barros", "Berger", "Cardoso", "Chen", "Costa",
    "Dubois", "Eriksen", "Fischer", "Fonseca", "Friedman", "Gomez", "Grant", "Hayes",
    "Hoffmann", "Hughes", "Jensen", "Keller", "Kim", "Klein", "Larsen", "Lehmann", "Lopez",
    "Martin", "Meyer", "Molina", "Murphy", "Nguyen", "Nielsen", "Ortiz", "Patel", "Perez",
    "Peters", "Quinn", "Ramos", "Richter", "Rossi", "Santos", "Schmidt", "Shah", "Silva",
    "Singh", "Smits", "Suzuki", "Torres", "Turner", "Van Dijk", "Vogel", "Walsh", "Wang",
    "Wolf", "Young", "Zimmer",
)  # fmt: skip
CONTACT_ROLES = (
    "Operations Manager", "Head of Finance", "IT Administrator", "Warehouse Manager",
    "Procurement Lead", "Chief Financial Officer", "Customer Service Manager",
    "Logistics Coordinator", "Sales Operations Manager", "Financial Controller",
    "Office Manager", "Head of Supply Chain", "E-commerce Manager", "Dispatch Lead",
    "Systems Analyst", "Accounts Receivable Lead", "Head of Operations",
)  # fmt: skip
SMALL_COMPANY_ROLES = ("Founder", "Managing Director", "Owner", "General Manager")

# --- What a feature is about, in the customer's words -----------------------------------

# Feature title pattern (demo.phrases.FEATURE_TITLES), then what customers want ("we need
# to ..."), then how things are today ("today ..."), and in brackets the tag it earns.
_WANTS_TABLE = """
= Bulk edit {obj} [ux]
  edit many {obj} at once
  every change to {obj} is one record at a time
= Export {obj} to CSV and Excel [reporting]
  export {obj} to Excel
  we copy {obj} into spreadsheets by hand
= Saved filters for {obj} [ux]
  save the filters we use on {obj}
  we rebuild the same filters on {obj} every morning
= Audit history on {obj} [security-review]
  see who changed {obj} and when
  nobody can tell who changed {obj}
= Approval rules for {obj}
  set approval rules for {obj}
  anyone can change {obj} without a second pair of eyes
= Faster loading of {obj} [performance]
  open {obj} without waiting
  the {obj} screen takes ages to load
= Keyboard shortcuts for {obj} [ux]
  work through {obj} with the keyboard
  our power users click through {obj} all day
= Webhooks when {obj} change [integration]
  get a webhook when {obj} change
  our ERP only learns about changed {obj} from a nightly export
= Import {obj} from a spreadsheet [data-quality]
  import {obj} from a spreadsheet
  we type {obj} in by hand from a spreadsheet
= Role-based access to {obj} [security-review]
  restrict who sees {obj} by role
  everyone sees all of our {obj}
= Duplicate detection for {obj} [data-quality]
  be warned about duplicate {obj}
  we keep finding duplicate {obj}
= Mobile layout for {obj} [mobile]
  handle {obj} on a phone
  the {obj} pages are unusable on a phone
= Weekly email digest of {obj}
  get a weekly summary of {obj} by email
  managers log in just to check on {obj}
= Archive stale {obj} [ux]
  archive old {obj}
  old {obj} clutter every list
= Comments and mentions on {obj}
  comment on {obj} and mention colleagues
  conversations about {obj} happen in email threads
= Public API for {obj} [api]
  read and write {obj} through the API
  there is no API for {obj}, so our integration scrapes the screens
= Custom fields on {obj}
  add our own fields to {obj}
  we squeeze extra information about {obj} into the notes field
= SLA alerts for {obj}
  be alerted before {obj} miss their deadline
  we only find out about late {obj} when the customer calls
= Merge duplicate {obj} [data-quality]
  merge duplicate {obj}
  support has to clean up duplicate {obj} for us
= Multi-currency {obj} [localization]
  handle {obj} in several currencies
  {obj} only work in one currency
= Translated {obj} [localization]
  show {obj} in our users' languages
  our German and Spanish users get {obj} in English
= Offline access to {obj} [mobile]
  work with {obj} without a connection
  {obj} are gone as soon as the signal drops
= Templates for {obj} [ux]
  start new {obj} from a template
  we recreate the same {obj} from scratch every week
= File attachments on {obj}
  attach files to {obj}
  the documents that belong to {obj} live in a shared drive
= Status timeline for {obj}
  see the history of {obj} on one timeline
  we can't tell where {obj} are stuck
= Smart defaults for new {obj} [ux]
  have sensible defaults filled in on new {obj}
  we type the same values into every one of our new {obj}
= Inline editing of {obj} [ux]
  edit {obj} straight in the list
  changing one field on {obj} takes three screens
= Change notifications for {obj}
  be notified when {obj} change
  we miss changes to {obj} until it is too late
= Search {obj} by any field [ux]
  search {obj} by any field
  search only finds {obj} by their number
= Bulk delete {obj} with undo [ux]
  delete many {obj} at once, with an undo
  cleaning up {obj} is one click per record
= Field-level permissions on {obj} [security-review]
  hide sensitive fields on {obj} from some roles
  every user sees every field of {obj}, margins included
= Sandbox copies of {obj}
  try changes to {obj} in a sandbox
  we test changes to {obj} on live data
= Suggested next steps on {obj} [onboarding]
  get suggestions for what to do next with {obj}
  new staff don't know what to do next with {obj}
= Usage analytics for {obj} [reporting]
  see how {obj} are used
  we have no idea which {obj} are actually used
= Tags and labels on {obj}
  tag {obj} with our own labels
  we can't group {obj} the way we work
= Two-step approval of {obj} [security-review]
  require a second approval on {obj}
  a single person can push {obj} through alone
= Accessible tables of {obj} [accessibility]
  use the {obj} tables with a screen reader
  the {obj} tables don't work with a screen reader
= Print-friendly {obj}
  print {obj} cleanly
  printing {obj} cuts off half the columns
= Version history of {obj}
  restore an earlier version of {obj}
  a wrong edit to {obj} can't be undone
= Recycle bin for deleted {obj}
  recover deleted {obj}
  deleted {obj} are gone for good
"""


def _parse_wants(table: str) -> dict[str, tuple[str, str, str]]:
    rows = [line.strip() for line in table.strip().splitlines()]
    wants = {}
    for head, want, pain in zip(rows[::3], rows[1::3], rows[2::3], strict=True):
        title, _, tag = head.removeprefix("= ").partition(" [")
        wants[title] = (want, pain, tag.removesuffix("]"))
    return wants


# Title pattern -> (want, pain, tag or "").
WANTS: dict[str, tuple[str, str, str]] = _parse_wants(_WANTS_TABLE)
# What a title's qualifier adds to the want ("" adds nothing).
QUALIFIER_WANTS = {
    " for admins": " as admins",
    " for large accounts": " at our volume",
    " in the mobile app": " in the mobile app",
    " for new customers": " from day one",
    " (phase 2)": "",
    " for partners": " for our partners",
}

# --- The main sentence of a note, by kind ------------------------------------------------

REQUEST = (
    "We need to be able to {want}.",
    "Could you let us {want}? Right now {pain}.",
    "Our {persona} keep asking whether they can {want} in {product}.",
    "Please add a way to {want} in {product}.",
    "Is there any plan to let us {want}? Today {pain}.",
    "Biggest gap for us in {product}: we can't {want}.",
    "If we could {want}, we would roll {product} out to the rest of the business.",
    "Right now {pain}. Being able to {want} would save us hours every week.",
    "Feature request: {title}.",
    "We'd love to {want}. {Pain}, and it costs us time every day.",
)
IMPROVEMENT = (
    "{Product} works well for us, but {pain}. It would help a lot to {want}.",
    "Small change, big effect: let us {want}.",
    "The {area} screens would be much better if we could {want}.",
    "Today {pain}, so our {persona} work around it with spreadsheets.",
    "Not a blocker, but {pain}. Being able to {want} would make a real difference.",
    "It's clunky that {pain}. Could {product} let us {want}?",
)
QUESTION_OPEN = (
    "Is there a way to {want} in {product}?",
    "Can we {want} today, or is that on the roadmap?",
    "Our {persona} asked whether {product} can {want}. Can it?",
    "Does anyone know if we can {want}? {Pain}.",
)
QUESTION_COMING = (
    "When will {title_q} be available? Our {persona} are waiting for it.",
    "We heard {title_q} is being worked on. Is there a date yet?",
    "Could we join the beta for {title_q}?",
    "Is {title_q} still planned for this year?",
)
QUESTION_SHIPPED = (
    "How do we {want} now that {title_q} is live? We couldn't find it in the settings.",
    "Is {title_q} included in our plan?",
    "Where do we switch on {title_q}?",
    "Does {title_q} work for {obj} created before the update?",
)
PRAISE = (
    "Being able to {want} has made a real difference for our {persona}.",
    "{title_q} is exactly what we needed, thank you.",
    "Since we can {want}, month end takes us a day less.",
    "Great work on {title_q}: our {persona} noticed straight away.",
    "Thanks for shipping {title_q}. It replaced a spreadsheet we hated.",
)
BUG = (
    "Since the {release} update, {symptom}.",
    "{title_q} isn't working for us: {symptom}.",
    "When we try to {want}, {symptom}.",
    "{Symptom}. It started after {title_q} was switched on.",
)
# A customer asking again, with more or with less urgency than before.
ESCALATIONS = (
    "Following up on {title_q}: this is now blocking the rollout to our other {n} sites.",
    "Raising {title_q} again: our CFO asked about it in this week's review, so it has "
    "become urgent for us.",
    "Back to {title_q}: we lost a large order last week because we couldn't {want}.",
    "Following up on {title_q}: it is now a condition for our renewal in {month}.",
)
DEESCALATIONS = (
    "Update on {title_q}: we found a workaround with an export, so it's less urgent now.",
    "About {title_q}: we changed our process, so this matters less to us than it did.",
    "Re {title_q}: nice to have now rather than a must, we moved that work elsewhere.",
)

# --- Recurring problems that are not (yet) a feature: the themes of the inbox ------------

SYMPTOMS: tuple[tuple[str, str], ...] = (
    ("{obj} we saved yesterday show the old values again", "data-quality"),
    ("the {obj} list stays empty although the filter should match hundreds", ""),
    ("we get an error 500 when we open {obj}", "regression"),
    ("the page with {obj} freezes for half a minute and then times out", "performance"),
    ("the totals on {obj} don't match the export", "data-quality"),
    ("dates on {obj} are shifted by one day, it looks like a time zone problem", ""),
    ("every change to {obj} sends the notification twice", ""),
    ("{obj} created through the API are missing from the list", "api"),
    ("the last column of the {obj} table is cut off on a laptop screen", "ux"),
    ("sorting {obj} by date puts last year's first", ""),
    ("we are logged out every few minutes while working on {obj}", "security-review"),
    ("the {obj} screen is very slow on Monday mornings", "performance"),
    ("the PDF of {obj} shows the wrong company logo", ""),
    ("accented characters in {obj} turn into question marks", "localization"),
    ("the mobile view of {obj} doesn't scroll past the first screen", "mobile"),
)
PAIN_BUG = (
    "In {product}, {symptom}.",
    "{Area} in {product}: {symptom}.",
    "We keep running into this in {product}: {symptom}.",
    "Since the last update, {symptom} ({area}).",
    "{Symptom}. Happens in {product} every day now.",
)
PAIN_IMPROVEMENT = (
    "{Area} in {product} is the slowest part of our day: {symptom}.",
    "Could you look at {area} in {product}? {Symptom}.",
    "Not urgent, but in {product} {symptom}. It adds up.",
)
PAIN_QUESTION = (
    "Is it a known issue that {symptom} in {product}?",
    "Are other customers seeing that {symptom}? ({product}, {area})",
)
GENERAL_PRAISE = (
    "{Product} has been rock solid since we went live.",
    "Our {persona} love how quick {product} has become.",
    "Thanks for the help with setting up {product}; the team is up and running.",
    "Best release of {product} so far, everything feels faster.",
    "The support team sorted out our {area} problem within an hour. Impressive.",
)
GENERAL_QUESTION = (
    "Where can we find the release notes for {product}?",
    "Is there training material for new {persona} on {product}?",
    "Does {product} have a status page we can subscribe to?",
    "Who should we talk to about adding {area} for our second company?",
)
ACCOUNT = (
    "Please update our billing contact: invoices should go to our new finance manager.",
    "Our renewal is due in {month}. Can you send the quote for {n} more seats?",
    "We are opening a new site in {city} in the spring and will need {n} more logins.",
    "Can we move the {product} training session to Thursday afternoon?",
    "Legal needs the signed data processing agreement before we renew.",
    "We are reviewing all our vendors this year as part of the budget cycle.",
    "Interested in the user conference, please send the dates and the venue.",
    "We have been acquired by a larger group. We keep {product} for now; more once the "
    "dust settles.",
    "Could you send last year's invoices again for our auditors?",
    "Can we talk to a reference customer in our industry before the second division signs?",
)

# --- Around the main sentence ----------------------------------------------------------

CONTEXTS = (
    "We run {n} depots and about {users} people use {product} every day.",
    "We're rolling {product} out to {n} more sites this quarter.",
    "Month end is when this hurts most.",
    "This came up again in our weekly operations meeting.",
    "Our auditors raised it in the last review.",
    "We moved over from {competitor} last year, and they had this.",
    "About {users} of our users are affected.",
    "Our {persona} in {city} raised it first.",
    "We've been customers for {years} years and this is the one thing we miss.",
    "It matters most in the peak season before Christmas.",
)
URGENCY = {
    0: ("Not urgent at all, just an idea.", "No rush on this one."),
    1: ("Nice to have, not a blocker.", "Would be nice at some point."),
    2: ("This matters to us; please keep us posted.", "It costs us real time every week."),
    3: (
        "This is blocking us and we need a date.",
        "Without this we will have to look at alternatives at renewal.",
        "Our leadership is asking about this every week.",
    ),
}
DEAL_CONTEXTS = (
    "They are comparing us with {competitor}, and this is on their must-have list.",
    "It blocks an expansion of about {n} seats.",
    "Renewal is due in {month}; their {role} said it will come up.",
    "Procurement wants a date before they sign.",
    "Their current vendor, {competitor}, already does this.",
)
# What a product manager noticed in an interview.
OBSERVATIONS = (
    "They export everything to Excel every Friday to build the weekly report.",
    "Showed us their workaround: a shared spreadsheet with one tab per site.",
    "{users} people log in every day; most of them only ever use {area}.",
    "Their {persona} learned {product} without training, which they liked.",
    "They evaluated {competitor} last year and stayed because of our integrations.",
    "The team in {city} uses {product} differently from head office.",
    "Onboarding took them {n} weeks, longer than they had planned.",
    "They would pay for a premium support plan if it came with a named contact.",
)
NEXT_STEPS = (
    "Send them the beta when it is ready.",
    "Share the prototype in two weeks.",
    "Loop in their IT administrator about the setup.",
    "Book a follow-up with the wider team next month.",
    "No action; keep them in the loop on the roadmap.",
)
AGENT_NOTES = (
    "Reproduced on our side and passed to the product team.",
    "Shared the export workaround with the customer.",
    "Customer asked to be told when this changes.",
    "Could not reproduce; asked for a screen recording.",
)
STEPS_TO_REPRODUCE = (
    "Open {product} and go to {area}.",
    "Filter the list to this month.",
    "Open any record in the list.",
    "Change any field and save.",
    "Refresh the page.",
)
GREETINGS = ("Hi team,", "Hello,", "Hi there,", "Good morning,", "Hi,")
SIGN_OFFS = ("Thanks!", "Thanks in advance.", "Kind regards,", "Best,", "Cheers,")
OTHER_OPENERS = (
    "From the user group in {city}:",
    "Community forum thread:",
    "Heard at the trade show:",
    "Partner feedback:",
    "From the quarterly business review with {company}:",
)
STAFF_OPENERS = (
    "From the support team:",
    "Finance operations asked:",
    "Raised in the support stand-up:",
    "From the onboarding team:",
)
SURVEY_PROMPTS = (
    "What is the one thing we should improve?",
    "What almost made you give up on us this quarter?",
    "Anything else you would like to tell us?",
)
STARS = {1: "★☆☆☆☆", 2: "★★☆☆☆", 3: "★★★☆☆", 4: "★★★★☆", 5: "★★★★★"}
PORTAL_ENDINGS = (
    "+1 from the whole team.",
    "Voting for this again.",
    "Same need here, {n} users would use it daily.",
)
COMPETITORS = ("Crateline", "Stockwise", "Ordero", "Ledgerly", "Routemark", "Docketly")
CITIES = ("Leeds", "Rotterdam", "Lyon", "Hamburg", "Dublin", "Porto", "Austin", "Osaka")
CITIES += ("Monterrey", "Melbourne", "Gdansk", "Toronto", "Bogota", "Singapore")
MONTHS = ("January", "March", "April", "June", "September", "October", "November")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")

TAGS = (
    "renewal", "churn-risk", "competitor", "deal-blocker", "escalation", "onboarding",
    "performance", "mobile", "integration", "reporting", "security-review", "month-end",
    "accessibility", "localization", "data-quality", "pricing", "design-partner",
    "quick-win", "workaround", "regression", "training", "api", "ux",
)  # fmt: skip
