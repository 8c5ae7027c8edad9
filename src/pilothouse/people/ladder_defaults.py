"""The career ladder Pilothouse ships with: eight levels on an individual-contributor and
a manager track, eight competency areas, and what each level is expected to do in each.
An organization edits its own copy (installed on first migration); these words are
only the starting point."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LevelSpec:
    key: str
    name: str
    track: str
    rank: int
    summary: str


@dataclass(frozen=True)
class CompetencySpec:
    key: str
    name: str
    description: str


LEVELS: tuple[LevelSpec, ...] = (
    LevelSpec(
        "associate_pm",
        "Associate PM",
        "ic",
        1,
        "Learns the craft on a well-defined area with close guidance.",
    ),
    LevelSpec(
        "pm", "Product manager", "ic", 2, "Owns a feature area end to end with light guidance."
    ),
    LevelSpec(
        "senior_pm",
        "Senior PM",
        "ic",
        3,
        "Owns a product or a large area, sets its direction and delivers it.",
    ),
    LevelSpec(
        "principal_pm",
        "Principal PM",
        "ic",
        4,
        "Shapes strategy across products; the organization's expert in a domain.",
    ),
    LevelSpec(
        "group_pm",
        "Group PM / product lead",
        "manager",
        4,
        "Leads a group of PMs and the products they own.",
    ),
    LevelSpec(
        "director",
        "Director of product",
        "manager",
        5,
        "Runs a product line: its strategy, its results and its team.",
    ),
    LevelSpec(
        "vp",
        "VP of product",
        "manager",
        6,
        "Runs several product lines and builds the product organization.",
    ),
    LevelSpec(
        "cpo",
        "Chief product officer",
        "manager",
        7,
        "Owns the product portfolio and the product function for the company.",
    ),
)

COMPETENCIES: tuple[CompetencySpec, ...] = (
    CompetencySpec(
        "discovery",
        "Discovery",
        "Understanding customers and problems; testing ideas before building.",
    ),
    CompetencySpec(
        "delivery",
        "Delivery",
        "Shipping with engineering and design: scope, trade-offs, predictability.",
    ),
    CompetencySpec(
        "strategy", "Strategy", "Choosing where to play and how to win; vision, roadmap and focus."
    ),
    CompetencySpec(
        "analytics", "Analytics", "Defining and reading metrics, experiments and evidence."
    ),
    CompetencySpec(
        "communication",
        "Communication",
        "Writing and speaking clearly; keeping stakeholders aligned.",
    ),
    CompetencySpec(
        "leadership",
        "Leadership",
        "Raising the people around you; leading without or with authority.",
    ),
    CompetencySpec(
        "business",
        "Business acumen",
        "Pricing, go-to-market, unit economics and the company's model.",
    ),
    CompetencySpec(
        "ux", "User experience", "Judging usability and design quality; partnering with design."
    ),
)

# What each level is expected to do, per competency (keys as above): what someone at the
# level does, observably, so that an assessment can point at evidence for or against it.
EXPECTATIONS: dict[str, dict[str, str]] = {
    "associate_pm": {
        "discovery": (
            "Runs customer interviews and usability sessions from a prepared guide, takes "
            "clean notes and finds the problem behind a feature request. Asks why before "
            "proposing a solution."
        ),
        "delivery": (
            "Writes clear stories with acceptance criteria for a well-scoped feature, keeps "
            "its backlog tidy and follows the work through to release, with help from their "
            "manager when plans change."
        ),
        "strategy": (
            "Knows the product's goals for the quarter and can explain which of them their "
            "feature serves, and how."
        ),
        "analytics": (
            "Answers a question from the standard dashboards or a simple query, and reports a "
            "number with its definition and its caveats."
        ),
        "communication": (
            "Keeps the team and their manager informed with short written updates; asks for "
            "help early and says plainly what they do not know yet."
        ),
        "leadership": (
            "Is a dependable teammate: does what they said they would, takes feedback well "
            "and acts on it."
        ),
        "business": (
            "Knows who pays for the product, what they pay for, and which customers the "
            "feature they work on is for."
        ),
        "ux": (
            "Reviews designs against the user's task, spots obvious usability problems and "
            "brings specific questions to design critiques."
        ),
    },
    "pm": {
        "discovery": (
            "Plans and runs discovery for their area: talks to customers every week and tests "
            "the riskiest assumption with a prototype or an experiment before engineering "
            "time is committed."
        ),
        "delivery": (
            "Owns the delivery of a feature area end to end: shapes scope with engineering and "
            "design, makes the trade-offs when plans slip, and ships when they said they would."
        ),
        "strategy": (
            "Writes the roadmap of their area from the product's strategy, says what they will "
            "not do and why, and revisits it when the evidence changes."
        ),
        "analytics": (
            "Defines success metrics before building, makes sure features are instrumented, "
            "reads experiment results correctly and changes course when the data says so."
        ),
        "communication": (
            "Writes crisp problem statements and decision records; runs reviews and demos that "
            "keep stakeholders aligned and free of surprises."
        ),
        "leadership": (
            "Earns the trust of their engineering and design partners, brings clarity to the "
            "team and settles disagreements on the merits."
        ),
        "business": (
            "Knows the pricing, the main competitors and the sales objections in their area, "
            "and weighs a feature's effect on revenue and on the cost to serve."
        ),
        "ux": (
            "Frames problems so that design can explore options, judges designs by usability "
            "evidence and holds the bar on the details users notice."
        ),
    },
    "senior_pm": {
        "discovery": (
            "Sets the discovery agenda of a product: keeps a steady cadence of customer "
            "contact across the team, turns research into a map of opportunities and drops "
            "ideas that do not survive it."
        ),
        "delivery": (
            "Delivers a product or a large area through several teams, manages dependencies "
            "and risks before they bite, and keeps dates and quality credible."
        ),
        "strategy": (
            "Owns the product's strategy and roadmap: where it plays, how it wins and the few "
            "bets of the year, each tied to a company objective."
        ),
        "analytics": (
            "Owns the product's metric tree and north-star metric, designs experiments with "
            "enough power and the right guardrails, and finds what others missed in the data."
        ),
        "communication": (
            "Adapts the message to executives, sales and customers, writes the narrative that "
            "gets a bet funded, and handles difficult conversations calmly."
        ),
        "leadership": (
            "Mentors associate PMs and PMs, raises the team's standards of practice and leads "
            "across teams without authority."
        ),
        "business": (
            "Builds the product's business case: market size, pricing and packaging, launch "
            "plans with marketing and sales, and the unit economics."
        ),
        "ux": (
            "Champions a coherent experience across the product, works with design leadership "
            "on research and the design system, and makes quality a team habit."
        ),
    },
    "principal_pm": {
        "discovery": (
            "Finds problems worth solving across products and markets, frames the "
            "organization's biggest open questions and designs the research that answers "
            "them."
        ),
        "delivery": (
            "Steers the hardest cross-product programmes (platform changes, migrations, "
            "launches spanning lines) to done, with engineering leaders as partners."
        ),
        "strategy": (
            "Shapes strategy across several products or the whole portfolio; their written "
            "analysis changes what the leadership team decides."
        ),
        "analytics": (
            "Sets how the organization measures product outcomes; the reference on "
            "experimentation practice, causal questions and metric design."
        ),
        "communication": (
            "Persuades the executive team with clear written strategy and represents the "
            "company externally as an expert in their domain."
        ),
        "leadership": (
            "A model for PMs across the organization: coaches senior PMs, leads communities of "
            "practice and is sought out for advice on the hardest calls."
        ),
        "business": (
            "Knows the company's profit and loss and its market in depth, and argues for new "
            "revenue streams, partnerships or pricing models with numbers."
        ),
        "ux": (
            "Defines the principles of the experience across products and resolves "
            "inconsistencies at the level of the platform."
        ),
    },
    "group_pm": {
        "discovery": (
            "Makes sure every PM in the group runs continuous discovery, reviews their "
            "evidence and coaches them to test assumptions before building."
        ),
        "delivery": (
            "Runs the group's planning: balances capacity across products, spots teams in "
            "trouble early and makes the cross-team calls that keep delivery on track."
        ),
        "strategy": (
            "Owns the strategy of a group of products, makes sure each PM's roadmap serves it "
            "and arbitrates priorities between them."
        ),
        "analytics": (
            "Sets the group's objectives and key results as measurable outcomes and runs "
            "reviews where PMs show results, not output."
        ),
        "communication": (
            "Represents the group to leadership and peers, writes its quarterly plan and "
            "review, and makes sure decisions are recorded where people find them."
        ),
        "leadership": (
            "Hires, onboards and develops a team of PMs through regular one-to-ones, honest "
            "feedback, growth plans and fair assessments; acts on underperformance promptly."
        ),
        "business": (
            "Answers for the group's business results (revenue, adoption, cost to serve) and "
            "trades them off across its products."
        ),
        "ux": (
            "Works with design managers to staff and organize design for the group, and holds "
            "one quality bar across its products."
        ),
    },
    "director": {
        "discovery": (
            "Makes the product line learn from customers and the market systematically; "
            "sponsors research programmes and acts on what they find."
        ),
        "delivery": (
            "Accountable for the line's delivery: works with engineering leadership on "
            "capacity, team structure and the planning process."
        ),
        "strategy": (
            "Sets the line's vision and multi-year strategy, chooses its bets and stops work "
            "that no longer serves them."
        ),
        "analytics": (
            "Runs the line on a handful of outcome metrics, makes investment decisions from "
            "evidence and explains them to the executive team."
        ),
        "communication": (
            "Carries the line's strategy to the company, customers and partners, and keeps "
            "sales, marketing and support leadership aligned with it."
        ),
        "leadership": (
            "Builds the line's product team: hires and develops group PMs and senior PMs, "
            "designs the team's structure and keeps spans of control and coverage healthy."
        ),
        "business": (
            "Owns the line's contribution to profit: pricing, packaging, levels of investment "
            "and the line's revenue and margin targets."
        ),
        "ux": (
            "Invests in design and research for the line and makes its user experience a "
            "competitive advantage rather than an afterthought."
        ),
    },
    "vp": {
        "discovery": (
            "Makes customer insight part of how the organization decides, across lines, and "
            "brings the market's view into the executive team."
        ),
        "delivery": (
            "Owns the operating model of product across several lines: the planning cadence, "
            "the portfolio reviews and how teams are funded."
        ),
        "strategy": (
            "Sets the strategy across several product lines, allocates investment between "
            "them and ties it to the company's strategy."
        ),
        "analytics": (
            "Builds the organization's ability to measure: product analytics, an "
            "experimentation practice and the metrics the leadership reviews."
        ),
        "communication": (
            "Represents product to the executive team and the board, and explains hard "
            "trade-offs and changes of direction so that people follow them."
        ),
        "leadership": (
            "Builds the product organization: a leader for each line, the career ladder, "
            "hiring standards and a culture people want to join and stay in."
        ),
        "business": (
            "Shapes the company's business model with the executive team: new markets, "
            "pricing strategy, and what to build, buy or partner for."
        ),
        "ux": (
            "Sets the ambition for design and research across the organization and gives them "
            "the leadership and investment to meet it."
        ),
    },
    "cpo": {
        "discovery": (
            "Keeps the whole company close to its customers and market; meets key customers "
            "in person and brings their reality to the board."
        ),
        "delivery": (
            "Accountable for the company's product outcomes: the product organization "
            "delivers what the company's strategy needs, at the pace the market sets."
        ),
        "strategy": (
            "Owns the company's product vision and portfolio strategy, and decides with the "
            "CEO and the board what the company builds, buys or stops."
        ),
        "analytics": (
            "Holds the company to outcome-based goals; the board sees product performance "
            "through metrics the CPO has defined and stands behind."
        ),
        "communication": (
            "The voice of product to the board, investors, customers and the press; tells "
            "the company's product story inside and outside."
        ),
        "leadership": (
            "Builds and leads the product leadership team, sets the function's culture and "
            "standards and develops the company's future product leaders."
        ),
        "business": (
            "Shares ownership of the company's growth and profitability: what the product "
            "portfolio contributes to revenue, margin and the company's value."
        ),
        "ux": (
            "Makes product quality and the user experience a company value, with design "
            "leadership as a peer at the executive table."
        ),
    },
}
