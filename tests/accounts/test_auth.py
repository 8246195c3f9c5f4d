"""Sign-in, rate limits, passwords, sessions ending, CSRF and redirects."""

import datetime as dt

import pytest
from sqlalchemy import select

from accounts import services
from accounts.models import User
from core.audit import AuditEntry
from core.models import utcnow
from tests import factories


def _login(client, employee_no, password=factories.PASSWORD, **extra):
    return client.post("/login", data={"employee_no": employee_no, "password": password, **extra})


def test_login_success_lands_on_dashboard(client, db):
    user = factories.user()
    response = _login(client, user.employee.employee_no)
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    page = client.get("/").get_data(as_text=True)
    assert user.employee.name in page
    assert (
        db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "auth.login", AuditEntry.user_id == user.id)
        )
        is not None
    )


def test_login_is_case_insensitive_on_employee_number(client, db):
    factories.user(employee_no="KF0042")
    assert _login(client, "kf0042").status_code == 302


def test_wrong_password_and_unknown_user_give_the_same_message(client, db):
    user = factories.user()
    wrong = _login(client, user.employee.employee_no, "not the password").get_data(as_text=True)
    unknown = _login(client, "NOBODY1", "whatever123").get_data(as_text=True)
    assert "工号或密码错误" in wrong or "Employee number or password is wrong" in wrong
    assert ("工号或密码错误" in unknown) == ("工号或密码错误" in wrong)
    assert client.get("/").status_code == 302  # still not signed in


def test_account_locks_after_repeated_failures(app, client, db):
    user = factories.user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _login(client, user.employee.employee_no, "wrong-password")
    db.session.refresh(user)
    assert user.locked_until is not None and user.locked_until > utcnow()
    # Even the right password is refused while locked.
    response = _login(client, user.employee.employee_no)
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_lock_expires(app, db):
    user = factories.user()
    now = utcnow()
    user.locked_until = now - dt.timedelta(seconds=1)
    db.session.flush()
    assert services.authenticate(user.employee.employee_no, factories.PASSWORD, now) is user


def test_rate_limit_per_account_across_ips(app, client, db, rate_limits):
    user = factories.user()
    limit = int(app.config["LOGIN_RATE_LIMIT_ACCOUNT"].split()[0])
    codes = []
    for i in range(limit + 1):
        response = client.post(
            "/login",
            data={"employee_no": user.employee.employee_no, "password": "bad"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i + 1}"},
        )
        codes.append(response.status_code)
    assert codes[:limit] == [200] * limit
    assert codes[limit] == 429


def test_twenty_wrong_passwords_on_one_account_are_throttled(client, db, rate_limits):
    user = factories.user()
    codes = [_login(client, user.employee.employee_no, f"guess-{i}").status_code for i in range(20)]
    assert 429 in codes


def test_password_spraying_from_one_address_is_throttled(app, client, db, rate_limits):
    users = [factories.user() for _ in range(50)]
    codes = [_login(client, u.employee.employee_no, "Spring2026!").status_code for u in users]
    limit = int(app.config["LOGIN_RATE_LIMIT_IP"].split()[0])
    assert codes[:limit] == [200] * limit
    assert set(codes[limit:]) == {429}


def test_a_hall_behind_one_address_signs_in(app, db, rate_limits):
    """100 candidates behind one NAT address all get in, also after some typed their password wrong."""
    users = [factories.user() for _ in range(100)]
    for u in users[:10]:
        assert _login(app.test_client(), u.employee.employee_no, "typo").status_code == 200
    codes = [_login(app.test_client(), u.employee.employee_no).status_code for u in users]
    assert codes == [302] * 100


def test_forced_password_change_at_first_login(client, db):
    user = factories.user(must_change_password=True)
    _login(client, user.employee.employee_no)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    response = client.post(
        "/account/password",
        data={"current": factories.PASSWORD, "new": "a new long secret", "confirm": "a new long secret"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    db.session.refresh(user)
    assert user.must_change_password is False


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        ("wrong current", "a brand new secret", "当前密码错误"),
        (factories.PASSWORD, "short", "8"),
        (factories.PASSWORD, "password123", "过于常见"),
    ],
)
def test_password_change_refusals(client, login, db, current, new, message):
    user = login()
    response = client.post("/account/password", data={"current": current, "new": new, "confirm": new})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_hash == factories.password_hash()


def test_password_change_ends_other_sessions(app, db):
    user = factories.user()
    phone, pc = app.test_client(), app.test_client()
    for c in (phone, pc):
        assert _login(c, user.employee.employee_no).status_code == 302
    assert (
        phone.post(
            "/account/password",
            data={
                "current": factories.PASSWORD,
                "new": "another fine secret",
                "confirm": "another fine secret",
            },
        ).status_code
        == 302
    )
    assert phone.get("/").status_code == 200  # the device that changed it stays signed in
    assert pc.get("/").status_code == 302  # the other one is signed out


def test_logout_invalidates_the_session_cookie(app, db):
    user = factories.user()
    client = app.test_client()
    _login(client, user.employee.employee_no)
    stolen = client.get_cookie("gridready_session").value
    assert client.post("/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie("gridready_session", stolen)
    assert replay.get("/").status_code == 302


def test_disabled_account_loses_its_session(app, db):
    user = factories.user()
    client = app.test_client()
    _login(client, user.employee.employee_no)
    assert client.get("/").status_code == 200
    admin_client = app.test_client()
    admin = factories.user(grants=[("admin", None)])
    _login(admin_client, admin.employee.employee_no)
    assert admin_client.post(f"/admin/users/{user.id}/active").status_code == 302
    assert client.get("/").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).active is False
    assert _login(client, user.employee.employee_no).status_code == 200  # refused


def test_employee_who_left_loses_the_session(app, db):
    user = factories.user()
    client = app.test_client()
    _login(client, user.employee.employee_no)
    services.set_employee_status(user.employee, "left")
    db.session.flush()
    assert client.get("/").status_code == 302


def test_csrf_rejects_a_form_post_without_token(app, client, db, csrf_enabled):
    user = factories.user()
    response = client.post(
        "/login", data={"employee_no": user.employee.employee_no, "password": factories.PASSWORD}
    )
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_csrf_accepts_the_token_from_the_form(app, client, db, csrf_enabled):
    user = factories.user()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        data={"employee_no": user.employee.employee_no, "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "target", ["https://evil.example/x", "//evil.example", "/\\evil.example", "javascript:alert(1)"]
)
def test_login_next_cannot_redirect_off_site(client, db, target):
    user = factories.user()
    response = _login(client, user.employee.employee_no, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_login_next_to_a_local_page(client, db):
    user = factories.user()
    response = _login(client, user.employee.employee_no, next="/notifications?page=2")
    assert response.headers["Location"] == "/notifications?page=2"


def test_session_cookie_flags(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None


def test_sign_in_starts_a_fresh_session_and_csrf_token(app, client, db, csrf_enabled):
    """A token issued before sign-in (e.g. planted by someone who set the victim's session) is dead
    afterwards; the chosen language survives."""
    import re

    from tests import factories

    user = factories.user()
    with client.session_transaction() as sess:
        sess["locale"] = "en"
    page = client.get("/login").get_data(as_text=True)
    old = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    signed_in = client.post(
        "/login",
        data={
            "csrf_token": old,
            "employee_no": user.employee.employee_no,
            "password": factories.PASSWORD,
        },
    )
    assert signed_in.status_code == 302
    with client.session_transaction() as sess:
        assert sess.get("locale") == "en"
    assert client.post("/notifications/read-all", data={"csrf_token": old}).status_code == 400
    fresh = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/").get_data(as_text=True)
    ).group(1)
    assert client.post("/notifications/read-all", data={"csrf_token": fresh}).status_code == 302
