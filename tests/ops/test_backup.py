"""flask backup → flask restore into a fresh database and folder: every row, file and certificate hash is back."""

import datetime as dt
import hashlib
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.backup import BackupError, restore_backup
from core.models import utcnow
from exams.models import AudienceKind, ExamAudience
from tests import factories
from tests.conftest import is_postgres
from tests.exams import factories as ef
from tests.incentives import factories as incf
from training.certificates import issue_certificate


def _seed(app, committed_db):
    """A certificate with its stored PDF, a submitted attempt with answers, ledger lines and an upload."""
    user = factories.user()
    now = utcnow()
    exam = ef.exam(
        ef.blueprint([ef.question("single"), ef.question("truefalse")]),
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=5),
        pass_percent=Decimal(50),
    )
    exam.audience.append(ExamAudience(kind=AudienceKind.EMPLOYEE, target_id=user.employee_id))
    issue_certificate(
        "qualification",
        user.employee,
        title="客户服务专员岗位资格",
        number="KFZY-BACKUP-1",
        issued_on=dt.date(2026, 1, 5),
        expires_on=dt.date(2029, 1, 4),
        issuer="培训中心",
        source_key="backup-test-1",
        now=now,
    )
    rule = incf.rule("BACKUP")
    incf.entry(user.employee, rule, 5)
    incf.entry(user.employee, rule, 3)
    committed_db.session.commit()
    client = app.test_client()
    client.post("/login", data={"employee_no": user.employee.employee_no, "password": factories.PASSWORD})
    attempt_id = client.post(f"/api/exams/{exam.id}/start").get_json()["attempt_id"]
    for position, answer in ((1, {"choice": ["A"]}), (2, {"choice": ["T"]})):
        saved = client.put(
            f"/api/exams/attempts/{attempt_id}/answers/{position}", json={"seq": 1, "response": answer}
        )
        assert saved.status_code == 200
    assert client.post(f"/api/exams/attempts/{attempt_id}/submit").status_code == 200
    upload = Path(app.config["UPLOAD_DIR"]) / "training" / "backup-test.pdf"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(b"%PDF-1.4 scan of a paper sign-in sheet")
    return upload


@pytest.fixture
def fresh_database(app, tmp_path):
    """An empty database of the suite's kind, dropped afterwards."""
    source = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if not is_postgres():
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"gr_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(source.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield source.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_backup_restores_every_row_file_and_certificate_hash(app, committed_db, fresh_database, tmp_path):
    upload = _seed(app, committed_db)
    archive = tmp_path / "gridready.tar.gz"
    try:
        result = app.test_cli_runner().invoke(args=["backup", "--to", str(archive)])
    finally:
        upload.unlink()
    assert result.exit_code == 0, result.output
    restored_uploads = tmp_path / "restored-uploads"
    manifest = restore_backup(archive, fresh_database, str(restored_uploads))
    assert manifest["rows"]["certificates"] == 1 and manifest["rows"]["point_entries"] == 2
    assert manifest["rows"]["attempt_items"] == 2 and manifest["rows"]["exam_attempts"] == 1
    assert (restored_uploads / "training" / "backup-test.pdf").read_bytes().startswith(b"%PDF-1.4 scan")
    engine = create_engine(fresh_database)
    try:
        with engine.connect() as conn:
            certificates = conn.execute(text("SELECT pdf, sha256 FROM certificates")).all()
            answers = conn.execute(text("SELECT response FROM attempt_items ORDER BY position")).all()
            points = conn.execute(text("SELECT points FROM point_entries ORDER BY points")).scalars().all()
    finally:
        engine.dispose()
    assert certificates and all(hashlib.sha256(pdf).hexdigest() == sha for pdf, sha in certificates)
    assert len(answers) == 2 and all(a.response for a in answers)
    assert [Decimal(p) for p in points] == [Decimal(3), Decimal(5)]


def test_restore_refuses_a_database_that_is_not_empty(app, committed_db, tmp_path):
    archive = tmp_path / "gridready.tar.gz"
    assert app.test_cli_runner().invoke(args=["backup", "--to", str(archive)]).exit_code == 0
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(archive, app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path / "uploads"))
