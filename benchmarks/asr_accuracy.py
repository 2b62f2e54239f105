"""Accuracy of produced transcripts against the true ones.

    python benchmarks/asr_accuracy.py /tmp/T_fw [--truth samples/audio_truth] [--tol 0.3]

For each ``TRUTH/<call_id>.json`` with a transcript ``OUT/<call_id>.json``:
- CER: character edit distance between the whole dialogues (all turns in time order, punctuation
  and spaces removed, simplified) divided by the true length;
- turns inside: share of produced turns that lie inside a true turn of the SAME speaker
  (start >= true start - tol and end <= true end + tol);
- role accuracy: share of produced turns whose speaker equals that of the true turn they overlap most.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

_NONWORD = re.compile(r"[\W_]+")


NUMBERS = False  # --numbers: write numbers as digits on both sides before comparing


def _digits(text: str) -> str:
    import warnings

    import cn2an

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cn2an warns about forms it leaves as written
        try:
            return cn2an.transform(text, "cn2an")
        except Exception:  # cn2an gives up on some mixed forms: compare as written
            return text


def norm(text: str) -> str:
    if NUMBERS:
        text = _digits(text)
    return _NONWORD.sub("", text).lower()


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def cer(hyp: str, ref: str) -> float:
    h, r = norm(hyp), norm(ref)
    return edit_distance(h, r) / max(1, len(r))


def score_call(out: dict, truth: dict, tol: float = 0.3) -> dict:
    segs = sorted(out.get("segments", []), key=lambda s: s["start"])
    true = truth["segments"]
    hyp = "".join(s["text"] for s in segs)
    ref = "".join(s["text"] for s in true)
    h, r = norm(hyp), norm(ref)
    inside = 0
    role_ok = 0
    for s in segs:
        if any(t["speaker"] == s["speaker"] and s["start"] >= t["start"] - tol and s["end"] <= t["end"] + tol
               for t in true):
            inside += 1
        best = max(true, key=lambda t: min(s["end"], t["end"]) - max(s["start"], t["start"]))
        role_ok += best["speaker"] == s["speaker"]
    return {"call_id": truth["call_id"], "errors": edit_distance(h, r), "ref_chars": len(r),
            "cer": edit_distance(h, r) / max(1, len(r)), "turns": len(segs), "inside": inside,
            "role_ok": role_ok, "unknown": sum(s["speaker"] == "unknown" for s in segs)}


def evaluate(out_dir: str | Path, truth_dir: str | Path, tol: float = 0.3) -> dict:
    rows = []
    for tf in sorted(Path(truth_dir).glob("*.json")):
        truth = json.loads(tf.read_text(encoding="utf-8"))
        of = Path(out_dir) / tf.name
        if not of.is_file():
            continue
        rows.append(score_call(json.loads(of.read_text(encoding="utf-8")), truth, tol))
    n_turns = sum(r["turns"] for r in rows)
    return {
        "files": len(rows),
        "mean_cer": sum(r["cer"] for r in rows) / len(rows) if rows else None,
        "pooled_cer": sum(r["errors"] for r in rows) / max(1, sum(r["ref_chars"] for r in rows)),
        "turns": n_turns,
        "inside_share": sum(r["inside"] for r in rows) / n_turns if n_turns else None,
        "role_accuracy": sum(r["role_ok"] for r in rows) / n_turns if n_turns else None,
        "unknown_share": sum(r["unknown"] for r in rows) / n_turns if n_turns else None,
        "per_call": rows,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--truth", default=str(Path(__file__).resolve().parents[1] / "samples" / "audio_truth"))
    ap.add_argument("--tol", type=float, default=0.3)
    ap.add_argument("--json", action="store_true", help="print the full result as JSON")
    ap.add_argument("--numbers", action="store_true",
                    help="also normalise numbers (一万三千一百四十 -> 13140, cn2an) on both sides")
    a = ap.parse_args(argv)
    global NUMBERS
    NUMBERS = a.numbers
    res = evaluate(a.out_dir, a.truth, a.tol)
    if not res["files"]:
        print(f"no transcript in {a.out_dir} matches a truth file in {a.truth}", file=sys.stderr)
        return 1
    if a.json:
        print(json.dumps(res, ensure_ascii=False, indent=1))
        return 0
    for r in res["per_call"]:
        print(f"{r['call_id']}  CER {r['cer']:.3f}  turns {r['turns']:3d}  inside {r['inside']}/{r['turns']}"
              f"  role ok {r['role_ok']}/{r['turns']}  unknown {r['unknown']}")
    print(f"files {res['files']}  mean CER {res['mean_cer']:.4f}  pooled CER {res['pooled_cer']:.4f}  "
          f"turns inside true same-speaker turn (tol {a.tol}s) {res['inside_share']:.4f}  "
          f"role accuracy {res['role_accuracy']:.4f}  unknown {res['unknown_share']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
