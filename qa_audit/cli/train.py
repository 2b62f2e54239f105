"""``qa-audit train --labels DIR… [--db PATH] [--cold PATH] --out FILE``: retrain the learned second opinion."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train_cmd(
        labels: Optional[List[Path]] = typer.Option(
            None, "--labels", "-l",
            help="Labelled folders (labels.jsonl beside the transcripts) or samples/real/items.jsonl "
                 "(tune split only). Default: the sets of samples/ except blind4, blind5 and real aside."),
        db: Optional[Path] = typer.Option(None, "--db", help="Review database: supervisors' confirm/dismiss "
                                                              "decisions and 抽检 verdicts become labels."),
        out: Path = typer.Option(..., "--out", "-o", help="Model file to write (.npz)."),
        c: float = typer.Option(16.0, "--C", help="Inverse regularization strength of the logistic regression."),
        allow_holdout: bool = typer.Option(False, "--allow-holdout",
                                           help="Allow training on blind4/blind5 (kept for measuring)."),
        cold: Optional[Path] = typer.Option(
            None, "--cold", help="Local COLD checkout (thu-coai/COLDataset: a work tree or git directory): its "
                                 "train split adds offensive / safe comments to one person as abuse labels."),
        cold_weight: float = typer.Option(0.3, "--cold-weight", help="Weight of a COLD comment relative to a "
                                                                     "labelled call turn (0 < W ≤ 1)."),
        cold_neg_ratio: float = typer.Option(1.0, "--cold-neg-ratio", help="Safe COLD comments per offensive one "
                                                                           "(subsampled; 0 = offensive only)."),
        config: Optional[Path] = typer.Option(None, "--config", "-c"),
    ) -> None:
        """Train the second-opinion model (n-grams + lexicon/dialogue features) and write it."""
        from qa_audit.core.config import Config, ConfigError
        from qa_audit.core.resources import samples_dir
        from qa_audit.detect.detector import Detector
        from qa_audit.detect.learned import train as T
        from qa_audit.detect.lexicon import LexiconError

        try:
            det = Detector.load(Config.load(config), second_opinion=False)
        except (ConfigError, LexiconError) as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2)
        sources = list(labels or [])
        if not sources:
            s = samples_dir()
            if s is None or not Path(s).is_dir():
                typer.echo("error: no --labels given and no samples/ folder found", err=True)
                raise typer.Exit(2)
            sources = T.default_sources(Path(s))
        decisions = None
        if db is not None:
            if not db.is_file():
                typer.echo(f"error: {db}: database not found", err=True)
                raise typer.Exit(2)
            from qa_audit.review.decisions import training_decisions
            from qa_audit.store.db import Store

            store = Store(db)
            try:
                decisions = training_decisions(store)
            finally:
                store.close()
            typer.echo(f"{db}: {len(decisions)} reviewed calls with supervisors' decisions")
        try:
            model = T.train(sources, out, decisions, detector=det, allow_holdout=allow_holdout, C=c,
                            source_note=f"db:{db}" if db else "", cold=cold, cold_weight=cold_weight,
                            cold_neg_ratio=cold_neg_ratio, log=typer.echo)
        except T.TrainError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2)
        m = model.meta
        typer.echo(f"trained on {m['turns']} turns of {m['calls']} calls from {len(sources)} sources"
                   f"{' + the database' if db else ''}: {m['ngrams']} n-grams -> {out} "
                   f"({out.stat().st_size / 1024:.0f} KB)")
