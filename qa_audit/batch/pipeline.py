"""The weekly batch: ``run(inputs, out_dir, db) -> RunSummary`` (``qa-audit run``).

Recordings, transcript JSON and plain-text notices go through one per-file function,
:func:`process_item` (transcribe if audio -> apply metadata / dial log -> scan), executed

- in this process (``workers=1``),
- in a ``ProcessPoolExecutor`` of ``workers`` processes, each loading the Transcriber and the
  Detector once (initializer), or
- on a Dask distributed cluster (``executor="dask"``; ``scheduler`` address, or a LocalCluster),
  the models held by a module-level singleton in each worker.

Results come back to the driver as they finish; the driver alone writes: the transcript cache
(``OUT/transcripts/<safe_id>.json``), the call and its findings (``Store.save_call``, which replaces
findings, so nothing duplicates) and the run state (``run_items``) in one transaction.  Then it adds
the dial-log findings of attempts without recording, recomputes scores, referrals and reports from
the database (idempotent), and writes ``OUT/run_summary.json``.

The run id derives from the inputs and the options that change results, so a run killed with
SIGKILL and started again skips what it finished; ``force=True`` redoes everything.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from qa_audit.core import atomic
from qa_audit.core.model import Call, Finding, Segment, TranscriptError, load_call, read_text, safe_id

TRANSCRIPT_EXTENSIONS = frozenset({".json"})
TEXT_EXTENSIONS = frozenset({".txt"})
MIN_SAMPLE_RATE = 4000
MAX_SAMPLE_RATE = 192000
_HASH_BLOCK = 1 << 16
_WORKER_STAGES = ("transcribe", "load_transcripts", "scan")


def audio_extensions() -> frozenset[str]:
    try:
        from qa_audit.audio.decode import AUDIO_EXTENSIONS
        return frozenset(AUDIO_EXTENSIONS)
    except ImportError:  # pragma: no cover - audio module missing
        return frozenset({".wav", ".mp3", ".m4a", ".flac", ".ogg", ".amr"})


# --- the batch's items ---------------------------------------------------------------------
@dataclass
class Item:
    """One input file.  ``key`` (absolute path) identifies it in ``run_items``."""

    key: str
    path: str
    kind: str  # audio | transcript | text
    content_hash: str
    call_id: str = ""  # known before processing for audio/text; from the JSON for transcripts


@dataclass
class RunSummary:
    run_id: str
    out_dir: str
    db: str
    inputs: int = 0
    processed: int = 0
    failed: int = 0
    cached: int = 0
    ignored: list[str] = field(default_factory=list)
    pseudo_calls: int = 0
    calls: int = 0
    findings: int = 0
    findings_by_category: dict[str, int] = field(default_factory=dict)
    findings_by_rule: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # checks skipped and why (never errors)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    audio_seconds: float = 0.0
    workers: dict[str, dict[str, Any]] = field(default_factory=dict)
    reports: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    status: str = "finished"

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.failures else 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["exit_code"] = self.exit_code
        return d

    def lines(self) -> list[str]:
        """The human-readable run summary (one line per failure and warning)."""
        out = [f"run {self.run_id}: {self.inputs} inputs, {self.processed} processed, "
               f"{self.cached} skipped as cached, {self.failed} failed"
               + (f", {self.pseudo_calls} dial-log pseudo-calls" if self.pseudo_calls else "")]
        cats = ", ".join(f"{k} {v}" for k, v in sorted(self.findings_by_category.items()))
        out.append(f"findings: {self.findings}" + (f" ({cats})" if cats else ""))
        st = ", ".join(f"{k} {v:.1f}s" + (" (summed over workers)" if k in _WORKER_STAGES else "")
                       for k, v in self.stage_seconds.items() if v or k == "total")
        out.append(f"time per stage: {st}")
        for f in self.failures:
            out.append(f"FAILED  {f['item']}: {f['error']}")
        for w in self.warnings:
            out.append(f"WARNING {w['item']}: {w['error']}")
        for n in self.notes:
            out.append(f"NOTE    {n}")
        if self.reports:
            out.append(f"reports: {self.out_dir}")
        return out


def _file_hash(path: Path) -> str:
    """Content hash from size + first and last 64 KiB (cheap on hours of audio, catches edits)."""
    h = hashlib.sha1()
    try:
        size = path.stat().st_size
        h.update(str(size).encode())
        with open(path, "rb") as fh:
            h.update(fh.read(_HASH_BLOCK))
            if size > 2 * _HASH_BLOCK:
                fh.seek(-_HASH_BLOCK, os.SEEK_END)
            h.update(fh.read(_HASH_BLOCK))
    except OSError:
        h.update(b"unreadable")
    return h.hexdigest()[:20]


def discover(inputs: Iterable[str | os.PathLike], exclude: Iterable[str | os.PathLike] = ()
             ) -> tuple[list[Item], list[str], list[tuple[str, str]]]:
    """Input files and folders -> (items in order, ignored files, missing inputs).

    A folder contributes its audio, ``.json`` and ``.txt`` files (recursively, sorted); other files
    (CSV logs, images) are listed as ignored.  A file given by name is taken whatever its
    extension, as audio unless it ends in .json/.txt.  Folders in ``exclude`` (the output folder,
    when it sits inside an input folder) are skipped.
    """
    skip = [Path(x).resolve() for x in exclude]
    aexts = audio_extensions()
    items: list[Item] = []
    ignored: list[str] = []
    missing: list[tuple[str, str]] = []
    seen: set[str] = set()

    def kind_of(p: Path, explicit: bool) -> Optional[str]:
        ext = p.suffix.lower()
        if ext in aexts:
            return "audio"
        if ext in TRANSCRIPT_EXTENSIONS:
            return "transcript"
        if ext in TEXT_EXTENSIONS:
            return "text"
        return "audio" if explicit else None

    def add(p: Path, explicit: bool) -> None:
        key = str(p.resolve())
        if key in seen:
            return
        k = kind_of(p, explicit)
        if k is None:
            ignored.append(str(p))
            return
        seen.add(key)
        items.append(Item(key=key, path=str(p), kind=k, content_hash=_file_hash(p)))

    for inp in inputs:
        p = Path(inp)
        if p.is_dir():
            for f in sorted(x for x in p.rglob("*") if x.is_file() and not x.name.startswith(".")):
                if any(f.resolve().is_relative_to(s) for s in skip):
                    continue
                add(f, False)
        elif p.is_file():
            add(p, True)
        else:
            missing.append((str(p), "input not found"))
    return items, ignored, missing


# --- worker side ----------------------------------------------------------------------------
_WORKER: dict[str, Any] = {}


def _threads(cfg: dict[str, Any]) -> Optional[int]:
    """CPU threads for this worker's models: the pool's share of the cores, or on Dask the
    worker's own ``--nthreads``."""
    t = cfg.get("cpu_threads")
    if t == "dask":
        try:
            from distributed import get_worker
            return int(get_worker().state.nthreads)
        except Exception:
            return None
    return int(t) if t else None


def _exit_with_parent(parent_pid: int) -> None:
    """A pool worker whose driver died (SIGKILL) must not live on holding a model in memory."""
    import threading

    try:  # Linux: the kernel kills us when the parent dies
        import ctypes
        import signal
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except Exception:
        pass

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(70)
            time.sleep(0.5)

    threading.Thread(target=watch, name="qa-audit-parent-watch", daemon=True).start()
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(70)


def init_worker(cfg: dict[str, Any], preload_asr: bool = False, parent_pid: Optional[int] = None) -> None:
    """Process-pool initializer / Dask worker warm-up: load the Detector (and Transcriber) once."""
    if parent_pid:
        _exit_with_parent(parent_pid)
    threads = _threads(cfg)
    if threads:
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        try:
            import torch
            torch.set_num_threads(int(threads))
        except Exception:  # pragma: no cover - torch optional here
            pass
    _WORKER["cfg"] = cfg
    _detector(cfg)
    if preload_asr:
        _transcriber(cfg)


def _detector(cfg: dict[str, Any]):
    key = json.dumps([cfg.get("select"), cfg.get("ignore"), str(cfg.get("detector_config"))])
    det = _WORKER.get("detector")
    if det is None or _WORKER.get("detector_key") != key:
        import inspect

        from qa_audit.detect.detector import Detector
        kw = {}
        params = inspect.signature(Detector.load).parameters
        for name in ("select", "ignore"):
            if cfg.get(name) and name in params:
                kw[name] = list(cfg[name])
        det = Detector.load(cfg.get("detector_config"), **kw)
        _WORKER["detector"] = det
        _WORKER["detector_key"] = key
    return det


def _transcriber(cfg: dict[str, Any]):
    key = (cfg.get("backend"), cfg.get("model"), cfg.get("agent_channel"))
    tr = _WORKER.get("transcriber")
    if tr is None or _WORKER.get("transcriber_key") != key:
        from qa_audit.asr.transcriber import Transcriber
        kwargs: dict[str, Any] = {"backend": cfg.get("backend") or "faster-whisper",
                                  "model": cfg.get("model") or "base",
                                  "agent_channel": cfg.get("agent_channel", 0)}
        threads = _threads(cfg)
        if threads:
            import inspect
            if "cpu_threads" in inspect.signature(Transcriber).parameters:
                kwargs["cpu_threads"] = threads
        tr = Transcriber(**kwargs)
        _WORKER["transcriber"] = tr
        _WORKER["transcriber_key"] = key
    return tr


def _peak_rss_mb() -> float:
    """Peak resident memory of this process.

    VmHWM (per address space) first: ``ru_maxrss`` survives ``execve`` on Linux, so a process
    started by a large parent (fork + exec) would report the parent's peak as its own.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0  # kB
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    except Exception:  # pragma: no cover
        return 0.0


def load_text_notice(path: str, call_id: str, warnings: list[str]) -> Call:
    """A ``.txt`` SMS/letter: kind "text", one agent segment per non-empty line."""
    text, encoding = read_text(path)
    if encoding == "gbk":
        warnings.append("text decoded as GBK, not UTF-8 (accepted)")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    segs = [Segment(start=0.0, end=0.0, speaker="agent", text=ln) for ln in lines]
    return Call(call_id=call_id, kind="text", segments=segs, metadata={"source": Path(path).name})


def wav_truncation(path: str) -> Optional[str]:
    """For a RIFF/WAVE file: why it is truncated (its data chunk declares more bytes than the file
    holds), else None.  ffprobe reports the duration of what is there, so this needs the header."""
    import struct

    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
            size = fh.seek(0, os.SEEK_END)
    except OSError:
        return None
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos, byte_rate = 12, 0
    while pos + 8 <= len(head):
        cid, n = head[pos:pos + 4], struct.unpack("<I", head[pos + 4:pos + 8])[0]
        if cid == b"fmt " and pos + 20 <= len(head):
            byte_rate = struct.unpack("<I", head[pos + 16:pos + 20])[0]
        if cid == b"data":
            if n in (0, 0xFFFFFFFF):  # streaming writers leave the size open
                return None
            have = size - (pos + 8)
            if have < n - max(byte_rate // 10, 64):
                if byte_rate:
                    return (f"truncated: the WAV header declares {n / byte_rate:.1f} s of audio, "
                            f"the file holds {max(have, 0) / byte_rate:.1f} s")
                return f"truncated: the WAV header declares {n} data bytes, the file holds {have}"
            return None
        pos += 8 + n + (n & 1)
    return None


def looks_like_text(path: str) -> Optional[str]:
    """Why a file named like audio is really text (no NUL byte, decodes as UTF-8/GBK), else None."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None
    if not head.strip() or b"\x00" in head or head[:4] in (b"RIFF", b"ID3\x03", b"ID3\x04", b"OggS", b"fLaC"):
        return None
    for enc in ("utf-8", "gb18030"):
        try:
            text = head.decode(enc)
        except UnicodeDecodeError:
            continue
        if sum(ch.isprintable() or ch in "\r\n\t" for ch in text) >= 0.95 * len(text):
            first = text.strip().splitlines()[0][:30] if text.strip() else ""
            return f"a text file, not an audio recording (starts with {first!r})"
    return None


def _check_audio(path: str) -> float:
    """Probe before transcribing: reject what the ASR should not see; returns the duration."""
    from qa_audit.audio.decode import AudioError, probe

    why = wav_truncation(path) or looks_like_text(path)
    if why:
        raise AudioError(f"{path}: {why}")
    info = probe(path)
    if info.sample_rate and not (MIN_SAMPLE_RATE <= info.sample_rate <= MAX_SAMPLE_RATE):
        raise AudioError(f"{path}: unsupported sample rate {info.sample_rate} Hz "
                         f"(expected {MIN_SAMPLE_RATE}–{MAX_SAMPLE_RATE} Hz)")
    if not info.sample_rate:
        raise AudioError(f"{path}: audio stream declares no sample rate")
    return info.duration


def _apply_overlays(call: Call, item: dict[str, Any], cfg: dict[str, Any]) -> list[str]:
    from qa_audit.core.dial_log import _NUMBER_COLS, apply_overlay, mask_number

    notes = []
    for k in [k for k in call.metadata if str(k).lower() in _NUMBER_COLS]:  # never keep a clear number
        v = call.metadata.pop(k)
        if v and not call.metadata.get("callee_masked"):
            call.metadata["callee_masked"] = mask_number(str(v))
        notes.append(f"callee number in metadata key {k!r} masked")
    ovs = cfg.get("overlays") or {}
    name = Path(item["path"]).name
    for ov in (ovs.get("dial", {}).get(name) or ovs.get("dial", {}).get(call.call_id),
               ovs.get("meta", {}).get(name) or ovs.get("meta", {}).get(call.call_id)):
        if ov:
            apply_overlay(call, ov)
    if call.call_id != safe_id(call.call_id):
        notes.append(f"call id {call.call_id!r} is not a safe file name; its files use "
                     f"{safe_id(call.call_id)!r}")
    return notes


def process_item(item: dict[str, Any], cfg: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """Transcribe (audio) -> overlay metadata/dial log -> scan.  Never raises: a failure comes back
    as ``{"error": "reason"}``.  Runs in a worker; returns plain JSON-able data."""
    cfg = cfg if cfg is not None else _WORKER.get("cfg", {})
    _WORKER.setdefault("cfg", cfg)
    t0 = time.perf_counter()
    res: dict[str, Any] = {"key": item["key"], "path": item["path"], "kind": item["kind"],
                           "call": None, "findings": [], "error": None, "warnings": [],
                           "transcribe_s": 0.0, "scan_s": 0.0, "audio_s": 0.0,
                           "from_cache": False, "pid": os.getpid()}
    path = item["path"]
    try:
        call: Optional[Call] = None
        if item["kind"] == "audio":
            cache = item.get("cache")
            if cache and Path(cache).is_file():
                try:
                    cached = load_call(cache)
                    if cached.metadata.get("source_hash") == item["content_hash"] and \
                            cached.metadata.get("asr_tag") == cfg.get("asr_tag"):
                        call = cached
                        res["from_cache"] = True
                except TranscriptError:
                    call = None
            if call is None:
                duration = _check_audio(path)
                base = Call(call_id=item.get("call_id") or Path(path).stem)
                call = _transcriber(cfg).transcribe(item["key"], call=base)  # absolute path
                call.metadata["source_hash"] = item["content_hash"]
                call.metadata["asr_tag"] = cfg.get("asr_tag")
                if call.duration is None:
                    call.duration = duration
            res["audio_s"] = float(call.duration or 0.0)
            if not res["from_cache"]:
                res["transcript"] = call.to_dict()  # the ASR output alone, for the cache
            if not any(s.text.strip() for s in call.segments):
                raise _Silence(f"no speech detected in {res['audio_s']:.1f} s of audio "
                               f"(silence only); nothing to audit")
        elif item["kind"] == "transcript":
            call = load_call(path)
            if call.metadata.get("source_encoding") == "gbk":
                res["warnings"].append("transcript is GBK-encoded, not UTF-8 (accepted)")
        else:
            call = load_text_notice(path, item.get("call_id") or Path(path).stem, res["warnings"])
        res["transcribe_s"] = time.perf_counter() - t0
        res["warnings"].extend(_apply_overlays(call, item, cfg))
        if call.kind == "call" and not call.segments:
            raise TranscriptError(f"{path}: transcript has no segments")
        t1 = time.perf_counter()
        findings = list(_detector(cfg).scan(call))
        from qa_audit.detect.rules.audio_metrics import run_audio_rules
        have = {f.finding_id for f in findings}
        findings += [f for f in run_audio_rules(call, cfg.get("rule_options"), cfg.get("select"),
                                                cfg.get("ignore")) if f.finding_id not in have]
        from qa_audit.detect.rules.dial_line import run_recording_rules  # DIAL-006 line, DIAL-008 length
        have = {f.finding_id for f in findings}
        findings += [f for f in run_recording_rules(call, cfg.get("rule_options"), cfg.get("select"),
                                                    cfg.get("ignore")) if f.finding_id not in have]
        res["scan_s"] = time.perf_counter() - t1
        res["call"] = call.to_dict()
        res["findings"] = [f.to_dict() for f in findings]
    except _Silence as e:
        res["error"] = str(e)
        res["transcribe_s"] = time.perf_counter() - t0
    except Exception as e:  # every problem of one file stays with that file
        res["error"] = _reason(path, e)
        if not isinstance(e, (TranscriptError, ValueError, OSError)):
            res["traceback"] = traceback.format_exc(limit=6)
    res["peak_rss_mb"] = round(_peak_rss_mb(), 1)
    return res


class _Silence(Exception):
    pass


def _reason(path: str, e: BaseException) -> str:
    msg = str(e) or type(e).__name__
    for prefix in (f"{path}: ", f"{Path(path).resolve()}: "):
        if msg.startswith(prefix):
            return msg[len(prefix):]
    if type(e).__name__ not in ("TranscriptError", "AudioError", "ValueError"):
        return f"{type(e).__name__}: {msg}"
    return msg


# --- executors ------------------------------------------------------------------------------
def _run_serial(items: list[dict], cfg: dict) -> Iterator[dict]:
    init_worker(cfg, preload_asr=False)
    for it in items:
        yield process_item(it, cfg)


def _run_pool(items: list[dict], cfg: dict, workers: int) -> Iterator[dict]:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    preload = any(it["kind"] == "audio" for it in items)
    ctx = mp.get_context("spawn")  # never fork a process that may hold threads
    ex = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init_worker,
                             initargs=(cfg, preload, os.getpid()))
    try:
        futs = {ex.submit(process_item, it): it for it in items}
        for fut in as_completed(futs):
            it = futs[fut]
            try:
                yield fut.result()
            except BrokenProcessPool:
                yield _crash(it, "worker process died while processing this file "
                                 "(out of memory or a crash in a decoder)")
            except Exception as e:  # pragma: no cover - process_item does not raise
                yield _crash(it, f"{type(e).__name__}: {e}")
    finally:  # Ctrl-C or an error in the driver: do not wait for the queue
        ex.shutdown(wait=True, cancel_futures=True)


def _run_dask(items: list[dict], cfg: dict, workers: int, scheduler: Optional[str]) -> Iterator[dict]:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        import logging

        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.WARNING)
        client = Client(cluster)
    try:
        cfg_f = client.scatter(cfg, broadcast=True)
        futs = client.map(process_item, items, cfg=cfg_f, pure=False,
                          key=[f"qa-audit-item-{hashlib.sha1(it['key'].encode()).hexdigest()[:16]}"
                               for it in items])
        by_key = {f.key: it for f, it in zip(futs, items)}
        for fut in as_completed(futs):
            it = by_key[fut.key]
            try:
                yield fut.result()
            except Exception as e:  # a worker died (KilledWorker) or similar
                yield _crash(it, f"Dask task failed: {type(e).__name__}: {e}")
            fut.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _crash(item: dict, reason: str) -> dict:
    return {"key": item["key"], "path": item["path"], "kind": item["kind"], "call": None,
            "findings": [], "error": reason, "warnings": [], "transcribe_s": 0.0, "scan_s": 0.0,
            "audio_s": 0.0, "from_cache": False, "pid": None}


# --- run state ------------------------------------------------------------------------------
def make_run_id(inputs: list[str], options: dict[str, Any]) -> str:
    """From the input arguments (resolved paths: a folder, not the files in it, so a file added
    later joins the same run) and the options that change results."""
    h = hashlib.sha1()
    h.update(json.dumps(sorted(str(Path(i).resolve()) for i in inputs), ensure_ascii=False).encode("utf-8"))
    h.update(json.dumps(options, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))
    return h.hexdigest()[:16]


def _done_items(store, run_id: str) -> dict[str, dict[str, Any]]:
    rows = store.conn.execute(
        "SELECT item, call_id, stage, content_hash FROM run_items WHERE run_id=?", (run_id,)).fetchall()
    return {r["item"]: dict(r) for r in rows}


def _mark(con, run_id: str, item: str, call_id: Optional[str], stage: str, error: Optional[str],
          content_hash: Optional[str]) -> None:
    con.execute(
        """INSERT INTO run_items(run_id, item, call_id, stage, error, content_hash) VALUES (?,?,?,?,?,?)
           ON CONFLICT(run_id, item) DO UPDATE SET call_id=excluded.call_id, stage=excluded.stage,
               error=excluded.error, content_hash=excluded.content_hash,
               updated_at=strftime('%Y-%m-%dT%H:%M:%fZ','now')""",
        (run_id, item, call_id, stage, error, content_hash))


# --- progress -------------------------------------------------------------------------------
class _Progress:
    """rich progress bars on stderr, one per stage (counts, ETA); silent when disabled."""

    def __init__(self, enabled: bool):
        self.p = None
        self.tasks: dict[str, Any] = {}
        if enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
            self.p = Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(),
                              TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                              console=Console(stderr=True), transient=False)

    def __enter__(self):
        if self.p:
            self.p.__enter__()
        return self

    def __exit__(self, *a):
        if self.p:
            self.p.__exit__(*a)

    def add(self, name: str, total: int) -> None:
        if self.p and total > 0:
            self.tasks[name] = self.p.add_task(name, total=total)

    def advance(self, name: str, n: int = 1) -> None:
        if self.p and name in self.tasks:
            self.p.advance(self.tasks[name], n)

    def log(self, msg: str) -> None:
        if self.p:
            self.p.console.print(msg, markup=False, highlight=False)
        else:
            import sys
            print(msg, file=sys.stderr)


# --- the run --------------------------------------------------------------------------------
def _store_call(store, run_id: str, res: dict, item: Item, extra: list[Finding], keep: Optional[set[str]]
                ) -> tuple[Call, list[Finding]]:
    call = Call.from_dict(res["call"])
    findings = [Finding.from_dict(d) for d in res["findings"]]
    have = {f.finding_id for f in findings}
    findings += [f for f in extra if f.call_id == call.call_id and f.finding_id not in have]
    if keep is not None:
        findings = [f for f in findings if f.rule in keep]
    with store.transaction() as con:
        store.save_call(call, findings, content_hash=item.content_hash, run_id=run_id, con=con)
        _mark(con, run_id, item.key, call.call_id, "scanned", None, item.content_hash)
    return call, findings


def run(inputs: Iterable[str | os.PathLike], out_dir: str | os.PathLike,
        db: str | os.PathLike | None = None, *, metadata: str | os.PathLike | None = None,
        dial_log: str | os.PathLike | None = None, backend: str = "faster-whisper",
        model: str = "base", agent_channel: int = 0, workers: int = 1, executor: str = "local",
        scheduler: Optional[str] = None, force: bool = False, select: Optional[list[str]] = None,
        ignore: Optional[list[str]] = None, rule_options: Optional[dict[str, Any]] = None,
        detector_config: Any = None, progress: bool = True, reports: bool = True,
        log: Optional[Callable[[str], None]] = None) -> RunSummary:
    """Run the weekly batch; see the module docstring.  Returns the RunSummary (also written to
    ``OUT/run_summary.json``); ``summary.exit_code`` is 1 when any input failed."""
    from qa_audit.core.dial_log import DialLogError, case_week_call, dial_only_call, load_dial_log, load_metadata, number_key, overlay
    from qa_audit.store.db import Store

    t_start = time.perf_counter()
    stage: dict[str, float] = defaultdict(float)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    store = Store(db) if db else Store()
    inputs = [str(i) for i in inputs]
    items, ignored, missing = discover(inputs, exclude=[out])
    failures: list[dict[str, str]] = [{"item": p, "error": r} for p, r in missing]
    warnings: list[dict[str, str]] = []
    select = [s for s in (select or []) if s] or None
    ignore = [s for s in (ignore or []) if s] or None
    rule_options = dict(rule_options or {})
    notes: list[str] = []
    if "designated_lines" not in rule_options:  # 专用电话 (DIAL-006) from qa-audit.yaml
        from qa_audit.core.config import Config, ConfigError
        try:
            conf = detector_config if isinstance(detector_config, Config) else Config.load(detector_config)
            if conf.designated_lines is not None:
                rule_options["designated_lines"] = list(conf.designated_lines)
        except ConfigError as e:
            failures.append({"item": str(detector_config or "qa-audit.yaml"), "error": str(e)})

    # metadata and dial log (never the clear callee number past this point)
    t0 = time.perf_counter()
    key = number_key(store)
    meta_map: dict[str, dict] = {}
    meta_src = metadata
    if meta_src is None:  # a folder's calls.csv is its metadata (as in samples/audio/)
        for inp in inputs:
            cand = Path(inp) / "calls.csv"
            if Path(inp).is_dir() and cand.is_file():
                meta_src = cand
                break
    if meta_src is not None:
        try:
            meta_map, errs = load_metadata(meta_src, key)
            warnings += [{"item": w, "error": r} for w, r in errs]
        except DialLogError as e:
            failures.append({"item": str(meta_src), "error": str(e)})
    records: list = []
    if dial_log is not None:
        try:
            records, errs = load_dial_log(dial_log, key)
            failures += [{"item": w, "error": r} for w, r in errs]
            for r in records:
                for w in r.warnings:
                    warnings.append({"item": r.where, "error": w})
        except DialLogError as e:
            failures.append({"item": str(dial_log), "error": str(e)})
    dial_over: dict[str, dict] = {}
    for r in records:
        ov = overlay(r)
        dial_over.setdefault(r.call_id, ov)
        if r.file:
            dial_over.setdefault(Path(r.file).name, ov)
    for it in items:
        if it.kind != "transcript":
            name = Path(it.path).name
            ov = dial_over.get(name) or meta_map.get(name)
            it.call_id = (ov or {}).get("call_id") or Path(it.path).stem
    stage["load"] += time.perf_counter() - t0

    options = {"backend": backend, "model": model, "agent_channel": agent_channel,
               "select": select, "ignore": ignore, "rule_options": rule_options,
               "metadata": [str(meta_src), _file_hash(Path(meta_src))] if meta_src else None,
               "dial_log": [str(dial_log), _file_hash(Path(dial_log))] if dial_log else None,
               "config": [str(detector_config), _file_hash(Path(detector_config))]
               if isinstance(detector_config, (str, os.PathLike)) else None}
    run_id = make_run_id(inputs, options)
    asr_tag = f"{backend}:{model}:ch{agent_channel}"
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    with store.transaction() as con:
        con.execute("""INSERT INTO runs(run_id, started_at, status, options_json) VALUES (?,?,?,?)
                       ON CONFLICT(run_id) DO UPDATE SET status='running', finished_at=NULL""",
                    (run_id, now, "running", json.dumps({**options, "inputs": inputs}, ensure_ascii=False)))
        if force:
            con.execute("DELETE FROM run_items WHERE run_id=?", (run_id,))
    summary = RunSummary(run_id=run_id, out_dir=str(out), db=str(store.path), inputs=len(items),
                         ignored=ignored, options={**options, "workers": workers, "executor": executor})
    say = log or (lambda m: None)

    # dial-log rules over the whole log (cheap; recomputed every run, merged at save)
    from qa_audit.detect.rules.dial import run_dial_rules
    from qa_audit.detect.rules.registry import select as select_rules
    keep = {r.code for r in select_rules(select, ignore)} if (select or ignore) else None
    dial_findings = run_dial_rules(records, rule_options, select, ignore) if records else []
    dial_by_call: dict[str, list[Finding]] = defaultdict(list)
    for f in dial_findings:
        dial_by_call[f.call_id].append(f)

    # what is left to do
    done = {} if force else _done_items(store, run_id)
    pending: list[Item] = []
    batch_calls: dict[str, str] = {}  # call_id -> item key
    for it in items:
        d = done.get(it.key)
        if d and d["stage"] == "scanned" and d["content_hash"] == it.content_hash and d["call_id"] and \
                store.conn.execute("SELECT 1 FROM calls WHERE call_id=?", (d["call_id"],)).fetchone():
            summary.cached += 1
            batch_calls[d["call_id"]] = it.key
        else:
            pending.append(it)
    tdir = out / "transcripts"
    cfg = {"backend": backend, "model": model, "agent_channel": agent_channel, "asr_tag": asr_tag,
           "select": select, "ignore": ignore, "rule_options": rule_options,
           "detector_config": detector_config, "overlays": {"dial": dial_over, "meta": meta_map},
           "cpu_threads": "dask" if executor == "dask" else
           (max(1, (os.cpu_count() or 1) // max(1, workers)) if workers > 1 else None)}
    payload = []
    for it in pending:
        d = asdict(it)
        if it.kind == "audio" and not force:
            d["cache"] = str(tdir / f"{safe_id(it.call_id)}.json")
        payload.append(d)
    by_key = {it.key: it for it in pending}

    n_audio = sum(1 for it in pending if it.kind == "audio")
    say(f"run {run_id}: {len(items)} inputs ({n_audio} recordings to transcribe), "
        f"{summary.cached} already done, {len(pending)} to process")
    worker_stats: dict[str, dict[str, Any]] = {}
    with _Progress(progress) as prog, _mark_interrupted(store, run_id):
        prog.add("transcribe", n_audio)
        prog.add("scan", len(pending))
        if executor == "dask":
            results = _run_dask(payload, cfg, workers, scheduler)
        elif workers > 1 and len(pending) > 1:
            results = _run_pool(payload, cfg, workers)
        else:
            results = _run_serial(payload, cfg)
        for res in results:
            it = by_key[res["key"]]
            stage["transcribe"] += res.get("transcribe_s", 0.0) if it.kind == "audio" else 0.0
            stage["load_transcripts"] += res.get("transcribe_s", 0.0) if it.kind != "audio" else 0.0
            stage["scan"] += res.get("scan_s", 0.0)
            summary.audio_seconds += res.get("audio_s") or 0.0
            if res.get("pid") is not None:
                w = worker_stats.setdefault(str(res["pid"]), {"items": 0, "peak_rss_mb": 0.0})
                w["items"] += 1
                w["peak_rss_mb"] = max(w["peak_rss_mb"], res.get("peak_rss_mb") or 0.0)
            if it.kind == "audio":
                prog.advance("transcribe")
            t1 = time.perf_counter()
            for w in res.get("warnings") or []:
                warnings.append({"item": it.path, "error": w})
            err = res.get("error")
            cid = (res.get("call") or {}).get("call_id")
            dup = cid in batch_calls and batch_calls[cid] != it.key
            if not err and dup:
                err = f"duplicate call id {cid!r} (also in {batch_calls[cid]}); skipped"
            # transcript cache: the ASR output before metadata/dial-log joins (also for silence,
            # so a rerun does not redo the ASR; a corrected dial log applies on the next run)
            if it.kind == "audio" and res.get("transcript") and not dup:
                atomic.write_text(tdir / f"{safe_id(it.call_id)}.json",
                                  json.dumps(res["transcript"], ensure_ascii=False, indent=1) + "\n")
            if err:
                failures.append({"item": it.path, "error": err})
                summary.failed += 1
                with store.transaction() as con:
                    _mark(con, run_id, it.key, cid, "failed", err, it.content_hash)
                prog.log(f"FAILED {it.path}: {err}")
                if res.get("traceback"):  # an unexpected error: keep the trace for the developers
                    prog.log(res["traceback"])
            else:
                call, _ = _store_call(store, run_id, res, it, dial_by_call.get(cid, []), keep)
                batch_calls[call.call_id] = it.key
                summary.processed += 1
            stage["save"] += time.perf_counter() - t1
            prog.advance("scan")

        # dial-log attempts without a (good) recording that carry findings; missing recordings
        t1 = time.perf_counter()
        matched_files = {Path(it.path).name for it in items}
        for r in records:
            if r.file and Path(r.file).name not in matched_files and r.call_id not in batch_calls:
                failures.append({"item": r.file, "error": f"recording listed in the dial log "
                                 f"({r.where}) but missing from the inputs"})
        rec_by_call = {r.call_id: r for r in records}
        if records:  # 全程录音: connected calls without recording (DIAL-007), recordings without a row
            from qa_audit.detect.rules.dial_line import reconcile_recordings
            rec_ids = set(batch_calls) | {it.call_id for it in items if it.call_id} | \
                {Path(it.path).stem for it in items}
            for f in reconcile_recordings(records, matched_files, rec_ids, rule_options, select, ignore):
                if f.finding_id not in {x.finding_id for x in dial_by_call[f.call_id]}:
                    dial_by_call[f.call_id].append(f)
            by_file = {Path(r.file).name for r in records if r.file}
            kinds = {it.key: it.kind for it in items}
            for cid, key in sorted(batch_calls.items()):
                if kinds.get(key) in ("audio", "transcript") and cid not in rec_by_call \
                        and Path(key).name not in by_file:
                    warnings.append({"item": key, "error": f"recording {cid!r} has no row in the dial log "
                                                           f"({dial_log}); not reconciled"})
        from qa_audit.detect.rules.dial_line import line_notes
        notes += line_notes(records, rule_options, dial_log_given=dial_log is not None,
                            metadata_lines=any("caller_line" in (ov.get("metadata") or {})
                                               for ov in meta_map.values()),
                            select=select, ignore=ignore)
        pseudo: list[tuple[Call, list[Finding]]] = []
        for cid in sorted(dial_by_call):
            if cid in batch_calls:
                continue
            fs = dial_by_call[cid]
            if cid in rec_by_call:
                pc = dial_only_call(rec_by_call[cid])
            else:
                d0 = fs[0].details
                case, week = d0.get("case_id", ""), d0.get("week", "")
                rs = [r for r in records if r.case_id == case and r.iso_week == week] or \
                     [r for r in records if r.case_id == case]
                pc = case_week_call(case, week, rs)
            pseudo.append((pc, fs))
        if pseudo:
            with store.transaction() as con:
                for pc, fs in pseudo:
                    store.save_call(pc, fs, content_hash=None, run_id=run_id, con=con)
                    _mark(con, run_id, f"dial:{pc.call_id}", pc.call_id, "scanned", None, None)
                    batch_calls[pc.call_id] = f"dial:{pc.call_id}"
        summary.pseudo_calls = len(pseudo)
        stage["dial_log"] += time.perf_counter() - t1

        # scoring, referrals, reports: recomputed from the database (idempotent)
        call_ids = sorted(batch_calls)
        prog.add("report", 3)
        t1 = time.perf_counter()
        try:
            from qa_audit.score.scoring import score_store
            score_store(store, call_ids)
        except Exception as e:  # the batch's results stay in the DB; say what is missing
            failures.append(_stage_error("scoring", e, prog))
        stage["score"] += time.perf_counter() - t1
        prog.advance("report")
        t1 = time.perf_counter()
        try:
            from qa_audit.score.penalty import build_referrals
            build_referrals(store, call_ids=call_ids, run_id=run_id)
        except Exception as e:
            failures.append(_stage_error("referrals", e, prog))
        stage["referrals"] += time.perf_counter() - t1
        prog.advance("report")

        summary.failures = sorted(failures, key=lambda f: (f["item"], f["error"]))
        summary.warnings = sorted(warnings, key=lambda f: (f["item"], f["error"]))
        summary.notes = notes
        summary.failed = len([f for f in summary.failures])
        summary.calls = len(call_ids)
        _count_findings(store, call_ids, summary)
        t1 = time.perf_counter()
        if reports:
            try:
                from qa_audit.report.writer import write_reports
                problems = [(f["item"], f["error"]) for f in summary.failures] + \
                           [(w["item"], "warning: " + w["error"]) for w in summary.warnings]
                paths = write_reports(out, store, call_ids, problems,
                                      run_info={"run_id": run_id, "inputs": inputs,
                                                "processed": summary.processed + summary.cached,
                                                "failed": summary.failed})
                summary.reports = {k: str(v) for k, v in (paths or {}).items()}
            except Exception as e:
                failures.append(_stage_error("reports", e, prog))
                summary.failures = sorted(failures, key=lambda f: (f["item"], f["error"]))
                summary.failed = len(summary.failures)
        stage["report"] += time.perf_counter() - t1
        prog.advance("report")

    stage["total"] = time.perf_counter() - t_start
    summary.stage_seconds = {k: round(v, 3) for k, v in stage.items()}
    summary.workers = worker_stats
    summary.status = "finished"
    atomic.write_json(out / "run_summary.json", summary.to_dict())
    with store.transaction() as con:
        con.execute("UPDATE runs SET status=?, finished_at=? WHERE run_id=?",
                    ("finished" if not summary.exit_code else "finished_with_failures",
                     time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), run_id))
    store.close()
    return summary


class _mark_interrupted:
    """Context manager: an exception (Ctrl-C, a bug) leaves the run marked 'interrupted'."""

    def __init__(self, store, run_id: str):
        self.store, self.run_id = store, run_id

    def __enter__(self):
        return self

    def __exit__(self, et, ev, tb):
        if et is not None:
            try:
                self.store.conn.execute("UPDATE runs SET status='interrupted' WHERE run_id=?", (self.run_id,))
            except Exception:  # pragma: no cover
                pass
        return False


def _stage_error(stage: str, e: BaseException, prog: "_Progress") -> dict[str, str]:
    prog.log(f"{stage} failed:\n" + traceback.format_exc(limit=8))
    return {"item": f"<{stage} stage>", "error": f"{type(e).__name__}: {e}"}


def _count_findings(store, call_ids: list[str], summary: RunSummary) -> None:
    cats: Counter = Counter()
    rules: Counter = Counter()
    con = store.conn
    for i in range(0, len(call_ids), 500):
        chunk = call_ids[i:i + 500]
        q = ",".join("?" * len(chunk))
        for r in con.execute(f"SELECT category, rule, COUNT(*) n FROM findings WHERE call_id IN ({q}) "
                             f"GROUP BY category, rule", chunk):
            cats[r["category"]] += r["n"]
            rules[r["rule"]] += r["n"]
    summary.findings = sum(cats.values())
    summary.findings_by_category = dict(sorted(cats.items()))
    summary.findings_by_rule = dict(sorted(rules.items()))
