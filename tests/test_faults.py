"""Faults (issue 14, item 3): a full disk while writing reports, a read-only / locked / damaged
database from ``qa-audit run`` / ``verify`` / ``serve`` (one clear line naming the file, non-zero
exit, no traceback), and review decisions posted while a weekly run rewrites the same database."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from qa_audit.batch.verify import verify
from qa_audit.store.db import Store
from qa_audit.store.errors import StoreError

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "samples" / "dev"
NAMES = ["D0001", "D0002", "D0005", "D0006", "D0007", "D0009", "D0011", "D0014", "D0016", "D0020"]


def cli(*args, env=None, timeout=180):
    return subprocess.run([sys.executable, "-m", "qa_audit", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout, env={**os.environ, "QA_AUDIT_NUMBER_KEY": "fault-test", **(env or {})})


def transcripts(dst: Path, names=NAMES) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for n in names:
        shutil.copy(DEV / f"{n}.json", dst / f"{n}.json")
    return dst


def mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a size-limited filesystem needs 'mount -t tmpfs' as root; not root here")
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True,
                       text=True)
    if p.returncode != 0:
        pytest.skip(f"mount -t tmpfs not permitted here: {p.stderr.strip()}")


def umount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


# --- disk full ----------------------------------------------------------------------------------------
@pytest.mark.slow  # two CLI runs (~20 s), no Whisper
def test_disk_full_while_writing_reports(tmp_path):
    src = transcripts(tmp_path / "in")
    db = tmp_path / "h.sqlite3"
    out = tmp_path / "out"
    mount_tmpfs(out, "2m")
    try:
        filler = out / "filler.bin"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)  # fill the disk, then leave ~60 KB free:
        try:                                            # enough for a few pages, not for audit.xlsx
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError:
            pass
        finally:
            os.close(fd)
        os.truncate(filler, filler.stat().st_size - 60 * 1024)
        p = cli("run", str(src), "--out", str(out), "--db", str(db), "--no-progress")
        text = p.stdout + p.stderr
        assert p.returncode != 0
        assert "磁盘空间不足" in text and str(out) in text, text[-2000:]
        line = [ln for ln in text.splitlines() if "磁盘空间不足" in ln][0]
        assert str(out) + "/" in line  # names the file that could not be written
        # the database is consistent: every call with its findings and scores, the chain verifies
        store = Store(db)
        assert store.conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == len(NAMES)
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rep = verify(store)
        assert rep.ok, [x.line() for x in rep.problems]
        store.close()
        assert not list(out.glob("**/.*.tmp"))  # no half-written report left behind
        filler.unlink()  # space freed: the rerun completes
        p = cli("run", str(src), "--out", str(out), "--db", str(db), "--no-progress")
        assert p.returncode == 0, p.stdout + p.stderr
        for f in ("summary.html", "audit.xlsx", "calls.csv", "findings.csv", "scores.csv", "referrals.csv",
                  "run_summary.json"):
            assert (out / f).stat().st_size > 0, f
        summary = json.loads((out / "run_summary.json").read_text(encoding="utf-8"))
        assert summary["cached"] == len(NAMES) and summary["failed"] == 0
    finally:
        umount(out)


# --- the database read-only, locked, damaged -------------------------------------------------------------
@pytest.fixture()
def small_db(tmp_path):
    db = tmp_path / "db" / "h.sqlite3"
    src = transcripts(tmp_path / "in", NAMES[:2])
    p = cli("run", str(src), "--out", str(tmp_path / "out0"), "--db", str(db), "--no-progress")
    assert p.returncode == 0, p.stderr
    return db, src


COMMANDS = ("run", "verify", "serve")


def _invoke(cmd, db, src, out, env=None):
    if cmd == "run":
        return cli("run", str(src), "--out", str(out), "--db", str(db), "--no-progress", env=env)
    if cmd == "verify":
        return cli("verify", "--db", str(db), env=env)
    return cli("serve", "--db", str(db), "--port", "1", env=env)  # fails before it would listen


def _assert_clear(p, db, words):
    assert p.returncode != 0
    assert "Traceback" not in p.stderr and "Traceback" not in p.stdout, p.stderr[-3000:]
    text = p.stdout + p.stderr
    assert str(db) in text and any(w in text for w in words), text[-2000:]


def test_read_only_database(small_db, tmp_path):
    db, src = small_db
    folder = db.parent
    if os.geteuid() == 0:  # root ignores file modes: a read-only bind mount of the folder
        r1 = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True, text=True)
        if r1.returncode != 0:
            pytest.skip(f"read-only mount not permitted here: {r1.stderr.strip()}")
        r2 = subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True, text=True)
        if r2.returncode != 0:
            umount(folder)
            pytest.skip(f"read-only remount not permitted here: {r2.stderr.strip()}")
        undo = lambda: umount(folder)  # noqa: E731
    else:
        os.chmod(db, 0o444)
        os.chmod(folder, 0o555)
        undo = lambda: (os.chmod(folder, 0o755), os.chmod(db, 0o644))  # noqa: E731
    try:
        with pytest.raises(OSError):
            (folder / "probe").write_text("x")
        for cmd in COMMANDS:
            p = _invoke(cmd, db, src, tmp_path / f"out-{cmd}")
            _assert_clear(p, db, ["只读"])
    finally:
        undo()
    assert Store(db).conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 2


def test_locked_database_fails_after_the_busy_timeout(small_db, tmp_path):
    db, src = small_db
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer that does not let go
    try:
        t0 = time.monotonic()
        with pytest.raises(StoreError) as ei:
            Store(db, timeout=0.5).add_review("x", "sup", "comment", comment="c")
        assert time.monotonic() - t0 >= 0.5
        assert ei.value.kind == "locked" and str(db) in str(ei.value) and "锁定" in str(ei.value)
        for cmd in ("run", "serve"):  # the writers wait, then say so
            p = _invoke(cmd, db, src, tmp_path / f"out-{cmd}", env={"QA_AUDIT_DB_TIMEOUT": "1"})
            _assert_clear(p, db, ["锁定"])
        # verify only reads: another writer's reserved lock does not stop it
        p = _invoke("verify", db, src, None, env={"QA_AUDIT_DB_TIMEOUT": "1"})
        assert p.returncode == 0 and "完好" in p.stdout, p.stdout + p.stderr
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert verify(db).ok  # nothing half-written


@pytest.mark.parametrize("how", ["whole", "pages"])
def test_damaged_database(small_db, tmp_path, how):
    db, src = small_db
    data = bytearray(db.read_bytes())
    if how == "whole":  # garbage over the whole file
        data = bytearray(os.urandom(len(data)))
    else:  # the header survives, the pages after the first do not
        data[4096:] = os.urandom(len(data) - 4096)
    db.write_bytes(bytes(data))
    for cmd in COMMANDS:
        p = _invoke(cmd, db, src, tmp_path / f"out-{cmd}")
        _assert_clear(p, db, ["损坏"])
    assert _invoke("verify", db, src, None).returncode == 1  # verify: broken evidence


# --- review decisions while a weekly run rewrites the database ------------------------------------------
@pytest.mark.slow  # two runs over 200 transcripts (~15 s), no Whisper
def test_reviews_posted_during_a_forced_rerun_are_not_lost(tmp_path):
    from qa_audit.batch.pipeline import run

    src = tmp_path / "in"
    src.mkdir()
    dev = sorted(DEV.glob("D*.json"))
    for i in range(200):  # ~200 transcript copies of the dev calls, each its own call id
        d = json.loads(dev[i % len(dev)].read_text(encoding="utf-8"))
        d["call_id"] = f"W{i:04d}"
        (src / f"W{i:04d}.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    db = tmp_path / "h.sqlite3"
    first = run([src], tmp_path / "out1", db, progress=False, reports=False)
    assert first.processed == 200
    store = Store(db)
    fids = [r[0] for r in store.conn.execute("SELECT finding_id FROM findings ORDER BY finding_id")]
    assert len(fids) > 50
    posted: list[tuple] = []
    errors: list[BaseException] = []
    during: list[bool] = []
    running = threading.Event()

    def reviewer():
        s = Store(db)
        i = 0
        while running.is_set() or i < 20:
            fid = fids[(i * 7) % len(fids)]
            action, comment = ("comment", f"复核备注 {i}") if i % 3 else ("confirm", None)
            try:
                rid = s.add_review(fid, "sup", action, comment=comment)
                posted.append((rid, fid, action, comment))
                during.append(running.is_set())
            except BaseException as e:  # noqa: BLE001
                errors.append(e)
            i += 1
        s.close()

    running.set()
    t = threading.Thread(target=reviewer)
    t.start()
    try:
        second = run([src], tmp_path / "out2", db, force=True, progress=False, reports=False)
    finally:
        running.clear()
        t.join()
    assert second.processed == 200 and second.failed == 0
    assert not errors, errors[:3]
    assert sum(during) >= 20, f"only {sum(during)} decisions landed while the run was writing"
    rows = [tuple(r) for r in store.conn.execute(
        "SELECT review_id, finding_id, action, comment FROM reviews ORDER BY review_id")]
    assert rows == sorted(posted)  # every decision, exactly as posted
    assert set(fids) == {r[0] for r in store.conn.execute("SELECT finding_id FROM findings")}
    from qa_audit.score.penalty import build_referrals
    from qa_audit.score.scoring import score_store

    score_store(store)  # what the app does after each decision
    build_referrals(store)
    rep = verify(store)
    assert rep.ok, [x.line() for x in rep.problems]
