"""Roles on mono recordings: stereo calls of samples/audio_eval mixed down to one channel, transcribed
by the default pipeline (voices by GE2E + what is said), each produced turn's role against the true
speaker of the stereo truth (the true segment it overlaps most).

    python benchmarks/mono_roles.py [--limit 20] [--no-voices] [--json F]

Prints: turns produced, share with a role (agent/customer, not unknown), share of those right, and
the same weighted by duration; per call in --verbose.  ``--no-voices`` is the text-cue baseline.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def mixdown(src: Path, dst: Path) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(src), "-ac", "1", str(dst)],
                   check=True)


def true_speaker(seg, truth: list[dict]) -> str | None:
    best, ov = None, 0.0
    for t in truth:
        o = min(seg.end, t["end"]) - max(seg.start, t["start"])
        if o > ov:
            best, ov = t["speaker"], o
    return best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(ROOT / "samples" / "audio_eval"))
    ap.add_argument("--limit", type=int, default=20, help="first N recordings (0 = all)")
    ap.add_argument("--no-voices", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--piece-max", type=float, default=None, help="seconds of each turn the voice is taken from")
    ap.add_argument("--json")
    a = ap.parse_args(argv)
    from qa_audit.asr import diarize
    from qa_audit.asr.transcriber import Transcriber

    if a.piece_max:
        diarize.PIECE_MAX_S = a.piece_max

    corpus = Path(a.corpus)
    files = sorted(p for p in corpus.iterdir() if p.suffix in (".wav", ".mp3") and (corpus / "truth" / f"{p.stem}.json").is_file())
    if a.limit:
        files = files[: a.limit]
    tr = Transcriber(voices=not a.no_voices, vocabulary="none")
    n = roled = right = 0
    dur = dur_roled = dur_right = 0.0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for f in files:
            mono = Path(tmp, f"{f.stem}.wav")
            mixdown(f, mono)
            truth = json.loads((corpus / "truth" / f"{f.stem}.json").read_text(encoding="utf-8"))["segments"]
            call = tr.transcribe(mono)
            c_n = c_r = c_ok = 0
            for s in call.segments:
                d = s.end - s.start
                n += 1
                c_n += 1
                dur += d
                if s.speaker in ("agent", "customer"):
                    roled += 1
                    c_r += 1
                    dur_roled += d
                    if s.speaker == true_speaker(s, truth):
                        right += 1
                        c_ok += 1
                        dur_right += d
            rows.append({"call": f.stem, "turns": c_n, "roled": c_r, "right": c_ok})
            if a.verbose:
                print(f"{f.stem}: {c_ok}/{c_r} right, {c_r}/{c_n} with a role", flush=True)
    res = {"recordings": len(files), "voices": not a.no_voices, "turns": n,
           "with_role": roled / n if n else 0.0, "right_of_roled": right / roled if roled else 0.0,
           "with_role_by_time": dur_roled / dur if dur else 0.0,
           "right_by_time": dur_right / dur_roled if dur_roled else 0.0, "calls": rows}
    print(f"mono mixdowns of {len(files)} recordings ({'voices + cues' if res['voices'] else 'text cues only'}): "
          f"{n} turns, {res['with_role']:.1%} with a role, {res['right_of_roled']:.1%} of those right "
          f"(by duration: {res['with_role_by_time']:.1%}, {res['right_by_time']:.1%})")
    if a.json:
        Path(a.json).write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
