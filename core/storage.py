"""Files the application keeps in its instance folder: written whole or not at all.

Every package that stores a file (an upload, a staged import, a question image) writes it through
``write_file``. The bytes go to a hidden temporary file beside the target, are flushed to disk, and only
then take the target's name (``os.replace`` is atomic on one file system), so a full or read-only disk
never leaves half a file under a real name. A failure to write is a ``StorageError`` (507, "insufficient
storage"): the request is refused with a clear message and its transaction rolled back.

A file written during a request whose transaction is rolled back afterwards (a later step refused) is
removed again, so the folder holds no file that no record points to.

The database's own disk is the other half: SQLite's "database or disk is full" and PostgreSQL's
``disk_full`` (SQLSTATE 53100) are recognised by ``core.errors.is_storage_full`` and answered 507 like a
``StorageError``, rather than as a temporary outage, because waiting does not help until an operator
frees space.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
from contextlib import suppress
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from core.errors import StorageError
from core.extensions import db

log = logging.getLogger(__name__)

# write failures that mean "the disk cannot take it": full, over quota, read-only, or not ours to write
STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}


def write_file(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all; raises StorageError when the disk refuses."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(partial, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, path)
    except OSError as exc:
        with suppress(OSError):  # on a read-only disk even removing a file that is not there fails
            partial.unlink(missing_ok=True)
        if exc.errno not in STORAGE_ERRNOS:
            raise
        log.error("storage refused a write to %s: %s", path.parent, exc.strerror)
        raise StorageError() from exc
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that the request's rollback, or commit, is this file's too
    session.info.setdefault("written_files", []).append(path)
    return path


@event.listens_for(Session, "after_commit")
def _keep_written_files(session: Session) -> None:
    session.info.pop("written_files", None)


@event.listens_for(Session, "after_soft_rollback")
def _remove_written_files(session: Session, previous_transaction) -> None:
    # the outermost transaction (a savepoint's rollback keeps the request going), even when no statement
    # ran since the file was written (no DBAPI rollback then, hence not "after_rollback")
    if previous_transaction.parent is not None:
        return
    for path in session.info.pop("written_files", []):
        Path(path).unlink(missing_ok=True)
