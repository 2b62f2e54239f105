"""Evidence that stands up (issue 14): the hash chain over findings and review decisions, recordings
checked against the sha256 stored at audit time, scores/referrals recomputed, ``qa-audit verify``;
online backup/restore; retention with purge recorded in the chain."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from qa_audit.batch.verify import verify
from qa_audit.core.model import Call, Finding, Segment
from qa_audit.score.penalty import build_referrals
from qa_audit.score.scoring import score_store
from qa_audit.store import chain as C
from qa_audit.store import retention as R
from qa_audit.store.backup import BackupError, backup, check_file, restore
from qa_audit.store.db import SCHEMA, Store
from qa_audit.web.demo import build_demo_store

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
WAV = SAMPLES / "asr_fixture" / "D0004_16s.wav"


def cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "qa_audit", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout)


def raw(db, *sql):
    con = sqlite3.connect(db)
    for q in sql:
        con.execute(q)
    con.commit()
    con.close()


def _call(cid, agent, started, audio=None, text="你再不还钱我就去你家找你"):
    call = Call(cid, agent_id=agent, started_at=started, audio=str(audio) if audio else None,
                segments=[Segment(0.0, 3.0, "agent", text)])
    k = text.index("去你家")
    f = Finding(cid, "THREAT-001", "threat", "high", 0, 0.0, 3.0, "agent", "去你家", k, k + 3, "威胁上门",
                "词条“去你家”", 0.9)
    return call, [f]


@pytest.fixture()
def db(tmp_path):
    """The labelled sample calls, one with a recording copied into tmp, a confirmed and an appealed
    finding, scores and referrals saved."""
    path = tmp_path / "h.sqlite3"
    store = build_demo_store(path, SAMPLES, dev=True, audio=False)
    rec = tmp_path / "R1.wav"
    shutil.copy(WAV, rec)
    store.save_call(*_call("R1", "A900", "2026-11-10T10:00:00+08:00", rec))
    f16 = store.findings_for_call("D0016")
    store.add_review(f16[0].finding_id, "sup", "confirm")
    store.add_review(f16[0].finding_id, "ag16", "appeal", reason="我没有这样说")
    score_store(store)
    build_referrals(store)
    store.close()
    return path


def first_problem(db):
    rep = verify(db)
    assert not rep.ok, "tampering not detected"
    return rep.problems[0]


# --- verify -----------------------------------------------------------------------------------------
def test_untouched_db_verifies(db):
    rep = verify(db)
    assert rep.ok, [p.line() for p in rep.problems]
    assert rep.counts["recordings"] == 1 and rep.counts["reviews"] == 2 and rep.counts["referrals"] > 0
    p = cli("verify", "--db", str(db))
    assert p.returncode == 0, p.stdout + p.stderr
    assert "完好" in p.stdout and f"末端 #{rep.head[0]} sha256 {rep.head[1]}" in p.stdout


def test_review_edited_behind_the_apps_back(db):
    raw(db, "DROP TRIGGER reviews_no_update", "UPDATE reviews SET action='dismiss', reason='误报' WHERE review_id=1")
    p = cli("verify", "--db", str(db))
    assert p.returncode == 1
    first = [ln for ln in p.stdout.splitlines() if "第一处问题" in ln][0]
    assert "reviews 1：复核记录与当时的决定不一致" in first and "action" in first and "'dismiss'" in first
    assert "Traceback" not in p.stderr


def test_finding_evidence_edited(db):
    fid = Store(db).findings_for_call("D0016")[1].finding_id
    raw(db, f"UPDATE findings SET evidence='没说过' WHERE finding_id='{fid}'")
    p = first_problem(db)
    assert (p.table, p.id) == ("findings", fid) and "evidence" in p.detail and "没说过" in p.detail
    cp = cli("verify", "--db", str(db))
    assert cp.returncode == 1 and f"findings {fid}" in cp.stdout


def test_recording_modified_or_missing(db, tmp_path):
    rec = tmp_path / "R1.wav"
    data = bytearray(rec.read_bytes())
    data[5000] ^= 0xFF  # one byte in the middle (the run state's head/tail hash would miss it)
    rec.write_bytes(bytes(data))
    p = first_problem(db)
    assert (p.table, p.id) == ("calls", "R1") and "录音文件与入库时不一致" in p.what and str(rec) in p.detail
    rec.unlink()
    p = first_problem(db)
    assert (p.table, p.id) == ("calls", "R1") and "录音文件不存在" in p.what
    assert verify(db, audio=False).ok  # --no-audio skips the recordings


@pytest.mark.parametrize("sql, table, what", [
    (["DROP TRIGGER reviews_no_delete", "DELETE FROM reviews WHERE review_id=2"], "reviews", "记录被删除"),
    (["INSERT INTO reviews(finding_id, reviewer, action) VALUES ('x', 'mallory', 'dismiss')"], "reviews",
     "不在证据链中"),
    (["DELETE FROM findings WHERE rowid=(SELECT MIN(rowid) FROM findings WHERE call_id='D0016')"], "findings",
     "违规记录被删除"),
    (["INSERT INTO findings(finding_id, call_id, rule, category, severity) VALUES ('f1', 'D0016', 'X', 'threat', 'high')"],
     "findings", "多出一条违规记录"),
    (["UPDATE calls SET agent_id='A999' WHERE call_id='D0016'"], "calls", "通话记录与入库时不一致"),
    (["DROP TRIGGER chain_no_update", "UPDATE chain SET content_sha256=hash WHERE seq=3"], "chain", "证据链条目被改动"),
    (["DROP TRIGGER chain_no_delete", "DELETE FROM chain WHERE seq=(SELECT MAX(seq) FROM chain)"], "chain", "末端"),
    (["DROP TRIGGER chain_no_delete", "DELETE FROM chain WHERE seq=4"], "chain", "缺少第 4–4 条"),
    (["UPDATE scorecards SET card_json=replace(card_json, '\"total\": ', '\"total\": 1') WHERE call_id='D0016'"],
     "scorecards", "评分与按违规记录"),
    (["UPDATE referrals SET tier=tier+1, referral_json=replace(referral_json, '\"tier\": ', '\"tier\": 1') "
      "WHERE rowid=(SELECT MIN(rowid) FROM referrals)"], "referrals", "处罚建议与重算结果不一致"),
    (["DELETE FROM referrals WHERE rowid=(SELECT MIN(rowid) FROM referrals)"], "referrals", "数据库中没有"),
])
def test_every_kind_of_tampering_is_reported(db, sql, table, what):
    raw(db, *sql)
    p = first_problem(db)
    assert p.table == table and what in p.what, p.line()


def test_chain_and_reviews_refuse_update_and_delete(db):
    con = sqlite3.connect(db)
    for q in ("UPDATE chain SET kind='x'", "DELETE FROM chain", "UPDATE reviews SET action='dismiss'",
              "DELETE FROM reviews"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute(q)
    con.close()


def test_resave_identical_appends_nothing_changed_appends(db):
    store = Store(db)
    n = store.conn.execute("SELECT COUNT(*) FROM chain").fetchone()[0]
    call, fs = _call("R1", "A900", "2026-11-10T10:00:00+08:00", Path(db).parent / "R1.wav")
    store.save_call(call, fs)  # a re-run: same content
    assert store.conn.execute("SELECT COUNT(*) FROM chain").fetchone()[0] == n
    fs[0].explanation = "改进后的说明"
    store.save_call(call, fs)  # a re-scan that changed the finding: the finding and the call are chained again
    kinds = [r[0] for r in store.conn.execute("SELECT kind FROM chain WHERE seq > ? ORDER BY seq", (n,))]
    assert kinds == ["finding", "call"]
    assert verify(store).ok


def test_existing_database_is_chained_on_first_open(tmp_path):
    """A database written before the chain: its rows are chained in order on first open."""
    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path)
    con.executescript(SCHEMA)
    con.execute("INSERT INTO calls(call_id, agent_id, started_at, week, transcript_json) VALUES (?,?,?,?,?)",
                ("OLD1", "A1", "2025-01-06T10:00:00+08:00", "2025-W02",
                 _call("OLD1", "A1", "2025-01-06T10:00:00+08:00")[0].to_json()))
    con.execute("INSERT INTO findings(finding_id, call_id, rule, category, severity, evidence) VALUES "
                "('of1', 'OLD1', 'THREAT-001', 'threat', 'high', '去你家')")
    con.execute("INSERT INTO reviews(finding_id, reviewer, action) VALUES ('of1', 'sup', 'confirm')")
    con.commit()
    con.close()
    store = Store(path)
    kinds = [r[0] for r in store.conn.execute("SELECT kind FROM chain ORDER BY seq")]
    assert kinds == ["genesis", "finding", "call", "review"]
    rep = verify(store, scores=False)
    assert rep.ok, [p.line() for p in rep.problems]
    Store(path)  # a second open migrates nothing
    assert store.conn.execute("SELECT COUNT(*) FROM chain").fetchone()[0] == 4
    raw(path, "UPDATE findings SET evidence='x' WHERE finding_id='of1'")
    assert first_problem(path).id == "of1"


def test_verify_cli_missing_database(tmp_path):
    p = cli("verify", "--db", str(tmp_path / "none.sqlite3"))
    assert p.returncode == 2 and "数据库不存在" in p.stderr and "none.sqlite3" in p.stderr
    assert not (tmp_path / "none.sqlite3").exists()


# --- backup / restore --------------------------------------------------------------------------------
def test_backup_while_a_writer_inserts_reviews_restores_to_a_verified_db(db, tmp_path):
    store = Store(db)
    fids = [r[0] for r in store.conn.execute("SELECT finding_id FROM findings")]
    before = store.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
    stop = threading.Event()
    written = []

    def writer():
        s = Store(db)
        i = 0
        while not stop.is_set():
            s.add_review(fids[i % len(fids)], "sup", "comment", comment=f"第 {i} 条备注")
            written.append(i)
            i += 1
        s.close()

    t = threading.Thread(target=writer)
    t.start()
    try:
        while len(written) < 20:
            time.sleep(0.01)
        out = tmp_path / "bk" / "h.backup.sqlite3"
        res = backup(db, out)
        mid = len(written)
        while len(written) < mid + 20:  # the writer kept going during and after the backup
            time.sleep(0.01)
    finally:
        stop.set()
        t.join()
    assert out.is_file() and not list(out.parent.glob(".*.tmp")) and not Path(f"{out}-wal").exists()
    assert res.report.ok and res.head[0] > 0
    target = tmp_path / "restored.sqlite3"
    p = cli("db", "restore", str(out), "--db", str(target))
    assert p.returncode == 0, p.stderr
    rep = verify(target, audio=False)
    assert rep.ok, [x.line() for x in rep.problems]
    n = Store(target).conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
    assert before + 20 <= n < before + len(written)  # a consistent snapshot taken mid-stream
    assert Store(db).conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == before + len(written)


def test_restore_refuses_to_overwrite_and_broken_backups(db, tmp_path):
    out = tmp_path / "b.sqlite3"
    p = cli("db", "backup", str(out), "--db", str(db))
    assert p.returncode == 0 and "已备份" in p.stdout, p.stderr
    other = tmp_path / "other.sqlite3"
    Store(other).save_call(*_call("Z1", "A1", "2026-11-10T10:00:00+08:00"))
    p = cli("db", "restore", str(out), "--db", str(other))
    assert p.returncode == 2 and "--force" in p.stderr and "已存在" in p.stderr
    assert Store(other).get_call("Z1") is not None  # untouched
    p = cli("db", "restore", str(out), "--db", str(other), "--force")
    assert p.returncode == 0, p.stderr
    assert Store(other).get_call("Z1") is None and Store(other).get_call("D0016") is not None
    assert verify(other).ok
    # a backup edited behind the app's back, or garbage, is never restored
    bad = tmp_path / "bad.sqlite3"
    shutil.copy(out, bad)
    raw(bad, "DROP TRIGGER reviews_no_update", "UPDATE reviews SET action='dismiss'")
    with pytest.raises(BackupError, match="拒绝恢复.*reviews 1"):
        restore(bad, other, force=True)
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"SQLite format 3\x00" + b"\xde\xad" * 4000)
    p = cli("db", "restore", str(junk), "--db", str(other), "--force")
    assert p.returncode == 1 and "拒绝恢复" in p.stderr and "Traceback" not in p.stderr
    assert verify(other).ok and Store(other).get_call("D0016") is not None


def test_backup_is_checked(db):
    assert check_file(db).ok


# --- retention ---------------------------------------------------------------------------------------
TODAY = date(2026, 11, 20)


@pytest.fixture()
def aged(tmp_path):
    """Calls exactly 2 years old, a day younger, older with an open appeal, older with a settled one."""
    path = tmp_path / "r.sqlite3"
    store = Store(path)
    recs = {}
    for cid, started in (("EXACT", "2024-11-20T23:30:00+08:00"), ("YOUNGER", "2024-11-21T00:10:00+08:00"),
                         ("APPEAL", "2024-06-03T10:00:00+08:00"), ("SETTLED", "2024-06-04T10:00:00+08:00"),
                         ("NEW", "2026-11-16T10:00:00+08:00")):
        recs[cid] = tmp_path / f"{cid}.wav"
        shutil.copy(WAV, recs[cid])
        store.save_call(*_call(cid, "A1", started, recs[cid]))
    for cid in ("APPEAL", "SETTLED", "EXACT"):
        fid = store.findings_for_call(cid)[0].finding_id
        store.add_review(fid, "sup", "confirm")
        if cid != "EXACT":
            store.add_review(fid, "a1", "appeal", reason="不是我")
    store.add_review(store.findings_for_call("SETTLED")[0].finding_id, "sup", "final_uphold")
    score_store(store)
    build_referrals(store)
    return path, recs


def test_retention_boundaries_and_appeal(aged):
    path, recs = aged
    assert R.cutoff_date("2y", TODAY) == date(2024, 11, 20)
    assert R.cutoff_date("1y", date(2028, 2, 29)) == date(2027, 2, 28)
    p = cli("retention", "--keep", "2y", "--db", str(path), "--today", TODAY.isoformat())
    assert p.returncode == 0, p.stderr
    listed = [ln.split("\t")[0].strip() for ln in p.stdout.splitlines() if ln.startswith("  ")]
    assert listed == ["SETTLED", "EXACT"]
    assert "APPEAL" in p.stdout and "申诉中" in p.stdout and str(recs["EXACT"]) in p.stdout
    assert Store(path).conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 5  # listing removes nothing

    p = cli("retention", "--keep", "2y", "--db", str(path), "--today", TODAY.isoformat(), "--purge")
    assert p.returncode == 0, p.stderr
    store = Store(path)
    left = sorted(r[0] for r in store.conn.execute("SELECT call_id FROM calls"))
    assert left == ["APPEAL", "NEW", "YOUNGER"]
    for t in ("findings", "scorecards"):
        assert {r[0] for r in store.conn.execute(f"SELECT call_id FROM {t}")} <= set(left)
    assert store.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 2  # the appeal's two
    assert all(recs[c].exists() for c in recs)  # recordings only listed
    purge = store.conn.execute("SELECT fields_json FROM chain WHERE kind='purge'").fetchall()
    assert len(purge) == 1 and '"calls":2' in purge[0][0] and '"last_removed_hash"' in purge[0][0]
    rep = verify(store)
    assert rep.ok, [x.line() for x in rep.problems]
    # tampering with the purge list shows
    raw(path, "DROP TRIGGER chain_purged_no_delete", "DELETE FROM chain_purged WHERE kind='call' AND ref='EXACT'")
    assert first_problem(path).table == "chain_purged"


def test_retention_purge_audio_and_new_appeal_is_kept(aged):
    path, recs = aged
    store = Store(path)
    store.add_review(store.findings_for_call("EXACT")[0].finding_id, "a1", "appeal", reason="重新申诉")
    assert first_problem(path).id == "EXACT"  # a decision without the rescoring the app does is stale
    score_store(store, ["EXACT"])
    res = R.purge(store, "2y", TODAY, purge_audio=True)
    assert [c.call_id for c in res.plan.calls] == ["SETTLED"] and res.plan.under_appeal == ["APPEAL", "EXACT"]
    assert res.audio_deleted == [str(recs["SETTLED"])] and not recs["SETTLED"].exists()
    assert recs["EXACT"].exists() and recs["YOUNGER"].exists()
    build_referrals(store, agent_ids=sorted(res.agents))
    assert verify(store).ok
    assert R.purge(store, "2y", TODAY).plan.calls == []  # nothing more is due


def test_retention_rejects_bad_keep(tmp_path):
    Store(tmp_path / "x.sqlite3")
    p = cli("retention", "--keep", "two years", "--db", str(tmp_path / "x.sqlite3"))
    assert p.returncode == 2 and "2y" in p.stderr


def test_scores_made_with_another_rubric_verify_with_it(db, tmp_path):
    import yaml

    src = ROOT / "rubrics" / "call.yaml"
    d = yaml.safe_load(src.read_text(encoding="utf-8"))
    d["version"] = "strict-9"
    alt = tmp_path / "strict.yaml"
    alt.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    from qa_audit.score.rubric import load_rubric

    store = Store(db)
    score_store(store, ["D0016"], rubric=load_rubric(alt))
    p = first_problem(db)
    assert (p.table, p.id) == ("scorecards", "D0016") and "strict-9" in p.detail
    assert cli("verify", "--db", str(db), "--rubric", str(alt)).returncode == 1  # now the others differ
    score_store(store, rubric=load_rubric(alt))
    assert cli("verify", "--db", str(db), "--rubric", str(alt)).returncode == 0
    p = cli("verify", "--db", str(db), "--rubric", str(tmp_path / "none.yaml"))
    assert p.returncode == 2 and "评分表无法读取" in p.stderr
