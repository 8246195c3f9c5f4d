"""Notifications: one in-app inbox for every module, plus e-mail through SMTP when it is configured.

Modules call ``notify(users, kind=..., title=..., body=..., link=...)``. Titles and bodies may be lazy
strings (``lazy_gettext``): each recipient gets them in their own language. E-mail goes out after the
transaction commits, through the task queue, so a rolled-back change never sends mail.

Each person chooses per kind of notice whether it also comes by e-mail or stays in the inbox only
(``core.notice_settings``); ``notify`` honours that choice.

A notice that must reach each person once (a reminder a periodic job sends, a notice a retried task
sends) carries a ``key``: the inbox holds at most one notification per person, kind and key (a unique
index), so a second call, a retry or a second worker racing the first skips whoever already has it.

E-mail delivery claims its rows before it sends (``deliver_pending_email``): a conditional UPDATE stamps
the rows with the delivery's own token (on PostgreSQL choosing them with FOR UPDATE SKIP LOCKED, so a
second worker takes other rows instead of waiting), commits, and only then talks to SMTP. Two workers
running at the same moment therefore never send one notice twice. Each sent e-mail is recorded
(``emailed_at``) and committed at once; a failed delivery releases the rows it has not sent, and the task
retries. A worker that dies holding a claim cannot release it: its rows become sendable again after
``MAIL_CLAIM_TIMEOUT`` seconds (default 15 minutes). The one window left is a worker dying between the
SMTP server accepting a message and the commit of ``emailed_at``: that message goes again after the
timeout (mail is delivered at least once, never twice by racing workers).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import smtplib
import uuid
from collections.abc import Iterable
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import ForeignKey, Index, String, Text, event, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.extensions import db
from core.models import utcnow
from core.notice_settings import inbox_only
from core.queue import app_task, enqueue


class Notification(db.Model):
    __tablename__ = "notifications"
    __audit__ = False
    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        Index("uq_notifications_once", "user_id", "kind", "once_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None]
    email_to: Mapped[str | None] = mapped_column(String(200))
    emailed_at: Mapped[dt.datetime | None]
    # the delivery that is sending this e-mail now (its token) and since when; NULL when nobody is
    email_claim: Mapped[str | None] = mapped_column(String(36))
    email_claimed_at: Mapped[dt.datetime | None]
    # set when the notice must reach each person once; NULL keys never collide (plain notices)
    once_key: Mapped[str | None] = mapped_column(String(120))


def smtp_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def notify(
    users: Iterable,
    *,
    kind: str,
    title,
    body="",
    link: str | None = None,
    email: bool = True,
    now: dt.datetime | None = None,
    key: str | None = None,
) -> list[Notification]:
    """Put a notification in each user's inbox (and queue an e-mail when SMTP is configured, unless the
    person chose the inbox only for this kind).

    With a ``key``, each person gets the notice once: people who already hold this kind and key are
    skipped, and a concurrent insert that loses the race to the unique index is skipped too.
    Returns the notifications created by this call."""
    now = now or utcnow()
    send_mail = email and smtp_configured()
    users = list(users)
    if key is not None:
        have = set(
            db.session.scalars(
                select(Notification.user_id).where(
                    Notification.kind == kind,
                    Notification.once_key == key,
                    Notification.user_id.in_([u.id for u in users]),
                )
            )
        )
        users = [u for u in users if u.id not in have]
    created = []
    for row in _rows(
        users, kind=kind, title=title, body=body, link=link, now=now, key=key, send_mail=send_mail
    ):
        note = Notification(**row)
        if key is None:
            db.session.add(note)
        elif not _add_once(note):
            continue
        created.append(note)
    if any(n.email_to for n in created):
        db.session.info["mail_after_commit"] = True
    return created


# Rows a batch of a bulk insert with RETURNING: short enough that psycopg caches the query's placeholder
# conversion (queries up to 4 KB); a thousand-row batch is converted afresh each time, which cost the
# assignment job's first night ~20 s of its 60 (measured: pages of 1,000 rows 62 s, 40 rows 42 s, 25 rows 40 s).
BULK_PAGE = 25


def notify_many(
    users: Iterable,
    *,
    kind: str,
    title,
    body="",
    link: str | None = None,
    email: bool = True,
    now: dt.datetime | None = None,
    key: str | None = None,
) -> list[int]:
    """``notify`` for thousands of people at once (a nightly job's notices): the same inbox rows, e-mail
    address by each person's choice for the kind, once-key and after-commit e-mail, written with multi-row
    inserts (SQLAlchemy's batched executemany) instead of one ORM object and one savepoint a person. With a ``key``
    the unique index decides (``ON CONFLICT DO NOTHING`` on PostgreSQL, ``INSERT OR IGNORE``'s equivalent
    on SQLite): whoever already holds the notice, or gets it first from a racing worker, is skipped.
    Titles are rendered once per language. Returns the ids of the users notified by this call."""
    now = now or utcnow()
    send_mail = email and smtp_configured()
    users = list({u.id: u for u in users}.values())
    if not users:
        return []
    rows = _rows(users, kind=kind, title=title, body=body, link=link, now=now, key=key, send_mail=send_mail)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    created: list[int] = []
    mailed = False
    statement = insert(Notification)
    if key is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["user_id", "kind", "once_key"])
    statement = statement.returning(Notification.user_id).execution_options(
        insertmanyvalues_page_size=BULK_PAGE
    )
    for start in range(0, len(rows), 1000):
        part = rows[start : start + 1000]
        # executemany form: SQLAlchemy compiles the statement once and sends the rows as multi-row VALUES
        # batches ("insertmanyvalues"); a ``.values(part)`` statement would be compiled afresh every time
        done = set(db.session.scalars(statement, part))
        created.extend(row["user_id"] for row in part if row["user_id"] in done)
        mailed = mailed or any(row["email_to"] for row in part if row["user_id"] in done)
    if mailed:
        db.session.info["mail_after_commit"] = True
    return created


def _rows(users: list, *, kind: str, title, body, link, now, key, send_mail: bool) -> list[dict]:
    """The inbox rows of one notice for ``users``: title and body in each person's language (rendered once
    per language), the e-mail address unless SMTP is off or the person chose the inbox only for this kind."""
    no_mail = inbox_only([u.id for u in users], kind) if send_mail else set()
    default_locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    texts: dict[str, tuple[str, str]] = {}
    rows = []
    for user in users:
        locale = getattr(user, "locale", None) or default_locale
        if locale not in texts:
            with force_locale(locale):
                texts[locale] = (str(title)[:300], str(body))
        title_text, body_text = texts[locale]
        address = getattr(user, "email", None) if send_mail and user.id not in no_mail else None
        rows.append(
            {
                "user_id": user.id,
                "kind": kind,
                "title": title_text,
                "body": body_text,
                "link": link,
                "created_at": now,
                "email_to": address or None,
                "once_key": key,
            }
        )
    return rows


def _add_once(note: Notification) -> bool:
    """Insert a keyed notice in a savepoint; False when another transaction already holds it."""
    try:
        with db.session.begin_nested():
            db.session.add(note)
    except IntegrityError:
        return False
    return True


def unread_count(user_id: int) -> int:
    """How many unread notifications the user has (the bell's number)."""
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def mark_read(user_id: int, notification_id: int | None = None, now: dt.datetime | None = None) -> int:
    """Mark one (or, with no id, every) unread notification of the user as read."""
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    return db.session.execute(stmt.values(read_at=now or utcnow())).rowcount


def deliver_pending_email(limit: int = 200) -> int:
    """Send the e-mails of notifications not yet e-mailed, each once even when several workers run at the
    same moment; returns how many went out. Commits: the claim before sending, each sent e-mail after."""
    cfg = current_app.config
    if not cfg.get("SMTP_HOST"):
        return 0
    token = claim_pending_email(limit)
    db.session.commit()  # the claim must be seen by other workers before any message leaves
    pending = db.session.scalars(
        select(Notification).where(Notification.email_claim == token).order_by(Notification.id)
    ).all()
    if not pending:
        return 0
    messages = [(note.id, _notification_email(note)) for note in pending]
    sent = 0
    try:
        with smtp_connection() as smtp:
            for note_id, message in messages:
                smtp.send_message(message)
                db.session.execute(
                    update(Notification)
                    .where(Notification.id == note_id)
                    .values(emailed_at=utcnow(), email_claim=None, email_claimed_at=None)
                )
                db.session.commit()
                sent += 1
    except Exception:
        db.session.rollback()
        _release_claim(token)
        db.session.commit()
        raise
    return sent


def claim_pending_email(limit: int, now: dt.datetime | None = None) -> str:
    """Stamp up to ``limit`` notifications whose e-mail is due and unclaimed (or whose claim is older than
    the claim timeout) with a new token, and return it; the caller commits before sending."""
    now = now or utcnow()
    stale = now - dt.timedelta(seconds=current_app.config["MAIL_CLAIM_TIMEOUT"])
    sendable = (
        Notification.email_to.is_not(None),
        Notification.emailed_at.is_(None),
        (Notification.email_claimed_at.is_(None)) | (Notification.email_claimed_at < stale),
    )
    chosen = (
        select(Notification.id)
        .where(*sendable)
        .order_by(Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite serialises writers and renders nothing
    )
    token = uuid.uuid4().hex
    # The conditions stand again in the UPDATE: a row claimed by another worker after ``chosen`` read it
    # (PostgreSQL re-checks them on the locked row; SQLite runs one writer at a time) is not taken twice.
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_(chosen.scalar_subquery()), *sendable)
        .values(email_claim=token, email_claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return token


def _release_claim(token: str) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.email_claim == token, Notification.emailed_at.is_(None))
        .values(email_claim=None, email_claimed_at=None)
        .execution_options(synchronize_session=False)
    )


def _notification_email(note: Notification) -> EmailMessage:
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_FROM"]
    msg["To"] = note.email_to
    msg["Subject"] = f"[GridReady] {note.title}"
    text = note.body or note.title
    if note.link:
        text += "\n\n" + cfg["PUBLIC_BASE_URL"].rstrip("/") + note.link
    msg.set_content(text)
    return msg


@contextlib.contextmanager
def smtp_connection():
    """An SMTP connection to the configured server (STARTTLS and login when configured)."""
    cfg = current_app.config
    with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=30) as smtp:
        if cfg.get("SMTP_STARTTLS"):
            smtp.starttls()
        if cfg.get("SMTP_USER"):
            smtp.login(cfg["SMTP_USER"], cfg["SMTP_PASSWORD"] or "")
        yield smtp


def send_mail(to: str, subject: str, text: str, attachments: Iterable[tuple[str, str, bytes]] = ()) -> None:
    """Send one e-mail now (with attachments: (file name, MIME type, bytes)); raises when SMTP fails.
    For mail that must go out once, the caller keeps its own once-record (notices use ``notify``)."""
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = f"[GridReady] {subject}"
    msg.set_content(text)
    for name, mime, data in attachments:
        maintype, _sep, subtype = mime.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    with smtp_connection() as smtp:
        smtp.send_message(msg)


@app_task(retries=3, retry_delay=60)
def send_pending_email() -> int:
    """Task: deliver queued notification e-mails."""
    return deliver_pending_email()


@event.listens_for(Session, "after_commit")
def _queue_mail(session: Session) -> None:
    if session.info.pop("mail_after_commit", False):
        enqueue(
            send_pending_email
        )  # the e-mails wait on their notifications; the sending is kept if the queue is down
