"""The domain error of the drills package."""


class DrillError(ValueError):
    """A drill rule was broken; the message is shown to the user."""
