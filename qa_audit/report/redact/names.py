"""Person names: before honorifics (蒋红梅女士), in dialogue frames (我是…, 是…吗), after kinship
words, compound surnames, 姓X, 小X, jieba ``nr`` words, and every name already known for the call."""
from __future__ import annotations

import functools
import re
from typing import Optional

from qa_audit.report.redact.base import Context, RedactionResult, Recognizer

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


def surname_of(name: str) -> Optional[str]:
    """The compound (two-character) or single surname ``name`` starts with, or None."""
    if name[:2] in SURNAMES_2:
        return name[:2]
    if name[:1] in SURNAMES_1:
        return name[:1]
    return None


def plausible_name(name: str) -> bool:
    """A surname plus one or two given-name characters that are no particles, pronouns or verbs."""
    sur = surname_of(name)
    if not sur or not (len(sur) < len(name) <= len(sur) + 2):
        return False
    return not any(ch in _NOT_NAME for ch in name[len(sur):])


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
        bounds = _word_bounds(text) if self.use_jieba else None
        return [*self._before_honorifics(text), *self._in_frames(text), *self._after_kinship(text, bounds),
                *self._compound_surnames(text, bounds), *self._surname_only(text), *self._nicknames(text),
                *self._jieba_names(text), *self._known_names(text, ctx)]

    def _before_honorifics(self, text: str) -> list[RedactionResult]:
        """X先生 / X女士 …: look back up to 3 characters (4 with a compound surname) before the honorific."""
        out = []
        for m in self.HONORIFIC.finditer(text):
            r = self._name_before(text, m.start(), m.group(1))
            if r is not None:
                out.append(r)
        return out

    def _name_before(self, text: str, h: int, hon: str) -> Optional[RedactionResult]:
        """The longest plausible name ending at ``h``, where the honorific ``hon`` starts."""
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
            return self.result(text, s, h, 0.85 if len(cand) > 1 else 0.75,
                               f"<surname><given 0-2>{hon}", why, "PERSON")
        return None

    def _in_frames(self, text: str) -> list[RedactionResult]:
        """Names in the dialogue frames around a name (我是X, 是X吗, X是吧 …)."""
        out = []
        for label, rx, score in self.FRAMES:
            for m in rx.finditer(text):
                cand = m.group(1)
                if (plausible_name(cand) and cand not in _NR_STOP and cand not in HONORIFICS
                        and not (self.use_jieba and _common_word(cand, 50))):
                    out.append(self.result(text, m.start(1), m.end(1), score, rx.pattern,
                                           f"'{cand}' in a name frame ({label}) and starts with surname "
                                           f"'{surname_of(cand)}'"))
        return out

    def _after_kinship(self, text: str, bounds: Optional[frozenset[int]]) -> list[RedactionResult]:
        """A name right after a kinship word: the longest plausible one ending at a word boundary."""
        out = []
        for m in self.KIN.finditer(text):
            st = m.end()
            for n in (4, 3, 2):
                cand = text[st:st + n]
                if len(cand) < n or not plausible_name(cand) or cand in _NR_STOP:
                    continue
                if self.use_jieba and _common_word(cand, 50):
                    continue  # 朋友马上…
                if bounds is not None and st + n not in bounds:
                    continue
                out.append(self.result(text, st, st + n, 0.65, self.KIN.pattern,
                                       f"'{cand}' right after the kinship word '{m.group(0) or text[m.start():st]}' "
                                       f"and starts with surname '{surname_of(cand)}'"))
                break
        return out

    def _compound_surnames(self, text: str, bounds: Optional[frozenset[int]]) -> list[RedactionResult]:
        """A compound surname + 1-2 given-name characters ending at a word boundary."""
        out = []
        for m in self.COMPOUND.finditer(text):
            st, sur = m.start(), m.group(1)
            for n in (len(m.group(0)), len(sur) + 1):
                cand = text[st:st + n]
                if any(ch in _NOT_NAME for ch in cand[len(sur):]):
                    continue
                if bounds is not None and st + n not in bounds and n > len(sur) + 1:
                    continue
                out.append(self.result(text, st, st + n, 0.7, self.COMPOUND.pattern,
                                       f"compound surname '{sur}' + given name '{cand[len(sur):]}'"))
                break
        return out

    def _surname_only(self, text: str) -> list[RedactionResult]:
        """姓X: the surname alone."""
        out = []
        for m in self.SURNAME_ONLY.finditer(text):
            cand = m.group(1)
            sur = cand if cand in SURNAMES_2 else (cand[0] if cand[0] in SURNAMES_1 else None)
            if sur:
                out.append(self.result(text, m.start(1), m.start(1) + len(sur), 0.7, self.SURNAME_ONLY.pattern,
                                       f"surname '{sur}' after 姓"))
        return out

    def _nicknames(self, text: str) -> list[RedactionResult]:
        """小X (staff nickname)."""
        out = []
        for m in self.XIAO.finditer(text):
            g = 1 if m.group(1) else 2
            if m.group(g) in SURNAMES_1:
                out.append(self.result(text, m.start(g), m.end(g), 0.55, self.XIAO.pattern,
                                       f"小 + surname '{m.group(g)}' (nickname)"))
        return out

    def _jieba_names(self, text: str) -> list[RedactionResult]:
        """Words jieba tags as person names (part of speech nr) that start with a surname."""
        out = []
        for s, e, w in (_jieba_nr(text) if self.use_jieba else []):
            if plausible_name(w) and not text.startswith(_ORG_SUFFIXES, e):
                out.append(self.result(text, s, e, 0.55, "jieba.posseg flag nr",
                                       f"jieba tags '{w}' as a person name (nr) and it starts with "
                                       f"surname '{surname_of(w)}'"))
        return out

    def _known_names(self, text: str, ctx: Context) -> list[RedactionResult]:
        """Names known for this call (metadata, other turns), and their given names alone."""
        out = []
        for name in sorted(ctx.known_names, key=len, reverse=True):
            if len(name) < 2:
                continue
            for m in re.finditer(re.escape(name), text):
                out.append(self.result(text, m.start(), m.end(), 0.9, "known name of this call",
                                       f"'{name}' is a name known for this call (metadata or another turn)"))
            out += self._known_given_name(text, name)
        return out

    def _known_given_name(self, text: str, name: str) -> list[RedactionResult]:
        """The two-character given name of a known name, alone (not a common word), as 某某."""
        sur = surname_of(name)
        given = name[len(sur):] if sur else ""
        if len(given) != 2 or _common_word(given):
            return []
        out = []
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
