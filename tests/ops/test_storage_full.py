"""A full or read-only disk: a clear refusal, nothing half-written, no file without its record.

The instance folder is a real tmpfs mounted for the test (a few kilobytes, or remounted read-only), so
the operating system itself refuses the writes; the tests skip where mounting is not allowed.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from flask import session
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError

from core.errors import (
    StorageError,
    answer_database_unavailable,
    is_database_unavailable,
    is_storage_full,
)
from core.extensions import db as _db
from core.storage import write_file
from tests.training import factories as tf
from training.models import CourseMaterial, StoredFile

MOUNT, UMOUNT = shutil.which("mount"), shutil.which("umount")


def _mount(where: Path, size: str) -> bool:
    if MOUNT is None or UMOUNT is None:
        return False
    done = subprocess.run(
        [MOUNT, "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True
    )
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB file system of its own (tmpfs), unmounted afterwards."""
    where = tmp_path / "disk"
    where.mkdir()
    if not _mount(where, "64k"):
        pytest.skip("mounting a tmpfs needs root")
    yield where
    subprocess.run([UMOUNT, "-l", str(where)], check=False)


def _read_only(where: Path) -> None:
    subprocess.run([MOUNT, "-o", "remount,ro", str(where)], check=True)


def _files(where: Path) -> list[str]:
    return sorted(p.name for p in where.rglob("*") if p.is_file())


@pytest.fixture
def uploads_on(app):
    saved = app.config["UPLOAD_DIR"]

    def _point(where: Path):
        app.config["UPLOAD_DIR"] = str(where)

    yield _point
    app.config["UPLOAD_DIR"] = saved


def _upload_material(client, course, size: int):
    return client.post(
        f"/training/courses/{course.id}/materials",
        data={"title": "讲义", "file": (io.BytesIO(b"%PDF-1.7\n" + b"0" * size), "讲义.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


@pytest.mark.parametrize("trouble", ["full", "read-only"])
def test_an_upload_the_disk_cannot_take_is_refused_and_leaves_nothing(
    client, db, login, small_disk, uploads_on, trouble
):
    uploads_on(small_disk)
    (small_disk / "training").mkdir()
    login(role="trainer")
    course = tf.course()
    if trouble == "read-only":
        _read_only(small_disk)
        size = 1_000
    else:
        size = 200_000  # more than the 64 KiB disk holds
    answer = _upload_material(client, course, size)
    page = answer.get_data(as_text=True)
    assert "存储空间已满或无法写入" in page, page[:2000]
    assert _files(small_disk) == []  # not even the hidden partial file
    assert db.session.scalar(select(func.count(CourseMaterial.id))) == 0
    assert db.session.scalar(select(func.count(StoredFile.id))) == 0


def test_an_upload_that_fits_is_kept(client, db, login, small_disk, uploads_on):
    uploads_on(small_disk)
    login(role="trainer")
    course = tf.course()
    _upload_material(client, course, 1_000)
    [name] = _files(small_disk)
    assert name.endswith(".pdf") and not name.startswith(".")
    assert len(course.materials) == 1


def test_a_file_written_by_a_request_that_is_rolled_back_is_removed(app, db, tmp_path):
    kept, dropped = tmp_path / "kept.bin", tmp_path / "dropped.bin"
    write_file(kept, b"kept")
    _db.session.commit()  # the test's outer transaction stays open; the file's request is done
    write_file(dropped, b"dropped")
    assert dropped.read_bytes() == b"dropped"
    _db.session.rollback()
    assert kept.exists() and not dropped.exists()


def test_a_write_refused_by_the_disk_is_a_storage_error_and_leaves_no_part(app, db, small_disk):
    with pytest.raises(StorageError):
        write_file(small_disk / "big.bin", b"x" * 200_000)
    assert _files(small_disk) == []


@pytest.fixture
def full_disk_error(small_disk):
    """The error SQLite really raises when its disk fills up mid-transaction."""
    engine = create_engine(f"sqlite:///{small_disk}/full.db")
    try:
        with engine.begin() as conn:
            conn.execute(text("create table t (x text)"))
            for _ in range(200):
                conn.execute(text("insert into t values (:x)"), {"x": "满" * 2000})
    except DBAPIError as exc:
        return exc
    finally:
        engine.dispose()
    pytest.fail("a 64 KiB disk took 1 MB")


def test_a_full_database_disk_is_storage_full_not_an_outage(full_disk_error):
    assert is_storage_full(full_disk_error)
    assert is_database_unavailable(full_disk_error)  # an OperationalError, which alone would read 503


@pytest.mark.parametrize("wants_json", [True, False])
def test_a_full_database_disk_answers_507_with_the_reason(app, db, full_disk_error, wants_json):
    headers = {"Accept": "application/json"} if wants_json else {}
    with app.test_request_context("/training/courses", method="POST", headers=headers):
        answer = app.make_response(answer_database_unavailable(full_disk_error))
        if wants_json:
            assert answer.status_code == 507
            assert "存储空间已满" in answer.get_json()["error"]
        else:
            assert answer.status_code == 302  # back to the page, the reason flashed
            assert any("存储空间已满" in str(m) for _c, m in session["_flashes"])
        assert "Retry-After" not in answer.headers  # waiting does not free a disk
