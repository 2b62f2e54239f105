"""Trainer excerpts: the export of the sample calls carries no personal data (grep of every file and
file name), the clip's redacted spans are beeped, filters work, bad audio does not stop the batch."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from qa_audit.web import auth
from qa_audit.report import excerpts as E
from qa_audit.report import redact as R
from qa_audit.core.model import Call, Finding, Segment
from qa_audit.web.demo import build_demo_store, label_findings

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"

# every person named in the sample transcripts (read off samples/dev and samples/audio_truth by hand)
SAMPLE_NAMES = """蒋红梅 何雪 许文博 李娜 徐浩 葛磊 宋佳 潘丽丽 潘志刚 谢东 胡军 王磊 曹宇 刘建华 刘洋 赵磊 孙婷
邓志明 梁宇 朱琳 田晓光 韩冬 高翔 陈静 冯涛 卢敏 郭鹏 萧晓燕 郑伟 汪晓东 韩梅 唐亮 曹丽娟 马超 袁刚 郑秀英 杨帆
于海 董丽华 林晓峰 王强 黄丽 吴敏 周俊 周敏 林静""".split()


def _id18(body):
    return body + R.id_check_digit(body)


def _card(prefix, n):
    for k in range(10 ** 6):
        d = f"{prefix}{k:0{n - len(prefix)}d}"
        if R.luhn_ok(d):
            return d


PLANTED_ID = _id18("44030519880712006")
PLANTED_CARD = _card("6228480402", 19)
PLANTED_NAME = "韦小宝"
MISHEARD_ID = PLANTED_ID[:17] + ("1" if PLANTED_ID[17] != "1" else "2")  # check digit fails


def _planted_call() -> tuple[Call, list[Finding]]:
    segs = [
        Segment(0.0, 3.0, "agent", f"喂，{PLANTED_NAME}是吧？我是速贷通的。"),
        Segment(3.0, 5.0, "customer", "是我，怎么了？"),
        Segment(5.0, 12.0, "agent", f"你身份证{PLANTED_ID}，卡号{PLANTED_CARD}我们都有，手机13987654321也有。"),
        Segment(12.0, 15.0, "agent", f"{PLANTED_NAME}，再不还钱我们就去你家浙江省杭州市西湖区文三路123号堵你。"),
        Segment(15.0, 17.0, "customer", f"你们这是威胁，我身份证{MISHEARD_ID}你们记错了。"),
    ]
    call = Call("P-13987654321", agent_id="A099", started_at="2026-11-20T10:00:00+08:00",
                metadata={"debtor_name": PLANTED_NAME, "phone": "13987654321", "team": "催收一组"},
                segments=segs)
    q = "再不还钱我们就去你家浙江省杭州市西湖区文三路123号堵你"
    k = segs[3].text.index(q)
    f = Finding(call.call_id, "THREAT-001", "threat", "high", 3, 12.0, 15.0, "agent", q, k, k + len(q),
                f"威胁上门：{PLANTED_NAME}", f"词条“去你家”命中；对象 {PLANTED_NAME}，电话 13987654321", 0.9)
    return call, [f]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ex")
    db = tmp / "h.sqlite3"
    store = build_demo_store(db, SAMPLES)
    call, fs = _planted_call()
    store.save_call(call, fs)
    out = tmp / "out"
    summary = E.export_excerpts(store, out)
    return {"db": db, "out": out, "summary": summary, "store": store}


def _all_text(out: Path) -> list[tuple[str, str]]:
    res = []
    for p in sorted(out.rglob("*")):
        res.append((p.name, p.name))
        if p.suffix in (".md", ".html", ".json"):
            res.append((p.name, p.read_text(encoding="utf-8")))
    return res


def test_export_of_sample_calls_has_no_personal_data(exported):
    out, summary = exported["out"], exported["summary"]
    kinds = {e["category"] for e in summary.excerpts}
    assert {"threat", "abuse", "impersonation", "third_party_disclosure", "unauthorized_waiver"} <= kinds
    texts = _all_text(out)
    assert len(texts) > 100
    leaks = []
    for name, text in texts:
        view = R.digit_view(text)
        for person in SAMPLE_NAMES + [PLANTED_NAME, "红梅", "小宝"]:
            if person in text:
                leaks.append((name, person))
        for m in re.finditer(r"(?<!\d)1[3-9]\d{9}(?!\d)", view.replace(" ", "").replace("-", "")):
            leaks.append((name, "phone " + m.group(0)))
        for m in re.finditer(r"\d{17}[\dXx]", view):
            if R.valid_id18(m.group(0).upper()):
                leaks.append((name, "id " + m.group(0)))
        for m in re.finditer(r"(?<!\d)\d{16,19}(?!\d)", view):
            if R.luhn_ok(m.group(0)):
                leaks.append((name, "card " + m.group(0)))
        for s in (PLANTED_ID, PLANTED_CARD, MISHEARD_ID, "13987654321", "一三九零五七二八八一六", "文三路123号"):
            if s in text:
                leaks.append((name, s))
    assert leaks == []


def test_export_leaves_out_call_ids_agents_and_metadata(exported):
    out = exported["out"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    blob = json.dumps(manifest, ensure_ascii=False)
    assert "P-13987654321" not in blob and "A099" not in blob and "催收一组" not in blob
    assert "D0016" not in blob and "audio_path" not in blob and str(SAMPLES) not in blob
    assert all(re.fullmatch(r"(ex_[0-9a-f]{10}\.(md|html|wav)|index\.(md|html)|manifest\.json)", p.name)
               for p in out.iterdir())


def test_planted_excerpt_keeps_evidence_and_redacts_inside_it(exported):
    summary = exported["summary"]
    ex = next(e for e in summary.excerpts if e["rule"] == "THREAT-001")
    focus = next(t for t in ex["turns"] if t["focus"])
    assert focus["text"] == "韦某，再不还钱我们就去你家[地址]堵你。"
    assert ex["message"] == "威胁上门：韦某" and "13987654321" not in ex["explanation"]
    md = (exported["out"] / f"{ex['excerpt_id']}.md").read_text(encoding="utf-8")
    assert "**再不还钱我们就去你家**" in md and "[地址]" in md
    html = (exported["out"] / f"{ex['excerpt_id']}.html").read_text(encoding="utf-8")
    assert '<mark>再不还钱我们就去你家</mark>' in html
    assert {r["type"] for r in ex["redactions"]} >= {"PERSON", "ID_CARD", "BANK_CARD", "PHONE", "ADDRESS"}


def test_excerpt_reason_is_chinese_and_redacted_and_the_trace_is_behind_details(exported):
    ex = next(e for e in exported["summary"].excerpts if e["rule"] == "THREAT-001")
    assert ex["reason"] == "坐席说“再不还钱我们就去你家[地址]堵你”：威胁上门：韦某（THREAT-001）"
    html = (exported["out"] / f"{ex['excerpt_id']}.html").read_text(encoding="utf-8")
    assert '<p class="reason">坐席说“再不还钱我们就去你家[地址]堵你”' in html
    assert re.search(r"<details><summary>详情</summary><p class=\"explanation\">词条“去你家”命中；对象 韦某", html)
    md = (exported["out"] / f"{ex['excerpt_id']}.md").read_text(encoding="utf-8")
    assert "**原因**：坐席说“" in md and "**技术详情**：" in md


def test_a_shortened_quote_never_splits_a_number_the_redaction_must_see():
    from qa_audit.core.labels import reason_line

    call, _ = _planted_call()
    text = call.segments[2].text  # 身份证…，卡号…我们都有，手机13987654321也有。
    assert len(text) > 40
    red = E._CallRedaction(call)
    for k in range(0, len(text) - 2, 3):  # the quote window cut at every place along the segment
        f = Finding(call.call_id, "X-001", "threat", "high", 2, 5.0, 12.0, "agent", text, 0, len(text), "m", "e")
        f.reason = reason_line("测试", "X-001", "agent", text, keep=(k, k + 2))
        r = E._reason(f, red)
        digits = R.digit_view(r)
        for secret in (PLANTED_ID, PLANTED_CARD, "13987654321"):
            assert not any(secret[i:i + 5] in digits for i in range(len(secret) - 4)), (k, r)
        assert r.startswith("坐席说“") and r.endswith("：测试（X-001）")


def test_good_practice_excerpts(exported):
    good = [e for e in exported["summary"].excerpts if e["kind"] == "good_practice"]
    themes = {e["theme"] for e in good}
    assert themes == {"hardship", "refusal_to_disclose"}
    for e in good:
        assert e["score"] is not None and e["score"] >= 90
        focus = next(t for t in e["turns"] if t["focus"])
        assert focus["speaker"] == "agent"


def test_clips_written_for_recorded_calls(exported):
    out, summary = exported["out"], exported["summary"]
    with_clip = [e for e in summary.excerpts if any(f.endswith(".wav") for f in e["files"])]
    assert len(with_clip) >= 10 and not summary.failures
    for e in with_clip[:3]:
        with wave.open(str(out / f"{e['excerpt_id']}.wav")) as w:
            dur = w.getnframes() / w.getframerate()
        assert abs(dur - (e["clip_end"] - e["clip_start"])) < 0.5


def _decode(path: Path, sr: int = 8000) -> np.ndarray:
    p = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(sr),
                        "-f", "s16le", "-"], capture_output=True, check=True)
    return np.frombuffer(p.stdout, dtype=np.int16).astype(np.float32)


def test_redacted_span_is_beeped_in_the_clip(tmp_path):
    store = build_demo_store(tmp_path / "h.sqlite3", SAMPLES, dev=False)
    call = store.get_call("D0004")  # segment 0: 喂你好请问是李娜女士吗 (0.40–2.42 s), true turn times
    seg = call.segments[0]
    fs = label_findings(call, [{"category": "abuse", "segment": 0, "quote": "请问是"}])
    ex = E.finding_excerpt(call, fs[0], "unreviewed", context=1)
    assert ex.beeps, "the name in segment 0 must be beeped"
    a, b = ex.beeps[0]
    k = seg.text.index("李娜")
    ta, tb = R.span_times(seg, k, k + 2)
    assert a == pytest.approx(ta - ex.clip_start - 0.05, abs=0.01)
    out = E.cut_clip(call.audio, ex.clip_start, ex.clip_end, ex.beeps, tmp_path / "c.wav")
    y = _decode(out)
    x = _decode(Path(call.audio))[int(ex.clip_start * 8000):][:len(y)]
    i, j = int(a * 8000) + 40, int(b * 8000) - 40
    beep = y[i:j]
    power = np.abs(np.fft.rfft(beep * np.hanning(len(beep)))) ** 2
    freqs = np.fft.rfftfreq(len(beep), 1 / 8000)
    assert abs(freqs[np.argmax(power)] - 1000) < 20
    assert power[(freqs > 950) & (freqs < 1050)].sum() / power.sum() > 0.99  # a pure 1 kHz tone
    # the original speech there is gone: the beep window does not correlate with it
    orig = x[i:j]
    assert np.std(orig) > 10, "the sample has speech under the name"
    assert abs(np.corrcoef(orig, beep)[0, 1]) < 0.2
    # outside the beeps the clip is the original audio
    m = int((ex.clip_end - ex.clip_start - 0.5) * 8000)
    tail_y, tail_x = y[m - 4000:m], x[m - 4000:m]
    assert np.corrcoef(tail_y, tail_x)[0, 1] > 0.95


def test_status_filter_and_dismissed_never_exported(tmp_path):
    store = build_demo_store(tmp_path / "h.sqlite3", SAMPLES, dev=False)
    fs = store.findings_for_call("D0007")
    store.add_review(fs[0].finding_id, "sup", "confirm")
    store.add_review(fs[1].finding_id, "sup", "dismiss", reason="误报")
    ids = lambda exs: {e.finding_id for e in exs}  # noqa: E731
    assert ids(E.build_excerpts(store, ["threat"], "confirmed")) == {fs[0].finding_id}
    assert ids(E.build_excerpts(store, ["threat"], "unreviewed")) == {fs[2].finding_id}
    assert ids(E.build_excerpts(store, ["threat"], "any")) == {fs[0].finding_id, fs[2].finding_id}
    assert {e.category for e in E.build_excerpts(store, ["abuse", "impersonation"])} == {"abuse", "impersonation"}
    with pytest.raises(ValueError):
        E.build_excerpts(store, [], "dismissed")


def test_missing_audio_is_reported_and_the_rest_goes_on(tmp_path):
    store = build_demo_store(tmp_path / "h.sqlite3", SAMPLES, dev=False)
    call = store.get_call("D0007")
    call.audio = str(tmp_path / "gone" / "D0007.wav")
    store.save_call(call, store.findings_for_call("D0007"))
    s = E.export_excerpts(store, tmp_path / "out", ["threat", "abuse"], good_practice=False)
    assert len(s.failures) == 3 and all("not found" in f["error"] for f in s.failures)
    assert all("D0007.wav" in f["detail"] for f in s.failures)
    abuse = [e for e in s.excerpts if e["category"] == "abuse"]
    assert abuse and all(any(f.endswith(".wav") for f in e["files"]) for e in abuse)
    assert all((tmp_path / "out" / f"{e['excerpt_id']}.md").is_file() for e in s.excerpts)
    manifest = (tmp_path / "out" / "manifest.json").read_text(encoding="utf-8")
    assert "gone" not in manifest


def test_cli(tmp_path):
    db = tmp_path / "h.sqlite3"
    build_demo_store(db, SAMPLES, dev=False)
    out = tmp_path / "cli"
    p = subprocess.run([sys.executable, "-m", "qa_audit", "excerpts", "--db", str(db), "--category", "threat",
                        "--category", "abuse", "--no-good-practice", "--no-audio", "--out", str(out)],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stderr
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {e["category"] for e in m["excerpts"]} == {"threat", "abuse"} and len(m["excerpts"]) == 7
    p = subprocess.run([sys.executable, "-m", "qa_audit", "excerpts", "--db", str(db), "--status", "bogus",
                        "--out", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 2 and "--status" in p.stderr
    p = subprocess.run([sys.executable, "-m", "qa_audit", "excerpts", "--db", str(db), "--amounts", "round",
                        "--out", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 2 and "--amounts" in p.stderr
    p = subprocess.run([sys.executable, "-m", "qa_audit", "excerpts", "--db", str(tmp_path / "nope.sqlite3"),
                        "--out", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 2 and "nope.sqlite3" in p.stderr


def test_trainer_page_and_clip(exported):
    from fastapi.testclient import TestClient

    from qa_audit.web import create_app

    store = exported["store"]
    auth.add_user(store, "trainer1", "trainer-pass-1", "trainer", replace=True)
    c = TestClient(create_app(exported["db"]))
    tok = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
    c.post("/login", data={"username": "trainer1", "password": "trainer-pass-1", "csrf": tok})
    page = c.get("/excerpts", params={"category": "threat"}).text
    assert "培训案例库" in page and "良好示范" in page
    for person in SAMPLE_NAMES + [PLANTED_NAME]:
        assert person not in page
    assert PLANTED_ID not in page and "13987654321" not in page
    clip = re.search(r'src="(/excerpts/clip/ex_[0-9a-f]{10}\.wav)"', page).group(1)
    r = c.get(clip)
    assert r.status_code == 200 and r.content[:4] == b"RIFF"
    r2 = c.get(clip, headers={"Range": "bytes=0-43"})
    assert r2.status_code == 206 and r2.content == r.content[:44]
    assert c.get("/excerpts/clip/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert c.get("/excerpts/clip/ex_0000000000.wav").status_code == 404


def test_export_with_real_detector_findings_has_no_personal_data(tmp_path):
    """The detector's messages and explanations quote the dialogue: they are redacted too."""
    store = build_demo_store(tmp_path / "h.sqlite3", SAMPLES, findings="detector")
    n = store.conn.execute("SELECT COUNT(*) FROM findings").fetchone()[0]
    assert n >= 30
    s = E.export_excerpts(store, tmp_path / "out", audio=False)
    assert len(s.excerpts) >= 30
    leaks = [(name, person) for name, text in _all_text(tmp_path / "out")
             for person in SAMPLE_NAMES if person in text]
    assert leaks == []
    view = R.digit_view((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", view)
