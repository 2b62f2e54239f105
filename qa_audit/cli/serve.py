"""``qa-audit serve``: the supervisor review web app."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        db: Optional[Path] = typer.Option(None, "--db", help="SQLite history database (default: user data dir)."),
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
        port: int = typer.Option(8765, "--port", help="Port to listen on."),
        secure_cookies: bool = typer.Option(False, "--secure-cookies",
                                            help="Mark the session cookie Secure (behind an HTTPS proxy)."),
    ) -> None:
        """Serve the review web app (复核系统): queue, call pages, decisions, trainer excerpts."""
        import uvicorn

        from qa_audit.store.db import default_db_path
        from qa_audit.web import create_app

        path = db or default_db_path()
        if db is not None and not db.exists():
            typer.echo(f"error: {db}: database not found (run a batch first, or create users with "
                       f"'qa-audit users add --db {db}')", err=True)
            raise typer.Exit(2)
        from qa_audit.cli.errors import clear_errors
        from qa_audit.web.auth import list_users
        from qa_audit.store.db import Store

        with clear_errors(path):  # a locked / read-only / damaged database: one clear line, exit 2
            store = Store(path)
            check = store.conn.execute("PRAGMA quick_check(1)").fetchone()[0]
            if check != "ok":
                from qa_audit.store.errors import StoreError
                raise StoreError(path, "corrupt", f"PRAGMA quick_check: {check}")
            if not list_users(store):
                typer.echo(f"warning: {path} has no users yet; add one with 'qa-audit users add NAME --role supervisor --db {path}'",
                           err=True)
            web_app = create_app(path, secure_cookies=secure_cookies)
        typer.echo(f"serving {path} on http://{host}:{port}/")
        uvicorn.run(web_app, host=host, port=port, log_level="info")
