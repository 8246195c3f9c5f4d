"""Journey: evaluating a drill.

A drill on customer communication (content type customer_comms: groups A 准备与组织, F 客户沟通 and
H 恢复与总结 of the default template apply, nine criteria) has been conducted and is being evaluated;
the lead evaluator has already submitted all P. The second evaluator opens their form, rates P/S/M/U
(是 on the checklist item, a comment on each M and U, one N/A) and submits, confirming the prompt; the
form locks. The trainer sees the consolidated result: two criteria spread two levels and wait for the
lead's ruling, and the provisional score. The lead settles one and the score moves.

And the paths an evaluator hits on the way: submitting an incomplete form lists what is missing and
saves nothing; dismissing the confirmation of a complete form sends nothing (a draft save keeps the
ratings, still open); the consolidated view stays closed until one's own form is in; a participant
who is not an evaluator has no form (404)."""

import datetime as dt
import re
import uuid
from decimal import Decimal

import pytest
from flask_babel import force_locale
from playwright.sync_api import expect
from sqlalchemy import select

from drills import assessment, services
from drills.catalogue import ensure_default_template
from drills.evaluation_models import EvaluationSheet, FormKind, Settlement
from drills.models import ContentType, Drill, DrillScope, IncidentType
from drills.plans import create_plan
from tests import factories
from tests.browser.conftest import through

pytestmark = pytest.mark.browser

LEVELS = [
    (1, "重大", "一级响应", "总指挥"),
    (2, "较大", "二级响应", "分管领导"),
    (3, "一般", "三级响应", "值班长"),
]

# The second evaluator's ratings (code → level, comment); A2 is a 是/否 checklist item (是 = P).
RATINGS = {
    "A1": ("P", ""),
    "A2": ("P", ""),
    "A3": ("S", ""),
    "F1": ("M", "停电告知短信晚发40分钟"),
    "F2": ("P", ""),
    "F3": ("S", ""),
    "H1": ("U", "未对敏感客户回访"),
    "H2": ("P", ""),
    "H3": ("NA", ""),
}

# The ratings as the pages show them: the letter, then its meaning.
RATING = {
    "P": "P 顺利完成",
    "S": "S 基本完成，存在一些问题",
    "M": "M 勉强完成，存在重大问题",
    "U": "U 未能完成",
}


def _number() -> str:
    return f"D{uuid.uuid4().hex[:8].upper()}"


def _sign_in(page, live_server, number):
    page.goto(live_server + "/login")
    page.fill("#employee_no", number)
    page.fill("#password", factories.PASSWORD)
    page.click("#submit")
    page.wait_for_url(live_server + "/")


def _evaluating_drill(live_db, *, lead_submits: bool):
    """A conducted customer-communication drill under evaluation, its trainer, lead evaluator (周岚),
    second evaluator (吴涛) and one player (钱程); returns the numbers, ids and criterion ids by code."""
    suffix = uuid.uuid4().hex[:4]
    with force_locale("zh_CN"):
        ensure_default_template()
        unit = factories.department(f"城北供电分公司{suffix}", kind="branch")
        people = {
            "trainer": factories.user(
                grants=[("trainer", unit)], department=unit, name="郑教员", employee_no=_number()
            ),
            "lead": factories.user(department=unit, name="周岚", employee_no=_number()),
            "evaluator": factories.user(department=unit, name="吴涛", employee_no=_number()),
            "player": factories.user(department=unit, name="钱程", employee_no=_number()),
        }
        start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=1)
        plan = create_plan(
            f"YA-{suffix}",
            f"大面积停电客户沟通预案{suffix}",
            IncidentType.BLACKOUT,
            LEVELS,
            department=unit,
            now=start - dt.timedelta(days=60),
        )
        drill = services.plan_drill(
            unit=unit,
            plan=plan,
            title=f"停电客户沟通演练{suffix}",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            content_types=[ContentType.CUSTOMER_COMMS],
            form="live",
            scope=DrillScope.SINGLE,
            purpose="testing",
            director=people["trainer"].employee,
            now=start - dt.timedelta(days=30),
        )
        services.add_participant(drill, people["lead"].employee, "evaluator")  # the first is the lead
        services.add_participant(drill, people["evaluator"].employee, "evaluator")
        services.add_participant(drill, people["player"].employee, "player")
        services.add_inject(drill, 0, "95598来电量激增", "客户经理推送停电告知", "客户经理")
        services.approve(drill, people["trainer"], start - dt.timedelta(days=7))
        services.record_conducted(drill, {p.id for p in drill.participants}, drill.ends_at)
        services.start_evaluation(drill, drill.ends_at)
        criteria = {c.code: c.id for c in assessment.applicable_criteria(drill)}
        if lead_submits:
            form = assessment.form_for(drill, people["lead"].employee, FormKind.EVALUATOR)
            answers = {cid: ("P", "") for cid in criteria.values()}
            assert (
                assessment.save_form(form, answers, strengths="", remarks="", submit=True, now=drill.ends_at)
                == []
            )
    numbers = {k: u.employee.employee_no for k, u in people.items()}
    ids = {k: u.employee_id for k, u in people.items()}
    live_db.session.commit()
    return drill.id, drill.title, numbers, ids, criteria


def _form(live_db, drill_id, employee_id) -> EvaluationSheet:
    live_db.session.expire_all()
    return live_db.session.scalar(
        select(EvaluationSheet).where(
            EvaluationSheet.drill_id == drill_id,
            EvaluationSheet.evaluator_id == employee_id,
            EvaluationSheet.kind == FormKind.EVALUATOR,
        )
    )


def _row(page, code):
    """The consolidated view's table row of a criterion."""
    return page.locator("tbody tr").filter(has=page.locator("strong", has_text=re.compile(f"^{code}$")))


def _rate(page, criteria, ratings):
    for code, (level, comment) in ratings.items():
        page.check(f"#l{criteria[code]}{level}")
        if comment:
            page.fill(f"input[name='comment-{criteria[code]}']", comment)


def test_evaluator_submits_and_the_trainer_and_lead_see_the_result(live_server, live_db, page, new_page):
    drill_id, title, numbers, ids, criteria = _evaluating_drill(live_db, lead_submits=True)
    assert sorted(criteria) == sorted(RATINGS)
    drill_url = f"{live_server}/drills/{drill_id}"

    # The second evaluator opens their form from the drill page and rates every criterion.
    _sign_in(page, live_server, numbers["evaluator"])
    page.goto(drill_url)
    page.get_by_role("link", name="我的评估表 (草稿)").click()
    page.wait_for_url(f"{drill_url}/evaluate")
    expect(page.locator("main h1")).to_have_text("我的评估表")
    # The checklist item offers 是/否 instead of the P/S/M/U scale.
    expect(page.locator(f"label[for='l{criteria['A2']}P']")).to_have_text("是")
    expect(page.locator(f"#l{criteria['A2']}S")).to_have_count(0)
    _rate(page, criteria, RATINGS)
    page.fill("textarea[name=strengths]", "客户经理分片包干，停电告知覆盖全部重要客户")

    # Submitting asks first; accepted, the form is submitted and locked.
    prompts = []

    def accept(dialog):
        prompts.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(drill_url)
    assert prompts == ["提交并锁定评估表？"]
    expect(page.locator(".alert-success")).to_contain_text("评估表已提交并锁定。")
    expect(page.get_by_role("link", name="我的评估表 (已提交)")).to_be_visible()
    form = _form(live_db, drill_id, ids["evaluator"])
    assert form.status == "submitted" and form.submitted_at is not None
    by_id = {cid: code for code, cid in criteria.items()}
    assert {by_id[r.criterion_id]: (r.level, r.comment) for r in form.ratings} == RATINGS
    assert form.strengths == "客户经理分片包干，停电告知覆盖全部重要客户"
    # Reopened, the form shows the ratings and can no longer be changed.
    through(page, page.get_by_role("link", name="我的评估表 (已提交)"))
    expect(page.locator(f"#l{criteria['F1']}M")).to_be_checked()
    expect(page.locator(f"#l{criteria['F1']}M")).to_be_disabled()
    expect(page.get_by_role("button", name="提交", exact=True)).to_have_count(0)

    # The trainer sees the consolidated result. Medians of two ratings take the lower one; the lead's
    # P against M (F1) and against U (H1) spread two levels or more and wait for the lead's ruling.
    # A = (100+100+80)/3, F = (2×50+100+80)/4 = 70, H = (0+100+100)/3 (H3: one P, one N/A), weights
    # 10/12/8: (933.33+840+533.33)/30 = 76.89 → 合格.
    trainer = new_page()
    _sign_in(trainer, live_server, numbers["trainer"])
    trainer.goto(drill_url)
    expect(trainer.locator("main")).to_contain_text("主评估员须裁定：F1, H1。")
    expect(trainer.locator("main")).to_contain_text("得分: 76.89 合格")
    trainer.get_by_role("link", name="评估汇总").click()
    trainer.wait_for_url(f"{drill_url}/evaluation")
    expect(trainer.locator("main")).to_contain_text("当前得分: 76.89 合格")
    for name in ("周岚", "吴涛"):
        expect(trainer.locator("a.badge", has_text=name)).to_have_class(re.compile(r"\bbg-success\b"))
    for code, median in (("F1", "M"), ("H1", "U")):
        row = _row(trainer, code)
        expect(row).to_have_class(re.compile(r"\btable-warning\b"))
        expect(row.locator("td").nth(1)).to_have_text(
            re.compile(rf"^\s*{RATING['P']}\s+{RATING[median]}\s*$")
        )
        expect(row.locator("td").nth(3)).to_have_text(f"{RATING[median]} 相差≥2级")
    expect(_row(trainer, "A3").locator("td").nth(3)).to_have_text(RATING["S"])
    expect(_row(trainer, "A3")).not_to_have_class(re.compile(r"\btable-warning\b"))
    expect(_row(trainer, "H3").locator("td").nth(4)).to_have_text(RATING["P"])
    expect(trainer.get_by_role("button", name="裁定")).to_have_count(0)  # only the lead settles

    # The lead settles H1 at M with a note: H = (50+100+100)/3, the score becomes 81.33 → 良好.
    lead = new_page()
    _sign_in(lead, live_server, numbers["lead"])
    lead.goto(f"{drill_url}/evaluation")
    expect(lead.get_by_role("button", name="裁定")).to_have_count(2)
    h1 = _row(lead, "H1")
    h1.locator("select[name=level]").select_option("M")
    h1.locator("input[name=note]").fill("已电话补充回访，按M计")
    through(lead, h1.get_by_role("button", name="裁定"))
    expect(lead.locator(".alert-success")).to_contain_text("H1 已裁定。")
    expect(_row(lead, "H1").locator("td").nth(4)).to_contain_text("已裁定: 已电话补充回访，按M计")
    expect(_row(lead, "H1").locator("td").nth(4)).to_contain_text(re.compile(rf"^{RATING['M']}"))
    expect(lead.locator("main")).to_contain_text("当前得分: 81.33 良好")
    live_db.session.expire_all()
    settlement = live_db.session.scalar(select(Settlement).where(Settlement.drill_id == drill_id))
    assert settlement.criterion_id == criteria["H1"] and settlement.level == "M"
    assert settlement.settled_by_id == ids["lead"] and settlement.note == "已电话补充回访，按M计"
    drill = live_db.session.get(Drill, drill_id)
    result = assessment.current_result(drill)
    assert result.score == Decimal("81.33") and result.tier == "good"
    assert drill.status == "evaluating" and drill.score is None  # provisional until the report

    # The trainer's drill page now waits for F1 only.
    trainer.goto(drill_url)
    expect(trainer.locator("main")).to_contain_text("主评估员须裁定：F1。")
    expect(trainer.locator("main")).to_contain_text("得分: 81.33 良好")


def test_incomplete_or_dismissed_submission_saves_nothing(live_server, live_db, page, new_page):
    drill_id, _title, numbers, ids, criteria = _evaluating_drill(live_db, lead_submits=False)
    evaluate_url = f"{live_server}/drills/{drill_id}/evaluate"

    _sign_in(page, live_server, numbers["evaluator"])
    page.goto(evaluate_url)
    _rate(page, criteria, {code: RATINGS[code] for code in ("A1", "A3", "F1")})

    # Confirmed while six criteria are unrated: the problems are listed, the choices kept, nothing saved.
    prompts = []

    def accept(dialog):
        prompts.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    through(page, page.get_by_role("button", name="提交", exact=True))
    problems = page.locator(".alert-danger")
    expect(problems).to_have_count(6)
    expect(problems.first).to_have_text("A2：未评级（不适用请选N/A）。")
    expect(problems).to_contain_text(["A2：", "F2：", "F3：", "H1：", "H2：", "H3："])
    assert prompts == ["提交并锁定评估表？"]
    expect(page.locator(f"#l{criteria['A3']}S")).to_be_checked()
    expect(page.locator(f"input[name='comment-{criteria['F1']}']")).to_have_value("停电告知短信晚发40分钟")
    form = _form(live_db, drill_id, ids["evaluator"])
    assert form.status == "draft" and form.ratings == []

    # Now complete, but the confirmation is dismissed: the browser sends nothing.
    _rate(page, criteria, RATINGS)
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)

    def dismiss(dialog):
        prompts.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_timeout(500)
    assert prompts == ["提交并锁定评估表？"] * 2 and posts == []
    expect(page.get_by_role("button", name="提交", exact=True)).to_be_enabled()
    form = _form(live_db, drill_id, ids["evaluator"])
    assert form.status == "draft" and form.ratings == [] and form.submitted_at is None

    # Saving the draft (no confirmation) keeps every rating and leaves the form open.
    through(page, page.get_by_role("button", name="保存草稿"))
    expect(page.locator(".alert-success")).to_contain_text("草稿已保存。")
    assert len(posts) == 1
    form = _form(live_db, drill_id, ids["evaluator"])
    by_id = {cid: code for code, cid in criteria.items()}
    assert {by_id[r.criterion_id]: (r.level, r.comment) for r in form.ratings} == RATINGS
    assert form.status == "draft" and form.submitted_at is None
    expect(page.locator(f"#l{criteria['H1']}U")).to_be_checked()
    expect(page.locator(f"#l{criteria['H1']}U")).to_be_enabled()

    # The consolidated view stays closed until the evaluator's own form is submitted.
    page.goto(f"{live_server}/drills/{drill_id}/evaluation")
    page.wait_for_url(evaluate_url)
    expect(page.locator(".alert-warning")).to_contain_text(
        "请先提交自己的评估表；在此之前其他评估员的评级不可见。"
    )

    # A player of the drill sees the drill but has no evaluator form.
    player = new_page()
    _sign_in(player, live_server, numbers["player"])
    assert player.goto(f"{live_server}/drills/{drill_id}").status == 200
    expect(player.get_by_role("link", name=re.compile("我的评估表"))).to_have_count(0)
    assert player.goto(evaluate_url).status == 404
    assert _form(live_db, drill_id, ids["player"]) is None
