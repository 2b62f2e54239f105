"""Write samples/notices/*.txt and labels.jsonl from the marked-up notices below.

A violation is marked {T:words} (T threat, A abuse, D third_party_disclosure, W unauthorized_waiver,
I impersonation) and a notice that never names the sending institution carries NOSELF.  The label's
``segment`` is the 0-based index of the non-empty line that holds the quote.
Run:  python samples/notices/build.py
"""
from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
CODES = {"T": "threat", "A": "abuse", "D": "third_party_disclosure", "W": "unauthorized_waiver",
         "I": "impersonation"}
MARK = re.compile(r"\{([TADWI]):([^{}]+)\}")

NOTICES = [
("N001", "compliant: bank SMS reminder naming the bank, amount, due date and official channels", False, """
【瑞丰银行】尊敬的周先生，您尾号6621的信用卡本期账单应还8436.00元，最低还款1280.00元，已逾期3天。
请尽快通过瑞丰银行APP或网银还款，逾期将按合同产生利息及违约金，并可能影响您的个人信用记录。
如已还款请忽略本短信。咨询请拨打客服热线。
"""),
("N002", "hard negative: formal reminder letter; lawful consequences stated factually (征信, 依法起诉 reserved) with the bank's name", False, """
还款提醒函
尊敬的胡海涛先生：
您在瑞丰银行办理的尾号3301信用卡截至2026年11月20日欠款人民币36200元，已逾期92天。
根据《征信业管理条例》，逾期信息将如实报送金融信用信息基础数据库。
如您长期未履行还款义务，我行保留依照合同约定及法律规定提起诉讼的权利。
如您有还款困难，可通过我行APP“还款困难申请”提交个性化分期申请，经审批后以审批结果为准。
瑞丰银行信用卡中心
2026年11月21日
"""),
("N003", "threat + no_self_identification: anonymous SMS threatening a workplace visit and messaging the whole contact list", True, """
孙浩你好，你的借款已严重逾期，今天是最后通知。
{T:今晚十点前不还，明天我们的人直接去你公司前台等你}。
{T:你通讯录里的亲戚朋友我们会挨个通知，让大家看看你是什么人}。
别逼我们。
"""),
("N004", "third_party_disclosure: letter addressed to the debtor's mother revealing the loan, overdue days and amount", False, """
致王秀英女士：
您好！我们是华信消费金融贷后服务部。
{D:您的儿子李强于2026年3月在我司办理消费分期贷款，现已逾期85天，尚欠本息合计人民币12680元}。
{D:请您督促李强尽快归还欠款}，以免影响其个人征信。
华信消费金融贷后服务部
2026年11月18日
"""),
("N005", "impersonation: SMS styled as a court summons from a people's court, sent by a collector, claiming a case is filed", False, """
{I:【南山区人民法院】传票通知}：钱志伟，{I:你涉嫌恶意透支一案已于2026年11月15日立案受理，案号（2026）粤0305民初9912号}。
{I:请于三日内到本院执行局报到，逾期将依法拘传}。
如已与东兴银行达成还款，请致电该行信用卡中心撤案。
"""),
("N006", "hard negative: notice of an approved penalty waiver quoting its approval number and the conditions", False, """
【佳和消费金融】尊敬的林美玲女士，您申请的罚息减免已审批通过，审批编号JH20261121033。
请于2026年11月25日前一次性结清本金15200元，逾期利息及罚息2060元予以减免；逾期未足额还款则审批自动失效。
详情请登录佳和消费金融APP消息中心查看。
"""),
("N007", "unauthorized_waiver: an agent's personal SMS promising a 50% cut and principal-only settlement 'privately arranged'", False, """
黄先生您好，我是快牛借款贷后专员小丁。
{W:我私下给您争取了一个名额，本周内只还本金9800元，利息罚息全部免掉}。
{W:不用提交任何材料，我这边直接给您结清}，名额有限，请速回电。
"""),
("N008", "abuse + threat: insulting SMS (老赖, 不得好死) with a threat to paste notices at the debtor's home", False, """
王大鹏，小鹿微贷提醒你：1800元拖了三个月。
{A:你这个老赖，借钱不还不得好死}。
{T:明天不还，我们把你欠钱的告示贴到你家单元门口}。
"""),
("N009", "hard negative: SMS to an emergency contact asking only that the person call back, no debt details", False, """
【汇通银行】于海洋先生您好，我行有事务需与于海波先生本人联系，烦请转告其回电。
回电号码为本行客服热线，感谢您的协助。
"""),
("N010", "hard negative: notice stating the company does not visit or contact relatives and warning about fraudsters posing as courts", False, """
【安心花】尊敬的邹女士，您的借款本期应还3960元，已逾期12天，请尽快在APP内还款。
我司不会上门催收，不会联系您的亲友或单位，也不会要求您向任何个人账户转账。
如有人冒充法院、律师或我司工作人员要求转账，请拒绝并报警。
"""),
("N011", "threat: formal-looking demand letter with exaggerated consequences (children's schooling, family blacklisted) and announced visits", False, """
催告函
陶建华先生：
您在汇通银行信用卡欠款26800元，已逾期120天。
{T:如七日内仍不还款，您的子女将无法报考公务员及进入重点学校，全家列入失信黑名单}。
{T:我中心将派员到您单位及住所地走访，向您的同事、邻居了解情况}。
汇通银行信用卡中心
"""),
]


def main() -> None:
    for old in HERE.glob("N*.txt"):
        old.unlink()
    labels = []
    for nid, note, noself, body in NOTICES:
        lines = [l for l in body.strip().splitlines() if l.strip()]
        violations, plain_lines = [], []
        for i, line in enumerate(lines):
            for m in MARK.finditer(line):
                violations.append({"category": CODES[m[1]], "segment": i, "quote": m[2]})
            plain_lines.append(MARK.sub(lambda m: m[2], line))
        if noself:
            violations.append({"category": "no_self_identification", "segment": None, "quote": ""})
        (HERE / f"{nid}.txt").write_text("\n".join(plain_lines) + "\n", encoding="utf-8")
        labels.append({"call_id": nid, "violations": violations, "note": note})
    (HERE / "labels.jsonl").write_text(
        "".join(json.dumps(l, ensure_ascii=False) + "\n" for l in labels), encoding="utf-8")
    print(f"notices: {len(labels)}")


if __name__ == "__main__":
    main()
