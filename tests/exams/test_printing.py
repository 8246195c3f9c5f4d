"""Paper exams (issue 15 §6): an exam's paper printed as question paper, answer sheet and key, in PDF and
Word; the key never on the question paper or the sheet; only the exam's managers; every export audited."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from decimal import Decimal

import docx
import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.extensions import db
from exams.models import ExamPool
from exams.printing import paper as printed
from exams.printing import word
from tests import factories as base
from tests.exams import factories as f

NOW = f.NOW
# Words only a key prints: the single-choice key's text would be on the paper too, so the keys are
# recognisable text the candidate documents must never show.
SECRET_BLANK = "四小时整"
SECRET_REFERENCE = "先评估分级再启动响应"
SECRET_RUBRIC = "答出分级标准"
SECRET_EXPLANATION = "见指南第六章"


def _questions():
    single = f.question(
        "single",
        stem="<p>一般故障的响应时间不超过多少？</p>",
        options=[
            {"id": "A", "html": "1小时", "fraction": "0", "feedback": ""},
            {"id": "B", "html": "2小时", "fraction": "1", "feedback": ""},
            {"id": "C", "html": "4小时", "fraction": "0", "feedback": ""},
            {"id": "D", "html": "8小时", "fraction": "0", "feedback": ""},
        ],
        key={"correct": ["B"]},
        explanation=f"<p>{SECRET_EXPLANATION}</p>",
    )
    multiple = f.question("multiple", stem="<p>供电保障的层级包括哪些？</p>")
    truefalse = f.question("truefalse", stem="<p>应急演练每半年至少一次。</p>", key={"answer": True})
    fill = f.question(
        "fill",
        stem="<p>三条线是{{1}}、{{2}}和保重要用户，重大故障{{3}}内到达。</p>",
        key={
            "blanks": [["保命线"], ["保民生"], [SECRET_BLANK]],
            "unordered": [[1, 2]],
            "case_sensitive": False,
            "ignore_punctuation": True,
        },
    )
    essay = f.question(
        "essay",
        stem="<p>简述应急响应的流程。</p>",
        key={
            "reference_html": f"<p>{SECRET_REFERENCE}</p>",
            "rubric": [{"text": SECRET_RUBRIC, "points": "5"}],
        },
        points="10",
    )
    single.source_ref = "3.3"
    return single, multiple, truefalse, fill, essay


def _exam(**fields):
    questions = _questions()
    blueprint = f.blueprint(questions[:3])
    blueprint.sections[0].title = "一、选择与判断题"
    second = blueprint.sections[0].__class__(blueprint=blueprint, title="二、填空与简答题", position=2)
    db.session.add(second)
    for index, q in enumerate(questions[3:], start=1):
        second.rules.append(
            f.BlueprintRule(kind="fixed", question_id=q.id, count=1, points=Decimal(q.points), position=index)
        )
    db.session.flush()
    db.session.refresh(blueprint)
    owner = base.department("营销服务中心")
    return f.exam(blueprint, owner_department_id=owner.id, duration_minutes=90, **fields), owner, questions


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs]
    return "\n".join(parts)


def _pdf_text(data: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)  # noqa: S607
    return done.stdout.decode()


needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


# ---------------------------------------------------------------- the printed paper


def test_the_paper_keeps_the_online_numbering_sections_and_points(db):
    exam, owner, _qs = _exam()
    paper = printed.exam_paper(exam, "A", NOW)
    assert [s.title for s in paper.sections] == ["一、选择与判断题", "二、填空与简答题"]
    assert [i.number for i in paper.items] == [1, 2, 3, 4, 5]
    assert [i.qtype for i in paper.items] == ["single", "multiple", "truefalse", "fill", "essay"]
    assert paper.total == Decimal(18) and paper.minutes == 90 and paper.department == owner.name
    assert paper.pass_mark == Decimal("10.80")
    assert paper.code.startswith(f"E{exam.id}-A-") and len(paper.code.rsplit("-", 1)[1]) == 6
    first = paper.sections[0]
    assert first.heading == "一、选择与判断题 (3 items, 2 points each, 6 points)"
    assert paper.sections[1].heading == "二、填空与简答题 (2 items, 12 points)"


def test_the_key_uses_the_printed_letters_when_options_are_shuffled(db):
    exam, _owner, (single, *_rest) = _exam(shuffle_options=True)
    for variant in printed.VARIANTS:
        item = printed.exam_paper(exam, variant, NOW).items[0]
        right = next(letter for letter, text in item.options if text == "2小时")
        assert item.key == right
    letters = {
        tuple(t for _l, t in printed.exam_paper(exam, v, NOW).items[0].options) for v in printed.VARIANTS
    }
    assert len(letters) > 1  # the variants really are shuffled differently


def test_a_variant_printed_again_is_the_same_paper_and_freezes_the_pool(db):
    exam, _owner, qs = _exam(shuffle_options=True)
    assert db.session.get(ExamPool, exam.id) is None
    first = printed.exam_paper(exam, "B", NOW)
    assert db.session.get(ExamPool, exam.id) is not None
    assert all(q.current_version.used for q in qs)  # an edit now makes a new version
    again = printed.exam_paper(exam, "B", NOW)
    assert again.code == first.code
    assert printed.exam_paper(exam, "A", NOW).code != first.code


def test_the_key_names_any_order_blanks_rubric_and_guide_section(db):
    exam, _owner, _qs = _exam()
    items = printed.exam_paper(exam, "A", NOW).items
    assert items[0].key == "B" and items[0].source == "3.3" and items[0].explanation == SECRET_EXPLANATION
    assert items[1].key == "AB" and items[2].key == "√"
    assert items[3].blanks == 3 and items[3].key == f"（1）保命线；（2）保民生；（3）{SECRET_BLANK}"
    assert items[3].key_notes == ["Blanks （1）（2） may come in any order."]
    assert items[4].reference == SECRET_REFERENCE and items[4].rubric == [(SECRET_RUBRIC, "5")]


def test_a_blueprint_sample_is_printed_from_its_seed(db):
    single, *_rest = _questions()
    blueprint = f.blueprint([single], points="3")
    paper = printed.blueprint_paper(blueprint, 1234, NOW)
    assert paper.code.startswith(f"B{blueprint.id}-S1234-") and paper.minutes is None
    assert paper.total == Decimal(3) and paper.items[0].key == "B"


# ---------------------------------------------------------------- Word


def test_the_word_question_paper_has_sections_numbers_and_no_key(db):
    exam, _owner, _qs = _exam()
    paper = printed.exam_paper(exam, "A", NOW)
    document = docx.Document(io.BytesIO(word.paper_docx(paper)))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [s.heading for s in paper.sections]
    assert document.paragraphs[0].style.name == "Title" and document.paragraphs[0].text == exam.title
    stems = [
        p.text for p in document.paragraphs if p.runs and p.runs[0].bold and p.runs[0].text.endswith("．")
    ]
    assert [s.split("．")[0] for s in stems] == ["1", "2", "3", "4", "5"]
    text = _docx_text(word.paper_docx(paper))
    assert "A．1小时" in text and "B．2小时" in text and paper.code in text and "CONFIDENTIAL" in text
    for secret in (SECRET_BLANK, SECRET_REFERENCE, SECRET_RUBRIC, SECRET_EXPLANATION, "保命线"):
        assert secret not in text
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer


def test_the_word_answer_sheet_has_boxes_for_objective_items_and_no_key(db):
    exam, _owner, _qs = _exam()
    paper = printed.exam_paper(exam, "A", NOW)
    document = docx.Document(io.BytesIO(word.sheet_docx(paper)))
    grid = document.tables[1]  # after the score table
    cells = [c.text for row in grid.rows for c in row.cells]
    assert cells[:3] == ["1  [A] [B] [C] [D]", "2  [A] [B] [C] [D]", "3  [√] [×]"]
    text = _docx_text(word.sheet_docx(paper))
    assert "Employee number" in text and "Seat" in text
    for secret in (SECRET_BLANK, SECRET_REFERENCE, SECRET_RUBRIC, "保命线"):
        assert secret not in text


def test_the_word_key_is_marked_secret_and_holds_every_answer(db):
    exam, _owner, _qs = _exam()
    paper = printed.exam_paper(exam, "A", NOW)
    text = _docx_text(word.key_docx(paper))
    assert text.count("TOP SECRET") >= 2  # the page header and the banner
    for answer in (
        SECRET_BLANK,
        SECRET_REFERENCE,
        SECRET_RUBRIC,
        SECRET_EXPLANATION,
        "may come in any order",
    ):
        assert answer in text
    assert "Guide section：3.3" in text


# ---------------------------------------------------------------- PDF


@needs_pdftotext
@pytest.mark.locale("zh_CN")
def test_the_pdfs_read_chinese_and_only_the_key_shows_answers(db):
    exam, _owner, _qs = _exam()
    paper = printed.exam_paper(exam, "A", NOW)
    from exams.printing import pdf

    question_paper = _pdf_text(pdf.document_pdf(paper, "paper"))
    sheet = _pdf_text(pdf.document_pdf(paper, "sheet"))
    key = _pdf_text(pdf.document_pdf(paper, "key"))
    assert (
        "绝密" in question_paper
        and "试卷" in question_paper
        and "一般故障的响应时间不超过多少" in question_paper
    )
    assert paper.code in question_paper and paper.code in sheet and paper.code in key
    assert "答题卡" in sheet and "工号" in sheet
    assert "参考答案及评分标准" in key and "绝密★ 仅供阅卷人员使用" in key
    for secret in (SECRET_BLANK, SECRET_REFERENCE, SECRET_RUBRIC, SECRET_EXPLANATION):
        assert secret not in question_paper and secret not in sheet
        assert secret in key


@needs_pdftotext
@pytest.mark.locale("zh_CN")
def test_every_page_of_the_key_is_marked_secret(db):
    from exams.printing import pdf

    blueprint = f.blueprint([f.question("single", explanation="<p>依据指南条款作答。</p>") for _ in range(40)])
    paper = printed.exam_paper(f.exam(blueprint), "A", NOW)
    pages = [page for page in _pdf_text(pdf.document_pdf(paper, "key")).split("\f") if page.strip()]
    assert len(pages) >= 3
    assert all("绝密★ 仅供阅卷人员使用" in page and paper.code in page for page in pages)


# ---------------------------------------------------------------- who may print, and the audit


def _entries(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_the_owning_trainer_downloads_each_file_and_each_download_is_audited(client, login):
    exam, owner, _qs = _exam()
    trainer = login("trainer", scope=owner)
    page = client.get(f"/exams/manage/{exam.id}/paper")
    assert page.status_code == 200 and "Paper B" in page.get_data(as_text=True)
    answer = client.post(f"/exams/manage/{exam.id}/paper", data={"variant": "C", "file": "key.docx"})
    assert answer.status_code == 200
    assert answer.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    code = printed.exam_paper(exam, "C", NOW).code
    assert f"filename={code}-key.docx" in answer.headers["Content-Disposition"]
    assert SECRET_REFERENCE in _docx_text(answer.data)
    pdf_answer = client.post(f"/exams/manage/{exam.id}/paper", data={"variant": "C", "file": "paper.pdf"})
    assert pdf_answer.mimetype == "application/pdf" and pdf_answer.data.startswith(b"%PDF")
    entries = _entries("exam.paper_export")
    assert [(e.object_id, e.user_id) for e in entries] == [(str(exam.id), trainer.id)] * 2
    assert entries[0].details == {
        "paper_code": code, "document": "key", "format": "docx", "key_included": True,
    }  # fmt: skip
    assert entries[1].details["key_included"] is False


def test_the_zip_holds_all_three_documents_in_both_formats(client, login):
    exam, owner, _qs = _exam()
    login("trainer", scope=owner)
    answer = client.post(f"/exams/manage/{exam.id}/paper", data={"variant": "A", "file": "all.zip"})
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    names = sorted(zipfile.ZipFile(io.BytesIO(answer.data)).namelist())
    code = printed.exam_paper(exam, "A", NOW).code
    assert names == sorted(f"{code}-{d}.{fmt}" for d in ("paper", "sheet", "key") for fmt in ("pdf", "docx"))
    assert _entries("exam.paper_export")[0].details["key_included"] is True


@pytest.mark.parametrize(
    "data", [{"variant": "E", "file": "key.pdf"}, {"variant": "A", "file": "../key.pdf"}]
)
def test_a_variant_or_file_the_form_does_not_offer_is_refused(client, login, data):
    exam, owner, _qs = _exam()
    login("trainer", scope=owner)
    assert client.post(f"/exams/manage/{exam.id}/paper", data=data).status_code == 400
    assert _entries("exam.paper_export") == []
    assert db.session.get(ExamPool, exam.id) is None  # nothing frozen either


def test_other_trainers_hr_and_candidates_cannot_print_the_paper(client, login):
    exam, owner, _qs = _exam()
    other = base.department("别的供电所")
    login("trainer", scope=other)
    assert client.get(f"/exams/manage/{exam.id}/paper").status_code == 404
    assert (
        client.post(f"/exams/manage/{exam.id}/paper", data={"variant": "A", "file": "key.pdf"}).status_code
        == 404
    )
    assert (
        client.post("/exams/manage/999999/paper", data={"variant": "A", "file": "key.pdf"}).status_code == 404
    )
    for role in ("hr", "employee"):
        client.get("/logout")
        login(role)
        answer = client.post(f"/exams/manage/{exam.id}/paper", data={"variant": "A", "file": "key.pdf"})
        assert answer.status_code in (403, 404)
    assert _entries("exam.paper_export") == []


def test_another_departments_blueprint_sample_answers_404(client, login):
    single, *_rest = _questions()
    blueprint = f.blueprint([single])
    blueprint.owner_department_id = base.department("甲分公司").id
    db.session.flush()
    login("trainer", scope=base.department("乙分公司"))
    answer = client.post(
        f"/exams/manage/blueprints/{blueprint.id}/paper", data={"seed": "7", "file": "key.pdf"}
    )
    assert answer.status_code == 404 and _entries("blueprint.paper_export") == []


def test_the_blueprint_preview_prints_its_sample_and_the_download_is_audited(client, login):
    single, *_rest = _questions()
    blueprint = f.blueprint([single])
    login("trainer")
    preview = client.get(f"/exams/manage/blueprints/{blueprint.id}/preview?seed=42").get_data(as_text=True)
    assert 'name="seed" value="42"' in preview
    answer = client.post(
        f"/exams/manage/blueprints/{blueprint.id}/paper", data={"seed": "42", "file": "sheet.docx"}
    )
    assert answer.status_code == 200
    (entry,) = _entries("blueprint.paper_export")
    assert (
        entry.details["paper_code"].startswith(f"B{blueprint.id}-S42-")
        and entry.details["key_included"] is False
    )


def test_a_download_without_the_form_token_is_refused(client, login, request):
    exam, owner, _qs = _exam()
    login("trainer", scope=owner)
    request.getfixturevalue("csrf_enabled")
    answer = client.post(f"/exams/manage/{exam.id}/paper", data={"variant": "A", "file": "key.pdf"})
    assert answer.status_code == 400 and _entries("exam.paper_export") == []


def test_a_paper_the_bank_cannot_fill_is_refused_with_a_message_and_nothing_kept(client, login):
    exam, owner, (single, *_rest) = _exam()
    single.status = "retired"
    db.session.flush()
    login("trainer", scope=owner)
    answer = client.post(f"/exams/manage/{exam.id}/paper", data={"variant": "A", "file": "paper.pdf"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/exams/manage/{exam.id}/paper")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"Question #{single.id} is no longer available." in page
    assert _entries("exam.paper_export") == [] and db.session.get(ExamPool, exam.id) is None


@needs_pdftotext
@pytest.mark.locale("zh_CN")
def test_the_print_page_and_the_documents_read_chinese(client, login):
    from tests.page_crawl import VisibleText
    from tests.test_pages_read_chinese import problems_in

    exam, owner, _qs = _exam()
    login("trainer", scope=owner)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    page = VisibleText()
    page.feed(client.get(f"/exams/manage/{exam.id}/paper").get_data(as_text=True))
    texts = ["\n".join(page.parts)]
    for name in ("paper", "sheet", "key"):
        answer = client.post(f"/exams/manage/{exam.id}/paper", data={"variant": "A", "file": f"{name}.pdf"})
        texts.append(_pdf_text(answer.data))
    assert "打印纸质试卷" in texts[0] and "题号" in texts[1] and "座号" in texts[2] and "评分说明" in texts[3]
    for item in printed.exam_paper(exam, "A", NOW).items:  # choice keys are letters ("AB"), not English
        texts[3] = texts[3].replace(item.key, " ") if item.qtype == "multiple" else texts[3]
    assert [problems_in(text, {}, {}) for text in texts] == [[], [], [], []]
