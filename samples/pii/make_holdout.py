"""Write samples/pii/holdout.jsonl: a HELD-OUT labelled set for measuring redaction recall.

Same format and span conventions as make_examples.py, but new sentences in other styles (they must
never be used to tune the redactor).  Personal data is marked inline as [type:value]; the script
removes the marks, computes exact character offsets and writes {"text", "spans": [...]}.
Generated values:
  [id_card:ID(region6,yyyymmdd,seq3)]      18-digit ID number, valid ISO 7064 MOD 11-2 check digit
  [id_card:IDX(region6,yyyymmdd)]          the same, with a sequence number whose check digit is X
  [bank_card:CARD(bin,length,style)]       Luhn-valid card; style 0 plain, 1 groups of four (space),
                                           2 groups of four (dash), 3 4-4-4-4-3 with spaces (19 digits)
Span conventions: a name span covers the name only (欧阳明辉; the surname 黄 in 黄先生), not the
honorific; 老王/小李-style nicknames are not marked.  A phone span covers the number as written,
including a +86 prefix, spaces, dashes, brackets or spoken Chinese digits.  An address span runs
from the first administrative unit to the smallest unit given (room/室, 号, 弄...).  An amount span
covers the number and its unit (元/块/万/万元).  Overdue days, instalment numbers, dates, job
numbers and public hotlines are left unmarked (hard negatives).
All names, numbers and addresses are invented.  Run:  python samples/pii/make_holdout.py
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
MARK = re.compile(r"\[(name|phone|id_card|bank_card|address|amount):([^\]]+)\]")


def id_check(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def id_valid(num: str) -> bool:
    return len(num) == 18 and num[:17].isdigit() and id_check(num[:17]) == num[17]


def id_card(region: str, birth: str, seq: str) -> str:
    body = region + birth + seq
    assert len(body) == 17 and body.isdigit()
    return body + id_check(body)


def id_card_x(region: str, birth: str) -> str:
    for n in range(1000):
        body = f"{region}{birth}{n:03d}"
        if id_check(body) == "X":
            return body + "X"
    raise ValueError("no X check digit")


def luhn_complete(partial: str) -> str:
    total = 0
    for i, c in enumerate(reversed(partial)):
        d = int(c)
        if i % 2 == 0:  # doubled once the check digit is appended
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return partial + str((10 - total % 10) % 10)


def luhn_valid(num: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(num)):
        d = int(c)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def bank_card(bin_: str, length: int, style: int, rng: random.Random) -> str:
    body = bin_ + "".join(str(rng.randint(0, 9)) for _ in range(length - len(bin_) - 1))
    num = luhn_complete(body)
    if style in (1, 2):
        num = (" " if style == 1 else "-").join(num[i:i + 4] for i in range(0, len(num), 4))
    elif style == 3:
        num = " ".join([num[0:4], num[4:8], num[8:12], num[12:16], num[16:]])
    return num


SENTENCES = [
    # --- names in many forms -------------------------------------------------------------
    "喂，是[name:欧阳明辉]本人吗？这里是汇通消费金融贷后部。",
    "[name:司马文静]，你上次说月底还，现在都过去一周了。",
    "我找一下[name:黄]先生，您是他家属吗？",
    "不是我，我是他表姐，[name:诸葛宇]早就不住这儿了。",
    "[name:唐]女士，这边再跟您确认一下还款计划。",
    "老王啊，你跟小李说一声，让[name:周建平]给我回个电话。",
    "担保人写的是[name:上官婉儿]，她说根本不知道这回事。",
    "您好[name:冯]先生，我是信用卡中心的专员，工号3318。",
    "你弟弟[name:潘浩]也是这么说的，天天说下周下周。",
    "请问[name:贺子轩]在家吗？我是他公司的同事。",
    # --- phones ---------------------------------------------------------------------------
    "你打这个吧，[phone:+86 135 7246 8190]，我换号了。",
    "他新号码是[phone:+8618926473150]，我也是刚知道。",
    "嗯对，[phone:177-3062-9518]，尾号9518那个。",
    "记一下啊，[phone:幺五零 二六八七 四三九幺]，打不通就发短信。",
    "我单位电话[phone:010-82675391]，转分机找我就行。",
    "你打我们店里座机，[phone:0755-2638 4417]，我一般都在。",
    "他老家座机是[phone:0371 6598 2203]，他爸接的。",
    "手机号[phone:一八六零二七三四五九一]，是我老婆的。",
    "[name:严]女士您好，您预留的[phone:15067321984]还在用吗？",
    "你再打[phone:(020)8734-6621]也没用，那是我前公司。",
    # --- ID numbers -----------------------------------------------------------------------
    "身份证我报给你，[id_card:ID(420106,19850917,132)]，核完了没？",
    "您的证件号是[id_card:IDX(350203,19790604)]，最后一位是X。",
    "系统里登记的身份证[id_card:ID(210102,19930228,075)]，户名[name:钟晓燕]。",
    "对，[id_card:IDX(610113,20010815)]，那是我儿子的，不是我的。",
    "她身份证号码[id_card:ID(130104,19700101,246)]，你们别打她了。",
    # --- bank cards -----------------------------------------------------------------------
    "扣款卡是[bank_card:CARD(621661,19,3)]，中行的。",
    "我绑的卡[bank_card:CARD(436742,16,2)]，建行信用卡。",
    "你转到这张卡[bank_card:CARD(622908,18,0)]上，我马上就还。",
    "卡号[bank_card:CARD(622262,19,0)]，交行，户名写[name:曾国梁]。",
    "我是用[bank_card:CARD(524047,16,1)]这张卡还的，怎么没到账？",
    "那张尾号的卡不用了，换成[bank_card:CARD(621799,19,1)]吧。",
    # --- addresses ------------------------------------------------------------------------
    "我们外访同事会去[address:上海市徐汇区漕溪北路595弄12号501室]核实一下。",
    "他户籍在[address:湖南省邵阳市隆回县桃洪镇龙山村五组]，好几年没回去了。",
    "快递寄到[address:重庆市渝中区解放碑街道民族路166号]，收件人[name:吕芳]。",
    "我现在住[address:江西省南昌市红谷滩区丰和中大道1099号绿地新都会小区7栋1单元2203室]。",
    "你是不是住[address:山东省青岛市市南区香港中路61号乙]那边？",
    "我老家在[address:安徽省阜阳市临泉县城关镇解放路23号]，你们去也找不到人。",
    "律师函已经寄到[address:福建省厦门市思明区湖滨南路388号国贸大厦B栋906室]了。",
    # --- amounts --------------------------------------------------------------------------
    "您现在欠款总共[amount:两万三千块]，今天能先还一部分吗？",
    "我最多先还[amount:1.5万元]，剩下的下个月。",
    "账单显示应还[amount:8,600元]，含违约金。",
    "减免以后您只需要还[amount:一万零八百元]，机会只有这一次。",
    "我就借了[amount:六千]，怎么滚成[amount:九千四百块]了？",
    "本月最低还款[amount:¥1,236.50元]，请今晚前存入。",
    "你上次答应还[amount:3万]，结果只转了[amount:五百块]。",
    "欠款[amount:12,480.00元]，逾期15天，已经产生罚息。",
    # --- mixed ----------------------------------------------------------------------------
    "[name:邱志强]先生，您在我司借款[amount:4.8万元]，身份证[id_card:ID(440106,19870322,519)]，对吗？",
    "行，你记着：[name:夏雨晴]，[phone:139-2716-0845]，[address:浙江省宁波市鄞州区中山东路1688号]。",
    "[name:宇文]先生，您名下那张[bank_card:CARD(622155,19,0)]已经被冻结。",
    "我叫[name:方敏]，我替我哥[name:方军]还[amount:两千]，你给我个账号。",
    "[name:慕容雪]女士，您在[address:广西壮族自治区南宁市青秀区民族大道136号]的单位我们也联系过了。",
    "老李，你跟[name:孔]先生讲，[amount:七万二]不是小数目。",
    # --- hard negatives (no personal data) ------------------------------------------------
    "您已经逾期15天了，再不还会影响征信。",
    "这是第6期的账单，后面还有18期。",
    "我的工号3318，您可以打95588核实我的身份。",
    "最晚2026年11月30日前处理，过了就上报了。",
    "您当时选的是分24期，每期按时还就没事。",
    "请在48小时内回电，号码就是本次来电显示的短号。",
    "案件编号ZX2026031500417，您记一下。",
    "我们的客服电话是4006-695-588，人工服务按0。",
    "宽限期只有3天，第2次提醒了。",
    "早上8点到晚上9点之间我们都可以联系您。",
    "逾期超过30天会收取5%的违约金。",
]


def build() -> list[dict]:
    rows = []
    for n, src in enumerate(SENTENCES):
        rng = random.Random(1000 + n)
        text, spans, pos = "", [], 0
        for m in MARK.finditer(src):
            text += src[pos:m.start()]
            kind, value = m[1], m[2]
            g = re.fullmatch(r"(ID|IDX|CARD)\(([^)]*)\)", value)
            if g:
                args = g[2].split(",")
                if g[1] == "ID":
                    value = id_card(*args)
                elif g[1] == "IDX":
                    value = id_card_x(*args)
                else:
                    value = bank_card(args[0], int(args[1]), int(args[2]), rng)
            spans.append({"start": len(text), "end": len(text) + len(value), "type": kind})
            text += value
            pos = m.end()
        text += src[pos:]
        assert "[" not in text, src
        rows.append({"text": text, "spans": spans})
    return rows


def validate(rows: list[dict]) -> None:
    for r in rows:
        text, last = r["text"], 0
        for s in r["spans"]:
            assert 0 <= last <= s["start"] < s["end"] <= len(text), r
            last = s["end"]
            v = text[s["start"]:s["end"]]
            assert v == v.strip() and v, r
            if s["type"] == "id_card":
                assert id_valid(v), v
            elif s["type"] == "bank_card":
                d = re.sub(r"[ -]", "", v)
                assert d.isdigit() and 16 <= len(d) <= 19 and luhn_valid(d), v
            elif s["type"] == "phone":
                assert re.fullmatch(r"[\d+ ()\-一二三四五六七八九零幺〇]+", v), v


def main() -> None:
    rows = build()
    validate(rows)
    out = HERE / "holdout.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{out}: {len(rows)} lines, {sum(len(r['spans']) for r in rows)} spans")


if __name__ == "__main__":
    main()
