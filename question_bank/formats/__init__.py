"""Import and export formats: xlsx (the trainers' template), GIFT and Moodle XML.

Each parser turns a file into a ``ParseResult`` (questions as ``QuestionData`` plus every problem found,
each naming the row and column or the question); nothing touches the database until ``importing``
stores a problem-free result in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from question_bank.content import QuestionData


@dataclass
class ImportProblem:
    """One reason a file is rejected: where (row or question), which column or field, and why."""

    where: str
    column: str
    reason: str

    def __str__(self) -> str:
        parts = [p for p in (self.where, self.column) if p]
        return f"{' · '.join(parts)}: {self.reason}" if parts else self.reason


@dataclass
class ParseResult:
    questions: list[QuestionData] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    # Category paths the file declares even when they hold no question (Moodle category entries).
    categories: list[list[str]] = field(default_factory=list)
    category_info: dict[tuple[str, ...], str] = field(default_factory=dict)
    category_idnumbers: dict[tuple[str, ...], str] = field(default_factory=dict)
