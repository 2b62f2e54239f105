"""Per-item work, run in a worker: :func:`process_item` (transcribe if audio -> apply metadata /
dial log -> scan), the worker initializer and the per-process model caches (``_WORKER``: one
Detector and one Transcriber per worker process, loaded once)."""
from __future__ import annotations

import inspect
import json
import os
import time
import traceback
from pathlib import Path
from typing import Any, Optional

from qa_audit.batch.discover import check_audio, load_text_notice
from qa_audit.batch.overlays import apply_overlays
from qa_audit.core.model import Call, TranscriptError, load_call

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
    key = json.dumps([cfg.get("select"), cfg.get("ignore"), str(cfg.get("detector_config")),
                      str(cfg.get("second_opinion"))])
    det = _WORKER.get("detector")
    if det is None or _WORKER.get("detector_key") != key:
        from qa_audit.detect.detector import Detector
        kw = {}
        params = inspect.signature(Detector.load).parameters
        for name in ("select", "ignore"):
            if cfg.get(name) and name in params:
                kw[name] = list(cfg[name])
        if cfg.get("second_opinion") is not None and "second_opinion" in params:
            kw["second_opinion"] = cfg["second_opinion"]
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
        if threads and "cpu_threads" in inspect.signature(Transcriber).parameters:
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


def blank_result(item: dict[str, Any], error: Optional[str] = None, pid: Optional[int] = None
                 ) -> dict[str, Any]:
    """The result of one item before (or instead of) processing it."""
    return {"key": item["key"], "path": item["path"], "kind": item["kind"], "call": None,
            "findings": [], "error": error, "warnings": [], "transcribe_s": 0.0, "scan_s": 0.0,
            "audio_s": 0.0, "from_cache": False, "pid": pid}


def process_item(item: dict[str, Any], cfg: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """Transcribe (audio) -> overlay metadata/dial log -> scan.  Never raises: a failure comes back
    as ``{"error": "reason"}``.  Runs in a worker; returns plain JSON-able data."""
    cfg = cfg if cfg is not None else _WORKER.get("cfg", {})
    _WORKER.setdefault("cfg", cfg)
    t0 = time.perf_counter()
    res = blank_result(item, pid=os.getpid())
    path = item["path"]
    try:
        call = _load(item, cfg, res)
        res["transcribe_s"] = time.perf_counter() - t0
        res["warnings"].extend(apply_overlays(call, item, cfg))
        if call.kind == "call" and not call.segments:
            raise TranscriptError(f"{path}: transcript has no segments")
        t1 = time.perf_counter()
        findings = _scan(call, cfg)
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


def _load(item: dict[str, Any], cfg: dict[str, Any], res: dict[str, Any]) -> Call:
    """The item's Call: transcribed (or from the transcript cache), read from JSON, or a notice."""
    path = item["path"]
    if item["kind"] == "audio":
        return _audio_call(item, cfg, res)
    if item["kind"] == "transcript":
        call = load_call(path)
        if call.metadata.get("source_encoding") == "gbk":
            res["warnings"].append("transcript is GBK-encoded, not UTF-8 (accepted)")
        return call
    return load_text_notice(path, item.get("call_id") or Path(path).stem, res["warnings"])


def _audio_call(item: dict[str, Any], cfg: dict[str, Any], res: dict[str, Any]) -> Call:
    call = _cached_transcript(item, cfg)
    res["from_cache"] = call is not None
    if call is None:
        call = _transcribe(item, cfg)
    res["audio_s"] = float(call.duration or 0.0)
    if not res["from_cache"]:
        res["transcript"] = call.to_dict()  # the ASR output alone, for the cache
    if not any(s.text.strip() for s in call.segments):
        raise _Silence(f"no speech detected in {res['audio_s']:.1f} s of audio "
                       f"(silence only); nothing to audit")
    return call


def _cached_transcript(item: dict[str, Any], cfg: dict[str, Any]) -> Optional[Call]:
    """The cached ASR output of this very file (same content hash, same ASR), else None."""
    cache = item.get("cache")
    if not (cache and Path(cache).is_file()):
        return None
    try:
        cached = load_call(cache)
    except TranscriptError:
        return None
    if cached.metadata.get("source_hash") == item["content_hash"] and \
            cached.metadata.get("asr_tag") == cfg.get("asr_tag"):
        return cached
    return None


def _transcribe(item: dict[str, Any], cfg: dict[str, Any]) -> Call:
    path = item["path"]
    duration = check_audio(path)
    base = Call(call_id=item.get("call_id") or Path(path).stem)
    call = _transcriber(cfg).transcribe(item["key"], call=base)  # absolute path
    call.metadata["source_hash"] = item["content_hash"]
    call.metadata["asr_tag"] = cfg.get("asr_tag")
    if call.duration is None:
        call.duration = duration
    return call


def _scan(call: Call, cfg: dict[str, Any]) -> list:
    """The Detector's findings plus the audio-metric and recording rules' (no finding twice)."""
    from qa_audit.detect.rules.audio_metrics import run_audio_rules
    from qa_audit.detect.rules.dial_line import run_recording_rules

    findings = list(_detector(cfg).scan(call))
    have = {f.finding_id for f in findings}
    findings += [f for f in run_audio_rules(call, cfg.get("rule_options"), cfg.get("select"),
                                            cfg.get("ignore")) if f.finding_id not in have]
    have = {f.finding_id for f in findings}  # DIAL-006 caller line, DIAL-008 recording length
    findings += [f for f in run_recording_rules(call, cfg.get("rule_options"), cfg.get("select"),
                                                cfg.get("ignore")) if f.finding_id not in have]
    return findings


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
