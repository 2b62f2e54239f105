"""``qa-audit excerpts``: redacted training excerpts with beeped audio clips."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("excerpts")
    def excerpts(
        out: Path = typer.Option(..., "--out", help="Output folder."),
        db: Optional[Path] = typer.Option(None, "--db", help="SQLite history database."),
        category: List[str] = typer.Option([], "--category", help="Finding category (repeatable; default all)."),
        status: str = typer.Option("any", "--status", help="any | unreviewed | confirmed (dismissed never)."),
        context: int = typer.Option(2, "--context", help="Turns of context on each side."),
        amounts: str = typer.Option("bucket", "--amounts",
                                    help="Exact money amounts: bucket (2万-3万元), mask ([金额]) or keep."),
        good_practice: bool = typer.Option(True, "--good-practice/--no-good-practice",
                                           help="Also export good-practice excerpts from high-scoring calls."),
        audio: bool = typer.Option(True, "--audio/--no-audio", help="Cut audio clips with ffmpeg."),
    ) -> None:
        """Export redacted excerpts (Markdown, HTML, beeped WAV clip) for trainers."""
        from qa_audit.report.excerpts import STATUSES, export_excerpts
        from qa_audit.store.db import Store

        if status not in STATUSES:
            typer.echo(f"error: --status {status!r}: choose one of {', '.join(STATUSES)}", err=True)
            raise typer.Exit(2)
        from qa_audit.report.redact import AMOUNT_MODES

        if amounts not in AMOUNT_MODES:
            typer.echo(f"error: --amounts {amounts!r}: choose one of {', '.join(AMOUNT_MODES)}", err=True)
            raise typer.Exit(2)
        if db is not None and not db.exists():
            typer.echo(f"error: {db}: database not found", err=True)
            raise typer.Exit(2)
        s = export_excerpts(Store(db), out, category, status, context=context,
                            amounts=amounts, good_practice=good_practice, audio=audio)
        for f in s.failures:
            typer.echo(f"warning: excerpt {f['excerpt']}: {f['detail']}", err=True)
        typer.echo(f"{len(s.excerpts)} excerpts written to {out} ({len(s.failures)} without audio clip)")
