"""Hypothesis strategies shared by the roadmap engine tests."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from pilothouse.engines.roadmap import HORIZONS, RoadmapItem, Window

DAY0 = dt.date(2026, 1, 1)
dates = st.dates(min_value=DAY0, max_value=dt.date(2029, 12, 31))
# Few choices, so that two random items often agree on a field.
few_texts = st.sampled_from(["Alpha", "alpha", "Beta", "Gamma *x*", "[Delta]", "Éclair_x"])
texts = st.text(min_size=1, max_size=20).filter(lambda text: text.strip())
periods = st.sampled_from(["2027", "2027-H1", "2027-Q1", "2027-Q2", "2027-03", "2028-12"])


@st.composite
def windows(draw: st.DrawFn) -> Window:
    start, end = draw(st.none() | dates), draw(st.none() | dates)
    if start is not None and end is not None and start > end:
        start, end = end, start
    return Window(start, end)


@st.composite
def roadmap_items(draw: st.DrawFn, item_id: int) -> RoadmapItem:
    window = draw(windows())
    return RoadmapItem(
        id=item_id,
        title=draw(few_texts | texts),
        product=draw(few_texts),
        release=draw(st.none() | few_texts),
        period=draw(st.none() | periods),
        horizon=draw(st.none() | st.sampled_from(HORIZONS)),
        stage=draw(st.sampled_from(["idea", "planned", "in_progress", "released"])),
        start=window.start,
        end=window.end,
        owner=draw(st.none() | few_texts),
    )


@st.composite
def snapshot_pairs(draw: st.DrawFn) -> tuple[list[RoadmapItem], list[RoadmapItem]]:
    """A snapshot and a later one: some items kept, some changed, some gone, some new."""
    ids = draw(st.lists(st.integers(1, 40), unique=True, max_size=15))
    before = [draw(roadmap_items(item_id)) for item_id in ids]
    after = []
    for item in before:
        fate = draw(st.sampled_from(["keep", "change", "drop"]))
        if fate == "keep":
            after.append(item)
        elif fate == "change":
            after.append(draw(roadmap_items(item.id)))
    new_ids = draw(st.lists(st.integers(41, 60), unique=True, max_size=5))
    after += [draw(roadmap_items(item_id)) for item_id in new_ids]
    return draw(st.permutations(before)), draw(st.permutations(after))


@st.composite
def dags(draw: st.DrawFn, max_nodes: int = 12) -> tuple[list[int], list[tuple[int, int]]]:
    """Nodes and acyclic edges: every edge goes forward in a random ranking of the nodes."""
    nodes = draw(st.lists(st.integers(1, 50), unique=True, min_size=1, max_size=max_nodes))
    ranking = draw(st.permutations(nodes))
    rank = {node: position for position, node in enumerate(ranking)}
    pairs = draw(st.lists(st.tuples(st.sampled_from(nodes), st.sampled_from(nodes)), max_size=30))
    edges = [(a, b) if rank[a] < rank[b] else (b, a) for a, b in pairs if a != b]
    return nodes, edges


@st.composite
def graphs(draw: st.DrawFn, max_nodes: int = 10) -> tuple[list[int], list[tuple[int, int]]]:
    """Nodes and any edges at all (cycles and self-edges included)."""
    nodes = draw(st.lists(st.integers(1, 50), unique=True, min_size=1, max_size=max_nodes))
    edges = draw(st.lists(st.tuples(st.sampled_from(nodes), st.sampled_from(nodes)), max_size=25))
    return nodes, edges
