"""The printed paper's three documents as Word files (python-docx), for offices that edit or print from Word.

Real Word styles, so a trainer can restyle the whole paper at once: Title for the exam's title, Subtitle for
the document's name, Heading 1 for each section, Normal for the items, Table Grid for the score table, the
answer sheet's grid and the key's tables. The item numbers are typed ("12．"), not Word's automatic
numbering, so they stay the online numbering whatever Word does to a list. The confidentiality mark and the
paper code head every page; the footer holds the code again and "page n of m" (Word's PAGE and NUMPAGES
fields). A4, 2 cm margins; Chinese text in 宋体 (SimSun), Latin in Times New Roman.
"""

from __future__ import annotations

import io
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from flask import current_app

from core.i18n import gettext as _
from core.i18n import pgettext
from exams.printing.paper import PrintedItem, PrintedPaper
from exams.printing.pdf import essay_lines, minutes_text, numeral, points

BLANK = "\u3000" * 6  # an underlined gap of six ideographic spaces
_RED = RGBColor(0xB0, 0x00, 0x20)


# ---------------------------------------------------------------- the document and its page set-up


def _new_document(paper: PrintedPaper, mark: str) -> docx.document.Document:
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    for name, size in (("Normal", 10.5), ("Title", 18), ("Subtitle", 14), ("Heading 1", 12)):
        style = document.styles[name]
        style.font.size = Pt(size)
        style.font.name = "Times New Roman"
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
        if name != "Normal":
            style.font.color.rgb = RGBColor(0, 0, 0)
    document.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.styles["Subtitle"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.styles["Subtitle"].font.bold = True
    header = section.header.paragraphs[0]
    run = header.add_run(mark)
    run.bold = True
    if mark:
        header.add_run("\t\t")
    header.add_run(_("Paper code %(code)s", code=paper.code))
    _footer(section.footer.paragraphs[0], paper)
    return document


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) Word fills in when it lays out the document."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)  # noqa: SLF001 — python-docx has no API for fields


def _footer(paragraph, paper: PrintedPaper) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    words = _("Paper code %(code)s · page %(page)s of %(pages)s", code=paper.code, page="\0", pages="\1")
    before, _sep, rest = words.partition("\0")
    middle, _sep, after = rest.partition("\1")
    paragraph.add_run(before)
    _field(paragraph, "PAGE")
    paragraph.add_run(middle)
    _field(paragraph, "NUMPAGES")
    paragraph.add_run(after)


def _heading(document, paper: PrintedPaper, title: str) -> None:
    document.add_paragraph(paper.title, style="Title")
    document.add_paragraph(title + (f"（{paper.variant_label}）" if paper.variant else ""), style="Subtitle")
    facts = []
    if paper.department:
        facts.append(_("Organised by: %(d)s", d=paper.department))
    facts.append(_("Time allowed: %(t)s", t=minutes_text(paper)))
    facts.append(_("Total: %(p)s points", p=points(paper.total)))
    if paper.pass_mark is not None:
        facts.append(_("Pass mark: %(p)s points", p=points(paper.pass_mark)))
    line = document.add_paragraph(" · ".join(facts))
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    line.add_run(
        "\n" + _("Paper code") + f" {paper.code} · " + _("Printed on %(d)s", d=paper.printed_on.isoformat())
    )


def _candidate_fields(document, seat: bool = False) -> None:
    labels = [_("Name"), _("Employee number"), _("Unit")] + ([_("Seat")] if seat else [])
    paragraph = document.add_paragraph()
    for label in labels:
        paragraph.add_run(f"{label}：")
        paragraph.add_run(BLANK * 2).underline = True
        paragraph.add_run("　")


def _score_table(document, paper: PrintedPaper) -> None:
    columns = (
        [pgettext("score table", "Section")]
        + [numeral(i) for i in range(1, len(paper.sections) + 1)]
        + [_("Total"), _("Marker")]
    )
    table = document.add_table(rows=2, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = 1
    for index, text in enumerate(columns):
        table.cell(0, index).text = text
    table.cell(1, 0).text = pgettext("score table", "Score")
    document.add_paragraph()


def _rule(document) -> None:
    """An empty line with a rule under it: space to write an answer."""
    paragraph = document.add_paragraph()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "1"), ("w:color", "808080")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)  # noqa: SLF001 — no paragraph-border API
    paragraph.paragraph_format.space_before = Pt(10)


def _saved(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- items


def _stem(document, item: PrintedItem, *, bracket: bool) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{item.number}．").bold = True
    folder = Path(current_app.config["UPLOAD_DIR"]) / "question_media"
    for index, segments in enumerate(item.stem):
        if index:
            paragraph = document.add_paragraph()
        for kind, value in segments:
            if kind == "text":
                paragraph.add_run(str(value))
            elif kind == "blank":
                gap = f"（{value}）" if item.blanks > 1 else ""
                paragraph.add_run(f"{BLANK[:2]}{gap}{BLANK[:2]}").underline = True
            elif kind == "image" and (folder / str(value)).is_file():
                document.add_picture(str(folder / str(value)), width=Cm(10))
                paragraph = document.add_paragraph()
    if bracket:
        paragraph.add_run("（　　）")
    if item.qtype != "description":
        paragraph.add_run("（" + _("%(p)s points", p=points(item.points)) + "）")


def _options(document, item: PrintedItem) -> None:
    texts = [f"{letter}．{text}" for letter, text in item.options]
    if sum(len(t) for t in texts) <= 44:
        document.add_paragraph("　　".join(texts)).paragraph_format.left_indent = Cm(0.7)
        return
    for text in texts:
        document.add_paragraph(text).paragraph_format.left_indent = Cm(0.7)


def _paper_item(document, item: PrintedItem) -> None:
    _stem(document, item, bracket=item.objective)
    if item.options:
        _options(document, item)
    if item.qtype == "matching":
        for index, left in enumerate(item.lefts, start=1):
            paragraph = document.add_paragraph(f"（{index}）{left}　")
            paragraph.add_run(BLANK).underline = True
            paragraph.paragraph_format.left_indent = Cm(0.7)
        document.add_paragraph("　　".join(f"{letter}．{text}" for letter, text in item.rights))
    elif item.qtype == "numerical":
        paragraph = document.add_paragraph(pgettext("paper exam", "Answer") + "：")
        paragraph.add_run(BLANK * 2).underline = True
        paragraph.add_run(f" {item.unit}")
    elif item.qtype == "essay":
        for _line in range(essay_lines(item)):
            _rule(document)


# ---------------------------------------------------------------- the three documents


def paper_docx(paper: PrintedPaper) -> bytes:
    """试卷: the question paper, no answers."""
    document = _new_document(paper, _("CONFIDENTIAL until the exam starts"))
    _heading(document, paper, _("Question paper"))
    _candidate_fields(document)
    _score_table(document, paper)
    document.add_paragraph(_("Instructions"), style="Heading 2")
    for text in (
        _("Write your name, employee number and unit first."),
        _("Answer in black ink on this paper or on the answer sheet, as the invigilator says; hand both in."),
        _("Choice items: write the letter of your answer in the brackets. True/false items: write √ or ×."),
        _("Time allowed: %(t)s; total %(p)s points.", t=minutes_text(paper), p=points(paper.total)),
    ):
        document.add_paragraph(text, style="List Number")
    for section in paper.sections:
        document.add_paragraph(section.heading, style="Heading 1")
        for item in section.items:
            _paper_item(document, item)
    return _saved(document)


def sheet_docx(paper: PrintedPaper) -> bytes:
    """答题卡: candidate fields, a table of boxes for objective items, lines for the others."""
    document = _new_document(paper, "")
    _heading(document, paper, pgettext("paper exam", "Answer sheet"))
    _candidate_fields(document, seat=True)
    document.add_paragraph(
        _(
            "Fill in the box of each answer you choose (■); for true/false fill in √ or ×. Write the other "
            "answers on the lines of their item. Keep the sheet clean and unfolded."
        )
    )
    _score_table(document, paper)
    for section in paper.sections:
        objective = [i for i in section.items if i.objective]
        written = [i for i in section.items if not i.objective and i.qtype != "description"]
        if not (objective or written):
            continue
        document.add_paragraph(section.title, style="Heading 1")
        if objective:
            _grid(document, objective)
        for item in written:
            _written(document, item)
    return _saved(document)


def _grid(document, items: list[PrintedItem]) -> None:
    per_row = 4
    rows = (len(items) + per_row - 1) // per_row
    table = document.add_table(rows=rows, cols=per_row)
    table.style = "Table Grid"
    for index, item in enumerate(items):
        boxes = ["√", "×"] if item.qtype == "truefalse" else [letter for letter, _t in item.options]
        table.cell(index // per_row, index % per_row).text = f"{item.number}  " + " ".join(
            f"[{b}]" for b in boxes
        )


def _written(document, item: PrintedItem) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{item.number}．").bold = True
    if item.qtype == "fill":
        for n in range(1, item.blanks + 1):
            paragraph.add_run(f"（{n}）")
            paragraph.add_run(BLANK * 2).underline = True
            paragraph.add_run("　")
    elif item.qtype == "matching":
        for n in range(1, len(item.lefts) + 1):
            paragraph.add_run(f"（{n}）")
            paragraph.add_run(BLANK).underline = True
            paragraph.add_run("　")
    elif item.qtype == "numerical":
        paragraph.add_run(BLANK * 2).underline = True
        paragraph.add_run(f" {item.unit}")
    elif item.qtype == "essay":
        for _line in range(min(essay_lines(item), 8)):  # the sheet keeps to one page where it can
            _rule(document)


def key_docx(paper: PrintedPaper) -> bytes:
    """参考答案及评分标准: keys, accepted answers, scoring points, marked confidential on every page."""
    mark = _("TOP SECRET · for markers only · do not copy or pass on")
    document = _new_document(paper, mark)
    document.sections[0].header.paragraphs[0].runs[0].font.color.rgb = _RED
    banner = document.add_paragraph()
    banner.add_run(mark).bold = True
    _heading(document, paper, _("Answer key and marking scheme"))
    document.add_paragraph(_("Marking rules"), style="Heading 2")
    for text in (
        _(
            "Match the paper code on the candidate's paper or answer sheet with this key (%(c)s) before marking.",
            c=paper.code,
        ),
        _("Multiple choice: %(rule)s.", rule=paper.multiple_rule),
        _(
            "Fill in the blank: each blank carries an equal share of the item's points; an answer counts when it "
            "says the same as an accepted answer (full-width or half-width characters and punctuation do not matter)."
        ),
        _(
            "Short answer: mark by the scoring points; an answer that says the same in other words earns the point."
        ),
    ):
        document.add_paragraph(text, style="List Number")
    objective = [i for i in paper.items if i.objective]
    if objective:
        document.add_paragraph(_("Objective items at a glance"), style="Heading 1")
        _key_grid(document, objective)
    for section in paper.sections:
        document.add_paragraph(section.heading, style="Heading 1")
        for item in section.items:
            if item.qtype != "description":
                _key_item(document, item)
    return _saved(document)


def _key_grid(document, items: list[PrintedItem]) -> None:
    per_row = 10
    chunks = [items[i : i + per_row] for i in range(0, len(items), per_row)]
    table = document.add_table(rows=2 * len(chunks), cols=per_row + 1)
    table.style = "Table Grid"
    for r, chunk in enumerate(chunks):
        table.cell(2 * r, 0).text = _("Item")
        table.cell(2 * r + 1, 0).text = pgettext("paper exam", "Answer")
        for c, item in enumerate(chunk, start=1):
            table.cell(2 * r, c).text = str(item.number)
            table.cell(2 * r + 1, c).text = item.key


def _key_item(document, item: PrintedItem) -> None:
    _stem(document, item, bracket=False)
    indent = Cm(0.7)
    if item.key:
        paragraph = document.add_paragraph(pgettext("paper exam", "Answer") + "：")
        paragraph.add_run(item.key).bold = True
        paragraph.paragraph_format.left_indent = indent
    for note in item.key_notes:
        document.add_paragraph(note).paragraph_format.left_indent = indent
    if item.reference:
        document.add_paragraph(
            _("Reference answer") + "：" + item.reference
        ).paragraph_format.left_indent = indent
    if item.rubric:
        table = document.add_table(rows=len(item.rubric) + 1, cols=2)
        table.style = "Table Grid"
        table.cell(0, 0).text, table.cell(0, 1).text = _("Scoring point"), pgettext("paper exam", "Points")
        for row, (text, pts) in enumerate(item.rubric, start=1):
            table.cell(row, 0).text, table.cell(row, 1).text = text, pts
    if item.explanation:
        document.add_paragraph(
            _("Explanation") + "：" + item.explanation
        ).paragraph_format.left_indent = indent
    facts = (_("Guide section") + f"：{item.source} · " if item.source else "") + _(
        "Question #%(id)s, version %(v)s", id=item.question_id, v=item.version_number
    )
    document.add_paragraph(facts).paragraph_format.left_indent = indent


BUILDERS = {"paper": paper_docx, "sheet": sheet_docx, "key": key_docx}
