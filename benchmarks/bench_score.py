"""Benchmark: scoring, referrals and reports on a large batch, side by side with merely reading it.

    python benchmarks/bench_score.py [--calls 2000] [--out /tmp/bench_score]

The 40 labelled dev transcripts (samples/dev) are replicated to ``--calls`` calls over 4 weeks and
40 agents, with one finding per labelled violation, into a fresh SQLite history database.  In one run
it times:

- ``read``      the floor any scorer pays: every call, its findings and their review states read back
                from the database (``Store.get_call`` + ``findings_for_call`` + ``review_state``);
- ``score``     ``score_store`` (the same reads + scoring + saving the scorecards);
- ``referrals`` ``build_referrals`` for every week;
- ``reports``   ``write_reports`` (summary, a page per flagged call, referral sheets, xlsx, CSVs);

and prints calls/second and each stage's time as a ratio of ``read``.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qa_audit.core.model import Call, Finding, load_call  # noqa: E402
from qa_audit.score.penalty import build_referrals  # noqa: E402
from qa_audit.report.writer import write_reports  # noqa: E402
from qa_audit.score.scoring import score_store  # noqa: E402
from qa_audit.store.db import Store  # noqa: E402

SEV = {"threat": "high", "abuse": "medium", "third_party_disclosure": "high", "unauthorized_waiver": "high",
       "impersonation": "critical", "no_self_identification": "medium"}


def build(db: Path, n: int) -> list[str]:
    dev = ROOT / "samples" / "dev"
    labels = {json.loads(x)["call_id"]: json.loads(x) for x in (dev / "labels.jsonl").read_text("utf-8").splitlines()}
    base = [load_call(p) for p in sorted(dev.glob("D*.json"))]
    store = Store(db)
    ids = []
    with store.transaction() as con:
        for i in range(n):
            src = base[i % len(base)]
            day = 2 + (i * 7) % 28  # November 2026, 4 weeks
            c = Call.from_dict(src.to_dict())
            c.call_id = f"{src.call_id}-{i:05d}"
            c.agent_id = f"A{i % 37:03d}"
            c.started_at = f"2026-11-{day:02d}T{9 + i % 10:02d}:{i % 60:02d}:00+08:00"
            c.metadata["team"] = f"催收{1 + i % 4}组"
            fs = []
            for v in labels[src.call_id]["violations"]:
                seg = v["segment"]
                if seg is None:
                    fs.append(Finding(c.call_id, "NOID-001", "no_self_identification", "medium", None, None, None,
                                      "agent", "", None, None, "坐席未表明所属机构", "bench"))
                    continue
                t = c.segments[seg].text
                a = t.find(v["quote"])
                fs.append(Finding(c.call_id, "X-" + v["category"][:5].upper(), v["category"], SEV[v["category"]],
                                  seg, c.segments[seg].start, c.segments[seg].end, "agent", v["quote"], a,
                                  a + len(v["quote"]), "违规", "bench"))
            store.save_call(c, fs, con=con)
            ids.append(c.call_id)
    store.close()
    return ids


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--out", type=Path, default=Path("/tmp/bench_score"))
    a = ap.parse_args()
    shutil.rmtree(a.out, ignore_errors=True)
    a.out.mkdir(parents=True)
    ids = build(a.out / "history.sqlite3", a.calls)
    store = Store(a.out / "history.sqlite3")
    t = {}
    t0 = time.perf_counter()
    for cid in ids:
        store.get_call(cid)
        for f in store.findings_for_call(cid):
            store.review_state(f.finding_id)
    t["read"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    cards = score_store(store, ids)
    t["score"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    refs = build_referrals(store, call_ids=ids)
    t["referrals"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    paths = write_reports(a.out / "report", store, ids)
    t["reports"] = time.perf_counter() - t0
    store.close()
    pages = sum(1 for k in paths if k.startswith("call:"))
    print(f"calls={len(ids)} scorecards={len(cards)} referrals={len(refs)} call_pages={pages}")
    for k, v in t.items():
        print(f"{k:10s} {v:8.3f} s  {len(ids) / v:9.0f} calls/s  ratio_to_read={v / t['read']:.2f}")


if __name__ == "__main__":
    main()
