"""``qa-audit init DIR``: a commented ``qa-audit.yaml`` plus copies of the shipped lexicons/ and
rubrics/ to edit (the config points at the copies).  Use it with ``--config DIR/qa-audit.yaml``,
or run from DIR (the file is found in the current folder)."""
from __future__ import annotations

import shutil
from pathlib import Path

import typer

CONFIG_TEMPLATE = """\
# qa-audit configuration, written by `qa-audit init` (qa-audit {version}).
# Used with `qa-audit scan|run|eval --config {config}`, or found as qa-audit.yaml in the current
# folder.  Folders are relative to this file.  Reference: qa_audit/core/config.py.

# --- data folders: edited copies of the shipped ones ---------------------------------------------
# Each lexicon is one YAML file per category (threat.yaml, abuse.yaml, ...); a mistake in a copy is
# reported as file:line when a command loads it.
lexicons: ./lexicons
# Supervision forms (call.yaml, text.yaml) and penalty tiers (penalties.yaml).
rubrics: ./rubrics
# Jinja2 report templates (*.j2); default: the shipped ones.  To edit them, copy them here and
# uncomment (they are in the installed package under qa_audit/_data/reports/).
# reports: ./reports

# --- institutions ---------------------------------------------------------------------------------
# The lenders, agencies and products/apps your agents call for.  SELFID-001 ("the agent never names
# the institution") hears these names in the agent's turns even when the speech recognizer got them
# a little wrong (same pinyin up to confusable sounds such as heng/hong, jin/jing, z/zh, l/n; one
# syllable off in a name of four or more; 银行/小贷/消费金融/资产/信用卡中心 may be left out), and the
# transcriber gives them to Whisper as vocabulary.  A call's own institutions come from the
# `institution` column of the calls CSV or the dial log (several separated by |: 华远银行|诚泰资产);
# a call without that column is matched against every name here.  How a name is presented
# (我是/这里是/受…委托, 的客服...) is defined in lexicons/institution.yaml.
# institutions:
#   - name: 华远银行
#     aliases: [华远, 华远银行信用卡中心]
#     kind: lender        # lender | agency | product
#   - name: 诚泰资产管理
#     kind: agency
#   - name: 闪电借
#     kind: product
institutions: []

# --- which rules run ------------------------------------------------------------------------------
# Rule codes, globs, names or categories (`qa-audit rules list`); empty = all rules.
select: []
# e.g. ignore: ["THREAT-005", "audio_quality"]
ignore: []

# --- thresholds -----------------------------------------------------------------------------------
# A lexicon hit scoring at least the category's threshold is a finding.  Override per category
# (default: `threshold:` in each lexicon file):
{thresholds}
thresholds: {{}}

# --- self-identification window -------------------------------------------------------------------
# 0/0 = the whole call (the labelled definition: "never names the institution").  A department whose
# procedure demands it in the opening sets e.g. 6 turns / 90 s (whichever is later).
self_id_window_turns: 0
self_id_window_seconds: 0

# Also judge segments whose speaker is "unknown" (mono calls whose roles could not be inferred).
include_unknown_speaker: false
"""


def _thresholds_comment(lexicons: Path) -> str:
    import yaml

    rows = []
    for p in sorted(lexicons.glob("*.yaml")):
        try:
            d = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except Exception:  # pragma: no cover - the shipped lexicons parse
            continue
        if isinstance(d, dict) and d.get("kind") == "category" and d.get("category"):
            rows.append(f"{d['category']}: {d.get('threshold', 0.6)}")
    return "# " + ", ".join(rows) if rows else "#"


def init_folder(folder: Path, force: bool = False) -> list[Path]:
    """Write ``folder/qa-audit.yaml``, ``folder/lexicons/*.yaml`` and ``folder/rubrics/*.yaml``
    (copies of the packaged defaults).  Raises FileExistsError naming the files that exist unless
    ``force``; nothing is written then.  Returns the written paths."""
    from qa_audit import __version__
    from qa_audit.core.atomic import write_text
    from qa_audit.core.resources import packaged_dir

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder}: exists and is not a folder")
    copies: list[tuple[Path, Path]] = []
    for name in ("lexicons", "rubrics"):
        src = packaged_dir(name)
        for p in sorted(src.glob("*.yaml")):
            copies.append((p, folder / name / p.name))
    config = folder / "qa-audit.yaml"
    targets = [config] + [dst for _, dst in copies]
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        shown = ", ".join(str(t) for t in existing[:4]) + (" ..." if len(existing) > 4 else "")
        raise FileExistsError(f"{len(existing)} file(s) exist, not overwritten (use --force): {shown}")
    for src, dst in copies:
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    write_text(config, CONFIG_TEMPLATE.format(version=__version__, config=config,
                                              thresholds=_thresholds_comment(packaged_dir("lexicons"))))
    return targets


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(
        folder: Path = typer.Argument(..., help="Folder for qa-audit.yaml, lexicons/ and rubrics/ (created if missing)."),
        force: bool = typer.Option(False, "--force", help="Overwrite files that exist."),
    ) -> None:
        """Write an editable configuration: qa-audit.yaml plus copies of the lexicons and rubrics."""
        try:
            written = init_folder(folder, force=force)
        except (FileExistsError, NotADirectoryError) as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(1)
        typer.echo(f"wrote {written[0]} and {len(written) - 1} lexicon/rubric files under {folder}/; "
                   f"edit them, then: qa-audit scan CALLS --out DIR --config {written[0]}")
