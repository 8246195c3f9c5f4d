"""Demo data over the starter catalogue, template and settings (``drills.starter``): a drill history
2025H1–2026H2 for the demo units, run through the real services so every drill carries participants, ratings, results, findings and
actions. The history is chosen so the compliance board shows green, amber and red cells."""

from __future__ import annotations

import datetime as dt
import random

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, select

from accounts.models import Department, Employee
from core.extensions import db
from core.seeding import Outcome
from core.timeutil import LOCAL_TZ
from drills import assessment, improvement, services, starter, teams
from drills.catalogue import PLANS, ensure_default_template
from drills.evaluation_models import (
    ActionStatus,
    CorrectiveAction,
    Element,
    EvaluationSheet,
    FindingKind,
    FormKind,
    Level,
    Settlement,
    Severity,
)
from drills.models import (
    ContentType,
    Drill,
    DrillFormat,
    DrillParticipant,
    DrillPurpose,
    DrillScope,
    DrillSettings,
    DrillStatus,
    EmergencyPlan,
)
from drills.team_models import EmergencyTeam, TeamMember

ALL = [c.value for c in ContentType]
PAIR = [ContentType.SIMULATED_EVENT.value, ContentType.RESPONSE.value]

# (unit code, plan code, local date, scope, content types, how far it went, quality)
HISTORY = [
    ("HY-KF", "YA-03", "2025-05-20", DrillScope.FULL, ALL, DrillStatus.CLOSED, "good"),
    ("HY-KF", "YA-01", "2025-10-16", DrillScope.FULL, ALL, DrillStatus.CLOSED, "excellent"),
    ("HY-KF", "YA-05", "2026-04-22", DrillScope.FULL, ALL, DrillStatus.CLOSED, "good"),
    ("HY-KF", "YA-07", "2026-10-14", DrillScope.FULL, ALL, DrillStatus.IMPROVING, "good"),
    ("HY-CD", "YA-01", "2025-04-17", DrillScope.FULL, ALL, DrillStatus.CLOSED, "good"),
    ("HY-CD", "YA-04", "2025-09-11", DrillScope.FULL, ALL, DrillStatus.CLOSED, "excellent"),
    ("HY-CD", "YA-02", "2025-11-20", DrillScope.SINGLE, PAIR, DrillStatus.CLOSED, "good"),
    ("HY-CD", "YA-06", "2026-05-13", DrillScope.FULL, ALL, DrillStatus.CLOSED, "plan_gap"),
    ("HY-CD", "YA-03", "2026-11-19", DrillScope.FULL, ALL, DrillStatus.EVALUATING, "good"),
    ("HY-CD-GDS", "YA-02", "2025-05-28", DrillScope.FULL, ALL, DrillStatus.CLOSED, "good"),
    ("HY-CD-GDS", "YA-01", "2025-12-04", DrillScope.FULL, ALL, DrillStatus.CLOSED, "good"),
    ("HY-CD-GDS", "YA-04", "2026-06-24", DrillScope.FULL, ALL, DrillStatus.IMPROVING, "fail"),
    ("HY-CD-GDS", "YA-02", "2026-12-10", DrillScope.FULL, ALL, DrillStatus.APPROVED, None),
    ("HY-JB", "YA-02", "2025-06-12", DrillScope.FULL, ALL, DrillStatus.CLOSED, "good"),
    ("HY-JB", "YA-01", "2026-03-26", DrillScope.FULL, ALL, DrillStatus.CLOSED, "excellent"),
    ("HY-JB", "YA-04", "2026-06-18", DrillScope.SINGLE, PAIR, DrillStatus.CLOSED, "good"),
    ("HY-JB-GDS", "YA-01", "2025-04-09", DrillScope.FULL, ALL, DrillStatus.CLOSED, "good"),
    ("HY-JB-GDS", "YA-02", "2025-10-29", DrillScope.FULL, ALL, DrillStatus.CLOSED, "good"),
    ("HY-JB-GDS", "YA-04", "2026-05-27", DrillScope.FULL, ALL, DrillStatus.CLOSED, "excellent"),
    ("HY-JB-GDS", "YA-01", "2026-09-24", DrillScope.FULL, ALL, DrillStatus.CLOSED, "good"),
]

INJECTS = [
    (0, "导调发布险情：{title}相关异常告警", "值班员确认告警并按流程报告值班领导", "值班员"),
    (15, "95598来电量在15分钟内激增", "客服中心汇总工单并向指挥部报告", "客服值班长"),
    (30, "指挥部研判事件等级", "按预案分级标准判定等级并启动响应", "总指挥"),
    (60, "现场抢修队伍到达，发现需应急电源", "调拨应急发电车并规范接入", "抢修负责人"),
    (90, "对外发布停电信息和预计恢复时间", "通过95598、短信、公众号统一口径发布", "客服中心"),
    (150, "供电恢复", "确认恢复、终止响应、当日讲评", "总指挥"),
]


def _at(day: str, hour: int) -> dt.datetime:
    d = dt.date.fromisoformat(day)
    return dt.datetime.combine(d, dt.time(hour), tzinfo=LOCAL_TZ).astimezone(dt.UTC)


def _levels(quality: str, criterion, rng: random.Random, evaluator_index: int) -> tuple[str, str]:
    if quality == "excellent":
        level = rng.choice([Level.P] * 5 + [Level.S])
    elif quality == "fail" and criterion.code == "E3":
        level = Level.U
    elif quality == "plan_gap" and criterion.code in ("C1", "H3"):
        level = Level.M
    else:
        level = rng.choice([Level.P] * 8 + [Level.S] * 3 + [Level.M])
    if criterion.checklist and level not in (Level.P, Level.U):
        level = Level.P
    if criterion.critical and quality in ("good", "excellent") and level == Level.U:
        level = Level.S
    comment = ""
    if level in (Level.M, Level.U):
        comment = {
            "C1": "分级依据未对照预案条款，等级判定比标准晚一级。",
            "E3": "重要用户应急电源接入超时，未在方案时限内恢复供电。",
            "H3": "讲评未形成预案修订意见。",
        }.get(criterion.code, f"{criterion.text}：存在明显不足，需整改。")
    return level, comment


def _unit_people(unit: Department) -> list[Employee]:
    return list(
        db.session.scalars(
            select(Employee)
            .join(Employee.department)
            .where(Department.path.startswith(unit.path))
            .order_by(Employee.employee_no)
        )
    )


def seed_drills(report) -> None:
    """Plans, the default template and the demo drill history (idempotent: skipped once drills exist)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        _seed(report)


def _seed(report) -> None:
    # The catalogue, the template and the settings are starter content (``seed-content`` runs first).
    starter.seed_emergency_plans(Outcome("emergency-plans"))
    starter.seed_evaluation_template(Outcome("evaluation-template"))
    starter.seed_drill_settings(Outcome("drill-settings"))
    template = ensure_default_template()
    plans = {p.code: p for p in db.session.scalars(select(EmergencyPlan))}
    units = {d.code: d for d in db.session.scalars(select(Department))}
    if db.session.scalar(select(Drill.id).limit(1)) is not None:
        report("Drills: demo history already present.")
        _seed_teams(units, report)
        return
    if "HY-KF" not in units:
        return
    # The demo history starts in 2025H1, so the rules do too (not part of the settings' starter content).
    db.session.get(DrillSettings, 1).rules_start = "2025H1"
    trainers = list(
        db.session.scalars(
            select(Employee).where(Employee.employee_no.in_(["T0001", "T0002", "PX001", "PX002", "HR001"]))
        )
    )
    demo_employee = db.session.scalar(select(Employee).where(Employee.employee_no == "E0001"))
    rng = random.Random(6)
    count = 0
    for unit_code, plan_code, day, scope, content, target, quality in HISTORY:
        unit, plan = units[unit_code], plans[plan_code]
        people = [e for e in _unit_people(unit) if e.id != getattr(demo_employee, "id", None)]
        drill = _approved_drill(unit, plan, day, scope, content, people, trainers, demo_employee)
        count += 1
        if target == DrillStatus.APPROVED:
            continue
        _conduct_and_evaluate(drill, quality, rng)
        if target == DrillStatus.EVALUATING:
            continue
        late = unit_code == "HY-JB" and day.startswith("2025-06")
        reported = _report_and_improve(drill, quality, people, late)
        if target == DrillStatus.CLOSED:
            _close(drill, reported)
    db.session.flush()
    report(
        f"Drills: {len(PLANS)} plans, default evaluation template ({len(template.groups)} groups), {count} demo drills."
    )
    _seed_teams(units, report)


# (unit code, team name, duties, team roles of the unit's first people in employee-number order)
TEAMS = [
    (
        "HY-CD-GDS",
        "城东供电所抢修一队",
        "配网故障抢修：接单后按抢修时限到达现场，隔离故障、恢复送电，向客服中心回报进度。",
        ["leader", "deputy", "repair", "repair", "technical", "logistics"],
    ),
    (
        "HY-KF",
        "客服中心应急话务组",
        "95598话务高峰时增开座席，统一答复口径，发布停电信息，回访重要客户。",
        ["leader", "customer_service", "customer_service", "customer_service", "technical"],
    ),
]


def _seed_teams(units: dict, report) -> None:
    """Two demo emergency teams (idempotent: skipped once any team exists). The demo employee E0001 is
    on the customer-service team, so the dashboard shows a team and the board lists someone with no drill."""
    if db.session.scalar(select(EmergencyTeam.id).limit(1)) is not None or "HY-KF" not in units:
        return
    demo_employee = db.session.scalar(select(Employee).where(Employee.employee_no == "E0001"))
    joined = dt.date(2024, 3, 1)
    for unit_code, name, duties, roles in TEAMS:
        if unit_code not in units:
            continue
        team = teams.create_team(units[unit_code], name, duties)
        people = [e for e in _unit_people(units[unit_code]) if e.id != getattr(demo_employee, "id", None)]
        half = len(roles) // 2  # the first and the last people of the unit: some of the last have no drill
        for employee, role in zip(people[:half] + people[-(len(roles) - half) :], roles, strict=False):
            teams.add_member(team, employee, role, joined)
        if unit_code == "HY-KF" and demo_employee is not None:
            teams.add_member(team, demo_employee, "customer_service", dt.date(2025, 9, 1))
    report(f"Drills: {len(TEAMS)} demo emergency teams.")


def _approved_drill(unit, plan, day, scope, content, people, trainers, demo_employee) -> Drill:
    """A demo drill planned with injects and participants, then approved two weeks ahead."""
    start = _at(day, 9)
    drill = services.plan_drill(
        unit=unit,
        plan=plan,
        title=f"{unit.name}{plan.title.removesuffix('应急预案')}{'综合' if scope == DrillScope.FULL else '单项'}演练",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        content_types=content,
        form=DrillFormat.LIVE if scope == DrillScope.FULL else DrillFormat.TABLETOP,
        scope=scope,
        purpose=DrillPurpose.TESTING,
        level=2 if scope == DrillScope.FULL else 3,
        place=f"{unit.name}应急指挥中心",
        director=people[0] if people else None,
        objectives="检验预案的可操作性、各岗位协同和客户信息发布时效。",
        scenario=f"模拟{plan.title.removesuffix('应急预案')}，导调按时间线下发情景。",
        resources="应急指挥系统、应急发电车1台、应急照明10套、抢修车辆2辆、备用通信终端",
        now=start - dt.timedelta(days=30),
    )
    for offset, event, action, role in INJECTS:
        services.add_inject(drill, offset, event.format(title=plan.title), action, role)
    services.add_participant(drill, people[0], "commander")
    evaluators = (
        trainers[:2] if unit.code != "HY-CD" else [e for e in trainers if e.employee_no in ("T0002", "PX001")]
    )
    for ev in evaluators:
        services.add_participant(drill, ev, "evaluator")
    services.add_participant(drill, people[1], "controller")
    players = people[2:9]
    if unit.code == "HY-KF" and demo_employee is not None and demo_employee not in players:
        players.append(demo_employee)
    for p in players:
        services.add_participant(drill, p, "player")
    services.approve(drill, None, start - dt.timedelta(days=14))
    return drill


def _conduct_and_evaluate(drill: Drill, quality: str, rng: random.Random) -> None:
    """Attendance recorded, every evaluator's sheet submitted, wide spreads settled by the lead."""
    end = drill.ends_at
    services.record_conducted(
        drill, {p.id for p in drill.participants if rng.random() > 0.08 or p.role != "player"}, end
    )
    services.start_evaluation(drill, end)
    for index, sheet in enumerate(assessment.forms_of(drill, FormKind.EVALUATOR)):
        answers = {c.id: _levels(quality, c, rng, index) for c in assessment.applicable_criteria(drill)}
        assessment.save_form(
            sheet,
            answers,
            strengths="指挥部响应迅速，各工作组分工明确" if index == 0 else "",
            remarks="",
            submit=True,
            now=end + dt.timedelta(days=1),
        )
    for view in assessment.consolidated(drill):
        if view.unsettled:
            assessment.settle(
                drill,
                view.criterion,
                view.median,
                "现场复核录像后按较低评级确定。",
                drill.lead_evaluator,
                end + dt.timedelta(days=2),
            )


def _report_and_improve(drill: Drill, quality: str, people: list[Employee], late: bool) -> dt.datetime:
    """Findings drafted, the report issued (``late``: after the R4 deadline), actions assigned and the
    improvement phase started; returns when the report was issued."""
    end = drill.ends_at
    improvement.draft_findings(drill, end + dt.timedelta(days=3))
    if quality == "plan_gap":
        finding = next((f for f in services.findings_of(drill) if f.criterion_code == "C1"), None)
        if finding is not None:
            improvement.set_severity(finding, Severity.DEFICIENCY, Element.PLAN, end + dt.timedelta(days=3))
    result = assessment.current_result(drill)
    drill.summary = f"本次演练检验了{drill.plan.title}的可操作性，共{len(drill.participants)}人参加，评估得分{result.score}。"
    drill.lessons = "信息报送和对外发布的衔接仍需加强；各工作组对分级标准的理解不一致。"
    drill.suggestions = "修订信息报送流程图，开展分级标准专题培训，下半年复演薄弱环节。"
    reported = end + dt.timedelta(days=18 if late else 8)
    assessment.issue_report(drill, reported)
    for finding in services.findings_of(drill):
        if finding.kind == FindingKind.IMPROVEMENT and finding.severity in (
            Severity.DEFICIENCY,
            Severity.CORRECTIVE,
        ):
            owner = people[0] if finding.severity == Severity.DEFICIENCY else people[1]
            improvement.assign_action(
                finding,
                owner=owner,
                description=f"针对“{finding.title}”制定并落实整改措施",
                due_date=None,
                actor=None,
                now=reported,
            )
    if drill.plan_decision is None:
        services.record_plan_decision(
            drill, "no_change", "评估未发现预案本身的问题，预案保持不变。", reported
        )
    services.start_improvement(drill, reported)
    return reported


def _close(drill: Drill, reported: dt.datetime) -> None:
    """Every action worked through to closed, then the drill closed a month after its report."""
    for finding in services.findings_of(drill):
        for action in finding.actions:
            moments = reported + dt.timedelta(days=10)
            owner = action.owner
            improvement.change_status(
                action, ActionStatus.IN_PROGRESS, actor=owner, is_manager=False, now=moments
            )
            improvement.change_status(
                action,
                ActionStatus.SUBMITTED,
                actor=owner,
                is_manager=False,
                evidence="整改记录和培训签到表已上传",
                now=moments + dt.timedelta(days=5),
            )
            improvement.change_status(
                action,
                ActionStatus.VERIFIED,
                actor=drill.director,
                is_manager=True,
                now=moments + dt.timedelta(days=7),
            )
            improvement.change_status(
                action,
                ActionStatus.CLOSED,
                actor=drill.director,
                is_manager=True,
                now=moments + dt.timedelta(days=8),
            )
    services.close(drill, reported + dt.timedelta(days=30))


def remove_demo_drills(employee_ids: list[int], user_ids: list[int]) -> None:
    """Delete the drills demo people took part in (for ``remove-demo``), with everything under them, and any
    other evaluation sheet, settlement or corrective action that names a demo person."""
    involved = select(DrillParticipant.drill_id).where(DrillParticipant.employee_id.in_(employee_ids))
    db.session.execute(delete(Drill).where(Drill.id.in_(involved)))
    db.session.execute(delete(TeamMember).where(TeamMember.employee_id.in_(employee_ids)))
    db.session.execute(delete(EmergencyTeam).where(~EmergencyTeam.members.any()))
    db.session.execute(delete(EvaluationSheet).where(EvaluationSheet.evaluator_id.in_(employee_ids)))
    db.session.execute(delete(Settlement).where(Settlement.settled_by_id.in_(employee_ids)))
    db.session.execute(delete(CorrectiveAction).where(CorrectiveAction.owner_id.in_(employee_ids)))
