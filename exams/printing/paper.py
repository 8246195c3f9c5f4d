"""Paper exams (纸质考试): a drawn paper laid out for printing as three documents, the question paper (试卷),
the answer sheet (答题卡) and the marker's key (参考答案及评分标准), each as PDF (``exams/printing/pdf.py``)
and Word (``exams/printing/word.py``).

What a trainer can print (decisions where issue 15 §6 is silent):
- **An exam's paper, in variants 卷A–卷D.** Each variant is the paper a fixed seed draws from the exam's
  frozen pool, with the exam's own question and option shuffling: the same rules, pool and numbering a
  candidate gets online. Exporting freezes the pool as a first start would, so printing again later (the
  key for the marker a week on) gives the same paper, and online candidates draw from the same pool.
- **A blueprint's sample paper** (the preview with its seed): a fixed paper (a blueprint of fixed
  questions only) or one random draw from the bank as it is now, for a paper exam without an exam record.
- The question versions on a printed paper are marked used, as on an online paper: editing such a question
  makes a new version, so the printed key keeps matching the printed paper.
- Every page carries the paper code (``E12-A-3F9C2B``: exam, variant, fingerprint of the questions,
  versions, points and option order; ``B7-S1234-…`` for a blueprint sample) and the date printed: a sheet
  is matched to its key by the code, and two papers with the same code are the same paper.
- Numbering is the online numbering: items 1…N through the whole paper, sections as the blueprint names
  them (the trainer's "一、单项选择题"), each headed with its item count and points. Options are lettered
  A, B, C… in the printed order, and the key gives the printed letters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

from sqlalchemy import select

from accounts.models import Department
from core.extensions import db
from core.i18n import gettext as _
from core.timeutil import local_date
from exams import pools, runtime
from exams.grading import MultipleRule
from exams.labels import MULTIPLE_RULE_LABELS
from exams.models import Exam, PaperBlueprint
from exams.papers import DrawnQuestion, draw_paper
from question_bank.services import mark_version_used

VARIANTS = ("A", "B", "C", "D")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
OBJECTIVE_TYPES = ("single", "multiple", "truefalse")
_MEDIA = re.compile(r"^/question-bank/media/([0-9a-f]{32}\.(?:png|jpe?g|gif|webp))$")
_BLOCKS = {"p", "div", "br", "li", "tr", "h4", "h5", "h6", "pre", "blockquote", "table", "ul", "ol"}


# ---------------------------------------------------------------- the stem as printable segments


class _StemReader(HTMLParser):
    """A sanitised stem as paragraphs of segments: ("text", str), ("blank", n) and ("image", media name)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[list[tuple[str, object]]] = [[]]

    def _break(self) -> None:
        if self.paragraphs[-1]:
            self.paragraphs.append([])

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self._break()
        if tag == "img":
            match = _MEDIA.match(dict(attrs).get("src") or "")
            if match:
                self.paragraphs[-1].append(("image", match.group(1)))

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self._break()

    def handle_data(self, data):
        for index, part in enumerate(re.split(r"\{\{(\d+)\}\}", data)):
            if index % 2:
                self.paragraphs[-1].append(("blank", int(part)))
            elif part.strip() or (part and self.paragraphs[-1]):
                self.paragraphs[-1].append(("text", " ".join(part.split()) if not part.isspace() else " "))


def stem_paragraphs(stem_html: str) -> list[list[tuple[str, object]]]:
    """The stem's paragraphs, each a list of text, blank and image segments (empty paragraphs dropped)."""
    reader = _StemReader()
    reader.feed(stem_html or "")
    reader.close()
    return [p for p in reader.paragraphs if any(kind != "text" or str(v).strip() for kind, v in p)]


def html_text(value: str) -> str:
    """Sanitised HTML (an option, a reference answer) as plain text, paragraphs on their own lines."""
    text = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h\d)>", "\n", value or "")
    text = html.unescape(re.sub(r"<[^>]*>", "", text))
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


# ---------------------------------------------------------------- the printed paper


@dataclass
class PrintedItem:
    """One numbered item as printed, with what the marker's key says about it."""

    number: int
    qtype: str
    points: Decimal
    stem: list[list[tuple[str, object]]]
    question_id: int
    version_number: int
    options: list[tuple[str, str]] = field(default_factory=list)  # (printed letter, text)
    blanks: int = 0
    lefts: list[str] = field(default_factory=list)  # matching, numbered (1), (2) …
    rights: list[tuple[str, str]] = field(default_factory=list)  # matching, lettered
    unit: str = ""
    key: str = ""  # the answer in one line: "B", "AC", "√", "(1) 2小时 / 2h; (2) 4小时" …
    key_notes: list[str] = field(default_factory=list)  # any-order blanks, tolerances, grading rule
    reference: str = ""  # essay reference answer (plain text)
    rubric: list[tuple[str, str]] = field(default_factory=list)  # essay scoring points (text, points)
    explanation: str = ""
    source: str = ""  # the guide section the bank cites

    @property
    def objective(self) -> bool:
        return self.qtype in OBJECTIVE_TYPES


@dataclass
class PrintedSection:
    title: str
    items: list[PrintedItem]

    @property
    def points(self) -> Decimal:
        return sum((i.points for i in self.items), Decimal(0))

    @property
    def heading(self) -> str:
        """The section's title with its count and points (每题 when every item carries the same)."""
        counted = [i for i in self.items if i.qtype != "description"]
        each = {i.points for i in counted}
        if not counted:
            return self.title
        if len(each) == 1:
            detail = _(
                "%(n)d items, %(each)s points each, %(total)s points",
                n=len(counted),
                each=points(next(iter(each))),
                total=points(self.points),
            )
        else:
            detail = _("%(n)d items, %(total)s points", n=len(counted), total=points(self.points))
        return _("%(title)s (%(detail)s)", title=self.title, detail=detail)


@dataclass
class PrintedPaper:
    """A paper ready to print: header facts, sections of numbered items, its code and the date printed."""

    title: str
    department: str
    minutes: int | None
    total: Decimal
    pass_mark: Decimal | None
    code: str
    variant: str  # "A"… for an exam's paper, "" for a blueprint sample
    multiple_rule: str  # how multiple choice is scored, in words, for the marker
    printed_on: dt.date
    sections: list[PrintedSection]

    @property
    def items(self) -> list[PrintedItem]:
        return [item for section in self.sections for item in section.items]

    @property
    def variant_label(self) -> str:
        return _("Paper %(v)s", v=self.variant) if self.variant else ""


def points(value: Decimal) -> str:
    """Points without trailing zeros: 2, 0.5."""
    return format(Decimal(value).normalize(), "f")


def variant_seed(exam_id: int, variant: str) -> int:
    """The seed variant ``variant`` of exam ``exam_id`` is drawn with (fixed, so a reprint is the same)."""
    digest = hashlib.sha256(f"gridready-printed-paper:{exam_id}:{variant}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % (2**31 - 1)


def fingerprint(paper: list[DrawnQuestion], orders: list[list]) -> str:
    """Six hex digits that change whenever a question, version, its points or its option order does."""
    data = [[d.version.id, str(d.points), order] for d, order in zip(paper, orders, strict=True)]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:6].upper()


def exam_paper(exam: Exam, variant: str, now: dt.datetime) -> PrintedPaper:
    """Variant ``variant`` (A–D) of ``exam``'s paper, drawn from its pool (frozen now if it is not yet)."""
    pool = pools.exam_pool(exam, now)
    seed = variant_seed(exam.id, variant)
    drawn = draw_paper(exam.blueprint, seed, shuffle_questions=exam.shuffle_questions, pool=pool.versions)
    orders = runtime.option_orders(drawn, seed, exam.shuffle_options)
    total = _total(drawn)
    return _paper(
        drawn,
        orders,
        title=exam.title,
        department=_department_name(exam.owner_department),
        minutes=exam.duration_minutes,
        total=total,
        pass_mark=runtime.pass_mark(exam, total),
        code=f"E{exam.id}-{variant}-{fingerprint(drawn, orders)}",
        variant=variant,
        multiple_rule=str(MULTIPLE_RULE_LABELS.get(exam.multiple_rule, exam.multiple_rule)),
        now=now,
    )


def blueprint_paper(blueprint: PaperBlueprint, seed: int, now: dt.datetime) -> PrintedPaper:
    """The sample paper ``seed`` draws from ``blueprint`` and the bank as it is now (the preview's paper)."""
    drawn = draw_paper(blueprint, seed)
    orders = runtime.option_orders(drawn, seed, False)
    return _paper(
        drawn,
        orders,
        title=blueprint.title,
        department=_department_name(blueprint.owner_department),
        minutes=None,
        total=_total(drawn),
        pass_mark=None,
        code=f"B{blueprint.id}-S{seed}-{fingerprint(drawn, orders)}",
        variant="",
        multiple_rule=str(MULTIPLE_RULE_LABELS[MultipleRule.PARTIAL_NO_WRONG]),  # an exam's default
        now=now,
    )


def _total(drawn: list[DrawnQuestion]) -> Decimal:
    return sum((d.points for d in drawn if d.version.type != "description"), Decimal(0))


def _department_name(department: Department | None) -> str:
    """The organising department: the owner, or the one top of the tree for a company-wide paper."""
    if department is not None:
        return department.name
    roots = db.session.scalars(select(Department.name).where(Department.parent_id.is_(None)).limit(2)).all()
    return roots[0] if len(roots) == 1 else ""


def _paper(drawn, orders, *, now: dt.datetime, **facts) -> PrintedPaper:
    sections: list[PrintedSection] = []
    for number, (d, order) in enumerate(zip(drawn, orders, strict=True), start=1):
        if not d.version.used:
            mark_version_used(d.version)  # a printed key must keep matching the printed paper
        if not sections or sections[-1].title != d.section_title:
            sections.append(PrintedSection(d.section_title, []))
        sections[-1].items.append(_item(number, d, order))
    db.session.flush()
    return PrintedPaper(printed_on=local_date(now), sections=sections, **facts)


def _item(number: int, drawn: DrawnQuestion, order: list) -> PrintedItem:
    version = drawn.version
    key = version.key or {}
    item = PrintedItem(
        number=number,
        qtype=version.type,
        points=drawn.points if version.type != "description" else Decimal(0),
        stem=stem_paragraphs(version.stem_html),
        question_id=drawn.question.id,
        version_number=version.number,
        explanation=html_text(version.explanation),
        source=version.source_ref or drawn.question.source_ref or "",
    )
    filler = _KEYS.get(version.type)
    if filler is not None:
        filler(item, version, key, order)
    return item


def _choice(item: PrintedItem, version, key: dict, order: list) -> None:
    text = {str(o.get("id")): html_text(o.get("html", "")) for o in version.options or []}
    letters = {oid: LETTERS[i] for i, oid in enumerate(order)}
    item.options = [(letters[oid], text.get(oid, "")) for oid in order]
    item.key = "".join(sorted(letters[str(c)] for c in key.get("correct") or [] if str(c) in letters))


def _truefalse(item: PrintedItem, version, key: dict, order: list) -> None:
    item.key = "√" if key.get("answer") else "×"


def _fill(item: PrintedItem, version, key: dict, order: list) -> None:
    blanks = key.get("blanks") or []
    item.blanks = max([n for p in item.stem for kind, n in p if kind == "blank"] + [len(blanks)])
    answers = [" / ".join(alts) for alts in blanks]
    item.key = (
        answers[0] if len(answers) == 1 else "；".join(f"（{i}）{a}" for i, a in enumerate(answers, start=1))
    )
    for group in key.get("unordered") or []:
        item.key_notes.append(
            _("Blanks %(blanks)s may come in any order.", blanks="".join(f"（{n}）" for n in group))
        )


def _matching(item: PrintedItem, version, key: dict, order: list) -> None:
    pairs = key.get("pairs") or []
    letters = {text: LETTERS[i] for i, text in enumerate(order)}
    item.lefts = [p.get("left", "") for p in pairs]
    item.rights = [(LETTERS[i], text) for i, text in enumerate(order)]
    item.key = "；".join(
        f"（{i}）{letters.get(p.get('right', ''), '?')}" for i, p in enumerate(pairs, start=1)
    )


def _numerical(item: PrintedItem, version, key: dict, order: list) -> None:
    item.unit = key.get("unit") or ""
    answers = [a for a in key.get("answers") or [] if a.get("value") != "*"]
    parts = []
    for a in answers:
        tolerance = a.get("tolerance") or ""
        value = f"{a.get('value')}" + (f" ± {tolerance}" if tolerance not in ("", "0") else "")
        fraction = Decimal(str(a.get("fraction") or "1"))
        parts.append(
            value if fraction == 1 else _("%(v)s (%(p)s%% of the points)", v=value, p=points(fraction * 100))
        )
    item.key = "；".join(parts) + (f" {item.unit}" if item.unit else "")


def _essay(item: PrintedItem, version, key: dict, order: list) -> None:
    item.reference = html_text(key.get("reference_html", ""))
    item.rubric = [
        (r.get("text", ""), points(Decimal(str(r.get("points") or 0)))) for r in key.get("rubric") or []
    ]


_KEYS = {
    "single": _choice,
    "multiple": _choice,
    "truefalse": _truefalse,
    "fill": _fill,
    "matching": _matching,
    "numerical": _numerical,
    "essay": _essay,
}
