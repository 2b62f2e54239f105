"""Personal-data redaction for Chinese call transcripts (Presidio style).

Small recognizers sit in a registry (``RECOGNIZERS``); each one finds one kind of personal data and
every result explains itself: entity type, character span, score, the recognizer and the pattern or
check that fired.  ``analyze`` runs them all and resolves overlaps (higher score wins, then the longer
span); ``redact`` rewrites the text.

Entity types and their replacements:

=============  =====================================================  ==========================
PERSON         names: 某先生 / 某女士 (honorific kept), 张某 (bare name)  ``蒋红梅女士`` → ``某女士``
PHONE          mobile 1[3-9]x, landline 0xx-xxxxxxx, spoken 一三八…     ``[电话]``
ID_CARD        18 digits + ISO 7064 MOD 11-2 check digit; 15-digit old  ``[身份证号]``
BANK_CARD      16-19 digits passing the Luhn check                       ``[银行卡号]``
CARD_TAIL      尾号0915 (last digits of a card or phone)                 ``尾号****``
ADDRESS        省/市/区/路/号/小区/栋/单元/室 chains                       ``[地址]``
AMOUNT         23,456元, 两万三千四百五十六元                              ``2万-3万元`` (bucketed)
LONG_NUMBER    any other run of 9+ digits (unvalidated; low score)       ``[号码]``
=============  =====================================================  ==========================

Spoken digits (一三九零五七二八八一六, 幺, full-width digits) are read through a length-preserving
*digit view* of the text, so every numeric recognizer sees them and spans map back one to one.

Example::

    >>> from qa_audit.report.redact import redact
    >>> r = redact("您好，是蒋红梅女士吗？我的手机是13912345678。")
    >>> r.text
    '您好，是某女士吗？我的手机是[电话]。'
    >>> [(x.entity_type, x.text, x.recognizer) for x in r.results]
    [('PERSON', '蒋红梅', 'person'), ('PHONE', '13912345678', 'mobile_phone')]
"""
from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Optional

# ---------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------
# the common single-character surnames (百家姓, frequency order) and compound ones
SURNAMES_1 = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
    "覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符"
    "舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司"
    "卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙"
    "荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘"
    "满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普"
    "阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭"
    "干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
SURNAMES_2 = {"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
              "司徒", "夏侯", "轩辕", "令狐", "端木", "西门", "南宫", "独孤", "万俟", "闻人", "澹台"}
HONORIFICS = ("先生", "女士", "小姐", "老师", "阿姨", "大哥", "大姐", "师傅", "经理")
# characters that never belong to a given name here: particles, pronouns, verbs of the dialogue
_NOT_NAME = set("的了是在我你您他她它们吗呢吧啊呀嘛哦喂好请问就也都和与跟对给叫姓说这那哪个位谁有没不"
                "还欠款钱元块号月日天年期后前今昨个下来去到把被让找认识说吗么卡最，。！？、；：")
_CN_DIGITS = {"零": "0", "〇": "0", "○": "0", "一": "1", "幺": "1", "二": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_FW = {chr(0xFF10 + i): str(i) for i in range(10)}

DEFAULT_THRESHOLD = 0.5


@dataclass
class RedactionResult:
    """One piece of personal data: what, where, how sure, and why."""

    entity_type: str
    start: int
    end: int
    text: str
    score: float
    recognizer: str
    pattern: str
    explanation: str
    replacement: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Redacted:
    """Redacted text plus the results (spans refer to the ORIGINAL text)."""

    original: str
    text: str
    results: list[RedactionResult] = field(default_factory=list)


AMOUNT_MODES = ("bucket", "mask", "keep")


@dataclass
class Context:
    """What the recognizers may know beyond the text: names from the call's metadata or from
    other turns of the same call (filled by ``collect_names``), and what to do with exact amounts:
    ``bucket`` (23,456元 → 2万-3万元), ``mask`` ([金额]) or ``keep`` (not redacted)."""

    known_names: set[str] = field(default_factory=set)
    amounts: str = "bucket"

    def __post_init__(self):
        if self.amounts not in AMOUNT_MODES:
            raise ValueError(f"amounts must be one of {', '.join(AMOUNT_MODES)}, not {self.amounts!r}")


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def digit_view(text: str) -> str:
    """Same length as ``text``; spoken and full-width digits become ASCII digits."""
    return "".join(_CN_DIGITS.get(ch) or _FW.get(ch) or ch for ch in text)


def _digits(s: str) -> str:
    return re.sub(r"[^0-9Xx]", "", s)


def id_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of an 18-digit resident ID (GB 11643)."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    s = sum(int(d) * w for d, w in zip(first17, weights))
    return "10X98765432"[s % 11]


def valid_id18(num: str) -> bool:
    return (len(num) == 18 and num[:17].isdigit()
            and id_check_digit(num[:17]) == num[17].upper() and _valid_date(num[6:14]))


def _valid_date(yyyymmdd: str) -> bool:
    try:
        y, m, d = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8])
    except ValueError:
        return False
    return 1900 <= y <= 2099 and 1 <= m <= 12 and 1 <= d <= 31


def luhn_ok(num: str) -> bool:
    if not num.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(num)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def surname_of(name: str) -> Optional[str]:
    if name[:2] in SURNAMES_2:
        return name[:2]
    if name[:1] in SURNAMES_1:
        return name[:1]
    return None


def _plausible_name(name: str) -> bool:
    sur = surname_of(name)
    if not sur or not (len(sur) < len(name) <= len(sur) + 2):
        return False
    return not any(ch in _NOT_NAME for ch in name[len(sur):])


# ---------------------------------------------------------------------------------------------
# recognizers
# ---------------------------------------------------------------------------------------------
class Recognizer:
    """Base class: ``name``, ``entity_type`` and ``analyze(text, view, ctx)``."""

    name = "recognizer"
    entity_type = "?"

    def analyze(self, text: str, view: str, ctx: Context) -> list[RedactionResult]:  # pragma: no cover
        raise NotImplementedError

    def result(self, text: str, start: int, end: int, score: float, pattern: str,
               explanation: str, entity_type: str | None = None) -> RedactionResult:
        return RedactionResult(entity_type or self.entity_type, start, end, text[start:end],
                               round(score, 2), self.name, pattern, explanation)


class RegexRecognizer(Recognizer):
    """A regex on the digit view, with an optional validator that sets the score."""

    def __init__(self, name: str, entity_type: str, pattern: str, score: float,
                 validate: Callable[[str], tuple[float, str]] | None = None,
                 explanation: str = "", group: int = 0):
        self.name, self.entity_type = name, entity_type
        self.regex = re.compile(pattern)
        self.pattern, self.score, self.validate, self.explanation, self.group = (
            pattern, score, validate, explanation, group)

    def analyze(self, text, view, ctx):
        out = []
        for m in self.regex.finditer(view):
            s, e = m.span(self.group)
            score, why = self.score, self.explanation
            if self.validate:
                score, why = self.validate(m.group(self.group))
                if score <= 0:
                    continue
            out.append(self.result(text, s, e, score, self.pattern, why))
        return out


def _validate_mobile(s: str) -> tuple[float, str]:
    d = _digits(s)
    if d.startswith("86") and len(d) == 13:
        d = d[2:]
    if len(d) == 11 and re.match(r"1[3-9]", d):
        return 0.85, f"11-digit mobile number with carrier prefix {d[:3]}"
    return 0.0, ""


def _validate_landline(s: str) -> tuple[float, str]:
    d = _digits(s)
    if 10 <= len(d) <= 12 and d[0] == "0" and d[1] != "0":
        return 0.7, f"landline: area code {d[:3] if d[1] in '12' else d[:4]} + local number"
    return 0.0, ""


def _validate_id(s: str) -> tuple[float, str]:
    d = _digits(s).upper()
    if len(d) == 18:
        if valid_id18(d):
            return 0.95, "18-digit resident ID: birth date valid and ISO 7064 MOD 11-2 check digit matches"
        if _valid_date(d[6:14]) and d[:17].isdigit():
            return 0.4, ("18 characters shaped like a resident ID (valid birth date) but the check digit "
                         f"is wrong (expected {id_check_digit(d[:17])}): possibly misheard")
        return 0.0, ""
    if len(d) == 15 and d.isdigit() and _valid_date("19" + d[6:12]):
        return 0.75, "15-digit old-format resident ID: area code + valid birth date 19" + d[6:12]
    return 0.0, ""


def _validate_bank(s: str) -> tuple[float, str]:
    d = _digits(s)
    if 16 <= len(d) <= 19 and d.isdigit() and luhn_ok(d):
        return 0.9, f"{len(d)}-digit card number passing the Luhn check"
    return 0.0, ""


_SEP = r"[ \-－—]?"
_D = r"\d"


def _run(n_min: int, n_max: int, last: str = _D) -> str:
    # n digits with optional single separators between them, not glued to other digits/letters
    return rf"(?<![0-9A-Za-z]){_D}(?:{_SEP}{_D}){{{n_min - 2},{n_max - 2}}}{_SEP}{last}(?![0-9A-Za-z])"


class NameRecognizer(Recognizer):
    """Names before an honorific, names in 我是/我叫/是X吗/X是吧 frames, 姓X, 小X, jieba ``nr``
    words that start with a surname, and every occurrence of a name already known for the call."""

    name = "person"
    entity_type = "PERSON"

    def __init__(self, use_jieba: bool = True):
        self.use_jieba = use_jieba

    _hon = "|".join(HONORIFICS)
    HONORIFIC = re.compile(rf"(?=({_hon}))")
    FRAMES = [
        ("self_intro", re.compile(r"(?:我是|我叫|我姓名是|名字叫|叫做)([\u4e00-\u9fff]{2,4}?)(?=[，,。！？!?\s、]|$|吗|啊|呀|，)"), 0.7),
        ("asked_name", re.compile(r"(?:是|找|找一下|认识)([\u4e00-\u9fff]{2,4}?)(?=吗|么|嘛|本人|是吧|是吗|呢)"), 0.65),
        ("relation_name", re.compile(r"(?:找一下|认识|朋友|同事|儿子|女儿|老公|老婆|丈夫|妻子|弟弟|哥哥|姐姐|妹妹)"
                                     r"([\u4e00-\u9fff]{2,3}?)(?=吗|么|嘛|本人|是吧|是吗|呢|[，,。！？!?])"), 0.6),
        ("name_first", re.compile(r"(?:^|[，,。！？!?\s、：:])([\u4e00-\u9fff]{2,4}?)(?=是吧|是吗|今天|的信用卡|的借款|的欠款|他本人|本人|你好|您好|你那|你这)"), 0.6),
    ]
    KIN = re.compile(r"(?:父亲|母亲|爸爸|妈妈|儿子|女儿|老公|老婆|丈夫|妻子|爱人|弟弟|哥哥|姐姐|妹妹|朋友|同事|室友|同学"
                     r"|(?<=[我他她你])(?:哥|姐|弟|妹|爸|妈))"
                     r"(?=([\u4e00-\u9fff]{2,4}))")
    # compound surnames that are not also everyday words (东方, 长孙, 西门, 南宫 are left to the other frames)
    COMPOUND = re.compile("(" + "|".join(sorted(SURNAMES_2 - {"东方", "长孙", "西门", "南宫", "闻人"})) + ")"
                          r"([\u4e00-\u9fff]{1,2})")
    SURNAME_ONLY = re.compile(r"(?:姓|免贵姓)([\u4e00-\u9fff]{1,2})")
    XIAO = re.compile(r"(?<![\u4e00-\u9fff])小([\u4e00-\u9fff])(?=[，,。！？!?\s、]|$|吗|啊|工号|，)|(?:专员|经理|客服|我是|我叫)小([\u4e00-\u9fff])")

    def analyze(self, text, view, ctx):
        out: list[RedactionResult] = []
        # 1. X先生 / X女士 …: look back up to 3 characters (4 with a compound surname) before the honorific
        for m in self.HONORIFIC.finditer(text):
            h = m.start()
            hon = m.group(1)
            for n in (4, 3, 2, 1):
                s = h - n
                if s < 0:
                    continue
                cand = text[s:h]
                sur = surname_of(cand)
                if not sur or (n == 4 and len(sur) != 2):
                    continue
                if len(cand) > len(sur) and any(ch in _NOT_NAME for ch in cand[len(sur):]):
                    continue
                if hon == "经理" and len(cand) != 1:
                    continue  # 李经理: only the surname form (not 客户经理)
                why = (f"surname '{sur}' + {len(cand) - len(sur)} given-name character(s) before "
                       f"the honorific '{hon}'")
                out.append(self.result(text, s, h, 0.85 if len(cand) > 1 else 0.75,
                                       f"<surname><given 0-2>{hon}", why, "PERSON"))
                break
        # 2. frames around a name
        for label, rx, score in self.FRAMES:
            for m in rx.finditer(text):
                cand = m.group(1)
                if (_plausible_name(cand) and cand not in _NR_STOP and cand not in HONORIFICS
                        and not (self.use_jieba and _common_word(cand, 50))):
                    out.append(self.result(text, m.start(1), m.end(1), score, rx.pattern,
                                           f"'{cand}' in a name frame ({label}) and starts with surname "
                                           f"'{surname_of(cand)}'"))
        # 2b. a name right after a kinship word: the longest plausible one ending at a word boundary
        bounds = _word_bounds(text) if self.use_jieba else None
        for m in self.KIN.finditer(text):
            st = m.end()
            for n in (4, 3, 2):
                cand = text[st:st + n]
                if len(cand) < n or not _plausible_name(cand) or cand in _NR_STOP:
                    continue
                if self.use_jieba and _common_word(cand, 50):
                    continue  # 朋友马上…
                if bounds is not None and st + n not in bounds:
                    continue
                out.append(self.result(text, st, st + n, 0.65, self.KIN.pattern,
                                       f"'{cand}' right after the kinship word '{m.group(0) or text[m.start():st]}' "
                                       f"and starts with surname '{surname_of(cand)}'"))
                break
        # 2c. a compound surname + 1-2 given-name characters ending at a word boundary
        for m in self.COMPOUND.finditer(text):
            st = m.start()
            for n in (len(m.group(0)), len(m.group(1)) + 1):
                cand = text[st:st + n]
                if any(ch in _NOT_NAME for ch in cand[len(m.group(1)):]):
                    continue
                if bounds is not None and st + n not in bounds and n > len(m.group(1)) + 1:
                    continue
                out.append(self.result(text, st, st + n, 0.7, self.COMPOUND.pattern,
                                       f"compound surname '{m.group(1)}' + given name '{cand[len(m.group(1)):]}'"))
                break
        # 3. 姓X
        for m in self.SURNAME_ONLY.finditer(text):
            cand = m.group(1)
            sur = cand if cand in SURNAMES_2 else (cand[0] if cand[0] in SURNAMES_1 else None)
            if sur:
                out.append(self.result(text, m.start(1), m.start(1) + len(sur), 0.7, self.SURNAME_ONLY.pattern,
                                       f"surname '{sur}' after 姓"))
        # 4. 小X (staff nickname)
        for m in self.XIAO.finditer(text):
            g = 1 if m.group(1) else 2
            if m.group(g) in SURNAMES_1:
                out.append(self.result(text, m.start(g), m.end(g), 0.55, self.XIAO.pattern,
                                       f"小 + surname '{m.group(g)}' (nickname)"))
        # 5. jieba part of speech nr
        for s, e, w in (_jieba_nr(text) if self.use_jieba else []):
            if _plausible_name(w) and not text.startswith(_ORG_SUFFIXES, e):
                out.append(self.result(text, s, e, 0.55, "jieba.posseg flag nr",
                                       f"jieba tags '{w}' as a person name (nr) and it starts with "
                                       f"surname '{surname_of(w)}'"))
        # 6. names known for this call (metadata, other turns), and their given names alone
        for name in sorted(ctx.known_names, key=len, reverse=True):
            if len(name) < 2:
                continue
            for m in re.finditer(re.escape(name), text):
                out.append(self.result(text, m.start(), m.end(), 0.9, "known name of this call",
                                       f"'{name}' is a name known for this call (metadata or another turn)"))
            sur = surname_of(name)
            given = name[len(sur):] if sur else ""
            if len(given) == 2 and not _common_word(given):
                for m in re.finditer(re.escape(given), text):
                    if text[max(0, m.start() - len(sur)):m.start()] == sur:
                        continue  # part of the full name, found above
                    r = self.result(text, m.start(), m.end(), 0.75, "given name of a known name",
                                    f"'{given}' is the given name of '{name}', a name known for this call")
                    r.replacement = "某某"
                    out.append(r)
        return out


_JIEBA = None
_ORG_SUFFIXES = ("银行", "消费", "公司", "贷", "金融", "资产", "集团", "分期", "花", "借", "平台", "中心", "支队")
# words jieba tags nr that are common words here
_JIEBA_FREQ: dict[str, int] = {}
_NR_STOP = {"阿姨", "阿叔", "大哥", "大姐", "师傅", "老板", "谢谢", "明白", "阿姨", "周转", "方式", "公安", "惠民", "明珠", "高兴", "常常", "连续", "江湖",
            "金额", "万一", "于是", "和平", "安全", "平安", "高速", "齐全", "文明", "成功", "黄金"}


@functools.lru_cache(maxsize=8192)
def _word_bounds(text: str) -> frozenset[int]:
    """Character offsets where jieba puts a word boundary."""
    _jieba_nr("")
    import jieba

    out, pos = {0}, 0
    for w in jieba.cut(text):
        pos += len(w)
        out.add(pos)
    return frozenset(out)


def _common_word(w: str, min_freq: int = 1000) -> bool:
    """A dictionary word that jieba does not tag as a name (周末, 明白) and is used at least min_freq."""
    _jieba_nr("")
    return _JIEBA_FREQ.get(w, 0) >= min_freq and not _JIEBA.dt.word_tag_tab.get(w, "").startswith("nr")


def _has_common_word(w: str) -> bool:
    """'银行卡', '段时间': a common non-name word inside the candidate."""
    tags = _JIEBA.dt.word_tag_tab if _JIEBA is not None else {}
    for i in range(len(w) - 1):
        for j in range(i + 2, len(w) + 1):
            sub = w[i:j]
            if sub != w and _JIEBA_FREQ.get(sub, 0) > 1000 and not tags.get(sub, "").startswith("nr"):
                return True
    return False


@functools.lru_cache(maxsize=8192)
def _jieba_nr(text: str) -> list[tuple[int, int, str]]:
    global _JIEBA, _JIEBA_FREQ
    if _JIEBA is None:
        import logging

        import jieba
        import jieba.posseg

        jieba.setLogLevel(logging.WARNING)
        jieba.dt.check_initialized()
        _JIEBA_FREQ = jieba.dt.FREQ
        _JIEBA = jieba.posseg
    out, pos = [], 0
    for w, flag in _JIEBA.cut(text):
        if (flag == "nr" and len(w) >= 2 and w not in _NR_STOP and not w.endswith(HONORIFICS)
                and _JIEBA_FREQ.get(w, 0) <= 300 and not _has_common_word(w)):
            out.append((pos, pos + len(w), w))
        pos += len(w)
    return out


# address components (CJK chars are \w, so the name classes exclude function characters explicitly)
_NC = r"[^\W\d_省市的了是在我你您他她们就也和与跟吗呢吧啊哪个这那有没不去到来住找把被让给要会能可]"
_NUM = r"[\d一二三四五六七八九十百零〇两]"
PROVINCES = ("北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|"
             "海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门")
_ADDR_PARTS = [
    rf"(?:{PROVINCES})(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)?",
    rf"{_NC}{{2,6}}?市(?!场|民|面)",
    rf"{_NC}{{2,6}}?(?:区|县)(?!域|别)",
    rf"{_NC}{{2,6}}?(?:镇|乡|街道)",
    rf"{_NC}{{1,8}}?(?:大道|路|街|巷|弄|胡同)(?:{_NUM}+号)?",
    rf"{_NUM}+号(?:院|楼)?",
    rf"{_NC}{{2,8}}?(?:小区|花园|家园|公寓|大厦|新村|社区|广场|大楼|花苑|苑|里)",
    rf"(?:{_NUM}+|[A-Za-z])(?:栋|幢|号楼|座)",
    rf"{_NUM}+单元",
    rf"{_NUM}+(?:室|楼|层)",
    r"(?<=[单元座栋幢楼])\d{3,4}(?![\d号])",
]
_ADDR = re.compile("(?:" + "|".join(_ADDR_PARTS) + "){2,}")


class AddressRecognizer(Recognizer):
    """Two or more consecutive address parts: 省/市/区县/镇/路街+号/号/小区苑/栋/单元/室."""

    name = "address"
    entity_type = "ADDRESS"

    def analyze(self, text, view, ctx):
        out = []
        for m in _ADDR.finditer(text):
            parts = [p for p in re.findall("|".join(f"(?:{p})" for p in _ADDR_PARTS), m.group(0))]
            n = max(2, len(parts))
            score = min(0.95, 0.55 + 0.1 * n)
            out.append(self.result(text, m.start(), m.end(), score, "(省|市|区|镇|路+号|号|小区|栋|单元|室){2,}",
                                   f"{n} consecutive address parts: {' / '.join(parts)}"))
        return out


_CN_AMOUNT = r"[零一二三四五六七八九十百千万亿两]+"
_AMOUNT = re.compile(
    rf"(?:(?<![\d.])\d{{1,3}}(?:[,，]\d{{3}})+(?:\.\d+)?|(?<![\d.])\d+(?:\.\d+)?|{_CN_AMOUNT})(万)?(元|块钱|块[一二三四五六七八九]?)(整)?"
    # no unit: a number with a magnitude (千/万): 三千五, 两万三, 2.3万, 一万四千三
    rf"|(?<![\d.零一二三四五六七八九十百千万两])(?:\d+(?:\.\d+)?万|[零一二三四五六七八九十百两]*[一二三四五六七八九两][千万][零一二三四五六七八九十百千万两]*)"
    r"(?:多|余)?(?!多?[\d个天号人次期年月日周分秒点倍家米里岁名位张笔条])")


def parse_amount(s: str) -> Optional[float]:
    s = s.replace(",", "").replace("，", "")
    s = re.sub(r"(整|多|余)$", "", s)
    m = re.search(r"块([一二三四五六七八九])$", s)
    jiao = "一二三四五六七八九".index(m.group(1)) + 1 if m else 0
    s = re.sub(r"(元|块钱|块[一二三四五六七八九]?)$", "", s)
    try:
        if re.fullmatch(r"\d+(?:\.\d+)?万?", s):
            return float(s.rstrip("万")) * (10000 if s.endswith("万") else 1) + jiao / 10
        import cn2an

        return float(cn2an.cn2an(s.replace("两", "二"), "smart")) + jiao / 10
    except Exception:
        return None


def bucket_amount(v: float) -> str:
    """23456 → '2万-3万元'; 2350 → '2千-3千元'; 486 → '1千元以下'."""
    if v >= 10000:
        lo = int(v // 10000)
        return f"{lo}万-{lo + 1}万元"
    if v >= 1000:
        lo = int(v // 1000)
        return f"{lo}千-{lo + 1}千元" if lo < 9 else "9千-1万元"
    return "1千元以下"


class AmountRecognizer(Recognizer):
    """Exact money amounts ending in 元/块: digits (with thousands commas) or Chinese numerals."""

    name = "amount"
    entity_type = "AMOUNT"

    def analyze(self, text, view, ctx):
        out = []
        if ctx.amounts == "keep":
            return out
        for m in _AMOUNT.finditer(text):
            v = parse_amount(m.group(0))
            if v is None or v <= 0:
                continue
            r = self.result(text, m.start(), m.end(), 0.6, _AMOUNT.pattern,
                            f"money amount {v:g} 元" + (f" → bucket {bucket_amount(v)}" if ctx.amounts == "bucket" else ""))
            r.replacement = bucket_amount(v) if ctx.amounts == "bucket" else "[金额]"
            out.append(r)
        return out


RECOGNIZERS: list[Recognizer] = [
    NameRecognizer(),
    RegexRecognizer("mobile_phone", "PHONE", r"(?<![0-9A-Za-z])(?:\+?86[ \-]?)?1[3-9]\d(?:[ \-－—]?\d){8}(?![0-9A-Za-z])",
                    0.85, _validate_mobile),
    RegexRecognizer("landline_phone", "PHONE", r"(?<![0-9A-Za-z])(?:\(0\d{2,3}\)|0\d{2,3})[ \-－—]?[2-9]\d{2,3}[ \-－—]?\d{4}(?![0-9A-Za-z]|[ \-]\d)",
                    0.7, _validate_landline),
    RegexRecognizer("resident_id", "ID_CARD", _run(15, 18, r"[\dXx]"), 0.95, _validate_id),
    RegexRecognizer("bank_card", "BANK_CARD", _run(16, 19), 0.9, _validate_bank),
    RegexRecognizer("card_tail", "CARD_TAIL", r"(?:尾号|末四位|后四位(?:是)?)(?:是)?(\d{3,4})(?![0-9])", 0.7,
                    None, "last digits of a card/phone after 尾号", group=1),
    RegexRecognizer("long_number", "LONG_NUMBER", r"(?<![0-9A-Za-z])\d(?:[ \-]?\d){8,}(?![0-9])", 0.3,
                    None, "unvalidated run of 9+ digits (could be an account, card or phone number)"),
    AddressRecognizer(),
    AmountRecognizer(),
]

REPLACEMENTS = {"PHONE": "[电话]", "ID_CARD": "[身份证号]", "BANK_CARD": "[银行卡号]", "CARD_TAIL": "****",
                "ADDRESS": "[地址]", "AMOUNT": "[金额]", "LONG_NUMBER": "[号码]"}


def _person_replacement(text: str, r: RedactionResult) -> str:
    after = text[r.end:r.end + 2]
    if any(after.startswith(h) for h in HONORIFICS) or text[r.start - 1:r.start] in ("姓", "小"):
        return "某"
    sur = surname_of(r.text)
    if sur and len(r.text) > len(sur):
        return sur + "某"
    return "某"


def analyze(text: str, ctx: Context | None = None, *, threshold: float = DEFAULT_THRESHOLD,
            entities: Iterable[str] | None = None,
            recognizers: list[Recognizer] | None = None) -> list[RedactionResult]:
    """All results at or above ``threshold``, overlaps resolved, sorted by start."""
    ctx = ctx or Context()
    view = digit_view(text)
    wanted = set(entities) if entities else None
    cands: list[RedactionResult] = []
    for rec in recognizers or RECOGNIZERS:
        for r in rec.analyze(text, view, ctx):
            if r.score >= threshold and r.end > r.start and (wanted is None or r.entity_type in wanted):
                cands.append(r)
    cands.sort(key=lambda r: (-r.score, -(r.end - r.start), r.start))
    chosen: list[RedactionResult] = []
    for r in cands:
        if all(r.end <= c.start or r.start >= c.end for c in chosen):
            chosen.append(r)
    chosen.sort(key=lambda r: r.start)
    for r in chosen:
        if not r.replacement:
            r.replacement = _person_replacement(text, r) if r.entity_type == "PERSON" else REPLACEMENTS.get(r.entity_type, "[隐去]")
    return chosen


def apply(text: str, results: list[RedactionResult]) -> str:
    out, pos = [], 0
    for r in sorted(results, key=lambda r: r.start):
        out.append(text[pos:r.start])
        out.append(r.replacement)
        pos = r.end
    out.append(text[pos:])
    return "".join(out)


def redact(text: str, ctx: Context | None = None, *, threshold: float = DEFAULT_THRESHOLD,
           entities: Iterable[str] | None = None) -> Redacted:
    results = analyze(text, ctx, threshold=threshold, entities=entities)
    return Redacted(text, apply(text, results), results)


# ---------------------------------------------------------------------------------------------
# whole calls
# ---------------------------------------------------------------------------------------------
NAME_KEYS = ("debtor_name", "customer_name", "name", "contact_name", "debtor", "customer", "姓名",
             "客户姓名", "联系人姓名", "agent_name")


def collect_names(call, threshold: float = 0.6) -> set[str]:
    """Names known for a call: metadata name fields plus confident full names found in any turn."""
    names: set[str] = set()
    md = getattr(call, "metadata", None) or {}
    for k in NAME_KEYS:
        v = md.get(k)
        if isinstance(v, str) and 2 <= len(v.strip()) <= 6:
            names.add(v.strip())
    rec = NameRecognizer()
    for seg in call.segments:
        for r in rec.analyze(seg.text, seg.text, Context()):
            if r.score >= threshold and len(r.text) >= 2 and _plausible_name(r.text):
                names.add(r.text)
    return names


def redact_call(call, *, threshold: float = DEFAULT_THRESHOLD, amounts: str = "bucket"):
    """A redacted copy of ``call`` (text and metadata) and the results per segment index.

    Metadata is dropped except harmless keys (team); names found anywhere in the call are redacted
    everywhere in it.
    """
    import copy

    ctx = Context(known_names=collect_names(call), amounts=amounts)
    out = copy.deepcopy(call)
    per_seg: dict[int, list[RedactionResult]] = {}
    for i, seg in enumerate(out.segments):
        res = analyze(seg.text, ctx, threshold=threshold)
        per_seg[i] = res
        seg.text = apply(seg.text, res)
        seg.words = None  # word texts would leak the original
        seg.extra = {}
    out.metadata = {k: v for k, v in (call.metadata or {}).items() if k in ("team",)}
    return out, per_seg


def span_times(seg, start: int, end: int) -> tuple[float, float]:
    """Audio time of characters [start, end) of a segment: word timestamps when the segment has
    ``words`` (aligned by their text), else proportional within the segment."""
    text = seg.text
    if seg.words:
        spans = []  # (char_start, char_end, word)
        pos = 0
        for w in seg.words:
            wt = (w.word or "").strip()
            if not wt:
                continue
            k = text.find(wt, pos)
            if k < 0:
                spans = []
                break
            spans.append((k, k + len(wt), w))
            pos = k + len(wt)
        hit = [w for (a, b, w) in spans if a < end and b > start]
        if spans and hit:
            return float(min(w.start for w in hit)), float(max(w.end for w in hit))
    n = max(1, len(text))
    dur = max(0.0, float(seg.end) - float(seg.start))
    return float(seg.start) + dur * start / n, float(seg.start) + dur * end / n
