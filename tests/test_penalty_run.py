"""End to end: `qa-audit run` on two weeks of calls of the same agent escalates week 2 (real detector,
real SQLite history shared by the two runs, nothing else carried over)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qa_audit.store.db import Store

ROOT = Path(__file__).resolve().parents[1]


def week_folder(folder: Path, call_id: str, started_at: str) -> None:
    folder.mkdir(parents=True)
    d = json.loads((ROOT / "samples" / "dev" / "D0011.json").read_text(encoding="utf-8"))  # threat + disclosure
    d.update(call_id=call_id, agent_id="A777", started_at=started_at)
    d.setdefault("metadata", {})["team"] = "催收三组"
    (folder / f"{call_id}.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")


def qa_run(inputs: Path, out: Path, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qa_audit", "run", str(inputs), "--out", str(out), "--db", str(db),
                           "--no-progress"], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_two_weekly_runs_escalate_from_the_database(tmp_path):
    try:
        import qa_audit.batch.pipeline  # noqa: F401
        import qa_audit.detect.detector  # noqa: F401
    except ImportError as e:  # pragma: no cover - pipeline/detector are other issues
        pytest.skip(f"pipeline not available: {e}")
    db = tmp_path / "history.sqlite3"
    week_folder(tmp_path / "w1", "WK1-0001", "2026-11-17T10:00:00+08:00")
    week_folder(tmp_path / "w2", "WK2-0001", "2026-11-24T10:00:00+08:00")
    r1 = qa_run(tmp_path / "w1", tmp_path / "out1", db)
    assert r1.returncode == 0, r1.stderr[-2000:]
    r2 = qa_run(tmp_path / "w2", tmp_path / "out2", db)
    assert r2.returncode == 0, r2.stderr[-2000:]

    s = Store(db)
    rows = {r["period"]: (r["tier"], r["tier_name"], json.loads(r["referral_json"])["prior_count"])
            for r in s.conn.execute("SELECT * FROM referrals WHERE agent_id='A777'")}
    s.close()
    assert set(rows) == {"2026-W47", "2026-W48"}
    t1, t2 = rows["2026-W47"], rows["2026-W48"]
    assert t1[2] == 0 and t2[2] == 1
    assert t2[0] > t1[0], rows
    sheet = (tmp_path / "out2" / "referrals" / "A777.html").read_text(encoding="utf-8")
    assert f"第 {t2[0]} 档 · {t2[1]}" in sheet and "WK1-0001" in sheet  # the prior violation is cited
    assert "<svg" in (tmp_path / "out2" / "summary.html").read_text(encoding="utf-8")
