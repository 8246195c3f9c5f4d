"""Domain events that flow against the import direction (STYLE.md): senders never import listeners.

Each signal is sent with the object as sender and keyword arguments as documented; listeners run inside
the sender's transaction (they flush, never commit). ``source_key`` identifies the event uniquely and
stably (e.g. ``exam-attempt:42``), so a listener can make its effect idempotent when an event is replayed.
"""

from blinker import Namespace

_signals = Namespace()

exam_passed = _signals.signal("exam-passed")
"""Sender: the graded Attempt. kwargs: employee, exam, score (Decimal), max_score, first_attempt (bool),
source_key, now."""

exam_pass_withdrawn = _signals.signal("exam-pass-withdrawn")
"""Sender: the Attempt whose pass a regrade turned into a fail. kwargs: employee, exam, source_key (the one
its ``exam_passed`` carried), reason (words), by (the User who applied the regrade), now. A later regrade
that restores the pass sends ``exam_passed`` again with the same source_key."""

attempt_graded = _signals.signal("attempt-graded")
"""Sender: the Attempt, once its score is final. kwargs: employee, exam, score, max_score, passed, source_key,
now."""

training_completed = _signals.signal("training-completed")
"""Sender: the session enrolment. kwargs: employee, course, hours (Decimal), source_key, now."""

qualification_granted = _signals.signal("qualification-granted")
"""Sender: the qualification record. kwargs: employee, certificate_type, source_key, now."""

drill_participated = _signals.signal("drill-participated")
"""Sender: the drill participant row, once the drill is conducted and the person attended.
kwargs: employee, drill, role (the participant role in words), hours (Decimal, training hours to credit), source_key,
now."""

drill_evaluated = _signals.signal("drill-evaluated")
"""Sender: the drill, when its result is final. kwargs: drill, tier, score, participants (employees), now."""

corrective_action_closed = _signals.signal("corrective-action-closed")
"""Sender: the corrective action. kwargs: owner (employee), on_time (bool), source_key, now."""

practice_answered = _signals.signal("practice-answered")
"""Sender: the PracticeAnswer. kwargs: employee, correct (bool), question_id, source_key (one per person,
question and local day: ``practice:<employee>:<question>:<YYYY-MM-DD>``), now. Practice counts for nothing
else; only an incentives rule (off by default) may turn it into points."""
