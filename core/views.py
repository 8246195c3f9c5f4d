"""Shell pages: the home dashboard, the notification inbox and the language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import HiddenField, RadioField

from core.auth import login_required, public
from core.extensions import db
from core.forms import PostForm, choices, safe_next_url
from core.health import health_report
from core.i18n import LOCALE_SESSION_KEY
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.models import utcnow
from core.navigation import DashboardCard, add_dashboard_card, cards_for
from core.notice_settings import email_choices, kinds_for, save_email_choices
from core.notifications import Notification, mark_read, smtp_configured, unread_count
from core.todo import CARD_LIMIT, todo_for

bp = Blueprint("core", __name__)


class LanguageForm(PostForm):
    language = HiddenField()
    next = HiddenField()


@bp.get("/")
@login_required
def home():
    now = utcnow()
    return render_template("core/home.html", cards=cards_for(current_user, now), now=now)


@bp.get("/todo")
@login_required
def todo():
    now = utcnow()
    return render_template("core/todo.html", items=todo_for(current_user, now), now=now)


@bp.get("/healthz")
@public
def healthz():
    report, code = health_report()
    return report, code, {"Cache-Control": "no-store"}


@bp.get("/notifications")
@login_required
def inbox():
    page = request.args.get("page", 1, type=int)
    query = (
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    pagination = db.paginate(query, page=page, per_page=30, error_out=False)
    return render_template("core/inbox.html", pagination=pagination, form=PostForm())


@bp.get("/notifications/<int:notification_id>")
@login_required
def open_notification(notification_id: int):
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != current_user.id:
        return render_template("errors/404.html"), 404
    mark_read(current_user.id, note.id)
    return redirect(safe_next_url(note.link) or url_for("core.inbox"))


CHANNELS = choices([("email", _l("E-mail and in-app")), ("inapp", _l("In-app only"))])


def _settings_form(kinds, current: dict[str, bool]):
    """One radio group per kind of notice (fields ``k0``, ``k1`` … in ``kinds`` order)."""

    class NoticeSettingsForm(PostForm):
        pass

    for i, kind in enumerate(kinds):
        field = RadioField(kind.label, choices=CHANNELS, default="email" if current[kind.kind] else "inapp")
        setattr(NoticeSettingsForm, f"k{i}", field)
    return NoticeSettingsForm()


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def notice_settings():
    """The signed-in person's choice, per kind of notice, of e-mail and in-app or in-app only."""
    kinds = kinds_for(current_user)
    form = _settings_form(kinds, email_choices(current_user))
    if form.validate_on_submit():
        chosen = {k.kind: form[f"k{i}"].data == "email" for i, k in enumerate(kinds)}
        save_email_choices(current_user, chosen, utcnow())
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("core.notice_settings"))
    groups: dict[str, list] = {}
    for i, kind in enumerate(kinds):
        groups.setdefault(str(kind.group), []).append(form[f"k{i}"])
    return render_template(
        "core/notice_settings.html",
        form=form,
        groups=groups,
        smtp=smtp_configured(),
        has_email=bool(current_user.email),
    )


@bp.post("/notifications/read-all")
@login_required
def read_all():
    if PostForm().validate_on_submit():
        mark_read(current_user.id)
    return redirect(url_for("core.inbox"))


@bp.post("/language")
@public
def set_language():
    form = LanguageForm()
    if form.validate_on_submit() and form.language.data in current_app.config["LANGUAGES"]:
        session[LOCALE_SESSION_KEY] = form.language.data
        if current_user.is_authenticated:
            current_user.locale = form.language.data
    return redirect(safe_next_url(form.next.data) or url_for("core.home"))


def _public_url_card(_user, _now):
    """Shown to administrators while PUBLIC_BASE_URL is missing (see ``core._check_public_base_url``)."""
    if not current_app.config.get("PUBLIC_BASE_URL_MISSING"):
        return None
    return {"url": current_app.config["PUBLIC_BASE_URL"]}


def _todo_card(user, now):
    """Every user's to-do list, by date: the first items, and how many there are in all."""
    items = todo_for(user, now)
    return {"items": items[:CARD_LIMIT], "total": len(items), "now": now}


def init_app(app) -> None:
    app.register_blueprint(bp)
    add_dashboard_card(
        app, DashboardCard("core.todo", "core/cards/todo.html", _todo_card, order=2, width="col-12 col-xl-8")
    )
    add_dashboard_card(
        app,
        DashboardCard(
            "core.public_url",
            "core/cards/public_url.html",
            _public_url_card,
            roles=("admin",),
            order=0,
            width="col-12",
        ),
    )

    @app.context_processor
    def inject_shell():
        unread = 0
        if current_user and current_user.is_authenticated:
            unread = unread_count(current_user.id)
        return {
            "unread_notifications": unread,
            "language_form": LanguageForm(formdata=None),
            "languages": app.config["LANGUAGES"],
        }
