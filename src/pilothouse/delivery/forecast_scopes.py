"""What each team must do for a release's or an initiative's remaining features to be
done: the scopes its forecast simulates side by side (delivery.forecasts).

A team works its queue in order, so the scope's features in a team's queue are done
when the team reaches the deepest of them: every not-done feature ahead of it counts,
and each team goes at its own pace. Features in no queue are done at the summed pace of
the teams involved, as one more "team".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pilothouse.delivery import queues, selectors


@dataclass(frozen=True)
class RemainingFeature:
    pk: int
    title: str
    team_id: int | None


@dataclass(frozen=True)
class TeamRef:
    pk: int
    name: str


@dataclass(frozen=True)
class TeamScope:
    """What one team simulated apart must do for the scope to be done: `scope` items,
    the not-done features of its queue up to and including the deepest of the scope's
    (`features` of them are the scope's own), at the pace of `history_total` items in
    the history weeks. `team` None: the features in no queue (or, with no feature in
    any queue, all of them), at the summed pace of the teams; `text` says which."""

    team: TeamRef | None
    scope: int
    features: int
    history: tuple[int, ...]
    text: str

    @property
    def history_total(self) -> int:
        return sum(self.history)


def summed(
    series: dict[int, list[selectors.Week]], first: dt.date, last: dt.date
) -> list[selectors.Week]:
    """The teams' weekly throughput added up, week by week, from `first` to `last`."""
    weeks = [first + dt.timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    totals = [sum(s[i].count for s in series.values()) for i in range(len(weeks))]
    return [selectors.Week(start=week, count=n) for week, n in zip(weeks, totals, strict=True)]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def team_scopes(
    *,
    features: list[RemainingFeature],
    teams: list[TeamRef],
    series: dict[int, list[selectors.Week]],
    summed_weeks: list[selectors.Week],
    noun: str,
    from_products: bool,
) -> list[TeamScope]:
    """Each team holding some of the features, with the depth of the deepest of them in
    its queue (one query for every team's positions); then the features in no queue,
    at the teams' summed pace. Without any queued feature: one scope of them all."""
    pace = tuple(week.count for week in summed_weeks)
    if from_products:
        n = len(features)
        text = f"{_plural(n, 'feature')} at the summed pace of the teams working on its products"
        return [TeamScope(team=None, scope=n, features=n, history=pace, text=text)]
    positions = queues.pending_positions(
        team_ids=[team.pk for team in teams],
        feature_ids=[f.pk for f in features if f.team_id is not None],
    )
    lanes = []
    for team in teams:
        own = [f for f in features if f.team_id == team.pk]
        # A feature moved since the features were read counts at the queue's head.
        scope = max(max(positions.get(f.pk, 0) for f in own), len(own))
        text = (
            f"{team.name}: {_plural(scope, 'feature')} ahead of and including this {noun}'s "
            f"last one ({len(own)} of them this {noun}'s)"
        )
        history = tuple(week.count for week in series.get(team.pk, ()))
        lanes.append(
            TeamScope(team=team, scope=scope, features=len(own), history=history, text=text)
        )
    known = {team.pk for team in teams}  # a team removed since: its features in no queue
    unassigned = sum(1 for f in features if f.team_id not in known)
    if unassigned:
        text = f"In no queue: {_plural(unassigned, 'feature')}, at the teams' summed pace"
        lanes.append(
            TeamScope(team=None, scope=unassigned, features=unassigned, history=pace, text=text)
        )
    return lanes
