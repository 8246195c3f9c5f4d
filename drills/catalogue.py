"""Reference content: the seven emergency plans with their 一级/二级/三级 definitions and the default
evaluation template (groups A–H along the guide's response flow, §6.3, and drill content, §6.4).

Group weights sum to 100 and follow the response flow; the weights are this project's judgement, not a
standard's. ``content_types`` says which drill content types a group applies to (empty: every drill).

Time limits. The guide (§3.3) gives only **response** times: general fault ≤ 2 h, major ≤ 4 h, special
≤ 8 h; the plan levels quote them as response times, not arrival times. Every other minute or hour in the
criteria (城区45分钟内到达现场, 30分钟内完成初步研判 …) is an example value, marked 示例 in the text so a unit
knows to set its own. Installations seeded before this wording keep their stored text (``core.seeding``
never overwrites; ``flask seed-content`` lists the template as "ships a different version").
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from core.extensions import db
from drills.evaluation_models import Criterion, CriterionGroup, EvaluationTemplate, Method
from drills.models import ContentType, IncidentType

SIM, RESP, COMMS, MAT = (
    ContentType.SIMULATED_EVENT,
    ContentType.RESPONSE,
    ContentType.CUSTOMER_COMMS,
    ContentType.MATERIALS,
)

# (code, name, weight, content types, criteria: (code, text, standard, method, weight, critical, checklist))
DEFAULT_TEMPLATE = [
    (
        "A",
        "准备与组织",
        10,
        [],
        [
            (
                "A1",
                "演练方案、脚本和评估表经审批并提前下发",
                "演练前3个工作日完成审批，下发到全部参演岗位",
                Method.RECORDS,
                1,
                False,
                False,
            ),
            (
                "A2",
                "参演岗位职责和通讯录明确到人",
                "每个岗位有名有责；通讯录与当日值班表一致",
                Method.RECORDS,
                1,
                False,
                True,
            ),
            (
                "A3",
                "演练安全措施和现场保障到位",
                "有签字的安全交底；实战演练设专职安全员",
                Method.OBSERVATION,
                1,
                False,
                False,
            ),
        ],
    ),
    (
        "B",
        "发现与报告",
        15,
        [SIM, RESP],
        [
            (
                "B1",
                "接报后按时限逐级上报",
                "接报后15分钟内电话报告值班领导，30分钟内书面报告（示例时限，请按本单位预案设定）",
                Method.TIMING,
                2,
                True,
                False,
            ),
            (
                "B2",
                "报告要素完整",
                "报告含事件类型、时间、地点、影响范围、初步原因（指南6.3）",
                Method.RECORDS,
                1,
                False,
                True,
            ),
            (
                "B3",
                "95598工单与来电信息汇总",
                "发现后30分钟内完成故障工单归并和来电量统计（示例时限，请按本单位预案设定）",
                Method.RECORDS,
                1,
                False,
                False,
            ),
        ],
    ),
    (
        "C",
        "研判与分级",
        15,
        [SIM, RESP],
        [
            (
                "C1",
                "按预案分级标准判定事件等级",
                "等级判定与预案一级/二级/三级标准一致，判定依据有记录",
                Method.INTERVIEW,
                2,
                True,
                False,
            ),
            (
                "C2",
                "研判及时",
                "接报后30分钟内完成初步研判并提出响应建议（示例时限，请按本单位预案设定）",
                Method.TIMING,
                1,
                False,
                False,
            ),
            (
                "C3",
                "识别影响范围与重要用户",
                "列出受影响台区、户数及保命线/保民生/保重要用户清单（指南6.2）",
                Method.RECORDS,
                1,
                False,
                False,
            ),
        ],
    ),
    (
        "D",
        "启动响应",
        15,
        [RESP],
        [
            (
                "D1",
                "按等级启动响应并发布指令",
                "等级判定后15分钟内发布启动指令，各责任单位回复确认（示例时限，请按本单位预案设定）",
                Method.TIMING,
                2,
                True,
                False,
            ),
            (
                "D2",
                "应急指挥部和工作组到位",
                "各工作组负责人30分钟内到岗或上线签到（示例时限，请按本单位预案设定）",
                Method.OBSERVATION,
                1,
                False,
                False,
            ),
            (
                "D3",
                "应急通信畅通",
                "专用通信和应急指挥系统测试通过，备用通道可用（指南6.2）",
                Method.OBSERVATION,
                1,
                False,
                True,
            ),
        ],
    ),
    (
        "E",
        "处置与协调",
        15,
        [SIM, RESP],
        [
            (
                "E1",
                "抢修队伍按时到场并规范处置",
                "城区45分钟内到达现场；处置符合安全规程（示例时限，请按本单位预案设定）",
                Method.TIMING,
                2,
                False,
                False,
            ),
            (
                "E2",
                "调度、抢修、客服信息共享",
                "每30分钟同步一次处置进展，无信息断档（示例时限，请按本单位预案设定）",
                Method.OBSERVATION,
                1,
                False,
                False,
            ),
            (
                "E3",
                "保障重要用户和保命线供电",
                "重要用户在方案时限内恢复供电或接入应急电源",
                Method.RECORDS,
                2,
                True,
                False,
            ),
        ],
    ),
    (
        "F",
        "客户沟通",
        12,
        [COMMS],
        [
            (
                "F1",
                "及时对外发布停电信息",
                "30分钟内通过95598、短信、公众号发布停电范围和预计恢复时间（示例时限，请按本单位预案设定）",
                Method.TIMING,
                2,
                False,
                False,
            ),
            (
                "F2",
                "客服口径统一、解释准确",
                "抽查通话：口径与发布信息一致，无推诿",
                Method.INTERVIEW,
                1,
                False,
                False,
            ),
            (
                "F3",
                "客户诉求登记与回访",
                "来电诉求100%登记，回访计划明确到人",
                Method.RECORDS,
                1,
                False,
                False,
            ),
        ],
    ),
    (
        "G",
        "物资调配",
        10,
        [MAT],
        [
            (
                "G1",
                "应急物资账实相符",
                "发电车/发电机、应急照明、抢修工具账实相符、状态可用（指南6.2）",
                Method.RECORDS,
                1,
                False,
                True,
            ),
            (
                "G2",
                "物资按指令及时调拨到位",
                "调拨指令下达后2小时内物资到达指定地点（示例时限，请按本单位预案设定）",
                Method.TIMING,
                2,
                False,
                False,
            ),
            ("G3", "应急电源接入规范", "接入前核相，安全措施齐全", Method.OBSERVATION, 1, True, False),
        ],
    ),
    (
        "H",
        "恢复与总结",
        8,
        [],
        [
            (
                "H1",
                "恢复后按程序终止响应",
                "恢复确认后发布终止指令并告知客户",
                Method.RECORDS,
                1,
                False,
                False,
            ),
            (
                "H2",
                "当日讲评并形成问题清单",
                "演练结束当天完成讲评，问题清单明确责任人",
                Method.RECORDS,
                1,
                False,
                False,
            ),
            ("H3", "提出预案修订建议", "针对发现的问题提出预案修订意见", Method.INTERVIEW, 1, False, False),
        ],
    ),
]

ALL_KINDS: list[str] = []
# (code, title, incident type, unit kinds it applies to, summary, levels: (trigger, standard, roles) for 一级..三级)
PLANS = [
    (
        "YA-01",
        "大面积停电事件应急预案",
        IncidentType.BLACKOUT,
        ALL_KINDS,
        "电网大面积停电时的客户服务、抢修和信息发布。",
        [
            (
                "减供负荷30%以上或停电用户10万户以上",
                "1小时内启动一级响应，公司主要负责人任总指挥，每2小时发布一次进展",
                "总指挥、营销部、调度、95598客服中心",
            ),
            (
                "减供负荷10%–30%或停电用户3万–10万户",
                "1小时内启动二级响应，分管领导指挥，每4小时发布一次进展",
                "分公司负责人、调度、客服",
            ),
            (
                "停电用户1万–3万户或重要用户停电",
                "2小时内启动三级响应，分公司组织处置并发布信息",
                "分公司值班领导、供电所",
            ),
        ],
    ),
    (
        "YA-02",
        "设备故障应急预案",
        IncidentType.EQUIPMENT,
        ["branch", "station"],
        "变电、配电设备故障导致停电的抢修与客户服务。",
        [
            (
                "220kV及以上主设备故障导致大范围停电",
                "2小时内启动一级响应，重大故障响应时间不超过4小时（指南3.3）",
                "调度、运检、抢修队伍",
            ),
            (
                "110kV设备或多条10kV线路故障",
                "2小时内启动二级响应，组织抢修并通知受影响客户",
                "分公司运检、供电所",
            ),
            (
                "单条10kV线路或台区故障",
                "一般故障响应时间不超过2小时（指南3.3），组织现场处置",
                "供电所抢修班",
            ),
        ],
    ),
    (
        "YA-03",
        "营销/客服系统故障应急预案",
        IncidentType.SERVICE_SYSTEM,
        ["center", "branch"],
        "95598热线、营销系统中断时的业务连续性。",
        [
            (
                "95598全省中断超过1小时",
                "30分钟内切换应急坐席和备用线路，对外发布公告",
                "客服中心主任、信息通信中心",
            ),
            ("营销系统核心功能中断超过2小时", "启用手工受理和离线缴费流程，每小时通报", "营销部、客服中心"),
            ("单一渠道（公众号、APP）中断", "引导客户使用其他渠道，4小时内恢复", "客服中心值班长"),
        ],
    ),
    (
        "YA-04",
        "自然灾害（台风/冰雪/洪涝）应急预案",
        IncidentType.NATURAL,
        ["branch", "station"],
        "台风、冰雪、洪涝灾害前的预警、灾中抢修和灾后恢复。",
        [
            (
                "红色预警或灾害致停电用户10万户以上",
                "预警发布即进入一级响应，队伍和物资前置",
                "总指挥、运检、物资、客服",
            ),
            ("橙色预警或停电用户3万–10万户", "启动二级响应，重点巡视和物资预置", "分公司负责人、供电所"),
            ("黄色预警或局部受灾", "启动三级响应，加强值班和巡视", "供电所所长"),
        ],
    ),
    (
        "YA-05",
        "网络与信息安全事件应急预案",
        IncidentType.CYBER,
        ["center"],
        "网络攻击、数据泄露等事件的处置，遵循个人信息保护法（指南3.4）。",
        [
            (
                "核心系统被攻击瘫痪或大量客户信息泄露",
                "立即隔离系统，1小时内报告主管部门和网信部门",
                "信息通信中心、客服中心主任",
            ),
            ("重要系统受攻击功能受损", "2小时内完成隔离和取证，启用备用系统", "信息通信中心"),
            ("一般病毒或异常访问", "当日处置并复查", "系统管理员"),
        ],
    ),
    (
        "YA-06",
        "重大活动保电应急预案",
        IncidentType.MAJOR_EVENT,
        ["branch"],
        "重大活动期间的保电、值守和突发停电处置。",
        [
            ("国家级重大活动保电", "特级值守，双电源加应急电源，故障5分钟内切换", "总指挥、运检、客服"),
            ("省级重大活动保电", "专人值守，应急发电车现场待命", "分公司负责人"),
            ("市级活动保电", "加强巡视，抢修队伍待命", "供电所"),
        ],
    ),
    (
        "YA-07",
        "群体性事件应急预案",
        IncidentType.MASS_INCIDENT,
        ["center", "branch"],
        "因停电、电费等引发群体投诉或聚集时的沟通和处置。",
        [
            (
                "百人以上聚集或舆情全网传播",
                "1小时内启动一级响应，负责人到场沟通，统一对外口径",
                "总指挥、营销部、客服中心",
            ),
            ("三十人以上聚集或集中投诉", "2小时内到场沟通，建立专线回应", "分公司负责人、客服"),
            ("集中来电投诉", "当日回复，专人跟踪", "客服中心值班长"),
        ],
    ),
]


TEMPLATE_NAME = "应急演练评估表（默认）"


def ensure_default_template() -> EvaluationTemplate:
    """The default evaluation template (created once)."""
    template = db.session.scalar(select(EvaluationTemplate).where(EvaluationTemplate.name == TEMPLATE_NAME))
    if template is not None:
        return template
    template = EvaluationTemplate(
        name=TEMPLATE_NAME,
        version=1,
        active=True,
        notes="分组按指南6.3应急处理流程和6.4演练内容设置；权重和等级阈值为本系统默认值，并非出自标准。",
    )
    for position, (code, name, weight, types, criteria) in enumerate(DEFAULT_TEMPLATE):
        group = CriterionGroup(
            code=code,
            name=name,
            weight=Decimal(weight),
            position=position,
            content_types=[t.value for t in types],
        )
        for i, (ccode, text, standard, method, cweight, critical, checklist) in enumerate(criteria):
            group.criteria.append(
                Criterion(
                    code=ccode,
                    text=text,
                    standard=standard,
                    method=method,
                    weight=Decimal(cweight),
                    critical=critical,
                    checklist=checklist,
                    position=i,
                )
            )
        template.groups.append(group)
    db.session.add(template)
    db.session.flush()
    return template
