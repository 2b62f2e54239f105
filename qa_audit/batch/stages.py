"""The named stages of a batch run; :func:`qa_audit.batch.pipeline.run` is their sequence::

    p = plan(inputs, out_dir, store, ...)     # discover inputs, metadata + dial log, done / to do
    persist(p, execute(p), prog)              # results as they finish -> transcript cache, DB, run_items
    apply_dial_rules(p)                       # dial-log findings of attempts without a recording
    score(p, prog)                            # score_store + build_referrals (from the DB, idempotent)
    report(p, prog=prog)                      # HTML / Excel / CSV reports
    summary = finish(p)                       # OUT/run_summary.json, the run marked finished

A :class:`Plan` is what the run will do; later stages fill in its tallies (failures, warnings, the
batch's calls, time per stage) and its :class:`RunSummary`.  Only the driver writes.
"""
from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from qa_audit.batch.dial import (designated_lines, dial_findings, missing_recordings, notes, pseudo_calls,
                                 reconcile)
from qa_audit.batch.discover import Item, discover, file_hash
from qa_audit.batch.executors import dispatch
from qa_audit.batch.overlays import Overlays, assign_call_ids, load_overlays
from qa_audit.batch.state import Progress, done_items, finish_run, make_run_id, mark, stage_error, start_run
from qa_audit.batch.summary import RunSummary, count_findings
from qa_audit.core import atomic
from qa_audit.core.model import Call, Finding, safe_id


@dataclass
class Plan:
    """What a run will do (its items, those left to do, the workers' config), and the tallies
    the later stages fill in."""

    run_id: str
    out: Path
    store: Any
    inputs: list[str]
    items: list[Item]
    overlays: Overlays
    summary: RunSummary
    force: bool = False
    workers: int = 1
    executor: str = "local"
    dial_log: Optional[str] = None  # the dial log given (None: none)
    todo: list[Item] = field(default_factory=list)
    cfg: dict[str, Any] = field(default_factory=dict)  # for process_item, in every worker
    dial_by_call: dict[str, list[Finding]] = field(default_factory=dict)
    keep: Optional[set[str]] = None  # rule codes a call keeps (None = all)
    failures: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # checks skipped and why (run summary, never errors)
    batch_calls: dict[str, str] = field(default_factory=dict)  # call id -> item key
    stage: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # seconds per stage
    worker_stats: dict[str, dict[str, Any]] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)

    @property
    def transcripts(self) -> Path:
        """The transcript cache folder (the ASR output of each recording)."""
        return self.out / "transcripts"

    @property
    def call_ids(self) -> list[str]:
        return sorted(self.batch_calls)

    @property
    def n_audio(self) -> int:
        return sum(1 for it in self.todo if it.kind == "audio")

    def payload(self) -> list[dict[str, Any]]:
        """The items to do as plain data for the workers (recordings with their cache path)."""
        out = []
        for it in self.todo:
            d = asdict(it)
            if it.kind == "audio" and not self.force:
                d["cache"] = str(self.transcripts / f"{safe_id(it.call_id)}.json")
            out.append(d)
        return out

    def describe(self) -> str:
        return (f"run {self.run_id}: {len(self.items)} inputs ({self.n_audio} recordings to transcribe), "
                f"{self.summary.cached} already done, {len(self.todo)} to process")


# --- plan -------------------------------------------------------------------------------------
def plan(inputs: Iterable[str | os.PathLike], out_dir: str | os.PathLike, store, *,
         metadata: str | os.PathLike | None = None, dial_log: str | os.PathLike | None = None,
         backend: str = "faster-whisper", model: str = "base", agent_channel: int = 0,
         workers: int = 1, executor: str = "local", force: bool = False,
         select: Optional[list[str]] = None, ignore: Optional[list[str]] = None,
         rule_options: Optional[dict[str, Any]] = None, detector_config: Any = None,
         started: Optional[float] = None, second_opinion: Any = None) -> Plan:
    """Discover the inputs, load metadata and dial log, derive the run id, record the run as
    running in ``store`` and split the items into done (same run, same content, call in the DB)
    and to do.  ``force`` redoes everything."""
    started = time.perf_counter() if started is None else started
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    inputs = [str(i) for i in inputs]
    items, ignored, missing = discover(inputs, exclude=[out])
    select, ignore = _nonempty(select), _nonempty(ignore)
    rules = {"select": select, "ignore": ignore, "rule_options": dict(rule_options or {})}
    config_failures = designated_lines(rules["rule_options"], detector_config)  # DIAL-006 专用电话
    asr = {"backend": backend, "model": model, "agent_channel": agent_channel}
    t0 = time.perf_counter()
    ov = load_overlays(store, inputs, metadata, dial_log)
    assign_call_ids(items, ov)
    t_load = time.perf_counter() - t0
    options = {**asr, **rules, **_sources(ov.meta_src, dial_log, detector_config)}
    if second_opinion is not None:  # the learned model's suggestions change the results
        options["second_opinion"] = str(second_opinion)
    run_id = make_run_id(inputs, options)
    start_run(store, run_id, options, inputs, force)
    summary = RunSummary(run_id=run_id, out_dir=str(out), db=str(store.path), inputs=len(items),
                         ignored=ignored, options={**options, "workers": workers, "executor": executor})
    p = Plan(run_id=run_id, out=out, store=store, inputs=inputs, items=items, overlays=ov,
             summary=summary, force=force, workers=workers, executor=executor, started=started,
             dial_log=None if dial_log is None else str(dial_log),
             failures=[{"item": path, "error": why} for path, why in missing] + config_failures + ov.failures,
             warnings=list(ov.warnings))
    p.stage["load"] += t_load
    p.dial_by_call, p.keep = dial_findings(ov.records, rules["rule_options"], select, ignore)
    _split_done(p)
    p.cfg = {**asr, "asr_tag": f"{backend}:{model}:ch{agent_channel}", **rules,
             "detector_config": detector_config, "overlays": ov.for_worker(),
             "cpu_threads": _cpu_threads(executor, workers), "second_opinion": second_opinion}
    return p


def _nonempty(names: Optional[list[str]]) -> Optional[list[str]]:
    return [s for s in (names or []) if s] or None


def _sources(meta_src, dial_log, detector_config) -> dict[str, Optional[list[str]]]:
    """The files whose content changes results, with their hashes (part of the run id)."""
    return {"metadata": [str(meta_src), file_hash(Path(meta_src))] if meta_src else None,
            "dial_log": [str(dial_log), file_hash(Path(dial_log))] if dial_log else None,
            "config": [str(detector_config), file_hash(Path(detector_config))]
            if isinstance(detector_config, (str, os.PathLike)) else None}


def _cpu_threads(executor: str, workers: int):
    if executor == "dask":
        return "dask"
    return max(1, (os.cpu_count() or 1) // max(1, workers)) if workers > 1 else None


def _split_done(p: Plan) -> None:
    done = {} if p.force else done_items(p.store, p.run_id)
    for it in p.items:
        d = done.get(it.key)
        if d and d["stage"] == "scanned" and d["content_hash"] == it.content_hash and d["call_id"] and \
                p.store.conn.execute("SELECT 1 FROM calls WHERE call_id=?", (d["call_id"],)).fetchone():
            p.summary.cached += 1
            p.batch_calls[d["call_id"]] = it.key
        else:
            p.todo.append(it)


# --- execute / persist ------------------------------------------------------------------------
def execute(p: Plan, scheduler: Optional[str] = None) -> Iterator[dict[str, Any]]:
    """The results of the items to do, as they finish (serial, process pool or Dask: ``p.executor``,
    ``p.workers``; ``scheduler`` = a Dask scheduler address)."""
    return dispatch(p.payload(), p.cfg, p.workers, p.executor, scheduler)


def persist(p: Plan, results: Iterable[dict[str, Any]], prog: Optional[Progress] = None) -> None:
    """Store each result as it comes: the transcript cache, the call with its findings (plus its
    dial-log findings) and its ``run_items`` row in one transaction, or the failure."""
    prog = prog or Progress(False)
    prog.add("transcribe", p.n_audio)
    prog.add("scan", len(p.todo))
    by_key = {it.key: it for it in p.todo}
    for res in results:
        it = by_key[res["key"]]
        _tally(p, it, res)
        if it.kind == "audio":
            prog.advance("transcribe")
        t1 = time.perf_counter()
        _persist_one(p, it, res, prog)
        p.stage["save"] += time.perf_counter() - t1
        prog.advance("scan")


def _tally(p: Plan, it: Item, res: dict[str, Any]) -> None:
    """Worker time per stage, audio seconds, items and peak memory per worker process."""
    p.stage["transcribe"] += res.get("transcribe_s", 0.0) if it.kind == "audio" else 0.0
    p.stage["load_transcripts"] += res.get("transcribe_s", 0.0) if it.kind != "audio" else 0.0
    p.stage["scan"] += res.get("scan_s", 0.0)
    p.summary.audio_seconds += res.get("audio_s") or 0.0
    if res.get("pid") is not None:
        w = p.worker_stats.setdefault(str(res["pid"]), {"items": 0, "peak_rss_mb": 0.0})
        w["items"] += 1
        w["peak_rss_mb"] = max(w["peak_rss_mb"], res.get("peak_rss_mb") or 0.0)


def _persist_one(p: Plan, it: Item, res: dict[str, Any], prog: Progress) -> None:
    for w in res.get("warnings") or []:
        p.warnings.append({"item": it.path, "error": w})
    err = res.get("error")
    cid = (res.get("call") or {}).get("call_id")
    dup = cid in p.batch_calls and p.batch_calls[cid] != it.key
    if not err and dup:
        err = f"duplicate call id {cid!r} (also in {p.batch_calls[cid]}); skipped"
    # transcript cache: the ASR output before metadata/dial-log joins (also for silence,
    # so a rerun does not redo the ASR; a corrected dial log applies on the next run)
    if it.kind == "audio" and res.get("transcript") and not dup:
        atomic.write_text(p.transcripts / f"{safe_id(it.call_id)}.json",
                          json.dumps(res["transcript"], ensure_ascii=False, indent=1) + "\n")
    if err:
        _fail(p, it, cid, err, res, prog)
    else:
        call = _store_call(p, it, res)
        p.batch_calls[call.call_id] = it.key
        p.summary.processed += 1


def _fail(p: Plan, it: Item, cid: Optional[str], err: str, res: dict[str, Any], prog: Progress) -> None:
    p.failures.append({"item": it.path, "error": err})
    p.summary.failed += 1
    with p.store.transaction() as con:
        mark(con, p.run_id, it.key, cid, "failed", err, it.content_hash)
    prog.log(f"FAILED {it.path}: {err}")
    if res.get("traceback"):  # an unexpected error: keep the trace for the developers
        prog.log(res["traceback"])


def _store_call(p: Plan, it: Item, res: dict[str, Any]) -> Call:
    call = Call.from_dict(res["call"])
    findings = [Finding.from_dict(d) for d in res["findings"]]
    have = {f.finding_id for f in findings}
    findings += [f for f in p.dial_by_call.get(call.call_id, [])
                 if f.call_id == call.call_id and f.finding_id not in have]
    if p.keep is not None:
        findings = [f for f in findings if f.rule in p.keep]
    with p.store.transaction() as con:
        p.store.save_call(call, findings, content_hash=it.content_hash, run_id=p.run_id, con=con)
        mark(con, p.run_id, it.key, call.call_id, "scanned", None, it.content_hash)
    return call


# --- dial log, scores, reports ----------------------------------------------------------------
def apply_dial_rules(p: Plan) -> list[Call]:
    """Flag recordings the dial log lists but the inputs lack; store a pseudo-call for each
    dial attempt (or case week) with findings but no recording.  Returns the pseudo-calls."""
    t1 = time.perf_counter()
    records = p.overlays.records
    p.failures += missing_recordings(records, p.items, p.batch_calls)
    opts = p.cfg.get("rule_options") or {}
    select, ignore = p.cfg.get("select"), p.cfg.get("ignore")
    # 全程录音: connected attempts without a recording (DIAL-007), recordings without a row
    p.warnings += reconcile(records, p.items, p.batch_calls, p.dial_by_call, opts, select, ignore, p.dial_log)
    p.notes += notes(records, p.overlays.meta, opts, p.dial_log, select, ignore)
    pseudo = pseudo_calls(records, p.dial_by_call, p.batch_calls)
    if pseudo:
        with p.store.transaction() as con:
            for pc, fs in pseudo:
                p.store.save_call(pc, fs, content_hash=None, run_id=p.run_id, con=con)
                mark(con, p.run_id, f"dial:{pc.call_id}", pc.call_id, "scanned", None, None)
                p.batch_calls[pc.call_id] = f"dial:{pc.call_id}"
    p.summary.pseudo_calls = len(pseudo)
    p.stage["dial_log"] += time.perf_counter() - t1
    return [pc for pc, _ in pseudo]


def score(p: Plan, prog: Optional[Progress] = None) -> list:
    """Scorecards and referrals of the batch's calls, recomputed from the DB (idempotent); a
    failure is recorded, the batch's results stay in the DB.  Returns the scorecards."""
    prog = prog or Progress(False)
    call_ids = p.call_ids
    prog.add("report", 3)

    def scorecards():
        from qa_audit.score.scoring import score_store
        return score_store(p.store, call_ids)

    def referrals():
        from qa_audit.score.penalty import build_referrals
        return build_referrals(p.store, call_ids=call_ids, run_id=p.run_id)

    cards = _guarded(p, "score", "scoring", prog, scorecards)
    _guarded(p, "referrals", "referrals", prog, referrals)
    return cards or []


def sample(p: Plan, rate: float, prog: Optional[Progress] = None) -> list:
    """抽检: draw (or top up) the sample of unflagged calls of every week of the batch
    (``qa_audit.review.sampling``); recorded in the summary's options, a failure is the run's."""
    prog = prog or Progress(False)
    prog.add("report", 1)

    def draw():
        from qa_audit.review.sampling import sample_batch
        return sample_batch(p.store, p.call_ids, rate)

    out = _guarded(p, "sample", "sampling", prog, draw) or []
    p.summary.options["audit_sample"] = {x.week: {"rate": x.rate, "sampled": len(x.call_ids),
                                                  "unflagged": x.unflagged} for x in out}
    return out


def report(p: Plan, reports: bool = True, prog: Optional[Progress] = None) -> dict[str, str]:
    """Settle the summary's counts, then write the HTML / Excel / CSV reports of the batch's calls
    (``reports=False``: none).  Returns the report paths by name."""
    prog = prog or Progress(False)
    s = p.summary
    call_ids = p.call_ids
    _settle_failures(p)
    s.warnings = sorted(p.warnings, key=lambda f: (f["item"], f["error"]))
    s.notes = list(p.notes)
    s.calls = len(call_ids)
    count_findings(p.store, call_ids, s)
    _guarded(p, "report", "reports", prog, lambda: _write_reports(p, call_ids) if reports else None)
    _settle_failures(p)
    return s.reports


def _write_reports(p: Plan, call_ids: list[str]) -> None:
    from qa_audit.report.writer import write_reports

    s = p.summary
    problems = [(f["item"], f["error"]) for f in s.failures] + \
               [(w["item"], "warning: " + w["error"]) for w in s.warnings]
    paths = write_reports(p.out, p.store, call_ids, problems,
                          run_info={"run_id": p.run_id, "inputs": p.inputs,
                                    "processed": s.processed + s.cached, "failed": s.failed})
    s.reports = {k: str(v) for k, v in (paths or {}).items()}


def _settle_failures(p: Plan) -> None:
    p.summary.failures = sorted(p.failures, key=lambda f: (f["item"], f["error"]))
    p.summary.failed = len(p.summary.failures)


def _guarded(p: Plan, key: str, label: str, prog: Progress, fn: Callable[[], Any]) -> Any:
    """Run one closing step, timed as ``key``; its failure is the run's ``<label stage>`` failure."""
    t1 = time.perf_counter()
    result = None
    try:
        result = fn()
    except Exception as e:
        p.failures.append(stage_error(label, e, prog))
    p.stage[key] += time.perf_counter() - t1
    prog.advance("report")
    return result


def finish(p: Plan) -> RunSummary:
    """Time per stage and per worker into the summary, ``OUT/run_summary.json``, the run row
    marked finished (or finished_with_failures)."""
    p.stage["total"] = time.perf_counter() - p.started
    s = p.summary
    s.stage_seconds = {k: round(v, 3) for k, v in p.stage.items()}
    s.workers = p.worker_stats
    s.status = "finished"
    atomic.write_json(p.out / "run_summary.json", s.to_dict())
    finish_run(p.store, p.run_id, ok=not s.exit_code)
    return s
