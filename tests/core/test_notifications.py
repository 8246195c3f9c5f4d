"""One notification mechanism: the inbox with its bell count, and e-mail when SMTP is configured."""

from sqlalchemy import func, select

from core.i18n import domain
from core.notifications import Notification, notify
from tests import factories

# A title made in the accounts package, as accounts would make it (its own catalogue).
_l = domain("accounts").lazy_gettext


def test_inbox_bell_and_mark_read(client, login, db):
    user = login()
    notify([user], kind="test", title=_l("Sign in"), body="正文", link="/me")
    notify([user], kind="test", title="第二条")
    db.session.flush()
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="unread">2<' in home
    inbox = client.get("/notifications").get_data(as_text=True)
    assert "登录" in inbox and "第二条" in inbox  # the lazy title rendered in the user's language
    note = db.session.scalar(select(Notification).where(Notification.title == "第二条"))
    assert client.get(f"/notifications/{note.id}").status_code == 302
    assert 'data-testid="unread">1<' in client.get("/").get_data(as_text=True)
    client.post("/notifications/read-all")
    assert 'data-testid="unread"' not in client.get("/").get_data(as_text=True)


def test_someone_elses_notification_is_404(client, login, db):
    login()
    other = factories.user()
    [note] = notify([other], kind="test", title="别人的")
    db.session.flush()
    assert client.get(f"/notifications/{note.id}").status_code == 404


def test_title_follows_each_recipients_language(db, app):
    zh, en = factories.user(), factories.user()
    en.locale = "en"
    with app.test_request_context("/"):
        a, b = notify([zh, en], kind="test", title=_l("Sign in"))
    assert a.title == "登录" and b.title == "Sign in"


def test_email_goes_out_after_commit_only(app, db, smtp_server):
    smtp = smtp_server  # a real SMTP server (aiosmtpd)
    user = factories.user(email="someone@example.com")
    with app.test_request_context("/"):
        notify([user], kind="test", title="考试提醒", body="请按时参加", link="/exams/1")
        db.session.rollback()
        assert smtp == []
        user = factories.user(email="someone@example.com")
        notify([user], kind="test", title="考试提醒", body="请按时参加", link="/exams/1")
        db.session.commit()
    assert len(smtp) == 1
    assert smtp[0]["To"] == "someone@example.com" and "考试提醒" in smtp[0]["Subject"]
    assert "/exams/1" in smtp[0].get_content()


def test_no_email_without_smtp(app, db):
    user = factories.user(email="someone@example.com")
    with app.test_request_context("/"):
        [note] = notify([user], kind="test", title="x")
    assert note.email_to is None


def test_a_keyed_notice_reaches_each_person_once(db):
    """A notice with a key (an exam reminder, a session reminder) is put in an inbox once, however often
    the job that sends it runs: the second call skips the people who already have it."""
    first, second = factories.user(), factories.user()
    made = notify([first], kind="test.reminder", title="明天开考", key="exam-7-24h")
    assert [n.user_id for n in made] == [first.id]
    again = notify([first, second], kind="test.reminder", title="明天开考", key="exam-7-24h")
    assert [n.user_id for n in again] == [second.id]
    other_key = notify([first], kind="test.reminder", title="一小时后截止", key="exam-7-1h")
    assert len(other_key) == 1
    unkeyed = notify([first], kind="test.reminder", title="无键通知") + notify(
        [first], kind="test.reminder", title="无键通知"
    )
    assert len(unkeyed) == 2  # without a key every call is a new notice, as before
    count = db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == first.id, Notification.once_key == "exam-7-24h"
        )
    )
    assert count == 1
