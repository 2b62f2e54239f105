"""``qa-audit run``: the weekly batch (thin wrapper over :func:`qa_audit.batch.pipeline.run`)."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer


def _codes(values: Optional[List[str]]) -> Optional[list[str]]:
    out: list[str] = []
    for v in values or []:
        out += [x.strip() for x in v.split(",") if x.strip()]
    return out or None


def _value(v: str):
    for cast in (int, float):
        try:
            return cast(v)
        except ValueError:
            pass
    return v


def run_command(
    inputs: List[Path] = typer.Argument(..., help="Recordings, transcript JSON, .txt notices, or folders of them."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (reports, transcripts/, run_summary.json)."),
    db: Optional[Path] = typer.Option(None, "--db", help="SQLite history database (default: user data dir)."),
    metadata: Optional[Path] = typer.Option(None, "--metadata", help="Per-call metadata CSV (default: calls.csv in an input folder)."),
    dial_log: Optional[Path] = typer.Option(None, "--dial-log", help="Dialer log CSV (dial-log rules DIAL-*)."),
    backend: str = typer.Option("faster-whisper", "--backend", help="faster-whisper | openai-whisper"),
    model: str = typer.Option("base", "--model", help="Whisper model name or checkpoint path."),
    agent_channel: int = typer.Option(0, "--agent-channel", help="Stereo channel of the agent (0 left, 1 right)."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Worker processes (each loads the models once)."),
    executor: str = typer.Option("local", "--executor", help="local | dask"),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address (default: a LocalCluster)."),
    force: bool = typer.Option(False, "--force", help="Redo every file, ignoring run state and transcript cache."),
    select: Optional[List[str]] = typer.Option(None, "--select", help="Rule codes/globs/categories to run (comma-separated)."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Rule codes/globs/categories to skip."),
    forbidden_hours: Optional[str] = typer.Option(None, "--forbidden-hours", help="Dial-log forbidden window, e.g. 21:00-08:00 (default 22:00-08:00)."),
    config: Optional[Path] = typer.Option(None, "--config", help="Detector config (qa-audit.yaml; default: searched in the current folder)."),
    rule_option: Optional[List[str]] = typer.Option(None, "--rule-option", help="Rule option NAME=VALUE, e.g. dial_max_unanswered_per_day=6, audio_max_silence_s=20 (repeatable)."),
    no_progress: bool = typer.Option(False, "--no-progress", help="No progress bars."),
    second_opinion: Optional[bool] = typer.Option(
        None, "--second-opinion/--no-second-opinion",
        help="Add the learned model's suggestions (ML-…, their own review lane, never counted until "
             "confirmed). Default: config second_opinion."),
    sample_rate: Optional[float] = typer.Option(
        None, "--sample-rate", min=0.0, max=1.0,
        help="抽检: share of each week's unflagged calls to sample for review (default: config sample_rate)."),
) -> None:
    """Audit a weekly batch: transcribe -> scan -> score -> referrals -> reports (resumable)."""
    import sys

    from qa_audit.batch.pipeline import run

    if executor not in ("local", "dask"):
        raise typer.BadParameter("--executor must be local or dask")
    opts = {}
    if forbidden_hours:
        try:
            a, b = forbidden_hours.split("-")
        except ValueError:
            raise typer.BadParameter("--forbidden-hours must look like 22:00-08:00") from None
        opts = {"dial_forbidden_start": a.strip(), "dial_forbidden_end": b.strip()}
    for kv in rule_option or []:
        name, sep, value = kv.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"--rule-option {kv!r}: expected NAME=VALUE")
        opts[name.strip()] = _value(value.strip())
    from qa_audit.detect.rules.audio_metrics import DEFAULTS as AUDIO_DEFAULTS
    from qa_audit.detect.rules.dial import DEFAULTS as DIAL_DEFAULTS, parse_hhmm
    from qa_audit.detect.rules.dial_line import DEFAULTS as LINE_DEFAULTS

    known = {**DIAL_DEFAULTS, **AUDIO_DEFAULTS, **LINE_DEFAULTS}
    for name in opts:
        if name not in known:
            raise typer.BadParameter(f"unknown rule option {name!r}; known: {', '.join(sorted(known))}")
    try:
        for name in ("dial_forbidden_start", "dial_forbidden_end"):
            if name in opts:
                parse_hhmm(opts[name])
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None
    import contextlib

    scope = contextlib.nullcontext()  # no --config: the current folder's qa-audit.yaml, if any
    if config is not None:
        from qa_audit.core.config import Config, ConfigError
        from qa_audit.core.resources import using_config

        try:
            scope = using_config(Config.load(config))  # its lexicons/rubrics/reports folders
        except ConfigError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2)
    from qa_audit.cli.errors import clear_errors

    with scope, clear_errors(db):  # a locked / read-only / damaged database, a full disk: one clear line
        summary = run(inputs, out, db, metadata=metadata, dial_log=dial_log, backend=backend, model=model,
                      agent_channel=agent_channel, workers=workers, executor=executor, scheduler=scheduler,
                      force=force, select=_codes(select), ignore=_codes(ignore), rule_options=opts,
                      detector_config=str(config) if config else None,
                      progress=not no_progress, second_opinion=second_opinion, sample_rate=sample_rate,
                      log=lambda m: print(m, file=sys.stderr))
    for line in summary.lines():
        print(line)
    raise typer.Exit(summary.exit_code)


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)
