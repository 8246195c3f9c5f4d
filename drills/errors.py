"""The domain errors of the drills package."""

from core.errors import DomainError


class DrillError(DomainError):
    """A drill rule was broken (bad input); the message is shown to the user."""

    status = 400


class DrillStateError(DrillError):
    """The drill, form or action is not in a state that allows the step (answered 409)."""

    status = 409
