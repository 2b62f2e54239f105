import os; os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import json, glob, collections, re
labels = [json.loads(l) for l in open("labels.jsonl", encoding="utf-8")]
ids = [l["call_id"] for l in labels]
assert len(ids) == len(set(ids)), "dup ids"
files = sorted(p[:-5] for p in glob.glob("B*.json"))
assert files == sorted(ids), "files vs labels mismatch"
cats = {"threat","abuse","third_party_disclosure","unauthorized_waiver","impersonation","no_self_identification"}
per_cat_calls = collections.Counter(); per_cat_marks = collections.Counter()
nseg = []; compliant = 0; multi = 0; noisy = 0; rel = collections.Counter()
for l in labels:
    c = json.load(open(l["call_id"] + ".json", encoding="utf-8"))
    assert c["call_id"] == l["call_id"]
    assert re.fullmatch(r"2026-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", c["started_at"])
    assert c["callee_relation"] in ("debtor","contact","unknown"); rel[c["callee_relation"]] += 1
    segs = c["segments"]; nseg.append(len(segs))
    assert 6 <= len(segs) <= 18, (l["call_id"], len(segs))
    prev = -1
    for s in segs:
        assert s["speaker"] in ("agent","customer") and s["text"]
        assert s["start"] < s["end"] and s["start"] >= prev, l["call_id"]; prev = s["end"]
    seen = set()
    for v in l["violations"]:
        assert v["category"] in cats
        if v["category"] == "no_self_identification":
            assert v["segment"] is None and v["quote"] == ""
        else:
            s = segs[v["segment"]]
            assert s["speaker"] == "agent", (l["call_id"], v)
            assert v["quote"] and v["quote"] in s["text"], (l["call_id"], v)
        per_cat_marks[v["category"]] += 1; seen.add(v["category"])
    for k in seen: per_cat_calls[k] += 1
    if not seen:
        compliant += 1
        assert l["note"].startswith(("compliant", "hard negative")), l["call_id"]
    else:
        assert not l["note"].startswith(("compliant", "hard negative")), l["call_id"]
    if len(seen) > 1: multi += 1
    if not re.search(r"[，。？！]", "".join(s["text"] for s in segs)): noisy += 1
print("calls", len(labels), "compliant", compliant, "violating", len(labels)-compliant, "multi-category", multi)
print("no-punctuation (ASR-noisy) calls", noisy, "relations", dict(rel), "segments min/max", min(nseg), max(nseg))
for k in sorted(cats): print(f"  {k:24s} calls={per_cat_calls[k]:2d} marks={per_cat_marks[k]}")
