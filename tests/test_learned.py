"""Issue 12, the learned second opinion: the packaged model file, numpy scoring without
scikit-learn, the suggestion mechanism (own rule code, ``suggested``, explanation by strongest
features and nearest labelled example, third-party gate, weak-hit re-scoring), evaluation of
lexicon-only against combined, and training from labelled sets and supervisors' decisions."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from qa_audit.cli import app as cli_app
from qa_audit.core.model import Call, Finding, Segment
from qa_audit.detect.detector import Detector
from qa_audit.detect.learned import PACKAGED, SecondOpinion, load_model
from qa_audit.detect.learned.features import DENSE, DENSE_INDEX, MODEL_CATEGORIES, ngrams, prepare
from qa_audit.detect.learned.model import LinearModel, ModelError

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "samples" / "dev"


@pytest.fixture(scope="module")
def det() -> Detector:
    return Detector.load(second_opinion=False)


def _call(*turns, relation="debtor") -> Call:
    segs = [Segment(float(i * 5), float(i * 5 + 4), sp, t) for i, (sp, t) in enumerate(turns)]
    return Call(call_id="T1", agent_id="A1", callee_relation=relation, segments=segs)


def _toy(threshold=0.6, weak=0.4) -> LinearModel:
    """A hand-made model: 拿刀 strongly threatening, 那件事 a disclosure word, 你好 neutral."""
    vocab = ["拿刀", "拿", "那件事", "你好"]
    C = len(MODEL_CATEGORIES)
    W = np.zeros((len(vocab), C), dtype=np.float32)
    k_t, k_d = MODEL_CATEGORIES.index("threat"), MODEL_CATEGORIES.index("third_party_disclosure")
    W[0, k_t] = 30.0
    W[1, k_t] = 5.0
    W[2, k_d] = 30.0
    D = np.zeros((len(DENSE), C), dtype=np.float32)
    D[DENSE_INDEX["second_person"], k_t] = 0.5
    b = np.full(C, -3.0, dtype=np.float32)
    ex = [{"text": "再不还我就拿刀去找你", "category": "threat", "source": "dev/D9999#3"},
          {"text": "你家孩子在哪上学我们都知道", "category": "threat", "source": "dev/D9998#1"}]
    return LinearModel(vocab, W, D, b, list(MODEL_CATEGORIES), np.full(C, threshold), np.full(C, weak), ex,
                       {"note": "toy"})


# --- the packaged model ------------------------------------------------------------------------------
def test_packaged_model_file_is_small_and_complete():
    assert PACKAGED.is_file() and PACKAGED.stat().st_size < 5 * 1024 * 1024
    m = load_model()
    assert m is load_model()  # loaded once per process
    assert m.categories == list(MODEL_CATEGORIES) and m.W.shape == (len(m.vocab), len(MODEL_CATEGORIES))
    assert all(0.5 <= t < 1 for t in m.threshold) and all(w <= t for w, t in zip(m.weak_threshold, m.threshold))
    assert m.examples and all(e["category"] in MODEL_CATEGORIES for e in m.examples)
    assert not any(e["source"].startswith(("real/", "cold/")) for e in m.examples)  # quotations / COLD text not shipped
    meta = m.meta
    srcs = " ".join(meta["sources"])
    assert "blind4" not in srcs and "blind5" not in srcs and meta["turns"] > 1000
    with np.load(PACKAGED, allow_pickle=False) as z:  # plain arrays, no pickled objects
        assert set(z.files) >= {"vocab", "W", "D", "b", "threshold", "meta"}


def test_packaged_model_separates_a_threat_from_a_reassurance(det):
    so = SecondOpinion(load_model())
    k = so.model.cat_index["threat"]
    ctx = det.context(_call(("agent", "明天我们的人就去你单位，当着你同事的面好好聊聊。"),
                            ("agent", "您放心，我们不会上门，也不会联系您的单位。")))
    p_bad = so.score_turn(ctx, 0)[1][k]
    p_ok = so.score_turn(ctx, 1)[1][k]
    assert p_bad >= so.model.threshold[k] > p_ok


def test_scoring_does_not_import_scikit_learn():
    code = ("import sys; from qa_audit.detect.detector import Detector; from qa_audit.core.model import Call, Segment;"
            "d = Detector.load(second_opinion=True);"
            "d.scan(Call('x', callee_relation='debtor', segments=[Segment(0, 1, 'agent', '你再不还我们就上门')]));"
            "print('sklearn' in sys.modules, 'scipy' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "False"]


def test_save_load_round_trip_and_feature_mismatch(tmp_path):
    m = _toy()
    p = m.save(tmp_path / "m.npz")
    m2 = LinearModel.load(p)
    assert m2.vocab == m.vocab and np.allclose(m2.W, m.W, atol=1e-2) and m2.examples == m.examples
    feats_text = "你再不还我就拿刀过去"
    from qa_audit.detect.learned.features import TurnFeatures

    f = TurnFeatures(feats_text, ngrams(feats_text), np.zeros(len(DENSE), dtype=np.float32))
    assert np.allclose(m.proba(f), m2.proba(f), atol=1e-3)
    bad = dict(np.load(p, allow_pickle=False))
    bad["dense_names"] = bad["dense_names"][:-1]
    np.savez(tmp_path / "bad.npz", **bad)
    with pytest.raises(ModelError):
        LinearModel.load(tmp_path / "bad.npz")
    with pytest.raises(ModelError):
        load_model(tmp_path / "missing.npz")


def test_ngrams_read_digits_as_a_placeholder():
    assert prepare("还 250 元") == "还 0 元"
    g = ngrams("欠款250", third_party=True)
    assert "欠款0" in g and "T|欠款" in g and "250" not in g and len(g) == len(set(g))


# --- suggestions ------------------------------------------------------------------------------------
def test_suggestion_marks_explains_and_points_to_the_nearest_example(det):
    d = det.with_rules(det.rule_classes)
    d.second_opinion = SecondOpinion(_toy())
    call = _call(("agent", "您好，这里是泰和银行信用卡中心。"), ("customer", "嗯"),
                 ("agent", "今晚我就拿刀过去，看你还躲不躲。"))
    fs = d.scan(call)
    sug = [f for f in fs if f.details.get("suggested")]
    assert len(sug) == 1
    f = sug[0]
    assert f.rule == "ML-THREAT" and f.category == "threat" and f.segment == 2
    assert "拿刀" in f.evidence and call.segments[2].text[f.char_start:f.char_end] == f.evidence
    assert f.details["model_p"] >= f.details["threshold"] == pytest.approx(0.6)
    assert f.details["top_features"][0]["feature"] == "拿刀"  # its n-gram 拿 is inside it: not repeated
    assert not any(x["feature"] == "拿" for x in f.details["top_features"])
    assert f.details["nearest"]["source"] == "dev/D9999#3"
    assert "模型建议" in f.explanation and "最相近的已标注例句" in f.explanation and "「拿刀」" in f.explanation
    assert "确认前不计分" in f.message
    assert f.reason == "模型建议复核：坐席说“今晚我就拿刀过去”，与威胁恐吓表述相似（ML-THREAT）"
    # the lexicon-only detector does not see it
    assert not [x for x in det.scan(call) if x.category == "threat"]
    # 你等着 is a weak lexicon hit (house round 5): the model re-judges it at the lower threshold, and the
    # evidence spans the weak hit's clause and the model's n-gram
    call.segments[2].text = "你等着，今晚我就拿刀过去，看你还躲不躲。"
    (w,) = [f for f in d.scan(call) if f.details.get("suggested")]
    assert w.details["from_weak_hit"] == "you-wait" and w.details["threshold"] == pytest.approx(0.4)
    assert w.evidence.startswith("你等着") and "拿刀" in w.evidence


def test_disclosure_suggestions_only_before_a_third_party(det):
    d = det.with_rules(det.rule_classes)
    d.second_opinion = SecondOpinion(_toy())
    to_debtor = _call(("agent", "您好，这里是泰和银行信用卡中心，是王磊本人吗？"), ("customer", "是我。"),
                      ("agent", "你那件事请尽快处理。"))
    to_mother = _call(("agent", "您好，这里是泰和银行信用卡中心，是王磊吗？"), ("customer", "我是他妈妈。"),
                      ("agent", "他那件事请尽快处理。"))
    assert not [f for f in d.scan(to_debtor) if f.rule == "ML-DISCLOSE"]
    assert [f.segment for f in d.scan(to_mother) if f.rule == "ML-DISCLOSE"] == [2]


def test_lexicon_findings_carry_the_model_probability_and_are_not_duplicated(det):
    d = det.with_rules(det.rule_classes)
    d.second_opinion = SecondOpinion(_toy(threshold=0.5))
    fs = d.scan(_call(("agent", "您好，这里是泰和银行信用卡中心。"), ("agent", "明天我们的人就去你单位拿刀找你。")))
    lex = [f for f in fs if f.category == "threat" and not f.details.get("suggested")]
    assert lex and all("model_p" in f.details for f in lex)
    assert not [f for f in fs if f.rule == "ML-THREAT"]  # the rules found it already


def test_weak_hit_is_rescored_with_the_lower_threshold(det):
    # a weak-only lexicon hit is dropped by the rules; the model proposes it above weak_threshold
    call = _call(("agent", "您好，这里是泰和银行信用卡中心。"), ("agent", "孩子看见了多不好。"))
    assert not [f for f in det.scan(call) if f.category == "threat"]
    ctx = det.context(call)
    assert any(h.entry.category == "threat" for h in ctx.hits[1])  # there is a sub-threshold hit
    so = SecondOpinion(_toy())
    p = so.score_turn(ctx, 1)[1][so.model.cat_index["threat"]]
    d = det.with_rules(det.rule_classes)
    d.second_opinion = SecondOpinion(_toy(threshold=min(0.99, p + 0.05), weak=max(0.0, p - 0.05)))
    sug = [f for f in d.scan(call) if f.rule == "ML-THREAT"]
    assert len(sug) == 1 and sug[0].details["from_weak_hit"] and "弱命中" in sug[0].explanation
    d.second_opinion = SecondOpinion(_toy(threshold=min(0.99, p + 0.05), weak=min(0.99, p + 0.05)))
    assert not [f for f in d.scan(call) if f.rule == "ML-THREAT"]


# --- evaluation --------------------------------------------------------------------------------------
def test_eval_reports_lexicon_only_against_combined(det):
    from qa_audit.detect.evaluate import evaluate

    d = det.with_rules(det.rule_classes)
    d.second_opinion = SecondOpinion(_toy(threshold=0.5))
    rep = evaluate([DEV], DEV / "labels.jsonl", detector=d)
    assert rep.combined is not None and rep.combined.calls == rep.calls == 40
    lex_only = evaluate([DEV], DEV / "labels.jsonl", detector=det)
    assert rep.to_dict()["categories"] == lex_only.to_dict()["categories"]  # the lexicon column is unchanged
    assert "lexicon + model" in rep.format() and "combined" in rep.to_dict()
    r = CliRunner().invoke(cli_app, ["eval", str(DEV), "--model", "none"])
    assert r.exit_code == 0 and "lexicon + model" not in r.output


# --- training ----------------------------------------------------------------------------------------
def test_training_decisions_from_the_database(tmp_path):
    from qa_audit.review.decisions import training_decisions
    from qa_audit.review.store import add_verdict
    from qa_audit.store.db import Store

    store = Store(tmp_path / "h.sqlite3")
    c1 = _call(("agent", "你再不还我就上门"), ("customer", "你敢"), ("agent", "那就走着瞧"))
    c1.call_id = "C1"
    f_ok = Finding("C1", "THREAT-001", "threat", "high", 0, 0, 4, "agent", "上门", 5, 7, "m", "e", 0.8, {})
    f_bad = Finding("C1", "ML-ABUSE", "abuse", "medium", 2, 10, 14, "agent", "走着瞧", 2, 5, "m", "e", 0.7,
                    {"suggested": True})
    store.save_call(c1, [f_ok, f_bad])
    store.add_review(f_ok.finding_id, "sup", "confirm")
    store.add_review(f_bad.finding_id, "sup", "dismiss", reason="不是辱骂")
    c2 = _call(("agent", "您好"), ("customer", "嗯"), ("agent", "您那笔这周能还吗"))
    c2.call_id = "C2"
    store.save_call(c2, [])
    add_verdict(store, "C2", "sup", "sample", ["threat"], 2, "暗示")
    got = {d["call"].call_id: d for d in training_decisions(store)}
    assert got["C1"]["gold"] == {(0, "threat"): 1, (2, "abuse"): 0}
    g2 = got["C2"]["gold"]
    assert g2[(2, "threat")] == 1 and g2[(0, "abuse")] == 0 and (0, "threat") not in g2 and (1, "abuse") not in g2


def test_train_command_writes_a_model_and_keeps_the_holdout_out(tmp_path, det):
    from qa_audit.store.db import Store

    db = tmp_path / "h.sqlite3"
    store = Store(db)
    c = _call(("agent", "今晚不还，我让你全家不得安宁"))
    c.call_id = "P1"
    f = Finding("P1", "ML-THREAT", "threat", "medium", 0, 0, 4, "agent", c.segments[0].text, 0, 12, "m", "e", 0.7,
                {"suggested": True})
    store.save_call(c, [f])
    store.add_review(f.finding_id, "sup", "confirm")
    store.close()
    out = tmp_path / "m.npz"
    r = CliRunner().invoke(cli_app, ["train", "--labels", str(DEV), "--labels", str(ROOT / "samples" / "notices"),
                                     "--db", str(db), "--out", str(out)])
    assert r.exit_code == 0, r.output
    m = LinearModel.load(out)
    assert m.meta["turns"] > 200 and any(s.startswith("db:") for s in m.meta["sources"])
    assert m.meta["cross_validated"]["threat"]["positive"] >= 2
    # the confirmed production turn is now a labelled example the model can point to
    assert any(e["source"].startswith("db/P1") for e in m.examples)
    r = CliRunner().invoke(cli_app, ["train", "--labels", str(ROOT / "samples" / "blind4"), "--out", str(out)])
    assert r.exit_code == 2 and "blind4" in r.output


def test_real_items_only_tune_split(det, tmp_path):
    from qa_audit.detect.learned import train as T

    items = tmp_path / "items.jsonl"
    items.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"id": "R1", "text": "再不还钱我们就去你家", "category": "threat", "kind": "spoken", "split": "tune"},
        {"id": "R2", "text": "你个老赖", "category": "abuse", "kind": "spoken", "split": "aside"},
        {"id": "R3", "text": "您好，请按时还款", "category": "compliant", "kind": "sms", "split": "tune"}]),
        encoding="utf-8")
    turns = T.turns_from_real(det, items)
    assert [t.source.split("#")[0] for t in turns] == ["real/R1", "real/R3"]
    assert turns[0].y["threat"] == 1 and turns[1].y == {c: 0 for c in MODEL_CATEGORIES}
    assert not any(t.shareable for t in turns)
    with pytest.raises(T.TrainError):
        T.turns_from_real(det, items, split="aside")


def test_training_on_a_set_with_the_issue_11_categories(det):
    """blind5 labels contact_pressure / complaint_risk / vulnerable_* besides the core categories: the
    model learns only its own categories from it, the others neither break nor label anything."""
    from qa_audit.detect.learned import train as T

    turns = T.turns_from_dir(det, ROOT / "samples" / "blind5", allow_holdout=True)
    assert turns and all(set(t.y) == set(MODEL_CATEGORIES) for t in turns)
    assert sum(t.y["third_party_disclosure"] for t in turns) >= 10
    with pytest.raises(T.TrainError):
        T.turns_from_dir(det, ROOT / "samples" / "blind5")


def test_learned_eval_benchmark_measures_with_alert_categories(det):
    """benchmarks/learned_eval.py's tallies run on the merged detector (alerts, new categories)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("learned_eval", ROOT / "benchmarks" / "learned_eval.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    d = det.with_rules(det.rule_classes)
    reps = mod.measure([ROOT / "samples" / "notices"], d, SecondOpinion(_toy()), mod._NgramsOnly(_toy()))
    assert all(reps[c].calls == 11 for c in mod.COLS)
    assert "compliant flagged" in mod.table("notices", reps)


def _cold_csv(folder: Path) -> Path:
    """A tiny COLD-shaped train.csv (invented comments, not the dataset)."""
    d = folder / "COLDataset"
    d.mkdir(parents=True)
    rows = ["\ufeff,split,topic,label,TEXT",
            "1,train,gender,1,你就是个废物，滚",            # offensive, to one person: positive
            "2,train,region,1,河南人都是骗子",               # offensive, about a group: skipped
            "3,train,race,1,你们这些人真恶心",               # offensive, plural: skipped
            "4,train,gender,0,你说得对，谢谢你",            # safe, to one person: negative
            "5,train,region,0,你去过那里吗",                # safe, to one person: negative
            "6,train,race,0,今天天气不错",                  # safe, nobody addressed: skipped
            "7,train,race,x,标签坏了的行",                  # bad label: dropped
            '8,train,gender,1,"你这人，真不要脸"']           # quoted field with a comma
    (d / "train.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (d / "test.csv").write_text(rows[0] + "\n", encoding="utf-8")
    return folder


def test_cold_reader_selects_insults_to_one_person(tmp_path, det):
    from qa_audit.detect.learned import cold as K
    from qa_audit.detect.learned import train as T

    root = _cold_csv(tmp_path / "cold")
    src = K.read_split(root, "train")
    assert src.version.startswith("sha1:")
    items = K.rows(src.text)
    assert len(items) == 7 and items[-1]["text"] == "你这人，真不要脸"
    pos, neg = K.select(items, neg_ratio=1.0)
    assert [x["text"] for x in pos] == ["你就是个废物，滚", "你这人，真不要脸"]
    assert {x["text"] for x in neg} <= {"你说得对，谢谢你", "你去过那里吗"} and len(neg) == 2
    assert K.select(items, neg_ratio=0.5)[1] and len(K.select(items, neg_ratio=0.5)[1]) == 1
    assert K.select(items, neg_ratio=0)[1] == []
    # the fine-grained label (test.csv only) overrides the wording filter
    assert K.select([{"text": "河南人都是骗子", "label": 1, "topic": "", "fine": "1"}])[0]
    assert not K.select([{"text": "你就是个废物", "label": 1, "topic": "", "fine": "2"}])[0]
    with pytest.raises(K.ColdError):
        K.read_split(root, "test")            # never read for training
    with pytest.raises(K.ColdError):
        K.read_split(tmp_path / "nothing", "train")
    turns, note = T.turns_from_cold(det, root, weight=0.4, neg_ratio=1.0)
    assert [t.y for t in turns] == [{"abuse": 1}, {"abuse": 1}, {"abuse": 0}, {"abuse": 0}]
    assert all(t.weight == 0.4 and not t.shareable and t.group == "cold" for t in turns)
    assert note["positive"] == 2 and note["negative"] == 2 and note["split"] == "train"
    with pytest.raises(T.TrainError):
        T.turns_from_cold(det, root, weight=1.5)


def test_cold_reader_reads_a_bare_git_directory(tmp_path):
    from qa_audit.detect.learned import cold as K

    work = _cold_csv(tmp_path / "w")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"]
    subprocess.run(git + ["init", "-q", str(work)], check=True)
    subprocess.run(git + ["-C", str(work), "add", "."], check=True)
    subprocess.run(git + ["-C", str(work), "commit", "-qm", "c"], check=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(tmp_path / "b.git")], check=True)
    src = K.read_split(tmp_path / "b.git", "train")
    assert len(src.version) == 40 and len(K.rows(src.text)) == 7
