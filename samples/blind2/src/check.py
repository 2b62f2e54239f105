"""Validate samples/blind2: JSON shape, exact agent quotes, ids, coverage, counts."""
import json, glob, os, re, collections
D = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CATS = {"threat", "abuse", "third_party_disclosure", "unauthorized_waiver", "impersonation", "no_self_identification"}
INST = ["速易借", "易达", "融通", "安途", "好借花", "鑫源", "小橙", "华信", "锦程", "惠丰", "恒诚", "天衡",
        "快易花", "优分期", "钱多多", "星光贷", "鼎和", "金石"]
calls = {}
for fn in sorted(glob.glob(os.path.join(D, "C*.json"))):
    c = json.load(open(fn, encoding="utf-8"))
    assert c["call_id"] == os.path.basename(fn)[:-5]
    assert re.fullmatch(r"2026-12-\d\dT\d\d:\d\d:\d\d\+08:00", c["started_at"])
    assert c["callee_relation"] in ("debtor", "contact", "unknown")
    s = c["segments"]
    assert 6 <= len(s) <= 16, (fn, len(s))
    prev = -1
    for g in s:
        assert g["speaker"] in ("agent", "customer") and g["text"]
        assert prev <= g["start"] < g["end"], fn
        prev = g["end"]
    calls[c["call_id"]] = c
labs = [json.loads(l) for l in open(os.path.join(D, "labels.jsonl"), encoding="utf-8")]
ids = [l["call_id"] for l in labs]
assert len(ids) == len(set(ids)) and set(ids) == set(calls), "ids"
cnt, pairs, comp, noisy = collections.Counter(), 0, 0, 0
for l in labs:
    c = calls[l["call_id"]]
    agent_text = "".join(g["text"] for g in c["segments"] if g["speaker"] == "agent")
    cats = set()
    for v in l["violations"]:
        assert v["category"] in CATS
        cats.add(v["category"])
        if v["category"] == "no_self_identification":
            assert v["segment"] is None and v["quote"] == ""
            assert not any(n in agent_text for n in INST), l["call_id"]
        else:
            g = c["segments"][v["segment"]]
            assert g["speaker"] == "agent" and v["quote"] and v["quote"] in g["text"], (l["call_id"], v)
    if "no_self_identification" not in cats:
        assert any(n in agent_text for n in INST), ("no institution named", l["call_id"])
    if not l["violations"]:
        comp += 1
        assert l["note"].startswith(("compliant", "hard negative")), l["call_id"]
    for k in cats:
        cnt[k] += 1
    pairs += len(cats) >= 2
    noisy += "，" not in "".join(g["text"] for g in c["segments"])
print("calls", len(calls), "compliant", comp, "with violations", len(calls) - comp, "multi-category", pairs, "noisy", noisy)
for k in sorted(CATS):
    print(f"  {k:24s} {cnt[k]} calls")
