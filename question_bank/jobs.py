"""The question import as a background job (``core.jobs``), with progress on ``/jobs/<id>``: imports of
more questions than the page handles inline run here, all or nothing (the task's one transaction)."""

from __future__ import annotations

from pathlib import Path

from accounts.models import User
from core.extensions import db
from core.i18n import gettext as _
from core.jobs import JobRun, job_task
from core.models import utcnow
from question_bank import importing


@job_task()
def import_job(
    job: JobRun, report, *, path, fmt, base, status, import_duplicates, owner_department_id, user_id
):
    """Background import of a staged file (all or nothing: the task's one transaction)."""
    staged = Path(path)
    parsed = importing.parse_file(staged.read_bytes(), fmt)
    report(0, len(parsed.questions), _("Importing"))
    summary = importing.run_import(
        parsed,
        db.session.get(User, user_id),
        utcnow(),
        base_path=base,
        status=status,
        import_duplicates=import_duplicates,
        owner_department_id=owner_department_id,
        progress=lambda done, total: report(done, total, _("Importing")),
    )
    report(len(parsed.questions), len(parsed.questions), _("Done"))
    staged.unlink(missing_ok=True)
    job.message = importing.outcome_message(summary)
    job.result_link = "/question-bank/"  # no request context in a worker, so no url_for
    return summary
