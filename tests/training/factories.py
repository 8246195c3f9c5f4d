"""Training test data: build and flush, never commit."""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
from decimal import Decimal

from core.extensions import db
from tests import factories as base
from training.models import CertificateType, Course, TrainingSession, TypeOrigin

_seq = itertools.count(1)
NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


def course(hours="4", requires_exam=False, form="classroom", positions=(), **fields) -> Course:
    n = next(_seq)
    c = Course(
        code=f"C{n:04d}",
        title=fields.pop("title", f"课程{n}"),
        hours=Decimal(hours),
        requires_exam=requires_exam,
        form=form,
        positions=list(positions),
        **fields,
    )
    db.session.add(c)
    db.session.flush()
    return c


def certificate_type(months=12, origin=TypeOrigin.INTERNAL, positions=(), name=None) -> CertificateType:
    n = next(_seq)
    t = CertificateType(
        code=f"T{n:04d}",
        name=name or f"证书类型{n}",
        validity_months=months,
        issuer="培训中心",
        origin=origin,
        number_prefix=f"T{n}",
        positions=list(positions),
    )
    db.session.add(t)
    db.session.flush()
    return t


def session(
    course_obj=None, department=None, start=NOW, hours=3, capacity=30, self_enrolment=True
) -> TrainingSession:
    s = TrainingSession(
        course=course_obj or course(),
        department=department or base.department(),
        title="培训班",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        capacity=capacity,
        self_enrolment=self_enrolment,
        checkin_token=secrets.token_urlsafe(24),
    )
    db.session.add(s)
    db.session.flush()
    return s
