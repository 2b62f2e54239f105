"""Institution-aware self-identification (issue 10): config, metadata, pinyin matching, SELFID-001."""
from __future__ import annotations

import json

import pytest

from qa_audit.core.config import Config, ConfigError
from qa_audit.core.dial_log import call_institutions, load_dial_log, load_metadata, split_institutions
from qa_audit.core.model import Call, Segment
from qa_audit.detect.institutions import core_of, hear, variants
from qa_audit.text.pinyin_match import confusable_key, find_name


def _call(*turns, institution=None):
    segs = [Segment(start=i * 3.0, end=i * 3.0 + 2.5, speaker=sp, text=t) for i, (sp, t) in enumerate(turns)]
    c = Call(call_id="T1", segments=segs)
    if institution:
        c.metadata["institution"] = institution
    return c


@pytest.fixture(scope="module")
def det():
    from qa_audit.detect.detector import Detector

    return Detector.load()


@pytest.fixture(scope="module")
def det_conf():
    from qa_audit.detect.detector import Detector

    cfg = Config.from_dict({"institutions": [
        {"name": "华远银行", "aliases": ["华远银行信用卡中心"], "kind": "lender"},
        {"name": "诚泰资产管理", "kind": "agency"}, "闪电借"]})
    return Detector.load(cfg)


# --- config and metadata --------------------------------------------------------------------
def test_config_institutions_parse_and_reject_mistakes():
    cfg = Config.from_dict({"institutions": ["闪电借", {"name": "华远银行", "aliases": "华远|华远信用卡中心",
                                                     "kind": "lender"}]})
    assert cfg.institutions == [{"name": "闪电借", "kind": "lender", "aliases": []},
                                {"name": "华远银行", "kind": "lender", "aliases": ["华远", "华远信用卡中心"]}]
    with pytest.raises(ConfigError, match="kind must be one of"):
        Config.from_dict({"institutions": [{"name": "华远银行", "kind": "bank"}]})
    with pytest.raises(ConfigError, match="needs a name"):
        Config.from_dict({"institutions": [{"aliases": ["华远"]}]})
    with pytest.raises(ConfigError, match="must be a list"):
        Config.from_dict({"institutions": "华远银行"})


def test_init_template_documents_institutions_and_parses(tmp_path):
    import yaml

    from qa_audit.cli.init import init_folder

    init_folder(tmp_path)
    text = (tmp_path / "qa-audit.yaml").read_text(encoding="utf-8")
    assert "institutions: []" in text and "华远银行|诚泰资产" in text
    assert "There is no separate list of institution names" not in text
    # the commented example, uncommented, is a valid config
    example = [line[2:] for line in text.splitlines() if line.startswith("#   ") or line.startswith("# institutions:")]
    cfg = Config.from_dict(yaml.safe_load("\n".join(example)))
    assert [i["name"] for i in cfg.institutions] == ["华远银行", "诚泰资产管理", "闪电借"]
    assert cfg.institutions[2]["kind"] == "product"
    Config.load(tmp_path / "qa-audit.yaml")


def test_institution_column_in_metadata_csv_and_dial_log(tmp_path):
    from qa_audit.asr.metadata import call_from_metadata, read_metadata

    assert split_institutions("华远银行|诚泰资产 ｜ 华远银行") == ["华远银行", "诚泰资产"]
    meta = tmp_path / "calls.csv"
    meta.write_text("file,call_id,agent_id,institution\nA.wav,A,A1,华远银行 | 诚泰资产\n", encoding="utf-8")
    call = call_from_metadata(tmp_path / "A.wav", read_metadata(meta))
    assert call.metadata["institution"] == "华远银行|诚泰资产"
    assert call_institutions(call) == ["华远银行", "诚泰资产"]
    rows, errors = load_metadata(meta)
    assert not errors and rows["A.wav"]["metadata"]["institution"] == "华远银行|诚泰资产"
    log = tmp_path / "dial.csv"
    log.write_text("call_id,file,agent_id,started_at,机构\nA,A.wav,A1,2026-11-08T14:22:31+08:00,华远银行|诚泰资产\n"
                   "B,B.wav,A1,2026-11-08T15:22:31+08:00,\n", encoding="utf-8")
    recs, errors = load_dial_log(log, b"k" * 32)
    assert not errors
    assert recs[0].call_fields()["institution"] == "华远银行|诚泰资产"
    assert "institution" not in recs[1].call_fields()


# --- pinyin-tolerant matching ---------------------------------------------------------------
def test_confusable_sounds_merge_and_others_do_not():
    assert confusable_key("heng") == confusable_key("hong") == confusable_key("feng")
    assert confusable_key("jin") == confusable_key("jing")
    assert confusable_key("zhi") == confusable_key("zi") and confusable_key("nan") == confusable_key("lang")
    assert confusable_key("jin") != confusable_key("qin") and confusable_key("bao") != confusable_key("pao")


def test_find_name_tolerates_confusable_and_one_off_in_four():
    m = find_name("您好我是宏景消费金融的", "恒璟消费金融")[0]
    assert m.heard == "宏景消费金融" and m.off == 0 and m.confusable == 1 and "closeness" in m.describe()
    m = find_name("我这边是华园银行的", "华远银行")[0]  # 园/远 share yuan: the same syllable
    assert m.same == 4 and m.closeness == 1.0
    assert find_name("我这边是华远电行的", "华远银行")[0].off == 1  # one syllable off in four
    assert find_name("我这边是化肥电行的", "华远银行") == []        # two off: no
    assert find_name("我们是新城", "兴诚")[0].confusable >= 1       # xin/xing, cheng/cheng
    assert find_name("新晨", "兴诚")[0].confusable == 2  # xin/xing and chen/cheng: both confusable
    # a two-syllable name allows nothing off
    assert find_name("我是华北的", "华远") == []


def test_variants_and_short_forms_need_a_presentation():
    forms = variants([{"name": "宁信银行", "aliases": [], "kind": "lender"}])
    assert [v.text for v in forms] == ["宁信银行", "宁信"] and core_of("恒璟消费金融") == "恒璟"
    assert core_of("安平资产管理") == "安平" and core_of("闪电借") == "闪电借"
    # 您信 sounds like 宁信 but is not presented: not heard
    assert hear("您信用卡这个月还没还", 0, forms) == []
    h = hear("我们宁信这边看到您还没还", 0, forms)
    assert h and h[0].variant.form == "core" and "after '我们'" in h[0].how
    h = hear("这笔是在宁兴银行办的", 0, forms)  # the full name counts anywhere, 兴/信 confusable
    assert h and h[0].match.confusable == 1 and "宁信银行" in h[0].describe()


# --- SELFID-001 -----------------------------------------------------------------------------
def test_selfid_hears_the_call_institution_misheard(det):
    from qa_audit.detect.rules.selfid import SelfId001

    call = _call(("agent", "喂你好，我这边是宏景消费金融的，找一下王先生"), ("customer", "我是"),
                 ("agent", "您的借款逾期了"), institution="恒璟消费金融")
    assert not [f for f in det.scan(call) if f.rule == "SELFID-001"]
    ident = SelfId001().identify(det.context(call))[0]
    assert ident["by"] == "name" and ident["name"] == "恒璟消费金融" and ident["heard"] == "宏景消费金融"
    assert "confusable" in ident["detail"] and "after '我这边是'" in ident["detail"]


def test_selfid_finding_says_what_it_listened_for(det):
    call = _call(("agent", "喂，是孙立伟吗？"), ("customer", "不是"),
                 ("agent", "孙立伟借的钱到现在都没还，华远那笔快半年了"), institution="华远银行")
    f = [f for f in det.scan(call) if f.rule == "SELFID-001"]
    assert f, "a name guessed from 孙立伟借的钱 must not count when the call's institution is known"
    assert "listened for 华远银行" in f[0].explanation and "nearest '华远'" in f[0].explanation
    assert f[0].reason.startswith("整通电话坐席未表明")
    # without the institution the old pattern guesses 孙立伟借 as a name
    assert not [x for x in det.scan(_call(*[(s.speaker, s.text) for s in call.segments])) if x.rule == "SELFID-001"]


def test_selfid_configured_names_when_the_call_has_none(det_conf):
    call = _call(("agent", "您好，这边是诚太资产管理的，您的欠款逾期了"), ("customer", "哦"))
    assert not [f for f in det_conf.scan(call) if f.rule == "SELFID-001"]
    call = _call(("agent", "您好，您的欠款逾期了，今天要还"), ("customer", "哦"))
    f = [f for f in det_conf.scan(call) if f.rule == "SELFID-001"]
    assert f and "华远银行" in f[0].explanation


def test_selfid_ner_names_an_organization_after_an_introduction(det):
    from qa_audit.detect.rules.selfid import SelfId001

    # no suffix the patterns know, no configured name: LAC reads the ORG after 我是
    call = _call(("agent", "您好，我是中国人民财产保险公司的，跟您说一下保单的事"), ("customer", "嗯"))
    ident = SelfId001().identify(det.context(call))[0]
    assert ident is not None and ident["by"] in ("pattern", "ner")
    call = _call(("agent", "您好，我是蓝鲸的，您的账户逾期了"), ("customer", "嗯"))
    ident = SelfId001().identify(det.context(call))[0]
    # an authority named after an intro is never the institution
    call = _call(("agent", "您好，我是市公安局的，您的账户逾期了"), ("customer", "嗯"))
    ident, _, authority = SelfId001().identify(det.context(call))
    assert ident is None and authority


def test_eval_reads_institutions_csv(tmp_path):
    from typer.testing import CliRunner

    from qa_audit.cli import app

    call = {"call_id": "Z1", "segments": [
        {"start": 0, "end": 2, "speaker": "agent", "text": "喂，是孙立伟吗？"},
        {"start": 2, "end": 3, "speaker": "customer", "text": "不是"},
        {"start": 3, "end": 6, "speaker": "agent", "text": "孙立伟借的钱到现在都没还，快半年了"}]}
    (tmp_path / "Z1.json").write_text(json.dumps(call, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "labels.jsonl").write_text(json.dumps({"call_id": "Z1", "violations": [
        {"category": "no_self_identification", "segment": None}]}) + "\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["eval", str(tmp_path), "--no-institutions"])
    assert r.exit_code == 0 and "no_self_identification    0.000  0.000" in r.output
    (tmp_path / "institutions.csv").write_text("call_id,institution\nZ1,随心借\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["eval", str(tmp_path)])
    assert r.exit_code == 0 and "institutions of 1 calls" in r.output
    assert "no_self_identification    1.000  1.000" in r.output
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["eval", str(tmp_path), "--institutions", str(bad)])
    assert r.exit_code == 2 and "call_id,institution" in r.output
