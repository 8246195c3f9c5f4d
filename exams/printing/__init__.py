"""Paper exams (纸质考试): an exam's or a blueprint's paper printed as the question paper (试卷), the answer sheet
(答题卡) and the marker's key (参考答案及评分标准), each as PDF or Word, or all six files in one zip.

``paper.py`` builds the printed paper (what can be printed and how it is numbered and coded is decided
there), ``pdf.py`` and ``word.py`` lay it out. Every export is audited with the paper code, because the key
reveals the answers; who may export is the view's check (the exam's or blueprint's managers).
"""

from __future__ import annotations

import io
import zipfile

from core import audit
from exams.models import Exam
from exams.printing import pdf, word
from exams.printing.paper import PrintedPaper

DOCUMENTS = ("paper", "sheet", "key")
FORMATS = ("pdf", "docx")
MIMETYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
}


def file_name(paper: PrintedPaper, document: str, fmt: str) -> str:
    """The download's name: the paper code, the document and the format (ASCII, safe on any system)."""
    return f"{paper.code}-{document}.{fmt}"


def document_file(paper: PrintedPaper, document: str, fmt: str) -> bytes:
    """One of the three documents in one format."""
    if fmt == "pdf":
        return pdf.document_pdf(paper, document)
    return word.BUILDERS[document](paper)


def bundle(paper: PrintedPaper) -> bytes:
    """All three documents in both formats, in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for document in DOCUMENTS:
            for fmt in FORMATS:
                archive.writestr(file_name(paper, document, fmt), document_file(paper, document, fmt))
    return buffer.getvalue()


def export(paper: PrintedPaper, obj, choice: str) -> tuple[bytes, str, str]:
    """The file ``choice`` names (``paper.pdf`` … ``key.docx``, or ``all.zip``) as (data, name, mimetype),
    audited on ``obj`` (the exam or the blueprint) with the paper code."""
    document, _dot, fmt = choice.partition(".")
    if document == "all":
        data, name = bundle(paper), f"{paper.code}.zip"
    else:
        data, name = document_file(paper, document, fmt), file_name(paper, document, fmt)
    audit.record(
        "exam.paper_export" if isinstance(obj, Exam) else "blueprint.paper_export",
        obj,
        paper_code=paper.code,
        document=document,
        format=fmt,
        key_included=document in ("key", "all"),
    )
    return data, name, MIMETYPES[fmt]


CHOICES = tuple(f"{d}.{f}" for d in DOCUMENTS for f in FORMATS) + ("all.zip",)
