"""``qa-audit eval TRANSCRIPTS --labels labels.jsonl``: precision/recall/F1 per category, lexicon only
and with the learned second opinion side by side; ``qa-audit eval --db PATH --week 2026-W48``:
production figures from supervisors' decisions (precision per rule, 抽检 miss rate)."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_cmd(
        inputs: Optional[List[Path]] = typer.Argument(None, help="Labelled transcript JSON files or folders."),
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
        model: Optional[str] = typer.Option(
            "packaged", "--model",
            help="Second opinion shown beside lexicon-only: packaged (default), a model .npz, or none."),
        db: Optional[Path] = typer.Option(None, "--db", help="Review database: production figures instead."),
        week: str = typer.Option("", "--week", help="With --db: the ISO week (default: every week)."),
    ) -> None:
        """Measure the detector on labelled calls (call level and segment level), or in production (--db)."""
        from qa_audit.core.atomic import write_json
        from qa_audit.core.config import Config, ConfigError
        from qa_audit.detect.detector import Detector
        from qa_audit.detect.evaluate import LabelError, evaluate, load_institutions
        from qa_audit.detect.learned import ModelError
        from qa_audit.detect.lexicon import LexiconError

        if db is not None:
            import re

            from qa_audit.review.metrics import format_text, measure
            from qa_audit.store.db import Store

            if week and not re.fullmatch(r"\d{4}-W\d{2}", week):
                typer.echo(f"error: --week {week!r}: expected an ISO week like 2026-W48", err=True)
                raise typer.Exit(2)
            if not db.is_file():
                typer.echo(f"error: {db}: database not found", err=True)
                raise typer.Exit(2)
            store = Store(db)
            try:
                m = measure(store, week)
            finally:
                store.close()
            typer.echo(format_text(m))
            if json_out:
                write_json(json_out, m.to_dict())
            return
        if not inputs:
            typer.echo("error: give labelled transcripts (or --db PATH for production figures)", err=True)
            raise typer.Exit(2)
        if labels is None:
            first = inputs[0]
            labels = (first if first.is_dir() else first.parent) / "labels.jsonl"
        first = inputs[0]
        if institutions is None and not no_institutions:
            cand = (first if first.is_dir() else first.parent) / "institutions.csv"
            institutions = cand if cand.is_file() else None
        so = False if (model or "").lower() in ("none", "off", "false", "") else model
        try:
            det = Detector.load(Config.load(config), lexicons=lexicons, second_opinion=so)
            inst = load_institutions(institutions) if institutions else None
            if inst:
                typer.echo(f"institutions of {len(inst)} calls from {institutions}")
            rep = evaluate(inputs, labels, detector=det, institutions=inst)
        except (ConfigError, LexiconError, LabelError, ModelError) as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2)
        typer.echo(rep.format())
        if det.second_opinion is not None:
            from qa_audit.detect.learned.train import lexicon_fingerprint

            fp = det.second_opinion.model.meta.get("lexicon_fingerprint")
            if fp and fp != lexicon_fingerprint(det):
                typer.echo("\nnote: the model was trained with other lexicons than these; "
                           "retrain it (qa-audit train) for figures that match", err=True)
        if json_out:
            write_json(json_out, rep.to_dict())
