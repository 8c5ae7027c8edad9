"""Setting up and running: init, serve, demo, worker, manage."""

from __future__ import annotations

import argparse
import os
import sys

from pilothouse.cli.base import (
    CliError,
    Commands,
    console,
    django_setup,
    load_config,
    migrate,
)


def cmd_init(args: argparse.Namespace) -> int:
    from pilothouse.config import env

    config = load_config()
    config.data_dir.mkdir(parents=True, exist_ok=True)
    if config.secret_key is None:
        env.ensure_secret_key_file(config.data_dir)
    django_setup()
    migrate(verbosity=1 if args.verbose else 0)
    database = config.database.name if config.database.engine == "sqlite" else "PostgreSQL"
    console.print(f"Initialised {config.data_dir} (database: {database}).")
    return 0


def _serve(*, host: str, port: int, workers: int) -> int:
    """Replace this process with gunicorn serving the WSGI app (whitenoise serves static)."""
    if workers < 1:
        raise CliError("--workers: must be at least 1")
    if not 0 < port < 65536:
        raise CliError("--port: must be between 1 and 65535")
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "pilothouse.config.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
    ]
    sys.stdout.flush()
    os.execv(sys.executable, argv)
    return 0  # pragma: no cover - execv does not return


def cmd_serve(args: argparse.Namespace) -> int:
    cmd_init(argparse.Namespace(verbose=False))
    console.print(f"Serving Pilothouse on http://{_display_host(args.host)}:{args.port}/")
    return _serve(host=args.host, port=args.port, workers=args.workers)


def _display_host(host: str) -> str:
    return "127.0.0.1" if host in {"0.0.0.0", ""} else host


def cmd_demo(args: argparse.Namespace) -> int:
    cmd_init(argparse.Namespace(verbose=False))
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from pilothouse import demo

    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            tasks: dict[str, int] = {}

            def report(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = progress.add_task(stage, total=total)
                progress.update(tasks[stage], completed=done, total=total)

            summary = demo.build(scale=args.scale, seed=args.seed, progress=report)
        username, password = summary.demo_username, summary.demo_password
        console.print(f"Loaded the demo organization ({args.scale}, seed {args.seed}).")
        _prepare_triage(large=args.scale == "large")
    except demo.DemoAlreadyLoaded:
        username, password = "demo", demo.reset_demo_password()
        console.print("The demo organization is already loaded; its login has a new password.")
    url = f"http://{_display_host(args.host)}:{args.port}/"
    console.print(f"\n  URL:      {url}\n  Login:    {username}\n  Password: {password}\n")
    if args.no_serve:
        return 0
    return _serve(host=args.host, port=args.port, workers=args.workers)


def _prepare_triage(*, large: bool) -> None:
    """Train the kind model, index the notes and find this quarter's themes, so that the
    demo's inbox shows suggestions. At the large scale that takes minutes: it is queued
    for `pilothouse worker` instead."""
    from pilothouse.customers import triage

    if large:
        triage.kind_retrain_background(actor=None)
        triage.similarity_index_background(actor=None)
        console.print(
            "Triage suggestions are queued: run `pilothouse worker --batch` to compute them."
        )
        return
    with console.status("Training triage suggestions on the demo's labelled notes..."):
        result = triage.kind_model_retrain(actor=None)
        triage.similarity_index_rebuild(actor=None)
        triage.themes_compute(actor=None)
    console.print(f"Triage: {result.message}")


def cmd_worker(args: argparse.Namespace) -> int:
    """Run queued background tasks until stopped (the database is the queue)."""
    django_setup()
    from django.core.management import call_command

    from pilothouse.core import schedules

    if args.batch:
        schedules.run_due()
    else:
        schedules.start(every_seconds=args.schedule_interval)
    console.print("Worker started; Ctrl-C stops it.")
    call_command(
        "db_worker",
        interval=args.interval,
        batch=args.batch,
        startup_delay=False,
        queue_name="*",
        verbosity=1,
    )
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    django_setup(require_init=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["pilothouse manage", *args.rest])
    return 0


def register(commands: Commands) -> None:
    init = commands.add(
        "init", cmd_init, "create the data dir and its secret key, migrate the database"
    )
    init.add_argument("-v", "--verbose", action="store_true")

    def serving(command: argparse.ArgumentParser) -> None:
        command.add_argument("--host", default="127.0.0.1")
        command.add_argument("--port", type=int, default=8000)
        command.add_argument("--workers", type=int, default=2)

    serving(commands.add("serve", cmd_serve, "serve the web UI and API (gunicorn + whitenoise)"))

    demo = commands.add(
        "demo", cmd_demo, "initialise, load the demo organization, print its login, serve"
    )
    demo.add_argument("--scale", choices=["small", "large"], default="small")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--no-serve", action="store_true", help="load the demo and stop")
    serving(demo)

    worker = commands.add("worker", cmd_worker, "run background tasks (retraining, imports, syncs)")
    worker.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
    worker.add_argument(
        "--batch", action="store_true", help="run scheduled jobs and what is queued, then stop"
    )
    worker.add_argument(
        "--schedule-interval",
        type=float,
        default=300.0,
        help="seconds between runs of the scheduled jobs (monthly snapshots, ...)",
    )

    manage = commands.add("manage", cmd_manage, "run any Django management command")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
