"""Trainer pages of the question bank: one blueprint ("question_bank"), its routes split by concern.

Employees and HR get 403; a question or category outside the trainer's scope 404.
"""

from question_bank.views import categories, media, questions, transfer  # noqa: F401 — each adds its routes
from question_bank.views.common import bp

__all__ = ["bp"]
