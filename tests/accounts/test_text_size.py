"""The text size a person chooses in the user menu (标准 / 大 / 特大) is kept on the account and set on every
page they open (``<html class="text-size-…">``)."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.audit import AuditEntry


def _html_class(page: str) -> str:
    return re.search(r"<html [^>]*class=\"([^\"]*)\"", page).group(1)


def test_a_new_account_reads_the_standard_size(client, login):
    login()
    assert _html_class(client.get("/").get_data(as_text=True)) == "text-size-standard"


def test_the_chosen_size_is_kept_and_set_on_every_page(client, login, db):
    user = login()
    response = client.post(
        "/me/text-size", data={"text_size": "xlarge", "next": "/training/my/qualifications"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/training/my/qualifications"
    db.session.refresh(user)
    assert user.text_size == "xlarge"
    for url in ("/", "/training/my/qualifications", "/exams/mine", "/notifications"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert _html_class(page.get_data(as_text=True)) == "text-size-xlarge", url
    changes = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "User")).all()
    assert any((e.details or {}).get("text_size") for e in changes)


def test_the_menu_offers_the_three_sizes_and_marks_the_chosen_one(client, login):
    login()
    client.post("/me/text-size", data={"text_size": "large"})
    page = client.get("/").get_data(as_text=True)
    menu = page.split('data-testid="text-size"')[1].split("</form>")[0]
    assert re.findall(r'value="(\w+)" aria-pressed="(\w+)">([^<]+)<', menu) == [
        ("standard", "false", "标准"),
        ("large", "true", "大"),
        ("xlarge", "false", "特大"),
    ]


def test_an_unknown_size_changes_nothing(client, login, db):
    user = login()
    client.post("/me/text-size", data={"text_size": "huge"})
    db.session.refresh(user)
    assert user.text_size == "standard"


def test_choosing_a_size_needs_the_csrf_token(client, login, db, request):
    user = login()
    request.getfixturevalue("csrf_enabled")
    assert client.post("/me/text-size", data={"text_size": "large"}).status_code == 400
    db.session.refresh(user)
    assert user.text_size == "standard"


def test_signed_out_pages_read_the_standard_size(client, db):
    assert _html_class(client.get("/login").get_data(as_text=True)) == "text-size-standard"
