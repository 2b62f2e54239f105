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
        institutions: Optional[Path] = typer.Option(
            None, "--institutions", help="CSV call_id,institution (names separated by |) given to the calls as "
                                         "metadata (default: institutions.csv in the first folder, if any)."),
        no_institutions: bool = typer.Option(False, "--no-institutions",
                                             help="Do not read institutions.csv from the folder."),
    ) -> None:
        """Measure the detector on labelled calls (call level and segment level)."""
        from qa_audit.core.atomic import write_json
        from qa_audit.core.config import Config, ConfigError
        from qa_audit.detect.detector import Detector
        from qa_audit.detect.evaluate import LabelError, evaluate, load_institutions
        from qa_audit.detect.lexicon import LexiconError

        if labels is None:
            first = inputs[0]
            labels = (first if first.is_dir() else first.parent) / "labels.jsonl"
        first = inputs[0]
        if institutions is None and not no_institutions:
            cand = (first if first.is_dir() else first.parent) / "institutions.csv"
            institutions = cand if cand.is_file() else None
        try:
            det = Detector.load(Config.load(config), lexicons=lexicons)
            inst = load_institutions(institutions) if institutions else None
            if inst:
                typer.echo(f"institutions of {len(inst)} calls from {institutions}")
            rep = evaluate(inputs, labels, detector=det, institutions=inst)
        except (ConfigError, LexiconError, LabelError) as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2)
        typer.echo(rep.format())
        if json_out:
            write_json(json_out, rep.to_dict())
