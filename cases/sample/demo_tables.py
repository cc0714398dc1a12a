"""The demo's data tables: departments, towns, names, topics and how often things happen.

cases/sample/demo.py lives the cases through with them; the facts are those of domain.md §8.
"""

from __future__ import annotations

from cases.timing import clock

# --- the district (domain.md §8) ----------------------------------------------------------------

# Short name (as in the case list), full name (for letters and consultations), weight, topics.
DEPARTMENTS: tuple[tuple[str, str, float, tuple[str, ...]], ...] = (
    ("区规划资源局", "上海市崇明区规划和自然资源局", 18, ("land", "planning")),
    ("区住房保障房屋管理局", "上海市崇明区住房保障和房屋管理局", 15, ("housing",)),
    ("区市场监管局", "上海市崇明区市场监督管理局", 10, ("market",)),
    ("上海市崇明区人民政府办公室", "上海市崇明区人民政府办公室", 5, ("government", "land")),
    ("区财政局", "上海市崇明区财政局", 4, ("finance",)),
    ("区生态环境局", "上海市崇明区生态环境局", 4, ("ecology",)),
    ("区农业农村委", "上海市崇明区农业农村委员会", 4, ("agriculture",)),
    ("区发展改革委", "上海市崇明区发展和改革委员会", 3, ("development",)),
    ("区建设管理委", "上海市崇明区建设和管理委员会", 3, ("construction",)),
    ("区水务局", "上海市崇明区水务局", 2, ("water",)),
    ("区交通委", "上海市崇明区交通委员会", 2, ("transport",)),
    ("区城管执法局", "上海市崇明区城市管理行政执法局", 2, ("enforcement",)),
    ("区教育局", "上海市崇明区教育局", 2, ("education",)),
    ("区卫生健康委", "上海市崇明区卫生健康委员会", 2, ("health",)),
    ("区民政局", "上海市崇明区民政局", 2, ("civil",)),
    ("区人力资源社会保障局", "上海市崇明区人力资源和社会保障局", 2, ("labour",)),
    ("区绿化市容局", "上海市崇明区绿化和市容管理局", 1, ("greening",)),
    ("区应急管理局", "上海市崇明区应急管理局", 1, ("safety",)),
    ("区文化旅游局", "上海市崇明区文化和旅游局", 1, ("culture",)),
    ("区司法局", "上海市崇明区司法局", 0.5, ("justice",)),
)
ANY_TOWN = ""  # stands in the department draw for "one of the towns, by their weights"
LAND_AND_HOUSING = frozenset({"区规划资源局", "区住房保障房屋管理局", "长兴镇"})

# Town, weight among the towns, postcode. 长兴镇 receives most (land and housing on the island).
TOWNS: tuple[tuple[str, float, str], ...] = (
    ("长兴镇", 7.0, "201913"),
    ("城桥镇", 1.6, "202150"),
    ("陈家镇", 1.4, "202162"),
    ("堡镇", 1.2, "202155"),
    ("新河镇", 0.9, "202156"),
    ("庙镇", 0.8, "202165"),
    ("竖新镇", 0.7, "202157"),
    ("向化镇", 0.7, "202163"),
    ("三星镇", 0.6, "202166"),
    ("港沿镇", 0.7, "202158"),
    ("中兴镇", 0.7, "202159"),
    ("绿华镇", 0.5, "202167"),
    ("港西镇", 0.7, "202151"),
    ("建设镇", 0.7, "202153"),
    ("新海镇", 0.4, "202171"),
    ("东平镇", 0.4, "202172"),
    ("新村乡", 0.3, "202173"),
    ("横沙乡", 0.6, "201914"),
)
TOWN_NAMES = tuple(t[0] for t in TOWNS)
POSTCODES = {t[0]: t[2] for t in TOWNS}

ROADS = {
    "城桥镇": ("人民路", "八一路", "西门路", "东门路", "南门路", "鳌山路", "翠竹路", "湄洲路"),
    "长兴镇": ("潘园公路", "长兴江南大道", "凤滨路", "兴缘路", "长明路", "丰福路"),
    "堡镇": ("堡镇南路", "堡镇北路", "中滨路", "工农路"),
    "陈家镇": ("揽海路", "裕安路", "东滩大道", "陈海公路"),
}
COUNTY_ROADS = ("陈海公路", "北沿公路", "三双公路", "草港公路", "建设公路", "团旺公路", "东平公路")
VILLAGES = (
    "永丰村", "新建村", "前进村", "红星村", "合兴村", "裕安村", "东风村", "向阳村", "长江村",
    "富民村", "协兴村", "五星村", "团结村", "建华村", "跃进村", "光明村", "立新村", "兴隆村",
    "先锋村", "丰乐村", "鸿田村", "潘石村", "石沙村", "新港村",
)  # fmt: skip
ESTATES = (
    "鳌山小区", "湄洲新村", "城中小区", "金鳌山公寓", "崇明新城菊园", "长兴凤凰苑", "长兴金岛苑",
    "潘园小区", "堡镇新村", "裕鸿佳苑", "东门新村", "明珠花苑", "长兴家园", "绿岛雅苑",
)  # fmt: skip
RIVERS = ("南横引河", "北横引河", "东平河", "庙港河", "老滧港", "新河港", "堡镇港", "长兴岛中心河")
SCHOOLS = (
    "崇明区城桥中学",
    "崇明区实验小学",
    "长兴中学",
    "堡镇中学",
    "崇明区东门中学",
    "长兴小学",
)
HOSPITALS = ("新华医院崇明分院", "崇明区第三人民医院", "长兴镇社区卫生服务中心", "崇明区中心医院")
PROJECTS = (
    "北沿公路拓宽工程", "长兴岛郊野公园", "崇明区体育训练基地", "东平国家森林公园提升改造工程",
    "陈家镇实验生态社区", "长兴岛海洋装备产业园区道路工程", "崇明区污水处理厂提标改造工程",
    "崇明新城市民活动中心", "环岛防汛提标工程", "长兴岛自来水管网改造工程",
)  # fmt: skip
SCENIC = ("东平国家森林公园", "明珠湖公园", "西沙湿地", "前卫生态村", "东滩湿地公园")
TRADE_NAMES = (
    "瀛洲", "东滩", "明珠", "长江", "鳌山", "森茂", "绿岛", "海润", "振华", "兴盛", "裕丰", "宏达",
    "金岛", "崇信", "博润", "申崇", "恒通", "瑞丰", "汇海", "江帆", "天越", "鼎盛",
)  # fmt: skip
INDUSTRIES = (
    "建设工程", "房地产开发", "置业", "生态农业发展", "农业科技", "船舶配套", "海洋工程装备",
    "物流", "环保科技", "旅游发展", "食品", "建材", "物业管理", "市政工程", "餐饮管理",
)  # fmt: skip
DOC_PREFIX = {
    "区规划资源局": "崇规划资源",
    "区住房保障房屋管理局": "崇房管",
    "区市场监管局": "崇市监案处",
    "上海市崇明区人民政府办公室": "崇府",
    "区生态环境局": "崇环",
    "区财政局": "崇财",
}

# Surnames common on the island first and several times, so they come up as often as they do.
SURNAMES = "施黄陆沈顾张倪龚宋茅袁蔡" * 3 + "瞿秦朱王李陈杨周吴徐孙郁季樊范俞姚钱龙邱汤唐"
GIVEN_MALE = "建国平华明伟军强林峰兴忠荣德福根海金龙新春宏志斌杰勇锋"
GIVEN_FEMALE = "美芳英秀红丽萍燕霞玲琴敏静洁娟慧雯婷佳雪"

# Resident ID area codes: 崇明 (崇明县 before 2016, 崇明区 since), other districts, nearby 江苏.
ID_AREAS = (
    ("310230", 50), ("310151", 8), ("310115", 8), ("310110", 3), ("310104", 3),
    ("310113", 3), ("320684", 4), ("320681", 4), ("340122", 2), ("510921", 1),
)  # fmt: skip
OTHER_PLACES = (
    ("上海市浦东新区", "张杨路", "200120"),
    ("上海市杨浦区", "控江路", "200092"),
    ("上海市宝山区", "友谊路", "201900"),
    ("上海市徐汇区", "漕溪北路", "200030"),
    ("江苏省海门市", "解放中路", "226100"),
    ("江苏省启东市", "人民中路", "226200"),
)

# --- what people ask for -------------------------------------------------------------------------

TOPICS: dict[str, tuple[str, ...]] = {
    "land": (
        "{town}{village}集体土地征收的批准文件及征地补偿安置方案",
        "{town}{village}第{group}村民小组土地征收范围图及征地红线图",
        "{year}年{town}农用地转用和土地征收审批单（沪府土〔{year}〕{n}号）",
        "{address}房屋所在宅基地的土地权属来源及审批档案",
        "{plot}国有建设用地使用权出让合同及出让公告",
    ),
    "planning": (
        "{plot}的建设用地规划许可证、建设工程规划许可证及附图",
        "{town}村庄规划（{year}—2035年）及其批复文件",
        "{plot}控制性详细规划调整的批复及公众意见处理情况",
        "{project}的建设工程规划许可证及总平面图",
    ),
    "housing": (
        "{town}{plot}旧区改造项目的房屋征收决定、征收补偿方案及征收范围",
        "本人（{address}）被征收房屋的评估报告、补偿决定及计算依据",
        "{estate}动迁安置房的分配方案及房源清单",
        "{estate}小区专项维修资金的使用明细及审批材料",
        "{year}年本区共有产权保障住房申请审核结果及轮候名单",
        "{town}{village}拆迁补偿款的发放明细及签字领取凭证",
    ),
    "market": (
        "对{company}作出的行政处罚决定书（{docno}）",
        "{year}年本区食品安全监督抽检结果",
        "{company}的食品经营许可证及现场核查记录",
        "{year}年{month}月对{company}价格违法行为的调查处理情况",
    ),
    "government": (
        "崇明区人民政府关于{town}{village}土地征收的批复（{docno}）",
        "{year}年崇明区人民政府重大行政决策事项目录",
        "{project}的区政府专题会议纪要",
    ),
    "finance": (
        "{year}年区级一般公共预算收支执行情况及区级部门预算",
        "{year}年区级部门“三公”经费决算",
        "{project}的财政资金拨付明细",
        "{year}年{town}农村综合帮扶资金的使用情况",
        "{year}年本区政府债务限额及余额情况",
    ),
    "ecology": (
        "{company}建设项目环境影响报告表及审批意见",
        "{year}年{river}水质监测数据",
        "{year}年本区环境空气质量自动监测站的监测数据",
        "{company}排污许可证及执行报告",
        "{town}{village}畜禽养殖场污染整治情况",
    ),
    "agriculture": (
        "{town}{village}土地承包经营权流转合同及流转费发放情况",
        "{year}年{town}耕地地力保护补贴发放名单",
        "{town}{village}宅基地审批及农民建房审批档案",
        "{year}年{town}高标准农田建设项目的招标及验收材料",
    ),
    "development": (
        "{project}的立项批复及可行性研究报告批复",
        "{year}年崇明区重大工程项目计划",
        "{project}的节能审查意见",
    ),
    "construction": (
        "{project}的施工许可证及竣工验收备案材料",
        "{estate}加装电梯的审批材料",
        "{year}年本区建筑工地扬尘检查情况",
    ),
    "water": (
        "{river}河道整治工程的立项批复及验收材料",
        "{town}{village}农村生活污水处理设施的运维合同",
        "{year}年{town}防汛排涝工程的资金使用情况",
    ),
    "transport": (
        "{road}道路改建工程的立项批复和施工许可",
        "{year}年{town}农村公路提档升级工程的招标文件",
        "{year}年本区公交线路调整方案",
    ),
    "enforcement": (
        "{address}违法建筑的认定材料及限期拆除决定书",
        "{year}年对{company}违法搭建的查处情况",
        "{estate}小区违法搭建整治的执法记录",
    ),
    "education": (
        "{year}年{school}招生入学的划片范围",
        "{school}校舍改扩建工程的立项及招标情况",
    ),
    "health": (
        "{year}年{hospital}的医疗服务价格及收费标准",
        "{year}年本区医疗机构设置规划",
    ),
    "civil": (
        "{town}{village}最低生活保障对象的审核公示名单",
        "{year}年{town}养老服务补贴的发放情况",
    ),
    "labour": (
        "本人工伤认定决定书及调查材料",
        "{company}劳动保障监察案件的处理结果",
    ),
    "greening": (
        "{road}沿线绿化迁移的审批材料",
        "{town}生活垃圾中转站的建设审批材料",
    ),
    "safety": (
        "{company}{year}年生产安全事故调查报告",
        "{year}年本区危险化学品企业名单",
    ),
    "culture": (
        "{year}年{scenic}的门票价格批复及经营情况",
        "{scenic}提升改造项目的审批材料",
    ),
    "justice": (
        "{year}年本区行政复议案件的办理情况统计",
        "{year}年本区法律援助经费使用情况",
    ),
    "town": (
        "{village}{year}年村务公开及集体资产处置情况",
        "本镇{village}宅基地置换项目的补偿安置方案",
        "{village}土地流转及动迁补偿款的发放明细",
        "本人（{address}）房屋的动迁安置协议及安置房分配材料",
        "{village}第{group}村民小组征地农民养老人员的落实名单",
    ),
}

# Requests shaped by their outcome: a complaint is rejected as 信访, a yearbook is a publication.
# The department is switched to the one named, when one is.
OUTCOME_TOPICS: dict[str, tuple[tuple[str, str | None], ...]] = {
    "reject_petition": (
        ("反映{address}邻居违法搭建，要求查处并书面答复处理结果", "区城管执法局"),
        ("投诉{company}夜间施工噪声扰民，请求依法处理", "区生态环境局"),
        ("举报{company}销售过期食品，要求告知查处结果", "区市场监管局"),
        ("反映{town}{village}征地补偿款被截留，要求调查处理", None),
    ),
    "reject_publication": (
        ("《崇明年鉴（{year}）》全文", "上海市崇明区人民政府办公室"),
        ("《上海市崇明区人民政府公报》{year}年第{group}期", "上海市崇明区人民政府办公室"),
    ),
    "reject_confirm": (
        ("要求对本人已取得的{year}年房屋征收补偿协议加盖公章后重新出具", "区住房保障房屋管理局"),
        ("请确认贵单位于{year}年{month}月提供的征地文件是否真实有效", "区规划资源局"),
    ),
    "withhold_query": (
        ("{address}房屋的不动产登记资料（权利人及抵押情况）", "区规划资源局"),
        ("{company}的企业登记档案（股东及出资情况）", "区市场监管局"),
    ),
    "withhold_process": (
        ("{year}年区政府常务会议讨论{town}征收事项的会议记录", "上海市崇明区人民政府办公室"),
        ("{plot}征收补偿方案的讨论稿及内部请示", None),
    ),
    "withhold_internal": (
        ("{year}年本单位工作人员的考核结果及内部工作流程", None),
        ("{year}年本单位公务用车的内部管理规定", None),
    ),
    "withhold_enforcement": (
        ("对{company}立案调查的全部执法案卷（含询问笔录）", "区市场监管局"),
        ("{address}违法建筑查处案件的调查笔录及内部审批表", "区城管执法局"),
    ),
    "unable_create": (
        ("统计{year}年至今{town}所有被征收户的补偿金额，并按户列表", None),
        ("汇总分析{year}年以来本区各镇土地出让收入的使用情况", "区财政局"),
    ),
    "reject_excessive": (("{year}年以来本区全部征收项目的全部审批材料（逐项逐户）", None),),
}
SENTENCE_REQUESTS = frozenset({"reject_petition", "reject_confirm"})  # complete as written

OUTCOME_NOTES: dict[str, tuple[str, ...]] = {
    "unable_not_ours": (
        "该信息由上海市规划和自然资源局负责公开，建议向其提出申请",
        "该信息由上海市房屋管理局负责公开，建议向其提出申请",
        "该信息由所在镇人民政府负责公开，建议向其提出申请",
    ),
    "disclose_public": ("已在崇明区人民政府门户网站政府信息公开专栏主动公开",),
    "reject_repeat": ("与本机关此前已答复的申请内容相同",),
    "other_withdrawn": ("申请人书面撤回申请",),
}

# --- how often things happen ---------------------------------------------------------------------

# Outcomes drawn for a case without a procedural ending; roughly the mix of a Shanghai district's
# annual reports: a third 予以公开 or 部分公开, many 无法提供, some 不予处理.
OUTCOME_WEIGHTS: dict[str, float] = {
    "disclose": 17,
    "disclose_public": 8,
    "partial": 8,
    "withhold_secret": 0.3,
    "withhold_law": 0.6,
    "withhold_security": 0.5,
    "withhold_third_party": 2.2,
    "withhold_internal": 0.8,
    "withhold_process": 1.4,
    "withhold_enforcement": 0.7,
    "withhold_query": 1.5,
    "unable_not_held": 24,
    "unable_not_ours": 8,
    "unable_create": 4,
    "reject_petition": 3,
    "reject_repeat": 2.5,
    "reject_publication": 0.8,
    "reject_excessive": 0.3,
    "reject_confirm": 1.2,
    "other_withdrawn": 2.5,
    "other": 1.5,
}
ON_THE_SPOT = {"disclose_public": 5, "disclose": 2, "unable_not_ours": 2, "reject_publication": 1}
PROCEDURAL = frozenset({"other_no_correction", "other_fee_unpaid", "other_withdrawn"})
DISCLOSED = frozenset({"disclose", "disclose_public"})

CHANNEL_WEIGHTS = {
    clock.Channel.ONLINE: 45,
    clock.Channel.POST_SIGNED: 25,
    clock.Channel.IN_PERSON: 15,
    clock.Channel.EMAIL: 8,
    clock.Channel.POST_ORDINARY: 5,
    clock.Channel.FAX: 2,
}
APPLICANT_WEIGHTS = {
    "natural_person": 86.0,
    "enterprise": 7.0,
    "legal_service": 4.0,
    "research": 0.8,
    "public_interest": 1.0,
    "other_org": 1.2,
}
# 统一社会信用代码: registration department and organization type (GB 32100 table), area, names.
ORG_CODES = {
    "enterprise": ("91",),
    "legal_service": ("31",),
    "research": ("12",),
    "public_interest": ("52", "53"),
    "other_org": ("54", "93"),
}

P_CORRECTION = 0.08
P_FEE = 0.01  # per-page fees outside bursts; bursts add per-item ones
P_ON_THE_SPOT = 0.12  # of in-person applications
P_LATE = 0.03
# Decision: the last two months are a little busier than the average, so that even a small demo
# shows every warning level and cases waiting for a correction or a payment.
BACKLOG_DAYS = 60
P_LATE_BACKLOG = 0.2
P_CORRECTION_BACKLOG = 0.16
P_FEE_BACKLOG = 0.03
P_VOID = 0.002
HEAVY_SHARE = 0.08  # a handful of applicants file this share of all applications
REPEAT_SHARE = 0.18  # a previous applicant applies again
RECENT_POOL = 20000

CORRECTION_ITEMS = (
    "申请内容不明确，请写明所需信息的名称、文号或者其他特征性描述",
    "未提供申请人身份证明，请补充身份证件复印件",
    "委托他人代为申请的，请补充授权委托书及代理人身份证明",
    "所需信息的时间范围不明确，请写明具体年份",
)
EXTENSION_REASONS = (
    "所需信息涉及历年档案，需要调档并逐页核对，无法在答复期限内答复",
    "申请内容涉及多个部门，需要会同办理",
    "征求意见后需要综合研判，无法在法定期限内答复",
)
PROOFS = {
    "ems": "EMS妥投记录",
    "post": "挂号信回执",
    "in_person": "申请人签收的送达回证",
    "email": "电子邮件发送记录",
    "platform": "网上平台推送回执",
}
