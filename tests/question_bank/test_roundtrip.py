"""Export then import reproduces the questions in all three formats."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import delete, select

from core.models import utcnow
from question_bank import importing
from question_bank.content import QuestionData, choice_options, sanitise_html
from question_bank.models import Category, Question, QuestionVersion, question_tag_links
from tests.question_bank import factories


def _bank(db):
    top = factories.category("应急管理")
    child = factories.category("演练", top)
    items = [
        factories.single_data(sanitise_html("演练<b>频次</b> & 要求？"), tags=["应急演练", "频次"]),
        QuestionData(
            type="multiple",
            stem_html="演练内容包括哪些？",
            options=[
                {**o, "fraction": f}
                for o, f in zip(
                    choice_options(["模拟突发事件", "应急响应演练", "年终总结"], ["A", "B"], "multiple"),
                    ["0.5", "0.5", "-1"],
                    strict=True,
                )
            ],
            key={"correct": ["A", "B"]},
            explanation="§6.4",
            points=Decimal("2.5"),
            tags=["应急演练"],
            exam_only=True,  # 考试专用: travels in every format
        ),
        QuestionData(
            type="truefalse",
            stem_html="应急演练应至少每半年组织一次。",
            key={"answer": True},
            explanation="§6.4",
        ),
        QuestionData(
            type="fill",
            stem_html="一般故障不超过{{1}}，重大故障不超过{{2}}。",
            key={"blanks": [["2小时", "2h"], ["4小时"]], "case_sensitive": False, "ignore_punctuation": True},
            explanation="§3.3",
            points=Decimal(2),
        ),
        QuestionData(
            type="fill",
            stem_html="服务热线是{{1}}。",
            key={"blanks": [["95598"]], "case_sensitive": False, "ignore_punctuation": True},
        ),
        QuestionData(
            type="essay",
            stem_html="简述应急响应流程。",
            key={
                "reference_html": "发现与报告；评估与分级",
                "rubric": [{"text": "答出发现与报告", "points": "1"}],
            },
            points=Decimal(5),
        ),
        QuestionData(
            type="matching",
            stem_html="匹配响应时限。",
            key={
                "pairs": [{"left": "一般故障", "right": "2小时"}, {"left": "重大故障", "right": "4小时"}],
                "distractors": ["1小时"],
            },
        ),
        QuestionData(
            type="numerical",
            stem_html="培训覆盖率（%）？",
            key={
                "answers": [{"value": "95.8", "tolerance": "0.05", "fraction": "1", "feedback": ""}],
                "unit": "",
            },
        ),
        QuestionData(type="description", stem_html="以下为第六章试题。", points=Decimal(0)),
    ]
    for index, data in enumerate(items):
        factories.question(child if index % 2 else top, data)
    db.session.flush()


def _snapshot(db) -> list[tuple]:
    rows = []
    for q in db.session.scalars(select(Question).order_by(Question.id)):
        v = q.current_version
        key = {
            k: val
            for k, val in v.key.items()
            if (k != "answers" or v.type == "numerical") and not (k.endswith("_feedback") and not val)
        }
        rows.append(
            (
                v.type,
                v.stem_html,
                [(o["id"], o["html"], o["fraction"]) for o in v.options],
                key,
                v.explanation,
                Decimal(v.points),
                "/".join(_names(db, q.category)),
                sorted(t.name for t in q.tags),
                q.exam_only,
            )
        )
    return sorted(rows, key=lambda r: r[1])


def _names(db, category):
    return [db.session.get(Category, int(i)).name for i in category.path.strip("/").split("/")]


@pytest.mark.parametrize("fmt", ["xlsx", "gift", "moodlexml"])
def test_export_then_import_reproduces_questions(app, db, fmt):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        _bank(db)
        before = _snapshot(db)
        exported = importing.export_questions(fmt)
        db.session.execute(delete(question_tag_links))
        db.session.execute(Question.__table__.update().values(current_version_id=None))
        db.session.execute(delete(QuestionVersion))
        db.session.execute(delete(Question))
        db.session.expunge_all()
        parsed = importing.parse_file(exported, fmt)
        assert parsed.problems == []
        importing.run_import(parsed, None, utcnow())
        db.session.expire_all()
        after = _snapshot(db)
    assert after == before
    assert sum(1 for row in after if row[-1]) == 1  # the reserved question came back reserved, and only it
