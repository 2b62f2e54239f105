"""Domain vocabulary in decoding: CER, punctuation and key-term recall with and without.

    python benchmarks/asr_vocabulary.py [--audio samples/audio] [--truth samples/audio_truth]
        [--variants none,hotwords,prompt] [--work /tmp/qa-vocab] [--threads 1]

Each variant (:mod:`qa_audit.asr.vocabulary`: ``none`` = no vocabulary, ``hotwords`` = faster-whisper
hotwords from the call's institution + collection terms, ``prompt`` = an initial prompt sentence
with the same words) transcribes the recordings once into WORK/<variant>/ (cached: a rerun only
scores).  The institutions come from AUDIO/institutions.csv (derived once from the true
transcripts: benchmarks/derive_institutions.py).  Printed side by side, per variant:

- mean CER (as benchmarks/asr_accuracy.py), and CER after the post-ASR term correction
  (qa_audit.text.terms, what the rules read);
- punctuation: marks per 100 characters (the truth's for reference) and the share of true
  sentence ends (。？！) that the output also ends a phrase at (an aligned mark within 1 char);
- key-term recall: occurrences of the collection terms and the call's institution names in the
  true transcript found in the output (count-clipped per call), raw and after correction.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from asr_accuracy import cer, edit_distance, norm  # noqa: E402

PUNCT = re.compile(r"[，。？！、,.?!；;：:]")
ENDS = "。？！?!"


def merged_metadata(audio: Path, dest: Path) -> Path:
    """calls.csv with the institution column of institutions.csv."""
    inst = {}
    ip = audio / "institutions.csv"
    if ip.is_file():
        for row in csv.DictReader(ip.read_text(encoding="utf-8-sig").splitlines()):
            inst[row["call_id"]] = row["institution"]
    rows = list(csv.DictReader((audio / "calls.csv").read_text(encoding="utf-8-sig").splitlines()))
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("w", encoding="utf-8", newline="") as fh:
        cols = list(rows[0].keys()) + (["institution"] if "institution" not in rows[0] else [])
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for r in rows:
            r.setdefault("institution", inst.get(r["call_id"], ""))
            w.writerow(r)
    return dest


def transcribe(audio: Path, out: Path, variant: str, threads: int, meta: Path) -> None:
    from qa_audit.asr.transcriber import Transcriber, transcribe_paths

    files = sorted(p for p in audio.iterdir() if p.suffix.lower() in (".wav", ".mp3"))
    todo = [f for f in files if not (out / f"{f.stem}.json").is_file()]
    if not todo:
        return
    tr = Transcriber(cpu_threads=threads, vocabulary=variant)
    s = transcribe_paths(todo, out, metadata_csv=meta, transcriber=tr, progress=False,
                         cache_dir=out.parent / ".cache")
    print(f"  {variant}: {len(s.written)} transcribed in {s.seconds:.0f} s", file=sys.stderr)


def key_terms(call_id: str, inst: dict[str, str]) -> list[str]:
    from qa_audit.asr.vocabulary import COLLECTION_TERMS
    from qa_audit.core.dial_log import split_institutions

    return list(dict.fromkeys([*split_institutions(inst.get(call_id, "")), *COLLECTION_TERMS]))


def corrected(text: str) -> str:
    try:
        from qa_audit.text.terms import correct
    except ImportError:
        return text
    return correct(text).text


def punct_ends(hyp_segs: list[str], ref_segs: list[str]) -> tuple[int, int]:
    """(true sentence ends also ended in the output, true sentence ends) by aligning the texts'
    characters (punctuation removed) and looking for a mark in the output within one char."""
    def marks(segs):
        chars, after = [], []
        for t in segs:
            for ch in t:
                if PUNCT.match(ch):
                    if after:
                        after[-1] = after[-1] or (2 if ch in ENDS else 1)
                elif not ch.isspace():
                    chars.append(ch)
                    after.append(0)
            if after:
                after[-1] = after[-1] or 2  # a turn end is a sentence end
        return "".join(chars), after
    hc, ha = marks(hyp_segs)
    rc, ra = marks(ref_segs)
    # align by edit-distance backtrace
    n, m = len(rc), len(hc)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = i
    for j in range(m + 1):
        d[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (rc[i - 1] != hc[j - 1]))
    i, j, amap = n, m, {}
    while i > 0 and j > 0:
        if d[i][j] == d[i - 1][j - 1] + (rc[i - 1] != hc[j - 1]):
            amap[i - 1] = j - 1
            i, j = i - 1, j - 1
        elif d[i][j] == d[i - 1][j] + 1:
            i -= 1
        else:
            j -= 1
    got = total = 0
    for i, a in enumerate(ra):
        if a != 2 or i == len(ra) - 1:
            continue
        total += 1
        j = amap.get(i)
        if j is not None and any(0 <= k < len(ha) and ha[k] for k in (j - 1, j, j + 1)):
            got += 1
    return got, total


def score(out: Path, truth: Path, inst: dict[str, str]) -> dict:
    rows = []
    for tf in sorted(truth.glob("*.json")):
        of = out / tf.name
        if not of.is_file():
            continue
        t = json.loads(tf.read_text(encoding="utf-8"))
        o = json.loads(of.read_text(encoding="utf-8"))
        hyp_segs = [s["text"] for s in sorted(o["segments"], key=lambda s: s["start"])]
        ref_segs = [s["text"] for s in t["segments"]]
        hyp, ref = "".join(hyp_segs), "".join(ref_segs)
        hyp_c = "".join(corrected(x) for x in hyp_segs)
        terms = key_terms(t["call_id"], inst)
        tr = sum(ref.count(k) for k in terms)
        hit = sum(min(hyp.count(k), ref.count(k)) for k in terms)
        hit_c = sum(min(hyp_c.count(k), ref.count(k)) for k in terms)
        inst_n = [k for k in terms[: len(terms)] if k in inst.get(t["call_id"], "").split("|")]
        got, ends = punct_ends(hyp_segs, ref_segs)
        rows.append({"call_id": t["call_id"], "cer": cer(hyp, ref), "cer_c": cer(hyp_c, ref),
                     "punct": len(PUNCT.findall(hyp)), "punct_ref": len(PUNCT.findall(ref)),
                     "chars": len(norm(hyp)), "chars_ref": len(norm(ref)),
                     "terms": tr, "hit": hit, "hit_c": hit_c,
                     "inst": sum(ref.count(k) for k in inst_n),
                     "inst_hit": sum(min(hyp.count(k), ref.count(k)) for k in inst_n),
                     "ends": ends, "ends_got": got})
    n = len(rows)
    S = lambda k: sum(r[k] for r in rows)  # noqa: E731
    return {"files": n, "mean_cer": S("cer") / n, "mean_cer_corrected": S("cer_c") / n,
            "punct_per_100": 100 * S("punct") / max(1, S("chars")),
            "punct_per_100_truth": 100 * S("punct_ref") / max(1, S("chars_ref")),
            "sentence_ends_kept": S("ends_got") / max(1, S("ends")),
            "term_recall": S("hit") / max(1, S("terms")), "term_recall_corrected": S("hit_c") / max(1, S("terms")),
            "institution_recall": S("inst_hit") / max(1, S("inst")), "terms": S("terms"),
            "per_call": rows}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--audio", default=str(ROOT / "samples" / "audio"))
    ap.add_argument("--truth", default=str(ROOT / "samples" / "audio_truth"))
    ap.add_argument("--variants", default="none,hotwords,prompt")
    ap.add_argument("--work", default="/tmp/qa-vocab")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--score-only", action="store_true", help="score what WORK holds, transcribe nothing")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    audio, truth, work = Path(a.audio), Path(a.truth), Path(a.work)
    meta = merged_metadata(audio, work / "calls_with_institutions.csv")
    inst = {r["call_id"]: r.get("institution", "") for r in csv.DictReader(meta.read_text(encoding="utf-8").splitlines())}
    variants = [v.strip() for v in a.variants.split(",") if v.strip()]
    res = {}
    for v in variants:
        if not a.score_only:
            transcribe(audio, work / v, v, a.threads, meta)
        if (work / v).is_dir():
            res[v] = score(work / v, truth, inst)
    if a.json:
        print(json.dumps(res, ensure_ascii=False, indent=1))
        return 0
    rows = [("files", "files", "{:d}"), ("mean CER", "mean_cer", "{:.4f}"),
            ("mean CER, terms corrected", "mean_cer_corrected", "{:.4f}"),
            ("punctuation / 100 chars", "punct_per_100", "{:.2f}"),
            ("  (truth)", "punct_per_100_truth", "{:.2f}"),
            ("true sentence ends kept", "sentence_ends_kept", "{:.3f}"),
            ("key-term recall", "term_recall", "{:.3f}"),
            ("key-term recall, corrected", "term_recall_corrected", "{:.3f}"),
            ("institution-name recall", "institution_recall", "{:.3f}")]
    print(f"{'':30}" + "".join(f"{v:>12}" for v in res))
    for label, k, fmt in rows:
        print(f"{label:30}" + "".join(f"{fmt.format(r[k]):>12}" for r in res.values()))
    print(f"(key-term occurrences in the truth: {next(iter(res.values()))['terms'] if res else 0})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
