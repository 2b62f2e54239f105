"""``qa-audit scan INPUTS... --out DIR``: findings.jsonl + findings.csv from transcript JSON."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("scan")
    def scan(
        inputs: List[Path] = typer.Argument(..., help="Transcript JSON files, .txt SMS/letter notices, or folders of them (searched recursively)."),
        out: Path = typer.Option(..., "--out", "-o", help="Output folder for findings.jsonl / findings.csv."),
        config: Optional[Path] = typer.Option(None, "--config", "-c", help="qa-audit.yaml or pyproject.toml."),
        select: Optional[str] = typer.Option(None, "--select", help="Comma-separated rule codes/globs/categories."),
        ignore: Optional[str] = typer.Option(None, "--ignore", help="Comma-separated rule codes/globs to skip."),
        lexicons: Optional[Path] = typer.Option(None, "--lexicons", help="Lexicon folder (default: lexicons/)."),
        second_opinion: Optional[bool] = typer.Option(
            None, "--second-opinion/--no-second-opinion",
            help="Add the learned model's suggestions (ML-…, details.suggested). Default: config second_opinion."),
    ) -> None:
        """Detect compliance violations in call transcripts (rules: `qa-audit rules list`)."""
        from qa_audit.core.config import Config, ConfigError
        from qa_audit.detect.detector import Detector, scan_paths
        from qa_audit.detect.lexicon import LexiconError

        try:
            cfg = Config.load(config)
            det = Detector.load(cfg, lexicons=lexicons,
                                select=[s.strip() for s in select.split(",")] if select else None,
                                ignore=[s.strip() for s in ignore.split(",")] if ignore else None,
                                second_opinion=second_opinion)
        except (ConfigError, LexiconError) as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2)
        missing = [str(p) for p in inputs if not p.exists()]
        for m in missing:
            typer.echo(f"error: {m}: no such file or folder", err=True)
        summary = scan_paths([p for p in inputs if p.exists()], out, detector=det,
                             log=lambda m: typer.echo(m, err=True))
        typer.echo(f"{summary.calls} calls scanned, {summary.findings} findings, "
                   f"{len(summary.failures) + len(missing)} files failed -> {out}/findings.jsonl, {out}/findings.csv")
        if summary.failures or missing:  # a real input that failed: the exit status says so
            raise typer.Exit(1)
