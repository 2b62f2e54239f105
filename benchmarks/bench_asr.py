"""Both Whisper backends on the same recordings, side by side in one run.

    python benchmarks/bench_asr.py [--limit N] [--threads 2] [FILES...]

Each backend runs in its own subprocess (so peak RSS is its own): model load time, real-time
factor (transcription seconds / audio seconds, model load excluded), pooled CER against
samples/audio_truth, peak RSS (ru_maxrss of the worker process; the ffmpeg decoders it starts are
separate, small processes and not included).  Prints a table and the ratio RTF(openai-whisper) / RTF(faster-whisper).
Goal: faster-whisper >= 3.5x faster at equal CER; peak RSS <= 1.5 GB.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


def worker(backend: str, files: list[str], threads: int) -> dict:
    from asr_accuracy import score_call

    from qa_audit.asr.transcriber import Transcriber

    t = time.perf_counter()
    tr = Transcriber(backend=backend, cpu_threads=threads)
    load_s = time.perf_counter() - t
    audio_s = run_s = 0.0
    errors = ref = 0
    texts = {}
    for f in files:
        t = time.perf_counter()
        call = tr.transcribe(f)
        run_s += time.perf_counter() - t
        audio_s += call.duration or 0.0
        truth = ROOT / "samples" / "audio_truth" / f"{Path(f).stem}.json"
        if truth.is_file():
            r = score_call(call.to_dict(), json.loads(truth.read_text(encoding="utf-8")))
            errors += r["errors"]
            ref += r["ref_chars"]
        texts[Path(f).stem] = "".join(s.text for s in call.segments)
    return {"backend": backend, "files": len(files), "audio_s": audio_s, "load_s": load_s,
            "run_s": run_s, "rtf": run_s / audio_s if audio_s else None,
            "cer": errors / ref if ref else None,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "texts": texts}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*")
    ap.add_argument("--limit", type=int, default=0, help="first N sample recordings (0 = all)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    files = a.files or sorted(str(p) for p in (ROOT / "samples" / "audio").iterdir()
                              if p.suffix.lower() in {".wav", ".mp3"})
    if a.limit:
        files = files[:a.limit]
    if a.worker:
        print(json.dumps(worker(a.worker, files, a.threads), ensure_ascii=False))
        return 0
    from asr_accuracy import cer

    res = {}
    for backend in ("faster-whisper", "openai-whisper"):
        p = subprocess.run([sys.executable, __file__, "--worker", backend, "--threads", str(a.threads), *files],
                           capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        if p.returncode != 0:
            print(p.stderr[-3000:], file=sys.stderr)
            return 1
        res[backend] = json.loads(p.stdout.strip().splitlines()[-1])
    fw, ow = res["faster-whisper"], res["openai-whisper"]
    agree = [cer(fw["texts"][k], ow["texts"][k]) for k in fw["texts"]]
    summary = {"files": len(files), "audio_s": round(fw["audio_s"], 1), "threads": a.threads,
               "rtf_ratio_openai_over_faster": ow["rtf"] / fw["rtf"],
               "cross_backend_cer_mean": sum(agree) / len(agree)}
    if a.json:
        print(json.dumps({"summary": summary, "runs": {k: {kk: vv for kk, vv in v.items() if kk != "texts"}
                                                          for k, v in res.items()}}, indent=1))
        return 0
    print(f"{len(files)} recordings, {fw['audio_s']:.1f} s of audio, {a.threads} threads, "
          f"Whisper base, greedy, temperature 0")
    print(f"{'backend':16} {'load s':>7} {'run s':>7} {'RTF':>7} {'CER':>7} {'peak RSS MB':>12}")
    for r in (fw, ow):
        print(f"{r['backend']:16} {r['load_s']:7.1f} {r['run_s']:7.1f} {r['rtf']:7.3f} {r['cer']:7.4f} "
              f"{r['peak_rss_mb']:12.0f}")
    print(f"speed ratio RTF(openai-whisper)/RTF(faster-whisper) = {summary['rtf_ratio_openai_over_faster']:.2f}x "
          f"(goal >= 3.5x); CER difference {fw['cer'] - ow['cer']:+.4f}; "
          f"mean CER between the two backends' texts {summary['cross_backend_cer_mean']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
