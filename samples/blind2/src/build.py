"""Build samples/blind2 from src/calls_*.txt (inline marks [[T:...]] etc.). Fixed seed."""
import json, random, re, glob, os, datetime
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
CAT = {"T": "threat", "A": "abuse", "D": "third_party_disclosure", "W": "unauthorized_waiver", "I": "impersonation"}
HOMO = [("逾期", None), ("信用卡", "新用卡"), ("还款", "换款"), ("利息", "利西"), ("本金", "本斤"),
        ("欠款", "现款"), ("律师", "绿师"), ("起诉", "起素"), ("征信", "正信")]
TRAD = str.maketrans("说还这个们话时么账钱请会发给让过对没图样为经还号边", "說還這個們話時麼帳錢請會發給讓過對沒圖樣為經還號邊")
PUNCT = re.compile(r"[，。？！、：；“”\"…（）,?!]")
MARK = re.compile(r"\[\[([TADWI]):(.*?)\]\]")

def parse():
    calls = []
    for fn in sorted(glob.glob(os.path.join(HERE, "calls_*.txt"))):
        cur = None
        for line in open(fn, encoding="utf-8"):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            if line.startswith("@ "):
                cur = dict(kv.split("=", 1) for kv in line[2:].split())
                cur["segs"] = []
                calls.append(cur)
            elif line.startswith("= "):
                cur["note"] = line[2:]
            else:
                sp, text = line.split(" ", 1)
                cur["segs"].append(("agent" if sp == "A" else "customer", text))
    return calls

def noisy(text, level, rng, yuqi):
    t = text.replace("逾期", yuqi)
    for a, b in HOMO[1:]:
        t = t.replace(a, b)
    t = PUNCT.sub(" ", t)
    t = re.sub(r" +", " ", t).strip()
    if level >= 2:
        t = t.translate(TRAD)
    return t

def main():
    rng = random.Random(20261207)
    calls = parse()
    rng.shuffle(calls)
    labels = []
    for i, c in enumerate(calls, 1):
        cid = "C%04d" % i
        level = int(c["noise"])
        yuqi = rng.choice(["预期", "预期", "与其"])
        day = datetime.datetime(2026, 12, 1, 9, 0, 0) + datetime.timedelta(
            days=rng.randint(0, 19), seconds=rng.randint(0, 11 * 3600 + 1800))
        t = round(rng.uniform(0.1, 0.8), 1)
        segs, viol = [], []
        for k, (sp, text) in enumerate(c["segs"]):
            if level:
                text = noisy(text, level, rng, yuqi)
            assert sp == "agent" or not MARK.search(text), (c["note"], text)
            for m in MARK.finditer(text):
                q = m.group(2).strip(" ，。")
                viol.append({"category": CAT[m.group(1)], "segment": k, "quote": q})
            clean = MARK.sub(lambda m: m.group(2), text)
            dur = round(0.6 + len(clean) * rng.uniform(0.2, 0.26), 1)
            segs.append({"start": t, "end": round(t + dur, 1), "speaker": sp, "text": clean})
            t = round(t + dur + rng.uniform(0.3, 1.0), 1)
        if c["noid"] == "1":
            viol.append({"category": "no_self_identification", "segment": None, "quote": ""})
        doc = {"call_id": cid, "agent_id": c["agent"], "started_at": day.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
               "callee_relation": c["rel"], "segments": segs}
        with open(os.path.join(OUT, cid + ".json"), "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=1)
        labels.append({"call_id": cid, "violations": viol, "note": c["note"]})
    with open(os.path.join(OUT, "labels.jsonl"), "w", encoding="utf-8") as f:
        for l in labels:
            f.write(json.dumps(l, ensure_ascii=False) + "\n")
    print(len(calls), "calls written")

if __name__ == "__main__":
    main()
