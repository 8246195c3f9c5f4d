"""Notices for what matters to an employee (issue 25 §4): each is sent once — calling the code that sends
it twice, or running the periodic job twice, leaves one notification and one e-mail, delivered to a real
SMTP server (aiosmtpd) — and each person's choice of e-mail or in-app only is honoured."""

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select

from core import signals
from core.models import utcnow
from core.notice_settings import NoticeKind, save_email_choices
from core.notifications import Notification
from drills import roles
from incentives import services as incentive_services
from incentives.models import Trigger
from tests import factories
from tests.incentives import factories as incentives_f
from tests.todo.builders import upcoming_drill_role
from tests.training import factories as training_f
from training import jobs, notices
from training.certificates import CertificateSpec, issue_certificates
from training.course_sessions import self_enrol, withdraw
from training.hours import credit_hours
from training.models import CertificateKind, HoursSource
from training.qualifications import run_reminders


def _count(db, user, kind) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.kind == kind)
    )


def _mails(inbox, address, word) -> list:
    return [m for m in inbox if m["To"] == address and word in m["Subject"]]


def _employee_user(address):
    return factories.user(email=address)


def test_enrolment_confirmed_once_with_one_email(app, db, smtp_server):
    user = _employee_user("a@example.com")
    session = training_f.session(start=utcnow() + dt.timedelta(days=3))
    enrolment = self_enrol(session, user.employee, now=utcnow())
    db.session.commit()
    notices.enrolments_confirmed([enrolment], now=utcnow())  # sent again (a retry): nobody is told twice
    db.session.commit()
    assert _count(db, user, "training.enrolled") == 1
    [mail] = _mails(smtp_server, "a@example.com", "报名")
    assert session.title in mail["Subject"]
    assert f"/training/sessions/{session.id}" in mail.get_content()


def test_moved_up_from_the_waiting_list_once(app, db, smtp_server):
    first, second = _employee_user("f@example.com"), _employee_user("s@example.com")
    session = training_f.session(start=utcnow() + dt.timedelta(days=3), capacity=1)
    seat = self_enrol(session, first.employee, now=utcnow())
    waiting = self_enrol(session, second.employee, now=utcnow())
    assert _count(db, second, "training.waitlisted") == 1
    withdraw(seat, now=utcnow())
    notices.moved_up(waiting, now=utcnow())
    db.session.commit()
    assert _count(db, second, "training.promoted") == 1
    assert len(_mails(smtp_server, "s@example.com", "名额")) == 1


def test_the_day_before_reminder_job_run_twice_sends_once(app, db, smtp_server):
    user = _employee_user("r@example.com")
    soon = training_f.session(start=utcnow() + dt.timedelta(hours=10))
    later = training_f.session(start=utcnow() + dt.timedelta(days=3))
    for s in (soon, later):
        self_enrol(s, user.employee, now=utcnow())
    db.session.commit()
    jobs.session_reminders()
    jobs.session_reminders()
    reminders = db.session.scalars(
        select(Notification).where(
            Notification.user_id == user.id, Notification.kind == "training.session_reminder"
        )
    ).all()
    assert [n.link for n in reminders] == [f"/training/sessions/{soon.id}"]
    assert len(_mails(smtp_server, "r@example.com", "培训提醒")) == 1
    # moved to another day: reminded again for the new time
    soon.starts_at += dt.timedelta(hours=2)
    soon.ends_at += dt.timedelta(hours=2)
    db.session.commit()
    jobs.session_reminders()
    assert _count(db, user, "training.session_reminder") == 2


def test_hours_credited_and_certificate_issued_once(app, db, smtp_server):
    user = _employee_user("h@example.com")
    for _ in range(2):  # a replayed completion credits and tells nothing new
        credit_hours(
            user.employee,
            Decimal("4"),
            source=HoursSource.COURSE,
            source_key="completion:test-1",
            earned_on=dt.date(2026, 6, 1),
            description="安全规程",
        )
    spec = CertificateSpec(
        kind=CertificateKind.TRAINING_COMPLETION,
        employee=user.employee,
        title="安全规程培训",
        number="PX-TEST-1",
        issued_on=dt.date(2026, 6, 1),
        expires_on=None,
        issuer="培训中心",
        source_key="completion:test-1",
    )
    issue_certificates([spec], now=utcnow())
    issue_certificates([spec], now=utcnow())
    db.session.commit()
    assert _count(db, user, "training.hours") == 1
    assert _count(db, user, "training.certificate") == 1
    assert len(_mails(smtp_server, "h@example.com", "学时")) == 1
    [mail] = _mails(smtp_server, "h@example.com", "证书已颁发")
    assert "/training/my/qualifications" in mail.get_content()


def test_certificate_expiring_told_once(app, db, smtp_server):
    from training.qualifications import grant_qualification

    user = _employee_user("x@example.com")
    cert_type = training_f.certificate_type(months=12)
    today = dt.date(2026, 6, 1)
    grant_qualification(
        user.employee, cert_type, source_key="exp-1", issued_on=dt.date(2025, 6, 20), now=utcnow()
    )
    db.session.commit()
    run_reminders(today, now=utcnow())
    run_reminders(today, now=utcnow())
    db.session.commit()
    assert _count(db, user, "training.expiry") == 1
    assert len(_mails(smtp_server, "x@example.com", "到期")) == 1


def test_points_awarded_and_appeal_decided_once(app, db, smtp_server):
    user = _employee_user("p@example.com")
    incentives_f.rule("DP", trigger=Trigger.DRILL_PARTICIPATION, points=3)
    for _ in range(2):  # the same event sent twice pays and tells once
        signals.drill_participated.send(
            None,
            employee=user.employee,
            drill=None,
            role="参演",
            hours=Decimal(2),
            source_key="drill:test:employee:1",
            now=utcnow(),
        )
    db.session.commit()
    [note] = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.kind == "incentives.points")
    ).all()
    assert note.title.startswith("积分 +3")
    assert len(_mails(smtp_server, "p@example.com", "积分 +3")) == 1
    entry = (
        note
        and db.session.scalars(
            select(incentives_f.PointEntry).where(incentives_f.PointEntry.employee_id == user.employee_id)
        ).one()
    )
    hr = factories.user(grants=[("hr", None)])
    appeal = incentive_services.file_appeal(entry, user=user, reason="分数算错了吧", now=utcnow())
    incentive_services.resolve_appeal(appeal, user=hr, uphold=False, resolution="核实无误", now=utcnow())
    db.session.commit()
    assert _count(db, user, "incentives.appeal_resolved") == 1
    assert len(_mails(smtp_server, "p@example.com", "申诉")) == 1


def test_drill_role_notice_once_with_the_confirm_link(app, db, smtp_server):
    user = _employee_user("d@example.com")
    drill = upcoming_drill_role(user, now=utcnow(), days=3)
    roles.notify_roles(drill, list(drill.participants))  # told again: nobody gets a second copy
    db.session.commit()
    assert _count(db, user, "drill.role") == 1
    [mail] = _mails(smtp_server, "d@example.com", "确认")
    assert f"/drills/{drill.id}/my-role" in mail.get_content()


def test_inbox_only_is_honoured_per_kind(app, db, smtp_server):
    user = _employee_user("o@example.com")
    save_email_choices(user, {"training.enrolled": False}, utcnow())
    session = training_f.session(start=utcnow() + dt.timedelta(days=3))
    self_enrol(session, user.employee, now=utcnow())
    credit_hours(
        user.employee,
        Decimal("2"),
        source=HoursSource.COURSE,
        source_key="completion:test-2",
        earned_on=dt.date(2026, 6, 1),
    )
    db.session.commit()
    assert _count(db, user, "training.enrolled") == 1  # still in the inbox
    assert _mails(smtp_server, "o@example.com", "报名") == []
    assert len(_mails(smtp_server, "o@example.com", "学时")) == 1  # other kinds still come by e-mail


def test_a_family_registered_by_another_package_is_honoured(app, db, monkeypatch, smtp_server):
    """Kinds like ``exams.reminder`` (issue 16) are covered by a family another package registers."""
    from core.notifications import notify

    registry = app.extensions["gridready_notice_kinds"]
    monkeypatch.setitem(registry, "exams.*", NoticeKind("exams.*", "Exam notices", "Exams"))
    user = _employee_user("e@example.com")
    save_email_choices(user, {"exams.*": False}, utcnow())
    with app.test_request_context("/"):
        [note] = notify([user], kind="exams.reminder", title="明天开考", key="exam-1")
    assert note.email_to is None
    with app.test_request_context("/"):
        [other] = notify([user], kind="training.hours", title="学时")
    assert other.email_to == "e@example.com"
