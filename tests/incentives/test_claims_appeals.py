"""Manual entries (approval, no self-approval, evidence files) and the appeal lifecycle."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.extensions import db as _db
from core.notifications import Notification
from incentives import ledger, services
from incentives.cards import hr_card
from incentives.errors import IncentiveError
from incentives.models import AppealStatus, ClaimStatus
from tests import factories
from tests.incentives.factories import NOW, PNG, employee, entry, rules


@pytest.fixture
def setting(app, db):
    with app.test_request_context():
        all_rules = rules()
        dept = factories.department()
        emp_user = factories.user(department=dept)
        trainer = factories.user(grants=[("trainer", dept)])
        hr = factories.user(grants=[("hr", None)])
        yield all_rules, emp_user, trainer, hr


def _claim(all_rules, emp, author, code="PRAISE"):
    attachment = services.store_attachment(PNG, "../../etc/passwd.png")
    return services.create_claim(
        employee=emp,
        rule=all_rules[code],
        occurred_on=dt.date(2026, 5, 10),
        evidence_text="客户来电表扬",
        attachment=attachment,
        author=author,
        now=NOW,
    )


def test_manual_entry_counts_only_after_hr_approval(setting):
    all_rules, emp_user, trainer, hr = setting
    claim = _claim(all_rules, emp_user.employee, trainer)
    assert claim.status == ClaimStatus.PENDING
    assert ledger.balance(emp_user.employee_id) == 0
    notes = _db.session.scalars(select(Notification).where(Notification.kind == "incentives.claim")).all()
    assert hr.id in {n.user_id for n in notes} and trainer.id not in {n.user_id for n in notes}
    services.decide_claim(claim, approver=hr, approve=True, reason="", now=NOW)
    assert claim.status == ClaimStatus.APPROVED
    assert claim.entry.author_id == trainer.id and claim.entry.approver_id == hr.id
    assert claim.entry.reason == "客户来电表扬" and claim.entry.rule.code == "PRAISE"
    assert ledger.balance(emp_user.employee_id) == Decimal(8)


def test_attachment_is_stored_under_a_generated_name(setting, app):
    all_rules, emp_user, trainer, _hr = setting
    claim = _claim(all_rules, emp_user.employee, trainer)
    assert claim.attachment_path.startswith("incentives/") and "passwd" not in claim.attachment_path
    assert claim.attachment_name == "passwd.png"
    assert services.attachment_file(claim).read_bytes() == PNG


def test_attachment_name_takes_the_extension_of_its_content(app, db):
    with app.test_request_context():
        assert services.store_attachment(b"%PDF-1.7\n0000", "表扬信.html").name == "表扬信.pdf"
        assert services.store_attachment(PNG, "photo").name == "photo.png"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"MZ\x90\x00 not a pdf", "PDF, JPEG or PNG"),
        (b"%PDF-" + b"0" * (5 * 1024 * 1024), "5 MB"),
    ],
)
@pytest.mark.locale("en")
def test_bad_attachments_are_refused(app, db, data, message):
    with app.test_request_context(), pytest.raises(IncentiveError) as info:
        services.store_attachment(data, "x.pdf")
    assert message in str(info.value)


def test_nobody_approves_their_own_entry(setting):
    all_rules, emp_user, _trainer, hr = setting
    claim = _claim(all_rules, emp_user.employee, hr)  # HR entered it
    assert not services.can_decide_claim(hr, claim)
    with pytest.raises(IncentiveError):
        services.decide_claim(claim, approver=hr, approve=True, reason="", now=NOW)
    assert claim.status == ClaimStatus.PENDING and ledger.balance(emp_user.employee_id) == 0


def test_hr_cannot_approve_an_entry_about_themselves(setting):
    all_rules, emp_user, trainer, hr = setting
    other_hr = factories.user(grants=[("hr", None)], department=emp_user.employee.department)
    claim = _claim(all_rules, other_hr.employee, trainer)
    with pytest.raises(IncentiveError):
        services.decide_claim(claim, approver=other_hr, approve=True, reason="", now=NOW)
    services.decide_claim(claim, approver=hr, approve=True, reason="", now=NOW)


def test_rejection_needs_a_reason_and_adds_nothing(setting):
    all_rules, emp_user, trainer, hr = setting
    claim = _claim(all_rules, emp_user.employee, trainer, code="COMPLAINT")
    with pytest.raises(IncentiveError):
        services.decide_claim(claim, approver=hr, approve=False, reason="", now=NOW)
    services.decide_claim(claim, approver=hr, approve=False, reason="投诉不属实", now=NOW)
    assert claim.status == ClaimStatus.REJECTED and claim.entry is None
    assert ledger.balance(emp_user.employee_id) == 0
    with pytest.raises(IncentiveError):
        services.decide_claim(claim, approver=hr, approve=True, reason="", now=NOW)


def test_entries_need_scope_a_manual_rule_and_evidence(setting):
    all_rules, emp_user, trainer, _hr = setting
    outsider = employee()  # another department, outside the trainer's scope
    with pytest.raises(IncentiveError):
        _claim(all_rules, outsider, trainer)
    with pytest.raises(IncentiveError):
        _claim(all_rules, emp_user.employee, trainer, code="EXAM_PASS")  # automatic rule
    with pytest.raises(IncentiveError):
        services.create_claim(
            employee=emp_user.employee,
            rule=all_rules["PRAISE"],
            occurred_on=dt.date(2026, 5, 1),
            evidence_text="表扬",
            attachment=None,
            author=trainer,
            now=NOW,
        )
    with pytest.raises(IncentiveError):
        services.create_claim(
            employee=emp_user.employee,
            rule=all_rules["PRAISE"],
            occurred_on=dt.date(2026, 6, 1),
            evidence_text="表扬",
            attachment=services.store_attachment(PNG, "a.png"),
            author=trainer,
            now=NOW,
        )  # in the future


def test_appeal_lifecycle_upheld(setting, db):
    all_rules, emp_user, _trainer, hr = setting
    line = entry(emp_user.employee, all_rules["COMPLAINT"])
    appeal = services.file_appeal(line, user=emp_user, reason="该投诉已被撤回，不应扣分。", now=NOW)
    assert appeal.status == AppealStatus.OPEN
    assert db.session.scalar(
        select(Notification).where(Notification.user_id == hr.id, Notification.kind == "incentives.appeal")
    )
    with pytest.raises(IncentiveError):
        services.file_appeal(line, user=emp_user, reason="再次申诉一次", now=NOW)
    services.resolve_appeal(appeal, user=hr, uphold=True, resolution="核实投诉已撤回", now=NOW)
    assert appeal.status == AppealStatus.UPHELD
    assert appeal.correction.points == Decimal(10) and appeal.correction.reverses_id == line.id
    assert ledger.balance(emp_user.employee_id) == 0
    note = db.session.scalar(
        select(Notification).where(
            Notification.user_id == emp_user.id, Notification.kind == "incentives.appeal_resolved"
        )
    )
    assert note is not None and note.body == "核实投诉已撤回"
    with pytest.raises(IncentiveError):
        services.resolve_appeal(appeal, user=hr, uphold=False, resolution="x", now=NOW)


def test_appeal_dismissed_keeps_the_entry(setting):
    all_rules, emp_user, _trainer, hr = setting
    line = entry(emp_user.employee, all_rules["COMPLAINT"])
    appeal = services.file_appeal(line, user=emp_user, reason="我认为不应扣分。", now=NOW)
    with pytest.raises(IncentiveError):
        services.resolve_appeal(appeal, user=hr, uphold=False, resolution="", now=NOW)
    services.resolve_appeal(appeal, user=hr, uphold=False, resolution="投诉经核实属实", now=NOW)
    assert appeal.status == AppealStatus.DISMISSED and appeal.correction is None
    assert ledger.balance(emp_user.employee_id) == Decimal(-10)


def test_only_the_employee_appeals_and_hr_in_scope_resolves(setting):
    all_rules, emp_user, trainer, _hr = setting
    line = entry(emp_user.employee, all_rules["COMPLAINT"])
    with pytest.raises(IncentiveError):
        services.file_appeal(line, user=trainer, reason="代为申诉一次", now=NOW)
    appeal = services.file_appeal(line, user=emp_user, reason="我认为不应扣分。", now=NOW)
    scoped_hr = factories.user(grants=[("hr", factories.department())])  # another subtree
    with pytest.raises(IncentiveError):
        services.resolve_appeal(appeal, user=scoped_hr, uphold=True, resolution="越权", now=NOW)
    with pytest.raises(IncentiveError):
        services.resolve_appeal(appeal, user=trainer, uphold=True, resolution="越权", now=NOW)


def test_hr_dashboard_counts_only_what_this_user_may_decide(setting):
    """The card's numbers match can_decide_claim: not one's own entries, nor entries or appeals about
    oneself (another HR user sees those)."""
    all_rules, emp_user, trainer, _hr = setting
    hr = factories.user(grants=[("hr", None)], department=emp_user.employee.department)
    other_hr = factories.user(grants=[("hr", None)])
    decidable = _claim(all_rules, emp_user.employee, trainer)
    own_entry = _claim(all_rules, emp_user.employee, hr)
    about_hr = _claim(all_rules, hr.employee, trainer)
    line = entry(hr.employee, all_rules["COMPLAINT"])
    services.file_appeal(line, user=hr, reason="我认为不应扣分。", now=NOW)
    assert [services.can_decide_claim(hr, c) for c in (decidable, own_entry, about_hr)] == [
        True,
        False,
        False,
    ]
    assert hr_card(hr, NOW) == {"pending": 1, "appeals": 0}
    assert hr_card(other_hr, NOW) == {"pending": 3, "appeals": 1}
