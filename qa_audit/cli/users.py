"""``qa-audit users``: accounts of the review web app."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

users_app = typer.Typer(help="Accounts of the review web app (roles: auditor, supervisor, trainer, agent).",
                        no_args_is_help=True)


def _store(db: Optional[Path]):
    from qa_audit.store.db import Store

    return Store(db)


@users_app.command("add")
def add(
    name: str = typer.Argument(..., help="User name."),
    role: str = typer.Option(..., "--role", help="auditor | supervisor | trainer | agent"),
    agent_id: Optional[str] = typer.Option(None, "--agent-id", help="The agent's id (role agent)."),
    db: Optional[Path] = typer.Option(None, "--db", help="SQLite history database."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
    replace: bool = typer.Option(False, "--replace", help="Overwrite an existing user (new password/role)."),
) -> None:
    """Add a user; the password is prompted (or read from stdin) and stored as a salted scrypt hash."""
    from qa_audit.web.auth import AuthError, add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        u = add_user(_store(db), name, password, role, agent_id, replace=replace)
    except AuthError as e:
        typer.echo(f"错误：{e}", err=True)
        raise typer.Exit(2)
    typer.echo(f"user {u.username} ({u.role}{', agent ' + u.agent_id if u.agent_id else ''}) saved")


@users_app.command("list")
def list_(db: Optional[Path] = typer.Option(None, "--db", help="SQLite history database.")) -> None:
    """List users and roles."""
    from qa_audit.web.auth import list_users

    for u in list_users(_store(db)):
        typer.echo(f"{u.username}\t{u.role}\t{u.agent_id or ''}")


@users_app.command("remove")
def remove(name: str = typer.Argument(...),
           db: Optional[Path] = typer.Option(None, "--db", help="SQLite history database.")) -> None:
    """Remove a user (their past review decisions stay in the audit trail)."""
    from qa_audit.web.auth import delete_user

    if not delete_user(_store(db), name):
        typer.echo(f"error: no user {name!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"user {name} removed")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
