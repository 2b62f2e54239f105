"""The on-disk caches behind a fast ``qa-audit scan`` start: compiled lexicons and pinyin tables.

Reused when nothing changed, rebuilt when a lexicon changes or the file is corrupt; the scan path
imports neither spaCy, pandas nor pypinyin (warm cache), and jieba only when a negation cue needs
a tokenizer."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qa_audit.core.resources import lexicons_dir
from qa_audit.detect import lexicon as L
from qa_audit.detect import lexicon_cache
from qa_audit.text import normalize as N

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("QA_AUDIT_CACHE", str(d))
    return d


@pytest.fixture
def lexdir(tmp_path):
    d = tmp_path / "lexicons"
    shutil.copytree(lexicons_dir(), d)
    return d


def _hits(ls, text):
    return [(h.start, h.end, h.entry.id, h.how) for h in ls.match(N.normalize(text).text)]


TEXT = "你再不还钱我们就上门去你家，找你单位领导，逾期不还就起诉你"


def test_second_load_comes_from_the_cache_and_matches_the_same(cache, lexdir, monkeypatch):
    first = L.load_lexicons(lexdir)
    files = list((cache / "lexicons").glob("*.pickle"))
    assert len(files) == 1
    monkeypatch.setattr(L, "_compile_lexicons", lambda *a: pytest.fail("compiled again"))
    second = L.load_lexicons(lexdir)
    assert second is not first
    assert _hits(second, TEXT) == _hits(first, TEXT) and _hits(first, TEXT)
    # the id-keyed indexes are rebuilt for the loaded objects
    assert set(second._by_id) == {id(e) for e in second.entries}


def test_editing_a_lexicon_makes_a_new_key(cache, lexdir):
    before = L.load_lexicons(lexdir)
    assert not any(h[2] == "zz-new" for h in _hits(before, "鹦鹉螺号来了"))
    p = lexdir / "threat.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace(
        "\nentries:\n", "\nentries:\n  - id: zz-new\n    rule: THREAT-001\n    score: 0.9\n    terms: [鹦鹉螺号]\n", 1),
        encoding="utf-8")
    after = L.load_lexicons(lexdir)
    assert any(h[2] == "zz-new" for h in _hits(after, "鹦鹉螺号来了"))
    assert len(list((cache / "lexicons").glob("*.pickle"))) == 2


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", b"\x80\x04\x95 truncated", None])
def test_a_corrupt_cache_is_rebuilt(cache, lexdir, garbage):
    key = lexicon_cache.cache_key(sorted(lexdir.glob("*.yaml")))
    path = lexicon_cache.cache_path(key)
    path.parent.mkdir(parents=True)
    if garbage is None:  # a valid pickle of something else
        import pickle

        garbage = pickle.dumps({"not": "a lexicon set"})
    path.write_bytes(garbage)
    ls = L.load_lexicons(lexdir)
    assert _hits(ls, TEXT)
    import pickle

    assert isinstance(pickle.loads(path.read_bytes()), L.LexiconSet)  # replaced by a good one


def test_an_invalid_lexicon_is_reported_and_not_cached(cache, lexdir):
    (lexdir / "threat.yaml").write_text("version: 1\nkind: category\ncategory: threat\nentries: 3\n",
                                        encoding="utf-8")
    with pytest.raises(L.LexiconError, match="threat.yaml"):
        L.load_lexicons(lexdir)
    assert not list(cache.glob("lexicons/*.pickle"))


def test_pinyin_tables_cache_is_used_and_rebuilt_when_corrupt(cache, monkeypatch):
    N._tables.cache_clear()
    try:
        built = N._tables()
        files = list((cache / "pinyin").glob("*.marshal"))
        assert len(files) == 1
        assert built == N._build_tables()
        N._tables.cache_clear()
        monkeypatch.setattr(N, "_build_tables", lambda: pytest.fail("built again"))
        assert N._tables() == built
        monkeypatch.undo()
        monkeypatch.setenv("QA_AUDIT_CACHE", str(cache))
        files[0].write_bytes(b"\x00garbage")
        N._tables.cache_clear()
        assert N._tables() == built
        assert N.pinyin_key("逾期") == N.pinyin_key("预期")
    finally:
        N._tables.cache_clear()


PROBE = r"""
import json, sys
from qa_audit.core.model import Call, Segment
from qa_audit.detect.detector import Detector
det = Detector.load()
texts = sys.argv[1:]
call = Call(call_id="x", segments=[Segment(start=i, end=i + 1, speaker="agent", text=t) for i, t in enumerate(texts)])
fs = det.scan(call)
print(json.dumps({"rules": sorted({f.rule for f in fs}), "negated": [f.rule for f in fs if getattr(f, "negated", False)],
                  "mods": sorted(m for m in ("spacy", "pandas", "jieba", "pypinyin") if m in sys.modules)}))
"""


def _probe(env, *texts):
    p = subprocess.run([sys.executable, "-c", PROBE, *texts], capture_output=True, text=True, cwd=ROOT,
                       env=env, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


def test_scan_path_imports_only_what_it_needs(tmp_path):
    env = {**os.environ, "QA_AUDIT_CACHE": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    _probe(env, "您好")  # fills the caches
    plain = _probe(env, "你好，我是客服，提醒你今天还款。")
    assert plain["mods"] == []  # no spaCy, pandas, jieba nor pypinyin
    threat = _probe(env, "你今天不还钱我们就上门找你")
    assert threat["rules"] and "jieba" not in threat["mods"] and "spacy" not in threat["mods"]
    # a negation cue before the hit needs tokens: jieba, still no spaCy; the threat is negated
    negated = _probe(env, "你放心我们不会上门找你")
    assert "spacy" not in negated["mods"] and "pypinyin" not in negated["mods"]
    assert "THREAT-001" in threat["rules"] and "THREAT-001" not in negated["rules"]
    assert "jieba" in negated["mods"]


SEGMENT_TEXTS = ["我们不会上门找你", "对不起，我不是故意的", "你再不还钱我们就去你单位", "逾期了三天，不要紧",
                 "我是明德资产的客服小王，工号二六九三", "别担心我们不会告诉你家人", "了不起，他不得不还",
                 "Hello 你好 ABC123 不还", ""]


def test_lazy_segmenter_gives_jieba_tokens_and_survives_a_corrupt_file(cache):
    import jieba

    from qa_audit.detect import segment
    from qa_audit.detect.detector import JIEBA_TERM_FREQ, Detector

    det = Detector.load()
    terms = det._jieba_terms()
    assert "上门" in terms or any("上门" in t for t in terms)
    seg = segment.LazySegmenter(terms, JIEBA_TERM_FREQ)
    lazy = [seg.tokenize(t) for t in SEGMENT_TEXTS]
    assert segment.db_path().is_file()
    det._register_terms()  # the real jieba, whole dictionary, same terms
    assert lazy == [list(jieba.tokenize(t)) for t in SEGMENT_TEXTS]
    # a term changes the segmentation exactly as jieba.add_word does
    extra = segment.LazySegmenter([*terms, "不会上"], JIEBA_TERM_FREQ)
    assert ("不会上", 2, 5) in extra.tokenize("我们不会上门找你")
    # a corrupt dictionary file is built again
    segment.db_path().write_bytes(b"garbage" * 100)
    again = segment.LazySegmenter(terms, JIEBA_TERM_FREQ)
    assert [again.tokenize(t) for t in SEGMENT_TEXTS] == lazy
