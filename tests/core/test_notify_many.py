"""``notify_many``: the bulk path a nightly job uses gives each person the same notice ``notify`` would —
their language, their e-mail choice per kind, once per key, e-mail only after commit — in a few statements."""

from sqlalchemy import event, func, select

from core.extensions import db as _db
from core.i18n import domain
from core.models import utcnow
from core.notice_settings import NoticePreference
from core.notifications import BULK_PAGE, Notification, notify_many
from tests import factories

_l = domain("accounts").lazy_gettext


def _statements():
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    return seen, count


def test_once_key_respected_on_a_second_call(db):
    first, second = factories.user(), factories.user()
    assert notify_many([first], kind="test.reminder", title="明天开考", key="exam-7-24h") == [first.id]
    again = notify_many([first, second, second], kind="test.reminder", title="明天开考", key="exam-7-24h")
    assert again == [second.id]
    assert notify_many([first], kind="test.reminder", title="x", key="exam-7-1h") == [first.id]
    assert notify_many([first], kind="test.plain", title="x") + notify_many(
        [first], kind="test.plain", title="x"
    ) == [first.id, first.id]  # without a key every call is a new notice, as with notify
    counts = dict(
        db.session.execute(
            select(Notification.user_id, func.count(Notification.id))
            .where(Notification.once_key == "exam-7-24h")
            .group_by(Notification.user_id)
        ).all()
    )
    assert counts == {first.id: 1, second.id: 1}


def test_each_recipients_language(db, app):
    zh, en = factories.user(), factories.user()
    en.locale = "en"
    with app.test_request_context("/"):
        notify_many([zh, en], kind="test", title=_l("Sign in"), body="正文", link="/x")
    titles = dict(db.session.execute(select(Notification.user_id, Notification.title)).all())
    assert titles == {zh.id: "登录", en.id: "Sign in"}


def test_preferences_respected_and_mail_after_commit_only(app, db, smtp_server):
    keeps = factories.user(email="mail@example.com")
    inbox = factories.user(email="inbox@example.com")
    no_address = factories.user(email=None)
    db.session.add(
        NoticePreference(user_id=inbox.id, kind="training.enrolled", email=False, updated_at=utcnow())
    )
    db.session.flush()
    with app.test_request_context("/"):
        made = notify_many(
            [keeps, inbox, no_address],
            kind="training.enrolled",
            title="已为您报名",
            link="/training/",
            key="k1",
        )
        assert sorted(made) == sorted([keeps.id, inbox.id, no_address.id])
        addresses = dict(db.session.execute(select(Notification.user_id, Notification.email_to)).all())
        assert addresses == {keeps.id: "mail@example.com", inbox.id: None, no_address.id: None}
        assert smtp_server == []
        db.session.commit()
    assert [m["To"] for m in smtp_server] == ["mail@example.com"]
    assert "已为您报名" in smtp_server[0]["Subject"]


def test_many_people_cost_one_statement_a_batch(db):
    people = [factories.user() for _ in range(1200)]
    seen, count = _statements()
    engine = _db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        made = notify_many(people, kind="test.bulk", title="通知", key="bulk-1")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(made) == 1200
    # multi-row inserts of BULK_PAGE rows (no SMTP: no preference lookup), not one a person
    assert len(seen) == -(-1200 // BULK_PAGE)
