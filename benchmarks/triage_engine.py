"""Measure the triage engine (pilothouse.engines.triage) on generated feedback.

    .venv/bin/python benchmarks/triage_engine.py                  # 100,000 notes
    .venv/bin/python benchmarks/triage_engine.py --notes 500000   # the large demo's size

No database and no Django: the notes come from `triage.sample.generate_feedback`, the
features are the sample's features plus variants of them (titles with a qualifier) up
to `--features`, and a third of the notes asking for a feature are linked to one of its
variants. The sample's phrases make a small vocabulary; `--rare-words` (default 3) adds
to each note words drawn from a Zipf law over an open vocabulary, as names, codes and
jargon do in real feedback. Measured, in one process:

1. fitting the similarity index on all notes and features (seconds, resident memory
   before and after, size of `to_bytes`);
2. `similar_notes` and `suggest_features` for `--queries` random notes of the index, and
   for as many new texts (not in the index): median and p95 in ms, after one warm-up;
3. kind-model training at each of `--labels` labelled notes (seconds; accuracy on 2,000
   held-out notes);
4. `find_themes` on `--theme-notes` unlinked notes (seconds, number of themes);
5. the process's peak resident memory (`resource.getrusage`).

Prints a table and writes benchmarks/results/triage-<timestamp>.json (git-ignored).
Budgets from the issue: a similarity lookup <= 100 ms at 500,000 notes on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from host import host_info, peak_rss_mb, write_result

from pilothouse.engines import triage
from pilothouse.engines.triage.sample import generate_feedback, sample_features

HERE = Path(__file__).resolve().parent

QUALIFIERS = (
    "for distributors",
    "for manufacturers",
    "in the mobile app",
    "for multi-entity accounts",
    "for the EU region",
    "v2",
    "for enterprise plans",
    "for partner accounts",
    "phase 2",
    "pilot",
)
LOOKUP_BUDGET_MS = 100.0


def rss_mb() -> float:
    """Current resident memory of this process (Linux /proc), in MB."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
    except OSError:
        return float("nan")


def percentile(values: list[float], share: float) -> float:
    return float(np.percentile(np.array(values), share * 100))


def timed_ms(function, arguments: list[dict[str, Any]]) -> dict[str, float]:
    function(**arguments[0])  # warm-up
    times = []
    for kwargs in arguments:
        started = time.perf_counter()
        function(**kwargs)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "max_ms": round(max(times), 2),
        "queries": len(times),
    }


def rare_word_ranks(count: int, seed: int) -> np.ndarray:
    """Ranks from a Zipf law (exponent 1.3) without its first 100 ranks: the common words
    of feedback are the sample's own, these are the long tail."""
    generator = np.random.default_rng(seed)
    kept = np.zeros(0, dtype=np.int64)
    while kept.size < count:
        draws = generator.zipf(1.3, size=max(8 * count, 1_000))
        kept = np.concatenate([kept, draws[draws > 100]])
    return kept[:count]


def build_corpus(args: argparse.Namespace):
    """Notes, and features grown to --features by variants; links spread over variants."""
    sample = generate_feedback(n=args.notes, seed=args.seed, duplicate_share=0.01, link_share=0.35)
    base = sample_features()
    per_base = max(1, args.features // len(base))
    features, variants = [], {}
    for feature in base:
        variants[feature.id] = []
        for i in range(per_base):
            qualifier = QUALIFIERS[i % len(QUALIFIERS)]
            feature_id = len(features) + 1
            title = feature.title if i == 0 else f"{feature.title} {qualifier} ({i})"
            features.append(triage.FeatureText(feature_id, title, feature.description))
            variants[feature.id].append(feature_id)
    rng = random.Random(args.seed)
    ranks = rare_word_ranks(len(sample.notes) * args.rare_words, args.seed).reshape(
        len(sample.notes), args.rare_words
    )
    notes = []
    for note, row in zip(sample.notes, ranks, strict=True):
        linked = tuple(rng.choice(variants[f]) for f in note.feature_ids)
        text = note.text
        if args.rare_words:
            words = (f"q{np.base_repr(int(r), 36).lower()}" for r in row)
            text += " (" + " ".join(words) + ")"
        notes.append(triage.Note(note.id, text, note.kind, note.created_at, linked))
    return notes, features


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--labels", default="1000,10000", help="comma-separated label counts")
    parser.add_argument("--theme-notes", type=int, default=20_000)
    parser.add_argument(
        "--rare-words",
        type=int,
        default=3,
        help="words drawn from a Zipf law added to each note, so the vocabulary grows as "
        "with real text (names, codes, jargon) and not only with the sample's phrases",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    label_counts = [int(value) for value in args.labels.split(",") if value]
    rows: list[dict[str, Any]] = []
    started_rss = rss_mb()

    began = time.perf_counter()
    notes, features = build_corpus(args)
    rows.append({"step": "generate notes", "seconds": round(time.perf_counter() - began, 2)})

    before = rss_mb()
    began = time.perf_counter()
    index = triage.build_similarity_index(notes=notes, features=features)
    seconds = time.perf_counter() - began
    after = rss_mb()
    blob = index.to_bytes()
    rows.append(
        {
            "step": "fit similarity index",
            "seconds": round(seconds, 2),
            "notes": index.notes,
            "features": index.features,
            "terms": index.terms,
            "links": int(index.link_rows.size),
            "index_rss_mb": round(after - before, 1),
            "bytes_mb": round(len(blob) / 2**20, 1),
        }
    )
    del blob

    rng = random.Random(args.seed + 1)
    note_ids = [note.id for note in rng.sample(notes, min(args.queries, len(notes)))]
    fresh = generate_feedback(n=args.queries, seed=args.seed + 2, first_id=10**9)
    by_id = [{"index": index, "note_id": note_id} for note_id in note_ids]
    by_text = [{"index": index, "text": note.text} for note in fresh.notes]
    for name, function, arguments in (
        ("similar_notes (note in index)", triage.similar_notes, by_id),
        ("similar_notes (new text)", triage.similar_notes, by_text),
        ("suggest_features (note in index)", triage.suggest_features, by_id),
        ("suggest_features (new text)", triage.suggest_features, by_text),
    ):
        figures = timed_ms(function, arguments)
        figures["within_budget"] = figures["p95_ms"] <= LOOKUP_BUDGET_MS
        rows.append({"step": name, **figures})

    held_out = generate_feedback(n=2_000, seed=args.seed + 3, first_id=2 * 10**9).notes
    for count in label_counts:
        began = time.perf_counter()
        model = triage.train_kind_model(notes=notes[:count], seed=args.seed)
        seconds = time.perf_counter() - began
        evaluation = triage.evaluate_kind_model(model=model, notes=held_out)
        rows.append(
            {
                "step": f"train kind model ({count:,} labels)",
                "seconds": round(seconds, 2),
                "calibration": model.info.calibration,
                "cv_accuracy": round(model.info.cv_accuracy or 0.0, 3),
                "held_out_accuracy": round(evaluation.accuracy, 3),
                "majority_baseline": round(evaluation.majority_baseline, 3),
                "bytes_kb": round(len(model.to_bytes()) / 1024, 1),
            }
        )

    unlinked = [note for note in notes if not note.feature_ids][: args.theme_notes]
    began = time.perf_counter()
    report = triage.find_themes(notes=unlinked, period="week", seed=args.seed)
    rows.append(
        {
            "step": f"find themes ({len(unlinked):,} notes)",
            "seconds": round(time.perf_counter() - began, 2),
            "themes": len(report.themes),
            "rising": sum(theme.trend.direction == "rising" for theme in report.themes),
        }
    )
    peak = peak_rss_mb()

    result = {
        "machine": host_info(numpy=np.__version__, scikit_learn=sklearn.__version__),
        "arguments": {key: str(value) for key, value in vars(args).items()},
        "rss_mb_at_start": started_rss,
        "peak_rss_mb": peak,
        "rows": rows,
    }
    print_table(result)
    path = write_result(args.out, f"triage-{args.notes}-", result)
    print(f"\nwritten to {path}")
    return 0


def print_table(result: dict[str, Any]) -> None:
    arguments = result["arguments"]
    print(
        f"triage engine: {int(arguments['notes']):,} notes, {int(arguments['features']):,} "
        f"features, {result['machine']['cpu_count']} CPUs, Python "
        f"{result['machine']['python']}, scikit-learn {result['machine']['scikit_learn']}"
    )
    print(f"{'step':<44} {'seconds':>8} {'median ms':>10} {'p95 ms':>8}  details")
    for row in result["rows"]:
        details = {
            key: value
            for key, value in row.items()
            if key not in ("step", "seconds", "median_ms", "p95_ms")
        }
        seconds = f"{row['seconds']:.2f}" if "seconds" in row else ""
        median = f"{row['median_ms']:.2f}" if "median_ms" in row else ""
        p95 = f"{row['p95_ms']:.2f}" if "p95_ms" in row else ""
        text = ", ".join(f"{key}={value}" for key, value in details.items())
        print(f"{row['step']:<44} {seconds:>8} {median:>10} {p95:>8}  {text}")
    print(f"peak resident memory: {result['peak_rss_mb']} MB")


if __name__ == "__main__":
    sys.exit(main())
