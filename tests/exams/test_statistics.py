"""Statistics against a small dataset computed by hand.

Four candidates, three items worth 1 point each:

    candidate  item1 item2 item3  total
    A            1     1     1      3
    B            1     1     0      2
    C            1     0     0      1
    D            0     0     0      0

- totals 3, 2, 1, 0: mean 1.5, median 1.5, sample SD = sqrt((2.25+0.25+0.25+2.25)/3) = sqrt(5/3) = 1.29099
- sample variances: item1 0.25, item2 1/3, item3 0.25 (sum 0.83333); totals 5/3
  alpha = 3/2 × (1 − 0.83333/1.66667) = 0.75
- facility: item1 75 %, item2 50 %, item3 25 %
- discrimination item1: x = 1,1,1,0 against rest-of-test 2,1,0,0:
  Σdxdy = 0.75, Σdx² = 0.75, Σdy² = 2.75 → r = 0.75/sqrt(0.75×2.75) = 0.52223 → 52.2
- item3: x = 1,0,0,0 against rest 2,2,1,0 → Σdxdy = 0.75, Σdx² = 0.75, Σdy² = 2.75 → 52.2
- item2: x = 1,1,0,0 against rest 2,1,1,0 → Σdxdy = 1, Σdx² = 1, Σdy² = 2 → r = 0.70711 → 70.7
"""

import math
from decimal import Decimal
from types import SimpleNamespace as NS

import pytest

from exams import runtime
from exams import statistics as s
from exams.results import _alpha, exam_statistics
from tests.exams import factories as f

MARKS = {"A": [1, 1, 1], "B": [1, 1, 0], "C": [1, 0, 0], "D": [0, 0, 0]}
TOTALS = [3, 2, 1, 0]


def test_summary_and_histogram():
    summ = s.summary([Decimal(t) for t in TOTALS], [True, True, False, False])
    assert summ.count == 4
    assert summ.mean == pytest.approx(1.5)
    assert summ.median == pytest.approx(1.5)
    assert summ.sd == pytest.approx(math.sqrt(5 / 3))
    assert summ.pass_rate == pytest.approx(50.0)
    assert s.histogram([100, 200 / 3, 100 / 3, 0]) == [1, 0, 0, 1, 0, 0, 1, 0, 0, 1]
    assert s.summary([], []).mean is None


def test_cronbach_alpha():
    assert s.cronbach_alpha(list(MARKS.values())) == pytest.approx(0.75)
    assert s.cronbach_alpha([[1, 1], [1, 1]]) is None  # no variance
    assert s.cronbach_alpha([[1, 0, 1]]) is None  # one candidate


@pytest.mark.parametrize(
    ("index", "facility", "discrimination"), [(0, 75.0, 52.223), (1, 50.0, 70.711), (2, 25.0, 52.223)]
)
def test_item_facility_and_discrimination(index, facility, discrimination):
    marks = [row[index] for row in MARKS.values()]
    stats = s.item_stats(index, marks, TOTALS, 1.0)
    assert stats.count == 4
    assert stats.facility == pytest.approx(facility)
    assert stats.discrimination == pytest.approx(discrimination, abs=1e-3)
    assert stats.flag is None


def test_negative_and_low_discrimination_flags():
    # The weakest candidate gets it right and the strongest wrong: negative.
    neg = s.item_stats("q", [0, 0, 0, 1], [3, 2, 1, 1], 1.0)
    assert neg.discrimination < 0 and neg.flag == "negative"
    # x = 1,0,1,0 against rest 3,2,2,2.9: Σdxdy = 0.05, Σdx² = 1, Σdy² = 0.9075 → r = 0.0525 → 5.2
    low = s.item_stats("q", [1, 0, 1, 0], [4, 2, 3, 2.9], 1.0)
    assert low.discrimination == pytest.approx(5.2486, abs=1e-3) and low.flag == "low"
    flat = s.item_stats("q", [1, 1, 1], [3, 2, 1], 1.0)
    assert flat.discrimination is None and flat.flag is None


def test_distractor_analysis():
    choices = [["A"], ["A"], ["B"], []]
    stats = s.item_stats("q", [1, 1, 0, 0], [3, 2, 1, 0], 1.0, choices, ["A", "B", "C"])
    assert stats.distractors == {"A": 50.0, "B": 25.0, "C": 0.0, "-": 25.0}


def _sit(exam, pattern, now):
    """One candidate answers each position right (1) or wrong (0) and submits."""
    employee = f.candidate(exam).employee
    attempt = runtime.start_attempt(exam, employee, now)
    for position, right in enumerate(pattern, start=1):
        runtime.save_answer(attempt.id, employee.id, position, 1, {"choice": ["A" if right else "B"]}, now)
    runtime.submit_attempt(attempt, now)
    return attempt


def test_alpha_over_positions_of_drawn_papers(db):
    """Four candidates draw 3 of 12 single-choice questions (1 point each, not shuffled); their marks by
    position are the hand-computed dataset above, so alpha over the positions is 0.75 whichever
    questions each one drew."""
    for _ in range(12):
        f.question("single", points="1")
    exam = f.exam(f.blueprint(draw=[{"count": 3, "types": ["single"]}], points="1"), max_attempts=1)
    for pattern in MARKS.values():
        _sit(exam, pattern, f.NOW)
    stats = exam_statistics(exam)
    assert (stats.alpha_basis, stats.alpha_items) == ("positions", 3)
    assert stats.alpha == pytest.approx(0.75)


def test_alpha_basis_rules():
    """Which items alpha is computed over (see exams.results._alpha)."""
    attempts = [NS(id=n) for n in range(4)]

    def items(rows, questions, points="1"):
        return [
            NS(
                attempt_id=a,
                position=p,
                question_id=questions[a][p - 1],
                qtype="single",
                points=Decimal(points),
                mark=Decimal(m),
            )
            for a, row in enumerate(rows)
            for p, m in enumerate(row, start=1)
        ]

    rows = list(MARKS.values())
    same = [[10, 11, 12]] * 4
    drawn = [[10, 11, 12], [13, 14, 15], [16, 17, 18], [19, 20, 21]]
    alpha, basis, k, n = _alpha(attempts, items(rows, same), shuffled=True)
    assert (basis, k, n) == ("questions", 3, 4) and alpha == pytest.approx(0.75)
    alpha, basis, k, n = _alpha(attempts, items(rows, drawn), shuffled=False)
    assert (basis, k, n) == ("positions", 3, 4) and alpha == pytest.approx(0.75)
    # Shuffled drawn papers: positions do not correspond and no question is common → undefined.
    assert _alpha(attempts, items(rows, drawn), shuffled=True) == (None, None, 0, 0)
    # Papers of different shapes (a position worth 2 points on one paper) → undefined by position.
    mixed = items(rows, drawn)
    mixed[0].points = Decimal(2)
    assert _alpha(attempts, mixed, shuffled=False) == (None, None, 0, 0)
    # One candidate only → undefined.
    assert _alpha(attempts[:1], items(rows[:1], drawn[:1]), shuffled=False) == (None, None, 0, 0)


def test_statistics_for_a_scoped_hr_reader_cover_their_scope(db):
    """As the results table: HR scoped to one branch gets figures over that branch's candidates."""
    from tests import factories as people

    east, north = people.department("城东"), people.department("江北")
    exam = f.exam(f.blueprint([f.question("single", points="1"), f.question("truefalse", points="1")]))
    for department, pattern in ((east, [1, 1]), (north, [0, 0])):
        employee = f.candidate(exam, department=department).employee
        attempt = runtime.start_attempt(exam, employee, f.NOW)
        runtime.save_answer(attempt.id, employee.id, 1, 1, {"choice": ["A" if pattern[0] else "B"]}, f.NOW)
        runtime.save_answer(attempt.id, employee.id, 2, 1, {"answer": bool(pattern[1])}, f.NOW)
        runtime.submit_attempt(attempt, f.NOW)
    hr = people.user(grants=[("hr", east)])
    assert exam_statistics(exam).summary.count == 2
    scoped = exam_statistics(exam, hr).summary
    assert (scoped.count, scoped.mean, scoped.pass_rate) == (1, 2.0, 100.0)


def test_alpha_for_shuffled_drawn_papers_over_the_questions_enough_candidates_share():
    """Drawn, shuffled papers share no positions: alpha is computed over the largest set of questions
    that enough candidates all had (here questions 1–3, had by candidates 0–4; question 4 only by two
    of them, question 5 by one). Hand calculation on that 5 × 3 block:
      totals 3, 2, 1, 0, 3 → variance 1.7; item variances 0.2, 0.3, 0.3 → Σ 0.8;
      alpha = 3/2 × (1 − 0.8/1.7) = 27/34 ≈ 0.794."""
    block = [[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0], [1, 1, 1]]
    papers = {a: {1: row[0], 2: row[1], 3: row[2]} for a, row in enumerate(block)}
    papers[0][4] = 1
    papers[1][4] = 0
    papers[5] = {5: 1, 4: 1}
    attempts = [NS(id=a) for a in papers]
    items = [
        NS(attempt_id=a, position=p, question_id=q, qtype="single", points=Decimal(1), mark=Decimal(m))
        for a, marks in papers.items()
        for p, (q, m) in enumerate(sorted(marks.items(), reverse=True), start=1)
    ]
    alpha, basis, k, n = _alpha(attempts, items, shuffled=True)
    assert (basis, k, n) == ("shared", 3, 5)
    assert alpha == pytest.approx(27 / 34)
    assert s.shared_block({0: {1: 1, 2: 0}, 1: {1: 0, 3: 1}}, min_candidates=2) == ([], [])


def test_statistics_page_shows_options_key_unreliable_chart_and_blanks(client, login, db):
    """Distractors by option text with the key marked, true/false in words, fewer than 30 responses marked
    unreliable, the facility/discrimination chart, the attempt counted, and fill-in blanks as gaps."""
    single, truefalse, fill = f.question("single"), f.question("truefalse"), f.question("fill")
    exam = f.exam(f.blueprint([single, truefalse, fill]))
    for choice in ("A", "B"):
        employee = f.candidate(exam).employee
        attempt = runtime.start_attempt(exam, employee, f.NOW)
        runtime.save_answer(attempt.id, employee.id, 1, 1, {"choice": [choice]}, f.NOW)
        runtime.save_answer(attempt.id, employee.id, 2, 1, {"answer": choice == "A"}, f.NOW)
        runtime.save_answer(attempt.id, employee.id, 3, 1, {"blanks": ["2小时", ""]}, f.NOW)
        runtime.submit_attempt(attempt, f.NOW)
    login("trainer")
    page = client.get(f"/exams/manage/{exam.id}/statistics").get_data(as_text=True)
    text = single.current_version.options[0]["html"]
    assert f'<li class="fw-semibold">{text}: 50% <span class="badge bg-success">key</span>' in page
    assert single.current_version.options[1]["html"] + ": 50%" in page
    assert "True: 50%" in page and "False: 50%" in page
    assert page.count(">unreliable<") == 3
    assert 'id="item-map"' in page and "<circle" not in page.split('id="item-map"')[0]
    assert "Highest attempt" in page or "Last attempt" in page
    assert "{{1}}" not in page and "（1）______" in page
    review = client.get(f"/exams/manage/{exam.id}/attempts/{attempt.id}").get_data(as_text=True)
    assert "{{1}}" not in review and "（1）______" in review
