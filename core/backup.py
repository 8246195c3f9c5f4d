"""``flask backup`` and ``flask restore``: one archive holding a consistent copy of the database (made by the
database's own tools: ``pg_dump -Fc`` for PostgreSQL, the SQLite backup API for SQLite, both consistent while
the site runs), the uploaded files under UPLOAD_DIR (certificate PDFs live in the database), and a manifest:
the schema revision, every table's row count, every file's sha256, and the secret-bearing settings listed
by name only (their values are never copied; keep them in the deployment's own secret store).

A restore goes into an empty database and an empty upload folder only, then checks the row counts and file
hashes against the manifest. docs/operations.md says when to run it and how to restore.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from core.extensions import db

FORMAT = 1
# Settings that carry secrets: the manifest says whether each was set, never its value.
SECRET_SETTINGS = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SMTP_USER", "SMTP_PASSWORD")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


def _is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def _pg_args(url: str) -> tuple[str, dict]:
    """A libpq URI without the password, and an environment carrying it (not visible in ``ps``)."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            present = set(inspect(conn).get_table_names())
            return {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in db.metadata.sorted_tables
                if t.name in present
            }
    finally:
        engine.dispose()


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def _dump_database(url: str, folder: Path) -> str:
    if _is_postgres(url):
        uri, env = _pg_args(url)
        target = folder / "database.dump"
        cmd = ["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-f", str(target), uri]
        subprocess.run(cmd, env=env, check=True)  # noqa: S603, S607 — our own arguments; PostgreSQL's tools on PATH
    else:
        target = folder / "database.sqlite3"
        source = sqlite3.connect(_sqlite_path(url))
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    return target.name


def _file_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): _sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def write_backup(database_url: str, upload_dir: str, archive: Path) -> dict:
    """Write the archive (database dump, uploads, manifest) and return its manifest."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gridready-backup-") as tmp:
        folder = Path(tmp)
        counts = _row_counts(database_url)
        dump_name = _dump_database(database_url, folder)
        uploads = Path(upload_dir)
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": "postgresql" if _is_postgres(database_url) else "sqlite",
            "dump": dump_name,
            "dump_sha256": _sha256(folder / dump_name),
            "revision": _revision(database_url),
            "rows": counts,
            "uploads": _file_hashes(uploads) if uploads.is_dir() else {},
            "secrets_not_copied": {name: bool(os.environ.get(name)) for name in SECRET_SETTINGS},
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(folder / "manifest.json", arcname="manifest.json")
            tar.add(folder / dump_name, arcname=dump_name)
            if uploads.is_dir():
                tar.add(uploads, arcname="uploads")
        partial.replace(archive)  # a finished archive or none: never a half-written one under the real name
    return manifest


def _require_empty(database_url: str, upload_dir: Path) -> None:
    if upload_dir.exists() and any(upload_dir.iterdir()):
        raise BackupError(f"the upload folder is not empty: {upload_dir}")
    if not _is_postgres(database_url) and not _sqlite_path(database_url).exists():
        return
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            if inspect(conn).get_table_names():
                raise BackupError("the database is not empty; restore into a new, empty database")
    finally:
        engine.dispose()


def _restore_database(manifest: dict, folder: Path, database_url: str) -> None:
    dump = folder / manifest["dump"]
    if _sha256(dump) != manifest["dump_sha256"]:
        raise BackupError("the database dump does not match its manifest (damaged archive)")
    if manifest["database"] == "postgresql":
        if not _is_postgres(database_url):
            raise BackupError("a PostgreSQL backup restores into PostgreSQL only")
        uri, env = _pg_args(database_url)
        cmd = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "-d", uri, str(dump)]
        subprocess.run(cmd, env=env, check=True)  # noqa: S603, S607 — as in _dump_database
        return
    if _is_postgres(database_url):
        raise BackupError("a SQLite backup restores into SQLite only")
    source = sqlite3.connect(dump)
    target = sqlite3.connect(_sqlite_path(database_url))
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def restore_backup(archive: Path, database_url: str, upload_dir: str) -> dict:
    """Restore ``archive`` into an empty database and upload folder, then check it against its manifest."""
    uploads = Path(upload_dir)
    _require_empty(database_url, uploads)
    with tempfile.TemporaryDirectory(prefix="gridready-restore-") as tmp:
        folder = Path(tmp)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(folder, filter="data")  # refuses absolute paths, .. and links out of the folder
        manifest = json.loads((folder / "manifest.json").read_text())
        if manifest.get("format") != FORMAT:
            raise BackupError(f"unknown archive format: {manifest.get('format')}")
        _restore_database(manifest, folder, database_url)
        if (folder / "uploads").is_dir():
            uploads.mkdir(parents=True, exist_ok=True)
            shutil.copytree(folder / "uploads", uploads, dirs_exist_ok=True)
    problems = _check(manifest, database_url, uploads)
    if problems:
        raise BackupError("restored, but it does not match the manifest: " + "; ".join(problems))
    return manifest


def _check(manifest: dict, database_url: str, uploads: Path) -> list[str]:
    counts = _row_counts(database_url)
    problems = [
        f"{table}: {counts.get(table)} rows, expected {n}"
        for table, n in manifest["rows"].items()
        if counts.get(table) != n
    ]
    found = _file_hashes(uploads) if uploads.is_dir() else {}
    problems += [
        f"uploads/{name} missing or changed"
        for name, h in manifest["uploads"].items()
        if found.get(name) != h
    ]
    return problems
