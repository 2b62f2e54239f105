"""``qa-audit sample --db PATH --week 2026-W48 --rate 0.05``: draw the week's 抽检 sample."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("sample")
    def sample_cmd(
        db: Path = typer.Option(..., "--db", help="The review database."),
        week: str = typer.Option(..., "--week", help="ISO week, e.g. 2026-W48."),
        rate: Optional[float] = typer.Option(None, "--rate",
                                             help="Share of unflagged calls to sample (default: config sample_rate, else 0.05)."),
        redraw: bool = typer.Option(False, "--redraw", help="Replace the week's sample (refused once reviewed)."),
        config: Optional[Path] = typer.Option(None, "--config", "-c"),
    ) -> None:
        """Sample unflagged calls of a week for review (stratified by agent, seeded by the week)."""
        import re

        from qa_audit.core.config import Config, ConfigError
        from qa_audit.review.sampling import draw_sample
        from qa_audit.review.store import ReviewError
        from qa_audit.store.db import Store

        if not re.fullmatch(r"\d{4}-W\d{2}", week):
            typer.echo(f"error: --week {week!r}: expected an ISO week like 2026-W48", err=True)
            raise typer.Exit(2)
        if not db.is_file():
            typer.echo(f"error: {db}: database not found", err=True)
            raise typer.Exit(2)
        if rate is None:
            try:
                rate = Config.load(config).sample_rate or 0.05
            except ConfigError as e:
                typer.echo(f"error: {e}", err=True)
                raise typer.Exit(2)
        store = Store(db)
        try:
            s = draw_sample(store, week, rate, redraw=redraw)
        except ReviewError as e:
            typer.echo(f"错误：{e}", err=True)
            raise typer.Exit(2)
        finally:
            store.close()
        typer.echo(s.describe())
        for agent, (k, n) in sorted(s.by_agent.items()):
            typer.echo(f"  坐席 {agent or '(未知)'}：{k}/{n}")
        for cid in s.call_ids:
            typer.echo(f"  {cid}")
