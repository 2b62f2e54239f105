"""ASR decoding strategies side by side in one run: speed, accuracy, memory and findings.

    python benchmarks/bench_asr_variants.py [--rounds 2] [--limit N] [--variants a,b,...] [--json F]

Every variant is a fresh Python process (as a ``qa-audit transcribe`` run: imports and model load
included) over the same recordings (samples/audio).  The variants run interleaved, round by round
(A B C ... A B C ...), so load from other jobs on the machine falls on all of them alike; the
figures are the mean over the rounds, and the ratios are the ones to read.  Per variant:

- audio s / wall s and audio s / CPU s (user + system of the worker and its ffmpeg children);
  "per core-hour" throughput is the CPU figure (audio hours per CPU hour);
- CER: the mean over the recordings of the per-call CER against samples/audio_truth
  (``asr_accuracy.score_call``);
- peak RSS of the worker (VmHWM);
- F1 of the findings: the transcripts scanned by the detector, call-level (call, category) pairs
  against samples/audio_truth/labels.jsonl (micro-averaged over the categories);
- the CPU ratio against ``openai-cli`` (openai-whisper, today's pipeline, beam 5) and against
  ``today`` (faster-whisper, the default before issue 13).

Variants (Transcriber arguments; ``today`` = channel mode, beam 5 conditioned, library threads):
{VARIANTS}

Decision (issue 13), from the table of a run on the 12 recordings (700 s of audio):
{DECISION}
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

# name -> (Transcriber kwargs, options set on the loaded Transcriber's decoding options)
VARIANTS: dict[str, tuple[dict, dict]] = {
    "openai-cli": ({"backend": "openai-whisper", "mode": "channel", "beam_size": 5}, {}),
    "today": ({"mode": "channel", "beam_size": 5, "cpu_threads": 0}, {}),
    "channel-1thread": ({"mode": "channel", "beam_size": 5, "cpu_threads": 1}, {}),
    "channel-i8f32": ({"mode": "channel", "beam_size": 5, "compute_type": "int8_float32"}, {}),
    "channel-greedy-cust": ({"mode": "channel", "beam_size": 5, "customer_beam_size": 1}, {}),
    "stream-gap1": ({"mode": "stream", "beam_size": 5, "max_gap": 1.0}, {}),
    "stream-gap05": ({"mode": "stream", "beam_size": 5, "max_gap": 0.5}, {}),
    "stream-gap1-greedy-cust": ({"mode": "stream", "beam_size": 5, "max_gap": 1.0, "customer_beam_size": 1}, {}),
    "batched-gap1": ({"mode": "batched", "beam_size": 5, "max_gap": 1.0}, {"condition_on_previous_text": False}),
    "batched-cond": ({"mode": "batched", "beam_size": 5, "max_gap": 2.0}, {"condition_on_previous_text": True}),
    "batched-gap2": ({"mode": "batched", "beam_size": 5, "max_gap": 2.0}, {"condition_on_previous_text": False}),
    "batched-gap2-1thread": ({"mode": "batched", "beam_size": 5, "max_gap": 2.0, "cpu_threads": 1},
                             {"condition_on_previous_text": False}),
    "batched-greedy-cust": ({"mode": "batched", "beam_size": 5, "max_gap": 2.0, "customer_beam_size": 1},
                            {"condition_on_previous_text": False}),
    "batched-gap1-1thread": ({"mode": "batched", "beam_size": 5, "max_gap": 1.0, "cpu_threads": 1},
                             {"condition_on_previous_text": False}),
    # the Transcriber's defaults now (batched, per-call hotwords), and the same without vocabulary
    "default": ({}, {}),
    "default-1thread": ({"cpu_threads": 1}, {}),
    "default-novocab": ({"vocabulary": "none"}, {}),
    "default-novocab-1thread": ({"vocabulary": "none", "cpu_threads": 1}, {}),
}
DECISION = """\
Measured 2026-12-03 on 2 cores (idle but for this run), one round per variant over the 12 recordings
(700 s), fresh process each, model load included, after openai-whisper stopped taking the hotwords
as a prompt (an earlier table gave openai-cli 2515 CPU s: its prompt made it loop):

    variant                  CPU s   CER     F1 (tp/fp/fn)  RSS MB  CPU x today  CPU x openai
    openai-cli              1786.3  0.2120  0.933 (7/1/0)    1421      0.15         1.00
    today (channel)          271.2  0.2396  0.933 (7/1/0)     556      1.00         6.59
    default (hotwords)       150.0  0.2184  0.769 (5/1/2)     818      1.81        11.91
    default-1thread          119.8  0.2184  0.769 (5/1/2)     779      2.26        14.91
    default-novocab          100.2  0.2070  1.000 (7/0/0)     884      2.71        17.83
    default-novocab-1thread   78.2  0.2070  1.000 (7/0/0)     819      3.47        22.85

(fallback turns: 9 with hotwords, 1 without.)  Earlier: batching across calls (8 or 16 recordings per
model call) gave the same text and no speed on CPU (141.9 vs 142.4 CPU s, memory 1.4-1.9 GB), so the
default stays one call at a time, 4 clips per model call; ``--group N`` keeps the cross-call path for
a GPU.

Vocabulary: on these 12 recordings decoding without hotwords wins everything (1.5x less CPU, CER
0.207 against 0.218, findings F1 1.00 against 0.77).  It is still not the default: on the 87 calls of
benchmarks/audio_eval.py (tuned on), hotwords give no_self_identification precision 0.73-0.78
against 0.46 (the institution's name comes out right), disclosure F1 0.73 against 0.47, waiver 1.00
against 0.89, impersonation 0.82 against 0.75 and 4 compliant calls flagged against 6; threat is
better without (0.89 against 0.78).  Hotwords' known cost, Whisper reciting them at the end of a turn
(``小贷、小贷、消费金融、工号。``, 18 of 786 turns there), is cut by asr/vocabulary.strip_echo.  A
department whose calls name no institution may prefer ``--vocabulary none``.
"""
__doc__ = __doc__.format(VARIANTS="\n".join(f"- ``{k}``: {v[0]} {v[1] or ''}" for k, v in VARIANTS.items()),
                         DECISION=DECISION)


def worker(name: str, files: list[str], out: str) -> dict:
    """In a fresh process: load, transcribe every file into ``out``, report times and memory."""
    t0 = time.perf_counter()
    from qa_audit.asr.transcriber import Transcriber

    kwargs, opts = VARIANTS[name]
    tr = Transcriber(**kwargs)
    for o in (tr.opts, tr.customer_opts):
        o.update(opts)
    load_s = time.perf_counter() - t0
    audio_s = 0.0
    for f in files:
        call = tr.transcribe(f)
        audio_s += call.duration or 0.0
        Path(out, f"{call.call_id}.json").write_text(json.dumps(call.to_dict(), ensure_ascii=False),
                                                     encoding="utf-8")
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"audio_s": audio_s, "load_s": load_s,
            "cpu_s": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
            "peak_rss_mb": _vm_hwm_mb() or me.ru_maxrss / 1024, "stats": tr.stats}


def _vm_hwm_mb() -> float:
    """Peak RSS of this process (VmHWM: ru_maxrss would carry the parent's peak across exec)."""
    try:
        for line in open("/proc/self/status", encoding="ascii"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def quality(out: Path, detector) -> dict:
    """Mean per-call CER against samples/audio_truth and the findings' call-level micro F1."""
    from asr_accuracy import score_call

    from qa_audit.detect.evaluate import evaluate

    truth = ROOT / "samples" / "audio_truth"
    cers = []
    for p in sorted(out.glob("*.json")):
        t = truth / p.name
        if t.is_file():
            cers.append(score_call(json.loads(p.read_text(encoding="utf-8")),
                                   json.loads(t.read_text(encoding="utf-8")))["cer"])
    rep = evaluate([out], truth / "labels.jsonl", detector=detector)
    tp = sum(c.tp for c in rep.categories.values())
    fp = sum(c.fp for c in rep.categories.values())
    fn = sum(c.fn for c in rep.categories.values())
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
    return {"cer": sum(cers) / len(cers) if cers else None, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*")
    ap.add_argument("--limit", type=int, default=0, help="first N sample recordings (0 = all)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    files = a.files or sorted(str(p) for p in (ROOT / "samples" / "audio").iterdir()
                              if p.suffix.lower() in {".wav", ".mp3"})
    if a.limit:
        files = files[:a.limit]
    if a.worker:
        print(json.dumps(worker(a.worker, files, a.out)))
        return 0
    names = [v.strip() for v in a.variants.split(",") if v.strip()]
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        ap.error(f"unknown variants {unknown}; known: {', '.join(VARIANTS)}")
    from qa_audit.detect.detector import Detector

    detector = Detector.load()
    tmp = Path(tempfile.mkdtemp(prefix="bench_asr_variants_"))
    runs: dict[str, list[dict]] = {n: [] for n in names}
    try:
        for r in range(a.rounds):
            for n in names:
                out = tmp / f"{n}-{r}"
                out.mkdir()
                t0 = time.perf_counter()
                p = subprocess.run([sys.executable, __file__, "--worker", n, "--out", str(out), *files],
                                   capture_output=True, text=True, cwd=ROOT,
                                   env={**os.environ, "PYTHONWARNINGS": "ignore"})
                wall = time.perf_counter() - t0
                if p.returncode != 0:
                    print(f"{n}: failed\n{p.stderr[-3000:]}", file=sys.stderr)
                    return 1
                res = json.loads(p.stdout.strip().splitlines()[-1])
                res.update(wall_s=wall, **quality(out, detector))
                runs[n].append(res)
                print(f"round {r + 1} {n:20} wall {wall:6.1f} s  cpu {res['cpu_s']:6.1f} s  "
                      f"CER {res['cer']:.4f}  F1 {res['f1']:.3f}  RSS {res['peak_rss_mb']:.0f} MB",
                      file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def mean(n: str, k: str) -> float:
        return sum(x[k] for x in runs[n]) / len(runs[n])

    audio = runs[names[0]][0]["audio_s"]
    table = {n: {"wall_s": mean(n, "wall_s"), "cpu_s": mean(n, "cpu_s"), "load_s": mean(n, "load_s"),
                 "audio_per_wall_s": audio / mean(n, "wall_s"), "audio_per_cpu_s": audio / mean(n, "cpu_s"),
                 "cer": mean(n, "cer"), "f1": mean(n, "f1"),
                 "peak_rss_mb": max(x["peak_rss_mb"] for x in runs[n])} for n in names}
    print(f"{len(files)} recordings, {audio:.0f} s of audio, {a.rounds} interleaved round(s), "
          f"{os.cpu_count()} cores; means over the rounds")
    hdr = (f"{'variant':20} {'wall s':>7} {'CPU s':>7} {'audio/wall':>10} {'audio/CPU':>9} {'CER':>7} "
           f"{'F1':>6} {'RSS MB':>7} {'CPU x today':>11} {'CPU x openai':>12} {'wall x openai':>13}")
    print(hdr)
    for n, t in table.items():
        vs_today = table["today"]["cpu_s"] / t["cpu_s"] if "today" in table else float("nan")
        vs_oa = table["openai-cli"]["cpu_s"] / t["cpu_s"] if "openai-cli" in table else float("nan")
        vs_oaw = table["openai-cli"]["wall_s"] / t["wall_s"] if "openai-cli" in table else float("nan")
        t.update(cpu_speedup_vs_today=vs_today, cpu_speedup_vs_openai=vs_oa, wall_speedup_vs_openai=vs_oaw)
        print(f"{n:20} {t['wall_s']:7.1f} {t['cpu_s']:7.1f} {t['audio_per_wall_s']:10.2f} "
              f"{t['audio_per_cpu_s']:9.2f} {t['cer']:7.4f} {t['f1']:6.3f} {t['peak_rss_mb']:7.0f} "
              f"{vs_today:11.2f} {vs_oa:12.2f} {vs_oaw:13.2f}")
    if a.json:
        a.json.write_text(json.dumps({"files": files, "audio_s": audio, "rounds": a.rounds, "table": table,
                                      "runs": runs}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
