"""Detection from recordings against detection on the true text of the same calls.

    python benchmarks/audio_eval.py [--corpus samples/audio_eval] [--out /tmp/qa-audio-eval]
        [--vocabulary hotwords|prompt|none] [--threads 1] [--score-only]

Transcribes every recording of the corpus (stereo: agent left) once into OUT/transcripts/ with its
calls.csv and the institutions of institutions.csv (derived once from the true transcripts:
benchmarks/derive_institutions.py; the CSV may also sit in this repository's samples/audio_eval/);
a rerun only scores.  Then, with the corpus' labels.jsonl, per category: call-level precision,
recall and F1 from the audio next to the same on the true transcripts (CORPUS/truth/), the share
of compliant calls flagged, and no_self_identification precision/recall with and without the
institutions given to the calls.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def institutions_csv(corpus: Path) -> Path | None:
    for p in (corpus / "institutions.csv", ROOT / "samples" / "audio_eval" / "institutions.csv"):
        if p.is_file():
            return p
    return None


def merged_metadata(corpus: Path, inst: dict[str, str], dest: Path) -> Path:
    rows = list(csv.DictReader((corpus / "calls.csv").read_text(encoding="utf-8-sig").splitlines()))
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]) + ["institution"])
        w.writeheader()
        for r in rows:
            r["institution"] = inst.get(r["call_id"], "")
            w.writerow(r)
    return dest


def transcribe(corpus: Path, out: Path, meta: Path, vocabulary: str, threads: int) -> None:
    from qa_audit.asr.transcriber import Transcriber, transcribe_paths

    files = sorted(p for p in corpus.iterdir() if p.suffix.lower() in (".wav", ".mp3"))
    todo = [f for f in files if not (out / f"{f.stem}.json").is_file()]
    if todo:
        tr = Transcriber(cpu_threads=threads, vocabulary=vocabulary)
        s = transcribe_paths(todo, out, metadata_csv=meta, transcriber=tr, progress=False,
                             cache_dir=out.parent / ".asr-cache")
        print(f"transcribed {len(s.written)} in {s.seconds:.0f} s ({len(s.failed)} failed)", file=sys.stderr)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(ROOT / "samples" / "audio_eval"))
    ap.add_argument("--out", default="/tmp/qa-audio-eval")
    ap.add_argument("--transcripts", help="use these transcripts (CALLID.json) instead of OUT/transcripts")
    ap.add_argument("--vocabulary", default=None)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--score-only", action="store_true")
    ap.add_argument("--json", help="write the figures here")
    a = ap.parse_args(argv)
    from qa_audit.detect.detector import Detector
    from qa_audit.detect.evaluate import CATEGORIES, evaluate, load_institutions

    corpus, out = Path(a.corpus), Path(a.out)
    ip = institutions_csv(corpus)
    inst = load_institutions(ip) if ip else {}
    tdir = Path(a.transcripts) if a.transcripts else out / "transcripts"
    if not a.score_only and not a.transcripts:
        transcribe(corpus, tdir, merged_metadata(corpus, inst, out / "calls.csv"), a.vocabulary, a.threads)
    det = Detector.load()
    labels = corpus / "labels.jsonl"
    audio_ids = {p.stem for p in tdir.glob("*.json")}
    truth_files = [p for p in sorted((corpus / "truth").glob("*.json")) if p.stem in audio_ids]
    audio_files = [tdir / f"{p.stem}.json" for p in truth_files]
    bare = out / "without_institutions"  # the transcripts without the institution metadata
    bare.mkdir(parents=True, exist_ok=True)
    bare_files = []
    for p in audio_files:
        d = json.loads(p.read_text(encoding="utf-8"))
        (d.get("metadata") or {}).pop("institution", None)
        (bare / p.name).write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
        bare_files.append(bare / p.name)
    runs = {"audio": evaluate(audio_files, labels, detector=det, institutions=inst),
            "truth": evaluate(truth_files, labels, detector=det, institutions=inst),
            "audio, no institutions": evaluate(bare_files, labels, detector=det),
            "truth, no institutions": evaluate(truth_files, labels, detector=det)}
    a_, t_ = runs["audio"], runs["truth"]
    print(f"calls: {a_.calls} (institutions from {ip})\n")
    print(f"{'category':<24}{'F1 audio':>9}{'P':>7}{'R':>7}{'F1 text':>9}{'P':>7}{'R':>7}")
    for c in CATEGORIES:
        x, y = a_.categories[c], t_.categories[c]
        print(f"{c:<24}{x.f1:>9.3f}{x.precision:>7.3f}{x.recall:>7.3f}{y.f1:>9.3f}{y.precision:>7.3f}{y.recall:>7.3f}")
    print()
    for name, r in runs.items():
        n = r.categories["no_self_identification"]
        print(f"{name:<24} compliant flagged {r.compliant_flagged}/{r.compliant_calls} = "
              f"{r.compliant_flagged_share:.1%}; no_self_identification P {n.precision:.3f} R {n.recall:.3f} "
              f"F1 {n.f1:.3f}")
    print("\nfrom audio, misses:")
    for m in a_.misses:
        print(f"  {m['call_id']} {m['category']}")
    print("from audio, false alarms:")
    for f in a_.false_alarms:
        print(f"  {f['call_id']} {f['category']} {f['rule']} seg {f['segment']}: {f['evidence'][:50]}")
    if a.json:
        Path(a.json).write_text(json.dumps({k: v.to_dict() for k, v in runs.items()}, ensure_ascii=False, indent=1),
                                encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
