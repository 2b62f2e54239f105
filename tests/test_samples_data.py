"""Validate the hand-written labelled data in samples/own, samples/notices and samples/pii.

Fast checks only (no detector): JSON shape, exact quotes spoken by the agent, unique ids,
labels covering every call, category coverage, exact PII offsets with valid check digits.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from qa_audit.core.model import load_call

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
OWN = SAMPLES / "own"
SETS = ("tune", "holdout")
CATEGORIES = {"threat", "abuse", "third_party_disclosure", "unauthorized_waiver", "impersonation",
              "no_self_identification"}
PII_TYPES = {"name", "phone", "id_card", "bank_card", "address", "amount"}


def read_labels(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"{path}:{n}: blank line"
        rows.append(json.loads(line))
    return rows


def load_set(name: str) -> tuple[dict[str, dict], dict[str, dict]]:
    folder = OWN / name
    calls = {}
    for p in sorted(folder.glob("*.json")):
        d = json.loads(p.read_text(encoding="utf-8"))
        assert d["call_id"] == p.stem, f"{p}: call_id {d['call_id']} differs from file name"
        calls[p.stem] = d
    labels = {}
    for row in read_labels(folder / "labels.jsonl"):
        assert row["call_id"] not in labels, f"{name}: duplicate label line {row['call_id']}"
        labels[row["call_id"]] = row
    return calls, labels


@pytest.fixture(scope="module", params=SETS)
def dataset(request):
    return (request.param, *load_set(request.param))


def test_transcript_shape(dataset):
    name, calls, _ = dataset
    assert calls, f"{name}: no transcripts"
    for cid, d in calls.items():
        where = f"{name}/{cid}.json"
        assert re.fullmatch(r"O\d{4}", cid), where
        assert re.fullmatch(r"A0\d\d", d["agent_id"]), f"{where}: agent_id {d['agent_id']}"
        assert d["started_at"].endswith("+08:00"), where
        datetime.fromisoformat(d["started_at"])
        assert d["callee_relation"] in ("debtor", "contact", "unknown"), where
        segs = d["segments"]
        assert 6 <= len(segs) <= 20, f"{where}: {len(segs)} segments"
        assert segs[0]["speaker"] == "agent", f"{where}: the agent should open the call"
        assert {s["speaker"] for s in segs} == {"agent", "customer"}, where
        last_end = 0.0
        for i, s in enumerate(segs):
            assert set(s) == {"start", "end", "speaker", "text"}, f"{where}[{i}]"
            assert s["text"].strip() and "{" not in s["text"] and "}" not in s["text"], f"{where}[{i}]"
            assert last_end <= s["start"] < s["end"], f"{where}[{i}]: times {s['start']}-{s['end']}"
            last_end = s["end"]
        call = load_call(OWN / name / f"{cid}.json")  # the shared loader accepts it
        assert len(call.segments) == len(segs)


def test_labels_cover_every_call_and_quotes_are_exact(dataset):
    name, calls, labels = dataset
    assert set(labels) == set(calls), f"{name}: labels and transcripts differ: {set(labels) ^ set(calls)}"
    for cid, row in labels.items():
        assert set(row) == {"call_id", "violations", "note"} and row["note"].strip(), cid
        segs = calls[cid]["segments"]
        seen = set()
        for v in row["violations"]:
            assert v["category"] in CATEGORIES, f"{cid}: {v['category']}"
            if v["category"] == "no_self_identification":
                assert v["segment"] is None and v["quote"] == "", cid
                continue
            i = v["segment"]
            assert isinstance(i, int) and 0 <= i < len(segs), f"{cid}: segment {i}"
            assert segs[i]["speaker"] == "agent", f"{cid}[{i}]: violation quoted from the customer"
            assert v["quote"] and v["quote"] in segs[i]["text"], f"{cid}[{i}]: quote not in text"
            key = (v["category"], i, v["quote"])
            assert key not in seen, f"{cid}: duplicate violation {key}"
            seen.add(key)
        note = row["note"]
        if row["violations"]:
            assert not note.startswith(("compliant", "hard negative")), f"{cid}: note says compliant"
        else:
            assert note.startswith(("compliant", "hard negative")), f"{cid}: note should say compliant"


def categories_of(labels: dict[str, dict]) -> Counter:
    c = Counter()
    for row in labels.values():
        for cat in {v["category"] for v in row["violations"]}:
            c[cat] += 1
    return c


def test_ids_unique_across_sets_and_sizes():
    tune_calls, tune_labels = load_set("tune")
    hold_calls, hold_labels = load_set("holdout")
    assert not set(tune_calls) & set(hold_calls)
    assert len(tune_calls) + len(hold_calls) >= 100
    assert len(tune_calls) >= 55 and len(hold_calls) >= 40
    assert set(categories_of(tune_labels)) == CATEGORIES
    hold = categories_of(hold_labels)
    for cat in CATEGORIES:
        assert hold[cat] >= 4, f"holdout has only {hold[cat]} {cat} calls"
    assert sum(1 for r in hold_labels.values() if not r["violations"]) >= 18
    for labels in (tune_labels, hold_labels):
        compliant = sum(1 for r in labels.values() if not r["violations"])
        assert 0.35 <= compliant / len(labels) <= 0.55


def test_dialogue_texts_are_not_copies():
    texts = Counter()
    for name in SETS:
        for p in (OWN / name).glob("*.json"):
            for s in json.loads(p.read_text(encoding="utf-8"))["segments"]:
                if len(s["text"]) >= 15:
                    texts[s["text"]] += 1
    dup = [t for t, n in texts.items() if n > 1]
    assert not dup, f"long turns repeated verbatim: {dup[:3]}"


# ---- notices ---------------------------------------------------------------------------------

def notice_lines(path: Path) -> list[str]:
    return [l for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


def test_notices():
    folder = SAMPLES / "notices"
    files = {p.stem: p for p in folder.glob("*.txt")}
    assert 8 <= len(files) <= 12
    labels = {r["call_id"]: r for r in read_labels(folder / "labels.jsonl")}
    assert set(labels) == set(files)
    assert any(r["violations"] for r in labels.values())
    assert any(not r["violations"] for r in labels.values())
    for cid, row in labels.items():
        lines = notice_lines(files[cid])
        for v in row["violations"]:
            assert v["category"] in CATEGORIES
            if v["category"] == "no_self_identification":
                assert v["segment"] is None and v["quote"] == ""
                continue
            assert 0 <= v["segment"] < len(lines), f"{cid}: segment {v['segment']}"
            assert v["quote"] and v["quote"] in lines[v["segment"]], f"{cid}: {v['quote']}"


# ---- PII examples ----------------------------------------------------------------------------

def id_check_ok(s: str) -> bool:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    if not re.fullmatch(r"\d{17}[\dX]", s):
        return False
    total = sum(int(c) * w for c, w in zip(s[:17], weights))
    return "10X98765432"[total % 11] == s[17]


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def test_check_digit_helpers_reject_bad_numbers():
    assert id_check_ok("11010519491231002X")
    assert not id_check_ok("110105194912310021")
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")


def test_pii_examples():
    rows = read_labels(SAMPLES / "pii" / "examples.jsonl")
    assert len(rows) >= 60
    types = Counter()
    negatives = 0
    texts = set()
    for n, row in enumerate(rows, 1):
        text = row["text"]
        assert text not in texts, f"line {n}: duplicate text"
        texts.add(text)
        spans = sorted(row["spans"], key=lambda s: s["start"])
        negatives += not spans
        last = 0
        for sp in spans:
            assert sp["type"] in PII_TYPES, f"line {n}: {sp['type']}"
            assert last <= sp["start"] < sp["end"] <= len(text), f"line {n}: bad offsets {sp}"
            last = sp["end"]
            frag = text[sp["start"]:sp["end"]]
            assert frag == frag.strip() and frag, f"line {n}: span {frag!r} has edge spaces"
            types[sp["type"]] += 1
            if sp["type"] == "id_card":
                assert id_check_ok(frag.replace(" ", "")), f"line {n}: bad ID check digit {frag}"
            if sp["type"] == "bank_card":
                digits = frag.replace(" ", "")
                assert digits.isdigit() and 16 <= len(digits) <= 19 and luhn_ok(digits), f"line {n}: {frag}"
            if sp["type"] == "phone":
                assert re.search(r"[\d一二三四五六七八九零幺]{3}", frag), f"line {n}: {frag}"
    assert negatives >= 4, "need some hard negatives without PII"
    for t in PII_TYPES:
        assert types[t] >= 5, f"only {types[t]} {t} spans"


# Institution names used in the invented calls; a call labelled no_self_identification must not
# contain any of them in the agent's words, and every other call must name one.
INSTITUTIONS = ("瑞丰银行", "易借花", "华信消费金融", "华信", "小鹿微贷", "金穗农商银行", "快牛", "天衡律师事务所",
                "东兴银行", "锦城银行", "速融金服", "佳和消费金融", "星河银行", "广信银行", "安驰汽车金融",
                "南粤银行", "钱袋宝", "诚安资产管理", "汇通银行", "安心花", "通达银行", "恒信消费金融", "快盈贷",
                "大河银行", "蜀信小贷", "嘉禾银行", "宜家花", "北辰汽车金融", "汇诚资产管理", "金诚律师事务所", "诚信律师事务所")


def test_self_identification_labels_match_the_words(dataset):
    name, calls, labels = dataset
    for cid, row in labels.items():
        agent_text = "".join(s["text"] for s in calls[cid]["segments"] if s["speaker"] == "agent")
        named = [i for i in INSTITUTIONS if i in agent_text]
        noself = any(v["category"] == "no_self_identification" for v in row["violations"])
        if noself:
            assert not named, f"{name}/{cid}: labelled no_self_identification but names {named}"
        else:
            assert named, f"{name}/{cid}: agent never names an institution but no label says so"
