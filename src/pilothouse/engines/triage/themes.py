"""Themes: clusters of notes over a window, to reveal recurring pain points.

    report = find_themes(notes=notes, start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31))
    for theme in report.themes:
        theme.terms, theme.size, theme.representative_note_ids, theme.trend.direction
        theme_label(theme.terms, texts_of_its_notes)  # "PDF of shipments shows the wrong logo"

By default only notes not yet linked to a feature take part (linked notes already have a
home). The notes are vectorised with TF-IDF over word 1-2 grams that say what a note is
about (`text.theme_vectorizer` leaves out English stop words and the words that only say
what kind of note it is), reduced with TruncatedSVD (latent semantic analysis) and
L2-normalised, then clustered with k-means (`MiniBatchKMeans` above 5,000 notes).

Notes carry the words of the forms and habits they are written in (a greeting, a
sign-off, "Steps to reproduce", a survey's question), which would otherwise hold
clusters together: the corpus's own stop words are learned first, as the terms found in
most clusters of a first clustering, and left out (`_without_common_terms`). The number
of clusters, unless `n_themes` is given, is the knee of the silhouette curve (on a sample
of at most 2,000 notes) over k from 2 to twice `max_themes`: on short texts the
silhouette keeps creeping up with k, and the knee is where more clusters stop separating
notes much better. Clusters whose centres point the same way are merged; the
`max_themes` largest clusters of at least `min_theme_size` notes are the themes, and the
notes of the others are reported as unassigned, as are notes with no word left.

Each theme has its top terms by class-based TF-IDF (c-TF-IDF: a term's share of the
theme's words against its frequency over all themes), a phrase before the word it holds;
its size; the notes closest to its centre; and its trend: counts per week or month and a
least-squares slope (see `types.Trend`). `theme_label` words a theme from its terms and
its notes. Same notes and seed, same themes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
from scipy import sparse, stats
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from pilothouse.engines.triage.text import normalise, theme_vectorizer
from pilothouse.engines.triage.types import Note, Theme, ThemeReport, Trend, check_notes

Period = Literal["week", "month"]
_MINI_BATCH_FROM = 5_000
_SILHOUETTE_SAMPLE = 2_000
_COMPONENTS = 30
# Corpus stop words (`_without_common_terms`): present in a cluster at half the term's
# overall rate, in half of the clusters, for terms in at least 1 % of the notes.
_PRESENT_AT = 0.5
_COMMON_IN = 0.5
_COMMON_FROM = 0.01
# Clusterings tried: k from 2 to `_CANDIDATES` times max_themes; the largest max_themes
# clusters are the themes.
_CANDIDATES = 2
_MERGE_FROM = 0.8  # cosine of two centres of one theme split in two (`_merge_alike`)
_PHRASE_SHARE = 0.6  # of a word's notes in a theme that have a phrase for it (`_top_terms`)


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
    terms = np.asarray(vectorizer.get_feature_names_out())
    chosen, X, wordless = _with_words(chosen, X)
    if not _enough(chosen, X, min_theme_size):
        return ThemeReport(start, end, in_window, (), wordless + tuple(n.id for n in chosen))

    # One thread: k-means's OpenMP threads fight the web workers on a small machine (and
    # made clustering ten times slower in measurements on two busy cores).
    with threadpool_limits(limits=1):
        X, terms = _without_common_terms(X, terms, n_themes, max_themes, min_theme_size, seed)
        chosen, X, emptied = _with_words(chosen, X)
        wordless += emptied
        if not _enough(chosen, X, min_theme_size):
            return ThemeReport(start, end, in_window, (), wordless + tuple(n.id for n in chosen))
        Z = _reduce(X, seed)
        labels, centres, silhouette = _cluster(Z, n_themes, max_themes, min_theme_size, seed)
        if n_themes is None:
            labels, centres = _merge_alike(Z, labels, centres)
    periods = _period_starts(start, end, period)
    presence = _presence(X)
    sizes = np.bincount(labels, minlength=centres.shape[0])
    kept = [cluster for cluster in range(centres.shape[0]) if sizes[cluster] >= min_theme_size]
    kept = sorted(kept, key=lambda cluster: -sizes[cluster])[:max_themes]
    small = np.ones(centres.shape[0], dtype=bool)
    small[kept] = False
    weights = _class_tfidf(presence, labels, kept)
    themes, unassigned = [], list(wordless)
    unassigned += [chosen[i].id for i in np.flatnonzero(small[labels])]
    for row, cluster in enumerate(kept):
        members = np.flatnonzero(labels == cluster)
        closeness = Z[members] @ centres[cluster]
        member_ids = np.array([chosen[i].id for i in members])
        best = members[np.lexsort((member_ids, -closeness))[:representatives]]
        dates = [chosen[i].created_at.date() for i in members]
        themes.append(
            Theme(
                terms=_top_terms(weights[row], presence[members], terms, top_terms),
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


def _with_words(chosen: list[Note], X) -> tuple[list[Note], object, tuple[int, ...]]:
    """The notes with a term left and their rows, and the ids of the others."""
    has_words = np.asarray(X.getnnz(axis=1) > 0)
    kept = [note for note, keep in zip(chosen, has_words, strict=True) if keep]
    wordless = tuple(note.id for note, keep in zip(chosen, has_words, strict=True) if not keep)
    return kept, X[has_words], wordless


def _enough(chosen: list[Note], X, min_size: int) -> bool:
    return len(chosen) >= max(2, 2 * min_size) and X.shape[1] >= 2


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


def _fit(Z: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    if Z.shape[0] >= _MINI_BATCH_FROM:
        model = MiniBatchKMeans(n_clusters=k, n_init=3, batch_size=2048, random_state=seed)
    else:
        model = KMeans(n_clusters=k, n_init=3, random_state=seed)
    return model.fit_predict(Z), model.cluster_centers_


def _most_clusters(size: int, limit: int, min_size: int) -> int:
    return max(2, min(limit, size // min_size, size - 1))


def _cluster(
    Z: np.ndarray, n_themes: int | None, max_themes: int, min_size: int, seed: int
) -> tuple[np.ndarray, np.ndarray, float | None]:
    """Labels, unit-length centres and the silhouette of the chosen clustering."""
    size = Z.shape[0]
    if n_themes is not None:
        candidates = [min(n_themes, size)]
    else:
        candidates = list(range(2, _most_clusters(size, _CANDIDATES * max_themes, min_size) + 1))
    fits = []
    for k in candidates:
        labels, centres = _fit(Z, k, seed)
        score = None
        if 1 < len(set(labels.tolist())) < size:
            sample = min(size, _SILHOUETTE_SAMPLE)
            score = float(silhouette_score(Z, labels, sample_size=sample, random_state=seed))
        fits.append((labels, centres, score))
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


def _presence(X) -> sparse.csr_matrix:
    """1 where a note holds a term: c-TF-IDF counts a note once per term."""
    return sparse.csr_matrix((X > 0).astype(np.float64))


def _per_cluster(presence, labels: np.ndarray, clusters: list[int]) -> np.ndarray:
    """How many notes of each of `clusters` hold each term (clusters x terms)."""
    counts = [
        np.asarray(presence[np.flatnonzero(labels == cluster)].sum(axis=0)).ravel()
        for cluster in clusters
    ]
    return np.vstack(counts) if counts else np.zeros((0, presence.shape[1]))


def _without_common_terms(X, terms: np.ndarray, n_themes, max_themes, min_size, seed):
    """The corpus's own stop words, left out: the terms of what every kind of note says
    (a greeting, a sign-off, a phrase of the forms and templates notes are written in)
    rather than of what a note is about.

    A first clustering into `max_themes` clusters (fewer if the notes are few); a term is
    common when, in at least `_COMMON_IN` of its clusters, the share of the notes holding
    it is at least `_PRESENT_AT` of its share over all notes: a topic's words gather in a
    few clusters, filler is everywhere. Rare terms (in fewer than `_COMMON_FROM` of the
    notes) are kept: their spread says nothing. Answers X without those terms' columns,
    rows unit length again, and the terms kept."""
    size = X.shape[0]
    k = min(n_themes or _most_clusters(size, max_themes, min_size), size)
    labels, _centres = _fit(_reduce(X, seed), k, seed)
    sizes = np.bincount(labels)
    clusters = [cluster for cluster, count in enumerate(sizes) if count >= min_size]
    if len(clusters) < 4:  # too few clusters to tell a topic's words from filler
        return X, terms
    presence = _presence(X)
    overall = np.asarray(presence.sum(axis=0)).ravel()
    rate_in = _per_cluster(presence, labels, clusters) / sizes[clusters][:, None]
    present = rate_in >= _PRESENT_AT * (overall / size)
    common = (present.sum(axis=0) >= _COMMON_IN * len(clusters)) & (
        overall >= max(3, _COMMON_FROM * size)
    )
    if not common.any():
        return X, terms
    keep = ~common
    return normalize(X[:, keep]), terms[keep]


def _merge_alike(
    Z: np.ndarray, labels: np.ndarray, centres: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One theme that k-means split in two: clusters whose centres point almost the same
    way (cosine at least `_MERGE_FROM`) become one; the centres, unit-length means of the
    members again."""
    k = centres.shape[0]
    parent = list(range(k))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    alike = np.triu(centres @ centres.T >= _MERGE_FROM, k=1)
    for i, j in zip(*np.nonzero(alike), strict=True):
        parent[root(int(j))] = root(int(i))
    roots = sorted({root(i) for i in range(k)})
    if len(roots) == k:
        return labels, centres
    renumber = {old: new for new, old in enumerate(roots)}
    labels = np.array([renumber[root(int(label))] for label in labels])
    merged = np.vstack([Z[labels == new].mean(axis=0) for new in range(len(roots))])
    return labels, normalize(merged)


def _class_tfidf(presence, labels: np.ndarray, clusters: list[int]) -> np.ndarray:
    """c-TF-IDF, the class-based TF-IDF with which BERTopic weighs a topic's words: in
    each of `clusters`, a term's share of the cluster's term occurrences (a note counting
    once per term) times log(1 + A / f), f the term's occurrences over all the notes and
    A the mean occurrences per cluster (clusters x terms)."""
    counts = _per_cluster(presence, labels, clusters)
    totals = counts.sum(axis=1, keepdims=True)
    tf = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    overall = np.asarray(presence.sum(axis=0)).ravel()
    average = presence.sum() / max(1, len(np.unique(labels)))
    return tf * np.log1p(average / np.maximum(overall, 1.0))


def _top_terms(weight: np.ndarray, members, terms: np.ndarray, count: int) -> tuple[str, ...]:
    """A theme's terms by c-TF-IDF weight, phrases before their words.

    A two-word phrase takes the place of a word it holds when at least `_PHRASE_SHARE`
    of the theme's notes with the word have the phrase ("pick list" rather than "pick");
    a term whose words the terms already chosen all cover is left out. The first terms
    make the theme's label."""
    held = np.asarray(members.sum(axis=0)).ravel()
    phrases: dict[str, list[int]] = {}
    for index in np.flatnonzero((held > 0) & (weight > 0)):
        words = str(terms[index]).split()
        if len(words) == 2:
            for word in words:
                phrases.setdefault(word, []).append(int(index))
    chosen: list[str] = []
    covered: set[str] = set()
    # Words of one phrase often weigh the same: then phrases first, then the more held.
    phrase = np.char.count(terms.astype(str), " ") > 0
    for index in np.lexsort((np.arange(len(terms)), -held, ~phrase, -np.round(weight, 9))):
        if weight[index] <= 0 or len(chosen) == count:
            break
        term = str(terms[index])
        if " " not in term:
            fuller = [i for i in phrases.get(term, ()) if held[i] >= _PHRASE_SHARE * held[index]]
            if fuller:
                term = str(terms[max(fuller, key=lambda i: (held[i], weight[i], -i))])
        words = term.split()
        if set(words) <= covered:
            continue
        chosen.append(term)
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


_FRAGMENT = re.compile(r"[^.!?;:,\n]+")
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_LABEL_WORDS = 10
_LABEL_NOTES = 300


def theme_label(terms: Sequence[str], texts: Iterable[str]) -> str:
    """A theme's label in its notes' own words.

    Each clause of `texts` (the theme's notes) holding two or more of its top terms is cut
    to its core, the words from its first to its last term word (within `_LABEL_WORDS`
    words); the core that most notes share, weighing each term it holds by its rank, is
    the label, as the notes most often write it. Without a core holding at least half of
    the weight of the top three terms, the top terms joined. Reads the first
    `_LABEL_NOTES` texts: give the notes closest to the theme's centre first."""
    if not terms:
        return ""
    rank = {term: 1.0 / (position + 1) for position, term in enumerate(terms)}
    needed = 0.5 * sum(rank[term] for term in terms[:3])
    wanted = {word for term in terms for word in term.split()}
    analyse = theme_vectorizer(documents=0).build_analyzer()
    cores: dict[str, list] = {}  # core -> [notes, weight, Counter of its written forms]
    for text in itertools.islice(texts, _LABEL_NOTES):
        for core in {_core(match.group(), wanted) for match in _FRAGMENT.finditer(normalise(text))}:
            if not core:
                continue
            if core not in cores:
                held = set(analyse(core)) & rank.keys()
                cores[core] = [0, sum(rank[term] for term in held) if len(held) >= 2 else 0.0]
                cores[core].append(Counter())
            cores[core][0] += 1
            written = re.search(r"\W+".join(map(re.escape, core.split())), text, re.IGNORECASE)
            cores[core][2][" ".join(_WORD.findall(written.group())) if written else core] += 1
    able = [
        (notes * weight, core) for core, (notes, weight, _) in cores.items() if weight >= needed
    ]
    if not able:
        return ", ".join(terms[:3])
    _score, core = max(able)
    label = cores[core][2].most_common(1)[0][0]
    return label[:1].upper() + label[1:]


def _core(clause: str, wanted: set[str]) -> str:
    """The words of a clause from its first to its last word in `wanted`, within
    `_LABEL_WORDS` words ("" if it has none)."""
    words = _WORD.findall(clause)
    at = [i for i, word in enumerate(words) if word in wanted]
    if not at:
        return ""
    last = max(i for i in at if i < at[0] + _LABEL_WORDS)
    return " ".join(words[at[0] : last + 1])
