"""The shell: jobs, error pages, language choice, demo seed, catalogues, migrations."""

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from accounts.models import Department, Employee, User
from core.extensions import db as _db
from core.jobs import JobRun, job_task, start_job
from core.seeding import seeders
from tests import factories
from tests.conftest import database_url

ROOT = Path(__file__).resolve().parents[2]


@job_task()
def _count_departments(job, report, *, label):
    total = _db.session.scalar(select(func.count(Department.id)))
    report(total, total, "counted")
    return {"label": label, "departments": total}


@job_task()
def _failing_job(job, report):
    factories.department("不该留下")
    _db.session.flush()
    raise ValueError("第 3 行：部门不存在")


def test_job_runs_after_commit_and_reports(client, login, db):
    user = login()
    factories.department()
    job = start_job("count", _count_departments, user=user, label="x")
    assert job.status == "queued"
    db.session.commit()
    db.session.expire_all()
    job = db.session.get(JobRun, job.id)
    assert job.status == "succeeded" and job.result["departments"] >= 1
    state = client.get(f"/jobs/{job.id}.json").get_json()
    assert state["status"] == "succeeded" and state["done"] == state["total"] >= 1
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert 'id="job-status">已完成<' in page and "succeeded" not in page.split("<main")[-1]


def test_failed_job_rolls_back_its_work_and_keeps_the_message(login, db):
    user = login()
    job = start_job("fail", _failing_job, user=user)
    db.session.commit()
    db.session.expire_all()
    job = db.session.get(JobRun, job.id)
    assert job.status == "failed" and "第 3 行" in job.message
    assert db.session.scalar(select(Department).where(Department.name == "不该留下")) is None


def test_another_users_job_is_404(client, login, db):
    owner = factories.user()
    job = JobRun(id=uuid.uuid4().hex, kind="x", created_by_id=owner.id)
    db.session.add(job)
    db.session.flush()
    login()
    assert client.get(f"/jobs/{job.id}.json").status_code == 404


def test_error_pages_are_friendly_and_translated(client, login, db):
    login()
    page = client.get("/no/such/page")
    assert page.status_code == 404 and "页面不存在" in page.get_data(as_text=True)


def test_500_rolls_back_the_session(app, db, monkeypatch):
    marker = f"RB{uuid.uuid4().hex[:6]}"

    def boom():
        _db.session.add(Department(name=marker, code=marker, path="/", kind="team"))
        _db.session.flush()
        raise RuntimeError("unexpected")

    boom.access = "public"
    monkeypatch.setitem(app.view_functions, "core.healthz", boom)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = app.test_client().get("/healthz", headers={"Accept": "text/html"})
    assert response.status_code == 500 and "出错" in response.get_data(as_text=True)
    assert db.session.scalar(select(Department).where(Department.code == marker)) is None


def test_language_switch_and_accept_language(client, login, db):
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(
        as_text=True
    )
    assert "登录" in client.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "登录" in client.get("/login").get_data(as_text=True)  # no header: Chinese
    user = login()
    client.post("/language", data={"language": "en", "next": "/"})
    db.session.refresh(user)
    assert user.locale == "en"
    assert "Notifications" in client.get("/notifications", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )


def test_language_switch_ignores_unknown_languages_and_offsite_next(client, db):
    response = client.post("/language", data={"language": "fr", "next": "https://evil.example"})
    assert response.status_code == 302 and "evil" not in response.headers["Location"]


def test_demo_seed_is_idempotent(app, db):
    for seeder in seeders(app):
        seeder.run(lambda line: None)
    db.session.flush()
    counts = (
        db.session.scalar(select(func.count(Employee.id))),
        db.session.scalar(select(func.count(User.id))),
    )
    lines: list[str] = []
    for seeder in seeders(app):
        seeder.run(lines.append)
    db.session.flush()
    assert (
        db.session.scalar(select(func.count(Employee.id))),
        db.session.scalar(select(func.count(User.id))),
    ) == counts
    assert counts[0] >= 60
    assert any("A0001" in line for line in lines)
    units = db.session.scalars(select(Department).where(Department.kind.in_(["branch", "center"]))).all()
    assert len(units) == 3


def test_every_string_has_a_chinese_and_an_english_translation():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "i18n.py"), "check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_dashboard_shows_role_cards(client, login, db):
    login("hr")
    page = client.get("/").get_data(as_text=True)
    assert 'data-card="accounts.me"' in page and 'data-card="accounts.staff"' in page


def test_employee_dashboard_has_no_staff_card(client, login, db):
    login()
    page = client.get("/").get_data(as_text=True)
    assert 'data-card="accounts.me"' in page and 'data-card="accounts.staff"' not in page


def _fresh_database_url() -> tuple[str, object]:
    """A new empty database on the suite's server (a temp SQLite file, or a new PostgreSQL database)."""
    url = database_url()
    if url.startswith("postgresql"):
        name = f"gridready_mig_{uuid.uuid4().hex[:8]}"
        admin_url = url.replace("postgresql://", "postgresql+psycopg://", 1).rsplit("/", 1)[0] + "/postgres"
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

        def drop():
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

        return admin_url.rsplit("/", 1)[0] + f"/{name}", drop
    path = Path(url.replace("sqlite:///", "")).with_name(f"mig-{uuid.uuid4().hex[:8]}.db")
    return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)


def test_migrations_from_empty_match_the_models_and_downgrade(tmp_path):
    url, drop = _fresh_database_url()
    env = {
        "DATABASE_URL": url,
        "FLASK_APP": "wsgi",
        "GRIDREADY_INSTANCE": str(tmp_path),
        "TASK_QUEUE": "immediate",
        "PATH": "/usr/bin:/bin",
    }
    flask = [sys.executable, "-m", "flask"]
    try:
        for args in (["db", "upgrade"], ["db", "check"], ["db", "downgrade", "base"], ["db", "upgrade"]):
            result = subprocess.run(
                [*flask, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
            )
            assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-2000:])
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), _db.metadata)
        engine.dispose()
        assert diff == []
    finally:
        drop()


@pytest.mark.parametrize(
    "path",
    [
        "/static/css/app.css",
        "/bootstrap/static/css/bootstrap.min.css",
        "/bootstrap/static/icons/bootstrap-icons.svg",
    ],
)
def test_assets_are_served_locally(client, path):
    response = client.get(path)
    response.close()  # static files are streamed from disk
    assert response.status_code == 200


def test_pages_reference_no_cdn(client, login, db):
    login("admin")
    for url in ("/", "/login", "/people", "/admin/users"):
        page = client.get(url).get_data(as_text=True)
        assert "cdn." not in page and "https://" not in page.replace("https://evil", "")


def test_security_headers(client, db):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "object-src 'none'" in policy
    assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy


def test_no_inline_event_handlers_in_templates():
    """The CSP forbids inline scripts, so no template may carry on* handlers or inline <script> code
    (JSON data blocks are fine: they are not executed)."""
    import re

    from core.config import PROJECT_ROOT

    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
    offenders = []
    for path in (PROJECT_ROOT / "templates").rglob("*.html"):
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", path.read_text(encoding="utf-8"), flags=re.S)
        if handler.search(text) or inline_script.search(text):
            offenders.append(str(path.relative_to(PROJECT_ROOT)))
    assert offenders == []


def test_signed_in_pages_are_not_kept_in_the_browser_cache(client, login, db):
    """After signing out, Back must not show a private page from the browser's cache."""
    login("admin")
    for url in ("/", "/people", "/admin/users", "/no-such-page"):
        assert client.get(url).headers.get("Cache-Control") == "no-store", url


def test_public_pages_and_static_files_keep_their_caching(client, login, db):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    login()
    response = client.get("/static/css/app.css")
    response.close()
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "no-store" not in client.get("/verify/NO-SUCH-CODE").headers.get("Cache-Control", "")
