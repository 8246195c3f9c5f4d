"""Where a question's versions were used, as later packages (exams) report it on the question page.

The bank cannot import exams (import direction); exams registers a provider here. A provider gets the
question and the viewing user and returns the uses that user may know of."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class VersionUse:
    label: str  # e.g. the exam's title
    url: str  # where to act on it (the exam's regrade page)
    version_numbers: tuple[int, ...]  # the versions of the question its papers carry
    outdated: bool  # carries a version that is no longer the current one (a regrade may be due)


_providers: list[Callable] = []


def register_version_uses(provider: Callable) -> None:
    if provider not in _providers:
        _providers.append(provider)


def version_uses(question, user) -> list[VersionUse]:
    uses: list[VersionUse] = []
    for provider in _providers:
        uses.extend(provider(question, user))
    return uses
