"""Addresses: two or more consecutive parts (省/市/区县/镇/路街+号/号/小区苑/栋/单元/室)."""
from __future__ import annotations

import re

from qa_audit.report.redact.base import Recognizer

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
