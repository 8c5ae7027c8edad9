"""The `pilothouse` command: set up, serve, load the demo, manage users and tokens.

Django is configured lazily, after the data directory is known, so that `init` can
create the directory and its secret key before the settings read them.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console

from pilothouse import __version__

SETTINGS_MODULE = "pilothouse.config.settings"
console = Console(highlight=False, soft_wrap=True)
errors = Console(stderr=True, highlight=False, soft_wrap=True)


class CliError(Exception):
    """A failure to report as one line, with a non-zero exit code."""


# --- set-up -----------------------------------------------------------------------------


def _use_data_dir(data_dir: str | None) -> None:
    if data_dir:
        os.environ["PILOTHOUSE_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)


def _config():
    from pilothouse.config import env

    try:
        return env.load()
    except env.ConfigError as exc:
        raise CliError(str(exc)) from exc


def _django(*, require_init: bool = True) -> None:
    """Configure Django; refuse with a hint if the data dir was never initialised."""
    config = _config()
    if require_init and config.secret_key is None:
        raise CliError(
            f"{config.data_dir} is not initialised: run `pilothouse init` first "
            "(or set PILOTHOUSE_SECRET_KEY)"
        )
    import django

    django.setup()


def _migrate(*, verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)
    call_command("collectstatic", interactive=False, verbosity=0)


def cmd_init(args: argparse.Namespace) -> int:
    from pilothouse.config import env

    config = _config()
    config.data_dir.mkdir(parents=True, exist_ok=True)
    if config.secret_key is None:
        env.ensure_secret_key_file(config.data_dir)
    _django()
    _migrate(verbosity=1 if args.verbose else 0)
    database = config.database.name if config.database.engine == "sqlite" else "PostgreSQL"
    console.print(f"Initialised {config.data_dir} (database: {database}).")
    return 0


# --- serving ------------------------------------------------------------------------------


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
    except demo.DemoAlreadyLoaded:
        username, password = "demo", demo.reset_demo_password()
        console.print("The demo organization is already loaded; its login has a new password.")
    url = f"http://{_display_host(args.host)}:{args.port}/"
    console.print(f"\n  URL:      {url}\n  Login:    {username}\n  Password: {password}\n")
    if args.no_serve:
        return 0
    return _serve(host=args.host, port=args.port, workers=args.workers)


# --- users and tokens ---------------------------------------------------------------------


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password (again): ") != password:
            raise CliError("password: the two entries differ")
    else:
        raise CliError("password: no terminal to prompt on; pass --password-stdin")
    if not password:
        raise CliError("password: must not be empty")
    return password


def _validation_message(exc) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


def cmd_createuser(args: argparse.Namespace) -> int:
    _django()
    from django.core.exceptions import ValidationError

    from pilothouse.core.accounts import user_create

    password = _read_password(args)
    try:
        user = user_create(
            actor=None,
            username=args.username,
            role=args.role,
            email=args.email or "",
            password=password,
        )
    except ValidationError as exc:
        raise CliError(_validation_message(exc)) from exc
    console.print(f"Created user {user.username} ({user.get_role_display()}).")
    return 0


def _user(username: str):
    from pilothouse.core.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise CliError(f"--user: no user named {username!r}")
    return user


def cmd_token_create(args: argparse.Namespace) -> int:
    _django()
    from pilothouse.core.tokens import token_create

    user = _user(args.user)
    if not user.is_active:
        raise CliError(f"--user: {args.user!r} is deactivated")
    try:
        token, secret = token_create(user=user, name=args.name)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        print(
            json.dumps(
                {
                    "id": token.pk,
                    "name": token.name,
                    "user": user.username,
                    "prefix": token.prefix,
                    "token": secret,
                }
            )
        )
    else:
        console.print(f"Token {token.pk} ({token.name}) for {user.username}; shown once:")
        print(secret)
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    _django()
    from pilothouse.core.models import ApiToken
    from pilothouse.core.tokens import token_revoke

    token = ApiToken.objects.filter(pk=args.id).select_related("user").first()
    if token is None:
        raise CliError(f"id: no token with id {args.id}")
    token_revoke(token=token)
    console.print(f"Revoked token {token.pk} ({token.name}) of {token.user.username}.")
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    _django()
    from pilothouse.core.selectors import token_list

    rows = [
        {
            "id": t.pk,
            "name": t.name,
            "prefix": t.prefix,
            "created_at": t.created_at.isoformat(),
            "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
            "active": t.is_active,
        }
        for t in token_list(user=_user(args.user))
    ]
    if args.json:
        print(json.dumps(rows))
    else:
        for row in rows:
            state = "active" if row["active"] else "revoked"
            console.print(
                f"{row['id']:>5}  {row['prefix']}…  {row['name']}  {state}  "
                f"last used {row['last_used_at'] or 'never'}"
            )
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Run queued background tasks until stopped (the database is the queue)."""
    _django()
    from django.core.management import call_command

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
    _django(require_init=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["pilothouse manage", *args.rest])
    return 0


# --- argument parsing -----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a subcommand's own --data-dir must not reset one given before it.
    common.add_argument(
        "--data-dir",
        default=argparse.SUPPRESS,
        help="data directory (default: $PILOTHOUSE_DATA_DIR, else ./var)",
    )
    parser = argparse.ArgumentParser(
        prog="pilothouse",
        parents=[common],
        description="Pilothouse: the product leader's platform.",
    )
    parser.add_argument("--version", action="version", version=f"pilothouse {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Callable[[argparse.Namespace], int], help_text: str, **kw):
        command = sub.add_parser(
            name, parents=[common], help=help_text, description=help_text, **kw
        )
        command.set_defaults(handler=handler)
        return command

    init = add("init", cmd_init, "create the data dir and its secret key, migrate the database")
    init.add_argument("-v", "--verbose", action="store_true")

    def serving(command: argparse.ArgumentParser) -> None:
        command.add_argument("--host", default="127.0.0.1")
        command.add_argument("--port", type=int, default=8000)
        command.add_argument("--workers", type=int, default=2)

    serving(add("serve", cmd_serve, "serve the web UI and API (gunicorn + whitenoise)"))

    demo = add("demo", cmd_demo, "initialise, load the demo organization, print its login, serve")
    demo.add_argument("--scale", choices=["small", "large"], default="small")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--no-serve", action="store_true", help="load the demo and stop")
    serving(demo)

    createuser = add("createuser", cmd_createuser, "create a login with a role")
    createuser.add_argument("--username", required=True)
    createuser.add_argument(
        "--role",
        required=True,
        choices=["admin", "product_leader", "product_manager", "contributor", "viewer"],
    )
    createuser.add_argument("--email")
    createuser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )

    token = add("token", lambda a: 0, "create, list or revoke API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_sub.add_parser("create", parents=[common], help="create a token (shown once)")
    create.add_argument("--user", required=True)
    create.add_argument("--name", default="api")
    create.add_argument("--json", action="store_true")
    create.set_defaults(handler=cmd_token_create)
    revoke = token_sub.add_parser("revoke", parents=[common], help="revoke a token by its id")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(handler=cmd_token_revoke)
    listing = token_sub.add_parser("list", parents=[common], help="list a user's tokens")
    listing.add_argument("--user", required=True)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_token_list)

    worker = add("worker", cmd_worker, "run background tasks (retraining, imports, syncs)")
    worker.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
    worker.add_argument("--batch", action="store_true", help="run what is queued, then stop")

    manage = add("manage", cmd_manage, "run any Django management command")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _use_data_dir(getattr(args, "data_dir", None))
    try:
        return args.handler(args)
    except CliError as exc:
        errors.print(f"pilothouse: error: {exc}")
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a last resort: one line, not a traceback
        if os.environ.get("PILOTHOUSE_DEBUG", "").lower() in {"1", "true", "yes", "on"}:
            raise
        errors.print(f"pilothouse: error: {type(exc).__name__}: {exc}")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
