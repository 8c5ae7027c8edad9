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

# What each level is expected to do, per competency (keys as above).
EXPECTATIONS: dict[str, dict[str, str]] = {}
