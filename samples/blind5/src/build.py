#!/usr/bin/env python3
"""Build the blind5 evaluation set deterministically.

All 70 calls are written below as data.  Each segment is a string "A|text" (agent) or
"C|text" (customer, i.e. whoever answered).  Labelled spans are marked inline as
{code:quoted text} or {code1+code2:quoted text}; the braces are stripped from the
transcript and the quoted text becomes the label's `quote`, so every quote is an exact
substring of its segment by construction.

Codes: cp contact_pressure, cr complaint_risk, vc vulnerable_customer,
vp vulnerable_pressure, th threat, ab abuse, tpd third_party_disclosure,
uw unauthorized_waiver, imp impersonation.  A call-level "nsi": True adds a
no_self_identification label (segment null, quote "").

Usage: python3 src/build.py [--out DIR]   (default: the blind5 directory)
"""
import json
import os
import random
import re
import sys
from datetime import datetime, timedelta

CODES = {
    "cp": "contact_pressure",
    "cr": "complaint_risk",
    "vc": "vulnerable_customer",
    "vp": "vulnerable_pressure",
    "th": "threat",
    "ab": "abuse",
    "tpd": "third_party_disclosure",
    "uw": "unauthorized_waiver",
    "imp": "impersonation",
}
NEW = ["contact_pressure", "complaint_risk", "vulnerable_customer", "vulnerable_pressure"]
OLD = ["threat", "abuse", "third_party_disclosure", "unauthorized_waiver",
       "impersonation", "no_self_identification"]

# ---------------------------------------------------------------------------
# The calls.  kind: cp / cr / vc / hn (hard negative for the new categories)
# asr: True when the transcript carries ASR-like noise on purpose.
# ---------------------------------------------------------------------------
CALLS = [
# ======================= contact_pressure =======================
dict(id="G0001", rel="contact", inst="澄江银行", asr=False,
 note="contact_pressure: friend listed as emergency contact is told 紧急联系人就有义务 and pressed three times after declining; the debt is disclosed to him",
 segs=[
 "A|喂，您好，请问是郑晓东先生吗？我这边是澄江银行信用卡中心的，工号3318，我姓曹。",
 "C|是我，什么事？",
 "A|郑先生，您是刘志鹏的紧急联系人对吧？他在我们这儿的卡{tpd:已经逾期两个多月了，欠款一万三千四百块}。",
 "C|啊？我跟他就是以前的同学，好多年没联系了，他填我电话我都不知道。",
 "A|不管联系不联系，{cp:您既然是紧急联系人，就有义务帮他把这笔钱还上}。",
 "C|没这个道理吧，我又没签什么字，他欠的钱跟我有什么关系。",
 "A|{cp:您先帮他垫个最低还款，今天下午转进来，这事就先缓一缓}。",
 "C|我不垫，你们自己找他去。",
 "A|{cp:郑先生，您这样推就不对了，联系人就是要承担责任的，您不还那只能一直找您}。",
 "C|你们这是什么逻辑，我挂了。",
 "A|那您再考虑一下，我明天再给您打。",
 ]),
dict(id="G0002", rel="contact", inst="鼎丰消费金融", asr=True,
 note="contact_pressure: wife told the loan is 夫妻共同债务 and pressed three times to pay from household money (ASR noise: no punctuation, 预期/换款, digits, 說)",
 segs=[
 "A|喂你好是王建军的爱人吗我这边是鼎丰消费金融贷后部的小孙",
 "C|是啊我是他老婆咋了",
 "A|王建军在我们这边的借款{tpd:已经预期47天了一共欠款8650}他电话一直不接",
 "C|他的事我不清楚啊我们俩各管各的钱",
 "A|{cp:你们是两口子这个是夫妻共同债务你也有责任换款的}",
 "C|他借钱又没跟我说我凭啥还",
 "A|{cp:那不行啊大姐你今天先换个两千进来不然这个事没完}",
 "C|我没钱你找他本人去",
 "A|{cp:你家里钱不都是一起的嘛你从家里拿一点先垫上就行了}",
 "C|我不跟你說了",
 "A|那你让他今天给我回个电话",
 ]),
dict(id="G0003", rel="contact", inst="栖霞银行", asr=False,
 note="contact_pressure: retired mother told 您替他把这个钱还了，我们就不再找您了 (leaving her alone conditional on paying); debt disclosed",
 segs=[
 "A|喂，阿姨您好，我是栖霞银行信用卡中心的，请问您是陈浩的母亲吗？",
 "C|是啊，我是他妈，浩浩怎么了？",
 "A|阿姨，陈浩在我们行办的信用卡{tpd:欠了两万一千多，已经三个月没还了}，我们一直联系不上他。",
 "C|哎呀，这孩子，他没跟我说过啊。",
 "A|阿姨，您是他妈妈，这事您得管一管。{cp:您替他把这个钱还了，我们就不再找您了}。",
 "C|我一个退休的，哪有两万块钱啊，你们找他去嘛。",
 "A|{cp:不用一次全还，您先还五千，剩下的慢慢来，只要您这边先还上，电话就不会再打到您这儿}。",
 "C|我得问问他再说，我不能随便给钱的。",
 "A|行，那您尽快问，我后天再联系您。",
 "C|好好，我知道了。",
 ]),
dict(id="G0004", rel="contact", inst="云帆贷", asr=False,
 note="contact_pressure + complaint_risk: colleague pressed to pay and told calls stop only if he pays; he threatens 12378 and asks for the complaint number",
 segs=[
 "A|喂，你好，是马骁吗？我是云帆贷的，找一下你同事邓凯。",
 "C|我是马骁，邓凯今天没来上班，你有什么事？",
 "A|{tpd:邓凯在我们云帆贷借了六千，逾期一个多月了}，他填的紧急联系人是你。",
 "C|啊？这我不知道，我们就是一个部门的，平时也不怎么说话。",
 "A|{cp:那你们同事之间帮个忙，你先替他还了，回头你找他要}。",
 "C|凭什么我替他还？我跟他又不熟。",
 "A|{cp:你不还我们就天天打到你这里，你自己看着办，还了就不打了}。",
 "C|你这是骚扰，{cr:我现在就打12378投诉你们}。",
 "A|马先生，您别激动，我也是工作。{cp:你就帮他先还一部分，我们也好交差}。",
 "C|不还。{cr:把你们公司的投诉电话给我}。",
 "A|我们的客服热线是4006-218-770，您可以拨打。",
 "C|好，你等着吧。",
 ]),
dict(id="G0005", rel="unknown", inst="随心借", asr=False, nsi=True,
 note="contact_pressure on a wrong number: the stranger is told he must take responsibility and that the number will be called until someone pays; debt disclosed; the agent never names the institution",
 segs=[
 "A|喂，是孙立伟吗？",
 "C|不是，你打错了。",
 "A|这个号码是孙立伟登记的联系电话，你认识他吧？",
 "C|不认识，这号我用了两年了。",
 "A|{tpd:孙立伟借的钱到现在都没还，快半年了}，他留的就是这个号。",
 "C|那是他的事，跟我有啥关系，我真不认识他。",
 "A|{cp:这号码登记在他资料里，你用这个号你就得负责，要么你让他还钱，要么你先帮他还}。",
 "C|你有病吧？我上哪儿认识他去？",
 "A|{cp:那我们就只能一直打这个号码，什么时候有人还钱什么时候停}。",
 "C|你再打我就拉黑了。",
 "A|随你，{cp:反正我们每天都会打}。",
 ]),
dict(id="G0006", rel="contact", inst="长汀农商银行", asr=True,
 note="contact_pressure: brother falsely told 你是他的担保人你就得换 although he never signed; pressed three times (ASR noise: 换/換款, 這個, 給, 別, digits)",
 segs=[
 "A|喂你好是李文涛吗这边是长汀农商银行的贷款回收岗我姓蒋",
 "C|是我啥事",
 "A|你弟弟李文斌在我们行的经营贷{tpd:逾期三个月了本金还有4万2没还}",
 "C|他的事他自己处理我管不了",
 "A|{cp:你是他的担保人你就得换你躲不掉的}",
 "C|我啥时候给他担保了我从来没签过字",
 "A|{cp:当时他的资料里写了你的名字那就是担保人你就有换款的义务}",
 "C|写个名字就是担保人啊你別糊弄我我没签任何合同",
 "A|{cp:反正这个钱你得先出一部分這個月先换一万}",
 "C|我不可能給他还的你们去法院告他吧",
 "A|那你最起码让他给我回个电话",
 "C|行我说一声",
 ]),
dict(id="G0007", rel="contact", inst="北辰银行", asr=False,
 note="contact_pressure: father told the bank will call him every day until the family pays and that as the father he must pay",
 segs=[
 "A|喂，您好，是黄大爷吗？我是北辰银行信用卡中心的小冯。",
 "C|是，我是黄德明，你找谁？",
 "A|黄大爷，黄磊是您儿子吧？他的卡{tpd:欠了我们一万七，逾期快四个月了}。",
 "C|他都三十多岁了，早就分开过了，他的事我不清楚。",
 "A|他电话打不通，家里总得有人出面解决。{cp:您是他爸，您先帮他把这个月的还了}。",
 "C|我不还，我跟他说了多少回了，让他自己负责。",
 "A|{cp:那我们只能每天给您打，一直打到你们家有人还钱为止}。",
 "C|你们这不是欺负老实人吗？",
 "A|不是欺负您，是这钱总得有人还。{cp:您是当爹的，他不还您就得替他还}。",
 "C|我不管了，你爱打就打。",
 "A|那您让黄磊尽快跟我们联系。",
 ]),
dict(id="G0008", rel="contact", inst="瀚海消费金融", asr=False,
 note="contact_pressure + complaint_risk: sister pressed to pay for her brother and told she will be contacted until the money is sorted; she says she recorded the call and will complain to 银保监会",
 segs=[
 "A|您好，请问是周静女士吗？我是瀚海消费金融的催收专员，工号H2076。",
 "C|我是，有事吗？",
 "A|周女士，您哥哥周勇{tpd:在我们这儿有一笔一万零八百的贷款，逾期七十多天了}。",
 "C|我哥的事你找我干什么？",
 "A|{cp:他不接电话，您是他妹妹，您就代他先还一下，家里人总不能看着不管吧}。",
 "C|我不会替他还的，他多大的人了。",
 "A|{cp:周女士，您今天不处理的话，我们这边会一直联系您，直到这笔钱有着落}。",
 "C|你听好了，{cr:这通电话我录音了，你们逼家属还钱，我明天就去银保监会投诉}。",
 "A|周女士，我只是提醒，没有逼您的意思。",
 "C|行了，别再打给我了。",
 "A|好的，那麻烦您转告他给我们回个电话。",
 ]),
dict(id="G0009", rel="contact", inst="优米分期", asr=True,
 note="contact_pressure: friend agrees only to pass on a message; the agent keeps asking her to advance money three times after each refusal (ASR noise: 预期/换, no punctuation)",
 segs=[
 "A|喂你好请问是韩雪吗我是优米分期的客服小林",
 "C|嗯我是 你哪里",
 "A|您的朋友赵佳佳留的紧急联系人是您 {tpd:她在我们优米分期的分期已经预期了欠款3460元}",
 "C|哦这样啊 那我帮你跟她说一声吧",
 "A|光说没用啊她一直不换 {cp:要不您先帮她垫上 回头她再还您}",
 "C|这个不行 我自己也不宽裕 我只能帮你转告",
 "A|{cp:就一点点钱 您是她好朋友 先转个一千过来也行啊}",
 "C|真不行 我说了我只帮忙带个话",
 "A|{cp:那您这样 今天晚上之前您转五百 剩下的我再找她}",
 "C|你们怎么这样啊 我说了不给",
 "A|好吧 那您记得让她联系我们",
 "C|知道了",
 ]),
dict(id="G0010", rel="contact", inst="金雀花分期", asr=True,
 note="contact_pressure: former flatmate told he must find a way to pay and 你不帮他还这事就没完 (ASR noise: no punctuation)",
 segs=[
 "A|喂 你好 是罗一帆吗 我是金雀花分期的 找一下你室友邵鹏",
 "C|他搬走了 上个月就搬走了",
 "A|他在我们平台{tpd:借的钱欠了快三个月了 一共五千二}你知道他搬哪去了吗",
 "C|不知道 我们不熟 就合租了半年",
 "A|{cp:那这个钱你得帮他想办法 你们住一起的你肯定知道他情况}",
 "C|我真不知道 他也没留新地址",
 "A|{cp:你不帮他还 这事就没完 我们会一直找你}",
 "C|凭什么啊 我跟他连朋友都算不上",
 "A|那你有他新号码吗",
 "C|没有 就这样吧",
 ]),
dict(id="G0011", rel="contact", inst="岚山银行", asr=False,
 note="contact_pressure: agency collector tells the adult son 父债子还 and presses him three times to pay for his father",
 segs=[
 "A|您好，是吴昊先生吗？我是恒锦资产管理公司的调解员，姓钟，受岚山银行委托联系您。",
 "C|我是，岚山银行？我没在那办过卡啊。",
 "A|不是您的卡，是您父亲吴国华的，{tpd:他的信用卡欠款三万六，已经逾期半年多了}。",
 "C|我爸？他去年就跟我说在还了啊。",
 "A|一直没还上。{cp:父债子还，您做儿子的，这个钱就该您来还}。",
 "C|我爸人好好的，他自己借的他自己还，我没这个义务吧。",
 "A|{cp:话不能这么说，他年纪大了没收入，您不还谁还？这个月先还八千}。",
 "C|我先跟我爸沟通一下，我不会直接给你们钱。",
 "A|{cp:沟通可以，但您得给个准话，几号能把钱打过来}。",
 "C|我说了我不会打，你找我爸吧。",
 "A|好，那请您父亲尽快联系我们。",
 ]),
dict(id="G0012", rel="contact", inst="青禾小贷", asr=False,
 note="contact_pressure + threat: uncle (Sichuan speech) pressed to pay and threatened that collectors will go round his village telling everyone unless he pays",
 segs=[
 "A|喂，是杨国庆吗？我是青禾小贷的，找你侄儿杨帆的事。",
 "C|我是，啥子事嘛？",
 "A|{tpd:杨帆在我们这借了两万，半年了一分没还}，你是他幺爸，他填的你。",
 "C|他借钱关我啥子事嘛，我又没用到他一分钱。",
 "A|{cp:你是他长辈，你就得管，你先帮他把钱还了}。",
 "C|我不管，他老汉都不管他，我管啥子。",
 "A|{cp+th:你不还也行，下礼拜我们的人就到你们村里去，挨家挨户问问杨帆欠钱的事，让大家都晓得}。",
 "C|你们敢！这是违法的。",
 "A|{th:违不违法你自己掂量}，{cp:钱还了啥事没有}。",
 "C|我不得还的，你们爱咋咋地。",
 "A|{th:那你就等着吧}。",
 ]),
dict(id="G0013", rel="contact", inst="翠微消费金融", asr=False,
 note="contact_pressure + vulnerable_customer + vulnerable_pressure: an 83-year-old grandmother who says she cannot follow is pressed to pay from her pension and told someone must pay today",
 segs=[
 "A|喂，老人家您好，我是翠微消费金融的工作人员，请问您是林浩的奶奶吗？",
 "C|啊？你说啥子？哪个？",
 "A|我说，林浩，您孙子，{tpd:他在我们这儿借了钱，欠了九千多没还}。",
 "C|浩娃子啊……{vc:我八十三了，耳朵背，好多事记不住，你说的这些我搞不明白}。",
 "A|{cp+vp:奶奶，您听不明白没关系，您就让家里人从您的养老金里先拿三千出来还上}。",
 "C|养老金？{vc:我不会弄那些，卡都是我闺女管着，我连字都认不全}。",
 "A|{cp+vp:那您现在就去找您闺女，让她今天把钱转过来，不转的话我们明天还打给您}。",
 "C|啥子转？你是不是骗子哦？",
 "A|{cp+vp:不是骗子，您记住了，今天必须有人还钱}。",
 "C|我挂了，我挂了。",
 ]),
dict(id="G0014", rel="debtor", inst="嘉瑞银行", asr=True,
 note="contact_pressure: dialer believed the debtor answered but it is his wife; she is pressed three times (take it from the mortgage money, at least 1000 today) (ASR noise: 新用卡/预期/换款, digits)",
 segs=[
 "A|喂你好是刘强先生吗我这边是嘉瑞银行新用卡中心的工号6602",
 "C|我是他老婆他在外地跑车手机放家里了",
 "A|那麻烦您跟他说一下 {tpd:他新用卡已经预期58天了最低换款是2870}",
 "C|哦他跟我说过 在想办法",
 "A|{cp:想办法都想了快俩月了 您是他老婆您先帮他换上吧}",
 "C|我哪有钱啊 家里房贷还得我还",
 "A|{cp:你们两口子的钱还分那么清楚吗 你先从房贷那里挪一点出来换了}",
 "C|那怎么可能 房贷断了更麻烦",
 "A|{cp:那你今天至少先转一千 剩下的让他回来再说}",
 "C|我不转 你让他自己处理 我会让他给你打电话",
 "A|行吧 那您一定转告",
 ]),
dict(id="G0015", rel="unknown", inst="溪岸小额贷款", asr=False,
 note="contact_pressure: the debtor's supervisor is asked to deduct the debt from wages, then to advance it, then told he will be called every day",
 segs=[
 "A|喂，您好，是远景物流吗？我找一下你们仓库的主管。",
 "C|我就是，我姓潘，你哪位？",
 "A|潘主管您好，我是溪岸小额贷款公司的，你们仓库有个叫谢文杰的员工吧？",
 "C|有啊，怎么了？",
 "A|{tpd:他在我们公司的借款逾期四个月了，一万一千多}，他电话一直不接。",
 "C|这是他个人的事吧，你找单位干嘛？",
 "A|{cp:您是他领导，这个月发工资的时候您直接从他工资里扣下来转给我们就行}。",
 "C|这个不行，工资是他的，我们公司不可能扣。",
 "A|{cp:那您先替他垫上，回头从工资里扣，这样对大家都好}。",
 "C|不可能，你别再打到我们单位来了。",
 "A|{cp:您不帮忙处理的话，我们只能每天打电话找您}。",
 "C|你爱打就打。",
 ]),
dict(id="G0016", rel="contact", inst="栖霞银行", asr=False,
 note="contact_pressure + complaint_risk: neighbour pressed to advance money and to go and collect it; she says she will call the police (报警) if called again",
 segs=[
 "A|喂，您好，是蔡丽华女士吗？我是鹿鸣资产管理的，想找一下钱永生，他留了您的电话。",
 "C|钱永生？他是我楼下邻居，咋留我电话了。",
 "A|{tpd:他欠栖霞银行的信用卡钱一直没还，我们是受托来催收的}，您能帮个忙吗？",
 "C|帮啥忙？",
 "A|{cp:您跟他是邻居，您先帮他垫上两千，回头找他要，我们这边好结案}。",
 "C|你开什么玩笑，我跟他就是见面点个头。",
 "A|{cp:那您今天去他家敲门，让他把钱拿出来，拿不出来您先垫着}。",
 "C|我不去，你们别再打我电话了。",
 "A|{cp:您不配合的话，我们这边还是会每天联系您}。",
 "C|{cr:你再打一次我就报警，说你们骚扰}。",
 "A|好的，那我们备注一下。",
 ]),
dict(id="G0017", rel="contact", inst="北辰银行", asr=False,
 note="contact_pressure (subtle): a cousin who once paid 2000 voluntarily is told she must now 负责到底 and keep paying monthly",
 segs=[
 "A|喂，您好，是贺敏吗？我是北辰银行信用卡中心的小唐，上周我们通过电话的。",
 "C|哦，对，我是他表姐，上次我说帮他还一点。",
 "A|是的，您上周替他还了两千，谢谢您。{tpd:他卡上还剩六千三没还，已经逾期九十天了}。",
 "C|我那两千是看他可怜，我也就帮这一次，剩下的让他自己想办法吧。",
 "A|{cp:贺女士，您上次已经替他还了，现在就得负责到底，剩下的这部分您这个月也得帮他还清}。",
 "C|我哪有这个义务？我帮他是情分，不是本分。",
 "A|{cp:您开了这个头，按规矩就是您来负责了，您得接着还}。",
 "C|你别吓唬我，我什么都没签过。",
 "A|{cp:那您至少每个月帮他还一千，这样大家都好交代}。",
 "C|不可能，以后别打给我了。",
 "A|好吧，那您让他尽快联系我们。",
 ]),
dict(id="G0018", rel="contact", inst="庆源银行", asr=True,
 note="contact_pressure: mother-in-law told 家里人欠钱家里人还 and pressed to pay or get her son to pay (ASR noise: traditional 萬/預期/兩個/電話, 换款)",
 segs=[
 "A|喂 阿姨您好 我是庆源银行信用卡中心的 请问您是张婷的婆婆吗",
 "C|是啊 我是她婆婆 咋的了",
 "A|{tpd:张婷的信用卡欠了一萬二 預期兩個多月了} 她電話一直關機",
 "C|哎哟 她咋没跟我们说呢 那是她自己的卡吧",
 "A|{cp:家里人欠钱家里人还 天经地义 您今天先把最低换款转了}",
 "C|我是她婆婆又不是她妈 再说我一个老太婆哪来的钱",
 "A|{cp:您儿子不是挺能挣的嘛 让您儿子先转过来 你们家总得有人出这个钱}",
 "C|这事我得问问我儿子 你先别逼我",
 "A|{cp:那您今天晚上就得给我回话 不然明天我还打您这儿}",
 "C|行行行 我问问",
 ]),
# ======================= complaint_risk =======================
dict(id="G0019", rel="debtor", inst="澄江银行", asr=False,
 note="complaint_risk: debtor says he will call 12378 if the calls continue; agent responds well",
 segs=[
 "A|您好，请问是林晓峰先生吗？我是澄江银行信用卡中心的，工号4471，我姓许。",
 "C|是我，你们一天打五六个电话，有完没完？",
 "A|林先生，不好意思打扰您了。您的信用卡本期最低还款四千一百元，已经逾期二十天了。",
 "C|我知道逾期了，我上周说了月底还，你们还是一直打。",
 "A|系统可能没有同步您的承诺，我这边给您重新登记一下，月底三十号前还款对吗？",
 "C|对，月底。{cr:你们再这么打，我就打12378投诉你们}。",
 "A|理解您的心情，我会备注减少外呼频次。如果您对我们的服务有意见，也可以通过官方渠道反馈。",
 "C|行，你记上就行。",
 "A|好的，那我们月底前等您的还款，祝您生活愉快。",
 ]),
dict(id="G0020", rel="debtor", inst="随心借", asr=True,
 note="complaint_risk: debtor says he will call the police (报警) if called late at night again (ASR noise: 预期/换, no punctuation, digits)",
 segs=[
 "A|喂你好是赵志刚吗 我这边是随心借的贷后专员 您的借款预期12天了",
 "C|又是你们 我不是说了下周五换吗",
 "A|下周五太久了 您这边今天能不能先换一部分",
 "C|没有 我说下周五就下周五 你们昨天打到晚上十点 还让不让人睡觉",
 "A|昨天晚上的电话不是我打的 我这边帮您查一下",
 "C|{cr:我不管谁打的 再有人晚上打过来我就报警}",
 "A|好的赵先生 我这边给您备注只在白天联系 下周五您记得换款",
 "C|嗯",
 ]),
dict(id="G0021", rel="debtor", inst="岚山银行", asr=False,
 note="complaint_risk: debtor asks for the complaint channel to complain about a previous collector, and then for the hotline number",
 segs=[
 "A|喂，您好，请问是宋雅琴女士吗？我是岚山银行信用卡中心的，我姓邱。",
 "C|是我，又是催款吧？",
 "A|是的宋女士，您的账单逾期了一个月，欠款是七千五百三十元，想跟您确认一下还款安排。",
 "C|我先问一下，{cr:你们上次那个催收员说话很难听，我想投诉他，你们投诉渠道是什么}？",
 "A|非常抱歉给您带来不好的体验。您可以拨打我行官方客服热线，转人工后说明情况，我们会有专人核实。",
 "C|{cr:热线号码多少}？",
 "A|号码是400-610-9528，您也可以在手机银行的意见反馈里提交。",
 "C|好。钱的话我十五号发工资能还三千。",
 "A|好的，我登记十五号前还三千，剩下的我们再约。",
 "C|可以。",
 ]),
dict(id="G0022", rel="debtor", inst="青禾小贷", asr=False,
 note="abuse + complaint_risk: agent belittles the debtor and calls him 老赖; he says he has recorded the call and will complain",
 segs=[
 "A|喂，是韩磊吧？青禾小贷的，你那三千八什么时候还？",
 "C|我最近真没钱，能不能宽限几天。",
 "A|{ab:宽限宽限，你除了会找借口还会干什么？三十多岁的人了，三千八都拿不出来，丢不丢人}。",
 "C|你说话客气点。",
 "A|{ab:我客气？你这种老赖也配让人客气}？",
 "C|你骂谁是老赖呢？{cr:我告诉你，我录音了，明天就拿去投诉你们}。",
 "A|随你便，钱还是要还的。",
 "C|我会还，但{cr:你这个态度我一定会投诉}。",
 "A|行，那你什么时候还？",
 "C|下周三。",
 ]),
dict(id="G0023", rel="debtor", inst="金雀花分期", asr=True,
 note="threat + complaint_risk: agent threatens to shame the debtor in his home village WeChat group; he says he will go to the media and post the recording online (ASR noise: 预期/换, no punctuation)",
 segs=[
 "A|喂 程亮是吧 金雀花分期的 你那个分期都预期两个月了怎么一直不接电话",
 "C|我在外地打工 信号不好",
 "A|{th:别跟我扯 你再不换 我们就把你欠钱的事发到你老家村里的微信群 让你全家都知道}",
 "C|你敢 {cr:你们这叫暴力催收 我去找媒体曝光你们}",
 "A|曝光 {th:你先想想你爸妈在村里还抬不抬得起头}",
 "C|{cr:行 这段我全录下来了 我发到网上去让大家看看你们金雀花是啥德行}",
 "A|钱什么时候换",
 "C|月底",
 ]),
dict(id="G0024", rel="debtor", inst="瀚海消费金融", asr=True,
 note="complaint_risk: debtor says the interest is usurious and she will sue the lender (起诉你们); agent mentions 征信 factually (ASR noise: 预期/利西/待换, digits)",
 segs=[
 "A|喂您好 请问是许佳怡吗 我是瀚海消费金融的 工号1093",
 "C|是我",
 "A|许女士 您的借款已经预期25天了 现在待换金额是5126元 其中包括利西和罚息",
 "C|利西怎么这么高 我借4000 现在要还5000多 {cr:你们这是高利贷 我要去法院起诉你们}",
 "A|许女士 我们的利率都是合同约定的 年化在法定范围内 您可以在APP里查看借款合同",
 "C|我看了 根本不合理 {cr:我已经咨询律师了 准备起诉}",
 "A|您有异议可以通过官方客服提出 但是逾期的部分还是需要处理的 不然会影响您的征信",
 "C|我先不换 等我问清楚再说",
 "A|好的 那我先给您记录一下 有问题随时联系我们",
 ]),
dict(id="G0025", rel="debtor", inst="庆源银行", asr=False,
 note="complaint_risk: debtor (north-eastern speech) says he has already called 12345 about calls to his wife and will again",
 segs=[
 "A|您好，请问是高宇先生吗？我是庆源银行信用卡中心的，我姓白。",
 "C|是我，咋的了？",
 "A|高先生，您的信用卡逾期了四十五天，欠款一万零二百，想跟您确认一下还款时间。",
 "C|我上礼拜跟你们说得老明白了，这个月没钱，下个月开资还。",
 "A|明白，那下个月几号开资呢？我这边登记一下。",
 "C|十号。{cr:还有啊，你们那个外包公司天天往我媳妇那打电话，我已经打12345反映了，你们再这样我还接着打}。",
 "A|非常抱歉，我这边马上核实，给您备注不再联系您的家人。",
 "C|那就行，别整那些没用的。",
 "A|好的，那我们登记下月十号还款，到时候提前给您发短信提醒。",
 "C|嗯呐。",
 ]),
dict(id="G0026", rel="debtor", inst="翠微消费金融", asr=True,
 note="impersonation + complaint_risk: collector poses as a law firm and claims the case is filed; debtor will complain to 金融监管局 and 12378 (ASR noise: 头诉, no punctuation, digits)",
 segs=[
 "A|喂 是何俊峰吗 {imp:我这边是正衡律师事务所的律师} 受翠微消费金融委托处理你的欠款",
 "C|律师事务所 我就欠了几千块钱 怎么还找律师了",
 "A|{imp:你的案子已经在法院立案了 下周就会有传票寄到你家}",
 "C|立案了 案号多少 你把案号发给我",
 "A|案号我们这边不方便透露 你今天把8900换了 {imp:我这边就帮你撤诉}",
 "C|{cr:你们这是冒充律师 我要去金融监管局头诉你们}",
 "A|你想投诉就投诉 钱总是要还的",
 "C|{cr:我还要打12378 把你们翠微一起告了}",
 "A|随便你",
 ]),
dict(id="G0027", rel="debtor", inst="嘉瑞银行", asr=False,
 note="complaint_risk: debtor (Cantonese-flavoured speech) says she has posted on an online complaint platform and will post again; agent pauses calls during the instalment review",
 segs=[
 "A|喂，您好，请问是梁嘉欣小姐吗？我是嘉瑞银行信用卡中心的，工号7735。",
 "C|系我，又系你们啊，我都说了我在办分期。",
 "A|梁小姐，系统显示您的分期申请还在审核中，目前账户还是逾期状态，欠款一万六千二。",
 "C|那是你们审核慢，不关我事嘛。{cr:我已经在网上投诉平台发了帖，你们再催我就再发一个}。",
 "A|理解，审核确实需要几个工作日。审核期间我们会暂停对您的外呼，结果出来会短信通知您。",
 "C|早这样说不就好咯。",
 "A|给您添麻烦了。审核通过后按新的分期计划还款就可以。",
 "C|好啦，拜拜。",
 ]),
dict(id="G0028", rel="debtor", inst="鼎丰消费金融", asr=True,
 note="vulnerable_customer + vulnerable_pressure + complaint_risk: hospitalised debtor after surgery is told 注院跟我们没关系 and pressed for payment today; she says she will complain (ASR noise: 注院/头诉/换, digits)",
 segs=[
 "A|喂你好是郭海燕吗 我是鼎丰消费金融的 你的借款预期一个多月了",
 "C|{vc:我现在在医院注院 上周刚做完手术 还在输液}",
 "A|{vp:注院跟我们没关系啊 合同上又没写注院可以不换 今天必须把3200换了}",
 "C|我手术费都是借的 真的没钱 {vc:能不能等我出院}",
 "A|{vp:等你出院要到啥时候 你让你家里人先转过来 今天下午5点之前}",
 "C|{cr:你们太过分了 我躺在病床上还逼我 我出院就去头诉你们}",
 "A|{vp:投诉也没用 钱今天不换 明天还会有人打过来}",
 "C|你 我不想跟你说了",
 ]),
dict(id="G0029", rel="debtor", inst="长汀农商银行", asr=False,
 note="vulnerable_customer + complaint_risk, handled well: widow whose husband died last month asks where to complain about an earlier collector; agent pauses collection and explains the hardship route",
 segs=[
 "A|您好，请问是秦玉兰女士吗？我是长汀农商银行个贷中心的，姓魏。",
 "C|是我。",
 "A|秦女士，您名下那笔个人消费贷本月的款还没有到账，想跟您确认一下情况。",
 "C|{vc:我爱人上个月走了，车祸，家里这段时间全乱了，我哪顾得上这个}。",
 "A|秦女士，真的很抱歉，请您节哀。这种情况您不用着急，我先把您的账户暂停催收，给您登记特殊困难。",
 "C|谢谢你。{cr:不过上礼拜你们有个人打电话来，说话可凶了，我想投诉他，该找哪里}？",
 "A|非常抱歉。您可以拨打我行客服热线4008-177-236转投诉，或者到任意网点填写意见单，我也会把情况报上去。",
 "C|好，我记下了。",
 "A|另外我们有困难客户延期还款的政策，需要您提供一下相关证明，等您方便的时候再办就行，不着急。",
 "C|好，过段时间我去网点。",
 "A|好的，您多保重。",
 ]),
dict(id="G0030", rel="debtor", inst="栖霞银行", asr=True,
 note="complaint_risk: debtor asks for the agent's work number to complain about the previous collector and the bank, then for the hotline (ASR noise: 頭诉, traditional 預期/換, digits)",
 segs=[
 "A|喂 你好 是陶文斌吗 我是栖霞银行信用卡中心的 您的卡預期了",
 "C|我知道 上次打电话那个人说要给我单位打电话 是不是你",
 "A|不是我 我们不会联系您单位的 您放心",
 "C|{cr:那你把你工号报一下 我要头诉上次那个人 也要头诉你们银行}",
 "A|好的 我的工号是3906 上次的情况您可以通过我行客服热线反映 我们会核实",
 "C|{cr:你们的热线多少}",
 "A|4006-355-018 转人工就可以",
 "C|行 钱我这个月20号换 先这样",
 "A|好的 20号前換款 谢谢您",
 ]),
# ======================= vulnerable_customer =======================
dict(id="G0031", rel="debtor", inst="岚山银行", asr=False,
 note="vulnerable_customer + vulnerable_pressure: debtor in chemotherapy for breast cancer is told 生病是您自己的事 and pressed three times",
 segs=[
 "A|喂，是冯丽娟女士吗？我是恒锦资产的，受岚山银行委托联系您信用卡的事。",
 "C|是我……",
 "A|冯女士，您的信用卡已经逾期一百二十天，欠款两万八千四，今天需要给我一个还款方案。",
 "C|{vc:我乳腺癌，现在在肿瘤医院做化疗，头发都掉光了，哪有钱还}。",
 "A|{vp:生病是您自己的事，这笔钱银行也是要收回的，您这周至少还五千}。",
 "C|{vc:我连化疗的钱都是跟亲戚借的}……",
 "A|{vp:那您再跟亲戚多借五千，先把这个月的处理了，不然我们只能按流程走}。",
 "C|你们就不能等等吗？我过两个月就做完了。",
 "A|{vp:等不了，我这边周五要结果，周五没到账就会一直打给您}。",
 "C|我……我知道了。",
 ]),
dict(id="G0032", rel="debtor", inst="随心借", asr=True,
 note="vulnerable_customer + vulnerable_pressure: debtor says he does not want to live and is on a rooftop; agent answers 想死也得先把钱还了 and keeps pressing (ASR noise: 预期, no punctuation, digits)",
 segs=[
 "A|喂 是邹明吗 随心借的 你欠款预期快3个月了 今天到底还不还",
 "C|还什么还 {vc:我现在真的不想活了 工作没了老婆也走了 活着没意思}",
 "A|{vp:想死也得先把钱还了 别拿这个吓唬我}",
 "C|{vc:我没吓唬你 我现在就在楼顶上}",
 "A|{vp:那你下来先把5600转了再说 你家里人总有钱吧}",
 "C|你们就只认钱",
 "A|{vp:对 今天不还明天还打 打到你还为止}",
 "C|随便吧",
 ]),
dict(id="G0033", rel="debtor", inst="庆源银行", asr=True,
 note="vulnerable_customer + vulnerable_pressure: debtor's father died two days ago and he is at the funeral; agent calls it an excuse and demands payment by tomorrow noon (ASR noise: 新用卡/預期/换款, digits)",
 segs=[
 "A|喂你好 是孔祥瑞吗 我是庆源银行信用卡中心的 你的新用卡預期40天了",
 "C|{vc:我爸前天刚走 我在老家办丧事 这几天真顾不上}",
 "A|{vp:丧事办完也得换啊 别拿这个当借口 明天中午之前把最低换款3100转了}",
 "C|我说的是真的 {vc:人还在灵堂呢} 你能不能过几天再打",
 "A|{vp:过几天是几天 我们这边有考核的 明天必须到账}",
 "C|你们还是人吗",
 "A|{vp:我是按规定办事 明天中午我再打给你 钱必须到}",
 "C|挂了",
 ]),
dict(id="G0034", rel="debtor", inst="澄江银行", asr=False,
 note="vulnerable_customer handled well: debtor hints at suicide; agent expresses care, suggests support and a psychological help line, pauses collection",
 segs=[
 "A|您好，请问是章一鸣先生吗？我是澄江银行信用卡中心的，工号5120，我姓田。",
 "C|是我。",
 "A|章先生，您的信用卡逾期六十天了，欠款九千三百元，想了解一下您现在的情况。",
 "C|{vc:说实话，我最近天天失眠，有时候真觉得不如死了算了，什么都扛不住了}。",
 "A|章先生，听您这么说我很担心您。钱的事可以慢慢商量，您的身体和安全更重要。您现在身边有家人或朋友吗？",
 "C|我一个人在出租屋。",
 "A|我建议您给家人或信得过的朋友打个电话，如果觉得撑不住，可以拨打当地的心理援助热线，那边有专业的人陪您聊。",
 "C|嗯……谢谢你。",
 "A|您的账户我这边先暂停催收，帮您申请困难客户协商，之后会有专员跟您联系，您不用现在做任何决定。",
 "C|好。",
 "A|您照顾好自己，有什么事随时打我们客服。",
 ]),
dict(id="G0035", rel="debtor", inst="北辰银行", asr=False,
 note="vulnerable_customer handled well: debtor lost a leg in a work accident; agent offers the hardship programme and pauses calls",
 segs=[
 "A|您好，请问是邓建华先生吗？我是北辰银行信用卡中心的，姓鲁。",
 "C|嗯，是我。",
 "A|邓先生，您这两个月的账单都没有还款，目前逾期金额六千八，想问问您是遇到什么情况了吗？",
 "C|{vc:我四月份在工地出了事，从脚手架上摔下来，右腿截肢了，现在还在康复}。",
 "A|邓先生，真是太不幸了，您先安心养伤。我们有针对重大变故客户的困难帮扶政策，可以申请停催和个性化分期。",
 "C|需要我做啥？",
 "A|您方便的时候提供一下医院的诊断证明或者伤残证明，拍照发到我们官方APP的在线客服就行，不着急。",
 "C|好，我让我媳妇帮我弄。",
 "A|好的，这期间我们会暂停催收电话，有进展会短信通知您。",
 "C|谢谢啊。",
 ]),
dict(id="G0036", rel="debtor", inst="优米分期", asr=False,
 note="vulnerable_customer handled well: a 13-14-year-old (初二) answers her mother's phone; agent reveals nothing and only asks for a callback",
 segs=[
 "A|喂，您好，请问是蒋美玲女士吗？我是优米分期的客服，姓夏。",
 "C|{vc:我不是，我是她女儿，我才上初二，我妈出去上班了手机忘带了}。",
 "A|好的小朋友，那打扰你了。麻烦你等妈妈回来，告诉她优米分期的客服找她，请她有空回个电话就行。",
 "C|是什么事啊？我妈是不是欠钱了？",
 "A|没什么要紧的，是需要妈妈本人处理的一些事情，你不用担心。",
 "C|哦，好吧，我跟她说。",
 "A|谢谢你，那再见。",
 ]),
dict(id="G0037", rel="debtor", inst="嘉瑞银行", asr=True,
 note="vulnerable_customer handled well: debtor has depression and was recently hospitalised; agent pauses collection and refers to care staff (ASR noise: 新用卡/预期/换款, no punctuation)",
 segs=[
 "A|喂你好请问是方静吗 我是嘉瑞银行新用卡中心的 工号2218",
 "C|是我",
 "A|方女士您的新用卡本期预期了 欠款4700 想跟您确认下换款时间",
 "C|{vc:我有抑郁症 一直在吃药 上个月还在精神卫生中心住了两周} 工作也停了",
 "A|方女士 谢谢您告诉我 您先照顾好自己 换款的事不急 我先帮您把催收暂停",
 "C|那以后还会打电话吗",
 "A|我会备注您的情况 之后只会有专门的客户关怀专员联系您 您可以申请延期或者分期 不会有人逼您",
 "C|好 谢谢",
 "A|不客气 您保重",
 ]),
dict(id="G0038", rel="debtor", inst="长汀农商银行", asr=False,
 note="vulnerable_customer handled well: farmer's house and pigs were swept away in a flood; agent registers the disaster and explains the deferral procedure (subject to approval)",
 segs=[
 "A|您好，是温志强先生吗？我是长汀农商银行的，您的农户贷款这个月还没扣上款，跟您核实一下。",
 "C|{vc:哎呀，前几天发大水，我们村整个淹了，房子冲垮了一半，猪也冲走了，现在住在镇上的安置点}。",
 "A|温先生，太不容易了，家里人都平安吧？",
 "C|人都没事，就是东西全没了。",
 "A|人没事就好。受灾的情况我们行有专门的延期还款政策，我帮您登记受灾，等村里统计上报以后统一办理。",
 "C|那利息会不会涨？",
 "A|受灾延期期间的费用怎么处理，要以行里的审批结果为准，到时候客户经理会跟您说清楚。",
 "C|好好，谢谢你们。",
 "A|不客气，您多注意安全。",
 ]),
dict(id="G0039", rel="debtor", inst="瀚海消费金融", asr=False,
 note="vulnerable_customer handled well: debtor's wife had a brain haemorrhage and is in ICU; agent pauses calls for 30 days and mentions the deferral application",
 segs=[
 "A|喂，您好，是龚磊先生吗？我是瀚海消费金融的，工号H3321。",
 "C|是，你说。",
 "A|龚先生，您的分期这一期已经逾期十天了，金额是两千四百六，您看什么时候能处理？",
 "C|{vc:我老婆脑出血，现在在ICU，我天天守在医院，一天好几千}。",
 "A|龚先生，您爱人的情况要紧，先顾好家里。还款的事我们这边可以先放一放。",
 "C|我实在是顾不过来。",
 "A|明白。我给您登记一下家庭重大变故，三十天内不再安排催收电话。您要是需要，可以申请延期还款，提交一下住院证明就可以。",
 "C|好的，等过了这阵子我再弄。",
 "A|好的，祝您爱人早日康复。",
 ]),
dict(id="G0040", rel="debtor", inst="澄江银行", asr=False,
 note="vulnerable_customer handled well: 79-year-old debtor with early dementia who cannot follow; agent stops and routes to specialised handling",
 segs=[
 "A|您好，请问是钱桂芬阿姨吗？我是澄江银行信用卡中心的，姓潘。",
 "C|啊？什么中心？你大声点。",
 "A|澄江银行，信用卡中心。阿姨，您有一张我们的信用卡，这个月的账单还没还。",
 "C|信用卡？{vc:我七十九了，脑子不好使，医生说我是老年痴呆早期，好多事情记不住}。",
 "A|阿姨，明白了，您别着急。这个事情不用您现在处理。",
 "C|那要我干啥？",
 "A|您什么都不用做。我这边登记一下，以后会请专门的客服按规定跟您和您授权的家属沟通，不会再一直打给您。",
 "C|哦，好，好。",
 "A|阿姨您保重身体，再见。",
 ]),
dict(id="G0041", rel="debtor", inst="青禾小贷", asr=True,
 note="vulnerable_customer handled well: debtor in hospital with late-stage lung cancer; agent stops collection and says the family has no obligation (ASR noise: 注院/预期, no punctuation, digits)",
 segs=[
 "A|喂 你好 是杜海涛吗 我是青禾小贷的客服 你这边借款预期了20天",
 "C|{vc:我在医院注院呢 肺癌晚期 医生说也就几个月了}",
 "A|杜先生 很抱歉听到这个消息 您先好好治疗 这个事情我们不催您了",
 "C|我家里还有老婆孩子 这个钱以后会不会找她们要",
 "A|不会的 您家人没有替您还款的义务 我们也不会联系她们催款 我这边帮您提交困难件 看能不能走特殊处理流程",
 "C|好 谢谢你",
 "A|您保重 有结果了我们会短信告诉您",
 ]),
dict(id="G0042", rel="contact", inst="金雀花分期", asr=False,
 note="vulnerable_customer handled well: the debtor's mother says her son has schizophrenia and is in a psychiatric hospital; agent stops, declines to reveal the debt, says she need not worry about it",
 segs=[
 "A|喂，阿姨您好，我是金雀花分期的客服，请问是吕成的家人吗？",
 "C|我是他妈妈，你找他有什么事？",
 "A|是这样，我们有些事情需要跟吕成本人沟通，一直联系不上，想麻烦您转告他回个电话。",
 "C|{vc:他有精神分裂症，上个月又犯病了，现在在市精神病院住着，手机都收走了}。",
 "A|阿姨，不好意思打扰您了，您照顾他也辛苦。那这段时间我们就先不联系他了。",
 "C|他到底欠你们多少钱啊？",
 "A|阿姨，具体的情况我不方便跟您说，您也不用替他操心这个。等他出院稳定了，您或者他本人方便的时候再联系我们客服就行。",
 "C|那好吧。",
 "A|好的，祝他早日康复，再见。",
 ]),
# ======================= hard negatives =======================
dict(id="G0043", rel="contact", inst="北辰银行", asr=False,
 note="hard negative (contact_pressure, third_party_disclosure): a friend is only asked to pass on a callback request; nothing about the debt is revealed",
 segs=[
 "A|喂，您好，请问是彭凯先生吗？我是北辰银行的工作人员，我姓严。",
 "C|是我，什么事？",
 "A|彭先生，冒昧打扰。请问您认识施文龙吗？他在我们这边留了您的电话。",
 "C|认识，我大学同学。",
 "A|我们最近联系不上他，想麻烦您方便的时候转告他，给北辰银行回个电话，号码是4006-702-119。",
 "C|他出什么事了吗？",
 "A|没什么事，有些业务需要他本人确认。不好意思打扰您了。",
 "C|行，我有空跟他说。",
 "A|谢谢您，祝您生活愉快。",
 ]),
dict(id="G0044", rel="contact", inst="庆源银行", asr=False,
 note="hard negative (contact_pressure): the sister volunteers to pay; agent says it is entirely voluntary, she has no obligation, and declines to give account details",
 segs=[
 "A|您好，请问是易芳女士吗？我是庆源银行信用卡中心的，姓董。",
 "C|我是，你找我弟易斌的事吧？他跟我说了，他信用卡还不上。",
 "A|易女士，我们想联系易斌本人，麻烦您转告他回个电话。",
 "C|他欠多少？要不我先帮他还了吧，看着他着急。",
 "A|谢谢您的好意。不过要说明一下，替他还款完全是您自愿的，您没有任何义务，我们也不会因为这个找您。具体的账户信息我得跟他本人核对，不方便告诉您。",
 "C|那我让他自己打给你们，我跟他商量着帮他。",
 "A|好的，就是让他本人联系我们就行，您别有压力。",
 "C|知道了。",
 ]),
dict(id="G0045", rel="debtor", inst="鼎丰消费金融", asr=True,
 note="hard negative (contact_pressure): agent suggests the DEBTOR herself borrow from family or friends, as a mere suggestion, and mentions extension (ASR noise: 预期/待换/换, digits)",
 segs=[
 "A|喂你好是邱婷婷吗 我是鼎丰消费金融的客服 你的借款预期8天了 待换2300",
 "C|我知道 这个月工资还没发 实在是周转不开",
 "A|理解 那您看能不能先跟家里人或者朋友商量一下 借一点先把这期换上 免得产生更多罚息",
 "C|我爸妈那边我不好开口啊",
 "A|这个您自己考虑 只是一个建议 如果实在不行 您也可以在APP里申请延期几天",
 "C|那我跟我姐说说吧 看她能不能借我点",
 "A|好的 那我先给您备注周五前处理",
 "C|行",
 ]),
dict(id="G0046", rel="debtor", inst="云帆贷", asr=False, nsi=True,
 note="hard negative (complaint_risk): debtor swears and refuses but never threatens to complain; the agent only says 贷后中心 and never names the institution (no_self_identification)",
 segs=[
 "A|喂，是于浩吗？我这边是贷后中心的，您的借款到期没还，跟您说一下。",
 "C|又他妈是你们，烦不烦啊，天天打，我说了没钱就是没钱。",
 "A|于先生，您先别急，这期应还三千五，逾期十五天了。",
 "C|我知道！我急有什么用，你们打一百遍我也变不出钱来。",
 "A|那您大概什么时候能有收入？",
 "C|不知道，找着活儿再说，爱咋咋地吧。",
 "A|那我先记录一下，下周再跟您确认。",
 "C|随便，挂了。",
 ]),
dict(id="G0047", rel="debtor", inst="岚山银行", asr=False,
 note="hard negative (complaint_risk): the AGENT mentions the official complaint hotline unprompted; the customer is satisfied",
 segs=[
 "A|您好，请问是季晓蕾女士吗？我是岚山银行信用卡中心的，工号6038。",
 "C|是我。",
 "A|季女士，您的信用卡账单逾期了十二天，最低还款一千九百元，想提醒您尽快还款。",
 "C|哦，这个月忘了，我今天就还。",
 "A|好的，您可以通过手机银行或者我行APP还款。另外温馨提示一下，如果您对本次通话有任何不满意，可以通过我行官方客服热线投诉或反馈。",
 "C|没有没有，挺好的，我马上去还。",
 "A|好的，感谢您的配合，祝您生活愉快。",
 ]),
dict(id="G0048", rel="debtor", inst="优米分期", asr=True,
 note="hard negative (vulnerable_customer): the one 住院 is the customer's dog; 心疼死了 is a figure of speech (ASR noise: 预期/应换, no punctuation, digits)",
 segs=[
 "A|喂你好是白露吗 我是优米分期的客服小周 你这期账单预期3天了 应换1280",
 "C|啊对不起对不起 我家狗住院了 这几天天天往宠物医院跑 给忘了",
 "A|没事 那小狗现在怎么样了",
 "C|好多了 肠胃炎 花了我好几千 心疼死了",
 "A|那您看今天能换吗 早点换掉就不会有额外费用",
 "C|今天晚上吧 我发了工资就换",
 "A|好的 给您备注今晚 有问题联系在线客服",
 "C|好嘞",
 ]),
dict(id="G0049", rel="debtor", inst="瀚海消费金融", asr=False,
 note="hard negative (vulnerable_customer): a mild cold (嗓子哑了，有点感冒)",
 segs=[
 "A|您好，请问是钟磊先生吗？我是瀚海消费金融的，工号H1802。",
 "C|咳咳，是我，不好意思嗓子哑了，这两天有点感冒。",
 "A|没关系钟先生，注意身体多喝热水。您的分期这期逾期五天，金额一千六百四十元。",
 "C|哦，我以为是自动扣的，卡里钱不够吧。",
 "A|对，扣款失败了。您可以今天往尾号3308的卡里存一下，系统晚上会再扣一次。",
 "C|好，我下午去存。",
 "A|好的，感谢配合，祝您早日康复。",
 ]),
dict(id="G0050", rel="debtor", inst="随心借", asr=False,
 note="hard negative (vulnerable_customer): 穷得要死了 and 累死累活 as figures of speech (Henan speech, 中); ordinary money trouble",
 segs=[
 "A|喂，您好，是贾卫东吗？我是随心借的贷后专员，姓石。",
 "C|是我，中，你说吧。",
 "A|贾先生，您的借款逾期二十天了，现在应还四千二百元。",
 "C|哎呀，我现在穷得要死了，兜里比脸都干净。",
 "A|理解，那您看这个月能先还一部分吗？",
 "C|我这个月累死累活干了二十多天，工钱老板还压着不给，要不到。",
 "A|那老板大概什么时候结？",
 "C|说是月底，月底一到手我就先还两千。",
 "A|好的，我登记月底前还两千，剩下的我们月底再约。",
 "C|中。",
 ]),
dict(id="G0051", rel="debtor", inst="嘉瑞银行", asr=True,
 note="hard negative (vulnerable_customer): unemployment after lay-offs; agent explains the instalment application subject to approval (ASR noise: 新用卡/预期/换, digits)",
 segs=[
 "A|喂你好是田野先生吗 这边是嘉瑞银行新用卡中心的 工号4490",
 "C|是我",
 "A|田先生您的新用卡预期35天了 欠款1万3千2 想了解一下您这边的情况",
 "C|我失业三个月了 公司裁员 现在每天投简历 真的拿不出钱",
 "A|明白 失业确实不容易 您可以申请个性化分期 把欠款分成12期或者24期 每期压力会小一点",
 "C|分期要啥条件啊",
 "A|您在我们APP上提交申请 写明失业情况 审核通过以后会短信通知您 具体以审批结果为准",
 "C|行 我今天就去申请",
 "A|好的 申请期间您也尽量先换一点 哪怕几百块",
 "C|尽量吧",
 ]),
dict(id="G0052", rel="unknown", inst="长汀农商银行", asr=False,
 note="hard negative (contact_pressure, third_party_disclosure): wrong number; agent apologises, reveals nothing and removes the number",
 segs=[
 "A|喂，您好，请问是曾志伟先生吗？我是长汀农商银行的工作人员。",
 "C|不是，你打错了吧，我姓孟。",
 "A|不好意思孟先生，请问您认识曾志伟吗？",
 "C|不认识，这号码我刚办了半年。",
 "A|好的，非常抱歉打扰您了，我们会把这个号码从他的联系方式里删掉，不会再打给您。",
 "C|行，没事。",
 "A|再见。",
 ]),
dict(id="G0053", rel="contact", inst="金雀花分期", asr=True,
 note="hard negative (contact_pressure): a cousin is asked only for the debtor's new number and gives it; nothing revealed (ASR noise: no punctuation, digits)",
 segs=[
 "A|喂你好 请问是唐丽吗 我是金雀花分期的客服 请问您认识熊斌吗",
 "C|认识啊 我表弟",
 "A|我们这边联系不上他 他原来的号码停机了 您有他的新号码吗",
 "C|有 他换号了 你记一下 17620013578",
 "A|好的 谢谢您 那我们直接联系他本人 打扰您了",
 "C|他是不是出啥事了",
 "A|没事的 就是一些业务需要他本人处理 谢谢您",
 "C|哦行",
 ]),
dict(id="G0054", rel="debtor", inst="栖霞银行", asr=False,
 note="hard negative (complaint_risk): the debtor says she is NOT the kind to complain (我不是那种动不动就投诉的人); business slow = ordinary money trouble",
 segs=[
 "A|您好，请问是米雪梅女士吗？我是栖霞银行信用卡中心的，姓孔。",
 "C|是我，我知道你们打电话来干嘛，卡逾期了嘛。",
 "A|是的米女士，目前逾期二十八天，欠款五千七百元。",
 "C|我跟你说实话，最近生意不好，确实紧。我不是那种动不动就投诉的人，我就想跟你们好好商量一下怎么还。",
 "A|谢谢您的理解。您看每个月能还多少？",
 "C|每个月一千五应该没问题。",
 "A|那您可以申请分期还款，我这边帮您提交，审批结果会短信通知。",
 "C|好，麻烦你了。",
 "A|不客气，审批前这个月您方便的话先还一千五。",
 "C|行。",
 ]),
dict(id="G0055", rel="debtor", inst="青禾小贷", asr=True,
 note="hard negative (complaint_risk, threat): the agent factually mentions 依法起诉; the debtor dares them to sue (那你们起诉吧), which is not a complaint threat (ASR noise: 预期/换款, digits)",
 segs=[
 "A|喂 是潘志勇吗 我是青禾小贷的 你借款预期半年了 一直没有换款记录",
 "C|我知道 我没钱",
 "A|潘先生 如果长期不处理 公司可能会依法起诉 这个要提前跟您说清楚",
 "C|那你们起诉吧 我是真没钱 起诉了我也拿不出来",
 "A|起诉对双方都不好 我们还是希望协商 您看每个月能换多少",
 "C|最多500",
 "A|那我先记录每月500 提交给公司看看能不能做还款计划",
 "C|随便",
 ]),
dict(id="G0056", rel="debtor", inst="澄江银行", asr=False,
 note="hard negative (complaint_risk): 报了警 refers to a stolen phone, not to the collector",
 segs=[
 "A|您好，请问是鲍海峰先生吗？我是澄江银行信用卡中心的，工号2964。",
 "C|是我，不好意思啊，前几天一直没接电话。",
 "A|没关系鲍先生，您的信用卡逾期了九天，最低还款两千一百元。",
 "C|我手机上周在地铁上被偷了，去派出所报了警，刚补的卡，所以没收到你们短信。",
 "A|原来是这样，那您现在方便还款吗？",
 "C|方便，我等下用手机银行还。",
 "A|好的，顺便提醒您，手机丢了的话记得检查一下银行APP的登录设备。",
 "C|好的，谢谢提醒。",
 ]),
dict(id="G0057", rel="debtor", inst="翠微消费金融", asr=False,
 note="hard negative (vulnerable_customer): employer went bust (ordinary money trouble), 愁死了/累得半死 as figures of speech (Shanghai flavour 阿拉/晓得)",
 segs=[
 "A|喂，您好，是俞佳敏女士吗？我是鹿鸣资产管理的，受翠微消费金融委托跟您联系借款的事。",
 "C|是我呀，阿拉公司上个月倒闭了，老板跑路了，工资也没发，我愁死了。",
 "A|俞女士，听上去确实挺难的。您这笔借款逾期两个月，欠款八千一，您现在有什么打算？",
 "C|我最近天天跑劳动仲裁，累得半死，等仲裁下来拿到钱再说。",
 "A|明白，那仲裁大概什么时候有结果？",
 "C|讲是下个月。",
 "A|好的，那我先备注下个月跟进，期间您如果有部分收入，可以先还一点。",
 "C|晓得了。",
 ]),
dict(id="G0058", rel="contact", inst="随心借", asr=True,
 note="hard negative (contact_pressure, third_party_disclosure): the mother offers to pay; agent reveals nothing, says it is entirely voluntary and she has no obligation (ASR noise: 换/換款, no punctuation)",
 segs=[
 "A|喂阿姨你好 我是随心借的客服 请问是严浩的妈妈吗",
 "C|是啊 小浩咋了 是不是又欠钱了 他欠多少我来换",
 "A|阿姨您别着急 我们就是想联系他本人 麻烦您让他给我们回个电话",
 "C|你就告诉我多少钱嘛 我给他换了省得他烦",
 "A|阿姨 谢谢您 但是具体情况我不方便跟您说 这个是他本人的事 您替他換款完全是自愿的 您没有这个义务 我们也不会找您要",
 "C|那好吧 我让他打给你们",
 "A|好的 谢谢阿姨 打扰您了",
 ]),
dict(id="G0059", rel="debtor", inst="庆源银行", asr=False,
 note="hard negative (contact_pressure): the DEBTOR says his wife can help; the agent leaves that to him and does not press the wife",
 segs=[
 "A|您好，请问是蒋涛先生吗？我是庆源银行信用卡中心的，姓罗。",
 "C|是我，卡的事吧？",
 "A|是的，您的卡逾期四十天了，欠款八千九百元，想跟您确认一下还款计划。",
 "C|我老婆说她可以先帮我还一部分，下礼拜能还四千。",
 "A|好的，家里怎么安排是您自己的事，我这边登记下周五前还四千，可以吗？",
 "C|可以。剩下的下个月。",
 "A|好的，那剩下的四千九下个月十号前还清，到时候我们再短信提醒您。",
 "C|行。",
 ]),
dict(id="G0060", rel="debtor", inst="鼎丰消费金融", asr=False,
 note="hard negative (complaint_risk): debtor is hostile (吸血鬼, 别烦我) but never threatens to complain; agent stays calm",
 segs=[
 "A|喂，您好，请问是郝建国先生吗？我是鼎丰消费金融的，工号D0719。",
 "C|干什么？",
 "A|郝先生，您的借款这期逾期了二十二天，金额三千零八十，想跟您确认还款时间。",
 "C|你们这帮吸血鬼，利息比本金还高，我一分都不想给。",
 "A|郝先生，利息是按合同约定计算的，您如果觉得有问题，可以在APP里查看合同明细。",
 "C|看什么看，我懒得跟你废话。",
 "A|那您看还款这块……",
 "C|没钱！别烦我！",
 "A|好的，那我们改天再联系您。",
 ]),
dict(id="G0061", rel="debtor", inst="北辰银行", asr=True,
 note="hard negative (complaint_risk): the AGENT announces the recording; the customer's 录就录呗 is not a complaint threat (ASR noise: 新用卡/预期/换款, digits)",
 segs=[
 "A|喂你好 是蒲晓军吗 我是北辰银行新用卡中心的 提醒一下本次通话会被录音",
 "C|录就录呗 我又没说啥",
 "A|蒲先生 您的新用卡本期预期15天 最低换款1850",
 "C|我知道 这周六发工资 发了就换",
 "A|好的 那我给您登记周六 换款后大概两个小时到账",
 "C|行 还有别的事吗",
 "A|没有了 感谢配合 祝您周末愉快",
 ]),
dict(id="G0062", rel="debtor", inst="优米分期", asr=False,
 note="hard negative (vulnerable_customer): a child with a slight fever being picked up from kindergarten; agent keeps it short",
 segs=[
 "A|您好，请问是邵琳女士吗？我是优米分期的客服，姓叶。",
 "C|是我，不好意思我现在有点忙，孩子有点发烧，我得去幼儿园接他。",
 "A|好的邵女士，那我长话短说。您的分期这期逾期两天，金额八百六十元，提醒您处理一下。",
 "C|哦哦，我晚上回家就弄。",
 "A|好的，您先去接孩子吧，晚上在APP里还款就行。",
 "C|好，谢谢啊。",
 "A|不客气，再见。",
 ]),
dict(id="G0063", rel="debtor", inst="瀚海消费金融", asr=True,
 note="hard negative (vulnerable_customer): 我要死了/愁死我了 as figures of speech about overtime (ASR noise: 预期, traditional 金額/換, digits)",
 segs=[
 "A|喂你好是牛佳琪吗 我是瀚海消费金融的 工号H4415",
 "C|是我 我要死了 今天加班加到十一点 有啥事快说",
 "A|不好意思这么晚打扰 您的分期预期4天了 金額1120",
 "C|哎 忙忘了 愁死我了这个月 明天换行不",
 "A|可以的 明天中午之前換就行",
 "C|行行 我定个闹钟",
 "A|好的 您早点休息",
 ]),
dict(id="G0064", rel="contact", inst="嘉瑞银行", asr=False,
 note="hard negative (contact_pressure, third_party_disclosure): colleague asks whether the debtor owes money; agent declines to say and only asks for a callback",
 segs=[
 "A|您好，请问是蓝天宇先生吗？我是嘉瑞银行的工作人员，姓孙。",
 "C|是我，哪位？",
 "A|蓝先生您好，请问您认识葛明吗？他留了您的电话作为联系方式。",
 "C|认识，我们一个公司的。你找他干嘛？他是不是欠钱了？",
 "A|不好意思，具体的事情我不方便透露。麻烦您方便时转告他一声，请他回嘉瑞银行的电话就行。",
 "C|行吧，神神秘秘的。",
 "A|谢谢您，打扰了。",
 ]),
dict(id="G0065", rel="debtor", inst="长汀农商银行", asr=False,
 note="hard negative (vulnerable_customer): the debtor is at hospital only for a routine company health check",
 segs=[
 "A|您好，请问是吕秀英女士吗？我是长汀农商银行个贷中心的，姓金。",
 "C|是我，我正在医院排队呢，单位组织体检。",
 "A|那我简单说一下，您这个月的贷款还款日是昨天，账户余额不足，没扣上款。",
 "C|哦，我工资卡和还款卡不是一张，忘了转了。",
 "A|那您方便的时候尽快转一下，转进去以后晚上会自动扣款。",
 "C|好，体检完我就转。",
 "A|好的，谢谢您，不打扰您了。",
 ]),
dict(id="G0066", rel="debtor", inst="青禾小贷", asr=True,
 note="hard negative (vulnerable_customer): the debtor works at a hospital as a nurse (醫院上班) (ASR noise: traditional 醫院, 预期/待换, digits)",
 segs=[
 "A|喂你好 是柏雨晴吗 我是青禾小贷的客服 你的借款预期6天了",
 "C|是我 我在醫院上班 护士 白天病房里不方便接电话",
 "A|好的 那我简单说 待换金额1560 您看什么时候方便处理",
 "C|我下了夜班就换 明天早上8点",
 "A|可以的 那给您备注明早8点 以后我们尽量晚上联系您",
 "C|好 谢谢",
 "A|不客气",
 ]),
dict(id="G0067", rel="contact", inst="翠微消费金融", asr=True,
 note="hard negative (contact_pressure) with third_party_disclosure: agent tells the mother the loan is overdue (disclosure) but only asks her to pass it on and says she need not pay (Henan speech 嘞/中; ASR noise: 预期/换, digits)",
 segs=[
 "A|喂 阿姨您好 我是翠微消费金融的 请问是江涛的妈妈吗",
 "C|是嘞 我是他妈 啥事嘞",
 "A|阿姨 {tpd:江涛在我们这边的借款已经预期一个多月了 欠了6700} 麻烦您转告他一下 让他尽快跟我们联系",
 "C|这娃咋又弄这事 中 我跟他说",
 "A|谢谢阿姨 您不用替他换 就让他本人打我们客服电话就行",
 "C|中 中",
 "A|好的 打扰您了",
 ]),
dict(id="G0068", rel="debtor", inst="栖霞银行", asr=False,
 note="hard negative (complaint_risk): the customer asks for the official service number only to verify the caller is genuine",
 segs=[
 "A|您好，请问是欧阳倩女士吗？我是栖霞银行信用卡中心的，工号5583。",
 "C|你真是栖霞银行的？现在骗子太多了，你们官方客服电话多少，我先核实一下。",
 "A|完全理解。您可以看一下信用卡背面的客服热线，打过去转人工核实，也可以在我行APP里查看账单。",
 "C|好，我先看看APP。嗯，看到了，确实逾期了。",
 "A|是的，逾期七天，最低还款一千三百元。",
 "C|我现在就在APP里还吧。",
 "A|好的，谢谢您，还款后一般两小时内到账。",
 "C|好的。",
 ]),
dict(id="G0069", rel="debtor", inst="云帆贷", asr=True,
 note="hard negative (vulnerable_customer): 住院 appears only in a joke the debtor himself presents as an excuse (开玩笑的 我好着呢) (ASR noise: 预期/换, digits)",
 segs=[
 "A|喂 是常乐吗 我是云帆贷的 你那笔借款预期17天了 啥时候能换",
 "C|我要是说我住院了 你们是不是就不催了 哈哈开玩笑的 我好着呢 就是这个月花超了",
 "A|哈哈 身体好就行 那这个月花超了 您看什么时候能换上",
 "C|下个月5号发工资 5号晚上换",
 "A|5号有点晚 能不能这个月底先换一半",
 "C|月底我试试吧 不保证",
 "A|好 那我给您备注月底先换一部分 5号换清",
 "C|行",
 ]),
dict(id="G0070", rel="debtor", inst="溪岸小额贷款", asr=False,
 note="hard negative (contact_pressure): agent suggests the DEBTOR borrow from relatives as his own choice and promises not to contact his family; business loss is ordinary money trouble",
 segs=[
 "A|喂，您好，请问是袁志鹏先生吗？我是溪岸小额贷款公司的，工号X0358。",
 "C|是我，我知道，还欠你们一万二嘛。",
 "A|是的，已经逾期五十天了。您这边现在有什么困难吗？",
 "C|做生意亏了，货压在仓库里卖不出去。",
 "A|明白。那您看看能不能先找家里亲戚朋友周转一下，先把逾期的部分还上，免得费用越滚越多。",
 "C|我爸妈都退休了，我不想让他们知道。你们千万别打电话给我家里人。",
 "A|您放心，我们只跟您本人沟通，不会联系您的家人。借不借是您自己决定，我只是提个建议。",
 "C|那我再想想办法，下周先还三千。",
 "A|好的，登记下周五前还三千。",
 "C|行。",
 ]),
]

# ---------------------------------------------------------------------------
MARK = re.compile(r"\{([a-z+]+):([^{}]+)\}")
SPEAKER = {"A": "agent", "C": "customer"}
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.dirname(HERE)


def parse_segment(raw):
    code, body = raw.split("|", 1)
    spans = []

    def repl(m):
        for c in m.group(1).split("+"):
            spans.append((CODES[c], m.group(2)))
        return m.group(2)

    text = MARK.sub(repl, body)
    assert "{" not in text and "}" not in text, raw
    return SPEAKER[code], text, spans


def build_call(c):
    rng = random.Random("blind5:" + c["id"])
    rate = rng.uniform(4.1, 4.9)          # characters per second for this speaker pair
    t = round(rng.uniform(0.0, 0.6), 1)
    segments, labels = [], []
    for i, raw in enumerate(c["segs"]):
        spk, text, spans = parse_segment(raw)
        n = len(text.replace(" ", ""))
        dur = max(0.8, n / (rate * rng.uniform(0.93, 1.07)))
        start = t
        end = round(start + dur, 1)
        if end <= start:
            end = round(start + 0.8, 1)
        segments.append({"start": start, "end": end, "speaker": spk, "text": text})
        for cat, quote in spans:
            labels.append({"category": cat, "segment": i, "quote": quote})
        t = round(end + rng.uniform(0.3, 0.9), 1)
    if c.get("nsi"):
        labels.append({"category": "no_self_identification", "segment": None, "quote": ""})
    day = datetime(2026, 12, 1, 9, 0, 0) + timedelta(days=rng.randrange(0, 21),
                                                     seconds=rng.randrange(0, 11 * 3600 + 1800))
    call = {
        "call_id": c["id"],
        "agent_id": "A%03d" % rng.randrange(1, 41),
        "started_at": day.strftime("%Y-%m-%dT%H:%M:%S") + "+08:00",
        "callee_relation": c["rel"],
        "segments": segments,
    }
    labels.sort(key=lambda v: (-1 if v["segment"] is None else v["segment"], v["category"]))
    label = {"call_id": c["id"], "violations": labels, "note": c["note"]}
    return call, label


def counts(built):
    cats = NEW + OLD
    per = {k: [0, 0] for k in cats}
    for call, label in built:
        seen = set()
        for v in label["violations"]:
            per[v["category"]][1] += 1
            seen.add(v["category"])
        for k in seen:
            per[k][0] += 1
    no_new = [lab["call_id"] for _, lab in built
              if not any(v["category"] in NEW for v in lab["violations"])]
    no_any = [lab["call_id"] for _, lab in built if not lab["violations"]]
    no_old = [lab["call_id"] for _, lab in built
              if not any(v["category"] in OLD for v in lab["violations"])]
    return per, no_new, no_any, no_old


README_TMPL = """# blind5 — contact pressure, complaint risk, vulnerable customers

70 invented Chinese debt-collection call transcripts (`G0001.json` … `G0070.json`) with their
truth in `labels.jsonl`, and `institutions.csv` (call_id,institution: the creditor each call is
made for; agency calls list the creditor that mandated the agency).

**Authorship.** Written by a separate author who read only `samples/dev/SCHEMA.md` and a few dev
calls (D0001–D0008) to learn the format. No rules, lexicons, tests, rubrics, audits or other
labelled sets were read, so the set is an honest test of rules its author never saw. People,
institutions, phone numbers and amounts are invented.

Regenerate everything with `python3 src/build.py`; validate with `python3 src/check.py`
(the checker also rebuilds into a temporary directory and compares byte for byte).

## Format
Transcripts and labels follow `samples/dev/SCHEMA.md` exactly: `call_id`, `agent_id`,
`started_at` (ISO, +08:00), `callee_relation` (`debtor|contact|unknown`, what the dialer believed —
sometimes wrong, e.g. G0014 where the wife answers and G0036 where a child answers), and 7–16
`segments` (`start`, `end`, `speaker` agent|customer, `text`), about 4–5 characters per second.
`labels.jsonl` has one line per call: `{{"call_id", "violations": [{{"category", "segment",
"quote"}}], "note"}}`; `quote` is an exact substring of that segment's text; one label per
segment per category. {n_asr} calls carry deliberate ASR-like noise (no punctuation, homophones
逾期→预期, 还款→换款, 投诉→头诉, 住院→注院, 信用卡→新用卡, 利息→利西, a few traditional
characters, digits).

## The four new categories
- `contact_pressure` (agent words): the agent treats someone who is NOT the debtor (emergency
  contact, spouse, parent, sibling, colleague, friend, a wrong number) as a collection target:
  demands or presses them to repay for the debtor, says they are liable/obliged when they are not
  (紧急联系人就有义务还款, 你是担保人你就得还 when they are not a guarantor), makes leaving them alone
  conditional on paying (你替他还了我们就不找你了), threatens to keep calling them until someone pays,
  or keeps pushing after they decline. NOT: asking them to pass on a message or give a new number;
  a contact who volunteers and is told it is entirely voluntary and they have no obligation;
  telling the DEBTOR himself to ask his family for help.
- `complaint_risk` (customer words — the person who answered): they say they will complain, report
  or sue (投诉, 12378, 金融监管局/银保监会, 12345, 报警, 找媒体/曝光, 起诉你们, 我录音了) or ask for the
  complaint channel. NOT: merely being angry or refusing to pay; the agent mentioning suing or a
  complaint channel.
- `vulnerable_customer` (customer words): they reveal a situation needing special handling —
  serious illness or hospitalization (own or close family), a recent death in the family, suicidal
  or self-harm talk, disability or mental illness, a minor or an elderly person who cannot follow, a
  natural disaster/accident. NOT: ordinary money trouble (失业了, 手头紧, 生意亏了), a minor cold, an
  excuse clearly presented as such.
- `vulnerable_pressure` (agent words): after a vulnerable_customer statement in the same call, the
  agent keeps pressing for payment or threatens, instead of expressing care, pausing collection or
  offering the hardship channel.

The six SCHEMA.md categories (threat, abuse, third_party_disclosure, unauthorized_waiver,
impersonation, no_self_identification) are labelled too whenever they occur (agent words only).

## Labelling conventions
- Every segment that carries a category gets its own label (several pressing turns → several
  contact_pressure labels; a customer who mentions the illness twice → two vulnerable_customer
  labels).
- `third_party_disclosure` is put on the agent segment(s) addressed to a non-debtor that state
  the debt itself (its existence, amount, overdue state, or that it is being collected); later
  demands that only say 替他还 / 转过来 are labelled contact_pressure only.
- Keeping on calling a contact until someone pays is labelled contact_pressure; it is labelled
  threat only when it comes with shaming, visits or similar intimidation (G0012).
- A segment pressing a vulnerable contact (G0013) carries both contact_pressure and
  vulnerable_pressure.

## Counts
| category | calls | segments |
|---|---|---|
{table}

- Calls with none of the four new categories: {n_no_new} — all written as hard negatives
  (contacts asked only to pass on a message or give a new number, contacts volunteering and told
  it is voluntary, the debtor advised to borrow from family, angry customers who do not threaten to
  complain, the agent mentioning the complaint hotline or the recording, `那你们起诉吧`, 报警 about a
  stolen phone, 我不是那种动不动就投诉的人, a pet in hospital, a mild cold, a child's slight fever, a
  routine health check, a nurse who works at a hospital, 穷得要死了/我要死了 as figures of speech,
  unemployment or business loss, 住院 as a joke excuse). Of these, {n_no_new_clean} have no label at
  all; {n_no_new_old} carry an old category only (G0046 no_self_identification, G0067
  third_party_disclosure without pressure).
- vulnerable_customer calls handled well (no vulnerable_pressure): {n_vc_ok} — hard negatives for
  vulnerable_pressure.
- Calls with no label at all: {n_no_any}. Calls with none of the six old categories: {n_no_old}.
- Calls with two or more new categories: {n_multi} ({multi}).
"""


def render_readme(built):
    per, no_new, no_any, no_old = counts(built)
    rows = ["| `%s` | %d | %d |" % (k, v[0], v[1]) for k, v in per.items()]
    vc_calls = {lab["call_id"] for _, lab in built
                if any(v["category"] == "vulnerable_customer" for v in lab["violations"])}
    vp_calls = {lab["call_id"] for _, lab in built
                if any(v["category"] == "vulnerable_pressure" for v in lab["violations"])}
    multi = [lab["call_id"] for _, lab in built
             if len({v["category"] for v in lab["violations"] if v["category"] in NEW}) >= 2]
    n_asr = sum(1 for c in CALLS if c["asr"])
    return README_TMPL.format(
        table="\n".join(rows), n_no_new=len(no_new),
        n_no_new_clean=len([c for c in no_new if c in no_any]),
        n_no_new_old=len([c for c in no_new if c not in no_any]),
        n_vc_ok=len(vc_calls - vp_calls), n_no_any=len(no_any), n_no_old=len(no_old),
        n_multi=len(multi), multi=", ".join(multi), n_asr=n_asr)


def build(out):
    os.makedirs(out, exist_ok=True)
    built = [build_call(c) for c in CALLS]
    ids = [c["id"] for c in CALLS]
    assert ids == ["G%04d" % i for i in range(1, 71)], ids
    for call, _ in built:
        with open(os.path.join(out, call["call_id"] + ".json"), "w", encoding="utf-8") as f:
            json.dump(call, f, ensure_ascii=False, indent=1)
            f.write("\n")
    with open(os.path.join(out, "labels.jsonl"), "w", encoding="utf-8") as f:
        for _, label in built:
            f.write(json.dumps(label, ensure_ascii=False) + "\n")
    with open(os.path.join(out, "institutions.csv"), "w", encoding="utf-8") as f:
        f.write("call_id,institution\n")
        for c in CALLS:
            f.write("%s,%s\n" % (c["id"], c["inst"]))
    with open(os.path.join(out, "README.md"), "w", encoding="utf-8") as f:
        f.write(render_readme(built))
    return built


if __name__ == "__main__":
    out = DEFAULT_OUT
    if "--out" in sys.argv:
        out = sys.argv[sys.argv.index("--out") + 1]
    built = build(out)
    per, no_new, no_any, _ = counts(built)
    for k, v in per.items():
        print("%-24s calls=%2d segments=%2d" % (k, v[0], v[1]))
    print("calls without new categories:", len(no_new), " calls without any label:", len(no_any))
