"""Write samples/pii/examples.jsonl: labelled sentences for measuring redaction recall (issue 6).

Each sentence below marks its personal data inline as [type:value]; the script removes the marks,
computes exact character offsets and writes {"text", "spans": [{"start", "end", "type"}]}.
Generated values:
  [id_card:ID(region6,yyyymmdd,seq3)]      18-digit ID number with a valid ISO 7064 MOD 11-2 check digit
  [id_card:IDX(region6,yyyymmdd)]          the same, choosing a sequence number whose check digit is X
  [bank_card:CARD(bin,length,spaced)]      a card number that passes Luhn (spaced=1: groups of four)
Span conventions: a name span covers the person's name only (张三丰, or the surname 李 in 李女士),
not the honorific; a phone span covers the digits as written (with spaces/dashes, or spoken
Chinese digits); an address span runs from the first administrative unit to the room; an amount
span covers the number and its unit (元/块/万).  Numbers that are not personal data (逾期5天, 第3期,
dates, job numbers, public hotlines) are left unmarked: they are the hard negatives.
All names, numbers and addresses are invented.  Run:  python samples/pii/make_examples.py
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_check(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


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
        if i % 2 == 0:  # these digits are doubled once the check digit is appended
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return partial + str((10 - total % 10) % 10)


def bank_card(bin_: str, length: int, spaced: int, rng: random.Random) -> str:
    body = bin_ + "".join(str(rng.randint(0, 9)) for _ in range(length - len(bin_) - 1))
    num = luhn_complete(body)
    if spaced:
        num = " ".join(num[i:i + 4] for i in range(0, len(num), 4))
    return num


SENTENCES = [
    "您好，请问是[name:张三丰]先生吗？我是瑞丰银行信用卡中心的。",
    "[name:李秀梅]女士您好，[name:李]女士，您这期应还[amount:8436元]。",
    "我叫[name:王建国]，身份证号是[id_card:ID(110105,19780312,231)]。",
    "麻烦您核对一下，身份证号码[id_card:IDX(440305,19880712)]，对吗？",
    "您的还款卡号是[bank_card:CARD(622848,19,0)]，农行的那张。",
    "卡号我念一下：[bank_card:CARD(621700,19,1)]，没错吧？",
    "你直接打我手机[phone:138 0013 8000]就行，白天都在。",
    "他留的号码是[phone:13800138000]，一直关机。",
    "我的号码是[phone:一三九零七五五六六二八]，你记一下。",
    "座机是[phone:0755-86012345]，上班时间可以打。",
    "您家住[address:广东省深圳市南山区科技园北路18号海岸城小区3栋2单元1502室]对吧？",
    "[name:赵铁柱]你那[amount:三千五]拖了两个月了。",
    "借款本金[amount:2.3万]，利息另算。",
    "一共欠了[amount:两万三]，逾期5天了。",
    "账单全额是[amount:23000元]，最低还款[amount:2300元]。",
    "你爱人[name:范丽华]的电话我们也有，是[phone:186 2345 7789]。",
    "收件地址写[address:四川省成都市武侯区科华北路65号世外桃源广场A座1203室]。",
    "您在第3期和第4期都是按时还的，这期晚了2天。",
    "分12期的话每期是[amount:一千零二十元]。",
    "我是工号3172的客服，您可以拨打95588核实。",
    "请于11月25号之前还款，逾期会产生罚息。",
    "[name:欧阳国庆]先生，您儿子[name:欧阳磊]最近联系得上吗？",
    "紧急联系人[name:彭亮]，手机[phone:15912348765]。",
    "还款账户[bank_card:CARD(622202,19,1)]，开户行工商银行南山支行。",
    "身份证[id_card:ID(510107,19920530,016)]，名字是[name:邓春梅]。",
    "你家不就在[address:黑龙江省哈尔滨市道里区安静街9号2单元601]吗？",
    "[name:刘]先生，为了核实身份，麻烦您报一下身份证后四位。",
    "我老公[name:杜明]在旁边，我让他接电话。",
    "打到我单位座机[phone:(010)6552 8899]找前台就行。",
    "他在我们平台借了[amount:八千块]，留的就是这个号。",
    "现在连本带息是[amount:一万二千六百元]。",
    "卡号[bank_card:CARD(621483,16,0)]，招行的信用卡。",
    "新卡号是[bank_card:CARD(625807,16,1)]，上个月刚换的。",
    "我叫[name:陈嘉欣]，电话[phone:137 2468 1357]，住[address:广东省广州市天河区体育西路101号维多利广场B座2305]。",
    "这个月是第5期，还剩7期。",
    "2026年11月21日之前请登录APP确认签约。",
    "[name:马小军]，你这笔借款逾期五十天了。",
    "你妈妈[name:张桂兰]阿姨是不是住在[address:河南省周口市川汇区七一路88号金色港湾小区12号楼1单元302室]？",
    "转账的话打到[bank_card:CARD(622700,19,0)]这个账户，户名[name:孙悦]。",
    "回拨号码[phone:幺三八幺二三四五六七八]，找小周。",
    "身份证[id_card:ID(320102,19650101,417)]，户籍在[address:江苏省南京市玄武区中山路128号]。",
    "最低还款额是[amount:1280元]，全额[amount:8436.00元]。",
    "[name:韦小宝]你好，欠款[amount:4.2万]，两次催收都没还。",
    "我跟你说了，我手机是[phone:152-0011-2233]，别打我家里。",
    "他同事[name:钱志伟]说他今天请假了。",
    "审批编号XH20261124088，请核对。",
    "还款日是每月10号，宽限期3天。",
    "逾期90天以上会报送征信。",
    "[name:郝永强]先生，您的卡欠款[amount:一万四千三]，逾期六十一天了。",
    "证件号码[id_card:IDX(330106,19901111)]，请确认。",
    "你是[name:王磊]吧？你朋友[name:曹宇]把你填成了紧急联系人。",
    "地址是[address:北京市朝阳区建国路93号万达广场6号楼1801室]，寄到这里就行。",
    "还款[amount:960元]已经到账了。",
    "我这边登记的电话是[phone:021-6432 1188]，是您家里的吧？",
    "他那张卡[bank_card:CARD(622588,16,1)]已经停用了。",
    "我借了[amount:五千]，本金还剩[amount:四千二]。",
    "[name:林美玲]女士，审批结果是结清本金[amount:15200元]。",
    "你住[address:湖北省武汉市洪山区珞喻路1037号华中小区5栋3单元402]，我们都知道。",
    "身份证号[id_card:ID(370202,20000229,058)]，是我女儿的。",
    "[name:蒋红梅]女士吗？我是明德资产管理公司的调解员。",
    "我手机号[phone:199 8765 4321]，微信同号。",
    "第2次提醒：请在3日内处理。",
    "工资卡是[bank_card:CARD(623058,19,0)]，每个月15号发工资。",
    "你那笔[amount:5200元]的借款已经逾期四十天了，[name:陆佳伟]。",
    "您父亲[name:莫国华]的电话打不通，麻烦转告。",
    "我家在[address:浙江省杭州市西湖区文三路259号昌地火炬大厦1号楼]后面那个小区。",
    "客服热线400-820-1234，工作日9点到18点。",
]


def build() -> list[dict]:
    rows = []
    for n, src in enumerate(SENTENCES):
        rng = random.Random(n)
        text, spans, pos = "", [], 0
        for m in re.finditer(r"\[(name|phone|id_card|bank_card|address|amount):([^\]]+)\]", src):
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
        assert "[" not in text or "]" not in text, src
        rows.append({"text": text, "spans": spans})
    return rows


def main() -> None:
    rows = build()
    out = HERE / "examples.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{out}: {len(rows)} examples, {sum(len(r['spans']) for r in rows)} spans")


if __name__ == "__main__":
    main()
