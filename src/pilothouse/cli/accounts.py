"""Logins and API tokens: createuser, token create|list|revoke."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from pilothouse.cli.base import CliError, Commands, console, django_setup, validation_message


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


def cmd_createuser(args: argparse.Namespace) -> int:
    django_setup()
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
        raise CliError(validation_message(exc)) from exc
    console.print(f"Created user {user.username} ({user.get_role_display()}).")
    return 0


def _user(username: str):
    from pilothouse.core.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise CliError(f"--user: no user named {username!r}")
    return user


def cmd_token_create(args: argparse.Namespace) -> int:
    django_setup()
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
    django_setup()
    from pilothouse.core.models import ApiToken
    from pilothouse.core.tokens import token_revoke

    token = ApiToken.objects.filter(pk=args.id).select_related("user").first()
    if token is None:
        raise CliError(f"id: no token with id {args.id}")
    token_revoke(token=token)
    console.print(f"Revoked token {token.pk} ({token.name}) of {token.user.username}.")
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    django_setup()
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


def register(commands: Commands) -> None:
    createuser = commands.add("createuser", cmd_createuser, "create a login with a role")
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

    token = commands.group("token", "create, list or revoke API tokens")
    create = token.add("create", cmd_token_create, "create a token (shown once)")
    create.add_argument("--user", required=True)
    create.add_argument("--name", default="api")
    create.add_argument("--json", action="store_true")
    revoke = token.add("revoke", cmd_token_revoke, "revoke a token by its id")
    revoke.add_argument("id", type=int)
    listing = token.add("list", cmd_token_list, "list a user's tokens")
    listing.add_argument("--user", required=True)
    listing.add_argument("--json", action="store_true")
