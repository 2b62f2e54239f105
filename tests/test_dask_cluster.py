"""A real Dask cluster, not an in-process one: ``dask scheduler`` and two ``dask worker`` processes
on 127.0.0.1 (a free port), driven by ``python -m qa_audit run --executor dask --scheduler ...``.

1. the findings are identical to a local run of the same inputs;
2. a worker killed with SIGKILL in the middle of a batch loses nothing: the scheduler hands its
   unfinished calls to the other worker, and every call, finding and run item is in the database
   exactly once.  (Items are slowed down by a worker preload script so that the kill lands
   mid-batch.)
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "samples" / "dev"
FIXTURE_AUDIO = ROOT / "samples" / "asr_fixture" / "D0004_16s.wav"

SLOW_PRELOAD = """
import os, time
import qa_audit.batch.process as P

_orig = getattr(P.process_item, "_qa_orig", P.process_item)  # dask may import a preload twice


def process_item(item, cfg=None, *a, **k):
    if item.get("kind") != "audio":
        time.sleep(float(os.environ.get("QA_AUDIT_TEST_ITEM_SLEEP", "0")))
    return _orig(item, cfg, *a, **k)


process_item._qa_orig = _orig
P.process_item = process_item
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask_cli(sub: str) -> list[str]:
    exe = shutil.which("dask")
    if exe:
        return [exe, sub]
    legacy = shutil.which(f"dask-{sub}")
    if legacy:
        return [legacy]
    pytest.skip("no dask command line (dask / dask-scheduler) on PATH")


def _env(tmp: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "QA_AUDIT_NUMBER_KEY": "dask-cluster-test",
            "QA_AUDIT_CACHE": os.environ.get("QA_AUDIT_CACHE", str(Path.home() / ".cache" / "qa-audit")),
            "PYTHONWARNINGS": "ignore", "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}


def _wait_for(cond, timeout: float, what: str, procs=()) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for p in procs:
            if p.poll() is not None:
                raise AssertionError(f"{what}: a process exited early ({p.args[:3]}, rc {p.returncode})")
        if cond():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _n_workers(address: str) -> int:
    from distributed import Client

    with Client(address, timeout=10) as c:
        return len(c.scheduler_info()["workers"])


class Cluster:
    """A scheduler and named workers as separate OS processes (no nanny: the worker IS the process)."""

    def __init__(self, tmp: Path, env: dict[str, str], preload: Path):
        self.tmp, self.env, self.preload = tmp, env, preload
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.procs: dict[str, subprocess.Popen] = {}

    def _start(self, name: str, cmd: list[str]) -> None:
        log = open(self.tmp / f"{name}.log", "wb")
        self.procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def start(self) -> "Cluster":
        self._start("scheduler", [*_dask_cli("scheduler"), "--host", "127.0.0.1", "--port", str(self.port),
                                  "--no-dashboard"])
        for w in ("w1", "w2"):
            self._start(w, [*_dask_cli("worker"), self.address, "--name", w, "--nthreads", "1",
                            "--no-nanny", "--no-dashboard", "--host", "127.0.0.1",
                            "--local-directory", str(self.tmp / f"dask-{w}"), "--preload", str(self.preload)])
        _wait_for(lambda: self._workers_up(), 120, "two workers registered", self.procs.values())
        return self

    def _workers_up(self) -> bool:
        try:
            return _n_workers(self.address) == 2
        except Exception:
            return False

    def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait(timeout=30)

    def stop(self) -> None:
        for name, p in reversed(list(self.procs.items())):
            if p.poll() is None:
                p.terminate()
        for p in self.procs.values():
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")[-3000:]


def _findings(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return sorted(con.execute(
            "SELECT finding_id, call_id, rule, category, severity, segment, char_start, char_end, evidence, "
            "score FROM findings").fetchall())
    finally:
        con.close()


def _count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute(sql).fetchone()[0]
    except sqlite3.Error:
        return 0
    finally:
        con.close()


def _qa_run(inp: Path, out: Path, db: Path, env: dict, *extra: str, wait: bool = True):
    cmd = [sys.executable, "-m", "qa_audit", "run", str(inp), "--out", str(out), "--db", str(db),
           "--no-progress", *extra]
    if not wait:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture
def cluster(tmp_path):
    preload = tmp_path / "qa_slow_preload.py"
    preload.write_text(SLOW_PRELOAD, encoding="utf-8")
    env = _env(tmp_path)
    env["QA_AUDIT_TEST_ITEM_SLEEP"] = "0.25"
    c = Cluster(tmp_path, env, preload)
    try:
        yield c.start()
    finally:
        c.stop()


def test_real_cluster_same_findings_and_survives_a_killed_worker(tmp_path, cluster):
    env = cluster.env
    # 1. transcript copies (+ one short recording): local run and cluster run agree
    inp = tmp_path / "in"
    inp.mkdir()
    names = sorted(p.name for p in DEV.glob("D*.json"))[:12]
    for n in names:
        shutil.copy(DEV / n, inp / n)
    with_audio = FIXTURE_AUDIO.is_file()
    if with_audio:
        shutil.copy(FIXTURE_AUDIO, inp / FIXTURE_AUDIO.name)
    n_calls = len(names) + with_audio
    local = _qa_run(inp, tmp_path / "out_local", tmp_path / "local.sqlite3", env)
    assert local.returncode == 0, local.stdout + local.stderr
    dask = _qa_run(inp, tmp_path / "out_dask", tmp_path / "dask.sqlite3", env, "--executor", "dask",
                   "--scheduler", cluster.address)
    assert dask.returncode == 0, dask.stdout + dask.stderr + cluster.log("w1") + cluster.log("w2")
    fl, fd = _findings(tmp_path / "local.sqlite3"), _findings(tmp_path / "dask.sqlite3")
    assert fl and fd == fl
    assert _count(tmp_path / "dask.sqlite3", "SELECT COUNT(*) FROM calls") == n_calls

    # 2. many slow items; SIGKILL worker 1 once the first results are in the database
    big = tmp_path / "big"
    big.mkdir()
    n_big = 80
    for k in range(n_big):
        src = DEV / names[k % len(names)]
        text = src.read_text(encoding="utf-8").replace(f'"{src.stem}"', f'"K{k:03d}"', 1)
        (big / f"K{k:03d}.json").write_text(text, encoding="utf-8")
    db = tmp_path / "kill.sqlite3"
    proc = _qa_run(big, tmp_path / "out_kill", db, env, "--executor", "dask", "--scheduler", cluster.address,
                   wait=False)
    try:
        _wait_for(lambda: _count(db, "SELECT COUNT(*) FROM calls") >= 6, 300, "the first results", [proc])
        done_before_kill = _count(db, "SELECT COUNT(*) FROM calls")
        cluster.kill("w1")
        out, _ = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = out.decode(errors="replace")
    assert proc.returncode == 0, text[-3000:] + cluster.log("w2")
    assert done_before_kill < n_big  # the kill did land mid-batch
    # every call exactly once, no failed item, findings as in a run that lost no worker
    assert _count(db, "SELECT COUNT(*) FROM calls") == n_big
    assert _count(db, "SELECT COUNT(DISTINCT call_id) FROM calls") == n_big
    assert _count(db, "SELECT COUNT(*) FROM run_items") == n_big
    assert _count(db, "SELECT COUNT(*) FROM run_items WHERE stage = 'failed' OR error IS NOT NULL AND error != ''") == 0
    assert _count(db, "SELECT COUNT(*) FROM findings") == _count(
        db, "SELECT COUNT(*) FROM (SELECT DISTINCT finding_id FROM findings)")
    per_source = {}
    for k in range(n_big):
        per_source.setdefault(names[k % len(names)], []).append(f"K{k:03d}")
    con = sqlite3.connect(db)
    try:
        counts = dict(con.execute("SELECT call_id, COUNT(*) FROM findings GROUP BY call_id").fetchall())
    finally:
        con.close()
    con = sqlite3.connect(tmp_path / "local.sqlite3")
    try:
        local_counts = dict(con.execute("SELECT call_id, COUNT(*) FROM findings GROUP BY call_id").fetchall())
    finally:
        con.close()
    for src, ids in per_source.items():
        want = local_counts.get(Path(src).stem, 0)
        assert [counts.get(i, 0) for i in ids] == [want] * len(ids), src
    # the surviving worker did the rest: the scheduler now knows one worker
    assert _n_workers(cluster.address) == 1
