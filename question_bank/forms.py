"""Forms of the question bank (validation only), and the mapping of the question form to ``QuestionData``.

The question form is one form for every type; the page shows the fields of the chosen type. Stems and
options are typed as text (or HTML, which is sanitised); in a fill-in stem each ``___`` is a blank.
"""

from __future__ import annotations

import re
from decimal import Decimal

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.forms import choices
from core.i18n import lazy_gettext as _l
from question_bank.content import (
    OPTION_IDS,
    QuestionData,
    cell_html,
    cell_text,
    choice_options,
    decimal_str,
    parse_decimal,
)
from question_bank.formats.xlsx import parse_numeric, parse_unordered, unordered_text
from question_bank.labels import STATUS_LABELS, TYPE_LABELS
from question_bank.models import QuestionType

_BLANK_MARK = re.compile(r"_{3,}|\{\{\d+\}\}")
_RUBRIC = re.compile(r"^(.*?)[（(]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]\s*[。.]?$")


class QuestionForm(FlaskForm):
    type = SelectField(_l("Type"), choices=choices([(str(k), v) for k, v in TYPE_LABELS.items()]))
    category_id = SelectField(_l("Category"), coerce=int, validators=[InputRequired()])
    stem = TextAreaField(
        _l("Stem"),
        validators=[DataRequired(), Length(max=20000)],
        description=_l("Text or HTML. In a fill-in question write ___ for each blank."),
    )
    option_a = TextAreaField(_l("Option A"), validators=[Length(max=4000)])
    option_b = TextAreaField(_l("Option B"), validators=[Length(max=4000)])
    option_c = TextAreaField(_l("Option C"), validators=[Length(max=4000)])
    option_d = TextAreaField(_l("Option D"), validators=[Length(max=4000)])
    option_e = TextAreaField(_l("Option E"), validators=[Length(max=4000)])
    option_f = TextAreaField(_l("Option F"), validators=[Length(max=4000)])
    option_g = TextAreaField(_l("Option G"), validators=[Length(max=4000)])
    option_h = TextAreaField(_l("Option H"), validators=[Length(max=4000)])
    correct = SelectMultipleField(
        _l("Correct options"), choices=choices([(c, c) for c in OPTION_IDS]), validate_choice=True
    )
    weights = StringField(
        _l("Option weights (%)"),
        description=_l(
            "Optional, multiple choice: one number per option in order, e.g. 50, 50, -100, 0 (Moodle "
            "grades). Correct options weigh above 0 and add up to 100; a wrong pick can cost points. "
            "Empty: the correct options share 100 equally."
        ),
        validators=[Length(max=200)],
    )
    tf_answer = SelectField(
        _l("Answer"), choices=choices([("true", _l("True")), ("false", _l("False"))]), default="true"
    )
    blanks = TextAreaField(
        _l("Accepted answers"),
        description=_l("One line per blank; separate alternatives with |, e.g. 2小时|2h."),
        validators=[Length(max=4000)],
    )
    unordered = StringField(
        _l("Blanks in any order"),
        description=_l(
            "Blanks whose answers form a list and may come in any order, e.g. 1,2 (two groups: 1,2;4,5). "
            "Each right answer counts once."
        ),
        validators=[Length(max=200)],
    )
    case_sensitive = BooleanField(_l("Case-sensitive"))
    ignore_punctuation = BooleanField(_l("Ignore punctuation"), default=True)
    reference = TextAreaField(_l("Reference answer"), validators=[Length(max=20000)])
    rubric = TextAreaField(
        _l("Rubric points"),
        description=_l("One point per line, ending with its points, e.g. 答出2小时（1分）."),
        validators=[Length(max=4000)],
    )
    pairs = TextAreaField(
        _l("Pairs"),
        description=_l("One pair per line as left = right; a line “= right” adds a distractor."),
        validators=[Length(max=4000)],
    )
    numeric = StringField(_l("Answer"), description=_l("e.g. 95.8±0.05"), validators=[Length(max=200)])
    unit = StringField(_l("Unit"), validators=[Length(max=20)])
    explanation = TextAreaField(_l("Explanation"), validators=[Length(max=20000)])
    points = DecimalField(
        _l("Points"), default=Decimal(1), places=2, validators=[InputRequired(), NumberRange(0, 1000)]
    )
    difficulty = IntegerField(
        _l("Difficulty (1–5)"), default=3, validators=[InputRequired(), NumberRange(1, 5)]
    )
    chapter = IntegerField(_l("Guide chapter (1–8)"), validators=[Optional(), NumberRange(1, 8)])
    source_ref = StringField(_l("Source"), description=_l("e.g. §6.4"), validators=[Length(max=60)])
    tags = StringField(
        _l("Knowledge points"), description=_l("Separate with 、 or commas."), validators=[Length(max=500)]
    )
    exam_only = BooleanField(
        _l("Reserved for certification exams"),
        description=_l("Never shown in self-practice."),
    )
    status = SelectField(_l("Status"), choices=choices([(str(k), v) for k, v in STATUS_LABELS.items()]))
    change_note = StringField(_l("What changed"), validators=[Length(max=500)])
    explanation_checked = BooleanField(
        _l("The explanation still fits the changed answer key"),
        description=_l("Asked when the key changes and the explanation does not."),
    )
    submit = SubmitField(_l("Save"))

    def option_fields(self):
        return [getattr(self, f"option_{c.lower()}") for c in OPTION_IDS]


_WEIGHT_SPLIT = re.compile(r"[\s,，、;；]+")


def _option_texts(form: QuestionForm) -> list[str]:
    texts = [f.data or "" for f in form.option_fields()]
    while texts and not texts[-1].strip():
        texts.pop()
    return texts


def parse_weights(form: QuestionForm) -> list[Decimal] | None:
    """The option weights as fractions (50 → 0.5), None when the field is empty; ValueError names the
    first thing wrong."""
    text = (form.weights.data or "").strip().replace("%", "")
    if not text:
        return None
    parts = [p for p in _WEIGHT_SPLIT.split(text) if p]
    count = len(_option_texts(form))
    if len(parts) != count:
        raise ValueError(
            str(_l("Give one weight per option: %(n)d options, %(m)d weights.", n=count, m=len(parts)))
        )
    weights = []
    for option_id, part in zip(OPTION_IDS, parts, strict=False):
        value = parse_decimal(part)
        if value is None or not -100 <= value <= 100:
            raise ValueError(
                str(_l("The weight of option %(id)s must be a number from -100 to 100.", id=option_id))
            )
        weights.append(value / 100)
    return weights


def form_problems(form: QuestionForm) -> dict[str, str]:
    """Type-specific problems the field validators cannot see, keyed by field name."""
    problems = {}
    qtype = form.type.data
    if qtype == QuestionType.MULTIPLE:
        try:
            weights = parse_weights(form)
        except ValueError as exc:
            problems["weights"] = str(exc)
        else:
            if weights is not None:
                marked = set(form.correct.data or [])
                for option_id, weight in zip(OPTION_IDS, weights, strict=False):
                    if (weight > 0) != (option_id in marked):
                        problems["weights"] = str(
                            _l(
                                "Option %(id)s: a correct option weighs above 0 and a wrong one 0 or less.",
                                id=option_id,
                            )
                        )
                        break
    if qtype == QuestionType.ESSAY:
        for line in (form.rubric.data or "").splitlines():
            if line.strip() and not _RUBRIC.match(line.strip()):
                problems["rubric"] = str(
                    _l("Rubric line “%(line)s” must end with its points, e.g. （2分）.", line=line)
                )
    if qtype == QuestionType.FILL and parse_unordered(form.unordered.data or "") is None:
        problems["unordered"] = str(_l("Write the blank numbers of each group, e.g. 1,2 or 1,2;4,5."))
    if qtype == QuestionType.NUMERICAL and parse_numeric(form.numeric.data or "") is None:
        problems["numeric"] = str(_l("Write a number, optionally ±tolerance (e.g. 95.8±0.05)."))
    if qtype == QuestionType.MATCHING:
        for line in (form.pairs.data or "").splitlines():
            if line.strip() and "=" not in line:
                problems["pairs"] = str(_l("Write a pair as “left = right”, not “%(value)s”.", value=line))
    return problems


def rubric_mismatch(data: QuestionData) -> str | None:
    """A warning when an essay's rubric does not add up to the question's points (saved all the same)."""
    rubric = (data.key or {}).get("rubric") or []
    if not rubric:
        return None
    total = sum((Decimal(str(r.get("points") or 0)) for r in rubric), Decimal(0))
    if total == Decimal(str(data.points)):
        return None
    return str(
        _l(
            "The rubric adds up to %(r)s points but the question is worth %(q)s: markers will see both.",
            r=format(total.normalize(), "f"),
            q=format(Decimal(str(data.points)).normalize(), "f"),
        )
    )


def form_to_data(form: QuestionForm) -> QuestionData:
    """The question the form describes (validate it with ``content.validate``)."""
    qtype = form.type.data
    data = QuestionData(
        type=qtype,
        stem_html=_stem_html(form),
        explanation=cell_html(form.explanation.data or ""),
        points=form.points.data if form.points.data is not None else Decimal(1),
        difficulty=form.difficulty.data or 3,
        chapter=form.chapter.data,
        source_ref=(form.source_ref.data or "").strip(),
        tags=[t.strip() for t in re.split(r"[、,，;；]", form.tags.data or "") if t.strip()],
    )
    if qtype in {QuestionType.SINGLE, QuestionType.MULTIPLE}:
        data.options, data.key = _choice_options_and_key(form, qtype)
    elif qtype == QuestionType.TRUEFALSE:
        data.key = {"answer": form.tf_answer.data == "true"}
    elif qtype == QuestionType.FILL:
        data.key = _fill_key(form)
    elif qtype == QuestionType.ESSAY:
        data.key = _essay_key(form)
    elif qtype == QuestionType.MATCHING:
        data.key = _matching_key(form)
    elif qtype == QuestionType.NUMERICAL:
        data.key = {
            "answers": parse_numeric(form.numeric.data or "") or [],
            "unit": (form.unit.data or "").strip(),
        }
    elif qtype == QuestionType.DESCRIPTION:
        data.points = Decimal(0)
    return data


def _stem_html(form: QuestionForm) -> str:
    """The stem as HTML; in a fill-in question each ``___`` becomes the numbered blank ``{{n}}``."""
    counter = iter(range(1, 100))
    stem = form.stem.data or ""
    if form.type.data == QuestionType.FILL:
        stem = _BLANK_MARK.sub(lambda _m: "\x00" + str(next(counter)) + "\x01", stem)
    return cell_html(stem).replace("\x00", "{{").replace("\x01", "}}")


def _choice_options_and_key(form: QuestionForm, qtype: str) -> tuple[list[dict], dict]:
    """The options (with their weights, when a multiple choice gives them) and the correct letters."""
    texts = _option_texts(form)
    correct = [c for c in (form.correct.data or []) if c in OPTION_IDS[: len(texts)]] or list(
        form.correct.data or []
    )
    options = [
        {**o, "html": cell_html(texts[i])} for i, o in enumerate(choice_options(texts, correct, qtype))
    ]
    try:
        weights = parse_weights(form) if qtype == QuestionType.MULTIPLE else None
    except ValueError:
        weights = None  # form_problems reports it
    if weights is not None:
        for option, weight in zip(options, weights, strict=False):
            option["fraction"] = decimal_str(weight)
    return options, {"correct": correct}


def _fill_key(form: QuestionForm) -> dict:
    """One line per blank, accepted answers separated by "|"."""
    blanks = [
        [a.strip() for a in line.split("|") if a.strip()] for line in (form.blanks.data or "").splitlines()
    ]
    key = {
        "blanks": [b for b in blanks if b],
        "case_sensitive": bool(form.case_sensitive.data),
        "ignore_punctuation": bool(form.ignore_punctuation.data),
    }
    groups = parse_unordered(form.unordered.data or "")
    if groups:
        key["unordered"] = groups
    return key


def _essay_key(form: QuestionForm) -> dict:
    """The reference answer and the rubric lines that end with their points."""
    rubric = []
    for line in (form.rubric.data or "").splitlines():
        match = _RUBRIC.match(line.strip())
        if match:
            rubric.append({"text": match.group(1).strip(), "points": decimal_str(Decimal(match.group(2)))})
    return {"reference_html": cell_html(form.reference.data or ""), "rubric": rubric}


def _matching_key(form: QuestionForm) -> dict:
    """Pairs "left = right"; a line "= right" is a distractor."""
    pairs, distractors = [], []
    for line in (form.pairs.data or "").splitlines():
        left, sep, right = line.partition("=")
        if not sep or not right.strip():
            continue
        if left.strip():
            pairs.append({"left": left.strip(), "right": right.strip()})
        else:
            distractors.append(right.strip())
    return {"pairs": pairs, "distractors": distractors}


def fill_form(form: QuestionForm, data: QuestionData) -> None:
    """Put stored content into the form for editing."""
    form.type.data = data.type
    form.stem.data = cell_text(re.sub(r"\{\{\d+\}\}", "___", data.stem_html))
    for index, option in enumerate(data.options[: len(OPTION_IDS)]):
        form.option_fields()[index].data = cell_text(option["html"])
    form.correct.data = list(data.key.get("correct", []))
    if data.type == QuestionType.MULTIPLE and data.options:
        texts = [cell_text(o["html"]) for o in data.options]
        default = choice_options(texts, form.correct.data, data.type)
        stored = [parse_decimal(o.get("fraction", "0")) or Decimal(0) for o in data.options]
        if stored != [parse_decimal(o["fraction"]) for o in default]:
            form.weights.data = ", ".join(decimal_str(f * 100) for f in stored)
    form.tf_answer.data = "true" if data.key.get("answer", True) else "false"
    form.blanks.data = "\n".join("|".join(b) for b in data.key.get("blanks", []))
    form.unordered.data = unordered_text(data.key)
    form.case_sensitive.data = bool(data.key.get("case_sensitive"))
    form.ignore_punctuation.data = bool(data.key.get("ignore_punctuation", True))
    form.reference.data = cell_text(data.key.get("reference_html", ""))
    form.rubric.data = "\n".join(f"{p['text']}（{p['points']}分）" for p in data.key.get("rubric", []))
    pairs = [f"{p['left']} = {p['right']}" for p in data.key.get("pairs", [])]
    form.pairs.data = "\n".join(pairs + [f"= {d}" for d in data.key.get("distractors", [])])
    form.numeric.data = ";".join(
        f"{a['value']}±{a.get('tolerance') or '0'}"
        for a in data.key.get("answers", [])
        if a.get("value") != "*"
    )
    form.unit.data = data.key.get("unit", "")
    form.explanation.data = cell_text(data.explanation)
    form.points.data = data.points
    form.difficulty.data = data.difficulty
    form.chapter.data = data.chapter
    form.source_ref.data = data.source_ref
    form.tags.data = "、".join(data.tags)


class CategoryForm(FlaskForm):
    name = StringField(_l("Category name"), validators=[DataRequired(), Length(max=200)])
    parent_id = SelectField(_l("Parent"), coerce=int, default=0)
    submit = SubmitField(_l("Add category"))


class CategoryEditForm(FlaskForm):
    name = StringField(_l("Category name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save"))


class CategoryMoveForm(FlaskForm):
    parent_id = SelectField(_l("New parent"), coerce=int, default=0)
    submit = SubmitField(_l("Move"))


class CategoryDeleteForm(FlaskForm):
    move_to_id = SelectField(_l("Move its questions to"), coerce=int, default=0)
    submit = SubmitField(_l("Delete category"))


class BulkForm(FlaskForm):
    ids = HiddenField()
    action = SelectField(
        _l("Action"),
        choices=choices(
            [
                ("retag", _l("Add/remove knowledge points")),
                ("move", _l("Move to category")),
                ("publish", _l("Publish")),
                ("retire", _l("Retire")),
            ]
        ),
    )
    add_tags = StringField(_l("Add knowledge points"), validators=[Length(max=500)])
    remove_tags = StringField(_l("Remove knowledge points"), validators=[Length(max=500)])
    category_id = SelectField(_l("Category"), coerce=int, default=0)
    submit = SubmitField(_l("Apply to selected"))


EXPORT_FORMATS = [("xlsx", "Excel (xlsx)"), ("gift", "GIFT"), ("moodlexml", "Moodle XML")]
IMPORT_FORMATS = [*EXPORT_FORMATS, ("docx", "Word (docx)")]


class ImportForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired()])
    format = SelectField(
        _l("Format"), choices=choices([("", _l("From the file name")), *IMPORT_FORMATS]), default=""
    )
    category_id = SelectField(_l("Import below category"), coerce=int, default=0)
    submit = SubmitField(_l("Check the file"))


class ImportConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    format = HiddenField(validators=[DataRequired()])
    category_id = HiddenField()
    import_duplicates = BooleanField(_l("Import duplicates too"))
    # An explicit choice, none preselected: an unticked box silently turned whole imports into drafts.
    publish = RadioField(
        _l("The imported questions"),
        choices=choices(
            [
                (
                    "published",
                    _l("Publish them: exams can draw them at once (certification papers once reviewed)"),
                ),
                ("draft", _l("Keep them as drafts to review first")),
            ]
        ),
        validators=[
            InputRequired(message=_l("Choose whether to publish the questions or keep them as drafts."))
        ],
    )
    submit = SubmitField(_l("Import"))


class ExportForm(FlaskForm):
    class Meta:
        csrf = False

    format = SelectField(_l("Format"), choices=choices(EXPORT_FORMATS), default="xlsx")
    category_id = SelectField(_l("Category"), coerce=int, default=0)


class ReviewForm(FlaskForm):
    """A reviewer's decision on a question (question_bank/review.py): approve, or send back with a comment."""

    comment = TextAreaField(
        _l("Comment for the author"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Required when you send the question back: say what to change."),
    )
    approve = SubmitField(_l("Approve"))
    send_back = SubmitField(_l("Send back"))
