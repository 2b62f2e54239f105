"""``qa-audit score``: scorecards per call from transcripts + findings (thin wrapper over
:func:`qa_audit.score.scoring.score_paths`)."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer


def score_command(
    transcripts: List[Path] = typer.Argument(..., help="Transcript JSON files, or folders of them."),
    findings: Path = typer.Option(..., "--findings", "-f", help="findings.jsonl from `qa-audit scan`."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (scorecards/, scores.csv, aggregates)."),
    db: Optional[Path] = typer.Option(None, "--db", help="SQLite history DB: store the calls and findings there "
                                                         "and apply the reviewers' decisions."),
    rubric: Optional[Path] = typer.Option(None, "--rubric", help="Rubric YAML (default: rubrics/call.yaml or "
                                                                 "rubrics/text.yaml by call kind)."),
) -> None:
    """Score calls on the rubric (质检评分表): per-call scorecards (JSON + CSV) and aggregates."""
    import sys

    from qa_audit.score.rubric import RubricError
    from qa_audit.score.scoring import score_paths

    try:
        res = score_paths(transcripts, findings, out, db=db, rubric=rubric)
    except RubricError as e:
        print(f"error: {e}", file=sys.stderr)
        raise typer.Exit(2)
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        raise typer.Exit(2)
    for f in res["failures"]:
        print(f"failed: {f['item']}: {f['error']}", file=sys.stderr)
    print(f"scored {res['scored']} calls (mean {res['mean']:.1f}, passed {res['passed']}, "
          f"fatal {res['fatal']}, failed {len(res['failures'])}) -> {out}")
    raise typer.Exit(1 if res["failures"] else 0)


def register(app: typer.Typer) -> None:
    app.command("score")(score_command)
