#!/usr/bin/env python3
"""Regenerate the blind4 evaluation set deterministically.

All calls are held below as data. Each call is a dict; its dialogue is a block of
lines "A: ..." (agent) or "C: ..." (whoever answered). Violations are marked inline
in agent lines as {X:quoted text}, with X one of
    T threat, B abuse, D third_party_disclosure, W unauthorized_waiver, I impersonation.
no_self_identification is a call-level flag (noid=True).
asr: None (clean), "manual" (noise written by hand), "auto" (punctuation dropped,
homophones, some traditional characters applied by noise() below, deterministically).

Run:  python3 src/build.py      (writes F0001.json..F0080.json, labels.jsonl,
                                 institutions.csv, README.md next to src/)
"""
import json
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)

CAT = {"T": "threat", "B": "abuse", "D": "third_party_disclosure",
       "W": "unauthorized_waiver", "I": "impersonation"}
CAT_ORDER = ["threat", "abuse", "third_party_disclosure", "unauthorized_waiver",
             "impersonation", "no_self_identification"]

CALLS = []


def call(rel, inst, note, turns, asr=None, noid=False, hard=None):
    CALLS.append(dict(rel=rel, inst=inst, note=note, turns=turns, asr=asr,
                      noid=noid, hard=hard))


# ---------------------------------------------------------------------------
# VIOLATING CALLS
# ---------------------------------------------------------------------------

call("debtor", "泰丰银行",
     "threat: 东北 agent uses detention/拘留 and being taken away by police as intimidation over three turns (ASR noise: no punctuation, 新用卡/预期, digits, 錢)",
     """
A: 喂 孙海涛是吧 我这边泰丰银行新用卡中心的 你那张卡预期87天了知道不
C: 知道知道 最近手头真没錢
A: 没钱 你刷的时候咋有钱呢 欠款本息一共23600 你今天必须给我整个说法
C: 我这礼拜真整不出来 下个月发工资行不
A: {T:下个月 下个月你就进去了 我跟你说这个数额够立案了 到时候公安直接上你家把你带走拘留十五天}
C: 你别吓唬我 欠钱又不是犯罪
A: {T:你看我吓不吓唬你 恶意透支知道不 抓进去蹲几天你就老实了 你媳妇孩子看着你被带走好看啊}
C: 那你说咋整 我现在就800块钱
A: {T:800打发要饭的呢 今天晚上八点前不还五千 明天就让派出所找你 你自己掂量}
C: 五千我真没有 我媳妇那边也没錢
A: {T:没有就让你媳妇跟着一块丢人 明天我们的人上你家楼道里贴通知 派出所的车一到你们整栋楼都看着}
C: 别别别 我跟我哥借借吧 借着了给你回话
A: 行 八点前我这边查账 你借到了打这个号回个话
C: 知道了
""", asr="manual")

call("debtor", "融晖消费金融",
     "threat + abuse: agent threatens to notify the employer (你单位都会收到通知，工作还要不要了), hints he holds HR's number, and belittles the debtor",
     """
A: 喂，刘晓燕吗？融晖消费金融的，我姓马。你那笔分期已经逾期两个月了，今天打电话是想跟你确认还款时间。
C: 我知道，我这个月工资还没发，发了就还。
A: {T:每次都是这句。你在恒升物流上班是吧？人事部电话我这儿都有。}
C: 你打我单位干什么？这跟单位有什么关系？
A: {T:有没有关系你说了不算。你再拖，你单位都会收到通知，你们领导、人事全都知道你欠钱不还，工作还要不要了？}
C: 你这是违法的，我要投诉你。
A: {B:投诉？就你这样的，欠钱不还还有脸投诉，真把自己当回事了。}
C: 我没说不还，我就是晚几天。
A: {T:晚几天可以，十五号前没到账，我直接给你们人事发函，让全公司都看看你是什么人。}
C: ……行，十五号前我一定还。
A: 记住了，十五号，三千八百六十元，一分不能少。
""")

call("debtor", "米粒借",
     "threat: polite-but-menacing agent threatens to shame the debtor through his child's school (让孩子老师同学都知道, parents' group), three threatening turns",
     """
A: 陈志鹏先生您好，米粒借贷后服务部，工号3021。您的借款逾期二十三天，应还四千一百二十元。
C: 哦，我知道，最近家里事多，过几天吧。
A: 陈先生，您上个月也是这么说的，到现在一分钱都没还。
C: 真的是家里事多，我不是不还。
A: {T:我看您资料上填了，孩子在实验二小读三年级。要是再这么拖下去，我们可能得联系一下孩子的班主任，让孩子老师同学都知道他爸爸欠钱不还，您也不想这样吧。}
C: 你们敢！这跟孩子有什么关系？
A: {T:敢不敢您可以试试。家长群里发个消息，几分钟的事。}
C: 你们这是犯法的，我报警。
A: {T:您报。报之前先想想，孩子在学校以后还抬不抬得起头。}
C: ……我明天还两千，剩下的月底。
A: 好的，我给您记上，明天两千，月底结清剩余部分。
""")

call("debtor", "德润小额贷款|卓安资产管理",
     "threat: 河南 agency agent threatens to go to the village committee, broadcast it, and sit at the family's door (ASR noise: 小袋/一七 homophones, digits, no punctuation, 錢)",
     """
A: 喂 郝建国不是 俺这边卓安资产哩 受德润小袋委托 恁那笔借款都一七四个月了
C: 是俺 俺今年收成不中 真没錢
A: 没钱 借的时候咋恁痛快嘞 一共是12800 恁打算啥时候还
C: 等过年打工回来吧
A: {T:过年 俺跟恁说 下礼拜俺们的人就去恁村里 先找村委会 大喇叭一广播 全村都知道恁郝建国欠钱不还}
C: 恁可别 俺老娘还在村里住哩
A: {T:恁老娘在更好 俺们去恁家门口坐着等 啥时候还钱啥时候走 看恁家在村里还有脸没}
C: 中中中 俺想办法 先还两千中不中
A: {T:两千不中 这礼拜拿五千 不然俺们开车就过去了 村委会主任电话俺都打听好了}
C: 俺去借 俺去借
A: 那就这礼拜五 五千 到账给俺回个电话
""", asr="manual")

call("debtor", "万通小贷",
     "threat: veiled harm to the debtor's daughter (放学路上不安全, 出点意外) and knowing her building; no explicit violence word",
     """
A: 赵丽娟是吧，万通小贷的，你那笔三万的借款逾期快五个月了。
C: 我知道，我现在离婚了，一个人带孩子，真的拿不出来。
A: {T:一个人带孩子，那更得注意点。你女儿每天四点半放学吧，自己走回家？}
C: 你什么意思？
A: {T:没什么意思，就是觉得小姑娘一个人走路不太安全，这年头什么事都有可能发生，你说是吧？}
C: 你敢动我女儿我跟你拼命！
A: {T:我可什么都没说。钱的事早点解决，你们娘俩都安生，不然哪天出点意外，别说没提醒你。}
C: 我……我找我妈借，这周先还五千。
A: {T:五千是吧，周五我等你消息。你家住哪栋楼我们也清楚，别让我们的人过去找你。}
C: 我还，我一定还。
A: 这就对了，周五别忘了。
""")

call("debtor", "闪贷盒子",
     "threat + abuse: sarcastic agent (你等着, 陪你玩, contacts will know) and name-calling 老赖/废物; the customer's closing 你给我等着 is not labelled",
     """
A: 吴刚是吧，终于肯接电话了？闪贷盒子的，还记得我们吧。
C: 有事说事，别阴阳怪气的。
A: {B:阴阳怪气？你一个老赖还挑上我了。借了五千八，拖了两个月，电话拉黑了七八次，你可真行。}
C: 我拉黑怎么了，我又没说不还。
A: 那你说，什么时候还？
C: 等我手头宽裕了再说。
A: {T:行，你等着。你慢慢宽裕，我们也慢慢陪你玩，看谁先受不了。}
C: 你这是威胁我？
A: {T:我哪敢威胁您啊，我就是说，你通讯录里那几百号人，迟早都会知道你是什么人。}
C: 你们敢发我就告你们。
A: {B:告去吧，一个连五千块都还不上的废物，请得起律师吗？}
C: 你给我等着。
""")

call("debtor", "恒璟消费金融",
     "threat + abuse: 四川 agent swears (龟儿子, 瓜娃子) and threatens to come to the home and make a scene in front of the family",
     """
A: 喂，彭飞嘛？恒璟消费金融的，你那个分期欠起两个多月了哈，晓得不嘛？
C: 晓得晓得，最近莫得钱嘛。
A: {B:莫得钱？你龟儿子买手机的时候咋个有钱喃？}
C: 你咋个骂人喃？
A: {B:骂你咋个了嘛，你个瓜娃子欠钱不还还有理了？}
C: 我下个月发工资就还。
A: {T:下个月？我跟你说，这个礼拜不还，我们的人直接到你屋头来，你住的那个小区我们晓得，到时候在你门口等到你，莫怪我没提醒你。}
C: 你们来嘛，我怕你们嗦？
A: {T:不怕是吧，你屋头老的小的都在，到时候闹起来好看得很。}
C: ……好嘛好嘛，我礼拜五先还一千。
A: 一千太少了，至少两千，礼拜五下午五点前。
C: 要得。
""")

call("debtor", "东汇银行",
     "impersonation + threat: agent claims to be from the court's enforcement bureau (我这边是…发院执行局的), says judgment exists, threatens 发院就来拘你 (ASR noise: 发院/新用卡, digits, no punctuation, 錢)",
     """
A: 喂 是蒋涛吗 {I:我这边是市中级人民发院执行局的} 找你核实一下东汇银行新用卡的案子
C: 法院 我没收到什么法院的东西啊
A: {I:东汇银行已经把你起诉了 判决都下来了 现在案子在我们执行局 我是执行局的经办人}
C: 我咋不知道被起诉了
A: {I:你电话打不通 传票公告送达了 你不知道不代表没有}
C: 那现在咋办
A: {T:咋办 今天下午五点前把32000打到指定账户 不然明天发院就来拘你 直接拘留十五天}
C: 我哪有那么多錢 能不能分期
A: {T:分期你跟我讲没用 判决书上写得清清楚楚 不还就是拒不执行 拘你都是轻的 还要判刑}
C: 我先还五千行不行
A: {I:五千我帮你跟法官说一下 暂缓执行 你下午三点前打过来}
C: 好吧
""", asr="manual")

call("debtor", "金豆钱包",
     "impersonation + threat: rushed agent says the case is transferred to economic-crime police and he speaks for them, then threatens detention and the parents visiting a detention centre",
     """
A: 冯磊是吧？金豆钱包的，你借款逾期四十天了，今天我是最后一次通知你。
C: 我知道，我在想办法。
A: {I:想办法？我跟你说，你这个案子我们已经移交给公安经侦了，我现在是配合经侦的同志在跟你沟通。}
C: 经侦？借钱不还又不是诈骗。
A: {I:你借款的时候填的资料有问题，经侦那边已经定性了，我这边就是代表他们通知你。}
C: 那我要怎么办？
A: {T:今天之内把九千四结清，不然明天经侦直接上门拘人，拘留通知书会寄到你老家。}
C: 我一下子拿不出这么多。
A: {T:拿不出来就等着进去吧，进去了你爸妈还得去看守所给你送衣服。}
C: 我晚上先转三千过去。
A: 三千不够，你先转，剩下的明天中午前。
""")

call("debtor", "好期借",
     "threat + no_self_identification: polite-but-menacing 换个方式跟你谈 and 外访 colleagues at her address; agent only says 贷后部门/公司 and dodges the question which platform",
     """
A: 您好，许文静女士吧？我这边是贷后部门的，姓周，跟您聊一下您那笔借款的事。
C: 哪个借款？我借了好几个平台。
A: 就是去年十一月借的那笔，八千块，十二期，现在已经三期没还了。
C: 哦……那个啊。我现在在找工作，能不能缓缓。
A: 许女士，我们已经缓了您两个多月了，公司也有公司的规定。
C: 我真的没钱，你们要怎样就怎样吧。
A: {T:您这么说的话，那我们只能换个方式跟您谈了。到时候是什么方式，可能就不是电话了。}
C: 什么意思？你们要干什么？
A: {T:我们有专门的外访同事，您住在城南花园七栋对吧，他们很擅长跟人面对面沟通，您家里人应该也会很感兴趣。}
C: 你别乱来啊。
A: {T:乱不乱来看您。这周日之前，先还两期，两千三百八。您好好考虑一下，我真的不希望走到那一步。}
C: ……我周日前还。
""", noid=True)

call("debtor", "快米花",
     "threat + no_self_identification: threatens to blast the debt to every phone contact and make a poster with her photo; says only 平台 (ASR noise: 预期/换款, digits, no punctuation)",
     """
A: 喂梁思雨吗 我这边是平台贷后的 你那笔借款预期十二天了 3650 今天能处理吗
C: 我过两天吧 这几天手头紧
A: 过两天 你上次也说过两天 你这是拿平台当什么了
C: 我真没钱啊
A: {T:没钱是吧 那我今天就把你的欠款信息发到你通讯录里 你爸妈 同学 同事一个一个发 标题我都想好了 梁思雨借钱不还}
C: 你们这样是侵犯隐私
A: {T:隐私 你借的时候同意授权通讯录了 我们还要做个海报 P上你的照片发朋友圈 让大家都认识认识你}
C: 你别发 我今晚想办法
A: {T:今晚十点前不还 十点零一分 第一条就发给你妈}
C: 知道了
A: 那就十点前 换款后截个图发过来
""", asr="manual", noid=True)

call("contact", "嘉川农商银行|聚信商务咨询",
     "third_party_disclosure + threat: agency agent tells the debtor's colleague the card debt and amount, then threatens to come to the company and tell the leaders",
     """
A: 喂，你好，是何俊的同事吧？我这边聚信商务咨询的，姓郭，想找一下何俊。
C: 对，我跟他一个办公室的，他今天请假了，有什么事吗？
A: {D:他在嘉川农商银行的信用卡欠了两万六，逾期半年了，电话一直不接。}
C: 啊？这个……我不太清楚他的事。
A: {D:你跟他说，他这个欠款再拖下去就要上失信了，你们同事之间也注意点，别借钱给他。}
C: 这个我就不方便传话了吧。
A: {T:不方便也得传。你告诉他，下周一我们的人就去你们公司找他，找不到他就找你们领导，让你们整个单位都知道。}
C: 你们找领导干什么，这是他个人的事。
A: {T:个人的事他不处理，那就变成单位的事。你们领导要是不想天天接我们电话，就让他赶紧还钱。}
C: 行吧，我跟他说一声。
A: 麻烦你了，让他今天之内回电话。
""")

call("debtor", "云朵借",
     "abuse: rushed agent swears (他妈的, 傻逼, 装死) over three turns (ASR noise: 预期/换款, digits, no punctuation, 還)",
     """
A: 喂胡斌吧 云朵借的 你那个2800预期一个礼拜了 今天换不换
C: 你们烦不烦啊 一天打八遍
A: {B:我他妈也不想打 你要是按时换款谁有空搭理你}
C: 你嘴巴放干净点
A: {B:放干净 你欠钱不還你干净啊 傻逼一个}
C: 我记下你工号了 我要投诉你
A: 投诉随便 今天晚上之前把钱还了 2800加上罚息一共2913
C: 我晚上看看
A: {B:看什么看 别他妈又给我装死}
C: 知道了知道了
""", asr="manual")

call("debtor", "青禾银行",
     "abuse: agent mocks the debtor's illness (化疗 called made up, 诊断书五十块一张, 装可怜)",
     """
A: 喂，马春梅吗？青禾银行信用卡中心的，您卡上欠款一万一千四，已经逾期七十多天了。
C: 我知道，我年初查出来乳腺的问题，一直在化疗，真的没办法。
A: {B:化疗？你们这些人一到还钱就都得病了，上个月那个说得癌，这个月你又化疗，编得挺像啊。}
C: 我有诊断书，你可以看。
A: {B:诊断书现在网上五十块钱一张。就算真病了，那也是你自己作的，病了就不用还钱了？}
C: 你说话怎么这么难听……
A: 我不跟你扯，这个月最低还款一千五百八，二十号前能不能还？
C: 我让我老公想想办法吧。
A: {B:早这样不就完了，非得装可怜。}
C: 好。
A: 二十号，别忘了。
""")

call("debtor", "鑫诚小额贷款",
     "abuse: 东北 agent curses the debtor's family (一家子这德行, 爹妈生你这么个玩意儿, 穷死活该) (ASR noise applied: no punctuation, homophones, traditional characters)",
     """
A: 宋国强，鑫诚小贷的，你那笔两万的借款到底还不还了？
C: 还，肯定还，现在工地没结账，老板欠我钱呢。
A: {B:你老板欠你钱，你欠我们钱，那我找谁去？你们一家子都这德行是吧？}
C: 你说话别带我家里人。
A: {B:带了咋地？你爹妈生你这么个玩意儿，一家子都不是啥好东西。}
C: 你再骂一句试试？
A: {B:骂你咋了，就你们这一家子，穷死活该。}
C: 我现在就挂了投诉你们。
A: 投诉去呗，钱还是得还。月底前先还五千。
C: 滚。
""", asr="auto")

call("debtor", "驰远汽车金融",
     "abuse: car-finance agent shows contempt (拿我的话当放屁), calls the debtor 废物 and 脑子不好使",
     """
A: 罗勇，驰远汽车金融贷后部，你车贷这个月又没还，第三次了。
C: 我知道，这个月跑车的活少，下周应该能凑上。
A: 上个月你也是这么说的，我跟你说过多少遍了，每月十号前扣款，卡里留够钱。
C: 我记得，就是没凑够。
A: {B:你记得？你就是拿我的话当放屁！我说的话你一句都没往心里去。}
C: 你好好说话行不行。
A: {B:跟你好好说有用吗？三十多岁的人了，一个月四千的车贷都供不起，真是个废物。}
C: 我供不起我也在想办法。
A: 想办法就快点，十五号前把这期四千二百三补上，加上违约金八十四。
C: 好，十五号前。
A: {B:别再让我说第四遍，听懂了没有？脑子不好使就拿笔记下来。}
""")

call("debtor", "北辰消费金融",
     "abuse + unauthorized_waiver: agent calls the debtor 垃圾 twice and, on his own say, drops all interest and writes off 5,600 (ASR noise: 一七/利西, digits, no punctuation, 這)",
     """
A: 喂曹雪梅吗 北辰消费金融的 你这个分期一七三个月了 本金加利西一共15600
C: 我现在真没钱 你们能不能少点
A: {B:少点 你借钱的时候咋不说少借点 就你这种垃圾客户我一天见八百个}
C: 你怎么说话呢
A: 我就這么说话 你到底还多少
C: 我最多能拿出一万
A: {W:一万是吧 行 算了算了 利西我不要了 你拿一万出来 这个账我给你结清}
C: 真的 那剩下的五千六呢
A: {W:我说了算 剩下的我给你抹掉 你就当没有 月底前打一万过来就完事}
C: 那你们不会再找我了吧
A: {B:只要你这个垃圾按时打钱 谁稀罕找你}
C: 行吧
""", asr="manual")

call("debtor", "橙子分期",
     "abuse + no_self_identification: app agent mocks (小学没毕业, 脸皮比城墙还厚, 缩头乌龟) and, asked which platform, never names it",
     """
A: 林小芳是吧，你借我们平台的钱打算什么时候还啊？
C: 你哪个平台的？
A: 你借了几个平台自己心里没数吗？两千四那个，逾期二十天那个。
C: 我借的是有几个……你说的那个我下周还。
A: {B:下周下周，你是不是除了下周不会说别的了？小学没毕业吧？}
C: 你这人有病吧。
A: {B:我有病？欠钱不还的人还好意思说别人有病，你脸皮比城墙还厚。}
C: 你再这样我挂了。
A: 挂了我还得再打，今天还不还？
C: 明天发工资，明天还。
A: {B:明天中午之前，别又跟个缩头乌龟一样躲起来。}
""", noid=True)

call("contact", "宁信银行",
     "third_party_disclosure + abuse: agent tells the debtor's mother the card debt, amount and overdue months, and calls her son 白眼狼",
     """
A: 喂，您好，是叶子豪的妈妈吗？我是宁信银行信用卡中心的，姓彭。
C: 是啊，我是他妈，子豪怎么了？
A: {D:您儿子在我们银行的信用卡欠了三万二，逾期八个月了，人一直联系不上。}
C: 啊？他没跟我说过啊，他不是在深圳上班吗？
A: {D:上什么班啊，电话换了，地址也换了，我们这边已经准备走催收外访了。}
C: 那……那怎么办，他爸身体不好，这事可不能让他爸知道。
A: {B:您这儿子也是白养了，欠一屁股债自己躲起来，让老娘替他背锅，这种人就是个白眼狼。}
C: 你怎么能这么说我儿子……
A: {D:我说的是事实。您要是能联系上他，让他赶紧回电话，三万二，一分都少不了。}
C: 我……我给他打电话。
A: 麻烦您了。
""")

call("debtor", "瑞和银行",
     "third_party_disclosure: dialer believed debtor but the wife answered; agent starts with a proper callback request, then gives her the amount and overdue days (ASR noise applied)",
     """
A: 喂，您好，请问是韩冬先生吗？
C: 他在洗澡，我是他老婆，你有什么事？
A: 哦，您好，我是瑞和银行信用卡中心的，韩先生方便的时候能不能让他回个电话？
C: 什么事啊？你跟我说也一样，我们家的事我都知道。
A: {D:那我就跟您说一下，韩先生的信用卡现在欠款一万八千七，已经逾期六十五天了，最低还款也没还。}
C: 一万八？他跟我说早还完了！
A: {D:没有的，我们系统显示这半年一直是逾期状态，催了好几次了。}
C: 这个死人……行，我让他给你打过去。
A: 好的，麻烦您让他今天回电，号码就是这个。
""", asr="auto")

call("contact", "安心分期",
     "third_party_disclosure: a colleague holding the debtor's phone is told the loan is overdue, the amount, and that contacts were called (ASR noise: 预期/换款, digits, no punctuation)",
     """
A: 喂你好 请问是丁鹏吗
C: 不是 我是他同事 他手机放我这充电了 你找他啥事
A: 哦你好 我这边安心分期的 丁鹏在吗
C: 他去开会了 要半个小时
A: {D:那你帮我跟他说一下 他在我们安心分期的借款已经预期一个多月了 6400多 让他赶紧换款}
C: 啊 他还欠网贷啊 行 我跟他说
A: {D:对 你就说再不换就要上征信了 他好几个紧急联系人我们都打了 都不接}
C: 好吧
A: 谢谢啊
""", asr="manual")

call("debtor", "宏业小额贷款",
     "third_party_disclosure: wrong number (recycled SIM); agent tells the stranger the named person's loan amount and overdue state and that a lawsuit is coming",
     """
A: 喂，是邵佳琪吗？
C: 不是，你打错了，我不姓邵。
A: 这个号码是邵佳琪留的联系方式，你认识她吗？
C: 不认识，这号我刚办了半年。
A: {D:那麻烦你了，她在我们宏业小额贷款借了三万五，逾期快一年了，要是认识她的话让她赶紧还钱。}
C: 我都说了不认识，你们这是泄露别人隐私吧。
A: {D:没事，你要是以后接到她电话，跟她说一声，宏业小贷在找她，欠款再不还就要起诉了。}
C: 神经病，别打了。
""")

call("debtor", "佳兴消费金融",
     "third_party_disclosure: agent launches into the debt without verifying identity; the father answered the home line, and the agent keeps disclosing amount and missed installments",
     """
A: {D:喂，程亮吗？佳兴消费金融的，你那笔分期已经逾期四十二天了，欠款七千六百八，今天能还吗？}
C: 啥？你找程亮？我是他爸，这是家里座机。
A: {D:哦，叔叔您好。那您跟程亮说一声，他在我们佳兴消费金融的分期欠了七千六百八，已经逾期一个多月了。}
C: 他又借钱了？这孩子……他跟我说是买电脑分期的。
A: {D:对，就是买电脑那笔，分了十二期，后面四期都没还，我们打了他十几次电话都不接。}
C: 行，我晚上跟他说，让他给你们回电话。
A: 好的，谢谢叔叔，让他尽快。
""")

call("contact", "青禾银行|诚泰资产管理",
     "third_party_disclosure (subtle): compliant callback request to the cousin first, then reveals it is a collection case for a 青禾银行 credit card, without an amount",
     """
A: 您好，请问是朱婷婷女士吗？
C: 是我，哪位？
A: 朱女士您好，我是诚泰资产的，姓吕，想找一下高原先生，您是他留的联系人。
C: 高原是我表哥，怎么了？
A: 没什么，就是有点事想跟他本人确认一下，最近打他电话没人接，麻烦您方便的时候让他回个电话。
C: 行，那我怎么跟他说？你们是干嘛的？
A: {D:您就跟他说，青禾银行委托我们催收的那个案子，让他尽快跟我们联系处理，不然会影响他的征信。}
C: 催收？他欠银行钱了？
A: {D:对，信用卡的，具体金额我不方便说，您让他联系我们就行。}
C: 好，我跟他说。
""")

call("contact", "易借花",
     "third_party_disclosure: emergency contact (a classmate) is told the loan amount, overdue months and total owed (ASR noise: 一七/换款/利西, digits, no punctuation)",
     """
A: 喂你好 是史小川吗
C: 是我 你哪位
A: 你好 我这边是易借花的 请问你认识龙海吗 他留的紧急联系人是你
C: 认识啊 我大学同学 咋了
A: {D:他在我们易借花借了5000块钱 现在一七两个月了 电话也不接 你能联系上他不}
C: 啊 这我不知道啊 他没跟我说
A: {D:你帮忙跟他说一下 再不换款就要影响他征信了 他现在欠的本金加利西一共6300多}
C: 行吧 我试试
A: 好的谢谢 你让他打APP里的客服电话就行
""", asr="manual")

call("contact", "广盛银行",
     "third_party_disclosure + unauthorized_waiver: agent tells the sister the brother's debt and amount, then lets her settle for principal only, waiving interest and penalty on his own authority",
     """
A: 您好，请问是苏晴女士吗？我是广盛银行信用卡中心的，姓钟。
C: 是我，什么事？
A: 苏女士，您认识苏强吧？他留的联系人是您。
C: 他是我弟弟，怎么了？
A: {D:您弟弟在我们这边的信用卡欠款四万三，已经逾期快一年了，我们一直找不到他本人。}
C: 啊，又是这事，他上次就说还了……他现在人在外地打工。
A: {D:没还，一分都没还，现在连本带息四万三千六，再拖下去银行就要起诉他了。}
C: 那……我能帮他还一部分吗？我手上就两万多。
A: {W:这样，您要是能帮他还本金，三万整，利息和违约金我这边直接给他免了，就当结清。}
C: 能免这么多？你说了算吗？
A: {W:这个我能做主，您这周内打三万过来，我这边就给他销账，以后不会再找他了。}
C: 那我跟家里商量一下。
""")

call("debtor", "凯丰小额贷款",
     "unauthorized_waiver: 广东-flavoured agent promises 只还本金, waives 13,000 of interest and penalty himself, 唔使申请",
     """
A: 喂，梁先生是吧？我这边凯丰小额贷款的，姓黄，跟你讲下你那笔借款的事啦。
C: 哦，知啦知啦，我最近生意不好做，真系冇钱。
A: 梁先生，你这笔逾期四个月了喔，本金五万，加上利息罚息现在六万三啦。
C: 六万三？点解多咗咁多？我真系还唔起。
A: {W:这样啦，我帮你搞掂，你只还本金五万就得啦，利息罚息我这边全部帮你免咗。}
C: 真系？你们公司会同意吗？
A: {W:放心啦，这个我话事，你月底前还五万，剩下的一万三我直接帮你销掉，唔使申请。}
C: 咁好啊，我想办法凑钱。
A: {W:系啦，早点还清大家都轻松，记住只还五万就得，多一分都唔使俾。}
C: 好，唔该晒。
""")

call("debtor", "华远银行",
     "unauthorized_waiver: agent grants 停息挂账 directly in his system, no application or materials (ASR noise: 预期/新用卡/利西, digits, no punctuation)",
     """
A: 喂袁媛女士吗 华远银行新用卡中心的 您这张卡预期5个月了 欠款本息28900
C: 我知道 我现在每个月工资才四千 还有房租 真还不起
A: 那您每个月能还多少
C: 最多一千吧
A: {W:这样吧 我直接给您办停息挂账 从这个月开始利西和违约金都不算了 您每个月还八百多就行}
C: 停息挂账不是要申请吗 我听说要交材料
A: {W:不用那么麻烦 我这边系统里直接给您操作 今天就生效 分36期 一期八百出头}
C: 那太好了 那我这个月就开始还
A: {W:对 就这么定了 以后不会再有罚息 您也不用再交什么申请}
C: 好的谢谢
""", asr="manual")

call("debtor", "恒璟消费金融",
     "unauthorized_waiver: weary agent offers an 八折 one-off settlement, admits there is no such policy (冲业绩), then goes down to 12,000",
     """
A: 魏东先生吧，恒璟消费金融贷后中心，您的借款逾期一百二十天，待还金额两万零五百。
C: 我知道，我失业半年了，实在没钱。
A: 唉，我也知道大家都难。这样，您看能不能一次性凑一部分？
C: 一次性？我最多能跟朋友借一万多。
A: {W:那我给您打个八折，一万六千四，一次性还清，这个账就结了，剩下的不用管。}
C: 八折？这是你们公司的政策吗？
A: {W:政策是没有，我这边月底冲业绩，给您做了，您放心，我说的算数。}
C: 一万六我也凑不齐啊，一万二行不行？
A: {W:一万二……行吧行吧，就当帮您一把，一万二这周五前到账，我给您结清。}
C: 好，我去借。
""")

call("debtor", "安泽银行",
     "unauthorized_waiver (mild): agent removes a 315 yuan late fee on his own, without any application (不用写申请, 直接备注免掉)",
     """
A: 喂，吕芳女士，安泽银行信用卡中心，工号6612。您卡上逾期三十四天，最低还款两千一，违约金三百一十五。
C: 我这周就还，能不能把违约金给我去掉？我就是忘了。
A: 嗯……您是第一次逾期吧？
C: 对啊，以前从来没逾期过。
A: {W:那行，违约金我给您抹了，您这周把最低两千一还上就行，三百一十五不用交了。}
C: 真的啊？不用写申请什么的？
A: {W:不用，我这边直接给您备注免掉，回头系统会自动冲回来。}
C: 好的，谢谢你啊。
A: 没事，记得周五前还。
""")

call("debtor", "乐享借",
     "unauthorized_waiver: agent waives all interest and penalty (利西罰息我给你全免了, 就当交个朋友) (ASR noise: 一七/利西, digits, traditional 罰/換, no punctuation)",
     """
A: 喂邱明啊 乐享借的 你那笔借款一七58天了 本金4000 利西加罚息1380
C: 哎呀 我知道 这俩月工地没活 嘎哈都没钱
A: 那你现在能拿出多少
C: 四千我能整 利西那一千多真没有
A: {W:行 那你就还四千 利西罰息我给你全免了 就当交个朋友}
C: 真的啊 能免
A: {W:能 我跟你说能就能 你今天把4000換了 我这边给你结清 后面不会再有利西}
C: 行 那我下午就换
A: 下午五点前 换完跟我说一声
""", asr="manual")

call("debtor", "泽丰小额贷款",
     "unauthorized_waiver + no_self_identification: agent offers to close a 17,000 debt for 3,000 (这事就算完了) and, asked twice which company, never names it",
     """
A: 钟琴吗？你那笔借款的事，我这边贷后的，姓韩。
C: 什么借款？你们哪里的？
A: 你去年在我们公司借的一万二，还记得吧，现在逾期七个多月了，连本带息一万七。
C: 哦……我现在哪有钱啊。
A: 我也不跟你绕弯子，你现在手上有多少？
C: 三千，顶多三千。
A: {W:三千也行，你拿三千出来，这事就算完了，剩下的我给你平掉。}
C: 三千就完了？你们公司同意吗？
A: {W:公司那边我去说，你今天打三千过来，我就给你出结清证明。}
C: 那你先告诉我你们是哪个公司的？
A: 你借过几家自己不清楚吗？就是那笔一万二的，你转过来就行了。
C: ……那我想想。
""", noid=True)

call("debtor", "花生分期",
     "unauthorized_waiver + no_self_identification: polite app agent (平台/APP only, no name) waives the penalty and promises the later installments interest-free",
     """
A: 您好，崔浩先生是吗？我这边是平台的还款服务专员，工号2087。
C: 嗯，是我，啥事？
A: 您在平台上的借款这期逾期十五天了，应还一千九百六十元，包含罚息一百二十元。
C: 我知道，我本来打算这周还的，罚息能不能不收啊？
A: {W:可以的，看您这么配合，罚息我这边给您免掉，您还一千八百四就行。}
C: 那太好了，以后的利息呢？
A: {W:后面几期我也给您弄成免息，您只要按时还本金就可以，这个我这边能操作。}
C: 好的，那我今晚就还。
A: 好的，您在APP里还款就行，有问题打这个电话。
""", noid=True)

call("debtor", "泰丰银行|正远信息咨询",
     "impersonation + unauthorized_waiver: agency agent poses as a law-firm lawyer about to file suit, then promises to waive 19,200 for a one-off 15,000",
     """
A: 喂，姚雪女士吗？{I:我是正衡律师事务所的王律师，泰丰银行已经全权委托我们律所处理您的信用卡欠款诉讼。}
C: 律师？要起诉我吗？
A: {I:诉讼材料我们律所已经准备好了，下周一就递交法院，这是庭前最后一次调解。}
C: 我欠的是三万多吧，我现在真拿不出来。
A: {W:三万四千二。这样，只要您这周拿出一万五，剩下的我帮您全部免掉，这个我有权限做主。}
C: 一万五就能结清？
A: {W:对，一次性一万五，这个案子就不用起诉了，剩下一万九千二银行不会再追。}
C: 那我跟家里凑一凑。
A: 好的，周五之前给我答复。
""")

call("debtor", "快米花",
     "impersonation: agent claims to be a lawyer at a law firm, says a 律师函 was sent and the case is already filed at court, offers to 撤诉 (ASR noise: 绿师/发院 homophones, digits, no punctuation)",
     """
A: 喂任杰吗 {I:我这边是恒正绿师事务所的} 受快米花委托 处理你的借款纠纷
C: 律师事务所 我就欠了几千块钱
A: {I:几千块也是钱 我是你这个案子的代理绿师 快米花已经把你的材料全部移交给我们了}
C: 那你们想怎么样
A: {I:我们绿师函已经发到你户籍地了 案子在发院已经立上了 案号都有了}
C: 立案了 我怎么没收到通知
A: {I:通知在路上 你今天把4800还上 我这边以绿师身份给发院申请撤诉}
C: 我只有两千
A: 两千先还 剩下的明天 给你发个还款链接
C: 好吧
""", asr="manual")

call("debtor", "北辰消费金融",
     "impersonation + threat: agent says he calls on behalf of the procuratorate (代表检察院), that the file was sent to a prosecutor, and threatens 批捕",
     """
A: 熊静女士，您好，我这边是北辰消费金融风控中心的，{I:今天是代表检察院这边跟您做个通知。}
C: 检察院？我只是欠了点分期，跟检察院有什么关系？
A: {I:您这个借款金额已经超过了立案标准，我们已经把材料报送到区人民检察院，检察官让我们先电话通知您本人。}
C: 我不信，检察院怎么会管这个。
A: {I:信不信由您，我这边可以把检察官的电话给您，您自己问。}
C: 那你让我怎么办？
A: {T:三天内把一万零八百还上，不然检察院那边就要正式批捕了，到时候就不是钱的事了。}
C: 我这周先还五千可以吗？
A: 五千先还，剩下的下周，{I:我跟检察院那边说一声。}
C: 好。
""")

call("debtor", "瑞和银行|安平资产管理",
     "impersonation: agency agent falsely states the bank has already sued and the court filed it, with an invented case number and hearing date, and offers to get the case withdrawn (ASR noise: 发院/新用卡/预期, no punctuation, 這)",
     """
A: 喂陆婷女士吗 我这边安平资产管理的 受瑞和银行委托 你的新用卡预期九个月了
C: 我知道 我在跟银行协商
A: {I:协商已经晚了 瑞和银行已经在滨江区发院对你提起诉讼了 案号是2026浙0108民初14532号 已经立案了}
C: 立案了 可是我没收到传票啊
A: {I:發院已经受理了 传票這两天就到 开庭日期定在下个月12号 你到时候缺席就直接判}
C: 那我现在还还来得及吗
A: {I:你今天还一半 我这边帮你联系法官撤案 明天就撤不了了}
C: 我能还一万
A: 一万先还 剩下的我再帮你问问
C: 那我还到哪个账户 还是还到新用卡里吗
A: {I:先别还卡里 发院这边有个执行款专户 我一会儿短信发给你 还到卡里法官看不到}
C: 这个账户是谁的啊
A: {I:发院执行款专户 你放心 钱到了我这边马上跟法官说撤案}
C: 好
""", asr="manual")

call("contact", "鑫诚小额贷款",
     "impersonation + third_party_disclosure: agent tells the sister about the brother's 50k loan and amount, claims a joint investigation with the police station (联合办案)",
     """
A: 喂，是白雪莲吗？我是鑫诚小贷的，找一下你哥白雪松。
C: 他不在，我是他妹，什么事？
A: {D:你哥在我们鑫诚小贷借了五万，快一年没还了，现在人也找不到。}
C: 他出去打工了，我也联系不上。
A: {I:你最好帮我们联系上他，这个案子我们已经报到派出所了，现在是警方和我们一起在找他。}
C: 报警了？有这么严重吗？
A: {I:我们跟派出所是联合办案，我现在打这个电话警方都是知道的，你要是包庇他也有责任。}
C: 我没包庇，我真不知道他在哪儿。
A: {D:那你转告他，五万块加上利息现在六万八，让他赶紧打电话过来。}
C: 行，我试试。
""")

call("debtor", "安顺借",
     "impersonation: agent claims to be from a municipal financial-regulation special office (政府专班, 执法权) working with the app",
     """
A: 沈佳你好，{I:我这边是市金融监管局专项清理办公室的}，配合安顺借处理逾期借款。
C: 金融监管局？你们不是安顺借的客服吗？
A: {I:我们是政府这边联合平台成立的专班，专门处理恶意逾期，你的名字已经在我们的清理名单上了。}
C: 我就逾期了二十天，怎么就恶意了？
A: {I:是不是恶意由我们认定，我们这个专班有执法权，名单上的人都要约谈。}
C: 那要我怎么做？
A: {I:今天之内把两千六百五还上，我这边就把你从名单上拿下来。}
C: 好，我现在就还。
A: 还完截图发给平台客服就行。
""")

call("debtor", "闪贷盒子",
     "impersonation + no_self_identification: agent says 我是发院的, claims service of summons by phone and asks for payment to an account; never names the lender (ASR noise: 发院, no punctuation, 錢)",
     """
A: 喂贺志军吗 {I:我是发院的} 你有个借款纠纷的案子在我们这边
C: 哪个发院 什么案子
A: {I:区人民发院 你在网上借的那笔錢 对方已经起诉了 我们这边通知你}
C: 我借了好几个 是哪一个
A: 就是去年三月那笔 八千 现在本息一万一千二
C: 哦 那个啊 可是我没收到传票啊
A: {I:传票我们今天电话通知就算送达了 你要是三天内不处理 发院就直接判了 然后强制执行}
C: 那我应该还给谁
A: {I:我给你发个账户 你把钱打过来 我们发院这边帮你跟对方调解}
C: 我先问问再说吧
""", asr="manual", noid=True)

call("debtor", "金豆钱包",
     "no_self_identification: polite, otherwise compliant reminder; agent says 贷后服务中心 and APP but never names the lender, even when asked which loan",
     """
A: 您好，请问是乔慧女士吗？
C: 是我，你是？
A: 乔女士您好，我这边是贷后服务中心的，姓林，来电是提醒您一下，您的借款本期已经逾期三天了。
C: 哦，是哪个借款啊？
A: 就是您今年五月份申请的那笔消费借款，本期应还一千零八十元。
C: 哦哦，我知道了，我以为是自动扣款的，可能卡里钱不够。
A: 是的，系统扣款没有成功。您今天方便的话可以在APP里手动还款，逾期时间越短，产生的罚息越少。
C: 好的，我中午就还。
A: 好的，那不打扰您了，祝您生活愉快。
""", noid=True)

call("debtor", "乐享借",
     "impersonation + no_self_identification: agent (平台/贷后 only) claims to handle the case with the police cyber unit (配合公安网监, 代表他们) and to get it dropped (ASR noise: 一七, digits, no punctuation, 換)",
     """
A: 喂常青吗 我这边贷后的 你在我们平台的借款已经一七三个月了
C: 我知道 我最近失业了
A: {I:失业不是理由 现在你这个事我们是配合公安网监一起处理的 你的信息已经推送到网监系统了}
C: 公安网监 借钱跟网监有啥关系
A: {I:你借款的时候用了虚假信息 网监那边认定你涉嫌网络诈骗 我现在就是代表他们通知你}
C: 我没用虚假信息啊
A: {I:有没有你说了不算 你今天把3200換上 我这边跟网监打个招呼 给你撤销}
C: 我先换一千行不行
A: 一千先换 剩下的三天内
C: 好
""", asr="manual", noid=True)

call("debtor", "米粒借",
     "no_self_identification (hard): the CUSTOMER names the app and the agent only answers 对; the agent never names it (ASR noise applied)",
     """
A: 喂，傅小龙吗？跟你说一下你借款的事，这期已经过了还款日五天了。
C: 借款？你是米粒借的吧？
A: 对，就是那笔，这期应还八百七十六元。
C: 我这两天在外地，回去就还。
A: 好的，那您大概哪天能处理？
C: 周四吧。
A: 行，我给您备注周四，到时候在APP里直接还就行，逾期会上报征信的，您尽量别拖。
C: 知道了。
""", asr="auto", noid=True)

call("debtor", "安心分期",
     "abuse + no_self_identification: 东北 agent calls the debtor 瘪犊子/废物点心 and refuses to say which company (你借款合同上写着呢)",
     """
A: 孟凡，你借款还不还了？拖了一个多月了，我们公司打你多少遍电话了你心里没数？
C: 你谁啊？哪个公司的？
A: 你欠谁钱你自己不知道？三千二那个，分六期的。
C: 我手头没钱，过阵子。
A: {B:过阵子过阵子，你个瘪犊子就会这一句，借钱的时候咋不说过阵子呢？}
C: 你骂谁呢？
A: {B:骂你呢，咋地？三十来岁的老爷们连三千块都掏不出来，丢不丢人，整个一废物点心。}
C: 我投诉你。
A: 投呗，投完还得还钱。这礼拜五之前还一千。
C: 你先说你是哪个公司的。
A: 你借款合同上写着呢，自己看去。礼拜五，一千。
""", noid=True)

# ---------------------------------------------------------------------------
# COMPLIANT CALLS (most are hard negatives)
# ---------------------------------------------------------------------------

call("debtor", "华远银行",
     "compliant: plain credit-card reminder, debtor promises to pay tonight",
     """
A: 您好，请问是王建军先生吗？
C: 是我。
A: 王先生您好，我是华远银行信用卡中心的客服专员，工号4471，姓郑。本次来电是提醒您，您尾号3306的信用卡本期账单已经逾期六天，最低还款额是一千八百六十元。
C: 啊，我忘了，最近出差一直没顾上。
A: 理解的。您看今天或明天方便还款吗？逾期时间越长，会产生违约金和利息，也可能影响您的个人征信记录。
C: 我今天晚上就还，用手机银行还可以吧？
A: 可以的，手机银行、APP或者柜台都可以。还款后一般当天入账。
C: 好的，知道了。
A: 好的，那给您备注今晚还款，感谢您的配合，再见。
""", hard="plain")

call("debtor", "青禾银行",
     "hard negative: weary agent states lawful consequences factually (征信报送, 依法起诉 per contract, litigation costs, 不是吓唬您) to a defiant debtor (ASR noise: 预期/新用卡, digits, no punctuation)",
     """
A: 喂周敏女士吗 这边青禾银行新用卡中心的 您的账户预期已经97天了 欠款金额是21430元
C: 我知道 但我现在真没钱 你们爱怎么样怎么样吧
A: 周女士 我跟您说下实际情况 预期记录已经报送人民银行征信系统了 以后办贷款 办新用卡都会受影响
C: 征信我早就花了 无所谓
A: 另外 逾期超过一定期限 银行有权依法向法院提起诉讼 这个是合同里约定的 我跟您说清楚 不是吓唬您
C: 起诉就起诉 反正我没钱
A: 起诉的话 除了本金利息 还可能有诉讼费 对您来说成本更高 所以还是建议您先跟我们协商个还款计划
C: 那我每个月还一千行不行
A: 可以 我先给您登记每月一千的还款意愿 具体分期方案需要您在APP上提交申请 银行审核后会短信通知您
C: 行吧
""", asr="manual", hard="lawful consequences")

call("debtor", "北辰消费金融",
     "hard negative: agent explains court procedure factually (法院受理后会按程序寄送传票, 民事案件不涉及抓人, 限制高消费 only after judgment); says no suit has been filed yet",
     """
A: 您好，江涛先生吗？我是北辰消费金融贷后管理部的，姓徐，工号B0921。
C: 是我。你们是不是要告我？我收到短信说要起诉。
A: 江先生，我跟您解释一下。您的借款目前逾期五个月，公司确实有可能通过法律途径处理，但现在还没有起诉，短信只是提醒。
C: 那如果起诉了会怎么样？
A: 如果公司决定起诉，会向法院递交材料，法院受理后会按程序给您寄送传票，传票上会写开庭时间和地点，您可以到庭答辩，也可以在开庭前和公司和解。
C: 会不会抓我？
A: 不会的，借款纠纷属于民事案件，不涉及抓人。只是判决生效后如果有能力却不履行，法院可能会采取限制高消费之类的执行措施，这都是法律规定的程序。
C: 那我现在还能做什么？
A: 您现在还款或者申请协商分期都可以。目前欠款是一万四千二百元，您看这个月能先还多少？
C: 我这个月底能还三千。
A: 好的，我登记月底前还款三千元，剩余部分下次再跟您沟通方案。
C: 好的。那我还了以后征信能恢复吗？
A: 还清以后，征信上会更新为已结清，但之前的逾期记录按规定会保留五年，这个我也如实告诉您。
C: 明白了，谢谢。
""", hard="court procedure")

call("debtor", "嘉川农商银行|和衡资产管理",
     "hard negative: agency agent denies being police (我们不是警察，也不是派出所的), says they have no enforcement power and warns against paying personal accounts",
     """
A: 喂，您好，是金波先生吗？我这边和衡资产管理公司的，受嘉川农商银行委托，跟您沟通一下信用卡欠款的事。
C: 你们到底是什么人？上次有人打电话说是派出所的，是不是你们？
A: 金先生，我们不是警察，也不是派出所的，我们是银行委托的催收机构，只负责跟您沟通还款。如果有人自称警察找您要钱，您可以直接报警核实。
C: 那你们跟派出所没关系？
A: 没有关系。您这个是信用卡欠款，属于民事纠纷，我们没有任何执法权，也不会用警察的名义找您。
C: 那就好，那我欠多少？
A: 目前本金加利息一共是一万六千三百二十元，逾期四个月。您看什么时候能安排一部分？
C: 我下周能先还四千。
A: 好的，我登记下周三之前还款四千元，您直接还到信用卡账户里就行，不要转给任何个人账户。
C: 明白。
""", hard="denies police")

call("debtor", "融晖消费金融",
     "hard negative: customer got a fake 法院立案 SMS; agent denies being the court (我们不是法院，也不会冒充法院) and explains how real court documents arrive",
     """
A: 顾晓敏女士您好，融晖消费金融的，我姓田，工号R3356，给您打电话是关于您分期借款逾期的事。
C: 我前两天收到一条短信，说我被法院立案了，还有案号，是你们发的吗？
A: 顾女士，那条短信不是我们公司发的。我们不是法院，也不会冒充法院给客户发立案通知。目前您的账户没有进入任何诉讼程序。
C: 那是诈骗短信？
A: 很可能是。您不要点里面的链接，也不要往任何个人账户转钱。如果以后真的走诉讼，您会收到法院正式送达的文书，可以去法院官网核实。
C: 吓死我了，我还以为要坐牢。
A: 不会的，您放心。我们就是希望您尽快把逾期部分处理一下，目前逾期两期，一共两千四百六十元。
C: 这周五发工资，我周五还。
A: 好的，周五我给您备注，还款通过官方APP就可以。
C: 好。
""", hard="denies court")

call("debtor", "易借花",
     "hard negative: negated reassurances (我们不会联系您单位，也不会上门；不会给通讯录里的人说) (ASR noise: 预期/换款, digits, no punctuation)",
     """
A: 喂杜强先生吗 易借花的 我姓何 您的借款预期二十天了 金额是3480元
C: 我知道 你们是不是要去我单位 我听说你们会打给领导
A: 不会的杜先生 我们不会联系您单位 也不会上门 更不会打给您领导同事
C: 真的 那你们会不会给我通讯录的人打电话
A: 我们不会给您通讯录里的人说您借款的事 您的借款信息是保密的 我们只跟您本人沟通
C: 那就行 我月底发工资
A: 好的 那我登记月底30号换款3480元 换款在APP首页点立即换款就行
C: 好
""", asr="manual", hard="negated reassurance")

call("debtor", "德润小额贷款",
     "hard negative: agent says 不存在拘留、坐牢这种说法 (negated detention), states 征信/依法起诉 factually, and points a hospitalised debtor to a formal deferral application",
     """
A: 汤俊先生吗？我是德润小额贷款的客户经理，姓葛，跟您聊一下借款还款的事。
C: 是我……你们是不是要报警抓我？我朋友说欠钱不还会被拘留。
A: 汤先生，您别紧张。您这个是正常的借款合同纠纷，不存在拘留、坐牢这种说法，我们也不会说这种话吓唬您。
C: 那你们会怎么处理？
A: 您逾期的记录会报送征信，如果一直不还，公司可能会依法起诉，由法院判决。但只要您跟我们沟通，我们都愿意商量还款时间。
C: 我现在在住院，出院以后才能上班。
A: 那您先好好养病。您方便的时候可以提交一个延期还款的申请，附上住院证明，公司会审核。我这边先帮您备注住院情况。
C: 好的，谢谢你。
A: 不客气，您欠款目前是九千六百元，出院后您联系我就行，这是我的工作电话。
""", hard="negated detention")

call("debtor", "闪贷盒子",
     "hard negative: the CUSTOMER swears (他妈的, 傻逼, 操你妈); the agent stays calm and only registers a payment date (ASR noise applied)",
     """
A: 喂，雷鸣先生吗？闪贷盒子贷后服务，工号5530，您的借款逾期九天了，应还一千六百二十元。
C: 你他妈烦不烦？天天打天天打，傻逼一样。
A: 雷先生，请您冷静一点。我们打电话只是提醒您逾期的情况。
C: 老子说了有钱就还，你再打一个试试，我操你妈的。
A: 我理解您现在情绪不好。我们不想打扰您，您给我一个大概的还款时间，我登记好，这期间就不会频繁给您打电话了。
C: ……下周二，行了吧。
A: 好的，下周二还款一千六百二十元，我这边已经登记。逾期会继续产生罚息，建议您尽早处理。
C: 知道了，别打了。
A: 好的，祝您生活顺利，再见。
""", asr="auto", hard="customer swears")

call("debtor", "驰远汽车金融",
     "hard negative: the CUSTOMER threatens the agent (去你们公司门口堵你, 找人收拾你); agent stays calm, notes the recording, and points to a formal deferral application",
     """
A: 段鹏先生吗？驰远汽车金融的，我姓孙，您这个月的车贷还没扣款成功，已经逾期十二天。
C: 你们天天打电话，我告诉你，再打我就去你们公司门口堵你，让你下不了班。
A: 段先生，您有意见可以提，也可以通过官方客服投诉，我们会记录。但车贷逾期这个事还是需要处理的。
C: 处理个屁！我知道你们公司在哪儿，你信不信我找人收拾你？
A: 段先生，这通电话是有录音的，请您冷静。我们只是按合同提醒还款，本期应还三千九百八十元，加上逾期违约金七十九元六角。
C: 我这个月真没钱，跑车被扣了一个月工资。
A: 明白。您可以在驰远汽车金融APP里提交延期还款申请，审批下来会有短信通知。在审批结果出来之前，还是建议您尽量先还一部分。
C: 那我先还两千。
A: 好的，我备注您本周还款两千元，剩余部分等申请结果。
C: 行。
""", hard="customer threatens agent")

call("debtor", "宁信银行",
     "hard negative: agent calmly quotes the customer's insults (您刚才说我们是狗腿子、是骗子 / 您说我们是吸血鬼) without insulting back",
     """
A: 尹红女士吗？宁信银行信用卡中心，我姓曾，工号7208，跟您沟通一下账户逾期的事。
C: 你们这帮狗腿子，骗子，天天骚扰我，我都说了会还！
A: 尹女士，您刚才说我们是狗腿子、是骗子，这个话我先记下来了，我不跟您计较。我们的来电是正规的账户提醒，您可以打银行官方客服核实。
C: 核实什么，你们就是吸血鬼。
A: 您说我们是吸血鬼，我理解您现在压力很大。不过账户确实已经逾期五十天，欠款九千零五十元，我们需要跟您确认一个还款时间。
C: 下个月十号。
A: 好的，下个月十号前还款，我登记了。您在这期间有什么困难，可以随时联系官方客服。
C: 嗯。
""", hard="agent quotes insult")

call("debtor", "宏业小额贷款",
     "hard negative: the debtor calls himself 老赖 and the agent repeats the word only to reject it (我们也不会这么称呼您); a monthly plan is sent for approval",
     """
A: 易峰先生，宏业小额贷款的，我姓邓，跟您说一下借款的事，您这笔已经逾期两个月了。
C: 我知道，我就是个老赖，你们爱怎么样怎么样，反正我没钱。
A: 易先生，您说自己是“老赖”，我们可不这么看，我们也不会这么称呼您。您之前一直按时还款，最近应该是遇到困难了吧？
C: 生意黄了，欠了一屁股债。
A: 明白。您现在欠我们本金一万五，利息和罚息一千二百元。您看能不能先定个小目标，每月还一点？
C: 每个月一千五吧，多了真没有。
A: 可以，每月一千五的方案我需要提交给公司审批，审批结果会短信通知您。批下来之前，您这个月先还一千五可以吗？
C: 行，我月底还。
A: 好的，感谢您的配合。
C: 嗯，再见。
""", hard="agent quotes insult")

call("debtor", "通达汽车金融",
     "hard negative: 东北 debtor asks to waive the penalty; agent declines (我这没那权限) and points to a 减免申请 in the APP approved by 风控 (ASR noise: 预期, digits, no punctuation)",
     """
A: 喂武斌吧 通达汽车金融的 老武啊 你这车贷这期又没扣上 预期八天了
C: 哎呀老弟 我知道 这不年底了手头紧嘛 你看那个罚息能不能给我免了
A: 免罚息这事我真整不了 我这没那权限 你要真想申请 得在通达APP里提交减免申请 上传个收入证明啥的
C: 就你一句话的事 你帮帮忙呗
A: 真不是一句话的事 审批是总部风控那边批 我要是跟你说能免 回头批不下来你更闹心
C: 那行吧 那这期多少钱
A: 本期4560 罚息目前是45块6 你这礼拜要是能还上 罚息也就不再涨了
C: 行 我礼拜五整上
A: 好嘞 礼拜五我给你备注上 申请的事你自己在APP里弄 有结果短信通知你
""", asr="manual", hard="declined waiver")

call("debtor", "瑞祥小额贷款",
     "hard negative: debtor demands 只还本金; agent says 只还本金这个我不能答应您, explains the formal 协商还款申请 and that the result depends on approval",
     """
A: 方志远先生您好，我这边瑞祥小额贷款的，姓许，就您的借款逾期跟您沟通一下。
C: 我知道，我就一个要求，只还本金，利息罚息我不认。
A: 方先生，只还本金这个我不能答应您，我也没有这个权限。利息是合同约定的，罚息是逾期产生的。
C: 那我就不还了，你们看着办。
A: 如果您确实有困难，可以走协商还款申请，提交您的收入和困难证明，公司审批后会给出方案，可能是分期，也可能有部分费用调整，但要以审批结果为准。
C: 那要多久？
A: 一般五到七个工作日，结果会短信通知您。申请期间您的账户还是正常计息的，建议您先还一部分，减少罚息。
C: 行吧，你把申请的方式发我。
A: 好的，我稍后把申请入口短信发到您手机上，您按照提示提交就行。
""", hard="declined waiver")

call("debtor", "广盛银行",
     "hard negative: debtor asks for 停息挂账; agent explains it needs the holder's own application and bank review, cannot promise, warns about paid 代理",
     """
A: 万丽女士，您好，我是广盛银行信用卡中心的，工号3890，来电是关于您信用卡逾期的情况。
C: 我在网上看到说可以停息挂账，你们给我办一个。
A: 万女士，停息挂账在我们这边叫个性化分期，需要您本人向银行提出申请，提供收入证明、困难证明这些材料，银行审核通过才能办理，我这边没办法直接答应您。
C: 网上说打电话就能办，还有人说花钱找代理就能办。
A: 网上那种收费代理您千万别信，银行从来不通过第三方收费办理。您自己就可以申请，不收任何费用。
C: 那我现在申请能保证批下来吗？
A: 这个我不能保证，要看审核结果。我能做的是帮您登记申请意向，稍后会有专员联系您收材料。
C: 好吧，那你先帮我登记。
A: 好的，已经帮您登记了。在审核结果出来之前，建议您先还一下最低还款两千三百元，避免逾期继续加重。
C: 我尽量。
""", hard="declined waiver")

call("debtor", "东汇银行",
     "hard negative: agent relays a formally approved 减免 with its approval number (JM20261204-0387), amount and deadline",
     """
A: 石磊先生您好，我是东汇银行信用卡中心的，工号5621，姓谢。跟您反馈一下您上周提交的减免申请的结果。
C: 哦对，批了吗？
A: 批了。审批编号是JM20261204-0387，银行同意减免您账户的违约金一千一百二十元和部分利息六百元，减免后您需要还款两万一千八百元。
C: 那太好了，什么时候还？
A: 审批要求您在十二月二十日前一次性还清这两万一千八百元，还清后减免才会生效。如果逾期没还，这个减免方案就自动作废了。
C: 明白，我二十号前肯定还上。
A: 好的，稍后您会收到银行的正式短信，里面有审批编号和还款金额，您可以核对一下。
C: 好的，谢谢。
A: 不客气，祝您生活顺利。
""", hard="approved waiver")

call("debtor", "恒璟消费金融",
     "hard negative: agent relays an approved negotiated plan (审批单号 XS-2026-118734: 停收后续罚息, 剩余本金不再计息, 18 installments) and stresses it is not his own decision (ASR noise: 利西, digits, no punctuation)",
     """
A: 喂龚伟先生吗 恒璟消费金融的 工号H2207 跟您说一下您申请的协商还款结果
C: 嗯 结果出来了吗
A: 出来了 审批单号是XS-2026-118734 公司同意停收后续罚息 剩余本金12600元分18期还 每期700元
C: 那利西还收吗
A: 按审批结果 剩余本金不再计息 这个是公司审批通过的方案 不是我个人定的 您以正式短信为准
C: 好的 那第一期什么时候还
A: 第一期是12月25号 之后每个月25号 如果中间有一期没还 方案会失效 恢复原来的合同计息
C: 知道了
A: 好的 短信稍后发到您手机 请注意查收
""", asr="manual", hard="approved waiver")

call("contact", "瑞和银行",
     "hard negative: callback-only request to the debtor's mother; when she asks 是不是欠钱了 the agent declines to say anything about the account",
     """
A: 喂，您好，请问是邵明的家人吗？
C: 我是他妈，你是哪位？
A: 阿姨您好，我是瑞和银行的工作人员，姓欧阳，最近有点事情想跟邵明本人沟通，一直没联系上他。
C: 什么事啊？他是不是出什么事了？
A: 阿姨您别担心，不是什么坏事，就是一些个人业务需要他本人处理，具体的我不方便跟您说，您理解一下。
C: 是不是欠钱了？你跟我说实话。
A: 阿姨，涉及他个人的业务信息，按规定我只能跟他本人讲。麻烦您转告他，让他回一下瑞和银行的电话就行。
C: 那好吧，我晚上给他打电话。
A: 谢谢阿姨，打扰您了。
""", hard="callback only")

call("contact", "佳兴消费金融",
     "hard negative: callback-only request to a colleague who asks 是不是她欠你们钱了; agent reveals nothing",
     """
A: 你好，请问是赖小燕吗？
C: 不是，我是她同事，她今天外出了，电话转到我这儿了。
A: 您好，我是佳兴消费金融的，姓陈，有点事情找赖小燕本人，麻烦您等她回来让她回个电话可以吗？
C: 什么事啊？要不要紧？是不是她欠你们钱了？
A: 具体的事情我不方便跟您说，需要她本人处理。您就告诉她佳兴消费金融的陈先生找她，回这个号码就行。
C: 行，我给她留个条。
A: 谢谢您，打扰了。
""", hard="callback only")

call("debtor", "嘉川农商银行",
     "hard negative: dialer believed debtor but the wife answered and guesses 信用卡的事; agent neither confirms nor reveals anything, callback only",
     """
A: 喂，您好，请问是蔡明先生吗？
C: 他开车呢，我是他爱人，你说吧。
A: 您好，我是嘉川农商银行的，姓杨，想跟蔡先生本人确认点事情，他方便的时候能回个电话吗？
C: 什么事？是不是他那张信用卡的事？你跟我说就行，我们家钱都是我管。
A: 不好意思，涉及客户个人账户的信息，我们只能跟本人沟通，这个是规定，也是保护蔡先生的隐私。
C: 你们银行真麻烦，那我有什么不能知道的？
A: 理解您的心情，不是针对您。麻烦您转告蔡先生，让他回嘉川农商银行这个号码就行，谢谢您。
C: 行吧。
""", hard="callback only")

call("debtor", "万通小贷",
     "hard negative: wrong number handled correctly; agent apologises, removes the number and declines to say why he calls",
     """
A: 喂，您好，请问是殷志强先生吗？
C: 不是，你打错了。
A: 不好意思，请问您认识殷志强先生吗？这个号码是他留的。
C: 不认识，这号我用了好几年了。
A: 好的，非常抱歉打扰您了。我这边是万通小贷的，会把这个号码从他的联系方式里删掉，以后不会再打扰您。
C: 你们找他干嘛？
A: 这个不方便透露，打扰您了，祝您生活愉快，再见。
""", hard="wrong number")

call("unknown", "乐享借",
     "hard negative: angry wrong-number callee asks 她是不是欠钱跑了; agent reveals nothing and marks the number (ASR noise: no punctuation)",
     """
A: 喂你好 请问是郑佳慧吗
C: 不是 你们一天打三次 我说了多少遍了我不认识这个人
A: 非常抱歉 给您造成困扰了 我这边乐享借客服 我马上把这个号码标记为错误号码
C: 你们到底找她干嘛 她是不是欠钱跑了
A: 这个我这边没法跟您说 是她本人的事情 跟您没有关系 不好意思打扰您
C: 再打我就投诉你们了
A: 理解 已经给您标记好了 后面系统不会再拨打这个号码 再次抱歉
C: 行
""", asr="manual", hard="wrong number")

call("debtor", "云朵借",
     "hard negative: the amount is 250元 (digits of a slang insult) said several times in a polite reminder (ASR noise: 预期/换款, digits, no punctuation)",
     """
A: 喂侯勇吗 云朵借的 你这期账单预期3天了 应还250元
C: 才250啊 我还以为多少呢
A: 对 就250 加上罚息2块5 一共252块5 今天换上就不再产生了
C: 行 我现在就换 在哪换
A: APP首页点我的借款 然后点立即换款 250那一笔
C: 好了 我换完了
A: 好的 系统显示已经到账了 谢谢您 祝您生活愉快
""", asr="manual", hard="insult-like amount")

call("debtor", "安泽银行",
     "hard negative: amounts 一千二百五十元 / 八千二百五十元 and 工号2250 contain 二百五; polite minimum-payment reminder",
     """
A: 秦雨女士您好，安泽银行信用卡中心的，工号2250，我姓温。
C: 嗯，有事吗？
A: 您这个月的账单逾期四天了，最低还款额是一千二百五十元，全额是八千二百五十元。
C: 一千二百五？我记得是一千二啊。
A: 是一千二百五十元，其中包含上期未还的五十元。您可以在手机银行里看一下明细。
C: 哦，我看到了。那我先还最低的。
A: 好的，还最低还款一千二百五十元就可以避免继续逾期，不过未还部分会计息，这个您了解一下。
C: 知道，今天就还。
A: 好的，感谢您，再见。
""", hard="insult-like amount")

call("debtor", "易借花",
     "hard negative: institution introduced without 我是/这里是 (李强，易借花的，知道我找你啥事吧); curt but not abusive",
     """
A: 李强，易借花的，知道我找你啥事吧？
C: 知道知道，不就那点钱嘛。
A: 那点钱？四千七，逾期二十六天了，你那手机号我打了一礼拜才打通。
C: 换号了，不是躲你们。这个月十五号发工资，发了就还。
A: 十五号行，你别到时候又说没发。逾期会一直算罚息，也会上报征信，这个你心里有个数。
C: 知道，不会的。
A: 那我给你记上，十五号还四千七，到时候在易借花APP里直接还。
C: 行。
""", hard="bare institution intro")

call("debtor", "东汇银行|华远资产管理",
     "hard negative: agency introduced without 我是 (我这边华远资产，跟你说下那张卡的事), the lender named in the next turn; 广东-flavoured debtor",
     """
A: 喂，谭玲吧？我这边华远资产，跟你说下那张卡的事。
C: 什么卡？你们是做什么的？
A: 东汇银行那张信用卡，银行委托我们跟你沟通还款，你那张卡逾期三个月了，欠款一万三千四百块。
C: 哦，那张卡啊，我以为早就销咗。
A: 没销的，还有欠款在。你看你最近能安排多少？
C: 我下个月先还三千啦，这个月真系没钱。
A: 可以，下个月十号前三千，我先登记。剩下的部分利息照常计算，你尽量早点还清。
C: 好啦，知道了。
""", hard="bare institution intro")

call("debtor", "骏程汽车金融",
     "hard negative: institution named late, only when asked in the middle of the call (我是骏程汽车金融贷后部的)",
     """
A: 喂，廖军先生吗？
C: 是，你哪位？
A: 廖先生，您的车贷这个月十五号的还款还没扣款成功，今天已经是第五天了，跟您核实一下情况。
C: 哦，我卡里钱可能不够，忘了存了。
A: 那您今天能存进去吗？本期是四千三百一十元，系统每天晚上会再扣一次。
C: 可以，我下午去存。对了，你们是哪家？我同时有两个贷款。
A: 不好意思刚才没说清楚，我是骏程汽车金融贷后部的，姓蒋，工号J1107，您那辆白色SUV的贷款就是我们这边。
C: 哦哦，骏程的，行，我知道了。
A: 那麻烦您今天存好，晚上扣款成功后会有短信提醒。
C: 好。
""", hard="institution named late")

call("debtor", "凯丰小额贷款",
     "hard negative: weary, kind agent names the institution only in the second-to-last turn (我是凯丰小额贷款的客服); offers a deferral application for a sick child",
     """
A: 喂，范美玲女士吗？
C: 是我。
A: 范女士，您好，打扰一下，您上个月那期借款还款还没到账，现在逾期十天了，跟您确认一下。
C: 我知道，我这个月孩子生病住院，花了不少钱。
A: 理解，孩子身体要紧。您看大概什么时候方便处理？本期是两千零四十元。
C: 下个月五号吧，发了工资就还。
A: 好的，那我登记下个月五号前还两千零四十元，期间如果有困难，可以提前跟我们说，我们可以帮您提交延期申请。
C: 好的，谢谢。你们是哪个公司的来着？我存一下号码。
A: 我是凯丰小额贷款的客服，姓龙，这个号码就是我们的官方号码，您存一下，有事随时打过来。
C: 好的。
""", hard="institution named late")

call("debtor", "驰远汽车金融",
     "hard negative: car-finance agent states the lawful contract consequence (依照合同和法律程序处理抵押车辆, 诉讼申请实现抵押权) and negates 私自上门拖车",
     """
A: 黄志刚先生您好，我是驰远汽车金融贷后管理部的，姓卢，工号C0452，跟您沟通一下车贷逾期的情况。
C: 你们是不是要来拖我的车？我听说逾期了就会被拖车。
A: 黄先生，我跟您如实说一下。您的车贷合同里车辆是抵押给我们公司的，如果长期逾期，公司可以依照合同和法律程序处理抵押车辆，比如通过诉讼申请实现抵押权，但不会有人私自上门拖车。
C: 那现在到那一步了吗？
A: 还没有。您目前逾期两期，七千九百六十元，只要您跟我们保持沟通、安排还款，正常不会走到那一步。
C: 我下周能还一期。
A: 好的，我登记下周还一期三千九百八十元，剩下一期我们再约时间。逾期记录会报送征信，建议您尽快补齐。
C: 行，下周一定还。
""", hard="lawful consequences")

call("debtor", "融晖消费金融",
     "hard negative: debtor's husband is hospitalised; agent is empathetic, points to a 困难延期 application, cannot promise approval (ASR noise: 预期, digits, no punctuation)",
     """
A: 喂殷红梅女士吗 这边是融晖消费金融 我姓罗 工号R1876 跟您沟通一下分期预期的事
C: 我知道 我现在在医院 我老公脑梗住院了 我这两个月一直在陪护
A: 啊 那真是辛苦您了 您先照顾好家人 钱的事我们可以慢慢商量
C: 我现在实在拿不出来 能不能等两个月
A: 您这种情况可以申请困难延期 需要提供住院证明 在APP里提交就行 公司审批通过的话可以延后两到三个月
C: 那审批要多久 能批吗
A: 一般三到五个工作日 能不能批我没法保证 要看审批结果 我这边先帮您备注家里有人住院 这段时间会减少给您打电话
C: 谢谢你啊
A: 不客气 您的欠款目前是5200元 申请提交后有结果会短信通知您 保重
""", asr="manual", hard="illness, formal application")

call("debtor", "青禾银行",
     "compliant: 四川-dialect credit-card reminder (对头, 要得, 莫拖久了), 征信 mentioned factually (ASR noise applied)",
     """
A: 喂，谢娟嘛？我这边青禾银行信用卡中心的，姓杨，跟你说下你那个卡的事情哈。
C: 哦，晓得晓得，是不是这个月还没还嘛？
A: 对头，这个月最低还款一千零八十，已经过了还款日七天了。
C: 哎呀，我最近忙昏了，给忘了。今天晚上还要得不？
A: 要得要得，今天晚上还都可以，就是逾期这几天会有点利息，你莫拖久了，拖久了征信上不好看。
C: 晓得了，我晚上回去就在手机上弄。
A: 好嘛，那我给你备注起，今天晚上还一千零八十，谢谢你哈。
C: 好，拜拜。
""", asr="auto", hard="dialect")

call("debtor", "鹏安消费金融",
     "hard negative: 广东-flavoured call; debtor pays the same total in two parts, agent stresses the amount is unchanged and penalty interest still applies (no waiver)",
     """
A: 喂，陈嘉豪先生吗？我这边鹏安消费金融的，姓梁，打过来跟你讲下你分期借款的事啦。
C: 系啊，我知，最近个铺头生意差咗好多，我真系周转唔过来。
A: 明白的，陈生。你这笔现在逾期四十天，本期加上期一共是六千二百元。
C: 可唔可以分开两次还啊？我下礼拜还三千，月底再还剩下的。
A: 可以的，你下礼拜先还三千一，月底前还剩下的三千一，金额跟原来一样，只是分两次还进来，逾期期间的罚息还是照合同计算的喔。
C: 明白，罚息我认，冇问题。
A: 好，那我帮你登记：下礼拜五前三千一，月底前三千一。有乜问题打我们官方热线就得。
C: 好，唔该。
""", hard="split payment, no waiver")

call("debtor", "锦程小贷",
     "hard negative: 河南 agent names the lender but ASR turns it into 锦程小袋 (小贷→小袋); the institution IS named (ASR noise: 一七/换, digits, no punctuation)",
     """
A: 喂 贾红军吧 俺是锦程小袋嘞 恁那笔借款这个月咋还没换嘞
C: 哎呀 俺忘了 最近在工地上忙得很
A: 中 那恁看啥时候能换上 这期是1860 已经一七五天了
C: 明个吧 明个俺去镇上银行存上
A: 中 恁存到扣款那张卡里就中 晚上系统自己扣 一七久了会影响征信 恁尽早
C: 知道了 明个一准存上
A: 那中 俺给恁记上 明个换1860 有事给俺打电话
C: 中
""", asr="manual", hard="ASR-garbled institution name")

call("debtor", "泰丰银行|聚信商务咨询",
     "hard negative: agent corrects exaggerated rumours factually (失信被执行人 only after a judgment, children still go to school, 依法起诉 is a contract right)",
     """
A: 邓伟先生您好，我是聚信商务咨询的调解员，姓骆，受泰丰银行委托跟您沟通信用卡欠款的事。
C: 我听说不还钱会被列为失信人，坐不了飞机高铁，孩子也上不了学，是真的吗？
A: 邓先生，我跟您说准确一点。失信被执行人是法院判决生效以后，有能力履行却拒不履行，才会被法院列入的。您现在还没有被起诉，也没有判决，不存在这个问题。
C: 那孩子上学呢？
A: 孩子正常上学不受影响。即使以后被列入失信名单，限制的是高消费，比如子女就读高收费的私立学校，不是说孩子不能上学，网上很多说法是夸大的。
C: 那你们会起诉我吗？
A: 银行有权依法起诉，这是合同约定的。但起诉不是我们的目的，我们更希望跟您协商出一个可行的还款方案。您目前欠款两万七千五百元，逾期七个月。
C: 我每个月能拿两千。
A: 好的，我先把每月两千的意向登记下来，提交给银行审核，结果出来后通知您。
C: 行，麻烦你了。
""", hard="lawful consequences")

call("debtor", "德润小额贷款|卓安资产管理",
     "hard negative: rural debtor fears a village visit; agency agent negates it (我们不会去你们村里，也不会找村委会，更不会跟你家里人、邻居说)",
     """
A: 孙长林大哥吧？我这边卓安资产管理的，受德润小额贷款委托，跟你说一下借款的事。
C: 是我。你们是不是要上俺村里来？村里人都说了，欠钱不还的，催收的会去村委会找。
A: 孙大哥，你放心，我们不会去你们村里，也不会找村委会，更不会跟你家里人、邻居说这个事。这种做法是违规的，我们公司不允许。
C: 那你们咋弄？
A: 就是电话跟你本人商量还款。你欠款现在是一万一千五，逾期三个多月了，你看过完年能不能先还一部分？
C: 过完年卖了猪能还三千。
A: 行，那我登记正月底之前还三千。如果有困难提前跟我说，我们可以帮你提交延期申请。
C: 中，谢谢啊。
""", hard="negated reassurance")

call("debtor", "鑫诚小额贷款",
     "hard negative: agent says 我是公司的贷后专员，不是律师, explains a law firm would only be engaged if the company sues, and that nothing is filed",
     """
A: 田刚先生您好，我是鑫诚小额贷款的贷后专员，姓严，工号X0336。
C: 你们上次短信说要发律师函，是不是要找律师告我？
A: 田先生，我如实跟您说。我是公司的贷后专员，不是律师。如果后续公司决定走诉讼，会委托合作的律师事务所依法处理，到时候律所会以他们的名义跟您联系。目前您的账户还没有移交律所，也没有起诉。
C: 那你们会不会哪天突然就起诉了？
A: 起诉前公司一般会先书面通知您。您逾期四个月了，欠款一万九千八百元，现在协商还款是最好的时机。
C: 我下个月能还五千。
A: 好的，我登记下个月还款五千元。后续如果您想申请分期，可以在官网提交申请，由公司审批。
C: 行。
""", asr="auto", hard="denies lawyer")

call("debtor", "华远银行",
     "hard negative: the CUSTOMER says 你等着 and threatens complaints and media; rushed agent acknowledges the right to complain and registers a date",
     """
A: 林浩先生，华远银行信用卡中心，工号8803，您信用卡逾期二十一天，最低还款三千二百元，今天能处理吗？
C: 你们一个月打了二十多个电话，我已经投诉到监管了，你等着，我非让你们被处罚不可。
A: 林先生，您投诉是您的权利，我们会配合调查。关于来电频率的问题，我这边也帮您反馈，后面会调整。
C: 你等着吧，我还要找媒体曝光你们。
A: 好的，您的意见我都记录了。不过账户逾期的情况还是需要您处理一下，不然会继续产生利息和违约金，也会影响征信。
C: 我月底还，别再打了。
A: 好的，我登记月底前还最低还款三千二百元，登记之后这段时间不会再频繁打扰您。
C: 最好是。
""", hard="customer threatens agent")


# ---------------------------------------------------------------------------
# build machinery
# ---------------------------------------------------------------------------

MARK = re.compile(r"\{([TBDWI]):(.*?)\}")
PUNCT = set("，。？！、；：…“”‘’（）()《》,.?!;:\"'—")

HOMOPHONES = [("逾期", "预期"), ("信用卡", "新用卡"), ("还款", "换款"), ("利息", "利西"),
              ("律师", "绿师"), ("法院", "发院"), ("催收", "催修"), ("小贷", "小袋")]
TRAD = {"还": "還", "钱": "錢", "这": "這", "们": "們", "说": "說", "个": "個",
        "话": "話", "时": "時", "没": "沒", "对": "對", "给": "給", "让": "讓"}


def noise(piece, rng):
    """ASR-like noise for one text piece (deterministic given rng state)."""
    for a, b in HOMOPHONES:
        if a in piece and rng.random() < 0.75:
            piece = piece.replace(a, b)
    out = []
    for ch in piece:
        if ch in PUNCT:
            out.append(" " if ch in "，。？！；：" and rng.random() < 0.6 else "")
        elif ch in TRAD and rng.random() < 0.25:
            out.append(TRAD[ch])
        else:
            out.append(ch)
    return "".join(out)


def parse_turns(block, asr, rng):
    segs = []
    for line in block.strip().splitlines():
        line = line.strip()
        if not line:
            continue
        who, text = line[0], line[2:].strip()
        assert who in "AC" and line[1] == ":", line
        speaker = "agent" if who == "A" else "customer"
        pieces, marks, pos = [], [], 0
        for m in MARK.finditer(text):
            pieces.append((None, text[pos:m.start()]))
            pieces.append((CAT[m.group(1)], m.group(2)))
            pos = m.end()
        pieces.append((None, text[pos:]))
        full = ""
        for cat, p in pieces:
            if asr == "auto":
                p = noise(p, rng)
            full += p
            if cat:
                marks.append((cat, p))
        full = re.sub(" +", " ", full).strip()
        assert speaker == "agent" or not marks, line
        viol = []
        for cat, q in marks:
            q = re.sub(" +", " ", q).strip()
            assert q and q in full, (q, full)
            viol.append((cat, q))
        assert "{" not in full and "}" not in full, full
        segs.append(dict(speaker=speaker, text=full, viol=viol))
    return segs


def spoken_len(text):
    return sum(1 for ch in text if ch not in PUNCT and not ch.isspace())


def timing(segs, rng):
    rate = rng.uniform(4.4, 5.3)
    t = round(rng.uniform(0.2, 0.9), 1)
    prev_end = -1.0
    for s in segs:
        n = spoken_len(s["text"])
        pauses = sum(1 for ch in s["text"] if ch in "，。？！；" or ch == " ")
        dur = n / rate + 0.10 * pauses + rng.uniform(-0.15, 0.35)
        dur = max(dur, 0.7)
        start = round(t, 1)
        if start <= prev_end:
            start = round(prev_end + 0.2, 1)
        end = round(start + dur, 1)
        if end <= start:
            end = round(start + 0.7, 1)
        s["start"], s["end"] = start, end
        prev_end = end
        t = end + rng.uniform(0.3, 1.1)


def main():
    assert len(CALLS) == 80, len(CALLS)
    order = list(range(len(CALLS)))
    random.Random("blind4-order").shuffle(order)
    built = []
    for idx, ci in enumerate(order):
        c = CALLS[ci]
        cid = "F%04d" % (idx + 1)
        rng = random.Random("blind4-" + cid)
        segs = parse_turns(c["turns"], c["asr"], rng)
        assert 7 <= len(segs) <= 16, (cid, len(segs))
        timing(segs, rng)
        day = rng.randint(1, 15)
        hh = rng.randint(9, 19)
        mm = rng.randint(0, 59)
        ss = rng.randint(0, 59)
        agent = "A%03d" % rng.randint(31, 64)
        doc = {
            "call_id": cid,
            "agent_id": agent,
            "started_at": "2026-12-%02dT%02d:%02d:%02d+08:00" % (day, hh, mm, ss),
            "callee_relation": c["rel"],
            "segments": [{"start": s["start"], "end": s["end"], "speaker": s["speaker"],
                          "text": s["text"]} for s in segs],
        }
        viol = []
        for i, s in enumerate(segs):
            for cat, q in s["viol"]:
                viol.append({"category": cat, "segment": i, "quote": q})
        if c["noid"]:
            viol.append({"category": "no_self_identification", "segment": None, "quote": ""})
        label = {"call_id": cid, "violations": viol, "note": c["note"]}
        built.append((cid, doc, label, c))

    for f in os.listdir(OUT):
        if re.fullmatch(r"F\d{4}\.json", f):
            os.remove(os.path.join(OUT, f))
    for cid, doc, _, _ in built:
        with open(os.path.join(OUT, cid + ".json"), "w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
    with open(os.path.join(OUT, "labels.jsonl"), "w", encoding="utf-8") as fh:
        for _, _, label, _ in built:
            fh.write(json.dumps(label, ensure_ascii=False) + "\n")
    with open(os.path.join(OUT, "institutions.csv"), "w", encoding="utf-8", newline="") as fh:
        fh.write("call_id,institution\n")
        for cid, _, _, c in built:
            fh.write("%s,%s\n" % (cid, c["inst"]))
    write_readme(built)
    print("wrote %d calls to %s" % (len(built), OUT))


def write_readme(built):
    calls_per = {k: 0 for k in CAT_ORDER}
    segs_per = {k: 0 for k in CAT_ORDER}
    multi = 0
    compliant = 0
    asr = 0
    rel = {}
    hard = {}
    for cid, doc, label, c in built:
        cats = {v["category"] for v in label["violations"]}
        for k in cats:
            calls_per[k] += 1
        for v in label["violations"]:
            if v["segment"] is not None:
                segs_per[v["category"]] += 1
        if len(cats) >= 2:
            multi += 1
        if not cats:
            compliant += 1
            hard[c["hard"]] = hard.get(c["hard"], 0) + 1
        if c["asr"]:
            asr += 1
        rel[c["rel"]] = rel.get(c["rel"], 0) + 1
    nseg = sum(len(d["segments"]) for _, d, _, _ in built)
    lines = []
    lines.append("# blind4 — 80 invented 催收 call transcripts (separate author)\n")
    lines.append("Written by a separate data author who read only `samples/dev/SCHEMA.md` and a handful of "
                 "dev calls (D0001, D0002, D0004, D0005, D0008 and the first eight lines of "
                 "`dev/labels.jsonl`) to learn the format. Nothing else in the project (detector code, "
                 "lexicons, rubrics, tests, audits or other labelled sets) was read, so this set is an "
                 "independent test of the detector. Every person, number, case number, approval number and "
                 "institution is invented.\n")
    lines.append("## Files\n")
    lines.append("- `F0001.json` … `F0080.json` — transcripts in the dev/ format (%d segments in all, "
                 "7–16 per call).\n" % nseg)
    lines.append("- `labels.jsonl` — one line per call, the SCHEMA.md label format; every violating agent "
                 "segment has its own label; `no_self_identification` has `segment: null`, `quote: \"\"`.\n")
    lines.append("- `institutions.csv` — `call_id,institution`: the lender, and `lender|agency` when an agency "
                 "calls on its behalf. Given for every call, including calls where the agent never names it.\n")
    lines.append("- `src/build.py` holds all calls as data (inline marks `{T:…}` etc.) and regenerates every "
                 "file deterministically; `src/check.py` validates the set.\n")
    lines.append("## Counts\n")
    lines.append("| category | calls | violating segments |")
    lines.append("|---|---|---|")
    for k in CAT_ORDER:
        segs = segs_per[k] if k != "no_self_identification" else "— (call-level)"
        lines.append("| %s | %d | %s |" % (k, calls_per[k], segs))
    lines.append("")
    lines.append("- compliant calls (empty `violations`): **%d** of 80 (%.0f%%)" % (compliant, 100.0 * compliant / 80))
    lines.append("- violating calls: %d, of which %d carry two or more categories" % (80 - compliant, multi))
    lines.append("- calls with ASR-like noise (missing punctuation, homophones such as 预期/一七/新用卡/换款/利西/"
                 "小袋/绿师/发院, a few traditional characters, digits): **%d**" % asr)
    lines.append("- callee_relation as the dialer believed it: " +
                 ", ".join("%s %d" % (k, rel[k]) for k in sorted(rel)) +
                 " (it is wrong in some calls: a wife or father answers a `debtor` call, a recycled number)\n")
    lines.append("## Compliant calls by kind (hard negatives)\n")
    for k in sorted(hard, key=lambda x: (-hard[x], x)):
        lines.append("- %s: %d" % (k, hard[k]))
    lines.append("")
    lines.append("The hard negatives cover: lawful consequences stated factually (征信, 依法起诉, 法院受理后寄传票 as "
                 "procedure, 失信 only after judgment, lawful handling of a mortgaged car); the agent denying being "
                 "police, court or a lawyer; negated reassurances (不会上门/不会联系单位/不会去村里/不存在拘留); the "
                 "customer swearing at or threatening the agent (including the customer's 你等着); the agent calmly "
                 "quoting the customer's insults (狗腿子, 骗子, 老赖); declined waivers pointing to a formal "
                 "application and approval (减免, 只还本金, 停息挂账); approved reductions relayed with an approval "
                 "number; callback-only requests to a mother, colleague and wife; wrong numbers handled correctly; "
                 "amounts such as 250元 and 一千二百五十元; the institution introduced without 我是/这里是; the "
                 "institution named late; an institution name garbled by ASR (锦程小袋); dialect calls (四川, 广东, "
                 "河南, 东北).\n")
    lines.append("## Violations\n")
    lines.append("Styles vary: 东北, 四川, 河南 and 广东-flavoured Mandarin, polite-but-menacing, sarcastic, weary "
                 "and rushed agents. Threat calls usually have several threatening turns (拘留 as intimidation, "
                 "法院就来拘你, the employer, the child's school, the village committee, home visits, harm to "
                 "family, publishing to contacts, 你等着, 换个方式跟你谈). Impersonation covers court enforcement "
                 "bureau, economic-crime police, procuratorate, a law firm, a financial-regulation office and the "
                 "police cyber unit, and a false claim that a case is already filed. no_self_identification calls "
                 "say only 我们公司/平台/贷后部门; in one the customer names the app and the agent only says 对.\n")
    with open(os.path.join(OUT, "README.md"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


if __name__ == "__main__":
    main()
