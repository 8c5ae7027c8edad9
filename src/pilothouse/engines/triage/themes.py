"""Themes: clusters of notes over a window, to reveal recurring pain points.

    report = find_themes(notes=notes, start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31))
    for theme in report.themes:
        theme.terms, theme.size, theme.representative_note_ids, theme.trend.direction

By default only notes not yet linked to a feature take part (linked notes already have a
home). The notes are vectorised with TF-IDF over the words that say what a note is about
(`text.theme_vectorizer` leaves out the words that only say what kind of note it is),
reduced with TruncatedSVD (latent semantic analysis) and L2-normalised, then clustered
with k-means (`MiniBatchKMeans` above 5,000 notes). The number of themes, unless
`n_themes` is given, is the knee of the silhouette curve (on a sample of at most 2,000
notes) over k from 2 to `max_themes`: on short texts the silhouette keeps creeping up with
k, and the knee is where more themes stop separating notes much better. Clusters smaller
than `min_theme_size` are not themes: their notes are reported as unassigned, as are
notes with no word left after vectorising.

Each theme has its top terms (the terms whose mean weight in the theme most exceeds
their mean weight elsewhere), its size, the notes closest to its centre, and its trend:
counts per week or month and a least-squares slope (see `types.Trend`). Same notes and
seed, same themes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

import numpy as np
from scipy import stats
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from pilothouse.engines.triage.text import theme_vectorizer
from pilothouse.engines.triage.types import Note, Theme, ThemeReport, Trend, check_notes

Period = Literal["week", "month"]
_MINI_BATCH_FROM = 5_000
_SILHOUETTE_SAMPLE = 2_000
_COMPONENTS = 30


def find_themes(
    *,
    notes: Iterable[Note],
    start: dt.date | None = None,
    end: dt.date | None = None,
    period: Period = "week",
    unlinked_only: bool = True,
    n_themes: int | None = None,
    max_themes: int = 15,
    min_theme_size: int = 5,
    top_terms: int = 8,
    representatives: int = 3,
    seed: int = 0,
) -> ThemeReport:
    """Cluster the notes dated from `start` to `end` (both included) into themes.

    Every note must have `created_at`. Without `start` or `end`, the window runs from the
    first to the last note's date.
    """
    items = check_notes(notes)
    if period not in ("week", "month"):
        raise ValueError(f"period: must be 'week' or 'month', got {period!r}")
    if max_themes < 2:
        raise ValueError("max_themes: must be at least 2")
    if n_themes is not None and n_themes < 1:
        raise ValueError("n_themes: must be at least 1")
    if min_theme_size < 1:
        raise ValueError("min_theme_size: must be at least 1")
    for position, note in enumerate(items):
        if note.created_at is None:
            raise ValueError(f"notes[{position}].created_at: required for themes (note {note.id})")
    start, end = _window(items, start, end)
    chosen = [
        note
        for note in items
        if start <= note.created_at.date() <= end and not (unlinked_only and note.feature_ids)
    ]
    in_window = len(chosen)
    if len(chosen) < max(2, 2 * min_theme_size):
        return ThemeReport(start, end, len(chosen), (), tuple(note.id for note in chosen))

    vectorizer = theme_vectorizer(documents=len(chosen))
    try:
        X = vectorizer.fit_transform([note.text for note in chosen])
    except ValueError:  # no term left at all
        return ThemeReport(start, end, len(chosen), (), tuple(note.id for note in chosen))
    has_words = np.asarray(X.getnnz(axis=1) > 0)
    wordless = tuple(note.id for note, keep in zip(chosen, has_words, strict=True) if not keep)
    chosen = [note for note, keep in zip(chosen, has_words, strict=True) if keep]
    X = X[has_words]
    if len(chosen) < max(2, 2 * min_theme_size) or X.shape[1] < 2:
        return ThemeReport(start, end, in_window, (), wordless + tuple(n.id for n in chosen))

    # One thread: k-means's OpenMP threads fight the web workers on a small machine (and
    # made clustering ten times slower in measurements on two busy cores).
    with threadpool_limits(limits=1):
        Z = _reduce(X, seed)
        labels, centres, silhouette = _cluster(Z, n_themes, max_themes, min_theme_size, seed)
    terms = np.asarray(vectorizer.get_feature_names_out())
    periods = _period_starts(start, end, period)
    themes, unassigned = [], list(wordless)
    for cluster in range(centres.shape[0]):
        members = np.flatnonzero(labels == cluster)
        if members.size < min_theme_size:
            unassigned.extend(chosen[i].id for i in members)
            continue
        closeness = Z[members] @ centres[cluster]
        member_ids = np.array([chosen[i].id for i in members])
        best = members[np.lexsort((member_ids, -closeness))[:representatives]]
        dates = [chosen[i].created_at.date() for i in members]
        themes.append(
            Theme(
                terms=_top_terms(X, labels == cluster, terms, top_terms),
                size=int(members.size),
                note_ids=tuple(sorted(int(i) for i in member_ids)),
                representative_note_ids=tuple(chosen[i].id for i in best),
                trend=_trend(dates, periods, start, end, period),
            )
        )
    themes.sort(key=lambda theme: (-theme.size, theme.note_ids[0]))
    return ThemeReport(
        start=start,
        end=end,
        notes=in_window,
        themes=tuple(themes),
        unassigned_note_ids=tuple(sorted(unassigned)),
        silhouette=silhouette,
    )


def _window(
    items: tuple[Note, ...], start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    def as_date(value: dt.date, name: str) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if not isinstance(value, dt.date):
            raise ValueError(f"{name}: must be a date")
        return value

    dates = [note.created_at.date() for note in items]
    start = as_date(start, "start") if start is not None else min(dates, default=dt.date.today())
    end = as_date(end, "end") if end is not None else max(dates, default=start)
    if end < start:
        raise ValueError("end: must not be before start")
    return start, end


def _reduce(X, seed: int) -> np.ndarray:
    """Latent semantic analysis: TruncatedSVD, then unit-length rows."""
    components = min(_COMPONENTS, X.shape[0] - 1, X.shape[1] - 1)
    if components >= 2:
        # A small window can have fewer independent directions than components; the
        # explained-variance ratio then divides by zero, which does not matter here.
        with np.errstate(divide="ignore", invalid="ignore"):
            Z = TruncatedSVD(n_components=components, random_state=seed).fit_transform(X)
    else:
        Z = X.toarray()
    return normalize(Z)


def _cluster(
    Z: np.ndarray, n_themes: int | None, max_themes: int, min_size: int, seed: int
) -> tuple[np.ndarray, np.ndarray, float | None]:
    """Labels, unit-length centres and the silhouette of the chosen clustering."""
    size = Z.shape[0]
    if n_themes is not None:
        candidates = [min(n_themes, size)]
    else:
        largest = max(2, min(max_themes, size // min_size, size - 1))
        candidates = list(range(2, largest + 1))
    fits = []
    for k in candidates:
        if size >= _MINI_BATCH_FROM:
            model = MiniBatchKMeans(n_clusters=k, n_init=3, batch_size=2048, random_state=seed)
        else:
            model = KMeans(n_clusters=k, n_init=3, random_state=seed)
        labels = model.fit_predict(Z)
        score = None
        if 1 < len(set(labels.tolist())) < size:
            sample = min(size, _SILHOUETTE_SAMPLE)
            score = float(silhouette_score(Z, labels, sample_size=sample, random_state=seed))
        fits.append((labels, model.cluster_centers_, score))
    labels, centres, score = fits[_knee([fit[2] for fit in fits])]
    return labels, normalize(centres), score


def _knee(scores: list[float | None]) -> int:
    """Where the silhouette curve stops paying for more clusters (the Kneedle rule).

    On short texts the silhouette keeps creeping up with k, so its maximum sits at the
    largest k tried; the knee (the k furthest above the straight line from the first
    score to the best one, both axes scaled to [0, 1]) is where adding themes stops
    separating notes much better.
    """
    values = np.array([-np.inf if score is None else score for score in scores])
    if len(values) < 3 or not np.isfinite(values).any():
        return int(np.argmax(values))
    finite = values[np.isfinite(values)]
    low, high = finite.min(), finite.max()
    if high - low <= 0:
        return 0
    scaled = np.where(np.isfinite(values), (values - low) / (high - low), -np.inf)
    steps = np.linspace(0.0, 1.0, len(values))
    return int(np.argmax(scaled - steps))


def _top_terms(X, inside: np.ndarray, terms: np.ndarray, count: int) -> tuple[str, ...]:
    """Terms most over-represented in the theme, skipping words a chosen phrase covers."""
    mean_in = np.asarray(X[inside].mean(axis=0)).ravel()
    outside = ~inside
    mean_out = np.asarray(X[outside].mean(axis=0)).ravel() if outside.any() else 0.0
    lift = mean_in - mean_out
    chosen: list[str] = []
    covered: set[str] = set()
    for index in np.argsort(-lift, kind="stable"):
        if lift[index] <= 0 or len(chosen) == count:
            break
        words = str(terms[index]).split()
        if set(words) <= covered:
            continue
        chosen.append(str(terms[index]))
        covered.update(words)
    return tuple(chosen)


def _period_starts(start: dt.date, end: dt.date, period: Period) -> list[dt.date]:
    first = _period_of(start, period)
    starts = [first]
    while _next_period(starts[-1], period) <= end:
        starts.append(_next_period(starts[-1], period))
    return starts


def _period_of(day: dt.date, period: Period) -> dt.date:
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def _next_period(day: dt.date, period: Period) -> dt.date:
    if period == "week":
        return day + dt.timedelta(days=7)
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _trend(
    dates: list[dt.date], starts: list[dt.date], start: dt.date, end: dt.date, period: Period
) -> Trend:
    """Counts per period; slope and growth of the rate per full period."""
    index = {day: i for i, day in enumerate(starts)}
    counts = np.zeros(len(starts))
    for day in dates:
        counts[index[_period_of(day, period)]] += 1
    coverage = np.ones(len(starts))
    for i, first in enumerate(starts):
        last = _next_period(first, period)
        inside = (min(last, end + dt.timedelta(days=1)) - max(first, start)).days
        coverage[i] = inside / (last - first).days
    rates = counts / coverage
    slope, p_value = 0.0, 1.0
    if len(starts) >= 3 and np.ptp(rates) > 0:
        fit = stats.linregress(np.arange(len(starts)), rates)
        slope, p_value = float(fit.slope), float(fit.pvalue)
    elif len(starts) == 2:
        slope = float(rates[1] - rates[0])
    half = len(starts) // 2
    growth = None
    if half and rates[:half].mean() > 0:
        growth = float(rates[len(starts) - half :].mean() / rates[:half].mean() - 1)
    direction = "flat"
    if p_value < 0.05:
        direction = "rising" if slope > 0 else "falling"
    return Trend(
        period=period,
        period_starts=tuple(starts),
        counts=tuple(int(c) for c in counts),
        slope=slope,
        growth=growth,
        p_value=p_value,
        direction=direction,
    )
