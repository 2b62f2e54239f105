"""The same batch on a Dask distributed LocalCluster (2 worker processes, 1 thread each) gives the
same calls and findings as the local executor; the models live in the workers (loaded once per
worker), the database writes happen in the driver.  Real Whisper on one short clip."""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import batchkit as kit  # noqa: E402

from qa_audit.batch.pipeline import run  # noqa: E402

pytestmark = pytest.mark.slow

DEV = ["D0001", "D0003", "D0006", "D0008", "D0010", "D0012", "D0017", "D0021"]


def _rows(db: Path):
    con = sqlite3.connect(db)
    calls = sorted(r[0] for r in con.execute("SELECT call_id FROM calls"))
    findings = sorted(con.execute(
        "SELECT finding_id, call_id, rule, category, severity, segment, char_start, char_end, evidence, "
        "score FROM findings").fetchall())
    cards = sorted(con.execute("SELECT call_id, total, grade, fatal FROM scorecards").fetchall())
    con.close()
    return calls, findings, cards


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dask")
    inp = tmp / "in"
    kit.copy_dev(DEV, inp)
    kit.clip("D0036.mp3", inp / "R0036.wav", 7.0)
    (inp / "bad.json").write_text("{not json", encoding="utf-8")
    return tmp, inp


def test_dask_localcluster_same_findings_as_local(batch, monkeypatch):
    from distributed import Client, LocalCluster

    monkeypatch.setenv("QA_AUDIT_NUMBER_KEY", "dask-test")
    tmp, inp = batch
    local = run([inp], tmp / "local_out", tmp / "local.sqlite3", workers=1, progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        dask = run([inp], tmp / "dask_out", tmp / "dask.sqlite3", executor="dask",
                   scheduler=cluster.scheduler_address, workers=2, progress=False)
        with Client(cluster) as client:
            # the per-file function ran in the worker processes, and each loaded its Detector once
            loaded = client.run(lambda: __import__("qa_audit.batch.pipeline").batch.pipeline._WORKER.get("detector")
                                is not None)
    assert all(loaded.values()) and len(loaded) == 2
    assert local.processed == dask.processed == len(DEV) + 1
    assert local.failed == dask.failed == 1
    assert [f["item"] for f in local.failures] == [f["item"] for f in dask.failures]
    # work was spread over the two worker processes, none of them the driver
    import os
    assert len(dask.workers) == 2 and str(os.getpid()) not in dask.workers
    l_calls, l_find, l_cards = _rows(tmp / "local.sqlite3")
    d_calls, d_find, d_cards = _rows(tmp / "dask.sqlite3")
    assert d_calls == l_calls and "R0036" in d_calls
    assert d_find == l_find and len(l_find) > 0
    assert d_cards == l_cards
    for name in ("findings.csv", "scores.csv", "calls.csv"):
        assert kit.csv_rows(tmp / "dask_out" / name) == kit.csv_rows(tmp / "local_out" / name), name


def test_process_pool_same_findings_as_serial(batch, monkeypatch):
    monkeypatch.setenv("QA_AUDIT_NUMBER_KEY", "dask-test")
    tmp, inp = batch
    transcripts = [p for p in sorted(inp.glob("D*.json"))]
    s1 = run(transcripts, tmp / "s1_out", tmp / "s1.sqlite3", workers=1, progress=False)
    s2 = run(transcripts, tmp / "s2_out", tmp / "s2.sqlite3", workers=2, progress=False)
    assert s1.processed == s2.processed == len(DEV)
    # the files went to pool processes, not the driver (how many each took depends on scheduling:
    # on a loaded machine the first worker up may take all of them)
    import os

    assert 1 <= len(s2.workers) <= 2 and str(os.getpid()) not in s2.workers, s2.workers
    assert set(s1.workers) == {str(os.getpid())}, s1.workers
    assert _rows(tmp / "s1.sqlite3") == _rows(tmp / "s2.sqlite3")
