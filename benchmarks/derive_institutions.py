"""Derive each call's institution from its TRUE transcript, once, for corpora that have none.

    python benchmarks/derive_institutions.py TRUTH_DIR OUT_CSV [--pool-from OTHER.csv]

The audio corpora (samples/audio, samples/audio_eval) come from labelled transcript sets without an
institutions.csv; a dialer would know which institution each call is for.  This reads the agent's
introductions in the true transcripts with SELFID-001's patterns (strong presentations first, then
the creditor named) and writes ``call_id,institution,source``: ``derived`` = the name the agent
presents in the true transcript; ``assigned`` = the call never names one (e.g. a
no_self_identification call), so a name from the pool of derived names is assigned by a hash of
the call id (the dialer would know one; the label is not used).  Run once; the CSV is committed.
"""
from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa_audit.detect.lexicon import load_lexicons  # noqa: E402
from qa_audit.detect.rules.selfid import SelfId001  # noqa: E402
from qa_audit.core.resources import default_dir  # noqa: E402
from qa_audit.text.normalize import normalize  # noqa: E402


def derive(truth: Path) -> dict[str, str]:
    inst = load_lexicons(default_dir("lexicons")).support["institution"].data
    out: dict[str, str] = {}
    for p in sorted(truth.glob("*.json")):
        call = json.loads(p.read_text(encoding="utf-8"))
        found = None
        for strong in (True, False):
            for seg in call["segments"]:
                if seg["speaker"] != "agent":
                    continue
                for f in SelfId001.find_names(normalize(seg["text"]).text, inst, strong_only=strong):
                    if not SelfId001.is_authority(f[2]):
                        found = f[2]
                        break
                if found:
                    break
            if found:
                break
        out[call["call_id"]] = found or ""
    return out


def main(argv: list[str]) -> None:
    truth, dest = Path(argv[0]), Path(argv[1])
    names = derive(truth)
    pool = sorted({n for n in names.values() if n})
    with dest.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["call_id", "institution", "source"])
        for cid, n in sorted(names.items()):
            if n:
                w.writerow([cid, n, "derived"])
            else:
                k = int(hashlib.sha256(cid.encode()).hexdigest(), 16) % len(pool)
                w.writerow([cid, pool[k], "assigned"])
    print(f"{dest}: {sum(1 for n in names.values() if n)} derived, "
          f"{sum(1 for n in names.values() if not n)} assigned from a pool of {len(pool)}")


if __name__ == "__main__":
    main(sys.argv[1:])
