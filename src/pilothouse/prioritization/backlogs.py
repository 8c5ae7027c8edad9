"""Ranked backlogs and comparisons of two models, read a page at a time (the selectors
`backlog`, `paged_backlog` and `comparison` answer with these).

A backlog's order: best score first, tied scores sharing a competition rank (1, 2, 2,
4) and ordered by title then id, the features without a score last, by title then id.

- Stored scores (every framework, and custom formulas reading no computed field, see
  schemes.py) sorted by rank are ranked by the database: a window RANK() over the
  stored score, the shown page alone read with LIMIT/OFFSET, the totals counted apart.
  Two queries whatever the size.
- A live model's scores exist only once computed, and the other sorts compare names
  as Python does (casefold), which no database does alike: those rank and sort in
  Python over one query of every matching feature (as values_list tuples), and build
  rows only for the page shown.

A comparison needs every feature's two scores for its correlations: one lean query
reads the ids and what the scores need, and the rows shown are read by page.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, FilteredRelation, Q, QuerySet, TextField, Window
from django.db.models.functions import Cast, Rank

from pilothouse.engines import scoring
from pilothouse.prioritization import schemes
from pilothouse.prioritization.models import ScoringModel
from pilothouse.roadmap.models import Feature, FeatureStage, KanoCategory

# The stages a backlog shows unless asked otherwise: work not yet started.
OPEN_STAGES = (FeatureStage.IDEA, FeatureStage.CANDIDATE, FeatureStage.PLANNED)
ANY_STAGE = "all"
STAGE_ORDER = {value: index for index, value in enumerate(FeatureStage.values)}
KANO_LABELS = dict(KanoCategory.choices)
BACKLOG_SORTS = ("rank", "title", "product", "stage", "owner", "kano")
DEFAULT_BACKLOG_SORT = "rank"
# Above this many, the rows of a page are read by the list's own condition rather than
# by an IN list of their ids (databases cap the values of one query).
IDS_PER_QUERY = 1000


@dataclass(frozen=True)
class BacklogFilters:
    product_line_id: int | None = None
    product_id: int | None = None
    stage: str | None = None  # a FeatureStage, ANY_STAGE, or None for OPEN_STAGES
    owner_id: int | None = None

    def q(self) -> Q:
        condition = Q()
        if self.product_line_id:
            condition &= Q(product__product_line_id=self.product_line_id)
        if self.product_id:
            condition &= Q(product_id=self.product_id)
        if self.owner_id:
            condition &= Q(owner_id=self.owner_id)
        if self.stage == ANY_STAGE:
            pass
        elif self.stage:
            condition &= Q(stage=self.stage)
        else:
            condition &= Q(stage__in=OPEN_STAGES)
        return condition


def scope(models: Iterable[ScoringModel]) -> Q:
    """The features every one of `models` covers."""
    condition = Q()
    for model in models:
        if model.product_id is not None:
            condition &= Q(product_id=model.product_id)
    return condition


class _Values:
    """A row of values_list() read by column name (tuples are cheaper than values()
    dicts by the twenty thousand)."""

    __slots__ = ("index", "row")

    def __init__(self, index: dict[str, int], row: tuple) -> None:
        self.index, self.row = index, row

    def __getitem__(self, name: str) -> Any:
        return self.row[self.index[name]]


def _decoded(raw: Any) -> dict[str, Any]:
    """Stored inputs read as JSON text (see _read) as a dict."""
    if raw is None:
        return {}
    return json.loads(raw) if isinstance(raw, str) else dict(raw)


def _score(scheme: scoring.Scheme, values: _Values, alias: str) -> float | None:
    """A feature's score under a model: stored, or for a live model computed now."""
    if not scheme.computed:
        return values[f"{alias}__score"]
    return schemes.evaluate(
        scheme,
        _decoded(values[f"{alias}_inputs"]),
        computed=schemes.computed_values(values, scheme.computed),
    ).score


def _owner_name(owner_id: int | None, username: str, first: str, last: str) -> str | None:
    full_name = f"{first} {last}".strip() if owner_id is not None else ""
    return full_name or username


FEATURE_COLUMNS = (
    "id",
    "title",
    "product_id",
    "product__name",
    "product__key",
    "stage",
    "owner_id",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "kano",
)


class BacklogRow:
    """One shown feature of a backlog, with its score and rank under the model. What
    only some rows need (the inputs, the evaluation with a quadrant or an error) is
    worked out when first asked for."""

    def __init__(
        self,
        values: _Values,
        scheme: scoring.Scheme,
        alias: str,
        *,
        score: float | None,
        rank: int | None,
    ) -> None:
        # The feature's columns come first, in FEATURE_COLUMNS' order.
        (
            self.feature_id,
            self.title,
            self.product_id,
            self.product_name,
            self.product_key,
            self.stage,
            self.owner_id,
            username,
            first_name,
            last_name,
            kano,
        ) = values.row[: len(FEATURE_COLUMNS)]
        self.owner_name: str | None = _owner_name(self.owner_id, username, first_name, last_name)
        self.kano: str = kano or ""
        self.scheme = scheme
        self._raw_inputs = values[f"{alias}_inputs"]
        self._stored_score = values[f"{alias}__score"]
        self._computed = (
            schemes.computed_values(values, scheme.computed) if scheme.computed else None
        )
        self.score = score
        self.rank = rank
        self.shown_inputs: list[tuple[str, Any]] = []  # set by a page for its rows

    @functools.cached_property
    def inputs(self) -> dict[str, Any]:
        return _decoded(self._raw_inputs)

    @functools.cached_property
    def evaluated(self) -> schemes.Evaluated:
        return schemes.evaluate(
            self.scheme, self.inputs, computed=self._computed, stored_score=self._stored_score
        )

    @property
    def category_label(self) -> str | None:
        category = self.evaluated.category
        return self.scheme.categories.get(category) if category else None

    @property
    def stage_label(self) -> str:
        return FeatureStage(self.stage).label

    @property
    def kano_label(self) -> str:
        return KANO_LABELS.get(self.kano, "")


@dataclass(frozen=True)
class _Read:
    """A query of features with their stored score and inputs under some models: the
    columns it reads by name, and each model's alias (s0__score, s0_inputs, s1__score)."""

    rows: QuerySet
    columns: list[str]
    aliases: list[str]

    def values(self, rows: Iterable[tuple]) -> list[_Values]:
        index = {name: position for position, name in enumerate(self.columns)}
        return [_Values(index, row) for row in rows]

    def rows_of(self, scheme: scoring.Scheme, entries: list[tuple]) -> list[BacklogRow]:
        """BacklogRows of (rank, row, score) entries."""
        alias = self.aliases[0]
        values = self.values(row for _rank, row, _score in entries)
        return [
            BacklogRow(value, scheme, alias, score=score, rank=rank)
            for value, (rank, _row, score) in zip(values, entries, strict=True)
        ]


def _read(models: list[ScoringModel], condition: Q, *, lean: bool = False) -> _Read:
    """The features matching `condition` left-joined to their score under each model.
    The inputs come as JSON text, decoded only for the rows that need them; `lean`
    reads only the id and what each score needs (a live model's inputs and figures)."""
    relations: dict[str, Any] = {
        f"s{index}": FilteredRelation(
            "feature_scores", condition=Q(feature_scores__scoring_model=model)
        )
        for index, model in enumerate(models)
    }
    texts = {
        f"{alias}_inputs": Cast(f"{alias}__inputs", TextField())
        for alias, model in zip(relations, models, strict=True)
        if schemes.is_live(model) or not lean
    }
    computed: list[str] = []
    for model in models:
        computed += [c for c in schemes.computed_columns(model) if c not in computed]
    columns = ["id"] if lean else list(FEATURE_COLUMNS)
    columns += [*computed, *texts, *(f"{alias}__score" for alias in relations)]
    rows = Feature.objects.filter(condition).annotate(**relations).annotate(**texts)
    return _Read(rows=rows, columns=columns, aliases=list(relations))


# --- sorting in Python ------------------------------------------------------------------------


def _sort_key(name: str):
    """The key of a sort over (rank, row of FEATURE_COLUMNS, score) entries; None for
    an entry without a value (kept last)."""
    if name == "rank":
        return lambda entry: entry[0]
    if name == "title":
        return lambda entry: entry[1][1].casefold()
    if name == "product":
        return lambda entry: entry[1][3].casefold()
    if name == "stage":
        return lambda entry: STAGE_ORDER.get(entry[1][5], 99)
    if name == "owner":

        def owner(entry: tuple) -> str | None:
            found = _owner_name(*entry[1][6:10])
            return found.casefold() if found else None

        return owner
    if name == "kano":
        return lambda entry: KANO_LABELS.get(entry[1][10] or "", "") or None
    raise KeyError(name)


def valid_sort(sort: str) -> str:
    """`sort` if it is a key of BACKLOG_SORTS ("-" first to descend), else the default."""
    return sort if sort.lstrip("-") in BACKLOG_SORTS else DEFAULT_BACKLOG_SORT


def _sorted(entries: list[tuple], sort: str) -> list[tuple]:
    """Entries sorted by a key of BACKLOG_SORTS ("-" first for descending); entries
    without a value for the key (no rank, no owner) stay last either way. Stable: ties
    keep the order they came in."""
    key = _sort_key(sort.lstrip("-"))
    valued = [entry for entry in entries if key(entry) is not None]
    empty = [entry for entry in entries if key(entry) is None]
    valued.sort(key=key, reverse=sort.startswith("-"))
    return valued + empty


# --- a backlog ----------------------------------------------------------------------------------


def _simple(index: slice) -> bool:
    return (
        index.step in (None, 1)
        and (index.start or 0) >= 0
        and (index.stop is None or index.stop >= 0)
    )


class Backlog:
    """A model's ranked backlog (see the module's docstring), read a page at a time:
    `count()`, `ranked` and slices, so that a Paginator takes it as it is."""

    def __init__(
        self,
        *,
        scoring_model: ScoringModel,
        filters: BacklogFilters | None = None,
        sort: str = DEFAULT_BACKLOG_SORT,
        in_sql: bool | None = None,
    ) -> None:
        self.scoring_model = scoring_model
        self.scheme = schemes.scheme_of(scoring_model)
        self.sort = valid_sort(sort)
        self.condition = scope([scoring_model]) & (filters or BacklogFilters()).q()
        # `in_sql` forces a path (the tests compare the two); by default the database
        # ranks what it can.
        by_rank = self.sort.lstrip("-") == DEFAULT_BACKLOG_SORT
        if in_sql is None:
            in_sql = by_rank and not self.scheme.computed
        if in_sql and not (by_rank and not self.scheme.computed):
            raise ValueError("the database ranks stored scores, sorted by rank, only")
        self.in_sql = in_sql
        self._totals: tuple[int, int] | None = None
        self._entries: list[tuple] | None = None
        self._read = _read([scoring_model], self.condition)

    def count(self) -> int:
        return self._counts()[0]

    def __len__(self) -> int:
        return self.count()

    @property
    def ranked(self) -> int:
        """How many of the features have a rank (a complete score)."""
        return self._counts()[1]

    def _counts(self) -> tuple[int, int]:
        if self._totals is None:
            if self.in_sql:
                totals = self._read.rows.aggregate(
                    count=Count("id"), ranked=Count(f"{self._read.aliases[0]}__score")
                )
                self._totals = (totals["count"], totals["ranked"])
            else:
                entries = self._python_entries()
                self._totals = (len(entries), sum(1 for entry in entries if entry[0] is not None))
        return self._totals

    def __iter__(self) -> Iterator[BacklogRow]:
        return iter(self[:])

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, int):
            found = self[index : index + 1] if index >= 0 else self[:][index : index + 1 or None]
            if not found:
                raise IndexError("backlog index out of range")
            return found[0]
        if not _simple(index):
            return self[:][index]
        start, stop = index.start or 0, index.stop
        if stop is not None and stop <= start:
            return []
        if self.in_sql:
            return self._sql_page(start, stop)
        return self._read.rows_of(self.scheme, self._python_entries()[start:stop])

    def _sql_page(self, start: int, stop: int | None) -> list[BacklogRow]:
        read = self._read
        score = F(f"{read.aliases[0]}__score")
        best_first = score.desc(nulls_last=True)
        # Worst first keeps tied scores by title, as Python's stable reversed sort does.
        shown = score.asc(nulls_last=True) if self.sort.startswith("-") else best_first
        rows = (
            read.rows.annotate(rank=Window(Rank(), order_by=best_first))
            .order_by(shown, "title", "id")
            .values_list(*read.columns, "rank")[start:stop]
        )
        score_at = read.columns.index(f"{read.aliases[0]}__score")
        entries = [
            (row[-1] if row[score_at] is not None else None, row, row[score_at]) for row in rows
        ]
        return read.rows_of(self.scheme, entries)

    def _python_entries(self) -> list[tuple]:
        """(rank, row, score) of every matching feature in the order shown (one query)."""
        if self._entries is None:
            read, alias = self._read, self._read.aliases[0]
            rows = read.rows.order_by("title", "id").values_list(*read.columns)
            scored = [(value.row, _score(self.scheme, value, alias)) for value in read.values(rows)]
            ranks = scoring.ranks({row[0]: score for row, score in scored})
            entries = _sorted([(ranks[row[0]], row, score) for row, score in scored], "rank")
            if self.sort != DEFAULT_BACKLOG_SORT:
                entries = _sorted(entries, self.sort)
            self._entries = entries
        return self._entries


# --- comparisons ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparedRow:
    feature: BacklogRow
    move: scoring.Move


class ComparedRows:
    """The compared features in the first model's ranking order, read a page at a time
    (each slice one query for the features it shows)."""

    def __init__(
        self, *, model: ScoringModel, condition: Q, moves: tuple[scoring.Move, ...]
    ) -> None:
        self.model, self.condition, self.moves = model, condition, moves

    def count(self) -> int:
        return len(self.moves)

    def __len__(self) -> int:
        return len(self.moves)

    def __iter__(self) -> Iterator[ComparedRow]:
        return iter(self[:])

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, int):
            found = self[index : index + 1 or None]
            if not found:
                raise IndexError("comparison index out of range")
            return found[0]
        moves = self.moves[index]
        if not moves:
            return []
        ids = [move.key for move in moves]
        condition = Q(pk__in=ids) if len(ids) <= IDS_PER_QUERY else self.condition
        read = _read([self.model], condition)
        rows = {row[0]: row for row in read.rows.values_list(*read.columns)}
        # A feature deleted since the scores were read is left out.
        shown = [move for move in moves if move.key in rows]
        entries = [(move.rank, rows[move.key], move.score) for move in shown]
        features = read.rows_of(schemes.scheme_of(self.model), entries)
        return [
            ComparedRow(feature=feature, move=move)
            for feature, move in zip(features, shown, strict=True)
        ]


@dataclass(frozen=True)
class ModelComparison:
    first: ScoringModel
    second: ScoringModel
    result: scoring.Comparison
    rows: ComparedRows  # in the first model's ranking order

    @property
    def features(self) -> int:
        return len(self.rows)


def compare(
    *, first: ScoringModel, second: ScoringModel, filters: BacklogFilters, top_n: int
) -> ModelComparison:
    """See selectors.comparison. One query for the scores (the ids, the stored scores or
    a live model's inputs and figures), in title order so that ties rank as in a
    backlog; the engine compares the two {id: score} mappings."""
    models = [first, second]
    condition = scope(models) & filters.q()
    read = _read(models, condition, lean=True)
    first_scheme, second_scheme = schemes.scheme_of(first), schemes.scheme_of(second)
    first_alias, second_alias = read.aliases
    first_scores: dict[int, float | None] = {}
    second_scores: dict[int, float | None] = {}
    rows = read.rows.order_by("title", "id").values_list(*read.columns)
    for value in read.values(rows):
        feature_id = value.row[0]
        first_scores[feature_id] = _score(first_scheme, value, first_alias)
        second_scores[feature_id] = _score(second_scheme, value, second_alias)
    result = scoring.compare(first_scores, second_scores, top_n=top_n)
    compared = ComparedRows(model=first, condition=condition, moves=result.moves)
    return ModelComparison(first=first, second=second, result=result, rows=compared)
