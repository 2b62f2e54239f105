"""Impersonation rules (IMPERSON-*): posing as an authority, false claims of a filed case."""
from __future__ import annotations

from qa_audit.detect.rules._common import BASIS_CONVENTION, LexiconRule
from qa_audit.detect.rules.registry import register


@register
class Imperson001(LexiconRule):
    """Claims to be, or to speak for, police, court, procuratorate, government or a law firm.

    **Bad**::

        agent: 我现在就是代表经侦支队跟你做最后一次沟通。
        agent: 今天是代表人民法院跟您做诉前调解。

    **Good**::

        agent: 我们不是法院，也不是公安，是受银行委托的催收机构。
    """

    code = "IMPERSON-001"
    name = "authority-impersonation"
    category = "impersonation"
    severity = "critical"
    basis = BASIS_CONVENTION + "（不得冒充公检法、政府机关或律师）；《治安管理处罚法》第五十一条"
    message = "坐席冒充或假借公检法、政府、律师名义"
    reason_template = "冒充或假借公检法、政府机关、律师的名义"


@register
class Imperson002(LexiconRule):
    """False claim that a case is already filed (已经立案, 案号, 传票, 撤案, 跟法官说).

    **Bad**::

        agent: 法院也已经立案了，案号是2026民初4781号，传票这几天就寄到。

    **Good**::

        agent: 如果长期不还款，我行保留依法向法院提起诉讼的权利。
    """

    code = "IMPERSON-002"
    name = "false-case-claim"
    category = "impersonation"
    severity = "high"
    basis = BASIS_CONVENTION + "（不得虚构诉讼、立案等法律状态）"
    message = "坐席虚称已立案、已起诉或能左右司法程序"
    reason_template = "虚称已经立案、起诉，或称能左右司法程序"
