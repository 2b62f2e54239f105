"""``qa-audit db backup`` / ``db restore``: online backup of the history database and its restore."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

db_app = typer.Typer(help="Backup and restore of the history database (数据库备份/恢复).", no_args_is_help=True)


@db_app.command("backup")
def backup_command(
    out: Path = typer.Argument(..., help="Backup file to write (replaced atomically)."),
    db: Optional[Path] = typer.Option(None, "--db", help="SQLite history database (default: user data dir)."),
) -> None:
    """Copy the database with SQLite's online backup API (safe while the review app and a run write);
    the copy is checked (integrity + evidence chain) before it replaces OUT."""
    from qa_audit.cli.errors import clear_errors
    from qa_audit.store.backup import BackupError, backup
    from qa_audit.store.db import Store, default_db_path

    path = db or default_db_path()
    if not path.is_file():
        typer.echo(f"错误：数据库不存在：{path}", err=True)
        raise typer.Exit(2)
    with clear_errors(path):
        Store(path).close()  # an older database gets its evidence chain first
        try:
            res = backup(path, out)
        except BackupError as e:
            typer.echo(f"错误：{e}", err=True)
            raise typer.Exit(1)
    typer.echo(f"已备份 {path} → {res.path}（{res.bytes} 字节，证据链末端 #{res.head[0]} sha256 {res.head[1]}）")


@db_app.command("restore")
def restore_command(
    backup_file: Path = typer.Argument(..., metavar="BACKUP", help="A backup written by 'qa-audit db backup'."),
    db: Optional[Path] = typer.Option(None, "--db", help="SQLite history database to restore into."),
    force: bool = typer.Option(False, "--force", help="Replace an existing database."),
) -> None:
    """Restore a backup (checked first: PRAGMA integrity_check and the evidence chain)."""
    from qa_audit.cli.errors import clear_errors
    from qa_audit.store.backup import BackupError, restore
    from qa_audit.store.db import default_db_path

    path = db or default_db_path()
    with clear_errors(path):
        try:
            rep = restore(backup_file, path, force=force)
        except BackupError as e:
            typer.echo(f"错误：{e}", err=True)
            raise typer.Exit(1 if "校验" in str(e) else 2)
    typer.echo(f"已从 {backup_file} 恢复到 {path}（证据链 {rep.counts.get('chain', 0)} 条，末端 #{rep.head[0]} "
               f"sha256 {rep.head[1]}）")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
