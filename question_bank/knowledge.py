"""The knowledge-point tree (知识点): one vocabulary for questions, courses and drill criteria.

The tree is seeded from the guide (《电力系统客户服务指南》): its eight chapters, their sections, and under
each section the finer points the starter bank, the starter courses and the drill criteria use. A point
someone made elsewhere (an import, a course form) starts as a root; ``seed_knowledge_points`` places an
unplaced point whose name it knows under its section and never moves a point a trainer has placed.
"""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from core.seeding import Outcome
from question_bank.models import KnowledgePoint, question_tag_links

# (section, name): the guide's chapters ("3") and sections ("3.1"), in the guide's order.
GUIDE_SECTIONS = [
    ("1", "第1章 服务理念与原则"),
    ("1.1", "1.1 服务宗旨与目标"),
    ("1.2", "1.2 服务流程与规范"),
    ("1.3", "1.3 服务标准与质量"),
    ("1.4", "1.4 服务监督与反馈"),
    ("1.5", "1.5 服务培训与考核"),
    ("2", "第2章 电力客户服务流程"),
    ("2.1", "2.1 用电申请与受理"),
    ("2.2", "2.2 电力设施安装与维护"),
    ("2.3", "2.3 电费缴纳与结算"),
    ("2.4", "2.4 电力故障报修与处理"),
    ("2.5", "2.5 服务投诉与处理"),
    ("3", "第3章 电力客户服务保障"),
    ("3.1", "3.1 服务人员资质与培训"),
    ("3.2", "3.2 服务渠道与平台建设"),
    ("3.3", "3.3 服务响应与时效要求"),
    ("3.4", "3.4 服务安全与保密措施"),
    ("4", "第4章 电力客户服务质量评估"),
    ("4.1", "4.1 服务质量评价体系"),
    ("4.2", "4.2 服务质量改进机制"),
    ("4.3", "4.3 服务质量反馈与优化"),
    ("4.4", "4.4 服务质量考核与奖惩"),
    ("5", "第5章 电力客户服务创新与拓展"),
    ("5.1", "5.1 服务模式创新与升级"),
    ("5.2", "5.2 服务内容拓展与优化"),
    ("5.3", "5.3 服务数字化与智能化"),
    ("5.4", "5.4 服务推广与品牌建设"),
    ("6", "第6章 电力客户服务应急处理"),
    ("6.1", "6.1 应急预案与响应机制"),
    ("6.2", "6.2 应急服务保障措施"),
    ("6.3", "6.3 应急处理流程与标准"),
    ("6.4", "6.4 应急培训与演练"),
    ("7", "第7章 电力客户服务文化建设"),
    ("7.1", "7.1 服务文化理念与价值观"),
    ("7.2", "7.2 服务文化建设与推广"),
    ("7.3", "7.3 服务团队建设与激励"),
    ("7.4", "7.4 服务文化成果展示与评估"),
    ("8", "第8章 电力客户服务法律法规与标准"),
    ("8.1", "8.1 法律法规与政策要求"),
    ("8.2", "8.2 国家标准与行业规范"),
    ("8.3", "8.3 法律责任与风险防范"),
    ("8.4", "8.4 法律合规与服务保障"),
]

# The finer points and the section each belongs to: the starter bank's tags (placed by the section most
# of their questions cite), the starter courses' points and the drill criteria's points.
GUIDE_POINTS = {
    "1.1": ["服务理念"],
    "1.5": ["培训体系", "考核机制", "服务流程", "服务技能", "服务规范"],
    "3.1": ["持证上岗", "资格认证", "岗位培训", "基本能力"],
    "3.2": ["服务渠道", "95598平台"],
    "3.3": ["响应时限", "服务评估"],
    "3.4": ["信息安全", "保密管理", "信息安全与个人信息保护"],
    "4.4": ["奖惩机制"],
    "6.1": ["应急预案", "事件分级", "信息通报"],
    "6.2": ["供电保障", "应急通信", "应急物资", "应急队伍", "应急资源", "客户沟通"],
    "6.3": ["应急处理流程", "应急流程"],
    "6.4": ["应急培训", "应急演练", "演练评估", "应急知识", "应急技能", "应急装备使用", "客户沟通技巧"],
    "7.1": ["服务价值观"],
    "7.2": ["文化推广", "服务之星", "客户反馈"],
    "7.3": ["团队建设", "激励机制", "职业发展"],
    "7.4": ["成果评估", "服务文化积分"],
    "8.1": ["法律法规"],
}

SECTION_OF_POINT = {name: section for section, names in GUIDE_POINTS.items() for name in names}


def _section_parent(section: str) -> str | None:
    return section.rsplit(".", 1)[0] if "." in section else None


def set_parent(point: KnowledgePoint, parent: KnowledgePoint | None) -> None:
    """Place ``point`` under ``parent`` (None: a root) and renumber the paths of its subtree."""
    point.parent = parent
    db.session.flush()
    old = point.path
    point.path = f"{parent.path if parent else '/'}{point.id}/"
    if old and old != point.path:
        for child in db.session.scalars(select(KnowledgePoint).where(KnowledgePoint.path.startswith(old))):
            if child.id != point.id:
                child.path = point.path + child.path[len(old) :]
    db.session.flush()


def point_named(name: str, section: str = "") -> KnowledgePoint:
    """The knowledge point called ``name``; a new one is placed under its guide section when known."""
    point = db.session.scalar(select(KnowledgePoint).where(KnowledgePoint.name == name))
    if point is not None:
        return point
    section = section or SECTION_OF_POINT.get(name, "")
    point = KnowledgePoint(name=name, guide_section=section)
    db.session.add(point)
    parent = _section_node(section) if section else None
    set_parent(point, parent)
    return point


def _section_node(section: str) -> KnowledgePoint | None:
    name = dict(GUIDE_SECTIONS).get(section)
    if name is None:
        return None
    return db.session.scalar(select(KnowledgePoint).where(KnowledgePoint.name == name))


def seed_knowledge_points(outcome: Outcome) -> None:
    """The guide's chapters and sections, and the finer points under their sections (new ones added,
    unplaced ones with a known name placed; points someone placed are left where they are)."""
    by_name = {p.name: p for p in db.session.scalars(select(KnowledgePoint))}
    nodes: dict[str, KnowledgePoint] = {}
    for position, (section, name) in enumerate(GUIDE_SECTIONS):
        parent = nodes.get(_section_parent(section) or "")
        nodes[section] = _ensure(by_name, name, section, parent, position, outcome)
    for section, names in GUIDE_POINTS.items():
        for position, name in enumerate(names):
            _ensure(by_name, name, section, nodes[section], position, outcome)


def _ensure(by_name, name, section, parent, position, outcome: Outcome) -> KnowledgePoint:
    point = by_name.get(name)
    if point is None:
        point = KnowledgePoint(name=name, guide_section=section, position=position)
        db.session.add(point)
        set_parent(point, parent)
        by_name[name] = point
        outcome.added += 1
    elif point.parent_id is None and parent is not None:
        point.guide_section = point.guide_section or section
        set_parent(point, parent)
        outcome.adopted += 1
    else:
        outcome.unchanged += 1
    return point


def ordered_tree() -> list[tuple[KnowledgePoint, int]]:
    """Every knowledge point with its depth, depth-first in the guide's order (for pickers and the tree)."""
    points = list(db.session.scalars(select(KnowledgePoint)))
    children: dict[int | None, list[KnowledgePoint]] = {}
    for point in points:
        children.setdefault(point.parent_id, []).append(point)
    for siblings in children.values():
        siblings.sort(key=lambda p: (_section_key(p.guide_section), p.position, p.name))
    out: list[tuple[KnowledgePoint, int]] = []

    def walk(parent_id, depth):
        for point in children.get(parent_id, []):
            out.append((point, depth))
            walk(point.id, depth + 1)

    walk(None, 0)
    return out


def _section_key(section: str) -> tuple:
    parts = [int(p) if p.isdigit() else 99 for p in section.split(".")] if section else [99]
    return tuple(parts)


def subtree_ids(point: KnowledgePoint) -> list[int]:
    """The ids of ``point`` and every point below it."""
    return list(
        db.session.scalars(select(KnowledgePoint.id).where(KnowledgePoint.path.startswith(point.path)))
    )


def questions_on(point_id: int):
    """A subquery of the ids of the questions carrying knowledge point ``point_id`` or a point below it."""
    point = db.session.get(KnowledgePoint, point_id)
    ids = subtree_ids(point) if point is not None and point.path else [point_id]
    return select(question_tag_links.c.question_id).where(question_tag_links.c.tag_id.in_(ids))


def choices(max_depth: int = 2) -> list[tuple[int, str]]:
    """(id, indented name) for select fields, chapters and sections first in the guide's order."""
    return [(p.id, "\u3000" * depth + p.name) for p, depth in ordered_tree() if depth <= max_depth]
