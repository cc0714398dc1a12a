"""Demo data (演示数据): years of realistic generated cases, so a new user sees a living office.

Each case is lived through from receipt to reply in the order an office meets its events (补正,
收费, 条例35, 征求意见, 延期, reply, service, 复议/诉讼); then everything after `today` is cut off.
The last weeks' cases are therefore still open, waiting for a correction, a payment or an opinion,
some close to or past their due date, exactly as the clock would see them. Every case is checked
with cases.clock.validate_facts before it is written, and its stored clock columns come from
cases.clock.compute, so nothing here could be refused by the exchange import.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from cases import bulk, clock, deadlines, fees, ids, model, numbering, workflow
from cases.calendar import WorkCalendar
from cases.handbook import load_handbook

__all__ = ["ACTION", "ACTOR", "default_years", "generate"]

ACTOR = "演示数据"
ACTION = "demo"
CHUNK = 2000  # cases written per round of bulk inserts: memory stays flat for 300,000 cases
CASES_PER_YEAR = 800  # a district office's year (domain.md §4: 600–2,500)
MAX_YEARS = 8
CST = dt.timezone(dt.timedelta(hours=8), "CST")

Progress = Callable[[int, int], None]

# --- the district (domain.md §8) ----------------------------------------------------------------

# Short name (as in the case list), full name (for letters and consultations), weight, topics.
_DEPARTMENTS: tuple[tuple[str, str, float, tuple[str, ...]], ...] = (
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
_ANY_TOWN = ""  # stands in the department draw for "one of the towns, by their weights"
_LAND_AND_HOUSING = frozenset({"区规划资源局", "区住房保障房屋管理局", "长兴镇"})

# Town, weight among the towns, postcode. 长兴镇 receives most (land and housing on the island).
_TOWNS: tuple[tuple[str, float, str], ...] = (
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
_TOWN_NAMES = tuple(t[0] for t in _TOWNS)
_POSTCODES = {t[0]: t[2] for t in _TOWNS}

_ROADS = {
    "城桥镇": ("人民路", "八一路", "西门路", "东门路", "南门路", "鳌山路", "翠竹路", "湄洲路"),
    "长兴镇": ("潘园公路", "长兴江南大道", "凤滨路", "兴缘路", "长明路", "丰福路"),
    "堡镇": ("堡镇南路", "堡镇北路", "中滨路", "工农路"),
    "陈家镇": ("揽海路", "裕安路", "东滩大道", "陈海公路"),
}
_COUNTY_ROADS = ("陈海公路", "北沿公路", "三双公路", "草港公路", "建设公路", "团旺公路", "东平公路")
_VILLAGES = (
    "永丰村", "新建村", "前进村", "红星村", "合兴村", "裕安村", "东风村", "向阳村", "长江村",
    "富民村", "协兴村", "五星村", "团结村", "建华村", "跃进村", "光明村", "立新村", "兴隆村",
    "先锋村", "丰乐村", "鸿田村", "潘石村", "石沙村", "新港村",
)  # fmt: skip
_ESTATES = (
    "鳌山小区", "湄洲新村", "城中小区", "金鳌山公寓", "崇明新城菊园", "长兴凤凰苑", "长兴金岛苑",
    "潘园小区", "堡镇新村", "裕鸿佳苑", "东门新村", "明珠花苑", "长兴家园", "绿岛雅苑",
)  # fmt: skip
_RIVERS = ("南横引河", "北横引河", "东平河", "庙港河", "老滧港", "新河港", "堡镇港", "长兴岛中心河")
_SCHOOLS = (
    "崇明区城桥中学",
    "崇明区实验小学",
    "长兴中学",
    "堡镇中学",
    "崇明区东门中学",
    "长兴小学",
)
_HOSPITALS = ("新华医院崇明分院", "崇明区第三人民医院", "长兴镇社区卫生服务中心", "崇明区中心医院")
_PROJECTS = (
    "北沿公路拓宽工程", "长兴岛郊野公园", "崇明区体育训练基地", "东平国家森林公园提升改造工程",
    "陈家镇实验生态社区", "长兴岛海洋装备产业园区道路工程", "崇明区污水处理厂提标改造工程",
    "崇明新城市民活动中心", "环岛防汛提标工程", "长兴岛自来水管网改造工程",
)  # fmt: skip
_SCENIC = ("东平国家森林公园", "明珠湖公园", "西沙湿地", "前卫生态村", "东滩湿地公园")
_TRADE_NAMES = (
    "瀛洲", "东滩", "明珠", "长江", "鳌山", "森茂", "绿岛", "海润", "振华", "兴盛", "裕丰", "宏达",
    "金岛", "崇信", "博润", "申崇", "恒通", "瑞丰", "汇海", "江帆", "天越", "鼎盛",
)  # fmt: skip
_INDUSTRIES = (
    "建设工程", "房地产开发", "置业", "生态农业发展", "农业科技", "船舶配套", "海洋工程装备",
    "物流", "环保科技", "旅游发展", "食品", "建材", "物业管理", "市政工程", "餐饮管理",
)  # fmt: skip
_DOC_PREFIX = {
    "区规划资源局": "崇规划资源",
    "区住房保障房屋管理局": "崇房管",
    "区市场监管局": "崇市监案处",
    "上海市崇明区人民政府办公室": "崇府",
    "区生态环境局": "崇环",
    "区财政局": "崇财",
}

# Surnames common on the island first and several times, so they come up as often as they do.
_SURNAMES = "施黄陆沈顾张倪龚宋茅袁蔡" * 3 + "瞿秦朱王李陈杨周吴徐孙郁季樊范俞姚钱龙邱汤唐"
_GIVEN_MALE = "建国平华明伟军强林峰兴忠荣德福根海金龙新春宏志斌杰勇锋"
_GIVEN_FEMALE = "美芳英秀红丽萍燕霞玲琴敏静洁娟慧雯婷佳雪"

# Resident ID area codes: 崇明 (崇明县 before 2016, 崇明区 since), other districts, nearby 江苏.
_ID_AREAS = (
    ("310230", 50), ("310151", 8), ("310115", 8), ("310110", 3), ("310104", 3),
    ("310113", 3), ("320684", 4), ("320681", 4), ("340122", 2), ("510921", 1),
)  # fmt: skip
_OTHER_PLACES = (
    ("上海市浦东新区", "张杨路", "200120"),
    ("上海市杨浦区", "控江路", "200092"),
    ("上海市宝山区", "友谊路", "201900"),
    ("上海市徐汇区", "漕溪北路", "200030"),
    ("江苏省海门市", "解放中路", "226100"),
    ("江苏省启东市", "人民中路", "226200"),
)

# --- what people ask for -------------------------------------------------------------------------

_TOPICS: dict[str, tuple[str, ...]] = {
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
_OUTCOME_TOPICS: dict[str, tuple[tuple[str, str | None], ...]] = {
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
_SENTENCE_REQUESTS = frozenset({"reject_petition", "reject_confirm"})  # complete as written

_OUTCOME_NOTES: dict[str, tuple[str, ...]] = {
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
_OUTCOME_WEIGHTS: dict[str, float] = {
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
_ON_THE_SPOT = {"disclose_public": 5, "disclose": 2, "unable_not_ours": 2, "reject_publication": 1}
_PROCEDURAL = frozenset({"other_no_correction", "other_fee_unpaid", "other_withdrawn"})
_DISCLOSED = frozenset({"disclose", "disclose_public"})

_CHANNEL_WEIGHTS = {
    clock.Channel.ONLINE: 45,
    clock.Channel.POST_SIGNED: 25,
    clock.Channel.IN_PERSON: 15,
    clock.Channel.EMAIL: 8,
    clock.Channel.POST_ORDINARY: 5,
    clock.Channel.FAX: 2,
}
_APPLICANT_WEIGHTS = {
    "natural_person": 86.0,
    "enterprise": 7.0,
    "legal_service": 4.0,
    "research": 0.8,
    "public_interest": 1.0,
    "other_org": 1.2,
}
# 统一社会信用代码: registration department and organization type (GB 32100 table), area, names.
_ORG_CODES = {
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

_CORRECTION_ITEMS = (
    "申请内容不明确，请写明所需信息的名称、文号或者其他特征性描述",
    "未提供申请人身份证明，请补充身份证件复印件",
    "委托他人代为申请的，请补充授权委托书及代理人身份证明",
    "所需信息的时间范围不明确，请写明具体年份",
)
_EXTENSION_REASONS = (
    "所需信息涉及历年档案，需要调档并逐页核对，无法在二十个工作日内答复",
    "申请内容涉及多个部门，需要会同办理",
    "征求意见后需要综合研判，无法在法定期限内答复",
)
_PROOFS = {
    "ems": "EMS妥投记录",
    "post": "挂号信回执",
    "in_person": "申请人签收的送达回证",
    "email": "电子邮件发送记录",
    "platform": "网上平台推送回执",
}


# --- the public entry point ----------------------------------------------------------------------


def default_years(n_cases: int, today: date) -> tuple[int, ...]:
    """About CASES_PER_YEAR cases a year, two to MAX_YEARS years, ending with today's year."""
    count = min(MAX_YEARS, max(2, math.ceil(n_cases / CASES_PER_YEAR)))
    return tuple(range(today.year - count + 1, today.year + 1))


def generate(
    session: Session,
    n_cases: int,
    *,
    seed: int = 2025,
    years: tuple[int, ...] | None = None,
    today: date | None = None,
    progress: Progress | None = None,
) -> int:
    """Write n_cases generated cases in the caller's transaction; returns how many were written.

    The same seed, years, today and starting database give the same cases.
    """
    if n_cases < 0:
        raise ValueError(f"演示案件数量不能为负数（收到 {n_cases}）")
    today = today or workflow.today()
    chosen = _check_years(years if years is not None else default_years(n_cases, today), today)
    if n_cases == 0:
        return 0
    cal = deadlines.load_calendar(session)
    rng = random.Random(seed)
    office = _Office(rng, cal, today, n_cases)
    days = _receipt_days(rng, cal, chosen, today, n_cases)
    bursts = _bursts(rng, days, office.heavy)
    numbers = _Numbers(session)
    _ensure_departments(session)
    keys = {
        "applicants": bulk.Keys(session, model.Applicant),
        "cases": bulk.Keys(session, model.Case),
    }
    written = 0
    for start in range(0, n_cases, CHUNK):
        plans = [
            office.case(days[i], bursts.get(i), numbers)
            for i in range(start, min(n_cases, start + CHUNK))
        ]
        _write(session, keys, plans)
        written += len(plans)
        if progress is not None:
            progress(written, n_cases)
    numbers.save(session)
    return written


def _check_years(years: Sequence[int], today: date) -> frozenset[int]:
    if not years:
        raise ValueError("演示数据的年份不能为空")
    later = [y for y in years if y > today.year]
    if later:
        raise ValueError(f"演示数据的年份 {later[0]} 晚于今天（{today.isoformat()}）")
    return frozenset(years)


# --- when applications arrive --------------------------------------------------------------------


def _receipt_days(
    rng: random.Random, cal: WorkCalendar, years: frozenset[int], today: date, n: int
) -> list[date]:
    """n working days of the years up to today, sorted; later years a little busier."""
    first = min(years)
    days: list[date] = []
    cum: list[float] = []
    total = 0.0
    d = date(first, 1, 1)
    while d <= today and d.year <= max(years):
        if d.year in years and cal.is_workday(d):
            total += 1.06 ** (d.year - first)  # applications grow from year to year
            days.append(d)
            cum.append(total)
        d += dt.timedelta(days=1)
    if not days:
        raise ValueError(f"演示数据的年份中，{today.isoformat()} 之前没有工作日，无法生成案件")
    return sorted(rng.choices(days, cum_weights=cum, k=n))


def _bursts(rng: random.Random, days: list[date], heavy: list[_Person]) -> dict[int, _Person]:
    """Each year a few runs of applications by one heavy applicant (大量申请, 条例35)."""
    burst_of: dict[int, _Person] = {}
    by_year: dict[int, list[int]] = {}
    for i, d in enumerate(days):
        by_year.setdefault(d.year, []).append(i)
    for indexes in by_year.values():
        if len(indexes) < 60:
            continue
        for _ in range(max(1, round(len(indexes) / 700))):
            size = rng.randint(14, 26)
            start = rng.randrange(0, len(indexes) - size)
            who = heavy[rng.randrange(min(3, len(heavy)))]
            for i in indexes[start : start + size]:
                burst_of[i] = who
    return burst_of


# --- applicants ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Person:
    """An applicant as the generator knows it; row is dropped once the row is written."""

    type: str
    row: dict[str, Any] | None
    town: str  # where the applicant's house or business is, for housing and land requests
    property: str  # an address on the island
    db_id: int | None = None
    last_request: tuple[str, str] | None = None  # description and department
    month: tuple[int, int] = (0, 0)
    in_month: int = 0

    def count_in_month(self, day: date) -> int:
        """This application's position among the applicant's applications of the month."""
        key = (day.year, day.month)
        if key != self.month:
            self.month, self.in_month = key, 0
        self.in_month += 1
        return self.in_month


class _People:
    """Names, ID numbers and addresses that read like the island's."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def name(self) -> str:
        r = self.rng
        chars = _GIVEN_MALE if r.random() < 0.55 else _GIVEN_FEMALE
        given = r.choice(chars) + (r.choice(chars) if r.random() < 0.7 else "")
        return r.choice(_SURNAMES) + given

    def town(self) -> str:
        return self.rng.choices(_TOWN_NAMES, weights=[t[1] for t in _TOWNS])[0]

    def address(self, town: str) -> str:
        r = self.rng
        if r.random() < 0.45:
            return (
                f"上海市崇明区{town}{r.choice(_VILLAGES)}{r.randint(1, 18)}组{r.randint(1, 120)}号"
            )
        road = r.choice(_ROADS.get(town, _COUNTY_ROADS))
        if r.random() < 0.5:
            return (
                f"上海市崇明区{town}{road}{r.randint(1, 999)}弄"
                f"{r.randint(1, 60)}号{r.randint(1, 6)}0{r.randint(1, 4)}室"
            )
        return f"上海市崇明区{town}{road}{r.randint(1, 2999)}号"

    def phone(self) -> str:
        r = self.rng
        if r.random() < 0.92:
            return f"1{r.choice('3578')}{r.randint(0, 9)}{r.randrange(10**8):08d}"
        return f"021-59{r.randrange(10**6):06d}"

    def resident_id(self) -> str:
        r = self.rng
        area = r.choices([a for a, _ in _ID_AREAS], weights=[w for _, w in _ID_AREAS])[0]
        born = date(1940, 1, 1) + dt.timedelta(days=r.randrange(365 * 62))
        first17 = f"{area}{born:%Y%m%d}{r.randrange(1000):03d}"
        return first17 + ids.resident_id_check_char(first17)

    def credit_code(self, kind: str, area: str) -> str:
        r = self.rng
        prefix = r.choice(_ORG_CODES[kind])
        if r.random() < 0.5:  # organization codes issued since 2015 start with MA
            body = "MA1" + "".join(r.choice(ids.USCC_CHARSET[:-6]) for _ in range(5))
        else:
            body = f"{r.randrange(10**8):08d}"
        first17 = prefix + area + body + ids.org_code_check_char(body)
        return first17 + ids.uscc_check_char(first17)

    def person(self, kind: str) -> _Person:
        town = self.town()
        prop = self.address(town)
        if kind == "natural_person":
            row = self._natural(town, prop)
        else:
            row = self._organization(kind, town)
        return _Person(kind, row, town, prop)

    def _natural(self, town: str, prop: str) -> dict[str, Any]:
        r = self.rng
        id_type: str | None = "resident_id"
        id_number: str | None = self.resident_id()
        roll = r.random()
        if roll < 0.02:
            id_type, id_number = "passport", f"E{r.randrange(10**8):08d}"
        elif roll < 0.035:
            id_type, id_number = "other", f"H{r.randrange(10**8):08d}"  # 港澳居民来往内地通行证
        elif roll < 0.06:
            id_type = id_number = None
        address, postcode = prop, _POSTCODES[town]
        if r.random() < 0.22:
            place, road, postcode = r.choice(_OTHER_PLACES)
            address = (
                f"{place}{road}{r.randint(1, 1500)}弄{r.randint(1, 80)}号{r.randint(101, 1804)}室"
            )
        agent_name = agent_phone = None
        if r.random() < 0.06:
            agent_name, agent_phone = self.name(), self.phone()
        return {
            "type": "natural_person",
            "name": self.name(),
            "id_type": id_type,
            "id_number": id_number,
            "phone": self.phone(),
            "address": address,
            "postcode": postcode,
            "email": f"{r.randint(10**5, 10**10)}@qq.com" if r.random() < 0.25 else None,
            "agent_name": agent_name,
            "agent_phone": agent_phone,
        }

    def _organization(self, kind: str, town: str) -> dict[str, Any]:
        r = self.rng
        trade = r.choice(_TRADE_NAMES)
        area = "310230" if r.random() < 0.6 else "310000"
        address, postcode = self.address(town), _POSTCODES[town]
        if kind == "enterprise":
            name = f"上海{trade}{r.choice(_INDUSTRIES)}有限公司"
        elif kind == "legal_service":
            name = f"上海{trade}律师事务所"
            area = "310000"
            place, road, postcode = r.choice(_OTHER_PLACES[:4])
            address = f"{place}{road}{r.randint(1, 1500)}号{r.randint(5, 32)}楼"
        elif kind == "research":
            name = r.choice((f"上海{trade}生态环境研究院", f"上海市崇明区{trade}农业科学研究所"))
        elif kind == "public_interest":
            name = r.choice((f"上海市崇明区{trade}公益服务中心", f"上海{trade}环保公益基金会"))
        else:
            name = r.choice(
                (f"上海市崇明区{town}{r.choice(_VILLAGES)}村民委员会", f"上海{trade}农民专业合作社")
            )
        return {
            "type": kind,
            "name": name,
            "id_type": "uscc",
            "id_number": self.credit_code(kind, area),
            "phone": self.phone(),
            "address": address,
            "postcode": postcode,
            "email": None,
            "agent_name": self.name() if r.random() < 0.6 else None,
            "agent_phone": self.phone() if r.random() < 0.5 else None,
        }


# --- one case ------------------------------------------------------------------------------------


@dataclass
class _Life:
    """Everything that happens to one application, before the cut at today."""

    facts: clock.ClockFacts
    outcome_code: str
    outcome_on: date
    correction_items: str = ""
    opinions: tuple[str, ...] = ()
    extension_reason: str = ""
    fee_units: int | None = None
    reviews: list[tuple[str, date, str | None, date | None]] = field(default_factory=list)


@dataclass
class _Plan:
    """A case ready to be written: columns, events and the clock as of today."""

    no: str
    person: _Person
    received: date
    channel: str
    description: str
    form: str
    delivery: str
    department: str
    handler: str
    life: _Life
    facts: clock.ClockFacts  # as of today
    result: clock.ClockResult
    outcome_note: str
    outcome_reasons: str
    step: str
    archived_at: dt.datetime | None
    service: tuple[str, str | None, date] | None
    signer: str
    reviewer: str
    voided: bool
    reasons: tuple[str, ...]  # chosen for the outcome (final when closed, proposed when open)
    created_at: dt.datetime
    as_of: date  # today: what lies after it has not happened yet


class _Office:
    """The simulated office: its staff, its applicants, and how it handles each application."""

    def __init__(self, rng: random.Random, cal: WorkCalendar, today: date, n_cases: int) -> None:
        self.rng, self.cal, self.today = rng, cal, today
        self.people = _People(rng)
        self.handlers = {
            name: [self.people.name() for _ in range(rng.randint(2, 4))]
            for name in [d[0] for d in _DEPARTMENTS] + list(_TOWN_NAMES)
        }
        self.reviewers = [self.people.name() for _ in range(3)]
        self.signers = [self.people.name() for _ in range(2)]
        self.heavy = [
            self.people.person(
                rng.choices(["natural_person", "legal_service", "enterprise"], weights=[80, 12, 8])[
                    0
                ]
            )
            for _ in range(min(40, max(3, n_cases // 400)))
        ]
        self.heavy_weights = [1 / (rank + 1) for rank in range(len(self.heavy))]
        self.recent: list[_Person] = []
        self.reasons = {o.code: tuple(r.id for r in o.reasons) for o in load_handbook().outcomes}
        missing = (set(_OUTCOME_WEIGHTS) | set(_ON_THE_SPOT)) - set(self.reasons)
        if missing:  # the handbook is the list of outcomes; the weights here must follow it
            raise RuntimeError(f"演示数据使用了手册中没有的办理结果：{sorted(missing)}")
        dept_names = [d[0] for d in _DEPARTMENTS] + ["长兴镇", _ANY_TOWN]
        dept_weights = [d[2] for d in _DEPARTMENTS] + [7.0, 8.0]
        self.departments = (dept_names, dept_weights)
        self.topics = {d[0]: d[3] for d in _DEPARTMENTS}
        self.full_names = {d[0]: d[1] for d in _DEPARTMENTS}
        self.backlog_from = today - dt.timedelta(days=BACKLOG_DAYS)

    # -- who applies, about what --

    def applicant(self, burst: _Person | None) -> _Person:
        r = self.rng
        if burst is not None:
            return burst
        roll = r.random()
        if roll < HEAVY_SHARE:
            return r.choices(self.heavy, weights=self.heavy_weights)[0]
        if roll < HEAVY_SHARE + REPEAT_SHARE and self.recent:
            return r.choice(self.recent)
        kind = r.choices(list(_APPLICANT_WEIGHTS), weights=list(_APPLICANT_WEIGHTS.values()))[0]
        person = self.people.person(kind)
        if len(self.recent) < RECENT_POOL:
            self.recent.append(person)
        else:
            self.recent[r.randrange(RECENT_POOL)] = person
        return person

    def department(self, person: _Person, burst: bool) -> str:
        """Who handles it: an applicant who applied before mostly writes about the same matter."""
        r = self.rng
        if person.last_request is not None and r.random() < (0.8 if burst else 0.5):
            return person.last_request[1]
        names, weights = self.departments
        chosen = r.choices(names, weights=weights)[0]
        return self.people.town() if chosen == _ANY_TOWN else chosen

    def describe(self, department: str, code: str, person: _Person, day: date) -> tuple[str, str]:
        """The request text, and the department that handles it (a request may move it)."""
        r = self.rng
        if code == "reject_repeat" and person.last_request is not None:
            return person.last_request  # the same request again, to the same department
        shaped = _OUTCOME_TOPICS.get(code)
        sentence = False
        if shaped and r.random() < 0.85:
            template, moved = r.choice(shaped)
            department = moved or department
            sentence = code in _SENTENCE_REQUESTS
        else:
            topics = self.topics.get(department, ("town",))
            template = r.choice(_TOPICS[r.choice(topics)])
        town = department if department in _POSTCODES else person.town
        text = template.format_map(_Fill(self, person, town, department, day))
        if not sentence:
            lead = r.random()
            if lead < 0.5:
                text = "申请公开" + text
            elif lead < 0.7:
                text = "请提供" + text
            if person.type == "natural_person" and r.random() < 0.05:
                text += "，用于维护本人合法权益"
        return text, department

    # -- the case --

    def case(self, day: date, burst: _Person | None, numbers: _Numbers) -> _Plan:
        r = self.rng
        person = self.applicant(burst)
        position = person.count_in_month(day)
        channel = r.choices(list(_CHANNEL_WEIGHTS), weights=list(_CHANNEL_WEIGHTS.values()))[0]
        department = self.department(person, burst is not None)
        life = self.live(day, channel, person, burst is not None, position)
        description, department = self.describe(department, life.outcome_code, person, day)
        person.last_request = (description, department)
        form, delivery = _form_and_delivery(r, channel)
        handler = r.choice(self.handlers[department])
        return self.as_of_today(
            numbers.take(day.year),
            person,
            channel,
            description,
            form,
            delivery,
            department,
            handler,
            life,
        )

    def live(
        self, d0: date, channel: clock.Channel, person: _Person, burst: bool, position: int
    ) -> _Life:
        """The application's whole life, events in the order the office meets them."""
        r, cal = self.rng, self.cal
        facts = clock.ClockFacts(received=d0, channel=channel)
        if channel is clock.Channel.IN_PERSON and not burst and r.random() < P_ON_THE_SPOT:
            code = r.choices(list(_ON_THE_SPOT), weights=list(_ON_THE_SPOT.values()))[0]
            return _Life(replace(facts, outcome_code=code, outcome_on=d0), code, d0)

        life = _Life(facts, "", d0)
        eff = d0  # the day the reply clock counts from
        busy_until = d0  # the last thing the office waited for; the reply comes after it
        allowed_unclear = False

        # 补正 (correction): within 7 WD of receipt, once; the period 15 WD unless edited.
        recent = d0 >= self.backlog_from
        if not burst and r.random() < (P_CORRECTION_BACKLOG if recent else P_CORRECTION):
            notice = cal.add_workdays(d0, r.randint(1, clock.CORRECTION_NOTICE_DAYS))
            days = r.choice((15, 15, 15, 15, 10, 20))
            until = cal.add_workdays(notice, days)
            life.correction_items = r.choice(_CORRECTION_ITEMS)
            roll = r.random()
            if roll < 0.55:
                got = cal.add_workdays(notice, r.randint(2, days))
                facts = replace(facts, corrections=(clock.Correction(notice, until, got),))
                eff = busy_until = got
                allowed_unclear = True
            else:
                facts = replace(facts, corrections=(clock.Correction(notice, until, None),))
                if roll < 0.9:
                    code, on = "other_no_correction", cal.add_workdays(until, r.randint(1, 5))
                else:
                    code, on = "other_withdrawn", cal.add_workdays(notice, r.randint(1, days))
                return self.close(life, facts, code, on)

        # 条例 35: a run of applications gets a later, reasonable due date, or is refused.
        delay_days = 0
        if burst and position > 10:
            roll = r.random()
            if roll < 0.2:
                return self.reply(life, facts, "reject_excessive", eff, busy_until)
            if roll < 0.45:
                delay_days = r.randint(10, 30)

        # 收费 (fee): per item for the 11th and later application of a month, else per page.
        fee_roll = r.random()
        per_item = burst and position > 10 and not delay_days and fee_roll < 0.5
        if per_item or (not burst and fee_roll < (P_FEE_BACKLOG if recent else P_FEE)):
            notice = cal.add_workdays(eff, r.randint(3, 10))
            quote = (
                fees.per_item_fee(position) if per_item else fees.per_page_fee(r.randint(31, 400))
            )
            life.fee_units = quote.units
            roll = r.random()
            paid = cal.add_workdays(notice, r.randint(1, 18)) if roll < 0.55 else None
            facts = replace(facts, fees=(clock.Fee(notice, quote.method, quote.amount, paid),))
            if paid is None:
                pay_by = cal.add_workdays(notice, clock.FEE_PAYMENT_DAYS)
                if roll < 0.9:
                    code, on = "other_fee_unpaid", cal.add_workdays(pay_by, r.randint(1, 5))
                else:
                    code, on = "other_withdrawn", cal.add_workdays(notice, r.randint(2, 15))
                return self.close(life, facts, code, on)
            busy_until = paid

        if allowed_unclear and r.random() < 0.3:
            code = "unable_unclear"
        else:
            code = r.choices(list(_OUTCOME_WEIGHTS), weights=list(_OUTCOME_WEIGHTS.values()))[0]
        if code == "other_withdrawn":
            on = cal.add_workdays(eff, r.randint(2, 15))
            return self.close(life, facts, code, max(on, busy_until))

        if delay_days:
            on = cal.add_workdays(eff, r.randint(1, 5))
            due = clock.compute(facts, cal, explain=False).due
            assert due is not None
            reason = f"申请人本月内已提出{position}件申请，数量明显超过合理范围（条例第三十五条）"
            new_due = cal.add_workdays(due, delay_days)
            facts = replace(facts, delays=(clock.Delay(on, new_due, reason),))
            busy_until = max(busy_until, on)

        # 征求意见 (consultation): third parties for their secrets, other agencies for their part.
        third = code in ("withhold_third_party", "partial")
        if r.random() < (0.5 if third else 0.05):
            consultations = [self.consult(r, eff, busy_until, code, third)]
            if r.random() < 0.15:
                consultations.append(self.consult(r, eff, busy_until, code, not third))
            facts = replace(facts, consultations=tuple(c for c, _ in consultations))
            life.opinions = tuple(o for _, o in consultations)
            for c in facts.consultations:
                busy_until = max(
                    busy_until, c.replied or cal.add_workdays(c.sent, clock.CONSULTATION_DAYS)
                )

        # 延期 (extension): decided in the last days before the due date then in force.
        p_ext = 0.4 if facts.consultations else (0.2 if facts.fees else 0.14)
        if not facts.delays and r.random() < p_ext:
            due = clock.compute(facts, cal, explain=False).due
            assert due is not None
            on = max(cal.add_workdays(due, -r.randint(0, 4)), cal.add_workdays(eff, 1))
            then = replace(clock.facts_as_of(facts, on), extensions=())
            in_force = clock.compute(then, cal, explain=False).due
            if in_force is not None and on <= in_force:
                approver = r.choice(self.reviewers)
                facts = replace(facts, extensions=(clock.Extension(on, approver),))
                life.extension_reason = r.choice(_EXTENSION_REASONS)
                busy_until = max(busy_until, on)
        return self.reply(life, facts, code, eff, busy_until)

    def consult(
        self, r: random.Random, eff: date, busy_until: date, code: str, third: bool
    ) -> tuple[clock.Consultation, str]:
        cal = self.cal
        sent = cal.add_workdays(max(eff, busy_until), r.randint(2, 8))
        roll = r.random()
        if roll < 0.75:
            replied: date | None = cal.add_workdays(sent, r.randint(3, clock.CONSULTATION_DAYS))
        elif roll < 0.9:
            replied = None
        else:
            replied = cal.add_workdays(sent, r.randint(16, 20))  # late: the clock stopped waiting
        if third:
            to = r.choice(
                (
                    f"上海{r.choice(_TRADE_NAMES)}{r.choice(_INDUSTRIES)}有限公司",
                    f"{self.people.name()}（相关权利人）",
                )
            )
            opinion = "不同意公开" if code == "withhold_third_party" else "同意公开"
            party = "third_party"
        else:
            town = self.people.town()
            to = r.choice([*self.full_names.values(), f"上海市崇明区{town}人民政府"])
            opinion = "无意见" if replied is not None else ""
            party = "agency"
        return clock.Consultation(party, to, sent, replied), opinion if replied else ""

    def reply(
        self, life: _Life, facts: clock.ClockFacts, code: str, eff: date, busy_until: date
    ) -> _Life:
        """The reply: mostly in the last part of the period, sometimes late."""
        r, cal = self.rng, self.cal
        due = clock.compute(facts, cal, explain=False).due
        assert due is not None
        lo = max(eff, busy_until)
        late = r.random() < (P_LATE_BACKLOG if facts.received >= self.backlog_from else P_LATE)
        span = cal.workdays_between(lo, due)
        if late or span <= 0:
            on = cal.add_workdays(max(lo, due), r.randint(1, 12))
        else:
            on = cal.add_workdays(lo, min(span, 1 + int(r.betavariate(2.5, 1.3) * span)))
        return self.close(life, facts, code, on)

    def close(self, life: _Life, facts: clock.ClockFacts, code: str, on: date) -> _Life:
        life.facts = replace(facts, outcome_code=code, outcome_on=on)
        life.outcome_code, life.outcome_on = code, on
        return life

    def reviews(self, life: _Life, department: str) -> None:
        """行政复议 and 行政诉讼 on about 4% of replies, most against refusals about land."""
        r = self.rng
        code = life.outcome_code
        if code in _PROCEDURAL or code == "other":
            return
        p = 0.012 if code in _DISCLOSED else 0.07
        p *= 1.4 if department in _LAND_AND_HOUSING else 0.7
        if r.random() >= p:
            return
        on = life.outcome_on
        roll = r.random()
        if roll < 0.82:
            filed = on + dt.timedelta(days=r.randint(15, 58))
            decided = filed + dt.timedelta(days=r.randint(45, 88))
            result = r.choices(["upheld", "corrected", "other"], weights=[75, 12, 13])[0]
            life.reviews.append(("reconsideration", filed, result, decided))
            if roll < 0.12 and result == "upheld":
                sued = decided + dt.timedelta(days=r.randint(5, 14))
                judged = sued + dt.timedelta(days=r.randint(60, 180))
                outcome = r.choices(["upheld", "corrected", "other"], weights=[80, 6, 14])[0]
                life.reviews.append(("litigation_after_review", sued, outcome, judged))
        else:
            sued = on + dt.timedelta(days=r.randint(20, 170))
            judged = sued + dt.timedelta(days=r.randint(60, 180))
            outcome = r.choices(["upheld", "corrected", "other"], weights=[75, 8, 17])[0]
            life.reviews.append(("litigation_direct", sued, outcome, judged))

    # -- today --

    def as_of_today(
        self,
        no: str,
        person: _Person,
        channel: clock.Channel,
        description: str,
        form: str,
        delivery: str,
        department: str,
        handler: str,
        life: _Life,
    ) -> _Plan:
        r, cal, today = self.rng, self.cal, self.today
        self.reviews(life, department)
        full = life.facts
        closed = life.outcome_on <= today
        facts = full if closed else replace(full, outcome_code=None, outcome_on=None)
        facts = clock.facts_as_of(facts, today)
        problems = clock.validate_facts(facts, cal)
        if problems:  # a bug in this generator, never a user's mistake
            raise AssertionError(f"演示案件 {no} 的事件前后矛盾：{problems}（{facts}）")
        result = clock.compute(facts, cal, explain=False)
        code = life.outcome_code
        reasons = self.reasons.get(code, ())
        picked = r.sample(reasons, k=min(len(reasons), 2 if code == "partial" else 1))
        notes = _OUTCOME_NOTES.get(code)
        note = r.choice(notes) if notes and closed else ""
        service: tuple[str, str | None, date] | None = None
        archived_at: dt.datetime | None = None
        if closed:
            method = {"email": "email", "platform": "platform", "post": "ems"}.get(
                delivery, "in_person"
            )
            if method == "ems" and r.random() < 0.2:
                method = "post"
            served = life.outcome_on
            if method in ("ems", "post") and served > facts.received:
                served += dt.timedelta(days=r.randint(1, 3))
            tracking = f"10{r.randrange(10**11):011d}" if method in ("ems", "post") else None
            if served <= today:
                service = (method, tracking, served)
                step = "archive"
                filed = served + dt.timedelta(days=r.randint(3, 15))
                if filed <= today:
                    archived_at = dt.datetime.combine(filed, dt.time(16, 30), CST)
            else:
                step = "serve"
        else:
            step = self.open_step(facts, life)
        return _Plan(
            no=no,
            person=person,
            received=facts.received,
            channel=channel.value,
            description=description,
            form=form,
            delivery=delivery,
            department=department,
            handler=handler,
            life=life,
            facts=facts,
            result=result,
            outcome_note=note,
            outcome_reasons=" ".join(picked) if closed else "",
            step=step,
            archived_at=archived_at,
            service=service,
            signer=r.choice(self.signers),
            # Taken from the case number, not the generator, so that adding the reviewer left
            # every other generated value of a seed as it was.
            reviewer=self.reviewers[sum(map(ord, no)) % len(self.reviewers)],
            voided=r.random() < P_VOID,
            reasons=tuple(picked),
            created_at=_at(facts.received, r.randint(8, 16), r.randrange(60)),
            as_of=today,
        )

    def open_step(self, facts: clock.ClockFacts, life: _Life) -> str:
        """Where an open case stands today in the procedure (handbook steps)."""
        cal, today = self.cal, self.today
        if any(c.received is None for c in facts.corrections):
            return "check"
        if facts.received == today:
            return "register"
        if cal.workdays_between(facts.received, today) <= 1:
            return "assign"
        if life.outcome_code in _PROCEDURAL:
            return "handle"
        left = cal.workdays_between(today, life.outcome_on)
        if left <= 2:
            return "sign_off"
        if left <= 5:
            return "draft"
        return "handle"


class _Fill(dict[str, str]):
    """Template fields made on demand, so a request only draws the details it mentions."""

    def __init__(self, office: _Office, person: _Person, town: str, dept: str, day: date) -> None:
        super().__init__()
        self.office, self.person, self.town, self.dept, self.day = office, person, town, dept, day

    def __missing__(self, key: str) -> str:
        r = self.office.rng
        year = self.day.year - r.choice((0, 0, 1, 1, 2, 3))
        value: str
        if key == "town":
            value = self.town
        elif key == "village":
            value = r.choice(_VILLAGES)
        elif key == "group":
            value = str(r.randint(1, 18))
        elif key == "address":
            value = self.person.property
        elif key == "plot":
            value = r.choice(
                (
                    f"{self.town}{r.choice(_VILLAGES)}{r.randint(1, 12)}号地块",
                    f"崇明新城CMC{r.randint(10, 30)}0{r.randint(1, 9)}单元"
                    f"{r.randint(1, 12):02d}-{r.randint(1, 15):02d}地块",
                )
            )
        elif key == "estate":
            value = r.choice(_ESTATES)
        elif key == "company":
            value = f"上海{r.choice(_TRADE_NAMES)}{r.choice(_INDUSTRIES)}有限公司"
        elif key == "docno":
            prefix = _DOC_PREFIX.get(self.dept, "崇府")
            value = f"{prefix}〔{year}〕{r.randint(1, 180)}号"
        elif key == "year":
            value = str(year)
        elif key == "month":
            value = str(r.randint(1, 12))
        elif key == "n":
            value = str(r.randint(1, 400))
        elif key == "river":
            value = r.choice(_RIVERS)
        elif key == "road":
            value = r.choice(_COUNTY_ROADS)
        elif key == "school":
            value = r.choice(_SCHOOLS)
        elif key == "hospital":
            value = r.choice(_HOSPITALS)
        elif key == "project":
            value = r.choice(_PROJECTS)
        elif key == "scenic":
            value = r.choice(_SCENIC)
        else:
            raise KeyError(key)
        self[key] = value  # the same field twice in one request reads the same
        return value


def _form_and_delivery(r: random.Random, channel: clock.Channel) -> tuple[str, str]:
    electronic = {
        clock.Channel.ONLINE: 0.7,
        clock.Channel.EMAIL: 0.9,
        clock.Channel.IN_PERSON: 0.15,
    }.get(channel, 0.08)
    if r.random() < electronic:
        return "electronic", "platform" if channel is clock.Channel.ONLINE else "email"
    roll = r.random()
    return "paper", "post" if roll < 0.7 else ("pickup" if roll < 0.95 else "on_site")


# --- case numbers --------------------------------------------------------------------------------


class _Numbers:
    """Case numbers in the office's pattern (cases.numbering), continuing each year's sequence."""

    def __init__(self, session: Session) -> None:
        self.pattern = numbering.case_number_pattern(session)
        self.taken = set(session.scalars(select(model.Case.no)))
        rows = session.execute(
            select(model.LetterCounter.year, model.LetterCounter.last).where(
                model.LetterCounter.kind == numbering.COUNTER_KIND
            )
        )
        self.stored: dict[int, int] = {year: last for year, last in rows}
        self.last: dict[int, int] = dict(self.stored)

    def take(self, year: int) -> str:
        seq = self.last.get(year, 0)
        while True:
            seq += 1
            no = numbering.format_number(self.pattern, year, seq)
            if no not in self.taken:
                break
        self.taken.add(no)
        self.last[year] = seq
        return no

    def save(self, session: Session) -> None:
        """Move the counters past the demo's numbers, so the next registration does not search."""
        for year, last in sorted(self.last.items()):
            if year not in self.stored:
                session.add(model.LetterCounter(kind=numbering.COUNTER_KIND, year=year, last=last))
            elif last != self.stored[year]:
                counter = session.get(model.LetterCounter, (numbering.COUNTER_KIND, year))
                assert counter is not None
                counter.last = last
        session.flush()


# --- writing -------------------------------------------------------------------------------------


def _ensure_departments(session: Session) -> None:
    """The handling units the demo names, so the department lists offer them."""
    known = set(session.scalars(select(model.Department.name)))
    rows = [
        {
            "name": name,
            "kind": "office" if name.endswith("办公室") else "department",
            "active": True,
        }
        for name, *_ in _DEPARTMENTS
        if name not in known
    ]
    rows += [
        {"name": town, "kind": "town", "active": True} for town in _TOWN_NAMES if town not in known
    ]
    if rows:
        session.execute(insert(model.Department), rows)


def _at(day: date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), CST)


def _write(session: Session, keys: dict[str, bulk.Keys], plans: list[_Plan]) -> None:
    new_people: list[_Person] = []
    seen: set[int] = set()
    for plan in plans:
        p = plan.person
        if p.db_id is None and id(p) not in seen:
            seen.add(id(p))
            new_people.append(p)
    person_rows: list[dict[str, Any]] = []
    for p, pid in zip(new_people, keys["applicants"].take(len(new_people)), strict=True):
        assert p.row is not None
        person_rows.append({"id": pid, **p.row})
        p.db_id, p.row = pid, None
    if person_rows:
        bulk.insert_rows(session, model.Applicant, person_rows)

    case_ids = keys["cases"].take(len(plans))
    bulk.insert_rows(
        session,
        model.Case,
        [{"id": cid, **_case_row(plan)} for plan, cid in zip(plans, case_ids, strict=True)],
    )
    children: dict[type[model.Base], list[dict[str, Any]]] = {}
    now = dt.datetime.now(dt.UTC)
    for plan, case_id in zip(plans, case_ids, strict=True):
        for table, row in _child_rows(plan):
            row["case_id"] = case_id
            children.setdefault(table, []).append(row)
        children.setdefault(model.AuditRecord, []).append(
            {"case_id": case_id, "at": now, "actor": ACTOR, "action": ACTION, "field": None,
             "old": None, "new": None}
        )  # fmt: skip
    for table, rows in children.items():
        bulk.insert_rows(session, table, rows)


def _case_row(plan: _Plan) -> dict[str, Any]:
    result, facts = plan.result, plan.facts
    last_day = max(
        [facts.received, *(d for d in (facts.outcome_on,) if d)]
        + [c.received or c.notice for c in facts.corrections]
        + [c.sent for c in facts.consultations]
    )
    return {
        "demo": True,  # marked as generated, everywhere it is shown
        "no": plan.no,
        "received": plan.received,
        "channel": plan.channel,
        "applicant_id": plan.person.db_id,
        "description": plan.description,
        "form": plan.form,
        "delivery": plan.delivery,
        "department": plan.department,
        "handler": plan.handler,
        "step": plan.step,
        "outcome_code": facts.outcome_code,
        "outcome_on": facts.outcome_on,
        "outcome_note": plan.outcome_note,
        "outcome_reasons": plan.outcome_reasons,
        "status": result.status.value,
        "day0": result.day0,
        "due": result.due,
        "due_provisional": result.due_provisional,
        "correction_notice_due": result.correction_notice_due,
        "parent_id": None,
        "voided": plan.voided,
        "void_reason": "误登记：同一申请重复录入" if plan.voided else None,
        "archived_at": plan.archived_at,
        "created_at": plan.created_at,
        "updated_at": _at(last_day, 16),
    }


def _child_rows(plan: _Plan) -> list[tuple[type[model.Base], dict[str, Any]]]:
    life, facts = plan.life, plan.facts
    rows: list[tuple[type[model.Base], dict[str, Any]]] = []
    for c in facts.corrections:
        rows.append(
            (model.Correction, {"notice": c.notice, "until": c.until, "received": c.received,
                                "items": life.correction_items})
        )  # fmt: skip
    for k, opinion in zip(facts.consultations, life.opinions, strict=False):
        rows.append(
            (model.Consultation, {"party": k.party, "to": k.to, "sent": k.sent,
                                  "replied": k.replied, "opinion": opinion if k.replied else ""})
        )  # fmt: skip
    for e in facts.extensions:
        rows.append(
            (model.Extension, {"on": e.on, "approved_by": e.approved_by,
                               "reason": life.extension_reason})
        )  # fmt: skip
    for f in facts.fees:
        rows.append(
            (model.Fee, {"notice": f.notice, "method": f.method, "amount": f.amount,
                         "units": life.fee_units, "paid": f.paid})
        )  # fmt: skip
    for x in facts.delays:
        rows.append((model.Delay, {"on": x.on, "due": x.due, "reason": x.reason}))
    for kind, filed, result, decided in life.reviews:
        if facts.outcome_on is None or filed > plan.as_of:
            continue
        known = decided is not None and decided <= plan.as_of
        rows.append(
            (model.Review, {"kind": kind, "filed": filed, "result": result if known else None,
                            "decided": decided if known else None})
        )  # fmt: skip
    if facts.outcome_on is not None and facts.outcome_code not in _PROCEDURAL:
        on = facts.outcome_on
        signed = {"on": on.isoformat()}
        # 审核 then 签发, as the workflow's own actions record them.
        rows.append(_approval("review", plan.handler, _at(on, 8), signed, plan.reviewer))
        rows.append(_approval("sign_off", plan.reviewer, _at(on, 9, 30), signed, plan.signer))
    elif facts.outcome_on is None and plan.step in ("draft", "sign_off"):
        # The handler's proposal (拟办意见) and, one step further, the request for a signature.
        proposal = {"code": life.outcome_code, "reasons": list(plan.reasons), "note": ""}
        rows.append(_approval("outcome", plan.handler, _at(plan.as_of, 9), proposal))
        if plan.step == "sign_off":
            reviewed_at = _at(plan.as_of, 8)
            rows.append(_approval("review", plan.handler, reviewed_at, proposal, plan.reviewer))
            rows.append(_approval("sign_off", plan.reviewer, _at(plan.as_of, 10), proposal))
    if plan.service is not None:
        method, tracking, served = plan.service
        rows.append(
            (model.ServiceRecord, {"letter_id": None, "method": method, "tracking_no": tracking,
                                   "served_on": served, "proof": _PROOFS[method],
                                   "recorded_by": plan.handler})
        )  # fmt: skip
    return rows


def _approval(
    stage: str, by: str, at: dt.datetime, payload: dict[str, Any], signer: str | None = None
) -> tuple[type[model.Base], dict[str, Any]]:
    """An approval row (cases.workflow reads them); signed an hour and a half later if signer."""
    return model.Approval, {
        "stage": stage,
        "requested_by": by,
        "requested_at": at,
        "payload": json.dumps(payload, ensure_ascii=False),
        "decided_by": signer,
        "decided_at": at + dt.timedelta(hours=1, minutes=30) if signer else None,
        "decision": "approved" if signer else None,
        "comment": "",
    }
