"""Trainer pages: permissions (roles and scope), forms, preview, history, bulk actions, import and export."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from question_bank.formats.xlsx import template_rows, write_workbook
from question_bank.models import Question
from tests import factories as people
from tests.access import assert_access
from tests.question_bank import factories

BANK_URLS = [
    "/question-bank/",
    "/question-bank/new",
    "/question-bank/categories",
    "/question-bank/import",
    "/question-bank/import/template.xlsx",
    "/question-bank/export",
]


@pytest.mark.parametrize("url", BANK_URLS)
def test_bank_pages_role_matrix(app, db, url):
    seen = assert_access(app, url, allowed=("trainer", "admin"))
    assert seen["employee"] in (403, 404) and seen["hr"] in (403, 404)


def test_question_pages_role_matrix(app, db):
    question = factories.question()
    for url in (
        f"/question-bank/{question.id}",
        f"/question-bank/{question.id}/edit",
        f"/question-bank/{question.id}/compare",
    ):
        assert_access(app, url, allowed=("trainer", "admin"))


def test_scoped_trainer_sees_own_and_shared_only(client, login, db):
    north, south = people.department("北区"), people.department("南区")
    shared = factories.category("共享")
    mine = factories.category("北区题库", owner=north)
    theirs = factories.category("南区题库", owner=south)
    q_shared = factories.question(shared, factories.single_data("共享题"))
    q_mine = factories.question(mine, factories.single_data("北区题"))
    q_theirs = factories.question(theirs, factories.single_data("南区题"))
    login("trainer", scope=north)
    page = client.get("/question-bank/").get_data(as_text=True)
    assert "共享题" in page and "北区题" in page and "南区题" not in page
    assert client.get(f"/question-bank/{q_shared.id}").status_code == 200
    assert client.get(f"/question-bank/{q_mine.id}/edit").status_code == 200
    assert client.get(f"/question-bank/{q_theirs.id}").status_code == 404
    assert client.get(f"/question-bank/{q_theirs.id}/edit").status_code == 404
    assert client.post(f"/question-bank/{q_theirs.id}/status/retired").status_code == 404
    client.post(
        "/question-bank/bulk",
        data={"action": "retire", "selected": [str(q_theirs.id), str(q_mine.id)], "category_id": "0"},
    )
    db.session.expire_all()
    assert q_theirs.status == "published" and q_mine.status == "retired"
    categories = client.get("/question-bank/categories").get_data(as_text=True)
    assert "北区题库" in categories and "南区题库" not in categories
    response = client.post("/question-bank/new", data=_form(theirs.id))
    assert response.status_code == 200 and 'name="category_id" required' in response.get_data(as_text=True)
    assert 'class="form-select is-invalid" id="category_id"' in response.get_data(as_text=True)
    assert db.session.scalar(select(Question.id).where(Question.category_id == theirs.id)) == q_theirs.id


def _form(category_id, **over):
    data = {
        "type": "single",
        "category_id": str(category_id),
        "stem": "客户服务热线号码是多少？",
        "option_a": "95598",
        "option_b": "12345",
        "correct": ["A"],
        "tf_answer": "true",
        "points": "1",
        "difficulty": "2",
        "chapter": "3",
        "source_ref": "§3.2",
        "tags": "服务渠道、热线",
        "status": "published",
        "explanation": "§3.2",
    }
    data.update(over)
    return data


def test_create_edit_and_history(client, login, db):
    user = login("trainer")
    cat = factories.category()
    response = client.post("/question-bank/new", data=_form(cat.id))
    assert response.status_code == 302
    question = db.session.scalar(select(Question).where(Question.name == "客户服务热线号码是多少？"))
    assert [t.name for t in question.tags] == ["热线", "服务渠道"] or sorted(
        t.name for t in question.tags
    ) == ["服务渠道", "热线"]
    assert question.author_id == user.id and question.current_version.key == {"correct": ["A"]}
    edit = client.get(f"/question-bank/{question.id}/edit").get_data(as_text=True)
    assert "95598" in edit
    response = client.post(
        f"/question-bank/{question.id}/edit", data=_form(cat.id, option_b="110", change_note="换干扰项")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [v.number for v in question.versions] == [1, 2]
    assert question.versions[0].options[1]["html"] == "12345"
    show = client.get(f"/question-bank/{question.id}").get_data(as_text=True)
    assert "换干扰项" in show and user.display_name in show
    diff = client.get(f"/question-bank/{question.id}/compare?a=1&b=2").get_data(as_text=True)
    assert "<del>B. 12345 [0]</del>" in diff and "<ins>B. 110 [0]</ins>" in diff


def test_bad_form_input_shows_errors(client, login, db):
    login("trainer")
    cat = factories.category()
    page = client.post("/question-bank/new", data=_form(cat.id, correct=["C"])).get_data(as_text=True)
    assert "which does not exist" in page
    page = client.post("/question-bank/new", data=_form(cat.id, type="numerical", numeric="abc")).get_data(
        as_text=True
    )
    assert "95.8±0.05" in page
    page = client.post(
        "/question-bank/new", data=_form(cat.id, type="fill", stem="没有空", blanks="a")
    ).get_data(as_text=True)
    assert "at least one blank" in page
    page = client.post("/question-bank/new", data=_form(cat.id, difficulty="9")).get_data(as_text=True)
    assert 'class="form-control is-invalid" id="difficulty"' in page
    assert db.session.scalar(select(Question.id)) is None


def test_duplicate_warning_then_confirm(client, login, db):
    login("trainer")
    cat = factories.category()
    factories.question(cat, factories.single_data("客户服务热线号码是多少？"))
    page = client.post("/question-bank/new", data=_form(cat.id, stem="客户服务热线号码是多少?")).get_data(
        as_text=True
    )
    assert 'data-testid="duplicate-warning"' in page
    assert len(db.session.scalars(select(Question)).all()) == 1
    response = client.post(
        "/question-bank/new", data={**_form(cat.id, stem="客户服务热线号码是多少?"), "confirm_duplicate": "1"}
    )
    assert response.status_code == 302 and len(db.session.scalars(select(Question)).all()) == 2


def test_preview_shows_question_without_key_and_sanitises(client, login, db):
    login("trainer")
    cat = factories.category()
    html = client.post(
        "/question-bank/preview",
        data=_form(cat.id, stem="<p>热线<script>alert(1)</script></p>", type="fill", blanks="95598"),
    ).get_data(as_text=True)
    assert "<script>" not in html and "95598" not in html
    html = client.post(
        "/question-bank/preview", data=_form(cat.id, stem="热线是___", type="fill", blanks="95598")
    ).get_data(as_text=True)
    assert 'name="preview_blank_1"' in html and "95598" not in html
    html = client.post("/question-bank/preview", data=_form(cat.id)).get_data(as_text=True)
    assert 'type="radio"' in html and "fraction" not in html and "weight" not in html


def test_show_page_hides_key_behind_show_answer(client, login, db):
    login("trainer")
    question = factories.question()
    page = client.get(f"/question-bank/{question.id}").get_data(as_text=True)
    main = page.split("<main", 1)[1]  # the menu has other words containing "Correct"
    view, _sep, key = main.partition('data-testid="answer-key"')
    assert "<details" in view and "Correct" not in view
    assert "Correct" in key or "正确" in key


def test_web_import_dry_run_then_confirm_and_job(client, login, db, app, monkeypatch):
    from question_bank.views import transfer

    login("admin")
    gift_text = "::A:: 热线号码是{=95598}。\n\n::B:: 演练至少每半年一次。{T}\n"
    response = client.post(
        "/question-bank/import",
        data={"file": (io.BytesIO(gift_text.encode()), "q.gift"), "format": "", "category_id": "0"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Fill in the blank: 1" in page and "True/false: 1" in page
    assert "truefalse" not in page and ">fill<" not in page  # question types in words, not codes
    assert db.session.scalar(select(Question.id)) is None
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    monkeypatch.setattr(transfer, "INLINE_LIMIT", 1)
    response = client.post(
        "/question-bank/import/confirm",
        data={"token": token, "format": "gift", "category_id": "", "publish": "published"},
    )
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="job-status">Done<' in job_page and "Importing questions" in job_page
    assert len(db.session.scalars(select(Question)).all()) == 2


@pytest.mark.locale("zh_CN")
def test_import_check_names_question_types_in_chinese(client, login, db):
    login("trainer")
    gift_text = "::A:: 热线号码是{=95598}。\n\n::B:: 演练至少每半年一次。{T}\n"
    page = client.post(
        "/question-bank/import",
        data={"file": (io.BytesIO(gift_text.encode()), "q.gift"), "format": "", "category_id": "0"},
    ).get_data(as_text=True)
    assert "填空题: 1" in page and "判断题: 1" in page and "<td>判断题</td>" in page


def test_web_import_rejected_file_lists_errors(client, login, db):
    login("trainer")
    bad = b"<?xml version='1.0'?><quiz><question type='calculated'><name><text>Calc</text></name></question></quiz>"
    page = client.post(
        "/question-bank/import", data={"file": (io.BytesIO(bad), "q.xml"), "format": "", "category_id": "0"}
    ).get_data(as_text=True)
    assert 'data-testid="import-errors"' in page and "Calc" in page and 'name="token"' not in page


def test_export_downloads_each_format(client, login, db):
    login("admin")
    factories.question()
    for fmt, marker in (("xlsx", b"PK"), ("gift", b"$CATEGORY"), ("moodlexml", b"<quiz>")):
        response = client.get(f"/question-bank/export?format={fmt}&category_id=0")
        assert response.status_code == 200 and marker in response.data


def test_csrf_required_on_bulk(app, client, login, db, request):
    login("trainer")
    question = factories.question()
    request.getfixturevalue("csrf_enabled")  # from here on: the sign-in above posted no token
    response = client.post("/question-bank/bulk", data={"action": "retire", "selected": [str(question.id)]})
    assert response.status_code == 400
    db.session.expire_all()
    assert question.status == "published"


def test_media_upload_and_serving(client, login, db):
    login("trainer")
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 20
    res = client.post("/question-bank/media", data={"image": (io.BytesIO(png), "../../evil.png")})
    assert res.status_code == 200
    url = res.get_json()["url"]
    assert "evil" not in url
    with client.get(url) as served:
        assert served.data == png
    assert (
        client.post("/question-bank/media", data={"image": (io.BytesIO(b"<svg/>"), "x.svg")}).status_code
        == 400
    )


def test_multiple_choice_weights_are_edited_in_the_form(client, login, db):
    """Moodle weights (e.g. 50 / -100 / 50) show in the form, can be changed, and are checked."""
    login("trainer")
    cat = factories.category()
    base = _form(cat.id, type="multiple", option_c="96777", correct=["A", "C"])
    created = client.post("/question-bank/new", data={**base, "weights": "50, -100, 50"})
    assert created.status_code == 302
    question = db.session.scalar(select(Question).where(Question.name == "客户服务热线号码是多少？"))
    assert [o["fraction"] for o in question.current_version.options] == ["0.5", "-1", "0.5"]
    edit = client.get(f"/question-bank/{question.id}/edit").get_data(as_text=True)
    assert 'value="50, -100, 50"' in edit
    for weights, message in (
        ("50, 50", "3 options, 2 weights"),
        ("50, -100, abc", "option C must be a number"),
        ("60, -100, 60", "add up to 120%"),
        ("50, 50, 0", "Option B: a correct option weighs above 0"),
    ):
        page = client.post(f"/question-bank/{question.id}/edit", data={**base, "weights": weights})
        assert page.status_code == 200 and message in page.get_data(as_text=True), weights
        db.session.expire_all()
        assert len(question.versions) == 1
    client.post(f"/question-bank/{question.id}/edit", data={**base, "weights": "60 -50 40"})
    db.session.expire_all()
    assert [o["fraction"] for o in question.current_version.options] == ["0.6", "-0.5", "0.4"]
    # Cleared: the correct options share 100 equally again.
    client.post(f"/question-bank/{question.id}/edit", data={**base, "weights": ""})
    db.session.expire_all()
    assert [o["fraction"] for o in question.current_version.options] == ["0.5", "0", "0.5"]
    assert 'name="weights" type="text" value=""' in client.get(f"/question-bank/{question.id}/edit").get_data(
        as_text=True
    )


GARBAGE = bytes(range(256)) * 8
DAMAGED = people.damaged_workbook(write_workbook(template_rows()))


@pytest.mark.locale("en")
@pytest.mark.parametrize(
    ("name", "fmt", "data"),
    [
        ("questions.xlsx", "", b"this is not a zip file at all"),
        ("questions.xlsx", "xlsx", GARBAGE),
        ("questions.xlsx", "", b""),
        ("PK-header.xlsx", "xlsx", b"PK\x03\x04" + GARBAGE),
        ("damaged.xlsx", "", DAMAGED),
        ("questions.gift", "", GARBAGE),
        ("questions.gift", "gift", b""),
        ("questions.xml", "", GARBAGE),
        ("questions.xml", "moodlexml", b"<quiz><question"),
        ("questions.xml", "moodlexml", b""),
    ],
)
def test_unreadable_question_files_are_refused_with_a_message(client, login, db, name, fmt, data):
    login("admin")
    response = client.post(
        "/question-bank/import", data={"file": (io.BytesIO(data), name), "format": fmt, "category_id": "0"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'name="token"' not in page
    messages = ("not a valid .xlsx workbook", "The file is empty", "is not UTF-8", "not well-formed XML")
    assert any(words in page for words in messages)
    assert db.session.scalar(select(Question.id)) is None


def _confirm_fields(page: str) -> dict:
    """The confirm form's hidden fields, as the browser would send them."""
    form = page.split('action="/question-bank/import/confirm"', 1)[1].split("</form>", 1)[0]
    return dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*type="hidden"[^>]*value="([^"]*)"', form))


@pytest.mark.locale("en")
@pytest.mark.parametrize(("choice", "published", "drafts"), [("published", 2, 0), ("draft", 0, 2)])
def test_import_confirm_with_the_default_format_and_an_explicit_publish_choice(
    client, login, db, choice, published, drafts
):
    login("admin")
    gift_text = "::A:: 热线号码是{=95598}。\n\n::B:: 演练至少每半年一次。{T}\n"
    page = client.post(
        "/question-bank/import",
        data={"file": (io.BytesIO(gift_text.encode()), "q.gift"), "format": "", "category_id": "0"},
    ).get_data(as_text=True)
    # The publish choice is explicit: two options, none chosen, one required.
    assert page.count('name="publish"') == 2 and "checked" not in page.split('name="publish"')[1]
    fields = _confirm_fields(page)
    # Without a choice nothing is imported and the page asks for one.
    refused = client.post("/question-bank/import/confirm", data=fields)
    assert refused.status_code == 400 and "Bad Request" not in refused.get_data(as_text=True)
    assert db.session.scalar(select(Question.id)) is None
    done = client.post(
        "/question-bank/import/confirm", data={**fields, "publish": choice}, follow_redirects=True
    )
    text = done.get_data(as_text=True)
    assert done.status_code == 200
    assert f"{published} published" in text and f"{drafts} drafts" in text
    statuses = db.session.scalars(select(Question.status)).all()
    assert sorted(statuses) == sorted([choice] * 2)


def test_changing_the_key_asks_whether_the_explanation_still_fits(client, login, db):
    login("trainer")
    cat = factories.category()
    client.post("/question-bank/new", data=_form(cat.id))
    question = db.session.scalar(select(Question).where(Question.name == "客户服务热线号码是多少？"))
    edit = client.get(f"/question-bank/{question.id}/edit").get_data(as_text=True)
    assert 'data-testid="explanation-check"' in edit
    page = client.post(f"/question-bank/{question.id}/edit", data=_form(cat.id, correct=["B"]))
    assert page.status_code == 200
    assert "The answer key changed: check that the explanation still fits it" in page.get_data(as_text=True)
    db.session.expire_all()
    assert len(question.versions) == 1
    # A change that leaves the key alone is not asked about; a confirmed key change is saved.
    assert (
        client.post(f"/question-bank/{question.id}/edit", data=_form(cat.id, option_b="110")).status_code
        == 302
    )
    done = client.post(
        f"/question-bank/{question.id}/edit", data=_form(cat.id, correct=["B"], explanation_checked="y")
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert question.current_version.key == {"correct": ["B"]}


def test_a_rubric_that_does_not_add_up_is_warned_about(client, login, db):
    login("trainer")
    cat = factories.category()
    essay = _form(
        cat.id,
        type="essay",
        stem="简述故障报修的分级响应",
        points="10",
        reference="分级",
        rubric="分级（3分）\n报告（2分）",
    )
    response = client.post("/question-bank/new", data=essay, follow_redirects=True)
    assert "The rubric adds up to 5 points but the question is worth 10" in response.get_data(as_text=True)
