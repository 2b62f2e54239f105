"""``qa-audit eval TRANSCRIPTS --labels labels.jsonl``: precision/recall/F1 per category."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_cmd(
        inputs: List[Path] = typer.Argument(..., help="Labelled transcript JSON files or folders."),
        labels: Optional[Path] = typer.Option(None, "--labels", "-l",
                                              help="labels.jsonl (default: labels.jsonl in the first folder)."),
        config: Optional[Path] = typer.Option(None, "--config", "-c"),
        json_out: Optional[Path] = typer.Option(None, "--json", help="Also write the report as JSON here."),
        lexicons: Optional[Path] = typer.Option(None, "--lexicons"),
    ) -> None:
        """Measure the detector on labelled calls (call level and segment level)."""
        from qa_audit.core.atomic import write_json
        from qa_audit.core.config import Config, ConfigError
        from qa_audit.detect.detector import Detector
        from qa_audit.detect.evaluate import LabelError, evaluate
        from qa_audit.detect.lexicon import LexiconError

        if labels is None:
            first = inputs[0]
            labels = (first if first.is_dir() else first.parent) / "labels.jsonl"
        try:
            det = Detector.load(Config.load(config), lexicons=lexicons)
            rep = evaluate(inputs, labels, detector=det)
        except (ConfigError, LexiconError, LabelError) as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2)
        typer.echo(rep.format())
        if json_out:
            write_json(json_out, rep.to_dict())
