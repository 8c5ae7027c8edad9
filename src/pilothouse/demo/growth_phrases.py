"""The words of the demo's private growth records: evidence notes per competency and
rating, growth goals, check-in and one-to-one notes, action items. `{product}` is the
person's product (or line), `{peer}` a colleague's first name."""

from __future__ import annotations

# Evidence per competency key: (below or partly meets, meets, exceeds).
EVIDENCE: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "discovery": (
        (
            "Scoped the {product} import rework from one customer's request; no interviews "
            "before the build started.",
            "Problem statements still read as solutions; the last brief skipped who has the "
            "problem and how often.",
            "Relied on the sales team's summary instead of talking to the customers who churned.",
        ),
        (
            "Ran six customer interviews before scoping the {product} onboarding change and "
            "quoted them in the brief.",
            "Tested two prototypes with design partners before committing the quarter.",
            "Keeps a running list of open questions and closes most with evidence.",
        ),
        (
            "Set up a fortnightly customer panel for {product} that other teams now use.",
            "Killed a planned feature after a two-week fake-door test showed no demand; saved "
            "a quarter of engineering time.",
            "Taught the group how to write opportunity trees; three PMs use them now.",
        ),
    ),
    "delivery": (
        (
            "Two releases of {product} slipped by more than a month without early warning.",
            "Scope grew mid-sprint twice; the team was not told what was dropped.",
            "Acceptance criteria were missing on half the stories in the last release.",
        ),
        (
            "Shipped the {product} release on the date promised, with the trade-offs written down.",
            "Runs a tidy backlog; engineering rarely waits for decisions.",
            "Flags risk early in the weekly review and proposes cuts.",
        ),
        (
            "Re-planned the {product} migration in a week when a dependency slipped, and still "
            "hit the customer date.",
            "Introduced release checklists that halved the rollbacks of the group.",
            "The most predictable team of the line over two quarters, by the forecast's own "
            "measure.",
        ),
    ),
    "strategy": (
        (
            "The {product} roadmap is a list of requests; no thread ties it to the line's "
            "objectives.",
            "Could not say which customers the next two quarters serve first.",
            "Strategy review deck repeated last year's bets without the results.",
        ),
        (
            "Wrote a one-page strategy for {product} that the team refers to when saying no.",
            "Tied every roadmap item of the quarter to an objective.",
            "Chose two segments to win this year and explained why not the third.",
        ),
        (
            "Reframed {product} around the mid-market segment; the line adopted the framing.",
            "Led the yearly planning of the line and brought three teams to one set of bets.",
            "Spotted the shift to usage-based pricing a year ahead and prepared the product "
            "for it.",
        ),
    ),
    "analytics": (
        (
            "No success metric was defined before the {product} launch.",
            "Read a dashboard dip as a trend without checking the seasonality.",
            "Asks the analyst for every number instead of reading the dashboards.",
        ),
        (
            "Defined the activation metric for {product} with the analyst and reports it monthly.",
            "Ran two A/B tests this half and read them correctly, guardrails included.",
            "Uses the feedback inbox's demand figures when ranking the backlog.",
        ),
        (
            "Built the {product} metric tree; every team of the line now reads it.",
            "Caught a sample-ratio mismatch that would have shipped a losing variant.",
            "Wrote the experiment guide the group uses.",
        ),
    ),
    "communication": (
        (
            "Updates to stakeholders are irregular; sales learned of the {product} change from "
            "a customer.",
            "Long documents without a summary; the decision is hard to find.",
            "Steering meetings ran over without a clear ask.",
        ),
        (
            "Sends a clear monthly update on {product}; stakeholders know what is coming.",
            "Writes short decision records with options and the reason for the choice.",
            "Presented the quarter's plan to the leadership team crisply.",
        ),
        (
            "The {product} launch narrative was reused by marketing word for word.",
            "Handled a difficult customer escalation in writing that the account team now "
            "uses as a model.",
            "Runs the line's all-hands demo; attendance doubled.",
        ),
    ),
    "leadership": (
        (
            "Decisions wait for the manager's approval even when they are the PM's to make.",
            "Disagreements with engineering lead to escalation rather than resolution.",
            "Has not yet taken on mentoring or cross-team work.",
        ),
        (
            "Mentors a new associate PM and reviews their briefs weekly.",
            "Settled a priority conflict between two teams without escalation.",
            "The team's retrospectives improved since the PM started facilitating them.",
        ),
        (
            "Grew two PMs to the next level this year.",
            "Led the cross-line pricing initiative with no formal authority over the teams.",
            "Hired three strong PMs and built an onboarding path others copy.",
        ),
    ),
    "business": (
        (
            "Could not estimate the revenue effect of the {product} packaging change.",
            "Unaware of the main competitor's new pricing until a lost deal.",
            "Discount requests are approved case by case, with no view of the margin.",
        ),
        (
            "Knows the {product} unit economics and uses them in trade-offs.",
            "Worked with sales on the new tier; win rates held.",
            "Brought a clear business case to the investment review.",
        ),
        (
            "Proposed the add-on that now brings a tenth of the line's new ARR.",
            "Rebuilt the {product} pricing with finance; expansion revenue grew by a third.",
            "Negotiated the partnership terms that opened the distributor channel.",
        ),
    ),
    "ux": (
        (
            "Signs off on designs without checking the edge cases; two flows shipped "
            "half-finished.",
            "Usability issues on {product} reported by support were not prioritized.",
            "Involves design late, once the solution is chosen.",
        ),
        (
            "Partners with design from the first sketch; reviews flows with real data.",
            "Runs a usability test before each major {product} release.",
            "Keeps the {product} interface consistent with the design system.",
        ),
        (
            "Championed the accessibility audit of {product}; it now meets WCAG AA.",
            "Redesigned the {product} setup with design; time to first value fell by half.",
            "Design partners ask to work with this PM.",
        ),
    ),
}

GOALS: dict[str, tuple[str, ...]] = {
    "discovery": (
        "Talk to five customers a month and share the notes with the team.",
        "Run one prototype test before each major commitment.",
    ),
    "delivery": (
        "Publish a release plan with dates and risks for every release.",
        "Keep the backlog two sprints deep and refined with engineering.",
    ),
    "strategy": (
        "Write a one-page strategy for {product} and review it with the director.",
        "Link every roadmap item of next quarter to an objective.",
    ),
    "analytics": (
        "Define a success metric and a guardrail before each launch.",
        "Run and read two experiments this half, with the analyst's review.",
    ),
    "communication": (
        "Send a monthly stakeholder update on {product}.",
        "Write a decision record for every significant trade-off.",
    ),
    "leadership": (
        "Mentor a new PM through their first quarter.",
        "Lead one cross-team initiative to its first release.",
    ),
    "business": (
        "Build the business case for the next {product} investment with finance.",
        "Shadow five sales calls and summarize the objections.",
    ),
    "ux": (
        "Run a usability test before each major release.",
        "Pair with design on the {product} navigation redesign.",
    ),
}

CHECK_INS = (
    "Good progress on the customer interviews; the notes are in the shared folder.",
    "The release plan is out; next step is the risk review with engineering.",
    "Slower month: the incident took most of the time. Goals unchanged.",
    "First draft of the strategy page reviewed; tighten the why-now section.",
    "Experiment launched; read-out due in three weeks.",
    "Mentoring is going well; {peer} is running refinement alone now.",
    "Agreed to drop one goal in favor of the pricing work.",
    "Stakeholder update sent twice; feedback from sales is positive.",
)

ONE_ON_ONE_TOPICS = (
    "Quarter planning for {product}: what to cut if the platform work slips.",
    "Feedback on last week's review: clearer asks, fewer slides.",
    "Career: what the next level looks like and where the gaps are.",
    "Team health: the on-call load is high; engineering manager to be involved.",
    "Customer escalation from a large account; plan agreed.",
    "Hiring: interview loop for the open PM role.",
    "Workload: too many meetings; agreed which ones to drop.",
    "Roadmap review prep for the leadership team.",
    "Experiment results and what they mean for the next release.",
    "Holiday cover and handover plan.",
)

ACTIONS = (
    "Share the draft strategy page",
    "Book customer interviews for next month",
    "Send the release risk list to engineering",
    "Review {peer}'s brief",
    "Draft the stakeholder update",
    "Prepare the interview questions for the open role",
    "Agree the experiment guardrails with the analyst",
    "Write the decision record for the pricing change",
    "Drop two recurring meetings",
    "Set up the usability test",
)

PLAN_SUMMARIES = {
    "next_level": "Working towards the next level, agreed after the {period} assessment; "
    "the goals below close the gaps in {focus}.",
    "focus": "Agreed after the {period} assessment: focus on {focus}; reviewed at each "
    "monthly check-in.",
    "earlier": "Last year's plan: strengthen {focus}.",
}
