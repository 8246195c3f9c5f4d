"""Sign-in, sign-out, password change and the user's own profile."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from accounts import services
from accounts.errors import AccountError, LoginFailed
from accounts.forms import ChangePasswordForm, LoginForm, TextSizeForm
from accounts.views import accounts_bp as bp
from core import audit
from core.auth import login_required, public
from core.extensions import limiter
from core.forms import PostForm, safe_next_url
from core.i18n import LOCALE_SESSION_KEY
from core.i18n import gettext as _
from core.models import utcnow


def _account_key() -> str:
    """Rate-limit key for the account being tried (工号), so one account is guarded across IPs."""
    return "acct:" + (request.form.get("employee_no") or "").strip().upper()[:30]


def _ip_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_IP"]


def _account_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"]


def _sign_in_failed(response) -> bool:
    """Only a refused password (or locked account) counts against the sign-in limits.

    A whole exam hall or branch office reaches the server from one address, so counting every sign-in
    per address would lock the hall out; counting failures still stops guessing and password spraying.
    """
    return g.get("sign_in_failed", False)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_ip_limit, methods=["POST"], deduct_when=_sign_in_failed)
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"], deduct_when=_sign_in_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.employee_no.data, form.password.data, utcnow())
        except LoginFailed as exc:
            g.sign_in_failed = True
            # The page answers 200, so the request commits the failure counter and the audit entry.
            flash(str(exc), "danger")
        else:
            # A fresh session at sign-in (session fixation, and no CSRF token from before the sign-in
            # stays valid); only the chosen language carries over.
            language = session.get(LOCALE_SESSION_KEY)
            session.clear()
            if language:
                session[LOCALE_SESSION_KEY] = language
            login_user(user)
            return redirect(safe_next_url(form.next.data) or url_for("core.home"))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    if PostForm().validate_on_submit():
        audit.record("auth.logout", current_user._get_current_object())
        # The new session token is committed with the request (the answer is a redirect), which ends
        # every session of the account, this browser's cookie included.
        services.end_sessions(current_user)
        logout_user()
        language = session.get(LOCALE_SESSION_KEY)
        session.clear()  # the CSRF token of the signed-in session goes with it
        if language:
            session[LOCALE_SESSION_KEY] = language
        flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data, utcnow())
        except AccountError as exc:
            form.new.errors.append(str(exc))
        else:
            audit.record("auth.password_changed", current_user._get_current_object())
            # The password change ended every session; keep this one alive with the new token.
            login_user(current_user._get_current_object())
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("core.home"))
    return render_template("accounts/password.html", form=form, forced=current_user.must_change_password)


@bp.post("/me/text-size")
@login_required
def set_text_size():
    """The text size for every page, chosen in the user menu; back to the page it was chosen on."""
    form = TextSizeForm()
    if form.validate_on_submit():
        services.set_text_size(current_user._get_current_object(), form.text_size.data or "")
    return redirect(safe_next_url(form.next.data) or url_for("core.home"))


@bp.get("/me")
@login_required
def profile():
    return redirect(url_for("people.show", employee_id=current_user.employee_id))
