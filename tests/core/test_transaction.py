"""The one request path (core.transaction, core.errors): a success commits once, an error status or a
refused rule commits nothing, and a DomainError answers in the client's terms."""

from __future__ import annotations

import pytest
from flask import Response, get_flashed_messages
from sqlalchemy import select

from core.errors import DomainError, NotFound, answer_domain_error, refusals_go_to
from core.notifications import Notification
from core.transaction import finish_request, keep_changes
from tests import factories


@pytest.fixture
def user(db):
    person = factories.user()
    db.session.commit()  # outside what the tests below roll back (the test's own transaction still ends it)
    return person


def _note(db, user) -> int:
    note = Notification(user_id=user.id, kind="test", title="t", body="", link="/")
    db.session.add(note)
    db.session.flush()
    return note.id


def _stored(db, note_id: int) -> bool:
    db.session.rollback()  # undoes whatever was not committed
    return db.session.scalar(select(Notification.id).where(Notification.id == note_id)) is not None


@pytest.mark.parametrize(
    ("status", "kept"), [(200, True), (302, True), (400, False), (409, False), (500, False)]
)
def test_a_request_commits_only_a_success(app, db, user, status, kept):
    with app.test_request_context("/"):
        note_id = _note(db, user)
        finish_request(Response(status=status))
    assert _stored(db, note_id) is kept


def test_keep_changes_commits_an_error_answer(app, db, user):
    with app.test_request_context("/"):
        note_id = _note(db, user)
        keep_changes()
        finish_request(Response(status=409))
    assert _stored(db, note_id)


def _refuse(app, db, user, error: DomainError, **request):
    """Change something, refuse with ``error`` and run the request path's end: (response, note id, flashes)."""
    with app.test_request_context(**request):
        note_id = _note(db, user)
        response = answer_domain_error(error)
        if isinstance(response, tuple):
            response = app.make_response(response)
        finish_request(response)
        return response, note_id, get_flashed_messages(with_categories=True)


def test_a_refusal_rolls_back_and_flashes_back_to_the_page(app, db, user):
    response, note_id, flashes = _refuse(
        app, db, user, DomainError("Not now.", status=409),
        path="/x", method="POST", headers={"Referer": "http://localhost/exams/manage?x=1"},
    )  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"] == "/exams/manage?x=1"
    assert flashes == [("danger", "Not now.")]
    assert not _stored(db, note_id)


def test_a_refusal_never_redirects_to_another_site(app, db, user):
    response, _note_id, _f = _refuse(
        app,
        db,
        user,
        DomainError("No."),
        path="/x",
        method="POST",
        headers={"Referer": "https://evil.example/x"},
    )
    assert response.headers["Location"] in {"/", "http://localhost/"}


def test_refusals_go_to_names_the_page(app, db, user):
    with pytest.raises(DomainError) as info, refusals_go_to("/somewhere"):
        raise DomainError("Go there.")
    response, _note_id, _f = _refuse(app, db, user, info.value, path="/x", method="POST")
    assert response.headers["Location"] == "/somewhere"


def test_a_refusal_answers_json_clients_with_its_status(app, db, user):
    response, note_id, flashes = _refuse(
        app, db, user, DomainError("Not now.", status=409), path="/api/x", method="POST"
    )
    assert response.status_code == 409 and response.get_json() == {"error": "Not now."}
    assert flashes == [] and not _stored(db, note_id)


def test_a_refusal_that_keeps_changes_commits_them(app, db, user):
    error = DomainError("Recorded, but no.", status=409, keeps_changes=True, payload={"n": 1})
    response, note_id, _f = _refuse(app, db, user, error, path="/api/x", method="POST")
    assert response.status_code == 409 and response.get_json() == {"error": "Recorded, but no.", "n": 1}
    assert _stored(db, note_id)


def test_not_found_is_the_404_page(app, db, user):
    response, note_id, _f = _refuse(app, db, user, NotFound(), path="/x")
    assert response.status_code == 404 and "<html" in response.get_data(as_text=True).lower()
    assert not _stored(db, note_id)
