"""The named stages of a batch run (``qa_audit.batch.stages``), each on its own, on samples/dev
transcripts, a text notice and a broken file (fast: no Whisper): plan -> execute -> persist into a
real SQLite Store -> re-plan sees the items done; dial-log pseudo-calls; score, report, finish."""
from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import batchkit as kit  # noqa: E402

from qa_audit.batch import stages  # noqa: E402
from qa_audit.batch.pipeline import RunSummary  # noqa: E402
from qa_audit.store.db import Store  # noqa: E402

NUMBER = "13812348000"


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("QA_AUDIT_NUMBER_KEY", "stages-test")


@pytest.fixture
def folder(tmp_path):
    inp = tmp_path / "in"
    kit.copy_dev(["D0001", "D0007"], inp)
    (inp / "N0001.txt").write_text("【明德资产】蒋女士：您的账户已逾期。\n\n请尽快还款，否则我们将通知您的家人和单位。\n",
                                   encoding="utf-8")
    (inp / "broken.json").write_text('{"call_id": "B1", "segments": [', encoding="utf-8")
    (inp / "notes.md").write_text("not an input", encoding="utf-8")
    return inp


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "h.sqlite3")
    yield s
    s.close()


def names(items) -> list[str]:
    return sorted(Path(it.path).name for it in items)


def _persisted(folder, tmp_path, store, **kw) -> stages.Plan:
    p = stages.plan([folder], tmp_path / "out", store, **kw)
    stages.persist(p, stages.execute(p))
    return p


def test_plan_discovers_inputs_and_decides_what_to_do(folder, tmp_path, store):
    p = stages.plan([folder, tmp_path / "nope.json"], tmp_path / "out", store)
    assert isinstance(p, stages.Plan) and isinstance(p.summary, RunSummary)
    assert names(p.items) == ["D0001.json", "D0007.json", "N0001.txt", "broken.json"]
    assert {Path(it.path).name: it.kind for it in p.items}["N0001.txt"] == "text"
    assert names(p.todo) == names(p.items) and p.summary.cached == 0 and p.batch_calls == {}
    assert [Path(x).name for x in p.summary.ignored] == ["notes.md"]
    assert p.failures == [{"item": str(tmp_path / "nope.json"), "error": "input not found"}]
    # notices take their call id before processing; transcripts from their JSON
    assert {it.call_id for it in p.items if it.kind == "text"} == {"N0001"}
    assert p.out.is_dir() and p.summary.inputs == 4 and "load" in p.stage
    assert p.describe().endswith("4 inputs (0 recordings to transcribe), 0 already done, 4 to process")
    # the run is recorded as running; the workers' config carries the options
    assert store.conn.execute("SELECT status FROM runs WHERE run_id=?", (p.run_id,)).fetchone()[0] == "running"
    assert p.cfg["asr_tag"] == "faster-whisper:base:ch0" and p.cfg["cpu_threads"] is None
    assert [d["key"] for d in p.payload()] == [it.key for it in p.todo]


def test_plan_run_id_follows_the_options(folder, tmp_path, store):
    a = stages.plan([folder], tmp_path / "out", store)
    b = stages.plan([folder], tmp_path / "out", store)
    c = stages.plan([folder], tmp_path / "out", store, ignore=["THREAT-*"])
    assert a.run_id == b.run_id != c.run_id
    assert c.keep is not None and not any(code.startswith("THREAT-") for code in c.keep)


def test_execute_serial_yields_one_result_per_item(folder, tmp_path, store):
    p = stages.plan([folder], tmp_path / "out", store)
    results = {Path(r["path"]).name: r for r in stages.execute(p)}
    assert sorted(results) == names(p.todo)
    assert all(r["pid"] == os.getpid() for r in results.values())  # serial: in this process
    assert results["broken.json"]["error"] and results["broken.json"]["call"] is None
    d7 = results["D0007.json"]
    assert d7["error"] is None and d7["call"]["call_id"] == "D0007" and d7["findings"]
    assert results["N0001.txt"]["call"]["kind"] == "text"
    assert store.conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 0  # execute writes nothing


def test_persist_stores_results_and_replan_sees_them_done(folder, tmp_path, store):
    p = _persisted(folder, tmp_path, store)
    assert p.summary.processed == 3 and p.summary.failed == 1
    assert sorted(p.batch_calls) == ["D0001", "D0007", "N0001"]
    assert [Path(f["item"]).name for f in p.failures] == ["broken.json"]
    con = store.conn
    assert {r[0] for r in con.execute("SELECT call_id FROM calls")} == {"D0001", "D0007", "N0001"}
    assert con.execute("SELECT COUNT(*) FROM findings WHERE call_id='D0007'").fetchone()[0] > 0
    stages_by_item = {Path(r[0]).name: r[1] for r in
                      con.execute("SELECT item, stage FROM run_items WHERE run_id=?", (p.run_id,))}
    assert stages_by_item == {"D0001.json": "scanned", "D0007.json": "scanned", "N0001.txt": "scanned",
                              "broken.json": "failed"}
    assert {"transcribe", "load_transcripts", "scan", "save"} <= set(p.stage)
    assert list(p.worker_stats) == [str(os.getpid())] and p.worker_stats[str(os.getpid())]["items"] == 4

    again = stages.plan([folder], tmp_path / "out", store)
    assert again.run_id == p.run_id and again.summary.cached == 3
    assert names(again.todo) == ["broken.json"] and sorted(again.batch_calls) == sorted(p.batch_calls)
    forced = stages.plan([folder], tmp_path / "out", store, force=True)
    assert forced.summary.cached == 0 and names(forced.todo) == names(forced.items)
    assert con.execute("SELECT COUNT(*) FROM run_items WHERE run_id=?", (p.run_id,)).fetchone()[0] == 0


def test_persist_skips_a_duplicate_call_id(folder, tmp_path, store):
    (folder / "copy.json").write_bytes((folder / "D0001.json").read_bytes())
    p = _persisted(folder, tmp_path, store)
    dup = [f for f in p.failures if "duplicate call id" in f["error"]]
    assert len(dup) == 1 and p.summary.processed == 3


def test_apply_dial_rules_stores_pseudo_calls(folder, tmp_path, store):
    dial = tmp_path / "dial.csv"
    with open(dial, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["call_id", "file", "agent_id", "team", "case_id", "callee_number", "callee_relation",
                    "started_at", "connected", "duration"])
        w.writerow(["D0007", "", "A009", "T1", "C7", NUMBER, "debtor", "2026-11-10T22:10:00+08:00", "yes", "120"])
        w.writerows([[f"X000{i}", "", "A009", "T1", "C7", NUMBER, "debtor",
                      f"2026-11-11T{9 + i:02d}:00:00+08:00", "no", "0"] for i in range(1, 8)])
        w.writerow(["X0200", "gone.wav", "A009", "T1", "C8", NUMBER, "debtor", "2026-11-12T10:00:00+08:00",
                    "yes", "60"])
    p = _persisted(folder, tmp_path, store, dial_log=dial)
    assert "DIAL-001" in {f.rule for f in p.dial_by_call["D0007"]}
    rules = {r[0] for r in store.conn.execute("SELECT rule FROM findings WHERE call_id='D0007'")}
    assert "DIAL-001" in rules  # merged into the recorded call at persist
    pseudo = stages.apply_dial_rules(p)
    assert [c.call_id for c in pseudo] == ["X0007"] and p.summary.pseudo_calls == 1
    assert "X0007" in p.batch_calls and "dial_log" in p.stage
    assert store.conn.execute("SELECT rule FROM findings WHERE call_id='X0007'").fetchall()[0][0] == "DIAL-004"
    assert any(f["item"] == "gone.wav" and "missing from the inputs" in f["error"] for f in p.failures)


def test_score_report_finish_produce_the_files(folder, tmp_path, store):
    p = _persisted(folder, tmp_path, store)
    stages.apply_dial_rules(p)
    cards = stages.score(p)
    assert sorted(c.call_id for c in cards) == ["D0001", "D0007", "N0001"]
    assert store.conn.execute("SELECT COUNT(*) FROM scorecards").fetchone()[0] == 3
    assert {"score", "referrals"} <= set(p.stage)
    paths = stages.report(p)
    for name in ("summary.html", "audit.xlsx", "calls.csv", "findings.csv", "scores.csv"):
        assert (p.out / name).is_file(), name
    assert paths and all(Path(v).exists() for v in paths.values())
    s = p.summary
    assert s.calls == 3 and s.failed == 1 and s.findings > 0 and s.reports == paths
    summary = stages.finish(p)
    assert summary is s and summary.exit_code == 1 and "total" in summary.stage_seconds
    js = json.loads((p.out / "run_summary.json").read_text(encoding="utf-8"))
    assert js["run_id"] == p.run_id and js["processed"] == 3 and js["exit_code"] == 1
    status = store.conn.execute("SELECT status FROM runs WHERE run_id=?", (p.run_id,)).fetchone()[0]
    assert status == "finished_with_failures"


def test_report_without_reports_writes_none(folder, tmp_path, store):
    p = _persisted(folder, tmp_path, store)
    stages.score(p)
    assert stages.report(p, reports=False) == {}
    assert not (p.out / "summary.html").exists() and "report" in p.stage
