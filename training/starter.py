"""Starter content of this package: the certificate types of 持证上岗 and the posts that need each one,
and the courses of guide 1.5 and 6.4 with their knowledge points.

Issuers of internal certificates are written as 本单位… (this organisation's …): edit them on the
certificate types page to the unit's real name. Validity months and hours are this project's suggestions.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import or_, select

from accounts.models import Position
from core.extensions import db
from core.seeding import Outcome, Starter, StarterKind, sync_starter
from question_bank.knowledge import point_named
from question_bank.models import KnowledgePoint
from training.models import CertificateType, Course, CourseFormat, TypeOrigin

# (code, name, validity months, issuer, origin, positions requiring it)
CERTIFICATE_TYPES = [
    ("KFZY", "客户服务专员岗位资格", 36, "本单位培训中心", TypeOrigin.INTERNAL, ["CSR", "CLERK"]),
    ("TZDG", "特种作业操作证（电工）", 72, "应急管理部门", TypeOrigin.EXTERNAL, ["ELEC", "EMERG"]),
    ("DDSG", "电力调度员上岗证", 24, "本单位电力调度控制中心", TypeOrigin.INTERNAL, ["DISP"]),
    ("YJJY", "应急救援员", 48, "人力资源社会保障部门", TypeOrigin.EXTERNAL, ["EMERG"]),
    ("FWLY", "服务礼仪培训合格", 24, "本单位培训中心", TypeOrigin.INTERNAL, ["CSR", "CLERK"]),
    (
        "XXAQ",
        "信息安全培训合格",
        12,
        "本单位信息通信中心",
        TypeOrigin.INTERNAL,
        ["CSR", "CLERK", "DISP", "METER"],
    ),
]

KNOWLEDGE_POINTS = [
    ("应急知识", "6.4"),
    ("应急技能", "6.4"),
    ("应急流程", "6.4"),
    ("应急装备使用", "6.4"),
    ("客户沟通技巧", "6.4"),
    ("服务理念", "1.5"),
    ("服务流程", "1.5"),
    ("服务技能", "1.5"),
    ("服务规范", "1.5"),
    ("信息安全与个人信息保护", "3.4"),
]

# (code, title, chapters, hours, form, positions, knowledge points, grants type)
COURSES = [
    (
        "YJ-101",
        "应急预案与应急响应流程",
        "6.1, 6.3",
        "4",
        CourseFormat.CLASSROOM,
        ["ELEC", "EMERG", "DISP"],
        ["应急知识", "应急流程"],
        None,
    ),
    (
        "YJ-102",
        "应急装备使用实操",
        "6.2, 6.4",
        "6",
        CourseFormat.FIELD_DRILL,
        ["ELEC", "EMERG"],
        ["应急装备使用", "应急技能"],
        None,
    ),
    (
        "YJ-103",
        "停电事件客户沟通模拟演练",
        "6.2, 6.4",
        "3",
        CourseFormat.SIMULATION,
        ["CSR", "CLERK"],
        ["客户沟通技巧", "应急流程"],
        None,
    ),
    (
        "FW-201",
        "服务理念与服务规范",
        "1.5, 7.1",
        "4",
        CourseFormat.CLASSROOM,
        ["CSR", "CLERK", "METER"],
        ["服务理念", "服务规范"],
        None,
    ),
    (
        "FW-202",
        "95598服务流程与工单处理",
        "1.5, 3.3",
        "6",
        CourseFormat.ONLINE,
        ["CSR"],
        ["服务流程", "服务技能"],
        None,
    ),
    (
        "FW-203",
        "服务礼仪培训",
        "7.2",
        "4",
        CourseFormat.CLASSROOM,
        ["CSR", "CLERK"],
        ["服务规范", "客户沟通技巧"],
        "FWLY",
    ),
    (
        "AQ-301",
        "信息安全与个人信息保护",
        "3.4",
        "2",
        CourseFormat.ONLINE,
        ["CSR", "CLERK", "DISP", "METER"],
        ["信息安全与个人信息保护"],
        "XXAQ",
    ),
]


def _positions(codes) -> list[Position]:
    """The posts with these codes that exist here (a unit may not have loaded them all)."""
    return list(db.session.scalars(select(Position).where(Position.code.in_(codes)).order_by(Position.code)))


def _type_content(code, name, months, issuer, origin, posts) -> dict:
    return {
        "code": code,
        "name": name,
        "validity_months": months,
        "issuer": issuer,
        "origin": str(origin),
        "number_prefix": code,
        "positions": sorted(posts),
    }


def _type_fingerprint(t: CertificateType) -> dict:
    content = _type_content(
        t.code, t.name, t.validity_months, t.issuer, t.origin, [p.code for p in t.positions]
    )
    content["number_prefix"] = t.number_prefix
    return content


def _create_types(items: list[Starter]) -> list[CertificateType]:
    types = []
    for item in items:
        c = item.content
        types.append(
            CertificateType(
                code=c["code"],
                name=c["name"],
                validity_months=c["validity_months"],
                issuer=c["issuer"],
                origin=c["origin"],
                number_prefix=c["number_prefix"],
                positions=_positions(c["positions"]),
            )
        )
    db.session.add_all(types)
    return types


TYPE_KIND = StarterKind(
    kind="certificate_type",
    fetch=lambda id_: db.session.get(CertificateType, id_),
    find=lambda item: db.session.scalar(
        select(CertificateType).where(
            or_(CertificateType.code == item.content["code"], CertificateType.name == item.content["name"])
        )
    ),
    fingerprint=_type_fingerprint,
    create=_create_types,
)


def seed_certificate_types(outcome: Outcome) -> None:
    """The certificate types and the posts requiring each (new ones added; edited ones left alone)."""
    sync_starter(
        TYPE_KIND,
        (Starter(f"certificate_type:{t[0]}", f"{t[0]} {t[1]}", _type_content(*t)) for t in CERTIFICATE_TYPES),
        outcome,
    )


def _hours(value) -> str:
    return str(Decimal(value).quantize(Decimal("0.1")))


def _course_content(code, title, chapters, hours, form, posts, points, grants) -> dict:
    return {
        "code": code,
        "title": title,
        "guide_chapters": chapters,
        "hours": _hours(hours),
        "form": str(form),
        "description": f"《电力系统客户服务指南》{chapters}",
        "positions": sorted(posts),
        "knowledge_points": sorted(points),
        "grants": grants,
    }


def _course_fingerprint(c: Course) -> dict:
    return {
        "code": c.code,
        "title": c.title,
        "guide_chapters": c.guide_chapters,
        "hours": _hours(c.hours),
        "form": c.form,
        "description": c.description,
        "positions": sorted(p.code for p in c.positions),
        "knowledge_points": sorted(k.name for k in c.knowledge_points),
        "grants": c.grants_certificate_type.code if c.grants_certificate_type else None,
    }


def _knowledge_point(name: str) -> KnowledgePoint:
    return point_named(name, dict(KNOWLEDGE_POINTS).get(name, ""))


def _create_courses(items: list[Starter]) -> list[Course]:
    courses = []
    for item in items:
        c = item.content
        grants = c["grants"] and db.session.scalar(
            select(CertificateType).where(CertificateType.code == c["grants"])
        )
        courses.append(
            Course(
                code=c["code"],
                title=c["title"],
                guide_chapters=c["guide_chapters"],
                hours=Decimal(c["hours"]),
                form=c["form"],
                description=c["description"],
                positions=_positions(c["positions"]),
                knowledge_points=[_knowledge_point(name) for name in c["knowledge_points"]],
                grants_certificate_type=grants or None,
            )
        )
    db.session.add_all(courses)
    return courses


COURSE_KIND = StarterKind(
    kind="course",
    fetch=lambda id_: db.session.get(Course, id_),
    find=lambda item: db.session.scalar(select(Course).where(Course.code == item.content["code"])),
    fingerprint=_course_fingerprint,
    create=_create_courses,
)


def seed_courses(outcome: Outcome) -> None:
    """The courses with their knowledge points (new ones added; edited ones left alone)."""
    sync_starter(
        COURSE_KIND,
        (Starter(f"course:{c[0]}", f"{c[0]} {c[1]}", _course_content(*c)) for c in COURSES),
        outcome,
    )
