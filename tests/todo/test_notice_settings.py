"""The notification settings page: each person sets their own choices, sees only the kinds that can reach
them, and the form is CSRF-protected."""

from sqlalchemy import select

from core.notice_settings import NoticePreference, email_choices
from tests import factories


def _field_for(page: str, label: str) -> str:
    """The radio-group name of the kind labelled ``label`` on the page."""
    block = page.split(label)[0].rsplit("<fieldset", 1)[1] + page.split(label)[1].split("</fieldset>")[0]
    return block.split('name="')[1].split('"')[0]


def test_a_person_saves_in_app_only_for_one_kind(client, login, db):
    user = login()
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "通知设置" in page and "培训班报名成功" in page and "邮件和站内" in page and "仅站内" in page
    name = _field_for(page, "培训班报名成功")
    response = client.post("/notifications/settings", data={name: "inapp"})
    assert response.status_code == 302
    choices = email_choices(user)
    assert choices["training.enrolled"] is False and choices["training.hours"] is True
    page = client.get("/notifications/settings").get_data(as_text=True)
    tags = [t for t in page.split("<input") if f'name="{name}"' in t.split(">")[0]]
    checked = [t.split(">")[0] for t in tags if "checked" in t.split(">")[0]]
    assert len(checked) == 1 and 'value="inapp"' in checked[0]  # the saved choice shows


def test_staff_kinds_only_for_staff(client, login, db):
    login()
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "新的积分申诉" not in page and "半年度演练达标情况" not in page
    client.post("/logout")
    login("hr")
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "新的积分申诉" in page


def test_only_ones_own_choices_change(client, login, db):
    other = factories.user()
    login()
    page = client.get("/notifications/settings").get_data(as_text=True)
    client.post("/notifications/settings", data={_field_for(page, "学时已记入"): "inapp"})
    assert (
        db.session.scalars(select(NoticePreference).where(NoticePreference.user_id == other.id)).all() == []
    )
    assert email_choices(other)["training.hours"] is True


def test_settings_need_sign_in_and_the_form_token(client, login, db, request):
    response = client.get("/notifications/settings")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    user = login()
    request.getfixturevalue("csrf_enabled")
    page = client.get("/notifications/settings").get_data(as_text=True)
    client.post("/notifications/settings", data={_field_for(page, "学时已记入"): "inapp"})
    assert email_choices(user)["training.hours"] is True
