"""``qa-audit verify``: check the evidence chain, the recordings and the stored scores/referrals."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("verify")
    def verify_command(
        db: Optional[Path] = typer.Option(None, "--db", help="SQLite history database (default: user data dir)."),
        audio: bool = typer.Option(True, "--audio/--no-audio", help="Check each recording's sha256 (reads every file)."),
        scores: bool = typer.Option(True, "--scores/--no-scores", help="Recompute scorecards and referrals."),
        show_all: bool = typer.Option(False, "--all", help="List every problem, not only the first."),
        rubric: Optional[Path] = typer.Option(None, "--rubric", help="Rubric YAML the scores were made with "
                                                                     "(default: rubrics/call.yaml / text.yaml by kind)."),
    ) -> None:
        """Verify the database (校验证据): hash chain of findings and review decisions, recordings,
        scores and referrals.  Exit 0 when intact, 1 when something was changed, 2 when it cannot be read."""
        from qa_audit.batch.verify import format_report, verify
        from qa_audit.cli.errors import clear_errors
        from qa_audit.store.db import default_db_path
        from qa_audit.store.errors import StoreError

        path = db or default_db_path()
        if not path.is_file():
            typer.echo(f"错误：数据库不存在：{path}", err=True)
            raise typer.Exit(2)
        from qa_audit.score.rubric import RubricError

        with clear_errors(path):
            try:
                rep = verify(path, audio=audio, scores=scores, rubric=rubric)
            except RubricError as e:
                typer.echo(f"错误：评分表无法读取：{e}", err=True)
                raise typer.Exit(2)
            except StoreError as e:
                if e.kind != "corrupt":
                    raise
                typer.echo(f"校验数据库 {path}\n结果：发现问题（BROKEN）\n  第一处问题：{e}")
                raise typer.Exit(1)
        for line in format_report(rep, str(path), show_all=show_all):
            typer.echo(line)
        raise typer.Exit(0 if rep.ok else 1)
