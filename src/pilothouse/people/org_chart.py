"""The arithmetic of the reporting tree: who reports to whom, spans of control, depth,
the size of each person's organization, and the spans worth a warning.

Pure functions over (id, manager_id) rows, so that the rules can be tested on trees
built by hand; people.selectors reads the rows and the org chart page draws the result.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field

# A manager with more direct reports than this has too many to coach well.
WIDE_SPAN = 8
# A manager with exactly this many direct reports adds a layer for little: fold the
# layer, or give the manager more reports.
NARROW_SPAN = 1

Link = tuple[int, int | None]  # (person id, manager id)


@dataclass
class OrgTree:
    """A forest of people: `roots` in the order given, each person's `reports` likewise.

    A manager missing from the rows makes their reports roots, and so does a link that
    closes a cycle (the model refuses cycles; a tree read mid-edit must still draw)."""

    roots: list[int] = field(default_factory=list)
    reports: dict[int, list[int]] = field(default_factory=dict)
    manager: dict[int, int | None] = field(default_factory=dict)

    def __contains__(self, person_id: int) -> bool:
        return person_id in self.manager

    def __len__(self) -> int:
        return len(self.manager)

    def walk(self) -> Iterator[int]:
        """Every person, managers before their reports, depth first in the given order."""
        stack = list(reversed(self.roots))
        while stack:
            current = stack.pop()
            yield current
            stack.extend(reversed(self.reports.get(current, ())))


def build_tree(links: Iterable[Link]) -> OrgTree:
    """The tree of these (person, manager) links; their order is the order of siblings."""
    links = list(links)
    known = {person_id for person_id, _ in links}
    manager: dict[int, int | None] = {}
    for person_id, manager_id in links:
        manager[person_id] = manager_id if manager_id in known else None
    _break_cycles(manager, order=[person_id for person_id, _ in links])
    tree = OrgTree(manager=manager)
    for person_id, _ in links:
        boss = manager[person_id]
        if boss is None:
            tree.roots.append(person_id)
        else:
            tree.reports.setdefault(boss, []).append(person_id)
    return tree


def _break_cycles(manager: dict[int, int | None], *, order: list[int]) -> None:
    """Make the first person (in `order`) of each cycle a root."""
    settled: set[int] = set()  # people known to lead up to a root
    for start in order:
        path: list[int] = []
        on_path: set[int] = set()
        current: int | None = start
        while current is not None and current not in settled:
            if current in on_path:
                cycle = path[path.index(current) :]
                first = min(cycle, key=order.index)
                manager[first] = None
                break
            path.append(current)
            on_path.add(current)
            current = manager[current]
        settled.update(path)


def reattach(links: Iterable[Link], *, shown: Collection[int]) -> list[Link]:
    """The links among the people `shown`: someone whose manager is not shown reports to
    their nearest manager who is (or to nobody), so that hiding a person keeps their
    reports in the tree without naming whom they report to."""
    links = list(links)
    manager_of = dict(links)
    result: list[Link] = []
    for person_id, manager_id in links:
        if person_id not in shown:
            continue
        seen = {person_id}
        current = manager_id
        while current is not None and current not in shown and current not in seen:
            seen.add(current)
            current = manager_of.get(current)
        result.append((person_id, current if current in shown else None))
    return result


def spans(tree: OrgTree) -> dict[int, int]:
    """Each person's span of control: their number of direct reports."""
    return {person_id: len(tree.reports.get(person_id, ())) for person_id in tree.manager}


def depths(tree: OrgTree) -> dict[int, int]:
    """How many managers are above each person (0 at the top)."""
    depth: dict[int, int] = {}
    for person_id in tree.walk():
        boss = tree.manager[person_id]
        depth[person_id] = 0 if boss is None else depth[boss] + 1
    return depth


def subtree_sizes(tree: OrgTree) -> dict[int, int]:
    """How many people each person's organization holds below them (all levels)."""
    size = dict.fromkeys(tree.manager, 0)
    for person_id in reversed(list(tree.walk())):
        boss = tree.manager[person_id]
        if boss is not None:
            size[boss] += size[person_id] + 1
    return size


def layers(tree: OrgTree) -> int:
    """The number of layers of the tree (a lone person is one layer, an empty tree none)."""
    return max(depths(tree).values(), default=-1) + 1


def chain(tree: OrgTree, person_id: int) -> list[int]:
    """The person's managers, nearest first."""
    result: list[int] = []
    current = tree.manager.get(person_id)
    while current is not None:
        result.append(current)
        current = tree.manager.get(current)
    return result


def organization_of(tree: OrgTree, people: Iterable[int]) -> set[int]:
    """These people and everyone below them."""
    found: set[int] = set()
    stack = [person_id for person_id in people if person_id in tree]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(tree.reports.get(current, ()))
    return found


def with_chains(tree: OrgTree, people: Iterable[int]) -> set[int]:
    """These people and everyone above them."""
    found: set[int] = set()
    for person_id in people:
        if person_id in tree and person_id not in found:
            found.add(person_id)
            found.update(chain(tree, person_id))
    return found


@dataclass(frozen=True)
class SpanWarning:
    person_id: int
    span: int
    too_many: bool  # False: too few

    @property
    def message(self) -> str:
        if self.too_many:
            return (
                f"{self.span} direct reports: more than {WIDE_SPAN}, too many to coach well. "
                "Consider another manager or a group lead."
            )
        return (
            f"{self.span} direct report: a layer for one person. Fold the layer, or give "
            "this manager more reports."
        )


def span_warnings(tree: OrgTree) -> list[SpanWarning]:
    """Managers with too many (more than WIDE_SPAN) or too few (NARROW_SPAN) reports, in
    the tree's order."""
    span_of = spans(tree)
    warnings = []
    for person_id in tree.walk():
        span = span_of[person_id]
        if span > WIDE_SPAN:
            warnings.append(SpanWarning(person_id=person_id, span=span, too_many=True))
        elif 0 < span <= NARROW_SPAN:
            warnings.append(SpanWarning(person_id=person_id, span=span, too_many=False))
    return warnings


@dataclass(frozen=True)
class Step:
    """One person in the drawing order of nested lists: after drawing `person_id` (and
    opening their list of reports, if any), close `closes` lists."""

    person_id: int
    depth: int
    opens: bool  # some of their reports follow, in a nested list
    closes: int


def drawing_order(tree: OrgTree, *, include: Collection[int] | None = None) -> list[Step]:
    """The people in depth-first order with how many nested lists end after each, so a
    template draws the tree with one flat loop. `include` keeps only those people (the
    tree is pruned: a person left out hides nobody below them who is included, as long as
    the included set is closed under managers, see with_chains)."""
    steps: list[Step] = []

    def kept(person_id: int) -> bool:
        return include is None or person_id in include

    # Iterative depth-first walk; each entry: (person, depth).
    stack = [(root, 0) for root in reversed(tree.roots) if kept(root)]
    while stack:
        person_id, depth = stack.pop()
        children = [c for c in tree.reports.get(person_id, ()) if kept(c)]
        if children:
            steps.append(Step(person_id=person_id, depth=depth, opens=True, closes=0))
            stack.extend((child, depth + 1) for child in reversed(children))
            continue
        # A leaf: close the lists of the managers whose last report this is.
        next_depth = stack[-1][1] if stack else 0
        steps.append(Step(person_id=person_id, depth=depth, opens=False, closes=depth - next_depth))
    return steps


# --- The chart as drawn ------------------------------------------------------------------

# Without a search or a filter, the chart opens this many layers (the top, and the
# people reporting to the top); the rest is one click (or "expand all") away.
OPEN_LAYERS = 3


@dataclass(frozen=True)
class Node:
    person_id: int
    depth: int
    span: int  # direct reports
    size: int  # everyone below
    warning: SpanWarning | None
    opens: bool  # some of their reports are drawn below them
    is_open: bool  # ... and shown rather than folded
    match: bool  # matches the search
    context: bool  # shown only as the chain above someone who matches or belongs
    closes: int  # nested lists that end after it (see drawing_order)


@dataclass(frozen=True)
class Chart:
    nodes: list[Node]
    warnings: list[SpanWarning]  # of the people shown, not those only shown as context
    shown: int  # people shown, not counting context
    total: int  # people in the whole tree
    layers: int
    managers: int  # of the whole tree
    matches: int


def chart(
    links: Iterable[Link],
    *,
    search_text: dict[int, str],
    search: str = "",
    members: Collection[int] | None = None,
) -> Chart:
    """The org chart: the whole tree, or only `members` (say, a product line's people) and
    everyone below them, and, when searching, only those whose `search_text` holds every
    word of `search` (case-insensitive); each with their chain of managers for context.
    Spans, sizes and warnings are those of the whole tree."""
    tree = build_tree(links)
    span_of = spans(tree)
    size_of = subtree_sizes(tree)
    warning_of = {w.person_id: w for w in span_warnings(tree)}
    belong = set(tree.manager) if members is None else organization_of(tree, members)
    words = search.casefold().split()
    matched: set[int] = set()
    if words:
        matched = {
            person_id
            for person_id in belong
            if all(word in search_text.get(person_id, "").casefold() for word in words)
        }
        belong = matched
    narrowed = members is not None or bool(words)
    include = with_chains(tree, belong) if narrowed else None
    nodes = [
        Node(
            person_id=step.person_id,
            depth=step.depth,
            span=span_of[step.person_id],
            size=size_of[step.person_id],
            warning=warning_of.get(step.person_id),
            opens=step.opens,
            is_open=narrowed or step.depth < OPEN_LAYERS - 1,
            match=step.person_id in matched,
            context=narrowed and step.person_id not in belong,
            closes=step.closes,
        )
        for step in drawing_order(tree, include=include)
    ]
    return Chart(
        nodes=nodes,
        warnings=[w for w in warning_of.values() if w.person_id in belong],
        shown=len(belong),
        total=len(tree),
        layers=layers(tree),
        managers=sum(1 for span in span_of.values() if span),
        matches=len(matched),
    )
