"""The words of the sample feedback: how each kind of note is phrased, and the noise around it.

Slots in braces are filled by `sample.py`: {thing}, {use}, {symptom}, {role} and {want}
from the note's topic (`sample_topics.py`), the others from the lists below. All
invented for Pilothouse's tests and demo.
"""

from __future__ import annotations

TEMPLATES: dict[str, tuple[str, ...]] = {
    "feature request": (
        "It would be great if we could {want}.",
        "Please add a way to {want}.",
        "Feature request: {want}.",
        "We'd love to be able to {want}.",
        "Any plans to let us {want}? {role} keeps asking for it.",
        "We really need to {want} before we roll out to more sites.",
        "Would you consider adding an option to {want}?",
        "Our biggest wish for next quarter: {want}.",
        "Can you add the ability to {want}? It's a blocker for {role}.",
        "{role} asked again whether we can {want}. It would make a big difference.",
        "Suggestion: allow us to {want}.",
        "We need a way to {want}, today we do it in a spreadsheet.",
        "If we could {want}, we would move our other sites over too.",
        "Request from {role}: {want}.",
        "Missing for us: the ability to {want}.",
    ),
    "bug": (
        "When I try to {use}, I get an error.",
        "When I try to {use}, {symptom}.",
        "We tried to {use} and {symptom}.",
        "{symptom} {when}.",
        "Bug: {symptom}.",
        "The {thing} is broken {when}.",
        "{symptom}. This is blocking {role}.",
        "Getting a 'something went wrong' message whenever we {use}.",
        "The {thing} doesn't load at all {when}, just a spinner.",
        "We can't {use} {when}. Error 500.",
        "Since the update {symptom}. Please fix asap.",
        "Something is wrong with the {thing}: {symptom}.",
        "{role} reports that {symptom}.",
        "Tried to {use} three times and it failed every time.",
        "The {thing} crashed twice this morning when we tried to {use}.",
        "Looks like a regression: {symptom} {when}.",
    ),
    "improvement": (
        "The {thing} is a bit slow, it takes ages to {use}.",
        "It takes too many clicks to {use}.",
        "Could you make it easier to {use}?",
        "The {thing} is confusing for {role}, the labels could be clearer.",
        "Small improvement: the {thing} would be easier to read with bigger text.",
        "It would help if the {thing} remembered our last settings.",
        "{role} finds the {thing} cluttered. Could it be simplified?",
        "The {thing} works, but it could be faster. We {use} dozens of times a day.",
        "Please make the {thing} less cramped on a laptop screen.",
        "The way we {use} today is clunky, a keyboard shortcut would help.",
        "Could the {thing} show more rows per page?",
        "Minor annoyance: the {thing} loses the sort order every time.",
        "It would be nicer if we could {want} without leaving the {thing}.",
        "Better defaults on the {thing} would save {role} a lot of time.",
    ),
    "praise": (
        "Love the new {thing}!",
        "Great job on the {thing}, {role} is really happy with it.",
        "The {thing} is a game changer for us.",
        "Thanks for fixing the {thing} so quickly.",
        "Just wanted to say the {thing} works brilliantly.",
        "It's so much quicker to {use} now, thank you!",
        "Kudos to the team, {role} loves the {thing}.",
        "The recent changes to the {thing} saved us hours this week.",
        "Really impressed with how easy it is to {use}.",
        "Big thanks, the {thing} is exactly what we needed.",
        "We're very happy with the product, especially the {thing}.",
        "Best release so far, the {thing} is so much better.",
    ),
    "question": (
        "How do I {use}?",
        "Is it possible to {want}?",
        "Where can I find the {thing}?",
        "Quick question: can we {use} for several customers at once?",
        "Does the {thing} support multiple currencies?",
        "Who on our side can {use}? Do they need admin rights?",
        "Is there a guide on how to {use}?",
        "Can someone explain how the {thing} works?",
        "How can {role} {use}?",
        "What's the best way to {use}?",
        "Is the {thing} included in our plan?",
        "Do you know if we can {want} with the current version?",
    ),
    "other": (
        "Meeting notes: discussed the {thing} with {role}, no action needed.",
        "FYI {role} will be trained on the {thing} next week.",
        "Forwarding from {role}: no comments on the {thing} for now.",
    ),
}

# "Other" notes about the account rather than the product.
ACCOUNT_NOTES: tuple[str, ...] = (
    "Please update our billing contact to the new finance manager.",
    "We are renewing our contract next month, can you send the paperwork?",
    "Our account manager has left, who should we talk to now?",
    "Can we move the training session to Thursday afternoon?",
    "FYI, we are migrating to a new ERP in the third quarter.",
    "Please add five more seats to our licence.",
    "Our legal team needs the data processing agreement signed before renewal.",
    "Out of office until Monday, I will reply to your message then.",
    "Forwarding the minutes from today's check-in call.",
    "We've changed our company name, please update the account details.",
    "Could you send last year's subscription invoice again for our auditors?",
    "The customer mentioned they are opening a new site in spring.",
    "Interested in the user conference, please send the dates and venue.",
    "Please cancel our onboarding call on Friday, we will rebook.",
    "We are reviewing all our vendors this year as part of the budget cycle.",
    "Survey answer: no further comments.",
    "Our new office address is on the attached letterhead, please update the contract.",
    "Can we get a reference customer to talk to before we sign for the second division?",
)

WHEN = (
    "since the last update",
    "since Tuesday",
    "after this morning's release",
    "every Monday morning",
    "on some accounts only",
    "for about half of our users",
    "again",
    "in Safari",
    "on the tablet",
    "since we upgraded",
)
DETAILS = (
    "It matters most at month end.",
    "We noticed it on {day}.",
    "Third time this month.",
    "About {number} of our people use the {thing} every day.",
    "Our {team} relies on the {thing} for {share} of the work.",
    "Happens on {entity} with more than {number} lines.",
    "We first saw this during the {season} peak.",
    "The {team} at our {city} site raised it first.",
    "Not sure if it is related to the change to the {thing} last week.",
    "Our {team} would use it {frequency}.",
    "Comparing notes with other customers at the user group, they see the same.",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "the weekend")
TEAMS = ("ops team", "finance people", "sales team", "warehouse crew", "support desk", "admins")
CITIES = ("Leeds", "Rotterdam", "Lyon", "Hamburg", "Dublin", "Porto", "Gdansk", "Turin")
ENTITIES = ("orders", "invoices", "quotes", "deliveries", "accounts", "price lists")
PREFIXES = (
    "Hi team,",
    "Hello,",
    "Hey -",
    "Hi there!",
    "Morning,",
    "From a call with the customer:",
    "Support ticket #{number}:",
    "Via the portal:",
    "Survey response:",
    "Notes from the quarterly review:",
)
CONTEXTS = (
    "We're a {number}-person distributor.",
    "We run {small} depots.",
    "We're on the Enterprise plan.",
    "This came up in our weekly ops meeting.",
    "Not urgent but worth mentioning.",
    "This affects about {number} users.",
    "We've been customers for {small} years.",
)
SUFFIXES = (
    "Thanks!",
    "Cheers, {name}",
    "Regards, {name}",
    "Thx",
    "Let me know if you need more details.",
    "Happy to jump on a call.",
    "Screenshot attached.",
    "Urgent please.",
)
NAMES = ("Maria", "Tom", "Priya", "Lars", "Aisha", "Jonas", "Chen", "Fatima", "Oliver", "Sofia")
TEXT_SPEAK = {"please": "pls", "thanks": "thx", "you": "u", "because": "cos", "before": "b4"}
DUPLICATE_OPENERS = ("Same here:", "+1", "Hi again,", "Raising this again:", "Re:", "Hello,")
