"""``qa-audit retention``: list (and with --purge remove) what is past the retention period."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("retention")
    def retention_command(
        keep: str = typer.Option(..., "--keep", help="Retention period: 2y, 18m, 104w, 730d."),
        db: Optional[Path] = typer.Option(None, "--db", help="SQLite history database (default: user data dir)."),
        purge: bool = typer.Option(False, "--purge", help="Remove the calls past retention (with findings, "
                                                          "reviews, scorecards); recorded in the evidence chain."),
        purge_audio: bool = typer.Option(False, "--purge-audio", help="With --purge: delete their recordings too."),
        today: Optional[str] = typer.Option(None, "--today", help="Reference date YYYY-MM-DD (default: today)."),
        limit: int = typer.Option(200, "--limit", help="Calls listed (0 = all)."),
    ) -> None:
        """Retention (保存期限): calls whose start date is on or before today − KEEP.  Never removes a call
        with a finding under appeal, nor anything younger."""
        from qa_audit.cli.errors import clear_errors
        from qa_audit.store import retention as R
        from qa_audit.store.db import Store, default_db_path

        path = db or default_db_path()
        if not path.is_file():
            typer.echo(f"错误：数据库不存在：{path}", err=True)
            raise typer.Exit(2)
        if purge_audio and not purge:
            raise typer.BadParameter("--purge-audio needs --purge")
        try:
            ref = date.fromisoformat(today) if today else None
            R.parse_keep(keep)
        except ValueError as e:
            raise typer.BadParameter(str(e)) from None
        with clear_errors(path):
            store = Store(path)
            if not purge:
                for line in R.describe_plan(R.plan(store, keep, ref), limit or None):
                    typer.echo(line)
                typer.echo("（仅列出；加 --purge 删除，录音另需 --purge-audio）")
                return
            res = R.purge(store, keep, ref, purge_audio=purge_audio)
            for line in R.describe_plan(res.plan, limit or None):
                typer.echo(line)
            if not res.plan.calls:
                typer.echo("没有需要删除的记录")
                return
            if res.agents:  # referrals that counted the removed calls
                from qa_audit.score.penalty import build_referrals

                build_referrals(store, agent_ids=sorted(res.agents))
            typer.echo(f"已删除 {len(res.plan.calls)} 通电话及其违规、复核、评分记录，{res.referrals_removed} 条处罚建议；"
                       f"已记入证据链 #{res.chain_seq}")
            if purge_audio:
                typer.echo(f"已删除录音 {len(res.audio_deleted)} 个" +
                           (f"，{len(res.audio_kept)} 个仍被其他通话使用而保留" if res.audio_kept else ""))
                for e in res.audio_errors:
                    typer.echo(f"错误：无法删除录音 {e}", err=True)
                if res.audio_errors:
                    raise typer.Exit(1)
            elif res.plan.recordings:
                typer.echo(f"录音 {len(res.plan.recordings)} 个未删除（加 --purge-audio 删除）")
