"""Pages: the role matrix, department scope (404 outside it), evaluator isolation over HTTP, forms with bad
input, CSRF, the report PDF and the calendar export."""

import datetime as dt
import io

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from core.extensions import db
from drills import assessment, improvement
from drills.catalogue import ensure_default_template
from drills.models import Drill, DrillStatus, IncidentType
from drills.settings import get_settings
from tests.access import assert_access, client_as
from tests.drills.factories import (
    bare_drill,
    evaluating_drill,
    evaluator_forms,
    plan,
    rate_all,
    ready_drill,
    unit,
)

ALL = {"employee", "trainer", "hr", "admin"}
STAFF = {"trainer", "hr", "admin"}
MANAGERS = {"trainer", "admin"}


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/drills/", ALL),
        ("/drills/actions", ALL),
        ("/drills/calendar.ics", ALL),
        ("/drills/compliance", STAFF),
        ("/drills/plans", STAFF),
        ("/drills/template", STAFF),
        ("/drills/settings", STAFF),
        ("/drills/new", MANAGERS),
        ("/drills/plan-next", MANAGERS),
        ("/drills/plans/new", MANAGERS),  # unscoped trainers and admins
    ],
)
def test_role_matrix(app, url, allowed):
    ensure_default_template()
    assert_access(app, url, allowed)


def test_drill_page_matrix(app):
    drill = ready_drill()
    # unscoped trainer, HR and admin see it; an employee who takes no part gets 404
    assert_access(app, f"/drills/{drill.id}", STAFF, denied=(404,))
    assert_access(app, f"/drills/{drill.id}/edit", MANAGERS, denied=(403, 404))


def test_plan_page_and_settings_post(app):
    p = plan()
    assert_access(app, f"/drills/plans/{p.id}", STAFF)
    assert_access(
        app,
        "/drills/settings",
        {"admin"},
        method="POST",
        data={"amber_days": "x"},
        ok=(200,),
        denied=(200, 403),
    )


def test_trainer_sees_only_drills_of_units_in_scope(client, login):
    mine, other = unit(), unit()
    p = plan()
    inside = bare_drill(mine, p, "2026-03-01 09:00")
    outside = bare_drill(other, p, "2026-03-02 09:00")
    login("trainer", scope=mine)
    listing = client.get("/drills/").get_data(as_text=True)
    assert inside.title in listing and outside.title not in listing
    assert client.get(f"/drills/{inside.id}").status_code == 200
    assert client.get(f"/drills/{outside.id}").status_code == 404
    assert client.get(f"/drills/{outside.id}/report.pdf").status_code == 404
    assert client.post(f"/drills/{outside.id}/approve").status_code == 404
    board = client.get("/drills/compliance").get_data(as_text=True)
    assert mine.name in board and other.name not in board


def test_scoped_hr_reads_but_cannot_manage(client, login):
    mine = unit()
    drill = ready_drill(unit_=mine)
    login("hr", scope=mine)
    assert client.get(f"/drills/{drill.id}").status_code == 200
    assert client.post(f"/drills/{drill.id}/approve").status_code == 403


def test_employee_sees_their_drills_on_the_dashboard(client, login):
    drill = ready_drill()
    player = next(p for p in drill.participants if p.role == "player")
    drill.status = DrillStatus.APPROVED
    db.session.flush()
    login(user=player.employee.user)
    assert drill.title in client.get("/").get_data(as_text=True)
    assert drill.title in client.get("/drills/").get_data(as_text=True)
    assert client.get(f"/drills/{drill.id}").status_code == 200
    assert client.get("/drills/compliance").status_code == 403


def test_evaluator_isolation_over_http(client, login):
    drill = evaluating_drill()
    first, second = evaluator_forms(drill)
    rate_all(drill, second, "S", overrides={"B3": "M"})
    login(user=first.evaluator.user)
    assert client.get(f"/drills/{drill.id}/forms/{second.id}").status_code == 404
    response = client.get(f"/drills/{drill.id}/evaluation")
    assert response.status_code == 302 and "/evaluate" in response.headers["Location"]
    criteria = assessment.applicable_criteria(drill)
    data = {f"level-{c.id}": "P" for c in criteria} | {"action": "submit"}
    response = client.post(f"/drills/{drill.id}/evaluate", data=data)
    assert response.status_code == 302
    assert client.get(f"/drills/{drill.id}/forms/{second.id}").status_code == 200
    page = client.get(f"/drills/{drill.id}/evaluation").get_data(as_text=True)
    assert "B3" in page
    # a submitted form is locked
    data = {f"level-{c.id}": "U" for c in criteria} | {"action": "save"}
    client.post(f"/drills/{drill.id}/evaluate", data=data)
    db.session.expire_all()
    assert {r.level for r in first.ratings} == {"P"}


def test_evaluation_form_bad_input_is_reported(client, login):
    drill = evaluating_drill()
    form = evaluator_forms(drill)[0]
    login(user=form.evaluator.user)
    c = assessment.applicable_criteria(drill)[0]
    page = client.post(
        f"/drills/{drill.id}/evaluate", data={f"level-{c.id}": "M", "action": "save"}
    ).get_data(as_text=True)
    assert c.code in page and form.ratings == []
    page = client.post(
        f"/drills/{drill.id}/evaluate", data={f"level-{c.id}": "Q", "action": "save"}
    ).get_data(as_text=True)
    assert c.code in page


def test_plan_a_drill_form(client, login):
    ensure_default_template()
    branch = unit()
    p = plan()
    login("trainer", scope=branch)
    bad = client.post(
        "/drills/new",
        data={
            "title": "",
            "unit_id": branch.id,
            "plan_id": p.id,
            "day": "2026-12-01",
            "start": "09:00",
            "end": "08:00",
            "form": "live",
            "scope": "full",
            "purpose": "testing",
            "level": "3",
        },
    )
    assert bad.status_code == 200 and db.session.query(Drill).count() == 0
    good = client.post(
        "/drills/new",
        data={
            "title": "冬季保电演练",
            "unit_id": branch.id,
            "plan_id": p.id,
            "day": "2026-12-01",
            "start": "09:00",
            "end": "11:30",
            "form": "live",
            "scope": "full",
            "purpose": "testing",
            "level": "2",
            "content_types": ["response", "materials"],
        },
    )
    assert good.status_code == 302
    drill = db.session.query(Drill).one()
    assert drill.starts_at == dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)  # 09:00 Beijing time
    assert drill.hours == 2.5


def test_csrf_is_required(app, client, login, request):
    drill = ready_drill()
    login("admin")
    request.getfixturevalue("csrf_enabled")  # from here on: the sign-in above posted no token
    assert client.post(f"/drills/{drill.id}/approve").status_code == 400
    assert drill.status == DrillStatus.PLANNED


def test_report_pdf_contains_score_and_findings(client, login):
    drill = evaluating_drill()
    for form in evaluator_forms(drill):
        rate_all(drill, form, "P", overrides={"B3": "M", "F2": "S"})
    drill.summary = "演练总体有序。"
    improvement.draft_findings(drill, drill.ends_at)
    result = assessment.issue_report(drill, drill.ends_at + dt.timedelta(days=3))
    login("admin")
    response = client.get(f"/drills/{drill.id}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert str(result.score) in text
    assert "B3" in text and "95598" in text  # the B3 finding's title
    assert "演练评估报告" in text
    assert "S 基本完成，存在一些问题" in "".join(text.split("\n"))  # the rating scale in words


def test_calendar_export_in_beijing_time(client, login):
    drill = ready_drill(when="2026-12-01 09:00")
    drill.status = DrillStatus.APPROVED
    db.session.flush()
    login("admin")
    response = client.get("/drills/calendar.ics")
    assert response.mimetype == "text/calendar"
    events = [c for c in Calendar.from_ical(response.data).walk("VEVENT")]
    event = next(e for e in events if str(e["summary"]) == drill.title)
    start = event.decoded("dtstart")
    assert start.hour == 9 and str(start.tzinfo) == "Asia/Shanghai"
    assert b"TZID=Asia/Shanghai" in response.data


def test_settings_validation(client, login):
    ensure_default_template()
    login("admin")
    page = client.post(
        "/drills/settings",
        data={
            "amber_days": 20,
            "escalation_days": 30,
            "red_days": 10,
            "report_due_days": 15,
            "coverage_half_years": 4,
            "tier_excellent": 90,
            "tier_good": 80,
            "tier_pass": 70,
            "deficiency_due_days": 30,
            "reminder_days_before": 7,
            "rules_start": "2025H3",
        },
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "2025H1" in text  # the hint for the bad half year
    ok = client.post(
        "/drills/settings",
        data={
            "amber_days": 45,
            "escalation_days": 30,
            "red_days": 10,
            "report_due_days": 15,
            "coverage_half_years": 4,
            "tier_excellent": 92,
            "tier_good": 80,
            "tier_pass": 70,
            "deficiency_due_days": 30,
            "reminder_days_before": 7,
            "team_lapse_months": 18,
            "rules_start": "2025H1",
        },
    )
    assert ok.status_code == 302
    assert "92" in client.get("/drills/template").get_data(as_text=True)
    assert get_settings().team_lapse_months == 18
    assert "18" in client.get("/drills/compliance").get_data(as_text=True)


def test_template_editing_and_versioning(client, login):
    template = ensure_default_template()
    group = template.groups[0]
    login("admin")
    page = client.post(f"/drills/template/groups/{group.id}", data={"name": "准备与组织", "weight": "abc"})
    assert page.status_code == 302 and group.weight == 10
    client.post(
        f"/drills/template/groups/{group.id}",
        data={"name": "准备与组织", "weight": "12", "content_types": []},
    )
    db.session.expire_all()
    assert group.weight == 12
    client.post(
        f"/drills/template/groups/{group.id}/criteria",
        data={"code": "A1", "text": "重复编号", "method": "timing", "weight": "1"},
    )
    assert len(group.criteria) == 3  # code A1 is taken
    client.post(
        f"/drills/template/groups/{group.id}/criteria",
        data={"code": "A4", "text": "演练脚本保密", "method": "records", "weight": "1", "critical": "1"},
    )
    db.session.expire_all()
    assert [c.code for c in group.criteria][-1] == "A4" and group.criteria[-1].critical
    # once a drill is scored with it, the template is locked; a new version takes over
    drill = evaluating_drill()
    assert drill.template_id == template.id
    planned = ready_drill()
    client.post(f"/drills/template/groups/{group.id}", data={"name": "改名", "weight": "5"})
    db.session.expire_all()
    assert group.name == "准备与组织"
    assert client.post(f"/drills/template/{template.id}/new-version").status_code == 302
    db.session.expire_all()
    assert not template.active and planned.template_id != template.id and drill.template_id == template.id


def test_template_editing_needs_a_company_wide_trainer_or_admin(client, login):
    template = ensure_default_template()
    login("trainer", scope=unit())
    assert (
        client.post(
            f"/drills/template/groups/{template.groups[0].id}", data={"name": "x", "weight": "1"}
        ).status_code
        == 403
    )


def test_new_plan_form(client, login):
    login("admin")
    bad = client.post("/drills/plans/new", data={"code": "YA-99", "title": "", "incident_type": "cyber"})
    assert bad.status_code == 200
    data = {"code": "YA-99", "title": "网络安全应急预案", "incident_type": "cyber", "unit_kinds": ["center"]}
    for n in (1, 2, 3):
        data |= {f"trigger{n}": f"条件{n}", f"standard{n}": f"标准{n}", f"roles{n}": "信息中心"}
    response = client.post("/drills/plans/new", data=data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "网络安全应急预案" in page and "标准3" in page
    assert client.post("/drills/plans/new", data=data).status_code == 200  # the code is taken


def test_consolidated_evaluation_access(app, client, login):
    mine = unit()
    drill = evaluating_drill(unit_=mine)
    for form in evaluator_forms(drill):
        rate_all(drill, form, "P")
    player = next(p for p in drill.participants if p.role == "player")
    login(user=player.employee.user)
    assert client.get(f"/drills/{drill.id}/evaluation").status_code == 404
    form_id = evaluator_forms(drill)[0].id
    assert client.get(f"/drills/{drill.id}/forms/{form_id}").status_code == 404
    hr, _user = client_as(app, "hr", scope=mine)
    assert hr.get(f"/drills/{drill.id}/evaluation").status_code == 200
    other, _user = client_as(app, "hr", scope=unit())
    assert other.get(f"/drills/{drill.id}/evaluation").status_code == 404


def test_drill_page_warns_when_the_incident_type_repeats(client, login):
    u, p = unit(), plan()
    bare_drill(u, p, "2026-03-01 09:00")
    repeat = bare_drill(
        u, p, "2026-09-01 09:00", status=DrillStatus.PLANNED, tier=None, reported_after_days=None
    )
    other = bare_drill(
        u,
        plan(IncidentType.EQUIPMENT),
        "2026-10-01 09:00",
        status=DrillStatus.PLANNED,
        tier=None,
        reported_after_days=None,
    )
    login("admin")
    assert "R2" in client.get(f"/drills/{repeat.id}").get_data(as_text=True)
    assert "R2" not in client.get(f"/drills/{other.id}").get_data(as_text=True)


def test_template_groups_added_moved_and_removed(client, login):
    template = ensure_default_template()
    codes = [g.code for g in template.groups]
    login("admin")
    # Bad input names the problem and changes nothing.
    for data, message in (
        ({"code": "", "name": "通信保障", "weight": "5"}, "分组编号"),
        ({"code": codes[0], "name": "通信保障", "weight": "5"}, "已被使用"),
        ({"code": "Z", "name": "通信保障", "weight": "abc"}, "权重须为数字"),
        ({"code": "Z", "name": "", "weight": "5"}, "分组须有名称"),
    ):
        page = client.post(f"/drills/template/{template.id}/groups", data=data, follow_redirects=True)
        assert message in page.get_data(as_text=True), data
        db.session.expire_all()
        assert [g.code for g in template.groups] == codes
    client.post(
        f"/drills/template/{template.id}/groups",
        data={"code": "z", "name": "通信保障", "weight": "5", "content_types": ["customer_comms"]},
    )
    db.session.expire_all()
    added = template.groups[-1]
    assert (added.code, added.name, added.weight, added.content_types) == (
        "Z",
        "通信保障",
        5,
        ["customer_comms"],
    )
    assert added.position == len(codes)
    client.post(f"/drills/template/groups/{added.id}/move/up")
    db.session.expire_all()
    assert [g.code for g in template.groups] == [*codes[:-1], "Z", codes[-1]]
    first = template.groups[0]
    client.post(f"/drills/template/groups/{first.id}/remove")
    db.session.expire_all()
    assert [g.code for g in template.groups] == [*codes[1:-1], "Z", codes[-1]]
    assert [g.position for g in template.groups] == list(range(len(codes)))
    # Once a drill is scored with the template, groups are locked too.
    evaluating_drill()
    locked = client.post(f"/drills/template/groups/{added.id}/remove", follow_redirects=True)
    assert "请创建新版本" in locked.get_data(as_text=True)
    db.session.expire_all()
    assert "Z" in [g.code for g in template.groups]


def test_a_template_keeps_one_group(client, login):
    template = ensure_default_template()
    login("admin")
    for group in list(template.groups)[1:]:
        client.post(f"/drills/template/groups/{group.id}/remove")
    db.session.expire_all()
    assert len(template.groups) == 1
    page = client.post(f"/drills/template/groups/{template.groups[0].id}/remove", follow_redirects=True)
    assert "至少保留一个分组" in page.get_data(as_text=True)
    db.session.expire_all()
    assert len(template.groups) == 1


def test_plan_revisions_need_a_company_wide_trainer_or_admin(app, client, login):
    """A trainer scoped to one unit cannot rewrite or approve the organisation's emergency plans (as
    they cannot create one)."""
    from drills.models import PlanVersionStatus
    from drills.plans import create_plan, open_plan_revision

    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    levels = [(n, f"条件{n}", f"标准{n}", "值班长") for n in (1, 2, 3)]
    plan = create_plan("YA-88", "大面积停电应急预案", "blackout", levels, now=now)
    draft = open_plan_revision(plan, drill=None, note="演练后修订", now=now)
    level = draft.levels[0]
    login("trainer", scope=unit())
    base = f"/drills/plans/{plan.id}/versions/{draft.id}"
    data = {"trigger": "HACKED", "response_standard": "x", "responsible_roles": "x"}
    assert client.post(f"{base}/levels/{level.id}", data=data).status_code == 403
    assert client.post(f"{base}/effective").status_code == 403
    assert "HACKED" not in client.get(f"/drills/plans/{plan.id}").get_data(as_text=True)
    db.session.refresh(draft)
    db.session.refresh(level)
    assert draft.status == PlanVersionStatus.DRAFT and level.trigger == "条件1"
    company_wide, _user = client_as(app, "trainer")
    assert (
        company_wide.post(f"{base}/levels/{level.id}", data={**data, "trigger": "新条件"}).status_code == 302
    )
    db.session.refresh(level)
    assert level.trigger == "新条件"
