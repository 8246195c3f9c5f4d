"""Service-star selections one office can finish: the approval rule on the page, administrators and a unit's
designated approver may approve, the nominator may not; a published ranking is frozen, and a correction is
a new, audited version."""

import datetime as dt

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from incentives import selection as star
from incentives.errors import IncentiveError
from incentives.models import SelectionStatus
from tests import factories
from tests.incentives.factories import NOW, entry, rules
from tests.incentives.test_selection import Q2, unit  # noqa: F401 (the crafted unit fixture)


def _nominated_by(hr, root, people):
    selection = star.open_selection(root, Q2, user=hr, max_nominees=2, tie_breaks="", now=NOW)
    star.nominate(selection, [(people["A"].id, "服务热情周到")], user=hr, now=NOW)
    return selection


def test_an_administrator_approves_what_the_only_hr_officer_nominated(unit, app):  # noqa: F811
    root, people, _trainer, hr = unit
    admin = factories.user(grants=[("admin", None)])
    with app.test_request_context():
        selection = _nominated_by(hr, root, people)
        assert not star.can_approve_selection(hr, selection)
        assert admin in star.approvers_of(selection) and hr not in star.approvers_of(selection)
        star.approve_selection(selection, user=admin, now=NOW)
    assert selection.status == SelectionStatus.PUBLISHED and selection.approved_by == admin


def test_a_units_designated_approver_approves_and_may_be_changed(unit, app):  # noqa: F811
    root, people, trainer, hr = unit
    outsider = factories.user(grants=[("trainer", factories.department("江北供电分公司"))])
    with app.test_request_context():
        selection = _nominated_by(hr, root, people)
        with pytest.raises(IncentiveError):
            star.approve_selection(selection, user=outsider, now=NOW)
        star.set_designated_approver(root, outsider)
        assert star.can_approve_selection(outsider, selection)
        with pytest.raises(IncentiveError):  # an approver needs a staff role
            star.set_designated_approver(root, people["B"].user)
        star.approve_selection(selection, user=outsider, now=NOW)
    assert selection.status == SelectionStatus.PUBLISHED


def test_the_page_states_the_rule_and_why_the_nominator_cannot_approve(unit, app, client, login):  # noqa: F811
    root, people, _trainer, hr = unit
    with app.test_request_context():
        selection = _nominated_by(hr, root, people)
    login(user=hr)
    page = client.get(f"/incentives/selections/{selection.id}").get_data(as_text=True)
    assert "须由推荐人以外的人员审核" in page
    assert 'data-testid="why-not"' in page and f"/selections/{selection.id}/approve" not in page
    assert "暂无人可审核，请为本单位指定审核人" in page  # the only HR officer nominated; no admin here
    listing = client.get("/incentives/selections").get_data(as_text=True)
    assert "2026年第二季度" in listing and "2026-04-01" not in listing


def test_an_administrator_gets_the_approve_button_and_publishes(unit, app, db, client, login):  # noqa: F811
    root, people, _trainer, hr = unit
    with app.test_request_context():
        selection = _nominated_by(hr, root, people)
    login("admin")
    page = client.get(f"/incentives/selections/{selection.id}").get_data(as_text=True)
    assert f"/incentives/selections/{selection.id}/approve" in page
    response = client.post(f"/incentives/selections/{selection.id}/approve")
    assert response.status_code == 302
    db.session.expire_all()
    assert selection.status == SelectionStatus.PUBLISHED


def _frozen(selection):
    return [
        (line.employee_no, line.position, line.points, line.reasons, line.nominated)
        for line in selection.snapshot.lines
    ]


def test_a_published_selection_stays_as_published_when_people_and_points_arrive(
    unit,  # noqa: F811
    app,
    db,
    client,
    login,
):
    root, people, trainer, hr = unit
    with app.test_request_context():
        selection = star.open_selection(root, Q2, user=trainer, max_nominees=2, tie_breaks="", now=NOW)
        star.nominate(selection, [(people["A"].id, "服务热情周到")], user=trainer, now=NOW)
        star.approve_selection(selection, user=hr, now=NOW)
    before = _frozen(selection)
    login(user=hr)
    page_before = client.get(f"/incentives/selections/{selection.id}").get_data(as_text=True)
    assert [n for n, *_ in before] == ["SA001", "SB001", "SC001", "SD001", "SE001"]
    # After publication: a new hire in the unit, another one hired in the period, and late points.
    factories.user(department=root, name="新员工甲", employee_no="SN001")
    newcomer = factories.user(department=root, name="新员工乙", employee_no="SN002").employee
    newcomer.hire_date = dt.date(2026, 4, 10)
    entry(people["D"], rules()["PRAISE"], points=50)
    entry(newcomer, rules()["PRAISE"], points=60)
    db.session.flush()
    db.session.expire_all()
    assert _frozen(selection) == before
    page_after = client.get(f"/incentives/selections/{selection.id}").get_data(as_text=True)
    frozen_part = page_after.split('data-testid="frozen-ranking"')[1].split("</table>")[0]
    assert frozen_part == page_before.split('data-testid="frozen-ranking"')[1].split("</table>")[0]
    assert "新员工" not in frozen_part
    # The live ranking has moved (which is why the published page must not read it).
    assert [c.employee.name for c in star.ranked_for(selection)][:2] == ["员工D", "新员工乙"]


def test_a_correction_is_a_new_audited_version_and_the_first_stays(unit, app, db, client, login):  # noqa: F811
    root, people, trainer, hr = unit
    with app.test_request_context():
        selection = star.open_selection(root, Q2, user=trainer, max_nominees=1, tie_breaks="", now=NOW)
        star.nominate(selection, [(people["A"].id, "服务热情周到")], user=trainer, now=NOW)
        star.approve_selection(selection, user=hr, now=NOW)
    entry(people["D"], rules()["PRAISE"], points=50)
    login(user=hr)
    assert (
        client.post(f"/incentives/selections/{selection.id}/correct", data={"reason": ""}).status_code == 302
    )
    assert len(selection.snapshots) == 1
    response = client.post(
        f"/incentives/selections/{selection.id}/correct", data={"reason": "申诉成立，补记表扬积分"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [s.version for s in selection.snapshots] == [1, 2]
    assert selection.snapshots[0].lines[0].employee_no == "SA001"
    assert selection.snapshot.lines[0].employee_no == "SD001"
    assert selection.snapshot.reason == "申诉成立，补记表扬积分"
    audit_row = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "star_selection.corrected"))
    assert audit_row.details["version"] == 2 and audit_row.user_id == hr.id
    first = client.get(f"/incentives/selections/{selection.id}?version=1").get_data(as_text=True)
    assert "版本 1" in first or "第 1 版" in first
