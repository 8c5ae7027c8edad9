"""`pilothouse triage`: train the feedback kind model, rebuild the similarity index,
find themes, and inspect it all.

    pilothouse triage retrain [--json]     train on the labels now, suggest kinds
    pilothouse triage status [--json]      the model, the labels, the index, the jobs
    pilothouse triage themes [--start D] [--end D] [--period week|month] [--recompute] [--json]
    pilothouse triage reindex [--json]     rebuild the similarity index file

Too few labels to train is not a failure: `retrain` says so on one line ("Not
retrained: not enough labels: 12 labelled, need 20") and exits 0; with --json,
"trained" is false. Bad input (a date that is not YYYY-MM-DD, an end before the start)
exits 1 with a one-line reason. The commands run as the system (no user).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from pilothouse.cli.base import (
    CliError,
    Commands,
    console,
    django_setup,
    iso_date,
    validation_message,
)


def _json(value: Any) -> None:
    print(json.dumps(value, default=str, indent=2))


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """A rich progress bar per stage on the terminal (nothing with --json)."""
    if not enabled or not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        stages: dict[str, Any] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in stages:
                stages[stage] = progress.add_task(stage, total=total)
            progress.update(stages[stage], completed=done, total=total)

        yield report


def cmd_retrain(args: argparse.Namespace) -> int:
    django_setup()
    from pilothouse.customers import triage

    with _progress(not args.json) as progress:
        result = triage.kind_model_retrain(actor=None, progress=progress)
    if args.json:
        _json(result.as_dict())
        return 0
    if not result.trained:
        console.print(f"Not retrained: {result.message}.")
        return 0
    kinds = ", ".join(f"{kind} {count:,}" for kind, count in result.per_kind.items())
    console.print(f"Trained on {result.labelled:,} labels ({kinds}).")
    if result.excluded_kinds:
        left_out = ", ".join(f"{kind} {n}" for kind, n in result.excluded_kinds.items())
        console.print(f"  Left out, too few labels: {left_out}")
    if result.cv_accuracy is not None:
        console.print(
            f"  Cross-validated accuracy: {result.cv_accuracy:.3f} ({result.cv_folds} folds; "
            f"always answering the commonest kind: {result.majority_baseline:.3f})"
        )
    console.print(f"  Calibration: {result.calibration}")
    console.print(
        f"Suggested kinds for {result.suggested:,} unlabelled notes. "
        f"{result.seconds:.1f} s (training {result.training_seconds:.1f} s, "
        f"suggesting {result.suggesting_seconds:.1f} s)."
    )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    django_setup()
    from pilothouse.customers import triage

    status = triage.triage_status()
    if args.json:
        _json(status)
        return 0
    console.print(f"Kind suggestions: {status['message']}.")
    labels = ", ".join(f"{k} {n:,}" for k, n in status["labels_per_kind"].items()) or "none"
    console.print(f"  Labels: {status['labelled']:,} ({labels})")
    console.print(
        f"  Unlabelled notes: {status['unlabelled']:,}, "
        f"with a suggestion: {status['with_suggestion']:,}"
    )
    model = status["model"]
    if model:
        accuracy = model.get("cv_accuracy")
        shown = "n/a" if accuracy is None else f"{accuracy:.3f}"
        fresh = "up to date" if status["model_up_to_date"] else "labels changed since"
        console.print(
            f"  Model {model['id']}: trained {model.get('trained_at')} on "
            f"{model.get('labelled', 0):,} labels; accuracy {shown}; {fresh}"
        )
    index = status["index"]
    line = f"Similarity index: {index['message']}"
    if index.get("built"):
        line += (
            f" ({index['notes']:,} notes, {index['features']:,} features, "
            f"{index['bytes'] / 1_048_576:.1f} MB, built {index['built_at']})"
        )
    console.print(line + ".")
    for name, job in status["jobs"].items():
        state = "queued" if job["queued_at"] else "idle"
        error = f"; last error: {job['last_error']}" if job["last_error"] else ""
        console.print(f"  Job {name}: {state}, {job['runs']} runs{error}")
    return 0


def cmd_themes(args: argparse.Namespace) -> int:
    django_setup()
    from django.core.exceptions import ValidationError

    from pilothouse.customers import triage

    window = {"start": args.start, "end": args.end, "period": args.period}
    try:
        stored = None if args.recompute else triage.theme_report(**window)
        if stored is None:
            with nullcontext() if args.json else console.status("Finding themes…"):
                stored = triage.themes_compute(actor=None, **window)
    except ValidationError as exc:
        raise CliError(validation_message(exc)) from exc
    report = stored.report
    if args.json:
        _json(
            {
                "id": stored.pk,
                "start": stored.start,
                "end": stored.end,
                "period": stored.period,
                "computed_at": stored.computed_at,
                "notes": stored.notes,
                **report,
            }
        )
        return 0
    console.print(
        f"Themes of {stored.notes:,} unlinked notes from {stored.start} to {stored.end} "
        f"(by {stored.period}; computed {stored.computed_at:%Y-%m-%d %H:%M})."
    )
    if not report["themes"]:
        console.print("No themes: too few notes in the window.")
    notes = triage.theme_notes(stored)
    for number, theme in enumerate(report["themes"], 1):
        trend = theme["trend"]
        console.print(
            f"{number:>2}. {', '.join(theme['terms'][:5])}: {theme['size']:,} notes, "
            f"{trend['direction']} ({' '.join(map(str, trend['counts']))})"
        )
        for pk in theme["representative_note_ids"]:
            if (note := notes.get(pk)) is not None:
                console.print(f"      #{pk} {triage.excerpt(note.title or note.text)[:100]}")
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    django_setup()
    from pilothouse.customers import triage

    with _progress(not args.json) as progress:
        result = triage.similarity_index_rebuild(actor=None, progress=progress)
    if args.json:
        _json(result)
    elif result["built"]:
        console.print(
            f"Indexed {result['notes']:,} notes and {result['features']:,} features "
            f"({result['bytes'] / 1_048_576:.1f} MB) in {result['seconds']:.1f} s."
        )
    else:
        console.print(f"Nothing indexed: {result['message']}.")
    return 0


def register(commands: Commands) -> None:
    group = commands.group("triage", "train the kind model, rebuild the index, find themes")
    retrain = group.add(
        "retrain", cmd_retrain, "train the kind model on the labels now and suggest kinds"
    )
    retrain.add_argument("--json", action="store_true")
    status = group.add("status", cmd_status, "the kind model, the labels, the index, the jobs")
    status.add_argument("--json", action="store_true")
    themes = group.add("themes", cmd_themes, "show the themes of a window (computed if missing)")
    themes.add_argument("--start", type=iso_date, help="YYYY-MM-DD (default: 12 periods back)")
    themes.add_argument("--end", type=iso_date, help="YYYY-MM-DD (default: today)")
    themes.add_argument("--period", choices=["week", "month"], default="week")
    themes.add_argument("--recompute", action="store_true", help="compute even if stored")
    themes.add_argument("--json", action="store_true")
    reindex = group.add("reindex", cmd_reindex, "rebuild the similarity index of notes")
    reindex.add_argument("--json", action="store_true")
