"""``mtg-tracker users …``: bootstrap the first administrator and manage users from the shell."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from mtg_tracker.kit.cli import console, load_settings, run_with_db
from mtg_tracker.kit.errors import AppError

app = typer.Typer(help="Users and roles.", no_args_is_help=True)


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("Password", hide_input=True)
    if typer.prompt("Repeat password", hide_input=True) != first:
        console.print("[red]The passwords differ.[/]")
        raise typer.Exit(2)
    return str(first)


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="The administrator's email.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (scripts).")
    ] = False,
) -> None:
    """Create an administrator, or promote (and re-enable) an existing user. Prompts for the password
    of a new user; it must meet the password policy."""
    from mtg_tracker.account import service as account_service

    settings = load_settings()

    async def _run(db: Any) -> tuple[str, bool]:
        async with db.session_scope() as session:
            existing = await account_service.get_user_by_email(session, email)
            password = None if existing is not None else _read_password(password_stdin)
            user, created = await account_service.bootstrap_admin(
                session, email=email, password=password, auth=settings.auth
            )
            return str(user.id), created

    try:
        user_id, created = run_with_db(settings, _run)
    except AppError as exc:
        console.print(f"[red]{exc.message}[/]")
        raise typer.Exit(1) from None
    verb = "Created" if created else "Promoted"
    console.print(f"[green]{verb} administrator {email.strip().lower()}[/] (id {user_id})")


@app.command("list")
def list_users(
    role: Annotated[str | None, typer.Option(help="Only this role (user, admin, api_client).")] = None,
) -> None:
    """List users with their role and status."""
    from mtg_tracker.account import service as account_service

    settings = load_settings()

    async def _run(db: Any) -> list[tuple[str, str, str, str]]:
        async with db.session_scope(write=False) as session:
            users, _ = await account_service.list_users(session, q=None, role=role, offset=0, limit=100_000)
            return [(str(u.id), u.email, u.role, "active" if u.is_active else "disabled") for u in users]

    table = Table("id", "email", "role", "status")
    for row in run_with_db(settings, _run):
        table.add_row(*row)
    Console().print(table)
